r"""Verifiers: judge answers that may differ and still be right (random masks, trained weights,
weights of a logic gate) by the properties the exercise asks for.

They run on the checking side (in the notebook's ``check`` and in the grader's own process),
and hold no reference answer: each checks what the text demands of any correct answer.
"""
from __future__ import annotations

import numpy as np

from .. import activations as act
from .core import Problem, fmt, num, type_name
from .runner import NetworkDescription, _make_network

REQUIRED_ACCURACY = 0.95   # train_mnist: test accuracy needed
GATES = {"and": (0, 0, 0, 1), "or": (0, 1, 1, 1), "nand": (1, 1, 1, 0), "nor": (1, 0, 0, 0)}
BINARY_INPUTS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])


def _step_network(params, X=BINARY_INPUTS):
    """Outputs (4, 1) of a 2-2-1 network of step units with the given (W1, b1, W2, b2)."""
    W1, b1, W2, b2 = params
    return act.step(act.step(X @ W1 + b1) @ W2 + b2)


# ----------------------------------------------------------------------------- lesson01
def _verify_gate(args, kwargs, got):
    gate = args[0]
    if got is None:
        return Problem("returned None", hint="Return the pair `w, b`.")
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        return Problem(f"returned {type_name(got)}; expected a pair (w, b)", hint="Return `w, b`.")
    w, b = got
    try:
        w = np.asarray(w, dtype=float)
        b = np.asarray(b, dtype=float)
    except Exception:
        return Problem("w and b must be numbers")
    if w.shape != (2,):
        return Problem(f"w has shape {w.shape}; expected (2,) (one weight per input)")
    if b.size != 1:
        return Problem(f"b has shape {b.shape}; expected a single number")
    b = float(b.reshape(()))
    if not (np.isfinite(w).all() and np.isfinite(b)):
        return Problem("w and b must be finite numbers")
    out = act.step(BINARY_INPUTS @ w + b).astype(int)
    want = np.array(GATES[gate])
    if np.array_equal(out, want):
        return None
    z = BINARY_INPUTS @ w + b
    wrong = [f"inputs {tuple(int(v) for v in x)}: z = {zi:g}, your neuron gives {o}, {gate.upper()} gives {t}"
             for x, zi, o, t in zip(BINARY_INPUTS, z, out, want) if o != t]
    hint = ("The neuron fires (outputs 1) when w1 x1 + w2 x2 + b >= 0. Write that inequality "
            "for each of the four inputs and pick numbers that satisfy all four.")
    on_boundary = [tuple(int(v) for v in x) for x, zi, o, t in zip(BINARY_INPUTS, z, out, want)
                   if o != t and np.isclose(zi, 0.0, atol=1e-12)]
    if on_boundary:
        hint = (f"For the input {on_boundary[0]} z is exactly 0, and the perceptron fires at z = 0. "
                "Flipping the signs of a gate's weights and bias turns z into -z, and -0 is still 0: "
                "so the flip of an AND only gives NAND when no input sits exactly on the boundary. "
                "Choose a bias strictly between two of the sums, so that no z is 0.")
    return Problem(f"w = {w.tolist()}, b = {b:g} does not compute {gate.upper()}", wrong, hint=hint)

# ----------------------------------------------------------------------------- lesson03
def _verify_xor(args, kwargs, got):
    if got is None:
        return Problem("returned None", hint="Return the four arrays: `return W1, b1, W2, b2`.")
    if not isinstance(got, (tuple, list)) or len(got) != 4:
        return Problem(f"returned {type_name(got)}; expected four arrays (W1, b1, W2, b2)")
    shapes = {"W1": (2, 2), "b1": (2,), "W2": (2, 1), "b2": (1,)}
    params = []
    for (name, shape), value in zip(shapes.items(), got):
        try:
            a = np.asarray(value, dtype=float)
        except Exception:
            return Problem(f"{name} is not an array of numbers")
        if a.shape != shape:
            return Problem(f"{name} has shape {a.shape}; expected {shape}")
        params.append(a)
    out = _step_network(params)[:, 0].astype(int)
    want = np.array([0, 1, 1, 0])
    if np.array_equal(out, want):
        return None
    rows = [f"inputs {tuple(int(v) for v in x)}: your network gives {o}, XOR gives {t}"
            for x, o, t in zip(BINARY_INPUTS, out, want) if o != t]
    hint = ("Let one hidden unit compute OR and the other NAND (weights from lesson 1); "
            "XOR is 'OR and NAND', so the output unit computes AND of the two.")
    if np.array_equal(_step_network([params[0].T] + params[1:])[:, 0].astype(int), want):
        hint = ("Your hidden units' weights are in the rows of W1; they belong in its columns: "
                "W1[i, j] is the weight from input i to hidden unit j (X @ W1 takes the columns), "
                "so column j holds unit j's two weights. Transpose your W1.")
    return Problem("the network does not compute XOR", rows, hint=hint)

# ----------------------------------------------------------------------------- lesson07
def _verify_minibatches(args, kwargs, got):
    X, y, bs, _ = args
    got, probe = _probe(got)
    problem = _check_batches(X, y, bs, got)
    if problem is None and probe is not None and X.shape[0] > 4:
        again, other = _order(probe[1]), _order(probe[2])
        if again != _order(got):
            return Problem("two calls with generators in the same state gave different batches: the "
                           "shuffle does not come from rng alone",
                           hint="Shuffle with the rng you are given (its permutation method), not with "
                                "np.random: a generator in a known state must give a known order.")
        if other == _order(got):
            return Problem("a generator in another state gave the same batches: the shuffle does not "
                           "depend on rng",
                           hint="Shuffle with the rng you are given; a generator made inside the function "
                                "(or a fixed seed) gives the same order every time.")
    return problem


def _check_batches(X, y, bs, got):
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
                           hint="Shuffle X and y together: draw one random order of the row indices and "
                                "index both X and y with the same indices.")
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
                       hint="Draw a random order of the n indices with the rng you are given and cut the "
                            "batches from that order.")
    return None

def _weights(desc):
    return [np.asarray(layer[k]) for layer in desc["layers"] if layer["kind"] == "dense" for k in ("W", "b")]

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

def _replay_train(network, X, y, epochs, batch_size, learning_rate, seed, new_generator_each_epoch):
    """The weights after the training loop of exercise 7.3, done as the text says (one generator
    made from ``seed`` before the loop) or with the mistake the text warns about (a generator made
    again in every epoch, so every epoch repeats the first shuffle)."""
    import copy
    net = copy.deepcopy(network)
    rng = np.random.default_rng(seed)
    for _ in range(epochs):
        if new_generator_each_epoch:
            rng = np.random.default_rng(seed)
        order = rng.permutation(X.shape[0])
        for start in range(0, X.shape[0], batch_size):
            part = order[start:start + batch_size]
            net.compute_gradients(X[part], y[part])
            for _, param, grad in net.parameters():
                param -= learning_rate * grad
    return [np.array(p) for _, p, _ in net.parameters()]


def _same_weights(a, b):
    return len(a) == len(b) and all(np.shape(x) == np.shape(y) and np.allclose(x, y, rtol=1e-6, atol=1e-9)
                                    for x, y in zip(a, b))


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
    # the process the text asks for: one generator from the seed, a new shuffle every epoch
    mine = _weights(net)
    if epochs > 1 and len(args) >= 7:
        def replay(again):
            return _replay_train(network, X, y, epochs, args[4], args[5], args[6], again)

        if not _same_weights(mine, replay(False)) and _same_weights(mine, replay(True)):
            return Problem("every epoch used the same shuffle: the weights are those of a run whose "
                           "random generator was made again in each epoch",
                           hint="Make the random generator once, from the seed, before the loop over the "
                                "epochs, and hand that same generator to minibatches in every epoch: each "
                                "draw moves it on, so each epoch gets a new order (and the run stays "
                                "reproducible).")
    start = network.evaluate(X, y)
    trained = _make_network(net)
    end = trained.evaluate(X, y)
    if end["loss"] >= start["loss"]:
        return Problem(f"the loss did not go down: {num(start['loss'])} before, {num(end['loss'])} after",
                       hint="Each epoch: shuffle the data into mini-batches (your minibatches) and run one epoch "
                            "of updates on them (your train_epoch).")
    if end["accuracy"] < 0.85:
        return Problem(f"after training the accuracy on the training data is {end['accuracy']:.0%}; "
                       "at least 85% expected",
                       hint="Train for all the epochs, each with its own shuffle from one generator made "
                            "before the loop, and use the learning rate and batch size you are given.")
    if losses[-1] > losses[0]:
        return Problem("the reported losses do not go down", [f"losses: {fmt(losses)}"])
    return None

# ----------------------------------------------------------------------------- lesson08
def _probe(got):
    """(the first result, [result, same generator state, other state]) for collect="rng_probe",
    else (got, None)."""
    if isinstance(got, dict) and set(got) == {"rng_probe"} and isinstance(got["rng_probe"], list) \
            and len(got["rng_probe"]) == 3:
        return got["rng_probe"][0], got["rng_probe"]
    return got, None


def _order(batches):
    """The rows of all batches in order, as bytes (to compare two runs' shuffles)."""
    try:
        return [np.ascontiguousarray(np.asarray(item[0])).tobytes() for item in batches]
    except Exception:
        return None


def _mask_of(result):
    try:
        return np.asarray(result[1], dtype=float)
    except Exception:
        return None


def _verify_dropout(args, kwargs, got):
    X, p, _ = args
    q = 1.0 - p
    probe = None
    got, probe = _probe(got)
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        return Problem(f"returned {type_name(got)}; expected a pair (out, mask)", hint="return out, mask")
    try:
        out, mask = (np.asarray(v, dtype=float) for v in got)
    except Exception:
        return Problem("out and mask must be arrays of numbers")
    for name, a in (("out", out), ("mask", mask)):
        if a.shape != X.shape:
            return Problem(f"{name} has shape {a.shape}; expected {X.shape} like X")
    if np.isin(np.round(mask, 12), [0.0, 1.0]).all() and p > 0 and (mask == 0).any():
        return Problem("the kept units are not scaled",
                       hint=f"Inverted dropout divides the kept units by q = 1 - p ({num(q)}), so "
                            "the expected output equals X and nothing changes at test time: the mask "
                            "holds 1/q where a unit is kept.")
    if not np.isin(np.round(mask * q, 9), [0.0, 1.0]).all():
        return Problem(f"mask holds values other than 0 and 1/q = {num(1 / q)}",
                       hint="Every entry of the mask is either 0 (dropped) or 1/q with q = 1 - p (kept).")
    if not np.allclose(out, X * mask):
        return Problem("out is not X * mask", hint="out is X multiplied entry by entry by the mask you return.")
    kept = float(np.mean(mask > 0))
    tolerance = 0.03 if X.size >= 5000 else 0.5
    if abs(kept - q) > tolerance:
        hint = ""
        if abs(kept - p) <= tolerance:
            hint = "p is the probability to drop a unit: keep each with probability q = 1 - p."
        return Problem(f"{kept:.1%} of the units were kept; with p = {num(p)} about {q:.0%} should be",
                       hint=hint or "Keep each unit independently with probability q = 1 - p.")
    if probe is not None:   # the process: the random numbers come from rng, and only from rng
        again, other = _mask_of(probe[1]), _mask_of(probe[2])
        if again is None or again.shape != mask.shape or not np.array_equal(again, mask):
            return Problem("two calls with generators in the same state gave different masks: the mask "
                           "does not come from rng alone",
                           hint="Draw the random numbers from the rng you are given (rng.random(...)), not "
                                "from np.random: a generator in a known state must give a known mask, "
                                "so that a seeded run can be repeated.")
        if 0 < p and other is not None and other.shape == mask.shape and np.array_equal(other, mask):
            return Problem("a generator in another state gave the same mask: the mask does not depend on rng",
                           hint="Draw the random numbers from the rng you are given; a generator made "
                                "inside the function (or a fixed seed) gives the same mask every time.")
    return None

def _verify_he(args, kwargs, got):
    n_in, n_out, _ = args
    if got is None:
        return Problem("returned None", hint="Return the weight matrix.")
    W = np.asarray(got) if not isinstance(got, np.ndarray) else got
    if W.dtype.kind not in "f":
        return Problem(f"returned {type_name(got)}; expected a float array of shape ({n_in}, {n_out})")
    if W.shape != (n_in, n_out):
        return Problem(f"wrong shape: expected ({n_in}, {n_out}), got {W.shape}",
                       hint="One row per input, one column per output: size=(n_in, n_out).")
    target = np.sqrt(2.0 / n_in)
    std, mean = float(W.std()), float(W.mean())
    if abs(std / target - 1) > 0.05 or abs(mean) > 0.05 * target:
        hints = {np.sqrt(2.0 / n_out): "Use the number of inputs n_in (the fan-in), not n_out.",
                 2.0 / n_in: "2 / n_in is the variance; the standard deviation is its square root.",
                 np.sqrt(2.0 / (n_in + n_out)): "That is Xavier's scale; He's is sqrt(2 / n_in).",
                 np.sqrt(1.0 / n_in): "He's variance is 2 / n_in (twice Xavier's 1 / n_in, because "
                                      "ReLU zeroes half the inputs).",
                 1.0: "Scale the standard normal numbers by sqrt(2 / n_in)."}
        hint = next((h for s, h in hints.items() if abs(std / s - 1) < 0.05), "")
        return Problem(f"standard deviation {std:.4f} and mean {mean:.4f}; expected about "
                       f"{target:.4f} and 0",
                       hint=hint or "Draw from a normal distribution with mean 0 and variance 2 / n_in "
                                    "(numpy's normal takes the standard deviation).")
    return None

# ----------------------------------------------------------------------------- lesson09
def _dense_layers(desc):
    return [layer for layer in desc.get("layers", []) if layer.get("kind") == "dense"]

def _verify_model(args, kwargs, got):
    if not isinstance(got, NetworkDescription):
        return Problem(f"returned {type_name(got)}; expected an nnlib Network",
                       hint="Return the Network you build (not its layers, not None).")
    dense = _dense_layers(got)
    shapes = [tuple(np.shape(layer["W"])) for layer in dense]
    acts = [layer.get("activation") for layer in dense]
    if shapes != [(784, 64), (64, 10)] or acts != ["relu", "identity"]:
        return Problem(f"layers {shapes} with activations {acts}; expected [(784, 64), (64, 10)] "
                       "with ['relu', 'identity']",
                       hint="Dense(784, 64, 'relu') then Dense(64, 10) with no activation: the last "
                            "layer outputs logits, the loss applies the softmax.")
    if got.get("loss") != "softmax_cross_entropy":
        return Problem(f"the loss is {got.get('loss')!r}; expected 'softmax_cross_entropy'")
    dtypes = sorted({str(np.asarray(layer[k]).dtype) for layer in dense for k in ("W", "b")})
    if dtypes != ["float32"]:
        return Problem(f"the layers are {' and '.join(dtypes)}; the exercise asks for float32 layers",
                       hint="Give every Dense layer dtype=np.float32, like the data: half the memory of "
                            "float64, and faster matrix products.")
    return None

_TEST = {}

def _test_set():
    if not _TEST:
        from ..datasets import load_mnist
        (_, _), (X, y) = load_mnist()
        _TEST.update(X=X, y=y)
    return _TEST["X"], _TEST["y"]

def _verify_trained(args, kwargs, got):
    if not isinstance(got, NetworkDescription):
        return Problem(f"returned {type_name(got)}; expected the trained nnlib Network")
    dense = _dense_layers(got)
    if not dense or np.shape(dense[0]["W"])[0] != 784 or np.shape(dense[-1]["W"])[1] != 10:
        return Problem("the network must take 784 inputs and output 10 logits")
    try:
        net = _make_network(got)
    except Exception as exc:
        return Problem(f"the returned network could not be rebuilt: {exc}")
    X, y = _test_set()
    acc = net.evaluate(X, y)["accuracy"]
    if acc is None or not np.isfinite(acc) or acc < REQUIRED_ACCURACY:
        return Problem(f"test accuracy {acc:.2%}; at least {REQUIRED_ACCURACY:.0%} is required",
                       hint="Train for 2 epochs with mini-batches of 128 and momentum "
                            "(optimizer=Momentum(0.1, 0.9): learning rate 0.1, momentum 0.9, as in the "
                            "exercise's hint), and check that the last layer has no activation.")
    return None


# verifier name (as the generated data names it) -> function
VERIFIERS = {name[len("_verify_"):]: fn for name, fn in list(globals().items()) if name.startswith("_verify_")}
