"""The lessons' interactive widgets, one line each in a notebook.

Each widget is built from a pure ``compute`` function (tested directly), a
figure view that is built once and updated in place (its ``draw_*`` function
gives the lessons' static figures) and a readout; :mod:`nnlib.widgets.base`
shows how they are put together: cleaned control values, no exception escaping
into the notebook, redraws of browser changes coalesced to the latest value. Modules are imported
on first use, so ``import nnlib`` stays light.
"""
from importlib import import_module

# widget function name -> module (in nnlib.widgets) that defines it
_WIDGETS = {
    "environment_check": "welcome",
    "neuron_explorer": "neuron",
    "activation_explorer": "activations",
    "universal_approximation": "forward_pass",
    "cost_explorer": "costs",
    "gradient_descent_explorer": "gradient_descent",
    "backprop_stepper": "backprop",
    "playground": "training_playground",
    "training_comparison": "training_better",
    "digit_browser": "digits",
    "convolution_explorer": "digits",
}

__all__ = sorted(_WIDGETS)


def __getattr__(name):
    if name in _WIDGETS:
        return getattr(import_module(f".{_WIDGETS[name]}", __name__), name)
    raise AttributeError(f"module 'nnlib.widgets' has no attribute {name!r}")
