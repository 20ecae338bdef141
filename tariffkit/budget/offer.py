"""The offer-specific budget model (BDO's *tilbudsspecifikke budgetmodel*, Bilag 1): the line
keys and labels, the options and :func:`offer_model` (see :mod:`tariffkit.budget`)."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

import polars as pl

from tariffkit.budget.income import _haap_by_level, _PerOffer, place_income, year_on_year
from tariffkit.contracts import COST_GROUPS
from tariffkit.errors import DataError, UsageError
from tariffkit.money import D0, ORE, dec, kr
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
    pl_rates: dict[int, Decimal] = field(default_factory=dict)  # a rate for each out-year (rates.parse_pl); a missing one is refused
    cut_category: str = "trained"
    frame_cut: Decimal = Decimal("0.03")
    days_per_year: int = 365
    weeks_per_year: int = 52
    carried: dict[str, Decimal] = field(default_factory=dict)  # results carried into the year (close-year), per offer
    previous: pl.DataFrame | None = None  # last year's budget table: the year-on-year change split into volume and price
    placed: pl.DataFrame | None = None  # reassign's output: ATA hours placed from the citizens' schedules
    rules: TariffRules | None = None  # out-years: each year's expected result carried into year + offset under these rules
    carried_later: dict[tuple[str, int], Decimal] = field(default_factory=dict)  # (offer, out-year): a closed year's carry into it


class _Table:
    """The budget table, filled line by line in the model's order. Money is rounded once here,
    to the øre; HÅP is kept exact to 10 decimals, so income = HÅP × tariff can be reproduced
    from the table. The figures go to polars as their exact decimal text (a tenth of the time of
    handing it Decimal objects). Most lines do not pass Python one by one: a column's cost lines
    come from the costs in one polars query (:meth:`mark_cost_lines` says where they go) and a
    block of model lines is one record (:meth:`add_money`), made lines by polars (``frame``)."""

    NAMES = ("offer_id", "year", "basis", "line", "label", "unit", "value", "text", "group")
    TENTH_BILLIONTH = Decimal("1E-10")

    def __init__(self) -> None:
        self.rows: list[tuple] = []  # the lines added one by one
        # what goes in before rows[i], as (2i, n, …), n counting the inserts: a column's cost lines …
        self.marks: list[tuple[int, int, str, str, int]] = []
        # … and blocks of model lines, by their line keys
        self.blocks: dict[tuple[str, ...], list[tuple]] = {}
        self.inserts = 0

    def add(self, offer, year, basis, line, value=None, text=None, label=None, unit=None, group=None) -> None:
        known = LINES.get(line)
        if known is None:
            label, u = label or line, unit or "DKK"
        else:
            label, u = label or known[0], unit or known[1]
        if value is None:
            figure = None
        elif u == "HÅP":
            figure = str(dec(value).quantize(self.TENTH_BILLIONTH, rounding=ROUND_HALF_UP))
        else:  # money.ore, inline: a hundred thousand lines
            figure = str((value if type(value) is Decimal else dec(value)).quantize(ORE, rounding=ROUND_HALF_UP))
        self.rows.append((offer, year, basis, line, label, u, figure, text, group))

    def _insert(self) -> tuple[int, int]:
        self.inserts += 1
        return 2 * len(self.rows), self.inserts

    def add_money(self, offer, year, basis, lines) -> None:
        """Model lines of ``LINES`` rounded as money (any unit but HÅP), (line, Decimal value)
        pairs: the same lines as :meth:`add` one by one, kept as one record."""
        keys = tuple(k for k, _ in lines)
        figures = [str(v.quantize(ORE, rounding=ROUND_HALF_UP)) for _, v in lines]
        self.blocks.setdefault(keys, []).append((*self._insert(), offer, year, basis, *figures))

    def mark_cost_lines(self, offer: str, basis: str, year: int) -> None:
        """The column's cost lines (in order of group and line) go here."""
        self.marks.append((*self._insert(), offer, basis, year))

    def frame(self, cost_lines: pl.DataFrame) -> pl.DataFrame:
        """The table; ``cost_lines`` (offer_id, basis, year, line, label, group, amount) are the
        columns' cost lines, put where :meth:`mark_cost_lines` marked them."""
        from tariffkit.contracts import BUDGET

        schema = dict(BUDGET.schema)
        order: dict[str, pl.DataType] = {"_at": pl.Int64(), "_n": pl.Int64(), "_sub": pl.Int64()}
        columns = [[r[i] for r in self.rows] for i in range(len(self.NAMES))]
        parts = [
            pl.DataFrame({n: pl.Series(n, col, dtype=pl.String if n == "value" else schema[n]) for n, col in zip(self.NAMES, columns)}).with_columns(
                pl.col("value").cast(schema["value"]), _at=pl.int_range(pl.len(), dtype=pl.Int64) * 2 + 1, _n=pl.lit(0, pl.Int64), _sub=pl.lit(0, pl.Int64)
            )
        ]
        names = list(parts[0].columns)
        text, group = pl.lit(None, pl.String).alias("text"), pl.lit(None, pl.String).alias("group")
        if self.marks:
            marks = pl.DataFrame(
                self.marks, schema={"_at": pl.Int64, "_n": pl.Int64, "offer_id": pl.String, "basis": pl.String, "year": pl.Int32}, orient="row"
            )
            label = pl.when(pl.col("label").is_null() | (pl.col("label") == "")).then(pl.col("line")).otherwise(pl.col("label"))
            shown = marks.join(cost_lines, on=["offer_id", "basis", "year"]).sort("_at", "_n", "group", "line")
            parts.append(shown.with_columns(label=label, unit=pl.lit("DKK"), value=pl.col("amount").cast(schema["value"]), text=text, _sub=pl.lit(0, pl.Int64)))
        for keys, records in self.blocks.items():
            fig = [f"_{i}" for i in range(len(keys))]
            wide = pl.DataFrame(
                records,
                schema={**{"_at": pl.Int64, "_n": pl.Int64, "offer_id": pl.String, "year": pl.Int32, "basis": pl.String}, **dict.fromkeys(fig, pl.String)},
                orient="row",
            )
            long = wide.unpivot(on=fig, index=["_at", "_n", "offer_id", "year", "basis"], variable_name="_v", value_name="value")
            line = pl.col("_v").replace_strict(fig, list(keys))
            parts.append(
                long.with_columns(
                    line=line,
                    label=line.replace_strict(list(keys), [LINES[k][0] for k in keys]),
                    unit=line.replace_strict(list(keys), [LINES[k][1] for k in keys]),
                    value=pl.col("value").cast(schema["value"]),
                    text=text,
                    group=group,
                    _sub=pl.col("_v").replace_strict(fig, list(range(len(keys))), return_dtype=pl.Int64),
                )
            )
        df = pl.concat([p.select(names).cast(schema | order) for p in parts]).sort("_at", "_n", "_sub", maintain_order=True).drop(list(order))
        if df.select(pl.struct("offer_id", "year", "basis", "line").is_duplicated().any()).item():  # pragma: no cover - guards the line keys
            raise AssertionError("duplicated budget lines")
        return df


class _Inputs:
    """Every input of the model for the budget year, split by offer once."""

    def __init__(self, costs, staff, offers, tariffs, forecast_haap, expected_haap, ata_prices, opts: OfferModelOptions, files: dict[str, str]):
        Y = opts.year
        year_costs = costs.filter(pl.col("year").is_in([Y - 1, Y]))
        self.offer_ids = sorted(set(year_costs.filter(pl.col("year") == Y)["offer_id"].to_list()))
        if not self.offer_ids:
            raise DataError(f"no cost lines for {Y}", file=files.get("costs", "costs"), column="year")
        tariff_y = tariffs.filter((pl.col("tariff_kind") == "level") & (pl.col("year") == Y))
        if tariff_y.height == 0:
            raise DataError(f"no level tariffs for {Y}", file=files.get("tariffs", "tariffs"), column="year")
        # the cost lines, each once: their sums by group per (offer, basis, year) and the lines the
        # columns show, from polars (one group-by each); the out-years' likewise (_out_years)
        self.cost_sums: dict[tuple[str, str, int], dict[str, Decimal]] = {}
        in_ore = (pl.col("amount").cast(pl.Decimal(38, 2)) * 100).cast(pl.Int64).sum()
        for o, b, y, g, a in year_costs.group_by("offer_id", "basis", "year", "group").agg(in_ore).iter_rows():
            self.cost_sums.setdefault((o, b, y), {})[g] = Decimal(a).scaleb(-2)
        self.shown_lines = (
            year_costs.group_by("offer_id", "basis", "year", "line", maintain_order=True)
            .agg(pl.col("label").first(), pl.col("group").first(), pl.col("amount").sum())
            .filter(~pl.col("line").is_in(list(LINES)))
        )
        self.out_year_sums: dict[tuple[str, int], dict[str, Decimal]] = {}
        out_lines = self._out_years(year_costs, opts)
        if out_lines is not None:
            self.shown_lines = pl.concat([self.shown_lines, out_lines], how="vertical_relaxed")
        self.tariff_rows: dict[str, list[dict]] = {}
        for r in tariff_y.iter_rows(named=True):
            self.tariff_rows.setdefault(r["offer_id"], []).append(r)
        self._tariffs_in_order = list(tariff_y.iter_rows(named=True)) if len(self.tariff_rows) > 1 and "*" in self.tariff_rows else []
        self.offer_info: dict[str, dict] = {}
        if offers is not None:
            for r in offers.iter_rows(named=True):
                self.offer_info.setdefault(r["offer_id"], r)
        self.staff = None if staff is None else _PerOffer(staff.filter(pl.col("year") == Y))
        self.ata = None if ata_prices is None else {r["offer_id"]: r for r in ata_prices.filter(pl.col("year") == Y).iter_rows(named=True)}
        self.ata_measure = ata_prices["measure"][0] if ata_prices is not None and "measure" in ata_prices.columns and ata_prices.height else "staff"
        self.placed: dict[str, list] | None = None
        self.placed_column = ""
        if opts.placed is not None:  # the weekly ATA hours on the measure of the ATA prices (below), only that column
            measured = f"{self.ata_measure}_hours_ata"
            self.placed_column = measured if measured in opts.placed.columns else "hours_counted"
            self.placed = {}  # offer → [citizens, their weekly ATA hours] (each a float's shortest decimal text)
            for o, v in opts.placed.select("offer_id", self.placed_column).iter_rows():
                n_sum = self.placed.setdefault(o, [0, D0])
                n_sum[0] += 1
                n_sum[1] += dec(v or 0)
        self.forecast = None if forecast_haap is None else _PerOffer(forecast_haap)
        self.expected = None if expected_haap is None else _PerOffer(expected_haap)
        self.previous = None
        if opts.previous is not None:  # the lines year_on_year reads: last year's cost basis and HÅP
            last = pl.col("line").is_in(["cost_basis", "haap_total"]) & (pl.col("year") == Y - 1) & pl.col("basis").is_in(["forecast", "tariff_budget"])
            self.previous = _PerOffer(opts.previous.filter(last))

    def _out_years(self, year_costs: pl.DataFrame, opts: OfferModelOptions) -> pl.DataFrame | None:
        """The out-years' cost lines, all offers at once: each line of the base year (the
        forecast, else the tariff budget) × the PL factor so far, rounded to the øre (half away
        from zero), without the result carried into the base year; their sums by group go to
        ``out_year_sums`` and the lines shown are returned (as ``shown_lines``)."""
        from tariffkit.money import kroner, scaled_ore

        Y = opts.year
        base = year_costs.filter(pl.col("year") == Y)
        forecast = base.filter(pl.col("basis") == "forecast")
        base = pl.concat([forecast, base.filter((pl.col("basis") == "tariff_budget") & ~pl.col("offer_id").is_in(forecast["offer_id"].unique().implode()))])
        if not opts.out_years or base.height == 0:
            return None
        base = base.select("offer_id", "line", "label", "group", (pl.col("amount").cast(pl.Decimal(38, 2)) * 100).cast(pl.Int64).alias("amount"))
        years, factor = [], Decimal(1)
        for k in range(1, opts.out_years + 1):
            factor *= 1 + opts.pl_rates[Y + k]
            years.append(base.with_columns(year=pl.lit(Y + k, pl.Int32), amount=scaled_ore("amount", factor)))
        scaled = pl.concat(years)
        counted = pl.col("group") != "carried_result"
        for o, y, g, a in scaled.filter(counted).group_by("offer_id", "year", "group").agg(pl.col("amount").sum()).iter_rows():
            self.out_year_sums.setdefault((o, y), {})[g] = Decimal(a).scaleb(-2)
        return (
            scaled.group_by("offer_id", "year", "line", maintain_order=True)
            .agg(pl.col("label").first(), pl.col("group").first(), pl.col("amount").filter(counted).sum())
            .filter(~pl.col("line").is_in(list(LINES)) & (pl.col("group") != "carried_result"))
            .select("offer_id", pl.lit("out_year").alias("basis"), "year", "line", "label", "group", kroner(pl.col("amount")).alias("amount"))
        )

    def tariffs_of(self, offer: str) -> list[dict]:
        """The offer's level tariffs for the year; a ``*`` row is every offer's."""
        if offer in self.tariff_rows and "*" in self.tariff_rows:
            return [r for r in self._tariffs_in_order if r["offer_id"] in (offer, "*")]
        return self.tariff_rows.get(offer) or self.tariff_rows.get("*", [])


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
    from tariffkit.speed import gc_paused

    files = files or {}
    missing = [y for y in range(opts.year + 1, opts.year + opts.out_years + 1) if y not in opts.pl_rates]
    if missing:
        raise UsageError(f"`pl_rates`: no PL rate for out-year {missing[0]} (give one for each of the {opts.out_years} out-years, or `out_years` 0)")
    with gc_paused():
        inputs = _Inputs(costs, staff, offers, tariffs, forecast_haap, expected_haap, ata_prices, opts, files)
        table = _Table()
        warnings: list[str] = []
        for offer in inputs.offer_ids:
            _Offer(offer, inputs, opts, table, files, warnings).lines()
        return table.frame(inputs.shown_lines), warnings


class _Offer:
    """One offer's lines, in the table's order: the five columns (last year's actual and
    budget, this year's budget, tariff budget and forecast) with income and places, the change
    from last year, staff and ATA, the calculators, the comment and the out-years."""

    COLUMNS = (("actual", -1), ("budget", -1), ("budget", 0), ("tariff_budget", 0), ("forecast", 0))

    def __init__(self, offer: str, inputs: _Inputs, opts: OfferModelOptions, table: _Table, files: dict[str, str], warnings: list[str]):
        self.offer, self.inputs, self.opts, self.files, self.warnings = offer, inputs, opts, files, warnings
        self.Y = opts.year
        self.table = table
        self.add = functools.partial(table.add, offer)
        t = inputs.tariffs_of(offer)
        if not t:
            warnings.append(f"offer {offer}: no tariffs for {self.Y}, so no income is computed")
        self.tariff = {int(r["level"]): dec(r["annual_tariff"]) for r in t}
        self.hours = {int(r["level"]): dec(r["hours"]) for r in t}
        self.pwh = dec(t[0]["price_per_weekly_hour"]) if t else D0
        self.info = inputs.offer_info.get(offer, {})
        self.blocks: dict[tuple[str, int], dict] = {}
        self.price_of: dict[str, Decimal] = {}

    def lines(self) -> None:
        self.columns()
        self.change_from_last_year()
        self.staff_lines()
        self.ata_lines()
        fc = self.blocks.get(("forecast", self.Y))
        if fc is not None and "result" in fc:
            self.calculators(fc)
        comment = self.info.get("comment")
        self.add(self.Y, "forecast" if fc is not None else self.staff_basis[0], "comment", None, text=comment or None)
        self.out_years()

    # --- the columns ---

    def columns(self) -> None:
        Y, ins = self.Y, self.inputs
        for basis, offset in self.COLUMNS:
            year = Y + offset
            sums = ins.cost_sums.get((self.offer, basis, year))
            if sums is None:
                continue
            blk = self.blocks[(basis, year)] = self.cost_block(basis, year, dict(sums))
            haap_src = {"tariff_budget": ins.expected, "forecast": ins.forecast}.get(basis)
            if haap_src is not None and year == Y:
                h, supp = _haap_by_level(haap_src, self.offer)
                inc = self.income_lines(basis, year, h, supp)
                result = inc.income - blk["tariff_basis"]
                self.add(year, basis, "expected_result", result)
                blk.update(income=inc.income, result=result, haap=inc.haap)
                self.place_lines(basis, year, blk["tariff_basis"], result, inc.haap)
            else:
                self.place_lines(basis, year, blk["tariff_basis"], None, None)
        if ("forecast", Y) not in self.blocks:
            rest = "the out-years start from the tariff budget" if ("tariff_budget", Y) in self.blocks else "so are the out-years"
            self.warnings.append(f"offer {self.offer}: no forecast cost lines for {Y}; the forecast column and the calculators are left out, {rest}")

    def cost_block(self, basis, year, sums: dict[str, Decimal], carried_in: Decimal = D0) -> dict:
        """A column's sums of the cost lines by group (the lines themselves are the table's, from
        :class:`_Inputs`) and its model lines: the cost basis and the tariff basis with the result
        carried into the year."""
        self.table.mark_cost_lines(self.offer, basis, year)
        sums = {g: sums.get(g, D0) for g in COST_GROUPS}
        if basis != "out_year" and year == self.Y and self.offer in self.opts.carried:  # a result close-year carries into the year
            sums["carried_result"] += self.opts.carried[self.offer]
        sums["carried_result"] += carried_in  # an out-year's carry under the rules
        variable_salary = sums["variable_staff"]
        cost_basis = sum((v for g, v in sums.items() if g != "carried_result"), D0)
        tb = cost_basis + sums["carried_result"]
        self.table.add_money(
            self.offer,
            year,
            basis,
            (
                ("variable_salary", variable_salary),
                ("variable_costs", variable_salary + sums["variable_other"]),
                ("fixed_costs_offer", sums["fixed_offer"]),
                ("fixed_costs_central", sums["fixed_central"]),
                ("other_income", sums["other_income"]),
                ("cost_basis", cost_basis),
                ("result_two_years_earlier", sums["carried_result"]),
                ("tariff_basis", tb),
            ),
        )
        return {"cost_basis": cost_basis, "tariff_basis": tb, "variable_salary": variable_salary}

    def income_lines(self, basis, year, h, supp):
        add, tariff = self.add, self.tariff
        inc = place_income(h, supp, tariff, self.pwh, what=f"offer {self.offer}, {self.Y}", file=self.files.get("haap", "haap"))
        for (lv, o), v in sorted(h.items()):
            add(year, basis, f"haap_level_{lv}_{o}", v, label=f"HÅP funktionsniveau {lv}: {'egne' if o == 'own' else 'andre kommuner'}", unit="HÅP")
        for lv in sorted(tariff):  # every level's tariff, also a level nobody is on (a structure of ten packages)
            add(year, basis, f"tariff_level_{lv}", tariff[lv], label=f"Takst funktionsniveau {lv} (kr. pr. år)", unit="DKK/year")
        # income from own citizens and from other municipalities, apart (their sum is the places' income)
        add(year, basis, "income_places_other", inc.places_other)
        add(year, basis, "income_places_own", inc.places - inc.places_other)
        add(year, basis, "haap_own", inc.haap_own)
        add(year, basis, "haap_other", inc.haap_other)
        add(year, basis, "haap_total", inc.haap)
        add(year, basis, "income_places", inc.places)
        add(year, basis, "income_supplements", inc.supplements)
        add(year, basis, "income", inc.income)
        return inc

    def place_lines(self, basis, year, tb, result, haap) -> None:
        places, portal, days = self.info.get("places"), self.info.get("portal_places"), self.opts.days_per_year
        if not places:
            return
        p = Decimal(places)
        lines = [("places", p)]
        if portal is not None:
            lines.append(("portal_places", Decimal(portal)))
        if haap is not None:
            lines.append(("occupancy_pct", haap / p * 100))
        lines += (("place_price_year", kr(tb / p)), ("place_price_day", kr(tb / p / days)))
        if result is not None:
            lines += (("place_price_year_incl_result", kr((tb - result) / p)), ("place_price_day_incl_result", kr((tb - result) / p / days)))
        self.table.add_money(self.offer, year, basis, lines)

    def change_from_last_year(self) -> None:
        if self.inputs.previous is None:
            return
        yoy = year_on_year(self.inputs.previous, self.offer, self.Y, self.blocks)
        if yoy is None:
            self.warnings.append(f"offer {self.offer}: no cost basis and HÅP for {self.Y - 1} in the previous budget, so no volume and price split")
            return
        key, values = yoy
        for line, v in values.items():
            self.add(self.Y, key, line, v)

    # --- staff, ATA and the calculators ---

    @property
    def staff_basis(self) -> tuple[str, int]:
        """The column staff and ATA lines belong to: the tariff budget, else the first column."""
        key = ("tariff_budget", self.Y)
        return key if key in self.blocks else next(iter(self.blocks))

    def staff_lines(self) -> None:
        sb, sy = self.staff_basis
        s = self.inputs.staff.rows(self.offer) if self.inputs.staff is not None else []
        if not s:
            return
        add, price_of = self.add, self.price_of
        total_fte, ata_fte, weighted = D0, D0, D0
        for r in sorted(s, key=lambda r: r["category"]):
            f, cpf = dec(r["fte"]), dec(r["cost_per_fte"])
            price_of[r["category"]] = cpf
            cat = CATEGORY_LABELS.get(r["category"], r["category"])
            add(sy, sb, f"fte_{r['category']}", f, label=f"Årsværk, {cat}", unit="FTE")
            add(sy, sb, f"cost_per_fte_{r['category']}", cpf, label=f"ÅV-pris, {cat}", unit="DKK/FTE")
            total_fte += f
            weighted += f * cpf
            if r["gives_ata"]:
                ata_fte += f
        add(sy, sb, "fte_total", total_fte)
        add(sy, sb, "ata_fte", ata_fte)
        add(sy, sb, "cost_per_fte_mean", kr(sum(price_of.values(), D0) / len(price_of)))
        if total_fte:
            add(sy, sb, "cost_per_fte_weighted", kr(weighted / total_fte))

    def ata_lines(self) -> None:
        ins, add, weeks = self.inputs, self.add, self.opts.weeks_per_year
        sb, sy = self.staff_basis
        a = None if ins.ata is None else ins.ata.get(self.offer)
        if a is not None:
            ata_hours = dec(a["ata_hours"])
            add(sy, sb, "ata_hours_staff", ata_hours)
            if ata_hours:
                add(sy, sb, "cost_per_ata_hour", kr(self.blocks[self.staff_basis]["cost_basis"] / ata_hours))
        sched = None if ins.placed is None else ins.placed.get(self.offer)
        if sched:
            # the citizens' own weekly ATA hours from their 24-hour schedules (reassign), not band midpoints
            # on the measure of the ATA prices (staff time unless price-ata was run with --measure
            # citizen), so the staff's hours and the hours placed compare like with like
            column = ins.placed_column
            citizens, weekly = sched
            word = {"staff_hours_ata": "personaletid", "citizen_hours_ata": "borgertid"}.get(column, "timer som indplaceret")
            add(sy, sb, "ata_hours_placed", weekly * weeks)
            add(sy, sb, "ata_hours_placed_source", None, text=f"døgnskemaer: {citizens} borgeres ATA-timer pr. uge ({word}) × {weeks}")
        elif ins.expected is not None or ins.forecast is not None:
            src = ins.expected if sb == "tariff_budget" and ins.expected is not None else ins.forecast
            h, supp = _haap_by_level(src, self.offer)
            weekly_placed = sum((v * self.hours.get(lv, D0) for (lv, _), v in h.items()), D0) + supp
            add(sy, sb, "ata_hours_placed", weekly_placed * weeks)
            add(sy, sb, "ata_hours_placed_source", None, text=f"niveauernes repræsentative timer × HÅP × {weeks} (ingen døgnskemaer)")

    def calculators(self, fc: dict) -> None:
        """The forecast's deficit, the FTE cut that closes it (rounded up to a tenth) and the frame cut."""
        add, Y, opts = self.add, self.Y, self.opts
        # a result within ±1 kr per HÅP is the tariffs' whole-krone rounding, not a deficit to close
        haap_fc = fc.get("haap") or D0
        deficit = -fc["result"] if -fc["result"] > max(haap_fc, Decimal(1)) else D0
        add(Y, "forecast", "deficit", deficit)
        cut_price = self.price_of.get(opts.cut_category)
        if cut_price:
            cut = (deficit / cut_price).quantize(Decimal("0.1"), rounding=ROUND_CEILING)
            category = CATEGORY_LABELS.get(opts.cut_category, opts.cut_category)
            add(Y, "forecast", "cut_fte", cut, label=f"Reduktion i årsværk ({category}) for at lukke merforbruget")
            add(Y, "forecast", "cut_amount", kr(cut * cut_price))
        elif deficit:
            self.warnings.append(f"offer {self.offer}: no staff in category {opts.cut_category} for {Y}, so the cut calculator is left out")
        amount = kr(opts.frame_cut * fc["cost_basis"])
        add(Y, "forecast", "frame_cut_share", opts.frame_cut * 100)
        add(Y, "forecast", "frame_cut_amount", amount)
        if fc["variable_salary"]:
            add(Y, "forecast", "frame_cut_pct_of_variable_salary", amount / fc["variable_salary"] * 100)

    # --- the out-years ---

    def out_years(self) -> None:
        """Each out-year from the forecast (else the tariff budget): costs × the PL factor so far,
        income held (or indexed), and the rules' carry of an earlier year's result."""
        Y, opts, add, blocks = self.Y, self.opts, self.add, self.blocks
        base_key = ("forecast", Y) if ("forecast", Y) in blocks else ("tariff_budget", Y) if ("tariff_budget", Y) in blocks else None
        if base_key is None or not opts.out_years:
            return
        base = blocks[base_key]
        held_income = base.get("income")
        factor = Decimal(1)
        # results by year, for the rules' carry into the out-years: the base year's, then each out-year's
        past = {Y: base} if "result" in base else {}
        for k in range(1, opts.out_years + 1):
            yk = Y + k
            factor *= 1 + opts.pl_rates[yk]
            add(yk, "out_year", "pl_rate", opts.pl_rates[yk] * 100)
            carried_k = D0
            if opts.rules is not None:  # the result of year yk − offset enters yk's tariff basis
                src = yk - opts.rules.year_offset
                if src in past:
                    carried_k = split(past[src]["result"], past[src]["cost_basis"], past[src]["tariff_basis"], opts.rules).carried
                elif src < Y:
                    carried_k = opts.carried_later.get((self.offer, yk), D0)  # a closed year's carry from the results table
            blk = self.cost_block("out_year", yk, self.inputs.out_year_sums.get((self.offer, yk), {}), carried_in=carried_k)
            if held_income is None:
                self.place_lines("out_year", yk, blk["tariff_basis"], None, None)
                continue
            # indexed: the tariffs follow PL, without the one-off result of two years earlier they carried,
            # and with the out-year's own carry (tariffs are set to cover their basis)
            carried_base = base["tariff_basis"] - base["cost_basis"]
            income_k = kr((held_income - carried_base) * factor) + carried_k if opts.index_income else held_income
            add(yk, "out_year", "income", income_k)
            result = income_k - blk["tariff_basis"]
            add(yk, "out_year", "expected_result", result)
            self.place_lines("out_year", yk, blk["tariff_basis"], result, base.get("haap"))
            past[yk] = {**blk, "result": result}
