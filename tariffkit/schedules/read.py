"""Reading schedules: the offers' workbooks (a header block per citizen, or a flat sheet), CSV
with Danish headers, or Parquet in the ``schedules`` contract; the placements from the payments."""

from __future__ import annotations

import io as _io

import polars as pl

from tariffkit.errors import DataError
from tariffkit.schedules.columns import SCHEDULE_HEADERS, TEMPLATE_FIRST_LINE_ROW, TEMPLATE_TITLE, _header_key, pseudonymise_column, rename_headers

# --- reading ---------------------------------------------------------------------------------


def _sheet_rows(ws):
    return [list(r) for r in ws.iter_rows(values_only=True)]


def _cell_text(v) -> str | None:
    import datetime as dt

    if v is None:
        return None
    if isinstance(v, dt.time):
        return v.strftime("%H:%M")
    if isinstance(v, dt.datetime):
        return v.strftime("%H:%M") if v.date() == dt.date(1899, 12, 30) else v.strftime("%Y-%m-%d")
    if isinstance(v, float):
        if 0 < v < 1 and not v.is_integer():  # an Excel time as a fraction of a day
            m = round(v * 1440)
            return f"{m // 60:02d}:{m % 60:02d}"
        return str(int(v)) if v.is_integer() else repr(v).replace(".", ",")
    if isinstance(v, bool):
        return "true" if v else "false"
    s = str(v).strip()
    return s or None


def read_schedule_workbook(data: bytes, file: str) -> pl.DataFrame:
    """All schedule lines in a workbook, as text with ``_row`` and ``_file`` (``file[sheet]``).

    A sheet whose A1 is ``Døgnskema`` is a template sheet: CPR number in B2, offer in B3, the
    table header in row 7. Any other sheet whose first row has a ``CPR-nr.`` header is a flat
    table. Other sheets (instructions, lists) are ignored; template sheets left empty are
    skipped."""
    import zipfile

    from openpyxl import load_workbook

    try:
        wb = load_workbook(_io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as e:
        raise DataError(f"cannot open as an Excel workbook ({e})", file=file) from None
    frames = []
    for ws in wb.worksheets:
        rows = _sheet_rows(ws)
        label = f"{file}[{ws.title}]"
        if not rows:
            continue
        first = _cell_text(rows[0][0]) if rows[0] else None
        if first and first.strip().lower() == TEMPLATE_TITLE.lower():

            def block(r):
                return _cell_text(rows[r - 1][1]) if len(rows) >= r and len(rows[r - 1]) > 1 else None

            cpr, offer = block(2), block(3)
            if len(rows) < 7:
                continue
            header = [_cell_text(h) or "" for h in rows[6]]
            body = []
            for i, r in enumerate(rows[7:], start=TEMPLATE_FIRST_LINE_ROW):
                texts = [_cell_text(v) for v in r] + [None] * (len(header) - len(r))
                if all(t is None for t in texts[: len(header)]):
                    continue
                body.append((i, texts[: len(header)]))
            if not body:
                continue
            if not cpr:
                raise DataError("the sheet has schedule lines but no CPR number in the header block", file=label, row=2, column="CPR-nr.")
            if not offer:
                raise DataError("the sheet has schedule lines but no offer number in the header block", file=label, row=3, column="Tilbudsnr.")
            cols = {h: [t[j] for _, t in body] for j, h in enumerate(header) if h}
            df = pl.DataFrame({"_row": [i for i, _ in body], **cols}, schema={"_row": pl.Int64, **{h: pl.String for h in cols}})
            df = df.with_columns(pl.lit(cpr).alias("CPR-nr."), pl.lit(offer).alias("Tilbudsnr."), pl.lit(label).alias("_file"))
            frames.append(df)
        elif any(_header_key(_cell_text(h) or "") in ("cpr-nr", "cpr", "cprnr") for h in rows[0]):
            header = [_cell_text(h) or "" for h in rows[0]]
            body = [(i, ([_cell_text(v) for v in r] + [None] * len(header))[: len(header)]) for i, r in enumerate(rows[1:], start=2)]
            body = [(i, t) for i, t in body if any(x is not None for x in t)]
            cols = {h: [t[j] for _, t in body] for j, h in enumerate(header) if h}
            df = pl.DataFrame({"_row": [i for i, _ in body], **cols}, schema={"_row": pl.Int64, **{h: pl.String for h in cols}})
            frames.append(df.with_columns(pl.lit(label).alias("_file")))
    wb.close()
    if not frames:
        raise DataError("no schedule found: expected sheets from `tariffkit reassign --template` (A1 = Døgnskema) or a sheet with a CPR-nr. column", file=file)
    return pl.concat(frames, how="diagonal_relaxed")


def read_schedules(path: str, inputs, key: bytes | None) -> pl.DataFrame:
    """A schedules file (xlsx, CSV or Parquet) → text lines with contract names, ``citizen_id``,
    ``_row`` and ``_file``. Parquet must already be pseudonymised (the ``schedules`` contract)."""
    from pathlib import Path

    from tariffkit import io as tio

    file = tio.label_of(path)
    data = tio.read_bytes(path, inputs)
    kind = tio.sniff_kind(data)
    suffix = Path(str(path)).suffix.lower()
    if kind == "parquet" or suffix in (".parquet", ".pq"):
        df = tio.read_parquet_bytes(data, file)
        if "cpr" in df.columns or any(_header_key(c) == "cpr-nr" for c in df.columns):
            raise DataError("a Parquet schedules file must be pseudonymised (citizen_id, no CPR column)", file=file, column="CPR-nr.")
        df = df.with_columns(pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias("_row"), pl.lit(file).alias("_file"))
        return df
    if kind == "xlsx" or suffix in (".xlsx", ".xlsm"):
        if kind != "xlsx":
            raise DataError("expected an Excel .xlsx file, found something else", file=file)
        raw = read_schedule_workbook(data, file)
    else:
        raw, _ = tio.read_csv_text(data, file)
        raw = raw.with_columns(pl.lit(file).alias("_file"))
    files = raw["_file"]
    df = rename_headers(raw.drop("_file"), SCHEDULE_HEADERS, file).with_columns(_file=files)
    if key is None and "cpr" in df.columns:
        raise DataError("the schedules carry CPR numbers; a pseudonymisation key is needed (`key_file` or $TARIFFKIT_KEY)", file=file)
    return pseudonymise_column(df, key or b"", file)


def placements_from_payments(payments: pl.DataFrame) -> pl.DataFrame:
    """Current placements from DSS: citizens with an actual line covering the latest month of
    actual spending, at the level of their latest such line (own citizens)."""
    p = payments.filter((pl.col("kind") == "actual") & pl.col("level").is_not_null())
    if p.height == 0:
        raise DataError("no actual payment lines with a level: cannot tell the current levels", file="payments", column="level")
    last = p.select(pl.col("service_to").max()).item()
    month_start = last.replace(day=1)
    cur = p.filter((pl.col("service_to") >= month_start) & (pl.col("service_from") <= last) & (pl.col("amount") > 0))
    cur = cur.sort("citizen_id", "offer_id", "service_from", "source_row").group_by("citizen_id", "offer_id", maintain_order=True).agg(pl.col("level").last())
    return cur.select("citizen_id", "offer_id", pl.col("level").cast(pl.Int16), origin=pl.lit("own"), municipality=pl.lit(None, dtype=pl.String))
