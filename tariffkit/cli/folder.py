import click

SETTINGS_TEMPLATE = """# tariffkit.toml: {municipality}s indstillinger. Hver tariffkit-kommando i denne mappe (og
# mapper under den) tager sine standardværdier herfra; tilvalg på kommandolinjen vinder.
# `tariffkit config` viser de gældende indstillinger, og hvor hver kommer fra.
# Stier er i forhold til denne fil.

municipality = "{municipality}"
key_file = "kommune.key"        # nøglen til pseudonymisering (chmod 600). Gem en kopi et sikkert sted:
                                # med en anden nøgle passer næste måneds pseudonymer ikke til historikken.

[folders]
extracts = "udtraek"            # her lægges månedens DSS-udtræk: udtraek-ÅÅÅÅ-MM.csv
history = "historik"            # betalingshistorikken (payments.parquet) og lukkede års resultater
outputs = "output"              # tabeller (Parquet) fra kørslerne
reports = "rapporter"           # det, folk åbner: rapport (HTML), regneark (xlsx)
log = "tariffkit.log"           # én linje pr. kørsel: hvad, inputs' SHA-256, exit-status

[files]
structure = "levels.toml"       # takststrukturen: funktionsniveauer som bånd af ugentlige ATA-timer
rules = "takstregler.toml"      # takstreglerne (rammeaftalen): overførsel, hensættelse, afrunding
tiers = "bevillingsniveauer.toml"   # bevillingskompetence til porteføljegennemgangen
ata_assumptions = "ata-assumptions.toml"  # forudsætninger for prisen på en ATA-time
# Fjern # foran linjerne, når filerne ligger i mappen (tariffkit schema viser kolonnerne):
# costs = "costs.csv"           # omkostningslinjer pr. tilbud, år og grundlag
# staff = "staff.csv"           # årsværk og årsværkspris pr. kategori
# offers = "offers.csv"         # tilbud: navne og pladser
# placements = "placeringer.csv"    # placeringer: egne og andre kommuners borgere
# schedules = "doegnskemaer.csv"    # døgnskemaer (CSV, eller skabelonen doegnskema-skabelon.xlsx udfyldt)

[annual]
phase_in = "{year}:0.5,{next}:1.0"   # genindplaceringens overgangsordning: andel af ændringen pr. år
pl = "0.03"                     # PL-fremskrivning i overslagsårene
out_years = 5                   # overslagsår efter budgetåret

[monthly]
portfolio = true                # porteføljegennemgang i kvartalets sidste måned

# Standardværdier for en enkelt kommandos tilvalg, fx:
# [commands.compute-haap]
# stay_gap = 1
"""

MAKEFILE = """# Årets budgetbygning for {municipality}: `make annual YEAR={next}`. Trinene (og deres
# kommandoer) viser `tariffkit run annual --year {next} --dry-run`.
TARIFFKIT ?= {tariffkit}
YEAR ?= {next}

.PHONY: annual monthly dry-run
annual:
\t$(TARIFFKIT) run annual --year $(YEAR)
monthly:
\t$(TARIFFKIT) run monthly
dry-run:
\t$(TARIFFKIT) run annual --year $(YEAR) --dry-run
"""

MONTHLY_SH = """#!/bin/sh
# Den månedlige økonomiopfølgning for {municipality}, til cron. Læg månedens DSS-udtræk i
# udtraek/ (udtraek-ÅÅÅÅ-MM.csv) og kør scriptet, fx den 3. i hver måned kl. 6:
#   0 6 3 * *  /sti/til/mappen/maaned.sh >> /sti/til/mappen/cron.log 2>&1
# Exit 1 = fejl i data (se beskeden), 2 = fejl i indstillinger eller brug.
set -eu
export NO_COLOR=1
cd "$(dirname "$0")"
# the tariffkit that made this folder (cron's PATH does not know a virtual environment)
exec ${{TARIFFKIT:-{tariffkit}}} run monthly "$@"
"""

README = """# {municipality}: tariffkit-mappe

Oprettet med `tariffkit init`. Indstillingerne står i `tariffkit.toml`; alle tariffkit-kommandoer
i mappen bruger dem.

## Hvad lægges hvor

| Hvad | Hvor |
|---|---|
| Månedens DSS-udtræk | `udtraek/udtraek-ÅÅÅÅ-MM.csv` |
| Omkostninger, personale, tilbud, placeringer, døgnskemaer | i mappen, og fjern `#` foran linjen i `tariffkit.toml` |
| Takststruktur, takstregler, bevillingsniveauer, ATA-forudsætninger | `levels.toml`, `takstregler.toml`, `bevillingsniveauer.toml`, `ata-assumptions.toml` (ret dem til) |
| Nøglen til pseudonymisering | `kommune.key`: kun læsbar for ejeren. **Gem en kopi et sikkert sted**: mistes den, passer næste måneds pseudonymer ikke |

Historikken kommer i `historik/`, tabellerne i `output/`, rapporter og regneark i `rapporter/`,
og hver kørsel skriver én linje i `tariffkit.log`.

## Hver måned

    tariffkit run monthly            # eller ./maaned.sh fra cron

## Hvert år

    make annual YEAR={next}          # = tariffkit run annual --year {next}

`--dry-run` viser kommandoerne uden at køre dem; `tariffkit config` viser indstillingerne.
"""


@click.command("init", short_help="Create a municipality's working folder: settings, key, Makefile, cron script.")
@click.argument("folder_path", metavar="FOLDER")
@click.option("--municipality", required=True, help='The municipality\'s name, e.g. "Norddjurs Kommune".')
@click.option("--year", type=click.IntRange(2000, 2100), help="The first budget year (default: next year).")
def init_command(folder_path, municipality, year):
    """Create a working folder for a municipality: tariffkit.toml (commented), a fresh random key
    (readable by its owner alone), the structure, rules, approval tiers and ATA assumptions to
    edit, a Makefile for the annual build, a cron-ready script for the monthly run, the 24-hour
    schedule template, a README that says what to put where, and the folders. An existing file is
    never overwritten.

    \b
    Example:
      tariffkit init kommune --municipality "Eksempel Kommune"
      cd kommune && cp /sti/udtraek-2026-10.csv udtraek/ && tariffkit run monthly
    """
    from tariffkit.cpr import scrub_text

    municipality = scrub_text(municipality)  # written into every file of the folder: never a CPR number
    import datetime as dt
    import os
    import re
    from pathlib import Path

    from tariffkit.cli.common import err
    from tariffkit.errors import UsageError
    from tariffkit.keys import new_key_file
    from tariffkit.sample import template
    from tariffkit.schedules import write_template

    root = Path(folder_path)
    if root.exists() and not root.is_dir():
        raise UsageError(f"{folder_path} is a file, not a folder")
    y = year or dt.date.today().year + 1
    import shlex
    import sys

    tk = shlex.join([sys.executable, "-m", "tariffkit"])
    fmt = {"municipality": municipality.replace('"', "'"), "year": y, "next": y + 1, "tariffkit": tk}
    files = {
        "tariffkit.toml": SETTINGS_TEMPLATE.format(**fmt),
        "levels.toml": template("levels.toml").format(year=y).replace("Eksempel Kommune", municipality),
        "takstregler.toml": template("takstregler.toml").replace("Eksempel Kommune", municipality),
        "bevillingsniveauer.toml": template("bevillingsniveauer.toml"),
        "ata-assumptions.toml": template("ata-assumptions.toml").replace("Eksempel Kommune", municipality),
        "Makefile": MAKEFILE.format(**{**fmt, "next": y}),
        "maaned.sh": MONTHLY_SH.format(**fmt),
        "README.md": README.format(**{**fmt, "next": y}),
    }
    made, kept = [], []
    settings = root / "tariffkit.toml"
    if settings.is_file():
        m = re.search(r'^municipality\s*=\s*"([^"]*)"', settings.read_text(encoding="utf-8-sig"), re.M)
        if m and m.group(1) != fmt["municipality"]:
            err(f"tariffkit init: warning: {settings} is {m.group(1)}'s; it is kept as it is (not changed to {municipality})")
    root.mkdir(parents=True, exist_ok=True)
    for d in ("udtraek", "historik", "output", "rapporter"):
        (root / d).mkdir(exist_ok=True)
    for name, text in files.items():
        p = root / name
        if p.exists():
            kept.append(name)
            continue
        fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o755 if name.endswith(".sh") else 0o644)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        made.append(name)
    template = root / "doegnskema-skabelon.xlsx"
    if template.exists():
        kept.append(template.name)
    else:
        template.write_bytes(write_template())
        made.append(template.name)
    key = root / "kommune.key"
    if key.exists():
        kept.append(key.name)
    else:
        if any((root / "historik").glob("*.parquet")):
            err(
                f"tariffkit init: warning: a new key beside an existing history in {root / 'historik'}: its pseudonyms will not match "
                "the history's (the next import refuses it). Put the old key back as kommune.key if you have it"
            )
        new_key_file(key)
        made.append(key.name)
        err(
            f"tariffkit init: a new key in {key} (readable by you alone). Keep a copy in a safe place: "
            "a lost key means next month's pseudonyms do not match the history's"
        )
    err(f"tariffkit init: {root}/: made {', '.join(made) or 'nothing'}" + (f"; kept as they were: {', '.join(kept)}" if kept else ""))
    err(f"next: put the month's DSS extract in {root / 'udtraek'}/ and run `tariffkit run monthly` in {root}")


@click.command("config", short_help="Show the effective settings and where each comes from.")
@click.pass_context
def config_command(ctx):
    """The settings every command in this folder uses: each key, its value and where it comes
    from (the settings file and line, or the default), and the option defaults they give each
    command.

    \b
    Example:
      tariffkit config
    """
    from tariffkit.config import SCHEMA

    cfg = ctx.find_root().obj["config"]
    click.echo(f"# settings: {cfg.path or 'none found (no tariffkit.toml in this folder or above it)'}")
    for section, keys in SCHEMA.items():
        if section:
            click.echo(f"\n[{section}]")
        for k in keys:
            full = f"{section}.{k}" if section else k
            v = cfg.get(full)
            if v is None:
                click.echo(f"# {k}: not set")
                continue
            shown = repr(v) if not isinstance(v, bool) else str(v).lower()
            click.echo(f"{k} = {shown}    # {cfg.where(full)}")
    dm = ctx.find_root().default_map or {}
    if dm:
        click.echo("\n# option defaults per command (the command line wins)")
        for name in sorted(dm):
            click.echo(f"[commands.{name}]")
            for opt, v in sorted(dm[name].items()):
                click.echo(f"{opt} = {v!r}")


commands = [init_command, config_command]
