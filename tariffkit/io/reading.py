"""Reading tables: CSV (Danish and other separators, encodings, ragged lines named), Excel and
Parquet, each checked against its data contract where one is named."""

from __future__ import annotations

import io
import re
from pathlib import Path

import polars as pl

from tariffkit.errors import DataError
from tariffkit.io.sources import BOM, STDIO, Inputs, _opening, label_of, read_bytes, read_head, register_file

_NON_ASCII = re.compile(rb"[\x80-\xff]")


def decode(data: bytes, encoding: str | None, file: str) -> tuple[str, str]:
    """Bytes → text. UTF-8 with BOM, UTF-8, else Windows-1252 (a superset of Latin-1's printable
    characters) unless ``encoding`` is given. Returns (text, encoding used)."""
    if encoding:
        enc = {"latin-1": "latin-1", "latin1": "latin-1", "iso-8859-1": "latin-1"}.get(encoding.lower(), encoding)
        try:
            return data.decode(enc).lstrip("\ufeff"), enc
        except (UnicodeDecodeError, LookupError) as e:
            raise DataError(f"cannot decode as {encoding}: {e}", file=file) from None
    if data.startswith(BOM):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as e:
            raise DataError(f"starts with a UTF-8 byte order mark but is not UTF-8 ({e.reason} at byte {e.start})", file=file) from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as e:
        if _NON_ASCII.search(data, 0, e.start):  # UTF-8 letters (æ, ø, å) before the byte that is not UTF-8: two encodings in one file
            line = data.count(b"\n", 0, e.start) + 1
            raise DataError(
                f"the file mixes two encodings: UTF-8 letters before line {line}, then a byte (0x{data[e.start]:02X}) that is not UTF-8 there; "
                "export it again in one encoding (UTF-8 or Windows-1252)",
                file=file,
                row=line,
            ) from None
        return data.decode("cp1252", errors="replace"), "cp1252"


def sniff_kind(data: bytes) -> str:
    """What a file really is, from its first bytes: parquet, xlsx (a zip), or text."""
    if data[:4] == b"PAR1":
        return "parquet"
    if data[:4] == b"PK\x03\x04":
        return "xlsx"
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return "xls"
    return "text"


def read_csv_text(
    data: bytes,
    file: str,
    *,
    separator: str | None = None,
    encoding: str | None = None,
    header_row: int = 1,
) -> tuple[pl.DataFrame, str]:
    """Read a CSV as all-text columns plus ``_row`` (the line number in the file, 1-based).

    Blank lines and rows of only separators are dropped (their line numbers are skipped, so
    ``_row`` still points at the real line). Columns without a name that hold nothing (from
    trailing separators) are dropped. Returns (frame, encoding used)."""
    kind = sniff_kind(data)
    if kind != "text":
        raise DataError(f"expected a CSV text file, found a {kind} file (is the extension wrong?)", file=file)
    text, used = decode(data, encoding, file)
    if not text.strip():
        raise DataError("the file is empty, expected a header row and data", file=file)
    lines_to_skip = header_row - 1
    first = text[: 1 << 16].lstrip("\ufeff").splitlines()
    head = first[lines_to_skip] if len(first) > lines_to_skip else ""
    if separator is None:
        separator = ";" if head.count(";") >= head.count(",") else ","
    check_unique_headers(_csv_header(head, separator), file, header_row)
    # UTF-8 input goes to polars as the original bytes (no re-encoding of a large file).
    import codecs

    utf8 = codecs.lookup(used).name in ("utf-8", "utf-8-sig")
    payload: str | bytes = (data[3:] if data.startswith(BOM) else data) if utf8 else text
    try:
        df = _polars_csv(payload, separator, lines_to_skip, header_row)
    except pl.exceptions.ComputeError as e:
        if "more fields" not in str(e):
            raise DataError(f"not a well-formed CSV file ({str(e).splitlines()[0]})", file=file) from None
        # Trailing separators on data lines but not on the header (a common export quirk):
        # drop them and read again. Lines with real extra fields still fail.
        text = re.sub(rf"{re.escape(separator)}+(?=\r?\n|$)", "", text)
        try:
            df = _polars_csv(text, separator, lines_to_skip, header_row)
        except pl.exceptions.ComputeError as e2:
            row, n, want = _ragged_line(text, separator, lines_to_skip)
            if row is not None:
                raise DataError(f"not a well-formed CSV file: this line has {n} fields, the header {want}", file=file, row=row) from None
            raise DataError(f"not a well-formed CSV file ({str(e2).splitlines()[0]})", file=file) from None
    except pl.exceptions.NoDataError:
        raise DataError("the file is empty, expected a header row and data", file=file) from None
    return _scrub_headers(_tidy_csv(df)), used


def _scrub_headers(df):
    """Column names are text that enters too: a CPR-shaped run in a header is masked."""
    from tariffkit.cpr import scrub_text

    renames = {c: scrub_text(c) for c in (df.collect_schema().names() if isinstance(df, pl.LazyFrame) else df.columns) if scrub_text(c) != c}
    return df.rename(renames) if renames else df


def check_unique_headers(names: list[str], file: str, row: int) -> None:
    """Two columns with the same name (two ``Beløb``, two ``fte``): refused, naming both, since
    reading one of them would silently drop the other. Names compare without surrounding blanks
    and case; empty names (trailing separators) are not names."""
    seen: dict[str, int] = {}
    for i, n in enumerate(names, start=1):
        key = n.strip().casefold()
        if not key:
            continue
        if key in seen:
            raise DataError(
                f"two columns are named {n.strip()!r} (columns {seen[key]} and {i}); rename or remove one, so it is clear which to read",
                file=file,
                row=row,
                column=n.strip(),
            )
        seen[key] = i


def _csv_header(line: str, separator: str) -> list[str]:
    import csv

    return next(csv.reader([line], delimiter=separator), [])


def _ragged_line(text: str, separator: str, lines_to_skip: int) -> tuple[int | None, int, int]:
    """(line number, its fields, the header's fields) of the first line with more fields than
    the header; (None, 0, 0) when there is none (the problem is elsewhere)."""
    import csv

    lines = text.splitlines()[lines_to_skip:]
    csv.field_size_limit(1 << 30)  # a 10 MB field is still a field: count it, do not fail on it
    reader = csv.reader(lines, delimiter=separator)
    try:
        want = len(next(reader))
        for i, fields in enumerate(reader, start=lines_to_skip + 2):
            if len(fields) > want:
                return i, len(fields), want
    except (csv.Error, StopIteration):
        pass
    return None, 0, 0


class NotUtf8(Exception):
    """The start of a file is not UTF-8: decode it in memory instead (:func:`read_csv_text`)."""


def scan_csv_text(path: str | Path, file: str, *, separator: str | None = None, header_row: int = 1) -> pl.LazyFrame:
    """Scan a UTF-8 CSV file lazily as all-text columns plus ``_row`` (its line number), for the
    streaming import: the file is never read into memory as a whole.

    The frame is the same as :func:`read_csv_text` gives except that blank rows are still in it
    and the header is stripped of blanks. A file that is not UTF-8, or whose data lines carry
    trailing separators the header does not, fails when the frame is collected (a polars
    ``ComputeError``); the caller then falls back to :func:`read_csv_text`."""
    p = Path(path)
    with _opening(p, file), open(p, "rb") as fh:
        head = fh.read(1 << 16)
    kind = sniff_kind(head)
    if kind != "text":
        raise DataError(f"expected a CSV text file, found a {kind} file (is the extension wrong?)", file=file)
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as e:
        if e.start < len(head) - 3 or len(head) < (1 << 16):  # not just a character cut at the end
            raise NotUtf8(file) from None
    lines_to_skip = header_row - 1
    first = head.decode("utf-8", errors="replace").lstrip("\ufeff").splitlines()
    line = first[lines_to_skip] if len(first) > lines_to_skip else ""
    if separator is None:
        separator = ";" if line.count(";") >= line.count(",") else ","
    check_unique_headers(_csv_header(line, separator), file, header_row)
    lf = pl.scan_csv(p, **_csv_options(separator, lines_to_skip, header_row), glob=False)
    try:
        names = lf.collect_schema().names()
    except pl.exceptions.NoDataError:
        raise DataError("the file is empty, expected a header row and data", file=file) from None
    except pl.exceptions.ComputeError as e:
        raise DataError(f"not a well-formed CSV file ({str(e).splitlines()[0]})", file=file) from None
    stripped = {c: c.strip() for c in names if c != c.strip()}
    return _scrub_headers(lf.rename(stripped) if stripped else lf)


def _csv_options(separator: str, lines_to_skip: int, header_row: int) -> dict:
    """How polars reads an extract, streamed or in memory: every cell as text, rows numbered as
    the file numbers them (the header is row ``header_row``), a ragged line an error."""
    return dict(
        separator=separator,
        infer_schema=False,
        skip_lines=lines_to_skip,
        row_index_name="_row",
        row_index_offset=header_row + 1,
        truncate_ragged_lines=False,
        raise_if_empty=True,
    )


def _polars_csv(text: str | bytes, separator: str, lines_to_skip: int, header_row: int) -> pl.DataFrame:
    return pl.read_csv(io.BytesIO(text.encode("utf-8") if isinstance(text, str) else text), **_csv_options(separator, lines_to_skip, header_row))


def _tidy_csv(df: pl.DataFrame) -> pl.DataFrame:
    empty_named = [c for c in df.columns if (c == "" or c.startswith("_duplicated_")) and df[c].null_count() == df.height]
    if empty_named:
        df = df.drop(empty_named)
    df = df.rename({c: c.strip() for c in df.columns if c != c.strip()})
    # by position, not name: a header such as "*" or "^a$" would be a pattern to pl.col
    data_cols = [i for i, c in enumerate(df.columns) if c != "_row"]
    if data_cols:
        # A blank row has a blank first cell; check the other cells only on those candidates.
        first = pl.nth(data_cols[0])
        candidates = df.filter(first.is_null() | (first.str.strip_chars() == ""))
        if candidates.height:
            blank = pl.all_horizontal([pl.nth(i).is_null() | (pl.nth(i).str.strip_chars() == "") for i in data_cols])
            blank_rows = candidates.filter(blank)["_row"]
            if blank_rows.len():
                df = df.filter(~pl.col("_row").is_in(blank_rows.implode()))
    return df.with_columns(pl.col("_row").cast(pl.Int64))


def read_xlsx_text(data: bytes, file: str, *, sheet: str | None = None, header_row: int = 1) -> pl.DataFrame:
    """Read one sheet of an .xlsx as all-text columns plus ``_row`` (the Excel row number).

    Cells become text the parsers understand: dates as ``åååå-mm-dd``, numbers in Danish form
    (``1234,5``); date fields given as Excel serial numbers are converted by the date parser."""
    import datetime as dt
    import zipfile

    from openpyxl import load_workbook

    if sniff_kind(data) != "xlsx":
        raise DataError("expected an Excel .xlsx file, found something else", file=file)
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as e:
        raise DataError(f"cannot open as an Excel workbook ({e})", file=file) from None
    if sheet and sheet not in wb.sheetnames:
        raise DataError(f"no sheet named {sheet!r} (sheets: {', '.join(wb.sheetnames)})", file=file)
    ws = wb[sheet] if sheet else wb.worksheets[0]
    rows = ws.iter_rows(min_row=header_row, values_only=True)
    try:
        header = next(rows)
    except StopIteration:
        raise DataError("the sheet is empty, expected a header row and data", file=file) from None
    from tariffkit.cpr import scrub_text

    names = [("" if h is None else scrub_text(str(h).strip())) for h in header]
    check_unique_headers(names, file, header_row)
    keep = [i for i, n in enumerate(names) if n]

    def cell(v) -> str | None:
        if v is None:
            return None
        if isinstance(v, (dt.datetime, dt.date)):
            return v.strftime("%Y-%m-%d")
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, int):
            return str(v)
        if isinstance(v, float):
            return (str(int(v)) if v.is_integer() else repr(v)).replace(".", ",")
        return str(v)

    columns: dict[str, list] = {names[i]: [] for i in keep}
    row_numbers: list[int] = []
    for r, values in enumerate(rows, start=header_row + 1):
        values = list(values) + [None] * (len(names) - len(values))
        texts = [cell(values[i]) for i in keep]
        if all(t is None or t.strip() == "" for t in texts):
            continue
        row_numbers.append(r)
        for i, t in zip(keep, texts):
            columns[names[i]].append(t)
    wb.close()
    df = pl.DataFrame({"_row": pl.Series(row_numbers, dtype=pl.Int64), **{k: pl.Series(v, dtype=pl.String) for k, v in columns.items()}})
    return df


def read_parquet_bytes(data: bytes, file: str, columns: list[str] | None = None) -> pl.DataFrame:
    """A Parquet file's rows; with ``columns``, only those (the others are not decoded at all),
    unless the file lacks one of them: then all, so the contract check can name what is missing."""
    if sniff_kind(data) != "parquet":
        raise DataError("expected a Parquet file, found something else (is the extension wrong?)", file=file)
    try:
        if columns is not None:
            if set(columns) - set(pl.read_parquet_schema(io.BytesIO(data))):
                columns = None
        return pl.read_parquet(io.BytesIO(data), columns=columns)
    except Exception as e:  # polars raises several types for truncated/corrupt files
        raise DataError(f"cannot read Parquet: the file is truncated or corrupt ({type(e).__name__})", file=file) from None


def scan_parquet_file(path: str | Path, inputs: Inputs, *, columns: list[str], schema: dict) -> pl.LazyFrame | None:
    """A lazy scan of these ``columns`` of a Parquet file whose types are ``schema`` already
    (tariffkit's own output); the file is recorded as an input and hashed on a thread. None when the file must be read
    whole instead: stdin, not a ``.parquet`` name, or other column types (a table from
    elsewhere, which :func:`read_table` and the contract check convert or refuse)."""
    if str(path) == STDIO or Path(str(path)).suffix.lower() not in (".parquet", ".pq"):
        return None
    file = label_of(path)
    if read_head(path, 4) != b"PAR1":
        raise DataError("expected a Parquet file, found something else (is the extension wrong?)", file=file)
    try:
        found = pl.read_parquet_schema(path)
    except Exception:  # polars raises several types for truncated/corrupt files
        raise DataError("cannot read Parquet: the file is truncated or corrupt", file=file) from None
    if "_row" in found or any(found.get(c) != schema[c] for c in columns):
        return None
    register_file(path, inputs, background=True)
    return pl.scan_parquet(path).select(columns)


def read_table(
    path: str | Path,
    inputs: Inputs | None = None,
    *,
    contract: str | None = None,
    sheet: str | None = None,
    columns: list[str] | None = None,
) -> pl.DataFrame:
    """Read Parquet, CSV or .xlsx by extension (``-`` = Parquet on stdin) into a DataFrame.

    ``columns``: from Parquet, read only these (when the file has them all); CSV and Excel are
    read whole.

    With ``contract``, the table is checked and cast against that contract
    (:func:`tariffkit.contracts.conform`): text columns from CSV/Excel are parsed as Danish
    numbers and dates; a bad value raises :class:`DataError` naming file, row and column.
    """
    from tariffkit import contracts

    file = label_of(path)
    data = read_bytes(path, inputs)
    suffix = Path(str(path)).suffix.lower()
    if str(path) == STDIO or suffix in (".parquet", ".pq"):
        df = read_parquet_bytes(data, file, columns)
        first_row = 1
    elif suffix in (".csv", ".txt"):
        df, _ = read_csv_text(data, file)
        first_row = None
    elif suffix in (".xlsx", ".xlsm"):
        df = read_xlsx_text(data, file, sheet=sheet)
        first_row = None
    else:
        raise DataError(f"unknown file type {suffix or '(none)'}, expected .parquet, .csv or .xlsx", file=file)
    if first_row is None:  # text from outside: a CPR number typed into any other column is scrubbed
        from tariffkit.cpr import scrub_frame

        df = scrub_frame(df, keep={c for c in df.columns if "cpr" in c.casefold()})
    if contract is not None:
        df = contracts.conform(df, contract, file=file, first_row=first_row)
    return df
