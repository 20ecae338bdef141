"""The mutation score of the domain core: reads what `mutmut run` left in mutants/ and writes
bench/MUTATION.md (run by `make mutation`).

Each mutant is one deliberate mistake in a function of the core (pyproject.toml's
[tool.mutmut] only_mutate): a comparison turned, a number changed, an argument dropped, a
rounding mode removed. It is *killed* when a test fails (or the tests time out) with it in place.

Some mutants are *equivalent*: the program means the same with them (``quantize(Decimal(2))``
for ``quantize(Decimal(1))``: only the exponent is read). No test can kill those, so they are
listed, each with its reason, in bench/mutation-equivalent.toml and left out of the score. An
entry names the mutant and the text of its changed line; when the code moves and the mutant of
that name is no longer that change, the entry is reported stale and does not count.

    score = killed / (mutants − equivalent)      # "no tests" and "survived" count against it

A run narrowed with MUTATE (``--only``) and ``--merge`` keeps the modules it did not run from
the report it replaces, each with the commit of the run that measured it (the ``run`` column),
so the score adds up every module measured so far.

The whole core is about 16,000 mutants, a day on two cores. ``--sample N --seed S`` prints a
random sample of N mutant names (the same for the same seed and mutants); ``mutmut run`` of
those names and ``--names FILE`` report the sample's score with its 95 % interval (Wilson): an
estimate for the whole core (`make mutation-sample`, bench/MUTATION-SAMPLE.md).

Usage: python bench/mutation.py [--write bench/MUTATION.md] [--minutes M] [--only PATTERNS] [--merge]
       python bench/mutation.py --sample N [--seed S]
       python bench/mutation.py --names FILE --write bench/MUTATION-SAMPLE.md
"""

from __future__ import annotations

import argparse
import ast
import difflib
import fnmatch
import subprocess
import sys
import tomllib
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MUTANTS = ROOT / "mutants"
EQUIVALENT = ROOT / "bench" / "mutation-equivalent.toml"
KILLED = {"killed", "timeout"}


def statuses() -> dict[str, str]:
    """Mutant name → status, from `mutmut results --all true`."""
    out = subprocess.run(
        [str(Path(sys.executable).with_name("mutmut")), "results", "--all", "true"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    got = {}
    for line in out.splitlines():
        name, sep, status = line.strip().rpartition(": ")
        if sep and "__mutmut_" in name:
            got[name] = status.strip()
    return got


def changes() -> dict[str, tuple[str, str]]:
    """Mutant name → (the original line, the mutated line), from the mutated sources."""
    found: dict[str, tuple[str, str]] = {}
    for path in sorted((MUTANTS / "tariffkit").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if "__mutmut_orig" not in text:
            continue
        module = ".".join(path.relative_to(MUTANTS).with_suffix("").parts)
        module = module.removesuffix(".__init__")
        lines = text.splitlines()
        funcs: dict[str, list[str]] = {}
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and "__mutmut_" in node.name:
                funcs[node.name] = lines[node.body[0].lineno - 1 : node.end_lineno]
        for name, src in funcs.items():
            base, _, n = name.rpartition("__mutmut_")
            if n == "orig":
                continue
            diff = list(difflib.unified_diff(funcs.get(base + "__mutmut_orig", []), src, lineterm="", n=0))[2:]
            minus = [ln[1:].strip() for ln in diff if ln.startswith("-")]
            plus = [ln[1:].strip() for ln in diff if ln.startswith("+")]
            found[f"{module}.{name}"] = (" / ".join(minus), " / ".join(plus))
    return found


def module_of(name: str) -> str:
    return name.rsplit(".", 1)[0]


COUNTS = ("mutants", "killed", "survived", "no tests", "not checked", "equivalent")


def earlier(path: Path) -> dict[str, dict]:
    """The modules of an earlier report: {module: {"run", "counts", "survivors", "equivalent"}}
    (the bullet lines as written)."""
    import re

    if not path.exists():
        return {}
    text = path.read_text(encoding="utf-8")
    m = re.search(r"Commit `([0-9a-f]+)`", text)
    default_run = m.group(1) if m else "?"
    mods: dict[str, dict] = {}
    section = ""
    for line in text.splitlines():
        if line.startswith("## "):
            section = line
        cells = [c.strip() for c in line.strip().strip("|").split("|")] if line.startswith("| `") else []
        if cells:
            name = cells[0].strip("`")
            run, nums = (cells[1].strip("`"), cells[2:8]) if len(cells) == 9 else (default_run, cells[1:7])
            mods[name] = {"run": run, "counts": Counter(dict(zip(COUNTS, map(int, nums)))), "survivors": [], "equivalent": []}
        elif line.startswith("- `") and section.startswith(("## Not killed", "## Equivalent")):
            mod = module_of(line[3:].split("`", 1)[0])
            if mod in mods:
                mods[mod]["survivors" if section.startswith("## Not killed") else "equivalent"].append(line)
    return mods


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--write", type=Path, help="write the Markdown report here (else stdout)")
    ap.add_argument("--minutes", type=float, help="how long `mutmut run` took, for the report")
    ap.add_argument("--only", default="", help="the MUTATE patterns the run was narrowed to (fnmatch, blank-separated)")
    ap.add_argument("--fail-under", type=float, default=None, help="exit 1 when the score is below this percentage")
    ap.add_argument("--merge", action="store_true", help="keep the modules this run did not cover from the report at --write")
    ap.add_argument("--sample", type=int, help="print a random sample of this many mutant names and stop")
    ap.add_argument("--seed", type=int, default=2026, help="the sample's seed")
    ap.add_argument("--names", type=Path, help="report only the mutants named in this file (a sample)")
    args = ap.parse_args()
    if not MUTANTS.is_dir():
        print("mutation: no mutants/ folder; run `make mutation` (it runs `mutmut run` first)", file=sys.stderr)
        return 2
    status = statuses()
    if args.sample:
        import random

        names = sorted(status)
        for n in sorted(random.Random(args.seed).sample(names, min(args.sample, len(names)))):
            print(n)
        return 0
    sampled = None
    if args.names:
        sampled = args.names.read_text(encoding="utf-8").split()
        population = len(status)
        status = {n: status[n] for n in sampled if n in status}
    only = args.only.split()
    if only:
        status = {n: s for n, s in status.items() if any(fnmatch.fnmatch(n, p) for p in only)}
    change = changes()
    entries = tomllib.loads(EQUIVALENT.read_text(encoding="utf-8")).get("mutant", []) if EQUIVALENT.exists() else []
    equivalent: dict[str, str] = {}
    stale: list[dict] = []
    for e in entries:
        if e["name"] not in status and (only or sampled is not None) and e["name"] in change:
            continue  # a mutant this run did not select (narrowed or sampled): neither counted nor stale
        got = change.get(e["name"])
        if got is not None and e["change"] in got[1] and status.get(e["name"]) not in KILLED:
            equivalent[e["name"]] = e["why"]
        else:
            stale.append(e)
    per: dict[str, Counter] = defaultdict(Counter)
    for name, s in status.items():
        c = per[module_of(name)]
        c["mutants"] += 1
        if name in equivalent:
            c["equivalent"] += 1
        elif s in KILLED:
            c["killed"] += 1
        elif s == "no tests":
            c["no tests"] += 1
        elif s == "not checked":
            c["not checked"] += 1
        else:
            c["survived"] += 1
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    kept = {m: e for m, e in earlier(args.write).items() if m not in per} if args.merge and args.write else {}
    runs = {m: commit for m in per} | {m: e["run"] for m, e in kept.items()}
    for m, e in kept.items():
        per[m] = e["counts"]
    total = sum(per.values(), Counter())

    def score(c: Counter) -> str:
        n = c["mutants"] - c["equivalent"]
        return f"{100 * c['killed'] / n:.1f} %" if n else "–"

    out = [
        "# Mutation score of the domain core",
        "",
        "<!-- Written by `make mutation` (bench/mutation.py); the method is in that file's docstring. -->",
        "",
        f"Commit `{commit}`; mutmut {mutmut_version()}; the modules are pyproject.toml's `[tool.mutmut] only_mutate`"
        + (f"; `mutmut run` took {args.minutes:.0f} minutes on this machine." if args.minutes is not None else ".")
        + (f" **This run covered only** `{' '.join(only)}`" if only else "")
        + (f"; the modules of earlier runs are kept with their commit (the run column): {len(kept)} of {len(per)} modules." if kept else ("." if only else ""))
        + (" Modules of the core not in the table were not run." if only else ""),
        "",
        f"**Score: {score(total)}** of the non-equivalent mutants killed "
        f"({total['killed']} of {total['mutants'] - total['equivalent']}; {total['equivalent']} equivalent mutants left out, each listed below with its reason).",
        "",
        *(
            [
                f"**A random sample** of {len(status)} of the core's {population} mutants (seed {args.seed}; `make mutation-sample`): an estimate of "
                f"the whole core's score, {wilson(total['killed'], total['mutants'] - total['equivalent'])} with 95 % confidence.",
                "",
            ]
            if sampled is not None
            else []
        ),
        "| module | run | mutants | killed | survived | no tests | not checked | equivalent | score |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for m in sorted(per):
        c = per[m]
        out.append(
            f"| `{m}` | `{runs[m]}` | {c['mutants']} | {c['killed']} | {c['survived']} | {c['no tests']} | {c['not checked']} | {c['equivalent']} | {score(c)} |"
        )
    c = total
    out.append(f"| **all** | | {c['mutants']} | {c['killed']} | {c['survived']} | {c['no tests']} | {c['not checked']} | {c['equivalent']} | **{score(c)}** |")
    survivors = sorted(n for n, s in status.items() if s not in KILLED and n not in equivalent)
    lines = [(n, f"- `{n}` ({status[n]}): `{change.get(n, ('?', '?'))[0]}` → `{change.get(n, ('?', '?'))[1]}`") for n in survivors]
    lines += [(ln[3:].split("`", 1)[0], ln) for e in kept.values() for ln in e["survivors"]]
    out += ["", f"## Not killed ({len(lines)})", "", "Each a change no test notices: a test to write, or an equivalent mutant to list with its reason.", ""]
    out += [ln for _, ln in sorted(lines)]
    eq = [(n, f"- `{n}`: `{change[n][1]}`: {equivalent[n]}") for n in equivalent]
    eq += [(ln[3:].split("`", 1)[0], ln) for e in kept.values() for ln in e["equivalent"]]
    out += ["", f"## Equivalent ({len(eq)})", ""]
    out += [ln for _, ln in sorted(eq)]
    if stale:
        out += [
            "",
            f"## Stale entries in bench/mutation-equivalent.toml ({len(stale)})",
            "",
            "The mutant of that name is no longer that change (or is killed now); not counted.",
            "",
        ]
        out += [f"- `{e['name']}`: `{e['change']}`" for e in stale]
    text = "\n".join(out) + "\n"
    if args.write:
        args.write.write_text(text, encoding="utf-8")
        print(f"mutation: {score(total)} ({total['killed']} killed of {total['mutants'] - total['equivalent']}); {args.write}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    n = total["mutants"] - total["equivalent"]
    if args.fail_under is not None and n and 100 * total["killed"] / n < args.fail_under:
        return 1
    return 0


def wilson(k: int, n: int) -> str:
    """The 95 % Wilson score interval of k successes in n, as "a–b %"."""
    import math

    if not n:
        return "–"
    z, p = 1.96, k / n
    mid, half = (p + z * z / (2 * n)) / (1 + z * z / n), z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return f"{100 * (mid - half):.1f}–{100 * (mid + half):.1f} %"


def mutmut_version() -> str:
    from importlib.metadata import version

    return version("mutmut")


if __name__ == "__main__":
    sys.exit(main())
