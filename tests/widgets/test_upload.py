"""The upload app without a browser: fill the FileUploads the way the front end does, press Load."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from nbtrain.widgets.studio import Studio
from nbtrain.widgets.upload import UploadApp
from textdata import make_texts


def upload(app: UploadApp, role: str, name: str, content: bytes) -> None:
    """What ipywidgets 8's front end sends: a tuple of one dict per file, content as a memoryview."""
    app.uploads[role].value = (
        {
            "name": name,
            "type": "text/csv",
            "size": len(content),
            "content": memoryview(content),
            "last_modified": datetime(2026, 1, 1, tzinfo=timezone.utc),
        },
    )


def csv_bytes(n_per_label: int, seed: int = 0) -> bytes:
    return make_texts(n_per_label, seed).to_csv(index=False).encode()


def test_load_builds_the_studio_on_the_uploaded_training_file():
    app = UploadApp()
    upload(app, "train", "reviews.csv", csv_bytes(20))
    app.model_box.value = "some/model"
    app.load_button.click()
    assert isinstance(app.studio, Studio)
    assert app.studio_box.children == (app.studio,)
    assert app.error is None
    assert app.studio.config.model == "some/model"
    sizes = {name: len(frame) for name, frame in app.studio.dataset.splits().items()}
    assert sizes == {"train": 48, "validation": 12}  # header detected: 60 rows, 20 % set aside
    assert set(app.studio.dataset.train["source"]) == {"reviews.csv"}
    assert "Loaded reviews.csv: 48 train, 12 validation rows" in app.status.value


def test_validation_and_test_uploads_become_their_splits():
    app = UploadApp()
    upload(app, "train", "train.csv", csv_bytes(10, seed=1))
    upload(app, "validation", "val.csv", csv_bytes(5, seed=2))
    upload(app, "test", "test.csv", csv_bytes(6, seed=3))
    studio = app.load()
    assert studio is not None
    assert {name: len(f) for name, f in studio.dataset.splits().items()} == {
        "train": 30,
        "validation": 15,
        "test": 18,
    }
    assert studio.dataset.validation_from != "split"


def test_a_bad_file_shows_the_data_error_in_red_instead_of_raising():
    app = UploadApp()
    upload(app, "train", "one_column.csv", b"text\nmy parcel is late\nrefund please\n")
    app.load_button.click()
    assert app.studio is None
    assert app.studio_box.children == ()
    assert app.error is not None
    assert app.error.startswith("one_column.csv: found a single column")
    assert "nbt-upload-error" in app.status.value
    assert "color:#b91c1c" in app.status.value
    assert "one_column.csv: found a single column" in app.status.value


def test_the_error_names_the_validation_file_when_that_one_is_bad():
    app = UploadApp()
    upload(app, "train", "train.csv", csv_bytes(10))
    upload(app, "validation", "val.csv", b"")
    assert app.load() is None
    assert app.error == "val.csv: the file is empty"


def test_an_upload_is_echoed_before_load_is_pressed():
    app = UploadApp()
    upload(app, "train", "train.csv", csv_bytes(10))
    upload(app, "test", "test.csv", csv_bytes(5))
    assert app.status.value == "<p>Chosen: train.csv, test.csv. Press Load.</p>"
    assert app.studio is None


def test_load_without_a_training_file_asks_for_one():
    app = UploadApp()
    app.load_button.click()
    assert app.error == "choose a training file first"
    assert not app.load_button.disabled


def test_a_good_upload_after_a_bad_one_replaces_the_error_with_the_studio():
    app = UploadApp()
    upload(app, "train", "bad.csv", b"")
    app.load()
    upload(app, "train", "good.csv", csv_bytes(10))
    app.model_box.value = "  "
    studio = app.load()
    assert studio is not None
    assert app.error is None
    assert studio.config.model == "default"
    assert "nbt-upload-error" not in app.status.value


def test_a_missing_model_folder_is_reported_on_load_and_a_real_one_resolved(tmp_path):
    app = UploadApp()
    upload(app, "train", "train.csv", csv_bytes(10))
    app.model_box.value = str(tmp_path / "no-such-model")
    assert app.load() is None
    assert app.error == f"model folder not found: {tmp_path / 'no-such-model'}"
    app.model_box.value = str(tmp_path)
    studio = app.load()
    assert studio is not None
    assert studio.config.model == str(tmp_path.resolve())


@pytest.mark.parametrize("name", ["../../escape.csv", "/etc/escape.csv", ".."])
def test_an_uploaded_name_is_used_as_a_base_name_only(name):
    """A name with path parts must not place the file outside the app's temporary folder."""
    app = UploadApp()
    upload(app, "train", name, b"")
    app.load()
    assert app.error is not None
    assert app.error in ("escape.csv: the file is empty", "upload.csv: the file is empty")
