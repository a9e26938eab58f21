"""Every example in the package's docstrings runs and gives what it shows."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import numpy as np
import pandas as pd
import pytest

import nbtrain

MODULES = sorted(m.name for m in pkgutil.walk_packages(nbtrain.__path__, "nbtrain.") if ".app" not in m.name)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, extraglobs={"nbtrain": nbtrain, "np": np, "pd": pd}, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


def test_the_examples_are_many():
    finder = doctest.DocTestFinder()
    examples = sum(len(t.examples) for name in MODULES for t in finder.find(importlib.import_module(name)))
    assert examples > 60
