"""Costs: values by hand, gradients against finite differences, stability, bad targets."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

from nnlib import costs
from nnlib.activations import sigmoid, softmax
from nnlib.costs import (
    COSTS,
    binary_cross_entropy,
    categorical_cross_entropy,
    get_cost,
    mse,
    one_hot,
    sigmoid_cross_entropy,
    softmax_cross_entropy,
)
from nnlib.gradient_check import numerical_gradient, rel_error
from nnlib.validation import InputError, ShapeError

TOL = 1e-6
rng = np.random.default_rng(0)
N, K = 6, 4
LABELS = np.array([0, 3, 1, 2, 3, 0])
ONE_HOT = np.eye(K)[LABELS]


def probability_rows(n=N, k=K, seed=1):
    z = np.random.default_rng(seed).standard_normal((n, k))
    return softmax(z)


def probabilities(shape, seed=2):
    return np.random.default_rng(seed).uniform(0.05, 0.95, size=shape)


# Each case: (cost, predictions, targets). Predictions are float64 and away from clipping.
CASES = {
    "mse-matrix": (mse, np.random.default_rng(3).standard_normal((N, 3)),
                   np.random.default_rng(4).standard_normal((N, 3))),
    "mse-vector-targets-one-output": (mse, np.random.default_rng(5).standard_normal((N, 1)),
                                      np.random.default_rng(6).standard_normal(N)),
    "mse-integer-labels-one-hot-encoded": (mse, np.random.default_rng(7).standard_normal((N, K)), LABELS),
    "bce-labels": (binary_cross_entropy, probabilities((N, 1)), np.array([0, 1, 1, 0, 1, 0])),
    "bce-soft-targets": (binary_cross_entropy, probabilities((N, 1)), probabilities((N, 1), seed=8)),
    "bce-multi-label": (binary_cross_entropy, probabilities((N, 3)), (probabilities((N, 3), 9) > 0.5) * 1.0),
    "cce-integer-labels": (categorical_cross_entropy, probability_rows(), LABELS),
    "cce-one-hot": (categorical_cross_entropy, probability_rows(), ONE_HOT),
    "softmax-ce-integer-labels": (softmax_cross_entropy, np.random.default_rng(10).standard_normal((N, K)) * 3,
                                  LABELS),
    "softmax-ce-one-hot": (softmax_cross_entropy, np.random.default_rng(11).standard_normal((N, K)) * 3, ONE_HOT),
    "softmax-ce-label-column": (softmax_cross_entropy, np.random.default_rng(12).standard_normal((N, K)),
                                LABELS[:, None]),
    "sigmoid-ce-labels": (sigmoid_cross_entropy, np.random.default_rng(13).standard_normal((N, 1)) * 3,
                          np.array([0, 1, 1, 0, 1, 0])),
    "sigmoid-ce-label-column": (sigmoid_cross_entropy, np.random.default_rng(14).standard_normal((N, 1)),
                                np.array([[0], [1], [1], [0], [1], [0]])),
    "sigmoid-ce-soft-targets": (sigmoid_cross_entropy, np.random.default_rng(15).standard_normal((N, 1)),
                                probabilities((N, 1), seed=16)),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_gradient_matches_finite_differences(case):
    cost, a, y = CASES[case]
    a = a.copy()
    analytic = cost.gradient(a, y)
    assert analytic.shape == a.shape
    numeric = numerical_gradient(lambda: cost.value(a, y), a)
    assert rel_error(analytic, numeric) < TOL


@pytest.mark.parametrize("case", sorted(CASES))
def test_value_and_gradient_equal_value_and_gradient(case):
    cost, a, y = CASES[case]
    value, grad = cost.value_and_gradient(a, y)
    assert isinstance(value, float)
    assert value == pytest.approx(cost.value(a, y), rel=1e-12)
    np.testing.assert_allclose(grad, cost.gradient(a, y), rtol=1e-12, atol=1e-15)
    assert cost(a, y) == cost.value(a, y)


def test_fused_costs_equal_activation_then_cost():
    z = np.random.default_rng(20).standard_normal((N, K))
    assert softmax_cross_entropy.value(z, LABELS) == pytest.approx(
        categorical_cross_entropy.value(softmax(z), LABELS), rel=1e-12)
    z1 = np.random.default_rng(21).standard_normal((N, 1))
    y1 = np.array([0, 1, 1, 0, 1, 0])
    assert sigmoid_cross_entropy.value(z1, y1) == pytest.approx(
        binary_cross_entropy.value(sigmoid(z1), y1), rel=1e-12)
    # and their gradients are (p - y)/n
    np.testing.assert_allclose(softmax_cross_entropy.gradient(z, LABELS), (softmax(z) - ONE_HOT) / N)
    np.testing.assert_allclose(sigmoid_cross_entropy.gradient(z1, y1), (sigmoid(z1) - y1[:, None]) / N)


# -- values by hand -----------------------------------------------------------------------------------
def test_mse_keeps_the_one_half_convention():
    """C = 1/(2n) sum ||a - y||^2: squared errors 1 + 0 + 4 + 9 = 14, n = 2, so C = 14/4."""
    a = np.array([[1.0, 2.0], [3.0, 4.0]])
    y = np.array([[0.0, 2.0], [1.0, 1.0]])
    assert mse.value(a, y) == 3.5
    np.testing.assert_array_equal(mse.gradient(a, y), [[0.5, 0.0], [1.0, 1.5]])  # (a - y)/n
    # one sample, one output: C = (a - y)^2 / 2
    assert mse.value(np.array([[3.0]]), np.array([1.0])) == 2.0


def test_mse_on_vectors_keeps_the_shape():
    a, y = np.array([1.0, 2.0, 4.0]), np.array([1.0, 0.0, 1.0])
    assert mse.value(a, y) == pytest.approx((0 + 4 + 9) / 6)
    g = mse.gradient(a, y)
    assert g.shape == (3,)
    np.testing.assert_allclose(g, [0.0, 2 / 3, 1.0])


def test_cross_entropy_values_by_hand():
    p = np.array([[0.8], [0.4]])
    assert binary_cross_entropy.value(p, np.array([1, 0])) == pytest.approx(-(np.log(0.8) + np.log(0.6)) / 2)
    np.testing.assert_allclose(binary_cross_entropy.gradient(p, np.array([1, 0])),
                               [[-1 / 0.8 / 2], [1 / 0.6 / 2]])
    q = np.array([[0.7, 0.2, 0.1], [0.1, 0.3, 0.6]])
    assert categorical_cross_entropy.value(q, np.array([0, 2])) == pytest.approx(-(np.log(0.7) + np.log(0.6)) / 2)
    np.testing.assert_allclose(categorical_cross_entropy.gradient(q, np.array([0, 2])),
                               [[-1 / 0.7 / 2, 0, 0], [0, 0, -1 / 0.6 / 2]])
    assert softmax_cross_entropy.value(np.array([[0.0, np.log(3.0)]]), np.array([1])) == pytest.approx(-np.log(0.75))
    assert softmax_cross_entropy.value(np.ones((1, 4)), np.array([2])) == pytest.approx(np.log(4))
    assert sigmoid_cross_entropy.value(np.array([[0.0]]), np.array([1])) == pytest.approx(np.log(2))
    assert sigmoid_cross_entropy.value(np.array([[2.0], [-1.0]]), np.array([1, 1])) == pytest.approx(
        (np.log1p(np.exp(-2.0)) + np.log1p(np.exp(1.0))) / 2)


def test_perfect_predictions_cost_nothing():
    assert mse.value(np.eye(3), np.eye(3)) == 0.0
    assert categorical_cross_entropy.value(np.eye(3), np.arange(3)) == pytest.approx(0.0, abs=1e-11)
    assert binary_cross_entropy.value(np.array([[1.0], [0.0]]), np.array([1, 0])) == pytest.approx(0.0, abs=1e-11)


def test_outputs_are_the_prediction_links():
    z = np.random.default_rng(22).standard_normal((3, 4))
    np.testing.assert_array_equal(mse.output(z), z)
    np.testing.assert_allclose(softmax_cross_entropy.output(z), softmax(z))
    np.testing.assert_allclose(sigmoid_cross_entropy.output(z[:, :1]), sigmoid(z[:, :1]))
    assert softmax_cross_entropy.takes_logits and sigmoid_cross_entropy.takes_logits
    assert not mse.takes_logits and not categorical_cross_entropy.takes_logits


# -- stability ------------------------------------------------------------------------------------------
def test_fused_costs_are_stable_for_huge_logits():
    z = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, 1e4]])
    y = np.array([1, 2])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value, grad = softmax_cross_entropy.value_and_gradient(z, y)
        assert softmax_cross_entropy.value(z, y) == value
        g2 = softmax_cross_entropy.gradient(z, y)
    # sample 0: log-sum-exp = 1e4, z_y = -1e4 -> 2e4; sample 1 is right with certainty -> 0
    assert value == pytest.approx(1e4)
    np.testing.assert_allclose(grad, [[0.5, -0.5, 0.0], [0.0, 0.0, 0.0]], atol=1e-12)
    np.testing.assert_allclose(g2, grad)

    zs = np.array([[1e4], [-1e4], [1e4], [-1e4]])
    ys = np.array([0, 1, 1, 0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value, grad = sigmoid_cross_entropy.value_and_gradient(zs, ys)
    assert value == pytest.approx((1e4 + 1e4) / 4)
    np.testing.assert_allclose(grad, [[0.25], [-0.25], [0.0], [0.0]], atol=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_fused_costs_keep_the_logits_dtype(dtype):
    z = np.random.default_rng(23).standard_normal((N, K)).astype(dtype)
    value, grad = softmax_cross_entropy.value_and_gradient(z, LABELS)
    assert grad.dtype == dtype and np.isfinite(value)


def test_probability_costs_survive_exact_zeros_and_ones():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        v = binary_cross_entropy.value(np.array([[0.0], [1.0]]), np.array([1, 0]))
        g = binary_cross_entropy.gradient(np.array([[0.0], [1.0]]), np.array([1, 0]))
        c = categorical_cross_entropy.value(np.array([[0.0, 1.0]]), np.array([0]))
        cg = categorical_cross_entropy.gradient(np.array([[0.0, 1.0]]), np.array([0]))
    assert np.isfinite(v) and v > 20  # about -ln(1e-12) = 27.6
    assert np.isfinite(g).all() and np.isfinite(c) and np.isfinite(cg).all()


# -- bad targets ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("cost", [softmax_cross_entropy, categorical_cross_entropy, mse])
@pytest.mark.parametrize("labels", [[0, 1, 4], [0, -1, 2]])
def test_label_out_of_range(cost, labels):
    a = np.full((3, 4), 0.25)
    with pytest.raises(InputError, match=r"labels from -?\d to \d, expected 0\.\.3 for 4 classes") as e:
        cost.value(a, np.array(labels))
    assert cost.name in str(e.value)


@pytest.mark.parametrize("cost", [sigmoid_cross_entropy, binary_cross_entropy])
def test_binary_targets_outside_0_1(cost):
    with pytest.raises(InputError, match=r"targets must lie in \[0, 1\].*from 0\.0 to 2\.0"):
        cost.value(np.full((3, 1), 0.5), np.array([0, 1, 2]))


@pytest.mark.parametrize("cost", list(COSTS.values()), ids=list(COSTS))
def test_wrong_number_of_targets(cost):
    cost = cost()
    with pytest.raises(ShapeError, match=f"{cost.name}: y has 2 rows but there are 3 samples"):
        cost.value(np.full((3, 1), 0.5), np.array([[0.0], [1.0]]))


def test_wrong_target_shapes():
    with pytest.raises(ShapeError, match=r"mse: expected y of shape \(3,\) with labels or \(3, 4\) like the outputs, "
                                         r"got shape \(3, 3\)"):
        mse.value(np.zeros((3, 4)), np.zeros((3, 3)))
    with pytest.raises(ShapeError, match=r"expected predictions of shape \(batch, outputs\), got \(3, 2, 2\)"):
        mse.value(np.zeros((3, 2, 2)), np.zeros((3, 2, 2)))
    with pytest.raises(ShapeError, match=r"softmax_cross_entropy: expected y of shape \(3,\) with labels or \(3, 4\)"):
        softmax_cross_entropy.gradient(np.zeros((3, 4)), np.zeros((3, 2)))
    with pytest.raises(ShapeError, match="single number"):
        mse.value(np.zeros((3, 1)), 1.0)


def test_float_labels_for_many_classes_say_use_integers():
    with pytest.raises(ShapeError, match=r"got shape \(3,\) of dtype float64 "
                                         r"\(class labels must be integers: use y\.astype\(int\)\)"):
        softmax_cross_entropy.value(np.zeros((3, 4)), np.array([0.0, 1.0, 2.0]))


@pytest.mark.parametrize("cost", list(COSTS.values()), ids=list(COSTS))
def test_nan_targets(cost):
    cost = cost()
    y = np.array([[0.0], [np.nan], [1.0]])
    with pytest.raises(InputError, match=f"{cost.name}: y contains NaN or inf"):
        cost.value(np.full((3, 1), 0.5), y)
    with pytest.raises(InputError, match="NaN or inf"):
        cost.gradient(np.full((3, 1), 0.5), y)


def test_non_numeric_targets():
    with pytest.raises(InputError, match="softmax_cross_entropy: y must hold numbers, got dtype <U1"):
        softmax_cross_entropy.value(np.zeros((3, 4)), np.array(["a", "b", "c"]))


# -- helpers -------------------------------------------------------------------------------------------------
def test_one_hot():
    np.testing.assert_array_equal(one_hot(np.array([2, 0, 1]), 3), [[0, 0, 1], [1, 0, 0], [0, 1, 0]])
    assert one_hot(np.array([1]), 2, dtype=np.float32).dtype == np.float32
    with pytest.raises(InputError, match="expected 0..2"):
        one_hot(np.array([0, 3]), 3)
    with pytest.raises(ShapeError):
        one_hot(np.zeros((2, 2), dtype=int), 3)


def test_get_cost():
    assert isinstance(get_cost("MSE"), costs.MeanSquaredError)
    assert isinstance(get_cost("cross_entropy"), costs.SoftmaxCrossEntropy)
    assert get_cost(mse) is mse
    assert isinstance(get_cost(costs.SigmoidCrossEntropy), costs.SigmoidCrossEntropy)
    with pytest.raises(ValueError, match="unknown cost 'hinge'.*mse"):
        get_cost("hinge")
