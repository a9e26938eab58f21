"""The public surface: every exported name resolves, cheaply, to what it says; old names warn."""

from __future__ import annotations

import subprocess
import sys

import pytest

import nbtrain


def test_every_name_in_all_resolves_and_has_a_docstring():
    for name in nbtrain.__all__:
        value = getattr(nbtrain, name)
        assert value is not None, name
        if callable(value):
            assert (value.__doc__ or "").strip(), f"{name} has no docstring"
    assert nbtrain.__all__ == sorted(nbtrain.__all__)


def test_the_verbs_stay_functions_after_their_modules_are_imported():
    import nbtrain.curation
    import nbtrain.data.clean
    import nbtrain.data.report
    import nbtrain.journey
    import nbtrain.run_records
    import nbtrain.training.config
    import nbtrain.widgets.explore_view

    for verb, module in [("train", "nbtrain.journey"), ("check", "nbtrain.data.report"), ("fix", "nbtrain.data.clean"), ("review", "nbtrain.curation"), ("explore", "nbtrain.widgets.explore_view"),
                         ("runs", "nbtrain.run_records"), ("compare", "nbtrain.run_records"), ("load", "nbtrain.data.load")]:  # fmt: skip
        assert callable(getattr(nbtrain, verb)), verb
        assert getattr(nbtrain, verb).__module__ == module


@pytest.mark.parametrize(
    ("old", "new"),
    [("run", "train"), ("build_report", "check"), ("Report", "DataReport"), ("ReportConfig", "CheckConfig"), ("Outcome", "TrainingRun")],
)
def test_old_names_warn_and_name_their_replacement(old, new):
    with pytest.warns(DeprecationWarning, match=f"nbtrain.{old} is deprecated.*{new}"):
        value = getattr(nbtrain, old)
    assert value is getattr(nbtrain, new)


def test_load_csv_warns_when_called_and_still_loads():
    with pytest.warns(DeprecationWarning, match="use nbtrain.load"):
        ds = nbtrain.load_csv(nbtrain.sample_path())
    assert ds.labels == nbtrain.load(nbtrain.sample_path()).labels


def test_import_and_data_loading_do_not_load_torch():
    code = "import sys, nbtrain; nbtrain.load(nbtrain.sample_path()); print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_the_data_views_and_the_report_import_no_torch():
    code = (
        "import sys, nbtrain\n"
        "from nbtrain.widgets import DataView, DataReportView\n"
        "ds = nbtrain.load(nbtrain.sample_path())\n"
        "DataView(ds); DataReportView(ds); nbtrain.check(ds)\n"
        "import nbtrain.training.config\n"
        "print('torch' in sys.modules, 'transformers' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False False"
