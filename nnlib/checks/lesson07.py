"""Exercises of lesson 7, training: mini-batches, an epoch of SGD, a training loop."""
from __future__ import annotations

import numpy as np

from .core import Case, Exercise, Problem, fmt, num, type_name
from .runner import NetworkDescription, Recipe, _make_network

LESSON = "07_training"

_NO_SHORTCUTS = ("Network.fit", "Optimizer.step", "SGD.update", "Momentum.update", "Adam.update")


def _unique_rows(rng, n, d):
    return rng.normal(size=(n, d))


def _minibatch_cases():
    rng = np.random.default_rng(71)
    return [
        Case((_unique_rows(rng, 10, 3), np.arange(10) % 3, 4, Recipe("rng", 0)),
             note="10 samples in batches of 4: sizes 4, 4, 2"),
        Case((_unique_rows(rng, 12, 2), np.arange(12) % 2, 3, Recipe("rng", 1)), note="12 samples, batches of 3"),
        Case((_unique_rows(rng, 5, 2), np.arange(5), 8, Recipe("rng", 2)), hidden=True,
             note="batch_size larger than the data: one batch of 5"),
        Case((_unique_rows(rng, 20, 1), np.arange(20) % 4, 1, Recipe("rng", 3)), hidden=True,
             note="batch_size 1 (pure SGD)"),
    ]


def _verify_minibatches(args, kwargs, got):
    X, y, bs, _ = args
    n = X.shape[0]
    if got is None:
        return Problem("returned None", hint="Yield the batches (`yield Xb, yb`) or return a list of them.")
    if not isinstance(got, (list, tuple)) or isinstance(got, np.ndarray):
        return Problem(f"returned {type_name(got)}; expected an iterator of (Xb, yb) pairs",
                       hint="Use `yield Xb, yb` inside the loop over batches.")
    sizes = [bs] * (n // bs) + ([n % bs] if n % bs else [])
    where = {X[i].tobytes(): i for i in range(n)}
    order = []
    for k, item in enumerate(got):
        if not isinstance(item, (tuple, list)) or len(item) != 2:
            return Problem(f"batch {k + 1} is {type_name(item)}; expected a pair (Xb, yb)")
        Xb, yb = (np.asarray(v) if not isinstance(v, np.ndarray) else v for v in item)
        if Xb.ndim != 2 or Xb.shape[1:] != X.shape[1:]:
            return Problem(f"batch {k + 1}: Xb has shape {Xb.shape}; expected (b, {X.shape[1]})",
                           hint="Index the rows of X: X[idx] keeps every column.")
        if yb.shape != (Xb.shape[0],):
            return Problem(f"batch {k + 1}: yb has shape {yb.shape}; expected ({Xb.shape[0]},), "
                           "one label per row of Xb")
        idx = [where.get(np.ascontiguousarray(row, dtype=X.dtype).tobytes()) for row in Xb]
        if None in idx:
            return Problem(f"batch {k + 1} holds rows that are not rows of X")
        if not np.array_equal(yb, y[idx]):
            return Problem(f"batch {k + 1}: the labels yb do not belong to the rows Xb",
                           hint="Shuffle X and y with the same permutation: idx = rng.permutation(n), "
                                "then X[idx] and y[idx].")
        order += idx
    got_sizes = [len(item[0]) for item in got]
    if sorted(order) != list(range(n)):
        missing = n - len(set(order))
        hint = ("The last, smaller batch is missing: keep the remainder when n is not a multiple of "
                "batch_size." if got_sizes == sizes[:len(got_sizes)] and len(got_sizes) < len(sizes) else
                "Every sample must appear exactly once per epoch.")
        return Problem(f"{missing} sample(s) missing or repeated (batch sizes {got_sizes}, expected {sizes})",
                       hint=hint)
    if got_sizes != sizes:
        return Problem(f"batch sizes {got_sizes}; expected {sizes}",
                       hint="Every batch has batch_size samples except the last, which holds the rest.")
    if n > 4 and order == list(range(n)):
        return Problem("the batches are not shuffled: the samples come in their original order",
                       hint="Draw a random order with idx = rng.permutation(n) and take the batches from it.")
    return None


def _small_net(seed, sizes, activation="tanh", loss="softmax_cross_entropy"):
    rng = np.random.default_rng(seed)
    layers = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        last = i == len(sizes) - 2
        layers.append({"kind": "dense", "W": rng.normal(size=(a, b)) * np.sqrt(1.0 / a),
                       "b": np.zeros(b), "activation": "identity" if last else activation})
    return {"loss": loss, "l2": 0.0, "layers": layers}


def _moons(n, seed, noise=0.1):
    rng = np.random.default_rng(seed)
    t = rng.uniform(0, np.pi, size=n)
    y = np.arange(n) % 2
    X = np.where(y[:, None] == 0, np.c_[np.cos(t), np.sin(t)], np.c_[1 - np.cos(t), 0.5 - np.sin(t)])
    return X + noise * rng.normal(size=X.shape), y.astype(np.int64)


def _train_epoch_cases():
    X, y = _moons(20, 72)
    X2, y2 = _moons(12, 73)
    batches = [(X[:8], y[:8]), (X[8:16], y[8:16]), (X[16:], y[16:])]
    return [
        Case((Recipe("network", _small_net(0, [2, 4, 2])), batches, 0.5),
             note="3 batches of 8, 8 and 4 samples; a 2-4-2 network"),
        Case((Recipe("network", _small_net(1, [2, 3, 3, 2])), [(X2, y2)], 0.1), note="one batch, 3 layers"),
        Case((Recipe("network", _small_net(2, [2, 5, 2], "relu")), [(X2[:5], y2[:5]), (X2[5:], y2[5:])], 1.0),
             hidden=True, note="ReLU units, batches of 5 and 7"),
    ]


def _weights(desc):
    return [np.asarray(l[k]) for l in desc["layers"] if l["kind"] == "dense" for k in ("W", "b")]


def _returned_network(got, what):
    """(value, network description) from a 'with_inputs' outcome, or a Problem."""
    if not isinstance(got, tuple) or len(got) != 2 or not isinstance(got[1], (tuple, list)):
        return None, None, Problem("the check could not read the result")
    value, inputs = got
    net = inputs[0] if inputs else None
    if not isinstance(net, NetworkDescription):
        return None, None, Problem(f"the {what} could not be read back")
    return value, net, None


def _verify_train_epoch(args, kwargs, got):
    network, batches, lr = args
    before = [p.copy() for _, p, _ in network.parameters()]
    value, net, problem = _returned_network(got, "network")
    if problem:
        return problem
    batch_losses = []
    for Xb, yb in batches:   # the reference epoch, keeping each batch's loss
        batch_losses.append(network.compute_gradients(Xb, yb))
        for _, param, grad in network.parameters():
            param -= lr * grad
    sizes = [len(Xb) for Xb, _ in batches]
    expected = float(np.dot(batch_losses, sizes) / sum(sizes))
    after = [p for _, p, _ in network.parameters()]
    mine = _weights(net)
    if [w.shape for w in mine] != [w.shape for w in after]:
        return Problem("the network's layers changed shape")
    if all(np.array_equal(m, b) for m, b in zip(mine, before)):
        return Problem("the weights did not change",
                       hint="Update every parameter in place: `param -= learning_rate * grad` "
                            "(`param = param - ...` makes a new array and leaves the network as it was).")
    if not all(np.allclose(m, a, rtol=1e-6, atol=1e-9) for m, a in zip(mine, after)):
        if len(batches) == 1:
            ascent = all(np.allclose(m - b, -(a - b), rtol=1e-5, atol=1e-9)
                         for m, b, a in zip(mine, before, after))
        else:
            ascent = False
        return Problem("the weights after the epoch are not the expected ones",
                       hint="Step against the gradient: param -= learning_rate * grad." if ascent else
                       "One update per batch, in order: loss = network.compute_gradients(Xb, yb), then "
                       "param -= learning_rate * grad for every (key, param, grad) in network.parameters().")
    try:
        v = float(np.asarray(value, dtype=float).reshape(()))
    except Exception:
        return Problem(f"returned {type_name(value)}; expected the epoch's mean loss, a number",
                       hint="Return the mean loss of the epoch (a float)." if value is not None else
                       "Did you forget to return the mean loss?")
    if not np.isclose(v, expected, rtol=1e-6):
        hint = "Return the mean of the batch losses weighted by batch size: sum(loss * len(Xb)) / n."
        if len(set(sizes)) > 1 and np.isclose(v, float(np.mean(batch_losses)), rtol=1e-6):
            hint = ("Weight each batch's loss by its size: the last batch is smaller, so a plain "
                    "mean of the batch losses over-weights it.")
        elif len(batches) > 1 and np.isclose(v, batch_losses[-1], rtol=1e-6):
            hint = "That is the last batch's loss; return the mean over the whole epoch."
        return Problem("wrong mean loss", [f"expected: {num(expected)}", f"got:      {num(v)}"], hint)
    return None


def _train_cases():
    X, y = _moons(200, 74)
    X2, y2 = _moons(120, 75, noise=0.05)
    return [
        Case((Recipe("network", _small_net(3, [2, 16, 2])), X, y, 40, 16, 0.3, 0),
             note="two moons, 200 samples, 40 epochs"),
        Case((Recipe("network", _small_net(4, [2, 12, 2])), X2, y2, 30, 8, 0.3, 1), hidden=True,
             note="120 samples, batches of 8"),
    ]


def _verify_train(args, kwargs, got):
    network, X, y, epochs = args[:4]
    value, net, problem = _returned_network(got, "network")
    if problem:
        return problem
    if value is None:
        return Problem("returned None", hint="Return the list of the epochs' losses.")
    try:
        losses = np.asarray(value, dtype=float).ravel()
    except Exception:
        return Problem(f"returned {type_name(value)}; expected a list of {epochs} losses")
    if losses.size != epochs:
        return Problem(f"returned {losses.size} loss{'es' if losses.size != 1 else ''}; "
                       f"expected one per epoch ({epochs})")
    if not np.isfinite(losses).all():
        return Problem("the losses contain NaN or inf", hint="Is the learning rate too large?")
    start = network.evaluate(X, y)
    trained = _make_network(net)
    end = trained.evaluate(X, y)
    if end["loss"] >= start["loss"]:
        return Problem(f"the loss did not go down: {num(start['loss'])} before, {num(end['loss'])} after",
                       hint="Each epoch: shuffle into mini-batches and call train_epoch on them.")
    if end["accuracy"] < 0.85:
        return Problem(f"after training the accuracy on the training data is {end['accuracy']:.0%}; "
                       "at least 85% expected", hint="Train for all the epochs, with a new shuffle each epoch.")
    if losses[-1] > losses[0]:
        return Problem("the reported losses do not go down", [f"losses: {fmt(losses)}"])
    return None


EXERCISES = [
    Exercise("minibatches", LESSON, 2, _minibatch_cases, verify=_verify_minibatches,
        arg_names=["X", "y", "batch_size", "rng"], collect="iterate"),
    Exercise("train_epoch", LESSON, 2, _train_epoch_cases, verify=_verify_train_epoch,
        arg_names=["network", "batches", "learning_rate"], collect="with_inputs", allow_nnlib=True,
        forbid_nnlib=_NO_SHORTCUTS),
    Exercise("train", LESSON, 3, _train_cases, verify=_verify_train,
        arg_names=["network", "X", "y", "epochs", "batch_size", "learning_rate", "seed"],
        collect="with_inputs", allow_nnlib=True, forbid_nnlib=_NO_SHORTCUTS, timeout=60,
        uses={"minibatches": "nnlib.checks.reference.minibatches",
              "train_epoch": "nnlib.checks.reference.train_epoch"}),
]
