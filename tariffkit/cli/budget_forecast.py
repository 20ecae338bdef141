import click

from tariffkit.cli.common import output_option, warn, writable

_Y = click.option("--year", required=True, type=click.IntRange(1900, 2200), help="Budget year.")


class _Models(click.Group):
    """``budget-forecast MODEL``; the options of the form before the models were subcommands
    (``budget-forecast --year … [--authority | --allocation MODE]``) still work, with a note."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0].startswith("-") and args[0] not in ("-h", "--help"):
            args = ["flags", *args]
        return super().parse_args(ctx, args)


@click.group("budget-forecast", cls=_Models, short_help="Budgets: the offer model with out-years, activity allocation, the authority side.")
def command():
    """The budgets, one subcommand per model: `offer` (BDO's offer-specific budget model with
    out-years and the cut calculators), `allocation` (the activity-based or hybrid allocation
    with a transition) and `authority` (the authority-side budget per group from the HÅP
    history). Each writes one Parquet table. The form from before the models were subcommands
    (`budget-forecast --year … [--authority | --allocation MODE]`) still works and says which
    subcommand it is.

    \b
    Example:
      tariffkit budget-forecast offer --year 2026 --costs costs.csv --tariffs takster.parquet --haap prognose.parquet -o budget.parquet
      tariffkit budget-forecast allocation --mode hybrid --year 2026 --payments payments.parquet \\
          --tariffs takster.parquet --costs costs.csv --phase-in 2026:0.5,2027:1.0 -o fordeling.parquet
      tariffkit budget-forecast authority --year 2026 --haap haap-historik.parquet --forecast prognose.parquet -o myndighed.parquet
    """


def _offer_options(f):
    for opt in reversed(
        [
            _Y,
            click.option(
                "--costs", metavar="FILE", help="Cost lines (costs table): actuals and budget last year, budget, tariff budget and forecast this year."
            ),
            click.option("--staff", metavar="FILE", help="FTE and cost per FTE per category (staff table)."),
            click.option("--offers", metavar="FILE", help="Offers (places, portal places, the offer manager's comment)."),
            click.option("--tariffs", metavar="FILE", help="tariffs table from tariff-build."),
            click.option("--haap", metavar="FILE", help="Forecast HÅP per offer and level (compute-haap --by offer_id,level --as-of …, or occupancy)."),
            click.option("--expected-haap", metavar="FILE", help="HÅP per offer and level behind the tariffs (the tariff budget's income)."),
            click.option("--ata-prices", metavar="FILE", help="ata_prices from price-ata: ATA hours from staff and cost per ATA hour."),
            click.option("--out-years", type=click.IntRange(0, 10), default=5, show_default=True, help="Out-years after the budget year."),
            click.option(
                "--index-income",
                is_flag=True,
                help="Out-years: index income by PL like the costs (default: held at the budget year's, as BDO's printed model; an offer in balance then drifts into deficit).",
            ),
            click.option(
                "--pl", "pl_rate", metavar="RATE|YEAR:RATE,...", default="0.03", show_default=True, help="PL rate for the out-years: one rate, or one per year."
            ),
            click.option("--cut-category", default="trained", show_default=True, help="Staff category the cut calculator reduces."),
            click.option("--frame-cut", type=click.FloatRange(0, 1), default=0.03, show_default=True, help="Frame-cut calculator: share of the cost basis."),
            click.option(
                "--placed-hours",
                metavar="FILE",
                help="reassign's output: the ATA hours placed come from the citizens' schedules (hours_counted × 52) instead of the levels' representative hours × HÅP.",
            ),
            click.option(
                "--results",
                metavar="FILE",
                help="results table from close-year: the results it carries into --year enter the tariff basis (instead of a typed-in result).",
            ),
            click.option(
                "--rules",
                metavar="TOML",
                help="Tariff rules (close-year's): each out-year's tariff basis then carries the expected result of year − offset, split by the rules.",
            ),
            click.option(
                "--previous",
                metavar="FILE",
                help="Last year's budget (this command's output for --year − 1): the change in cost basis split into volume and price.",
            ),
            click.option(
                "--next-costs",
                metavar="FILE",
                help="Also write the costs table with next year's tariff budget added: this year's forecast lines × (1 + next year's PL).",
                callback=writable,
            ),
        ]
    ):
        f = opt(f)
    return f


def _allocation_options(f):
    for opt in reversed(
        [
            click.option("--payments", metavar="FILE", help="The payments table (days per citizen and level)."),
            click.option("--tariffs", metavar="FILE", help="tariffs table from tariff-build."),
            click.option("--costs", metavar="FILE", help="Cost lines (costs table): the old frame budget's basis."),
            click.option(
                "--frame-basis",
                type=click.Choice(["budget", "tariff_budget", "actual", "forecast"]),
                default="budget",
                show_default=True,
                help="The cost basis that is the old frame budget.",
            ),
            click.option("--phase-in", metavar="YEAR:SHARE,...", help="Transition rule, e.g. 2026:0.5,2027:1.0."),
        ]
    ):
        f = opt(f)
    return f


@command.command("offer", short_help="BDO's offer budget model for every offer: out-years and the cut calculators.")
@_offer_options
@output_option()
@click.pass_context
def offer(
    ctx,
    year,
    costs,
    staff,
    offers,
    tariffs,
    haap,
    expected_haap,
    ata_prices,
    out_years,
    index_income,
    pl_rate,
    cut_category,
    frame_cut,
    placed_hours,
    results,
    rules,
    previous,
    next_costs,
    output,
):
    """The offer-specific budget model (BDO's Bilag 1) for every offer with cost lines in the
    budget year, with out-years and the cut calculators.

    Tariff basis = cost basis + result two years earlier; income = HÅP per level × tariff + 5+
    supplements; expected result = income − tariff basis; out-years index every cost line by PL
    and hold income at the forecast (or index it, --index-income). The output is tidy
    (offer_id, year, basis, line, value); `tariffkit show budget.parquet --wide` shows the grid.

    \b
    Example:
      tariffkit budget-forecast offer --year 2026 --costs costs.csv --staff staff.csv --offers offers.csv \\
          --tariffs takster.parquet --expected-haap haap-2026.parquet --haap prognose.parquet \\
          --ata-prices ata.parquet --pl 0.03 -o budget.parquet
    """
    from tariffkit import io as tio
    from tariffkit.cli.common import err, params_for_provenance
    from tariffkit.errors import UsageError

    if next_costs and out_years < 1:
        raise UsageError("--next-costs needs next year's PL rate: give --out-years 1 or more")
    inputs = tio.Inputs()
    target = tio.resolve_output(output)
    opts = params_for_provenance(ctx)
    df = _offer_model(
        year, costs, staff, offers, tariffs, haap, expected_haap, ata_prices, out_years, pl_rate, cut_category, frame_cut, inputs, err,
        index_income, results, previous, next_costs, opts, rules, placed_hours,
    )  # fmt: skip
    tio.write_table(df, target, command="budget-forecast offer", options=opts, inputs=inputs)


@command.command("allocation", short_help="Activity-based or hybrid allocation per internal offer, with a transition.")
@_Y
@click.option(
    "--mode",
    type=click.Choice(["activity", "hybrid"]),
    default="activity",
    show_default=True,
    help="activity: the whole budget follows the citizens; hybrid: the ATA part does (Norddjurs).",
)
@_allocation_options
@output_option()
@click.pass_context
def allocation(ctx, year, mode, payments, tariffs, costs, frame_basis, phase_in, output):
    """The activity-based allocation per internal offer: each offer's budget from its citizens'
    days at each level × the tariffs, against the old frame budget, phased in by the transition
    rule.

    \b
    Example:
      tariffkit budget-forecast allocation --mode hybrid --year 2026 --payments payments.parquet \\
          --tariffs takster.parquet --costs costs.csv --phase-in 2026:0.5,2027:1.0 -o fordeling.parquet
    """
    from tariffkit import io as tio
    from tariffkit.cli.common import params_for_provenance

    inputs = tio.Inputs()
    target = tio.resolve_output(output)
    df = _allocation(year, mode, payments, tariffs, costs, frame_basis, phase_in, inputs)
    tio.write_table(df, target, command="budget-forecast allocation", options=params_for_provenance(ctx), inputs=inputs)


@command.command("authority", short_help="The authority-side budget per group from the HÅP history, and the deviation split.")
@_Y
@click.option("--haap", metavar="FILE", help="The HÅP history (compute-haap --by …, every year).")
@click.option("--forecast", "forecast_file", metavar="FILE", help="This year's forecast (compute-haap --as-of, the same --by).")
@click.option("--assumptions", metavar="TOML", help="pl_rate, price_growth and per-group expected_haap / price_growth.")
@output_option()
@click.pass_context
def authority(ctx, year, haap, forecast_file, assumptions, output):
    """The authority-side budget per group (paragraph, offer …, as the HÅP history was
    computed): expected HÅP × average price × PL, and this year's deviation split into volume
    and price.

    \b
    Example:
      tariffkit budget-forecast authority --year 2026 --haap haap-historik.parquet --forecast prognose.parquet -o myndighed.parquet
    """
    from tariffkit import io as tio
    from tariffkit.cli.common import params_for_provenance

    inputs = tio.Inputs()
    target = tio.resolve_output(output)
    df = _authority(year, haap, forecast_file, assumptions, inputs)
    tio.write_table(df, target, command="budget-forecast authority", options=params_for_provenance(ctx), inputs=inputs)


@command.command("flags", hidden=True)
@_offer_options
@click.option("--authority", is_flag=True, help="The authority model.")
@click.option("--forecast", "forecast_file", metavar="FILE", help="--authority: this year's forecast.")
@click.option("--assumptions", metavar="TOML", help="--authority: the assumptions.")
@click.option("--allocation", type=click.Choice(["activity", "hybrid"]), help="The allocation model.")
@click.option("--payments", metavar="FILE", help="--allocation: the payments table.")
@click.option(
    "--frame-basis",
    type=click.Choice(["budget", "tariff_budget", "actual", "forecast"]),
    default="budget",
    show_default=True,
    help="--allocation: the frame basis.",
)
@click.option("--phase-in", metavar="YEAR:SHARE,...", help="--allocation: the transition rule.")
@output_option()
@click.pass_context
def flags(
    ctx, year, costs, staff, offers, tariffs, haap, expected_haap, ata_prices, out_years, index_income, pl_rate, cut_category, frame_cut,
    placed_hours, results, rules, previous, next_costs, authority, forecast_file, assumptions, allocation, payments, frame_basis, phase_in, output,
):  # fmt: skip
    """The form before the models were subcommands: `budget-forecast --year … [--authority |
    --allocation MODE]`. It computes what the subcommand does and says which to use."""
    from tariffkit import io as tio
    from tariffkit.cli.common import err, params_for_provenance
    from tariffkit.errors import UsageError

    if authority and allocation:
        raise UsageError("choose --authority or --allocation, not both")
    if (authority or allocation) and (results or rules or previous or next_costs or placed_hours):
        raise UsageError("--results, --rules, --previous and --next-costs are for the offer model (not --authority or --allocation)")
    if next_costs and out_years < 1:
        raise UsageError("--next-costs needs next year's PL rate: give --out-years 1 or more")
    model = "authority" if authority else "allocation --mode " + allocation if allocation else "offer"
    err(f"tariffkit: note: budget-forecast's models are subcommands now; this is `budget-forecast {model}` (the options are the same)")
    inputs = tio.Inputs()
    target = tio.resolve_output(output)
    opts = params_for_provenance(ctx)
    if authority:
        df = _authority(year, haap, forecast_file, assumptions, inputs)
    elif allocation:
        df = _allocation(year, allocation, payments, tariffs, costs, frame_basis, phase_in, inputs)
    else:
        df = _offer_model(
            year, costs, staff, offers, tariffs, haap, expected_haap, ata_prices, out_years, pl_rate, cut_category, frame_cut, inputs, err,
            index_income, results, previous, next_costs, opts, rules, placed_hours,
        )  # fmt: skip
    tio.write_table(df, target, command="budget-forecast", options=opts, inputs=inputs)


def _need(**kw):
    from tariffkit.errors import UsageError

    missing = [k.replace("_", "-") for k, v in kw.items() if not v]
    if missing:
        raise UsageError(f"this model needs --{', --'.join(missing)}")


def _haap_for_year(path, inputs, year):
    from tariffkit import io as tio
    from tariffkit.budget import expected_haap

    return expected_haap(tio.read_table(path, inputs), year, file=tio.label_of(path))


def _offer_model(
    year,
    costs,
    staff,
    offers,
    tariffs,
    haap,
    expected_haap,
    ata_prices,
    out_years,
    pl_rate,
    cut_category,
    frame_cut,
    inputs,
    err,
    index_income=False,
    results=None,
    previous=None,
    next_costs=None,
    provenance_options=None,
    rules=None,
    placed_hours=None,
):
    from decimal import Decimal

    from tariffkit import io as tio
    from tariffkit.budget import OfferModelOptions, offer_model, parse_pl
    from tariffkit.cli.common import stderr_console
    from tariffkit.danish import format_kr

    _need(costs=costs, tariffs=tariffs, haap=haap)
    rates = parse_pl(pl_rate, year, out_years)
    co = tio.read_table(costs, inputs, contract="costs")
    st = tio.read_table(staff, inputs, contract="staff") if staff else None
    of = tio.read_table(offers, inputs, contract="offers") if offers else None
    ta = tio.read_table(tariffs, inputs, contract="tariffs")
    fh = _haap_for_year(haap, inputs, year)
    eh = _haap_for_year(expected_haap, inputs, year) if expected_haap else None
    ap = tio.read_table(ata_prices, inputs, contract="ata_prices") if ata_prices else None
    carried, later = {}, {}
    if results:
        from tariffkit.close import carries

        res = tio.read_table(results, inputs, contract="results")
        carried, later = carries(res, co, year, out_years, (tio.label_of(costs), tio.label_of(results)))
    from tariffkit.rules import read_rules

    tr = read_rules(rules, inputs) if rules else None
    prev = tio.read_table(previous, inputs, contract="budget") if previous else None
    if next_costs:
        tio.check_not_an_input(next_costs, inputs)
    o = OfferModelOptions(
        year=year,
        out_years=out_years,
        pl_rates=rates,
        cut_category=cut_category,
        frame_cut=Decimal(str(frame_cut)),
        index_income=index_income,
        carried=carried,
        previous=prev,
        rules=tr,
        carried_later=later,
        placed=tio.read_table(placed_hours, inputs, contract="reassignments") if placed_hours else None,
    )
    files = {"costs": tio.label_of(costs), "tariffs": tio.label_of(tariffs), "haap": tio.label_of(haap)}
    df, warnings = offer_model(co, st, of, ta, fh, eh, o, ata_prices=ap, files=files)
    warn(warnings)
    if next_costs:
        from tariffkit.budget import next_year_costs

        nxt = next_year_costs(co, year, rates[year + 1], file=tio.label_of(costs))
        tio.write_table(nxt, next_costs, command="budget-forecast", options=provenance_options or {}, inputs=inputs)
        err(
            f"next year's costs: {year + 1} tariff budget = {year} forecast × (1 + {rates[year + 1]}) per line, written with the other cost lines to {next_costs}"
        )
    import polars as pl

    con = stderr_console()
    res = df.filter((pl.col("basis") == "forecast") & (pl.col("line") == "expected_result") & (pl.col("year") == year))
    SHOWN = 20  # a municipality's offers one by one; a national run: the total and the largest deficits
    if res.height > SHOWN:
        deficits = res.filter(pl.col("value") < 0)
        con.print(
            f"{year}: forecast expected result {format_kr(res['value'].sum())} kr over {res.height} offers; "
            f"{deficits.height} in deficit ({format_kr(deficits['value'].sum())} kr); the largest:"
        )
        res = deficits.sort(["value", "offer_id"]).head(10)  # largest first
    else:
        res = res.sort("offer_id")
    for r in res.iter_rows(named=True):
        v = r["value"]
        word = "deficit" if v < 0 else "surplus"
        con.print(f"{r['offer_id']} {year}: forecast expected result {format_kr(v)} kr ({word})")
    return df


def _authority(year, haap, forecast_file, assumptions, inputs):
    from tariffkit import io as tio
    from tariffkit.budget import authority_from_haap, parse_authority

    _need(haap=haap)
    hist = tio.read_table(haap, inputs)
    fc = tio.read_table(forecast_file, inputs) if forecast_file else None
    a = parse_authority(tio.read_toml(assumptions, inputs), file=assumptions) if assumptions else None
    return authority_from_haap(hist, fc, year, a, files=(tio.label_of(haap), tio.label_of(forecast_file) if forecast_file else "forecast"))


def _allocation(year, mode, payments, tariffs, costs, frame_basis, phase_in, inputs):
    from tariffkit import io as tio
    from tariffkit.budget import activity_allocation, frame_budgets
    from tariffkit.cli.common import err
    from tariffkit.contracts import PAYMENTS, conform
    from tariffkit.danish import format_kr
    from tariffkit.schedules import parse_phase_in

    _need(payments=payments, tariffs=tariffs, costs=costs)
    phases = parse_phase_in(phase_in)
    pay = conform(tio.read_table(payments, inputs), PAYMENTS, file=tio.label_of(payments), check_key=False)
    ta = tio.read_table(tariffs, inputs, contract="tariffs")
    co = tio.read_table(costs, inputs, contract="costs")
    frame = frame_budgets(co, ta, year, frame_basis)
    df = activity_allocation(pay, ta, frame, year, mode=mode, phase_in=phases)
    import polars as pl

    first = df.filter(pl.col("phase_year") == df["phase_year"].min())
    total = first["change"].sum()
    err(
        f"allocation {mode} {year}: {first.height} offers; frame {format_kr(first['frame_budget'].sum())} kr, activity "
        f"{format_kr(first['activity_budget'].sum())} kr, total change {format_kr(total)} kr "
        f"({'zero-sum' if total == 0 else 'not zero-sum: the offers together get ' + ('more' if total > 0 else 'less')})"
    )
    return df
