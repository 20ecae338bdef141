"""A municipality's working folder: ``tariffkit.toml``, found from the working folder upwards.

Settings are written once; every command takes its option defaults from them, and options on the
command line win. Paths in the file are relative to the file's folder. The schema below is the
one place the settings are declared: an unknown key, a wrong type or a file that does not exist
is a usage error naming the file, the line and the key (and the closest known key).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

from tariffkit.errors import UsageError

CONFIG_NAME = "tariffkit.toml"

# section → key → (kind, meaning). Kinds: text, int, bool, file (must exist), folder (created
# when needed), path (need not exist), phase (YEAR:SHARE,…), rate (0.03 or YEAR:RATE,…).
SCHEMA: dict[str, dict[str, tuple[str, str]]] = {
    "": {
        "municipality": ("text", "The municipality's name (on reports)."),
        "key_file": ("file", "The pseudonymisation key (chmod 600). Keep a copy safe: a lost key means next month's pseudonyms do not match."),
    },
    "folders": {
        "extracts": ("folder", "Where the DSS extracts land (udtraek-YYYY-MM.csv)."),
        "history": ("folder", "The payments history (payments.parquet) and the results of closed years."),
        "outputs": ("folder", "Tables the runs write (Parquet)."),
        "reports": ("folder", "What people open (HTML, xlsx)."),
        "log": ("path", "The run log: one line per run (what ran, the inputs' SHA-256, the exit status)."),
    },
    "files": {
        "structure": ("file", "Tariff structure: the function levels (levels.toml)."),
        "rules": ("file", "Tariff rules: carry, set-aside, rounding, overhead (takstregler.toml)."),
        "tiers": ("file", "Approval tiers for the portfolio (bevillingsniveauer.toml)."),
        "ata_assumptions": ("file", "ATA assumptions for price-ata (ata-assumptions.toml)."),
        "costs": ("file", "Cost lines (costs table, Danish CSV)."),
        "staff": ("file", "Staff: FTE and cost per FTE (staff table)."),
        "offers": ("file", "Offers: names, places (offers table)."),
        "placements": ("file", "Placements: own and other municipalities' citizens (placeringer.csv)."),
        "schedules": ("file", "24-hour schedules (døgnskemaer, CSV or the xlsx template)."),
    },
    "annual": {
        "phase_in": ("phase", "The re-placement's transition: share of the change per year, e.g. 2026:0.5,2027:1.0."),
        "pl": ("rate", "PL rate for the out-years: 0.03, or YEAR:RATE,…"),
        "out_years": ("int", "Out-years after the budget year."),
    },
    "monthly": {
        "portfolio": ("bool", "Run the caseworker portfolio in the last month of each quarter."),
    },
}

# settings that are option defaults: key → the option's parameter name (for every command that has it)
OPTION_OF = {
    "key_file": "key_file",
    "files.tiers": "tiers",
    "files.offers": "offers",
    "files.costs": "costs",
    "files.staff": "staff",
    "annual.phase_in": "phase_in",
    "annual.pl": "pl_rate",
}
# only for some commands (the option means something else elsewhere)
OPTION_FOR = {
    "files.structure": ("structure", ("tariff-build", "reassign")),  # (close-year's --structure asks for the settlement)
    "files.rules": ("rules", ("tariff-build", "close-year")),
    "files.ata_assumptions": ("assumptions", ("price-ata",)),
}


@dataclass
class Config:
    path: Path | None  # None: no tariffkit.toml found
    values: dict[str, object] = field(default_factory=dict)  # "section.key" (or "key") → value (paths absolute)
    lines: dict[str, int | str] = field(default_factory=dict)  # where each key is in the file (its line, or "--set")
    commands: dict[str, dict[str, object]] = field(default_factory=dict)  # [commands.NAME] option defaults

    @property
    def folder(self) -> Path:
        return self.path.parent if self.path else Path.cwd()

    def get(self, key: str, default=None):
        return self.values.get(key, default)

    def where(self, key: str) -> str:
        if self.lines.get(key) == "--set":
            return "--set (the command line)"
        if key in self.values and self.path:
            return f"{self.path}:{self.lines.get(key, '?')}"
        return "default"


def find(start: Path | None = None) -> Path | None:
    """The nearest ``tariffkit.toml`` in ``start`` (the working folder) or a folder above it."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        p = folder / CONFIG_NAME
        if p.is_file():
            return p
    return None


def _key_lines(text: str) -> dict[str, int | str]:
    lines: dict[str, int | str] = {}
    section = ""
    for i, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        m = re.match(r"^\[\s*([^\]]+?)\s*\]$", line)
        if m:
            section = m.group(1).replace('"', "")
            lines.setdefault(section, i)
            continue
        m = re.match(r'^("?[A-Za-z0-9_\-]+"?)\s*=', line)
        if m:
            k = m.group(1).strip('"')
            lines[f"{section}.{k}" if section else k] = i
    return lines


def _unknown(file: Path, line: int | str | None, key: str, known: list[str]) -> UsageError:
    close = difflib.get_close_matches(key.split(".")[-1], [k.split(".")[-1] for k in known], n=1)
    hint = f"; did you mean {close[0]!r}?" if close else f"; known: {', '.join(known)}"
    return UsageError(f"{file}:{line or '?'}: unknown setting {key!r}{hint}")


def load(path: Path, command_params: dict[str, set[str]] | None = None) -> Config:
    """Read and check a ``tariffkit.toml``. ``command_params``: each command's option names, to
    check ``[commands.NAME]`` tables."""
    import tomllib

    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as e:
        raise UsageError(f"cannot read the settings file {path}: {e.strerror}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise UsageError(f"{path}: not valid TOML: {e}") from None
    lines = _key_lines(text)
    cfg = Config(path=path, lines=lines)
    base = path.parent
    for k, v in data.items():
        if k == "commands":
            if not isinstance(v, dict):
                raise UsageError(f"{path}:{lines.get(k, '?')}: [commands] must hold one table per command, e.g. [commands.compute-haap]")
            for name, opts in v.items():
                if command_params is not None and name not in command_params:
                    raise _unknown(path, lines.get(f"commands.{name}"), f"commands.{name}", [f"commands.{c}" for c in sorted(command_params)])
                if not isinstance(opts, dict):
                    raise UsageError(f"{path}:{lines.get(f'commands.{name}', '?')}: [commands.{name}] must be a table of option = value")
                for opt in opts:
                    if command_params is not None and opt.replace("-", "_") not in command_params[name]:
                        raise _unknown(path, lines.get(f"commands.{name}.{opt}"), f"commands.{name}.{opt}", sorted(command_params[name]))
                cfg.commands[name] = {o.replace("-", "_"): val for o, val in opts.items()}
            continue
        if isinstance(v, dict):
            if k not in SCHEMA or k == "":
                raise _unknown(path, lines.get(k), k, [s for s in SCHEMA if s] + ["commands"])
            for kk, vv in v.items():
                _put(cfg, f"{k}.{kk}", k, kk, vv, base, path, lines)
        else:
            _put(cfg, k, "", k, v, base, path, lines)
    return cfg


def _put(cfg: Config, full: str, section: str, key: str, value, base: Path, path: Path, lines: dict) -> None:
    known = SCHEMA[section]
    at = "--set" if str(path) == "--set" else f"{path}:{lines.get(full, '?')}"
    if key not in known:
        raise _unknown(path, lines.get(full), full, [f"{section}.{k}" if section else k for k in known])
    kind = known[key][0]
    if kind == "bool":
        if not isinstance(value, bool):
            raise UsageError(f"{at}: {full} must be true or false, found {value!r}")
    elif kind == "int":
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 50:
            raise UsageError(f"{at}: {full} must be a whole number from 0 to 50, found {value!r}")
    elif kind in ("text", "phase", "rate", "file", "folder", "path"):
        if kind == "rate" and isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not value.strip():
            raise UsageError(f"{at}: {full} must be text (in quotes), found {value!r}")
        if kind == "text":  # a setting's text reaches messages and outputs: a CPR-shaped run is masked
            from tariffkit.cpr import scrub_text

            value = scrub_text(value)
        if kind == "phase":
            from tariffkit.rates import parse_phase_in

            try:
                parse_phase_in(value)
            except Exception as e:
                raise UsageError(f"{at}: {full}: {e}") from None
        if kind == "rate":
            from tariffkit.rates import parse_pl

            try:
                parse_pl(value, 2000, 0)
            except Exception as e:
                raise UsageError(f"{at}: {full}: {str(e).replace('`pl`: ', '').replace('`phase_in`: ', '')}") from None
        if kind in ("file", "folder", "path"):
            p = Path(value).expanduser()
            p = p if p.is_absolute() else base / p
            if kind == "file" and not p.is_file():
                raise UsageError(f"{at}: {full} = {value!r}: no such file ({p})")
            if kind == "folder" and p.exists() and not p.is_dir():
                raise UsageError(f"{at}: {full} = {value!r} is a file, not a folder")
            value = str(p)
    cfg.values[full] = value


def _as_given(cfg: Config, key: str):
    """A setting as an option value: a path relative to the working folder (so the options a
    command records in its provenance do not depend on where the folder lies)."""
    import os

    v = cfg.values[key]
    section, _, name = key.rpartition(".")
    if SCHEMA.get(section, {}).get(name, ("",))[0] in ("file", "folder", "path"):
        return os.path.relpath(str(v), Path.cwd())
    return v


def option_names(cmd) -> set[str]:
    """A command's option names; a group's are its subcommands' (``[commands.budget-forecast]``
    sets an option for every model that has it)."""
    subs = getattr(cmd, "commands", None)
    if isinstance(subs, dict) and subs:
        return set().union(*(option_names(c) for c in subs.values()))
    return {p.name for p in cmd.params if p.name}


def default_map(cfg: Config, commands: dict, *, within: str | None = None, table: dict[str, object] | None = None) -> dict:
    """click's default_map: for each command, the option defaults the settings give; for a group,
    one map per subcommand (``within``: the group's name, whose settings the subcommands take)."""
    out: dict = {}
    for name, cmd in commands.items():
        subs = getattr(cmd, "commands", None)
        if isinstance(subs, dict) and subs:
            m_sub = default_map(cfg, subs, within=within or name, table=cfg.commands.get(name, {}))
            if m_sub:
                out[name] = m_sub
            continue
        options = {p.name for p in cmd.params if p.param_type_name == "option"}
        m: dict[str, object] = {}
        for key, param in OPTION_OF.items():
            if key in cfg.values and param in options:
                m[param] = _as_given(cfg, key)
        for key, (param, names) in OPTION_FOR.items():
            if key in cfg.values and (within or name) in names and param in options:
                m[param] = _as_given(cfg, key)
        if table is None:
            m.update(cfg.commands.get(name, {}))
        else:  # a group's settings: each subcommand takes those it has an option for
            m.update({k: v for k, v in table.items() if k in {p.name for p in cmd.params}})
        if m:
            out[name] = m
    return out


def folder(cfg: Config, key: str, default: str) -> Path:
    """A working-folder path from the settings (``folders.KEY``), else ``default`` in the folder."""
    v = cfg.get(f"folders.{key}")
    return Path(v) if v else cfg.folder / default


def override(cfg: Config, text: str) -> None:
    """``--set KEY=VALUE``: one setting for this run, checked as the file's are (a path is
    relative to the working folder)."""
    import tomllib

    key, sep, raw = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise UsageError(f"`set` expects KEY=VALUE, e.g. folders.outputs=/tmp/ud, found {text!r}")
    section, _, name = key.rpartition(".")
    if section not in SCHEMA or name not in SCHEMA[section]:
        known = [f"{s}.{k}" if s else k for s, ks in SCHEMA.items() for k in ks]
        close = difflib.get_close_matches(key, known, n=1)
        raise UsageError(f"`set`: unknown setting {key!r}" + (f"; did you mean {close[0]!r}?" if close else ""))
    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw  # plain text without quotes
    kind = SCHEMA[section][name][0]
    if kind in ("file", "folder", "path") and not Path(str(value)).is_absolute():
        value = str(Path.cwd() / str(value))
    _put(cfg, key, section, name, value, Path.cwd(), Path("--set"), {})
    cfg.lines[key] = "--set"
