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
    written + rejected, to the øre) is printed on stderr. A UTF-8 CSV file is streamed in
    bounded memory; other encodings, .xlsx and stdin are read into memory first.

    \b
    Example:
      tariffkit import-dss udtraek-2026-*.csv --key-file kommune.key -o payments.parquet
      tariffkit import-dss ny-maaned.csv --key-file kommune.key -o payments.parquet --append
      tariffkit import-dss --init-mapping > min-dss.toml
    """
    from tariffkit.cli.common import err, params_for_provenance
    from tariffkit.errors import DataError, UsageError

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
    from tariffkit.dss import Mapping, empty_rejects, merge_append, plan_import, run_import
    from tariffkit.keys import load_key

    key = load_key(key_file, warn=err)
    inputs = tio.Inputs()
    m = Mapping()
    if mapping:
        m = Mapping.from_dict(tio.read_toml(mapping, inputs), file=mapping)
    target = tio.resolve_output(output)
    # Every input's SHA-256 goes into the provenance; a file is hashed on a thread while it is
    # imported, and the digest is waited for when the Parquet footer is written.
    sources = [(f, tio.read_bytes(f, inputs) if f == "-" else tio.register_file(f, inputs, background=True)) for f in files]
    tio.check_not_an_input(target, inputs)
    if rejects:
        tio.check_not_an_input(rejects, inputs)
    opts = params_for_provenance(ctx)

    def meta(_context=None) -> dict[str, str]:  # polars calls it when it writes the footer
        return tio.provenance("import-dss", opts, inputs)

    single = len(sources) == 1 and not (append and Path(target).exists())
    utf8_or_detect = (m.encoding or "utf-8").lower().replace("_", "-") in ("utf-8", "utf8", "utf-8-sig")

    rejected, reports, parts = [], [], []
    with tio.scratch_files(target) as scratch:
        for f, data in sources:
            label = tio.label_of(f)
            name = Path(label).name if f != "-" else label
            part = scratch(f".part{len(parts)}")
            head = data[:8] if data is not None else tio.read_head(f)
            excel = tio.sniff_kind(head) == "xlsx" or Path(f).suffix.lower() in (".xlsx", ".xlsm")

            def run(raw, excel=excel, name=name, part=part):
                plan = plan_import(raw, file=name, mapping=m, key=key, excel=excel)
                return run_import(
                    plan, on_error=on_error, drop_duplicates=duplicates == "drop",
                    sink=lambda lf: lf.sink_parquet(part, lazy=True, metadata=meta if single else None, **tio.PARQUET_OPTIONS),
                    read_back=lambda: pl.scan_parquet(part),
                )

            def in_memory(f=f, data=data, label=label, excel=excel):
                data = data if data is not None else tio.read_bytes(f)
                if excel:
                    return tio.read_xlsx_text(data, label, sheet=sheet, header_row=m.header_row).lazy()
                return tio.read_csv_text(data, label, separator=m.separator or None, encoding=m.encoding or None, header_row=m.header_row)[0].lazy()

            if data is None and not excel and utf8_or_detect:
                # A UTF-8 file is scanned and streamed; anything else is decoded in memory first.
                try:
                    res = run(tio.scan_csv_text(f, label, separator=m.separator or None, header_row=m.header_row))
                except pl.exceptions.ComputeError as e:
                    if "utf-8" not in str(e) and "more fields" not in str(e):
                        raise DataError(f"not a well-formed CSV file ({str(e).splitlines()[0]})", file=label) from None
                    res = run(in_memory())
                except tio.NotUtf8:
                    res = run(in_memory())
            else:
                res = run(in_memory())
            parts.append((part, res.drop_rows))
            rejected.append(res.rejects)
            reports.extend(res.reports)

        def lines(part, drop) -> pl.LazyFrame:
            lf = pl.scan_parquet(part)
            return lf.filter(~pl.col("source_row").is_in(drop)) if drop else lf

        already = 0
        if append and Path(target).exists():
            from tariffkit.contracts import PAYMENTS, conform

            existing = conform(tio.read_table(target, contract=None), PAYMENTS, file=target, check_key=False)
            new = pl.concat([lines(p, d) for p, d in parts]).collect()
            out, already = merge_append(existing, new)
            tio.write_table(out, target, command="import-dss", options=opts, inputs=inputs)
        elif single and not parts[0][1]:
            tio.publish(parts[0][0], target)
        else:
            final = scratch(".final")
            pl.concat([lines(p, d) for p, d in parts]).sink_parquet(final, metadata=meta, **tio.PARQUET_OPTIONS)
            tio.publish(final, target)
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
