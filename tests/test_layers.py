"""Layers: backward against finite differences, the shape contract, clear errors,
dropout's inverted scaling, and the initializers' scales."""
from __future__ import annotations

import numpy as np
import pytest

from nnlib import initializers
from nnlib.activations import ACTIVATIONS
from nnlib.gradient_check import check_layer_gradients
from nnlib.layers import ActivationLayer, Dense, Dropout
from nnlib.validation import InputError, ShapeError

TOL = 1e-6
X = np.random.default_rng(0).standard_normal((5, 4))


# -- gradients ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("activation", [None] + sorted(ACTIVATIONS))
def test_dense_gradients(activation):
    layer = Dense(4, 3, activation=activation, seed=1)
    layer.params["b"][:] = np.random.default_rng(2).standard_normal(3)  # nonzero biases too
    errors = check_layer_gradients(layer, X)
    assert set(errors) == {"X", "W", "b"}
    assert max(errors.values()) < TOL, errors


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_activation_layer_gradients(activation):
    errors = check_layer_gradients(ActivationLayer(activation), X)
    assert set(errors) == {"X"}
    assert errors["X"] < TOL


class FixedMaskDropout:
    """Dropout in training mode whose mask is redrawn from the same seed on every forward,
    so finite differences see the same mask as backward."""

    def __init__(self, p, seed):
        self.inner, self.seed = Dropout(p), seed
        self.params, self.grads = {}, {}

    def forward(self, X, training=False):
        self.inner.rng = np.random.default_rng(self.seed)
        return self.inner.forward(X, training=True)

    def backward(self, dout):
        return self.inner.backward(dout)


@pytest.mark.parametrize("p", [0.2, 0.5, 0.8])
def test_dropout_gradients_in_training_mode(p):
    layer = FixedMaskDropout(p, seed=3)
    out = layer.forward(X)
    assert (out == 0).any() and (out != 0).any()  # the mask really drops and keeps something
    errors = check_layer_gradients(layer, X)
    assert errors["X"] < TOL


def test_dense_gradients_by_formula():
    """dW = X^T delta, db = sum of delta over the batch, dX = delta W^T (here delta = dout)."""
    layer = Dense(4, 3, seed=4)
    dout = np.random.default_rng(5).standard_normal((5, 3))
    layer.forward(X)
    dX = layer.backward(dout)
    np.testing.assert_allclose(layer.grads["W"], X.T @ dout)
    np.testing.assert_allclose(layer.grads["b"], dout.sum(axis=0))
    np.testing.assert_allclose(dX, dout @ layer.params["W"].T)


def test_backward_sets_fresh_grads_of_the_newest_batch():
    """Each backward puts new arrays into grads (an earlier batch's arrays keep their values)."""
    layer = Dense(4, 3, "relu", seed=4)
    r = np.random.default_rng(7)
    earlier = None
    for _ in range(2):
        Xb, dout = r.standard_normal((5, 4)), r.standard_normal((5, 3))
        Z = Xb @ layer.W + layer.b
        layer.forward(Xb)
        layer.backward(dout)
        np.testing.assert_allclose(layer.grads["W"], Xb.T @ (dout * (Z > 0)))
        np.testing.assert_allclose(layer.grads["b"], (dout * (Z > 0)).sum(axis=0))
        if earlier is not None:
            assert earlier is not layer.grads["W"] and not np.allclose(earlier, layer.grads["W"])
        earlier = layer.grads["W"]


def test_replaced_params_get_matching_grads():
    """Assigning a new W of another shape or dtype must not write gradients into the old buffer."""
    layer = Dense(4, 3, seed=4)
    layer.n_out = 2  # a learner rebuilding the layer by hand
    layer.params = {"W": np.ones((4, 2), dtype=np.float32), "b": np.zeros(2, dtype=np.float32)}
    layer.forward(X.astype(np.float32))
    layer.backward(np.ones((5, 2), dtype=np.float32))
    assert layer.grads["W"].shape == (4, 2) and layer.grads["W"].dtype == np.float32
    np.testing.assert_allclose(layer.grads["W"], X.astype(np.float32).T @ np.ones((5, 2)), rtol=1e-6)
    np.testing.assert_allclose(layer.grads["b"], [5.0, 5.0])


def test_first_layer_can_skip_input_gradient():
    layer = Dense(4, 3, "tanh", seed=6)
    layer.needs_input_grad = False
    layer.forward(X)
    assert layer.backward(np.ones((5, 3))) is None
    assert layer.grads["W"].shape == (4, 3)


# -- shape contract ---------------------------------------------------------------------------------
def test_dense_params_and_grads_mirror():
    layer = Dense(4, 3, "relu", seed=0)
    assert set(layer.params) == set(layer.grads) == {"W", "b"}
    assert layer.params["W"].shape == (4, 3) and layer.params["b"].shape == (3,)
    np.testing.assert_array_equal(layer.params["b"], 0.0)
    out = layer.forward(X, training=True)
    assert out.shape == (5, 3)
    dX = layer.backward(np.ones_like(out))
    assert dX.shape == X.shape
    for k in layer.params:
        assert layer.grads[k].shape == layer.params[k].shape
        assert layer.grads[k].dtype == layer.params[k].dtype
    assert layer.W is layer.params["W"] and layer.b is layer.params["b"]


def test_dense_forward_values():
    layer = Dense(2, 2, "relu")
    layer.params["W"][:] = [[1.0, -1.0], [2.0, 0.5]]
    layer.params["b"][:] = [0.5, -1.0]
    out = layer.forward(np.array([[1.0, 1.0], [-1.0, 0.0]]))
    # z = x W + b: [3.5, -1.5] and [-0.5, 0]
    np.testing.assert_allclose(out, [[3.5, 0.0], [0.0, 0.0]])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dense_dtype(dtype):
    layer = Dense(4, 3, "relu", seed=0, dtype=dtype)
    assert layer.params["W"].dtype == dtype and layer.params["b"].dtype == dtype
    out = layer.forward(X.astype(dtype))
    assert out.dtype == dtype
    layer.backward(np.ones_like(out))
    assert layer.grads["W"].dtype == dtype


def test_dense_seed_reproducible():
    a, b, c = Dense(10, 5, seed=7), Dense(10, 5, seed=7), Dense(10, 5, seed=8)
    np.testing.assert_array_equal(a.params["W"], b.params["W"])
    assert not np.array_equal(a.params["W"], c.params["W"])


def test_backward_before_forward_errors():
    with pytest.raises(RuntimeError, match=r"Dense\(4->3\)\.backward was called before forward"):
        Dense(4, 3).backward(np.ones((5, 3)))
    with pytest.raises(RuntimeError, match="before forward"):
        ActivationLayer("relu").backward(np.ones((5, 3)))
    with pytest.raises(RuntimeError, match="before forward"):
        Dropout(0.5).backward(np.ones((5, 3)))


def test_wrong_input_shape_names_layer_and_shapes():
    with pytest.raises(ShapeError) as e:
        Dense(4, 3).forward(np.zeros((5, 7)))
    msg = str(e.value)
    assert "Dense(4->3)" in msg and "(batch, 4)" in msg and "(5, 7)" in msg
    with pytest.raises(ShapeError, match=r"^hidden\.forward: .*\(batch, 4\).*\(2, 3, 4\)"):
        Dense(4, 3, name="hidden").forward(np.zeros((2, 3, 4)))


def test_wrong_dout_shape():
    layer = Dense(4, 3)
    layer.forward(X)
    with pytest.raises(ShapeError, match=r"backward: expected dout of shape \(5, 3\).*got \(5, 4\)"):
        layer.backward(np.ones((5, 4)))


@pytest.mark.parametrize("dtype, hint", [(np.uint8, r"astype\(np\.float32\) / 255"),
                                         (np.int64, r"astype\(np\.float64\)"),
                                         (bool, r"astype\(np\.float64\)")])
def test_integer_input_errors(dtype, hint):
    with pytest.raises(InputError, match=f"Dense\\(4->3\\).forward: X must hold floating-point numbers, "
                                         f"got dtype {np.dtype(dtype)}.*{hint}"):
        Dense(4, 3).forward(np.zeros((5, 4), dtype=dtype))


def test_one_dimensional_input_suggests_reshape():
    with pytest.raises(ShapeError, match=r"got shape \(4,\); for one sample use X\.reshape\(1, -1\)"):
        Dense(4, 3).forward(np.zeros(4))


def test_bad_layer_arguments():
    with pytest.raises(ValueError, match="at least 1"):
        Dense(0, 3)
    with pytest.raises(ValueError, match="unknown activation"):
        Dense(2, 3, "sigmod")
    with pytest.raises(ValueError, match="unknown initializer"):
        Dense(2, 3, init="uniformish")


# -- dropout ------------------------------------------------------------------------------------------------
def test_dropout_inverted_scaling_keeps_the_mean():
    p = 0.3
    layer = Dropout(p, seed=0)
    ones = np.ones((2000, 500))
    out = layer.forward(ones, training=True)
    dropped = np.mean(out == 0)
    assert dropped == pytest.approx(p, abs=0.005)
    np.testing.assert_allclose(out[out != 0], 1 / (1 - p))  # survivors scaled by 1/q
    assert out.mean() == pytest.approx(1.0, abs=0.01)
    # backward lets gradient through exactly where the forward kept units, with the same scale
    back = layer.backward(np.ones_like(out))
    np.testing.assert_array_equal(back, out)


def test_dropout_is_identity_at_evaluation():
    layer = Dropout(0.5, seed=0)
    out = layer.forward(X)  # training=False is the default
    np.testing.assert_array_equal(out, X)
    dout = np.random.default_rng(1).standard_normal(X.shape)
    np.testing.assert_array_equal(layer.backward(dout), dout)
    np.testing.assert_array_equal(Dropout(0.0).forward(X, training=True), X)


def test_dropout_masks_follow_the_seed():
    a = Dropout(0.5, seed=1).forward(X, training=True)
    b = Dropout(0.5, seed=1).forward(X, training=True)
    c = Dropout(0.5, seed=2).forward(X, training=True)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_dropout_keeps_float32():
    out = Dropout(0.5, seed=0).forward(X.astype(np.float32), training=True)
    assert out.dtype == np.float32


@pytest.mark.parametrize("p", [-0.1, 1.0, 1.5, float("nan")])
def test_dropout_p_validation(p):
    with pytest.raises(ValueError, match=r"drop probability p must be in \[0, 1\)"):
        Dropout(p)


# -- initializers ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name, expected_std", [
    ("normal", 1.0),
    ("large", 1.0),
    ("xavier", np.sqrt(2 / (800 + 400))),
    ("glorot", np.sqrt(2 / (800 + 400))),
    ("he", np.sqrt(2 / 800)),
])
def test_initializer_scales(name, expected_std):
    W = initializers.get_initializer(name)(800, 400, np.random.default_rng(0))
    assert W.shape == (800, 400)
    assert W.std() == pytest.approx(expected_std, rel=0.01)
    assert abs(W.mean()) < 0.01 * expected_std


@pytest.mark.parametrize("activation, init, std", [
    ("relu", "he", np.sqrt(2 / 800)),
    ("leaky_relu", "he", np.sqrt(2 / 800)),
    ("tanh", "xavier", np.sqrt(2 / 1200)),
    ("sigmoid", "xavier", np.sqrt(2 / 1200)),
    (None, "xavier", np.sqrt(2 / 1200)),
])
def test_default_initializer_per_activation(activation, init, std):
    layer = Dense(800, 400, activation, seed=0)
    assert layer.init == init
    assert layer.params["W"].std() == pytest.approx(std, rel=0.01)


def test_explicit_and_custom_initializers():
    assert Dense(800, 400, "relu", init="normal", seed=0).params["W"].std() == pytest.approx(1.0, rel=0.01)

    def constant(n_in, n_out, rng, dtype=np.float64):
        return np.full((n_in, n_out), 0.5, dtype=dtype)

    np.testing.assert_array_equal(Dense(3, 2, init=constant).params["W"], 0.5)


def test_initializer_dtype():
    for name in ["normal", "xavier", "he"]:
        W = initializers.get_initializer(name)(5, 3, np.random.default_rng(0), np.float32)
        assert W.dtype == np.float32
