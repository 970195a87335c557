"""The examples in the package's docstrings are run: a documented example that is wrong fails."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import dashboard

MODULES = sorted(
    m.name
    for m in pkgutil.walk_packages(dashboard.__path__, "dashboard.")
    if m.name != "dashboard.__main__"
)


def test_every_module_is_found():
    assert "dashboard.ui.signin" in MODULES and "dashboard.team.settings" in MODULES


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples in {name} fail"
