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

import polars as pl

SECTIONS = ["Omkostninger", "Indtægter pr. funktionsniveau", "Nøgletal", "Personale", "Beregnere (værdier fra budget-forecast)"]
KEY_LINES = {
    "places",
    "portal_places",
    "occupancy_pct",
    "place_price_year",
    "place_price_day",
    "place_price_year_incl_result",
    "place_price_day_incl_result",
    "pl_rate",
    "ata_fte",
    "ata_hours_staff",
    "ata_hours_placed",
    "cost_per_ata_hour",
    "ata_hours_placed_source",
    "previous_haap",
    "previous_cost_basis",
    "previous_cost_per_haap",
    "cost_change",
    "volume_effect",
    "price_effect",
}
INCOME_LINES = {"income_places", "income_places_own", "income_places_other", "income_supplements", "income", "expected_result"}
CALC_LINES = {"deficit", "cut_fte", "cut_amount", "frame_cut_share", "frame_cut_amount", "frame_cut_pct_of_variable_salary"}
BASIS_LABELS = {"actual": "Regnskab", "budget": "Budget", "tariff_budget": "Budget jf. takst", "forecast": "Prognose", "out_year": "Overslagsår"}
BASIS_ORDER = {"actual": 0, "budget": 1, "tariff_budget": 2, "forecast": 3, "out_year": 4}
FORMATS = {
    "DKK": "#,##0",
    "DKK/year": "#,##0",
    "DKK/day": "#,##0",
    "DKK/FTE": "#,##0",
    "DKK/hour": "#,##0",
    "hours/year": "#,##0",
    "HÅP": "#,##0.00",
    "FTE": "#,##0.00",
    "%": '0.00" %"',
    "places": "#,##0",
}


def _print_setup(ws, header_row: int) -> None:
    """A4 landscape, fitted to one page wide (as many pages tall as needed), the header row
    repeated on every page (``header_row`` 1-based)."""
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(header_row - 1)
    ws.set_margins(left=0.4, right=0.4)


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


CUT_CATEGORY = {
    "faguddannet": "trained",
    "ikke faguddannet": "untrained",
    "ikke fastansatte": "temporary",
    "ledelse": "management",
    "TAP": "admin",
    "øvrige": "other",
}


def workbook(budget: pl.DataFrame, year: int, offers: pl.DataFrame | None = None) -> tuple[bytes, int]:
    """(xlsx bytes, number of offer sheets). Each offer sheet is a live model: the cost lines,
    HÅP per level, tariffs, places, supplements, PL rates and the calculators' inputs are input
    cells (yellow); every total, the tariff basis, income (HÅP × tariff), the expected result,
    place prices, out-years and both calculators are Excel formulas on them, so a change to a
    cost line shows at once. Printed: A4 landscape, one page wide, the header row repeated.
    Written with XlsxWriter (:mod:`tariffkit.xlsx`); the budget is split by offer once, with
    the garbage collector paused (:func:`tariffkit.speed.gc_paused`: the million small objects
    of the cells all stay alive until the workbook is written)."""
    from tariffkit.speed import gc_paused

    with gc_paused():
        return _workbook(budget, year, offers)


def _workbook(budget: pl.DataFrame, year: int, offers: pl.DataFrame | None) -> tuple[bytes, int]:
    from xlsxwriter.utility import xl_col_to_name

    from tariffkit.xlsx import BLANK_TAIL, Book, formula_tail, number_tail, sheet_name, string_tail

    book = Book()
    F = book.fmt
    title_style = dict(bold=True, font_size=14, font_color="#1F5F8B")
    section_bg = dict(bg_color="#DCE6F0", pattern=1)
    header_bg = dict(bg_color="#F2F5F8", pattern=1)
    input_bg = dict(bg_color="#FFF2CC", pattern=1)
    names = {}
    if offers is not None:
        names = {o: n for o, n in offers.select("offer_id", "offer_name").iter_rows()}
    has_group = "group" in budget.columns
    # the budget's rows as plain tuples, split by offer in one pass (no polars query per offer):
    # per offer, each line's first row (in the budget's order) and the columns it has values in,
    # and the values and texts by (line, basis, year)
    fields = ["offer_id", "line", "label", "unit", "basis", "year", "value", "text", *(["group"] if has_group else [])]
    by_offer: dict[str, tuple[dict, dict, dict, dict]] = {}
    # the values as floats, what a cell holds (polars' cast gives float(Decimal), the nearest
    # float; tests/test_xlsx.py): the incomes compared below are whole kroner, equal as floats
    # exactly when they are equal
    for t in budget.select(pl.col(fields).exclude("value"), pl.col("value").cast(pl.Float64)).select(fields).rows():
        state = by_offer.get(t[0])
        if state is None:
            state = by_offer[t[0]] = ({}, {}, {}, {})
        first_rows, values, texts, columns_of = state
        line, column = t[1], (t[4], t[5])
        at = (line, *column)
        values[at] = t[6]
        if t[7]:
            texts[at] = t[7]
        if line in first_rows:
            columns_of[line].append(column)
        else:
            first_rows[line] = t
            columns_of[line] = [column]
    offer_ids = sorted(by_offer)
    ov = book.sheet("Oversigt")  # first in the book, written last
    used = {"oversigt"}

    styles: dict[tuple[str, bool, bool], object] = {}

    def cell_style(unit: str, is_input: bool, total: bool):  # (a million cells at 1,667 offers: looked up, not built)
        key = (unit, is_input, total)
        if key not in styles:
            styles[key] = F(num_format=FORMATS.get(unit, "#,##0.00"), **(input_bg if is_input else {}), **(dict(bold=True, top=1) if total else {}))
        return styles[key]

    def letter(col: int) -> str:  # 1-based column → A, B, …
        return xl_col_to_name(col - 1)

    overview_rows = []
    for offer in offer_ids:
        first_rows, values, texts, columns_of = by_offer[offer]
        line_rows = list(first_rows.values())  # each line once, in the budget's order
        title = sheet_name(f"{offer} {names.get(offer, '')}".strip(), used)
        ws = book.sheet(title)
        ws.write_string(0, 0, f"Tilbudsspecifik budgetmodel: {offer}" + (f" {names[offer]}" if names.get(offer) else ""), F(**title_style))
        ws.write_string(
            1,
            0,
            f"Budgetår {year}. Beløb i kr. De gule felter er indtastninger (omkostningslinjer, HÅP, takster, pladser, PL); "
            "alle totaler, takstgrundlag, indtægter, resultat, pladspriser, overslagsår og beregnere er formler på dem.",
        )

        cols = sorted({c for cs in columns_of.values() for c in cs}, key=lambda c: (c[1] if c[0] == "out_year" else 0, BASIS_ORDER[c[0]], c[1]))
        header_row = 4
        ws.write_string(header_row - 1, 0, "Linje", F(bold=True, **header_bg))
        for j, (basis, y) in enumerate(cols, start=2):
            ws.write_string(header_row - 1, j - 1, f"{BASIS_LABELS[basis]} {y}", F(bold=True, align="right", text_wrap=True, **header_bg))
        col_of = {c: j for j, c in enumerate(cols, start=2)}
        group_of: dict[str, str | None] = {r[1]: r[8] for r in line_rows} if has_group else {}
        cut_label = first_rows["cut_fte"][2] if "cut_fte" in first_rows else None
        comment_text = first_rows["comment"][7] if "comment" in first_rows else None
        row_of: dict[str, int] = {}
        section_rows: list[tuple[int, str]] = []
        row = header_row + 1
        sections_of = [section_of(r[1]) for r in line_rows]
        for sidx, section in enumerate(SECTIONS):
            these = [r for r, si in zip(line_rows, sections_of) if si == sidx]
            if not these:
                continue
            row += 1
            section_rows.append((row, section))
            for r in these:
                row += 1
                row_of[r[1]] = row

        def present(line: str, basis: str, y: int) -> bool:
            return (line, basis, y) in values

        lines_of_group: dict[str | None, list[str]] = {}
        for ln, g in group_of.items():
            lines_of_group.setdefault(g, []).append(ln)

        def lines_in(group: str, basis: str, y: int) -> list[str]:
            return [ln for ln in lines_of_group.get(group, ()) if (ln, basis, y) in values]

        base_col = next((col_of[c] for c in (("forecast", year), ("tariff_budget", year)) if c in col_of), None)
        first_out = next(((bb, yy) for (bb, yy) in col_of if bb == "out_year"), None)
        indexed = (
            first_out is not None
            and base_col is not None
            and values.get(("income", *first_out)) != values.get(("income",) + next(c for c, jj in col_of.items() if jj == base_col))
        )
        ws.write_string(
            2,
            0,
            "Overslagsår: omkostninger og indtægter fremskrives med PL (taksterne følger PL)."
            if indexed
            else "Overslagsår: omkostningerne fremskrives med PL, indtægterne holdes på årets niveau (taksterne er ikke fremskrevet), "
            "så et underskud i overslagsårene viser, hvad der sker uden ny takst.",
        )
        haap_candidates = [ln for ln in row_of if ln.startswith("haap_level_")]
        fte_candidates = [ln for ln in row_of if ln.startswith("fte_") and ln != "fte_total"]
        pl_cells: list[str] = []
        formulas: dict[tuple[str, str, int], str] = {}
        for (basis, y), j in col_of.items():
            L = letter(j)

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
                        f[(ln, *k)] = f"=ROUND({letter(base_col)}{row_of[ln]}*{factor},2)"
                if present("income", basis, y) and base_col:
                    base_income = f"{letter(base_col)}{row_of['income']}"
                    held = values.get(("income", basis, y)) == values.get(("income",) + next(c for c, jj in col_of.items() if jj == base_col))
                    carried = f"{letter(base_col)}{row_of['result_two_years_earlier']}" if "result_two_years_earlier" in row_of else "0"
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
            haap_lines = [ln for ln in haap_candidates if (ln, basis, y) in values]
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
                    f[("occupancy_pct", *k)] = f"=IF({P}>0,{letter(base_col)}{row_of['haap_total']}/{P}*100,0)"
                f[("place_price_year", *k)] = f"=ROUND({cell('tariff_basis')}/{P},0)"
                f[("place_price_day", *k)] = f"=ROUND({cell('tariff_basis')}/{P}/365,0)"
                if present("place_price_year_incl_result", basis, y):
                    f[("place_price_year_incl_result", *k)] = f"=ROUND(({cell('tariff_basis')}-{cell('expected_result')})/{P},0)"
                    f[("place_price_day_incl_result", *k)] = f"=ROUND(({cell('tariff_basis')}-{cell('expected_result')})/{P}/365,0)"
            fte_lines = [ln for ln in fte_candidates if (ln, basis, y) in values]
            if fte_lines and present("fte_total", basis, y):
                f[("fte_total", *k)] = "=" + "+".join(cell(x) for x in fte_lines)
                cpfs = [(cell(x), cell("cost_per_fte_" + x[4:])) for x in fte_lines if present("cost_per_fte_" + x[4:], basis, y)]
                if cpfs and present("cost_per_fte_mean", basis, y):
                    f[("cost_per_fte_mean", *k)] = "=ROUND(AVERAGE(" + ",".join(c for _, c in cpfs) + "),0)"
                if cpfs and present("cost_per_fte_weighted", basis, y):
                    f[("cost_per_fte_weighted", *k)] = (
                        f"=IF({cell('fte_total')}>0,ROUND((" + "+".join(f"{a}*{c}" for a, c in cpfs) + f")/{cell('fte_total')},0),0)"
                    )
            if present("cost_per_ata_hour", basis, y) and present("ata_hours_staff", basis, y):
                f[("cost_per_ata_hour", *k)] = f"=ROUND({cell('cost_basis')}/{cell('ata_hours_staff')},0)"
            if present("deficit", basis, y):
                tol = f"MAX(1,{cell('haap_total')})" if present("haap_total", basis, y) else "1"
                f[("deficit", *k)] = f"=IF(-{cell('expected_result')}>{tol},-{cell('expected_result')},0)"
                if cut_label is not None:
                    cat = cut_label.split("(")[1].split(")")[0] if "(" in cut_label else "faguddannet"
                    cpf_line = f"cost_per_fte_{CUT_CATEGORY.get(cat, 'trained')}"
                    cpf = next((f"{letter(jj)}{row_of[cpf_line]}" for (bb, yy), jj in col_of.items() if present(cpf_line, bb, yy)), None)
                    if cpf:
                        f[("cut_fte", *k)] = f"=IF({cpf}>0,ROUNDUP({cell('deficit')}/{cpf},1),0)"
                        f[("cut_amount", *k)] = f"=ROUND({cell('cut_fte')}*{cpf},0)"
            if present("frame_cut_amount", basis, y):
                f[("frame_cut_amount", *k)] = f"=ROUND({cell('frame_cut_share')}/100*{cell('cost_basis')},0)"
                if present("frame_cut_pct_of_variable_salary", basis, y):
                    f[("frame_cut_pct_of_variable_salary", *k)] = (
                        f"=IF({cell('variable_salary')}<>0,{cell('frame_cut_amount')}/{cell('variable_salary')}*100,0)"
                    )
        # --- the cells: section bands, labels, values and formulas ---
        last_col = len(cols) + 1
        shared = ws.str_table._get_shared_string_index
        band_title, band = F(bold=True, **section_bg), F(**section_bg)
        for r_, section in section_rows:
            ws.put_row(r_ - 1, [(0, band_title, string_tail(shared(section)))] + [(j - 1, band, BLANK_TAIL) for j in range(2, last_col + 1)])
        inputs = {"places", "portal_places", "income_supplements", "pl_rate", "frame_cut_share"}
        totals = {"cost_basis", "tariff_basis", "income", "expected_result"}
        all_columns = list(col_of.items())
        for r in line_rows:
            ln = r[1]
            if ln not in row_of:  # the comment has its own field below
                continue
            total = ln in totals
            emphasis = dict(bold=True, top=1) if total else {}
            plain = F(**emphasis)
            cells = [(0, plain, string_tail(shared(str(r[2]))))]
            unit = r[3]
            # an input cell (yellow) is a value of a cost line, HÅP, tariff or the inputs above
            may_be_input = bool(group_of.get(ln) or ln.startswith(("haap_level_", "tariff_level_")) or ln in inputs)
            computed_style, input_style = cell_style(unit, False, total), cell_style(unit, may_be_input, total)
            # the columns the line has a value in (a total: every column, blank where none)
            these_columns = all_columns if total else sorted({(c, col_of[c]) for c in columns_of[ln]}, key=lambda cj: cj[1])
            for (basis, y), j in these_columns:
                key = (ln, basis, y)
                if key not in values:
                    if total:
                        cells.append((j - 1, plain, BLANK_TAIL))
                    continue
                v = values[key]
                if unit == "text":  # a line of text (where a figure comes from)
                    cells.append((j - 1, plain, string_tail(shared(texts.get(key) or ""))))
                    continue
                formula = formulas.get(key)
                if formula:  # with the budget model's figure as the cached value: a viewer that does not recalculate shows it too
                    cells.append((j - 1, computed_style, formula_tail(formula, 0 if v is None else float(v))))
                elif v is None:
                    cells.append((j - 1, input_style, BLANK_TAIL))
                else:
                    cells.append((j - 1, input_style, number_tail(float(v))))
            ws.put_row(row_of[ln] - 1, cells)
        row = max(row_of.values(), default=header_row) + 2
        ws.write_string(row - 1, 0, "Tilbudsleders kommentar", F(bold=True))
        ws.merge_range(row, 0, row + 3, min(last_col, 8) - 1, comment_text or "", F(text_wrap=True, valign="top", **input_bg))
        # --- chart (below the model, so it prints on its own) ---
        tb_row, inc_row = row_of.get("tariff_basis"), row_of.get("income")
        if tb_row and inc_row:
            ch = book.wb.add_chart({"type": "column"})
            for r_ in (tb_row, inc_row):
                ch.add_series(
                    {
                        "name": [title, r_ - 1, 0],
                        "categories": [title, header_row - 1, 1, header_row - 1, last_col - 1],
                        "values": [title, r_ - 1, 1, r_ - 1, last_col - 1],
                    }
                )
            ch.set_title({"name": "Takstgrundlag og indtægter"})
            ch.set_y_axis({"name": "kr.", "num_format": "#,##0"})
            ch.set_size({"width": 680, "height": 300})
            ws.insert_chart(row + 6, 0, ch)
        ws.set_column(0, 0, max(48, min(70, max(len(str(r[2])) for r in line_rows) + 2)))
        ws.set_column(1, last_col - 1, 15)
        ws.freeze_panes(header_row, 1)
        _print_setup(ws, header_row)

        def link(basis, line, fallback=None, col_of=col_of, row_of=row_of, title=title):
            """A formula pointing at the offer sheet's cell, so the overview follows an edit."""
            j = col_of.get((basis, year))
            if j is not None and (line, basis, year) in values and line in row_of:
                quoted = title.replace("'", "''")
                v = values[(line, basis, year)]
                return (f"='{quoted}'!{letter(j)}{row_of[line]}", 0.0 if v is None else float(v))
            return fallback() if fallback else None

        overview_rows.append(
            [
                offer,
                names.get(offer, ""),
                link("forecast", "places", lambda: link("tariff_budget", "places")),
                link("forecast", "haap_total"),
                link("forecast", "occupancy_pct"),
                link("tariff_budget", "tariff_basis"),
                link("forecast", "tariff_basis"),
                link("forecast", "income"),
                link("forecast", "expected_result"),
                link("forecast", "place_price_day", lambda: link("tariff_budget", "place_price_day")),
                link("forecast", "cut_fte"),
            ]
        )
    # --- overview ---
    headers = [
        "Tilbud",
        "Navn",
        "Pladser",
        f"HÅP prognose {year}",
        "Belægning %",
        f"Budget: takstgrundlag {year}",
        f"Prognose: takstgrundlag {year}",
        f"Prognose: indtægter {year}",
        "Forventet resultat",
        "Pladspris pr. døgn",
        "Reduktion i årsværk",
    ]
    fmts = [None, None, "#,##0", "#,##0.00", '0.0" %"', "#,##0", "#,##0", "#,##0", "#,##0", "#,##0", "#,##0.0"]
    ov.write_string(0, 0, f"Tilbud {year}: oversigt", F(**title_style))
    ov.write_string(
        1,
        0,
        "Tallene er formler, der henter fra tilbuddenes ark. Budget = takstberegningsgrundlaget (budget jf. takst). Prognose = årets forventede takstgrundlag og indtægter (HÅP til dato plus disponeret). Forventet resultat = indtægter − takstgrundlag (prognose).",
    )
    for j, h in enumerate(headers):
        ov.write_string(3, j, h, F(bold=True, text_wrap=True, **header_bg))
    sums = [0.0] * len(headers)
    for i, cells in enumerate(overview_rows, start=4):
        for j, (v, fmt) in enumerate(zip(cells, fmts)):
            style = F(num_format=fmt) if fmt else None
            if isinstance(v, tuple):  # (formula, the figure it gives)
                ov.write_formula(i, j, v[0], style, v[1])
                sums[j] += v[1]
            elif v is None:
                if style is not None:
                    ov.write_blank(i, j, None, style)
            else:
                ov.write_string(i, j, str(v), style)
    last = 4 + len(overview_rows)
    if overview_rows:
        total_row = last + 1
        ov.write_string(total_row - 1, 0, "I alt", F(bold=True))
        for j in (3, 4, 6, 7, 8, 9):
            ov.write_formula(total_row - 1, j - 1, f"=SUM({letter(j)}5:{letter(j)}{last})", F(num_format=fmts[j - 1], bold=True, top=1), sums[j - 1])
        ch = book.wb.add_chart({"type": "column"})
        for j in (6, 7, 8):
            ch.add_series({"name": ["Oversigt", 3, j - 1], "categories": ["Oversigt", 4, 0, last - 1, 0], "values": ["Oversigt", 4, j - 1, last - 1, j - 1]})
        ch.set_title({"name": f"Budget og prognose {year} pr. tilbud"})
        ch.set_y_axis({"name": "kr.", "num_format": "#,##0"})
        ch.set_size({"width": 760, "height": 340})
        ov.insert_chart(total_row + 2, 0, ch)
    for j, wdt in enumerate([10, 30, 9, 14, 12, 20, 20, 20, 18, 16, 14]):
        ov.set_column(j, j, wdt)
    ov.freeze_panes(4, 2)
    _print_setup(ov, 4)
    return book.bytes(), len(offer_ids)
