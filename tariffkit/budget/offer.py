"""The offer-specific budget model (BDO's *tilbudsspecifikke budgetmodel*, Bilag 1): the line
keys and labels, the options and :func:`offer_model` (see :mod:`tariffkit.budget`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

import polars as pl

from tariffkit.budget.income import _haap_by_level, _PerOffer, place_income, year_on_year
from tariffkit.errors import DataError
from tariffkit.money import D0, dec, kr, ore
from tariffkit.rules import TariffRules, split

# Stable line keys → Danish label and unit. Cost lines keep the key of the costs table.
LINES: dict[str, tuple[str, str]] = {
    "variable_salary": ("Variable lønomkostninger i alt", "DKK"),
    "variable_costs": ("Variable omkostninger i alt", "DKK"),
    "fixed_costs_offer": ("Faste omkostninger på tilbuddet", "DKK"),
    "fixed_costs_central": ("Faste omkostninger, centralt", "DKK"),
    "other_income": ("Øvrige indtægter (tillægsbevillinger)", "DKK"),
    "cost_basis": ("Årets udgiftsgrundlag", "DKK"),
    "result_two_years_earlier": ("Resultat to år tidligere", "DKK"),
    "tariff_basis": ("Takstberegningsgrundlag", "DKK"),
    "haap_total": ("HÅP i alt", "HÅP"),
    "haap_own": ("HÅP, egne borgere", "HÅP"),
    "haap_other": ("HÅP, andre kommuners borgere", "HÅP"),
    "income_places": ("Indtægter fra salg af pladser (HÅP × takst)", "DKK"),
    "income_places_own": ("heraf egne borgere", "DKK"),
    "income_places_other": ("heraf andre kommuners borgere", "DKK"),
    "income_supplements": ("Indtægter fra funktionsniveau 5+", "DKK"),
    "income": ("Samlede indtægter", "DKK"),
    "expected_result": ("Forventet resultat (indtægter − takstgrundlag)", "DKK"),
    "places": ("Antal pladser", "places"),
    "portal_places": ("Antal pladser jf. Tilbudsportalen", "places"),
    "occupancy_pct": ("Belægningsprocent", "%"),
    "place_price_year": ("Gns. pladspris (år)", "DKK/year"),
    "place_price_day": ("Gns. pladspris (døgn)", "DKK/day"),
    "place_price_year_incl_result": ("Gns. pladspris inkl. forventet resultat (år)", "DKK/year"),
    "place_price_day_incl_result": ("Gns. pladspris inkl. forventet resultat (døgn)", "DKK/day"),
    "fte_total": ("Årsværk i alt", "FTE"),
    "ata_fte": ("ATA-årsværk", "FTE"),
    "cost_per_fte_mean": ("ÅV-pris i alt (simpelt gennemsnit af kategorierne, som BDO)", "DKK/FTE"),
    "cost_per_fte_weighted": ("ÅV-pris i alt (vægtet med årsværk)", "DKK/FTE"),
    "ata_hours_staff": ("ATA-timer fra personalet", "hours/year"),
    "ata_hours_placed": ("ATA-timer jf. indplacering", "hours/year"),
    "ata_hours_placed_source": ("ATA-timer jf. indplacering: kilde", "text"),
    "cost_per_ata_hour": ("Udgift pr. ATA-time (udgiftsgrundlag / ATA-timer)", "DKK/hour"),
    "deficit": ("Merforbrug at lukke", "DKK"),
    "cut_fte": ("Reduktion i årsværk for at lukke merforbruget", "FTE"),
    "cut_amount": ("Reduktion i kr. (årsværk × ÅV-pris)", "DKK"),
    "frame_cut_share": ("Rammebesparelse, andel af udgiftsgrundlaget", "%"),
    "frame_cut_amount": ("Rammebesparelse i kr.", "DKK"),
    "frame_cut_pct_of_variable_salary": ("Rammebesparelse i % af variabel løn", "%"),
    "pl_rate": ("PL-fremskrivning for året", "%"),
    "previous_haap": ("HÅP året før (prognose)", "HÅP"),
    "previous_cost_basis": ("Udgiftsgrundlag året før (prognose)", "DKK"),
    "previous_cost_per_haap": ("Udgift pr. HÅP året før", "DKK/year"),
    "cost_change": ("Ændring i udgiftsgrundlag fra året før", "DKK"),
    "volume_effect": ("heraf mængdeeffekt ((HÅP − HÅP året før) × udgift pr. HÅP året før)", "DKK"),
    "price_effect": ("heraf priseffekt (ændring − mængdeeffekt)", "DKK"),
    "comment": ("Tilbudsleders kommentar", "text"),
}
CATEGORY_LABELS = {
    "management": "ledelse",
    "trained": "faguddannet",
    "untrained": "ikke faguddannet",
    "temporary": "ikke fastansatte",
    "admin": "TAP",
    "other": "øvrige",
}


@dataclass
class OfferModelOptions:
    year: int
    out_years: int = 5
    index_income: bool = False  # out-years: income indexed by PL like the costs (False: held, as BDO's printed model)
    pl_rates: dict[int, Decimal] = field(default_factory=dict)
    cut_category: str = "trained"
    frame_cut: Decimal = Decimal("0.03")
    days_per_year: int = 365
    weeks_per_year: int = 52
    carried: dict[str, Decimal] = field(default_factory=dict)  # results carried into the year (close-year), per offer
    previous: pl.DataFrame | None = None  # last year's budget table: the year-on-year change split into volume and price
    placed: pl.DataFrame | None = None  # reassign's output: ATA hours placed from the citizens' schedules
    rules: TariffRules | None = None  # out-years: each year's expected result carried into year + offset under these rules
    carried_later: dict[tuple[str, int], Decimal] = field(default_factory=dict)  # (offer, out-year): a closed year's carry into it


def offer_model(
    costs: pl.DataFrame,
    staff: pl.DataFrame | None,
    offers: pl.DataFrame | None,
    tariffs: pl.DataFrame,
    forecast_haap: pl.DataFrame,
    expected_haap: pl.DataFrame | None,
    opts: OfferModelOptions,
    ata_prices: pl.DataFrame | None = None,
    files: dict[str, str] | None = None,
) -> tuple[pl.DataFrame, list[str]]:
    """The tidy ``budget`` table for every offer with cost lines in the budget year, and warnings."""
    from tariffkit.contracts import BUDGET

    files = files or {}
    Y = opts.year
    warnings: list[str] = []
    year_costs = costs.filter(pl.col("year").is_in([Y - 1, Y]))
    offer_ids = sorted(set(year_costs.filter(pl.col("year") == Y)["offer_id"].to_list()))
    if not offer_ids:
        raise DataError(f"no cost lines for {Y}", file=files.get("costs", "costs"), column="year")
    tariff_y = tariffs.filter((pl.col("tariff_kind") == "level") & (pl.col("year") == Y))
    if tariff_y.height == 0:
        raise DataError(f"no level tariffs for {Y}", file=files.get("tariffs", "tariffs"), column="year")

    # every input split by offer once; the cost lines as plain rows per (offer, basis, year)
    cost_rows: dict[str, dict[tuple[str, int], list[dict]]] = {}
    for r in year_costs.iter_rows(named=True):
        cost_rows.setdefault(r["offer_id"], {}).setdefault((r["basis"], r["year"]), []).append(r)
    tariff_rows: dict[str, list[dict]] = {}
    for r in tariff_y.iter_rows(named=True):
        tariff_rows.setdefault(r["offer_id"], []).append(r)
    offer_info: dict[str, dict] = {}
    if offers is not None:
        for r in offers.iter_rows(named=True):
            offer_info.setdefault(r["offer_id"], r)
    staff_y = _PerOffer(None if staff is None else staff.filter(pl.col("year") == Y))
    ata_y = {} if ata_prices is None else {r["offer_id"]: r for r in ata_prices.filter(pl.col("year") == Y).iter_rows(named=True)}
    ata_measure = ata_prices["measure"][0] if ata_prices is not None and "measure" in ata_prices.columns and ata_prices.height else "staff"
    placed = _PerOffer(opts.placed)
    forecast_parts, expected_parts = _PerOffer(forecast_haap), _PerOffer(expected_haap)
    previous_parts = _PerOffer(opts.previous) if opts.previous is not None else None

    # the table's columns, filled line by line (a frame from columns, not from 600,000 row dicts)
    names = ["offer_id", "year", "basis", "line", "label", "unit", "value", "text", "group"]
    table: dict[str, list] = {n: [] for n in names}
    c_offer, c_year, c_basis, c_line, c_label, c_unit, c_value, c_text, c_group = (table[n] for n in names)
    tenth_billionth = Decimal("1E-10")

    def add(offer, year, basis, line, value=None, text=None, label=None, unit=None, group=None):
        lab, un = LINES.get(line, (label or line, unit or "DKK"))
        u = unit or un
        exact = u == "HÅP"  # HÅP kept exact (10 decimals): income = HÅP × tariff must be reproducible from the table
        c_offer.append(offer)
        c_year.append(year)
        c_basis.append(basis)
        c_line.append(line)
        c_label.append(label or lab)
        c_unit.append(u)
        c_value.append(None if value is None else (dec(value).quantize(tenth_billionth, rounding=ROUND_HALF_UP) if exact else ore(dec(value))))
        c_text.append(text)
        c_group.append(group)

    tariff_y_in_order = list(tariff_y.iter_rows(named=True)) if len(tariff_rows) > 1 and "*" in tariff_rows else []
    for offer in offer_ids:
        t = (
            [r for r in tariff_y_in_order if r["offer_id"] in (offer, "*")]
            if offer in tariff_rows and "*" in tariff_rows
            else tariff_rows.get(offer) or tariff_rows.get("*", [])
        )
        if not t:
            warnings.append(f"offer {offer}: no tariffs for {Y}, so no income is computed")
        tariff = {int(r["level"]): dec(r["annual_tariff"]) for r in t}
        hours = {int(r["level"]): dec(r["hours"]) for r in t}
        pwh = dec(t[0]["price_per_weekly_hour"]) if t else D0
        info = offer_info.get(offer, {})
        places = info.get("places")
        portal = info.get("portal_places")

        def income_lines(basis, year, h, supp):
            inc = place_income(h, supp, tariff, pwh, what=f"offer {offer}, {Y}", file=files.get("haap", "haap"))
            for (lv, o), v in sorted(h.items()):
                add(offer, year, basis, f"haap_level_{lv}_{o}", v, label=f"HÅP funktionsniveau {lv}: {'egne' if o == 'own' else 'andre kommuner'}", unit="HÅP")
            for lv in sorted(tariff):  # every level's tariff, also a level nobody is on (a structure of ten packages)
                add(offer, year, basis, f"tariff_level_{lv}", tariff[lv], label=f"Takst funktionsniveau {lv} (kr. pr. år)", unit="DKK/year")
            # income from own citizens and from other municipalities, apart (their sum is the places' income)
            add(offer, year, basis, "income_places_other", inc.places_other)
            add(offer, year, basis, "income_places_own", inc.places - inc.places_other)
            add(offer, year, basis, "haap_own", inc.haap_own)
            add(offer, year, basis, "haap_other", inc.haap_other)
            add(offer, year, basis, "haap_total", inc.haap)
            add(offer, year, basis, "income_places", inc.places)
            add(offer, year, basis, "income_supplements", inc.supplements)
            add(offer, year, basis, "income", inc.income)
            return {"income": inc.income, "haap": inc.haap}

        def place_lines(basis, year, tb, result, haap):
            if places:
                p = Decimal(places)
                add(offer, year, basis, "places", p)
                if portal is not None:
                    add(offer, year, basis, "portal_places", Decimal(portal))
                if haap is not None:
                    add(offer, year, basis, "occupancy_pct", haap / p * 100)
                add(offer, year, basis, "place_price_year", kr(tb / p))
                add(offer, year, basis, "place_price_day", kr(tb / p / opts.days_per_year))
                if result is not None:
                    add(offer, year, basis, "place_price_year_incl_result", kr((tb - result) / p))
                    add(offer, year, basis, "place_price_day_incl_result", kr((tb - result) / p / opts.days_per_year))

        def cost_block(basis, year, c: list[dict], scale: Decimal = Decimal(1), carry: bool = True, carried_in: Decimal = D0):
            sums = {g: D0 for g in ("variable_staff", "variable_other", "fixed_offer", "fixed_central", "other_income", "carried_result")}
            line_values: dict[str, Decimal] = {}
            for r in c:
                amount = ore(dec(r["amount"]) * scale)
                if r["group"] == "carried_result" and not carry:
                    continue
                sums[r["group"]] += amount
                line_values[r["line"]] = line_values.get(r["line"], D0) + amount
            first_of_line: dict[str, dict] = {}
            for r in c:
                first_of_line.setdefault(r["line"], r)
            for r in sorted(first_of_line.values(), key=lambda r: (r["group"], r["line"])):
                if r["line"] in LINES or (r["group"] == "carried_result" and not carry):
                    continue  # a model line of the same name (the carried result) shows it
                add(offer, year, basis, r["line"], line_values[r["line"]], label=r.get("label") or r["line"], unit="DKK", group=r["group"])
            if carry and year == Y and offer in opts.carried:  # a result close-year carries into the year
                sums["carried_result"] += opts.carried[offer]
            sums["carried_result"] += carried_in  # an out-year's carry under the rules
            variable_salary = sums["variable_staff"]
            cost_basis = sum((v for g, v in sums.items() if g != "carried_result"), D0)
            add(offer, year, basis, "variable_salary", variable_salary)
            add(offer, year, basis, "variable_costs", variable_salary + sums["variable_other"])
            add(offer, year, basis, "fixed_costs_offer", sums["fixed_offer"])
            add(offer, year, basis, "fixed_costs_central", sums["fixed_central"])
            add(offer, year, basis, "other_income", sums["other_income"])
            add(offer, year, basis, "cost_basis", cost_basis)
            add(offer, year, basis, "result_two_years_earlier", sums["carried_result"])
            tb = cost_basis + sums["carried_result"]
            add(offer, year, basis, "tariff_basis", tb)
            return {"cost_basis": cost_basis, "tariff_basis": tb, "variable_salary": variable_salary}

        oc = cost_rows.get(offer, {})
        columns = [("actual", Y - 1), ("budget", Y - 1), ("budget", Y), ("tariff_budget", Y), ("forecast", Y)]
        blocks = {}
        for basis, year in columns:
            c = oc.get((basis, year), [])
            if not c:
                continue
            blocks[(basis, year)] = cost_block(basis, year, c)
            haap_src = {
                "tariff_budget": expected_parts if expected_haap is not None else None,
                "forecast": forecast_parts if forecast_haap is not None else None,
            }.get(basis)
            if haap_src is not None and year == Y:
                h, supp = _haap_by_level(haap_src, offer)
                inc = income_lines(basis, year, h, supp)
                result = inc["income"] - blocks[(basis, year)]["tariff_basis"]
                add(offer, year, basis, "expected_result", result)
                blocks[(basis, year)].update(income=inc["income"], result=result, haap=inc["haap"])
                place_lines(basis, year, blocks[(basis, year)]["tariff_basis"], result, inc["haap"])
            else:
                place_lines(basis, year, blocks[(basis, year)]["tariff_basis"], None, None)
        if ("forecast", Y) not in blocks:
            rest = "the out-years start from the tariff budget" if ("tariff_budget", Y) in blocks else "so are the out-years"
            warnings.append(f"offer {offer}: no forecast cost lines for {Y}; the forecast column and the calculators are left out, {rest}")
        if opts.previous is not None:
            yoy = year_on_year(previous_parts if previous_parts is not None else opts.previous, offer, Y, blocks)
            if yoy is None:
                warnings.append(f"offer {offer}: no cost basis and HÅP for {Y - 1} in the previous budget, so no volume and price split")
            else:
                key, values = yoy
                for line, v in values.items():
                    add(offer, Y, key, line, v)
        # --- staff, ATA and the calculators ---
        staff_basis = ("tariff_budget", Y) if ("tariff_budget", Y) in blocks else next(iter(blocks))
        sb, sy = staff_basis
        s = staff_y.rows(offer) if staff is not None else []
        price_of = {}
        if s:
            total_fte, ata_fte, weighted = D0, D0, D0
            for r in sorted(s, key=lambda r: r["category"]):
                f, cpf = dec(r["fte"]), dec(r["cost_per_fte"])
                price_of[r["category"]] = cpf
                cat = CATEGORY_LABELS.get(r["category"], r["category"])
                add(offer, sy, sb, f"fte_{r['category']}", f, label=f"Årsværk, {cat}", unit="FTE")
                add(offer, sy, sb, f"cost_per_fte_{r['category']}", cpf, label=f"ÅV-pris, {cat}", unit="DKK/FTE")
                total_fte += f
                weighted += f * cpf
                if r["gives_ata"]:
                    ata_fte += f
            add(offer, sy, sb, "fte_total", total_fte)
            add(offer, sy, sb, "ata_fte", ata_fte)
            add(offer, sy, sb, "cost_per_fte_mean", kr(sum(price_of.values(), D0) / len(price_of)))
            if total_fte:
                add(offer, sy, sb, "cost_per_fte_weighted", kr(weighted / total_fte))
        if ata_prices is not None:
            a = ata_y.get(offer)
            if a is not None:
                ata_hours = dec(a["ata_hours"])
                add(offer, sy, sb, "ata_hours_staff", ata_hours)
                if ata_hours:
                    add(offer, sy, sb, "cost_per_ata_hour", kr(blocks[staff_basis]["cost_basis"] / ata_hours))
        sched = [] if opts.placed is None else placed.rows(offer)
        if sched:
            # the citizens' own weekly ATA hours from their 24-hour schedules (reassign), not band midpoints
            # on the measure of the ATA prices (staff time unless price-ata was run with --measure
            # citizen), so the staff's hours and the hours placed compare like with like
            measure = ata_measure
            column = f"{measure}_hours_ata" if f"{measure}_hours_ata" in placed.columns else "hours_counted"
            weekly = sum((dec(r[column] or 0) for r in sched), D0)
            word = {"staff_hours_ata": "personaletid", "citizen_hours_ata": "borgertid"}.get(column, "timer som indplaceret")
            add(offer, sy, sb, "ata_hours_placed", weekly * opts.weeks_per_year)
            add(offer, sy, sb, "ata_hours_placed_source", None, text=f"døgnskemaer: {len(sched)} borgeres ATA-timer pr. uge ({word}) × {opts.weeks_per_year}")
        elif expected_haap is not None or forecast_haap is not None:
            h, supp = _haap_by_level(expected_parts if sb == "tariff_budget" and expected_haap is not None else forecast_parts, offer)
            weekly_placed = sum((v * hours.get(lv, D0) for (lv, _), v in h.items()), D0) + supp
            add(offer, sy, sb, "ata_hours_placed", weekly_placed * opts.weeks_per_year)
            add(offer, sy, sb, "ata_hours_placed_source", None, text=f"niveauernes repræsentative timer × HÅP × {opts.weeks_per_year} (ingen døgnskemaer)")
        fc = blocks.get(("forecast", Y))
        if fc is not None and "result" in fc:
            # a result within ±1 kr per HÅP is the tariffs' whole-krone rounding, not a deficit to close
            haap_fc = fc.get("haap") or D0
            deficit = -fc["result"] if -fc["result"] > max(haap_fc, Decimal(1)) else D0
            add(offer, Y, "forecast", "deficit", deficit)
            cut_price = price_of.get(opts.cut_category)
            if cut_price:
                cut = (deficit / cut_price).quantize(Decimal("0.1"), rounding=ROUND_CEILING)
                add(
                    offer,
                    Y,
                    "forecast",
                    "cut_fte",
                    cut,
                    label=f"Reduktion i årsværk ({CATEGORY_LABELS.get(opts.cut_category, opts.cut_category)}) for at lukke merforbruget",
                )
                add(offer, Y, "forecast", "cut_amount", kr(cut * cut_price))
            elif deficit:
                warnings.append(f"offer {offer}: no staff in category {opts.cut_category} for {Y}, so the cut calculator is left out")
            amount = kr(opts.frame_cut * fc["cost_basis"])
            add(offer, Y, "forecast", "frame_cut_share", opts.frame_cut * 100)
            add(offer, Y, "forecast", "frame_cut_amount", amount)
            if fc["variable_salary"]:
                add(offer, Y, "forecast", "frame_cut_pct_of_variable_salary", amount / fc["variable_salary"] * 100)
        comment = info.get("comment")
        add(offer, Y, "forecast" if fc is not None else sb, "comment", None, text=comment or None)
        # --- out-years ---
        base_key = ("forecast", Y) if ("forecast", Y) in blocks else ("tariff_budget", Y) if ("tariff_budget", Y) in blocks else None
        if base_key is not None and opts.out_years:
            base_costs = oc.get((base_key[0], Y), [])
            held_income = blocks[base_key].get("income")
            haap_held = blocks[base_key].get("haap")
            factor = Decimal(1)
            # results by year, for the rules' carry into the out-years: the base year's, then each out-year's
            past = {Y: blocks[base_key]} if "result" in blocks[base_key] else {}
            for k in range(1, opts.out_years + 1):
                yk = Y + k
                factor *= 1 + opts.pl_rates[yk]
                add(offer, yk, "out_year", "pl_rate", opts.pl_rates[yk] * 100)
                carried_k = D0
                if opts.rules is not None:  # the result of year yk − offset enters yk's tariff basis
                    src = yk - opts.rules.year_offset
                    if src in past:
                        carried_k = split(past[src]["result"], past[src]["cost_basis"], past[src]["tariff_basis"], opts.rules).carried
                    elif src < Y:
                        carried_k = opts.carried_later.get((offer, yk), D0)  # a closed year's carry from the results table
                blk = cost_block("out_year", yk, base_costs, scale=factor, carry=False, carried_in=carried_k)
                if held_income is not None:
                    # indexed: the tariffs follow PL, without the one-off result of two years earlier they carried,
                    # and with the out-year's own carry (tariffs are set to cover their basis)
                    carried_base = blocks[base_key]["tariff_basis"] - blocks[base_key]["cost_basis"]
                    income_k = kr((held_income - carried_base) * factor) + carried_k if opts.index_income else held_income
                    add(offer, yk, "out_year", "income", income_k)
                    result = income_k - blk["tariff_basis"]
                    add(offer, yk, "out_year", "expected_result", result)
                    place_lines("out_year", yk, blk["tariff_basis"], result, haap_held)
                    past[yk] = {**blk, "result": result}
                else:
                    place_lines("out_year", yk, blk["tariff_basis"], None, None)
    df = pl.DataFrame(table, schema=BUDGET.schema)
    dup = df.select(pl.struct("offer_id", "year", "basis", "line").is_duplicated().any()).item()
    if dup:  # pragma: no cover - guards the line keys
        raise AssertionError("duplicated budget lines")
    return df, warnings
