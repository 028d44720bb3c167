"""nnlib: neural networks from one neuron to MNIST, in numpy.

Where each idea lives (one module each):

=====================  =========================================================
``neuron``             weighted sum, bias and activation of one neuron
``activations``        step, sigmoid, tanh, ReLU, ... each with its derivative
``costs``              MSE, cross-entropies, each with its gradient
``initializers``       normal ("large"), Xavier, He
``layers``             Dense, ActivationLayer, Dropout: forward / backward
``network``            Network: forward, backpropagation, fit, predict, save/load
``optimizers``         SGD, Momentum, Adam
``gradient_check``     finite differences and ``rel_error``
``metrics``            predicted_labels (outputs -> labels), accuracy, confusion matrix
``datasets``           MNIST loader, toy 2-D data sets, batching, one-hot
``plots``              decision boundaries, curves, digits, confusion matrix
``widgets``            the interactive widgets of the lessons
``checks``, ``grade``  exercise checks and the class grader
=====================  =========================================================
"""
from . import activations, costs, datasets, gradient_check, initializers, layers, metrics, optimizers
from .activations import (
    ACTIVATIONS,
    identity,
    leaky_relu,
    leaky_relu_prime,
    relu,
    relu_prime,
    sigmoid,
    sigmoid_prime,
    softmax,
    softmax_prime,
    step,
    step_prime,
    tanh,
    tanh_prime,
)
from .costs import (
    COSTS,
    BinaryCrossEntropy,
    CategoricalCrossEntropy,
    MeanSquaredError,
    SigmoidCrossEntropy,
    SoftmaxCrossEntropy,
    one_hot,
    prepare_targets,
)
from .gradient_check import check_network_gradients, numerical_gradient, rel_error
from .layers import ActivationLayer, Dense, Dropout, Layer
from .metrics import accuracy, confusion_matrix, predicted_labels
from .network import History, Network, TrainingDiverged
from .neuron import Neuron, weighted_sum
from .optimizers import SGD, Adam, Momentum
from .validation import ArgumentError, InputError, ShapeError

__version__ = "0.1.0"

__all__ = [
    "activations", "costs", "datasets", "gradient_check", "initializers", "layers", "metrics", "optimizers",
    "ACTIVATIONS", "identity", "leaky_relu", "leaky_relu_prime", "relu", "relu_prime", "sigmoid",
    "sigmoid_prime", "softmax", "softmax_prime", "step", "step_prime", "tanh", "tanh_prime",
    "COSTS", "BinaryCrossEntropy", "CategoricalCrossEntropy", "MeanSquaredError", "SigmoidCrossEntropy",
    "SoftmaxCrossEntropy", "one_hot", "prepare_targets",
    "check_network_gradients", "numerical_gradient", "rel_error",
    "ActivationLayer", "Dense", "Dropout", "Layer", "accuracy", "confusion_matrix", "predicted_labels",
    "History", "Network", "TrainingDiverged", "Neuron", "weighted_sum", "SGD", "Adam", "Momentum",
    "ArgumentError", "InputError", "ShapeError",
]

_LAZY = ("plots", "widgets", "checks", "grade", "exercises")  # import matplotlib/ipywidgets on first use


def __getattr__(name):
    if name in _LAZY:
        import importlib
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'nnlib' has no attribute {name!r}")
