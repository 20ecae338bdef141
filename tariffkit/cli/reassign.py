import click

from tariffkit.cli.common import output_option, writable

_FLAG_HELP = """\b
Flags (the flags column):
  overlap           an individual (n:1) activity at the same time as another on the same
                    day (across midnight too; a line without fixed days against daily lines)
  over_24_hours     more than 24 staffed hours on one day
  assessment_gap    registered and assessed hours differ by more than --tolerance
  outside_band      counted hours outside the band of the current level (drift)
  above_top_band    above the top band: top level + 5+ supplement
  level_change      new level differs from the current level
  above_paid_level  another municipality's citizen assessed above the level it pays
  invalid_lines     lines left out with --on-error flag (see the notes column)
  to_discuss        lines the caseworker marked to be discussed (skal drøftes)
  below_minimum     fewer counted hours than the offer's minimum (structure minimum_hours)
  no_placement      a schedule without a current placement
  no_schedule       a placement without a schedule
  no_tariff         no tariff for the offer and level"""


@click.command("reassign", short_help="From 24-hour schedules to function levels, with the consequences.", epilog=_FLAG_HELP)
@click.argument("schedules", nargs=-1)
@click.option("--structure", metavar="TOML", help="Tariff structure (levels as bands of weekly ATA hours).")
@click.option(
    "--tariffs", metavar="FILE", help="tariffs table from tariff-build; without it only levels and hours are computed (for tariff-build's mean_of_placed)."
)
@click.option(
    "--placements",
    metavar="FILE",
    help="Current placements: CSV/xlsx with CPR-nr.;Tilbudsnr.;Funktionsniveau;Oprindelse;Betalingskommune, or Parquet (placements table).",
)
@click.option("--payments", metavar="FILE", help="Take current levels from the latest month of the payments table instead.")
@click.option("--year", type=click.IntRange(1900, 2200), help="Tariff year (needed when the tariffs hold several years).")
@click.option("--key-file", type=click.Path(dir_okay=False), help="Pseudonymisation key for CPR numbers in schedules/placements (else $TARIFFKIT_KEY).")
@click.option(
    "--tolerance", type=click.FloatRange(min=0), default=0.10, show_default=True, help="Relative gap between registered and assessed hours that is flagged."
)
@click.option(
    "--on-error",
    type=click.Choice(["fail", "flag"]),
    default="fail",
    show_default=True,
    help="fail: a bad schedule line stops the run; flag: it is left out and its citizen flagged invalid_lines.",
)
@click.option("--by-offer", metavar="FILE", help="Also write the consequences per offer (reassign_offers table).", callback=writable)
@click.option(
    "--negotiation",
    metavar="FILE",
    help="Also write the negotiation list: other municipalities' citizens assessed on another level than the one paid for, per paying municipality (Parquet, or .xlsx).",
    callback=writable,
)
@click.option(
    "--service-levels",
    "service_levels",
    metavar="FILE",
    help="Also write the service-level comparison: weekly minutes per citizen per activity category and offer against the median over the offers, far ones flagged (Parquet, or .xlsx). Categories: the schedule's Kategori column or the structure's [activity_categories].",
    callback=writable,
)
@click.option("--placed-on", metavar="YYYY-MM-DD", help="The day whose placements are the current ones (default: the latest date in the placements).")
@click.option("--phase-in", metavar="YEAR:SHARE,...", help="Transition rule for --by-offer, e.g. 2026:0.5,2027:1.0.")
@click.option("--template", is_flag=True, help="Write an empty schedule workbook (.xlsx, with drop-down lists) to -o and exit.")
@click.option("--sheets", type=click.IntRange(1, 500), default=1, show_default=True, help="With --template: citizen sheets to include.")
@output_option("Output Parquet (reassignments table), or the .xlsx with --template.")
@click.pass_context
def command(
    ctx,
    schedules,
    structure,
    tariffs,
    placements,
    payments,
    year,
    key_file,
    tolerance,
    on_error,
    by_offer,
    negotiation,
    service_levels,
    placed_on,
    phase_in,
    template,
    sheets,
    output,
):
    """Compute each citizen's function level from their 24-hour schedule (døgnskema), compare
    it with the current level, and price the change with the tariffs.

    Weekly ATA minutes per line = minutes × times per week × staff ÷ citizens sharing. Only
    the structure's ATA paragraphs count towards the level; others (§ 83, SUL) are reported
    as hours_other. The level follows the caseworker's assessed minutes where given.

    \b
    Example:
      tariffkit reassign --template -o døgnskema.xlsx
      tariffkit reassign doegnskemaer.csv --structure levels.toml --tariffs takster.parquet \\
          --placements placeringer.csv --by-offer pr-tilbud.parquet \\
          --phase-in 2026:0.5,2027:1.0 --service-levels serviceniveau.xlsx -o genindplacering.parquet
    """
    from tariffkit import io as tio
    from tariffkit.cli.common import err, params_for_provenance
    from tariffkit.errors import UsageError

    if template:
        if not output or output == "-":
            raise UsageError("--template needs -o FILE.xlsx")
        from tariffkit.schedules import write_template

        tio.write_bytes(output, write_template(sheets))
        err(f"wrote {output}: a 24-hour schedule template with {sheets} citizen sheet(s)")
        return
    if not schedules:
        raise UsageError("give at least one schedules file (.xlsx, .csv or .parquet), or --template")
    if not structure:
        raise UsageError("--structure is needed (the levels as bands of weekly ATA hours)")
    if placements and payments:
        raise UsageError("give --placements or --payments, not both")

    import polars as pl

    from tariffkit import placements as plc
    from tariffkit.cli.common import parse_date_option
    from tariffkit.keys import load_key
    from tariffkit.schedules import ReassignOptions, parse_phase_in, placements_from_payments, read_schedules, reassign_schedules
    from tariffkit.tariffs import parse_structure

    if phase_in and not by_offer:
        if ctx.get_parameter_source("phase_in") == click.core.ParameterSource.COMMANDLINE:
            raise UsageError("--phase-in applies to the per-offer summary; add --by-offer FILE")
        phase_in = None  # the working folder's phase-in is for the per-offer summary only
    phases = parse_phase_in(phase_in)
    inputs = tio.Inputs()
    target = tio.resolve_output(output)
    st = parse_structure(tio.read_toml(structure, inputs), file=structure)
    key = None
    needs_key = any(not str(s).lower().endswith((".parquet", ".pq")) for s in schedules) or (
        placements and not placements.lower().endswith((".parquet", ".pq"))
    )
    if needs_key:
        key = load_key(key_file, warn=err)
    frames = [read_schedules(s, inputs, key) for s in schedules]
    if placements:
        stays = plc.read(placements, inputs, key)
        plc.check_levels(stays, [lv.level for lv in st.levels], tio.label_of(placements))
        current = plc.in_force(stays, parse_date_option(placed_on, "--placed-on") if placed_on else None)
    elif payments:
        from tariffkit.contracts import PAYMENTS, conform

        pay = tio.read_table(payments, inputs)
        current = placements_from_payments(conform(pay, PAYMENTS, file=tio.label_of(payments), check_key=False))
    else:
        current = None
        if tariffs:
            err("tariffkit: warning: no --placements or --payments: current levels unknown, so no change is priced")
    if tariffs:
        tf = tio.label_of(tariffs)
        tariff_table = tio.read_table(tariffs, inputs, contract="tariffs")
    else:
        tf, tariff_table = "tariffs", None
        err("tariffkit: note: no --tariffs: levels and hours only, nothing priced")
    run = reassign_schedules(
        frames,
        st,
        current=current,
        tariffs=tariff_table,
        options=ReassignOptions(tolerance=tolerance, year=year),
        on_error=on_error,
        files=[tio.label_of(s) for s in schedules],
        tariffs_file=tf,
    )
    result = run.citizens
    opts = params_for_provenance(ctx)
    for extra in (by_offer, negotiation, service_levels):
        if extra:
            tio.check_not_an_input(extra, inputs)
    tio.write_table(result, target, command="reassign", options=opts, inputs=inputs)
    if by_offer:
        tio.write_table(run.by_offer(phases), by_offer, command="reassign", options=opts, inputs=inputs)
    if negotiation:
        neg = run.negotiation()
        if negotiation.lower().endswith(".xlsx"):
            from tariffkit.export import xlsx_bytes

            tio.write_bytes(negotiation, xlsx_bytes(neg, "Forhandling"), inputs)
        else:
            tio.write_table(neg, negotiation, command="reassign", options=opts, inputs=inputs)
        if neg.height:
            from tariffkit.danish import format_kr

            err(
                f"  negotiation list: {neg.height} other municipalities' citizens on another level than paid for, "
                f"{format_kr(neg['yearly_difference'].drop_nulls().sum())} kr a year"
            )
    if service_levels:
        sl = run.service_levels()
        if service_levels.lower().endswith(".xlsx"):
            from tariffkit.export import xlsx_bytes

            tio.write_bytes(service_levels, xlsx_bytes(sl, "Serviceniveau"), inputs)
        else:
            tio.write_table(sl, service_levels, command="reassign", options=opts, inputs=inputs)
        far = sl.filter(pl.col("far_from_median"))
        err(
            f"  service levels: {sl['category'].n_unique()} activity categories × {sl['offer_id'].n_unique()} offers; "
            f"{far.height} offer-categories more than {st.service_level_band:.0%} from the median"
        )
    _summary(result, run.problems, run.lines.height)


def _summary(result, problems, n_lines) -> None:
    import polars as pl

    from tariffkit.cli.common import stderr_console
    from tariffkit.danish import format_kr

    con = stderr_console()
    both = result.filter(pl.col("current_level").is_not_null() & pl.col("new_level").is_not_null())
    up = both.filter(pl.col("new_level") > pl.col("current_level")).height
    down = both.filter(pl.col("new_level") < pl.col("current_level")).height
    same = both.height - up - down
    total = result["annual_change"].drop_nulls().sum()
    if result["current_level"].null_count() == result.height:
        levels = result["new_level"].drop_nulls().value_counts().sort("new_level")
        con.print(
            f"reassign: {n_lines} schedule lines, {result.height} citizens; new levels: "
            + ", ".join(f"{r['new_level']}: {r['count']}" for r in levels.iter_rows(named=True))
        )
    else:
        con.print(
            f"reassign: {n_lines} schedule lines, {result.height} citizens; moved up {up}, down {down}, unchanged {same}; annual change {format_kr(total)} kr"
        )
    if problems.height:
        con.print(f"  {problems.height} invalid lines left out (flag invalid_lines; rows in the notes column)")
    counts = result.select(pl.col("flags").explode().value_counts(sort=True)).unnest("flags").drop_nulls()
    if counts.height:
        con.print(
            "  flags: " + ", ".join(f"{r['flags']} {r['count']}" for r in counts.sort(["count", "flags"], descending=[True, False]).iter_rows(named=True))
        )
    gap = result.filter(pl.col("hours_assessed").is_not_null()).with_columns(gap=pl.col("hours_registered") - pl.col("hours_assessed"))
    if gap.height:
        top = gap.sort(["gap", "citizen_id"], descending=[True, False]).head(5)
        con.print(
            "  biggest gaps registered − assessed (hours/week): "
            + ", ".join(f"{r['citizen_id']} ({r['offer_id']}) {format_kr(r['gap'], 1)}" for r in top.iter_rows(named=True))
        )
