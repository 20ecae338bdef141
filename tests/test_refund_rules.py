"""The refund rules file (refusion-ÅÅÅÅ.toml): what it accepts, at the edges, and the exact error
an analyst gets for each mistake (the file and the setting named, what was expected)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tariffkit.errors import DataError
from tariffkit.refunds import Threshold, estimate_of, parse_rules

GOOD = {
    "name": "Refusion 2026",
    "year": 2026,
    "source": "BEK nr. 1 af 2026",
    "thresholds": [{"above": 1_000_000, "share": 0.25}, {"above": 2_000_000, "share": 0.5}],
}


def bad(**change):
    d = {**GOOD, **change}
    return {k: v for k, v in d.items() if v is not ...}


@pytest.mark.parametrize(
    "rules, expected",
    [
        ({**GOOD, "aar": 2026}, "r.toml, column aar: unknown setting 'aar'; known: name, source, thresholds, year"),
        (bad(year=...), "r.toml, column year: year must be a year like 2026"),
        (bad(year="2026"), "r.toml, column year: year must be a year like 2026"),
        (bad(year=True), "r.toml, column year: year must be a year like 2026"),
        (bad(year=1979), "r.toml, column year: year must be a year like 2026"),
        (bad(year=2101), "r.toml, column year: year must be a year like 2026"),
        (bad(source=...), "r.toml, column source: source must say where the thresholds come from (the year's rules are set by law)"),
        (bad(source="  "), "r.toml, column source: source must say where the thresholds come from (the year's rules are set by law)"),
        (bad(source=7), "r.toml, column source: source must say where the thresholds come from (the year's rules are set by law)"),
        (bad(thresholds=...), "r.toml, column thresholds: expected [[thresholds]] with above (kroner) and share (0–1)"),
        (bad(thresholds=[]), "r.toml, column thresholds: expected [[thresholds]] with above (kroner) and share (0–1)"),
        (bad(thresholds={"above": 1, "share": 0.5}), "r.toml, column thresholds: expected [[thresholds]] with above (kroner) and share (0–1)"),
        (
            bad(thresholds=[{"above": 1, "share": 0.5}, {"above": 2}]),
            "r.toml, column thresholds: [[thresholds]] number 2 must have exactly above and share",
        ),
        (
            bad(thresholds=[{"above": 1, "share": 0.5, "cap": 3}]),
            "r.toml, column thresholds: [[thresholds]] number 1 must have exactly above and share",
        ),
        (bad(thresholds=[5]), "r.toml, column thresholds: [[thresholds]] number 1 must have exactly above and share"),
        (bad(thresholds=[{"above": "1", "share": 0.5}]), "r.toml, column above: [[thresholds]] number 1: above must be a number, found '1'"),
        (bad(thresholds=[{"above": 1, "share": True}]), "r.toml, column share: [[thresholds]] number 1: share must be a number, found True"),
        (bad(thresholds=[{"above": float("inf"), "share": 0.5}]), "r.toml, column above: [[thresholds]] number 1: above must be a number, found inf"),
        (bad(thresholds=[{"above": 1, "share": float("nan")}]), "r.toml, column share: [[thresholds]] number 1: share must be a number, found nan"),
        (bad(thresholds=[{"above": -1, "share": 0.5}]), "r.toml, column above: [[thresholds]] number 1: above must be ≥ 0 and share between 0 and 1"),
        (bad(thresholds=[{"above": 0, "share": 1.01}]), "r.toml, column share: [[thresholds]] number 1: above must be ≥ 0 and share between 0 and 1"),
        (bad(thresholds=[{"above": 0, "share": -0.01}]), "r.toml, column share: [[thresholds]] number 1: above must be ≥ 0 and share between 0 and 1"),
        (
            bad(thresholds=[{"above": 5, "share": 0.25}, {"above": 5, "share": 0.5}]),
            "r.toml, column above: [[thresholds]] number 2: thresholds must increase",
        ),
        (
            bad(thresholds=[{"above": 5, "share": 0.25}, {"above": 4, "share": 0.5}]),
            "r.toml, column above: [[thresholds]] number 2: thresholds must increase",
        ),
    ],
)
def test_a_mistake_in_the_refund_rules_is_named(rules, expected):
    with pytest.raises(DataError) as e:
        parse_rules(rules, file="r.toml")
    assert str(e.value) == expected


def test_the_edges_that_are_allowed():
    for year in (1980, 2100):
        assert parse_rules(bad(year=year)).year == year
    r = parse_rules(bad(name=..., thresholds=[{"above": 0, "share": 0}, {"above": 0.01, "share": 1}]), file="r.toml")
    assert r.thresholds == (Threshold(Decimal("0"), Decimal("0")), Threshold(Decimal("0.01"), Decimal("1")))
    assert r.name == "" and r.source == "BEK nr. 1 af 2026"
    r = parse_rules(GOOD)
    assert (r.year, r.name, r.thresholds[1]) == (2026, "Refusion 2026", Threshold(Decimal("2000000"), Decimal("0.5")))
    with pytest.raises(DataError, match="^refund rules, column year"):  # the default file name
        parse_rules(bad(year=...))


def test_the_estimate_takes_each_band_at_its_share():
    r = parse_rules(GOOD)
    assert estimate_of(Decimal("1000000"), r) == 0  # at the threshold: nothing above it
    assert estimate_of(Decimal("1500000.02"), r) == Decimal("125000.01")  # 500,000.02 × 25 % = 125,000.005 → half away from zero
    assert estimate_of(Decimal("2000000"), r) == Decimal("250000.00")
    assert estimate_of(Decimal("3000000"), r) == Decimal("750000.00")  # 250,000 + 1,000,000 × 50 %
    assert estimate_of(Decimal("999999"), r) == 0


def test_estimate_per_citizen_in_the_rules_year_from_the_lines_in_force():
    """refunds.estimate on a payments history: only the rules' year counts (a line ending on
    1 January or starting on 31 December counts that day), refund lines are what was recorded,
    a citizen with neither refund is left out, and ``known_at`` reads the history as it stood."""
    import datetime as dt

    import polars as pl

    from tariffkit.refunds import RefundRules, estimate
    from tests.test_haap import pay

    D = dt.date
    rules = RefundRules(2026, (Threshold(Decimal(1_000), Decimal("0.25")),), "", "test")
    rows = [
        ("a", 1, D(2026, 1, 1), D(2026, 12, 31), 3_650),  # 3,650 kr in 2026: 25 % of 2,650
        ("b", 1, D(2025, 12, 1), D(2026, 1, 1), 3_200),  # 32 days: only 1 January is 2026's (100 kr)
        ("b", 1, D(2026, 1, 1), D(2026, 1, 31), -50, "refund"),  # recorded 50 kr
        ("c", 1, D(2026, 12, 31), D(2027, 1, 1), 1_600),  # 31 December is 2026's (800 kr): below the threshold
        ("c", 1, D(2026, 12, 31), D(2026, 12, 31), -10, "refund"),  # … with a refund recorded on the last day
        ("d", 1, D(2025, 1, 1), D(2025, 12, 31), 9_000),  # another year
        ("e", 1, D(2026, 2, 1), D(2026, 2, 28), 5_000, "actual", "T1", D(2026, 3, 31)),  # a later extract
    ]
    history = pay(rows, extract=D(2026, 2, 28)).with_columns(
        extract_date=pl.when(pl.col("citizen_id") == "e").then(pl.lit(D(2026, 3, 31))).otherwise(pl.col("extract_date"))
    )
    got = estimate(history, rules)
    assert got.columns == ["citizen_id", "year", "gross", "refund_recorded", "refund_estimated"]
    assert got.schema["year"] == pl.Int32 and all(got.schema[c] == pl.Decimal(18, 2) for c in ("gross", "refund_recorded", "refund_estimated"))
    assert got.rows() == [
        ("a", 2026, Decimal("3650.00"), Decimal("0.00"), Decimal("662.50")),
        ("b", 2026, Decimal("100.00"), Decimal("50.00"), Decimal("0.00")),
        ("c", 2026, Decimal("800.00"), Decimal("10.00"), Decimal("0.00")),
        ("e", 2026, Decimal("5000.00"), Decimal("0.00"), Decimal("1000.00")),
    ]
    assert [r[0] for r in estimate(history, rules, known_at=D(2026, 2, 28)).rows()] == ["a", "b", "c"]
    assert estimate(history.filter(pl.col("citizen_id").is_in(["c", "d"]) & (pl.col("kind") != "refund")), rules).height == 0


def test_estimate_of_uses_each_band_up_to_the_next_threshold():
    """Three bands: 0–1,000 nothing, 1,000–2,000 at 25 %, 2,000–3,000 at 50 %, above 3,000 at
    100 %. Each band stops at the next one's threshold, not at another's."""
    r = parse_rules({**GOOD, "thresholds": [{"above": 1_000, "share": 0.25}, {"above": 2_000, "share": 0.5}, {"above": 3_000, "share": 1.0}]}, "r.toml")
    assert estimate_of(Decimal(2_500), r) == Decimal("500.00")  # 250 + 250
    assert estimate_of(Decimal(3_500), r) == Decimal("1250.00")  # 250 + 500 + 500
    assert estimate_of(Decimal(1_000), r) == 0 and estimate_of(Decimal(3_000), r) == Decimal("750.00")
