import click


@click.command("show", short_help="Pretty-print any table (Parquet, CSV, Excel).")
@click.argument("file")
@click.option("--limit", "-n", default=None, type=click.IntRange(min=0), help="Rows to show (0 = all; default: 20 as a table, all as csv/json/markdown).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json", "markdown"]),
    default="table",
    show_default=True,
    help="Output format; csv/json/markdown are for scripts.",
)
@click.option("--wide", is_flag=True, help="For a tidy budget table: show lines as rows and bases/years as columns.")
@click.option("--meta", is_flag=True, help="Show the provenance metadata (version, command, options, input hashes).")
@click.option("--raw", is_flag=True, help="Show CPR numbers and names as they are in the file (a raw extract); by default they are masked.")
def command(file: str, limit: int, fmt: str, wide: bool, meta: bool, raw: bool) -> None:
    """Show FILE (Parquet, CSV or .xlsx; - for Parquet on stdin) as a table.

    CPR-shaped values (in any column) and name columns (Navn) are masked, so a raw DSS extract
    can be looked at without showing who is in it; --raw shows them.

    \b
    Example:
      tariffkit show payments.parquet --limit 5
      tariffkit compute-haap payments.parquet --year 2026 | tariffkit show - --format csv
    """
    import polars as pl

    from tariffkit.io import read_provenance, read_table

    if meta:
        for k, v in read_provenance(file).items():
            click.echo(f"{k}: {v}")
        return
    df = read_table(file)
    if "_row" in df.columns:
        df = df.drop("_row")
    if not raw:
        df = _masked(df)
    if wide:
        if not {"basis", "line", "value", "year"} <= set(df.columns):
            from tariffkit.errors import DataError

            raise DataError("--wide needs a tidy budget table (columns offer_id, year, basis, line, value)", file=file)
        if isinstance(df.schema["value"], pl.Decimal):  # for reading: two decimals (HÅP is exact in the file)
            df = df.with_columns(value=pl.col("value").round(2).cast(pl.Decimal(18, 2)))
        if "text" in df.columns:  # text lines (the comment) show their text in the grid
            df = df.with_columns(value=pl.coalesce(pl.col("value").cast(pl.String), pl.col("text")))
        df = df.with_columns(column=pl.col("basis") + " " + pl.col("year").cast(pl.String)).pivot(
            on="column", index=[c for c in ("offer_id", "line") if c in df.columns], values="value", maintain_order=True
        )
    if limit is None:
        limit = 20 if fmt == "table" else 0
    total = df.height
    shown = df if limit == 0 else df.head(limit)
    if shown.height < total and fmt != "table":
        from tariffkit.cli.common import err

        err(f"show: {shown.height} of {total} rows (--limit {limit}); tariffkit export writes every row")
    if fmt == "csv":
        from tariffkit.export import flatten

        click.echo(flatten(shown).write_csv(), nl=False)
    elif fmt == "json":
        click.echo(shown.write_json())
    elif fmt == "markdown":
        from tariffkit.export import for_people

        shown = for_people(shown)
        with pl.Config(
            tbl_formatting="MARKDOWN",
            tbl_hide_column_data_types=True,
            tbl_hide_dataframe_shape=True,
            tbl_rows=-1,
            tbl_cols=-1,
            tbl_width_chars=10_000,
            fmt_str_lengths=200,
        ):
            click.echo(str(shown))
    else:
        from rich.table import Table

        from tariffkit.export import for_people

        shown = for_people(shown)  # HÅP and other decimals to two places for reading (the file keeps them exact)

        from tariffkit.cli.common import stdout_console

        t = Table(caption=f"{file}: {total} rows × {df.width} columns" + (f", first {shown.height} shown" if shown.height < total else ""))
        from tariffkit.contracts import dtype_name

        for c, dt in shown.schema.items():
            t.add_column(f"{c}\n[dim]{dtype_name(dt)}[/dim]", justify="right" if dt.is_numeric() else "left", overflow="fold")
        for row in shown.iter_rows():
            t.add_row(*["" if v is None else str(v) for v in row])
        stdout_console().print(t)


NAME_COLUMNS = {"navn", "borgernavn", "borgers navn", "fulde navn", "name", "full name", "fornavn", "efternavn"}


def _masked(df):
    """CPR-shaped values → ``******-****`` in every text column, name columns → ``(skjult)``;
    says on stderr what was masked."""
    import polars as pl

    from tariffkit.cli.common import err
    from tariffkit.cpr import scrub_frame

    names = [c for c in df.columns if c.strip().casefold() in NAME_COLUMNS and df.schema[c] == pl.String]
    out = scrub_frame(df).with_columns(pl.when(pl.col(c).is_not_null()).then(pl.lit("(skjult)")).alias(c) for c in names)
    changed = [c for c in df.columns if df.schema[c] == pl.String and not out[c].equals(df[c])]
    if changed:
        err(f"show: CPR numbers and names are masked in {', '.join(changed)} (--raw shows the file as it is)")
    return out
