"""Publishing a command's outputs together (issue 29): all or none.

A command may write several files (``-o``, ``--card``, ``--xlsx``, ``--summary-json``,
``--rejects`` …). Each is written to a temp file beside its target; inside :func:`together`
(every command runs inside it, see ``tariffkit.cli.common``) the finished temp files are not
renamed into place at once but kept, and renamed one after the other only when the command has
finished without an error. After an error, an interrupt (Ctrl-C) or a termination (SIGTERM),
they are removed: no output of the command is half-written, and files that were there before are
as they were. Stdout (``-``) is written at the end too.

No polars here: this module is imported for every command, also for ``--help``.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from pathlib import Path

STDIO = "-"
_batches: list[list[tuple[Path, str, int | None]]] = []


@contextlib.contextmanager
def together():
    """Publish every output finished inside at the end, or none (see the module docstring)."""
    batch: list[tuple[Path, str, int | None]] = []
    _batches.append(batch)
    try:
        yield
    except BaseException:
        _batches.remove(batch)
        for staged, _, _ in batch:
            with contextlib.suppress(OSError):
                os.unlink(staged)
        raise
    _batches.remove(batch)
    try:
        _check_batch(batch)  # every target checked before the first is published
        for staged, target, mode in batch:
            if target == STDIO:
                _copy_to_stdout(staged)
                os.unlink(staged)
            else:
                move_into_place(staged, Path(target), mode=mode, now=True)
    finally:
        for staged, _, _ in batch:  # after a failure partway (a full disk): no temp file is left
            with contextlib.suppress(OSError):
                os.unlink(staged)


def _check_batch(batch: list[tuple[Path, str, int | None]]) -> None:
    """Refuse, before anything is published: two outputs to the same file (one would be lost
    without a word), and a target that has become a folder."""
    from tariffkit.errors import DataError

    seen: dict[str, str] = {}
    for _, target, _ in batch:
        if target == STDIO:
            key = STDIO
        else:
            key = os.path.realpath(target)
            if os.path.isdir(key):
                raise DataError("the output is a folder, not a file; no output was written", file=target)
        if key in seen:
            what = "stdout" if key == STDIO else f"the same file ({target})"
            raise DataError(f"two outputs of this command go to {what}; give each its own; no output was written", file=seen[key])
        seen[key] = target


def move_into_place(tmp: Path, target: Path, mode: int | None = None, now: bool = False) -> None:
    """Rename a finished temp file over ``target`` (with ``mode``, or the old file's
    permissions, or the usual ones, 0666 less the umask, when new); inside :func:`together`
    at the end."""
    if _batches and not now:
        _batches[-1].append((_stage(tmp), str(target), mode))
        return
    if target.exists() and not target.is_file() and not target.is_dir():  # a device or a pipe (/dev/null, /dev/full): written into, never replaced
        with open(tmp, "rb") as src, open(target, "wb") as dst:
            for chunk in iter(lambda: src.read(1 << 20), b""):
                dst.write(chunk)
        os.unlink(tmp)
        return
    if mode is not None:
        os.chmod(tmp, mode)
    elif target.exists():
        with contextlib.suppress(OSError):
            os.chmod(tmp, target.stat().st_mode & 0o777)
    else:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
    os.replace(tmp, target)


def to_stdout(tmp: Path) -> None:
    """Copy a finished temp file to stdout; inside :func:`together`, at the end."""
    if _batches:
        _batches[-1].append((_stage(tmp), STDIO, None))
        return
    _copy_to_stdout(tmp)


def _stage(tmp: Path) -> Path:
    """Move a finished temp file to a name of its own, so a caller's cleanup of its scratch
    files cannot remove it before it is published."""
    fd, staged = tempfile.mkstemp(dir=tmp.parent, prefix=tmp.name.split(".tmp")[0] + ".", suffix=".staged.tmp")
    os.close(fd)
    os.replace(tmp, staged)
    return Path(staged)


def _copy_to_stdout(path: Path) -> None:
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            sys.stdout.buffer.write(chunk)
    sys.stdout.buffer.flush()


def check_target(value: str | None, what: str) -> None:
    """An output path that cannot be written is refused before any work: its folder must exist
    and it must not be a folder. Raises ``ValueError`` with the reason."""
    if value is None or value == STDIO:
        return
    p = Path(value)
    if p.is_dir():
        raise ValueError(f"{what} {value!r} is a folder, not a file")
    folder = p.parent if str(p.parent) else Path(".")
    if not folder.is_dir():
        raise ValueError(f"{what} {value!r}: the folder {str(folder)!r} does not exist")
    if not os.access(folder, os.W_OK):
        raise ValueError(f"{what} {value!r}: the folder {str(folder)!r} cannot be written to")
