"""Tables people open: any table as an .xlsx sheet (typed columns, number formats, frozen
header, autofilter), written deterministically (the same table gives the same bytes)."""

from __future__ import annotations

import polars as pl

from tariffkit.labels import CODED_COLUMNS, VALUES  # one table of labels
from tariffkit.labels import COLUMNS as LABELS

# --- any table to what people open: Danish CSV and xlsx ---------------------------------------

LIST_SEPARATOR = ", "  # nested (list) columns are joined with this in CSV and xlsx


def flatten(df: pl.DataFrame, danish: bool = False) -> pl.DataFrame:
    """Nested columns as text: a list column's items joined with LIST_SEPARATOR (flags in Danish
    with ``danish``), a struct as ``field=value`` pairs; everything else as it is."""
    from tariffkit.labels import FLAGS

    out = []
    for c, t in df.schema.items():
        if isinstance(t, (pl.List, pl.Array)):
            items = pl.col(c).cast(pl.List(pl.String))
            if danish and c == "flags":
                items = items.list.eval(pl.element().replace(FLAGS))
            out.append(items.list.join(LIST_SEPARATOR).alias(c))
        elif isinstance(t, pl.Struct):
            fields = [f.name for f in t.fields]
            out.append(
                pl.concat_str([pl.lit(f"{f}=") + pl.col(c).struct.field(f).cast(pl.String).fill_null("") for f in fields], separator=LIST_SEPARATOR).alias(c)
            )
        else:
            out.append(pl.col(c))
    return df.select(out)


def for_people(df: pl.DataFrame, decimals: int = 2) -> pl.DataFrame:
    """Rounding for display: floats (HÅP, hours, shares) to ``decimals`` places, so no float noise
    (0.0833333334 → 0.08) reaches a reader; money (Decimal) is exact already and kept."""
    return df.with_columns(pl.col(c).round(decimals) for c, t in df.schema.items() if t in (pl.Float32, pl.Float64))


def csv_bytes(df: pl.DataFrame, locale: str = "da") -> bytes:
    """The whole table as CSV. ``da`` (Danish Excel): ``;`` between fields, decimal comma, dates
    as dd-mm-åååå, UTF-8 with a BOM so Excel reads æøå; ``en``: ``,``, decimal point, ISO dates,
    no BOM. Floats are rounded for display (:func:`for_people`); money keeps its øre."""
    d = for_people(flatten(df, danish=locale == "da"))
    if locale == "da":  # Danish headers and values too, as in the workbooks (en keeps the contract's codes)
        d = d.with_columns(pl.col(c).replace(VALUES) for c, t in d.schema.items() if t == pl.String and c in CODED_COLUMNS)
        d = d.with_columns(
            *[pl.col(c).dt.strftime("%d-%m-%Y") for c, t in d.schema.items() if t == pl.Date],
            *[pl.col(c).cast(pl.String).str.replace(".", ",", literal=True) for c, t in d.schema.items() if t.is_float() or isinstance(t, pl.Decimal)],
            *[pl.col(c).cast(pl.String).replace_strict({"true": "ja", "false": "nej"}, default=None) for c, t in d.schema.items() if t == pl.Boolean],
        )
        d = d.rename({c: LABELS.get(c, c) for c in d.columns})
        return b"\xef\xbb\xbf" + d.write_csv(separator=";").encode("utf-8")
    return d.write_csv().encode("utf-8")


def xlsx_bytes(df: pl.DataFrame, sheet: str = "Data") -> bytes:
    """The whole table as one sheet, for people: Danish headers where known (LABELS), Danish
    values for coded columns (VALUES) and flags, booleans as ja/nej, kroner exact and shown
    without decimals unless the column has øre, other numbers stored exact and shown with two
    decimals, dates dd-mm-åååå, nested columns as text, the header frozen, an autofilter and
    fitted widths. Written as sheet XML in one go (:class:`tariffkit.xlsx.TableBook`); the same
    table gives the same bytes. Every workbook of a plain table (export, the occupancy
    reconciliation, the negotiation list, the service levels, the settlements, the tariff
    portal) is this one."""
    from tariffkit.xlsx import TableBook, sheet_name

    d = flatten(df, danish=True)
    d = d.with_columns(pl.col(c).replace(VALUES) for c, t in d.schema.items() if t == pl.String and c in CODED_COLUMNS)
    columns: list[list] = []
    formats: list[str | None] = []
    for c, t in d.schema.items():
        s = d[c]
        fmt = None
        values: list
        if isinstance(t, pl.Decimal):  # kroner without decimals, unless the column has øre (a daily tariff, a bill)
            fmt = "#,##0.00" if d.select((pl.col(c) * 100 % 100 != 0).any()).item() else "#,##0"
            values = [None if v is None else float(v) for v in s.to_list()]
        elif t == pl.Boolean:
            values = [None if v is None else "ja" if v else "nej" for v in s.to_list()]
        else:
            fmt = "0.00" if t.is_float() else "dd-mm-yyyy" if t == pl.Date else None
            values = s.to_list()
        columns.append(values)
        formats.append(fmt)
    headers = [str(LABELS.get(c, c)) for c in d.columns]
    widths = [max(10, min(60, max([len(h)] + [len(str(v)) for v in vs[:500] if v is not None]) + 2)) for h, vs in zip(headers, columns)]
    book = TableBook()
    book.table(sheet_name(sheet, set()), headers, columns, formats, [False] * d.height, widths, autofilter=True)
    return book.bytes()
