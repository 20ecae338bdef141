import click

from tariffkit.cli.common import output_option


@click.command("import-dss", short_help="Import DSS payment extracts into clean, pseudonymised Parquet.")
@click.argument("files", nargs=-1)
@output_option()
@click.option("--mapping", type=click.Path(dir_okay=False), help="Mapping TOML for a layout other than the built-in one.")
@click.option("--key-file", type=click.Path(dir_okay=False), help="File with the pseudonymisation key (else $TARIFFKIT_KEY).")
@click.option("--rejects", type=str, metavar="FILE", help="Write rejected rows here (Parquet; CPR masked).")
@click.option("--on-error", type=click.Choice(["fail", "reject"]), default="fail", show_default=True, help="fail: any bad row stops the import; reject: bad rows go to --rejects.")
@click.option("--append", is_flag=True, help="Merge into the existing output without double counting lines imported before.")
@click.option("--duplicates", type=click.Choice(["keep", "drop"]), default="keep", show_default=True, help="What to do with exact duplicate lines inside one import (always counted).")
@click.option("--summary-json", type=str, metavar="FILE", help="Write the reconciliation per file as JSON.")
@click.option("--sheet", type=str, help="Sheet to read in .xlsx extracts (default: the first).")
@click.option("--init-mapping", is_flag=True, help="Print a commented mapping template of the built-in layout and exit.")
@click.pass_context
def command(ctx, files, output, mapping, key_file, rejects, on_error, append, duplicates, summary_json, sheet, init_mapping):
    """Import DSS payment extracts (CSV or .xlsx; - for CSV on stdin) into the payments table.

    CPR numbers are replaced by a keyed pseudonym (HMAC-SHA256) and never written anywhere;
    names are dropped. Every row is checked; the reconciliation (rows and amounts read =
    written + rejected, to the øre) is printed on stderr.

    \b
    Example:
      tariffkit import-dss udtraek-2026-*.csv --key-file kommune.key -o payments.parquet
      tariffkit import-dss ny-maaned.csv --key-file kommune.key -o payments.parquet --append
      tariffkit import-dss --init-mapping > min-dss.toml
    """
    from tariffkit.cli.common import err, params_for_provenance
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
        raise UsageError("--append needs -o FILE (the table to append to)")

    import json
    from pathlib import Path

    import polars as pl

    from tariffkit import io as tio
    from tariffkit.dss import Mapping, empty_rejects, import_frame, merge_append
    from tariffkit.keys import load_key

    key = load_key(key_file, warn=err)
    inputs = tio.Inputs()
    m = Mapping()
    if mapping:
        m = Mapping.from_dict(tio.read_toml(mapping, inputs), file=mapping)
    target = tio.resolve_output(output)
    payments, rejected, reports = [], [], []
    for f in files:
        label = tio.label_of(f)
        data = tio.read_bytes(f, inputs)
        kind = tio.sniff_kind(data)
        excel = kind == "xlsx" or Path(f).suffix.lower() in (".xlsx", ".xlsm")
        if excel:
            raw = tio.read_xlsx_text(data, label, sheet=sheet, header_row=m.header_row)
        else:
            raw, _ = tio.read_csv_text(data, label, separator=m.separator or None, encoding=m.encoding or None, header_row=m.header_row)
        res = import_frame(raw, file=Path(label).name if f != "-" else label, mapping=m, key=key, on_error=on_error,
                           drop_duplicates=duplicates == "drop", excel=excel)
        payments.append(res.payments)
        rejected.append(res.rejects)
        reports.extend(res.reports)
    out = pl.concat(payments) if payments else None
    already = 0
    if append and Path(target).exists():
        existing = tio.read_table(target, contract=None)
        from tariffkit.contracts import PAYMENTS, conform

        existing = conform(existing, PAYMENTS, file=target, check_key=False)
        out, already = merge_append(existing, out)
    opts = params_for_provenance(ctx)
    if rejects:
        tio.check_not_an_input(rejects, inputs)
    tio.write_table(out, target, command="import-dss", options=opts, inputs=inputs)
    if rejects:
        rj = pl.concat(rejected) if rejected else empty_rejects()
        tio.write_table(rj, rejects, command="import-dss", options=opts, inputs=inputs)
    _print_summary(reports, already, err)
    if summary_json:
        tio.write_text(summary_json, json.dumps({"files": [r.as_dict() for r in reports], "already_present": already}, indent=2, ensure_ascii=False) + "\n", inputs)


def _print_summary(reports, already, err) -> None:
    from tariffkit.danish import format_kr

    for r in reports:
        d = r.as_dict()
        msg = (f"{r.file}: {r.rows_read} rows read, {r.rows_written} written, {r.rows_rejected} rejected"
               + (f", {r.rows_skipped} total rows skipped" if r.rows_skipped else "")
               + (f", {r.duplicates} exact duplicates" + (" dropped" if r.duplicates_dropped else " kept") if r.duplicates else "")
               + f"; amounts read {format_kr(d['amount_read'], 2)} = written {format_kr(d['amount_written'], 2)}"
               + f" + rejected {format_kr(d['amount_rejected'], 2)}"
               + (f" + duplicates dropped {format_kr(d['amount_duplicates_dropped'], 2)}" if r.duplicates_dropped else "")
               + (f" ({r.rejected_without_amount} rejected rows without a readable amount)" if r.rejected_without_amount else ""))
        err(msg)
    if already:
        err(f"--append: {already} lines were already in the output and were not added again")
