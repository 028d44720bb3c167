r"""Reference answers for the exercises that nnlib has no function for.

Each is the plain numpy version a learner is expected to write, with the same
symbols as the notebooks. Where nnlib has the function (``nnlib.sigmoid``,
``nnlib.costs.mse``, ...) the exercises take the answer from nnlib itself.
"""
from __future__ import annotations

import numpy as np

from nnlib.activations import sigmoid, softmax, step
from nnlib.neuron import weighted_sum


# ----------------------------------------------------------------------------- 01 neuron
def neuron_output(x, w, b):
    r""":math:`a = \sigma(w \cdot x + b)`."""
    return sigmoid(weighted_sum(x, w, b))


def perceptron_predict(X, w, b):
    r"""Class 1 where :math:`w \cdot x + b \ge 0`, else 0; int labels (batch,)."""
    return step(np.asarray(X, float) @ np.asarray(w, float) + b).astype(np.int64)


GATES = {"and": (0, 0, 0, 1), "or": (0, 1, 1, 1), "nand": (1, 1, 1, 0), "nor": (1, 0, 0, 0)}
BINARY_INPUTS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])


# ----------------------------------------------------------------------------- 03 layers, forward
def dense_forward(X, W, b):
    r""":math:`Z = XW + b`: X (batch, n_in), W (n_in, n_out), b (n_out,) -> (batch, n_out)."""
    return X @ W + b


def layer_forward(X, W, b, g):
    r""":math:`A = g(XW + b)`."""
    return g(dense_forward(X, W, b))


def two_layer_forward(X, W1, b1, W2, b2):
    r"""Sigmoid hidden layer, sigmoid output: :math:`\sigma(\sigma(XW_1 + b_1) W_2 + b_2)`."""
    return sigmoid(sigmoid(X @ W1 + b1) @ W2 + b2)


def mlp_forward(X, params):
    r"""ReLU on every hidden layer, none on the last: the logits, (batch, n_out)."""
    A = X
    for i, (W, b) in enumerate(params):
        Z = A @ W + b
        A = Z if i == len(params) - 1 else np.maximum(Z, 0)
    return A


def xor_network(params, X=BINARY_INPUTS):
    """Outputs (4, 1) of a 2-2-1 step network with the given (W1, b1, W2, b2)."""
    W1, b1, W2, b2 = params
    return step(step(X @ W1 + b1) @ W2 + b2)


def predict_classes(P):
    """Labels (n,): the most probable class per row; for one column, p >= 0.5 is class 1."""
    P = np.asarray(P)
    if P.shape[1] == 1:
        return (P[:, 0] >= 0.5).astype(np.int64)
    return P.argmax(axis=1)


def count_parameters(layer_sizes):
    """Weights and biases of a fully connected network with these layer sizes."""
    return int(sum(a * b + b for a, b in zip(layer_sizes[:-1], layer_sizes[1:])))


# ----------------------------------------------------------------------------- 04 costs
def mse(a, y):
    r""":math:`C = \frac{1}{2n}\sum_i \lVert a_i - y_i\rVert^2` for a, y of shape (n, k)."""
    return 0.5 * np.sum((a - y) ** 2) / a.shape[0]


def mse_gradient(a, y):
    r""":math:`\partial C/\partial a = (a - y)/n`."""
    return (a - y) / a.shape[0]


def one_hot(y, k):
    out = np.zeros((y.shape[0], k))
    out[np.arange(y.shape[0]), y] = 1.0
    return out


def cross_entropy(p, y):
    r""":math:`C = -\frac1n \sum_i \ln p_{i, y_i}` for probabilities p (n, k) and labels y (n,)."""
    return -np.mean(np.log(p[np.arange(y.shape[0]), y]))


def binary_cross_entropy(p, y):
    r""":math:`C = -\frac1n \sum_i [y_i \ln p_i + (1 - y_i)\ln(1 - p_i)]`, p and y of shape (n,)."""
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))


def softmax_cross_entropy(z, y):
    """The cost value on logits (for finite differences)."""
    return cross_entropy(softmax(z), y)


def softmax_cross_entropy_gradient(z, y):
    r""":math:`\partial C/\partial z = (\mathrm{softmax}(z) - Y)/n`, Y the one-hot labels."""
    return (softmax(z) - one_hot(y, z.shape[1])) / z.shape[0]


# ----------------------------------------------------------------------------- 05 gradient descent
def gradient_descent_step(w, grad, learning_rate):
    r""":math:`w - \eta\, \nabla C`, a new array."""
    return w - learning_rate * grad


def minimize(grad_f, x0, learning_rate, steps):
    """``steps`` gradient-descent steps from x0; the final x."""
    x = np.array(x0, dtype=float)
    for _ in range(steps):
        x = x - learning_rate * grad_f(x)
    return x


def linear_regression_cost(X, y, w, b):
    r""":math:`C = \frac{1}{2n}\sum_i (x_i \cdot w + b - y_i)^2`."""
    r = X @ w + b - y
    return 0.5 * np.mean(r ** 2)


def linear_regression_gradient(X, y, w, b):
    r"""(dw, db) of :func:`linear_regression_cost`: :math:`X^T r / n` and :math:`\bar r`."""
    r = X @ w + b - y
    return X.T @ r / X.shape[0], float(np.mean(r))


def fit_linear(X, y, learning_rate, epochs):
    """Full-batch gradient descent on the linear-regression cost from w = 0, b = 0."""
    w, b = np.zeros(X.shape[1]), 0.0
    for _ in range(epochs):
        dw, db = linear_regression_gradient(X, y, w, b)
        w, b = w - learning_rate * dw, b - learning_rate * db
    return w, b


# ----------------------------------------------------------------------------- 06 backpropagation
def sigmoid_backward(dA, Z):
    r""":math:`\delta = dA \odot \sigma'(Z)`."""
    s = sigmoid(Z)
    return dA * s * (1 - s)


def affine_backward(dZ, X, W):
    r"""(dX, dW, db) = :math:`(\delta W^T,\ X^T \delta,\ \sum_{batch} \delta)` for :math:`\delta` = dZ."""
    return dZ @ W.T, X.T @ dZ, dZ.sum(axis=0)


def affine_objective(dZ, X, W, b):
    """Sum of dZ * (XW + b): its gradients are exactly affine_backward's outputs."""
    return float(np.sum(dZ * (X @ W + b)))


def network_loss(X, y, W1, b1, W2, b2):
    """Sigmoid hidden layer, softmax cross-entropy on the logits."""
    return softmax_cross_entropy(sigmoid(X @ W1 + b1) @ W2 + b2, y)


def network_backward(X, y, W1, b1, W2, b2):
    """(dW1, db1, dW2, db2) of :func:`network_loss` by backpropagation."""
    Z1 = X @ W1 + b1
    A1 = sigmoid(Z1)
    Z2 = A1 @ W2 + b2
    d2 = softmax_cross_entropy_gradient(Z2, y)
    dA1, dW2, db2 = affine_backward(d2, A1, W2)
    d1 = sigmoid_backward(dA1, Z1)
    _, dW1, db1 = affine_backward(d1, X, W1)
    return dW1, db1, dW2, db2


def numerical_gradient(f, x, h=1e-5):
    r"""Centred differences :math:`(f(x + h e_i) - f(x - h e_i)) / 2h` for every entry of x."""
    x = np.array(x, dtype=float)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        fp = f(x)
        x[i] = old - h
        fm = f(x)
        x[i] = old
        grad[i] = (fp - fm) / (2 * h)
    return grad


def rel_error(a, b):
    r""":math:`\max_i |a_i - b_i| / \max(10^{-8}, |a_i| + |b_i|)`."""
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))


# ----------------------------------------------------------------------------- 07 training
def minibatches(X, y, batch_size, rng):
    """Shuffled mini-batches (Xb, yb) covering every sample once; the last may be smaller."""
    idx = rng.permutation(X.shape[0])
    for start in range(0, X.shape[0], batch_size):
        part = idx[start:start + batch_size]
        yield X[part], y[part]


def train_epoch(network, batches, learning_rate):
    """One SGD step per batch; returns the sample-weighted mean of the batch losses."""
    total, n = 0.0, 0
    for Xb, yb in batches:
        loss = network.compute_gradients(Xb, yb)
        for _, param, grad in network.parameters():
            param -= learning_rate * grad
        total += loss * Xb.shape[0]
        n += Xb.shape[0]
    return total / n


def train(network, X, y, epochs, batch_size, learning_rate, seed):
    """``epochs`` passes of :func:`train_epoch` over fresh shuffles; the per-epoch losses."""
    rng = np.random.default_rng(seed)
    return [train_epoch(network, list(minibatches(X, y, batch_size, rng)), learning_rate)
            for _ in range(epochs)]


# ----------------------------------------------------------------------------- 08 training better
def momentum_update(w, dw, v, learning_rate, momentum):
    r""":math:`v \leftarrow \mu v - \eta\, dw`, :math:`w \leftarrow w + v`; returns (w, v)."""
    v = momentum * v - learning_rate * dw
    return w + v, v


def adam_update(w, dw, m, v, t, learning_rate, beta1, beta2, epsilon):
    r"""One Adam step (t counts from 1); returns (w, m, v)."""
    m = beta1 * m + (1 - beta1) * dw
    v = beta2 * v + (1 - beta2) * dw ** 2
    m_hat = m / (1 - beta1 ** t)
    v_hat = v / (1 - beta2 ** t)
    return w - learning_rate * m_hat / (np.sqrt(v_hat) + epsilon), m, v


def l2_penalty(weights, lam):
    r""":math:`\frac{\lambda}{2}\sum_l \lVert W_l \rVert^2`."""
    return 0.5 * lam * sum(float(np.sum(W ** 2)) for W in weights)


def l2_gradient(dW, W, lam):
    r""":math:`dW + \lambda W`."""
    return dW + lam * W


def dropout_forward(X, p, rng):
    r"""Inverted dropout: keep with probability q = 1 - p, scale by 1/q; returns (out, mask)."""
    q = 1.0 - p
    mask = (rng.random(X.shape) < q) / q
    return X * mask, mask


def dropout_backward(dout, mask):
    return dout * mask


def he_init(n_in, n_out, rng):
    r"""He normal initialisation: :math:`\mathcal N(0, 2/n_{in})`, shape (n_in, n_out)."""
    return rng.normal(0.0, np.sqrt(2.0 / n_in), size=(n_in, n_out))


def should_stop(val_losses, patience):
    """True when the best validation loss is at least ``patience`` epochs old."""
    val_losses = np.asarray(val_losses, dtype=float)
    return bool(len(val_losses) - 1 - int(np.argmin(val_losses)) >= patience)


# ----------------------------------------------------------------------------- 09 MNIST
def flatten_images(images):
    """uint8 images (n, 28, 28) -> float32 rows (n, 784) in [0, 1]."""
    return images.reshape(images.shape[0], -1).astype(np.float32) / np.float32(255)


def confusion_matrix(y_true, y_pred, k):
    """M[i, j] = how many samples of true class i were predicted as j; (k, k) ints."""
    M = np.zeros((k, k), dtype=np.int64)
    np.add.at(M, (y_true, y_pred), 1)
    return M


def most_confused(cm, top):
    """The ``top`` largest off-diagonal entries as rows (true, predicted, count), largest first."""
    cm = np.asarray(cm)
    pairs = [(int(cm[i, j]), i, j) for i in range(cm.shape[0]) for j in range(cm.shape[1]) if i != j]
    pairs.sort(key=lambda t: (-t[0], t[1], t[2]))
    return np.array([(i, j, c) for c, i, j in pairs[:top]], dtype=np.int64).reshape(-1, 3)


def build_mnist_model(seed):
    """784 -> 64 (ReLU) -> 10 logits, softmax cross-entropy."""
    from nnlib.layers import Dense
    from nnlib.network import Network
    return Network([Dense(784, 64, "relu", dtype=np.float32), Dense(64, 10, dtype=np.float32)],
                   loss="softmax_cross_entropy", seed=seed)


def train_mnist(X_train, y_train):
    """A 784-64-10 network trained with momentum SGD: about 96.5% test accuracy."""
    from nnlib.optimizers import Momentum
    model = build_mnist_model(0)
    model.fit(X_train, y_train, epochs=2, batch_size=128, optimizer=Momentum(0.1, 0.9),
              verbose=False, seed=0)
    return model
