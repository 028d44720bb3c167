"""Activations: every derivative against centred finite differences, stability at
+-1e4, and the properties of softmax (checked by hypothesis on random inputs)."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from nnlib import activations as act
from nnlib.activations import ACTIVATIONS, get_activation, softmax, softmax_backward, softmax_prime
from nnlib.gradient_check import derivative, numerical_gradient, numerical_gradient_array, rel_error

TOL = 1e-6
ELEMENTWISE = {
    "step": (act.step, act.step_prime),
    "identity": (act.identity, act.identity_prime),
    "sigmoid": (act.sigmoid, act.sigmoid_prime),
    "tanh": (act.tanh, act.tanh_prime),
    "relu": (act.relu, act.relu_prime),
    "leaky_relu": (act.leaky_relu, act.leaky_relu_prime),
}
ELEMENTWISE_NAMES = sorted(ELEMENTWISE)


def away_from_kinks(shape, seed=0):
    """float64 values in [-5, -0.1] U [0.1, 5]: no point within a finite-difference step of 0,
    where relu, leaky_relu and step have their kinks."""
    rng = np.random.default_rng(seed)
    return rng.choice([-1.0, 1.0], size=shape) * rng.uniform(0.1, 5.0, size=shape)


# -- function values -------------------------------------------------------------------------
def test_known_values():
    z = np.array([-2.0, -0.5, 0.0, 0.5, 2.0])
    np.testing.assert_array_equal(act.step(z), [0, 0, 1, 1, 1])
    np.testing.assert_array_equal(act.identity(z), z)
    np.testing.assert_allclose(act.sigmoid(z), 1 / (1 + np.exp(-z)), rtol=1e-14)
    np.testing.assert_allclose(act.tanh(z), np.tanh(z))
    np.testing.assert_array_equal(act.relu(z), [0, 0, 0, 0.5, 2])
    np.testing.assert_allclose(act.leaky_relu(z), [-0.02, -0.005, 0, 0.5, 2])
    np.testing.assert_allclose(act.leaky_relu(z, alpha=0.2), [-0.4, -0.1, 0, 0.5, 2])
    assert act.sigmoid(0.0) == 0.5
    assert act.sigmoid_prime(0.0) == 0.25
    np.testing.assert_allclose(softmax(np.array([[0.0, np.log(3.0)]])), [[0.25, 0.75]])


def test_derivatives_at_the_kinks_follow_the_stated_convention():
    # relu'(0) = 0 and leaky'(0) = alpha (the docstrings' choice); the step is flat everywhere
    assert act.relu_prime(np.array([0.0]))[0] == 0.0
    assert act.leaky_relu_prime(np.array([0.0]))[0] == 0.01
    np.testing.assert_array_equal(act.step_prime(np.array([-1.0, 0.0, 1.0])), 0.0)


@pytest.mark.parametrize("name", ELEMENTWISE_NAMES)
def test_prime_matches_finite_differences(name):
    f, fprime = ELEMENTWISE[name]
    z = away_from_kinks((7, 5))
    assert rel_error(fprime(z), derivative(f, z)) < TOL


@pytest.mark.parametrize("alpha", [0.01, 0.1, 0.3])
def test_leaky_relu_prime_with_other_alphas(alpha):
    z = away_from_kinks((4, 6), seed=1)
    num = derivative(lambda x: act.leaky_relu(x, alpha), z)
    assert rel_error(act.leaky_relu_prime(z, alpha), num) < TOL


@pytest.mark.parametrize("name", sorted(set(ACTIVATIONS) - {"softmax"}))
def test_registry_pair_der_matches_finite_differences(name):
    pair = ACTIVATIONS[name]
    assert pair.name in ELEMENTWISE
    z = away_from_kinks((6, 4), seed=2)
    assert rel_error(pair.der(z), derivative(pair.output, z)) < TOL
    np.testing.assert_array_equal(pair(z), pair.output(z))


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_registry_backward_is_the_vector_jacobian_product(name):
    """backward(dout, z, a) must equal d/dz of sum(g(z) * dout), for softmax too."""
    pair = ACTIVATIONS[name]
    rng = np.random.default_rng(3)
    z = away_from_kinks((5, 4), seed=3)
    dout = rng.standard_normal(z.shape)
    analytic = pair.backward(dout, z.copy(), pair.output(z))
    numeric = numerical_gradient_array(lambda: pair.output(z), z, dout)
    assert analytic.shape == z.shape
    assert rel_error(analytic, numeric) < TOL


def test_softmax_jacobian_matches_finite_differences():
    rng = np.random.default_rng(4)
    z = rng.standard_normal((3, 5))
    jac = softmax_prime(z)
    assert jac.shape == (3, 5, 5)
    for i in range(z.shape[0]):
        row = z[i].copy()
        for k in range(z.shape[1]):
            # d s_k / d z_j, j = 0..4, is row k of the Jacobian
            num = numerical_gradient(lambda row=row, k=k: softmax(row)[k], row)
            assert rel_error(jac[i, k], num) < TOL


def test_softmax_backward_equals_jacobian_product():
    rng = np.random.default_rng(5)
    z, dout = rng.standard_normal((4, 6)), rng.standard_normal((4, 6))
    via_jacobian = np.einsum("bk,bkj->bj", dout, softmax_prime(z))
    assert rel_error(softmax_backward(dout, z, softmax(z)), via_jacobian) < 1e-12


def test_functions_are_vectorized_and_keep_shape():
    z = away_from_kinks((2, 3, 4), seed=6)
    for name in ELEMENTWISE_NAMES:
        f, fprime = ELEMENTWISE[name]
        assert f(z).shape == z.shape and fprime(z).shape == z.shape, name
    assert softmax(z).shape == z.shape
    np.testing.assert_allclose(softmax(z).sum(axis=-1), 1.0)


def test_float32_in_float32_out():
    z = away_from_kinks((3, 3)).astype(np.float32)
    for name in ["sigmoid", "tanh", "relu", "leaky_relu", "identity", "step"]:
        f, fprime = ELEMENTWISE[name]
        assert f(z).dtype == np.float32, name
        assert fprime(z).dtype == np.float32, name
    assert softmax(z).dtype == np.float32


def test_get_activation():
    assert get_activation(None).name == "identity"
    assert get_activation("ReLU") is ACTIVATIONS["relu"]
    assert get_activation(ACTIVATIONS["tanh"]) is ACTIVATIONS["tanh"]
    assert get_activation("linear").name == "identity"
    with pytest.raises(ValueError, match="unknown activation 'swish'.*relu"):
        get_activation("swish")


# -- numerical stability ---------------------------------------------------------------------------
HUGE = np.array([[-1e4, -1e3, -50.0, 0.0, 50.0, 1e3, 1e4]])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_huge_inputs_are_finite_and_silent(name, dtype):
    pair = ACTIVATIONS[name]
    z = HUGE.astype(dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any RuntimeWarning (overflow, invalid) fails the test
        a = pair.output(z)
        d = pair.der(z)
        back = pair.backward(np.ones_like(z), z, a)
    for arr in (a, d, back):
        assert np.isfinite(arr).all(), (name, arr)


def test_saturated_values_are_exact():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_array_equal(act.sigmoid(np.array([-1e4, 1e4])), [0.0, 1.0])
        np.testing.assert_array_equal(act.sigmoid_prime(np.array([-1e4, 1e4])), [0.0, 0.0])
        np.testing.assert_array_equal(act.tanh_prime(np.array([-1e4, 1e4])), [0.0, 0.0])
        np.testing.assert_array_equal(softmax(np.array([[1e4, 0.0, -1e4]])), [[1.0, 0.0, 0.0]])
        np.testing.assert_allclose(softmax(np.array([[1e4, 1e4]])), [[0.5, 0.5]])


# -- softmax properties (hypothesis) --------------------------------------------------------------------
def logit_rows(max_abs):
    return arrays(np.float64, st.tuples(st.integers(1, 6), st.integers(1, 8)),
                  elements=st.floats(-max_abs, max_abs, allow_nan=False, allow_infinity=False))


@settings(max_examples=150, deadline=None)
@given(logit_rows(1e4))
def test_softmax_rows_are_distributions(z):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = softmax(z)
    assert s.shape == z.shape
    assert np.all(s >= 0) and np.all(s <= 1)
    np.testing.assert_allclose(s.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    # the largest logit gets the largest probability
    np.testing.assert_array_equal(s[np.arange(len(z)), z.argmax(axis=1)], s.max(axis=1))


@settings(max_examples=150, deadline=None)
@given(logit_rows(100.0), st.floats(-1e4, 1e4, allow_nan=False))
def test_softmax_shift_invariance(z, c):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_allclose(softmax(z + c), softmax(z), rtol=1e-8, atol=1e-12)


@settings(max_examples=150, deadline=None)
@given(logit_rows(100.0), arrays(np.float64, 6, elements=st.floats(-1e3, 1e3, allow_nan=False)))
def test_softmax_shift_invariance_per_row(z, shifts):
    c = shifts[: z.shape[0], None]
    np.testing.assert_allclose(softmax(z + c), softmax(z), rtol=1e-8, atol=1e-12)


@settings(max_examples=150, deadline=None)
@given(logit_rows(1e300))
def test_softmax_huge_inputs_are_finite(z):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = softmax(z)
    assert np.isfinite(s).all()
    np.testing.assert_allclose(s.sum(axis=1), 1.0, rtol=0, atol=1e-12)
