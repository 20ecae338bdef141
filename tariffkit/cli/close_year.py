import click

from tariffkit.cli.common import output_option, warn, writable


@click.command("close-year", short_help="Close a year: each offer's result, carried, set aside or kept; the settlement.")
@click.option("--year", required=True, type=click.IntRange(2000, 2100), help="The year to close.")
@click.option("--costs", required=True, metavar="FILE", help="Cost lines (costs table) with the year's actual costs (or forecast, see --basis).")
@click.option(
    "--occupancy",
    "occupancy",
    required=True,
    metavar="FILE",
    help="The year's actual HÅP per offer, level and origin (occupancy's output: own and other municipalities' citizens).",
)
@click.option("--tariffs", required=True, metavar="FILE", help="The year's tariffs (tariff-build's output): the income is HÅP × these.")
@click.option("--rules", metavar="TOML", help="Tariff rules: how a result is carried, set aside or kept (default: every result carried in full into year t+2).")
@click.option(
    "--basis",
    type=click.Choice(["actual", "forecast"]),
    default="actual",
    show_default=True,
    help="Close on the actual costs, or on the forecast (actuals to date plus the forecast) for a year not yet over.",
)
@click.option("--append", is_flag=True, help="Add the year to the results table already at -o (every closed year in one table).")
@click.option("--replace", is_flag=True, help="With --append: close a year again that the table already has with other figures.")
@click.option("--structure", metavar="TOML", help="Tariff structure: with it, the tariffs are recomputed on actual cost and occupancy (--recomputed).")
@click.option(
    "--recomputed", metavar="FILE", help="Write the tariffs recomputed on the year's actual cost basis and occupancy (needs --structure).", callback=writable
)
@click.option("--placements", metavar="FILE", help="Placements (the other municipalities' citizens): with --structure, the settlement per paying municipality.")
@click.option("--key-file", type=click.Path(dir_okay=False), help="Pseudonymisation key for CPR numbers in the placements (else $TARIFFKIT_KEY).")
@click.option("--settlement", metavar="FILE", help="Write the settlement (efterregulering) per paying municipality, offer and level.", callback=writable)
@click.option("--settlement-xlsx-dir", metavar="FOLDER", help="Also one workbook per paying municipality (efterregulering-MUNICIPALITY-YEAR.xlsx).")
@output_option()
@click.pass_context
def command(
    ctx, year, costs, occupancy, tariffs, rules, basis, append, replace, structure, recomputed, placements, key_file, settlement, settlement_xlsx_dir, output
):
    """The annual close (årsafslutning): per offer, the year's cost basis, income (actual HÅP ×
    the year's tariffs + 5+ supplements) and result (income − tariff basis), and the part of the
    result carried into a later year's tariff basis, set aside or kept, under the rules file.
    tariff-build --results reads the carry instead of a typed-in result.

    With --structure, the tariffs recomputed on actual cost and actual occupancy; with
    --placements too, the settlement (efterregulering): per paying municipality what was billed
    at the year's tariffs against what the recomputed tariffs give.

    \b
    Example:
      tariffkit close-year --year 2026 --basis forecast --costs costs.csv \\
          --occupancy belaegning-2026.parquet --tariffs takster-2026.parquet \\
          --rules takstregler.toml -o resultater.parquet --append
    """
    import re
    from pathlib import Path

    from tariffkit import io as tio
    from tariffkit.cli.common import err, params_for_provenance
    from tariffkit.close import close_year
    from tariffkit.danish import format_kr
    from tariffkit.errors import UsageError
    from tariffkit.rules import TODAY, read_rules

    if append and (output is None or output == "-"):
        raise UsageError("--append needs -o FILE (the results table to add the year to)")
    if replace and not append:
        raise UsageError("--replace is for --append (closing a year again in an existing results table)")
    if (recomputed or placements or settlement or settlement_xlsx_dir) and not structure:
        raise UsageError("--recomputed, --placements and --settlement need --structure (the tariffs are recomputed by it)")
    if (settlement or settlement_xlsx_dir) and not placements:
        raise UsageError("--settlement needs --placements (who pays for the other municipalities' citizens)")
    if settlement_xlsx_dir and not Path(settlement_xlsx_dir).is_dir():
        raise UsageError(f"--settlement-xlsx-dir: the folder {settlement_xlsx_dir} does not exist")
    inputs = tio.Inputs()
    target = tio.resolve_output(output)
    r = read_rules(rules, inputs) if rules else TODAY
    co = tio.read_table(costs, inputs, contract="costs")
    occ = tio.read_table(occupancy, inputs, contract="occupancy")
    t = tio.read_table(tariffs, inputs, contract="tariffs")
    history = None
    if append and Path(target).exists():
        history = tio.read_table(target, inputs, contract="results")
        inputs.paths[:] = [p for p in inputs.paths if Path(p).resolve() != Path(target).resolve()]  # the table being added to
    st = stays = None
    if structure:
        from tariffkit.tariffs import parse_structure

        st = parse_structure(tio.read_toml(structure, inputs), file=tio.label_of(structure))
    if placements:
        from tariffkit import placements as plc
        from tariffkit.keys import load_key

        key = None if placements.lower().endswith((".parquet", ".pq")) else load_key(key_file, warn=err)
        stays = plc.read(placements, inputs, key)
    for extra in (recomputed, settlement):
        if extra:
            tio.check_not_an_input(extra, inputs)
    files = {"costs": tio.label_of(costs), "tariffs": tio.label_of(tariffs), "occupancy": tio.label_of(occupancy), "results": tio.label_of(target)}
    res = close_year(co, occ, t, r, year, basis=basis, history=history, replace=replace, structure=st, placements=stays, files=files)
    warn(res.warnings)
    opts = params_for_provenance(ctx)
    if recomputed and res.recomputed is not None:
        tio.write_table(res.recomputed, recomputed, command="close-year", options=opts, inputs=inputs)
    if settlement and res.settlement is not None:
        tio.write_table(res.settlement, settlement, command="close-year", options=opts, inputs=inputs)
    if settlement_xlsx_dir and res.settlement is not None:
        from tariffkit.export import xlsx_bytes

        for muni in sorted(set(res.settlement["paying_municipality"].to_list())):
            safe = re.sub(r"[^0-9A-Za-zÆØÅæøå]+", "-", muni).strip("-")
            part = res.settlement.filter(res.settlement["paying_municipality"] == muni)
            tio.write_bytes(str(Path(settlement_xlsx_dir) / f"efterregulering-{safe}-{year}.xlsx"), xlsx_bytes(part, sheet="Efterregulering"), inputs)
    tio.write_table(res.results, target, command="close-year", options=opts, inputs=inputs)
    err(f"close-year {year} ({basis}) under {r.name} (version {r.version}):")
    for row in res.results.filter(res.results["year"] == year).iter_rows(named=True):
        c = row["carried"]
        parts = [f"{'+' if c > 0 else ''}{format_kr(c, 2)} kr into {row['carry_into_year']}'s tariff basis" if row["carry_into_year"] else "nothing carried"]
        if row["set_aside"]:
            parts.append(f"set aside {format_kr(row['set_aside'], 2)} (use by {row['set_aside_use_by']})")
        if row["kept"]:
            parts.append(f"kept {format_kr(row['kept'], 2)}")
        err(
            f"  {row['offer_id']}: result {format_kr(row['result'], 2)} kr (income {format_kr(row['income'], 2)} − tariff basis "
            f"{format_kr(row['tariff_basis'], 2)}); " + ", ".join(parts)
        )
    expired = res.results.filter(res.results["set_aside_expired"])
    for row in expired.iter_rows(named=True):
        err(
            f"tariffkit: warning: offer {row['offer_id']}: the set-aside of {row['year']} ({format_kr(row['set_aside'] - row['set_aside_used'], 2)} kr left) "
            f"had to be used by {row['set_aside_use_by']}"
        )
    if res.settlement is not None:
        import polars as pl

        for muni, diff in res.settlement.group_by("paying_municipality").agg(pl.col("difference").sum()).sort("paying_municipality").iter_rows():
            err(f"  settlement {year}: {muni}: {format_kr(diff, 2)} kr ({'owes more' if diff > 0 else 'is owed' if diff < 0 else 'even'})")
