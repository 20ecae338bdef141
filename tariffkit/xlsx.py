"""Writing .xlsx (one home): the workbooks people open.

XlsxWriter writes them (``Book``): it streams cells to the sheet's XML as they come instead of
keeping a Python object per cell, about 10–20 times faster than openpyxl for the large
workbooks (the offer workbook of 1,667 offers, the portfolio of 4,000 caseworkers). openpyxl
stays for reading and for the schedule template. Every workbook is byte-identical run to run:
fixed document dates and zip timestamps (XlsxWriter's own in memory; :func:`deterministic_zip`
for openpyxl's). Text is always written as
text, never read as a formula or a link (a name that starts with ``=`` stays a name).
"""

from __future__ import annotations

import datetime as dt
import io
import re

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

    return Workbook


def _worksheet_class():
    from xlsxwriter.worksheet import Worksheet

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

    return Sheet


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
