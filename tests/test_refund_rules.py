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
