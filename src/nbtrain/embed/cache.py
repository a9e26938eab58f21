"""Embeddings kept on disk, so the next process (the next ``nbtrain check``, a kernel restart)
embeds nothing it has embedded before.

One folder per *embedding space*: the model (its path or id and a fingerprint of its files), the
maximum length and the pooling recipe; anything that changes a vector changes the space. A space
holds append-only shards: ``<id>.npy`` (float32 vectors, memory-mapped on read) and ``<id>.json``
(the text hashes row by row, the row count and a CRC-32 of the ``.npy`` file). Each shard is written
under a temporary name and renamed into place, ``.npy`` first and ``.json`` last, so a reader sees a
whole shard or none and two processes writing at once each add their own shard. A shard that fails
its checks (unreadable index, wrong length, wrong checksum) is deleted with a :class:`CacheWarning`
naming it, and its texts are embedded again. Never pickle: only ``.npy`` and JSON.

>>> import tempfile
>>> store = EmbeddingCache(Path(tempfile.mkdtemp()) / "space")
>>> store.add(["late parcel"], np.ones((1, 3), dtype=np.float32))
>>> store.lookup(["late parcel", "refund"])[1].tolist()
[True, False]
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import sys
import uuid
import warnings
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

#: Bump when the pooling or normalisation changes: every cached vector is then of an older recipe.
RECIPE = "mean-pool/l2/1"
#: Shards under this many rows are merged once there are more than ``_MERGE_ABOVE`` of them, so
#: many small passes (one text at a time in a notebook) do not leave thousands of files.
_SMALL_SHARD = 10_000
_MERGE_ABOVE = 16
_SHARD_NAME = re.compile(r"[0-9a-f]{32}")


class CacheWarning(UserWarning):
    """A cache file was damaged (truncated, overwritten, unreadable) and has been dropped."""


@dataclass(frozen=True)
class CacheStats:
    """What the persistent cache did for one encoder: texts found, texts missing, texts written and
    damaged shards dropped."""

    hits: int = 0
    misses: int = 0
    written: int = 0
    dropped: int = 0


def default_cache_dir() -> Path:
    """``$NBTRAIN_CACHE`` if set, else the platform's cache folder (``~/.cache/nbtrain`` on Linux).

    >>> import os
    >>> os.environ["NBTRAIN_CACHE"] = "/tmp/nbtrain-cache"
    >>> str(default_cache_dir())
    '/tmp/nbtrain-cache'
    >>> del os.environ["NBTRAIN_CACHE"]
    """
    if os.environ.get("NBTRAIN_CACHE"):
        return Path(os.environ["NBTRAIN_CACHE"]).expanduser()
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local"))
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "nbtrain"


def clear_cache(cache_dir: str | os.PathLike[str] | None = None) -> int:
    """Delete every cached embedding (and model export) under ``cache_dir``; returns the bytes freed.

    >>> import tempfile
    >>> clear_cache(tempfile.mkdtemp())
    0
    """
    root = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    if not root.is_dir():
        return 0
    freed = sum(p.stat().st_size for p in root.rglob("*") if p.is_file())
    shutil.rmtree(root, ignore_errors=True)
    return freed


def space_folder(root: Path, identity: dict[str, Any]) -> Path:
    """The folder of one embedding space: a hash of everything that makes a vector what it is.

    ``space.json`` inside says, for a person, which model and settings the folder holds.
    """
    text = json.dumps({**identity, "recipe": RECIPE}, sort_keys=True)
    folder = root / "embeddings" / hashlib.sha256(text.encode()).hexdigest()[:24]
    if not (folder / "space.json").is_file():
        folder.mkdir(parents=True, exist_ok=True)
        write_atomic(folder / "space.json", text.encode())
    return folder


def text_key(text: str) -> str:
    """128 bits of BLAKE2b: a text's name in the index (lone surrogates from JSON files included)."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def write_atomic(path: Path, data: bytes) -> None:
    """Write under a unique temporary name, then rename: readers never see half a file."""
    temporary = path.with_name(f".tmp-{uuid.uuid4().hex}-{path.name}")
    temporary.write_bytes(data)
    os.replace(temporary, path)


class EmbeddingCache:
    """The shards of one embedding space: ``lookup`` finds vectors by text, ``add`` appends a shard."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        # shard id -> its text keys; opened vectors by shard id; text key -> (shard id, row)
        self._keys: dict[str, list[str]] = {}
        self._vectors: dict[str, np.ndarray] = {}
        self._index: dict[str, tuple[str, int]] = {}
        self.hits = self.misses = self.written = self.dropped = 0

    @property
    def stats(self) -> CacheStats:
        """The counters so far, frozen."""
        return CacheStats(self.hits, self.misses, self.written, self.dropped)

    def lookup(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Vectors for ``texts`` (zeros where missing) and a mask of the texts found."""
        self._refresh()
        keys = [text_key(t) for t in texts]
        places = [self._index.get(k) for k in keys]
        rows_by_shard: dict[str, list[tuple[int, int]]] = {}
        for i, place in enumerate(places):
            if place is not None:
                rows_by_shard.setdefault(place[0], []).append((i, place[1]))
        found = np.zeros(len(texts), dtype=bool)
        out: np.ndarray | None = None
        for shard, pairs in rows_by_shard.items():
            vectors = self._open(shard)
            if vectors is None:
                continue
            if out is None:
                out = np.zeros((len(texts), vectors.shape[1]), dtype=np.float32)
            at, rows = np.array(pairs).T
            out[at] = vectors[rows]
            found[at] = True
        self.hits += int(found.sum())
        self.misses += len(texts) - int(found.sum())
        return (out if out is not None else np.zeros((len(texts), 0), dtype=np.float32)), found

    def add(self, texts: Sequence[str], vectors: np.ndarray) -> None:
        """Append one shard holding ``vectors`` (one float32 row per text)."""
        if not texts:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        self._write_shard(uuid.uuid4().hex, [text_key(t) for t in texts], np.ascontiguousarray(vectors, dtype=np.float32))
        self.written += len(texts)
        self._merge_small_shards()

    def _write_shard(self, shard: str, keys: list[str], vectors: np.ndarray) -> None:
        npy = self.folder / f"{shard}.npy"
        temporary = npy.with_name(f".tmp-{shard}.npy")
        np.save(temporary, vectors, allow_pickle=False)
        crc = zlib.crc32(temporary.read_bytes())
        os.replace(temporary, npy)
        index = {"rows": len(keys), "dimension": int(vectors.shape[1]), "crc32": crc, "keys": keys}
        write_atomic(self.folder / f"{shard}.json", json.dumps(index).encode())

    def _refresh(self) -> None:
        """Read the index of every shard added since the last look (by this or another process)."""
        if not self.folder.is_dir():
            return
        for path in sorted(self.folder.glob("*.json")):
            shard = path.stem
            # Only shards' own names: not space.json, nor another writer's ".tmp-" file in progress.
            if not _SHARD_NAME.fullmatch(shard) or shard in self._keys:
                continue
            keys = self._read_index(path)
            if keys is not None:
                self._keys[shard] = keys
                self._index.update((k, (shard, row)) for row, k in enumerate(keys))

    def _read_index(self, path: Path) -> list[str] | None:
        try:
            index = json.loads(path.read_text())
            keys = index["keys"]
            if not isinstance(keys, list) or len(keys) != index["rows"]:
                raise ValueError("the row count does not match the keys")
        except FileNotFoundError:
            return None  # merged away by another process between the listing and the read
        except (ValueError, KeyError, TypeError) as err:
            self._drop(path.stem, f"{path} is unreadable ({err})")
            return None
        return keys

    def _open(self, shard: str) -> np.ndarray | None:
        """The shard's vectors, memory-mapped, checked once per process (length and CRC-32)."""
        if shard in self._vectors:
            return self._vectors[shard]
        npy = self.folder / f"{shard}.npy"
        try:
            index = json.loads((self.folder / f"{shard}.json").read_text())
            vectors = np.load(npy, mmap_mode="r", allow_pickle=False)
            if vectors.shape != (index["rows"], index["dimension"]) or vectors.dtype != np.float32:
                raise ValueError(f"holds {vectors.shape} {vectors.dtype}, its index says {index['rows']} rows")
            if zlib.crc32(npy.read_bytes()) != index["crc32"]:
                raise ValueError("its checksum does not match")
        except FileNotFoundError:
            self._forget(shard)
            return None
        except (ValueError, OSError, KeyError) as err:
            self._drop(shard, f"{npy} is damaged ({err})")
            return None
        self._vectors[shard] = vectors
        return vectors

    def _drop(self, shard: str, reason: str) -> None:
        warnings.warn(f"embedding cache: {reason}; it is deleted and its texts will be embedded again", CacheWarning, stacklevel=4)
        self.dropped += 1
        self._delete(shard)
        self._forget(shard)

    def _forget(self, shard: str) -> None:
        for key in self._keys.pop(shard, []):
            if self._index.get(key, ("",))[0] == shard:
                del self._index[key]
        self._vectors.pop(shard, None)

    def _delete(self, shard: str) -> None:
        # The index goes first: without it the vectors are invisible to every reader.
        # Already gone (another process merged it), or mapped on Windows: deleted next time.
        for suffix in (".json", ".npy"):
            with contextlib.suppress(FileNotFoundError, PermissionError):
                (self.folder / f"{shard}{suffix}").unlink()

    def _merge_small_shards(self) -> None:
        self._refresh()
        small = [s for s, keys in self._keys.items() if len(keys) < _SMALL_SHARD]
        if len(small) <= _MERGE_ABOVE:
            return
        opened = [(s, self._open(s)) for s in small]
        parts = [(s, v) for s, v in opened if v is not None]
        if not parts:
            return
        keys = [k for s, _ in parts for k in self._keys[s]]
        merged = np.concatenate([np.asarray(v) for _, v in parts])
        self._write_shard(uuid.uuid4().hex, keys, merged)
        for shard, _ in parts:
            self._delete(shard)
            self._forget(shard)
        self._refresh()
