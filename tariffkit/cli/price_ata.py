import click

from tariffkit.cli.common import output_option


@click.command("price-ata", short_help="The price of one face-to-face (ATA) hour per offer.")
@click.argument("staff", required=False)
@output_option()
@click.option("--assumptions", metavar="TOML", help="ATA assumptions (norm hours, absence, indirect share); see --init.")
@click.option("--costs", metavar="FILE", help="Cost lines: adds the fully loaded price (the year's cost basis / ATA hours).")
@click.option(
    "--basis",
    type=click.Choice(["actual", "budget", "tariff_budget", "forecast"]),
    default="tariff_budget",
    show_default=True,
    help="Which cost basis --costs is read for.",
)
@click.option(
    "--measure",
    type=click.Choice(["staff", "citizen"]),
    default="staff",
    show_default=True,
    help="The measure of the hours and prices: staff time (what the staff give) or citizen time (every schedule line in full for the citizen, as BDO counts it; needs --hours). Use the measure the structure's levels are placed on (level_measure).",
)
@click.option(
    "--hours",
    metavar="FILE",
    help="reassign's output (reassignments or --by-offer): citizen and staff ATA hours per offer, to put the staff's hours in citizen time.",
)
@click.option("--explain", is_flag=True, help="Print the derivation line by line on stderr (audit trail).")
@click.option("--init", "init", is_flag=True, help="Print a commented default assumptions TOML and exit.")
@click.pass_context
def command(ctx, staff, output, assumptions, costs, basis, measure, hours, explain, init):
    """Price one ATA hour per offer and year from STAFF (FTE and cost per FTE per category).

    ATA hours = ATA FTE × ATA hours per FTE, where ATA hours per FTE = (norm hours − holidays −
    public holidays − sickness − courses) × (1 − indirect share), or a fixed number. Management
    and administration give no ATA time.

    \b
    Example:
      tariffkit price-ata --init > ata.toml
      tariffkit price-ata staff.csv --assumptions ata.toml --costs costs.csv -o ata_prices.parquet --explain
      tariffkit price-ata staff.csv --measure citizen --hours genindplacering.parquet -o ata_borgertid.parquet
    """
    if init:
        from tariffkit.ata import init_toml

        click.echo(init_toml(), nl=False)
        return
    from tariffkit.errors import UsageError

    if not staff:
        raise UsageError("give the STAFF table (or --init for an assumptions template)")

    from tariffkit import io as tio
    from tariffkit.ata import AssumptionSet, parse_assumptions, price_ata
    from tariffkit.cli.common import err, params_for_provenance
    from tariffkit.errors import DataError

    inputs = tio.Inputs()
    target = tio.resolve_output(output)
    st = tio.read_table(staff, inputs, contract="staff")
    if st.height == 0:
        raise DataError("the staff table has no rows", file=tio.label_of(staff))
    aset = AssumptionSet()
    if assumptions:
        aset = parse_assumptions(tio.read_toml(assumptions, inputs), file=assumptions)
    co = tio.read_table(costs, inputs, contract="costs") if costs else None
    hr = None
    if hours:
        hr = tio.read_table(hours, inputs)
        need = [c for c in ("offer_id", "staff_hours_ata", "citizen_hours_ata") if c not in hr.columns]
        if need:
            raise DataError(
                f"--hours must be reassign's output with {', '.join(need)} (run reassign again to get both measures)", file=tio.label_of(hours), column=need[0]
            )
        if "phase_year" in hr.columns:  # reassign_offers: one row per phase-in year, the same hours
            hr = hr.unique("offer_id", keep="first", maintain_order=True)
    elif measure == "citizen":
        raise UsageError("--measure citizen needs --hours (reassign's output) to put the staff's hours in citizen time")
    result = price_ata(st, aset, co, basis, measure=measure, hours=hr, hours_file=tio.label_of(hours) if hours else "hours")
    tio.write_table(result, target, command="price-ata", options=params_for_provenance(ctx), inputs=inputs)
    if explain:
        _explain(result, aset, err)


def _explain(result, aset, err) -> None:
    from tariffkit.danish import format_kr

    for r in result.iter_rows(named=True):
        err(f"{r['offer_id']} {r['year']}:")
        for line in aset.for_offer(r["offer_id"]).explain():
            err(line)
        err(f"  ATA FTE {format_kr(r['ata_fte'], 2)} × {format_kr(r['ata_hours_per_fte'], 1)} h = {format_kr(r['staff_ata_hours'], 0)} ATA hours (staff time)")
        if r["measure"] == "citizen":
            err(
                f"  × {format_kr(r['hours_ratio'], 4)} citizen hours per staff hour (the offer's schedules) = {format_kr(r['ata_hours'], 0)} ATA hours in citizen time"
            )
        err(f"  direct salary (ATA categories) {format_kr(r['direct_salary'], 2)} kr / ATA hours = {format_kr(r['price_per_ata_hour'], 2)} kr per ATA hour")
        err(f"  per attendance hour: {format_kr(r['price_per_attendance_hour'], 2)} kr")
        if r["cost_basis"] is not None:
            err(f"  cost basis {format_kr(r['cost_basis'], 2)} kr / ATA hours = {format_kr(r['full_price_per_ata_hour'], 2)} kr per ATA hour (fully loaded)")
