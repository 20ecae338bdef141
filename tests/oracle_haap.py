"""A slow, obviously correct HÅP: plain Python over the lines, exact fractions, one rule a
step. tests/test_haap_rules.py compares it with tariffkit.haap.compute on generated data."""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from fractions import Fraction


def months_of(f: dt.date, t: dt.date):
    y, m = f.year, f.month
    while (y, m) <= (t.year, t.month):
        yield y, m
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)


def spread(line):
    """(year, month) → øre, each month but the last trunc(øre × days / total), the last the rest;
    and (year, month) → the line's days in that month (a set of dates)."""
    f, t, ore = line["service_from"], line["service_to"], line["ore"]
    total = (t - f).days + 1
    parts, days = {}, {}
    ms = list(months_of(f, t))
    used = 0
    for i, (y, m) in enumerate(ms):
        a = max(f, dt.date(y, m, 1))
        b = min(t, dt.date(y, m, calendar.monthrange(y, m)[1]))
        n = (b - a).days + 1
        days[(y, m)] = {a + dt.timedelta(d) for d in range(n)}
        if i < len(ms) - 1:
            share = abs(ore) * n // total * (1 if ore >= 0 else -1)
            parts[(y, m)] = share
            used += share
        else:
            parts[(y, m)] = ore - used
    return parts, days


def haap(lines, by, year, *, method="months", gap=1, monthly=False):
    """lines: dicts with citizen_id, the ``by`` columns, service_from, service_to, ore, kind
    (the lines in force). Returns {(group, period): dict(haap, citizens, expense, inflow, outflow)}
    with HÅP as a Fraction."""
    net_g = defaultdict(int)  # (group, citizen, ym) → øre
    net_c = defaultdict(int)  # (citizen, ym) → øre
    expense = defaultdict(int)  # (group, ym) → øre
    pos = defaultdict(list)  # (group, citizen, ym) → [(from, days)]
    for ln in lines:
        g = tuple(ln[c] for c in by)
        parts, days = spread(ln)
        if ln["kind"] == "refund":  # kept apart: in no net, no expense; the group still has a row
            for ym in parts:
                expense[(g, ym)] += 0
            continue
        for ym, ore in parts.items():
            net_g[(g, ln["citizen_id"], ym)] += ore
            net_c[(ln["citizen_id"], ym)] += ore
            expense[(g, ym)] += ore  # (a key even when 0: the group has a line in the month)
            if ln["ore"] > 0:
                pos[(g, ln["citizen_id"], ym)].append(((ln["service_from"], ln["service_to"], ore), days[ym]))  # ore: the month's part
    share = {}  # (group, citizen, ym) → Fraction of a month (months) or days weighted (days)
    by_cm = defaultdict(list)
    for (g, c, ym), items in pos.items():
        if net_g[(g, c, ym)] > 0 and net_c[(c, ym)] > 0:
            by_cm[(c, ym)].append((g, items))
    for (c, ym), groups in by_cm.items():
        owner = {}  # day → ((start, end, øre that month), group): the latest start wins, then …
        for g, items in groups:
            for f, ds in items:
                for d in ds:
                    if d not in owner or (f, g) > owner[d]:
                        owner[d] = (f, g)
        count = defaultdict(int)
        for _start, g in owner.values():
            count[g] += 1
        covered = sum(count.values())
        for g, n in count.items():
            if method == "months":
                share[(g, c, ym)] = Fraction(n, covered)
            else:
                share[(g, c, ym)] = Fraction(n, 366 if calendar.isleap(ym[0]) else 365)
    out = {}
    yms = [(year, m) for m in range(1, 13)]
    groups = {g for (g, _, _) in share} | {g for (g, _) in expense}

    def mi(ym):
        return ym[0] * 12 + ym[1] - 1

    for g in groups:
        present = defaultdict(set)  # citizen → month numbers present
        for (gg, c, ym), v in share.items():
            if gg == g and v > 0:
                present[c].add(mi(ym))
        for period in yms if monthly else [None]:
            months = [period] if period else yms
            nums = {mi(ym) for ym in months}
            h = sum((v for (gg, c, ym), v in share.items() if gg == g and ym in months), Fraction(0))
            if method == "months":
                h = h / 12
            cit = {c for (gg, c, ym), v in share.items() if gg == g and ym in months and v > 0}
            e = sum(expense.get((g, ym), 0) for ym in months)
            touched = any((g, ym) in expense for ym in months)
            inflow = outflow = 0
            for ms in present.values():
                for m in ms:
                    if m in nums and not any(m - j in ms for j in range(1, gap + 2)):
                        inflow += 1
                    if m + 1 in nums and not any(m + j in ms for j in range(1, gap + 2)):
                        outflow += 1
            key = (g, f"{period[0]}-{period[1]:02d}" if period else str(year))
            if touched or inflow or outflow:
                out[key] = {"haap": h, "citizens": len(cit), "expense": e, "inflow": inflow, "outflow": outflow}
    return out
