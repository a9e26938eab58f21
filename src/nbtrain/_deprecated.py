"""nbtrain 0.1's functions whose replacement has another shape; each goes in nbtrain 0.3."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any


def write_report(outcome: Any, path: str | os.PathLike[str]) -> Path:
    """Deprecated: ``TrainingRun.to_html(path)`` writes the run's page."""
    return Path(outcome.to_html(path))
