import click

from tariffkit.cli.common import output_option, writable

_FLAG_HELP = """\b
Flags (the flags column):
  cost_up                 cost up by more than --threshold and --min-change
  level_changed           the function level changed in the quarter
  schedule_level_differs  DSS level differs from the 24-hour schedule's (--schedules)
  commitment_ending       the case ends within --ending-within days after the quarter
  new_case / closed_case  the case started / ended in the quarter
  follow_up_due           a follow-up falls in the quarter (--follow-up FIRST,EVERY)
  tier_up                 the annual cost moved into a higher approval tier (--tiers)
                          than in the comparison quarter: approval at that tier
  no_schedule             no schedule for a citizen on an internal residential offer"""


@click.command("portfolio", short_help="Caseworker portfolios for the quarterly economy check.", epilog=_FLAG_HELP)
@click.argument("payments")
@click.option("--quarter", required=True, metavar="YYYYQn", help="The quarter, e.g. 2025Q3.")
@click.option("--compare", metavar="YYYYQn", help="Comparison quarter (default: the quarter before).")
@click.option("--schedules", metavar="FILE", help="reassign output: adds schedule_level_differs and no_schedule.")
@click.option("--caseworker", metavar="NAME", help="Only this caseworker's cases.")
@click.option("--threshold", default="10%", show_default=True, metavar="PCT", help="cost_up: rise in % of the comparison cost.")
@click.option("--min-change", type=click.FloatRange(min=0), default=50_000, show_default=True, help="cost_up: minimum rise in kroner a year.")
@click.option("--ending-within", type=click.IntRange(min=0), default=90, show_default=True, metavar="DAYS", help="commitment_ending: days after the quarter.")
@click.option(
    "--follow-up", default="3,12", show_default=True, metavar="FIRST,EVERY", help="Months from the start to the first follow-up, then between follow-ups."
)
@click.option(
    "--tiers",
    metavar="TOML",
    help="Approval tiers (bevillingskompetence): [[tiers]] name, up_to (default: Ikast-Brande's example: caseworker 110,000, manager 415,000, visitation committee 1 mio., then the political committee).",
)
@click.option("--quiet", "-q", is_flag=True, help="Only the one summary line on stderr.")
@output_option("Output Parquet (portfolio table, one row per case).")
@click.option("--summary", metavar="FILE", help="Also write the per-caseworker summary (Parquet).", callback=writable)
@click.option("--xlsx", metavar="FILE", help="Also write the meeting workbook: an overview plus one sheet per caseworker.", callback=writable)
@click.pass_context
def command(ctx, payments, quarter, compare, schedules, caseworker, threshold, min_change, ending_within, follow_up, tiers, quiet, output, summary, xlsx):
    """Each caseworker's cases in a quarter: what they cost, which became more expensive,
    and whether payments, the 24-hour schedule and the case still agree.

    Costs are the payments spread over months as compute-haap spreads them; annualised cost =
    quarter × 4; change = (quarter − comparison quarter) × 4.

    \b
    Example:
      tariffkit portfolio payments.parquet --quarter 2026Q3 --schedules genindplacering.parquet \\
          -o portefolje.parquet --summary sagsbehandlere.parquet --xlsx portefolje.xlsx
    """
    from tariffkit.errors import UsageError
    from tariffkit.portfolio import parse_quarter

    q = parse_quarter(quarter)
    if compare:
        c = parse_quarter(compare, "--compare")
    else:
        from tariffkit.haap import month_add

        c = (month_add(q[0], -3), month_add(q[0], -1))
    try:
        thr = float(threshold.strip().rstrip("%").replace(",", "."))
    except ValueError:
        raise UsageError(f"--threshold: expected a percentage like 10%, found {threshold!r}") from None
    try:
        first, every = (int(x) for x in follow_up.split(","))
        if first < 0 or every < 1:
            raise ValueError
    except ValueError:
        raise UsageError(f"--follow-up: expected FIRST,EVERY in months like 3,12, found {follow_up!r}") from None

    from tariffkit import io as tio
    from tariffkit.cli.common import err, params_for_provenance
    from tariffkit.contracts import PAYMENTS, REASSIGNMENTS, conform
    from tariffkit.portfolio import ApprovalTiers, PortfolioOptions, parse_tiers, portfolio

    inputs = tio.Inputs()
    target = tio.resolve_output(output)
    pay = conform(tio.read_table(payments, inputs), PAYMENTS, file=tio.label_of(payments), check_key=False)
    sch = None
    if schedules:
        sch = conform(tio.read_table(schedules, inputs), REASSIGNMENTS, file=tio.label_of(schedules))
    lim = ApprovalTiers()
    if tiers:
        lim = parse_tiers(tio.read_toml(tiers, inputs), file=tiers)
    opts = PortfolioOptions(q, c, thr, float(min_change), ending_within, first, every, lim, caseworker)
    from tariffkit.cli.common import working

    with working(f"portfolio {quarter} …"):
        cases, summ = portfolio(pay, opts, sch)
    for extra in (summary, xlsx):
        if extra:
            tio.check_not_an_input(extra, inputs)
    prov = params_for_provenance(ctx)
    tio.write_table(cases, target, command="portfolio", options=prov, inputs=inputs)
    if summary:
        tio.write_table(summ, summary, command="portfolio", options=prov, inputs=inputs)
    if xlsx:
        from tariffkit.portfolio import workbook

        with working("writing the meeting workbook …"):
            tio.write_bytes(xlsx, workbook(cases, summ), inputs)
    _print(cases, summ, err, quiet)


def _print(cases, summ, err, quiet: bool = False) -> None:
    import sys

    import polars as pl

    from tariffkit.cli.common import stderr_console
    from tariffkit.danish import format_kr

    con = stderr_console()
    flagged = int(summ["flagged_cases"].sum())
    counts = cases.select(pl.col("flags").explode().value_counts(sort=True)).unnest("flags").drop_nulls()
    by_flag = ", ".join(f"{r['flags']} {r['count']}" for r in counts.sort(["count", "flags"], descending=[True, False]).iter_rows(named=True))
    err(
        f"portfolio {summ['quarter'][0] if summ.height else ''}: {summ.height} caseworkers, {cases.height} cases, "
        f"{flagged} flagged{' (' + by_flag + ')' if by_flag else ''}; total change {format_kr(cases['change'].sum())} kr a year"
    )
    if quiet or not sys.stderr.isatty():
        return
    from rich.table import Table

    t = Table(title="Sagsbehandlere", title_justify="left")  # one row per caseworker, not every case
    for h in ("Sagsbehandler", "Sager", "HÅP", "Årlig udgift", "Ændring", "Markerede sager"):
        t.add_column(h, justify="left" if h == "Sagsbehandler" else "right")
    for r in summ.iter_rows(named=True):
        t.add_row(r["caseworker"], str(r["cases"]), format_kr(r["haap"], 2), format_kr(r["annual_cost"]), format_kr(r["change"]), str(r["flagged_cases"]))
    con.print(t)
