"""Tables people open: any table as an .xlsx sheet (typed columns, number formats, frozen
header, autofilter), written deterministically (the same table gives the same bytes)."""

from __future__ import annotations

import io
from typing import Any

import polars as pl

from tariffkit.labels import CODED_COLUMNS, VALUES  # one table of labels
from tariffkit.labels import COLUMNS as LABELS


def table_workbook(df: pl.DataFrame, sheet: str = "Data") -> bytes:
    """``df`` as one sheet: Danish headers (LABELS), Danish values for codes (VALUES), kroner with
    two decimals, HÅP with two, dates as dd-mm-åååå, booleans as ja/nej."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from tariffkit.xlsx import deterministic_zip as _deterministic_zip

    wb = Workbook()
    ws = wb.active
    from tariffkit.xlsx import sheet_name

    ws.title = sheet_name(sheet, set())
    ws.append([LABELS.get(c, c) for c in df.columns])
    for c in ws[1]:
        c.font = Font(bold=True)
    money = {c for c, t in df.schema.items() if isinstance(t, pl.Decimal)}
    for row in df.iter_rows():
        ws.append(
            [
                ("ja" if v else "nej") if isinstance(v, bool) else float(v) if c in money and v is not None else VALUES.get(v, v) if isinstance(v, str) else v
                for c, v in zip(df.columns, row)
            ]
        )
    for j, (c, t) in enumerate(df.schema.items(), start=1):
        fmt = "#,##0.00" if c in money else "0.00" if c == "haap" else "dd-mm-yyyy" if t == pl.Date else None
        if fmt:
            for r in range(2, ws.max_row + 1):
                ws.cell(row=r, column=j).number_format = fmt
        ws.column_dimensions[ws.cell(row=1, column=j).column_letter].width = max(10, min(40, len(LABELS.get(c, c)) + 2))
    ws.freeze_panes = "A2"
    if df.height:
        ws.auto_filter.ref = ws.dimensions
    buf = io.BytesIO()
    wb.save(buf)
    return _deterministic_zip(buf.getvalue())


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
    """The whole table as one sheet, written by XlsxWriter through polars (made for speed, and
    typed): Danish headers where known (LABELS), kroner shown without decimals but stored exact,
    other numbers with two decimals, dates dd-mm-åååå, frozen header, autofilter, fitted widths.
    The file carries a fixed creation time, so the same table gives the same bytes."""
    import datetime as dt

    import xlsxwriter

    from tariffkit.xlsx import deterministic_zip as _deterministic_zip

    d = flatten(df, danish=True)
    d = d.with_columns(pl.col(c).replace(VALUES) for c, t in d.schema.items() if t == pl.String and c in CODED_COLUMNS)
    d = d.rename({c: LABELS.get(c, c) for c in d.columns})
    formats: dict[Any, str] = {}
    for c, t in d.schema.items():
        if isinstance(t, pl.Decimal):  # kroner without decimals, unless the column has øre (a daily tariff, a bill)
            has_ore = d.select((pl.col(c) * 100 % 100 != 0).any()).item()
            formats[c] = "#,##0.00" if has_ore else "#,##0"
        elif t.is_float():
            formats[c] = "0.00"
        elif t == pl.Date:
            formats[c] = "dd-mm-yyyy"
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    wb.set_properties({"created": dt.datetime(2000, 1, 1)})
    from tariffkit.xlsx import sheet_name

    d.write_excel(
        workbook=wb,
        worksheet=sheet_name(sheet, set()),
        column_formats=formats or None,
        autofilter=d.height > 0,
        freeze_panes=(1, 0),
        autofit=True,
        table_style=None,
        header_format={"bold": True},
    )
    wb.close()
    return _deterministic_zip(buf.getvalue())
