"""The ``tariffkit`` command line: a click group of small commands.

Command modules import only click at module level; polars and the domain modules are imported
inside the command functions, so ``tariffkit --help`` and ``--version`` stay fast.
"""

from __future__ import annotations

import signal
import sys

import click

from tariffkit import __version__
from tariffkit.cli.common import TariffkitGroup

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@click.group(cls=TariffkitGroup, context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "--version", prog_name="tariffkit")
@click.option("--debug", is_flag=True, help="Show a traceback on errors (CPR numbers masked).")
@click.option("--config", "config_file", metavar="FILE", help="Settings file (default: the nearest tariffkit.toml in the working folder or above).")
@click.option(
    "--set", "overrides", multiple=True, metavar="KEY=VALUE", help="Override one setting of the settings file for this run, e.g. --set folders.outputs=/tmp/ud."
)
@click.pass_context
def cli(ctx: click.Context, debug: bool, config_file: str | None, overrides: tuple[str, ...]) -> None:
    """tariffkit: activity-based budgets and tariffs for specialised adult social care.

    Small commands that read and write Parquet, so they chain in shell pipelines and Makefiles.
    Data goes to stdout (or -o FILE), messages to stderr. Exit codes: 0 ok, 1 data error,
    2 usage error.

    \b
    Example (the monthly run):
      tariffkit import-dss udtraek.csv --key-file kommune.key -o payments.parquet
      tariffkit compute-haap payments.parquet --year 2026 --by offer_id -o haap.parquet
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug
    if ctx.invoked_subcommand == "init":
        return  # a new folder: the settings above it do not apply
    from pathlib import Path

    from tariffkit import config as cfgmod
    from tariffkit.errors import UsageError

    if config_file and not Path(config_file).is_file():
        raise UsageError(f"--config: no such file {config_file}")
    path = Path(config_file) if config_file else cfgmod.find()
    cfg = cfgmod.Config(None)
    if path is not None:
        params = {name: cfgmod.option_names(c) for name, c in cli.commands.items()}
        try:
            cfg = cfgmod.load(path, params)
        except UsageError:
            if any(a in ("--help", "-h") for a in sys.argv[1:]):  # help works even beside a broken settings file
                ctx.obj["config"] = cfgmod.Config(None)
                return
            raise
        for o in overrides:
            cfgmod.override(cfg, o)
        ctx.default_map = cfgmod.default_map(cfg, cli.commands)
    elif overrides:
        raise UsageError("--set changes a setting of tariffkit.toml, and there is none in this folder or above it")
    ctx.obj["config"] = cfg


# name → module and attribute; a command's module is imported when the command is used (or when
# every command is listed: --help, the settings check), so one command does not load the others
for name, where in [
    ("init", "folder:init_command"),
    ("config", "folder:config_command"),
    ("run", "run:run_group"),
    ("import-dss", "import_dss"),
    ("compute-haap", "compute_haap"),
    ("refunds", "refunds"),
    ("occupancy", "occupancy"),
    ("price-ata", "price_ata"),
    ("tariff-build", "tariff_build"),
    ("reassign", "reassign"),
    ("budget-forecast", "budget_forecast"),
    ("close-year", "close_year"),
    ("billing", "billing"),
    ("portfolio", "portfolio"),
    ("report", "report"),
    ("validate", "validate"),
    ("export", "export"),
    ("sample", "sample"),
    ("schema", "schema"),
    ("show", "show"),
]:
    cli.add_lazy(name, "tariffkit.cli." + (where if ":" in where else where + ":command"))


def main() -> None:
    """Console-script entry point."""
    # Quiet `| head`: restore the default SIGPIPE action so a closed pipe ends us silently.
    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    from tariffkit.cli.common import on_sigterm

    signal.signal(signal.SIGTERM, on_sigterm)  # clean up like Ctrl-C: no temp file, no half-written output
    cli(prog_name="tariffkit")


if __name__ == "__main__":  # pragma: no cover
    main()
