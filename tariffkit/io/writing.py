"""Writing: provenance metadata, atomic writes beside the target, stdout only when it is not a
terminal (for Parquet), never over one of the command's own inputs."""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

import polars as pl

from tariffkit import __version__
from tariffkit.errors import DataError, UsageError
from tariffkit.io.sources import STDIO, Inputs, label_of

# --- outputs ------------------------------------------------------------------------------


def provenance(command: str, options: dict, inputs: Inputs | None) -> dict[str, str]:
    """Key-value metadata for a Parquet output: version, command, options, input hashes."""

    def plain(v):
        if isinstance(v, (list, tuple)):
            return [plain(x) for x in v]
        if isinstance(v, Path):
            return str(v)
        return v if isinstance(v, (str, int, float, bool, type(None))) else str(v)

    from tariffkit.cpr import scrub_text

    opts = {k: plain(v) for k, v in sorted(options.items())}
    opts = {
        k: scrub_text(v) if isinstance(v, str) else [scrub_text(x) if isinstance(x, str) else x for x in v] if isinstance(v, list) else v
        for k, v in opts.items()
    }
    return {
        "tariffkit.version": __version__,
        "tariffkit.command": command,
        "tariffkit.options": json.dumps(opts, ensure_ascii=False, sort_keys=True),
        "tariffkit.inputs": json.dumps(
            [{"file": label, "sha256": digest} for label, digest in (inputs.entries if inputs else [])],
            ensure_ascii=False,
        ),
    }


def read_provenance(path: str | Path) -> dict[str, str]:
    """The tariffkit key-value metadata of a Parquet file (empty when none)."""
    import pyarrow.parquet as pq

    p = Path(path)
    if not p.is_file():
        raise DataError("file not found", file=label_of(path))
    try:
        meta = pq.read_metadata(p).metadata or {}
    except Exception:  # not Parquet (a CSV, a truncated file): it has no provenance
        raise DataError("no provenance to show: not a Parquet file written by tariffkit (CSV and Excel carry none)", file=label_of(path)) from None
    return {k.decode(): v.decode() for k, v in meta.items() if k.startswith(b"tariffkit.")}


def check_not_an_input(out: str | Path, inputs: Inputs | None) -> None:
    if inputs is None or str(out) == STDIO:
        return
    target = Path(out)
    for p in inputs.paths:
        with contextlib.suppress(OSError):
            if target.exists() and os.path.samefile(target, p):
                raise DataError("refusing to write over an input of this command; choose another output file", file=str(out))


def atomic_write(path: str | Path, write: Callable[[io.BufferedWriter], object], mode: int | None = None) -> None:
    """Write a file atomically: ``write(fh)`` into a temp file beside it, fsync, rename.

    If ``write`` raises, the temp file is removed and any previous file is left as it was."""
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise DataError("the output folder does not exist", file=str(path))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        _move_into_place(Path(tmp), target, mode)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def scratch_files(target: str):
    """Temp paths beside ``target`` (in the temp folder when ``target`` is stdout), for outputs
    written in steps; every one still there is removed on exit, also after an error."""
    if target == STDIO:
        folder, name = Path(tempfile.gettempdir()), "tariffkit"
    else:
        folder, name = Path(target).parent if str(Path(target).parent) else Path("."), Path(target).name
        if not folder.is_dir():
            raise DataError("the output folder does not exist", file=str(target))
    made: list[Path] = []

    def new(tag: str = "") -> Path:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=f"{tag}.tmp")
        os.close(fd)
        made.append(Path(tmp))
        return Path(tmp)

    try:
        yield new
    finally:
        for tmp in made:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)


def publish(tmp: Path, target: str) -> None:
    """Make a finished temp file the output: fsync and rename over ``target`` (atomic), or copy
    it to stdout for ``-`` (with all the command's other outputs, :mod:`tariffkit.outputs`)."""
    from tariffkit import outputs

    if target == STDIO:
        outputs.to_stdout(tmp)
        return
    with open(tmp, "rb+") as fh:
        os.fsync(fh.fileno())
    _move_into_place(tmp, Path(target))


def _move_into_place(tmp: Path, target: Path, mode: int | None = None) -> None:
    """Rename a finished temp file over ``target`` (:func:`tariffkit.outputs.move_into_place`:
    at the end of the command, with its other outputs)."""
    from tariffkit import outputs

    outputs.move_into_place(tmp, target, mode)


def stdout_is_terminal() -> bool:
    return sys.stdout.isatty()


def resolve_output(out: str | None, *, binary: bool = True) -> str:
    """``-o`` value → a path, or ``-`` for stdout. Refuses binary data to a terminal."""
    if out is None or out == STDIO:
        if binary and stdout_is_terminal():
            raise UsageError("refusing to write binary Parquet to the terminal; give -o FILE or pipe the output")
        return STDIO
    return out


def write_bytes(out: str, payload: bytes, inputs: Inputs | None = None) -> None:
    if out == STDIO:
        fd, tmp = tempfile.mkstemp(prefix=".tariffkit-stdout.", suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
        publish(Path(tmp), STDIO)
        return
    check_not_an_input(out, inputs)
    atomic_write(out, lambda fh: fh.write(payload))


def parquet_bytes(df: pl.DataFrame, metadata: dict[str, str] | None = None) -> bytes:
    buf = io.BytesIO()
    df.write_parquet(buf, compression="zstd", statistics=True, metadata=metadata)
    return buf.getvalue()


def write_table(
    df: pl.DataFrame,
    out: str | None,
    *,
    command: str,
    options: dict,
    inputs: Inputs | None,
) -> str:
    """Write ``df`` as Parquet with provenance to ``out`` (path or ``-``), atomically."""
    target = resolve_output(out)
    if target != STDIO:
        check_not_an_input(target, inputs)
        meta = provenance(command, options, inputs)
        atomic_write(target, lambda fh: df.write_parquet(fh, compression="zstd", statistics=True, metadata=meta))
    else:
        write_bytes(target, parquet_bytes(df, provenance(command, options, inputs)), inputs)
    return target


def write_text(out: str | None, text: str, inputs: Inputs | None = None) -> None:
    """Write text to a file atomically, or to stdout for None/``-``."""
    if out is None or out == STDIO:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    check_not_an_input(out, inputs)
    atomic_write(out, lambda fh: fh.write(text.encode("utf-8")))


def iter_paths(paths: Iterable[str]) -> list[str]:
    return [str(p) for p in paths]
