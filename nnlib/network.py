r"""A network: layers in a row, a cost at the end, and the loop that trains them.

Forward pass: :math:`A^{(0)} = X`, :math:`A^{(i)} = \text{layer}_i(A^{(i-1)})`.
Backward pass (backpropagation): start from :math:`\partial C/\partial A^{(L)}`
(the cost's gradient) and hand it back through the layers in reverse, each layer
turning dC/d(its output) into dC/d(its input) and setting its ``grads``.

With ``l2 = \lambda > 0`` the cost gains :math:`\frac{\lambda}{2}\sum \lVert W\rVert^2`
over every weight matrix (not the biases) and each :math:`\partial C/\partial W`
gains :math:`\lambda W` ("weight decay").

Training (``fit``) is lesson 7's loop: every epoch, shuffle, cut into mini-batches,
and for each batch forward, backward and one optimizer step,
:math:`\theta \leftarrow \theta - \eta\, \partial C_B/\partial\theta` for plain SGD. Around the
loop, named helpers watch for divergence (:class:`DivergenceGuard`) and keep the best
weights for early stopping (:class:`EarlyStopping`).
"""
from __future__ import annotations

import os
import tempfile
import time
import warnings
import zipfile

import numpy as np

from .costs import get_cost, prepare_targets
from .layers import ActivationLayer, Dense, Layer
from .metrics import predicted_labels
from .optimizers import get_optimizer
from .progress import Progress
from .validation import (
    ArgumentError,
    InputError,
    ShapeError,
    check_bool,
    check_features,
    check_integer,
    check_positive_number,
)

__all__ = ["Network", "History", "TrainingDiverged", "DivergenceGuard", "EarlyStopping"]

#: ``fit`` stops as diverged when a batch loss exceeds this many times its starting value.
DIVERGENCE_FACTOR = 1e4


class TrainingDiverged(UserWarning):
    """The loss or the weights blew up during ``fit``; the last sane weights were kept."""


class History(dict):
    """What ``fit`` measured, one entry per epoch: ``loss``, ``accuracy`` (running
    averages over the epoch's batches), ``val_loss``, ``val_accuracy`` (on
    ``validation_data`` after the epoch) and ``seconds``.

    ``message`` says why training stopped early (``diverged``, ``early_stopped``), if it did.
    """

    def __init__(self):
        super().__init__(loss=[], accuracy=[], val_loss=[], val_accuracy=[], seconds=[])
        self.diverged = False
        self.early_stopped = False
        self.best_epoch = None
        self.message = ""

    @property
    def epochs(self) -> int:
        return len(self["loss"])

    def keep_epochs(self, count: int):
        """Forget the entries after the first ``count`` epochs."""
        for values in self.values():
            del values[count:]

    def __repr__(self):
        last = {k: (round(v[-1], 4) if v and v[-1] is not None else None) for k, v in self.items()}
        return f"History(epochs={self.epochs}, last={last}{', ' + self.message if self.message else ''})"


class _Diverged(Exception):
    """Raised inside ``fit`` when the guard sees the loss or the weights blow up."""


def _copies(params):
    return [p.copy() for p in params]


class DivergenceGuard:
    """Watches one ``fit`` for divergence and keeps the last weights known to be sane.

    Diverged means: a loss that is NaN, inf or more than ``DIVERGENCE_FACTOR`` times the
    first batch's loss (at least 1), or weights that are NaN, inf or beyond the square root
    of the largest number of their dtype (where squaring them overflows). Weights count as
    sane once a batch computed with them gave a sane loss, so the weights restored after a
    divergence are never the ones that caused it.
    """

    def __init__(self, network):
        self.network = network
        self.first_loss = None
        self.sane = None      # (epoch, copies): the last weights known to be sane
        self.pending = None   # (epoch, copies) taken at the start of this epoch, not yet confirmed

    def start_epoch(self, epoch, params):
        self.pending = (epoch, _copies(params))

    def check_loss(self, loss, what):
        if self.first_loss is None:
            self.first_loss = loss
        limit = DIVERGENCE_FACTOR * max(self.first_loss, 1.0)
        if not np.isfinite(loss) or loss > limit:
            raise _Diverged(f"{what}: the loss became {loss:.3g}" + (
                f", more than {DIVERGENCE_FACTOR:g} times its starting value {self.first_loss:.3g}"
                if np.isfinite(loss) else ""))
        if self.pending is not None:  # a sane loss from the weights of the epoch's start
            self.sane, self.pending = self.pending, None

    def check_weights(self, params, what):
        for p in params:
            if not np.isfinite(p).all():
                raise _Diverged(f"{what}: the weights became NaN or inf")
            if np.abs(p).max(initial=0) > np.sqrt(np.finfo(p.dtype).max):
                raise _Diverged(f"{what}: the weights grew to {np.abs(p).max():.3g}")

    def restore(self, params) -> int:
        """Put the last sane weights back; returns the epoch they are from (0: the start)."""
        if self.sane is None:  # nothing was confirmed: no update was made either
            return 0
        epoch, values = self.sane
        for p, v in zip(params, values):
            p[...] = v
        return epoch


class EarlyStopping:
    """Stops when the monitored loss has not improved for ``patience`` epochs; keeps the best weights."""

    def __init__(self, patience, monitor):
        self.patience, self.monitor = patience, monitor
        self.best_loss, self.best_epoch, self.best_weights = np.inf, None, None

    def update(self, epoch, loss, params) -> bool:
        """Record epoch ``epoch`` (from 1); True when training should stop."""
        if self.best_epoch is None or loss < self.best_loss:
            self.best_loss, self.best_epoch, self.best_weights = loss, epoch, _copies(params)
            return False
        return epoch - self.best_epoch >= self.patience

    def restore(self, params):
        for p, v in zip(params, self.best_weights):
            p[...] = v


class Network:
    """Layers stacked in order, with a cost.

    ``Network([Dense(2, 8, "tanh"), Dense(8, 1)], loss="sigmoid_cross_entropy")``.

    * ``loss``: a cost name or :class:`~nnlib.costs.Cost`. The fused costs
      ``"softmax_cross_entropy"`` / ``"sigmoid_cross_entropy"`` expect the last
      layer to have no activation (it outputs logits); ``predict_proba`` then
      applies softmax / sigmoid.
    * ``l2``: weight-decay strength :math:`\\lambda` (see the module docstring).
    * ``seed``: when given, every layer's parameters are re-drawn from it, so the
      same seed always gives the same network.
    """

    def __init__(self, layers, loss="mse", l2: float = 0.0, seed=None):
        self.layers: list[Layer] = _layer_list(layers)
        self.cost = get_cost(loss)
        self.l2 = check_positive_number(l2, "l2", "Network", allow_zero=True)
        self._check_architecture()
        for i, layer in enumerate(self.layers):
            layer.needs_input_grad = i > 0
        if seed is not None:
            rng = np.random.default_rng(seed)
            for layer in self.layers:
                layer.initialize(rng)

    # -- structure ---------------------------------------------------------------------
    def _dense_layers(self):
        return [layer for layer in self.layers if isinstance(layer, Dense)]

    def _check_architecture(self):
        dense = self._dense_layers()
        for a, b in zip(dense, dense[1:]):
            if a.n_out != b.n_in:
                raise ShapeError(f"{a.name} outputs {a.n_out} values but the next layer {b.name} "
                                 f"expects {b.n_in} inputs.")
        shaping = [layer for layer in self.layers if isinstance(layer, (Dense, ActivationLayer))]
        if shaping:  # an ActivationLayer after the last Dense counts too
            _check_cost_fits(self.cost, shaping[-1], self.n_outputs)

    @property
    def n_inputs(self):
        dense = self._dense_layers()
        return dense[0].n_in if dense else None

    @property
    def n_outputs(self):
        dense = self._dense_layers()
        return dense[-1].n_out if dense else None

    def parameters(self):
        """``[(key, param, grad), ...]`` for every parameter, keys like ``"layer0.W"``.

        Backward puts new gradient arrays into each layer's ``grads``: call this after
        the backward pass whose gradients you want."""
        return [(f"layer{i}.{name}", p, layer.grads[name])
                for i, layer in enumerate(self.layers) for name, p in layer.params.items()]

    def _weights(self):
        return [p for _, p, _ in self.parameters()]

    def n_params(self) -> int:
        return int(sum(p.size for p in self._weights()))

    def summary(self) -> str:
        rows = [(f"{i}: {layer!r}", f"(batch, {layer.n_out})" if isinstance(layer, Dense) else "(same)",
                 sum(p.size for p in layer.params.values())) for i, layer in enumerate(self.layers)]
        w = max(len(name) for name, _, _ in rows) + 2  # never cut a layer's description
        lines = [f"{'layer':<{w}}{'output shape':<18}{'parameters':>10}"]
        lines += [f"{name:<{w}}{out:<18}{n:>10,}" for name, out, n in rows]
        lines.append(f"{'total':<{w + 18}}{self.n_params():>10,}   cost: {self.cost.name}"
                     + (f", l2={self.l2}" if self.l2 else ""))
        return "\n".join(lines)

    def __repr__(self):
        inner = ", ".join(repr(layer) for layer in self.layers)
        return f"Network([{inner}], loss={self.cost.name!r}{f', l2={self.l2}' if self.l2 else ''})"

    # -- checking inputs, once, at the door --------------------------------------------
    def _check_X(self, X, name="X", where="Network"):
        return check_features(X, name, self.n_inputs, where=where)

    def _prepare(self, X, y, where, x_name="X", y_name="y"):
        """``(X, targets)``: X checked, y as float rows like the output (labels one-hot)."""
        X = self._check_X(X, x_name, where)
        targets = prepare_targets(y, X.shape[0], self.n_outputs or X.shape[1], self._dtype(),
                                  name=y_name, where=where)
        self.cost.check_targets(targets, y_name, where)
        return X, targets

    def _dtype(self):
        dense = self._dense_layers()
        return dense[0].dtype if dense else np.float64

    # -- forward and backward ---------------------------------------------------------------
    def forward(self, X, training=False):
        """Raw output of the last layer (logits for the fused costs), shape (batch, n_outputs)."""
        out = X
        for layer in self.layers:
            out = layer.forward(out, training=training)
        return out

    def backward(self, dout):
        """Backpropagate dC/d(output) through every layer (last to first); sets each
        layer's ``grads`` and returns dC/dX (None when the first layer skips it)."""
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
        return dout

    def l2_penalty(self) -> float:
        r""":math:`\frac{\lambda}{2}\sum_{\text{layers}} \lVert W\rVert^2` (0 without ``l2``)."""
        if not self.l2:
            return 0.0
        return 0.5 * self.l2 * float(sum(np.sum(dense.W ** 2) for dense in self._dense_layers()))

    def loss(self, X, y) -> float:
        """The cost of the network on (X, y), plus the L2 penalty if any."""
        X, targets = self._prepare(X, y, "Network.loss")
        return self.cost.value(self.forward(X), targets) + self.l2_penalty()

    def compute_gradients(self, X, y, training=True) -> float:
        """One forward and backward pass on a batch; sets every ``grads``; returns the loss."""
        X, targets = self._prepare(X, y, "Network.compute_gradients")
        return self._forward_backward(X, targets, training)[0]

    def _forward_backward(self, X, targets, training):
        """Loss and output of one batch of prepared arrays, with every ``grads`` set."""
        out = self.forward(X, training=training)
        loss, dout = self.cost.formula_and_gradient(out, targets)   # C and dC/da
        loss = float(loss)
        self.backward(dout)
        if self.l2:
            for dense in self._dense_layers():
                dense.grads["W"] += self.l2 * dense.W      # dC/dW + lambda W
            loss += self.l2_penalty()
        return loss, out

    # -- predictions ---------------------------------------------------------------------------
    def predict_proba(self, X):
        """Class probabilities (batch, k) for classification costs; the raw output for MSE."""
        return self.cost.output(self.forward(self._check_X(X, where="Network.predict_proba")))

    def predict(self, X):
        """Predicted class labels (batch,): argmax of the probabilities, or p >= 0.5 for one output."""
        return predicted_labels(self.cost.output(self.forward(self._check_X(X, where="Network.predict"))))

    def __call__(self, X):
        return self.predict_proba(X)

    def evaluate(self, X, y, batch_size: int = 10_000) -> dict:
        """``{"loss": ..., "accuracy": ...}`` on a data set (accuracy is None for real-valued targets)."""
        X, targets = self._prepare(X, y, "Network.evaluate")
        batch_size = check_integer(batch_size, "batch_size", 1, "Network.evaluate")
        _need_rows(X, "Network.evaluate")
        return self._scores(X, targets, batch_size)

    def _scores(self, X, targets, batch_size=10_000):
        out = np.concatenate([self.forward(X[i:i + batch_size]) for i in range(0, len(X), batch_size)])
        labels = _true_labels(targets)
        accuracy = None if labels is None else _count_correct(self.cost, out, labels) / len(X)
        return {"loss": float(self.cost.value(out, targets) + self.l2_penalty()), "accuracy": accuracy}

    # -- training ------------------------------------------------------------------------------
    def fit(self, X, y, epochs: int = 10, batch_size: int = 32, optimizer="sgd", learning_rate=None,
            validation_data=None, seed=0, shuffle: bool = True, verbose=True,
            early_stopping: int | None = None, callback=None) -> History:
        """Train by mini-batch gradient descent; returns a :class:`History`.

        * X: (n, n_inputs) floats; y: labels (n,), one-hot (n, k) or targets like the output.
        * ``optimizer``: "sgd", "momentum", "adam" or an Optimizer; ``learning_rate`` overrides its rate.
        * ``batch_size``: samples per update (``n`` gives full-batch gradient descent, 1 gives SGD).
        * ``seed``: fixes the batch order and dropout masks, so a rerun gives the same numbers.
        * ``early_stopping``: patience in epochs; stop when ``val_loss`` (or ``loss`` without
          validation data) has not improved for that many epochs, and keep the best weights.
        * ``callback(epoch, history, network)``: called after every epoch; return True to stop.
        * ``verbose``: True (bar in a notebook, a line per epoch in a terminal) or False.

        If the loss becomes NaN, inf or grows far beyond its starting value, or the weights
        overflow, training stops, the last weights known to be sane are restored, and a
        :class:`TrainingDiverged` warning says so and why (see :class:`DivergenceGuard`).
        """
        X, targets = self._prepare(X, y, "Network.fit")
        validation, epochs, batch_size, stopper = self._fit_arguments(
            X, validation_data, epochs, batch_size, shuffle, early_stopping, callback, verbose)
        optimizer = get_optimizer(optimizer, learning_rate)
        rng = self._seeded(seed)
        history, guard = History(), DivergenceGuard(self)
        progress = Progress(epochs, -(-len(X) // batch_size), verbose)
        try:
            for epoch in range(1, epochs + 1):
                start = time.perf_counter()
                guard.start_epoch(epoch - 1, self._weights())
                loss, accuracy = self._train_epoch(X, targets, batch_size, optimizer, rng, shuffle,
                                                   guard, progress, epoch)
                guard.check_weights(self._weights(), f"at the end of epoch {epoch}")
                scores = self._validate(validation, guard, epoch)
                _record(history, loss, accuracy, scores, time.perf_counter() - start)
                progress.epoch_end(epoch - 1, _last(history), history["seconds"][-1])
                if stopper and self._stop_early(stopper, history, progress, epoch):
                    break
                if callback is not None and callback(epoch - 1, history, self):
                    break
            self._keep_best(stopper, history)
        except _Diverged as reason:
            self._diverged(history, progress, guard, optimizer, X, targets, str(reason))
        finally:
            progress.close()
        return history

    def _fit_arguments(self, X, validation_data, epochs, batch_size, shuffle, early_stopping, callback,
                       verbose):
        """Check fit's arguments before any training: ``(validation, epochs, batch_size, stopper)``."""
        _need_rows(X, "Network.fit")
        self.l2 = check_positive_number(self.l2, "l2", "Network", allow_zero=True)
        validation = self._prepare_validation(validation_data)
        epochs = check_integer(epochs, "epochs", 1, "Network.fit")
        batch_size = min(check_integer(batch_size, "batch_size", 1, "Network.fit"), len(X))
        check_bool(shuffle, "shuffle", "Network.fit")
        _check_verbose(verbose)
        if callback is not None and not callable(callback):
            raise TypeError(f"Network.fit: callback must be a function (epoch, history, network), "
                            f"got {callback!r}.")
        return validation, epochs, batch_size, self._early_stopping(early_stopping, validation)

    def _train_epoch(self, X, targets, batch_size, optimizer, rng, shuffle, guard, progress, epoch):
        """One pass over the data; returns the epoch's mean batch loss and accuracy (or None)."""
        labels = _true_labels(targets)
        loss_sum = correct = 0.0
        for b, batch in enumerate(_batches(len(X), batch_size, rng, shuffle)):
            Xb, tb = X[batch], targets[batch]
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                loss, out = self._forward_backward(Xb, tb, training=True)
                guard.check_loss(loss, f"in epoch {epoch}, batch {b + 1}")
                optimizer.step(self.parameters())
            loss_sum += loss * len(Xb)
            if labels is not None:
                correct += _count_correct(self.cost, out, labels[batch])
            progress.batch(epoch - 1, b)
        return loss_sum / len(X), (correct / len(X) if labels is not None else None)

    def _prepare_validation(self, validation_data):
        if validation_data is None:
            return None
        if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
            raise ValueError("Network.fit: validation_data must be a pair (X_val, y_val), got "
                             f"{type(validation_data).__name__}"
                             + (f" of length {len(validation_data)}." if hasattr(validation_data, "__len__") else "."))
        X_val, targets = self._prepare(*validation_data, "Network.fit", "X_val", "y_val")
        _need_rows(X_val, "Network.fit", "X_val")
        return X_val, targets

    def _validate(self, validation, guard, epoch):
        """``(val_loss, val_accuracy)`` after an epoch, or None without validation data."""
        if validation is None:
            return None
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            scores = self._scores(*validation)
        if not np.isfinite(scores["loss"]) or scores["loss"] > DIVERGENCE_FACTOR * max(guard.first_loss, 1.0):
            raise _Diverged(f"at the end of epoch {epoch}: the validation loss became {scores['loss']:.3g}")
        return scores["loss"], scores["accuracy"]

    def _seeded(self, seed):
        """The batch-order generator of ``fit``, with every dropout layer reseeded from it."""
        try:
            rng = np.random.default_rng(seed)
        except (TypeError, ValueError):
            raise ArgumentError(f"Network.fit: seed must be a whole number >= 0 or None, got {seed!r}.") from None
        for layer in self.layers:
            if hasattr(layer, "rng"):
                layer.rng = np.random.default_rng(rng.integers(2**63))
        return rng

    def _early_stopping(self, patience, validation):
        if patience is None:
            return None
        patience = check_integer(patience, "early_stopping", 1, "Network.fit")
        return EarlyStopping(patience, "val_loss" if validation is not None else "loss")

    def _stop_early(self, stopper, history, progress, epoch) -> bool:
        if not stopper.update(epoch, history[stopper.monitor][-1], self._weights()):
            history.best_epoch = stopper.best_epoch
            return False
        stopper.restore(self._weights())
        history.best_epoch, history.early_stopped = stopper.best_epoch, True
        history.message = (f"Early stopping after epoch {epoch}: no improvement for {stopper.patience} "
                           f"epochs; the weights of epoch {stopper.best_epoch} have been restored.")
        progress.message(history.message)
        return True

    def _keep_best(self, stopper, history):
        """The epochs ran out (or a callback stopped) after the best one: keep the best weights."""
        if stopper is None or history.early_stopped:
            return
        if stopper.best_epoch is not None and stopper.best_epoch != history.epochs:
            stopper.restore(self._weights())
            history.message = (f"Kept the weights of epoch {stopper.best_epoch}, the best "
                               f"{stopper.monitor}.")

    def _diverged(self, history, progress, guard, optimizer, X, targets, what):
        """Stop training: restore the last sane weights, say so and why, warn."""
        kept = guard.restore(self._weights())
        history.keep_epochs(kept)
        history.diverged = True
        cause = self._diagnosis(X, targets, guard, optimizer)
        kept_weights = (f"The weights from the end of epoch {kept}, the last sane ones,"
                        if kept else "The starting weights")
        history.message = f"Training stopped {what}. {cause} {kept_weights} have been kept."
        progress.message(history.message)
        warnings.warn(history.message, TrainingDiverged, stacklevel=3)

    def _diagnosis(self, X, targets, guard, optimizer):
        """The likely cause of a divergence, in words."""
        largest = float(np.abs(X).max())
        if guard.first_loss is None or not np.isfinite(guard.first_loss):
            cause = (f"the inputs are too large (the largest |X| is {largest:.3g})" if largest > 1e3
                     else "the starting weights are too large (try init='xavier' or 'he')")
            return (f"The loss was already {guard.first_loss:.3g} on the first batch, before any "
                    f"update: {cause}, so no learning rate can help.")
        if largest > 1e6:
            return (f"The inputs are huge (the largest |X| is {largest:.3g}): scale them, e.g. to "
                    "mean 0 and standard deviation 1; a smaller learning rate alone will not fix this.")
        zero = self.cost.value(np.zeros_like(targets[:1000]), targets[:1000])  # outputs of 0
        if guard.first_loss > 100 * max(zero, 1e-3):
            return (f"The loss started at {guard.first_loss:.3g}, far above the {zero:.3g} of a "
                    "network that outputs 0: the starting weights are too large (the default "
                    "init='he' for ReLU, 'xavier' for tanh keeps them in range).")
        rate = optimizer.learning_rate
        return (f"The learning rate ({rate:g}) is probably too large; try a smaller one, "
                f"such as {rate / 10:g}.")

    # -- saving -------------------------------------------------------------------------------------------
    def save(self, path):
        """Write every parameter to a ``.npz`` file (keys like ``layer0.W``); returns its path.

        The file is written to a temporary file in the same folder and then renamed over
        ``path``, so an interruption or a full disk never destroys an earlier save."""
        arrays = {k: p for k, p, _ in self.parameters()}
        if hasattr(path, "write"):  # an open file
            np.savez(path, **arrays)
            return path
        path = os.fspath(path)
        path = path if path.endswith(".npz") else f"{path}.npz"  # what np.savez would write
        folder = os.path.dirname(os.path.abspath(path))
        fd, temporary = tempfile.mkstemp(prefix=".nnlib-save-", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(fd, "wb") as file:
                np.savez(file, **arrays)
                file.flush()
                os.fsync(file.fileno())
            os.chmod(temporary, 0o666 & ~_umask())
            os.replace(temporary, path)
        except BaseException:
            if os.path.exists(temporary):
                os.unlink(temporary)
            raise
        return path

    def load(self, path):
        """Read parameters saved by :meth:`save` into this network (same architecture).

        Every array is checked (names, shapes, real finite numbers) before any layer is
        changed: a file that does not fit leaves the network as it was."""
        path = _weights_file(path)
        arrays = _read_npz(path)
        mine = {k: p for k, p, _ in self.parameters()}
        missing, extra = sorted(set(mine) - set(arrays)), sorted(set(arrays) - set(mine))
        if missing or extra:
            raise ValueError(f"{path!s} does not match this network: missing {missing}, unexpected {extra}.")
        for k, p in mine.items():
            _check_loaded(path, k, arrays[k], p)
        for k, p in mine.items():
            p[...] = arrays[k]
        return self


# -- helpers of Network ------------------------------------------------------------------------------------
def _layer_list(layers):
    try:
        layers = list(layers)
    except TypeError:
        layers = None
    if not layers or not all(isinstance(layer, Layer) for layer in layers):
        raise TypeError("Network needs a non-empty list of layers (Dense, Dropout, ...).")
    seen = {}
    for i, layer in enumerate(layers):
        if id(layer) in seen:
            raise ValueError(f"Network: the same layer object {layer.name} is at positions {seen[id(layer)]} "
                             f"and {i}; it would share its weights and its cache between both places. "
                             "Create a new layer for each position (or use copy.deepcopy(layer)).")
        seen[id(layer)] = i
    return layers


def _check_cost_fits(cost, last, n_outputs):
    """Raise if the cost cannot work on what the last shaping layer outputs."""
    g = last.activation.name
    if cost.takes_logits and g != "identity":
        raise ValueError(f"the cost {cost.name} applies its own activation and expects logits, "
                         f"but the last layer {last.name} has activation {g!r}: give the last Dense "
                         "layer no activation"
                         + (" and remove that activation layer." if isinstance(last, ActivationLayer) else "."))
    if cost.name in ("softmax_cross_entropy", "categorical_cross_entropy") and n_outputs == 1:
        raise ValueError(f"the cost {cost.name} needs one output per class (2 or more), but the network "
                         "has 1 output: a softmax over one output is always 1 and the loss always 0. "
                         "For two classes use 2 outputs, or 1 output with loss='sigmoid_cross_entropy'.")
    if cost.name == "categorical_cross_entropy" and g != "softmax":
        raise ValueError(f"the cost categorical_cross_entropy needs probabilities (rows summing to 1), "
                         f"but the last layer {last.name} has activation {g!r}: give it "
                         "activation='softmax', or better, no activation and "
                         "loss='softmax_cross_entropy' (softmax fused with the cost, on logits).")
    if cost.name == "binary_cross_entropy" and g != "sigmoid":
        raise ValueError(f"the cost binary_cross_entropy needs probabilities in [0, 1], but the last "
                         f"layer {last.name} has activation {g!r}: give it activation='sigmoid', or "
                         "better, no activation and loss='sigmoid_cross_entropy' (on logits).")


def _check_verbose(verbose):
    ok = (verbose is None or (isinstance(verbose, str) and verbose in ("auto", "bar", "lines"))
          or (isinstance(verbose, (bool, int, np.integer)) and verbose in (0, 1)))
    if not ok:
        raise ValueError(f"Network.fit: verbose must be True, False, 'bar' or 'lines', got {verbose!r}.")


def _need_rows(X, where, name="X"):
    if len(X) == 0:
        raise ShapeError(f"{where}: {name} has 0 rows; at least one sample is needed.")


def _true_labels(targets):
    """Class labels of prepared targets (0/1 columns or one-hot rows), or None for other targets."""
    binary = np.all((targets == 0) | (targets == 1))
    if binary and (targets.shape[1] == 1 or np.all(targets.sum(axis=1) == 1)):
        return predicted_labels(targets)
    return None


def _count_correct(cost, out, labels) -> int:
    # every cost's output link keeps the order within a row, so for k > 1 outputs the argmax of
    # the raw outputs is that of the probabilities: only one output needs them (p >= 0.5)
    scores = cost.output(out) if out.shape[1] == 1 else out
    return int(np.count_nonzero(predicted_labels(scores) == labels))


def _batches(n, batch_size, rng, shuffle):
    """The rows of each mini-batch of one epoch: a shuffled index array each, or slices in order."""
    if not shuffle:
        return [slice(start, start + batch_size) for start in range(0, n, batch_size)]
    order = rng.permutation(n)
    return [order[start:start + batch_size] for start in range(0, n, batch_size)]


def _record(history, loss, accuracy, scores, seconds):
    history["loss"].append(loss)
    history["accuracy"].append(accuracy)
    if scores is not None:
        history["val_loss"].append(scores[0])
        history["val_accuracy"].append(scores[1])
    history["seconds"].append(seconds)


def _last(history):
    return {k: v[-1] for k, v in history.items() if v and k != "seconds"}


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _weights_file(path):
    if isinstance(path, (str, os.PathLike)) and not os.path.exists(path) \
            and os.path.exists(f"{os.fspath(path)}.npz"):
        return f"{os.fspath(path)}.npz"  # save("w") wrote w.npz
    return path


def _read_npz(path) -> dict:
    """Every array of a ``.npz`` file, read in full (so a damaged file fails here, not halfway)."""
    try:
        data = np.load(path, allow_pickle=False)
    except FileNotFoundError:
        raise FileNotFoundError(f"no weights file at {path!s}; save one with network.save(path).") from None
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as err:
        raise InputError(f"{path!s} is not a readable weights file written by Network.save ({err}).") from None
    if not isinstance(data, np.lib.npyio.NpzFile):
        raise InputError(f"{path!s} is not a weights file written by Network.save "
                         "(it holds a single array, not named arrays).")
    try:
        with data:
            return {k: data[k] for k in data.files}
    except (ValueError, OSError, EOFError, zipfile.BadZipFile, KeyError) as err:
        raise InputError(f"{path!s} is not a readable weights file written by Network.save "
                         f"({err}).") from None


def _check_loaded(path, key, value, param):
    if value.shape != param.shape:
        raise ShapeError(f"{path!s}: {key} has shape {value.shape} in the file but "
                         f"{param.shape} in this network.")
    if value.dtype.kind not in "fiu":
        raise InputError(f"{path!s}: {key} holds {value.dtype} numbers; weights must be real numbers.")
    if not np.isfinite(value).all():
        raise InputError(f"{path!s}: {key} contains NaN or inf; a network with such weights "
                         "outputs nothing useful (was it saved after training diverged?).")
