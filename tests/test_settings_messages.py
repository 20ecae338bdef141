"""Every settings file's refusals, read in-process, with the whole message a user reads: the
file, the key (the ``column``) and the words, recorded in tests/golden/settings.json (see
conftest.golden). Each case is a TOML text that breaks one rule of one settings file."""

from __future__ import annotations

import tomllib

import pytest
from conftest import golden

from tariffkit.errors import DataError, UsageError

LEVELS = "\n".join(f"[[levels]]\nlevel = {i}\nmin_hours = {lo}\nmax_hours = {hi}" for i, (lo, hi) in enumerate([(0, 9), (9, 15), (15, 22)], start=1))
RULES = 'name = "n"\nversion = "1"\nsource = "s"\n'
REFUNDS = 'name = "r"\nyear = 2026\nsource = "s"\n'


def structure(text):
    from tariffkit.tariffs import parse_structure

    return parse_structure(tomllib.loads(text), file="niveauer.toml")


def rules(text):
    from tariffkit.rules import parse_rules

    return parse_rules(tomllib.loads(RULES + text), file="regler.toml")


def assumptions(text):
    from tariffkit.ata import parse_assumptions

    return parse_assumptions(tomllib.loads(text), file="ata.toml")


def refunds(text):
    from tariffkit.refunds import parse_rules

    return parse_rules(tomllib.loads(text), file="refusion.toml")


def mapping(text):
    from tariffkit.dss.mapping import Mapping

    return Mapping.from_dict(tomllib.loads(text), file="mapping.toml")


def authority(text):
    from tariffkit.budget.authority import parse_authority

    return parse_authority(tomllib.loads(text), file="myndighed.toml")


CASES = [
    # the tariff structure (levels.toml)
    ("structure-no-levels", structure, 'name = "x"'),
    ("structure-level-not-table", structure, "levels = [1, 2]"),
    ("structure-level-without-max", structure, "[[levels]]\nlevel = 1\nmin_hours = 0"),
    ("structure-level-number-text", structure, '[[levels]]\nlevel = "1"\nmin_hours = 0\nmax_hours = 9'),
    ("structure-level-zero", structure, "[[levels]]\nlevel = 0\nmin_hours = 0\nmax_hours = 9"),
    ("structure-level-51", structure, "[[levels]]\nlevel = 51\nmin_hours = 0\nmax_hours = 9"),
    ("structure-max-above-a-week", structure, "[[levels]]\nlevel = 1\nmin_hours = 0\nmax_hours = 168.5"),
    ("structure-gap-in-numbers", structure, LEVELS.replace("level = 2", "level = 4")),
    ("structure-band-reversed", structure, LEVELS.replace("min_hours = 9\nmax_hours = 15", "min_hours = 15\nmax_hours = 9")),
    ("structure-band-empty", structure, LEVELS.replace("min_hours = 9\nmax_hours = 15", "min_hours = 9\nmax_hours = 9")),
    ("structure-bands-overlap", structure, LEVELS.replace("min_hours = 15", "min_hours = 14")),
    ("structure-bands-gap", structure, LEVELS.replace("min_hours = 15", "min_hours = 16")),
    ("structure-representative-bogus", structure, 'representative_hours = "mean"\n' + LEVELS),
    ("structure-configured-without-hours", structure, 'representative_hours = "configured"\n' + LEVELS),
    ("structure-top-rule-bogus", structure, 'top_level_rule = "cap"\n' + LEVELS),
    ("structure-scope-bogus", structure, 'scope = "all"\n' + LEVELS),
    ("structure-measure-bogus", structure, 'level_measure = "minutes"\n' + LEVELS),
    ("structure-days-359", structure, "days_per_year = 359\n" + LEVELS),
    ("structure-days-367", structure, "days_per_year = 367\n" + LEVELS),
    ("structure-days-fraction", structure, "days_per_year = 365.25\n" + LEVELS),
    ("structure-band-setting-zero", structure, "service_level_band = 0\n" + LEVELS),
    ("structure-band-setting-above-ten", structure, "service_level_band = 10.5\n" + LEVELS),
    ("structure-minimum-negative", structure, "minimum_hours = -1\n" + LEVELS),
    ("structure-minimum-default-above-a-week", structure, "[minimum_hours]\ndefault = 169\n" + LEVELS),
    ("structure-minimum-offer-text", structure, '[minimum_hours]\nT1 = "ni"\n' + LEVELS),
    ("structure-categories-not-table", structure, 'activity_categories = "ledsagelse"\n' + LEVELS),
    ("structure-category-empty-list", structure, "[activity_categories]\nledsagelse = []\n" + LEVELS),
    ("structure-category-blank-word", structure, '[activity_categories]\nledsagelse = [" "]\n' + LEVELS),
    ("structure-unknown-key", structure, "level_mesure = 1\n" + LEVELS),
    ("structure-not-read-year", structure, "year = 2026\n" + LEVELS),
    # the tariff rules (takstregler.toml)
    ("rules-no-name", lambda t: __import__("tariffkit.rules", fromlist=["x"]).parse_rules(tomllib.loads(t), file="regler.toml"), 'version = "1"\nsource = "s"'),
    ("rules-draft-text", rules, 'draft = "ja"'),
    ("rules-carry-not-table", rules, "carry = 3"),
    ("rules-residue-bogus", rules, '[carry]\nrounding_residue = "lost"'),
    ("rules-offset-zero", rules, "[carry]\nyear_offset = 0"),
    ("rules-offset-six", rules, "[carry]\nyear_offset = 6"),
    ("rules-offset-fraction", rules, "[carry]\nyear_offset = 1.5"),
    ("rules-cap-of-bogus", rules, '[carry]\ncap_of = "income"'),
    ("rules-set-aside-years-51", rules, "[carry]\nset_aside_years = 51"),
    ("rules-deficit-set-aside", rules, "[carry.deficit]\nset_aside = true"),
    ("rules-set-aside-text", rules, '[carry.surplus]\nset_aside = "ja"'),
    ("rules-cap-missing", rules, '[carry.surplus]\nrule = "beyond_cap"'),
    ("rules-carry-rule-bogus", rules, '[carry.surplus]\nrule = "half"'),
    ("rules-tariffs-not-table", rules, "tariffs = 3"),
    ("rules-rounding-below-an-ore", rules, "[tariffs]\nrounding = 0.001"),
    ("rules-rounding-five", rules, "[tariffs]\nrounding = 5"),
    ("rules-supplement-bogus", rules, '[tariffs]\nsupplement = "cap"'),
    ("rules-levels-zero", rules, "[tariffs]\nlevels = 0"),
    ("rules-overhead-not-table", rules, "[tariffs]\noverhead = 3"),
    ("rules-overhead-method-bogus", rules, '[tariffs.overhead]\nmethod = "guess"'),
    ("rules-overhead-percentage-without-rate", rules, '[tariffs.overhead]\nmethod = "percentage"'),
    ("rules-unknown-tariffs-key", rules, "[tariffs]\nroundin = 1"),
    ("rules-levels-fraction", rules, "[tariffs]\nlevels = 2.5"),
    ("rules-levels-51", rules, "[tariffs]\nlevels = 51"),
    ("rules-overhead-rate-above-one", rules, '[tariffs.overhead]\nmethod = "percentage"\nrate = 1.5'),
    ("rules-occupancy-rate-above-one", rules, '[tariffs.occupancy]\nmethod = "rate"\nrate = 1.01'),
    ("rules-occupancy-not-table", rules, "[tariffs]\noccupancy = 0.9"),
    ("rules-rounding-text", rules, '[tariffs]\nrounding = "10"'),
    ("rules-unknown-occupancy-key", rules, '[tariffs.occupancy]\nmethod = "expected"\nzzz = 1'),
    ("rules-unknown-overhead-key", rules, '[tariffs.overhead]\nmethod = "own_costs"\nrat = 0.06'),
    ("rules-unknown-carry-surplus-key", rules, '[carry.surplus]\nrule = "all"\ncaps = 0.05'),
    # the import mapping (import-dss --mapping)
    ("mapping-unknown-key", mapping, "separater = ';'"),
    ("mapping-unknown-column-field", mapping, '[columns]\ncprnr = "CPR"'),
    # the ATA assumptions (ata-assumptions.toml)
    ("ata-share-one", assumptions, "sickness_share = 1.0"),
    ("ata-negative", assumptions, "course_hours = -1"),
    ("ata-no-hours-left", assumptions, "norm_hours_per_fte = 100"),
    ("ata-unknown", assumptions, "holidays = 3"),
    # the refund thresholds (refusion-2026.toml)
    ("refunds-year-text", refunds, 'year = "2026"\nsource = "s"'),
    ("refunds-year-1979", refunds, 'year = 1979\nsource = "s"'),
    ("refunds-no-source", refunds, "year = 2026"),
    ("refunds-no-thresholds", refunds, REFUNDS),
    ("refunds-threshold-extra-key", refunds, REFUNDS + "[[thresholds]]\nabove = 1\nshare = 0.5\nmax = 3"),
    ("refunds-threshold-text", refunds, REFUNDS + '[[thresholds]]\nabove = "1"\nshare = 0.5'),
    ("refunds-share-above-one", refunds, REFUNDS + "[[thresholds]]\nabove = 1\nshare = 1.5"),
    ("refunds-above-negative", refunds, REFUNDS + "[[thresholds]]\nabove = -1\nshare = 0.5"),
    ("refunds-not-increasing", refunds, REFUNDS + "[[thresholds]]\nabove = 2\nshare = 0.5\n[[thresholds]]\nabove = 1\nshare = 0.6"),
]


@pytest.mark.parametrize("case, parse, text", CASES, ids=[c[0] for c in CASES])
def test_a_settings_file_that_breaks_a_rule_is_named_word_for_word(case, parse, text, tmp_path):
    with pytest.raises((DataError, UsageError)) as e:
        parse(text)
    err = e.value
    said = f"{type(err).__name__}: {err}" if isinstance(err, UsageError) else f"file={err.file} row={err.row} column={err.column}: {err.message}"
    golden("settings", case, said, tmp_path)


def test_the_corpus_has_a_case_for_each_file():
    assert len({c[0] for c in CASES}) == len(CASES) >= 60


def test_the_tariff_settings_at_their_limits_are_read_exactly():
    """What the rules accept at the edges: each of the five roundings, an overhead rate of 0 and
    of 1, an occupancy rate of exactly 1, 50 levels, and the defaults when a table is left out."""
    from decimal import Decimal

    for step in ("0.01", "1", "10", "100", "1000"):
        assert rules(f"[tariffs]\nrounding = {step}").tariffs.rounding == Decimal(step)
    t = rules(
        '[tariffs]\nlevels = 50\nsupplement = "none"\n[tariffs.overhead]\nmethod = "percentage"\nrate = 1\n[tariffs.occupancy]\nmethod = "rate"\nrate = 1'
    ).tariffs
    assert (t.levels, t.supplement, t.overhead, t.overhead_rate, t.occupancy, t.occupancy_rate) == (50, "none", "percentage", Decimal(1), "rate", Decimal(1))
    t = rules('[tariffs.overhead]\nmethod = "percentage"\nrate = 0').tariffs
    assert t.overhead_rate == Decimal(0)
    t = rules("").tariffs
    assert (t.rounding, t.supplement, t.levels, t.overhead, t.overhead_rate, t.occupancy, t.occupancy_rate) == (
        Decimal(1),
        None,
        None,
        "own_costs",
        Decimal(0),
        "expected",
        None,
    )


def test_the_structure_and_refund_settings_at_their_limits_are_accepted():
    s = structure("days_per_year = 360\nservice_level_band = 0.01\n" + LEVELS)
    assert (s.days_per_year, s.service_level_band) == (360, 0.01)
    s = structure('days_per_year = 366\nservice_level_band = 10\nscope = "common"\nlevel_measure = "citizen"\n' + LEVELS)
    assert (s.days_per_year, s.service_level_band, s.scope, s.level_measure) == (366, 10.0, "common", "citizen")
    s = structure("[[levels]]\nlevel = 1\nmin_hours = 0\nmax_hours = 168\nhours = 168")
    assert (s.levels[0].max_hours, s.levels[0].hours) == (168.0, 168.0)
    r = refunds('name = "r"\nyear = 1980\nsource = "s"\n[[thresholds]]\nabove = 0\nshare = 0\n[[thresholds]]\nabove = 1\nshare = 1')
    assert (r.year, [(t.above, t.share) for t in r.thresholds]) == (1980, [(0, 0), (1, 1)])
    assert refunds('year = 2100\nsource = "s"\n[[thresholds]]\nabove = 5\nshare = 0.5').year == 2100
