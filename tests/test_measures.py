"""Two measures of a schedule's time (issue 24 part 2): citizen time, as BDO prints it, and
staff time, what the offer must staff; the level placed on the structure's measure; price × hours
= cost on either measure. Åse's legible lines (BDO, Thisted 2024, Bilag 2) give BDO's minutes."""

from decimal import ROUND_HALF_UP, Decimal

import polars as pl
import pytest

from tariffkit.ata import AssumptionSet, price_ata
from tariffkit.schedules import citizen_hours, line_time, parse_lines
from tariffkit.tariffs import parse_structure

BANDS = [
    {"level": 1, "min_hours": 0, "max_hours": 9},
    {"level": 2, "min_hours": 9, "max_hours": 15},
    {"level": 3, "min_hours": 15, "max_hours": 22},
    {"level": 4, "min_hours": 22, "max_hours": 30},
    {"level": 5, "min_hours": 30, "max_hours": 40},
]

# Åse's schedule as the seed prints it (thisted-bdo-analyse-2024.txt, Bilag 2), the nine legible
# lines in BDO's own notation: (no., paragraph, start, minutes, frequency, staffing, BDO's "Tid pr.
# dag", assessed minutes, assessed paragraph ("Ny §"), BDO's assessed "Tid pr. dag", skal drøftes)
ASE = [
    (1, "83/85", "07:00", 60, "Alle ugens 7 dage", "1:1", 60, 60, "83", 60, "Nej"),
    (2, "83/85", "07:00", 60, "Alle ugens 7 dage", "1:Flere", 60, None, None, None, "Nej"),
    (3, "83", "07:30", 10, "Alle ugens 7 dage", "1:1", 10, None, None, None, "Nej"),
    (4, "SUL", "07:30", 10, "2 x dagligt", "1:1", 20, None, None, None, "Nej"),
    (8, "85", "10:00", 60, "Weekend", "1:Flere", 17, None, None, None, "Ja"),
    (9, "83/85", "12:00", 60, "Weekend", "4:flere", 17, 60, "83", 17, "Nej"),
    (10, "83", "12:30", 10, "Alle ugens 7 dage", "1:1", 10, 10, "83", 10, "Nej"),
    (13, "85", "14:00", "45", "Fredag", "1:1", 6, None, None, None, "Ja"),
    (16, "83/85", "17:30", 60, "Alle ugens 7 dage", "4:flere", 60, 60, "83", 60, "Nej"),
]


def ase_lines() -> pl.DataFrame:
    rows = [
        {
            "_file": "aase.xlsx",
            "_row": i + 8,
            "citizen_id": "aase",
            "offer_id": "Botilbud",
            "line_no": str(n),
            "paragraph": par,
            "start_time": start,
            "minutes": str(m),
            "frequency": freq,
            "staffing": stf,
            "assessed_minutes": None if am is None else str(am),
            "assessed_paragraph": None if ap is None else f"Ny § {ap}",
            "to_discuss": td,
        }
        for i, (n, par, start, m, freq, stf, _, am, ap, _, td) in enumerate(ASE)
    ]
    good, problems = parse_lines(pl.DataFrame(rows))
    assert problems.height == 0, problems
    return good


def whole(x: float) -> int:
    return int(Decimal(str(x)).quantize(Decimal(1), ROUND_HALF_UP))


def test_ase_citizen_time_per_line_equals_bdo_tid_pr_dag():
    t = line_time(ase_lines()).collect().sort("line_no")
    assert [whole(v) for v in t["citizen_minutes_per_day"]] == [r[6] for r in ASE]
    assessed = {r[0]: r[9] for r in ASE if r[9] is not None}
    got = {n: whole(v) for n, v in zip(t["line_no"], t["citizen_minutes_per_day_assessed"]) if n in assessed}
    assert got == assessed
    # 60 minutes at weekends is 17 a day, not 60 and not 8.57 (2 of 7 days, time shared with 3)
    weekend = t.filter(pl.col("line_no") == 8).row(0, named=True)
    assert weekend["citizen_minutes_per_day"] == pytest.approx(120 / 7, abs=1e-4)
    assert weekend["staff_minutes_per_day"] == pytest.approx(120 / 7 / 3, abs=1e-4)  # 1:Flere: shared by three (shared_citizens)
    # 4:flere, assessed 60 minutes at weekends: four staff for three citizens, on the assessed minutes
    four = t.filter(pl.col("line_no") == 9).row(0, named=True)
    assert four["staff_minutes_per_day_assessed"] == pytest.approx(60 * 2 / 7 * 4 / 3, abs=1e-4)
    assert four["staff_minutes_per_day"] == pytest.approx(60 * 2 / 7 * 4 / 3, abs=1e-4)


def test_ase_in_bdo_notation_is_read():
    g = ase_lines().sort("line_no")
    assert g.filter(pl.col("line_no") == 13)["times_per_week"][0] == 1  # Fredag
    assert g.filter(pl.col("line_no") == 4)["times_per_week"][0] == 14  # 2 x dagligt
    assert g.filter(pl.col("line_no") == 9)["staff"][0] == 4  # 4:flere
    assert g["to_discuss"].sum() == 2
    assert set(g.filter(pl.col("assessed_paragraph").is_not_null())["assessed_paragraph"]) == {"SEL 83"}


def citizen(measure: str) -> dict:
    s = parse_structure({"levels": BANDS, "level_measure": measure})
    return citizen_hours(ase_lines(), s).collect().row(0, named=True)


def test_both_measures_are_shown_and_the_structure_says_which_places_the_level():
    staff, cit = citizen("staff"), citizen("citizen")
    for r in (staff, cit):  # both measures in both cases; only the level's hours follow the setting
        assert r["citizen_hours_all"] == pytest.approx((60 * 7 + 60 * 7 + 10 * 7 + 10 * 14 + 60 * 2 + 60 * 2 + 10 * 7 + 45 + 60 * 7) / 60)
        # ATA part after the assessment: 1, 9, 10, 16 moved to § 83; 3 is § 83, 4 SUL: left are 2, 8, 13
        assert r["citizen_hours_ata"] == pytest.approx((60 * 7 + 60 * 2 + 45) / 60)
        assert r["staff_hours_ata"] == pytest.approx((60 * 7 / 3 + 60 * 2 / 3 + 45) / 60)
        assert r["staff_hours_all"] < r["citizen_hours_all"]
    assert staff["hours_counted"] == pytest.approx(staff["staff_hours_ata"])
    assert cit["hours_counted"] == pytest.approx(cit["citizen_hours_ata"])
    assert cit["new_level"] == 2 and staff["new_level"] == 1  # 9.75 citizen hours, 3.75 staff hours a week


def test_an_unknown_level_measure_is_refused():
    from tariffkit.errors import DataError

    with pytest.raises(DataError, match="level_measure must be staff or citizen"):
        parse_structure({"levels": BANDS, "level_measure": "minutes"})


STAFF = pl.DataFrame(
    {
        "offer_id": ["A", "B"],
        "year": [2026, 2026],
        "category": ["trained", "trained"],
        "fte": [3.0, 2.0],
        "cost_per_fte": [Decimal("510000"), Decimal("480000")],
        "gives_ata": [True, True],
    }
).with_columns(pl.col("cost_per_fte").cast(pl.Decimal(18, 2)))
HOURS = pl.DataFrame({"offer_id": ["A", "A", "B"], "staff_hours_ata": [20.0, 10.0, 12.0], "citizen_hours_ata": [45.0, 15.0, 12.0]})


@pytest.mark.parametrize("measure", ["staff", "citizen"])
def test_price_times_hours_is_the_cost_on_either_measure(measure):
    r = price_ata(STAFF, AssumptionSet(), measure=measure, hours=HOURS if measure == "citizen" else None).sort("offer_id")
    for row in r.iter_rows(named=True):
        cost = float(row["direct_salary"])
        assert float(row["price_per_ata_hour"]) * row["ata_hours"] == pytest.approx(cost, abs=0.005 * row["ata_hours"])
    ratios = dict(zip(r["offer_id"], r["hours_ratio"]))
    assert ratios == ({"A": 2.0, "B": 1.0} if measure == "citizen" else {"A": 1.0, "B": 1.0})
    assert r["ata_hours"].to_list() == [round(h * ratios[o], 4) for o, h in zip(r["offer_id"], r["staff_ata_hours"])]


def test_citizen_measure_needs_the_offers_schedules():
    from tariffkit.errors import DataError, UsageError

    with pytest.raises(UsageError, match="needs `hours`"):
        price_ata(STAFF, AssumptionSet(), measure="citizen")
    with pytest.raises(DataError, match="offer B has no schedules"):
        price_ata(STAFF, AssumptionSet(), measure="citizen", hours=HOURS.filter(pl.col("offer_id") == "A"))


def test_placed_hours_times_price_is_the_cost_when_the_schedules_fill_the_staff():
    """The budget's two rows: staff capacity and hours placed from the schedules, on one measure:
    when the schedules use exactly the staff's hours, price × placed hours = the direct salary."""
    s = parse_structure({"levels": BANDS, "level_measure": "citizen"})
    h = citizen_hours(ase_lines(), s).collect()
    weeks = 52
    for measure in ("staff", "citizen"):
        need = h["staff_hours_ata"][0] * weeks  # staff hours a year the schedule needs
        a = AssumptionSet().default
        staff = STAFF.filter(pl.col("offer_id") == "A").with_columns(offer_id=pl.lit("Botilbud"), fte=pl.lit(need / a.ata_per_fte()))
        r = price_ata(staff, AssumptionSet(), measure=measure, hours=h).row(0, named=True)
        placed = h[f"{measure}_hours_ata"][0] * weeks
        assert float(r["price_per_ata_hour"]) * placed == pytest.approx(float(r["direct_salary"]), rel=1e-5)


def test_a_shortened_line_counts_the_caseworkers_minutes_and_shows_both():
    """Line 2 shortened from 60 to 30 minutes: its assessed time a day is 30, its registered 60."""
    lines = ase_lines().with_columns(assessed_minutes=pl.when(pl.col("line_no") == 2).then(30).otherwise(pl.col("assessed_minutes")))
    t = line_time(lines).collect().filter(pl.col("line_no") == 2).row(0, named=True)
    assert (t["citizen_minutes_per_day"], t["citizen_minutes_per_day_assessed"]) == (60, 30)
    assert t["staff_minutes_per_day_assessed"] == pytest.approx(30 / 3, abs=1e-4)  # 1:Flere: shared by three
