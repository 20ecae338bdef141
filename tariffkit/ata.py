"""ATA hour prices (*ATA-timepris*): what one hour of face-to-face time costs.

attendance hours per FTE (*fremmødetimer*) = norm hours − holidays − extra holiday week
    − public holidays − sickness share × norm hours − course time
ATA hours per FTE = attendance × (1 − indirect-time share), or a fixed number when given
ata_hours = ATA FTE × ATA hours per FTE (ATA FTE: categories that give face-to-face time)
direct_salary = Σ FTE × cost per FTE over those categories (to the øre)
price_per_ata_hour = direct_salary / ata_hours; price_per_attendance_hour = direct_salary /
    (ATA FTE × attendance hours per FTE); full_price_per_ata_hour = the year's cost basis /
    ata_hours. Prices are rounded to the øre.

Two measures of time (issue 24): the hours above are *staff* time, what the ATA staff can give.
With ``measure = "citizen"`` the hours and prices are in *citizen* time (every line in full for
the citizen, shared time included, as BDO's schedules print it): ata_hours = staff ATA hours ×
hours_ratio, where hours_ratio = Σ citizen ATA hours / Σ staff ATA hours of the offer's
schedules (reassign). Either way price_per_ata_hour × ata_hours = direct_salary, so a price and
the hours it is multiplied by are always on one measure.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace

import polars as pl

from tariffkit.danish import MONEY
from tariffkit.errors import DataError
from tariffkit.money import exact, kroner, ore_of, ore_ratio

YEAR_COST_GROUPS = ("variable_staff", "variable_other", "fixed_offer", "fixed_central", "other_income")


@dataclass(frozen=True)
class Assumptions:
    norm_hours_per_fte: float = 1924.0
    holiday_hours: float = 185.0
    extra_holiday_hours: float = 37.0
    public_holiday_hours: float = 66.6
    sickness_share: float = 0.05
    course_hours: float = 22.2
    indirect_share: float = 0.20
    ata_hours_per_fte: float | None = None  # fixed number; overrides the derivation

    def attendance(self) -> float:
        return (
            self.norm_hours_per_fte
            - self.holiday_hours
            - self.extra_holiday_hours
            - self.public_holiday_hours
            - self.sickness_share * self.norm_hours_per_fte
            - self.course_hours
        )

    def ata_per_fte(self) -> float:
        if self.ata_hours_per_fte is not None:
            return float(self.ata_hours_per_fte)
        return self.attendance() * (1 - self.indirect_share)

    def explain(self) -> list[str]:
        a = self
        lines = [
            f"  norm hours per FTE            {a.norm_hours_per_fte:10.1f}",
            f"  − holidays                    {a.holiday_hours:10.1f}",
            f"  − extra holiday week          {a.extra_holiday_hours:10.1f}",
            f"  − public holidays             {a.public_holiday_hours:10.1f}",
            f"  − sickness {a.sickness_share:.1%} of norm       {a.sickness_share * a.norm_hours_per_fte:10.1f}",
            f"  − course time                 {a.course_hours:10.1f}",
            f"  = attendance hours per FTE    {a.attendance():10.1f}",
        ]
        if a.ata_hours_per_fte is not None:
            lines.append(f"  ATA hours per FTE (fixed)     {a.ata_per_fte():10.1f}")
        else:
            lines += [
                f"  − indirect time {a.indirect_share:.0%}           {a.attendance() * a.indirect_share:10.1f}",
                f"  = ATA hours per FTE           {a.ata_per_fte():10.1f}",
            ]
        return lines


@dataclass(frozen=True)
class AssumptionSet:
    default: Assumptions = field(default_factory=Assumptions)
    per_offer: dict[str, Assumptions] = field(default_factory=dict)

    def for_offer(self, offer_id: str) -> Assumptions:
        return self.per_offer.get(offer_id, self.default)


def parse_assumptions(d: dict, file: str = "assumptions") -> AssumptionSet:
    """TOML dict → assumptions. ``[offers.T101]`` tables override single settings per offer."""
    known = {f.name for f in fields(Assumptions)}

    def build(base: Assumptions, values: dict, where: str) -> Assumptions:
        from tariffkit.settings_checks import check_keys, number

        check_keys(values, known, file, "" if where == "assumptions" else f"{where}.")
        for k, v in values.items():
            number(v, file, f"{where}.{k}", 0, 100_000)  # a finite number, not negative (nan and inf refused)
        a = replace(base, **{k: float(v) for k, v in values.items()})
        for share in ("sickness_share", "indirect_share"):
            if getattr(a, share) >= 1:
                raise DataError(f"{where}.{share} must be below 1 (a share of the hours), found {getattr(a, share):g}", file=file, column=f"{where}.{share}")
        if a.ata_per_fte() <= 0:
            raise DataError(f"{where}: the assumptions leave no ATA hours per FTE", file=file)
        return a

    offers = d.get("offers", {})
    default = build(Assumptions(), {k: v for k, v in d.items() if k != "offers"}, "assumptions")
    return AssumptionSet(default, {o: build(default, v, f"offers.{o}") for o, v in offers.items()})


def init_toml() -> str:
    import tomli_w

    head = """\
# ATA assumptions for `tariffkit price-ata`.
# attendance hours per FTE = norm hours − holidays − extra holiday week − public holidays
#                            − sickness share × norm hours − course hours
# ATA hours per FTE        = attendance × (1 − indirect_share)   (documentation, coordination,
#                            meetings), unless ata_hours_per_fte fixes the number directly.
# Per-offer overrides: add a table such as
#   [offers.T101]
#   indirect_share = 0.25
"""
    d = {k: v for k, v in Assumptions().__dict__.items() if v is not None}
    return head + tomli_w.dumps(d)


def cost_basis(costs: pl.DataFrame, basis: str) -> pl.DataFrame:
    """The year's cost basis (*årets udgiftsgrundlag*) per offer and year: every cost group but
    the carried result, for the chosen basis."""
    return (
        costs.filter((pl.col("basis") == basis) & pl.col("group").is_in(YEAR_COST_GROUPS))
        .group_by("offer_id", "year")
        .agg(pl.col("amount").sum().cast(MONEY).alias("cost_basis"))
    )


MEASURES = ("staff", "citizen")


def hours_ratio(hours: pl.DataFrame) -> pl.DataFrame:
    """Citizen hours per staff hour per offer from reassign's output (``reassignments`` or
    ``reassign_offers``: offer_id, staff_hours_ata, citizen_hours_ata)."""
    g = hours.group_by("offer_id").agg(pl.col("staff_hours_ata").fill_null(0).sum().alias("_s"), pl.col("citizen_hours_ata").fill_null(0).sum().alias("_c"))
    return g.filter(pl.col("_s") > 0).select("offer_id", hours_ratio=(pl.col("_c") / pl.col("_s")).round(6))


def price_ata(
    staff: pl.DataFrame,
    assumptions: AssumptionSet,
    costs: pl.DataFrame | None = None,
    basis: str = "tariff_budget",
    measure: str = "staff",
    hours: pl.DataFrame | None = None,
    hours_file: str = "hours",
) -> pl.DataFrame:
    """The ``ata_prices`` table per offer and year, on ``measure`` (``staff`` or ``citizen``
    time; ``citizen`` needs ``hours``: reassign's output with both measures per offer)."""
    from tariffkit.errors import UsageError

    if measure not in MEASURES:
        raise UsageError(f"`measure` must be staff or citizen, found {measure!r}")
    if measure == "citizen" and hours is None:
        raise UsageError("`measure` citizen needs `hours`: reassign's output (citizen and staff hours per offer) to convert the staff's hours")
    per = (
        staff.with_columns(_salary=ore_of(exact("fte") * exact("cost_per_fte")))
        .group_by("offer_id", "year")
        .agg(
            pl.col("fte").sum().alias("fte"),
            pl.col("fte").filter("gives_ata").sum().alias("ata_fte"),
            pl.col("_salary").filter("gives_ata").sum().alias("_direct"),
        )
        .sort("offer_id", "year")
    )
    offers = per["offer_id"].to_list()
    att = [assumptions.for_offer(o).attendance() for o in offers]
    ata = [assumptions.for_offer(o).ata_per_fte() for o in offers]
    per = per.with_columns(
        attendance_hours_per_fte=pl.Series(att, dtype=pl.Float64).round(6),  # hours: no float noise (1213.6000000000001)
        ata_hours_per_fte=pl.Series(ata, dtype=pl.Float64).round(6),
    ).with_columns(
        fte=pl.col("fte").round(4),
        ata_fte=pl.col("ata_fte").round(4),
        staff_ata_hours=(pl.col("ata_fte") * pl.col("ata_hours_per_fte")).round(4),
    )
    if measure == "citizen":
        assert hours is not None  # (checked above)
        ratio = hours_ratio(hours)
        per = per.join(ratio, on="offer_id", how="left")
        missing = per.filter(pl.col("hours_ratio").is_null())
        if missing.height:
            raise DataError(
                f"offer {missing['offer_id'][0]} has no schedules with ATA hours, so its staff hours cannot be put in citizen time",
                file=hours_file,
                column="offer_id",
            )
    else:
        per = per.with_columns(hours_ratio=pl.lit(1.0))
    per = per.with_columns(measure=pl.lit(measure), ata_hours=(pl.col("staff_ata_hours") * pl.col("hours_ratio")).round(4))
    per = per.with_columns(
        direct_salary=kroner(pl.col("_direct")),
        price_per_ata_hour=pl.when(pl.col("ata_hours") > 0).then(kroner(ore_ratio("_direct", exact("ata_hours")))),
        price_per_attendance_hour=pl.when(pl.col("ata_fte") > 0).then(kroner(ore_ratio("_direct", exact("ata_fte") * exact("attendance_hours_per_fte")))),
    )
    if costs is not None:
        cb = cost_basis(costs, basis)
        per = per.join(cb, on=["offer_id", "year"], how="left").with_columns(
            full_price_per_ata_hour=pl.when(pl.col("ata_hours") > 0).then(kroner(ore_ratio(exact("cost_basis") * 100, exact("ata_hours"))))
        )
    else:
        per = per.with_columns(cost_basis=pl.lit(None, dtype=MONEY), full_price_per_ata_hour=pl.lit(None, dtype=MONEY))
    from tariffkit.contracts import ATA_PRICES

    return per.select(ATA_PRICES.names)
