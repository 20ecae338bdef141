"""Writing .xlsx (one home): the workbooks people open.

Two writers. XlsxWriter (``Book``) for workbooks with formulas, charts, merged cells and print
setup (the offer workbook): it streams cells to the sheet's XML as they come instead of keeping
a Python object per cell, about 10–20 times faster than openpyxl, and its cells can be put
straight into its table (``put_number`` …) or a whole row at once (``put_row``, the cells'
XML after their style), and each row written as one string. ``TableBook``
for plain tables (the portfolio's 4,000 caseworkers, and every table through
:func:`tariffkit.export.xlsx_bytes`: export, the occupancy reconciliation, the negotiation list,
the service levels, the settlements): each sheet's XML written in one go, about 5 times faster
than XlsxWriter's cell by cell. openpyxl stays for reading and for the schedule template. Every
workbook is byte-identical run to run: fixed document dates and zip timestamps (XlsxWriter's own
in memory, ``TableBook``'s, and :func:`deterministic_zip` for openpyxl's). Text is always written
as text, never read as a formula or a link (a name that starts with ``=`` stays a name).
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import re
from collections.abc import Sequence

FIXED = dt.datetime(2000, 1, 1)


def sheet_name(name: str, used: set[str]) -> str:
    """A valid, unique sheet name: no ``[]:*?/\\``, at most 31 characters, ``(2)``, ``(3)`` …
    for repeats (compared without case, as Excel does)."""
    from tariffkit.cpr import scrub_text

    base = re.sub(r"[\[\]:*?/\\]", "_", scrub_text(name or "(uden sagsbehandler)")).strip("'")[:31] or "_"
    while len(base.encode("utf-16-le")) > 62:  # Excel counts UTF-16 units
        base = base[:-1]
    out, i = base, 2
    while out.lower() in used:
        suffix = f" ({i})"
        out = base[: 31 - len(suffix)].rstrip("'") + suffix
        i += 1
    used.add(out.lower())
    return out


def deterministic_zip(data: bytes) -> bytes:
    """Rewrite an xlsx with fixed timestamps (openpyxl stamps the time), so templates and
    workbooks are byte-identical across runs."""
    import zipfile

    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            payload = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                payload = re.sub(rb"<dcterms:(created|modified)([^>]*)>[^<]*</dcterms:\1>", rb"<dcterms:\1\2>2000-01-01T00:00:00Z</dcterms:\1>", payload)
            zi = zipfile.ZipInfo(info.filename, date_time=(2000, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(zi, payload)
    return out.getvalue()


def _workbook_class():
    import xlsxwriter

    class Workbook(xlsxwriter.Workbook):
        """XlsxWriter's workbook, with the check of a new sheet's name against the others done
        with a set: its own compares with every sheet so far, which took 6 s for 4,000 sheets.
        Names come from :func:`sheet_name` (valid and unique); the other checks are kept."""

        def _check_sheetname(self, sheetname, is_chartsheet=False):
            taken = self.__dict__.setdefault("_taken", set())
            key = (sheetname or "").lower()
            if key and key in taken:
                from xlsxwriter.exceptions import DuplicateWorksheetName

                raise DuplicateWorksheetName(f"Sheetname '{sheetname}', with case ignored, is already in use.")
            sheets, self.worksheets_objs = self.worksheets_objs, []  # the parent's duplicate loop sees no sheets
            try:
                name = super()._check_sheetname(sheetname, is_chartsheet)
            finally:
                self.worksheets_objs = sheets
            taken.add(name.lower())
            return name

        def add_chart(self, options):
            """XlsxWriter's chart; a column chart with its cached data written a cache at a
            time (:func:`_column_chart_class`)."""
            from xlsxwriter.chart_column import ChartColumn

            chart = super().add_chart(options)
            if type(chart) is ChartColumn:
                chart.__class__ = _column_chart_class()  # the same chart, two methods faster
            return chart

    return Workbook


@functools.cache
def _column_chart_class():
    from xlsxwriter.chart_column import ChartColumn

    class ColumnChart(ChartColumn):
        """XlsxWriter's column chart, with each series' cached values and categories written as
        one string instead of four XML calls a point (the offer workbook's 1,668 charts, 80,000
        points): the same bytes, XlsxWriter's own escaping (tests/test_xlsx.py)."""

        def _cache_points(self, data, count, numeric):
            esc, ctl = self._escape_data, self._escape_control_characters
            out = []
            for i in range(count):
                token = data[i]
                if token is None:
                    continue
                if numeric:
                    try:
                        float(token)
                    except ValueError:  # non-numeric data as 0, as XlsxWriter does
                        token = 0
                out.append(f'<c:pt idx="{i}"><c:v>{ctl(esc(token))}</c:v></c:pt>')
            return "".join(out)

        def _write_num_cache(self, data):
            count = len(data) if data else 0
            points = self._cache_points(data, count, True)
            self.fh.write(f'<c:numCache><c:formatCode>General</c:formatCode><c:ptCount val="{count}"/>{points}</c:numCache>')

        def _write_str_cache(self, data):
            count = len(data)
            self.fh.write(f'<c:strCache><c:ptCount val="{count}"/>{self._cache_points(data, count, False)}</c:strCache>')

    return ColumnChart


@functools.cache
def _worksheet_class():
    from xlsxwriter.utility import xl_col_to_name
    from xlsxwriter.worksheet import CellBlankTuple, CellFormulaTuple, CellNumberTuple, CellStringTuple, Worksheet

    class Sheet(Worksheet):
        """XlsxWriter's worksheet, with one regex search per formula instead of its 30
        substitutions for Excel's newer functions (24 s of the offer workbook's 60 at 1,667
        offers): a formula naming none of them is kept as it is; one that does goes the long
        way."""

        def _prepare_formula(self, formula, expand_future_functions=False):
            if self.use_future_functions or expand_future_functions or _DYNAMIC.search(formula):
                return super()._prepare_formula(formula, expand_future_functions)
            if formula.startswith("{"):
                formula = formula[1:]
            if formula.startswith("="):
                formula = formula[1:]
            if formula.endswith("}"):
                formula = formula[:-1]
            return formula

        # --- the fast path: cells put straight into XlsxWriter's table, rows written in one go ---
        # For the offer workbook's million cells (1,667 offers): the public write_* methods
        # check the A1 notation, the bounds and the formula for every cell, and _write_cell
        # builds an attribute list per cell; these produce the same XML bytes with one string
        # per cell. The caller vouches for what the checks would have caught: rows and columns
        # in the sheet, finite numbers, formulas of Excel's classic functions ("=..." written by
        # tariffkit, no array or dynamic formula).

        def _extend(self, row, first, last):  # the sheet's dimensions grown to hold row, columns first..last
            if self.dim_rowmin is None or row < self.dim_rowmin:
                self.dim_rowmin = row
            if self.dim_rowmax is None or row > self.dim_rowmax:
                self.dim_rowmax = row
            if self.dim_colmin is None or first < self.dim_colmin:
                self.dim_colmin = first
            if self.dim_colmax is None or last > self.dim_colmax:
                self.dim_colmax = last

        def _put(self, row, col, cell):
            self._extend(row, col, col)
            self.table[row][col] = cell

        def put_number(self, row, col, number, fmt=None):
            self._put(row, col, CellNumberTuple(number, fmt))

        def put_string(self, row, col, string, fmt=None):  # shorter than Excel's 32,767 characters
            self._put(row, col, CellStringTuple(self.str_table._get_shared_string_index(string), fmt))

        def put_blank(self, row, col, fmt):
            if fmt is not None:
                self._put(row, col, CellBlankTuple(fmt))

        def put_formula(self, row, col, formula, fmt, value):
            self._put(row, col, CellFormulaTuple(formula[1:] if formula.startswith("=") else formula, fmt, value))

        def put_row(self, row, cells):
            """A whole row at once, for a row whose every cell comes from one place: ``cells``
            are ``(column, format or None, tail)`` with the columns ascending, a tail made by
            :func:`number_tail`, :func:`string_tail`, :func:`formula_tail` or :data:`BLANK_TAIL`.
            No tuple per cell: the row is kept as these and written as one string (the style
            indices looked up when the sheet is written, in the order XlsxWriter would)."""
            if not cells:
                return
            raw = self.__dict__.setdefault("_raw_rows", {})
            if row in raw or row in self.table:
                raise ValueError(f"row {row} is written twice")
            raw[row] = cells
            self._extend(row, cells[0][0], cells[-1][0])

        def _get_range_data(self, row_start, col_start, row_end, col_end):
            """A chart's cached data (XlsxWriter's own for cells in its table), read back from a
            row's tails for rows put with :meth:`put_row`."""
            raw = self.__dict__.get("_raw_rows")
            if not raw or self.constant_memory:
                return super()._get_range_data(row_start, col_start, row_end, col_end)
            data: list = []
            for row_num in range(row_start, row_end + 1):
                these = raw.get(row_num)
                if these is None:
                    data.extend(super()._get_range_data(row_num, col_start, row_num, col_end))
                    continue
                tails = {c: t for c, _, t in these}
                for col_num in range(col_start, col_end + 1):
                    t = tails.get(col_num)
                    if t is None:
                        data.append(None)
                    elif t == BLANK_TAIL:
                        data.append("")
                    elif t.startswith(' t="s"'):
                        data.append(self.str_table._get_shared_string(int(t[10:-8])))
                    else:  # a number (as XlsxWriter's .16g) or a formula's cached value
                        v = t[t.rindex("<v>") + 3 : -8]
                        data.append(v if t.startswith("><f>") else v.lower())
            return data

        def _calculate_spans(self):
            raw = self.__dict__.get("_raw_rows")
            if not raw:
                return super()._calculate_spans()
            # the same spans as XlsxWriter's (each block of 16 rows: its first and last column
            # with a cell), from each row's first and last column instead of a test per column
            blocks: dict[int, list[int]] = {}
            rows = [(r, min(c), max(c)) for r, c in self.table.items() if c] + [(r, c[0][0], c[-1][0]) for r, c in raw.items()]
            for r, lo, hi in rows:
                b = blocks.get(r // 16)
                if b is None:
                    blocks[r // 16] = [lo, hi]
                else:
                    b[0], b[1] = min(b[0], lo), max(b[1], hi)
            self.row_spans = {i: f"{lo + 1}:{hi + 1}" for i, (lo, hi) in blocks.items()}

        def _write_rows(self):
            if self.constant_memory or self.comments or any(c.column_format for c in self.col_info.values()):
                if self.__dict__.get("_raw_rows"):
                    raise ValueError("put_row with a column format or comments")
                return super()._write_rows()  # formats by column or comments: XlsxWriter's way
            self._calculate_spans()
            raw = self.__dict__.get("_raw_rows") or {}
            letters = [xl_col_to_name(c) for c in range(self.dim_colmax + 1)] if self.dim_colmax is not None else []
            xf: dict[int, str] = {}

            def style(f) -> str:  # a format's style attribute, its index looked up once per format
                s = xf.get(id(f))
                if s is None:
                    s = xf[id(f)] = f' s="{f._get_xf_index()}"'
                return s

            write = self.fh.write
            plain = self.excel_version != 2010 and self.default_row_height == self.original_row_height
            for row_num in range(self.dim_rowmin, self.dim_rowmax + 1):
                info = self.row_info.get(row_num)
                these = raw.get(row_num)
                if these is not None:
                    if info is not None and info.row_format:
                        raise ValueError(f"put_row on row {row_num}, which has a row format")
                    if self.table.get(row_num):  # a cell written into a row put whole would be lost
                        raise ValueError(f"row {row_num} is written twice")
                    r = str(row_num + 1)
                    if info is None and plain:  # the <row> tag XlsxWriter writes for a row without settings
                        spans = self.row_spans.get(row_num // 16)
                        out = [f'<row r="{r}" spans="{spans}">' if spans else f'<row r="{r}">']
                    else:
                        self._write_row(row_num, self.row_spans.get(row_num // 16), info)
                        out = []
                    for col_num, f, tail in these:
                        out.append(f'<c r="{letters[col_num]}{r}"{style(f) if f else ""}{tail}')
                    out.append("</row>")
                    write("".join(out))
                    continue
                cells = self.table[row_num] if row_num in self.table else None
                if not cells:
                    if info is not None:
                        self._write_empty_row(row_num, self.row_spans.get(row_num // 16), info)
                    continue
                if info is not None and info.row_format:  # a row format fills unformatted cells: XlsxWriter's way
                    self._write_row(row_num, self.row_spans.get(row_num // 16), info)
                    for col_num in sorted(cells):
                        self._write_cell(row_num, col_num, cells[col_num])
                    self._xml_end_tag("row")
                    continue
                self._write_row(row_num, self.row_spans.get(row_num // 16), info)
                r = str(row_num + 1)
                out = []
                for col_num in sorted(cells):
                    cell = cells[col_num]
                    f = cell.format
                    s = style(f) if f else ""
                    kind = cell.__class__
                    if kind is CellNumberTuple:
                        out.append(f'<c r="{letters[col_num]}{r}"{s}><v>{cell.number:.16G}</v></c>')
                    elif kind is CellStringTuple:
                        out.append(f'<c r="{letters[col_num]}{r}"{s} t="s"><v>{cell.string}</v></c>')
                    elif kind is CellFormulaTuple and not isinstance(cell.value, (bool, str)):
                        text = cell.formula
                        if "&" in text or "<" in text or ">" in text:
                            text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                        out.append(f'<c r="{letters[col_num]}{r}"{s}><f>{text}</f><v>{cell.value}</v></c>')
                    elif kind is CellBlankTuple:
                        out.append(f'<c r="{letters[col_num]}{r}"{s}/>')
                    else:
                        write("".join(out))
                        out = []
                        self._write_cell(row_num, col_num, cell)
                write("".join(out))
                self._xml_end_tag("row")

    return Sheet


BLANK_TAIL = "/>"  # an empty cell kept for its format


def number_tail(number: float) -> str:
    """The XML of a number cell after its reference and style (as XlsxWriter writes it)."""
    return f"><v>{number:.16G}</v></c>"


def string_tail(index: int) -> str:
    """The XML of a text cell after its reference and style: ``index`` in the shared strings
    (``ws.str_table._get_shared_string_index(text)``)."""
    return f' t="s"><v>{index}</v></c>'


def formula_tail(formula: str, value: float) -> str:
    """The XML of a formula cell (``=`` optional; Excel's classic functions only) with the
    value it gives cached, after its reference and style."""
    text = formula[1:] if formula.startswith("=") else formula
    if "&" in text or "<" in text or ">" in text:
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f"><f>{text}</f><v>{value}</v></c>"


_DYNAMIC = re.compile(
    r"_xlfn\.|\b(?:ANCHORARRAY|BYCOL|BYROW|CHOOSECOLS|CHOOSEROWS|DROP|EXPAND|FILTER|HSTACK|LAMBDA|MAKEARRAY|MAP|RANDARRAY|REDUCE|SCAN|"
    r"SEQUENCE|SORT|SORTBY|SWITCH|TAKE|TEXTSPLIT|TOCOL|TOROW|UNIQUE|VSTACK|WRAPCOLS|WRAPROWS|XLOOKUP)\(|SINGLE\("
)


class Book:
    """An XlsxWriter workbook in memory with a cache of cell formats (a format is a small dict:
    ``bold``, ``num_format``, ``bg_color``, ``top``, ``text_wrap``, ``align``, ``font_size``,
    ``font_color``, ``valign``)."""

    def __init__(self) -> None:
        self._buf = io.BytesIO()
        self.wb = _workbook_class()(self._buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False})
        self.wb.set_properties({"created": FIXED})
        self._formats: dict = {}

    def fmt(self, **style):
        """The format for these style attributes (None: the default format)."""
        if not style:
            return None
        key = tuple(sorted(style.items()))
        f = self._formats.get(key)
        if f is None:
            f = self._formats[key] = self.wb.add_format(dict(style))
        return f

    def sheet(self, name: str):
        return self.wb.add_worksheet(name, worksheet_class=_worksheet_class())

    def bytes(self) -> bytes:
        """The workbook's bytes, the same run to run: XlsxWriter in memory stamps every zip member
        1980-01-01 and the document dates are fixed above, so nothing needs rewriting (the
        rewrite, :func:`deterministic_zip`, took 1.4 s of the offer workbook at 1,667 offers)."""
        self.wb.close()
        return self._buf.getvalue()


def write_value(ws, row: int, col: int, value, fmt=None) -> None:
    """One cell (0-based row and column): numbers as numbers, text as text (never a formula),
    None as an empty cell that keeps the format."""
    if value is None:
        if fmt is not None:
            ws.write_blank(row, col, None, fmt)
    elif isinstance(value, bool):
        ws.write_boolean(row, col, value, fmt)
    elif isinstance(value, (int, float)):
        ws.write_number(row, col, value, fmt)
    else:
        ws.write_string(row, col, str(value), fmt)


# --- plain tables, written as sheet XML directly ---------------------------------------------

_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")  # not allowed in XML: dropped
# cell formats (cellXfs): (bold, number format id, highlighted) → index; number formats are
# Excel's built-in ones: 3 = #,##0, 2 = 0.00
_NUMBER_FORMATS = {None: 0, "#,##0": 3, "0.00": 2, "#,##0.00": 4, "dd-mm-yyyy": 164}  # 164: the one custom format
_CUSTOM_FORMATS = {164: "dd-mm-yyyy"}
_XFS: list[tuple[bool, str | None, bool]] = [(False, None, False), (True, None, False)]
_XFS += [(False, n, h) for h in (False, True) for n in ("#,##0", "0.00")] + [(False, None, True)]
_XFS += [(False, n, h) for h in (False, True) for n in ("#,##0.00", "dd-mm-yyyy")]
_XF_OF: dict[tuple[bool, str | None, bool], int] = {x: i for i, x in enumerate(_XFS)}


def _esc(text: str) -> str:
    text = _CONTROL.sub("", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _excel_width(chars: float) -> float:
    """A column width in characters → the width Excel stores (XlsxWriter's conversion: 7-pixel
    digits, 5 pixels of padding, in 1/256ths)."""
    if chars < 1:
        return int(int(chars * 12 + 0.5) / 7 * 256) / 256
    return int((int(chars * 7 + 0.5) + 5) / 7 * 256) / 256


def _col_letter(j: int) -> str:  # 0-based
    s = ""
    j += 1
    while j:
        j, r = divmod(j - 1, 26)
        s = chr(65 + r) + s
    return s


_EPOCH = dt.date(1899, 12, 30)


def _cell(ref: str, s: int, v) -> str:
    """One cell's XML: empty (kept only for its format), a boolean, a number or inline text."""
    if v is None:
        return f'<c r="{ref}" s="{s}"/>' if s else ""
    if isinstance(v, bool):
        return f'<c r="{ref}" s="{s}" t="b"><v>{int(v)}</v></c>'
    if isinstance(v, (int, float)):
        return f'<c r="{ref}" s="{s}"><v>{v!r}</v></c>'
    if isinstance(v, dt.date):  # Excel's day number (1900 system); a time of day as the fraction
        days = (v - (dt.datetime(1899, 12, 30) if isinstance(v, dt.datetime) else _EPOCH)) / dt.timedelta(days=1)
        return f'<c r="{ref}" s="{s}"><v>{days!r}</v></c>'
    t = _esc(str(v))
    space = ' xml:space="preserve"' if t[:1].isspace() or t[-1:].isspace() else ""
    return f'<c r="{ref}" s="{s}" t="inlineStr"><is><t{space}>{t}</t></is></c>'


def _column_cells(letter: str, col: list, style: list[int], hls: list[int], rows: list[str], texts: dict[str, str]) -> list[str]:
    """A column's cells (:func:`_cell`), with shortcuts for a column of numbers (or empty
    cells) and for a column of text (or empty cells): each distinct text escaped once
    (``texts``: text → the cell's XML after its reference and style, shared by a book)."""
    n = len(rows)
    kinds = {type(v) for v in col[:n]}
    if kinds <= {float, int, type(None)}:
        if type(None) not in kinds:
            return [f'<c r="{letter}{r}" s="{style[h]}"><v>{v!r}</v></c>' for v, h, r in zip(col, hls, rows)]
        return [
            (f'<c r="{letter}{r}" s="{style[h]}"/>' if style[h] else "") if v is None else f'<c r="{letter}{r}" s="{style[h]}"><v>{v!r}</v></c>'
            for v, h, r in zip(col, hls, rows)
        ]
    if kinds <= {str, type(None)}:
        out = []
        for v, h, r in zip(col, hls, rows):
            if v is None:
                out.append(f'<c r="{letter}{r}" s="{style[h]}"/>' if style[h] else "")
                continue
            tail = texts.get(v)
            if tail is None:  # as _cell writes a text
                t = _esc(v)
                space = ' xml:space="preserve"' if t[:1].isspace() or t[-1:].isspace() else ""
                tail = texts[v] = f' t="inlineStr"><is><t{space}>{t}</t></is></c>'

            out.append(f'<c r="{letter}{r}" s="{style[h]}"{tail}')
        return out
    return [_cell(f"{letter}{r}", style[h], v) for v, h, r in zip(col, hls, rows)]


class TableBook:
    """Workbooks of plain tables (a bold header row, then values: text, numbers, empty), a number
    format per column, highlighted rows, column widths and the header row frozen, written as
    sheet XML directly instead of cell by cell through XlsxWriter: the portfolio's 4,001 sheets
    and a million cells in a fraction of XlsxWriter's 12 s. The same bytes run to run (zip
    members stamped 1980-01-01, the document dated 2000-01-01). Formulas, charts and merged
    cells are :class:`Book`'s."""

    def __init__(self) -> None:
        self._sheets: list[tuple[str, bytes]] = []
        self._filters: dict[int, str] = {}  # sheet index → the filtered area ($A$1:$F$10)
        self._texts: dict[str, str] = {}  # a text cell's XML after its style, by text (_column_cells)

    def table(
        self,
        name: str,
        headers: list[str],
        columns: list[list],
        number_formats: list[str | None],
        highlight: list[bool],
        widths: Sequence[float],
        autofilter: bool = False,
    ) -> None:
        """One sheet: ``columns`` of values (None: an empty cell; a date as a date), a number
        format per column (``#,##0``, ``#,##0.00``, ``0.00``, ``dd-mm-yyyy`` or None),
        ``highlight`` per data row, and with ``autofilter`` a filter on the header row."""
        n = max((len(c) for c in columns), default=0)
        if any(len(c) != n for c in columns):  # pragma: no cover - a caller's mistake, not data
            raise ValueError(f"sheet {name!r}: columns of different lengths")
        letters = [_col_letter(j) for j in range(len(headers))]
        out = [
            _XML_HEAD,
            f'<worksheet xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}">',
            f'<dimension ref="A1:{letters[-1] if letters else "A"}{n + 1}"/>' if letters else '<dimension ref="A1"/>',
            '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
            '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>',
        ]
        if widths:
            out.append(
                "<cols>"
                + "".join(f'<col min="{j + 1}" max="{j + 1}" width="{_excel_width(w):.16g}" customWidth="1"/>' for j, w in enumerate(widths))
                + "</cols>"
            )
        out.append("<sheetData>")
        bold = _XF_OF[(True, None, False)]
        out.append(
            '<row r="1">' + "".join(f'<c r="{c}1" t="inlineStr" s="{bold}"><is><t>{_esc(str(h))}</t></is></c>' for c, h in zip(letters, headers)) + "</row>"
        )
        styles = [[_XF_OF[(False, fmt, hl)] for hl in (False, True)] for fmt in number_formats]
        hls = [1 if h else 0 for h in highlight[:n]]
        rows = [str(i + 2) for i in range(n)]
        # the cells column by column (a column's values share a type, so the test is made once),
        # then joined row by row
        cells = [_column_cells(letters[j], col, styles[j], hls, rows, self._texts) for j, col in enumerate(columns)]
        for r, row in zip(rows, zip(*cells)):
            out.append(f'<row r="{r}">{"".join(row)}</row>')
        out.append("</sheetData>")
        area = f"A1:{letters[-1]}{n + 1}" if letters and n else None
        if autofilter and area:
            out.append(f'<autoFilter ref="{area}"/>')
        out.append('<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>')
        self._sheets.append((name, "".join(out).encode("utf-8")))
        if autofilter and area:
            self._filters[len(self._sheets) - 1] = f"$A$1:${letters[-1]}${n + 1}"

    def _styles(self) -> bytes:
        xfs = "".join(
            f'<xf numFmtId="{_NUMBER_FORMATS[fmt]}" fontId="{int(b)}" fillId="{2 if hl else 0}" borderId="0" xfId="0"'
            + (' applyNumberFormat="1"' if fmt else "")
            + (' applyFont="1"' if b else "")
            + (' applyFill="1"' if hl else "")
            + "/>"
            for b, fmt, hl in _XFS
        )
        return (
            _XML_HEAD + f'<styleSheet xmlns="{_MAIN_NS}">'
            f'<numFmts count="{len(_CUSTOM_FORMATS)}">'
            + "".join(f'<numFmt numFmtId="{i}" formatCode="{c}"/>' for i, c in _CUSTOM_FORMATS.items())
            + "</numFmts>"
            '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font><font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
            '<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
            '<fill><patternFill patternType="solid"><fgColor rgb="FFFCE4D6"/><bgColor indexed="64"/></patternFill></fill></fills>'
            '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            f'<cellXfs count="{len(_XFS)}">{xfs}</cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
        ).encode("utf-8")

    def bytes(self) -> bytes:
        import zipfile

        n = len(self._sheets)
        sheets = "".join(
            f'<sheet name="{_esc(name).replace(chr(34), "&quot;")}" sheetId="{i + 1}" r:id="rId{i + 1}"/>' for i, (name, _) in enumerate(self._sheets)
        )
        names = ""
        if self._filters:  # Excel keeps a filter's area as a hidden name per sheet
            names = (
                "<definedNames>"
                + "".join(
                    f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">'
                    f"{_esc(chr(39) + self._sheets[i][0].replace(chr(39), chr(39) * 2) + chr(39))}!{area}</definedName>"
                    for i, area in sorted(self._filters.items())
                )
                + "</definedNames>"
            )
        files = {
            "[Content_Types].xml": _XML_HEAD + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            + "".join(
                f'<Override PartName="/xl/worksheets/sheet{i + 1}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                for i in range(n)
            )
            + '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
            '<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/></Types>',
            "_rels/.rels": _XML_HEAD + f'<Relationships xmlns="{_PKG_REL}">'
            f'<Relationship Id="rId1" Type="{_REL_NS}/officeDocument" Target="xl/workbook.xml"/>'
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>'
            f'<Relationship Id="rId3" Type="{_REL_NS}/extended-properties" Target="docProps/app.xml"/></Relationships>',
            "docProps/app.xml": _XML_HEAD
            + '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Application>tariffkit</Application></Properties>',
            "docProps/core.xml": _XML_HEAD
            + '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            '<dcterms:created xsi:type="dcterms:W3CDTF">2000-01-01T00:00:00Z</dcterms:created>'
            '<dcterms:modified xsi:type="dcterms:W3CDTF">2000-01-01T00:00:00Z</dcterms:modified></cp:coreProperties>',
            "xl/workbook.xml": _XML_HEAD
            + f'<workbook xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}"><bookViews><workbookView/></bookViews><sheets>{sheets}</sheets>{names}</workbook>',
            "xl/_rels/workbook.xml.rels": _XML_HEAD
            + f'<Relationships xmlns="{_PKG_REL}">'
            + "".join(f'<Relationship Id="rId{i + 1}" Type="{_REL_NS}/worksheet" Target="worksheets/sheet{i + 1}.xml"/>' for i in range(n))
            + f'<Relationship Id="rId{n + 1}" Type="{_REL_NS}/styles" Target="styles.xml"/></Relationships>',
        }
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:

            def put(name: str, data: bytes) -> None:
                zi = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
                zi.compress_type = zipfile.ZIP_DEFLATED
                z.writestr(zi, data)

            put("[Content_Types].xml", files.pop("[Content_Types].xml").encode("utf-8"))
            put("_rels/.rels", files.pop("_rels/.rels").encode("utf-8"))
            for name, text in files.items():
                put(name, text.encode("utf-8"))
            put("xl/styles.xml", self._styles())
            for i, (_, data) in enumerate(self._sheets):
                put(f"xl/worksheets/sheet{i + 1}.xml", data)
        return buf.getvalue()
