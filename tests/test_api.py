"""The public surface: every exported name resolves, cheaply, to what it says."""

from __future__ import annotations

import subprocess
import sys

import nbtrain


def test_every_name_in_all_resolves():
    for name in nbtrain.__all__:
        assert getattr(nbtrain, name) is not None, name
    assert nbtrain.__all__ == sorted(nbtrain.__all__)


def test_train_stays_a_function_after_its_modules_are_imported():
    import nbtrain.training.config  # importing a submodule must not shadow nbtrain.train

    assert callable(nbtrain.train)
    assert nbtrain.train.__module__ == "nbtrain.training.trainer"


def test_import_and_data_loading_do_not_load_torch():
    code = "import sys, nbtrain; nbtrain.load_csv(nbtrain.sample_path()); print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
