"""Optimizers: updates against numbers worked out by hand from the textbook formulas."""
from __future__ import annotations

import numpy as np
import pytest

from nnlib import Dense, Network
from nnlib.optimizers import SGD, Adam, Momentum, get_optimizer

# Three steps on theta = [1, -2] with gradients g1 = g2 = [0.5, -1], g3 = [2, 0].
GRADS = [np.array([0.5, -1.0]), np.array([0.5, -1.0]), np.array([2.0, 0.0])]


def run(optimizer, grads=GRADS, start=(1.0, -2.0)):
    theta = np.array(start)
    trail = []
    for g in grads:
        optimizer.step([("theta", theta, g)])
        trail.append(theta.copy())
    return trail


def test_sgd_by_hand():
    # theta <- theta - 0.1 g
    # 1: [1 - 0.05, -2 + 0.1] = [0.95, -1.9]
    # 2: [0.9, -1.8]
    # 3: [0.9 - 0.2, -1.8 - 0] = [0.7, -1.8]
    trail = run(SGD(learning_rate=0.1))
    np.testing.assert_allclose(trail, [[0.95, -1.9], [0.9, -1.8], [0.7, -1.8]], rtol=0, atol=1e-15)


def test_momentum_by_hand():
    # v <- 0.9 v - 0.1 g ; theta <- theta + v, v starts at 0
    # 1: v = [-0.05, 0.1]                                  theta = [0.95, -1.9]
    # 2: v = [-0.045 - 0.05, 0.09 + 0.1] = [-0.095, 0.19]  theta = [0.855, -1.71]
    # 3: v = [-0.0855 - 0.2, 0.171 - 0] = [-0.2855, 0.171] theta = [0.5695, -1.539]
    trail = run(Momentum(learning_rate=0.1, momentum=0.9))
    np.testing.assert_allclose(trail, [[0.95, -1.9], [0.855, -1.71], [0.5695, -1.539]], rtol=0, atol=1e-15)


def test_adam_by_hand():
    # beta1 = 0.9, beta2 = 0.999, eps = 1e-8, eta = 0.1
    # 1: m = 0.1 g = [0.05, -0.1], v = 0.001 g^2 = [0.00025, 0.001]
    #    m_hat = m / 0.1 = [0.5, -1], v_hat = v / 0.001 = [0.25, 1]
    #    step = 0.1 * m_hat / (sqrt(v_hat) + 1e-8) = [0.1 / (1 + 2e-8), -0.1 / (1 + 1e-8)]
    #    theta = [0.9 + 2e-9, -1.9 - 1e-9]
    # 2: m = [0.095, -0.19], 1 - 0.9^2 = 0.19 -> m_hat = [0.5, -1]
    #    v = [0.00049975, 0.001999], 1 - 0.999^2 = 0.001999 -> v_hat = [0.25, 1]
    #    the same step again: theta = [0.8 + 4e-9, -1.8 - 2e-9]
    # 3: m = [0.0855 + 0.2, -0.171] = [0.2855, -0.171], 1 - 0.9^3 = 0.271
    #    m_hat = [1.05350553505535, -0.63099630996310]
    #    v = [0.000499250250 + 0.004, 0.001997001] = [0.00449925025, 0.001997001], 1 - 0.999^3 = 0.002997001
    #    v_hat = [1.50125112404033, 0.66633311100000]
    #    step = 0.1 * m_hat / (sqrt(v_hat) + 1e-8) = [0.0859825195572, -0.0773002868842]
    #    theta = [0.7140174804428, -1.7226997131158]
    trail = run(Adam(learning_rate=0.1))
    expected = [[0.900000002, -1.900000001], [0.800000004, -1.800000002], [0.7140174804428, -1.7226997131158]]
    np.testing.assert_allclose(trail, expected, rtol=0, atol=1e-12)


def test_adam_first_step_has_the_size_of_the_learning_rate_whatever_the_gradient_scale():
    theta = np.zeros(3)
    Adam(learning_rate=0.01).step([("t", theta, np.array([1e-3, -1.0, 1e3]))])
    np.testing.assert_allclose(theta, [-0.01, 0.01, -0.01], rtol=1e-4)


def test_state_is_kept_per_key():
    opt = Momentum(learning_rate=0.1, momentum=0.9)
    a, b = np.zeros(2), np.zeros(2)
    g = np.ones(2)
    opt.step([("a", a, g)])
    opt.step([("a", a, g), ("b", b, g)])
    # a has velocity -0.1 then -0.19; b starts fresh: -0.1
    np.testing.assert_allclose(a, [-0.29, -0.29])
    np.testing.assert_allclose(b, [-0.1, -0.1])
    assert set(opt.state) == {"a", "b"}
    np.testing.assert_allclose(opt.state["a"]["v"], [-0.19, -0.19])

    adam = Adam(learning_rate=0.1)
    adam.step([("a", np.zeros(2), g)])
    adam.step([("a", np.zeros(2), g), ("b", np.zeros(3), np.ones(3))])
    assert adam.state["a"]["t"] == 2 and adam.state["b"]["t"] == 1
    assert adam.state["b"]["m"].shape == (3,)


@pytest.mark.parametrize("make", [lambda: Momentum(0.1), lambda: Adam(0.1)])
def test_reset_forgets_the_state(make):
    opt = make()
    first = run(opt)[0]
    opt.reset()
    assert opt.state == {}
    np.testing.assert_array_equal(run(opt)[0], first)  # acts like its first step again


def test_sgd_step_on_network_parameters():
    net = Network([Dense(3, 4, "tanh"), Dense(4, 2)], loss="mse", seed=0)
    X = np.random.default_rng(1).standard_normal((5, 3))
    y = np.random.default_rng(2).standard_normal((5, 2))
    net.compute_gradients(X, y)
    expected = [p - 0.5 * g for _, p, g in net.parameters()]
    SGD(0.5).step(net.parameters())
    for e, (_, p, _) in zip(expected, net.parameters()):
        np.testing.assert_allclose(p, e)


@pytest.mark.parametrize("cls", [SGD, Momentum, Adam])
def test_float32_parameters_stay_float32(cls):
    theta = np.ones(3, dtype=np.float32)
    opt = cls(learning_rate=0.1)
    opt.step([("t", theta, np.ones(3, dtype=np.float64))])
    opt.step([("t", theta, np.ones(3, dtype=np.float32))])
    assert theta.dtype == np.float32 and np.all(theta < 1)


@pytest.mark.parametrize("cls", [SGD, Momentum, Adam])
@pytest.mark.parametrize("lr", [0, -0.1, float("nan"), float("inf"), "fast", None])
def test_invalid_learning_rates(cls, lr):
    with pytest.raises(ValueError, match="learning_rate must be a positive number"):
        cls(learning_rate=lr)


def test_invalid_hyperparameters():
    with pytest.raises(ValueError, match=r"momentum must be a number in \[0, 1\), got 1.0"):
        Momentum(0.1, momentum=1.0)
    with pytest.raises(ValueError, match=r"beta1 must be a number in \[0, 1\), got 1.0"):
        Adam(0.1, beta1=1.0)
    with pytest.raises(ValueError, match="beta2"):
        Adam(0.1, beta2=-0.5)
    with pytest.raises(ValueError, match="Adam: epsilon must be a positive number, got 0"):
        Adam(0.1, epsilon=0)


def test_get_optimizer():
    assert isinstance(get_optimizer("SGD"), SGD)
    assert get_optimizer("adam").learning_rate == 0.001
    assert get_optimizer("momentum", 0.3).learning_rate == 0.3
    opt = Adam(0.01)
    assert get_optimizer(opt) is opt and opt.learning_rate == 0.01
    assert get_optimizer(opt, 0.05) is opt and opt.learning_rate == 0.05
    with pytest.raises(ValueError, match="learning_rate must be a positive number"):
        get_optimizer(opt, -1)
    with pytest.raises(ValueError, match="unknown optimizer 'rmsprop'; choose one of: adam, momentum, sgd"):
        get_optimizer("rmsprop")
    assert repr(SGD(0.2)) == "SGD(learning_rate=0.2)"


@pytest.mark.parametrize("cls", [SGD, Momentum, Adam])
def test_gradient_is_left_untouched(cls):
    """The updates work in memory of their own: the gradient passed in keeps its values."""
    theta, g = np.ones(4), np.array([0.5, -1.0, 2.0, 0.0])
    cls(learning_rate=0.1).step([("t", theta, g)])
    np.testing.assert_array_equal(g, [0.5, -1.0, 2.0, 0.0])


def test_sgd_has_no_state_and_serves_networks_of_any_shape():
    """SGD remembers nothing between steps, so one instance may train one network after another."""
    opt = SGD(0.5)
    a, b = np.zeros(3), np.zeros((2, 2))
    opt.step([("layer0.W", a, np.ones(3))])
    opt.step([("layer0.W", b, np.ones((2, 2)))])  # same key, another shape
    np.testing.assert_array_equal(a, -0.5)
    np.testing.assert_array_equal(b, -0.5)
    assert opt.state == {}
