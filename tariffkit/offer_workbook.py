"""The offer workbook (*tilbudsark*): the ``budget`` table laid out as BDO's offer-specific
budget model, one sheet per offer plus an overview, for offer managers who work in Excel.

Figures are values taken from the Parquet (no formulas that could drift from it). The two
calculators (cut in FTE to close a deficit, and a frame cut) are live formulas on input cells
that are filled yellow and labelled as inputs. Number formats are Excel's locale-neutral codes
(``#,##0``), which Danish Excel shows as ``1.234.567``.
"""

from __future__ import annotations

import io

import polars as pl

from tariffkit.portfolio import _sheet_name

SECTIONS = ["Omkostninger", "Indtægter pr. funktionsniveau", "Nøgletal", "Personale", "Beregnere (værdier fra budget-forecast)"]
KEY_LINES = {"places", "portal_places", "occupancy_pct", "place_price_year", "place_price_day", "place_price_year_incl_result",
             "place_price_day_incl_result", "pl_rate", "ata_fte", "ata_hours_staff", "ata_hours_placed", "cost_per_ata_hour"}
INCOME_LINES = {"income_places", "income_supplements", "income", "expected_result"}
CALC_LINES = {"deficit", "cut_fte", "cut_amount", "frame_cut_share", "frame_cut_amount", "frame_cut_pct_of_variable_salary"}
BASIS_LABELS = {"actual": "Regnskab", "budget": "Budget", "tariff_budget": "Budget jf. takst", "forecast": "Prognose", "out_year": "Overslagsår"}
BASIS_ORDER = {"actual": 0, "budget": 1, "tariff_budget": 2, "forecast": 3, "out_year": 4}
FORMATS = {"DKK": "#,##0", "DKK/year": "#,##0", "DKK/day": "#,##0", "DKK/FTE": "#,##0", "DKK/hour": "#,##0", "hours/year": "#,##0",
           "HÅP": "#,##0.00", "FTE": "#,##0.00", "%": '0.00" %"', "places": "#,##0"}


def section_of(line: str) -> int:
    if line == "comment":
        return -1
    if line.startswith("haap_") or line in INCOME_LINES:
        return 1
    if line in KEY_LINES:
        return 2
    if line.startswith(("fte_", "cost_per_fte_")):
        return 3
    if line in CALC_LINES:
        return 4
    return 0


def _columns(b: pl.DataFrame) -> list[tuple[str, int]]:
    cols = sorted({(r[0], r[1]) for r in b.select("basis", "year").iter_rows()}, key=lambda c: (c[1] if c[0] == "out_year" else 0, BASIS_ORDER[c[0]], c[1]))
    return cols


def workbook(budget: pl.DataFrame, year: int, offers: pl.DataFrame | None = None) -> tuple[bytes, int]:
    """(xlsx bytes, number of offer sheets)."""
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    from tariffkit.schedules import _deterministic_zip

    bold = Font(bold=True)
    title_font = Font(bold=True, size=14, color="1F5F8B")
    section_fill = PatternFill("solid", fgColor="DCE6F0")
    header_fill = PatternFill("solid", fgColor="F2F5F8")
    input_fill = PatternFill("solid", fgColor="FFF2CC")
    top_line = Border(top=Side(style="thin"))
    names = {}
    if offers is not None:
        names = {o: n for o, n in offers.select("offer_id", "offer_name").iter_rows()}
    offer_ids = sorted(set(budget["offer_id"].to_list()))
    wb = Workbook()
    ov = wb.active
    ov.title = "Oversigt"
    used = {"oversigt"}

    def value(b: pl.DataFrame, basis: str, line: str):
        v = b.filter((pl.col("basis") == basis) & (pl.col("year") == year) & (pl.col("line") == line))["value"]
        return None if v.len() == 0 or v[0] is None else float(v[0])

    overview_rows = []
    for offer in offer_ids:
        b = budget.filter(pl.col("offer_id") == offer)
        ws = wb.create_sheet(_sheet_name(f"{offer} {names.get(offer, '')}".strip(), used))
        ws["A1"] = f"Tilbudsspecifik budgetmodel: {offer}" + (f" {names[offer]}" if names.get(offer) else "")
        ws["A1"].font = title_font
        ws["A2"] = f"Budgetår {year}. Beløb i kr. Tallene er værdier fra budget-forecast; kun de gule felter i beregnerne er formler, som kan rettes."
        cols = _columns(b)
        header_row = 4
        ws.cell(row=header_row, column=1, value="Linje").font = bold
        for j, (basis, y) in enumerate(cols, start=2):
            c = ws.cell(row=header_row, column=j, value=f"{BASIS_LABELS[basis]} {y}")
            c.font, c.fill, c.alignment = bold, header_fill, Alignment(horizontal="right", wrap_text=True)
        ws.cell(row=header_row, column=1).fill = header_fill
        col_of = {c: j for j, c in enumerate(cols, start=2)}
        # lines in the order budget-forecast wrote them (BDO's order), grouped in sections
        lines = b.select("line", "label", "unit").unique("line", keep="first", maintain_order=True)
        cells = {}
        row = header_row + 1
        for s, section in enumerate(SECTIONS):
            these = [r for r in lines.iter_rows(named=True) if section_of(r["line"]) == s]
            if not these:
                continue
            row += 1
            ws.cell(row=row, column=1, value=section).font = bold
            for j in range(1, len(cols) + 2):
                ws.cell(row=row, column=j).fill = section_fill
            for r in these:
                row += 1
                ws.cell(row=row, column=1, value=r["label"])
                vals = b.filter(pl.col("line") == r["line"])
                for v in vals.iter_rows(named=True):
                    j = col_of[(v["basis"], v["year"])]
                    c = ws.cell(row=row, column=j, value=None if v["value"] is None else float(v["value"]))
                    c.number_format = FORMATS.get(r["unit"], "#,##0.00")
                    cells[(r["line"], v["basis"], v["year"])] = c.coordinate
                if r["line"] in ("cost_basis", "tariff_basis", "income", "expected_result"):
                    for j in range(1, len(cols) + 2):
                        ws.cell(row=row, column=j).font = bold
                        ws.cell(row=row, column=j).border = top_line
        # --- live calculators ---
        row += 2
        ws.cell(row=row, column=1, value="Beregner: reduktion i årsværk (formler; ret de gule indtastningsfelter)").font = bold
        for j in range(1, 4):
            ws.cell(row=row, column=j).fill = section_fill

        def calc(r_, label, val, fmt, is_input=False, note=None):
            ws.cell(row=r_, column=1, value=label + (" (indtastning)" if is_input else ""))
            c = ws.cell(row=r_, column=2, value=val)
            c.number_format = fmt
            if is_input:
                c.fill = input_fill
            if note:
                c.comment = Comment(note, "tariffkit")
            return c.coordinate

        deficit = value(b, "forecast", "deficit") or 0.0
        price = value(b, "tariff_budget", "cost_per_fte_trained") or 0.0
        d_cell = calc(row + 1, "Merforbrug at lukke, kr.", deficit, "#,##0", True, "Fra prognosen; ret for at prøve et andet beløb.")
        p_cell = calc(row + 2, "ÅV-pris, kr. pr. årsværk", price, "#,##0", True, "Faguddannet personale, fra personaletabellen.")
        f_cell = calc(row + 3, "Reduktion i årsværk (rundet op til 0,1)", f"=IF({p_cell}>0,ROUNDUP({d_cell}/{p_cell},1),0)", "#,##0.0")
        calc(row + 4, "Reduktion i kr. (årsværk × ÅV-pris)", f"={f_cell}*{p_cell}", "#,##0")
        row += 6
        ws.cell(row=row, column=1, value="Beregner: rammebesparelse (formler; ret de gule indtastningsfelter)").font = bold
        for j in range(1, 4):
            ws.cell(row=row, column=j).fill = section_fill
        share = value(b, "forecast", "frame_cut_share") or 0.0
        basis_value = value(b, "forecast", "cost_basis") or value(b, "tariff_budget", "cost_basis") or 0.0
        salary = value(b, "forecast", "variable_salary") or value(b, "tariff_budget", "variable_salary") or 0.0
        s_cell = calc(row + 1, "Rammebesparelse, % af udgiftsgrundlaget", share, '0.00" %"', True)
        bcell = calc(row + 2, "Årets udgiftsgrundlag, kr.", basis_value, "#,##0")
        vcell = calc(row + 3, "Variable lønomkostninger, kr.", salary, "#,##0")
        a_cell = calc(row + 4, "Rammebesparelse i kr.", f"=ROUND({s_cell}/100*{bcell},0)", "#,##0")
        calc(row + 5, "Rammebesparelse i % af variabel løn", f"=IF({vcell}>0,{a_cell}/{vcell}*100,0)", '0.00" %"')
        row += 7
        ws.cell(row=row, column=1, value="Tilbudsleders kommentar").font = bold
        comment = b.filter(pl.col("line") == "comment")["text"]
        c = ws.cell(row=row + 1, column=1, value=(comment[0] if comment.len() and comment[0] else ""))
        c.fill = input_fill
        c.alignment = Alignment(wrap_text=True, vertical="top")
        ws.merge_cells(start_row=row + 1, start_column=1, end_row=row + 4, end_column=min(len(cols) + 1, 8))
        # --- chart: tariff basis and income by column ---
        tb_row = next((ws[cells[k]].row for k in cells if k[0] == "tariff_basis"), None)
        inc_row = next((ws[cells[k]].row for k in cells if k[0] == "income"), None)
        if tb_row and inc_row:
            ch = BarChart()
            ch.type = "col"
            ch.title = "Takstgrundlag og indtægter"
            ch.y_axis.title = "kr."
            ch.y_axis.numFmt = "#,##0"
            for r_ in (tb_row, inc_row):
                ch.add_data(Reference(ws, min_col=1, max_col=len(cols) + 1, min_row=r_, max_row=r_), from_rows=True, titles_from_data=True)
            ch.set_categories(Reference(ws, min_col=2, max_col=len(cols) + 1, min_row=header_row, max_row=header_row))
            ch.height, ch.width = 8, 18
            ws.add_chart(ch, f"{ws.cell(row=header_row, column=len(cols) + 3).coordinate}")
        ws.column_dimensions["A"].width = max(48, min(70, max(len(str(r["label"])) for r in lines.iter_rows(named=True)) + 2))
        for j in range(2, len(cols) + 2):
            ws.column_dimensions[ws.cell(row=header_row, column=j).column_letter].width = 15
        ws.freeze_panes = ws.cell(row=header_row + 1, column=2)
        overview_rows.append([
            offer, names.get(offer, ""), value(b, "forecast", "places") or value(b, "tariff_budget", "places"),
            value(b, "forecast", "haap_total"), value(b, "forecast", "occupancy_pct"),
            value(b, "tariff_budget", "tariff_basis"), value(b, "forecast", "tariff_basis"), value(b, "forecast", "income"), value(b, "forecast", "expected_result"),
            value(b, "forecast", "place_price_day") or value(b, "tariff_budget", "place_price_day"), value(b, "forecast", "cut_fte"),
        ])
    # --- overview ---
    headers = ["Tilbud", "Navn", "Pladser", f"HÅP prognose {year}", "Belægning %", f"Budget: takstgrundlag {year}", f"Prognose: takstgrundlag {year}", f"Prognose: indtægter {year}",
               "Forventet resultat", "Pladspris pr. døgn", "Reduktion i årsværk"]
    fmts = [None, None, "#,##0", "#,##0.00", '0.0" %"', "#,##0", "#,##0", "#,##0", "#,##0", "#,##0", "#,##0.0"]
    ov["A1"] = f"Tilbud {year}: oversigt"
    ov["A1"].font = title_font
    ov["A2"] = "Budget = takstberegningsgrundlaget (budget jf. takst). Prognose = årets forventede takstgrundlag og indtægter (HÅP til dato plus disponeret). Forventet resultat = indtægter − takstgrundlag (prognose)."
    for j, h in enumerate(headers, start=1):
        c = ov.cell(row=4, column=j, value=h)
        c.font, c.fill, c.alignment = bold, header_fill, Alignment(wrap_text=True)
    for i, r in enumerate(overview_rows, start=5):
        for j, (v, f) in enumerate(zip(r, fmts), start=1):
            c = ov.cell(row=i, column=j, value=v)
            if f:
                c.number_format = f
    last = 4 + len(overview_rows)
    if overview_rows:
        total_row = last + 1
        ov.cell(row=total_row, column=1, value="I alt").font = bold
        for j in (3, 4, 6, 7, 8, 9):
            c = ov.cell(row=total_row, column=j, value=sum(r[j - 1] or 0 for r in overview_rows))
            c.number_format, c.font, c.border = fmts[j - 1], bold, top_line
        ch = BarChart()
        ch.type = "col"
        ch.title = f"Budget og prognose {year} pr. tilbud"
        ch.y_axis.title = "kr."
        ch.y_axis.numFmt = "#,##0"
        ch.add_data(Reference(ov, min_col=6, max_col=8, min_row=4, max_row=last), titles_from_data=True)
        ch.set_categories(Reference(ov, min_col=1, min_row=5, max_row=last))
        ch.height, ch.width = 9, 20
        ov.add_chart(ch, f"A{total_row + 3}")
    widths = [10, 30, 9, 14, 12, 20, 20, 20, 18, 16, 14]
    for j, w in enumerate(widths, start=1):
        ov.column_dimensions[ov.cell(row=4, column=j).column_letter].width = w
    ov.freeze_panes = "C5"
    buf = io.BytesIO()
    wb.save(buf)
    return _deterministic_zip(buf.getvalue()), len(offer_ids)
