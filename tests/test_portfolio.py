"""portfolio: flags on hand-made cases, quarters, sums, the workbook."""

import datetime as dt
from decimal import Decimal

import polars as pl
import pytest
from conftest import SAMPLE

from tariffkit.errors import UsageError
from tariffkit.portfolio import PortfolioOptions, parse_quarter, parse_tiers, portfolio

d = dt.date


def line(citizen, frm, to, amount, level=2, cw="M", kind="actual", offer="T1", provider="internal", paragraph="SEL 108", case=None):
    return {
        "citizen_id": citizen,
        "case_id": case or f"S-{citizen}",
        "caseworker": cw,
        "offer_id": offer,
        "offer_name": offer,
        "provider": provider,
        "paragraph": paragraph,
        "function": "5.38.50",
        "level": level,
        "service_from": frm,
        "service_to": to,
        "amount": Decimal(amount),
        "kind": kind,
        "extract_date": d(2025, 9, 30),
        "source_file": "f",
        "source_row": 1,
    }


def monthly(citizen, first, last, amount, **kw):
    """One line per month from month `first` to `last` (inclusive, 1st of month dates)."""
    out, m = [], first
    while m <= last:
        nxt = d(m.year + (m.month == 12), m.month % 12 + 1, 1)
        out.append(line(citizen, m, nxt - dt.timedelta(days=1), amount, **kw))
        m = nxt
    return out


def payments(rows):
    return pl.DataFrame(rows).with_columns(pl.col("level").cast(pl.Int16), pl.col("amount").cast(pl.Decimal(18, 2)))


def opts(q="2025Q3", c="2025Q2", **kw):
    return PortfolioOptions(parse_quarter(q), parse_quarter(c), **kw)


@pytest.fixture
def cases():
    rows = (
        monthly("a", d(2025, 4, 1), d(2025, 6, 1), 30_000)
        + monthly("a", d(2025, 7, 1), d(2025, 9, 1), 40_000)  # cost up 33 %
        + monthly("b", d(2025, 4, 1), d(2025, 6, 1), 30_000)
        + monthly("b", d(2025, 7, 1), d(2025, 9, 1), 31_000)  # +12,000 kr: below the minimum
        + monthly("c", d(2025, 4, 1), d(2025, 7, 1), 30_000)
        + monthly("c", d(2025, 8, 1), d(2025, 9, 1), 30_000, level=3)  # level change
        + monthly("d", d(2025, 1, 1), d(2025, 9, 1), 5_000)
        + [line("d", d(2025, 10, 1), d(2025, 11, 15), 7_500, kind="commitment")]  # ends in 46 days
        + monthly("e", d(2025, 8, 1), d(2025, 9, 1), 20_000)  # new case
        + monthly("f", d(2025, 1, 1), d(2025, 8, 1), 20_000)  # closed in August
        + monthly("g", d(2025, 5, 1), d(2025, 9, 1), 20_000)  # follow-up due in August
        + monthly("h", d(2024, 5, 1), d(2025, 9, 1), 20_000)  # 3 + 12 months: August 2025
        + monthly("i", d(2024, 2, 1), d(2025, 9, 1), 20_000)  # May 2025: not in Q3
        + monthly("n", d(2025, 7, 1), d(2025, 9, 1), 8_000, cw="N")  # a caseworker with no earlier cases
    )
    ongoing = sorted({r["citizen_id"] for r in rows} - {"d", "f"})
    rows += [line(c, d(2025, 10, 1), d(2026, 6, 30), 1_000, kind="commitment", cw="N" if c == "n" else "M") for c in ongoing]  # open commitments
    return payments(rows)


def flags_of(df):
    return {r["citizen_id"]: set(r["flags"]) for r in df.iter_rows(named=True)}


def test_costs_and_change(cases):
    c, _ = portfolio(cases, opts())
    a = c.filter(pl.col("citizen_id") == "a").row(0, named=True)
    assert a["monthly_cost"] == Decimal(40_000) and a["monthly_cost_compare"] == Decimal(30_000)
    assert a["annualised_cost"] == Decimal(480_000) and a["change"] == Decimal(120_000) and a["change_pct"] == pytest.approx(33.3)
    assert a["haap"] == pytest.approx(0.25) and a["quarter"] == "2025Q3" and a["compare_quarter"] == "2025Q2"


def test_each_flag_on_a_hand_made_case(cases):
    schedules = pl.DataFrame(
        {"citizen_id": ["c", "a"], "offer_id": ["T1", "T1"], "new_level": [2, 2]},
        schema={"citizen_id": pl.String, "offer_id": pl.String, "new_level": pl.Int16},
    )
    c, _ = portfolio(cases, opts(), schedules)
    f = flags_of(c)
    assert "cost_up" in f["a"] and "cost_up" not in f["b"]
    assert "level_changed" in f["c"] and "level_changed" not in f["a"]
    assert "schedule_level_differs" in f["c"] and "schedule_level_differs" not in f["a"]
    assert "commitment_ending" in f["d"] and "commitment_ending" not in f["a"]
    assert "new_case" in f["e"] and "new_case" not in f["a"]
    assert "closed_case" in f["f"] and "closed_case" not in f["a"]
    assert "follow_up_due" in f["g"] and "follow_up_due" in f["h"] and "follow_up_due" not in f["i"] and "follow_up_due" not in f["e"]
    assert "no_schedule" in f["b"] and "no_schedule" not in f["a"]
    # 360,000 a year in Q2 (the manager's tier) → 480,000 in Q3 (the visitation committee's)
    assert "tier_up" in f["a"] and "tier_up" not in f["b"] and "tier_up" not in f["n"]


def test_approval_tiers_at_their_limits_and_from_toml(cases):
    c, _ = portfolio(cases, opts())
    tier = {r["citizen_id"]: r["approval_level"] for r in c.iter_rows(named=True)}
    assert tier["a"] == "visitationsudvalg" and tier["n"] == "sagsbehandler"  # 480,000; 96,000 ≤ 110,000
    t = parse_tiers({"name": "x", "tiers": [{"name": "A", "up_to": 96_000}, {"name": "B", "up_to": 480_000}, {"name": "C"}]})
    c, _ = portfolio(cases, opts(tiers=t))
    tier = {r["citizen_id"]: r["approval_level"] for r in c.iter_rows(named=True)}
    assert tier["n"] == "A" and tier["a"] == "B", "a cost equal to a tier's limit is within that tier"
    with pytest.raises(Exception, match="up_to must be above"):
        parse_tiers({"tiers": [{"name": "A", "up_to": 100}, {"name": "B", "up_to": 100}, {"name": "C"}]})
    with pytest.raises(Exception, match="number of kroner"):
        parse_tiers({"tiers": [{"name": "A", "up_to": float("nan")}, {"name": "C"}]})
    with pytest.raises(Exception, match="has no up_to"):
        parse_tiers({"tiers": [{"name": "A", "up_to": 1}, {"name": "C", "up_to": 2}]})


def test_sample_flags_are_few_and_named(sample_out):
    out, _ = sample_out
    c = pl.read_parquet(out / "portefolje-2026Q3.parquet")
    flagged = c.filter(pl.col("flags").list.len() > 0).height
    assert flagged < c.height / 2, "most cases carry no flag: the flags are for the meeting to act on"
    from tariffkit.portfolio import FLAG_LABELS_DA, FLAGS

    assert set(c["flags"].explode().drop_nulls()) <= set(FLAGS) and set(FLAGS) == set(FLAG_LABELS_DA)


def test_quarters_across_a_year_boundary():
    p = payments(monthly("x", d(2025, 10, 1), d(2025, 12, 1), 10_000) + monthly("x", d(2026, 1, 1), d(2026, 3, 1), 20_000))
    c, _ = portfolio(p, opts("2026Q1", "2025Q4"))
    r = c.row(0, named=True)
    assert r["change"] == Decimal(120_000) and r["compare_quarter"] == "2025Q4"


def test_caseworker_without_cases_in_the_comparison_quarter(cases):
    c, s = portfolio(cases, opts())
    n = c.filter(pl.col("caseworker") == "N").row(0, named=True)
    assert n["monthly_cost_compare"] == 0 and n["change_pct"] is None and "new_case" in n["flags"] and "cost_up" not in n["flags"]
    assert s.filter(pl.col("caseworker") == "N")["cases"][0] == 1


def test_sums_per_caseworker_equal_sums_per_case(cases):
    c, s = portfolio(cases, opts())
    by = c.group_by("caseworker").agg(
        pl.len().alias("n"),
        pl.col("annualised_cost").sum(),
        pl.col("change").sum(),
        pl.col("haap").sum(),
        (pl.col("flags").list.len() > 0).sum().alias("flagged"),
    )
    j = s.join(by, on="caseworker")
    assert (j["cases"] == j["n"]).all() and (j["annual_cost"] == j["annualised_cost"]).all() and (j["change"] == j["change_right"]).all()
    assert (j["flagged_cases"] == j["flagged"]).all() and ((j["haap"] - j["haap_right"]).abs() < 1e-9).all()
    assert c["change"].sum() == s["change"].sum()


@pytest.mark.parametrize("bad", ["2025", "2025Q5", "Q3 2025", ""])
def test_bad_quarter_is_a_usage_error(bad):
    with pytest.raises(UsageError):
        parse_quarter(bad)


def test_cli_outputs_and_workbook_read_back(run, tmp_path, cases):
    from openpyxl import load_workbook

    src = tmp_path / "p.parquet"
    cases.write_parquet(src)
    out, summ, xlsx = tmp_path / "pf.parquet", tmp_path / "s.parquet", tmp_path / "pf.xlsx"
    r = run("portfolio", src, "--quarter", "2025Q3", "-o", out, "--summary", summ, "--xlsx", xlsx)
    assert r.exit_code == 0, r.stderr
    assert "2 caseworkers" in r.stderr
    wb = load_workbook(xlsx)
    assert wb.sheetnames == ["Oversigt", "M", "N"]
    ws = wb["M"]
    assert ws["A1"].value == "Sagsbehandler" and ws.freeze_panes == "A2"
    header = [c.value for c in ws[1]]
    col = header.index("Årlig udgift") + 1
    assert ws.cell(row=2, column=col).number_format == "#,##0"
    first = {h: ws.cell(row=2, column=i + 1).value for i, h in enumerate(header)}
    assert first["Borger (pseudonym)"] == "e" and first["Årlig udgift"] == 160_000  # sorted by change: the new case first
    assert ws.cell(row=2, column=1).fill.fgColor.rgb.endswith("FCE4D6")  # flagged row highlighted
    assert pl.read_parquet(summ).height == 2


def test_cli_unknown_caseworker_is_a_data_error(run, tmp_path, cases):
    src = tmp_path / "p.parquet"
    cases.write_parquet(src)
    r = run("portfolio", src, "--quarter", "2025Q3", "--caseworker", "Nobody", "-o", tmp_path / "o.parquet")
    assert r.exit_code == 1 and "Nobody" in r.stderr and not (tmp_path / "o.parquet").exists()


def test_sample_planted_cost_jumps_are_found(sample_out):
    out, _ = sample_out
    c = pl.read_parquet(out / "portefolje-2026Q3.parquet")
    jumps = c.filter(pl.col("flags").list.contains("cost_up") & pl.col("flags").list.contains("level_changed"))
    planted = int((SAMPLE / "FINDINGS.md").read_text(encoding="utf-8").split("**Cost jumps between quarters**: ")[1].split(" ")[0])
    assert jumps.height >= planted  # FINDINGS.md: the cases that move up two levels on 2026-07-01
