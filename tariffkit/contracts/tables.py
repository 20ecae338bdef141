"""Every table the commands exchange, registered in ``TABLES`` in this order. Money is
``Decimal(18,2)`` DKK (:data:`tariffkit.danish.MONEY`), never float."""

from __future__ import annotations

import polars as pl

from tariffkit.contracts.model import BASES, COST_GROUPS, F64, I16, I32, I64, KINDS, ORIGINS, PROVIDERS, STAFF_CATEGORIES, B, Column, D, S, T, Table, _table
from tariffkit.danish import MONEY

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
