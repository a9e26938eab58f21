"""The upload app: labelled files in through the browser (CSV, JSON Lines, Excel, Parquet), the studio out. Made for Voilà.

``nbtrain studio`` serves ``nbtrain/app/studio.ipynb``, which shows only this widget, so a person
with no notebook habits can train from files on their own computer. The uploaded bytes go through
:func:`nbtrain.load` (written to a temporary file under the uploaded name), so the
app finds headers and reports bad files exactly as the library does: the :class:`DataError`
message, naming the file, the line and the problem, in red, instead of a traceback.
"""

from __future__ import annotations

import html
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from nbtrain.data.dataset import Dataset
from nbtrain.data.load import load
from nbtrain.training.config import TrainConfig
from nbtrain.widgets.studio import Studio

_ERROR_STYLE = "color:#b91c1c"
#: What the upload buttons offer: the formats nbtrain.load reads.
ACCEPT = ".csv,.tsv,.txt,.jsonl,.json,.xlsx,.parquet"


class UploadApp(widgets.VBox):
    """Upload a training file (and optionally validation and test files), press Load, get the studio.

    ``.studio`` is the :class:`~nbtrain.widgets.studio.Studio` once a load succeeded, ``.error``
    the message of the last failed load. ``load()`` does what the Load button does.

    >>> UploadApp(model="default")  # doctest: +SKIP
    """

    def __init__(self, *, model: str = "default") -> None:
        self.uploads = {
            "train": widgets.FileUpload(accept=ACCEPT, description="Training file"),
            "validation": widgets.FileUpload(accept=ACCEPT, description="Validation (optional)"),
            "test": widgets.FileUpload(accept=ACCEPT, description="Test (optional)"),
        }
        for role, upload in self.uploads.items():
            upload.add_class(f"nbt-upload-{role}")
            upload.layout.width = "auto"
            upload.observe(lambda _: self._chosen(), names="value")
        self.model_box = widgets.Text(
            value=model,
            description="Model",
            placeholder="default, a Hugging Face id or a local folder",
            layout={"width": "480px"},
        )
        self.model_box.add_class("nbt-model")
        self.load_button = widgets.Button(description="Load", button_style="primary")
        self.load_button.add_class("nbt-load")
        self.load_button.on_click(lambda _: self.load())
        self.status = widgets.HTML("<p>Choose a training file (text and label: CSV, JSON Lines, Excel or Parquet), then press Load.</p>")
        self.status.add_class("nbt-upload-status")
        self.studio_box = widgets.VBox()
        self.studio: Studio | None = None
        self.error: str | None = None
        super().__init__(
            [
                widgets.HBox(list(self.uploads.values())),
                widgets.HBox([self.model_box, self.load_button]),
                self.status,
                self.studio_box,
            ]
        )

    def load(self) -> Studio | None:
        """Parse the uploaded files and show the studio on them, or the reason they cannot be used."""
        self.load_button.disabled = True
        self.status.value = "<p>Loading ...</p>"
        try:
            dataset = self._read_uploads()
            config = TrainConfig(model=_model(self.model_box.value))
            self.studio = Studio(dataset, config=config)
        except ValueError as err:  # DataError is a ValueError; so is a bad TrainConfig
            self._fail(str(err))
            return None
        finally:
            self.load_button.disabled = False
        self.error = None
        sizes = ", ".join(f"{len(frame)} {name}" for name, frame in dataset.splits().items())
        self.status.value = f"<p>Loaded {html.escape(_names(self.uploads))}: {sizes} rows.</p>"
        self.studio_box.children = [self.studio]
        return self.studio

    def _read_uploads(self) -> Dataset:
        train = _first_file(self.uploads["train"].value)
        if train is None:
            raise ValueError("choose a training file first")
        # Each upload in its own folder under its own name, so the loader's messages name that file.
        with tempfile.TemporaryDirectory(prefix="nbtrain-upload-") as tmp:

            def saved(role: str) -> Path | None:
                file = _first_file(self.uploads[role].value)
                return _write(Path(tmp) / role, file) if file else None

            return load(
                _write(Path(tmp) / "train", train),
                validation=saved("validation"),
                test=saved("test"),
            )

    def _chosen(self) -> None:
        # Echo what reached Python, so a person (and a browser test) knows the upload arrived.
        self.status.value = f"<p>Chosen: {html.escape(_names(self.uploads))}. Press Load.</p>"

    def _fail(self, message: str) -> None:
        self.error = message
        self.studio = None
        self.studio_box.children = []
        self.status.value = f"<p class='nbt-upload-error' style='{_ERROR_STYLE}'><b>Cannot load:</b> {html.escape(message)}</p>"


def _model(value: str) -> str:
    """The model box's text: "default", a Hugging Face id, or a local folder, which must exist.

    Checked on Load because the encoder loads lazily: a mistyped folder would otherwise surface
    only later, inside a tab.
    """
    name = value.strip() or "default"
    path = Path(name).expanduser()
    if path.is_dir():
        return str(path.resolve())
    if path.is_absolute() or name.startswith((".", "~")):
        raise ValueError(f"model folder not found: {name}")
    return name


def _first_file(value: Any) -> Mapping[str, Any] | None:
    """The one file of a FileUpload value (ipywidgets 8: a tuple of dicts), or None."""
    return value[0] if value else None


def _write(folder: Path, file: Mapping[str, Any]) -> Path:
    """Write an upload's bytes under its base name (never a path of its own) inside ``folder``."""
    name = Path(str(file.get("name") or "")).name
    folder.mkdir()
    path = folder / (name if name not in ("", ".", "..") else "upload.csv")
    path.write_bytes(bytes(file["content"]))
    return path


def _names(uploads: Mapping[str, widgets.FileUpload]) -> str:
    return ", ".join(str(u.value[0]["name"]) for u in uploads.values() if u.value)
