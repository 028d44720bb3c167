"""Bad and edge input at every public entry point: a clear error that names the argument,
what was expected and what came, or a correct result; never a silently wrong one, never a
raw numpy traceback, and the caller's arrays are never changed (issue 14, section 2)."""
from __future__ import annotations

import math
import os
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import nnlib
from nnlib import (
    Dense,
    Dropout,
    InputError,
    Network,
    ShapeError,
    TrainingDiverged,
    accuracy,
    confusion_matrix,
    numerical_gradient,
    one_hot,
)
from nnlib.costs import categorical_cross_entropy, prepare_targets, softmax_cross_entropy
from nnlib.datasets import make_moons, train_test_split
from nnlib.metrics import predicted_labels, to_labels

rng = np.random.default_rng(0)
X = rng.standard_normal((12, 2))
Y = np.array([0, 1] * 6)


def classifier(**kwargs):
    return Network([Dense(2, 8, "tanh"), Dense(8, 2)], loss="softmax_cross_entropy", seed=0, **kwargs)


def weights(net):
    return [p.copy() for _, p, _ in net.parameters()]


# -- costs that cannot work on the network's output -----------------------------------------------------
def test_categorical_cross_entropy_on_logits_says_it_needs_softmax():
    with pytest.raises(ValueError, match=r"categorical_cross_entropy needs probabilities.*activation='softmax'"
                                         r".*softmax_cross_entropy"):
        Network([Dense(2, 8, "tanh"), Dense(8, 2)], "categorical_cross_entropy")
    Network([Dense(2, 8, "tanh"), Dense(8, 2, "softmax")], "categorical_cross_entropy")  # the right way
    # called directly on outputs that are not probability rows
    with pytest.raises(InputError, match=r"categorical_cross_entropy needs probability rows.*softmax"):
        categorical_cross_entropy.value(np.array([[2.0, -1.0], [0.5, 3.0]]), np.array([0, 1]))


def test_binary_cross_entropy_needs_a_sigmoid_output():
    with pytest.raises(ValueError, match=r"binary_cross_entropy needs probabilities.*sigmoid_cross_entropy"):
        Network([Dense(2, 4, "tanh"), Dense(4, 1)], "binary_cross_entropy")
    with pytest.raises(InputError, match=r"binary_cross_entropy needs probabilities in \[0, 1\]"):
        nnlib.costs.binary_cross_entropy.value(np.array([[-0.5], [2.0]]), np.array([0, 1]))


def test_softmax_cross_entropy_with_one_output_is_refused():
    with pytest.raises(ValueError, match=r"needs one output per class.*sigmoid_cross_entropy"):
        Network([Dense(2, 4, "tanh"), Dense(4, 1)], "softmax_cross_entropy")
    with pytest.raises(ShapeError, match="softmax over one output is always 1"):
        softmax_cross_entropy.value(np.zeros((3, 1)), np.array([0, 0, 0]))


# -- networks that cannot be built ------------------------------------------------------------------------
def test_the_same_layer_twice_is_refused():
    shared = Dense(4, 4, "tanh")
    with pytest.raises(ValueError, match=r"same layer object Dense\(4->4\) is at positions 1 and 2"):
        Network([Dense(2, 4, "tanh"), shared, shared, Dense(4, 2)], "softmax_cross_entropy")


@pytest.mark.parametrize("dtype", [np.int32, np.int64, bool, np.complex128, "U3"])
def test_dense_needs_a_floating_dtype(dtype):
    with pytest.raises(TypeError, match=r"Dense\(2->3\): dtype must be a floating-point type"):
        Dense(2, 3, dtype=dtype)


@pytest.mark.parametrize("n_in", [2.7, "2", True, None])
def test_dense_sizes_are_whole_numbers(n_in):
    with pytest.raises(TypeError, match=r"n_in must be a whole number \(int\)"):
        Dense(n_in, 3)


@pytest.mark.parametrize("l2", [float("nan"), float("inf"), -0.1, "0.1", True])
def test_bad_l2_is_refused_at_construction_and_in_fit(l2):
    with pytest.raises(ValueError, match="l2 must be a number >= 0"):
        classifier(l2=l2)
    net = classifier()
    net.l2 = l2  # changed by hand after construction: fit checks again
    with pytest.raises(ValueError, match="l2 must be a number >= 0"):
        net.fit(X, Y, epochs=1, verbose=False)


def test_bad_layers_argument():
    with pytest.raises(TypeError, match="non-empty list of layers"):
        Network(None)
    with pytest.raises(TypeError, match="non-empty list of layers"):
        Network([Dense(2, 2), "relu"])


# -- divergence ---------------------------------------------------------------------------------------------
def test_large_learning_rates_never_finish_silently_with_absurd_numbers():
    """21 learning rates from 10 to 1e6 (the issue's sweep): each run either finishes with
    losses within DIVERGENCE_FACTOR of the start, or is reported as diverged; the weights it
    leaves are finite and give a sane loss."""
    X2, y2 = make_moons(200, noise=0.2, seed=0)
    for rate in np.logspace(1, 6, 21):
        net = Network([Dense(2, 8, "tanh"), Dense(8, 2)], "softmax_cross_entropy", seed=0)
        start = net.loss(X2, y2)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            h = net.fit(X2, y2, epochs=30, batch_size=16, learning_rate=rate, verbose=False)
        assert [w.category for w in caught] == ([TrainingDiverged] if h.diverged else []), rate
        assert all(np.isfinite(p).all() for p in weights(net)), rate
        limit = nnlib.network.DIVERGENCE_FACTOR * max(start, 1.0)
        assert all(loss <= limit for loss in h["loss"]), (rate, max(h["loss"], default=None))
        assert net.loss(X2, y2) <= limit, rate


def test_the_lesson_7_learning_rate_of_30_bounces_but_is_not_called_diverged():
    """Lesson 7 plots 40 epochs of eta = 30 on the moons as 'too large: never comes down'."""
    X2, y2 = make_moons(300, noise=0.2, seed=0)
    X_train, _, y_train, _ = train_test_split(X2, y2, test_size=0.25, seed=0)
    net = Network([Dense(2, 16, "relu"), Dense(16, 1)], loss="sigmoid_cross_entropy", seed=0)
    h = net.fit(X_train, y_train, epochs=40, batch_size=16, learning_rate=30.0, seed=0, verbose=False)
    assert not h.diverged and h.epochs == 40


def relu_classifier():
    return Network([Dense(2, 8, "relu"), Dense(8, 2)], loss="softmax_cross_entropy", seed=0)


def test_huge_inputs_are_blamed_on_the_inputs_not_the_learning_rate():
    net = relu_classifier()
    start = weights(net)
    with pytest.warns(TrainingDiverged) as caught:
        h = net.fit(X * 1e300, Y, epochs=3, learning_rate=0.01, verbose=False)
    message = str(caught[0].message)
    assert h.diverged and "The inputs are huge" in message and "e+300" in message
    assert "learning rate (0.01) is probably too large" not in message
    for p, q in zip(start, weights(net)):
        np.testing.assert_array_equal(p, q)


def test_inputs_that_blow_up_only_after_training_starts_are_blamed_on_the_inputs():
    net = relu_classifier()
    with pytest.warns(TrainingDiverged, match=r"The inputs are huge \(the largest \|X\| is 1e\+08"):
        net.fit(X * 1e8 / np.abs(X).max(), Y, epochs=5, learning_rate=0.5, verbose=False)


# -- saving and loading -------------------------------------------------------------------------------------------
def test_save_is_atomic_an_interrupted_save_keeps_the_previous_file(tmp_path, monkeypatch):
    path = tmp_path / "weights.npz"
    good = classifier()
    good.save(path)
    before = path.read_bytes()

    def interrupted(file, **arrays):
        file.write(b"half a file")
        raise KeyboardInterrupt

    monkeypatch.setattr(np, "savez", interrupted)
    with pytest.raises(KeyboardInterrupt):
        Network([Dense(2, 8, "tanh"), Dense(8, 2)], "softmax_cross_entropy", seed=1).save(path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["weights.npz"]  # no temporary file left behind
    monkeypatch.undo()
    other = Network([Dense(2, 8, "tanh"), Dense(8, 2)], "softmax_cross_entropy", seed=5).load(path)
    for p, q in zip(weights(good), weights(other)):
        np.testing.assert_array_equal(p, q)


def test_save_returns_the_path_and_keeps_the_usual_permissions(tmp_path):
    path = classifier().save(tmp_path / "w")
    assert path == str(tmp_path / "w.npz") and os.path.exists(path)
    umask = os.umask(0)
    os.umask(umask)
    assert os.stat(path).st_mode & 0o777 == 0o666 & ~umask


def _write(path, arrays):
    np.savez(path, **arrays)
    return path


def test_load_checks_every_array_before_changing_any_layer(tmp_path):
    net = classifier()
    arrays = {k: p.copy() + 1 for k, p, _ in net.parameters()}
    before = weights(net)
    bad_shape = dict(arrays, **{"layer1.b": np.zeros(3)})
    with pytest.raises(ShapeError, match=r"layer1\.b has shape \(3,\) in the file but \(2,\)"):
        net.load(_write(tmp_path / "shape.npz", bad_shape))
    for name, value, error, words in [
            ("nan", np.full((8, 2), np.nan), InputError, r"layer1\.W contains NaN or inf"),
            ("complex", np.ones((8, 2)) * 1j, InputError, r"layer1\.W holds complex128 numbers"),
            ("strings", np.full((8, 2), "a"), InputError, r"layer1\.W holds <U1 numbers")]:
        with pytest.raises(error, match=words):
            net.load(_write(tmp_path / f"{name}.npz", dict(arrays, **{"layer1.W": value})))
    for p, q in zip(before, weights(net)):
        np.testing.assert_array_equal(p, q)  # not one layer was written


def test_load_rejects_files_that_are_no_weights_files(tmp_path):
    net = classifier()
    single = tmp_path / "single.npy"
    np.save(single, np.zeros(3))
    with pytest.raises(InputError, match="not a weights file written by Network.save"):
        net.load(single)
    text = tmp_path / "notes.npz"
    text.write_text("not a zip file")
    with pytest.raises(InputError, match="not a readable weights file"):
        net.load(text)
    good = tmp_path / "good.npz"
    net.save(good)
    truncated = tmp_path / "truncated.npz"
    truncated.write_bytes(good.read_bytes()[:200])
    before = weights(net)
    with pytest.raises(InputError, match="not a readable weights file"):
        net.load(truncated)
    for p, q in zip(before, weights(net)):
        np.testing.assert_array_equal(p, q)


# -- metrics ------------------------------------------------------------------------------------------------------
def test_accuracy_refuses_nan_and_non_integer_labels():
    with pytest.raises(InputError, match="y_pred contains NaN or inf"):
        accuracy([0, 1], [np.nan, 1.0])
    with pytest.raises(InputError, match=r"y_pred holds 2\.5, which is neither a class label.*nor a probability"):
        accuracy([0, 1, 2], [0.0, 1.0, 2.5])
    with pytest.raises(InputError, match="y_true contains NaN"):
        accuracy(np.array([[0.2, np.nan], [0.5, 0.5]]), [0, 1])
    assert accuracy([0, 1, 1], [0.2, 0.9, 0.4]) == pytest.approx(2 / 3)  # probabilities of class 1


def test_confusion_matrix_refuses_nan_and_bad_n_classes():
    with pytest.raises(InputError, match="y_true contains NaN or inf"):
        confusion_matrix([np.nan, 1.0], [0, 1])
    with pytest.raises(InputError, match="y_pred holds 1.5"):
        confusion_matrix([0, 1], [0, 1.5])
    for bad in (0, 2.0, "3", True):
        with pytest.raises((TypeError, ValueError), match="n_classes must be"):
            confusion_matrix([0, 1], [0, 1], n_classes=bad)


def test_one_rule_turns_outputs_into_labels():
    """predict, evaluate, fit's accuracy and the metrics agree, for logits and probabilities."""
    net = Network([Dense(2, 4, "tanh"), Dense(4, 1)], loss="sigmoid_cross_entropy", seed=3)
    p = net.predict_proba(X)
    np.testing.assert_array_equal(net.predict(X), predicted_labels(p))
    np.testing.assert_array_equal(net.predict(X), to_labels(p))
    assert net.evaluate(X, Y)["accuracy"] == accuracy(Y, p)
    h = net.fit(X, Y, epochs=1, batch_size=len(X), learning_rate=1e-12, shuffle=False, verbose=False)
    assert h["accuracy"][0] == pytest.approx(accuracy(Y, p))


# -- fit, evaluate and friends: arguments ---------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs, error, words", [
    ({"batch_size": -1}, ValueError, "batch_size must be at least 1, got -1"),
    ({"batch_size": 2.7}, TypeError, r"batch_size must be a whole number \(int\), got 2.7"),
    ({"batch_size": "8"}, TypeError, "batch_size must be a whole number"),
    ({"epochs": 1.9}, TypeError, "epochs must be a whole number"),
    ({"epochs": True}, TypeError, "epochs must be a whole number"),
    ({"learning_rate": True}, TypeError, "learning_rate must be a positive number, got True"),
    ({"learning_rate": 1j}, TypeError, "learning_rate must be a positive number"),
    ({"early_stopping": 0}, ValueError, "early_stopping must be at least 1, got 0"),
    ({"early_stopping": 2.5}, TypeError, "early_stopping must be a whole number"),
    ({"shuffle": "yes"}, TypeError, "shuffle must be True or False"),
    ({"verbose": "loud"}, ValueError, "verbose must be True, False"),
    ({"callback": 3}, TypeError, "callback must be a function"),
    ({"seed": "abc"}, TypeError, "seed must be a whole number"),
    ({"validation_data": X}, ValueError, "validation_data must be a pair"),
])
def test_bad_fit_arguments_are_named(kwargs, error, words):
    net = classifier()
    before = weights(net)
    with pytest.raises(error, match=words):
        net.fit(X, Y, **{"epochs": 2, "verbose": False, **kwargs})
    for p, q in zip(before, weights(net)):
        np.testing.assert_array_equal(p, q)


def test_fit_with_no_targets_or_no_rows():
    net = classifier()
    with pytest.raises(InputError, match="Network.fit: y is None"):
        net.fit(X, None, verbose=False)
    with pytest.raises(ShapeError, match="Network.fit: X has 0 rows"):
        net.fit(X[:0], Y[:0], verbose=False)
    with pytest.raises(ShapeError, match="Network.evaluate: X has 0 rows"):
        net.evaluate(X[:0], Y[:0])
    with pytest.raises(ShapeError, match="X_val has 0 rows"):
        net.fit(X, Y, validation_data=(X[:0], Y[:0]), verbose=False)
    assert net.predict(X[:0]).shape == (0,)  # nothing to predict is fine


@pytest.mark.parametrize("batch_size, error", [(-1, ValueError), (0, ValueError), (2.5, TypeError)])
def test_evaluate_batch_size(batch_size, error):
    with pytest.raises(error, match="Network.evaluate: batch_size must be"):
        classifier().evaluate(X, Y, batch_size=batch_size)


def test_one_hot_needs_at_least_one_class():
    with pytest.raises(ValueError, match="one_hot: n_classes must be at least 1, got 0"):
        one_hot(np.array([0, 1]), 0)
    with pytest.raises(TypeError, match="n_classes must be a whole number"):
        one_hot(np.array([0, 1]), 2.0)


# -- arrays numpy cannot do arithmetic with -------------------------------------------------------------------------
BAD_ARRAYS = {
    "complex": (X + 1j, "must hold real numbers, got complex"),
    "strings": (X.astype(str), "must hold numbers, got dtype <U"),
    "objects": (X.astype(object), "must hold numbers, got dtype object"),
    "ragged": ([[0.0, 1.0], [2.0]], "must be a rectangular array of numbers"),
    "None": (None, "is None"),
}


@pytest.mark.parametrize("case", sorted(BAD_ARRAYS))
@pytest.mark.parametrize("call", ["fit", "predict", "evaluate", "loss", "forward", "compute_gradients"])
def test_bad_X_is_refused_by_name(case, call):
    bad, words = BAD_ARRAYS[case]
    net = classifier()
    with pytest.raises(InputError, match=f"X {words}" if case != "None" else "X is None"):
        if call == "fit":
            net.fit(bad, Y, epochs=1, verbose=False)
        elif call in ("predict", "forward"):
            getattr(net, call)(bad) if call == "predict" else net.layers[0].forward(bad)
        else:
            getattr(net, call)(bad, Y)


@pytest.mark.parametrize("case", ["complex", "strings", "objects"])
def test_bad_y_and_bad_metric_inputs_are_refused_by_name(case):
    bad = BAD_ARRAYS[case][0][:, 0]
    with pytest.raises(InputError, match="y "):
        classifier().fit(X, bad, epochs=1, verbose=False)
    with pytest.raises(InputError, match="y_pred"):
        accuracy(Y, bad)
    with pytest.raises(InputError, match="softmax_cross_entropy: y "):
        softmax_cross_entropy.value(np.zeros((12, 2)), bad)


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "softmax", "leaky_relu", "step"])
def test_activations_refuse_complex_and_strings(name):
    f = getattr(nnlib.activations, name)
    with pytest.raises(InputError, match=f"{name}: z must hold real numbers"):
        f(np.array([1j, 2.0]))
    with pytest.raises(InputError, match=f"{name}: z must hold numbers"):
        f(np.array(["a", "b"]))


# -- numerical_gradient ---------------------------------------------------------------------------------------------
def test_numerical_gradient_refuses_what_it_cannot_nudge():
    x_int = np.array([1, 2, 3])
    with pytest.raises(InputError, match=r"x must be the float array it reads.*dtype int64"):
        numerical_gradient(lambda: float(np.sum(x_int ** 2)), x_int)
    x_list = [1.0, 2.0]
    with pytest.raises(InputError, match="got a list"):
        numerical_gradient(lambda: sum(v * v for v in x_list), x_list)
    with pytest.raises(InputError, match="f must return one real number"):
        x = np.ones(3)
        numerical_gradient(lambda: x * 2, x)


def test_numerical_gradient_restores_x_when_f_raises():
    x = np.array([1.0, 2.0, 3.0])
    calls = []

    def f():
        calls.append(x.copy())
        if len(calls) == 3:
            raise RuntimeError("boom")
        return float(np.sum(x))

    with pytest.raises(RuntimeError, match="boom"):
        numerical_gradient(f, x)
    np.testing.assert_array_equal(x, [1.0, 2.0, 3.0])


def test_numerical_gradient_takes_f_of_x_too_the_exercise_convention():
    x = [1, -2]  # a list of ints is fine here: f gets its own float copy
    grad = numerical_gradient(lambda v: np.sum(v ** 2), x)
    np.testing.assert_allclose(grad, [2.0, -4.0], rtol=1e-8)
    assert x == [1, -2]
    a = np.array([1.0, 3.0])
    np.testing.assert_allclose(numerical_gradient(lambda v: np.sum(v ** 3), a, 1e-4), 3 * a ** 2, rtol=1e-6)
    np.testing.assert_array_equal(a, [1.0, 3.0])


# -- the confusion matrix plot for many classes ---------------------------------------------------------------------
@pytest.mark.parametrize("k", [150, 300])
def test_confusion_matrix_plot_of_many_classes_draws_colours_not_numbers(k):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from nnlib import plots
    cm = np.random.default_rng(0).integers(0, 9, (k, k))
    fig = plots.plot_confusion_matrix(cm)
    ax = fig.axes[0]
    assert len(ax.texts) == 0  # 22,500 texts for 150 classes took 14 s and could not be read
    assert len(ax.get_xticks()) <= plots.ANNOTATE_MAX_CLASSES + 1
    assert ax.images[0].get_array().shape == (k, k)
    plt.close(fig)
    small = plots.plot_confusion_matrix(cm[:10, :10])
    assert len(small.axes[0].texts) == 100  # small matrices keep their numbers
    plt.close(small)


# -- properties -------------------------------------------------------------------------------------------------------
NOT_COUNTS = st.one_of(st.floats(allow_nan=True), st.text(max_size=3), st.booleans(), st.none(),
                       st.integers(max_value=0), st.complex_numbers())


@settings(max_examples=60, deadline=None)
@given(value=NOT_COUNTS)
def test_any_bad_batch_size_or_epochs_is_named(value):
    net = classifier()
    for name in ("batch_size", "epochs"):
        with pytest.raises((TypeError, ValueError), match=name):
            net.fit(X, Y, verbose=False, **{name: value})


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(X=hnp.arrays(np.float64, st.tuples(st.integers(1, 6), st.just(2)),
                    elements=st.floats(-1e3, 1e3)),
       data=st.data())
def test_no_call_changes_the_callers_arrays(X, data):
    y = data.draw(hnp.arrays(np.int64, X.shape[0], elements=st.integers(0, 1)))
    X0, y0 = X.copy(), y.copy()
    net = classifier()
    net.fit(X, y, epochs=1, batch_size=2, verbose=False)
    net.evaluate(X, y)
    net.predict(X)
    net.loss(X, y)
    accuracy(y, net.predict_proba(X))
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(y, y0)


@settings(max_examples=60, deadline=None)
@given(y=hnp.arrays(np.float64, st.integers(1, 8), elements=st.floats(allow_nan=True, allow_infinity=True)))
def test_to_labels_of_any_float_vector_is_right_or_an_error(y):
    """Whole numbers >= 0 are labels, values in [0, 1] probabilities; anything else is refused."""
    finite = np.isfinite(y).all()
    whole = finite and np.all(y == np.round(y))
    if whole and y.min() >= 0 and y.max() < 2**53:
        np.testing.assert_array_equal(to_labels(y), y.astype(np.int64))
    elif finite and not whole and y.min() >= 0 and y.max() <= 1:
        np.testing.assert_array_equal(to_labels(y), (y >= 0.5).astype(np.int64))
    else:
        with pytest.raises(InputError, match="y"):
            to_labels(y)


@settings(max_examples=60, deadline=None)
@given(labels=hnp.arrays(np.int64, st.integers(1, 10), elements=st.integers(0, 4)),
       k=st.integers(1, 6))
def test_prepare_targets_one_hot_encodes_labels_or_names_the_problem(labels, k):
    if k == 1:  # one output: labels are 0/1 values of that output
        np.testing.assert_array_equal(prepare_targets(labels, len(labels), 1), labels[:, None])
    elif labels.max() < k:
        t = prepare_targets(labels, len(labels), k)
        assert t.shape == (len(labels), k) and np.all(t.sum(axis=1) == 1)
        np.testing.assert_array_equal(t.argmax(axis=1), labels)
    else:
        with pytest.raises(InputError, match=rf"y holds labels from \d to \d, expected 0\.\.{k - 1}"):
            prepare_targets(labels, len(labels), k)
    with pytest.raises(ShapeError, match=f"y has {len(labels)} rows but there are {len(labels) + 1} samples"):
        prepare_targets(labels, len(labels) + 1, max(k, 2))


def test_empty_accuracy_is_nan():
    assert math.isnan(accuracy([], []))


def test_dropout_probability_must_be_a_real_number():
    for p in (1j, "0.5", True, None):
        with pytest.raises(ValueError, match=r"drop probability p must be in \[0, 1\)"):
            Dropout(p)


def test_weights_started_far_too_large_are_blamed_on_the_initialization():
    """Lesson 8's 'try': six ReLU layers from N(0, 1) weights blow up at once; that is not the
    learning rate's fault."""
    X2, y2 = nnlib.datasets.make_spirals(300, classes=3, noise=0.2, seed=0)
    sizes = [2] + [64] * 6
    layers = [Dense(a, b, "relu", init="normal") for a, b in zip(sizes, sizes[1:])]
    net = Network(layers + [Dense(64, 3, init="normal")], loss="softmax_cross_entropy", seed=0)
    with pytest.warns(TrainingDiverged, match=r"far above the 1.1 of a network that outputs 0: the starting "
                                              r"weights are too large"):
        h = net.fit(X2, y2, epochs=5, batch_size=32, learning_rate=0.05, verbose=False)
    assert h.diverged and "learning rate (0.05) is probably too large" not in h.message
