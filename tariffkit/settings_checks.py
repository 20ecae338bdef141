"""The checks every settings file (TOML) gets, in one place: an unknown key is refused with the
nearest known one as a hint, and a number must be finite and in its range. Each is a
:class:`~tariffkit.errors.DataError` naming the file and the key (``column``)."""

from __future__ import annotations

import math

from tariffkit.errors import DataError


def check_keys(d: dict, known: set[str], file: str, where: str = "") -> None:
    """Refuse a key of ``d`` not in ``known``; ``where`` is the table's dotted prefix
    (``"carry."``) so the message and the column name the key as the file has it."""
    import difflib

    for k in d:
        if k not in known:
            close = difflib.get_close_matches(k, sorted(known), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else f"; known: {', '.join(sorted(known))}"
            raise DataError(f"unknown setting {where}{k!r}{hint}", file=file, column=f"{where}{k}")


def number(v, file: str, key: str, lo: float, hi: float, integer: bool = False):
    """A number from a settings file: its type, finite (no nan, inf) and in [lo, hi]; else a
    :class:`DataError` naming the file and the key. The one check for numbers in settings."""
    if isinstance(v, bool) or not isinstance(v, (int, float)) or (integer and not isinstance(v, int)):
        raise DataError(f"{key} must be a {'whole number' if integer else 'number'}, found {v!r}", file=file, column=key)
    if isinstance(v, float) and not math.isfinite(v):
        raise DataError(f"{key} must be a finite number, found {v!r}", file=file, column=key)
    if not lo <= v <= hi:
        raise DataError(f"{key} must be between {lo:g} and {hi:g}, found {v!r}", file=file, column=key)
    return v
