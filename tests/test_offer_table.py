"""The offer model's table as a whole: the out-years' cost lines against a slow Decimal oracle,
the order of the lines, and the one rounding of an amount × the PL factor (money.scaled_ore)."""

import decimal
from decimal import ROUND_HALF_UP, Decimal

import polars as pl
import pytest
from conftest import SAMPLE
from hypothesis import given
from hypothesis import strategies as st

from tariffkit.budget import LINES, OfferModelOptions, offer_model
from tariffkit.contracts import COSTS, TARIFFS
from tariffkit.errors import UsageError
from tariffkit.money import scaled_ore

SUMMARY = [
    "variable_salary",
    "variable_costs",
    "fixed_costs_offer",
    "fixed_costs_central",
    "other_income",
    "cost_basis",
    "result_two_years_earlier",
    "tariff_basis",
]
GROUPS = ["variable_staff", "variable_other", "fixed_offer", "fixed_central", "other_income"]


def _oracle_ore(amount: Decimal, factor: Decimal) -> Decimal:
    """amount × factor to the øre, half away from zero, in a context wide enough to be exact."""
    with decimal.localcontext() as c:
        c.prec = 200
        return (amount * factor).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@pytest.mark.parametrize(
    "kr, factor, want",
    [
        ("0.05", "1.5", "0.08"),  # 7.5 øre: half, away from zero
        ("-0.05", "1.5", "-0.08"),
        ("0.01", "0.5", "0.01"),
        ("-0.01", "0.5", "-0.01"),
        ("0.01", "0.49", "0.00"),  # just under half
        ("0.03", "1.5", "0.05"),  # 4.5 øre → 5
        ("100.00", "1.03", "103.00"),
        ("0.00", "1.03", "0.00"),
        ("12345.67", "-1.5", "-18518.51"),  # -18518.505 → away from zero
    ],
)
def test_scaled_ore_rounds_half_away_from_zero_at_the_boundary(kr, factor, want):
    got = pl.DataFrame({"a": [round(Decimal(kr) * 100)]}, schema={"a": pl.Int64}).select(scaled_ore("a", Decimal(factor)))["a"][0]
    assert Decimal(got).scaleb(-2) == Decimal(want)


@given(
    st.lists(st.integers(-(10**16), 10**16), min_size=1, max_size=30),
    st.decimals(min_value=Decimal("-3"), max_value=Decimal("3"), places=12, allow_nan=False, allow_infinity=False),
    st.integers(0, 30),
)
def test_scaled_ore_is_the_exact_product_rounded_once(amounts, factor, extra_places):
    """Against the oracle, on both paths: Int128 for a short factor, Python integers for a factor
    whose digits could pass Int128 (extra places push it there)."""
    factor = factor + Decimal(1).scaleb(-(12 + extra_places)) if extra_places else factor
    got = pl.DataFrame({"a": amounts}, schema={"a": pl.Int64}).select(scaled_ore("a", factor))["a"].to_list()
    assert [Decimal(g).scaleb(-2) for g in got] == [_oracle_ore(Decimal(a).scaleb(-2), factor) for a in amounts]


def _tariffs(year):
    row = {c: None for c in TARIFFS.names} | {
        "offer_id": "*",
        "year": year,
        "tariff_kind": "level",
        "level": 1,
        "min_hours": 0.0,
        "hours": 10.0,
        "annual_tariff": Decimal("500000.00"),
        "price_per_weekly_hour": Decimal("1000.00"),
    }
    return pl.DataFrame([row], schema_overrides={k: v for k, v in TARIFFS.schema.items() if k in row}).select(
        [pl.col(c).cast(TARIFFS.schema[c]) for c in TARIFFS.names if c in row]
    )


def _costs(rows, year):
    return pl.DataFrame(
        [{"offer_id": o, "year": year, "basis": b, "line": line, "label": None, "group": g, "follows_ata": False, "amount": a} for o, b, line, g, a in rows],
        schema=COSTS.schema,
    )


amounts = st.decimals(min_value=Decimal("-100000000"), max_value=Decimal("100000000"), places=2, allow_nan=False, allow_infinity=False)
lines = st.lists(
    st.tuples(st.sampled_from(["rent", "staff_a", "staff_b", "food", "it", "result_two_years_earlier"]), st.sampled_from(GROUPS), amounts), max_size=6
)


@given(
    st.lists(st.tuples(st.sampled_from(["forecast", "tariff_budget"]), lines), min_size=1, max_size=3),
    st.lists(st.decimals(min_value=Decimal("-0.1"), max_value=Decimal("0.2"), places=4, allow_nan=False, allow_infinity=False), min_size=1, max_size=4),
    st.decimals(min_value=Decimal("-500000"), max_value=Decimal("500000"), places=2, allow_nan=False, allow_infinity=False),
)
def test_out_years_cost_lines_are_the_base_years_lines_times_the_pl_factor(offers, rates, carried):
    """Each out-year line = the base year's line (the forecast, else the tariff budget) × the PL
    factor so far, rounded once; the cost basis is their sum; the result carried into the base
    year is not carried again; the lines come in order of group and line after the PL rate."""
    Y = 2026
    rows = []
    for i, (basis, ls) in enumerate(offers):
        o = f"T{i}"
        seen = set()
        for line, g, a in ls:
            if line in seen:
                continue
            seen.add(line)
            rows.append((o, basis, line, "carried_result" if line == "result_two_years_earlier" else g, a))
        rows.append((o, "budget", "rent", "fixed_offer", Decimal("1.00")))  # a column that is not a base
        if basis == "tariff_budget" and i == 0:
            rows.append((o, "forecast", "food", "variable_other", Decimal("7.77")))  # the forecast wins as the base
    costs = _costs(rows, Y)
    opts = OfferModelOptions(year=Y, out_years=len(rates), pl_rates={Y + k + 1: r for k, r in enumerate(rates)}, carried={"T0": carried})
    df, _ = offer_model(costs, None, None, _tariffs(Y), None, None, opts)
    for o in sorted({r[0] for r in rows}):
        base_rows = [r for r in rows if r[0] == o and r[1] == "forecast"] or [r for r in rows if r[0] == o and r[1] == "tariff_budget"]
        if not base_rows:  # no forecast or tariff budget for the year: no out-years either
            assert df.filter((pl.col("offer_id") == o) & (pl.col("basis") == "out_year")).height == 0
            continue
        factor = Decimal(1)
        for k, rate in enumerate(rates, start=1):
            factor *= 1 + rate
            got = df.filter((pl.col("offer_id") == o) & (pl.col("basis") == "out_year") & (pl.col("year") == Y + k))
            counted = [(line, g, _oracle_ore(a, factor)) for _, _, line, g, a in base_rows if g != "carried_result"]
            shown = sorted((g, line, v) for line, g, v in counted if line not in LINES)
            want_lines = ["pl_rate"] + [line for _, line, _ in shown] + SUMMARY
            assert got["line"].to_list() == want_lines
            values = dict(zip(got["line"].to_list(), got["value"].to_list()))
            assert [values[line] for _, line, _ in shown] == [v for _, _, v in shown]
            assert values["cost_basis"] == sum((v for _, _, v in counted), Decimal(0))
            assert values["result_two_years_earlier"] == 0 and values["tariff_basis"] == values["cost_basis"]
            assert values["pl_rate"] == rate * 100


def test_every_column_keeps_its_lines_together_cost_lines_first_in_order(sample_out):
    """Each (offer, basis, year) block of the table is contiguous; a column's cost lines (they
    have a group) come first, ordered by group and line, then the eight sums in the model's
    order; the out-years begin with their PL rate."""
    from tariffkit.budget import expected_haap
    from tariffkit.io import read_table

    out, _ = sample_out
    costs = read_table(str(SAMPLE / "costs.csv"), contract="costs")
    offers = read_table(str(SAMPLE / "offers.csv"), contract="offers")
    tariffs = pl.read_parquet(out / "takster-2026.parquet")
    occ = expected_haap(pl.read_parquet(out / "belaegning-2026.parquet"), 2026)
    with pytest.raises(UsageError, match="`pl_rates`: no PL rate for out-year 2027"):
        offer_model(costs, None, offers, tariffs, occ, occ, OfferModelOptions(year=2026, out_years=2))
    df, _ = offer_model(
        costs, None, offers, tariffs, occ, occ, OfferModelOptions(year=2026, out_years=2, pl_rates={2027: Decimal("0.03"), 2028: Decimal("0.02")})
    )
    keys = list(zip(df["offer_id"], df["basis"], df["year"]))
    starts = [i for i, k in enumerate(keys) if i == 0 or keys[i - 1] != k]
    assert len(set(keys)) == df.select("offer_id").n_unique() * 7  # 5 columns + 2 out-years
    seen = set()
    for a, b in zip(starts, [*starts[1:], len(keys)]):
        block = df.slice(a, b - a)
        groups = block["group"].to_list()
        if keys[a] in seen:  # a later run of the column (staff, ATA, the calculators): no cost lines
            assert all(g is None for g in groups)
            continue
        seen.add(keys[a])
        first = 1 if block["basis"][0] == "out_year" else 0
        if first:
            assert block["line"][0] == "pl_rate"
        n = sum(g is not None for g in groups)
        assert all(g is not None for g in groups[first : first + n]), "cost lines are together"
        cost = list(zip(groups[first : first + n], block["line"].to_list()[first : first + n]))
        assert cost == sorted(cost) and n > 0
        assert block["line"].to_list()[first + n : first + n + 8] == SUMMARY


def test_an_offers_own_tariff_rows_and_the_common_ones_together():
    """Tariffs for every offer (``*``) with one offer's own row for level 2 after them: that
    offer is billed at its own level 2 and the common level 1; an offer without rows of its own
    at the common ones. Each HÅP line is in HÅP, each known line has the model's label and unit."""
    Y = 2026
    common = _tariffs(Y)
    rows = pl.concat(
        [
            common,
            common.with_columns(level=pl.lit(2, pl.Int16), annual_tariff=pl.lit(Decimal("600000.00")).cast(TARIFFS.schema["annual_tariff"])),
            common.with_columns(
                offer_id=pl.lit("T0"), level=pl.lit(2, pl.Int16), annual_tariff=pl.lit(Decimal("700000.00")).cast(TARIFFS.schema["annual_tariff"])
            ),
        ]
    )
    costs = _costs([(o, "tariff_budget", "rent", "fixed_offer", Decimal("100.00")) for o in ("T0", "T1")], Y)
    haap = pl.DataFrame({"offer_id": ["T0", "T1"], "level": [2, 2], "haap": [1.0, 1.0]}, schema_overrides={"level": pl.Int16})
    df, warnings = offer_model(costs, None, None, rows, haap, haap, OfferModelOptions(year=Y, out_years=0))
    assert not [w for w in warnings if "tariff" in w.split(";")[0]]  # (each says it has no forecast column)
    got = {(r["offer_id"], r["line"]): r for r in df.filter(pl.col("basis") == "tariff_budget").iter_rows(named=True)}
    assert got[("T0", "tariff_level_1")]["value"] == Decimal("500000.00")
    assert got[("T0", "tariff_level_2")]["value"] == Decimal("700000.00")
    assert got[("T1", "tariff_level_2")]["value"] == Decimal("600000.00")
    assert got[("T0", "haap_level_2_own")]["unit"] == "HÅP"
    assert got[("T0", "haap_level_2_own")]["label"] == "HÅP funktionsniveau 2: egne"
    for line in ("cost_basis", "tariff_basis", "income", "haap_total", "expected_result"):
        assert (got[("T0", line)]["label"], got[("T0", line)]["unit"]) == LINES[line], line


def test_a_model_line_given_as_a_number_is_written_exactly_to_the_ore():
    """The table's lines take Decimal, int or float figures alike: a float through its shortest
    text (0.1 is 0.10, not 0.1000000000000000055…), rounded once, half away from zero."""
    from tariffkit.budget.offer import _Table

    t = _Table()
    for line, v in (("a", Decimal("1.005")), ("b", 12), ("c", 0.1), ("d", -2.675), ("e", None)):
        t.add("X", 2026, "tariff_budget", line, v)
    assert [r[6] for r in t.rows] == ["1.01", "12.00", "0.10", "-2.68", None]
    assert {r[5] for r in t.rows} == {"DKK"}


@pytest.mark.parametrize(
    "measure, word, hours, columns",
    [
        ("citizen", "borgertid", 30.0, None),
        ("staff", "personaletid", 12.0, None),
        ("staff", "timer som indplaceret", 2.0, ["offer_id", "hours_counted"]),  # an older reassign output: the hours it counted
    ],
)
def test_the_hours_placed_are_on_the_measure_of_the_ata_prices_and_say_which(measure, word, hours, columns):
    """ATA prices in citizen time: the hours placed from the schedules are the citizens' own
    (citizen_hours_ata), and the source line says borgertid; in staff time, personaletid."""
    Y = 2026
    costs = _costs([("T0", "tariff_budget", "rent", "fixed_offer", Decimal("100.00"))], Y)
    placed = pl.DataFrame({"offer_id": ["T0", "T0"], "staff_hours_ata": [5.0, 7.0], "citizen_hours_ata": [10.0, 20.0], "hours_counted": [1.0, 1.0]})
    ata = pl.DataFrame({"offer_id": ["T0"], "year": [Y], "measure": [measure], "ata_hours": [1000.0]})
    opts = OfferModelOptions(year=Y, out_years=0, placed=placed if columns is None else placed.select(columns))
    df, _ = offer_model(costs, None, None, _tariffs(Y), None, None, opts, ata_prices=ata)
    lines = {r["line"]: r for r in df.filter(pl.col("basis") == "tariff_budget").iter_rows(named=True)}
    assert lines["ata_hours_placed"]["value"] == Decimal(str(hours * 52)).quantize(Decimal("0.01"))
    assert lines["ata_hours_placed_source"]["text"] == f"døgnskemaer: 2 borgeres ATA-timer pr. uge ({word}) × 52"
