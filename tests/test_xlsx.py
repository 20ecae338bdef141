"""The fast cell path of tariffkit.xlsx writes the same bytes as XlsxWriter's own, cell by cell.

The offer workbook (a million cells at 1,667 offers) puts its cells straight into XlsxWriter's
table and writes each row's XML in one string; these tests build the same sheet both ways and
compare the files byte for byte, so a difference in a number's format, a formula's escaping, a
style index, a blank or a row attribute shows.
"""

from __future__ import annotations

import io
import zipfile

from hypothesis import given
from hypothesis import strategies as st

from tariffkit.xlsx import Book


def _sheet_xml(data: bytes) -> dict[str, bytes]:
    z = zipfile.ZipFile(io.BytesIO(data))
    return {n: z.read(n) for n in z.namelist()}


def _fill(book: Book, fast: bool) -> None:
    ws = book.sheet("Ark") if fast else book.wb.add_worksheet("Ark")
    money = book.fmt(num_format="#,##0")
    yellow = book.fmt(num_format="#,##0.00", bg_color="#FFF2CC", pattern=1)
    bold = book.fmt(bold=True, top=1)
    number = ws.put_number if fast else ws.write_number
    formula = ws.put_formula if fast else ws.write_formula
    string = ws.put_string if fast else ws.write_string
    ws.write_string(0, 0, "Titel & <mere>")
    ws.set_row(7, 30)  # a row with a height (a row attribute, no format)
    ws.set_row(9, None, bold)  # a row format: unformatted cells take it (XlsxWriter's way)
    for r in range(1, 40):
        string(r, 0, f"Linje {r} & co", bold if r % 5 == 0 else None)
        number(r, 1, r * 1234.5 + 0.01, yellow)
        number(r, 2, -r / 3, money)  # a number with 16 significant digits
        formula(r, 3, f"=IF(B{r + 1}<>0,ROUND(B{r + 1}/C{r + 1},0),0)", money, float(r))
        formula(r, 4, f'=IF(B{r + 1}>C{r + 1},"a&b",B{r + 1})', None, 0)
        if fast:
            ws.put_blank(r, 5, money)
            ws.put_blank(r, 6, None)  # nothing: a blank without a format is no cell
        else:
            ws.write_blank(r, 5, None, money)
            ws.write_blank(r, 6, None, None)
        if r % 7 == 0:
            ws.write_boolean(r, 7, True)  # another kind of cell: XlsxWriter writes it
        if r == 9:
            number(r, 8, 5.0)  # no format of its own: the row's
    ws.write_formula(41, 0, "=SUM(B2:B40)", money, 123.0)
    ws.set_column(0, 0, 40)
    ws.freeze_panes(1, 1)


def test_fast_cells_write_the_same_bytes_as_xlsxwriters_own():
    fast, slow = Book(), Book()
    _fill(fast, True)
    _fill(slow, False)
    a, b = _sheet_xml(fast.bytes()), _sheet_xml(slow.bytes())
    assert a.keys() == b.keys()
    for name in a:
        assert a[name] == b[name], name
    sheet = a["xl/worksheets/sheet1.xml"].decode()
    assert "&lt;&gt;0" in sheet and "&amp;" in sheet  # the formula's <> and the text's & escaped


def test_a_column_format_falls_back_to_xlsxwriters_rows():
    fast, slow = Book(), Book()
    for book, quick in ((fast, True), (slow, False)):
        ws = book.sheet("Ark") if quick else book.wb.add_worksheet("Ark")
        ws.set_column(1, 1, 12, book.fmt(num_format="0.00"))  # unformatted cells in B take it
        for r in range(5):
            (ws.put_number if quick else ws.write_number)(r, 1, r + 0.5)
    assert _sheet_xml(fast.bytes()) == _sheet_xml(slow.bytes())


_texts = st.one_of(st.none(), st.text(alphabet=st.sampled_from(list("ab &<>\"' \t\x07æøå=")), max_size=6))
_numbers = st.one_of(st.none(), st.integers(-(10**12), 10**12), st.floats(allow_nan=False, allow_infinity=False))


@given(st.one_of(st.lists(_texts, max_size=12), st.lists(_numbers, max_size=12), st.lists(st.one_of(_texts, _numbers, st.booleans()), max_size=12)))
def test_a_tables_column_shortcuts_write_what_the_cell_by_cell_path_writes(col):
    """TableBook's shortcuts for a column of text or of numbers (each with empty cells) against
    the slow path, one cell at a time (the oracle): the same XML, the texts' memo shared."""
    from tariffkit.xlsx import _cell, _column_cells

    rows = [str(i + 2) for i in range(len(col))]
    hls = [i % 2 for i in range(len(col))]
    style = [0, 7]
    memo: dict[str, str] = {}
    for _ in range(2):  # the second time from the memo
        assert _column_cells("C", col, style, hls, rows, memo) == [_cell(f"C{r}", style[h], v) for v, h, r in zip(col, hls, rows)]


@given(st.lists(st.decimals(min_value=-(10**15), max_value=10**15, places=2, allow_nan=False, allow_infinity=False), max_size=50))
def test_kroner_as_floats_are_the_nearest_float(amounts):
    """The portfolio workbook's kroner: polars' cast of Decimal(18, 2) gives float(Decimal)."""
    import polars as pl

    s = pl.Series(amounts, dtype=pl.Decimal(18, 2))
    assert s.cast(pl.Float64).to_list() == [float(a) for a in amounts]


@given(st.lists(st.decimals(min_value=-(10**17) + 1, max_value=10**17 - 1, places=10, allow_nan=False, allow_infinity=False), max_size=50))
def test_budget_values_as_floats_are_the_nearest_float(amounts):
    """The offer workbook's cells: polars' cast of the budget's Decimal(28, 10) gives
    float(Decimal), the nearest float, as the cell-by-cell conversion did."""
    import polars as pl

    s = pl.Series(amounts, dtype=pl.Decimal(28, 10))
    assert s.cast(pl.Float64).to_list() == [float(a) for a in amounts]


def _rows_book(whole_rows: bool) -> bytes:
    """A sheet of labels, numbers, formulas and blanks with a chart on two of its rows, either
    row by row (put_row) or XlsxWriter's cell by cell."""
    from tariffkit.xlsx import BLANK_TAIL, formula_tail, number_tail, string_tail

    book = Book()
    ws = book.sheet("Ark") if whole_rows else book.wb.add_worksheet("Ark")
    money = book.fmt(num_format="#,##0")
    yellow = book.fmt(num_format="#,##0.00", bg_color="#FFF2CC", pattern=1)
    bold = book.fmt(bold=True, top=1)
    ws.write_string(0, 0, "Titel")
    ws.set_row(3, 30)  # a row with a height: XlsxWriter's own <row> tag
    for j in range(1, 5):
        ws.write_string(1, j, f"År {2024 + j}")
    for r in range(2, 40):
        label, fmt = f"Linje {r} & <co>", bold if r % 5 == 0 else None
        cells = [(0, fmt, label, "s")]
        cells.append((1, yellow, 1.5e20 if r == 7 else r * 1234.5 + 0.01 if r % 3 else -r / 3, "n"))  # 16 significant digits, an exponent
        if r % 4:
            cells.append((2, money, (f"=IF(B{r + 1}<>0,ROUND(B{r + 1}*2,0),0)", float(r) * 1e17 if r == 7 else float(r)), "f"))
        cells.append((3, money, None, "b"))
        cells.append((4, None, (f'=B{r + 1}&"x"', 0), "f"))
        if whole_rows:
            tails = {
                "s": lambda v: string_tail(ws.str_table._get_shared_string_index(v)),
                "n": number_tail,
                "f": lambda v: formula_tail(*v),
                "b": lambda v: BLANK_TAIL,
            }
            ws.put_row(r, [(c, f, tails[k](v)) for c, f, v, k in cells])
        else:
            for c, f, v, k in cells:
                if k == "s":
                    ws.write_string(r, c, v, f)
                elif k == "n":
                    ws.write_number(r, c, v, f)
                elif k == "f":
                    ws.write_formula(r, c, v[0], f, v[1])
                else:
                    ws.write_blank(r, c, None, f)
    import xlsxwriter

    # the fast book's chart is tariffkit's column chart, the other XlsxWriter's own
    ch = book.wb.add_chart({"type": "column"}) if whole_rows else xlsxwriter.Workbook.add_chart(book.wb, {"type": "column"})
    assert (type(ch).__name__ == "ColumnChart") is whole_rows
    for r_ in (5, 7):  # a chart's cached data is read from the rows
        ch.add_series({"name": ["Ark", r_, 0], "categories": ["Ark", 1, 1, 1, 4], "values": ["Ark", r_, 1, r_, 4]})
    ws.insert_chart(42, 0, ch)
    ws.freeze_panes(2, 1)
    return book.bytes()


def test_whole_rows_write_the_same_bytes_as_xlsxwriters_cells():
    """put_row (the offer workbook's 124,000 rows): the same sheet, styles, shared strings and
    chart caches as XlsxWriter's own cell by cell, byte for byte."""
    a, b = _sheet_xml(_rows_book(True)), _sheet_xml(_rows_book(False))
    assert a.keys() == b.keys()
    for name in a:
        assert a[name] == b[name], name
    assert b"<c:v>Linje 5 &amp; &lt;co&gt;</c:v>" in a["xl/charts/chart1.xml"]  # the series' name from a row


def test_a_row_put_whole_takes_no_other_cell():
    """A cell written into a row put with put_row would be lost: refused, before or after."""
    import pytest

    from tariffkit.xlsx import number_tail

    for before in (True, False):
        book = Book()
        ws = book.sheet("Ark")
        if before:
            ws.write_number(3, 5, 1.0)
        try:
            ws.put_row(3, [(0, None, number_tail(2.0))])
        except ValueError:
            assert before
            continue
        ws.write_number(3, 5, 1.0)
        with pytest.raises(ValueError, match="row 3 is written twice"):
            book.bytes()
