"""Table contracts: the column names, types, nullability, meaning and unit of every table the
commands exchange. One source of truth, rendered to ``docs/data-contracts.md`` by
``tariffkit schema --markdown`` and enforced by :func:`conform` on every input.

Money is ``Decimal(18,2)`` DKK, never float. Column names are English snake_case.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace
from typing import Any

import polars as pl
from polars._typing import PolarsDataType

from tariffkit.danish import MONEY, parse_date, parse_number
from tariffkit.errors import DataError

CPR_LIKE = re.compile(r"\d{6}-?\d{4}")


@dataclass(frozen=True)
class Column:
    name: str
    dtype: PolarsDataType  # a polars type (pl.String) or instance (pl.Decimal(18, 2))
    description: str
    nullable: bool = False
    unit: str = ""
    allowed: tuple | None = None
    minimum: float | None = None
    required: bool = True  # must be present as a column (nullable columns may still be required)


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def schema(self) -> dict[Any, PolarsDataType]:  # (Any: polars' cast takes selectors as keys too)
        return {c.name: c.dtype for c in self.columns}

    def empty(self) -> pl.DataFrame:
        return pl.DataFrame(schema=self.schema)

    def subset(self, names: list[str]) -> Table:
        """The same table restricted to ``names`` (for a command that reads only those)."""
        return replace(self, columns=tuple(c for c in self.columns if c.name in names), key=())


S, I16, I32, I64, F64, D, B, T = pl.String, pl.Int16, pl.Int32, pl.Int64, pl.Float64, pl.Date, pl.Boolean, pl.Time

PROVIDERS = ("internal", "external")
KINDS = ("actual", "commitment", "refund")
BASES = ("actual", "budget", "tariff_budget", "forecast")
COST_GROUPS = ("variable_staff", "variable_other", "fixed_offer", "fixed_central", "other_income", "carried_result")
STAFF_CATEGORIES = ("management", "trained", "untrained", "temporary", "admin", "other")
ORIGINS = ("own", "other")

TABLES: dict[str, Table] = {}


def _table(t: Table) -> Table:
    TABLES[t.name] = t
    return t


PAYMENTS = _table(
    Table(
        "payments",
        "Payment lines from the DSS extract, cleaned and pseudonymised (written by `import-dss`). "
        "One row per payment or commitment line; the amount pays for the service from `service_from` "
        "to `service_to`.",
        (
            Column(
                "citizen_id",
                S,
                "Pseudonym of the citizen: HMAC-SHA256 of the normalised CPR number under the municipality's key (16 hex characters). Never the CPR number.",
            ),
            Column("case_id", S, "Case number (*sagsnummer*)."),
            Column("caseworker", S, "Caseworker (*sagsbehandler/rådgiver*) responsible for the case."),
            Column("offer_id", S, "Offer number (*tilbudsnummer*)."),
            Column("offer_name", S, "Offer name (*tilbud*)."),
            Column("provider", S, "Who delivers: `internal` (the municipality's own offer) or `external`.", allowed=PROVIDERS),
            Column(
                "paragraph",
                S,
                "Legal paragraph, normalised: `SEL 108`, `SEL 107`, `SEL 85`, `ABL 105` … (`stk.`/`nr.` dropped; of a combined notation the first, see docs/concepts.md).",
            ),
            Column(
                "paragraph_also",
                S,
                "The other paragraphs of a combined notation (`ABL 105 / SEL 85` → `SEL 85`), comma-separated; null when there are none.",
                nullable=True,
                required=False,
            ),
            Column("function", S, "Account function (*funktion*), e.g. `5.38.50`."),
            Column("level", I16, "Function level (*funktionsniveau*), 1 … number of levels; null when not on a level.", nullable=True, minimum=1),
            Column("service_from", D, "First day the amount pays for (inclusive)."),
            Column("service_to", D, "Last day the amount pays for (inclusive)."),
            Column("amount", MONEY, "Amount; negative for corrections.", unit="DKK"),
            Column(
                "kind",
                S,
                "`actual` (spending, *forbrug*), `commitment` (*disposition*) or `refund` (state refund for a very expensive single case, Serviceloven § 176: kept apart, never in the expense, never making a month inactive).",
                allowed=KINDS,
            ),
            Column(
                "extract_date",
                D,
                'The extract\'s date (*udtræksdato*): the day the books were read. Actual lines are known up to it, commitments are open on it (see docs/concepts.md, "Udtræk og historik").',
            ),
            Column("source_file", S, "Name of the extract the line came from."),
            Column("source_row", I64, "Line (CSV) or row (Excel) number in that file."),
        ),
        key=("extract_date", "source_file", "source_row"),
        notes=(
            "The table is a history of snapshots: actual lines accumulate over the extracts; only the commitments of the newest extract that has any count, and only for the days after the newest extract date. Every command applies this rule when it reads the table (`--known-at DATE` reads it as it stood on an earlier date).",
        ),
    )
)

REJECTS = _table(
    Table(
        "rejects",
        "Rows `import-dss --on-error reject` did not import, with the reason. The CPR number is masked.",
        (
            Column("source_file", S, "Extract the row came from."),
            Column("source_row", I64, "Line (CSV) or row (Excel) number in that file."),
            Column("column", S, "Column (canonical field) that failed."),
            Column("reason", S, "What was expected and what was wrong."),
            Column("cpr_masked", S, "CPR number as `DDMMYY-****`; `****` when not even that is readable.", nullable=True),
            Column("amount", MONEY, "Amount when it could be read (for the reconciliation), else null.", nullable=True, unit="DKK"),
            Column("amount_text", S, "The amount as written in the file.", nullable=True),
        ),
    )
)

SCHEDULES = _table(
    Table(
        "schedules",
        "24-hour schedule lines (*døgnskema*): the activities in which staff support a citizen. Only face-to-face (ATA) time is recorded.",
        (
            Column("citizen_id", S, "Pseudonym of the citizen (as in `payments`)."),
            Column("offer_id", S, "Offer that delivers the activity."),
            Column("line_no", I32, "Activity number within the citizen's schedule.", minimum=1),
            Column("description", S, "What the activity is.", nullable=True),
            Column("paragraph", S, "Legal paragraph of the activity (`SEL 85`, `SEL 83`, `SUL 138` …)."),
            Column("start_time", T, "Start time of day (HH:MM).", nullable=True),
            Column("minutes", I32, "Minutes each time, as registered by the offer.", minimum=0, unit="minutes"),
            Column(
                "frequency",
                S,
                "How often: `Alle ugens 7 dage` / `daily`, `Hverdage` / `weekdays`, `Weekend`, `N gange om ugen`, `Månedligt` / `monthly`, or a number per week.",
            ),
            Column("staffing", S, "`1:1`, `1:n` (one staff member shared by n citizens) or `2:1` (two staff for one citizen)."),
            Column("assessed_minutes", I32, "Minutes each time as assessed by the caseworker; null = not assessed.", nullable=True, minimum=0, unit="minutes"),
            Column("comment", S, "Free text.", nullable=True),
            Column(
                "assessed_paragraph",
                S,
                "The caseworker's paragraph for the line when it belongs elsewhere (BDO's *Ny §*, e.g. `Ny § 83`: financed elsewhere, so it leaves the level after the assessment).",
                nullable=True,
                required=False,
            ),
            Column("to_discuss", pl.Boolean, "The caseworker marked the line to be discussed (*skal drøftes*).", nullable=True, required=False),
            Column(
                "category",
                S,
                "Activity category for the service-level comparison (*Kategori*; empty: from the description and the structure's keywords).",
                nullable=True,
                required=False,
            ),
        ),
        key=("citizen_id", "offer_id", "line_no"),
    )
)

STAFF = _table(
    Table(
        "staff",
        "Staff per offer and year: full-time equivalents (*årsværk*) and annual cost per FTE per category.",
        (
            Column("offer_id", S, "Offer."),
            Column("year", I32, "Budget year."),
            Column(
                "category",
                S,
                "Staff category: `management`, `trained` (*faguddannet*), `untrained` (*ikke faguddannet*), `temporary` (*ikke fastansatte*), `admin` (*TAP*), `other`.",
                allowed=STAFF_CATEGORIES,
            ),
            Column("fte", F64, "Full-time equivalents (*årsværk*).", minimum=0, unit="FTE"),
            Column("cost_per_fte", MONEY, "Annual cost per FTE (*ÅV-pris*).", minimum=0, unit="DKK/FTE"),
            Column("gives_ata", B, "Whether the category gives face-to-face (ATA) time. Management and administration do not."),
        ),
        key=("offer_id", "year", "category"),
    )
)

COSTS = _table(
    Table(
        "costs",
        "Cost lines per offer, year and basis: the rows of BDO's offer budget model.",
        (
            Column("offer_id", S, "Offer."),
            Column("year", I32, "Year the line belongs to."),
            Column(
                "basis",
                S,
                "`actual` (*regnskab*), `budget` (*budget, økonomisystem*), `tariff_budget` (*budget jf. takst*) or `forecast` (*prognose*).",
                allowed=BASES,
            ),
            Column("line", S, "Stable line key, e.g. `staff_trained`, `rent`, `result_two_years_earlier`."),
            Column("label", S, "Danish label as in the budget model.", nullable=True),
            Column(
                "group",
                S,
                "`variable_staff`, `variable_other`, `fixed_offer`, `fixed_central`, `other_income` (negative) or `carried_result` (result two years earlier: a deficit is positive and raises the tariff basis).",
                allowed=COST_GROUPS,
            ),
            Column(
                "follows_ata",
                B,
                "True when the cost follows face-to-face time (staff who give ATA time); false for fixed costs (management, administration, buildings, central overhead, night watch).",
            ),
            Column("amount", MONEY, "Amount.", unit="DKK"),
        ),
        key=("offer_id", "year", "basis", "line"),
    )
)

OFFERS = _table(
    Table(
        "offers",
        "The offers (*tilbud*): places, portal places and the offer manager's comment.",
        (
            Column("offer_id", S, "Offer."),
            Column("offer_name", S, "Name."),
            Column("provider", S, "`internal` or `external`.", allowed=PROVIDERS),
            Column("paragraph", S, "Main legal paragraph."),
            Column("places", I32, "Places (*antal pladser*).", minimum=0, nullable=True),
            Column("portal_places", I32, "Places per the national offer portal (*Tilbudsportalen*).", minimum=0, nullable=True),
            Column("comment", S, "Offer manager's comment (*tilbudsleders kommentar*).", nullable=True),
        ),
        key=("offer_id",),
    )
)

PLACEMENTS = _table(
    Table(
        "placements",
        "Stays on an offer (*placeringer*), own and other municipalities' citizens: the provider side's view of who lives there. "
        "A level change is a new stay. Read from the offers' list (CSV/xlsx: CPR-nr.;Tilbudsnr.;Funktionsniveau;Fra dato;Til dato;"
        "Oprindelse;Betalingskommune;Handlekommune) or Parquet.",
        (
            Column("citizen_id", S, "Pseudonym of the citizen."),
            Column("offer_id", S, "Offer."),
            Column("level", I16, "Function level during the stay.", minimum=1),
            Column("valid_from", D, "First day of the stay (*indflytning*); null only in a list of current placements without dates.", nullable=True),
            Column("valid_to", D, "Last day of the stay (inclusive); null = still there.", nullable=True),
            Column("origin", S, "`own` (our citizen) or `other` (placed and paid for by another municipality).", allowed=ORIGINS),
            Column("municipality", S, "Paying municipality (*betalingskommune*); required for `other`.", nullable=True),
            Column("acting_municipality", S, "Acting municipality (*handlekommune*).", nullable=True),
        ),
        key=("citizen_id", "offer_id", "valid_from"),
        notes=(
            "Checked on reading: a stay ends on or after it begins, another municipality's citizen has a paying municipality, "
            "and a citizen's stays do not overlap.",
        ),
    )
)

OCCUPANCY = _table(
    Table(
        "occupancy",
        "Written by `occupancy`: HÅP per offer, level and origin from every citizen on the offer (own citizens from the payments or "
        "the placements, other municipalities' from the placements). tariff-build and budget-forecast read it as expected HÅP.",
        (
            Column("offer_id", S, "Offer."),
            Column("level", I16, "Function level.", minimum=1),
            Column("origin", S, "`own` or `other`.", allowed=ORIGINS),
            Column("source", S, "Where the HÅP comes from: `payments` (DSS) or `placements`.", allowed=("payments", "placements")),
            Column("period", S, "The year."),
            Column("citizens", I64, "Citizens on the level in the year.", unit="persons"),
            Column("haap", F64, "Full-year persons (a month shared by days when the citizen changed level).", unit="HÅP"),
        ),
        key=("offer_id", "level", "origin"),
    )
)

RECONCILIATION = _table(
    Table(
        "reconciliation",
        "Written by `occupancy --check`: own citizens whose months in the year differ between DSS and the placements, per offer "
        "(the quarterly reconciliation).",
        (
            Column("citizen_id", S, "Pseudonym of the citizen."),
            Column("offer_id", S, "Offer."),
            Column("months_paid", I64, "Months with payments in force on the offer.", unit="months"),
            Column("months_placed", I64, "Months with a stay on the offer.", unit="months"),
            Column(
                "finding",
                S,
                "`paid, not placed`, `placed, not paid` (a whole citizen in one source only), `placed in months not paid` or `paid in months not placed`.",
            ),
        ),
    )
)

BILLING = _table(
    Table(
        "billing",
        "Written by `billing`: what each paying municipality owes per external citizen, month and level (*mellemkommunal afregning*).",
        (
            Column("paying_municipality", S, "Betalingskommune."),
            Column("acting_municipality", S, "Handlekommune.", nullable=True),
            Column("month", S, "The month, `2026-10`."),
            Column("citizen_id", S, "Pseudonym of the citizen."),
            Column("offer_id", S, "Offer."),
            Column("level", I16, "Function level."),
            Column("days", I64, "Days on the offer at the level in the month.", unit="days"),
            Column("daily_tariff", MONEY, "The level's daily tariff that year (annual / days per year, to the øre).", unit="DKK/day"),
            Column("amount", MONEY, "days × daily tariff.", unit="DKK"),
            Column("claim_deadline", D, "The month's end + 12 months: the last day to claim it (Serviceloven § 174 stk. 2)."),
            Column("late", B, "The claim date is after the deadline."),
        ),
    )
)

RESULTS = _table(
    Table(
        "results",
        "Written by `close-year`: each offer's closed year (*årsresultat*) and how its result is carried, set aside or kept under the "
        "rules file. One table holds every closed year; `tariff-build --results` reads the carry into its year instead of a typed-in "
        "result. result = income − tariff_basis = −carried + set_aside + kept, to the øre.",
        (
            Column("offer_id", S, "Offer."),
            Column("year", I32, "The closed year."),
            Column(
                "basis",
                S,
                "The cost basis closed on: `actual`, or `forecast` (actuals to date plus the forecast) for a year not yet over; the HÅP is then the occupancy table's forecast too.",
                allowed=BASES,
            ),
            Column("cost_basis", MONEY, "The year's cost basis (cost lines, the carried result left out).", unit="DKK"),
            Column("carried_in", MONEY, "The result of an earlier year in this year's tariff basis (a deficit is positive).", unit="DKK"),
            Column("tariff_basis", MONEY, "cost_basis + carried_in.", unit="DKK"),
            Column("haap_own", F64, "HÅP of the offer's own municipality's citizens in the year.", unit="HÅP"),
            Column("haap_other", F64, "HÅP of other municipalities' citizens.", unit="HÅP"),
            Column("income_places", MONEY, "Σ HÅP × the year's annual tariff per level, whole kroner.", unit="DKK"),
            Column("income_places_other", MONEY, "Of which other municipalities' citizens, whole kroner.", unit="DKK"),
            Column("income_supplements", MONEY, "5+ supplements: supplement hours × the price per weekly hour.", unit="DKK"),
            Column("income", MONEY, "income_places + income_supplements.", unit="DKK"),
            Column("result", MONEY, "income − tariff_basis: a surplus is positive, a deficit negative.", unit="DKK"),
            Column("carried", MONEY, "What enters the tariff basis of `carry_into_year` (a deficit raises it: positive).", unit="DKK"),
            Column(
                "carry_into_year",
                I32,
                "The year whose tariff basis the carried part enters (year + the rules' year_offset); null when nothing is carried.",
                nullable=True,
            ),
            Column("set_aside", MONEY, "Surplus set aside (*hensat*) under the rules, to be used by `set_aside_use_by`.", unit="DKK"),
            Column(
                "set_aside_use_by", I32, "The last year the set-aside may be used (year + the rules' set_aside_years); null without a set-aside.", nullable=True
            ),
            Column(
                "set_aside_used",
                MONEY,
                "Of the set-aside, what has been used (kept from the table when the year is closed again; the analyst records it).",
                unit="DKK",
            ),
            Column("set_aside_expired", B, "The use-by year has passed (before the newest closed year) and money is left."),
            Column("kept", MONEY, "What stays with the offer (a surplus kept, or a deficit the offer absorbs).", unit="DKK"),
            Column(
                "rounding_residue",
                B,
                "The result is below the tariffs' rounding per HÅP (1 kr per HÅP for whole-krone tariffs): the residue of budget-neutral tariffs, kept, not carried.",
            ),
            Column("rules", S, "Name of the rules file the year was closed under."),
            Column("rules_version", S, "Its version."),
        ),
        key=("offer_id", "year"),
    )
)

SETTLEMENT = _table(
    Table(
        "settlement",
        "Written by `close-year --settlement`: per paying municipality, offer and level, what was billed at the year's tariffs and what "
        "the tariffs recomputed on the year's actual tariff basis (cost basis + carried result) and actual occupancy give (*efterregulering*); "
        "for a year closed on the forecast, on the forecast.",
        (
            Column("paying_municipality", S, "Betalingskommune."),
            Column("year", I32, "The closed year."),
            Column("offer_id", S, "Offer."),
            Column("level", I16, "Function level."),
            Column("days", I64, "Days on the offer at the level in the year.", unit="days"),
            Column("billed", MONEY, "Days × the year's daily tariff, month by month (as `billing`).", unit="DKK"),
            Column("recomputed", MONEY, "Days × the recomputed daily tariff.", unit="DKK"),
            Column("difference", MONEY, "recomputed − billed: positive, the paying municipality owes more; negative, it is owed.", unit="DKK"),
        ),
        key=("paying_municipality", "offer_id", "level"),
    )
)

TARIFFS = _table(
    Table(
        "tariffs",
        "Tariff per offer, year and level (written by `tariff-build`). `tariff_kind` = `average` is the "
        "one-level average tariff of the old model, for comparison (level null).",
        (
            Column("offer_id", S, "Offer (`*` when the structure is common to all offers)."),
            Column("year", I32, "Tariff year."),
            Column("tariff_kind", S, "`level` or `average`.", allowed=("level", "average")),
            Column("level", I16, "Function level; null for the average tariff.", nullable=True, minimum=1),
            Column("min_hours", F64, "Lower bound of the band, weekly ATA hours (inclusive).", unit="hours/week"),
            Column("max_hours", F64, "Upper bound (exclusive); null for the top level.", nullable=True, unit="hours/week"),
            Column("hours", F64, "Representative weekly ATA hours of the level.", unit="hours/week"),
            Column("annual_tariff", MONEY, "Tariff per year (whole kroner).", unit="DKK/year"),
            Column("monthly_tariff", MONEY, "annual / 12.", unit="DKK/month"),
            Column("daily_tariff", MONEY, "annual / days per year.", unit="DKK/day"),
            Column("fixed_part", MONEY, "Part of the annual tariff that does not follow ATA time.", unit="DKK/year"),
            Column("ata_part", MONEY, "Part proportional to the level's hours.", unit="DKK/year"),
            Column(
                "price_per_weekly_hour",
                MONEY,
                "Annual ATA price of one weekly hour: the 5+ supplement per weekly hour above the top band.",
                unit="DKK/year per hour/week",
            ),
        ),
        key=("offer_id", "year", "tariff_kind", "level"),
    )
)

EXPECTED_HAAP = _table(
    Table(
        "expected_haap",
        "Expected full-year persons per offer and level: the volume tariffs are set against (`compute-haap --by offer_id,level` writes a superset).",
        (
            Column("offer_id", S, "Offer."),
            Column("level", I16, "Function level.", minimum=1),
            Column("haap", F64, "Full-year persons (*helårspersoner*).", minimum=0, unit="HÅP"),
            Column(
                "supplement_hours",
                F64,
                "Weekly ATA hours above the top band, summed over the level's citizens (5+ supplement basis).",
                nullable=True,
                required=False,
                minimum=0,
                unit="hours/week",
            ),
        ),
    )
)

HAAP = _table(
    Table(
        "haap",
        "Key figures per group and period (written by `compute-haap`): the `--by` columns come first.",
        (
            Column("period", S, "`2025` for a year, `2025-03` for a month."),
            Column("citizens", I64, "Distinct citizens active in the period.", unit="persons"),
            Column("haap", F64, "Full-year persons (*helårspersoner*).", unit="HÅP"),
            Column("expense", MONEY, "Spending and commitments covering the period.", unit="DKK"),
            Column("average_price", MONEY, "expense / haap (*gennemsnitspris*); null when haap is 0.", nullable=True, unit="DKK/HÅP"),
            Column("inflow", I64, "Citizens starting in the group (*tilgang*).", unit="persons"),
            Column("outflow", I64, "Citizens ending in the group (*afgang*).", unit="persons"),
        ),
        notes=(
            "With `--as-of`: `haap_ytd`, `expense_ytd`, `haap_forecast`, `expense_forecast`.",
            "With `--budget`: `budget_haap`, `budget_price`, `budget_expense`, `deviation`, `volume_effect`, `price_effect`.",
        ),
    )
)

ATA_PRICES = _table(
    Table(
        "ata_prices",
        "ATA hour prices per offer and year (written by `price-ata`).",
        (
            Column("offer_id", S, "Offer."),
            Column("year", I32, "Year."),
            Column("fte", F64, "All FTE.", unit="FTE"),
            Column("ata_fte", F64, "FTE in categories that give face-to-face time.", unit="FTE"),
            Column("attendance_hours_per_fte", F64, "Norm hours minus absence (*fremmødetid*).", unit="hours/year"),
            Column("ata_hours_per_fte", F64, "Attendance minus indirect time.", unit="hours/year"),
            Column(
                "measure",
                S,
                "`staff` (what the staff give) or `citizen` time (every line in full for the citizen, as BDO's schedules count it): the measure of ata_hours and the prices (`--measure`).",
                allowed=("staff", "citizen"),
                required=False,
            ),
            Column("staff_ata_hours", F64, "ATA capacity in staff time: ata_fte × ata_hours_per_fte.", unit="hours/year", required=False),
            Column("hours_ratio", F64, "Citizen hours per staff hour in the offer's schedules (1 for the staff measure).", required=False),
            Column(
                "ata_hours",
                F64,
                "ATA capacity on the measure: staff_ata_hours × hours_ratio. price_per_ata_hour × ata_hours = direct_salary.",
                unit="hours/year",
            ),
            Column("direct_salary", MONEY, "Σ fte × cost per FTE over ATA-giving categories.", unit="DKK"),
            Column("price_per_ata_hour", MONEY, "direct_salary / ata_hours.", unit="DKK/hour"),
            Column("price_per_attendance_hour", MONEY, "direct_salary / (ata_fte × attendance_hours_per_fte).", unit="DKK/hour"),
            Column("cost_basis", MONEY, "The year's cost basis (*årets udgiftsgrundlag*) from `--costs`.", nullable=True, unit="DKK"),
            Column("full_price_per_ata_hour", MONEY, "cost_basis / ata_hours (fully loaded).", nullable=True, unit="DKK/hour"),
        ),
        key=("offer_id", "year"),
    )
)


REASSIGNMENTS = _table(
    Table(
        "reassignments",
        "Output of `reassign`: one row per citizen and offer, from the 24-hour schedule (*døgnskema*) "
        "and the current placement (*genindplacering*). Hours are weekly ATA hours.",
        (
            Column("citizen_id", S, "Pseudonym of the citizen."),
            Column("offer_id", S, "Offer."),
            Column("origin", S, "`own` or `other` (placed and paid for by another municipality).", allowed=ORIGINS),
            Column("municipality", S, "Paying municipality, when known.", nullable=True),
            Column("current_level", I16, "Level the citizen is placed on now; null without a placement.", nullable=True, minimum=1),
            Column("new_level", I16, "Level the schedule gives; null without a schedule.", nullable=True, minimum=1),
            Column(
                "hours_registered",
                F64,
                "Weekly ATA hours as registered by the offer (ATA paragraphs only), on the structure's `level_measure` (staff time by default).",
                nullable=True,
                unit="hours/week",
            ),
            Column("hours_assessed", F64, "Weekly ATA hours after the caseworker's assessment; null when not assessed.", nullable=True, unit="hours/week"),
            Column("hours_counted", F64, "hours_assessed when present, else hours_registered: the hours the level follows.", nullable=True, unit="hours/week"),
            Column(
                "hours_other", F64, "Weekly hours under paragraphs that are financed elsewhere (§ 83, SUL), not in the level.", nullable=True, unit="hours/week"
            ),
            Column(
                "staff_hours_all",
                F64,
                "Staff time (what the offer must staff: minutes × times a week × staff ÷ citizens sharing), all paragraphs, counted as the level is (the caseworker's minutes where given).",
                nullable=True,
                unit="hours/week",
                required=False,
            ),
            Column(
                "staff_hours_ata",
                F64,
                "Staff time on the structure's ATA paragraphs (the caseworker's paragraph where given).",
                nullable=True,
                unit="hours/week",
                required=False,
            ),
            Column(
                "citizen_hours_all",
                F64,
                "Citizen time (what the citizen receives: every line in full, shared time included, as BDO counts it), all paragraphs, counted as the level is.",
                nullable=True,
                unit="hours/week",
                required=False,
            ),
            Column("citizen_hours_ata", F64, "Citizen time on the structure's ATA paragraphs.", nullable=True, unit="hours/week", required=False),
            Column(
                "citizen_minutes_per_day",
                F64,
                "Citizen time as BDO prints it (*tid pr. dag*): every line in full, all paragraphs, time shared with others included: Σ minutes × times a week / 7.",
                nullable=True,
                unit="minutes/day",
            ),
            Column(
                "citizen_minutes_per_day_assessed", F64, "The same with the caseworker's minutes; null when not assessed.", nullable=True, unit="minutes/day"
            ),
            Column(
                "potential_minutes_per_day",
                F64,
                "The assessment's potential as BDO reports it: citizen time registered − assessed (Åse: 375 − 317 = 58); null when not assessed.",
                nullable=True,
                unit="minutes/day",
            ),
            Column(
                "potential_per_year",
                MONEY,
                "The weekly ATA hours the assessment took off (registered − assessed, lines moved to another paragraph included) × the price per weekly hour; null when not assessed or not priced.",
                nullable=True,
                unit="DKK",
            ),
            Column("lines_to_discuss", I64, "Schedule lines the caseworker marked to be discussed (*skal drøftes*).", nullable=True),
            Column("supplement_hours", F64, "Hours above the top band (5+ supplement basis).", nullable=True, unit="hours/week"),
            Column(
                "current_tariff",
                MONEY,
                "Annual tariff at the current level (level tariff only; a 5+ supplement paid today is not known).",
                nullable=True,
                unit="DKK/year",
            ),
            Column(
                "new_tariff",
                MONEY,
                "Annual tariff at the new level plus the 5+ supplement (price per weekly hour × supplement hours, whole kroner).",
                nullable=True,
                unit="DKK/year",
            ),
            Column("annual_change", MONEY, "new_tariff − current_tariff.", nullable=True, unit="DKK/year"),
            Column("flags", pl.List(pl.String), "Findings, each a stable code (see `tariffkit reassign --help` and docs/concepts.md)."),
            Column("notes", pl.List(pl.String), "Details for `invalid_lines`: file, row, column and what was wrong (never a CPR number)."),
        ),
        key=("citizen_id", "offer_id"),
    )
)

REASSIGN_OFFERS = _table(
    Table(
        "reassign_offers",
        "Output of `reassign --by-offer`: the consequences per offer and phase-in year. Resources follow "
        "the citizen: the offer's budget moves by phased_change.",
        (
            Column("offer_id", S, "Offer."),
            Column("phase_year", I32, "Year of the phase-in step; null without `--phase-in`.", nullable=True),
            Column("phase_share", F64, "Share of the change that takes effect that year (1 without `--phase-in`)."),
            Column("citizens", I64, "Citizens with a schedule or a placement.", unit="persons"),
            Column("citizens_own", I64, "Own citizens.", unit="persons"),
            Column("citizens_other", I64, "Citizens placed by other municipalities.", unit="persons"),
            Column("moved_up", I64, "Citizens whose new level is higher.", unit="persons"),
            Column("moved_down", I64, "Citizens whose new level is lower.", unit="persons"),
            Column("not_priced", I64, "Citizens left out of the amounts (no schedule, no placement or no tariff).", unit="persons"),
            Column("income_current", MONEY, "Σ current_tariff over priced citizens.", unit="DKK/year"),
            Column("income_new", MONEY, "Σ new_tariff over priced citizens.", unit="DKK/year"),
            Column("change", MONEY, "income_new − income_current.", unit="DKK/year"),
            Column("change_own", MONEY, "The change for own citizens.", unit="DKK/year"),
            Column("change_other", MONEY, "The change for other municipalities' citizens.", unit="DKK/year"),
            Column("other_above_paid_level", I64, "Other municipalities' citizens whose new level is above the level paid for.", unit="persons"),
            Column("other_above_paid_level_amount", MONEY, "Their annual change: the amount to negotiate with the paying municipalities.", unit="DKK/year"),
            Column(
                "phased_change",
                MONEY,
                "change_own × phase_share, whole kroner: the phase-in is the municipality's own rule, so other municipalities' changes are not phased (they are negotiated: `reassign --negotiation`).",
                unit="DKK/year",
            ),
            Column("potential_minutes_per_day", F64, "Σ the citizens' assessment potential (citizen time registered − assessed).", unit="minutes/day"),
            Column(
                "potential_per_year",
                MONEY,
                "Σ the citizens' potential in kroner a year (the weekly ATA hours taken off × the price per weekly hour).",
                unit="DKK/year",
            ),
            Column("lines_to_discuss", I64, "Schedule lines marked to be discussed (*skal drøftes*)."),
            Column(
                "hours_counted",
                F64,
                "Σ the citizens' hours_counted (the structure's level_measure): the hours the offer's levels are placed on. This and the hours below are the same on every phase-in row of an offer: take one row per offer, not the sum.",
                unit="hours/week",
                required=False,
            ),
            Column("staff_hours_all", F64, "Σ staff time, all paragraphs.", unit="hours/week", required=False),
            Column("staff_hours_ata", F64, "Σ staff time on ATA paragraphs: what the ATA staff must deliver a week.", unit="hours/week", required=False),
            Column("citizen_hours_all", F64, "Σ citizen time, all paragraphs.", unit="hours/week", required=False),
            Column("citizen_hours_ata", F64, "Σ citizen time on ATA paragraphs.", unit="hours/week", required=False),
            Column("below_minimum", I64, "Citizens below the offer's minimum weekly hours (structure `minimum_hours`).", unit="persons", required=False),
        ),
    )
)


SERVICE_LEVELS = _table(
    Table(
        "service_levels",
        "Service levels across offers (`reassign --service-levels`): weekly minutes per citizen per activity category and offer, "
        "against the median over the offers (see docs/concepts.md).",
        (
            Column(
                "category",
                S,
                "Activity category: the schedule's Kategori, else the structure's [activity_categories] keywords in the description, else `øvrige`.",
            ),
            Column("offer_id", S, "Offer."),
            Column("citizens", I64, "The offer's citizens with a schedule.", unit="persons"),
            Column("citizens_with_activity", I64, "Of them, citizens with a line in the category.", unit="persons"),
            Column("minutes_per_week", F64, "Σ citizen minutes a week on the category (the caseworker's minutes where given).", unit="minutes/week"),
            Column("minutes_per_citizen", F64, "minutes_per_week / citizens.", unit="minutes/week"),
            Column("median_minutes_per_citizen", F64, "Median of minutes_per_citizen over the offers with schedules.", unit="minutes/week"),
            Column("ratio_to_median", F64, "minutes_per_citizen / the median; null when the median is 0.", nullable=True),
            Column("offers_compared", I64, "Offers in the comparison."),
            Column("far_from_median", pl.Boolean, "|ratio − 1| above the structure's service_level_band (default 0.5), with at least three offers compared."),
        ),
        key=("category", "offer_id"),
    )
)

BUDGET = _table(
    Table(
        "budget",
        "Output of `budget-forecast offer`: the offer budget model (BDO's *tilbudsspecifikke budgetmodel*) as a "
        "tidy table. `tariffkit show budget.parquet --wide` shows it as the familiar grid (lines as rows, "
        "basis and year as columns). Line keys are stable and listed in docs/concepts.md; cost lines keep "
        "the key of the costs table.",
        (
            Column("offer_id", S, "Offer."),
            Column("year", I32, "Year of the column."),
            Column(
                "basis",
                S,
                "`actual` (*regnskab*, last year), `budget` (*budget Opus*, last year and this year), `tariff_budget` (*budget jf. takst*), `forecast` (*prognose*), `out_year` (*overslagsår*).",
                allowed=BASES + ("out_year",),
            ),
            Column("line", S, "Stable line key, e.g. `cost_basis`, `tariff_basis`, `expected_result`, `place_price_year`, `haap_level_3_own`, `fte_trained`."),
            Column("label", S, "Danish label, as in the budget model."),
            Column("unit", S, "`DKK`, `DKK/year`, `DKK/day`, `HÅP`, `FTE`, `%`, `places`, `hours/year`, `text` …"),
            Column(
                "value",
                pl.Decimal(28, 10),
                "The figure: money to the øre; HÅP exact (ten decimals, as compute-haap gives it, so HÅP × tariff gives the income line); FTE, hours and % to two decimals; null for text lines.",
                nullable=True,
            ),
            Column("text", S, "Free text (the offer manager's comment).", nullable=True),
            Column(
                "group",
                S,
                "For a cost line: its cost group (`variable_staff` … `carried_result`), so the workbook can sum it; null otherwise.",
                nullable=True,
                required=False,
            ),
        ),
        key=("offer_id", "year", "basis", "line"),
    )
)

ALLOCATION = _table(
    Table(
        "allocation",
        "Output of `budget-forecast allocation --mode activity|hybrid`: each internal offer's activity budget "
        "against its old frame budget, with the phased change. The sum of `change` over offers shows "
        "whether the reallocation is zero-sum.",
        (
            Column("offer_id", S, "Offer."),
            Column("year", I32, "Budget year."),
            Column(
                "mode",
                S,
                "`activity` (the whole tariff follows the citizens) or `hybrid` (only the ATA part does; the fixed part stays a frame).",
                allowed=("activity", "hybrid"),
            ),
            Column("citizens", I64, "Citizens with days on the offer in the year.", unit="persons"),
            Column("days", I64, "Citizen-days on a level in the year (union of service periods).", unit="days"),
            Column("frame_budget", MONEY, "Old frame budget (the year's cost basis on the chosen basis).", unit="DKK"),
            Column(
                "activity_budget",
                MONEY,
                "Σ days at each level × daily tariff (annual / days per year), whole kroner; hybrid: ATA part × days + the frame's fixed part.",
                unit="DKK",
            ),
            Column("change", MONEY, "activity_budget − frame_budget.", unit="DKK"),
            Column("phase_year", I32, "Year of the phase-in step."),
            Column("phase_share", F64, "Share of the change that takes effect that year."),
            Column("phased_change", MONEY, "change × phase_share, whole kroner.", unit="DKK"),
            Column("new_budget", MONEY, "frame_budget + phased_change.", unit="DKK"),
        ),
        key=("offer_id", "phase_year"),
    )
)

AUTHORITY = _table(
    Table(
        "authority_budget",
        "Output of `budget-forecast authority`: the authority-side budget per group (the `--by` columns "
        "of the HÅP history come first) and, with `--forecast`, the deviation split into volume and price.",
        (
            Column("group_key", S, "The group's `--by` values joined with `|` (`all` without --by); the key used in the assumptions TOML."),
            Column("year", I32, "Budget year."),
            Column("base_haap", F64, "HÅP in the base year (the year before).", unit="HÅP"),
            Column("base_average_price", MONEY, "Average price in the base year.", unit="DKK/HÅP"),
            Column("price_growth", F64, "Real price growth assumed (besides PL)."),
            Column("pl_rate", F64, "PL rate (price and wage index)."),
            Column("budget_haap", F64, "Expected HÅP (the base year's unless the assumptions say otherwise).", unit="HÅP"),
            Column("budget_average_price", MONEY, "base price × (1 + growth) × (1 + PL).", unit="DKK/HÅP"),
            Column("budget", MONEY, "budget_haap × budget_average_price, whole kroner.", unit="DKK"),
            Column("forecast_haap", F64, "Forecast HÅP (actuals to date plus commitments).", nullable=True, unit="HÅP"),
            Column("forecast", MONEY, "Forecast expense.", nullable=True, unit="DKK"),
            Column("forecast_average_price", MONEY, "forecast / forecast_haap.", nullable=True, unit="DKK/HÅP"),
            Column("deviation", MONEY, "forecast − budget.", nullable=True, unit="DKK"),
            Column(
                "volume_effect",
                MONEY,
                "(forecast HÅP − budget HÅP) × budget price, to the øre (half away from zero), as in the monthly report.",
                nullable=True,
                unit="DKK",
            ),
            Column(
                "price_effect",
                MONEY,
                "deviation − volume effect (= (forecast price − budget price) × forecast HÅP, up to rounding), so the two add up exactly.",
                nullable=True,
                unit="DKK",
            ),
        ),
    )
)


PORTFOLIO = _table(
    Table(
        "portfolio",
        "Output of `portfolio`: one row per case (caseworker, citizen, case, offer) with payments in the "
        "quarter or the comparison quarter, for the quarterly extended economy check.",
        (
            Column("caseworker", S, "Caseworker (*sagsbehandler*)."),
            Column("citizen_id", S, "Pseudonym of the citizen."),
            Column("case_id", S, "Case number."),
            Column("offer_id", S, "Offer."),
            Column("provider", S, "`internal` or `external`.", allowed=PROVIDERS),
            Column("paragraph", S, "Legal paragraph."),
            Column("level", I16, "Function level at the end of the quarter (latest positive line).", nullable=True),
            Column("quarter", S, "The quarter, e.g. `2025Q3`."),
            Column("compare_quarter", S, "The comparison quarter."),
            Column("monthly_cost", MONEY, "Average cost per month in the quarter (spread amounts / 3).", unit="DKK/month"),
            Column("monthly_cost_compare", MONEY, "The same in the comparison quarter.", unit="DKK/month"),
            Column("annualised_cost", MONEY, "Quarter cost × 4.", unit="DKK/year"),
            Column("change", MONEY, "(quarter cost − comparison quarter cost) × 4.", unit="DKK/year"),
            Column("change_pct", F64, "change / comparison annualised cost × 100; null when that is 0.", nullable=True, unit="%"),
            Column("haap", F64, "Active months in the quarter / 12.", unit="HÅP"),
            Column("approval_level", S, "The lowest authority level whose approval limit covers the annualised cost (e.g. caseworker, manager, committee)."),
            Column("flags", pl.List(pl.String), "Findings, stable codes (see `tariffkit portfolio --help`)."),
        ),
        key=("caseworker", "citizen_id", "case_id", "offer_id"),
    )
)

PORTFOLIO_SUMMARY = _table(
    Table(
        "portfolio_summary",
        "Output of `portfolio --summary`: one row per caseworker; the sums equal the sums over the cases.",
        (
            Column("caseworker", S, "Caseworker."),
            Column("quarter", S, "The quarter."),
            Column("cases", I64, "Cases in the portfolio."),
            Column("haap", F64, "Σ HÅP of the cases in the quarter.", unit="HÅP"),
            Column("annual_cost", MONEY, "Σ annualised cost.", unit="DKK/year"),
            Column(
                "average_price",
                MONEY,
                "Quarter cost / the quarter's HÅP: cost per full-year person (*gennemsnitspris*); null when HÅP is 0.",
                nullable=True,
                unit="DKK/HÅP",
            ),
            Column("change", MONEY, "Σ change.", unit="DKK/year"),
            Column("flagged_cases", I64, "Cases with at least one flag."),
        ),
        key=("caseworker",),
    )
)

KEY_FIGURES = _table(
    Table(
        "key_figures",
        "Written by `report monthly --save-figures`: the monthly economy check's key figures per area "
        "(the `--by` column's values) and a total row `I alt`. Next month's report reads it with "
        "`--previous` to show the change since last month.",
        (
            Column("year", I32, "The year."),
            Column("as_of", D, "The as-of date."),
            Column("extract_date", D, "The newest extract date the figures rest on (*udtræksdato*)."),
            Column("area", S, "The area (e.g. `SEL 108`), or `I alt` for the total."),
            Column("citizens", I64, "Distinct citizens in the year (a citizen in two areas counts once in the total).", unit="persons"),
            Column("haap_ytd", F64, "HÅP to the as-of date.", unit="HÅP"),
            Column("haap_forecast", F64, "HÅP for the year: actuals plus open commitments.", unit="HÅP"),
            Column("average_price", MONEY, "forecast / haap_forecast.", nullable=True, unit="DKK/HÅP"),
            Column("expense_ytd", MONEY, "Expense to the as-of date (*forbrug år til dato*).", unit="DKK"),
            Column("forecast", MONEY, "Expense for the year: actuals plus open commitments (*prognose*).", unit="DKK"),
            Column("budget_haap", F64, "Budgeted HÅP.", nullable=True, unit="HÅP"),
            Column("budget", MONEY, "Budget (*korrigeret budget*).", nullable=True, unit="DKK"),
            Column("deviation", MONEY, "forecast − budget (*afvigelse*).", nullable=True, unit="DKK"),
            Column("volume_effect", MONEY, "(haap_forecast − budget_haap) × budget price, to the øre (*mængdeeffekt*).", nullable=True, unit="DKK"),
            Column("price_effect", MONEY, "deviation − volume_effect (*pris-effekt*): the two add up exactly.", nullable=True, unit="DKK"),
            Column("haap_change", F64, "haap_forecast − last month's (null without `--previous`).", nullable=True, unit="HÅP"),
            Column("forecast_change", MONEY, "forecast − last month's forecast (null without `--previous`).", nullable=True, unit="DKK"),
        ),
        key=("area",),
    )
)


# --- conformance ---------------------------------------------------------------------------

_BOOL_TEXT = {"true": True, "false": False, "ja": True, "nej": False, "1": True, "0": False, "x": True, "yes": True, "no": False, "": None}


def safe_value(v) -> str:
    """A value as it may appear in a message: CPR-shaped text is never echoed."""
    s = str(v)
    if CPR_LIKE.search(s):
        return "(a CPR-shaped value, not shown)"
    return repr(s[:60] + ("…" if len(s) > 60 else ""))


def _expected(col: Column) -> str:
    dt = col.dtype
    if dt == MONEY:
        return "an amount like 1.234,56"
    if dt in (pl.Int16, pl.Int32, pl.Int64):
        return "a whole number"
    if dt == pl.Float64:
        return "a number like 12,5"
    if dt == pl.Date:
        return "a date like 31-12-2025 or 2025-12-31"
    if dt == pl.Time:
        return "a time of day like 07:30"
    if dt == pl.Boolean:
        return "ja/nej or true/false"
    return "text"


def _parse(expr: pl.Expr, col: Column) -> pl.Expr:
    dt = col.dtype
    if dt == MONEY:
        return parse_number(expr, dtype=MONEY)
    if dt in (pl.Int16, pl.Int32, pl.Int64):
        return parse_number(expr, dtype=pl.Float64).pipe(lambda e: pl.when(e == e.round(0)).then(e).cast(dt, strict=False))
    if dt == pl.Float64:
        return parse_number(expr, dtype=pl.Float64)
    if dt == pl.Date:
        return parse_date(expr, excel_serials=True)
    if dt == pl.Time:
        t = expr.str.strip_chars().str.replace(r"^(\d):", "0$1:").str.replace(r"\.", ":")
        return pl.coalesce(t.str.to_time("%H:%M", strict=False), t.str.to_time("%H:%M:%S", strict=False))
    if dt == pl.Boolean:
        return expr.str.strip_chars().str.to_lowercase().replace_strict(_BOOL_TEXT, default=None, return_dtype=pl.Boolean)
    return expr


def _row_numbers(df: pl.DataFrame, first_row: int | None) -> pl.Expr:
    if "_row" in df.columns:
        return pl.col("_row")
    return pl.int_range(pl.len(), dtype=pl.Int64) + (first_row or 1)


def _first_bad(df: pl.DataFrame, mask: pl.Expr, col_name: str, rows: pl.Expr) -> tuple[int, object, int]:
    bad = df.select(rows.alias("_r"), pl.col(col_name).alias("_v"), mask.alias("_bad")).filter(pl.col("_bad"))
    return int(bad["_r"][0]), bad["_v"][0], bad.height


DATE_RANGE = (dt.date(1900, 1, 1), dt.date(2200, 12, 31))  # a date outside is a typing or export error, never a service period


def dates_out_of_range(df: pl.DataFrame) -> bool:
    """Any Date column with a value outside :data:`DATE_RANGE` (cheap: min and max)."""
    cols = [c for c, t in df.schema.items() if t == pl.Date]
    if not cols or df.height == 0:
        return False
    lo, hi = DATE_RANGE
    row = df.select(*[pl.col(c).min().alias(f"a{i}") for i, c in enumerate(cols)], *[pl.col(c).max().alias(f"b{i}") for i, c in enumerate(cols)]).row(0)
    return any(v is not None and not lo <= v <= hi for v in row)


def _already_conforms(df: pl.DataFrame, t: Table, present: list, check_key: bool) -> bool:
    """True when ``df`` has the contract's types already and breaks none of its rules (missing
    values, allowed values, minimums, the date range, the key), found by one aggregate query.
    Otherwise False, and :func:`conform`'s row-by-row path names the first problem."""
    if any(df.schema[c.name] != c.dtype for c in present):
        return False
    checks = []
    for col in present:
        e = pl.col(col.name)
        checks += [bad.any() for rule, bad, _, _ in _cell_rules(col, e.is_null(), e) if rule != "type"]  # (typed: nothing to read)
        if col.dtype == pl.String:  # text as the row-by-row path leaves it: no surrounding blanks, no empty strings
            checks.append((e.str.strip_chars() != e).any() | (e == "").any())
    if check_key and t.key and all(k in df.columns for k in t.key):
        checks.append(pl.struct(list(t.key)).is_duplicated().any())
    if not checks or df.height == 0:
        return True
    return not any(df.select(*[c.alias(f"_{i}") for i, c in enumerate(checks)]).row(0))


def _blank(orig: pl.Expr, src: PolarsDataType) -> pl.Expr:
    """The cell holds no value: null, or (text) only spaces."""
    return orig.is_null() | (orig.str.strip_chars() == "") if src == pl.String else orig.is_null()


def _cell_rules(col: Column, blank: pl.Expr, new: pl.Expr) -> list[tuple[str, pl.Expr, str, str | None]]:
    """The contract's rules for one column's cells, in the order they are checked, as (rule,
    the cells that break it, what was expected, which value a message shows: ``"text"`` the
    cell as written, ``"value"`` as read, None none). ``blank``: the cell holds nothing;
    ``new``: the cell read as the column's type (null when it cannot be). The one home of these
    rules: :func:`conform` raises on the first broken one, :func:`find_problems` lists them all."""
    rules: list[tuple[str, pl.Expr, str, str | None]] = [("type", ~blank & new.is_null(), f"expected {_expected(col)}", "text")]
    if not col.nullable:
        rules.append(("required", blank, f"expected {_expected(col)}", None))
    if col.allowed is not None:
        rules.append(("allowed", new.is_not_null() & ~new.is_in(list(col.allowed)), f"expected one of {', '.join(map(str, col.allowed))}", "value"))
    if col.dtype == pl.Date:
        lo, hi = DATE_RANGE
        rules.append(("date_range", new.is_not_null() & ~new.is_between(pl.lit(lo), pl.lit(hi)), f"expected a date from {lo.year} to {hi.year}", "value"))
    if col.minimum is not None:
        rules.append(("minimum", new.is_not_null() & (new.cast(pl.Float64) < col.minimum), f"expected a value of at least {col.minimum:g}", "value"))
    return rules


def conform(
    df: pl.DataFrame,
    table: str | Table,
    *,
    file: str,
    first_row: int | None = 1,
    keep_extra: bool = False,
    check_key: bool = True,
) -> pl.DataFrame:
    """Check ``df`` against a contract and return it with the contract's column types and order.

    Text columns (from CSV or Excel) are parsed: Danish numbers (``1.234,56``, ``1.234,56-``),
    dates (``dd-mm-åååå``, ``åååå-mm-dd``, Excel serials), times, ja/nej. Raises
    :class:`DataError` for the first problem, naming file, row and column, what was expected
    and what was found, and how many rows share the problem.
    """
    t = TABLES[table] if isinstance(table, str) else table
    if df.width == 0 or (df.width == 1 and "_row" in df.columns):
        raise DataError(f"the file has no columns, expected the {t.name} table ({', '.join(t.names)})", file=file)
    rows = _row_numbers(df, first_row)
    missing = [c.name for c in t.columns if c.required and c.name not in df.columns]
    if missing:
        raise DataError(
            f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}; the {t.name} table needs {', '.join(t.names)}",
            file=file,
            row=1 if first_row is None or "_row" in df.columns else None,
            column=missing[0],
        )
    present = [c for c in t.columns if c.name in df.columns]
    if _already_conforms(df, t, present, check_key):  # a typed table (tariffkit's own Parquet): checked in one pass, nothing parsed
        out = df.select([c.name for c in present])
        if keep_extra:
            extra = [c for c in df.columns if c not in out.columns and c != "_row"]
            out = pl.concat([out, df.select(extra)], how="horizontal")
        return out
    exprs = []
    for col in present:
        src = df.schema[col.name]
        e = pl.col(col.name)
        if src == pl.String and col.dtype != pl.String:
            e = pl.when(e.str.strip_chars() == "").then(None).otherwise(e)
            exprs.append(_parse(e, col).alias(col.name))
        elif src == pl.String:
            exprs.append(pl.when(e.str.strip_chars() == "").then(None).otherwise(e.str.strip_chars()).alias(col.name))
        elif src == pl.Null:
            exprs.append(e.cast(col.dtype).alias(col.name))
        else:
            exprs.append(e.cast(col.dtype, strict=False).alias(col.name))
    parsed = df.select(rows.alias("_r"), *[pl.col(c.name).alias(f"_orig_{c.name}") for c in present], *exprs)
    for col in present:
        orig = pl.col(f"_orig_{col.name}")
        for _rule, bad, expected, shows in _cell_rules(col, _blank(orig, df.schema[col.name]), pl.col(col.name)):
            if parsed.select(bad.any()).item():
                r, v, n = _first_bad(parsed, bad, f"_orig_{col.name}" if shows == "text" else col.name, pl.col("_r"))
                more = f" ({n} rows like this)" if n > 1 else ""
                found = "an empty value" if shows is None else safe_value(v)
                raise DataError(f"{expected}, found {found}{more}", file=file, row=r, column=col.name)
    if check_key and t.key and all(k in parsed.columns for k in t.key):
        dup = pl.struct(list(t.key)).is_duplicated()
        if parsed.select(dup.any()).item():
            first = parsed.filter(dup).row(0, named=True)
            n = parsed.select(dup.sum()).item()
            key = ", ".join(f"{k}={safe_value(first[k])}" for k in t.key)
            raise DataError(
                f"duplicated key ({key}): each {', '.join(t.key)} may appear once ({n} rows share a key)", file=file, row=int(first["_r"]), column=t.key[-1]
            )
    out = parsed.select([c.name for c in present])
    if keep_extra:
        extra = [c for c in df.columns if c not in out.columns and c != "_row"]
        out = pl.concat([out, df.select(extra)], how="horizontal")
    return out


def find_problems(df: pl.DataFrame, table: str | Table, *, first_row: int | None = 1) -> tuple[list[str], pl.DataFrame]:
    """Every problem in ``df`` against a contract (not just the first, as :func:`conform`
    raises): (missing required columns, a frame of ``_r`` (row), ``column``, ``rule``,
    ``reason``), one row per bad cell. Rules: ``type``, ``required``, ``allowed``,
    ``date_range``, ``minimum`` (:func:`_cell_rules`) and ``key``. Values are never echoed when CPR-shaped."""
    t = TABLES[table] if isinstance(table, str) else table
    rows = _row_numbers(df, first_row)
    missing = [c.name for c in t.columns if c.required and c.name not in df.columns]
    present = [c for c in t.columns if c.name in df.columns]
    base = df.with_columns(rows.alias("_r"))
    found = []
    schema: dict[Any, PolarsDataType] = {"_r": pl.Int64, "column": pl.String, "rule": pl.String, "reason": pl.String}
    for col in present:
        src = df.schema[col.name]
        orig = pl.col(col.name)
        blank = _blank(orig, src)
        if src == pl.String:
            new = (
                _parse(pl.when(blank).then(None).otherwise(orig), col)
                if col.dtype != pl.String
                else pl.when(blank).then(None).otherwise(orig.str.strip_chars())
            )
        else:
            new = orig.cast(col.dtype, strict=False) if src != pl.Null else orig.cast(col.dtype)
        shown = (
            pl.when(orig.cast(pl.String).str.contains(CPR_LIKE.pattern))
            .then(pl.lit("(a CPR-shaped value, not shown)"))
            .otherwise(pl.lit("'") + orig.cast(pl.String).str.slice(0, 60) + pl.lit("'"))
        )
        for rule, bad, expected, shows in _cell_rules(col, blank, new):
            reason = pl.lit(f"{expected}, found an empty value") if shows is None else pl.lit(f"{expected}, found ") + shown
            hit = base.filter(bad.fill_null(False)).select("_r", column=pl.lit(col.name), rule=pl.lit(rule), reason=reason)
            if hit.height:
                found.append(hit.cast(schema))
    if t.key and all(k in df.columns for k in t.key):
        dup = base.filter(pl.struct(list(t.key)).is_duplicated())
        if dup.height:
            found.append(
                dup.select("_r", column=pl.lit(t.key[-1]), rule=pl.lit("key"), reason=pl.lit(f"duplicated key: each {', '.join(t.key)} may appear once")).cast(
                    schema
                )
            )
    problems = pl.concat(found) if found else pl.DataFrame(schema=schema)
    return missing, problems.sort("_r", "column", "rule")


# --- rendering -------------------------------------------------------------------------------


def dtype_name(dt: PolarsDataType) -> str:
    if isinstance(dt, pl.List):
        return f"List({dtype_name(dt.inner)})"
    if isinstance(dt, pl.Decimal):
        return f"Decimal({dt.precision},{dt.scale})"
    names: dict[PolarsDataType, str] = {
        pl.String: "String",
        pl.Int16: "Int16",
        pl.Int32: "Int32",
        pl.Int64: "Int64",
        pl.Float64: "Float64",
        pl.Date: "Date",
        pl.Boolean: "Boolean",
        pl.Time: "Time",
    }
    return names.get(dt, str(dt))


def to_markdown(t: Table) -> str:
    lines = [f"## `{t.name}`", "", t.description, ""]
    if t.key:
        lines += [f"Key: {', '.join(f'`{k}`' for k in t.key)} (each combination once).", ""]
    lines += ["| column | type | null | unit | meaning |", "|---|---|---|---|---|"]
    for c in t.columns:
        meaning = c.description.replace("|", "\\|")
        if c.allowed:
            meaning += " Allowed: " + ", ".join(f"`{a}`" for a in c.allowed) + "."
        if c.minimum is not None:
            meaning += f" At least {c.minimum:g}."
        lines.append(f"| `{c.name}` | {dtype_name(c.dtype)} | {'yes' if c.nullable else 'no'} | {c.unit} | {meaning} |")
    for n in t.notes:
        lines += ["", n]
    return "\n".join(lines) + "\n"


def all_markdown() -> str:
    head = (
        "# Data contracts\n\n"
        "<!-- Generated by `tariffkit schema --markdown`; a test fails when this file and the code differ. -->\n\n"
        "Every table the commands exchange, as enforced by `tariffkit/contracts.py`. Money is "
        "`Decimal(18,2)` in Danish kroner (DKK), never float. CSV and Excel inputs are read as text "
        "and parsed as Danish numbers (`1.234,56`, trailing minus `1.234,56-`) and dates "
        "(`31-12-2025`, `31.12.2025`, `2025-12-31`, Excel serial dates); a value that does not parse "
        "is an error naming file, row and column, never a silent null.\n\n"
    )
    return head + "\n".join(to_markdown(t) for t in TABLES.values())


HAAP_BUDGET = _table(
    Table(
        "haap_budget",
        "Budgeted HÅP and average price per group, for `compute-haap --budget`: the same `--by` columns as the run it is compared with.",
        (
            Column("haap", F64, "Budgeted full-year persons.", minimum=0, unit="HÅP"),
            Column("average_price", MONEY, "Budgeted average price per HÅP.", minimum=0, unit="DKK/HÅP"),
        ),
    )
)
