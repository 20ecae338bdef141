import click


@click.group("run", short_help="Run the monthly check or the annual build from the working folder's settings.")
def run_group():
    """Run the month or the year by name, from the working folder's tariffkit.toml. Each step is
    a tariffkit command (printed as it runs; --dry-run prints them only); the run stops at the
    first step that fails, with its exit code, and writes one line to the folder's log.

    \b
    Example:
      tariffkit run monthly
      tariffkit run annual --year 2027 --dry-run
    """


def _go(ctx, plan, dry_run):
    from tariffkit import run as runmod
    from tariffkit.cli.common import err

    if dry_run:
        for s in plan.steps:
            click.echo(f"# {s.what}\n{runmod.command_line(s)}")
        return
    err(f"tariffkit: run {plan.name} in {plan.folder}: {len(plan.steps)} steps")
    rc = runmod.execute(plan, ctx.find_root().obj["config"], err, in_this_process)
    if rc:
        ctx.exit(rc)
    err(f"tariffkit: run {plan.name}: done; logged to {plan.log}")


@run_group.command("monthly", short_help="The monthly economy check: import, HÅP, forecast, report (and the quarter's portfolio).")
@click.option("--extract", metavar="FILE", help="The month's DSS extract (default: the newest in the extracts folder, by the YYYY-MM in its name).")
@click.option("--as-of", metavar="YYYY-MM-DD", help="The extract date (default: the last day of the month in the extract's name).")
@click.option("--late", is_flag=True, help="The extract is older than the history's newest (a late re-import; see import-dss --late).")
@click.option("--dry-run", is_flag=True, help="Print the commands (on stdout) and run nothing.")
@click.pass_context
def monthly(ctx, extract, as_of, late, dry_run):
    """The monthly economy check (økonomitjek) from the settings: the extract into the history
    (--append: actual lines seen before are not added again, its commitments replace last
    month's; an extract older than the history's newest is refused), HÅP and the forecast, the
    authority-side budget, the report with last month's key figures, and in the last month of a
    quarter the caseworker portfolio.

    \b
    Example (cron, the 3rd of each month):
      cd /data/kommune && tariffkit run monthly
      tariffkit run monthly --extract udtraek/udtraek-2026-10.csv --dry-run
    """
    from pathlib import Path

    from tariffkit import run as runmod
    from tariffkit.cli.common import parse_date_option

    cfg = _config(ctx)
    day = parse_date_option(as_of, "--as-of") if as_of else None
    _go(ctx, runmod.monthly(cfg, Path(extract) if extract else None, day, late), dry_run)


@run_group.command("annual", short_help="The annual build: close last year, ATA price, occupancy, tariffs, re-placement, budget.")
@click.option("--year", required=True, type=click.IntRange(2000, 2100), help="The budget year.")
@click.option("--as-of", metavar="YYYY-MM-DD", help="The forecast date for the year's occupancy (default: the history's newest extract date).")
@click.option("--dry-run", is_flag=True, help="Print the commands (on stdout) and run nothing.")
@click.pass_context
def annual(ctx, year, as_of, dry_run):
    """The annual build from the settings, in order: close last year (when its tariffs and
    occupancy are in the outputs), the price of an ATA hour, the whole occupancy, budget-neutral
    tariffs (with the carried results), the re-placement (when schedules are set), the offer
    budget model with out-years, and the offer workbook.

    \b
    Example:
      tariffkit run annual --year 2027 --dry-run
    """
    from tariffkit import run as runmod
    from tariffkit.cli.common import parse_date_option

    cfg = _config(ctx)
    day = parse_date_option(as_of, "--as-of") if as_of else None
    _go(ctx, runmod.annual(cfg, year, day), dry_run)


def in_this_process(args, cfg, folder) -> int:
    """One step run as ``tariffkit [--config FILE] ARGS`` in this process, in ``folder``: what a new
    process would do (the same settings, messages and exit code; its outputs published when it
    ends), without starting Python and importing polars again for each step (about 0.4 s a step)."""
    import os

    from tariffkit.cli import cli

    here = os.getcwd()
    os.chdir(folder)
    try:
        rc = cli.main(args=[*(["--config", str(cfg.path)] if cfg.path else []), *args], prog_name="tariffkit", standalone_mode=False)
        return rc if isinstance(rc, int) else 0
    except click.ClickException as e:  # a usage error in the step's options: shown as click shows it
        e.show()
        return e.exit_code
    except click.exceptions.Abort:
        click.echo("Aborted!", err=True)
        return 1
    finally:
        os.chdir(here)


def _config(ctx):
    from tariffkit.errors import UsageError

    cfg = ctx.find_root().obj["config"]
    if cfg.path is None:
        raise UsageError(
            "no tariffkit.toml in this folder or above it: run `tariffkit init FOLDER --municipality NAME` and work in that folder, or give --config FILE"
        )
    return cfg


commands = [run_group]
