"""The offer workbook (*tilbudsark*): the ``budget`` table laid out as BDO's offer-specific
budget model, one sheet per offer plus an overview, for offer managers who work in Excel.

A live model: the inputs (cost lines, HÅP per level, tariffs, places, 5+ supplements, PL rates,
the calculators' inputs) are values in yellow cells; everything computed from them is an Excel
formula that repeats the budget model's rule and rounding (ROUND is half away from zero, as
tariffkit rounds), so what Excel computes equals the Parquet to the krone, and an offer manager's
change to a cost line shows at once. Number formats are Excel's locale-neutral codes
(``#,##0``), which Danish Excel shows as ``1.234.567``.
"""

from __future__ import annotations

import io

import polars as pl

from tariffkit.portfolio import _sheet_name

SECTIONS = ["Omkostninger", "Indtægter pr. funktionsniveau", "Nøgletal", "Personale", "Beregnere (værdier fra budget-forecast)"]
KEY_LINES = {"places", "portal_places", "occupancy_pct", "place_price_year", "place_price_day", "place_price_year_incl_result",
             "place_price_day_incl_result", "pl_rate", "ata_fte", "ata_hours_staff", "ata_hours_placed", "cost_per_ata_hour",
             "ata_hours_placed_source", "previous_haap", "previous_cost_basis", "previous_cost_per_haap", "cost_change", "volume_effect", "price_effect"}
INCOME_LINES = {"income_places", "income_places_own", "income_places_other", "income_supplements", "income", "expected_result"}
CALC_LINES = {"deficit", "cut_fte", "cut_amount", "frame_cut_share", "frame_cut_amount", "frame_cut_pct_of_variable_salary"}
BASIS_LABELS = {"actual": "Regnskab", "budget": "Budget", "tariff_budget": "Budget jf. takst", "forecast": "Prognose", "out_year": "Overslagsår"}
BASIS_ORDER = {"actual": 0, "budget": 1, "tariff_budget": 2, "forecast": 3, "out_year": 4}
FORMATS = {"DKK": "#,##0", "DKK/year": "#,##0", "DKK/day": "#,##0", "DKK/FTE": "#,##0", "DKK/hour": "#,##0", "hours/year": "#,##0",
           "HÅP": "#,##0.00", "FTE": "#,##0.00", "%": '0.00" %"', "places": "#,##0"}


def _print_setup(ws, PageSetupProperties, header_row: int) -> None:
    """A4 landscape, fitted to one page wide (as many pages tall as needed), the header row
    repeated on every page."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_margins.left = ws.page_margins.right = 0.4


def section_of(line: str) -> int:
    if line == "comment":
        return -1
    if line.startswith(("haap_", "tariff_level_")) or line in INCOME_LINES:
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


CUT_CATEGORY = {"faguddannet": "trained", "ikke faguddannet": "untrained", "ikke fastansatte": "temporary", "ledelse": "management", "TAP": "admin", "øvrige": "other"}


def workbook(budget: pl.DataFrame, year: int, offers: pl.DataFrame | None = None) -> tuple[bytes, int]:
    """(xlsx bytes, number of offer sheets). Each offer sheet is a live model: the cost lines,
    HÅP per level, tariffs, places, supplements, PL rates and the calculators' inputs are input
    cells (yellow); every total, the tariff basis, income (HÅP × tariff), the expected result,
    place prices, out-years and both calculators are Excel formulas on them, so a change to a
    cost line shows at once. Printed: A4 landscape, one page wide, the header row repeated."""
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.worksheet.properties import PageSetupProperties

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
    parts = budget.partition_by("offer_id", as_dict=True, maintain_order=True)  # one pass, not one filter per offer
    wb = Workbook()
    ov = wb.active
    ov.title = "Oversigt"
    used = {"oversigt"}
    has_group = "group" in budget.columns

    overview_rows = []
    for offer in offer_ids:
        b = parts[(offer,)]
        ws = wb.create_sheet(_sheet_name(f"{offer} {names.get(offer, '')}".strip(), used))
        ws["A1"] = f"Tilbudsspecifik budgetmodel: {offer}" + (f" {names[offer]}" if names.get(offer) else "")
        ws["A1"].font = title_font
        ws["A2"] = (f"Budgetår {year}. Beløb i kr. De gule felter er indtastninger (omkostningslinjer, HÅP, takster, pladser, PL); "
                    "alle totaler, takstgrundlag, indtægter, resultat, pladspriser, overslagsår og beregnere er formler på dem.")

        cols = _columns(b)
        header_row = 4
        ws.cell(row=header_row, column=1, value="Linje").font = bold
        for j, (basis, y) in enumerate(cols, start=2):
            c = ws.cell(row=header_row, column=j, value=f"{BASIS_LABELS[basis]} {y}")
            c.font, c.fill, c.alignment = bold, header_fill, Alignment(horizontal="right", wrap_text=True)
        ws.cell(row=header_row, column=1).fill = header_fill
        col_of = {c: j for j, c in enumerate(cols, start=2)}
        lines = b.select("line", "label", "unit", *(["group"] if has_group else [])).unique("line", keep="first", maintain_order=True)
        group_of = {r["line"]: r.get("group") for r in lines.iter_rows(named=True)} if has_group else {}
        values = {(r["line"], r["basis"], r["year"]): r["value"] for r in b.iter_rows(named=True)}
        texts = {(r["line"], r["basis"], r["year"]): r["text"] for r in b.iter_rows(named=True) if r["text"]}
        row_of: dict[str, int] = {}
        row = header_row + 1
        for sidx, section in enumerate(SECTIONS):
            these = [r for r in lines.iter_rows(named=True) if section_of(r["line"]) == sidx]
            if not these:
                continue
            row += 1
            ws.cell(row=row, column=1, value=section).font = bold
            for j in range(1, len(cols) + 2):
                ws.cell(row=row, column=j).fill = section_fill
            for r in these:
                row += 1
                ws.cell(row=row, column=1, value=r["label"])
                row_of[r["line"]] = row
        from openpyxl.utils import get_column_letter

        def ref(line: str, col: int) -> str | None:
            r_ = row_of.get(line)
            return None if r_ is None else f"{get_column_letter(col)}{r_}"

        def present(line: str, basis: str, y: int) -> bool:
            return (line, basis, y) in values

        def lines_in(group: str, basis: str, y: int) -> list[str]:
            return [ln for ln, g in group_of.items() if g == group and present(ln, basis, y)]

        base_col = next((col_of[c] for c in (("forecast", year), ("tariff_budget", year)) if c in col_of), None)
        first_out = next(((bb, yy) for (bb, yy) in col_of if bb == "out_year"), None)
        indexed = first_out is not None and base_col is not None and values.get(("income", *first_out)) != values.get(
            ("income",) + next(c for c, jj in col_of.items() if jj == base_col))
        ws["A3"] = ("Overslagsår: omkostninger og indtægter fremskrives med PL (taksterne følger PL)." if indexed else
                    "Overslagsår: omkostningerne fremskrives med PL, indtægterne holdes på årets niveau (taksterne er ikke fremskrevet), "
                    "så et underskud i overslagsårene viser, hvad der sker uden ny takst.")
        pl_cells: list[str] = []
        formulas: dict[tuple[str, str, int], str] = {}
        for (basis, y), j in col_of.items():
            L = get_column_letter(j)

            def cell(line, L=L):
                return f"{L}{row_of[line]}" if line in row_of else None

            def sum_of(group, basis=basis, y=y, L=L):
                refs = [f"{L}{row_of[ln]}" for ln in lines_in(group, basis, y)]
                return "SUM(" + ",".join(refs) + ")" if refs else "0"

            f = formulas
            k = (basis, y)
            if basis == "out_year" and present("pl_rate", basis, y):
                pl_cells.append(cell("pl_rate"))
                factor = "*".join(f"(1+{c}/100)" for c in pl_cells)
                for ln, g in group_of.items():
                    if g and g != "carried_result" and present(ln, basis, y) and base_col:
                        f[(ln, *k)] = f"=ROUND({get_column_letter(base_col)}{row_of[ln]}*{factor},2)"
                if present("income", basis, y) and base_col:
                    base_income = f"{get_column_letter(base_col)}{row_of['income']}"
                    held = values.get(("income", basis, y)) == values.get(("income",) + next(c for c, jj in col_of.items() if jj == base_col))
                    carried = f"{get_column_letter(base_col)}{row_of['result_two_years_earlier']}" if "result_two_years_earlier" in row_of else "0"
                    f[("income", *k)] = f"={base_income}" if held else f"=ROUND(({base_income}-{carried})*{factor},0)"
            if present("variable_salary", basis, y):
                f[("variable_salary", *k)] = "=" + sum_of("variable_staff")
                f[("variable_costs", *k)] = f"={cell('variable_salary')}+" + sum_of("variable_other")
                f[("fixed_costs_offer", *k)] = "=" + sum_of("fixed_offer")
                f[("fixed_costs_central", *k)] = "=" + sum_of("fixed_central")
                f[("other_income", *k)] = "=" + sum_of("other_income")
                f[("cost_basis", *k)] = f"={cell('variable_costs')}+{cell('fixed_costs_offer')}+{cell('fixed_costs_central')}+{cell('other_income')}"
                if lines_in("carried_result", basis, y):
                    f[("result_two_years_earlier", *k)] = "=" + sum_of("carried_result")
                f[("tariff_basis", *k)] = f"={cell('cost_basis')}+{cell('result_two_years_earlier')}"
            haap_lines = [ln for ln in row_of if ln.startswith("haap_level_") and present(ln, basis, y)]
            if haap_lines and present("income_places", basis, y):
                def lv(ln):
                    return ln.split("_")[2]
                own = [ln for ln in haap_lines if ln.endswith("_own")]
                other = [ln for ln in haap_lines if ln.endswith("_other")]
                f[("haap_own", *k)] = "=" + ("+".join(cell(x) for x in own) if own else "0")
                f[("haap_other", *k)] = "=" + ("+".join(cell(x) for x in other) if other else "0")
                f[("haap_total", *k)] = f"={cell('haap_own')}+{cell('haap_other')}"
                prod = "+".join(f"{cell(x)}*{cell('tariff_level_' + lv(x))}" for x in haap_lines)
                prod_other = "+".join(f"{cell(x)}*{cell('tariff_level_' + lv(x))}" for x in other) or "0"
                f[("income_places", *k)] = f"=ROUND({prod},0)"
                if present("income_places_other", basis, y):
                    f[("income_places_other", *k)] = f"=ROUND({prod_other},0)"
                    f[("income_places_own", *k)] = f"={cell('income_places')}-{cell('income_places_other')}"
                f[("income", *k)] = f"={cell('income_places')}+{cell('income_supplements')}"
            if present("expected_result", basis, y):
                f[("expected_result", *k)] = f"={cell('income')}-{cell('tariff_basis')}"
            if present("place_price_year", basis, y):
                P = cell("places")
                if present("occupancy_pct", basis, y) and present("haap_total", basis, y):
                    f[("occupancy_pct", *k)] = f"=IF({P}>0,{cell('haap_total')}/{P}*100,0)"
                elif present("occupancy_pct", basis, y) and basis == "out_year" and base_col and "haap_total" in row_of:
                    f[("occupancy_pct", *k)] = f"=IF({P}>0,{get_column_letter(base_col)}{row_of['haap_total']}/{P}*100,0)"
                f[("place_price_year", *k)] = f"=ROUND({cell('tariff_basis')}/{P},0)"
                f[("place_price_day", *k)] = f"=ROUND({cell('tariff_basis')}/{P}/365,0)"
                if present("place_price_year_incl_result", basis, y):
                    f[("place_price_year_incl_result", *k)] = f"=ROUND(({cell('tariff_basis')}-{cell('expected_result')})/{P},0)"
                    f[("place_price_day_incl_result", *k)] = f"=ROUND(({cell('tariff_basis')}-{cell('expected_result')})/{P}/365,0)"
            fte_lines = [ln for ln in row_of if ln.startswith("fte_") and ln != "fte_total" and present(ln, basis, y)]
            if fte_lines and present("fte_total", basis, y):
                f[("fte_total", *k)] = "=" + "+".join(cell(x) for x in fte_lines)
                cpfs = [(cell(x), cell("cost_per_fte_" + x[4:])) for x in fte_lines if present("cost_per_fte_" + x[4:], basis, y)]
                if cpfs and present("cost_per_fte_mean", basis, y):
                    f[("cost_per_fte_mean", *k)] = "=ROUND(AVERAGE(" + ",".join(c for _, c in cpfs) + "),0)"
                if cpfs and present("cost_per_fte_weighted", basis, y):
                    f[("cost_per_fte_weighted", *k)] = f"=IF({cell('fte_total')}>0,ROUND((" + "+".join(f"{a}*{c}" for a, c in cpfs) + f")/{cell('fte_total')},0),0)"
            if present("cost_per_ata_hour", basis, y) and present("ata_hours_staff", basis, y):
                f[("cost_per_ata_hour", *k)] = f"=ROUND({cell('cost_basis')}/{cell('ata_hours_staff')},0)"
            if present("deficit", basis, y):
                tol = f"MAX(1,{cell('haap_total')})" if present("haap_total", basis, y) else "1"
                f[("deficit", *k)] = f"=IF(-{cell('expected_result')}>{tol},-{cell('expected_result')},0)"
                cut = b.filter(pl.col("line") == "cut_fte")
                if cut.height:
                    cat = cut["label"][0].split("(")[1].split(")")[0] if "(" in cut["label"][0] else "faguddannet"
                    cpf_line = f"cost_per_fte_{CUT_CATEGORY.get(cat, 'trained')}"
                    cpf = next((f"{get_column_letter(jj)}{row_of[cpf_line]}" for (bb, yy), jj in col_of.items() if present(cpf_line, bb, yy)), None)
                    if cpf:
                        f[("cut_fte", *k)] = f"=IF({cpf}>0,ROUNDUP({cell('deficit')}/{cpf},1),0)"
                        f[("cut_amount", *k)] = f"=ROUND({cell('cut_fte')}*{cpf},0)"
            if present("frame_cut_amount", basis, y):
                f[("frame_cut_amount", *k)] = f"=ROUND({cell('frame_cut_share')}/100*{cell('cost_basis')},0)"
                if present("frame_cut_pct_of_variable_salary", basis, y):
                    f[("frame_cut_pct_of_variable_salary", *k)] = f"=IF({cell('variable_salary')}<>0,{cell('frame_cut_amount')}/{cell('variable_salary')}*100,0)"
        inputs = {"places", "portal_places", "income_supplements", "pl_rate", "frame_cut_share"}
        for r in lines.iter_rows(named=True):
            ln = r["line"]
            if ln not in row_of:  # the comment has its own field below
                continue
            for (basis, y), j in col_of.items():
                if (ln, basis, y) not in values:
                    continue
                v = values[(ln, basis, y)]
                formula = formulas.get((ln, basis, y))
                if r["unit"] == "text":  # a line of text (where a figure comes from)
                    ws.cell(row=row_of[ln], column=j, value=texts.get((ln, basis, y)) or "")
                    continue
                c = ws.cell(row=row_of[ln], column=j, value=formula if formula else (None if v is None else float(v)))
                c.number_format = FORMATS.get(r["unit"], "#,##0.00")
                is_input = formula is None and (group_of.get(ln) or ln.startswith(("haap_level_", "tariff_level_")) or ln in inputs)
                if is_input:
                    c.fill = input_fill
            if ln in ("cost_basis", "tariff_basis", "income", "expected_result"):
                for j in range(1, len(cols) + 2):
                    ws.cell(row=row_of[ln], column=j).font = bold
                    ws.cell(row=row_of[ln], column=j).border = top_line
        row = max(row_of.values(), default=header_row) + 2
        ws.cell(row=row, column=1, value="Tilbudsleders kommentar").font = bold
        comment = b.filter(pl.col("line") == "comment")["text"]
        c = ws.cell(row=row + 1, column=1, value=(comment[0] if comment.len() and comment[0] else ""))
        c.fill = input_fill
        c.alignment = Alignment(wrap_text=True, vertical="top")
        ws.merge_cells(start_row=row + 1, start_column=1, end_row=row + 4, end_column=min(len(cols) + 1, 8))
        # --- chart (below the model, so it prints on its own) ---
        tb_row, inc_row = row_of.get("tariff_basis"), row_of.get("income")
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
            ws.add_chart(ch, f"A{row + 7}")
        ws.column_dimensions["A"].width = max(48, min(70, max(len(str(r["label"])) for r in lines.iter_rows(named=True)) + 2))
        for j in range(2, len(cols) + 2):
            ws.column_dimensions[ws.cell(row=header_row, column=j).column_letter].width = 15
        ws.freeze_panes = ws.cell(row=header_row + 1, column=2)
        _print_setup(ws, PageSetupProperties, header_row)

        def val(basis, line):
            v = values.get((line, basis, year))
            return None if v is None else float(v)

        def link(basis, line, fallback=None):
            """A formula pointing at the offer sheet's cell, so the overview follows an edit."""
            j = col_of.get((basis, year))
            if j is not None and (line, basis, year) in values and line in row_of:
                title = ws.title.replace("'", "''")
                return f"='{title}'!{get_column_letter(j)}{row_of[line]}"
            return fallback() if fallback else None

        overview_rows.append([
            offer, names.get(offer, ""), link("forecast", "places", lambda: link("tariff_budget", "places")),
            link("forecast", "haap_total"), link("forecast", "occupancy_pct"),
            link("tariff_budget", "tariff_basis"), link("forecast", "tariff_basis"), link("forecast", "income"), link("forecast", "expected_result"),
            link("forecast", "place_price_day", lambda: link("tariff_budget", "place_price_day")), link("forecast", "cut_fte"),
        ])
    # --- overview ---
    headers = ["Tilbud", "Navn", "Pladser", f"HÅP prognose {year}", "Belægning %", f"Budget: takstgrundlag {year}", f"Prognose: takstgrundlag {year}", f"Prognose: indtægter {year}",
               "Forventet resultat", "Pladspris pr. døgn", "Reduktion i årsværk"]
    fmts = [None, None, "#,##0", "#,##0.00", '0.0" %"', "#,##0", "#,##0", "#,##0", "#,##0", "#,##0", "#,##0.0"]
    ov["A1"] = f"Tilbud {year}: oversigt"
    ov["A1"].font = title_font
    ov["A2"] = "Tallene er formler, der henter fra tilbuddenes ark. Budget = takstberegningsgrundlaget (budget jf. takst). Prognose = årets forventede takstgrundlag og indtægter (HÅP til dato plus disponeret). Forventet resultat = indtægter − takstgrundlag (prognose)."
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
        from openpyxl.utils import get_column_letter as letter

        for j in (3, 4, 6, 7, 8, 9):
            c = ov.cell(row=total_row, column=j, value=f"=SUM({letter(j)}5:{letter(j)}{last})")
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
    _print_setup(ov, PageSetupProperties, 4)
    buf = io.BytesIO()
    wb.save(buf)
    return _deterministic_zip(buf.getvalue()), len(offer_ids)
