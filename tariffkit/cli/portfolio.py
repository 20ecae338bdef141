import click

from tariffkit.cli.common import output_option

_FLAG_HELP = """\b
Flags (the flags column):
  cost_up                 cost up by more than --threshold and --min-change
  level_changed           the function level changed in the quarter
  schedule_level_differs  DSS level differs from the 24-hour schedule's (--schedules)
  commitment_ending       the case ends within --ending-within days after the quarter
  new_case / closed_case  the case started / ended in the quarter
  follow_up_due           a follow-up falls in the quarter (--follow-up FIRST,EVERY)
  above_approval_limit    annual cost above the caseworker's approval limit (--limits)
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
@click.option("--follow-up", default="3,12", show_default=True, metavar="FIRST,EVERY", help="Months from the start to the first follow-up, then between follow-ups.")
@click.option("--limits", metavar="TOML", help="Approval limits per authority level and caseworkers' levels (default: caseworker 110,000, manager 415,000, above: committee).")
@output_option("Output Parquet (portfolio table, one row per case).")
@click.option("--summary", metavar="FILE", help="Also write the per-caseworker summary (Parquet).")
@click.option("--xlsx", metavar="FILE", help="Also write the meeting workbook: an overview plus one sheet per caseworker.")
@click.pass_context
def command(ctx, payments, quarter, compare, schedules, caseworker, threshold, min_change, ending_within, follow_up, limits, output, summary, xlsx):
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
    from tariffkit.portfolio import ApprovalLimits, PortfolioOptions, parse_limits, portfolio

    inputs = tio.Inputs()
    target = tio.resolve_output(output)
    pay = conform(tio.read_table(payments, inputs), PAYMENTS, file=tio.label_of(payments), check_key=False)
    sch = None
    if schedules:
        sch = conform(tio.read_table(schedules, inputs), REASSIGNMENTS, file=tio.label_of(schedules))
    lim = ApprovalLimits()
    if limits:
        lim = parse_limits(tio.read_toml(limits, inputs), file=limits)
    opts = PortfolioOptions(q, c, thr, float(min_change), ending_within, first, every, lim, caseworker)
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

        tio.write_bytes(xlsx, workbook(cases, summ), inputs)
    _print(cases, summ, err)


def _print(cases, summ, err) -> None:
    import sys

    import polars as pl

    from tariffkit.cli.common import stderr_console
    from tariffkit.danish import format_kr

    con = stderr_console()
    flagged = int(summ["flagged_cases"].sum())
    err(f"portfolio {summ['quarter'][0] if summ.height else ''}: {summ.height} caseworkers, {cases.height} cases, "
        f"{flagged} flagged; total change {format_kr(cases['change'].sum())} kr a year")
    if not sys.stderr.isatty():
        return
    from rich.table import Table

    for cw in summ["caseworker"].to_list():
        t = Table(title=f"{cw}", title_justify="left")
        for h in ("Borger", "Tilbud", "Niveau", "Årlig udgift", "Ændring", "%", "Markeringer"):
            t.add_column(h, justify="right" if h in ("Niveau", "Årlig udgift", "Ændring", "%") else "left")
        for r in cases.filter(pl.col("caseworker") == cw).iter_rows(named=True):
            t.add_row(r["citizen_id"], r["offer_id"], str(r["level"] or ""), format_kr(r["annualised_cost"]), format_kr(r["change"]),
                      "" if r["change_pct"] is None else format_kr(r["change_pct"], 1), ", ".join(r["flags"]),
                      style="bold" if r["flags"] else None)
        con.print(t)
