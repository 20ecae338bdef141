"""The month and the year run by name (*kørsler*): the monthly economy check and the annual build
as lists of the same commands a user could type, from the working folder's settings.

Each step is a tariffkit command run in the working folder; the run stops at the first step that
fails and exits with its exit code (every command writes its outputs atomically, so nothing is
half-written). One line per run goes to the folder's log: when, what ran, the inputs' SHA-256
and the exit status.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from tariffkit.config import Config, folder
from tariffkit.errors import UsageError


@dataclass
class Step:
    what: str  # one line for people
    args: list[str]  # the command's arguments after `tariffkit`
    inputs: list[Path] = field(default_factory=list)  # files it reads that exist before the run
    rejects: Path | None = None  # where the step puts rows it refused (said at the end of the run)


@dataclass
class Plan:
    name: str  # "monthly 2026-10", "annual 2027"
    steps: list[Step]
    folder: Path
    log: Path


def _rel(p: Path, base: Path) -> str:
    try:
        return str(p.resolve().relative_to(base.resolve()))
    except ValueError:
        return str(p)


def _need(cfg: Config, *keys: str, why: str) -> None:
    missing = [k for k in keys if cfg.get(k) is None]
    if missing:
        where = cfg.path or "tariffkit.toml"
        raise UsageError(f"{why} needs {', '.join(missing)} in {where} (tariffkit init writes them, commented)")


MONTH_IN_NAME = re.compile(r"(\d{4})-(\d{2})")


def _month_in_name(name: str) -> tuple[str, ...]:
    found = MONTH_IN_NAME.search(name)
    return found.groups() if found else ()


def newest_extract(cfg: Config) -> Path:
    d = folder(cfg, "extracts", "udtraek")
    found = sorted(
        (p for p in d.glob("*") if p.suffix.lower() in (".csv", ".xlsx") and MONTH_IN_NAME.search(p.name)),
        key=lambda p: (_month_in_name(p.name), p.name),
    )
    if not found:
        raise UsageError(f"no DSS extract in {d} (a file named like udtraek-2026-10.csv); put the month's extract there or give --extract FILE")
    return found[-1]


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)


def _check_key(cfg: Config) -> None:
    from tariffkit.keys import load_key

    load_key(str(cfg.get("key_file")))  # a key file others can read is refused before any step (the dry run too)


def monthly(cfg: Config, extract: Path | None = None, as_of: dt.date | None = None, late: bool = False) -> Plan:
    """The monthly economy check: import with --append, HÅP and the forecast, the authority
    budget, the report with last month's key figures, and in a quarter's last month the
    caseworker portfolio."""
    _need(cfg, "key_file", why="run monthly")
    _check_key(cfg)
    base = cfg.folder
    extract = Path(extract) if extract else newest_extract(cfg)
    if not extract.is_file():
        raise UsageError(f"--extract: no such file {extract}")
    if as_of is None:
        m = MONTH_IN_NAME.search(extract.name)
        if not m or not 1 <= int(m.group(2)) <= 12:
            raise UsageError(f"the extract's name {extract.name} has no month (YYYY-MM): give --as-of DATE")
        as_of = _month_end(int(m.group(1)), int(m.group(2)))
    month, year = as_of.strftime("%Y-%m"), as_of.year
    prev_month = (as_of.replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    hist, out, rep = folder(cfg, "history", "historik"), folder(cfg, "outputs", "output"), folder(cfg, "reports", "rapporter")
    payments = hist / "payments.parquet"
    r = lambda p: _rel(p, base)  # noqa: E731
    key = Path(cfg.get("key_file"))
    steps = [
        Step(
            f"import {extract.name} into the history (extract date {as_of})",
            [
                "import-dss",
                r(extract),
                "--key-file",
                r(key),
                "--extract-date",
                as_of.isoformat(),
                "-o",
                r(payments),
                *(["--append"] if payments.exists() else []),
                *(["--late"] if late else []),
                "--on-error",
                "reject",
                "--rejects",
                r(out / f"afviste-{month}.parquet"),
                "--summary-json",
                r(out / f"import-{month}.json"),
            ],
            [extract, *([payments] if payments.exists() else [])],
            rejects=out / f"afviste-{month}.parquet",
        )
    ]
    steps.append(
        Step(
            "HÅP and the forecast to year end per offer and level",
            [
                "compute-haap",
                r(payments),
                "--year",
                str(year),
                "--by",
                "offer_id,level",
                "--as-of",
                as_of.isoformat(),
                "-o",
                r(out / f"prognose-{month}.parquet"),
            ],
        )
    )
    steps.append(Step("HÅP history per paragraph", ["compute-haap", r(payments), "--by", "paragraph", "-o", r(out / "haap-historik-paragraf.parquet")]))
    steps.append(
        Step(
            "the forecast per paragraph",
            [
                "compute-haap",
                r(payments),
                "--year",
                str(year),
                "--by",
                "paragraph",
                "--as-of",
                as_of.isoformat(),
                "-o",
                r(out / f"prognose-paragraf-{month}.parquet"),
            ],
        )
    )
    steps.append(
        Step(
            "the authority-side budget per paragraph",
            [
                "budget-forecast",
                "authority",
                "--year",
                str(year),
                "--haap",
                r(out / "haap-historik-paragraf.parquet"),
                "--forecast",
                r(out / f"prognose-paragraf-{month}.parquet"),
                "-o",
                r(out / f"myndighed-{month}.parquet"),
            ],
        )
    )
    prev = out / f"noegletal-{prev_month}.parquet"
    steps.append(
        Step(
            "the monthly report" + (", with last month's key figures" if prev.exists() else ""),
            [
                "report",
                "monthly",
                r(payments),
                "--as-of",
                as_of.isoformat(),
                "--budget",
                r(out / f"myndighed-{month}.parquet"),
                *(["--previous", r(prev)] if prev.exists() else []),
                "--save-figures",
                r(out / f"noegletal-{month}.parquet"),
                "-o",
                r(rep / f"rapport-{month}.html"),
            ],
        )
    )
    if cfg.get("monthly.portfolio", True) and as_of.month % 3 == 0:
        q = f"{year}Q{as_of.month // 3}"
        tiers = ["--tiers", r(Path(cfg.get("files.tiers")))] if cfg.get("files.tiers") else []
        steps.append(
            Step(
                f"the caseworker portfolio for {q} (the quarter's last month)",
                [
                    "portfolio",
                    r(payments),
                    "--quarter",
                    q,
                    *tiers,
                    "-o",
                    r(out / f"portefolje-{q}.parquet"),
                    "--summary",
                    r(out / f"sagsbehandlere-{q}.parquet"),
                    "--xlsx",
                    r(rep / f"portefolje-{q}.xlsx"),
                ],
            )
        )
    return Plan(f"monthly {month}", steps, base, _log_path(cfg))


def annual(cfg: Config, year: int, as_of: dt.date | None = None) -> Plan:
    """The annual build for ``year``: close last year when its tariffs are on record, then the
    ATA price, the whole occupancy, the tariffs, the re-placement, the offer budget model and the
    offer workbook."""
    _need(cfg, "key_file", "files.structure", "files.costs", "files.staff", "files.offers", "files.placements", "files.ata_assumptions", why="run annual")
    _check_key(cfg)
    base = cfg.folder
    hist, out, rep = folder(cfg, "history", "historik"), folder(cfg, "outputs", "output"), folder(cfg, "reports", "rapporter")
    payments = hist / "payments.parquet"
    if not payments.exists():
        raise UsageError(f"no payments history ({payments}): run `tariffkit run monthly` with an extract first")
    if as_of is None:
        as_of = _newest_extract_date(payments)
    r = lambda p: _rel(Path(p), base)  # noqa: E731
    f = {k: cfg.get(f"files.{k}") for k in ("structure", "rules", "costs", "staff", "offers", "placements", "schedules", "ata_assumptions")}
    key = cfg.get("key_file")
    Y, last = year, year - 1
    steps: list[Step] = []
    results = hist / "resultater.parquet"
    last_tariffs, last_occ = out / f"takster-{last}.parquet", out / f"belaegning-{last}.parquet"
    rules = ["--rules", r(f["rules"])] if f["rules"] else []
    if last_tariffs.exists() and last_occ.exists():
        steps.append(
            Step(
                f"close {last}: each offer's result, carried, set aside or kept",
                [
                    "close-year",
                    "--year",
                    str(last),
                    "--costs",
                    r(f["costs"]),
                    "--occupancy",
                    r(last_occ),
                    "--tariffs",
                    r(last_tariffs),
                    *rules,
                    "-o",
                    r(results),
                    "--append",
                    "--replace",
                ],
            )
        )
    steps.append(
        Step(
            "the price of an ATA hour per offer",
            ["price-ata", r(f["staff"]), "--assumptions", r(f["ata_assumptions"]), "--costs", r(f["costs"]), "-o", r(out / f"ata-priser-{Y}.parquet")],
        )
    )
    steps.append(
        Step(
            f"the whole occupancy of {Y} (own citizens from DSS, others from the placements)",
            [
                "occupancy",
                r(f["placements"]),
                "--payments",
                r(payments),
                "--year",
                str(Y),
                *(["--as-of", as_of.isoformat()] if as_of.year == Y else []),
                "--offers",
                r(f["offers"]),
                "--key-file",
                r(key),
                "--check",
                r(rep / f"afstemning-{Y}.xlsx"),
                "-o",
                r(out / f"belaegning-{Y}.parquet"),
            ],
        )
    )
    steps.append(
        Step(
            f"budget-neutral tariffs for {Y}",
            [
                "tariff-build",
                "--structure",
                r(f["structure"]),
                "--costs",
                r(f["costs"]),
                "--haap",
                r(out / f"belaegning-{Y}.parquet"),
                "--ata-prices",
                r(out / f"ata-priser-{Y}.parquet"),
                "--offers",
                r(f["offers"]),
                "--year",
                str(Y),
                *rules,
                *(["--results", r(results)] if results.exists() or last_tariffs.exists() else []),
                "-o",
                r(out / f"takster-{Y}.parquet"),
                "--card",
                r(rep / f"takstkort-{Y}.toml"),
                "--portal",
                r(rep / f"tilbudsportalen-{Y}.csv"),
            ],
        )
    )
    if f["schedules"]:
        phase = ["--phase-in", cfg.get("annual.phase_in")] if cfg.get("annual.phase_in") else []
        steps.append(
            Step(
                "the re-placement from the 24-hour schedules",
                [
                    "reassign",
                    r(f["schedules"]),
                    "--structure",
                    r(f["structure"]),
                    "--tariffs",
                    r(out / f"takster-{Y}.parquet"),
                    "--placements",
                    r(f["placements"]),
                    "--key-file",
                    r(key),
                    *phase,
                    "--by-offer",
                    r(out / f"genindplacering-pr-tilbud-{Y}.parquet"),
                    "--negotiation",
                    r(rep / f"forhandling-{Y}.xlsx"),
                    "--service-levels",
                    r(rep / f"serviceniveau-{Y}.xlsx"),
                    "-o",
                    r(out / f"genindplacering-{Y}.parquet"),
                ],
            )
        )
    pl_rate = ["--pl", str(cfg.get("annual.pl"))] if cfg.get("annual.pl") else []
    steps.append(
        Step(
            "the offer budget model with out-years",
            [
                "budget-forecast",
                "offer",
                "--year",
                str(Y),
                "--costs",
                r(f["costs"]),
                "--staff",
                r(f["staff"]),
                "--offers",
                r(f["offers"]),
                "--tariffs",
                r(out / f"takster-{Y}.parquet"),
                "--expected-haap",
                r(out / f"belaegning-{Y}.parquet"),
                "--haap",
                r(out / f"belaegning-{Y}.parquet"),
                "--ata-prices",
                r(out / f"ata-priser-{Y}.parquet"),
                *(["--placed-hours", r(out / f"genindplacering-{Y}.parquet")] if f["schedules"] else []),
                "--out-years",
                str(cfg.get("annual.out_years", 5)),
                *pl_rate,
                "--index-income",
                *(["--results", r(results)] if results.exists() or last_tariffs.exists() else []),
                "-o",
                r(out / f"budget-{Y}.parquet"),
            ],
        )
    )
    steps.append(Step("the offer workbook", ["report", "offer", r(out / f"budget-{Y}.parquet"), "--offers", r(f["offers"]), "-o", r(rep / f"tilbud-{Y}.xlsx")]))
    return Plan(f"annual {Y}", steps, base, _log_path(cfg))


def _newest_extract_date(payments: Path) -> dt.date:
    import polars as pl

    d = pl.scan_parquet(payments).select(pl.col("extract_date").max()).collect().item()
    if d is None:
        raise UsageError(f"the payments history {payments} has no extract date; give --as-of DATE")
    return d


def _log_path(cfg: Config) -> Path:
    v = cfg.get("folders.log")
    return Path(v) if v else cfg.folder / "tariffkit.log"


def command_line(step: Step) -> str:
    return "tariffkit " + shlex.join(step.args)


def sha256(p: Path) -> str:
    h = hashlib.sha256()
    with open(p, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def in_new_process(args: list[str], cfg: Config, folder: Path) -> int:
    """One step as its own ``python -m tariffkit`` process in ``folder``; its exit code."""
    return subprocess.run([sys.executable, "-m", "tariffkit", *(["--config", str(cfg.path)] if cfg.path else []), *args], cwd=folder).returncode


def execute(plan: Plan, cfg: Config, echo, run_step=in_new_process) -> int:
    """Run the plan's steps in the working folder, stop at the first that fails; one log line.

    ``run_step(args, cfg, folder) -> exit code`` runs one step: by default as a new process; the
    command line runs them in its own process (:func:`tariffkit.cli.run.in_this_process`)."""
    for d in ("outputs", "reports", "history"):
        folder(cfg, d, {"outputs": "output", "reports": "rapporter", "history": "historik"}[d]).mkdir(parents=True, exist_ok=True)
    # every input as it was before the run: the steps' own, the settings and the files they name
    # (not the key: its fingerprint is in the history's provenance)
    inputs = sorted(
        {p for s in plan.steps for p in s.inputs}
        | {Path(str(v)) for k, v in cfg.values.items() if k.startswith("files.")}
        | ({cfg.path} if cfg.path else set())
    )
    digests = {_rel(p, plan.folder): sha256(p) for p in inputs if p.is_file()}
    started = dt.datetime.now(dt.UTC).replace(microsecond=0)
    status, done, rejected = 0, 0, 0
    for i, step in enumerate(plan.steps, start=1):
        echo(f"[{i}/{len(plan.steps)}] {step.what}\n  $ {command_line(step)}")
        rc = run_step(step.args, cfg, plan.folder)
        if rc != 0:
            status = rc
            echo(f"tariffkit: run {plan.name}: step {i} ({step.args[0]}) failed with exit {rc}; the steps after it did not run, its outputs were not written")
            break
        done += 1
        if step.rejects is not None and step.rejects.is_file():
            import polars as pl

            n = pl.scan_parquet(step.rejects).select(pl.len()).collect().item()
            if n:
                rejected += n
                echo(f"tariffkit: warning: run {plan.name}: {n} rows were rejected and are not in the figures; see {_rel(step.rejects, plan.folder)}")
    line = f"{started.isoformat()} run {plan.name} exit={status} steps={done}/{len(plan.steps)} rejected={rejected} " + " ".join(
        f"{k}={v}" for k, v in sorted(digests.items())
    )
    plan.log.parent.mkdir(parents=True, exist_ok=True)
    with open(plan.log, "a", encoding="utf-8") as fh:
        fh.write(line + "\n")
    return status
