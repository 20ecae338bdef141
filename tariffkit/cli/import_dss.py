import click

from tariffkit.cli.common import output_option, writable


@click.command("import-dss", short_help="Import DSS payment extracts into clean, pseudonymised Parquet.")
@click.argument("files", nargs=-1)
@output_option()
@click.option("--mapping", type=click.Path(dir_okay=False), help="Mapping TOML for a layout other than the built-in one.")
@click.option("--key-file", type=click.Path(dir_okay=False), help="File with the pseudonymisation key (else $TARIFFKIT_KEY).")
@click.option(
    "--extract-date",
    metavar="YYYY-MM-DD",
    help="The extract's date (udtræksdato); default: the mapping's extract-date column, else the newest actual date in the file.",
)
@click.option(
    "--append",
    is_flag=True,
    help="Add the extract to the existing history (-o): actual lines seen before are not added again; its commitments replace the older ones.",
)
@click.option("--replace", is_flag=True, help="Overwrite an existing history (-o) even though it holds extracts this import does not.")
@click.option(
    "--late",
    is_flag=True,
    help="With --append: the extract is older than the history's newest (a late re-import); its actual lines are added, its commitments replace nothing newer.",
)
@click.option("--rejects", type=str, metavar="FILE", help="Write rejected rows here (Parquet; CPR masked).", callback=writable)
@click.option(
    "--on-error",
    type=click.Choice(["fail", "reject"]),
    default="fail",
    show_default=True,
    help="fail: any bad row stops the import; reject: bad rows go to --rejects.",
)
@click.option(
    "--duplicates",
    type=click.Choice(["keep", "drop"]),
    default="keep",
    show_default=True,
    help="What to do with exact duplicate lines inside one extract (always counted).",
)
@click.option("--summary-json", type=str, metavar="FILE", help="Write the reconciliation per file and the change to the history as JSON.", callback=writable)
@click.option("--sheet", type=str, help="Sheet to read in .xlsx extracts (default: the first).")
@click.option("--init-mapping", is_flag=True, help="Print a commented mapping template of the built-in layout and exit.")
@click.pass_context
def command(ctx, files, output, mapping, key_file, extract_date, append, replace, late, rejects, on_error, duplicates, summary_json, sheet, init_mapping):
    """Import DSS payment extracts (CSV or .xlsx; - for CSV on stdin) into the payments history.

    CPR numbers are replaced by a keyed pseudonym (HMAC-SHA256) and never written anywhere;
    names are dropped. Every row is checked; the reconciliation (rows and amounts read =
    written + rejected, to the øre) is printed on stderr.

    An extract is a snapshot of the books on its extract date: with --append, its actual lines
    are added where the history does not hold them yet, and its commitments (dispositioner)
    become the ones in force; the older commitments stay in the file, superseded (compute-haap
    --known-at reads the history as it stood). The extract date is always printed.

    \b
    Example (the monthly step):
      tariffkit import-dss udtraek-2026-10.csv --key-file kommune.key -o payments.parquet --append
      tariffkit import-dss udtraek-2026-*.csv --key-file kommune.key -o payments.parquet
      tariffkit import-dss --init-mapping > min-dss.toml
    """
    from tariffkit.cli.common import err, params_for_provenance, parse_date_option
    from tariffkit.errors import UsageError

    if init_mapping:
        from tariffkit.dss import init_mapping_toml

        click.echo(init_mapping_toml(), nl=False)
        return
    if not files:
        raise UsageError("give at least one extract (CSV or .xlsx), or - for CSV on stdin")
    if on_error == "reject" and not rejects:
        raise UsageError("--on-error reject needs --rejects FILE, so rejected rows are not lost")
    if append and (output is None or output == "-"):
        raise UsageError("--append needs -o FILE (the history to append to)")
    if append and replace:
        raise UsageError("choose --append (add to the history) or --replace (overwrite it), not both")
    if late and not append:
        raise UsageError("--late is for --append (a late re-import into an existing history)")
    date = parse_date_option(extract_date, "--extract-date") if extract_date else None

    import json

    from tariffkit import io as tio
    from tariffkit.dss import ImportOptions, Mapping, import_extracts
    from tariffkit.keys import load_key

    key = load_key(key_file, warn=err)
    inputs = tio.Inputs()
    m = Mapping.from_dict(tio.read_toml(mapping, inputs), file=mapping) if mapping else Mapping()
    target = tio.resolve_output(output)
    for extra in (rejects, summary_json):
        if extra:
            tio.check_not_an_input(extra, inputs)
    opts = params_for_provenance(ctx)
    options = ImportOptions(
        mapping=m, on_error=on_error, drop_duplicates=duplicates == "drop", sheet=sheet, extract_date=date, append=append, replace=replace, late=late
    )
    from tariffkit.cli.common import working

    with working(f"importing {len(files)} extract(s) …"):
        result = import_extracts(list(files), target, key, options, inputs=inputs, metadata=lambda _ctx=None: tio.provenance("import-dss", opts, inputs))
    if rejects:
        tio.write_table(result.rejects, rejects, command="import-dss", options=opts, inputs=inputs)
    _print_summary(result, err)
    if summary_json:
        doc = {"files": [r.as_dict() for r in result.files], "history": [s.as_dict() for s in result.snapshots]}
        tio.write_text(summary_json, json.dumps(doc, indent=2, ensure_ascii=False) + "\n", inputs)


def _print_summary(result, err) -> None:
    from tariffkit.danish import format_kr

    for r in result.files:
        d = r.as_dict()
        msg = (
            f"{r.file}: {r.rows_read} rows read, {r.rows_written} written, {r.rows_rejected} rejected"
            + (f", {r.rows_skipped} total rows skipped" if r.rows_skipped else "")
            + (f", {r.duplicates} exact duplicates" + (" dropped" if r.duplicates_dropped else " kept") if r.duplicates else "")
            + f"; amounts read {format_kr(d['amount_read'], 2)} = written {format_kr(d['amount_written'], 2)}"
            + f" + rejected {format_kr(d['amount_rejected'], 2)}"
            + (f" + duplicates dropped {format_kr(d['amount_duplicates_dropped'], 2)}" if r.duplicates_dropped else "")
            + (f" ({r.rejected_without_amount} rejected rows without a readable amount)" if r.rejected_without_amount else "")
        )
        err(msg)
        source = {"given": "--extract-date"}.get(r.extract_date_source, r.extract_date_source)
        err(f"{r.file}: extract date {r.extract_date} ({source})")
    for s in result.snapshots:
        kr = lambda ore: format_kr(ore / 100, 2)  # noqa: E731
        parts = [f"extract {s.extract_date}" + (" (late re-import)" if s.late else "")]
        parts.append(f"{s.actual_added} actual lines added ({kr(s.ore_added)} kr), {s.actual_lines - s.actual_added} already in the history")
        b, a = s.before, s.after
        if s.late:
            parts.append(
                f"its {s.commitment_lines} commitments are kept for reading the history as it stood then; "
                + (f"those of {a[0]} stay in force" if a[0] else "none in force")
            )
        elif s.commitment_lines == 0:
            parts.append("no commitments in this extract: " + (f"those of {a[0]} stay in force (stale)" if a[0] else "none in force"))
        elif b[0] is None:
            parts.append(f"commitments in force: {a[1]} lines of {a[0]} ({kr(a[2])} kr)")
        elif b[0] == a[0]:
            parts.append(f"the commitments of {a[0]} imported again: {a[1]} lines ({kr(a[2])} kr), before {b[1]} lines ({kr(b[2])} kr)")
        else:
            parts.append(f"commitments: {b[1]} lines of {b[0]} ({kr(b[2])} kr) replaced by {a[1]} lines of {a[0]} ({kr(a[2])} kr)")
        if s.commitments_cut:
            parts.append(f"{s.commitments_cut} commitments started on or before the extract date and count from the day after")
        err("history: " + "; ".join(parts))
