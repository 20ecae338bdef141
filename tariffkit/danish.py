"""Parsing of the formats Danish exports use: numbers, dates, paragraphs, CPR numbers.

Everything here is a polars expression (vectorised, no Python loop over rows) or a tiny pure
function. Parsers never turn a bad value into a silent null: they return null for the bad
value *and* the caller checks ``original is not null and parsed is null`` to report the row.
"""

from __future__ import annotations

import re

import polars as pl
from polars._typing import PolarsDataType

MONEY = pl.Decimal(18, 2)

# Dates the exports use: dd-mm-åååå, dd.mm.åååå, dd/mm/åååå and åååå-mm-dd.
DATE_FORMATS = ("%d-%m-%Y", "%d.%m.%Y", "%d/%m/%Y", "%Y-%m-%d")
EXCEL_EPOCH = "1899-12-30"  # serial 1 = 1900-01-01 in Excel's (Lotus-compatible) calendar


def number_pattern(decimal: str = ",", thousands: str | None = ".", max_decimals: int | None = None) -> str:
    """Regex for one well-formed number with the given separators.

    Accepts a leading or trailing minus (``1.234,00-`` is how some ledgers print credits),
    thousands groups of exactly three digits, and any number of decimals, or at most
    ``max_decimals``.
    """
    d = re.escape(decimal)
    if thousands:
        t = re.escape(thousands)
        body = rf"(?:\d{{1,3}}(?:{t}\d{{3}})+|\d+)"
    else:
        body = r"\d+"
    decimals = rf"\d{{1,{max_decimals}}}" if max_decimals else r"\d+"
    return rf"^\s*[+-]?\s*{body}(?:{d}{decimals})?\s*-?\s*$"


def parse_number(
    expr: pl.Expr,
    *,
    decimal: str = ",",
    thousands: str | None = ".",
    dtype: PolarsDataType = MONEY,
) -> pl.Expr:
    """Danish number text → ``dtype`` (Decimal(18,2) by default); malformed → null.

    ``1.234.567,89`` → 1234567.89, ``-1.234,00`` → −1234.00, ``1.234,00-`` → −1234.00.
    For money, more than two decimals is malformed (no silent rounding of øre).
    """
    text = expr.cast(pl.String).str.strip_chars()
    ok = text.str.contains(number_pattern(decimal, thousands, 2 if dtype == MONEY else None))
    # In a well-formed number everything but the digits and separators is a sign or a blank at
    # either end: strip those, drop the thousands separators, make the decimal a point. (Literal
    # string operations only: a regex replace on every line cost more than the rest together.)
    digits = text.str.strip_chars("+-").str.strip_chars()
    if thousands:
        digits = digits.str.replace_all(thousands, "", literal=True)
    if decimal != ".":
        digits = digits.str.replace(decimal, ".", literal=True)
    value = digits.cast(dtype, strict=False)
    negative = text.str.contains("-", literal=True)
    return pl.when(ok).then(pl.when(negative).then(-value).otherwise(value))


def parse_date(expr: pl.Expr, *, formats: tuple[str, ...] = DATE_FORMATS, excel_serials: bool = False) -> pl.Expr:
    """Date text in any of ``formats`` (and, for .xlsx sources, Excel serial numbers) → Date."""
    text = expr.cast(pl.String).str.strip_chars()
    candidates = [text.str.to_date(fmt, strict=False, exact=True) for fmt in formats]
    if excel_serials:
        serial = pl.when(text.str.contains(r"^\d{4,6}$")).then(text.cast(pl.Int64, strict=False))
        candidates.append(pl.lit(EXCEL_EPOCH).str.to_date("%Y-%m-%d") + pl.duration(days=serial))
    return pl.coalesce(candidates)


def normalise_function(expr: pl.Expr) -> pl.Expr:
    """Account function ``5.38.50`` from ``5.38.50``, ``53850`` or a 10-character account string
    (``538500001`` style: the function is its first five digits) → ``5.38.50``."""
    text = expr.cast(pl.String).str.strip_chars()
    dotted = text.str.extract(r"^(\d)\.(\d{2})\.(\d{2})", 0)
    digits = text.str.replace_all(r"[\s.\-]", "")
    from_digits = pl.when(digits.str.contains(r"^\d{5,10}$")).then(digits.str.slice(0, 1) + "." + digits.str.slice(1, 2) + "." + digits.str.slice(3, 2))
    return pl.coalesce(dotted, from_digits)


# --- CPR numbers ---------------------------------------------------------------------------


def mask_cpr(expr: pl.Expr) -> pl.Expr:
    """CPR text → ``DDMMYY-****`` (for rejects files; the last four digits never leave)."""
    digits = expr.cast(pl.String).str.replace_all(r"[\s-]", "")
    return pl.when(digits.str.contains(r"^\d{6}")).then(digits.str.slice(0, 6) + "-****").otherwise(pl.lit("****"))


# --- formatting for people ---------------------------------------------------------------


def format_kr(value, decimals: int = 0) -> str:
    """1234567.8 → ``1.234.568`` (Danish thousands dot, decimal comma)."""
    if value is None:
        return ""
    s = f"{float(value):,.{decimals}f}"
    return s.replace(",", "§").replace(".", ",").replace("§", ".")
