import click

from tariffkit.cli.common import output_option


@click.command("compute-haap", short_help="Full-year persons (HÅP), average prices, inflow and outflow.")
@click.argument("payments")
@output_option()
@click.option("--year", type=click.IntRange(1900, 2200), help="Calendar year to compute (default: every year in the data).")
@click.option("--from", "from_", metavar="YYYY-MM", help="First month of the period (with --to).")
@click.option("--to", "to", metavar="YYYY-MM", help="Last month of the period (with --from).")
@click.option("--by", default="", metavar="COLS", help="Group by these payments columns, comma-separated (e.g. offer_id,level). None = the whole municipality.")
@click.option(
    "--method",
    type=click.Choice(["months", "days"]),
    default="months",
    show_default=True,
    help="months: BDO's active-months definition; days: days covered / days in the year.",
)
@click.option("--monthly", is_flag=True, help="One row per month instead of per period.")
@click.option(
    "--as-of",
    "as_of",
    metavar="YYYY-MM-DD",
    help="Forecast: adds haap_ytd/expense_ytd (to this month) and the forecast to the period end (actuals plus the commitments in force). At most the newest extract date.",
)
@click.option(
    "--known-at",
    "known_at",
    metavar="YYYY-MM-DD",
    help="Read the history as it stood on this date (only extracts dated on or before it), e.g. to recompute last month's forecast.",
)
@click.option(
    "--stay-gap",
    type=click.IntRange(min=0),
    default=1,
    show_default=True,
    metavar="MONTHS",
    help="Inflow and outflow describe stays: this many months without activity between two active months are not an absence.",
)
@click.option("--refunds", is_flag=True, help="Add refund (state refunds, § 176, kept out of expense) and expense_net = expense + refund.")
@click.option(
    "--budget", metavar="FILE", help="Budgeted haap and average_price per group (haap_budget table): adds the deviation split into volume and price effect."
)
@click.pass_context
def command(ctx, payments, output, year, from_, to, by, method, monthly, as_of, known_at, stay_gap, refunds, budget):
    """Compute HÅP, expense, average price, inflow and outflow from PAYMENTS (- = stdin).

    Lines are spread over the months they pay for, pro rata by days, in whole øre (the residue
    goes to the last month). A citizen is active in a month when their net amount that month
    is positive; HÅP = active citizen-months / 12. A month in which the citizen moved between
    groups (offer, level …) is shared between them by days, so the groups add up to the whole.
    Monthly rows are on the same scale (they add up to the year). Inflow and outflow describe
    stays (--stay-gap). State refunds (kind refund) are never in the expense. See
    docs/concepts.md.

    The payments are a history of extracts: all actual lines count, and the commitments of the
    newest extract, for the days after the newest extract date.

    \b
    Example:
      tariffkit compute-haap payments.parquet --year 2026 --by offer_id,level -o haap.parquet
      tariffkit compute-haap payments.parquet --as-of 2026-10-31 --by offer_id -o prognose.parquet
      tariffkit compute-haap payments.parquet --as-of 2026-09-30 --known-at 2026-09-30 -o sidste-maaned.parquet
      tariffkit import-dss udtraek.csv --key-file k.key | tariffkit compute-haap - --year 2026 | tariffkit show -
    """
    import datetime as dt

    import polars as pl

    from tariffkit import io as tio
    from tariffkit.cli.common import params_for_provenance
    from tariffkit.contracts import DATE_RANGE, HAAP_BUDGET, PAYMENTS, Column, Table, conform, dates_out_of_range
    from tariffkit.errors import DataError, UsageError
    from tariffkit.haap import HaapOptions, budget_deviation, check_by, compute, period_of

    def month(text: str, opt: str) -> dt.date:
        try:
            return dt.datetime.strptime(text, "%Y-%m").date()
        except ValueError:
            raise UsageError(f"{opt} expects a month like 2026-01, got {text!r}") from None

    from tariffkit.cli.common import parse_date_option

    as_of_date = parse_date_option(as_of, "--as-of") if as_of else None
    known_at_date = parse_date_option(known_at, "--known-at") if known_at else None
    start, end, label = period_of(year, month(from_, "--from") if from_ else None, month(to, "--to") if to else None, as_of_date, known_at_date)
    keys = tuple(c.strip() for c in by.split(",") if c.strip())
    check_by(keys)

    inputs = tio.Inputs()
    target = tio.resolve_output(output)
    # only the columns HÅP needs are read (and checked against the payments contract)
    needed = [*keys, "citizen_id", "service_from", "service_to", "amount", "kind", "extract_date"]
    contract = PAYMENTS.subset(needed)
    file = tio.label_of(payments)
    scan = tio.scan_parquet_file(payments, inputs, columns=needed, schema=contract.schema)
    check = None
    if scan is not None:  # tariffkit's own Parquet: only the period's lines are read
        lo, hi = DATE_RANGE
        bad = pl.any_horizontal(
            *[pl.col(c.name).is_null() for c in contract.columns if not c.nullable],
            *[~pl.col(c.name).is_between(lo, hi) for c in contract.columns if c.dtype == pl.Date],
        )

        def check_file() -> None:  # the first row breaking the contract, named by its row in the file
            found = pl.scan_parquet(payments, row_index_name="_row", row_index_offset=1).select("_row", *needed).filter(bad).head(1).collect()
            if found.height:
                conform(found, contract, file=file, check_key=False)

        def check(lines: pl.DataFrame) -> pl.DataFrame:  # the lines read: checked as they come
            if lines.select(bad.any()).item():
                check_file()
            return lines

        if scan.select(pl.len()).collect().item() == 0:
            raise DataError("the payments table has no rows", file=file)
        if start is None:  # every year: every line is read, and all are checked before the period is taken from their dates
            check_file()
        df = scan
    else:
        df = tio.read_table(payments, inputs, columns=needed)
        if dict(df.schema) != contract.schema:
            df = conform(df, contract, file=file, check_key=False)
        elif any(df.select(pl.col(c.name).null_count() > 0 for c in contract.columns if not c.nullable).row(0)) or dates_out_of_range(df):
            conform(df, contract, file=file, check_key=False)  # names the first row with a missing value or an impossible date
        if df.height == 0:
            raise DataError("the payments table has no rows", file=file)
    opts = HaapOptions(
        by=keys,
        start=start,
        end=end,
        monthly=monthly,
        method=method,
        as_of=as_of_date,
        period_label=label,
        known_at=known_at_date,
        stay_gap=stay_gap,
        refunds=refunds,
    )
    result = compute(df, opts, check=check)
    if budget:
        table = Table(
            "haap_budget", HAAP_BUDGET.description, (*[Column(k, pl.String if k != "level" else pl.Int16, k) for k in keys], *HAAP_BUDGET.columns), key=keys
        )
        b = tio.read_table(budget, inputs, contract=table)
        result = budget_deviation(result, b, list(keys))
    tio.write_table(result, target, command="compute-haap", options=params_for_provenance(ctx), inputs=inputs)
