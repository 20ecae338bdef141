import click

from tariffkit.cli.common import writable


@click.command("validate", short_help="Check a file against a table contract.")
@click.argument("table")
@click.argument("file")
@click.option("--rejects", metavar="FILE", help="Write the rejected rows (CPR masked) with their row, column, rule and reason (Parquet).", callback=writable)
@click.option("--limit", type=click.IntRange(min=0), default=10, show_default=True, help="Problems to list on stderr (0 = all).")
def command(table, file, rejects, limit):
    """Check FILE (Parquet, CSV or .xlsx) against the contract of TABLE: required columns,
    types (Danish numbers and dates in text files), empty values, allowed values, minimums and
    duplicated keys. Every problem is counted per rule; exit 1 when there is any.

    The same contracts are enforced by every command on its inputs.

    \b
    Example:
      tariffkit validate costs costs.csv
      tariffkit validate staff staff.xlsx --rejects staff-fejl.parquet
    """
    import polars as pl

    from tariffkit import contracts
    from tariffkit import io as tio
    from tariffkit.cli.common import err
    from tariffkit.errors import DataError, UsageError

    if table not in contracts.TABLES:
        raise UsageError(f"unknown table {table!r}; tables: {', '.join(contracts.TABLES)}")
    inputs = tio.Inputs()
    label = tio.label_of(file)
    df = tio.read_table(file, inputs)
    first_row = None if "_row" in df.columns else 1
    missing, problems = contracts.find_problems(df, table, first_row=first_row)
    if missing:
        raise DataError(
            f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}; the {table} table needs {', '.join(contracts.TABLES[table].names)}",
            file=label,
            row=1 if first_row is None else None,
            column=missing[0],
        )
    n_rows = df.height
    if problems.height == 0:
        err(f"{label}: {n_rows} rows, valid {table} table")
        return
    counts = problems.group_by("column", "rule").agg(pl.len().alias("n")).sort(["n", "column", "rule"], descending=[True, False, False])
    bad_rows = problems["_r"].n_unique()
    err(f"{label}: {n_rows} rows, {bad_rows} with problems ({problems.height} problems)")
    for r in counts.iter_rows(named=True):
        err(f"  {r['column']} / {r['rule']}: {r['n']}")
    shown = problems if limit == 0 else problems.head(limit)
    for r in shown.iter_rows(named=True):
        err(f"  {label}, row {r['_r']}, column {r['column']}: {r['reason']}")
    if rejects:
        tio.check_not_an_input(rejects, inputs)
        rows_col = pl.col("_row") if "_row" in df.columns else pl.int_range(1, pl.len() + 1, dtype=pl.Int64)
        text = df.with_columns(rows_col.alias("_r")).select("_r", *[pl.col(c).cast(pl.String) for c in df.columns if c != "_row"])
        masked = text.with_columns([pl.col(c).str.replace_all(r"(\d{6})-?\d{4}", "$1-****") for c in text.columns if c != "_r"])
        per_row = problems.group_by("_r").agg(pl.col("column").str.join(", "), pl.col("rule").str.join(", "), pl.col("reason").str.join("; "))
        out = per_row.join(masked, on="_r", how="left").rename({"_r": "source_row"}).sort("source_row")
        tio.write_table(out, rejects, command="validate", options={"table": table}, inputs=inputs)
    raise DataError(
        f"{problems.height} problems in {bad_rows} rows; first: row {problems['_r'][0]}, column {problems['column'][0]}: {problems['reason'][0]}", file=label
    )
