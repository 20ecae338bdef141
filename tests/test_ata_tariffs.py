"""price-ata and tariff-build: the reference case, budget neutrality, carry-over, errors."""

from decimal import Decimal

import polars as pl
import pytest
from conftest import SAMPLE
from hypothesis import given, settings
from hypothesis import strategies as st

from tariffkit.ata import Assumptions, AssumptionSet, price_ata
from tariffkit.errors import DataError
from tariffkit.tariffs import Level, Structure, build, parse_structure

REF = SAMPLE / "reference"


def test_reference_ata_price_501(run, tmp_path):
    out = tmp_path / "ata.parquet"
    r = run("price-ata", REF / "staff.csv", "--assumptions", REF / "ata-assumptions.toml", "--costs", REF / "costs.csv", "-o", out, "--explain")
    assert r.exit_code == 0, r.output
    row = pl.read_parquet(out).row(0, named=True)
    assert row["ata_fte"] == pytest.approx(42.08)
    assert row["fte"] == pytest.approx(46.29)
    assert round(row["ata_hours"]) == 50_967
    assert row["cost_basis"] == Decimal("25528776.00")
    assert round(row["full_price_per_ata_hour"]) == 501
    assert "50.967 ATA hours" in r.output  # the --explain audit trail


def test_ata_derivation_from_absence():
    a = Assumptions()
    assert a.attendance() == pytest.approx(1924 - 185 - 37 - 66.6 - 96.2 - 22.2)
    assert a.ata_per_fte() == pytest.approx(a.attendance() * 0.8)
    staff = pl.DataFrame(
        {
            "offer_id": ["X", "X"],
            "year": [2026, 2026],
            "category": ["trained", "management"],
            "fte": [10.0, 1.0],
            "cost_per_fte": [Decimal("500000"), Decimal("700000")],
            "gives_ata": [True, False],
        }
    ).with_columns(pl.col("cost_per_fte").cast(pl.Decimal(18, 2)))
    table = price_ata(staff, AssumptionSet(a))
    r = table.row(0, named=True)
    assert r["direct_salary"] == Decimal("5000000.00")
    # without cost lines the full price is unknown: empty, but still money (a notebook can stack it on priced years)
    from tariffkit.contracts import ATA_PRICES

    assert r["cost_basis"] is None and r["full_price_per_ata_hour"] is None
    assert [table.schema[c] for c in ("cost_basis", "full_price_per_ata_hour")] == [ATA_PRICES.schema[c] for c in ("cost_basis", "full_price_per_ata_hour")]
    assert float(r["price_per_ata_hour"]) == pytest.approx(5_000_000 / (10 * a.ata_per_fte()), abs=0.005)


def test_per_offer_override(run, tmp_path):
    toml = tmp_path / "a.toml"
    toml.write_text("indirect_share = 0.2\n[offers.T102]\nindirect_share = 0.5\n")
    out = tmp_path / "o.parquet"
    assert run("price-ata", SAMPLE / "staff.csv", "--assumptions", toml, "-o", out).exit_code == 0
    df = pl.read_parquet(out)
    t101, t102 = (df.filter(pl.col("offer_id") == o)["ata_hours_per_fte"][0] for o in ("T101", "T102"))
    assert t102 == pytest.approx(t101 * 0.5 / 0.8)


def test_init_writes_a_loadable_template(run, tmp_path):
    r = run("price-ata", "--init")
    assert r.exit_code == 0 and "norm_hours_per_fte = 1924.0" in r.output
    import tomllib

    from tariffkit.ata import parse_assumptions

    assert parse_assumptions(tomllib.loads(r.output)).default == Assumptions()


def test_reference_tariff_basis_and_neutrality(run, tmp_path):
    out, card = tmp_path / "t.parquet", tmp_path / "card.toml"
    r = run(
        "tariff-build",
        "--structure",
        REF / "levels.toml",
        "--costs",
        REF / "costs.csv",
        "--haap",
        REF / "expected-haap.csv",
        "--year",
        "2024",
        "-o",
        out,
        "--card",
        card,
    )
    assert r.exit_code == 0, r.output
    assert "tariff basis 29.446.776 kr" in r.output
    t = pl.read_parquet(out).filter(pl.col("tariff_kind") == "level").sort("level")
    haap = [0, 1, 17, 8, 13]
    income = sum(Decimal(h) * a for h, a in zip(haap, t["annual_tariff"]))
    import tomllib

    c = tomllib.loads(card.read_text())["offers"]["A"]
    assert c["tariff_basis"] == "29446776.00"
    supplements = Decimal(c["price_per_weekly_hour"]) * 60
    assert abs(income + supplements - Decimal("29446776")) < 39, "residue below 1 kr per citizen"
    assert t["annual_tariff"].is_sorted() and t["annual_tariff"].n_unique() == 5
    assert "no expected citizens on level 1" in r.output


def costs_frame(var, fixed, carried=0, offer="X", year=2026):
    rows = [
        ("staff_trained", "variable_staff", True, var),
        ("rent", "fixed_central", False, fixed),
        ("result_two_years_earlier", "carried_result", False, carried),
    ]
    return pl.DataFrame(
        {
            "offer_id": offer,
            "year": year,
            "basis": "tariff_budget",
            "line": [r[0] for r in rows],
            "label": None,
            "group": [r[1] for r in rows],
            "follows_ata": [r[2] for r in rows],
            "amount": [Decimal(str(r[3])) for r in rows],
        },
        schema_overrides={"amount": pl.Decimal(18, 2), "year": pl.Int32, "label": pl.String},
    )


FIVE = Structure(tuple(Level(i + 1, lo, hi) for i, (lo, hi) in enumerate([(0, 9), (9, 15), (15, 22), (22, 30), (30, 40)])))


def expected(haaps, offer="X", supp=0.0):
    return pl.DataFrame(
        {"offer_id": offer, "level": list(range(1, len(haaps) + 1)), "haap": haaps, "supplement_hours": [0.0] * (len(haaps) - 1) + [supp]},
        schema_overrides={"level": pl.Int16},
    )


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.floats(0, 40), min_size=5, max_size=5).filter(lambda h: sum(h) > 0.5),
    st.integers(1_000_000, 60_000_000),
    st.integers(0, 20_000_000),
    st.integers(-2_000_000, 3_000_000),
    st.floats(0, 50),
)
def test_budget_neutrality_property(haaps, var, fixed, carried, supp):
    if fixed + carried < 0:
        return
    df, res = build(FIVE, costs_frame(var, fixed, carried), expected(haaps, supp=supp), 2026)
    r = res[0]
    assert r.tariff_basis == Decimal(var + fixed + carried)
    assert abs(r.residue) < Decimal(str(max(sum(haaps), 1))), "residue below 1 kr per expected citizen"
    t = df.filter(pl.col("tariff_kind") == "level")["annual_tariff"]
    assert t.is_sorted()


def test_carry_over_with_and_without_cap():
    c = costs_frame(10_000_000, 2_000_000, carried=400_000)  # 3.3 % of the 12 mio. cost basis
    _, [r] = build(FIVE, c, expected([1, 2, 3, 2, 1]), 2026)
    assert r.tariff_basis == Decimal("12400000") and r.carried_kept == 0
    _, [r] = build(FIVE, c, expected([1, 2, 3, 2, 1]), 2026, carry_cap=0.05)
    assert r.tariff_basis == Decimal("12000000") and r.carried_kept == Decimal("400000")
    c = costs_frame(10_000_000, 2_000_000, carried=-900_000)  # a 7.5 % surplus is carried
    _, [r] = build(FIVE, c, expected([1, 2, 3, 2, 1]), 2026, carry_cap=0.05)
    assert r.tariff_basis == Decimal("11100000")


@pytest.mark.parametrize(
    "levels,msg",
    [
        ([(1, 0, 10), (2, 9, 15)], "overlap"),
        ([(1, 0, 9), (2, 10, 15)], "gap between levels 1 and 2"),
        ([(1, 0, 9), (2, 15, 9)], "empty or reversed"),
        ([(1, 0, 9), (3, 9, 15)], "numbered 1"),
    ],
)
def test_structure_errors(levels, msg):
    d = {"levels": [{"level": a, "min_hours": b, "max_hours": c} for a, b, c in levels]}
    with pytest.raises(DataError, match=msg):
        parse_structure(d)


def test_no_expected_citizens_and_negative_fixed_part():
    with pytest.raises(DataError, match="no expected citizens"):
        build(FIVE, costs_frame(1_000_000, 100), expected([0, 0, 0, 0, 0]), 2026)
    with pytest.raises(DataError, match="fixed part is negative"):
        build(FIVE, costs_frame(1_000_000, 100, carried=-500_000), expected([1, 1, 1, 1, 1]), 2026)


def test_tariffs_must_increase():
    s = Structure(FIVE.levels[:2], representative_hours="configured")
    s = Structure((Level(1, 0, 9, 8.0), Level(2, 9, 15, 5.0)), representative_hours="configured")
    with pytest.raises(DataError, match="do not increase"):
        build(s, costs_frame(1_000_000, 100_000), expected([1, 1]), 2026)


def test_level_boundaries_lower_inclusive_upper_exclusive():
    assert FIVE.level_of(0) == (1, False)
    assert FIVE.level_of(8.99) == (1, False)
    assert FIVE.level_of(9) == (2, False)
    assert FIVE.level_of(39.9) == (5, False)
    assert FIVE.level_of(40) == (5, True)
    banded = Structure((Level(1, 2, 9), Level(2, 9, 15), Level(3, 15, 20)))  # no band below 2 hours
    assert banded.level_of(1.5) == (1, False)  # below the first band: the first level, not a 5+ case
    assert banded.level_of(20) == (3, True) and banded.level_of(19.99) == (3, False)


def test_citizen_hours_per_staff_hour_per_offer():
    from tariffkit.ata import hours_ratio

    hours = pl.DataFrame(
        {
            "offer_id": ["A", "A", "B", "C", "D", "E"],
            "staff_hours_ata": [2.0, None, 0.0, 3.0, 0.5, None],
            "citizen_hours_ata": [1.0, 1.0, 5.0, None, 1.0, 4.0],
        }
    )
    got = dict(hours_ratio(hours).sort("offer_id").iter_rows())
    # A: 2 citizen hours on 2 staff hours (a missing staff figure counts 0); B, E: no staff hours, no ratio;
    # C: no citizen hours, 0; D: 2 citizen hours per staff hour; rounded to 6 decimals
    assert got == {"A": 1.0, "C": 0.0, "D": 2.0}
    third = hours_ratio(pl.DataFrame({"offer_id": ["F"], "staff_hours_ata": [3.0], "citizen_hours_ata": [1.0]}))
    assert third["hours_ratio"][0] == 0.333333


def test_the_explained_ata_hours_add_up():
    a = Assumptions()
    lines = a.explain()
    sick = next(ln for ln in lines if "sickness" in ln)
    assert sick.split()[-1] == f"{a.sickness_share * a.norm_hours_per_fte:.1f}"
    indirect = next(ln for ln in lines if "indirect time" in ln)
    assert indirect.split()[-1] == f"{a.attendance() * a.indirect_share:.1f}"
    assert lines[0].startswith("  norm hours per FTE") and lines[-1].split()[-1] == f"{a.ata_per_fte():.1f}"
    assert len(lines) == 9
    fixed = Assumptions(ata_hours_per_fte=1200.0).explain()
    assert len(fixed) == 8 and fixed[-1] == f"  ATA hours per FTE (fixed)     {1200.0:10.1f}" and not any("indirect" in ln for ln in fixed)


def test_chain_price_ata_to_tariff_build_on_sample(run, tmp_path):
    pay, haap, ata, tar = (tmp_path / f"{n}.parquet" for n in ("p", "h", "a", "t"))
    assert run("import-dss", SAMPLE / "dss-udtraek-2026-09.csv", "-o", pay).exit_code == 0
    assert run("compute-haap", pay, "--year", "2026", "--by", "offer_id,level", "-o", haap).exit_code == 0
    assert run("price-ata", SAMPLE / "staff.csv", "--assumptions", SAMPLE / "ata-assumptions.toml", "--costs", SAMPLE / "costs.csv", "-o", ata).exit_code == 0
    r = run(
        "tariff-build", "--structure", SAMPLE / "levels.toml", "--costs", SAMPLE / "costs.csv", "--haap", haap, "--ata-prices", ata, "--year", "2026", "-o", tar
    )
    assert r.exit_code == 0, r.output
    t = pl.read_parquet(tar)
    assert set(t["offer_id"]) == {"T101", "T102", "T103", "T104", "T105"}
    assert "ignored: E201, E202, E203" in r.output


def test_tariff_build_bad_inputs_named(run, tmp_path):
    bad = tmp_path / "levels.toml"
    bad.write_text("[[levels]]\nlevel = 1\nmin_hours = 0\nmax_hours = 10\n[[levels]]\nlevel = 2\nmin_hours = 8\nmax_hours = 20\n")
    out = tmp_path / "t.parquet"
    r = run("tariff-build", "--structure", bad, "--costs", REF / "costs.csv", "--haap", REF / "expected-haap.csv", "--year", "2024", "-o", out)
    assert r.exit_code == 1 and "levels.toml" in r.output and "overlap" in r.output and not out.exists()
    h = tmp_path / "h.csv"
    h.write_text("offer_id;level;haap\nA;1;x\n")
    r = run("tariff-build", "--structure", REF / "levels.toml", "--costs", REF / "costs.csv", "--haap", h, "--year", "2024", "-o", out)
    assert r.exit_code == 1 and "h.csv, row 2, column haap" in r.output


def placed(rows):
    """A minimal reassignments frame: (offer_id, new_level, hours_counted)."""
    return pl.DataFrame(
        {"offer_id": [r[0] for r in rows], "new_level": [r[1] for r in rows], "hours_counted": [r[2] for r in rows]}, schema_overrides={"new_level": pl.Int16}
    )


def test_mean_of_placed_uses_the_placed_citizens_hours():
    from tariffkit.tariffs import placed_hours

    s = Structure(FIVE.levels, representative_hours="mean_of_placed")
    ph = placed_hours(placed([("X", 1, 2.0), ("X", 1, 4.0), ("X", 2, 10.0), ("X", 3, 16.0), ("X", 4, 23.0), ("X", 5, 31.0), ("X", 5, 55.0), ("Y", 1, 8.0)]), s)
    x = dict(ph.filter(pl.col("offer_id") == "X").select("level", "hours").iter_rows())
    # level 1: (2 + 4) / 2; level 5: 31 and 55 capped at the band's top (40), the rest is 5+ supplement
    assert x == {1: 3.0, 2: 10.0, 3: 16.0, 4: 23.0, 5: 35.5}
    assert dict(ph.filter(pl.col("offer_id") == "*").select("level", "hours").iter_rows())[1] == pytest.approx((2 + 4 + 8) / 3, abs=1e-4)
    df, [r] = build(s, costs_frame(10_000_000, 2_000_000), expected([2, 1, 1, 1, 2]), 2026, placed=ph)
    t = df.filter(pl.col("tariff_kind") == "level")
    assert t["hours"].to_list() == [3.0, 10.0, 16.0, 23.0, 35.5]
    # the ATA part is proportional to those hours, and the tariffs still carry the basis
    p = r.price_per_weekly_hour
    assert abs(t["ata_part"][4] - p * Decimal("35.5")) <= 1
    assert abs(r.residue) < 7


def test_mean_of_placed_falls_back_to_midpoint_for_an_empty_level_and_needs_the_hours():
    from tariffkit.errors import UsageError
    from tariffkit.tariffs import placed_hours

    s = Structure(FIVE.levels, representative_hours="mean_of_placed")
    ph = placed_hours(placed([("X", 1, 2.0), ("X", 2, 10.0), ("X", 3, 16.0), ("X", 5, 31.0)]), s)
    df, [r] = build(s, costs_frame(10_000_000, 2_000_000), expected([2, 1, 1, 1, 2]), 2026, placed=ph)
    assert df.filter(pl.col("level") == 4)["hours"][0] == 26.0
    assert any("nobody placed on level 4" in w for w in r.warnings)
    with pytest.raises(UsageError, match="`placed_hours`"):
        build(s, costs_frame(10_000_000, 2_000_000), expected([2, 1, 1, 1, 2]), 2026)


def test_sample_chain_mean_of_placed_and_assumed_occupancy_on_the_card(run, tmp_path):
    import tomllib

    pay, haap, hours, tar, card = (tmp_path / n for n in ("p.parquet", "h.parquet", "hours.parquet", "t.parquet", "card.toml"))
    assert run("import-dss", SAMPLE / "dss-udtraek-2026-09.csv", "--key-file", SAMPLE / "demo.key", "-o", pay).exit_code == 0
    assert run("compute-haap", pay, "--year", "2026", "--by", "offer_id,level", "-o", haap).exit_code == 0
    r = run("reassign", SAMPLE / "doegnskemaer.csv", "--structure", SAMPLE / "levels.toml", "--key-file", SAMPLE / "demo.key", "-o", hours)
    assert r.exit_code == 0, r.output
    assert "nothing priced" in r.output and "no_tariff" not in r.output
    r = run(
        "tariff-build",
        "--structure",
        SAMPLE / "levels.toml",
        "--representative-hours",
        "mean_of_placed",
        "--placed-hours",
        hours,
        "--costs",
        SAMPLE / "costs.csv",
        "--haap",
        haap,
        "--offers",
        SAMPLE / "offers.csv",
        "--year",
        "2026",
        "-o",
        tar,
        "--card",
        card,
    )
    assert r.exit_code == 0, r.output
    t = pl.read_parquet(tar).filter(pl.col("tariff_kind") == "level")
    re = pl.read_parquet(hours).filter(pl.col("offer_id") == "T101", pl.col("new_level") == 2)
    assert t.filter(pl.col("offer_id") == "T101", pl.col("level") == 2)["hours"][0] == pytest.approx(re["hours_counted"].mean(), abs=1e-4)
    c = tomllib.loads(card.read_text())
    h = pl.read_parquet(haap).filter(pl.col("offer_id") == "T101")["haap"].sum()
    assert c["representative_hours"] == "mean_of_placed"
    places = int(pl.read_csv(SAMPLE / "offers.csv", separator=";", infer_schema=False).filter(pl.col("offer_id") == "T101")["places"][0])
    assert c["offers"]["T101"]["places"] == places
    assert c["offers"]["T101"]["assumed_occupancy"] == pytest.approx(h / places, abs=1e-4)
    assert "assumed occupancy" in r.output


def test_direct_salary_is_fte_times_cost_rounded_once_in_exact_decimals():
    """0.3 FTE × 100.05 kr = 30.015 kr → 30.02 (as floats 30.01499…: 30.01)."""
    staff = pl.DataFrame(
        {"offer_id": ["X"], "year": [2026], "category": ["trained"], "fte": [0.3], "cost_per_fte": [Decimal("100.05")], "gives_ata": [True]}
    ).with_columns(pl.col("cost_per_fte").cast(pl.Decimal(18, 2)))
    r = price_ata(staff, AssumptionSet(Assumptions())).row(0, named=True)
    assert r["direct_salary"] == Decimal("30.02")


def test_price_per_attendance_hour_is_salary_over_the_attendance_hours_not_the_ata_hours():
    """price_per_attendance_hour = direct salary ÷ (ATA FTE × attendance hours per FTE), to the
    øre; price_per_ata_hour divides by the (fewer) ATA hours."""
    from tariffkit.money import ore

    a = Assumptions()
    staff = pl.DataFrame(
        {"offer_id": ["X"], "year": [2026], "category": ["trained"], "fte": [10.0], "cost_per_fte": [Decimal("500000")], "gives_ata": [True]}
    ).with_columns(pl.col("cost_per_fte").cast(pl.Decimal(18, 2)))
    r = price_ata(staff, AssumptionSet(a)).row(0, named=True)
    attendance = Decimal(str(round(a.attendance(), 6)))
    ata = Decimal(str(round(a.ata_per_fte(), 6)))
    assert r["price_per_attendance_hour"] == ore(Decimal(5_000_000) / (10 * attendance))
    assert r["price_per_ata_hour"] == ore(Decimal(5_000_000) / (10 * ata))
    assert r["price_per_ata_hour"] > r["price_per_attendance_hour"]


@pytest.mark.parametrize("fte, priced", [(0.5, True), (1.0, True), (0.0, False)])
def test_an_offer_with_less_than_one_ata_fte_still_has_its_prices(fte, priced):
    """Half an FTE giving ATA is a price per ATA hour and per attendance hour; none is no price
    (not a division by zero)."""
    a = Assumptions()
    staff = pl.DataFrame(
        {"offer_id": ["X"], "year": [2026], "category": ["trained"], "fte": [fte], "cost_per_fte": [Decimal("500000")], "gives_ata": [True]}
    ).with_columns(pl.col("cost_per_fte").cast(pl.Decimal(18, 2)))
    r = price_ata(staff, AssumptionSet(a)).row(0, named=True)
    if priced:
        assert float(r["price_per_attendance_hour"]) == pytest.approx(500_000 / a.attendance(), abs=0.005)
        assert float(r["price_per_ata_hour"]) == pytest.approx(500_000 / a.ata_per_fte(), abs=0.005)
    else:
        assert r["price_per_attendance_hour"] is None and r["price_per_ata_hour"] is None
