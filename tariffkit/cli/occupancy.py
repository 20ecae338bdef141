import click

from tariffkit.cli.common import output_option, writable


@click.command("occupancy", short_help="HÅP per offer and level from every citizen on the offer, own and other municipalities'.")
@click.argument("placements")
@click.option("--payments", metavar="FILE", help="The payments history: own citizens' HÅP from DSS (default when given).")
@click.option(
    "--own-from",
    type=click.Choice(["payments", "placements"]),
    default=None,
    help="Where own citizens' HÅP comes from (default: payments when --payments is given, else placements).",
)
@click.option("--year", type=click.IntRange(1900, 2200), help="The year (default: the --as-of date's).")
@click.option("--as-of", metavar="YYYY-MM-DD", help="With --payments: the forecast date (actuals plus the commitments in force).")
@click.option("--offers", metavar="FILE", help="Offers table: only its internal offers are counted (external providers have no occupancy here).")
@click.option("--key-file", type=click.Path(dir_okay=False), help="Pseudonymisation key for CPR numbers in the placements (else $TARIFFKIT_KEY).")
@click.option(
    "--check",
    "check_file",
    metavar="FILE",
    help="Also write the reconciliation: own citizens paid but not placed, or placed but not paid (Parquet or .xlsx).",
    callback=writable,
)
@output_option()
@click.pass_context
def command(ctx, placements, payments, own_from, year, as_of, offers, key_file, check_file, output):
    """HÅP per offer, level and origin for the year, from all citizens on the offer: own
    citizens from the payments (or the placements), other municipalities' citizens from the
    placements (an open stay is taken to run to year end). A month in which a citizen changed
    level is shared by days, as compute-haap shares it. tariff-build and budget-forecast read the
    table as expected HÅP (tariffs set against the whole occupancy; income own and external).

    \b
    Example:
      tariffkit occupancy placeringer.csv --payments payments.parquet --as-of 2026-10-31 \\
          --offers offers.csv --key-file kommune.key --check afstemning.xlsx -o belaegning-2026.parquet
    """
    from tariffkit import io as tio
    from tariffkit import placements as plc
    from tariffkit.cli.common import err, params_for_provenance, parse_date_option
    from tariffkit.contracts import PAYMENTS, conform
    from tariffkit.errors import UsageError
    from tariffkit.keys import load_key

    as_of_date = parse_date_option(as_of, "--as-of") if as_of else None
    if year is None and as_of_date is None:
        raise UsageError("give --year or --as-of")
    year = year or as_of_date.year
    if as_of_date and as_of_date.year != year:
        raise UsageError(f"--as-of {as_of} is not in {year}")
    own_from = own_from or ("payments" if payments else "placements")
    if own_from == "payments" and not payments:
        raise UsageError("--own-from payments needs --payments")
    inputs = tio.Inputs()
    target = tio.resolve_output(output)
    if check_file:
        tio.check_not_an_input(check_file, inputs)
    key = None if placements.lower().endswith((".parquet", ".pq")) else load_key(key_file, warn=err)
    if key is not None and payments and payments != "-":
        from tariffkit.keys import check_same_key

        check_same_key(key, payments)
    stays = plc.read(placements, inputs, key)
    pay = conform(tio.read_table(payments, inputs), PAYMENTS, file=tio.label_of(payments), check_key=False) if payments else None
    internal = None
    if offers:
        of = tio.read_table(offers, inputs, contract="offers")
        internal = sorted(of.filter(of["provider"] == "internal")["offer_id"].to_list())
    occ = plc.occupancy(stays, pay, year, as_of=as_of_date, own_from=own_from, offers=internal)
    opts = params_for_provenance(ctx)
    tio.write_table(occ.table, target, command="occupancy", options=opts, inputs=inputs)
    if check_file:
        if check_file.lower().endswith(".xlsx"):
            from tariffkit.export import xlsx_bytes

            tio.write_bytes(check_file, xlsx_bytes(occ.reconciliation, "Afstemning"), inputs)
        else:
            tio.write_table(occ.reconciliation, check_file, command="occupancy", options=opts, inputs=inputs)
    t = occ.table
    own, other = (t.filter(t["origin"] == o)["haap"].sum() for o in ("own", "other"))
    from tariffkit.danish import format_kr

    err(
        f"occupancy {year}: HÅP {format_kr(own + other, 2)} ({format_kr(own, 2)} own from {own_from}, {format_kr(other, 2)} other municipalities'); "
        f"reconciliation: {occ.reconciliation.height} own citizens whose months differ between DSS and the placements"
    )
