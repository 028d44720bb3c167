"""Buggy submissions: the mistakes learners really make, at least one per graded function.

``BUGS[exercise]`` is a list of ``(what, source, hint)``: ``source`` replaces the
solution cell of that exercise (the whole ``def``), and ``hint`` is a piece of
text the feedback must contain (the hint tied to that mistake), or ``None``
when only the failure itself is asserted. Each buggy notebook must lose exactly
the points of that one exercise.
"""

BUGS = {
    # ---------------------------------------------------------------- 01 neuron
    "weighted_sum": [
        ("forgot the bias", "def weighted_sum(x, w, b):\n    return x @ w", "left out the bias"),
        ("summed the whole batch", "def weighted_sum(x, w, b):\n    return np.sum(x * w) + b", "whole batch"),
    ],
    "neuron_output": [
        ("returned z", "def neuron_output(x, w, b):\n    return weighted_sum(x, w, b)", "weighted input"),
        ("wrong sign in exp", "def neuron_output(x, w, b):\n    return 1 / (1 + np.exp(weighted_sum(x, w, b)))",
         "sign in the exponent"),
    ],
    "perceptron_predict": [
        ("> instead of >=", "def perceptron_predict(X, w, b):\n    return (X @ w + b > 0).astype(int)", "z >= 0"),
        ("booleans", "def perceptron_predict(X, w, b):\n    return X @ w + b >= 0", "wrong dtype"),
    ],
    "gate_weights": [
        ("OR bias too low", "def gate_weights(gate):\n"
         "    if gate == 'and':\n        return np.array([1.0, 1.0]), -1.5\n"
         "    if gate == 'or':\n        return np.array([1.0, 1.0]), -1.5\n    return np.array([-1.0, -1.0]), 1.5",
         "does not compute OR"),
    ],
    # ---------------------------------------------------------------- 02 activations
    "sigmoid": [
        ("sign", "def sigmoid(z):\n    return 1 / (1 + np.exp(z))", "sign in the exponent"),
        ("minus in denominator", "def sigmoid(z):\n    return 1 / (1 - np.exp(-z))", "not 1 - e^(-z)"),
        ("overflows for very negative z", "def sigmoid(z):\n    return 1 / (1 + np.exp(-z))", "never overflows"),
        ("np.where over two overflowing branches",
         "def sigmoid(z):\n    return np.where(z >= 0, 1 / (1 + np.exp(-z)), np.exp(z) / (1 + np.exp(z)))",
         "np.where computes both"),
    ],
    "sigmoid_prime": [
        ("returned sigmoid", "def sigmoid_prime(z):\n    return sigmoid(z)", "sigmoid(z) itself"),
        ("z(1-z)", "def sigmoid_prime(z):\n    return z * (1 - z)", "apply it to sigmoid(z)"),
        ("exp form, NaN for large |z|", "def sigmoid_prime(z):\n    e = np.exp(-z)\n    return e / (1 + e) ** 2",
         "inf / inf is NaN"),
    ],
    "tanh": [
        ("forgot the 2 inside", "def tanh(z):\n    return 2 * sigmoid(z) - 1", "argument is 2z"),
        ("used np.tanh", "def tanh(z):\n    return np.tanh(z)", "np.tanh"),
        ("overflowing formula", "def tanh(z):\n    return (np.exp(z) - np.exp(-z)) / (np.exp(z) + np.exp(-z))",
         "overflows"),
    ],
    "tanh_prime": [
        ("1 - z^2", "def tanh_prime(z):\n    return 1 - z ** 2", "apply it to tanh(z)"),
        ("forgot the square", "def tanh_prime(z):\n    return 1 - np.tanh(z)", "Square the tanh"),
    ],
    "relu": [
        ("np.max", "def relu(z):\n    return np.max(z, 0)", "elementwise"),
        ("derivative instead", "def relu(z):\n    return (z > 0).astype(float)", "relu_prime"),
    ],
    "relu_prime": [
        (">= at the kink", "def relu_prime(z):\n    return (z >= 0).astype(float)", "kink"),
        ("booleans", "def relu_prime(z):\n    return z > 0", "wrong dtype"),
    ],
    "softmax": [
        ("no max subtraction", "def softmax(z):\n    e = np.exp(z)\n    return e / e.sum(axis=1, keepdims=True)",
         "Subtract each row's maximum"),
        ("global max", "def softmax(z):\n    e = np.exp(z - np.max(z))\n    return e / e.sum(axis=1, keepdims=True)",
         "not the maximum of the whole array"),
        ("wrong axis", "def softmax(z):\n    e = np.exp(z - z.max(axis=0))\n    return e / e.sum(axis=0)",
         "Normalise each row"),
    ],
    # ---------------------------------------------------------------- 03 layers
    "dense_forward": [
        ("forgot the bias", "def dense_forward(X, W, b):\n    return X @ W", "left out the bias"),
        ("transposed W", "def dense_forward(X, W, b):\n    return X @ W.T + b", None),
    ],
    "layer_forward": [
        ("forgot g", "def layer_forward(X, W, b, g):\n    return X @ W + b", "output is g(Z)"),
        ("bias after g", "def layer_forward(X, W, b, g):\n    return g(X @ W) + b", "before the activation"),
    ],
    "two_layer_forward": [
        ("no hidden activation",
         "def two_layer_forward(X, W1, b1, W2, b2):\n    return sigmoid((X @ W1 + b1) @ W2 + b2)",
         "hidden layer needs its sigmoid"),
        ("no output activation", "def two_layer_forward(X, W1, b1, W2, b2):\n    return sigmoid(X @ W1 + b1) @ W2 + b2",
         "output layer needs its sigmoid"),
    ],
    "mlp_forward": [
        ("ReLU on the last layer too", "def mlp_forward(X, params):\n    A = X\n    for W, b in params:\n"
         "        A = relu(A @ W + b)\n    return A", "last layer has no ReLU"),
    ],
    "xor_weights": [
        ("weights in rows instead of columns",
         "def xor_weights():\n    W1 = np.array([[1.0, 1.0], [-1.0, -1.0]])\n    b1 = np.array([-0.5, 1.5])\n"
         "    W2 = np.array([[1.0], [1.0]])\n    b2 = np.array([-1.5])\n    return W1, b1, W2, b2",
         "does not compute XOR"),
        ("b2 as a number of wrong shape",
         "def xor_weights():\n    W1 = np.array([[1.0, -1.0], [1.0, -1.0]])\n    b1 = np.array([-0.5, 1.5])\n"
         "    W2 = np.array([1.0, 1.0])\n    b2 = np.array([-1.5])\n    return W1, b1, W2, b2", "W2 has shape"),
    ],
    "predict_classes": [
        ("axis 0", "def predict_classes(P):\n    return P.argmax(axis=0)", "axis=1"),
        ("argmax for one column", "def predict_classes(P):\n    return P.argmax(axis=1)", "argmax is always 0"),
    ],
    "count_parameters": [
        ("forgot biases", "def count_parameters(layer_sizes):\n"
         "    return sum(a * b for a, b in zip(layer_sizes[:-1], layer_sizes[1:]))", "biases too"),
    ],
    # ---------------------------------------------------------------- 04 costs
    "mse": [
        ("np.mean", "def mse(a, y):\n    return np.mean((a - y) ** 2)", "np.mean divides"),
        ("forgot 1/2", "def mse(a, y):\n    return np.sum((a - y) ** 2) / a.shape[0]", "Keep the factor 1/2"),
    ],
    "mse_gradient": [
        ("forgot /n", "def mse_gradient(a, y):\n    return a - y", "Divide by n"),
        ("sign", "def mse_gradient(a, y):\n    return (y - a) / a.shape[0]", "The sign"),
    ],
    "one_hot": [
        ("transposed",
         "def one_hot(y, k):\n    out = np.zeros((k, len(y)))\n    out[y, np.arange(len(y))] = 1\n    return out",
         "(n, k)"),
        ("k from the data", "def one_hot(y, k):\n    out = np.zeros((len(y), y.max() + 1))\n"
         "    out[np.arange(len(y)), y] = 1\n    return out", "wrong shape"),
    ],
    "cross_entropy": [
        ("summed", "def cross_entropy(p, y):\n    return -np.sum(np.log(p[np.arange(len(y)), y]))",
         "Average over the samples"),
        ("p[:, y]", "def cross_entropy(p, y):\n    return -np.mean(np.log(p[:, y]))", "whole columns"),
    ],
    "binary_cross_entropy": [
        ("one term only", "def binary_cross_entropy(p, y):\n    return -np.mean(y * np.log(p))", "Both terms count"),
    ],
    "softmax_cross_entropy_gradient": [
        ("summed instead of averaged", "def softmax_cross_entropy_gradient(z, y):\n"
         "    return softmax(z) - one_hot(y, z.shape[1])", "summed instead of averaged"),
        ("integer labels", "def softmax_cross_entropy_gradient(z, y):\n"
         "    return (softmax(z) - y[:, None]) / z.shape[0]", "one-hot labels"),
    ],
    # ---------------------------------------------------------------- 05 gradient descent
    "gradient_descent_step": [
        ("ascent", "def gradient_descent_step(w, grad, learning_rate):\n    return w + learning_rate * grad",
         "against the gradient"),
        ("in place", "def gradient_descent_step(w, grad, learning_rate):\n    w -= learning_rate * grad\n    return w",
         "in place"),
    ],
    "minimize": [
        ("one step too few", "def minimize(grad_f, x0, learning_rate, steps):\n    x = x0.copy()\n"
         "    for _ in range(steps - 1):\n        x = x - learning_rate * grad_f(x)\n    return x", "one fewer"),
        ("changes x0", "def minimize(grad_f, x0, learning_rate, steps):\n    x = x0\n"
         "    for _ in range(steps):\n        x -= learning_rate * grad_f(x)\n    return x", "in place"),
        ("returns x0 itself for 0 steps", "def minimize(grad_f, x0, learning_rate, steps):\n    x = x0\n"
         "    for _ in range(steps):\n        x = x - learning_rate * grad_f(x)\n    return x", "copy of x0"),
    ],
    "linear_regression_gradient": [
        ("forgot /n", "def linear_regression_gradient(X, y, w, b):\n    r = X @ w + b - y\n    return X.T @ r, r.sum()",
         "Divide by n"),
        ("X @ r", "def linear_regression_gradient(X, y, w, b):\n    r = X @ w + b - y\n"
         "    return X @ r / len(y), r.mean()", None),
    ],
    "fit_linear": [
        ("ascent", "def fit_linear(X, y, learning_rate, epochs):\n    w, b = np.zeros(X.shape[1]), 0.0\n"
         "    for _ in range(epochs):\n        dw, db = linear_regression_gradient(X, y, w, b)\n"
         "        w, b = w + learning_rate * dw, b + learning_rate * db\n    return w, b", "climbed"),
        ("forgot to update b", "def fit_linear(X, y, learning_rate, epochs):\n    w, b = np.zeros(X.shape[1]), 0.0\n"
         "    for _ in range(epochs):\n        dw, db = linear_regression_gradient(X, y, w, b)\n"
         "        w = w - learning_rate * dw\n    return w, b", None),
    ],
    # ---------------------------------------------------------------- 06 backpropagation
    "sigmoid_backward": [
        ("sigmoid instead of sigmoid_prime", "def sigmoid_backward(dA, Z):\n    return dA * sigmoid(Z)",
         "not by sigmoid(Z) itself"),
        ("matrix product", "def sigmoid_backward(dA, Z):\n    return dA @ sigmoid_prime(Z)", None),
    ],
    "affine_backward": [
        ("transposed weight gradient", "def affine_backward(dZ, X, W):\n    return dZ @ W.T, dZ.T @ X, dZ.sum(axis=0)",
         "dW is transposed"),
        ("averaged db", "def affine_backward(dZ, X, W):\n    return dZ @ W.T, X.T @ dZ, dZ.mean(axis=0)",
         "you averaged it"),
    ],
    "network_backward": [
        ("no sigmoid_prime", "def network_backward(X, y, W1, b1, W2, b2):\n    n, k = X.shape[0], W2.shape[1]\n"
         "    A1 = sigmoid(X @ W1 + b1)\n    d2 = (softmax(A1 @ W2 + b2) - one_hot(y, k)) / n\n"
         "    dA1, dW2, db2 = affine_backward(d2, A1, W2)\n    _, dW1, db1 = affine_backward(dA1, X, W1)\n"
         "    return dW1, db1, dW2, db2", "sigmoid_prime(Z1)"),
        ("sigmoid_prime of A1", "def network_backward(X, y, W1, b1, W2, b2):\n    n, k = X.shape[0], W2.shape[1]\n"
         "    A1 = sigmoid(X @ W1 + b1)\n    d2 = (softmax(A1 @ W2 + b2) - one_hot(y, k)) / n\n"
         "    dA1, dW2, db2 = affine_backward(d2, A1, W2)\n"
         "    _, dW1, db1 = affine_backward(sigmoid_backward(dA1, A1), X, W1)\n"
         "    return dW1, db1, dW2, db2", "not A1"),
    ],
    "numerical_gradient": [
        ("forward difference", "def numerical_gradient(f, x, h):\n    grad = np.zeros_like(x, dtype=float)\n"
         "    for i in np.ndindex(x.shape):\n        xp = x.copy()\n        xp[i] += h\n"
         "        grad[i] = (f(xp) - f(x)) / h\n    return grad", "centred differences"),
        ("not restoring x", "def numerical_gradient(f, x, h):\n    grad = np.zeros_like(x, dtype=float)\n"
         "    for i in np.ndindex(x.shape):\n        x[i] += h\n        fp = f(x)\n        x[i] -= 2 * h\n"
         "        fm = f(x)\n        grad[i] = (fp - fm) / (2 * h)\n    return grad", "in place"),
    ],
    "rel_error": [
        ("mean instead of max", "def rel_error(a, b):\n"
         "    return np.mean(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b)))", "np.max"),
        ("no guard against 0/0",
         "def rel_error(a, b):\n    return np.max(np.abs(a - b) / (np.abs(a) + np.abs(b)))", None),
    ],
    # ---------------------------------------------------------------- 07 training
    "minibatches": [
        ("drops the last batch", "def minibatches(X, y, batch_size, rng):\n    idx = rng.permutation(len(X))\n"
         "    for k in range(len(X) // batch_size):\n        part = idx[k * batch_size:(k + 1) * batch_size]\n"
         "        yield X[part], y[part]", "last, smaller batch is missing"),
        ("shuffles X and y separately", "def minibatches(X, y, batch_size, rng):\n    Xs = X[rng.permutation(len(X))]\n"
         "    ys = y[rng.permutation(len(y))]\n    for s in range(0, len(X), batch_size):\n"
         "        yield Xs[s:s + batch_size], ys[s:s + batch_size]", "Shuffle X and y together"),
        ("no shuffle", "def minibatches(X, y, batch_size, rng):\n    for s in range(0, len(X), batch_size):\n"
         "        yield X[s:s + batch_size], y[s:s + batch_size]", "not shuffled"),
        ("shuffles with np.random", "def minibatches(X, y, batch_size, rng):\n    idx = np.random.permutation(len(X))\n"
         "    for s in range(0, len(X), batch_size):\n        part = idx[s:s + batch_size]\n"
         "        yield X[part], y[part]", "not with np.random"),
    ],
    "train_epoch": [
        ("param = param - ...", "def train_epoch(network, batches, learning_rate):\n    total, count = 0.0, 0\n"
         "    for Xb, yb in batches:\n        loss = network.compute_gradients(Xb, yb)\n"
         "        for key, param, grad in network.parameters():\n            param = param - learning_rate * grad\n"
         "        total += loss * len(Xb)\n        count += len(Xb)\n    return total / count", "in place"),
        ("plain mean of batch losses", "def train_epoch(network, batches, learning_rate):\n    losses = []\n"
         "    for Xb, yb in batches:\n        losses.append(network.compute_gradients(Xb, yb))\n"
         "        for key, param, grad in network.parameters():\n            param -= learning_rate * grad\n"
         "    return np.mean(losses)", "Weight each batch"),
        ("used fit", "def train_epoch(network, batches, learning_rate):\n    for Xb, yb in batches:\n"
         "        network.fit(Xb, yb, epochs=1, batch_size=len(Xb), learning_rate=learning_rate, verbose=False)\n"
         "    return 0.0", "Network.fit"),
    ],
    "train": [
        ("gradient ascent", "def train(network, X, y, epochs, batch_size, learning_rate, seed):\n"
         "    rng = np.random.default_rng(seed)\n"
         "    return [train_epoch(network, list(minibatches(X, y, batch_size, rng)), -learning_rate)\n"
         "            for _ in range(epochs)]", "did not go down"),
        ("one epoch only", "def train(network, X, y, epochs, batch_size, learning_rate, seed):\n"
         "    rng = np.random.default_rng(seed)\n"
         "    return [train_epoch(network, list(minibatches(X, y, batch_size, rng)), learning_rate)]",
         "one per epoch"),
        ("new generator every epoch", "def train(network, X, y, epochs, batch_size, learning_rate, seed):\n"
         "    losses = []\n    for epoch in range(epochs):\n        rng = np.random.default_rng(seed)\n"
         "        losses.append(train_epoch(network, list(minibatches(X, y, batch_size, rng)), learning_rate))\n"
         "    return losses", "same shuffle"),
    ],
    # ---------------------------------------------------------------- 08 training better
    "momentum_update": [
        ("the other convention", "def momentum_update(w, dw, v, learning_rate, momentum):\n"
         "    v = momentum * v + dw\n    return w - learning_rate * v, v", "other common form"),
        ("old velocity", "def momentum_update(w, dw, v, learning_rate, momentum):\n"
         "    w = w + v\n    v = momentum * v - learning_rate * dw\n    return w, v", "Update the velocity first"),
    ],
    "adam_update": [
        ("no bias correction", "def adam_update(w, dw, m, v, t, learning_rate, beta1, beta2, epsilon):\n"
         "    m = beta1 * m + (1 - beta1) * dw\n    v = beta2 * v + (1 - beta2) * dw ** 2\n"
         "    return w - learning_rate * m / (np.sqrt(v) + epsilon), m, v", "bias"),
        ("epsilon inside the root", "def adam_update(w, dw, m, v, t, learning_rate, beta1, beta2, epsilon):\n"
         "    m = beta1 * m + (1 - beta1) * dw\n    v = beta2 * v + (1 - beta2) * dw ** 2\n"
         "    m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)\n"
         "    return w - learning_rate * m_hat / np.sqrt(v_hat + epsilon), m, v", "outside the square root"),
    ],
    "l2_penalty": [
        ("forgot 1/2", "def l2_penalty(weights, lam):\n    return lam * sum(np.sum(W ** 2) for W in weights)",
         "Keep the 1/2"),
    ],
    "l2_gradient": [
        ("2 lambda W", "def l2_gradient(dW, W, lam):\n    return dW + 2 * lam * W", "cancels the 2"),
    ],
    "dropout_forward": [
        ("not scaled", "def dropout_forward(X, p, rng):\n    mask = (rng.random(X.shape) >= p).astype(float)\n"
         "    return X * mask, mask", "not scaled"),
        ("p as keep probability", "def dropout_forward(X, p, rng):\n"
         "    mask = (rng.random(X.shape) < p) / p if p else np.ones_like(X)\n"
         "    return X * mask, mask", None),
        ("global np.random", "def dropout_forward(X, p, rng):\n    q = 1 - p\n"
         "    mask = (np.random.random(X.shape) < q) / q\n    return X * mask, mask", "not from np.random"),
    ],
    "dropout_backward": [
        ("ignores the mask", "def dropout_backward(dout, mask):\n    return dout", "multiply dout by the mask"),
    ],
    "he_init": [
        ("n_out", "def he_init(n_in, n_out, rng):\n    return rng.normal(0, np.sqrt(2 / n_out), size=(n_in, n_out))",
         "n_in (the fan-in)"),
        ("variance as std", "def he_init(n_in, n_out, rng):\n    return rng.normal(0, 2 / n_in, size=(n_in, n_out))",
         "is the variance"),
    ],
    "should_stop": [
        ("> instead of >=", "def should_stop(val_losses, patience):\n"
         "    return bool(len(val_losses) - 1 - int(np.argmin(val_losses)) > patience)", ">=, not >"),
        ("returns an int", "def should_stop(val_losses, patience):\n"
         "    return int(len(val_losses) - 1 - int(np.argmin(val_losses)) >= patience)", "True or False"),
        ("an equal value counts as improvement", "def should_stop(val_losses, patience):\n"
         "    best = len(val_losses) - 1 - int(np.argmin(val_losses[::-1]))\n"
         "    return bool(len(val_losses) - 1 - best >= patience)", "equal to the best is no improvement"),
    ],
    # ---------------------------------------------------------------- 09 MNIST
    "flatten_images": [
        ("not scaled", "def flatten_images(images):\n    return images.reshape(len(images), -1).astype(np.float32)",
         "divide by 255"),
        ("float64", "def flatten_images(images):\n    return images.reshape(len(images), -1) / 255", "float32"),
    ],
    "confusion_matrix": [
        ("transposed", "def confusion_matrix(y_true, y_pred, k):\n    M = np.zeros((k, k), dtype=int)\n"
         "    np.add.at(M, (y_pred, y_true), 1)\n    return M", "Rows are the true classes"),
        ("fancy-index +=", "def confusion_matrix(y_true, y_pred, k):\n    M = np.zeros((k, k), dtype=int)\n"
         "    M[y_true, y_pred] += 1\n    return M", None),
    ],
    "most_confused": [
        ("includes the diagonal", "def most_confused(cm, top):\n    k = cm.shape[0]\n"
         "    pairs = sorted(((int(cm[i, j]), i, j) for i in range(k) for j in range(k)),\n"
         "                   key=lambda t: (-t[0], t[1], t[2]))\n"
         "    return np.array([(i, j, c) for c, i, j in pairs[:top]])", "Leave out the diagonal"),
    ],
    "build_mnist_model": [
        ("softmax on the last layer", "def build_mnist_model(seed):\n"
         "    return Network([Dense(784, 64, 'relu'), Dense(64, 10, 'softmax')], loss='mse', seed=seed)",
         "no activation"),
        ("float64 layers", "def build_mnist_model(seed):\n    return Network([Dense(784, 64, 'relu'), Dense(64, 10)],"
         " loss='softmax_cross_entropy', seed=seed)", "float32"),
    ],
    "train_mnist": [
        ("far too little training", "def train_mnist(X_train, y_train):\n    model = build_mnist_model(0)\n"
         "    model.fit(X_train[:500], y_train[:500], epochs=1, batch_size=100, learning_rate=0.01, verbose=False)\n"
         "    return model", "at least 95%"),
    ],
}
