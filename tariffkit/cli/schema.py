import click


@click.command("schema", short_help="Print the contract of a table (columns, types, meaning).")
@click.argument("table", required=False)
@click.option("--markdown", is_flag=True, help="Print every contract as Markdown (docs/data-contracts.md).")
def command(table: str | None, markdown: bool) -> None:
    """Print the contract of TABLE, or list the tables when none is given.

    \b
    Example:
      tariffkit schema payments
      tariffkit schema --markdown > docs/data-contracts.md
    """
    from tariffkit import contracts

    if markdown:
        text = contracts.all_markdown() if table is None else contracts.to_markdown(_get(table))
        click.echo(text, nl=False)
        return
    if table is None:
        width = max(len(n) for n in contracts.TABLES)
        for t in contracts.TABLES.values():
            click.echo(f"{t.name.ljust(width)}  {t.description.split('. ')[0].rstrip('.')}.")
        return
    t = _get(table)
    from rich.table import Table as RichTable

    from tariffkit.cli.common import stdout_console

    rt = RichTable(title=f"{t.name}: {t.description}", title_justify="left", show_lines=False)
    for h in ("column", "type", "null", "unit", "meaning"):
        rt.add_column(h, overflow="fold")
    for c in t.columns:
        meaning = c.description + (f" Allowed: {', '.join(c.allowed)}." if c.allowed else "")
        rt.add_row(c.name, contracts.dtype_name(c.dtype), "yes" if c.nullable else "no", c.unit, meaning)
    stdout_console().print(rt)
    if t.key:
        click.echo(f"Key: {', '.join(t.key)}")


def _get(name: str):
    from tariffkit import contracts
    from tariffkit.errors import UsageError

    if name not in contracts.TABLES:
        raise UsageError(f"unknown table {name!r}; tables: {', '.join(contracts.TABLES)}")
    return contracts.TABLES[name]
