import click

from tariffkit.cli.common import writable


@click.group("report", short_help="Reports people open: the monthly HTML report, the offer workbook.")
def command():
    """Reports for leadership and offer managers, from the Parquet the other commands write.

    \b
    Example:
      tariffkit report monthly payments.parquet --as-of 2026-09-30 \\
          --budget myndighed.parquet --offer-budget budget.parquet -o rapport.html
      tariffkit report offer budget.parquet --offers offers.csv -o tilbud.xlsx
    """


@command.command("monthly", short_help="The monthly economy check as one self-contained HTML file.")
@click.argument("payments")
@click.option("--as-of", metavar="DATE", help="Expense to date up to this month, the forecast to year end (default: the newest extract date; never after it).")
@click.option("--known-at", metavar="DATE", help="Read the payments history as it stood on this date (e.g. to remake last month's report).")
@click.option("--year", type=click.IntRange(1900, 2200), help="The year (default: the as-of date's).")
@click.option(
    "--by",
    "area",
    default="paragraph",
    show_default=True,
    metavar="COLUMN",
    help="The areas of the key figures: a payments column (paragraph, offer_id, function, provider …).",
)
@click.option("--budget", metavar="FILE", help="Budget per area: budget-forecast authority output, or a haap_budget table (haap, average_price).")
@click.option("--offer-budget", metavar="FILE", help="budget-forecast offer output: lists the offers heading for a deficit.")
@click.option("--previous", metavar="FILE", help="Last month's key figures (--save-figures): the change since last month.")
@click.option("--save-figures", metavar="FILE", help="Also write this month's key figures (key_figures table) for next month's --previous.", callback=writable)
@click.option(
    "--min-deficit",
    type=click.FloatRange(min=0),
    default=1000,
    show_default=True,
    metavar="KR",
    help="List an offer as heading for a deficit from this forecast deficit (a few kroner are tariff rounding).",
)
@click.option("--top", type=click.IntRange(min=0), default=10, show_default=True, help="Cases with the largest cost change to list.")
@click.option("--title", metavar="TEXT", help="Report title (default: Månedlig økonomiopfølgning YEAR).")
@click.option("-o", "--output", required=True, metavar="FILE.html", help="The HTML report (- for stdout).", callback=writable)
@click.pass_context
def monthly(ctx, payments, as_of, known_at, year, area, budget, offer_budget, previous, save_figures, min_deficit, top, title, output):
    """Key figures per area (HÅP, average price, expense to date, budget, forecast, deviation
    split into volume and price, change since last month), charts (HÅP, average price, budget
    against forecast, inflow and outflow), offers heading for a deficit and the cases with the
    largest cost change, in one HTML file with no scripts and nothing fetched from elsewhere.
    The footer names the data period, each input's SHA-256 and the tariffkit version.

    The page says which DSS extract (extract date) the figures rest on. Cron, each month: save
    the figures and give last month's to --previous.

    \b
    Example:
      tariffkit report monthly payments.parquet --as-of 2026-09-30 --budget myndighed.parquet \\
          --offer-budget budget.parquet --previous noegletal-2026-08.parquet \\
          --save-figures noegletal-2026-09.parquet -o rapport-2026-09.html
    """

    from tariffkit import __version__
    from tariffkit import io as tio
    from tariffkit.cli.common import err, params_for_provenance, parse_date_option
    from tariffkit.contracts import KEY_FIGURES, PAYMENTS, conform
    from tariffkit.errors import DataError, UsageError

    as_of_date = parse_date_option(as_of, "--as-of") if as_of else None
    known_at_date = parse_date_option(known_at, "--known-at") if known_at else None
    allowed = [
        c for c in PAYMENTS.names if c not in ("amount", "service_from", "service_to", "source_row", "citizen_id", "case_id", "source_file", "extract_date")
    ]
    if area not in allowed:
        raise UsageError(f"--by: choose one of {', '.join(allowed)}")
    if output != "-" and not output.lower().endswith((".html", ".htm")):
        raise UsageError("-o: the report is HTML; name the file .html")

    from tariffkit.report import monthly_report
    from tariffkit.report_html import render

    inputs = tio.Inputs()
    pf = tio.label_of(payments)
    pay = conform(tio.read_table(payments, inputs), PAYMENTS, file=pf, check_key=False)
    if pay.height == 0:
        raise DataError("the payments table has no rows", file=pf)
    if as_of_date is None:
        from tariffkit.history import snapshot

        as_of_date = snapshot(pay, known_at_date).horizon
        if as_of_date is None:
            raise UsageError(f"no extract in {pf} dated on or before --known-at {known_at}")
    year = year or as_of_date.year
    if as_of_date.year != year:
        raise UsageError(f"--as-of {as_of_date} is not in {year}")
    as_of = as_of_date.isoformat()
    b = None
    if budget:
        b = tio.read_table(budget, inputs)
        need = {area, "budget", "budget_haap", "budget_average_price"} if "budget" in b.columns else {area, "haap", "average_price"}
        missing = sorted(need - set(b.columns))
        if missing:
            raise DataError(
                f"the budget needs the columns {', '.join(sorted(need))} (budget-forecast authority on compute-haap --by {area}, or a haap_budget table); missing: {', '.join(missing)}",
                file=tio.label_of(budget),
                column=missing[0],
            )
        if "year" in b.columns:
            b = b.filter(b["year"] == year)
            if b.height == 0:
                raise DataError(f"no budget rows for {year}", file=tio.label_of(budget), column="year")
    ob = tio.read_table(offer_budget, inputs, contract="budget") if offer_budget else None
    prev = conform(tio.read_table(previous, inputs), KEY_FIGURES, file=tio.label_of(previous)) if previous else None
    if prev is not None and prev.filter(prev["as_of"] >= as_of_date).height:
        raise DataError(f"the previous key figures are not from before {as_of} (as_of {prev['as_of'].max()})", file=tio.label_of(previous), column="as_of")
    from tariffkit.cli.common import working

    with working(f"the monthly report as of {as_of} …"):
        rep = monthly_report(
            pay, year=year, as_of=as_of_date, area=area, budget=b, offer_budget=ob, previous=prev, top=top, min_deficit=min_deficit, known_at=known_at_date
        )
        html = render(rep, inputs=inputs.entries, version=__version__, title=title)
    if save_figures:
        tio.check_not_an_input(save_figures, inputs)
    tio.write_text(output, html, inputs)
    if save_figures:
        tio.write_table(rep.key_figures, save_figures, command="report monthly", options=params_for_provenance(ctx), inputs=inputs)
    t = rep.key_figures.row(-1, named=True)
    dev = "" if t["deviation"] is None else f", deviation {_kr(t['deviation'])} kr (volume {_kr(t['volume_effect'])}, price {_kr(t['price_effect'])})"
    err(
        f"report monthly {year} as of {as_of} (extract {rep.snapshot.horizon}): HÅP {_kr(t['haap_forecast'], 2)}, forecast {_kr(t['forecast'])} kr{dev}"
        + ("" if output == "-" else f"; wrote {output}")
    )


def _kr(v, d: int = 0) -> str:
    from tariffkit.danish import format_kr

    return format_kr(v, d)


@command.command("offer", short_help="One sheet per offer in BDO's layout, plus an overview (.xlsx).")
@click.argument("budget")
@click.option("--offers", metavar="FILE", help="Offers table: names on the sheets.")
@click.option("--year", type=click.IntRange(1900, 2200), help="The budget year (default: the year of the forecast column).")
@click.option("-o", "--output", required=True, metavar="FILE.xlsx", help="The workbook.", callback=writable)
def offer(budget, offers, year, output):
    """The offer budget model (budget-forecast offer output) as the workbook offer managers know:
    per offer the costs, income by level, key figures, staff, the calculators and the comment
    field; an overview sheet with a native Excel chart of budget against forecast.

    A live model: cost lines, HÅP per level, tariffs, places, supplements, PL rates and the
    calculators' inputs are yellow input cells; every total, the tariff basis, income (HÅP ×
    tariff), the expected result, place prices, out-years and the calculators are Excel
    formulas on them (what Excel computes equals the Parquet to the krone). Printed: A4
    landscape, one page wide, the header row repeated.

    \b
    Example:
      tariffkit report offer budget-2026.parquet --offers offers.csv -o tilbud-2026.xlsx
    """
    from tariffkit import io as tio
    from tariffkit.cli.common import err
    from tariffkit.errors import DataError, UsageError

    if not output.lower().endswith(".xlsx"):
        raise UsageError("-o: the workbook must be named .xlsx")
    from tariffkit.offer_workbook import workbook

    inputs = tio.Inputs()
    b = tio.read_table(budget, inputs, contract="budget")
    if b.height == 0:
        raise DataError("the budget table has no rows", file=tio.label_of(budget))
    of = tio.read_table(offers, inputs, contract="offers") if offers else None
    years = sorted(set(b.filter(b["basis"] == "forecast")["year"].to_list())) or sorted(set(b.filter(b["basis"] == "tariff_budget")["year"].to_list()))
    if year is None:
        if len(years) != 1:
            raise UsageError(f"the budget holds forecasts for {', '.join(map(str, years)) or 'no year'}; choose one with --year")
        year = years[0]
    elif year not in years:
        raise DataError(
            f"no forecast or tariff budget for {year} (the file has {', '.join(map(str, years)) or 'none'})", file=tio.label_of(budget), column="year"
        )
    from tariffkit.cli.common import working

    with working("writing the offer workbook …"):
        payload, n = workbook(b, year, of)
    tio.write_bytes(output, payload, inputs)
    err(f"report offer {year}: {n} offers; wrote {output}")
