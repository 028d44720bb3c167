"""Network: backpropagation of whole networks against finite differences, the
architecture checks, predictions, save/load, fit and its history, seeds, bad input,
divergence, early stopping, callbacks and the progress display."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

from nnlib import (
    ActivationLayer,
    Dense,
    Dropout,
    History,
    InputError,
    Network,
    ShapeError,
    TrainingDiverged,
    check_network_gradients,
)
from nnlib.activations import sigmoid, softmax

TOL = 1e-6
rng = np.random.default_rng(0)
X = rng.standard_normal((12, 3))
LABELS4 = np.array([0, 1, 2, 3] * 3)
LABELS3 = np.array([0, 1, 2] * 4)
BINARY = np.array([0, 1] * 6)
TARGETS2 = rng.standard_normal((12, 2))


def weights(net):
    return [p.copy() for _, p, _ in net.parameters()]


def assert_same_weights(a, b):
    assert len(a) == len(b)
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)


def blobs(n=300, seed=0):
    """Three well-separated Gaussian blobs in 2-D, labels 0..2."""
    r = np.random.default_rng(seed)
    centers = np.array([[0.0, 3.0], [3.0, -2.0], [-3.0, -2.0]])
    y = np.arange(n) % 3
    return centers[y] + r.standard_normal((n, 2)), y


# -- whole networks against finite differences --------------------------------------------------------------
NETWORKS = {
    "tanh-sigmoid-mse": (lambda: Network([Dense(3, 5, "tanh"), Dense(5, 4, "sigmoid"), Dense(4, 2)],
                                         loss="mse", seed=1), TARGETS2),
    "relu-leaky-softmax-ce-l2": (lambda: Network([Dense(3, 6, "relu"), Dense(6, 5, "leaky_relu"), Dense(5, 4)],
                                                 loss="softmax_cross_entropy", l2=0.1, seed=2), LABELS4),
    "softmax-ce-one-hot-labels": (lambda: Network([Dense(3, 5, "tanh"), Dense(5, 4)],
                                                  loss="softmax_cross_entropy", seed=3), np.eye(4)[LABELS4]),
    "sigmoid-ce-l2": (lambda: Network([Dense(3, 5, "sigmoid"), Dense(5, 1)],
                                      loss="sigmoid_cross_entropy", l2=0.01, seed=4), BINARY),
    "softmax-then-categorical-ce-l2": (lambda: Network([Dense(3, 5, "tanh"), Dense(5, 3, "softmax")],
                                                       loss="categorical_cross_entropy", l2=0.05, seed=5),
                                       LABELS3),
    "sigmoid-output-bce": (lambda: Network([Dense(3, 4, "sigmoid"), Dense(4, 1, "sigmoid")],
                                           loss="binary_cross_entropy", seed=6), BINARY),
    "activation-layer-and-dropout-off": (lambda: Network([Dense(3, 5), ActivationLayer("tanh"), Dropout(0.5),
                                                          Dense(5, 3)], loss="softmax_cross_entropy",
                                                         l2=0.2, seed=7), LABELS3),
    "deep-relu-mse-l2": (lambda: Network([Dense(3, 8, "relu"), Dense(8, 8, "relu"), Dense(8, 6, "tanh"),
                                          Dense(6, 2)], loss="mse", l2=0.3, seed=8), TARGETS2),
}


@pytest.mark.parametrize("case", sorted(NETWORKS))
def test_network_gradients_match_finite_differences(case):
    make, y = NETWORKS[case]
    net = make()
    for layer in net.layers:  # nonzero biases, so their gradients are checked in general position
        if "b" in layer.params:
            layer.params["b"][:] = np.random.default_rng(9).standard_normal(layer.params["b"].shape) * 0.5
    errors = check_network_gradients(net, X, y)
    assert set(errors) == {k for k, _, _ in net.parameters()}
    assert max(errors.values()) < TOL, errors


def test_l2_penalty_is_added_to_the_loss():
    plain = Network([Dense(3, 4, "tanh"), Dense(4, 2)], loss="mse", seed=1)
    decayed = Network([Dense(3, 4, "tanh"), Dense(4, 2)], loss="mse", l2=0.5, seed=1)
    W_squared = sum(np.sum(layer.params["W"] ** 2) for layer in plain.layers)
    assert decayed.loss(X, TARGETS2) == pytest.approx(plain.loss(X, TARGETS2) + 0.25 * W_squared)
    loss = decayed.compute_gradients(X, TARGETS2, training=False)
    assert loss == pytest.approx(decayed.loss(X, TARGETS2))
    with pytest.raises(ValueError, match="l2 must be a number >= 0, got -1"):
        Network([Dense(3, 1)], l2=-1)


def test_backward_returns_input_gradient_shape_or_none():
    net = Network([Dense(3, 4, "tanh"), Dense(4, 2)], loss="mse", seed=1)
    out = net.forward(X)
    assert out.shape == (12, 2)
    assert net.backward(np.ones_like(out)) is None  # the first layer skips dC/dX
    assert net.parameters()[0][0] == "layer0.W" and [k for k, _, _ in net.parameters()] == [
        "layer0.W", "layer0.b", "layer1.W", "layer1.b"]


# -- structure ------------------------------------------------------------------------------------------
def test_architecture_mismatch():
    with pytest.raises(ShapeError, match=r"Dense\(2->3\) outputs 3 values but the next layer "
                                         r"Dense\(4->1\) expects 4 inputs"):
        Network([Dense(2, 3), Dense(4, 1)])


@pytest.mark.parametrize("loss, activation", [("softmax_cross_entropy", "softmax"),
                                              ("sigmoid_cross_entropy", "sigmoid")])
def test_fused_cost_refuses_an_activation_on_the_last_layer(loss, activation):
    with pytest.raises(ValueError, match=f"{loss} applies its own activation.*'{activation}'.*no activation"):
        Network([Dense(2, 3, "relu"), Dense(3, 2 if activation == "softmax" else 1, activation)], loss=loss)


def test_fused_cost_refuses_an_activation_layer_at_the_end():
    with pytest.raises(ValueError, match=r"last layer Activation\(softmax\).*remove that activation layer"):
        Network([Dense(2, 3), ActivationLayer("softmax")], loss="softmax_cross_entropy")
    # an activation between Dense layers, or dropout at the end, is fine
    Network([Dense(2, 3), ActivationLayer("relu"), Dense(3, 2), Dropout(0.1)], loss="softmax_cross_entropy")


def test_network_needs_layers():
    with pytest.raises(TypeError, match="non-empty list of layers"):
        Network([])
    with pytest.raises(TypeError):
        Network([Dense(2, 3), "relu"])
    with pytest.raises(ValueError, match="unknown cost"):
        Network([Dense(2, 3)], loss="hinge")


def test_summary_lists_every_layer_and_the_total():
    net = Network([Dense(784, 128, "relu"), Dropout(0.2), Dense(128, 10)], loss="softmax_cross_entropy")
    text = net.summary()
    for layer in net.layers:
        assert repr(layer) in text  # never cut short
    assert "100,480" in text and "1,290" in text and "101,770" in text
    assert net.n_params() == 101_770
    assert "softmax_cross_entropy" in repr(net)


# -- predictions ------------------------------------------------------------------------------------------
def test_predict_shapes_multiclass():
    net = Network([Dense(3, 5, "relu"), Dense(5, 4)], loss="softmax_cross_entropy", seed=0)
    p = net.predict_proba(X)
    assert p.shape == (12, 4)
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    np.testing.assert_allclose(p, softmax(net.forward(X)))
    pred = net.predict(X)
    assert pred.shape == (12,) and pred.dtype == np.int64
    np.testing.assert_array_equal(pred, p.argmax(axis=1))
    np.testing.assert_array_equal(net(X), p)


def test_predict_shapes_binary_and_regression():
    net = Network([Dense(3, 5, "tanh"), Dense(5, 1)], loss="sigmoid_cross_entropy", seed=0)
    p = net.predict_proba(X)
    assert p.shape == (12, 1) and np.all((p > 0) & (p < 1))
    np.testing.assert_allclose(p, sigmoid(net.forward(X)))
    np.testing.assert_array_equal(net.predict(X), (p[:, 0] >= 0.5).astype(int))
    reg = Network([Dense(3, 2)], loss="mse", seed=0)
    np.testing.assert_array_equal(reg.predict_proba(X), reg.forward(X))


def test_evaluate():
    net = Network([Dense(3, 5, "tanh"), Dense(5, 4)], loss="softmax_cross_entropy", l2=0.01, seed=0)
    ev = net.evaluate(X, LABELS4)
    assert set(ev) == {"loss", "accuracy"}
    assert ev["loss"] == pytest.approx(net.loss(X, LABELS4))
    assert ev["accuracy"] == np.mean(net.predict(X) == LABELS4)
    # in small batches: the same numbers
    small = net.evaluate(X, LABELS4, batch_size=5)
    assert small["loss"] == pytest.approx(ev["loss"]) and small["accuracy"] == ev["accuracy"]
    # one-hot targets give the same accuracy; real-valued targets give none
    assert net.evaluate(X, np.eye(4)[LABELS4])["accuracy"] == ev["accuracy"]
    reg = Network([Dense(3, 2)], loss="mse", seed=0)
    assert reg.evaluate(X, TARGETS2)["accuracy"] is None


# -- save and load -------------------------------------------------------------------------------------------
def make_classifier(seed, hidden=5):
    return Network([Dense(3, hidden, "relu"), Dense(hidden, 4)], loss="softmax_cross_entropy", seed=seed)


def test_save_load_round_trip(tmp_path):
    a, b = make_classifier(1), make_classifier(2)
    assert not np.allclose(a.predict_proba(X), b.predict_proba(X))
    path = tmp_path / "weights.npz"
    a.save(path)
    assert b.load(path) is b
    assert_same_weights(weights(a), weights(b))
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))


def test_save_without_extension_loads_back(tmp_path):
    a, b = make_classifier(1), make_classifier(2)
    a.save(tmp_path / "weights")  # np.savez writes weights.npz
    b.load(tmp_path / "weights")
    assert_same_weights(weights(a), weights(b))


def test_load_into_mismatched_network(tmp_path):
    path = tmp_path / "weights.npz"
    make_classifier(1).save(path)
    with pytest.raises(ShapeError, match=r"layer0\.W has shape \(3, 5\) in the file but \(3, 6\) in this network"):
        make_classifier(1, hidden=6).load(path)
    deeper = Network([Dense(3, 5, "relu"), Dense(5, 5, "relu"), Dense(5, 4)], loss="softmax_cross_entropy")
    with pytest.raises(ValueError, match=r"does not match this network: missing \['layer2\.W', 'layer2\.b'\]"):
        deeper.load(path)
    with pytest.raises(FileNotFoundError, match="no weights file at .*nothing.npz"):
        deeper.load(tmp_path / "nothing.npz")


def test_failed_load_leaves_weights_untouched(tmp_path):
    path = tmp_path / "weights.npz"
    make_classifier(1).save(path)
    net = Network([Dense(3, 5, "relu"), Dense(5, 3)], loss="softmax_cross_entropy", seed=3)
    before = weights(net)
    with pytest.raises(ShapeError):
        net.load(path)
    assert_same_weights(before, weights(net))


# -- fit ---------------------------------------------------------------------------------------------------
def test_fit_returns_history_per_epoch():
    Xb, yb = blobs()
    net = Network([Dense(2, 8, "relu"), Dense(8, 3)], loss="softmax_cross_entropy", seed=0)
    h = net.fit(Xb, yb, epochs=4, batch_size=32, learning_rate=0.1, validation_data=(Xb[:60], yb[:60]),
                verbose=False)
    assert isinstance(h, History) and h.epochs == 4
    for key in ["loss", "accuracy", "val_loss", "val_accuracy", "seconds"]:
        assert len(h[key]) == 4, key
        assert all(isinstance(v, float) for v in h[key]), key
    assert h["loss"][-1] < h["loss"][0]
    assert all(0 <= a <= 1 for a in h["accuracy"] + h["val_accuracy"])
    assert h["val_loss"][-1] == pytest.approx(net.evaluate(Xb[:60], yb[:60])["loss"])
    assert not h.diverged and not h.early_stopped and h.message == ""
    assert "History(epochs=4" in repr(h)


def test_fit_history_without_labels():
    net = Network([Dense(3, 4, "tanh"), Dense(4, 2)], loss="mse", seed=0)
    h = net.fit(X, TARGETS2, epochs=2, batch_size=4, verbose=False)
    assert h["accuracy"] == [None, None] and h["val_loss"] == []
    assert "accuracy': None" in repr(h)


def test_fit_learns_blobs_with_every_optimizer():
    Xb, yb = blobs()
    for optimizer, lr in [("sgd", 0.1), ("momentum", 0.05), ("adam", 0.01)]:
        net = Network([Dense(2, 16, "relu"), Dense(16, 3)], loss="softmax_cross_entropy", seed=0)
        h = net.fit(Xb, yb, epochs=10, batch_size=32, optimizer=optimizer, learning_rate=lr, verbose=False)
        assert net.evaluate(Xb, yb)["accuracy"] >= 0.97, optimizer
        assert h["loss"][-1] < 0.2, optimizer


def test_network_seed_gives_identical_networks():
    a = Network([Dense(3, 5, "relu"), Dense(5, 4)], seed=11)
    b = Network([Dense(3, 5, "relu"), Dense(5, 4)], seed=11)
    c = Network([Dense(3, 5, "relu"), Dense(5, 4)], seed=12)
    assert_same_weights(weights(a), weights(b))
    assert not np.array_equal(weights(a)[0], weights(c)[0])


def test_fit_seed_reproducibility():
    Xb, yb = blobs()

    def run(fit_seed):
        net = Network([Dense(2, 8, "relu"), Dropout(0.3), Dense(8, 3)], loss="softmax_cross_entropy", seed=5)
        h = net.fit(Xb, yb, epochs=3, batch_size=16, optimizer="adam", learning_rate=0.01, seed=fit_seed,
                    verbose=False)
        return net, h

    (n1, h1), (n2, h2), (n3, h3) = run(0), run(0), run(1)
    assert_same_weights(weights(n1), weights(n2))
    for key in ["loss", "accuracy"]:
        assert h1[key] == h2[key]
    assert h1["loss"] != h3["loss"]
    assert not np.array_equal(weights(n1)[0], weights(n3)[0])


def test_fit_keeps_float32():
    Xb, yb = blobs()
    net = Network([Dense(2, 8, "relu", dtype=np.float32), Dense(8, 3, dtype=np.float32)],
                  loss="softmax_cross_entropy", seed=0)
    net.fit(Xb.astype(np.float32), yb, epochs=2, verbose=False)
    assert all(p.dtype == np.float32 for _, p, _ in net.parameters())


def test_full_batch_and_batch_larger_than_data():
    net = Network([Dense(3, 4, "tanh"), Dense(4, 4)], loss="softmax_cross_entropy", seed=0)
    h = net.fit(X, LABELS4, epochs=3, batch_size=1000, shuffle=False, verbose=False)
    assert h.epochs == 3


# -- bad input ---------------------------------------------------------------------------------------------
@pytest.fixture
def classifier():
    return Network([Dense(3, 5, "tanh"), Dense(5, 4)], loss="softmax_cross_entropy", seed=0)


@pytest.mark.parametrize("labels", [LABELS4 + 1, LABELS4 - 1])
def test_fit_labels_out_of_range(classifier, labels):
    with pytest.raises(InputError, match=r"Network.fit: y holds labels from -?\d to \d, expected 0\.\.3 for 4 classes"):
        classifier.fit(X, labels, epochs=1, verbose=False)


def test_binary_labels_out_of_range():
    net = Network([Dense(3, 1)], loss="sigmoid_cross_entropy")
    with pytest.raises(InputError, match=r"targets must lie in \[0, 1\]"):
        net.fit(X, BINARY * 2, epochs=1, verbose=False)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("method", ["fit", "predict", "predict_proba", "evaluate", "loss"])
def test_nan_or_inf_in_X(classifier, bad, method):
    Xbad = X.copy()
    Xbad[4, 2] = bad
    args = (Xbad,) if method.startswith("predict") else (Xbad, LABELS4)
    kwargs = {"epochs": 1, "verbose": False} if method == "fit" else {}
    with pytest.raises(InputError, match=r"X contains NaN or inf \(first at row 4, column 2"):
        getattr(classifier, method)(*args, **kwargs)


def test_nan_in_targets():
    net = Network([Dense(3, 2)], loss="mse")
    y = TARGETS2.copy()
    y[0, 1] = np.nan
    with pytest.raises(InputError, match="Network.fit: y contains NaN or inf"):
        net.fit(X, y, epochs=1, verbose=False)


def test_wrong_dtypes(classifier):
    with pytest.raises(InputError, match=r"X must hold floating-point numbers, got dtype uint8.*/ 255"):
        classifier.fit((X * 10).astype(np.uint8), LABELS4, epochs=1, verbose=False)
    with pytest.raises(InputError, match="X must hold floating-point numbers, got dtype int64"):
        classifier.predict(X.astype(np.int64))
    with pytest.raises(InputError, match="Network.fit: y must hold numbers, got dtype <U"):
        classifier.fit(X, LABELS4.astype(str), epochs=1, verbose=False)
    with pytest.raises(ShapeError, match=r"got shape \(12,\) of dtype float64 \(class labels must be integers"):
        classifier.fit(X, LABELS4.astype(float), epochs=1, verbose=False)


def test_wrong_shapes(classifier):
    with pytest.raises(ShapeError, match=r"Network.fit: y has 6 rows but there are 12 samples"):
        classifier.fit(X, LABELS4[:6], epochs=1, verbose=False)
    with pytest.raises(ShapeError, match=r"expected X of shape \(batch, 3\), got shape \(12, 2\)"):
        classifier.fit(X[:, :2], LABELS4, epochs=1, verbose=False)
    with pytest.raises(ShapeError, match=r"got shape \(3,\); for one sample use X\.reshape\(1, -1\)"):
        classifier.predict(X[0])
    with pytest.raises(ShapeError, match=r"expected y of shape \(12,\) with labels or \(12, 4\)"):
        classifier.fit(X, np.zeros((12, 3)), epochs=1, verbose=False)


def test_bad_fit_arguments_fail_before_training(classifier):
    before = weights(classifier)
    with pytest.raises(InputError, match="y_val holds labels from 4 to 7"):
        classifier.fit(X, LABELS4, epochs=3, validation_data=(X, LABELS4 + 4), verbose=False)
    with pytest.raises(ValueError, match="validation_data must be a pair"):
        classifier.fit(X, LABELS4, epochs=3, validation_data=(X, LABELS4, 1), verbose=False)
    with pytest.raises(ValueError, match="Network.fit: epochs must be at least 1, got 0"):
        classifier.fit(X, LABELS4, epochs=0, verbose=False)
    with pytest.raises(ValueError, match="unknown optimizer 'adamw'"):
        classifier.fit(X, LABELS4, optimizer="adamw", verbose=False)
    with pytest.raises(ValueError, match="learning_rate must be a positive number, got -0.1"):
        classifier.fit(X, LABELS4, learning_rate=-0.1, verbose=False)
    assert_same_weights(before, weights(classifier))


# -- training that blows up ------------------------------------------------------------------------------------
def regression_data():
    r = np.random.default_rng(1)
    Xr = r.standard_normal((64, 3))
    return Xr, Xr @ np.array([1.0, -2.0, 3.0]) * 10


@pytest.mark.parametrize("optimizer, learning_rate, kept", [("sgd", 0.1, 1), ("momentum", 0.05, 4),
                                                           ("sgd", 0.2, 0)])
def test_divergence_stops_and_keeps_the_last_sane_weights(optimizer, learning_rate, kept):
    """The loss grows far beyond its start (long before it is inf): stop, keep the last weights
    that gave a sane loss. With sgd 0.2 the blow-up shows in the first batch of epoch 2, so the
    weights at the end of epoch 1 caused it: the starting weights are kept and epoch 1 is dropped."""
    Xr, yr = regression_data()
    net = Network([Dense(3, 16, "relu"), Dense(16, 1)], loss="mse", seed=0)
    saved = {0: weights(net)}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        h = net.fit(Xr, yr, epochs=20, batch_size=16, optimizer=optimizer, learning_rate=learning_rate,
                    verbose=False,
                    callback=lambda epoch, history, network: saved.__setitem__(epoch + 1, weights(network)))
    categories = [w.category for w in caught]
    assert categories == [TrainingDiverged], [str(w.message) for w in caught]  # no RuntimeWarning leaks
    message = str(caught[0].message)
    assert caught[0].filename == __file__  # the warning points at the caller's fit(...)
    assert "smaller" in message and f"learning rate ({learning_rate:g})" in message
    assert f"such as {learning_rate / 10:g}" in message and "more than 10000 times its starting value" in message
    assert h.diverged and h.message == message
    assert h.epochs == kept and all(np.isfinite(h["loss"]))
    assert (f"end of epoch {kept}, the last sane ones" if kept else "starting weights") in message
    assert_same_weights(saved[kept], weights(net))
    assert net.loss(Xr, yr) < 1e4 * 300  # sane: the starting loss is about 300


def test_divergence_in_the_first_epoch_keeps_the_starting_weights():
    Xr, yr = regression_data()
    net = Network([Dense(3, 16, "relu"), Dense(16, 1)], loss="mse", seed=0)
    start = weights(net)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.warns(TrainingDiverged, match="starting weights"):
            h = net.fit(Xr, yr, epochs=5, batch_size=8, learning_rate=1e6, verbose=False)
    assert h.diverged and h.epochs == 0
    assert_same_weights(start, weights(net))


def test_weights_that_overflow_in_the_last_step_are_not_kept():
    """A step so large that the weights themselves overflow after the last batch of an epoch:
    the epoch's loss was finite, but its final weights are not, so they must not be kept."""
    Xr, yr = regression_data()
    net = Network([Dense(3, 16, "relu"), Dense(16, 1)], loss="mse", seed=0)
    start = weights(net)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.warns(TrainingDiverged, match="end of epoch 1: the weights (became NaN or inf|grew to)"):
            h = net.fit(Xr, yr, epochs=1, batch_size=64, learning_rate=1e307, verbose=False)
    assert h.diverged
    assert_same_weights(start, weights(net))


@pytest.mark.parametrize("early_stopping", [None, 2])
def test_divergence_seen_first_in_the_validation_loss(early_stopping):
    """Every batch loss finite, the weights finite but so large that the validation loss
    overflows: stop there, keep the previous weights, no RuntimeWarning, no crash."""
    Xr, yr = regression_data()
    net = Network([Dense(3, 16, "relu"), Dense(16, 1)], loss="mse", seed=0)
    start = weights(net)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.warns(TrainingDiverged, match="end of epoch 1: the validation loss became inf"):
            h = net.fit(Xr, yr, epochs=3, batch_size=64, learning_rate=1e100, validation_data=(Xr, yr),
                        early_stopping=early_stopping, verbose=False)
    assert h.diverged and h.epochs == 0 and h["val_loss"] == []
    assert_same_weights(start, weights(net))


def test_divergence_message_is_printed_when_verbose(capsys):
    Xr, yr = regression_data()
    net = Network([Dense(3, 16, "relu"), Dense(16, 1)], loss="mse", seed=0)
    with pytest.warns(TrainingDiverged):
        net.fit(Xr, yr, epochs=5, batch_size=8, learning_rate=1e6, verbose="lines")
    assert "smaller" in capsys.readouterr().out


# -- early stopping, callbacks, progress -------------------------------------------------------------------------
def test_early_stopping_restores_best_weights():
    """Validation labels are the training labels shifted by one class, so the better the
    network learns, the worse the validation loss: the best epoch is the first."""
    Xb, yb = blobs()
    net = Network([Dense(2, 8, "relu"), Dense(8, 3)], loss="softmax_cross_entropy", seed=0)
    saved = {}
    h = net.fit(Xb, yb, epochs=30, batch_size=32, learning_rate=0.1, validation_data=(Xb, (yb + 1) % 3),
                early_stopping=2, verbose=False,
                callback=lambda epoch, history, network: saved.__setitem__(epoch + 1, weights(network)))
    assert h.early_stopped and h.best_epoch == 1
    assert h.epochs == 3  # epochs 2 and 3 did not improve on epoch 1
    assert h["val_loss"][1] > h["val_loss"][0] and h["val_loss"][2] > h["val_loss"][0]
    assert "Early stopping after epoch 3" in h.message and "epoch 1 have been restored" in h.message
    assert_same_weights(saved[1], weights(net))
    assert net.evaluate(Xb, (yb + 1) % 3)["loss"] == pytest.approx(h["val_loss"][0])


def test_early_stopping_does_not_stop_while_improving():
    Xb, yb = blobs()
    net = Network([Dense(2, 8, "relu"), Dense(8, 3)], loss="softmax_cross_entropy", seed=0)
    h = net.fit(Xb, yb, epochs=5, batch_size=32, learning_rate=0.1, early_stopping=2, verbose=False)
    assert not h.early_stopped and h.epochs == 5 and h.best_epoch == 5


def test_callback_returning_true_stops():
    calls = []

    def stop_after_second(epoch, history, network):
        calls.append((epoch, history.epochs, network))
        return epoch == 1

    net = Network([Dense(3, 4, "tanh"), Dense(4, 4)], loss="softmax_cross_entropy", seed=0)
    h = net.fit(X, LABELS4, epochs=10, batch_size=4, callback=stop_after_second, verbose=False)
    assert h.epochs == 2
    assert [(e, n) for e, n, _ in calls] == [(0, 1), (1, 2)]
    assert calls[0][2] is net


def test_verbose_false_prints_nothing(capsys):
    net = Network([Dense(3, 4, "tanh"), Dense(4, 4)], loss="softmax_cross_entropy", seed=0)
    net.fit(X, LABELS4, epochs=3, batch_size=4, verbose=False)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


@pytest.mark.parametrize("verbose", ["lines", True])
def test_verbose_prints_one_line_per_epoch_in_a_terminal(capsys, verbose):
    net = Network([Dense(3, 4, "tanh"), Dense(4, 4)], loss="softmax_cross_entropy", seed=0)
    h = net.fit(X, LABELS4, epochs=3, batch_size=4, validation_data=(X, LABELS4), verbose=verbose)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 3
    for i, line in enumerate(lines):
        assert line.startswith(f"epoch {i + 1}/3")
        assert f"loss {h['loss'][i]:.4f}" in line and f"val_accuracy {h['val_accuracy'][i]:.4f}" in line


def test_early_stopping_keeps_the_best_weights_when_the_epochs_run_out():
    """Patience never runs out here, but the best val_loss came before the last epoch:
    fit must still leave the best epoch's weights in place."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((40, 3))
    y = (X[:, 0] > 0).astype(int)
    Xv, yv = rng.standard_normal((20, 3)), rng.integers(0, 2, 20)  # noise: val loss wanders
    net = Network([Dense(3, 16, "tanh"), Dense(16, 1)], loss="sigmoid_cross_entropy", seed=0)
    kept = {}

    def remember(epoch, history, network):
        kept[epoch + 1] = [p.copy() for _, p, _ in network.parameters()]

    h = net.fit(X, y, epochs=12, batch_size=8, optimizer="sgd", learning_rate=0.5,
                validation_data=(Xv, yv), early_stopping=100, callback=remember, verbose=False)
    best = int(np.argmin(h["val_loss"])) + 1
    assert h.best_epoch == best and best != h.epochs, "the set-up must have its best epoch before the last"
    for (_, p, _), q in zip(net.parameters(), kept[best]):
        np.testing.assert_array_equal(p, q)
    assert f"epoch {best}" in h.message


def test_an_optimizer_reused_on_a_network_of_other_shapes_says_so():
    from nnlib.optimizers import Adam
    X, y = np.ones((4, 2)), np.array([0, 1, 0, 1])
    opt = Adam()
    Network([Dense(2, 3, "relu"), Dense(3, 1)], loss="sigmoid_cross_entropy", seed=0).fit(
        X, y, epochs=1, optimizer=opt, verbose=False)
    other = Network([Dense(2, 5, "relu"), Dense(5, 1)], loss="sigmoid_cross_entropy", seed=0)
    with pytest.raises(ValueError, match="used with another network"):
        other.fit(X, y, epochs=1, optimizer=opt, verbose=False)


def test_fit_without_shuffle_takes_the_batches_in_order():
    """shuffle=False trains on rows 0..b-1, b..2b-1, ...: the same as steps on those slices by hand."""
    from nnlib.optimizers import SGD
    Xb, y = blobs(50)
    net = Network([Dense(2, 4, "tanh"), Dense(4, 3)], loss="softmax_cross_entropy", seed=3)
    twin = Network([Dense(2, 4, "tanh"), Dense(4, 3)], loss="softmax_cross_entropy", seed=3)
    net.fit(Xb, y, epochs=1, batch_size=16, optimizer=SGD(0.3), shuffle=False, verbose=False)
    opt = SGD(0.3)
    for start in range(0, 50, 16):
        twin.compute_gradients(Xb[start:start + 16], y[start:start + 16])
        opt.step(twin.parameters())
    for p, q in zip(weights(net), weights(twin)):
        np.testing.assert_allclose(p, q, rtol=1e-12)
