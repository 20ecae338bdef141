"""CPR numbers (*personnumre*): the one home of every rule about them.

* **Shape.** A CPR number is 10 ASCII digits, written ``DDMMYY-XXXX`` or ``DDMMYYXXXX`` (blanks
  and the dash are ignored). Its ``DDMM`` part must be a day that exists in a leap year (the
  century is not known from ``DDMMYY``), or that day + 60 (replacement numbers,
  *erstatningspersonnumre*). Modulus 11 is not checked (Denmark stopped guaranteeing it in 2007).
* **Pseudonym.** ``citizen_id`` = the first 16 hex characters of HMAC-SHA256 (RFC 2104) of the
  10 digits under the municipality's key. The same person gets the same id across months and
  files as long as the key is the same.
* **Masking.** Anything CPR-shaped in text people read (messages, rejects, free text) is shown
  as ``DDMMYY-****``; in messages as ``DD****-****``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable

import polars as pl

CPR_OK, CPR_EMPTY, CPR_NOT_SHAPED, CPR_BAD_DATE = 0, 1, 2, 3

# Six digits and four digits, optionally with a dash or a blank between them, not inside a
# longer run of digits: what may be a CPR number anywhere in text.
CPR_SHAPED = re.compile(r"(?<!\d)(\d{6})[- ]?(\d{4})(?!\d)")
CPR_SHAPED_PATTERN = r"(^|[^0-9])[0-9]{6}[- ]?[0-9]{4}([^0-9]|$)"  # the same, for polars (no look-around)

# DDMM of a valid CPR date part: every day that exists in a leap year, and the same + 60.
_DAY_MONTH = frozenset(
    f"{d + plus:02d}{m:02d}" for m, days in enumerate((31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31), start=1) for d in range(1, days + 1) for plus in (0, 60)
)


def cpr_status(text: str | None) -> tuple[str | None, int]:
    """One CPR text → (10 digits or None, CPR_OK / CPR_EMPTY / CPR_NOT_SHAPED / CPR_BAD_DATE)."""
    digits = "".join((text or "").split()).replace("-", "")
    if not digits:
        return None, CPR_EMPTY
    if len(digits) != 10 or not (digits.isascii() and digits.isdigit()):
        return None, CPR_NOT_SHAPED
    if digits[:4] not in _DAY_MONTH:
        return None, CPR_BAD_DATE
    return digits, CPR_OK


def normalise(text: str | None) -> str | None:
    """CPR text → its 10 digits, or None when it is not a valid CPR number."""
    return cpr_status(text)[0]


def normalise_expr(expr: pl.Expr) -> pl.Expr:
    """:func:`normalise` as a polars expression (the same rule: 10 digits once blanks and the
    dash are gone, the first four a day and month, day + 60 allowed); null when not valid."""
    digits = expr.cast(pl.String).str.replace_all(r"[\s-]", "")
    return pl.when(digits.str.contains(r"^\d{10}$") & digits.str.slice(0, 4).is_in(sorted(_DAY_MONTH))).then(digits)


REASONS = {
    CPR_EMPTY: "expected a CPR number, found an empty value",
    CPR_NOT_SHAPED: "expected a CPR number of 10 digits (DDMMYY-XXXX), found something else (value not shown)",
    CPR_BAD_DATE: "expected a CPR number with a valid date part DDMMYY (day + 60 allowed), found an invalid date (value not shown)",
}


def pseudonym_function(key: bytes) -> Callable[[str], str]:
    """The function 10 digits → citizen_id under ``key``. The key's inner and outer hash states
    are computed once, so each value costs two SHA-256 updates of a copied state."""
    block = hashlib.sha256().block_size
    padded = (hashlib.sha256(key).digest() if len(key) > block else key).ljust(block, b"\0")
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in padded))
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in padded))

    def pseudonym(digits: str) -> str:
        i = inner.copy()
        i.update(digits.encode("ascii"))
        o = outer.copy()
        o.update(i.digest())
        return o.hexdigest()[:16]

    return pseudonym


def key_fingerprint(key: bytes) -> str:
    """A public fingerprint of the key (16 hex characters of HMAC-SHA256 of a fixed text): the
    payments history records it, so a month imported under another key is refused instead of
    giving every citizen a second pseudonym. It reveals nothing about the key."""
    import hmac

    return hmac.new(key, b"tariffkit key fingerprint v1", hashlib.sha256).hexdigest()[:16]


def pseudonymise(digits: pl.Series, key: bytes) -> pl.Series:
    """Normalised CPR numbers (10 digits) → citizen_id; only distinct values are hashed."""
    uniq = digits.unique().drop_nulls()
    one = pseudonym_function(key)
    ids = [one(c) for c in uniq.to_list()]
    return digits.replace_strict(uniq, pl.Series(ids, dtype=pl.String), default=None, return_dtype=pl.String)


def mask_text(text: str) -> str:
    """Mask anything CPR-shaped in a message: ``DDMMYY-XXXX`` → ``DD****-****``."""
    return CPR_SHAPED.sub(lambda m: f"{m.group(1)[:2]}****-****", text)


def mask_expr(expr: pl.Expr) -> pl.Expr:
    """CPR text → ``DDMMYY-****`` (for rejects files; the last four digits never leave)."""
    digits = expr.cast(pl.String).str.replace_all(r"[\s-]", "")
    return pl.when(digits.str.contains(r"^\d{6}")).then(digits.str.slice(0, 6) + "-****").otherwise(pl.lit("****"))


SCRUBBED = "******-****"  # what a CPR-shaped value in a text field becomes: nothing of it is kept


def scrub_text(text: str) -> str:
    """Every CPR-shaped run (6 digits, an optional dash or space, 4 digits, not inside a longer
    number) in a text that is not the CPR column → ``******-****``. The rule for every text that
    enters tariffkit besides the CPR number itself: names, case numbers, remarks, municipalities,
    file names, option values. The CPR column is pseudonymised instead."""
    return CPR_SHAPED.sub(SCRUBBED, text) if text else text


def scrub_expr(expr: pl.Expr) -> pl.Expr:
    """:func:`scrub_text` for a text column (twice: a match takes the character after it, which
    may be the one before the next)."""
    once = lambda e: e.str.replace_all(CPR_SHAPED_PATTERN, "${1}" + SCRUBBED + "${2}")  # noqa: E731
    return pl.when(expr.str.contains(r"[0-9]{6}")).then(once(once(expr))).otherwise(expr)


def scrub_frame(df: pl.DataFrame, keep: set[str] | None = None) -> pl.DataFrame:
    """Every text column but ``keep`` (the CPR columns, pseudonymised by their readers) scrubbed."""
    keep = keep or set()
    cols = [c for c, t in df.schema.items() if t == pl.String and c not in keep]
    return df.with_columns(scrub_expr(pl.col(c)).alias(c) for c in cols) if cols else df
