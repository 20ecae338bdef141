"""Tariff structure and budget-neutral tariffs (*takster*) per function level.

tariff basis (*takstberegningsgrundlag*) = the year's cost basis + carried result (the result
of two years earlier: a deficit raises it, a surplus lowers it). With a carry cap c, a result
within ±c × the year's cost basis stays with the offer and is not carried.

Split of the basis: the ATA part A = costs that follow face-to-face time (``follows_ata``);
the fixed part F = everything else plus the carried result.

With expected HÅP n_l per level, representative weekly hours h_l and 5+ supplement hours S
(weekly hours above the top band, summed over the expected citizens):

    price per weekly hour p = A / (Σ n_l h_l + S)     (kr a year for one weekly ATA hour)
    fixed part per place  f = F / Σ n_l
    tariff_l = f + p × h_l;   5+ supplements = p × S

so Σ n_l × tariff_l + supplements = F + A = tariff basis. Tariffs are rounded to whole
kroner; the residue (basis − expected income at rounded tariffs) is reported and is below
1 kr per expected citizen.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import polars as pl
from polars._typing import PolarsDataType

from tariffkit.errors import DataError

TOP_LEVEL_RULES = ("supplement", "supplement_above_representative", "none")
# Settings a structure file once took and nothing read: refused with the reason, so a file does
# not look as if it controlled something it does not (issue 21).
NOT_READ = {
    "year": "a structure serves any year (the tariffs' year is tariff-build's --year)",
    "weeks_per_year": "the tariffs are per year of weekly hours; the budget model's ATA hours use 52 weeks (budget-forecast)",
    "fixed_groups": "the fixed part is every cost line that does not follow ATA time (the costs' follows_ata column)",
}
# Two measures of a schedule's time (issue 24): ``citizen`` time is what the citizen receives,
# every line in full (minutes × times a week), time shared with others included, as BDO prints it
# ("Tid pr. dag"); ``staff`` time is what the offer must staff (minutes × times a week × staff ÷
# citizens sharing). ``level_measure`` says which one the bands (and so the tariffs' hours) are in.
LEVEL_MEASURES = ("staff", "citizen")


@dataclass(frozen=True)
class Level:
    level: int
    min_hours: float
    max_hours: float
    hours: float | None = None  # configured representative hours


@dataclass(frozen=True)
class Structure:
    levels: tuple[Level, ...]
    name: str = ""
    scope: str = "per_offer"  # per_offer | common
    days_per_year: int = 365
    representative_hours: str = "midpoint"  # midpoint | configured | mean_of_placed
    ata_paragraphs: tuple[str, ...] = ("SEL 85", "SEL 107", "SEL 108")
    top_level_rule: str = "supplement"
    shared_citizens: int = 3  # a schedule's "1:Flere" (several, no number): this many citizens share the staff
    level_measure: str = "staff"  # staff | citizen: the measure of time the bands are in (see LEVEL_MEASURES)
    minimum_hours: float | None = None  # weekly hours below which a citizen cannot be enrolled (flag below_minimum)
    minimum_hours_per_offer: dict[str, float] = field(default_factory=dict)  # [minimum_hours] per offer
    activity_categories: dict[str, tuple[str, ...]] = field(default_factory=dict)  # category → keywords in the description
    service_level_band: float = 0.5  # an offer's minutes more than this share from the median are flagged

    def hours(self, lv: Level) -> float:
        if self.representative_hours == "configured":
            if lv.hours is None:  # (the structure's check requires them)
                raise ValueError(f"level {lv.level} has no configured hours")
            return float(lv.hours)
        return (lv.min_hours + lv.max_hours) / 2

    def supplement_from(self, hours_of_top: float | None = None) -> float | None:
        """Weekly hours above which a top-level citizen's hours are paid as the 5+ supplement
        (``top_level_rule``): ``supplement`` — above the top band's upper bound (BDO's
        reference and the behaviour before rules files); ``supplement_above_representative`` —
        above the hours the top level's tariff is priced at, so a top-level citizen pays f + p ×
        max(hours, representative hours) and no hour above the priced ones goes unpaid; ``none``
        — no supplement (the top level is flat). ``hours_of_top``: the top level's
        representative hours when they are not the structure's own (mean_of_placed)."""
        top = self.levels[-1]
        if self.top_level_rule == "none":
            return None
        if self.top_level_rule == "supplement_above_representative":
            return float(hours_of_top) if hours_of_top is not None else self.hours(top)
        return top.max_hours

    def level_of(self, hours: float) -> tuple[int, bool]:
        """Band holding ``hours`` (lower bound inclusive, upper exclusive); above the top band:
        (top level, True) — the 5+ flag."""
        for lv in self.levels:
            if lv.min_hours <= hours < lv.max_hours:
                return lv.level, False
        if hours >= self.levels[-1].max_hours:
            return self.levels[-1].level, True
        return self.levels[0].level, False


def parse_structure(d: dict, file: str = "structure") -> Structure:
    """Structure TOML → :class:`Structure`, with clear errors for bad bands."""
    from tariffkit.settings_checks import check_keys, number

    known = {
        "name",
        "scope",
        "days_per_year",
        "representative_hours",
        "ata_paragraphs",
        "top_level_rule",
        "levels",
        "shared_citizens",
        "level_measure",
        "minimum_hours",
        "activity_categories",
        "service_level_band",
    }
    for k in d:
        if k in NOT_READ:
            raise DataError(f"{k} is not a setting: {NOT_READ[k]}; remove it from the structure", file=file, column=k)
    check_keys(d, known, file)
    raw = d.get("levels")
    if not raw or not isinstance(raw, list):
        raise DataError("no [[levels]] given; define each level with level, min_hours, max_hours", file=file)
    levels = []
    for i, lv in enumerate(raw, start=1):
        if not isinstance(lv, dict):
            raise DataError(f"[[levels]] number {i} must be a table (level, min_hours, max_hours)", file=file, column="levels")
        where = f"levels[{i}]."
        for k in ("level", "min_hours", "max_hours"):
            if k not in lv:
                raise DataError(f"[[levels]] number {i} has no {k}", file=file, column=where + k)
        hours = lv.get("hours")
        levels.append(
            Level(
                number(lv["level"], file, where + "level", 1, 50, integer=True),
                float(number(lv["min_hours"], file, where + "min_hours", 0, 168)),
                float(number(lv["max_hours"], file, where + "max_hours", 0, 168)),
                None if hours is None else float(number(hours, file, where + "hours", 0, 168)),
            )
        )
    at = {lv.level: f"levels[{i}]." for i, lv in enumerate(levels, start=1)}  # each level's place in the file, for the messages
    levels.sort(key=lambda x: x.level)
    if [lv.level for lv in levels] != list(range(1, len(levels) + 1)):
        raise DataError(f"levels must be numbered 1…{len(levels)} without gaps, found {[lv.level for lv in levels]}", file=file, column="levels")
    for a in levels:
        if a.max_hours <= a.min_hours:
            raise DataError(
                f"level {a.level}: the band {a.min_hours:g}–{a.max_hours:g} hours is empty or reversed", file=file, column=at[a.level] + "max_hours"
            )
    for a, b in zip(levels, levels[1:]):
        if b.min_hours < a.max_hours:
            raise DataError(
                f"levels {a.level} and {b.level} overlap: {a.level} ends at {a.max_hours:g}, {b.level} starts at {b.min_hours:g} hours",
                file=file,
                column=at[b.level] + "min_hours",
            )
        if b.min_hours > a.max_hours:
            raise DataError(
                f"gap between levels {a.level} and {b.level}: {a.max_hours:g}–{b.min_hours:g} hours belong to no level",
                file=file,
                column=at[b.level] + "min_hours",
            )
    rep = d.get("representative_hours", "midpoint")
    if rep not in ("midpoint", "configured", "mean_of_placed"):
        raise DataError(f"representative_hours must be midpoint, configured or mean_of_placed, found {rep!r}", file=file, column="representative_hours")
    if rep == "mean_of_placed" and d.get("top_level_rule") == "supplement_above_representative":
        raise DataError(
            'top_level_rule = "supplement_above_representative" needs fixed representative hours (midpoint or configured): '
            "the supplement must start where the top level's price stops, for every offer alike",
            file=file,
            column="top_level_rule",
        )
    if rep == "configured":
        for lv in levels:
            if lv.hours is None:
                raise DataError(f"representative_hours = configured but level {lv.level} has no hours", file=file, column=at[lv.level] + "hours")
    rule = d.get("top_level_rule", "supplement")
    if rule not in TOP_LEVEL_RULES:
        raise DataError(f"top_level_rule must be one of {', '.join(TOP_LEVEL_RULES)}, found {rule!r}", file=file, column="top_level_rule")
    scope = d.get("scope", "per_offer")
    if scope not in ("per_offer", "common"):
        raise DataError(f"scope must be per_offer or common, found {scope!r}", file=file, column="scope")
    measure = d.get("level_measure", "staff")
    if measure not in LEVEL_MEASURES:
        raise DataError(f"level_measure must be staff or citizen, found {measure!r}", file=file, column="level_measure")
    minimum, per_offer = _minimum_hours(d.get("minimum_hours"), file, number)
    return Structure(
        tuple(levels),
        name=str(d.get("name", "")),
        scope=scope,
        days_per_year=number(d.get("days_per_year", 365), file, "days_per_year", 360, 366, integer=True),
        representative_hours=rep,
        ata_paragraphs=tuple(d.get("ata_paragraphs", ("SEL 85", "SEL 107", "SEL 108"))),
        top_level_rule=rule,
        shared_citizens=_shared(d.get("shared_citizens", 3), file),
        level_measure=measure,
        minimum_hours=minimum,
        minimum_hours_per_offer=per_offer,
        activity_categories=_categories(d.get("activity_categories", {}), file),
        service_level_band=float(number(d.get("service_level_band", 0.5), file, "service_level_band", 0.01, 10)),
    )


def _minimum_hours(v, file: str, number) -> tuple[float | None, dict[str, float]]:
    """``minimum_hours = 9`` (every offer) or a table ``[minimum_hours]`` with ``default`` and
    one entry per offer (``T101 = 9``)."""
    if v is None:
        return None, {}
    if isinstance(v, dict):
        default = v.get("default")
        return (
            None if default is None else float(number(default, file, "minimum_hours.default", 0, 168)),
            {str(k): float(number(x, file, f"minimum_hours.{k}", 0, 168)) for k, x in v.items() if k != "default"},
        )
    return float(number(v, file, "minimum_hours", 0, 168)), {}


def _categories(v, file: str) -> dict[str, tuple[str, ...]]:
    """``[activity_categories]``: category = ["keyword", …] (matched in the line's description,
    case-insensitive; the first category in the file that matches wins)."""
    if not isinstance(v, dict):
        raise DataError("activity_categories must be a table of category = [keywords]", file=file, column="activity_categories")
    out = {}
    for k, words in v.items():
        if isinstance(words, str):
            words = [words]
        if not isinstance(words, list) or not words or not all(isinstance(w, str) and w.strip() for w in words):
            raise DataError(f"activity_categories.{k} must be a list of keywords (text)", file=file, column=f"activity_categories.{k}")
        out[str(k)] = tuple(w.strip().lower() for w in words)
    return out


def _shared(v, file: str) -> int:
    if isinstance(v, bool) or not isinstance(v, int) or v < 2:
        raise DataError(
            f"shared_citizens must be a whole number of citizens of at least 2 (how many share the staff in 1:Flere), found {v!r}",
            file=file,
            column="shared_citizens",
        )
    return v


def placed_hours(reassignments: pl.DataFrame, structure: Structure) -> pl.DataFrame:
    """Mean weekly ATA hours of the citizens placed on each level (``mean_of_placed``), per
    offer and for all offers together (offer_id ``*``), from reassign's output.

    A citizen counts on the level their schedule gives (``new_level``) with ``hours_counted``;
    above the top band only the band's upper bound counts, since the hours above it are paid
    as the 5+ supplement. Columns: offer_id, level, hours, citizens."""
    top = structure.levels[-1].max_hours
    r = reassignments.filter(pl.col("new_level").is_not_null() & pl.col("hours_counted").is_not_null()).select(
        "offer_id", pl.col("new_level").cast(pl.Int16).alias("level"), pl.col("hours_counted").clip(upper_bound=top).alias("h")
    )
    agg = [pl.col("h").mean().round(4).alias("hours"), pl.len().cast(pl.Int64).alias("citizens")]
    per_offer = r.group_by("offer_id", "level").agg(agg)
    common = r.group_by("level").agg(agg).with_columns(offer_id=pl.lit("*")).select(per_offer.columns)
    return pl.concat([per_offer, common]).sort("offer_id", "level")


def representative_hours(structure: Structure, offer_id: str, placed: pl.DataFrame | None) -> tuple[dict[int, float], list[str]]:
    """Representative hours per level for one offer (or ``*``), and warnings for levels that
    fall back to the band midpoint because nobody is placed there."""
    if structure.representative_hours != "mean_of_placed":
        return {lv.level: structure.hours(lv) for lv in structure.levels}, []
    got = {}
    if placed is not None:
        got = dict(placed.filter(pl.col("offer_id") == offer_id).select("level", "hours").iter_rows())
    out, warnings = {}, []
    for lv in structure.levels:
        if lv.level in got:
            out[lv.level] = float(got[lv.level])
        else:
            out[lv.level] = (lv.min_hours + lv.max_hours) / 2
            warnings.append(f"offer {offer_id}: nobody placed on level {lv.level}; its representative hours are the band midpoint ({out[lv.level]:g})")
    return out, warnings


@dataclass
class OfferTariffs:
    offer_id: str
    year: int
    cost_basis: Decimal
    carried_result: Decimal
    carried_kept: Decimal  # within the cap: stays with the offer
    tariff_basis: Decimal
    fixed_costs: Decimal
    ata_costs: Decimal
    expected_haap: float
    supplement_hours: float
    price_per_weekly_hour: Decimal
    supplements: Decimal
    expected_income: Decimal
    residue: Decimal
    rows: list[dict] = field(default_factory=list)
    overhead: Decimal = Decimal(0)  # central overhead in the cost basis (the offer's own lines, or the rules' percentage)
    warnings: list[str] = field(default_factory=list)


from tariffkit.money import kr, ore, round_to  # noqa: E402,F401  (one home for money; re-exported)


def build_offer(
    offer_id: str,
    year: int,
    structure: Structure,
    costs: pl.DataFrame,
    expected: pl.DataFrame,
    *,
    carry_cap: float | None = None,
    file_costs: str = "costs",
    file_haap: str = "haap",
    placed: pl.DataFrame | None = None,
    carried_in: Decimal = Decimal(0),
    settings=None,
    places: int | None = None,
) -> OfferTariffs:
    """Tariffs for one offer (or the common structure, offer_id ``*``) from its cost lines
    (one basis, one year) and expected HÅP per level; ``carried_in``: a result carried into
    the year by the results table (close-year), added to the costs' carried result."""
    # the offer's cost lines as plain values, summed in Python (no polars query per offer); a
    # line without a group counts in none of the sums, as a filter on the group would have it
    lines = [(g, Decimal(str(a)), bool(f)) for g, a, f in zip(costs["group"].to_list(), costs["amount"].to_list(), costs["follows_ata"].to_list())]
    year_cost = sum((a for g, a, _ in lines if g is not None and g != "carried_result"), Decimal(0))
    carried = sum((a for g, a, _ in lines if g == "carried_result"), Decimal(0)) + carried_in
    kept = Decimal(0)
    if carry_cap is not None and abs(carried) <= Decimal(str(carry_cap)) * abs(year_cost):
        kept, carried = carried, Decimal(0)
    ata_costs = sum((a for g, a, f in lines if f and g is not None and g != "carried_result"), Decimal(0))
    rounding = Decimal(1) if settings is None else settings.rounding
    overhead = sum((a for g, a, _ in lines if g == "fixed_central"), Decimal(0))
    if settings is not None and settings.overhead == "percentage":
        # central overhead as a percentage of the direct costs, instead of the offer's own central cost lines
        direct = year_cost - overhead
        overhead = ore(settings.overhead_rate * direct)
        year_cost = direct + overhead
    fixed = year_cost - ata_costs + carried
    basis = year_cost + carried
    n = {lv.level: 0.0 for lv in structure.levels}
    for r in expected.iter_rows(named=True):
        if r["level"] not in n:
            raise DataError(f"expected HÅP for level {r['level']}, which the structure does not have (levels 1–{len(n)})", file=file_haap, column="level")
        n[r["level"]] += float(r["haap"])
    supp_hours = float(expected["supplement_hours"].fill_null(0).sum()) if "supplement_hours" in expected.columns else 0.0
    warnings_in = []
    if structure.top_level_rule == "none" and supp_hours:
        warnings_in.append(
            f"offer {offer_id}: the structure has no 5+ supplement (top_level_rule = none); {supp_hours:g} supplement hours in the expected HÅP are not priced"
        )
        supp_hours = 0.0
    if settings is not None and settings.occupancy == "rate":
        if not places:
            raise DataError(f"offer {offer_id}: the rules assume an occupancy rate, which needs the offer's places (`offers`)", file="offers", column="places")
        given = sum(n.values())
        if given <= 0:
            raise DataError(f"offer {offer_id}: no expected citizens to give the levels' mix for the assumed occupancy", file=file_haap, column="haap")
        scale = float(settings.occupancy_rate) * places / given  # the expected mix of levels, at the assumed occupancy
        n = {lv: v * scale for lv, v in n.items()}
        supp_hours *= scale
    total_n = sum(n.values())
    if total_n <= 0:
        raise DataError(f"offer {offer_id}: no expected citizens (HÅP is 0), so no tariff can carry its basis", file=file_haap, column="haap")
    if fixed < 0:
        raise DataError(
            f"offer {offer_id}: the fixed part is negative ({fixed} kr): other income or a surplus exceeds the fixed costs", file=file_costs, column="amount"
        )
    hours, hour_warnings = representative_hours(structure, offer_id, placed)
    weighted = sum(n[lvl] * hours[lvl] for lvl in n) + supp_hours
    if weighted <= 0 and ata_costs != 0:
        raise DataError(f"offer {offer_id}: ATA costs but no expected ATA hours", file=file_haap, column="haap")
    p = (ata_costs / Decimal(str(weighted))) if weighted > 0 else Decimal(0)
    f = fixed / Decimal(str(total_n))
    out = OfferTariffs(offer_id, year, year_cost, carried, kept, basis, fixed, ata_costs, total_n, supp_hours, ore(p), Decimal(0), Decimal(0), Decimal(0))
    out.overhead = overhead
    out.warnings.extend(warnings_in + hour_warnings)
    prev = None
    for lv in structure.levels:
        exact = f + p * Decimal(str(hours[lv.level]))
        annual = round_to(exact, rounding)
        if prev is not None and annual <= prev:
            why = (
                "no cost line follows ATA time (follows_ata), so every level's tariff is the fixed part alone; tariffs by level need the costs of the face-to-face time"
                if ata_costs == 0
                else "check the representative hours"
            )
            raise DataError(
                f"offer {offer_id}: tariffs do not increase by level (level {lv.level}: {annual} kr ≤ level {lv.level - 1}: {prev} kr); {why}",
                file=file_costs,
            )
        prev = annual
        if n[lv.level] == 0:
            out.warnings.append(f"offer {offer_id}: no expected citizens on level {lv.level} (every level should be used)")
        top = lv.level == structure.levels[-1].level
        out.rows.append(
            {
                "offer_id": offer_id,
                "year": year,
                "tariff_kind": "level",
                "level": lv.level,
                "min_hours": lv.min_hours,
                "max_hours": None if top else lv.max_hours,
                "hours": hours[lv.level],
                "annual_tariff": annual,
                "monthly_tariff": ore(annual / 12),
                "daily_tariff": ore(annual / structure.days_per_year),
                "fixed_part": kr(f),
                "ata_part": annual - kr(f),
                "price_per_weekly_hour": ore(p),
            }
        )
    supplements = kr(p * Decimal(str(supp_hours)))
    income = sum((Decimal(str(n[r["level"]])) * r["annual_tariff"] for r in out.rows), Decimal(0)) + supplements
    out.supplements = supplements
    out.expected_income = ore(income)
    out.residue = ore(basis - income)
    if abs(out.residue) >= rounding * Decimal(str(max(total_n, 1))):  # pragma: no cover - guards the arithmetic
        raise DataError(f"offer {offer_id}: rounding residue {out.residue} kr is not below the rounding per expected citizen", file=file_costs)
    avg = kr(basis / Decimal(str(total_n)))
    out.rows.append(
        {
            "offer_id": offer_id,
            "year": year,
            "tariff_kind": "average",
            "level": None,
            "min_hours": structure.levels[0].min_hours,
            "max_hours": None,
            "hours": round((weighted) / total_n, 4),
            "annual_tariff": avg,
            "monthly_tariff": ore(avg / 12),
            "daily_tariff": ore(avg / structure.days_per_year),
            "fixed_part": kr(f),
            "ata_part": avg - kr(f),
            "price_per_weekly_hour": ore(p),
        }
    )
    return out


def build(
    structure: Structure,
    costs: pl.DataFrame,
    expected: pl.DataFrame,
    year: int,
    *,
    basis: str = "tariff_budget",
    carry_cap: float | None = None,
    file_costs: str = "costs",
    file_haap: str = "haap",
    placed: pl.DataFrame | None = None,
    results: pl.DataFrame | None = None,
    file_results: str = "results",
    rules=None,
    places: dict[str, int] | None = None,
) -> tuple[pl.DataFrame, list[OfferTariffs]]:
    """The ``tariffs`` table for every offer with expected HÅP (or one common set).

    ``placed`` (from :func:`placed_hours`) is needed when the structure's representative hours
    are ``mean_of_placed``. ``results`` (close-year's table): the results it carries into
    ``year`` enter the tariff basis; an offer with a typed-in carried result for the year too
    is refused (the same result would count twice)."""
    from tariffkit.close import carried_into, check_no_double_carry

    check_no_double_carry(costs, results, year, basis, file_costs, file_results)
    carry = carried_into(results, year)
    settings = None if rules is None else rules.tariffs
    places = places or {}
    from tariffkit.contracts import TARIFFS

    if structure.representative_hours == "mean_of_placed" and placed is None:
        from tariffkit.errors import UsageError

        raise UsageError("representative_hours = \"mean_of_placed\" needs the placed citizens' hours: give `placed_hours` (reassign's output)")

    c = costs.filter((pl.col("year") == year) & (pl.col("basis") == basis))
    if c.height == 0:
        raise DataError(f"no cost lines for year {year} with basis {basis}", file=file_costs, column="year")
    out = []
    if structure.scope == "common":
        out.append(
            build_offer(
                "*",
                year,
                structure,
                c,
                expected,
                carry_cap=carry_cap,
                file_costs=file_costs,
                file_haap=file_haap,
                placed=placed,
                carried_in=sum(carry.values(), Decimal(0)),
                settings=settings,
                places=sum(places.values()) or None,
            )
        )
    else:
        offers = sorted(set(c["offer_id"].to_list()))
        skipped = sorted(set(expected["offer_id"].to_list()) - set(offers))
        # split by offer once (not a filter of the whole table for each of 1,667 offers)
        c_of = {k[0]: v for k, v in c.partition_by("offer_id", as_dict=True, maintain_order=True).items()}
        e_of = {k[0]: v for k, v in expected.partition_by("offer_id", as_dict=True, maintain_order=True).items()} if expected.height else {}
        for o in offers:
            e = e_of.get(o, expected.clear())
            out.append(
                build_offer(
                    o,
                    year,
                    structure,
                    c_of[o],
                    e,
                    carry_cap=carry_cap,
                    file_costs=file_costs,
                    file_haap=file_haap,
                    placed=placed,
                    carried_in=carry.get(o, Decimal(0)),
                    settings=settings,
                    places=places.get(o),
                )
            )
        if skipped and out:
            out[0].warnings.append(
                f"expected HÅP for {len(skipped)} offer(s) without cost lines for {year} ({basis}) ignored: {', '.join(skipped)} (external providers have no tariff to set here)"
            )
    rows = [r for res in out for r in res.rows]
    df = pl.DataFrame(rows, schema=TARIFFS.schema)
    return df, out


def card_toml(
    results: list[OfferTariffs],
    structure: Structure,
    ata_prices: pl.DataFrame | None = None,
    offers: pl.DataFrame | None = None,
    rules=None,
    inputs: list[tuple[str, str]] | None = None,
) -> str:
    """A human-readable card per offer: tariffs, expected HÅP and the basis; with ``offers``
    also the places and the assumed occupancy (*forudsat belægning*) = expected HÅP / places.
    The audit trail (Serviceloven § 108 b: a tariff can be shown to a reviewer): the rules file
    it was set under (name, version, source) and every input's SHA-256."""
    import tomli_w

    doc: dict = {
        "structure": structure.name or "tariff structure",
        "representative_hours": structure.representative_hours,
        "top_level_rule": structure.top_level_rule,
    }
    if rules is not None:
        t = rules.tariffs
        doc["rules"] = {
            "name": rules.name,
            "version": rules.version,
            "source": rules.source,
            "draft": rules.draft,
            "rounding": str(t.rounding),
            "overhead": t.overhead + (f" {t.overhead_rate}" if t.overhead == "percentage" else ""),
            "occupancy": t.occupancy + (f" {t.occupancy_rate}" if t.occupancy == "rate" else ""),
        }
    if inputs:
        doc["inputs"] = {label: digest for label, digest in inputs}
    doc["offers"] = {}
    places = {}
    if offers is not None:
        places = {o: p for o, p in offers.select("offer_id", "places").iter_rows() if p}
    for r in results:
        occupancy = {}
        n_places = places.get(r.offer_id) if r.offer_id != "*" else (sum(places.values()) or None)
        if n_places:
            occupancy = {"places": int(n_places), "assumed_occupancy": round(r.expected_haap / n_places, 4)}
        entry = {
            "year": r.year,
            **occupancy,
            "cost_basis": str(r.cost_basis),
            "central_overhead": str(r.overhead),
            "carried_result": str(r.carried_result),
            "carried_result_kept_by_offer": str(r.carried_kept),
            "tariff_basis": str(r.tariff_basis),
            "expected_haap": round(r.expected_haap, 4),
            "supplement_hours": round(r.supplement_hours, 4),
            "expected_income": str(r.expected_income),
            "rounding_residue": str(r.residue),
            "price_per_weekly_hour": str(r.price_per_weekly_hour),
            "tariffs": {
                str(x["level"]): {"annual": str(x["annual_tariff"]), "daily": str(x["daily_tariff"]), "hours": x["hours"]}
                for x in r.rows
                if x["tariff_kind"] == "level"
            },
            "average_tariff": str(next(x["annual_tariff"] for x in r.rows if x["tariff_kind"] == "average")),
        }
        if ata_prices is not None:
            a = ata_prices.filter((pl.col("offer_id") == r.offer_id) & (pl.col("year") == r.year))
            if a.height:
                entry["price_per_ata_hour"] = str(a["price_per_ata_hour"][0])
        doc["offers"][r.offer_id] = entry
    return "# Tariff card per offer (tariffkit tariff-build --card): the figures for the offer portal.\n" + tomli_w.dumps(doc)


PORTAL_COLUMNS = (
    "Tilbudsnr.",
    "Tilbudsnavn",
    "År",
    "Funktionsniveau",
    "Takst pr. år",
    "Takst pr. døgn",
    "Forudsat belægningsprocent",
    "Antal pladser jf. Tilbudsportalen",
)


def portal_table(tariffs: pl.DataFrame, results: list[OfferTariffs], offers: pl.DataFrame) -> pl.DataFrame:
    """The figures an offer reports to Tilbudsportalen per level: the tariff per year and per
    day, the assumed occupancy rate (*forudsat belægningsprocent*: expected HÅP / places × 100,
    two decimals) the tariff was computed on, and the places (the portal's own count when the
    offers table has it, else the places). Danish headers in the order of PORTAL_COLUMNS."""
    info = {r["offer_id"]: r for r in offers.iter_rows(named=True)}
    occ = {}
    for r in results:
        o = info.get(r.offer_id, {})
        places = o.get("portal_places") or o.get("places")
        occ[r.offer_id] = (None if not places else round(100 * r.expected_haap / places, 2), places)
    rows = []
    for t in tariffs.filter(pl.col("tariff_kind") == "level").sort("offer_id", "level").iter_rows(named=True):
        rate, places = occ.get(t["offer_id"], (None, None))
        rows.append(
            {
                "Tilbudsnr.": t["offer_id"],
                "Tilbudsnavn": (info.get(t["offer_id"]) or {}).get("offer_name"),
                "År": t["year"],
                "Funktionsniveau": t["level"],
                "Takst pr. år": t["annual_tariff"],
                "Takst pr. døgn": t["daily_tariff"],
                "Forudsat belægningsprocent": rate,
                "Antal pladser jf. Tilbudsportalen": places,
            }
        )
    schema: dict[str, PolarsDataType] = {
        "Tilbudsnr.": pl.String,
        "Tilbudsnavn": pl.String,
        "År": pl.Int32,
        "Funktionsniveau": pl.Int16,
        "Takst pr. år": pl.Decimal(18, 2),
        "Takst pr. døgn": pl.Decimal(18, 2),
        "Forudsat belægningsprocent": pl.Float64,
        "Antal pladser jf. Tilbudsportalen": pl.Int64,
    }
    return pl.DataFrame(rows, schema=schema, orient="row").select(PORTAL_COLUMNS)


def expected_from_reassignments(reassignments: pl.DataFrame) -> pl.DataFrame:
    """Expected HÅP per offer and level from reassign's output: each citizen with a schedule
    counts one full-year person on their new level (the citizens as they are placed now, for a
    year), with their 5+ supplement hours. For a structure the payments do not know yet (the
    national draft's 10 packages), this is the occupancy to set tariffs against."""
    return (
        reassignments.filter(pl.col("new_level").is_not_null())
        .group_by("offer_id", pl.col("new_level").cast(pl.Int16).alias("level"))
        .agg(haap=pl.len().cast(pl.Float64), supplement_hours=pl.col("supplement_hours").fill_null(0).sum())
        .sort("offer_id", "level")
    )
