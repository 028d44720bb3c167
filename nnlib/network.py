r"""A network: layers in a row, a cost at the end, and the loop that trains them.

Forward pass: :math:`A^{(0)} = X`, :math:`A^{(l)} = \text{layer}_l(A^{(l-1)})`.
Backward pass (backpropagation): start from :math:`\partial C/\partial A^{(L)}`
(the cost's gradient) and hand it back through the layers in reverse, each layer
turning dC/d(its output) into dC/d(its input) and filling its ``grads``.

With ``l2 = \lambda > 0`` the cost gains :math:`\frac{\lambda}{2}\sum \lVert W\rVert^2`
over every weight matrix (not the biases) and each :math:`\partial C/\partial W`
gains :math:`\lambda W` ("weight decay").
"""
from __future__ import annotations

import os
import time
import warnings

import numpy as np

from .costs import get_cost, one_hot
from .layers import ActivationLayer, Dense, Layer
from .metrics import to_labels
from .optimizers import get_optimizer
from .progress import Progress
from .validation import InputError, ShapeError, check_features, check_labels, is_label_vector


class TrainingDiverged(UserWarning):
    """The loss became NaN or inf during ``fit``; the last finite weights were kept."""


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

    def __repr__(self):
        last = {k: (round(v[-1], 4) if v and v[-1] is not None else None) for k, v in self.items()}
        return f"History(epochs={self.epochs}, last={last}{', ' + self.message if self.message else ''})"


class BatchGatherer:
    """The rows of a mini-batch, copied into arrays reused from batch to batch.

    ``batch(idx)`` returns ``(X[idx], t[idx])``. With an index array the rows are
    copied into the same two buffers every time (fresh arrays the size of a batch
    of images cost as much as a layer's product); with a slice they are views.
    The buffers are overwritten by the next call.
    """

    def __init__(self, X, t, batch_size):
        self.X, self.t = X, t
        self.X_buffer = np.empty((batch_size,) + X.shape[1:], dtype=X.dtype)
        self.t_buffer = np.empty((batch_size,) + t.shape[1:], dtype=t.dtype)

    def __call__(self, idx):
        if isinstance(idx, slice):
            return self.X[idx], self.t[idx]
        m = len(idx)  # mode="clip" lets take write straight into out (idx is always in range)
        return (np.take(self.X, idx, axis=0, out=self.X_buffer[:m], mode="clip"),
                np.take(self.t, idx, axis=0, out=self.t_buffer[:m], mode="clip"))


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
        self.layers: list[Layer] = list(layers)
        if not self.layers or not all(isinstance(l, Layer) for l in self.layers):
            raise TypeError("Network needs a non-empty list of layers (Dense, Dropout, ...).")
        self.cost = get_cost(loss)
        if l2 < 0:
            raise ValueError(f"l2 must be >= 0, got {l2}.")
        self.l2 = float(l2)
        self._check_architecture()
        for i, layer in enumerate(self.layers):
            layer.needs_input_grad = i > 0
        if seed is not None:
            rng = np.random.default_rng(seed)
            for layer in self.layers:
                layer.initialize(rng)

    # -- structure ---------------------------------------------------------------------
    def _dense_layers(self):
        return [l for l in self.layers if isinstance(l, Dense)]

    def _check_architecture(self):
        dense = self._dense_layers()
        for a, b in zip(dense, dense[1:]):
            if a.n_out != b.n_in:
                raise ShapeError(f"{a.name} outputs {a.n_out} values but the next layer {b.name} "
                                 f"expects {b.n_in} inputs.")
        shaping = [l for l in self.layers if isinstance(l, (Dense, ActivationLayer))]
        last = shaping[-1] if shaping else None  # an ActivationLayer after the last Dense counts too
        if last is not None and self.cost.takes_logits and last.activation.name != "identity":
            raise ValueError(f"the cost {self.cost.name} applies its own activation and expects logits, "
                             f"but the last layer {last.name} has activation {last.activation.name!r}: "
                             "give the last Dense layer no activation"
                             + (" and remove that activation layer." if isinstance(last, ActivationLayer) else "."))

    @property
    def n_inputs(self):
        dense = self._dense_layers()
        return dense[0].n_in if dense else None

    @property
    def n_outputs(self):
        dense = self._dense_layers()
        return dense[-1].n_out if dense else None

    def parameters(self):
        """``[(key, param, grad), ...]`` for every parameter, keys like ``"layer0.W"``."""
        return [(f"layer{i}.{name}", p, layer.grads[name])
                for i, layer in enumerate(self.layers) for name, p in layer.params.items()]

    def n_params(self) -> int:
        return int(sum(p.size for _, p, _ in self.parameters()))

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
        inner = ", ".join(repr(l) for l in self.layers)
        return f"Network([{inner}], loss={self.cost.name!r}{f', l2={self.l2}' if self.l2 else ''})"

    # -- forward and backward ---------------------------------------------------------------
    def forward(self, X, training=False):
        """Raw output of the last layer (logits for the fused costs), shape (batch, n_outputs)."""
        out = X
        for layer in self.layers:
            out = layer.forward(out, training=training)
        return out

    def backward(self, dout):
        """Backpropagate dC/d(output) through every layer (last to first); fills each
        layer's ``grads`` and returns dC/dX (None when the first layer skips it)."""
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
        return dout

    def l2_penalty(self) -> float:
        if not self.l2:
            return 0.0
        return 0.5 * self.l2 * float(sum(np.sum(l.params["W"] ** 2) for l in self._dense_layers()))

    def loss(self, X, y) -> float:
        """The cost of the network on (X, y), plus the L2 penalty if any."""
        X = self._check_X(X)
        return self.cost.value(self.forward(X), self._targets(y, X.shape[0])) + self.l2_penalty()

    def compute_gradients(self, X, y, training=True) -> float:
        """One forward and backward pass on a batch; fills every ``grads``; returns the loss."""
        return self._compute_gradients(X, y, training, self.cost.value_and_gradient)

    def _compute_gradients(self, X, y, training, value_and_gradient) -> float:
        # fit passes the cost's _value_and_gradient, which skips the checks of the targets:
        # fit has checked them once for the whole data set instead of once per batch
        out = self._last_output = self.forward(X, training=training)
        loss, dout = value_and_gradient(out, y)
        self.backward(dout)
        if self.l2:
            for layer in self._dense_layers():
                layer.grads["W"] += self.l2 * layer.params["W"]
            loss += self.l2_penalty()
        return loss

    # -- predictions ---------------------------------------------------------------------------
    def predict_proba(self, X):
        """Class probabilities (batch, k) for classification costs; the raw output for MSE."""
        return self.cost.output(self.forward(self._check_X(X)))

    def predict(self, X):
        """Predicted class labels (batch,): argmax of the probabilities, or p >= 0.5 for one output."""
        p = self.predict_proba(X)
        return (p[:, 0] >= 0.5).astype(np.int64) if p.shape[1] == 1 else p.argmax(axis=1)

    def __call__(self, X):
        return self.predict_proba(X)

    def evaluate(self, X, y, batch_size: int = 10_000) -> dict:
        """``{"loss": ..., "accuracy": ...}`` on a data set (accuracy is None for real-valued targets)."""
        X = self._check_X(X)
        t = self._targets(y, X.shape[0])
        outs = [self.forward(X[i:i + batch_size]) for i in range(0, X.shape[0], batch_size)]
        out = np.concatenate(outs) if len(outs) > 1 else outs[0]
        loss = self.cost.value(out, t) + self.l2_penalty()
        labels = self._labels_or_none(y)
        acc = None
        if labels is not None:
            p = self.cost.output(out)
            pred = (p[:, 0] >= 0.5).astype(np.int64) if p.shape[1] == 1 else p.argmax(axis=1)
            acc = float(np.mean(pred == labels))
        return {"loss": float(loss), "accuracy": acc}

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

        If the loss becomes NaN or inf, training stops, the weights from the end of the
        last finite epoch are restored, and a :class:`TrainingDiverged` warning says so.
        """
        X = self._check_X(X)
        n = X.shape[0]
        t = self._targets(y, n)
        self.cost._check_targets(t)  # once here, so that each batch can skip it
        labels = self._labels_or_none(y)
        if validation_data is not None:
            if len(validation_data) != 2:
                raise ValueError("validation_data must be a pair (X_val, y_val).")
            Xv = self._check_X(validation_data[0], "X_val")
            self._targets(validation_data[1], Xv.shape[0], "y_val")  # fail now, not after epoch 1
        if int(epochs) < 1 or int(batch_size) < 1:
            raise ValueError(f"epochs and batch_size must be at least 1, got {epochs} and {batch_size}.")
        epochs, batch_size = int(epochs), min(int(batch_size), n)
        opt = get_optimizer(optimizer, learning_rate)
        rng = np.random.default_rng(seed)
        for layer in self.layers:
            if hasattr(layer, "rng"):
                layer.rng = np.random.default_rng(rng.integers(2**63))
        n_batches = -(-n // batch_size)
        batch = BatchGatherer(X, t, batch_size)
        history = History()
        progress = Progress(epochs, n_batches, verbose)
        best = (np.inf, None)
        params = self.parameters()
        try:
            for epoch in range(epochs):
                start = time.perf_counter()
                snapshot = [p.copy() for _, p, _ in params]
                order = rng.permutation(n) if shuffle else np.arange(n)
                loss_sum = correct = 0.0
                for b in range(n_batches):
                    idx = order[b * batch_size:(b + 1) * batch_size]
                    Xb, tb = batch(idx if shuffle else slice(b * batch_size, (b + 1) * batch_size))
                    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                        loss = self._compute_gradients(Xb, tb, True, self.cost._value_and_gradient)
                        if not np.isfinite(loss):
                            return self._diverged(history, progress, opt, snapshot, epoch,
                                                  f"in epoch {epoch + 1}, batch {b + 1}: the loss became {loss}")
                        opt.step(self._fresh_params())  # a huge step can overflow the weights
                    loss_sum += loss * idx.size
                    if labels is not None:
                        correct += self._count_correct(self._last_output, labels[idx])
                    progress.batch(epoch, b)
                if validation_data is not None:
                    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                        ev = self.evaluate(Xv, validation_data[1])
                # the last step may have blown the weights up although every batch loss was finite
                if not all(np.isfinite(p).all() for _, p, _ in self.parameters()):
                    return self._diverged(history, progress, opt, snapshot, epoch,
                                          f"at the end of epoch {epoch + 1}: the weights became NaN or inf")
                if validation_data is not None and not np.isfinite(ev["loss"]):
                    return self._diverged(history, progress, opt, snapshot, epoch,
                                          f"at the end of epoch {epoch + 1}: the validation loss became {ev['loss']}")
                history["loss"].append(loss_sum / n)
                history["accuracy"].append(correct / n if labels is not None else None)
                if validation_data is not None:
                    history["val_loss"].append(ev["loss"])
                    history["val_accuracy"].append(ev["accuracy"])
                history["seconds"].append(time.perf_counter() - start)
                progress.epoch_end(epoch, {k: v[-1] for k, v in history.items() if v and k != "seconds"},
                                   history["seconds"][-1])
                if early_stopping is not None:
                    monitored = history["val_loss" if validation_data is not None else "loss"][-1]
                    if history.best_epoch is None or monitored < best[0]:
                        best = (monitored, [p.copy() for _, p, _ in self.parameters()])
                        history.best_epoch = epoch + 1
                    elif epoch + 1 - history.best_epoch >= early_stopping:
                        self._restore(best[1])
                        history.early_stopped = True
                        history.message = (f"Early stopping after epoch {epoch + 1}: no improvement for "
                                           f"{early_stopping} epochs; the weights of epoch "
                                           f"{history.best_epoch} have been restored.")
                        progress.message(history.message)
                        break
                if callback is not None and callback(epoch, history, self):
                    break
            if early_stopping is not None and not history.early_stopped and best[1] is not None \
                    and history.best_epoch != history.epochs:
                self._restore(best[1])  # the epochs ran out after the best one: keep the best
                history.message = (f"Kept the weights of epoch {history.best_epoch}, the best "
                                   f"{'val_loss' if validation_data is not None else 'loss'}.")
        finally:
            progress.close()
        return history

    # -- helpers --------------------------------------------------------------------------------------
    def _diverged(self, history, progress, opt, snapshot, epoch, what):
        """Stop training: restore the weights of the last finite epoch, say so, warn."""
        self._restore(snapshot)
        history.diverged = True
        history.message = (
            f"Training stopped {what}. "
            f"The learning rate ({opt.learning_rate:g}) is probably too large; try a smaller "
            f"one, such as {opt.learning_rate / 10:g}. The weights from the end of "
            + (f"epoch {epoch}, the last with a finite loss," if epoch else "no epoch (the starting weights)")
            + " have been kept.")
        progress.message(history.message)
        warnings.warn(history.message, TrainingDiverged, stacklevel=3)
        return history

    def _fresh_params(self):
        # grads are re-bound by backward each step, so read them afresh
        return self.parameters()

    def _restore(self, values):
        for (_, p, _), v in zip(self.parameters(), values):
            p[...] = v

    def _count_correct(self, out, labels):
        if out.ndim == 2 and out.shape[1] > 1:
            pred = out.argmax(axis=1)
        else:
            threshold = 0.0 if self.cost.takes_logits else 0.5
            pred = (out.reshape(-1) >= threshold)
        return int(np.count_nonzero(pred == labels))

    def _check_X(self, X, name="X"):
        return check_features(X, name, self.n_inputs, where="Network")

    def _targets(self, y, n, name="y"):
        """Targets in the form the cost wants: one-hot float rows for k-class labels."""
        y = np.asarray(y)
        k = self.n_outputs
        if y.shape[:1] != (n,):
            raise ShapeError(f"Network: {name} has {y.shape[0] if y.ndim else 0} rows but X has {n}.")
        if is_label_vector(y) and k and k > 1:
            return one_hot(check_labels(y, k, n_samples=n, name=name, where="Network"), k,
                           dtype=self._dtype())
        if y.dtype.kind not in "fiub":
            raise InputError(f"Network: {name} must be numeric, got dtype {y.dtype}.")
        if y.dtype.kind == "f" and not np.isfinite(y).all():
            raise InputError(f"Network: {name} contains NaN or inf.")
        shape = y.shape
        y = y.reshape(n, -1)
        if k is not None and y.shape[1] != k:
            hint = (f" (class labels must be integers: use {name}.astype(int))"
                    if len(shape) == 1 and y.dtype.kind == "f" else "")
            raise ShapeError(f"Network: expected {name} of shape ({n},) with labels or ({n}, {k}), "
                             f"got shape {shape} of dtype {y.dtype}{hint}.")
        return y.astype(self._dtype(), copy=False)

    def _labels_or_none(self, y):
        y = np.asarray(y)
        if is_label_vector(y):
            return check_labels(y)
        if y.ndim == 2 and y.shape[1] > 1 and np.all((y == 0) | (y == 1)) and np.all(y.sum(1) == 1):
            return y.argmax(axis=1)
        if y.ndim <= 2 and y.reshape(len(y), -1).shape[1] == 1 and np.all((y == 0) | (y == 1)):
            return y.reshape(-1).astype(np.int64)
        return None

    def _dtype(self):
        dense = self._dense_layers()
        return dense[0].dtype if dense else np.float64

    # -- saving -------------------------------------------------------------------------------------------
    def save(self, path):
        """Write every parameter to a ``.npz`` file (keys like ``layer0.W``)."""
        np.savez(path, **{k: p for k, p, _ in self.parameters()})

    def load(self, path):
        """Read parameters saved by :meth:`save` into this network (same architecture)."""
        if isinstance(path, (str, os.PathLike)) and not os.path.exists(path) \
                and os.path.exists(f"{os.fspath(path)}.npz"):
            path = f"{os.fspath(path)}.npz"  # save("w") wrote w.npz: np.savez adds the extension
        try:
            data = np.load(path)
        except FileNotFoundError:
            raise FileNotFoundError(f"no weights file at {path!s}; save one with network.save(path).") from None
        with data:
            mine = {k: p for k, p, _ in self.parameters()}
            missing = sorted(set(mine) - set(data.files))
            extra = sorted(set(data.files) - set(mine))
            if missing or extra:
                raise ValueError(f"{path!s} does not match this network: missing {missing}, unexpected {extra}.")
            for k, p in mine.items():
                if data[k].shape != p.shape:
                    raise ShapeError(f"{path!s}: {k} has shape {data[k].shape} in the file but "
                                     f"{p.shape} in this network.")
            for k, p in mine.items():
                p[...] = data[k]
        return self
