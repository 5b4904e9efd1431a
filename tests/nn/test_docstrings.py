"""Run the examples in the nn docstrings, so that they stay true."""

import doctest
import importlib
import pkgutil

import pytest

import nn

MODULES = sorted(
    info.name for info in pkgutil.walk_packages(nn.__path__, prefix="nn.")
    if not info.name.startswith("nn.datasets")
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} of {result.attempted} docstring examples failed in {name}"


def test_public_callables_have_examples():
    # Base classes and result containers are shown through their subclasses and fit.
    exempt = {"Optimizer", "History", "ModelFileError", "StateDictError", "datasets"}
    missing = [name for name in nn.__all__ if name not in exempt and ">>>" not in (getattr(nn, name).__doc__ or "")]
    assert missing == []
