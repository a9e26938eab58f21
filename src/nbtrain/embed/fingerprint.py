"""Which model a cached vector came from: a fingerprint of the model's files, not just its name.

A folder re-saved in place (an export over the last one, new weights under the same path) must not
serve the old vectors, so a local folder's fingerprint is a SHA-256 over the content of its weights,
config and tokenizer files. Hashing 90 MB takes a fraction of a second; a memo in the cache folder
(keyed by path, size and modification time) makes it once per file version. A Hugging Face id is
fingerprinted by the commit of its local snapshot, which never changes once downloaded.

>>> import tempfile
>>> folder, memo = Path(tempfile.mkdtemp()), Path(tempfile.mkdtemp()) / "memo.json"
>>> _ = (folder / "config.json").write_text("{}")
>>> before = model_fingerprint(str(folder), memo)
>>> before == model_fingerprint(str(folder), memo)
True
>>> _ = (folder / "config.json").write_text('{"hidden_size": 8}')
>>> before == model_fingerprint(str(folder), memo)
False
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from nbtrain.embed.cache import write_atomic

#: The files that decide a vector: weights, the config, the tokenizer (README and the like do not).
_SUFFIXES = {".safetensors", ".bin", ".json", ".txt", ".model"}
_CHUNK = 1 << 22


def model_fingerprint(path: str, memo: Path) -> str:
    """A string that changes whenever the model's weights, config or tokenizer change."""
    folder = Path(path)
    if not folder.is_dir():
        from transformers.utils import cached_file

        snapshot = Path(str(cached_file(path, "config.json"))).parent
        return f"snapshot:{snapshot.name}"
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix in _SUFFIXES)
    known = _read_memo(memo)
    digest, changed = hashlib.sha256(), False
    for file in files:
        stat = file.stat()
        stamp = f"{file.resolve()}|{stat.st_size}|{stat.st_mtime_ns}"
        if stamp not in known:
            known[stamp], changed = file_sha256(file), True
        digest.update(f"{file.name}:{known[stamp]}\n".encode())
    if changed:
        known = {stamp: sha for stamp, sha in known.items() if Path(stamp.split("|")[0]).exists()}
        memo.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(memo, json.dumps(known).encode())
    return digest.hexdigest()


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file, read in 4 MB chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _read_memo(memo: Path) -> dict[str, str]:
    try:
        known = json.loads(memo.read_text())
    except (OSError, ValueError):
        return {}  # absent or damaged: it is only a memo, the hashes are made again
    return known if isinstance(known, dict) else {}
