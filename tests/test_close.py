"""The annual close (close-year), the tariff rules (carry, set-aside) and the settlement.

The worked case below follows one offer, "X", over three years; every figure is written out
by hand so a reader can check it without the code."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import polars as pl
import pytest

from tariffkit.close import close_year
from tariffkit.errors import DataError
from tariffkit.rules import TODAY, CarryRule, TariffRules, parse_rules, split
from tariffkit.tariffs import Level, Structure, build

D = Decimal
SAMPLE = __import__("pathlib").Path(__file__).parent.parent / "sample-data"

# The frame agreement's rule: a surplus up to 5 % of the tariff basis is set aside (use within
# 5 years), the part beyond it and every deficit are carried into year t + 2.
FRAME = TariffRules("frame", "1", "test", surplus=CarryRule("beyond_cap", D("0.05"), True), deficit=CarryRule("all"), cap_of="tariff_basis")
ONE_LEVEL = Structure((Level(1, 0, 100),), days_per_year=365)


def costs(year, amount, carried=0, offer="X", basis="actual"):
    rows = [("rent", "fixed_offer", False, amount), ("result_two_years_earlier", "carried_result", False, carried)]
    return pl.DataFrame(
        {
            "offer_id": offer,
            "year": year,
            "basis": basis,
            "line": [r[0] for r in rows],
            "label": None,
            "group": [r[1] for r in rows],
            "follows_ata": [r[2] for r in rows],
            "amount": [D(str(r[3])) for r in rows],
        },
        schema_overrides={"amount": pl.Decimal(18, 2), "year": pl.Int32, "label": pl.String},
    )


def tariffs(year, annual, offer="X"):
    return pl.DataFrame(
        {
            "offer_id": [offer],
            "year": [year],
            "tariff_kind": ["level"],
            "level": [1],
            "min_hours": [0.0],
            "max_hours": [None],
            "hours": [50.0],
            "annual_tariff": [D(annual)],
            "monthly_tariff": [D(annual) / 12],
            "daily_tariff": [(D(annual) / 365).quantize(D("0.01"))],
            "fixed_part": [D(annual)],
            "ata_part": [D(0)],
            "price_per_weekly_hour": [D(0)],
        },
        schema_overrides={
            "level": pl.Int16,
            "year": pl.Int32,
            "max_hours": pl.Float64,
            **{c: pl.Decimal(18, 2) for c in ("annual_tariff", "monthly_tariff", "daily_tariff", "fixed_part", "ata_part", "price_per_weekly_hour")},
        },
    )


def occupancy(haap, offer="X", other=0.0):
    rows = [(offer, 1, "own", haap)] + ([(offer, 1, "other", other)] if other else [])
    return pl.DataFrame(
        {
            "offer_id": [r[0] for r in rows],
            "level": [r[1] for r in rows],
            "origin": [r[2] for r in rows],
            "source": "placements",
            "period": "x",
            "citizens": 1,
            "haap": [r[3] for r in rows],
        },
        schema_overrides={"level": pl.Int16},
    )


def one(results, year):
    return results.filter(pl.col("year") == year).row(0, named=True)


# --- the worked case ---------------------------------------------------------------------------


def test_worked_case_three_years_of_one_offer():
    # 2024: cost basis 10,000,000, nothing carried in, so the tariff basis is 10,000,000.
    # 10 HÅP at the 2024 tariff of 1,050,000 → income 10,500,000; result +500,000.
    # The cap is 5 % of the tariff basis = 500,000: the surplus is exactly at the cap, so all
    # of it is set aside (to be used by 2029) and nothing is carried.
    r24 = close_year(costs(2024, 10_000_000), occupancy(10.0), tariffs(2024, "1050000"), FRAME, 2024).results
    x = one(r24, 2024)
    assert (x["cost_basis"], x["tariff_basis"], x["income"], x["result"]) == (D("10000000"), D("10000000"), D("10500000"), D("500000"))
    assert (x["carried"], x["carry_into_year"], x["set_aside"], x["set_aside_use_by"], x["kept"]) == (D(0), None, D("500000"), 2029, D(0))

    # 2025: cost basis 10,200,000; 9.5 HÅP at 1,070,000 → income 10,165,000; result −35,000.
    # A deficit is carried in full into 2027's tariff basis (+35,000 raises it).
    r25 = close_year(costs(2025, 10_200_000), occupancy(9.5), tariffs(2025, "1070000"), FRAME, 2025, history=r24).results
    x = one(r25, 2025)
    assert (x["income"], x["result"], x["carried"], x["carry_into_year"], x["set_aside"]) == (D("10165000"), D("-35000"), D("35000"), 2027, D(0))
    assert r25.height == 2 and one(r25, 2024)["set_aside"] == D("500000")  # the history kept

    # 2026: nothing was carried into 2026 (2024's surplus was set aside). Cost basis
    # 10,400,000; 10 HÅP at 1,040,000 → income 10,400,000; result 0: nothing to split.
    r26 = close_year(costs(2026, 10_400_000), occupancy(10.0), tariffs(2026, "1040000"), FRAME, 2026, history=r25).results
    x = one(r26, 2026)
    assert (x["carried_in"], x["result"], x["carried"], x["set_aside"], x["kept"]) == (D(0), D(0), D(0), D(0), D(0))

    # 2027's tariffs: cost basis 10,600,000 + 2025's deficit 35,000 = tariff basis 10,635,000;
    # 10 expected HÅP → a tariff of 1,063,500.
    exp = pl.DataFrame({"offer_id": ["X"], "level": [1], "haap": [10.0]}, schema_overrides={"level": pl.Int16})
    t27, built = build(ONE_LEVEL, costs(2027, 10_600_000, basis="tariff_budget"), exp, 2027, results=r26)
    assert built[0].tariff_basis == D("10635000") and t27.filter(pl.col("tariff_kind") == "level")["annual_tariff"][0] == D("1063500")


def test_surplus_beyond_the_cap_is_carried_and_enters_the_close_of_its_year():
    # 2024: income 11,000,000 on a tariff basis of 10,000,000: result +1,000,000. The cap is
    # 500,000: 500,000 set aside, the 500,000 beyond it carried into 2026 (−500,000 lowers it).
    r24 = close_year(costs(2024, 10_000_000), occupancy(10.0), tariffs(2024, "1100000"), FRAME, 2024).results
    x = one(r24, 2024)
    assert (x["result"], x["carried"], x["carry_into_year"], x["set_aside"]) == (D("1000000"), D("-500000"), 2026, D("500000"))
    # 2026: tariff basis = 10,400,000 − 500,000 = 9,900,000; income 10 × 990,000 = 9,900,000: result 0.
    r26 = close_year(costs(2026, 10_400_000), occupancy(10.0), tariffs(2026, "990000"), FRAME, 2026, history=r24).results
    x = one(r26, 2026)
    assert (x["carried_in"], x["tariff_basis"], x["result"]) == (D("-500000"), D("9900000"), D(0))


def test_the_results_always_add_up():
    for income in ("900000", "1000000", "1049999", "1050000", "1050001", "1200000"):
        for rules in (FRAME, TODAY):
            x = one(close_year(costs(2024, 10_000_000), occupancy(10.0), tariffs(2024, income), rules, 2024).results, 2024)
            assert x["result"] == x["income"] - x["tariff_basis"]
            assert x["result"] == -x["carried"] + x["set_aside"] + x["kept"]


# --- the carry rules at their boundaries --------------------------------------------------------


@pytest.mark.parametrize(
    "rule,result,carried,rest",
    [
        # cap = 5 % of a cost basis of 1,000,000 = 50,000
        ("all", "50000", "-50000", "0"),
        ("beyond_cap", "30000", "0", "30000"),  # within the cap: nothing carried
        ("beyond_cap", "50000", "0", "50000"),  # at the cap: nothing beyond it
        ("beyond_cap", "50000.01", "-0.01", "50000"),  # one øre beyond
        ("all_or_nothing", "50000", "0", "50000"),  # at the cap: stays (today's carry_cap rule)
        ("all_or_nothing", "50000.01", "-50000.01", "0"),
        ("none", "70000", "0", "70000"),
        ("beyond_cap", "-50000.01", "0.01", "-50000"),  # a deficit under the same rule: beyond the cap carried
    ],
)
def test_carry_rules_at_the_cap(rule, result, carried, rest):
    side = CarryRule(rule, D("0.05"))
    s = split(D(result), D("1000000"), D("1000000"), TariffRules("t", "1", "t", surplus=side, deficit=side))
    assert s.carried == D(carried) and s.kept == D(rest) and s.set_aside == 0


def test_set_aside_or_kept_and_the_cap_of_the_tariff_basis():
    s = split(D("60000"), D("1000000"), D("1200000"), FRAME)  # cap 5 % of the tariff basis 1,200,000 = 60,000
    assert (s.carried, s.set_aside, s.kept) == (D(0), D("60000"), D(0))
    s = split(D("60000"), D("1000000"), D("1200000"), TariffRules("t", "1", "t", surplus=CarryRule("beyond_cap", D("0.05"))))  # cost basis: 50,000
    assert (s.carried, s.set_aside, s.kept) == (D("-10000"), D(0), D("50000"))


def test_an_expired_set_aside_is_flagged():
    r24 = close_year(costs(2024, 10_000_000), occupancy(10.0), tariffs(2024, "1050000"), FRAME, 2024).results  # 500,000 set aside, use by 2029
    r29 = close_year(costs(2029, 10_000_000), occupancy(10.0), tariffs(2029, "1000000"), FRAME, 2029, history=r24).results
    assert not one(r29, 2024)["set_aside_expired"]  # 2029 is the last year to use it
    r30 = close_year(costs(2030, 10_000_000), occupancy(10.0), tariffs(2030, "1000000"), FRAME, 2030, history=r29).results
    assert one(r30, 2024)["set_aside_expired"]
    used = r29.with_columns(set_aside_used=pl.when(pl.col("year") == 2024).then(pl.col("set_aside")).otherwise(pl.col("set_aside_used")))
    r30 = close_year(costs(2030, 10_000_000), occupancy(10.0), tariffs(2030, "1000000"), FRAME, 2030, history=used).results
    assert not one(r30, 2024)["set_aside_expired"]  # used up: nothing expires


# --- settlement ---------------------------------------------------------------------------------


def test_settlement_per_paying_municipality():
    # One citizen from Nabo Kommune on level 1 all of 2024 (366 days: a leap year) beside 9 HÅP
    # of our own. The daily tariff is annual / 365 (billing's rule): at the 2024 tariff of
    # 1,050,000 it is 2,876.71, so 366 days were billed 1,052,875.86. Recomputed on the actual
    # cost basis 10,000,000 and 10 HÅP: 1,000,000 a year, daily 2,739.73; 366 days give
    # 1,002,741.18. The difference, −50,134.68, is owed to Nabo Kommune.
    stays = pl.DataFrame(
        {
            "citizen_id": ["p1"],
            "offer_id": ["X"],
            "level": [1],
            "valid_from": [dt.date(2024, 1, 1)],
            "valid_to": [dt.date(2024, 12, 31)],
            "origin": ["other"],
            "municipality": ["Nabo Kommune"],
            "acting_municipality": ["Nabo Kommune"],
        },
        schema_overrides={"level": pl.Int16},
    )
    res = close_year(costs(2024, 10_000_000), occupancy(9.0, other=1.0), tariffs(2024, "1050000"), FRAME, 2024, structure=ONE_LEVEL, placements=stays)
    assert res.recomputed.filter(pl.col("tariff_kind") == "level")["annual_tariff"][0] == D("1000000")
    s = res.settlement.row(0, named=True)
    assert (s["paying_municipality"], s["days"], s["billed"], s["recomputed"], s["difference"]) == (
        "Nabo Kommune",
        366,
        D("1052875.86"),
        D("1002741.18"),
        D("-50134.68"),
    )
    x = one(res.results, 2024)
    assert x["income_places_other"] == D("1050000") and x["haap_other"] == 1.0


# --- bad input ----------------------------------------------------------------------------------


def test_no_tariffs_for_the_year_is_refused():
    with pytest.raises(DataError, match="no level tariffs for 2024"):
        close_year(costs(2024, 1), occupancy(1.0), tariffs(2023, "1"), FRAME, 2024)


def test_a_year_closed_twice_with_other_figures_is_refused_unless_replaced():
    r = close_year(costs(2024, 10_000_000), occupancy(10.0), tariffs(2024, "1050000"), FRAME, 2024).results
    same = close_year(costs(2024, 10_000_000), occupancy(10.0), tariffs(2024, "1050000"), FRAME, 2024, history=r).results
    assert same.equals(r)
    with pytest.raises(DataError, match=r"2024 is already closed .*\(offer X\).*--replace|2024 is already closed .*\(offer X\).*`replace`"):
        close_year(costs(2024, 10_000_000), occupancy(9.0), tariffs(2024, "1050000"), FRAME, 2024, history=r)
    again = close_year(costs(2024, 10_000_000), occupancy(9.0), tariffs(2024, "1050000"), FRAME, 2024, history=r, replace=True).results
    assert again.height == 1 and one(again, 2024)["result"] == D("-550000")


def test_closing_again_names_the_offer_whose_figures_changed_and_keeps_the_history_in_order():
    def c(year, amount):
        return pl.concat([costs(year, amount, offer="B"), costs(year, amount, offer="A")])  # not in order

    def t(year):
        return pl.concat([tariffs(year, "1050000", offer="B"), tariffs(year, "1050000", offer="A")])

    def occ(a, b):
        return pl.concat([occupancy(b, offer="B"), occupancy(a, offer="A")])

    r25 = close_year(c(2025, 10_000_000), occ(10.0, 10.0), t(2025), FRAME, 2025).results
    r24 = close_year(c(2024, 10_000_000), occ(10.0, 10.0), t(2024), FRAME, 2024, history=r25.reverse()).results  # a history out of order
    assert list(zip(r24["year"], r24["offer_id"])) == [(2024, "A"), (2024, "B"), (2025, "A"), (2025, "B")]
    with pytest.raises(DataError, match=r"2024 is already closed .*\(offer B\)") as e:
        close_year(c(2024, 10_000_000), occ(10.0, 9.0), t(2024), FRAME, 2024, history=r24)
    assert e.value.column == "year"


def test_a_carry_into_a_year_with_a_typed_in_result_is_refused():
    r = close_year(costs(2025, 10_200_000), occupancy(9.5), tariffs(2025, "1070000"), FRAME, 2025).results  # carries 35,000 into 2027
    exp = pl.DataFrame({"offer_id": ["X"], "level": [1], "haap": [10.0]}, schema_overrides={"level": pl.Int16})
    with pytest.raises(DataError, match="carries a result into 2027, and the costs have a typed-in carried result") as e:
        build(ONE_LEVEL, costs(2027, 10_600_000, carried=12_000, basis="tariff_budget"), exp, 2027, results=r, file_results="resultater.parquet")
    assert (e.value.file, e.value.column) == ("resultater.parquet", "carry_into_year")


@pytest.mark.parametrize(
    "text,key,says",
    [
        ('[carry.surplus]\nrule = "beyond_cap"\ncap = -0.1', "carry.surplus.cap", "cap"),
        ('[carry.surplus]\nrule = "beyond_cap"\ncap = 1.5', "carry.surplus.cap", "cap"),
        ('[carry.surplus]\nrule = "beyond_cap"', "carry.surplus.cap", "cap"),
        ('[carry.surplus]\nrule = "beyond_cap"\ncap = nan', "carry.surplus.cap", "cap"),
        ("[carry]\nyear_offset = 0", "carry.year_offset", "year_offset"),
        ("[carry]\nset_aside_years = 0", "carry.set_aside_years", "set_aside_years"),
        ("[carry]\nyear_offset = 6", "carry.year_offset", "carry.year_offset must be between 1 and 5, found 6"),
        ("[carry]\nset_aside_years = 51", "carry.set_aside_years", "carry.set_aside_years must be between 1 and 50, found 51"),
        ("[carry]\nset_aside_years = 2.5", "carry.set_aside_years", "carry.set_aside_years must be a whole number, found 2.5"),
        ("[carry]\nyear_offset = 2.0", "carry.year_offset", "carry.year_offset must be a whole number, found 2.0"),
        ('draft = "ja"', "draft", "draft must be true or false, found 'ja'"),
        ("[carry]\nyear_ofset = 2", "carry.year_ofset", "unknown setting carry.'year_ofset' (did you mean 'year_offset'?)"),
        ("[carry]\nzzz = 2", "carry.zzz", "unknown setting carry.'zzz'; known: cap_of, deficit, rounding_residue, set_aside_years, surplus, year_offset"),
        ("[carry.deficit]\nset_aside = true", "carry.deficit.set_aside", "only a surplus can be set aside"),
        ('[carry.surplus]\nrule = "half"', "carry.surplus.rule", "carry.surplus.rule must be one of"),
        ("[carry]\ndeficit = 3", "carry.deficit", "[carry.deficit] must be a table"),
        ("[carry]\nsurplus = 3", "carry.surplus", "[carry.surplus] must be a table"),
        ("[tariffs]\noccupancy = 3", "tariffs.occupancy", "[tariffs.occupancy] must be a table"),
        ('[tariffs.occupancy]\nmethod = "rate"', "tariffs.occupancy.rate", "tariffs.occupancy.method = rate needs a rate"),
        ('[tariffs.occupancy]\nmethod = "rate"\nrate = 0', "tariffs.occupancy.rate", "must be above 0"),
        ('[tariffs.occupancy]\nmethod = "guess"', "tariffs.occupancy.method", "must be expected or rate, found 'guess'"),
    ],
)
def test_a_rules_file_that_contradicts_itself_names_the_key(text, key, says):
    import tomllib

    d = tomllib.loads('name = "n"\nversion = "1"\nsource = "s"\n' + text)
    with pytest.raises(DataError) as e:
        parse_rules(d, file="regler.toml")
    assert e.value.column == key and e.value.file == "regler.toml"
    assert says in str(e.value)


def test_the_carry_settings_at_their_limits_are_accepted():
    import tomllib

    d = tomllib.loads('name = "n"\nversion = "1"\nsource = "s"\n[carry]\nyear_offset = 5\nset_aside_years = 50')
    r = parse_rules(d, file="regler.toml")
    assert (r.year_offset, r.set_aside_years) == (5, 50)
    d = tomllib.loads('name = "n"\nversion = "1"\nsource = "s"\n[carry]\nyear_offset = 1\nset_aside_years = 1')
    r = parse_rules(d, file="regler.toml")
    assert (r.year_offset, r.set_aside_years) == (1, 1)


def test_an_assumed_occupancy_rate_is_read_exactly():
    import tomllib

    d = tomllib.loads('name = "n"\nversion = "1"\nsource = "s"\n[tariffs.occupancy]\nmethod = "rate"\nrate = 0.95')
    t = parse_rules(d, file="regler.toml").tariffs
    assert (t.occupancy, t.occupancy_rate) == ("rate", D("0.95"))


def test_the_shipped_rules_files_parse():
    import tomllib

    for name in ("takstregler.toml", "takstregler-rammeaftale.toml"):
        r = parse_rules(tomllib.loads((SAMPLE / name).read_text(encoding="utf-8")), file=name)
        assert r.name and r.version and r.source
    today = parse_rules(tomllib.loads((SAMPLE / "takstregler.toml").read_text(encoding="utf-8")))
    assert (today.surplus.rule, today.deficit.rule, today.year_offset) == ("all", "all", 2)


# --- the command --------------------------------------------------------------------------------


def test_close_year_command_on_the_sample(run, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    key = SAMPLE / "demo.key"
    assert run("import-dss", SAMPLE / "dss-udtraek-2026-10.csv", "--key-file", key, "-o", out / "p.parquet").exit_code == 0
    assert (
        run(
            "occupancy",
            SAMPLE / "placeringer.csv",
            "--payments",
            out / "p.parquet",
            "--as-of",
            "2026-10-31",
            "--offers",
            SAMPLE / "offers.csv",
            "--key-file",
            key,
            "-o",
            out / "occ.parquet",
        ).exit_code
        == 0
    )
    assert (
        run(
            "price-ata", SAMPLE / "staff.csv", "--assumptions", SAMPLE / "ata-assumptions.toml", "--costs", SAMPLE / "costs.csv", "-o", out / "ata.parquet"
        ).exit_code
        == 0
    )
    assert (
        run(
            "tariff-build",
            "--structure",
            SAMPLE / "levels.toml",
            "--costs",
            SAMPLE / "costs.csv",
            "--haap",
            out / "occ.parquet",
            "--year",
            "2026",
            "-o",
            out / "t.parquet",
        ).exit_code
        == 0
    )
    args = [
        "close-year",
        "--year",
        "2026",
        "--basis",
        "forecast",
        "--costs",
        SAMPLE / "costs.csv",
        "--occupancy",
        out / "occ.parquet",
        "--tariffs",
        out / "t.parquet",
        "--rules",
        SAMPLE / "takstregler-rammeaftale.toml",
    ]
    xdir = tmp_path / "x"
    xdir.mkdir()
    r = run(
        *args,
        "-o",
        out / "res.parquet",
        "--append",
        "--structure",
        SAMPLE / "levels.toml",
        "--placements",
        SAMPLE / "placeringer.csv",
        "--key-file",
        key,
        "--settlement",
        out / "s.parquet",
        "--settlement-xlsx-dir",
        xdir,
    )
    assert r.exit_code == 0, r.output
    res = pl.read_parquet(out / "res.parquet")
    assert res.height == 5 and (res["result"] == res["income"] - res["tariff_basis"]).all()
    assert (res["result"] == -res["carried"] + res["set_aside"] + res["kept"]).all()
    s = pl.read_parquet(out / "s.parquet")
    assert s.height and sorted(p.name for p in xdir.iterdir()) == sorted(
        f"efterregulering-{m.replace(' ', '-')}-2026.xlsx" for m in s["paying_municipality"].unique()
    )
    assert run(*args, "-o", out / "res.parquet", "--append").exit_code == 0  # closed again with the same inputs: the same figures
    assert pl.read_parquet(out / "res.parquet").equals(res)
    before = (out / "res.parquet").read_bytes()
    r = run(*args[:-2], "--rules", SAMPLE / "takstregler.toml", "-o", out / "res.parquet", "--append")  # other rules, other figures
    assert r.exit_code == 1 and "already closed" in r.output and (out / "res.parquet").read_bytes() == before
    assert run(*args, "-o", out / "res.parquet", "--replace").exit_code == 2  # --replace without --append is a usage error
    # tariff-build reads the carry: 2026's results enter 2028's tariff basis, not 2027's
    r = run(
        "tariff-build",
        "--structure",
        SAMPLE / "levels.toml",
        "--costs",
        SAMPLE / "costs.csv",
        "--haap",
        out / "occ.parquet",
        "--year",
        "2026",
        "--results",
        out / "res.parquet",
        "-o",
        out / "t2.parquet",
    )
    assert r.exit_code == 0 and pl.read_parquet(out / "t2.parquet").equals(pl.read_parquet(out / "t.parquet"))


# --- next year from this year ---------------------------------------------------------------------


def test_next_year_costs_index_each_line_and_leave_the_carry_out():
    from tariffkit.budget import next_year_costs

    c = costs(2026, "1000000.05", carried=50_000, basis="forecast")
    n = next_year_costs(c, 2026, D("0.03"))
    new = n.filter(pl.col("year") == 2027)
    # 1,000,000.05 × 1.03 = 1,030,000.0515 → 1,030,000.05 (one rounding per line, to the øre)
    assert new["basis"].to_list() == ["tariff_budget"] and new["amount"].to_list() == [D("1030000.05")]
    assert n.filter(pl.col("year") == 2026).height == 2  # the input's lines kept
    # with last year's budget in the file too: the table in order of year, basis, offer, line
    m = next_year_costs(pl.concat([c, costs(2025, "900000", basis="tariff_budget")]), 2026, D("0.03"))
    keys = m.select("year", "basis", "offer_id", "line").rows()
    assert keys == sorted(keys) and [k[:2] for k in keys][0] == (2025, "tariff_budget") and keys[-1][:2] == (2027, "tariff_budget")
    with pytest.raises(DataError, match="already have a tariff budget for 2027") as e:
        next_year_costs(n, 2026, D("0.03"), file="omkostninger.csv")
    assert (e.value.file, e.value.column) == ("omkostninger.csv", "year")
    with pytest.raises(DataError, match="no cost lines for 2025 with basis forecast to index into 2026") as e:
        next_year_costs(c, 2025, D("0.03"))
    assert (e.value.file, e.value.column) == ("costs", "year")
    with pytest.raises(DataError) as e:
        next_year_costs(c, 2025, D("0.03"), file="omkostninger.csv")
    assert e.value.file == "omkostninger.csv"


def test_year_on_year_volume_and_price_add_up_to_the_change():
    from tariffkit.budget import year_on_year

    # last year: cost basis 10,000,000 on 10 HÅP (1,000,000 per HÅP); this year 10,815,000 on 10.5 HÅP.
    # volume = 0.5 × 1,000,000 = 500,000; price = 815,000 − 500,000 = 315,000.
    prev = pl.DataFrame(
        {"offer_id": "X", "year": 2026, "basis": "forecast", "line": ["cost_basis", "haap_total"], "value": [D("10000000"), D("10")]},
        schema_overrides={"year": pl.Int32, "value": pl.Decimal(28, 10)},
    )
    key, v = year_on_year(prev, "X", 2027, {("tariff_budget", 2027): {"cost_basis": D("10815000"), "haap": D("10.5")}})
    assert key == "tariff_budget"
    assert (v["cost_change"], v["volume_effect"], v["price_effect"]) == (D("815000"), D("500000.00"), D("315000.00"))
    assert year_on_year(prev.filter(pl.col("line") == "cost_basis"), "X", 2027, {("tariff_budget", 2027): {"cost_basis": D(1), "haap": D(1)}}) is None


def test_the_demo_builds_next_year_from_this_year(sample_out):
    out, _ = sample_out
    res = pl.read_parquet(out / "resultater.parquet")
    assert sorted(set(res["year"].to_list())) == [2025, 2026]
    into_2027 = {o: c for o, c, y in res.select("offer_id", "carried", "carry_into_year").iter_rows() if y == 2027}
    assert into_2027 and all(y in (2027, 2028, None) for y in res["carry_into_year"].to_list())
    b = pl.read_parquet(out / "budget-2027.parquet").filter((pl.col("year") == 2027) & (pl.col("basis") == "tariff_budget"))
    val = {(o, ln): v for o, ln, v in b.select("offer_id", "line", "value").iter_rows()}
    for offer, carried in into_2027.items():
        # 2025's closed result is in 2027's tariff basis, and 2027's tariffs carry it
        assert val[(offer, "result_two_years_earlier")] == carried
        assert val[(offer, "tariff_basis")] == val[(offer, "cost_basis")] + carried
        assert abs(val[(offer, "expected_result")]) < val[(offer, "haap_total")]  # budget-neutral up to the tariffs' rounding
        assert val[(offer, "volume_effect")] + val[(offer, "price_effect")] == val[(offer, "cost_change")]
    costs27 = pl.read_parquet(out / "costs-2027.parquet").filter(pl.col("year") == 2027)
    assert set(costs27["basis"].to_list()) == {"tariff_budget"} and "carried_result" not in costs27["group"].to_list()
    assert (out / "tilbud-2027.xlsx").exists()
    s = pl.read_parquet(out / "efterregulering-2026.parquet")
    assert s.height and (s["difference"] == s["recomputed"] - s["billed"]).all()


def test_budget_forecast_refuses_a_carry_and_a_typed_in_result_for_the_same_year(run, tmp_path, sample_out):
    out, _ = sample_out
    r = run(
        "budget-forecast",
        "--year",
        "2026",
        "--costs",
        SAMPLE / "costs.csv",
        "--tariffs",
        out / "takster-2026.parquet",
        "--haap",
        out / "belaegning-2026.parquet",
        "--results",
        _carry_into(tmp_path, out, 2026),
        "-o",
        tmp_path / "b.parquet",
    )
    assert r.exit_code == 1 and "typed-in carried result" in r.output and not (tmp_path / "b.parquet").exists()


def _carry_into(tmp_path, out, year):
    res = pl.read_parquet(out / "resultater.parquet").with_columns(carry_into_year=pl.lit(year, pl.Int32))
    p = tmp_path / "res.parquet"
    res.write_parquet(p)
    return p


def test_out_years_carry_each_expected_result_into_year_t_plus_2(run, tmp_path, sample_out):
    out, _ = sample_out
    base = [
        "budget-forecast",
        "--year",
        "2026",
        "--costs",
        SAMPLE / "costs.csv",
        "--tariffs",
        out / "takster-2026.parquet",
        "--haap",
        out / "belaegning-2026.parquet",
        "--expected-haap",
        out / "belaegning-2026.parquet",
        "--out-years",
        "5",
        "--index-income",
    ]
    assert run(*base, "-o", tmp_path / "plain.parquet").exit_code == 0
    r = run(*base, "--rules", SAMPLE / "takstregler.toml", "--results", out / "resultater.parquet", "-o", tmp_path / "ruled.parquet")
    assert r.exit_code == 0, r.output

    def grid(p):
        b = pl.read_parquet(p)
        return {(o, y, basis, ln): v for o, y, basis, ln, v in b.select("offer_id", "year", "basis", "line", "value").iter_rows()}

    plain, ruled = grid(tmp_path / "plain.parquet"), grid(tmp_path / "ruled.parquet")
    res = pl.read_parquet(out / "resultater.parquet")
    for offer in ("T101", "T102", "T105"):
        # 2027 carries 2025's closed result (the results table); 2028 the 2026 forecast's, 2029 2027's …
        closed = res.filter((pl.col("offer_id") == offer) & (pl.col("carry_into_year") == 2027))["carried"].sum()
        assert ruled[(offer, 2027, "out_year", "result_two_years_earlier")] == closed
        assert ruled[(offer, 2028, "out_year", "result_two_years_earlier")] == -ruled[(offer, 2026, "forecast", "expected_result")]
        for y in (2029, 2030, 2031):
            assert ruled[(offer, y, "out_year", "result_two_years_earlier")] == -ruled[(offer, y - 2, "out_year", "expected_result")]
            # the tariffs are set to cover the carry, so the year's own result does not change
            assert ruled[(offer, y, "out_year", "expected_result")] == plain[(offer, y, "out_year", "expected_result")]


@pytest.mark.parametrize(
    "tariff,residue", [("100000.30", True), ("100000.90", True), ("100001", False), ("99999.10", True), ("99999", False), ("100000", False)]
)
def test_a_result_below_the_tariffs_rounding_per_haap_is_a_residue_kept(tariff, residue):
    # 10 HÅP on a tariff basis of 1,000,000: a result below 1 kr per HÅP (10 kr; whole-krone
    # tariffs) is the residue of budget-neutral tariffs, kept and flagged; exactly 10 kr is not
    t = tariffs(2024, tariff)
    x = one(close_year(costs(2024, 1_000_000), occupancy(10.0), t, FRAME, 2024).results, 2024)
    assert x["rounding_residue"] is residue
    if residue:
        assert (x["carried"], x["set_aside"], x["kept"]) == (D(0), D(0), x["result"]) and x["result"] != 0
    split_all = TariffRules("t", "1", "t", rounding_residue="split")
    y = one(close_year(costs(2024, 1_000_000), occupancy(10.0), t, split_all, 2024).results, 2024)
    assert not y["rounding_residue"] and y["carried"] == -y["result"]


def test_closing_a_year_without_its_inputs_names_each_input():
    """Without file names (a notebook's call), an error names the input by its role."""
    with pytest.raises(DataError, match="no cost lines for 2023 with basis actual: nothing to close") as e:
        close_year(costs(2024, 10_000_000), occupancy(10.0), tariffs(2024, "1050000"), FRAME, 2023)
    assert (e.value.file, e.value.column) == ("costs", "year")
    with pytest.raises(DataError, match="no level tariffs for 2024") as e:
        close_year(costs(2024, 10_000_000), occupancy(10.0), tariffs(2025, "1050000"), FRAME, 2024)
    assert (e.value.file, e.value.column) == ("tariffs", "year")
    with pytest.raises(DataError) as e:
        close_year(costs(2024, 10_000_000), occupancy(10.0), tariffs(2024, "1050000"), FRAME, 2023, files={"costs": "omk.csv"})
    assert e.value.file == "omk.csv"


def test_an_offer_with_costs_and_no_occupancy_is_a_whole_deficit_and_says_so():
    """An offer nobody lived on in the year: no income, the whole tariff basis is the deficit,
    and the close says why instead of leaving the analyst to guess."""
    res = close_year(costs(2024, 1_000_000), occupancy(10.0, offer="Y"), tariffs(2024, "1050000"), FRAME, 2024)
    x = one(res.results, 2024)
    assert (x["income"], x["result"], x["carried"]) == (D(0), D(-1_000_000), D(1_000_000))  # (carried with the opposite sign)
    assert res.warnings == ["offer X: no HÅP in 2024, so no income; the whole tariff basis is a deficit"]
    assert close_year(costs(2024, 1_000_000), occupancy(10.0), tariffs(2024, "1050000"), FRAME, 2024).warnings == []


def test_results_carried_past_the_out_years_are_not_in_the_model():
    """A result carried into 2028 reaches a 2026 model with one out-year (2027) nowhere: not in
    2026, not in 2027; with two out-years it is 2028's."""
    from tariffkit.close import carries

    r = close_year(costs(2026, 10_400_000), occupancy(10.0), tariffs(2026, "990000"), FRAME, 2026).results  # a deficit, into 2028
    assert one(r, 2026)["carry_into_year"] == 2028
    none = costs(2026, 1, basis="budget").filter(pl.col("group") != "carried_result")
    assert carries(r, none, 2026, 1) == ({}, {})
    now, later = carries(r, none, 2026, 2)
    assert now == {} and later == {("X", 2028): one(r, 2026)["carried"]}


def test_an_offer_with_costs_and_no_tariffs_of_its_own_is_named():
    with pytest.raises(DataError) as e:
        close_year(costs(2024, 1_000), occupancy(1.0), tariffs(2024, "1000", offer="Y"), FRAME, 2024, files={"tariffs": "t.parquet"})
    assert (e.value.file, e.value.column, e.value.message) == ("t.parquet", "offer_id", "offer X: cost lines for 2024 but no tariffs for 2024")
