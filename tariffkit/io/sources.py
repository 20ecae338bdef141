"""Inputs: the files a command reads, by name or stdin (``-``), each hashed once for the
outputs' provenance; settings files (TOML) with CPR-shaped text masked."""

from __future__ import annotations

import contextlib
import hashlib
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tariffkit.errors import DataError

STDIO = "-"
BOM = b"\xef\xbb\xbf"
# How Parquet is written by streaming sinks: a fixed row-group size keeps the file the same
# whatever the number of threads (the engine's batches differ).
PARQUET_OPTIONS: dict[str, Any] = {"compression": "zstd", "statistics": True, "row_group_size": 262_144}


# --- inputs --------------------------------------------------------------------------------


@dataclass
class Inputs:
    """The inputs a command has read, for provenance and for the never-overwrite-an-input rule."""

    _entries: list[tuple[str, str | _Digest]] = field(default_factory=list)  # (label, sha256)
    paths: list[Path] = field(default_factory=list)

    def add(self, label: str, data: bytes | None = None, path: Path | None = None, background: bool = False) -> None:
        """Record an input and its SHA-256. With ``background`` (a file only) the file is opened
        now (so a missing file fails here) and hashed on a thread while the command works; the
        digest is waited for when :attr:`entries` is read."""
        if data is not None:
            digest: str | _Digest = hashlib.sha256(data).hexdigest()
        elif path is None:
            raise ValueError("an input needs its bytes or its path")
        elif background:
            digest = _Digest(open(path, "rb"))  # noqa: SIM115 (closed by the digest's thread)
        else:
            digest = sha256_file(path)
        from tariffkit.cpr import scrub_text

        self._entries.append((scrub_text(label), digest))  # a CPR number typed into a file name never reaches provenance
        if path is not None:
            self.paths.append(path)

    @property
    def entries(self) -> list[tuple[str, str]]:
        return [(label, d if isinstance(d, str) else d.value()) for label, d in self._entries]


class _Digest:
    """The SHA-256 of an open file, computed on a thread (hashlib releases the GIL, so it runs
    alongside polars' work)."""

    def __init__(self, fh):
        import threading

        self._fh, self._digest, self._error = fh, None, None
        self._thread = threading.Thread(target=self._run, name="tariffkit-sha256", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            with self._fh as f:
                self._digest = _sha256_of(f)
        except OSError as e:  # pragma: no cover - a read error after a successful open
            self._error = e

    def value(self) -> str:
        self._thread.join()
        if self._error is not None:  # pragma: no cover
            raise DataError(f"could not read the file to the end ({self._error.strerror})", file=self._fh.name)
        return self._digest


def _sha256_of(f) -> str:
    h = hashlib.sha256()
    for chunk in iter(lambda: f.read(1 << 20), b""):
        h.update(chunk)
    return h.hexdigest()


def sha256_file(path: Path | str) -> str:
    with open(path, "rb") as f:
        return _sha256_of(f)


def label_of(path: str | Path) -> str:
    """How a file is named in messages and provenance: as the user gave it, ``<stdin>`` for -;
    a CPR-shaped run in the name is scrubbed (a CPR number typed into a file name is never repeated)."""
    from tariffkit.cpr import scrub_text

    return "<stdin>" if str(path) == STDIO else scrub_text(str(path))


@contextlib.contextmanager
def _opening(path: str | Path, file: str | None = None):
    """Turn the OS errors of opening an input into a :class:`DataError` naming the file."""
    label = file or str(path)
    try:
        yield
    except FileNotFoundError:
        raise DataError("file not found", file=label) from None
    except IsADirectoryError:
        raise DataError("is a folder, expected a file", file=label) from None
    except PermissionError:
        raise DataError("permission denied", file=label) from None


def read_bytes(path: str | Path, inputs: Inputs | None = None) -> bytes:
    """All bytes of a file or of stdin (``-``)."""
    if str(path) == STDIO:
        data = sys.stdin.buffer.read()
        if inputs is not None:
            inputs.add("<stdin>", data=data)
        return data
    p = Path(path)
    with _opening(path):
        data = p.read_bytes()
    if inputs is not None:
        inputs.add(p.name, data=data, path=p)
    return data


def register_file(path: str | Path, inputs: Inputs, background: bool = False) -> None:
    """Record a file as an input (its SHA-256, read in chunks) without loading it; returns None
    so callers can tell it apart from bytes already read. ``background``: hash it on a thread
    (see :meth:`Inputs.add`)."""
    p = Path(path)
    with _opening(path):
        inputs.add(p.name, path=p, background=background)


def read_head(path: str | Path, n: int = 8) -> bytes:
    with _opening(path), open(path, "rb") as fh:
        return fh.read(n)


def read_toml(path: str | Path, inputs: Inputs | None = None) -> dict:
    """A settings file (structure, assumptions, mapping, limits) as a dict; a file that is not
    UTF-8 TOML is a :class:`DataError` naming the file and the line."""
    import tomllib

    data = read_bytes(path, inputs)
    try:
        return _scrubbed(tomllib.loads(data.decode("utf-8-sig")))
    except UnicodeDecodeError as e:
        raise DataError(f"expected a UTF-8 TOML file, found bytes that are not UTF-8 (at byte {e.start})", file=label_of(path)) from None
    except tomllib.TOMLDecodeError as e:
        raise DataError(f"not valid TOML ({e})", file=label_of(path)) from None


def _scrubbed(value):
    """A settings file's text, keys included (a category name, a tier name, a structure's or a
    rules file's name and source), with CPR-shaped runs masked: settings text reaches outputs."""
    from tariffkit.cpr import scrub_text

    if isinstance(value, dict):
        return {scrub_text(k) if isinstance(k, str) else k: _scrubbed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrubbed(v) for v in value]
    return scrub_text(value) if isinstance(value, str) else value
