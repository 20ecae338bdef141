"""The synthetic municipality "Eksempel Kommune" (``tariffkit sample``).

Writes, deterministically for a given seed, everything the pipeline reads:

* ``dss-udtraek.csv``: the DSS-style payment extract as a municipality exports it (Danish CSV,
  ``;``, decimal comma, thousands dot, UTF-8 with BOM): monthly actual lines from
  ``first_month`` to ``as_of`` and open commitments (*dispositioner*) after it;
* ``doegnskemaer.csv``: a 24-hour schedule for every citizen on an internal offer at ``as_of``
  (own citizens and citizens placed by other municipalities);
* ``placeringer.csv``: the current placements on internal offers (own and other municipalities);
* ``offers.csv``, ``staff.csv``, ``costs.csv``: offers, staff and cost lines per internal offer;
* ``levels.toml`` (the tariff structure) and ``ata-assumptions.toml``;
* ``FINDINGS.md``: the planted findings the later commands should find.

CPR-shaped identifiers use the replacement-number form (day of month + 60), so none can belong
to a real person. Names are obviously fictional. Generation is vectorised (numpy for random
draws, polars for the expansion into lines).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np
import polars as pl

BOM = b"\xef\xbb\xbf"

LEVEL_BANDS = [(1, 0.0, 9.0), (2, 9.0, 15.0), (3, 15.0, 22.0), (4, 22.0, 30.0), (5, 30.0, 40.0)]
LEVEL_DAILY_BASE = np.array([1250, 1600, 2000, 2500, 3100])  # kr per day, internal, before offer factor
LEVEL_SHARE = np.array([0.12, 0.22, 0.28, 0.22, 0.16])

INTERNAL_KINDS = [  # (paragraph on the offer, paragraph on the payment line, function)
    ("SEL 108", "SEL § 108", "5.38.50"),
    ("SEL 108", "SEL § 108", "5.38.50"),
    ("SEL 107", "SEL § 107", "5.38.52"),
    ("ABL 105", "SEL § 85", "5.38.51"),
    ("ABL 105", "SEL § 85", "5.38.51"),
]
INTERNAL_NAMES = ["Bostedet Egebo", "Botilbuddet Lærkehøj", "Kastanjehuset", "Bofællesskabet Åen", "Bofællesskabet Skovly"]
EXTERNAL_OFFERS = [
    ("Vestbo (regionalt tilbud)", "SEL 108", "SEL § 108", "5.38.50"),
    ("Havbrisen (privat tilbud)", "SEL 107", "SEL § 107", "5.38.52"),
    ("Nabokommunens Bofællesskab", "ABL 105", "SEL § 85", "5.38.51"),
]
FIRST_NAMES = [
    "Anna",
    "Bo",
    "Clara",
    "Dennis",
    "Eva",
    "Frederik",
    "Gitte",
    "Henrik",
    "Ida",
    "Jonas",
    "Karen",
    "Lars",
    "Maja",
    "Niels",
    "Olivia",
    "Peter",
    "Rikke",
    "Søren",
    "Tove",
    "Ulrik",
    "Vibeke",
    "William",
    "Yrsa",
    "Åse",
]
SURNAMES = ["Eksempelsen", "Prøvesen", "Fiktivsen", "Testesen", "Modelsen", "Demosen", "Opdigtsen", "Skabelonsen"]
CASEWORKER_FIRST = ["Mette", "Rasmus", "Louise", "Kasper", "Camilla", "Thomas", "Sofie", "Jesper", "Line", "Morten", "Nanna", "Anders"]

# Schedule activity catalogue: description, paragraph, minutes, frequency, staffing, start time
ACTIVITIES = [
    ("Morgenrutiner, personlig hygiejne", "§ 85", 45, "Alle ugens 7 dage", "1:1", "07:30"),
    ("Støtte til morgenmad og medicin", "§ 85", 20, "Alle ugens 7 dage", "1:1", "08:15"),
    ("Planlægning af dagen", "§ 85", 15, "Hverdage", "1:1", "08:45"),
    ("Ledsagelse til aktivitet", "§ 85", 60, "2 gange om ugen", "1:1", "10:00"),
    ("Fællesaktivitet i huset", "§ 85", 90, "Hverdage", "1:4", "13:00"),
    ("Støtte til indkøb", "§ 85", 45, "1 gang om ugen", "1:1", "14:30"),
    ("Samtale om trivsel", "§ 85", 30, "2 gange om ugen", "1:1", "15:30"),
    ("Madlavning med støtte", "§ 85", 60, "Alle ugens 7 dage", "1:3", "17:00"),
    ("Aftenrutiner", "§ 85", 30, "Alle ugens 7 dage", "1:1", "21:00"),
    ("Økonomi og post", "§ 85", 30, "1 gang om ugen", "1:1", "11:00"),
    ("Weekendaktivitet", "§ 85", 120, "Weekend", "1:3", "11:00"),
    ("Støtte ved lægebesøg", "§ 85", 90, "Månedligt", "1:1", "09:30"),
    ("Kriseforebyggende samtale", "§ 85", 30, "3 gange om ugen", "1:1", "19:00"),
    ("Personlig pleje med to medarbejdere", "§ 85", 20, "Alle ugens 7 dage", "2:1", "07:00"),
]
NON_ATA_ACTIVITIES = [
    ("Praktisk hjælp, rengøring", "§ 83", 30, "1 gang om ugen", "1:1", "10:30"),
    ("Sygepleje, medicindosering", "SUL § 138", 15, "1 gang om ugen", "1:1", "12:00"),
]
FREQ_PER_WEEK = {
    "Alle ugens 7 dage": 7.0,
    "Hverdage": 5.0,
    "Weekend": 2.0,
    "3 gange om ugen": 3.0,
    "2 gange om ugen": 2.0,
    "1 gang om ugen": 1.0,
    "Månedligt": 12.0 / 52.0,
}


@dataclass(frozen=True)
class SampleConfig:
    citizens: int = 300
    seed: int = 2026
    first_month: dt.date = dt.date(2023, 10, 1)
    # The DSS extracts to write, one file each (dss-udtraek-YYYY-MM.csv): the books as they
    # stood on each date. Placements, schedules, staff and costs are as of the newest one.
    extract_dates: tuple[dt.date, ...] = (dt.date(2026, 9, 30), dt.date(2026, 10, 31))
    world_end: dt.date = dt.date(2027, 12, 31)  # the simulated world runs to here
    commitment_years: int = 1  # an open case without a planned end is committed to 31 December this many years ahead
    budget_year: int = 2026

    @property
    def as_of(self) -> dt.date:
        return max(self.extract_dates)


def _write_bytes(payload: bytes, fh) -> None:
    fh.write(payload)


def extract_file_name(d: dt.date, dates: tuple[dt.date, ...]) -> str:
    """``dss-udtraek-2026-09.csv``; the whole date when two extracts fall in one month."""
    same_month = sum(1 for x in dates if (x.year, x.month) == (d.year, d.month)) > 1
    return f"dss-udtraek-{d.isoformat() if same_month else d.strftime('%Y-%m')}.csv"


def _months_between(a: dt.date, b: dt.date) -> int:
    return (b.year - a.year) * 12 + b.month - a.month


def _add_days(d: dt.date, n) -> np.ndarray:
    return np.datetime64(d, "D") + np.asarray(n).astype("timedelta64[D]")


def _uniform(*keys: np.ndarray, salt: int) -> np.ndarray:
    """Uniform numbers in [0, 1) from integer keys (splitmix64), the same for the same keys
    whatever else the extract holds: a month's correction does not move when lines are added."""
    with np.errstate(over="ignore"):
        x = np.full(len(keys[0]), salt, dtype=np.uint64)
        for k in keys:
            x = (x ^ np.asarray(k, dtype=np.int64).astype(np.uint64)) * np.uint64(0x9E3779B97F4A7C15)
            x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
            x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
            x = x ^ (x >> np.uint64(31))
    return (x >> np.uint64(11)).astype(np.float64) / float(1 << 53)


def _month_end_after(d: dt.date, months: int) -> dt.date:
    m = d.year * 12 + d.month - 1 + months + 1
    return dt.date(m // 12, m % 12 + 1, 1) - dt.timedelta(days=1)


def danish_amount(ore: pl.Expr) -> pl.Expr:
    """Integer øre → ``-1.234.567,89`` (vectorised; up to 999 bn kr)."""
    a = ore.abs()
    kr = a // 100
    dec = (a % 100).cast(pl.String).str.zfill(2)
    g = [(kr // 10**9) % 1000, (kr // 10**6) % 1000, (kr // 1000) % 1000, kr % 1000]
    s = [x.cast(pl.String) for x in g]
    z = [x.cast(pl.String).str.zfill(3) for x in g]
    body = (
        pl.when(kr >= 10**9)
        .then(s[0] + "." + z[1] + "." + z[2] + "." + z[3])
        .when(kr >= 10**6)
        .then(s[1] + "." + z[2] + "." + z[3])
        .when(kr >= 1000)
        .then(s[2] + "." + z[3])
        .otherwise(s[3])
    )
    return pl.when(ore < 0).then(pl.lit("-")).otherwise(pl.lit("")) + body + "," + dec


def _danish_number(x: pl.Expr, decimals: int) -> pl.Expr:
    return x.round(decimals).cast(pl.String).str.replace(".", ",", literal=True)


def _cpr_numbers(rng: np.random.Generator, n: int) -> np.ndarray:
    """Unique replacement-form CPR numbers (DD+60), formatted DDMMYY-XXXX."""
    birth = np.datetime64("1950-01-01") + rng.integers(0, 365 * 55, n).astype("timedelta64[D]")
    years = birth.astype("datetime64[Y]").astype(int) + 1970
    months = birth.astype("datetime64[M]").astype(int) % 12 + 1
    days = (birth - birth.astype("datetime64[M]")).astype(int) + 1
    serial = rng.permutation(10000 * max(1, -(-n // 10000)))[:n] % 10000
    dd, mm, yy = days + 60, months, years % 100
    s = (
        pl.DataFrame({"dd": dd, "mm": mm, "yy": yy, "ss": serial})
        .select(
            pl.format(
                "{}{}{}-{}",
                pl.col("dd").cast(pl.String).str.zfill(2),
                pl.col("mm").cast(pl.String).str.zfill(2),
                pl.col("yy").cast(pl.String).str.zfill(2),
                pl.col("ss").cast(pl.String).str.zfill(4),
            )
        )
        .to_series()
    )
    # guarantee uniqueness (collisions are possible for very large n): bump the serial
    out = s.to_numpy().astype(object)
    seen: set[str] = set()
    for i, v in enumerate(out):
        while v in seen:
            v = v[:7] + f"{(int(v[7:]) + 1) % 10000:04d}"
        seen.add(v)
        out[i] = v
    return out.astype(str)


def _world(cfg: SampleConfig):
    """The simulated municipality: offers, own citizens' cases as level segments (true start,
    true end, whether the end is planned), independent of the extract dates."""
    rng = np.random.default_rng(cfg.seed)
    n = cfg.citizens
    n_int = max(5, round(n / 60))
    n_ext = max(3, round(n / 100))
    n_cw = max(12, round(n / 25))

    kinds = [INTERNAL_KINDS[i % 5] for i in range(n_int)]
    int_names = [INTERNAL_NAMES[i % 5] + ("" if i < 5 else f" {i // 5 + 1}") for i in range(n_int)]
    ext = [EXTERNAL_OFFERS[i % 3] for i in range(n_ext)]
    ext_names = [ext[i][0] + ("" if i < 3 else f" {i // 3 + 1}") for i in range(n_ext)]
    offers = pl.DataFrame(
        {
            "offer_id": [f"T{101 + i}" for i in range(n_int)] + [f"E{201 + i}" for i in range(n_ext)],
            "offer_name": int_names + ext_names,
            "provider": ["internal"] * n_int + ["external"] * n_ext,
            "paragraph": [k[0] for k in kinds] + [e[1] for e in ext],
            "dss_paragraph": [k[1] for k in kinds] + [e[2] for e in ext],
            "function": [k[2] for k in kinds] + [e[3] for e in ext],
            "factor": np.round(np.concatenate([rng.uniform(0.92, 1.08, n_int), rng.uniform(1.05, 1.2, n_ext)]), 3),
        }
    )
    daily = np.round(LEVEL_DAILY_BASE[None, :] * offers["factor"].to_numpy()[:, None]).astype(np.int64)  # [offer, level-1]

    cpr = _cpr_numbers(rng, n)
    window_months = _months_between(cfg.first_month, cfg.world_end) + 1
    existing = rng.random(n) < 0.45
    start_month = np.where(existing, 0, rng.integers(1, window_months, n))
    start_day = np.where(existing, 0, rng.integers(0, 28, n))
    start = np.array([np.datetime64(cfg.first_month, "M") + int(m) for m in range(window_months)])[start_month].astype("datetime64[D]") + start_day.astype(
        "timedelta64[D]"
    )
    duration_days = (rng.exponential(40, n) * 30.4).astype(int) + 60
    end = start + duration_days.astype("timedelta64[D]")
    planned = rng.random(n) < 0.25  # the end is known ahead (a planned move): commitments run to it
    internal = rng.random(n) < 0.72
    int_weights = np.array([1.3, 1.1, 0.8, 1.0, 0.9] * (n_int // 5 + 1))[:n_int]
    offer_idx = np.where(internal, rng.choice(n_int, n, p=int_weights / int_weights.sum()), n_int + rng.integers(0, n_ext, n))
    level = rng.choice(5, n, p=LEVEL_SHARE) + 1
    caseworker_idx = rng.integers(0, n_cw, n)
    first = rng.integers(0, len(FIRST_NAMES), n)
    last = rng.integers(0, len(SURNAMES), n)

    # level changes: 25 % change by ±1 at a random day; 1 % of the cases (at least 2), on internal
    # offers, open over the summer and without another change, jump +2 on 1 July of the budget
    # year (planted)
    change = rng.random(n) < 0.25
    span = (end - start).astype(int)
    change_at = start + (rng.uniform(0.3, 0.7, n) * span).astype(int).astype("timedelta64[D]")
    delta = np.where(rng.random(n) < 0.5, -1, 1)
    jump_day = np.datetime64(dt.date(cfg.budget_year, 7, 1))
    can_jump = np.flatnonzero(internal & (start < jump_day - 120) & (end > jump_day + 120) & (level <= 3) & ~change)
    n_jump = min(len(can_jump), max(2, round(n * 0.01)))
    jump = np.zeros(n, dtype=bool)
    jump[np.random.default_rng(cfg.seed + 9).choice(can_jump, n_jump, replace=False) if n_jump else []] = True
    new_level = np.where(jump, level + 2, np.clip(level + delta, 1, 5))
    change_at = np.where(jump, jump_day, change_at)
    has_change = (change | jump) & (new_level != level) & (change_at > start) & (change_at < end)

    cit = pl.DataFrame(
        {
            "i": np.arange(n),
            "cpr": cpr,
            "name": [f"{FIRST_NAMES[a]} {SURNAMES[b]}" for a, b in zip(first, last)],
            "case_id": [f"SAG-{100000 + i}" for i in range(n)],
            "caseworker": [f"{CASEWORKER_FIRST[k % 12]} {SURNAMES[k % 8]}" + ("" if k < 12 else f" {k // 12 + 1}") for k in caseworker_idx],
            "offer": offer_idx,
            "start": start.astype("datetime64[D]"),
            "end": end.astype("datetime64[D]"),
            "planned": planned,
            "level": level,
            "new_level": new_level,
            "change_at": change_at.astype("datetime64[D]"),
            "has_change": has_change,
            "jump": jump & has_change,
        }
    )
    seg1 = cit.select(
        "i",
        "offer",
        "level",
        pl.col("start").alias("seg_from"),
        pl.when("has_change").then(pl.col("change_at") - pl.duration(days=1)).otherwise("end").alias("seg_to"),
    )
    seg2 = cit.filter("has_change").select(
        "i", "offer", pl.col("new_level").alias("level"), pl.col("change_at").alias("seg_from"), pl.col("end").alias("seg_to")
    )
    segs = (
        pl.concat([seg1, seg2])
        .sort("i", "seg_from")
        .with_columns(daily=pl.lit(pl.Series(daily.reshape(-1))).gather(pl.col("offer") * 5 + pl.col("level") - 1).cast(pl.Int64))
    )
    return offers, cit, segs, n_int


def extract_lines(cfg: SampleConfig, cit: pl.DataFrame, segs: pl.DataFrame, offers: pl.DataFrame, extract_date: dt.date) -> pl.DataFrame:
    """The DSS extract as it looked on ``extract_date``: monthly actual lines of every segment
    up to that day (with the corrections made in each month), and one commitment per case open
    on that day: from the next day, at the case's level then, to its planned end, or else to
    31 December ``commitment_years`` years ahead. A later extract therefore holds the same actual lines
    plus the new ones, and its commitments differ where a case ended, moved level or went on."""
    e = pl.lit(extract_date)
    horizon = pl.lit(dt.date(extract_date.year + cfg.commitment_years, 12, 31))
    act = (
        segs.filter(pl.col("seg_from") <= e)
        .with_columns(month=pl.date_ranges(pl.col("seg_from").dt.month_start(), pl.min_horizontal("seg_to", e).dt.month_start(), "1mo"))
        .explode("month")
        .with_columns(
            service_from=pl.max_horizontal("month", "seg_from"),
            service_to=pl.min_horizontal(pl.col("month").dt.month_end(), "seg_to", e),
            kind=pl.lit("Forbrug"),
        )
    )
    open_now = segs.join(cit.select("i", "planned", "end"), on="i").filter((pl.col("seg_from") <= e) & (pl.col("seg_to") > e))
    com = open_now.with_columns(
        service_from=e + pl.duration(days=1),
        service_to=pl.min_horizontal(pl.when("planned").then(pl.col("end")).otherwise(horizon), horizon),
        kind=pl.lit("Disposition"),
    )
    cols = ["i", "offer", "level", "daily", "service_from", "service_to", "kind"]
    lines = pl.concat([act.select(cols), com.select(cols)]).with_columns(
        ore=((pl.col("service_to") - pl.col("service_from")).dt.total_days() + 1) * pl.col("daily") * 100
    )
    # corrections: cancel ~2 % of actual months fully, ~1 % partly (30 %), drawn per citizen and month
    actual = pl.col("kind") == "Forbrug"
    month_no = lines.select(pl.col("service_from").dt.year().cast(pl.Int64) * 12 + pl.col("service_from").dt.month().cast(pl.Int64)).to_series().to_numpy()
    u = _uniform(lines["i"].to_numpy(), month_no, lines["level"].to_numpy(), salt=cfg.seed + 1)
    jumpers = cit.filter("jump")["i"].implode()
    lines = lines.with_columns(_u=pl.when(pl.col("i").is_in(jumpers)).then(0.5).otherwise(pl.Series(u)))  # the planted jumps stay clear
    full = lines.filter(actual & (pl.col("_u") < 0.02)).with_columns(ore=-pl.col("ore"))
    part = lines.filter(actual & (pl.col("_u") > 0.99)).with_columns(ore=-(pl.col("ore") * 3 // 10))
    lines = pl.concat([lines, full, part]).drop("_u").sort("i", "service_from", "kind", "ore", descending=[False, False, False, True], maintain_order=True)
    off_cols = offers.select(pl.int_range(pl.len()).alias("offer"), "offer_id", "offer_name", "provider", "dss_paragraph", "function")
    return (
        lines.join(cit.select("i", "cpr", "name", "case_id", "caseworker"), on="i")
        .join(off_cols, on="offer")
        .select(
            pl.col("cpr").alias("CPR-nr."),
            pl.col("name").alias("Navn"),
            pl.col("case_id").alias("Sagsnr."),
            pl.col("caseworker").alias("Sagsbehandler"),
            pl.col("offer_id").alias("Tilbudsnr."),
            pl.col("offer_name").alias("Tilbud"),
            pl.when(pl.col("provider") == "internal").then(pl.lit("Intern")).otherwise(pl.lit("Ekstern")).alias("Leverandørtype"),
            pl.col("dss_paragraph").alias("Paragraf"),
            pl.col("function").alias("Funktion"),
            pl.col("level").cast(pl.String).alias("Funktionsniveau"),
            pl.col("service_from").dt.strftime("%d-%m-%Y").alias("Periode fra"),
            pl.col("service_to").dt.strftime("%d-%m-%Y").alias("Periode til"),
            danish_amount(pl.col("ore")).alias("Beløb"),
            pl.col("kind").alias("Type"),
        )
    )


def generate(cfg: SampleConfig = SampleConfig()) -> dict[str, object]:
    """Build every sample table in memory. Returns name → DataFrame or text."""
    if not cfg.extract_dates:
        raise ValueError("at least one extract date")
    for d in cfg.extract_dates:
        if not cfg.first_month <= d <= cfg.world_end:
            raise ValueError(f"extract date {d} outside the simulated period {cfg.first_month}–{cfg.world_end}")
    offers, cit, segs, n_int = _world(cfg)
    extracts = {extract_file_name(d, cfg.extract_dates): extract_lines(cfg, cit, segs, offers, d) for d in sorted(cfg.extract_dates)}

    # --- placements: stays on internal offers (own + other municipalities' citizens) ---
    e = cfg.as_of
    n = cfg.citizens
    since = dt.date(cfg.budget_year - 1, 1, 1)
    own_stays = (
        segs.filter((pl.col("offer") < n_int) & (pl.col("seg_from") <= pl.lit(e)) & (pl.col("seg_to") >= pl.lit(since)))
        .join(cit.select("i", "cpr"), on="i")
        .select(
            "i",
            "cpr",
            "offer",
            "level",
            valid_from="seg_from",
            valid_to=pl.when(pl.col("seg_to") <= pl.lit(e)).then(pl.col("seg_to")),
            origin=pl.lit("own"),
            municipality=pl.lit("Eksempel Kommune"),
            acting=pl.lit("Eksempel Kommune"),
        )
    )
    n_own_now = own_stays.filter(pl.col("valid_to").is_null()).height
    n_other = max(3, round(n_own_now * 0.15))
    other_cpr = np.array(list(_cpr_numbers(np.random.default_rng(cfg.seed + 2), n + n_other)[n:]))
    orng = np.random.default_rng(cfg.seed + 3)
    munis = [["Nabo Kommune", "Fjordby Kommune", "Hedeby Kommune"][k % 3] for k in orng.integers(0, 3, n_other)]
    # other municipalities' citizens: most have lived here since before the budget year; a few move
    # in or out during it, and some change level (the paying municipality pays by level and date)
    early = orng.random(n_other) < 0.7
    span_days = (e - dt.date(cfg.budget_year, 1, 1)).days
    o_start = np.where(
        early,
        _add_days(dt.date(cfg.budget_year - 2, 1, 1), orng.integers(0, 700, n_other)),
        _add_days(dt.date(cfg.budget_year, 1, 1), orng.integers(0, max(span_days, 1), n_other)),
    )
    leaves = orng.random(n_other) < 0.15
    o_end = np.where(leaves, np.minimum(o_start + orng.integers(90, 400, n_other).astype("timedelta64[D]"), np.datetime64(e) - 1), np.datetime64("NaT"))
    o_level = orng.choice(5, n_other, p=LEVEL_SHARE) + 1
    stayers = np.flatnonzero(~leaves)
    changes = np.zeros(n_other, dtype=bool)
    changes[orng.choice(stayers, min(len(stayers), max(2, round(n_other * 0.12))), replace=False)] = True
    change_day = o_start + ((np.datetime64(e) - o_start).astype(int) * orng.uniform(0.3, 0.8, n_other)).astype(int).astype("timedelta64[D]")
    o_new = np.clip(o_level + np.where(orng.random(n_other) < 0.6, 1, -1), 1, 5)
    o_offer = orng.integers(0, n_int, n_other)
    first_stay = pl.DataFrame(
        {
            "i": np.arange(n, n + n_other),
            "cpr": other_cpr,
            "offer": o_offer,
            "level": o_level,
            "valid_from": o_start.astype("datetime64[D]"),
            "valid_to": np.where(changes, change_day - 1, o_end).astype("datetime64[D]"),
            "origin": ["other"] * n_other,
            "municipality": munis,
            "acting": munis,
        }
    )
    second = pl.DataFrame(
        {
            "i": np.arange(n, n + n_other),
            "cpr": other_cpr,
            "offer": o_offer,
            "level": o_new,
            "valid_from": change_day.astype("datetime64[D]"),
            "valid_to": np.full(n_other, np.datetime64("NaT"), dtype="datetime64[D]"),
            "origin": ["other"] * n_other,
            "municipality": munis,
            "acting": munis,
        }
    ).filter(pl.Series(changes))
    other_stays = pl.concat([first_stay, second]).filter(pl.col("valid_to").is_null() | (pl.col("valid_to") >= pl.lit(since)))
    stays = pl.concat([own_stays, other_stays.select(own_stays.columns).cast(own_stays.schema)]).sort("offer", "i", "valid_from")
    placements = stays.filter(pl.col("valid_to").is_null()).select("i", "cpr", "offer", "level", "origin", "municipality")  # in force now
    others = other_stays.select("i", "cpr").unique("i", keep="first", maintain_order=True)
    planted_other = {"moves": int((~early).sum() + leaves.sum()), "changes": int(changes.sum())}

    schedules, planted = _schedules(placements, offers, cfg)

    # --- offers, staff, costs for the internal offers ---
    occ = placements.group_by("offer").agg(pl.len().alias("occupied"), pl.col("level").mean().alias("mean_level"))
    # the most citizens on an offer on any day of the budget year so far: the offer has at least that many places
    days = pl.date_range(dt.date(cfg.budget_year, 1, 1), e, "1d", eager=True).to_frame("day")
    peak = stays.join(days, how="cross").filter(
        (pl.col("valid_from") <= pl.col("day")) & (pl.col("valid_to").is_null() | (pl.col("valid_to") >= pl.col("day")))
    )
    peak = peak.group_by("offer", "day").agg(pl.len().alias("n")).group_by("offer").agg(pl.col("n").max().alias("peak"))
    internal_offers = (
        offers.head(n_int)
        .with_columns(pl.int_range(pl.len()).alias("offer"))
        .join(occ, on="offer", how="left")
        .join(peak, on="offer", how="left")
        .with_columns(pl.col("occupied").fill_null(0), pl.col("mean_level").fill_null(3.0), pl.col("peak").fill_null(0))
    )
    staff, costs, offers_out, deficit_offer = _staff_and_costs(internal_offers, offers, cfg)

    cpr_by_i = pl.concat([cit.select("i", "cpr"), others.select("i", "cpr")])
    date = lambda c: pl.col(c).dt.strftime("%d-%m-%Y").fill_null("")  # noqa: E731
    # planted for the reconciliation: one own citizen is paid but missing from the list, and one
    # newly placed own citizen is on the list with no payment yet
    missing = stays.filter((pl.col("origin") == "own") & pl.col("valid_to").is_null()).row(0, named=True)
    new_cpr = _cpr_numbers(np.random.default_rng(cfg.seed + 10), n + n_other + 1)[-1]
    listed = pl.concat(
        [
            stays.filter(~((pl.col("i") == missing["i"]) & (pl.col("valid_from") == missing["valid_from"]))),
            pl.DataFrame([{**missing, "i": n + n_other, "cpr": new_cpr, "valid_from": dt.date(e.year, e.month, 1), "level": 2}]).cast(stays.schema),
        ]
    )
    placements_out = listed.join(offers.select(pl.int_range(pl.len()).alias("offer"), "offer_id"), on="offer").select(
        pl.col("cpr").alias("CPR-nr."),
        pl.col("offer_id").alias("Tilbudsnr."),
        pl.col("level").cast(pl.String).alias("Funktionsniveau"),
        date("valid_from").alias("Fra dato"),
        date("valid_to").alias("Til dato"),
        pl.when(pl.col("origin") == "own").then(pl.lit("Egen borger")).otherwise(pl.lit("Anden kommune")).alias("Oprindelse"),
        pl.col("municipality").alias("Betalingskommune"),
        pl.col("acting").alias("Handlekommune"),
    )
    jumps = cit.filter("jump").height
    findings = _findings_text(cfg, planted, jumps, deficit_offer, n_other, planted_other)
    return {
        **extracts,
        "doegnskemaer.csv": schedules.join(cpr_by_i, on="i").select(pl.col("cpr").alias("CPR-nr."), pl.exclude("i", "cpr")),
        "placeringer.csv": placements_out,
        "offers.csv": offers_out,
        "staff.csv": staff,
        "costs.csv": costs,
        "levels.toml": template("levels.toml").format(year=cfg.budget_year),
        **{
            n: template(n)
            for n in (
                "ata-assumptions.toml",
                "refusion-2026.toml",
                "bevillingsniveauer.toml",
                "tariffkit.toml",
                "takstregler.toml",
                "takstregler-rammeaftale.toml",
                "takstregler-national-udkast.toml",
                "levels-10.toml",
            )
        },
        "FINDINGS.md": findings,
    }


def _schedules(placements: pl.DataFrame, offers: pl.DataFrame, cfg: SampleConfig) -> tuple[pl.DataFrame, dict]:
    """24-hour schedule lines per placed citizen, scaled to hours inside the citizen's band."""
    rng = np.random.default_rng(cfg.seed + 4)
    p = placements.with_row_index("k")
    m = p.height
    lv = p["level"].to_numpy()
    lo = np.array([b[1] for b in LEVEL_BANDS])[lv - 1]
    hi = np.array([b[2] for b in LEVEL_BANDS])[lv - 1]
    target = lo + (hi - lo) * rng.uniform(0.25, 0.75, m)
    drift = rng.random(m) < 0.05  # planted: schedules far above the placed level (service drift)
    target = np.where(drift & (lv <= 3), hi * 1.6 + 3, target)
    n_lines = rng.integers(7, 12, m)
    cat = pl.DataFrame(ACTIVITIES, schema=["description", "paragraph", "base_minutes", "frequency", "staffing", "start"], orient="row")
    nl = int(n_lines.sum())
    owner = np.repeat(np.arange(m), n_lines)
    pick = rng.integers(0, len(ACTIVITIES), nl)
    lines = cat[pick].with_columns(k=pl.Series(owner, dtype=pl.UInt32))
    lines = lines.unique(["k", "description"], keep="first", maintain_order=True)
    tpw = pl.col("frequency").replace_strict(FREQ_PER_WEEK, return_dtype=pl.Float64)
    staff = pl.col("staffing").str.split(":").list.get(0).cast(pl.Float64)
    share = pl.col("staffing").str.split(":").list.get(1).cast(pl.Float64)
    lines = lines.with_columns(weekly=pl.col("base_minutes") * tpw * staff / share)
    tot = lines.group_by("k").agg(pl.col("weekly").sum().alias("tot"))
    lines = (
        lines.join(tot, on="k")
        .with_columns(factor=pl.lit(pl.Series(target * 60.0)).gather(pl.col("k").cast(pl.Int64)) / pl.col("tot"))
        .with_columns(minutes=((pl.col("base_minutes") * pl.col("factor") / 5).round(0) * 5).clip(5, 600).cast(pl.Int32))
    )
    # Activities follow each other: a line starts at its usual time or 5 minutes after the previous
    # line ends, whichever is later (start_i = max_j≤i(base_j − C_j) + C_i with C the running
    # sum of minutes + 5), so only the planted overlaps below overlap.
    lines = (
        lines.sort("k", "start", "description")
        .with_columns(
            _base=pl.col("start").str.slice(0, 2).cast(pl.Int32) * 60 + pl.col("start").str.slice(3, 2).cast(pl.Int32),
            _c=(pl.col("minutes") + 5).cum_sum().shift(1, fill_value=0).over("k"),
        )
        .with_columns(
            _s=((pl.col("_base") - pl.col("_c")).cum_max().over("k") + pl.col("_c")) % 1440,
        )
        .with_columns(
            start=(pl.col("_s") // 60).cast(pl.String).str.zfill(2) + ":" + (pl.col("_s") % 60).cast(pl.String).str.zfill(2),
        )
        .drop("_base", "_c", "_s")
    )
    # overlapping pair for planted citizens: duplicate the morning routine as a second 1:1 activity at the same time
    daily_1to1 = lines.filter((pl.col("staffing") == "1:1") & (pl.col("frequency") == "Alle ugens 7 dage"))
    eligible = np.array(sorted(set(daily_1to1["k"].to_list())), dtype=np.int64)
    n_overlap = min(len(eligible), max(2, round(m * 0.05)))
    chosen = np.sort(np.random.default_rng(cfg.seed + 8).choice(eligible, n_overlap, replace=False)) if n_overlap else eligible[:0]
    ov = daily_1to1.filter(pl.col("k").cast(pl.Int64).is_in(chosen.tolist()))
    ov = ov.unique("k", keep="first", maintain_order=True).with_columns(description=pl.lit("Individuel samtale (samtidig med anden 1:1-aktivitet)"))
    non_ata = pl.DataFrame(NON_ATA_ACTIVITIES, schema=["description", "paragraph", "base_minutes", "frequency", "staffing", "start"], orient="row")
    na_owner = np.arange(m)[rng.random(m) < 0.6]
    na = non_ata[rng.integers(0, 2, len(na_owner))].with_columns(k=pl.Series(na_owner, dtype=pl.UInt32), minutes=pl.col("base_minutes").cast(pl.Int32))
    cols = ["k", "description", "paragraph", "start", "minutes", "frequency", "staffing"]
    allx = pl.concat([lines.select(cols), ov.select(cols), na.select(cols)]).sort("k", "start", "description")
    allx = allx.with_columns(line_no=pl.int_range(pl.len()).over("k").cast(pl.Int32) + 1)
    # assessment: 60 % of citizens assessed; a third of their lines shortened by 10-40 %
    assessed = rng.random(m) < 0.6
    cut = np.random.default_rng(cfg.seed + 5).uniform(0, 1, allx.height)
    shrink = np.random.default_rng(cfg.seed + 6).uniform(0.6, 0.9, allx.height)
    allx = allx.with_columns(
        assessed_minutes=pl.when(pl.lit(pl.Series(assessed)).gather(pl.col("k").cast(pl.Int64)))
        .then(pl.when(pl.Series(cut) < 0.33).then(((pl.col("minutes") * pl.Series(shrink) / 5).round(0) * 5).cast(pl.Int32)).otherwise(pl.col("minutes")))
        .otherwise(None)
    )
    off = offers.select(pl.int_range(pl.len()).alias("offer"), "offer_id")
    out = (
        allx.join(p.select("k", "i", "offer"), on="k")
        .join(off, on="offer")
        .sort("k", "line_no")
        .select(
            "i",
            pl.col("offer_id").alias("Tilbudsnr."),
            pl.col("line_no").cast(pl.String).alias("Aktivitetsnr."),
            pl.col("description").alias("Beskrivelse"),
            pl.col("paragraph").alias("Paragraf"),
            pl.col("start").alias("Starttidspunkt"),
            pl.col("minutes").cast(pl.String).alias("Minutter"),
            pl.col("frequency").alias("Hyppighed"),
            pl.col("staffing").alias("Normering"),
            pl.col("assessed_minutes").cast(pl.String).alias("Vurderede minutter"),
            pl.lit(None, dtype=pl.String).alias("Bemærkning"),
        )
    )
    return out, {"drift": int((drift & (lv <= 3)).sum()), "overlap": int(ov.height), "assessed": int(assessed.sum()), "scheduled": m}


COST_PER_FTE = {"management": 694000, "trained": 487000, "untrained": 420000, "temporary": 445000, "admin": 335000}
CATEGORY_LABEL = {
    "management": "Ledelse",
    "trained": "Borgerrelateret personale (faguddannet)",
    "untrained": "Borgerrelateret personale (ikke faguddannet)",
    "temporary": "Ikke fastansat personale",
    "admin": "Administrativt personale (TAP)",
}


def _staff_and_costs(internal_offers: pl.DataFrame, offers: pl.DataFrame, cfg: SampleConfig):
    rng = np.random.default_rng(cfg.seed + 7)
    y = cfg.budget_year
    mid = np.array([(b[1] + b[2]) / 2 for b in LEVEL_BANDS])
    staff_rows, cost_rows, offer_rows = [], [], []
    deficit_offer = internal_offers["offer_id"][1]  # planted: Lærkehøj heads for a deficit
    for r in internal_offers.iter_rows(named=True):
        occupied = r["occupied"]
        places = max(occupied + int(rng.integers(0, 3)), r["peak"], 4)
        weekly_hours = occupied * float(np.interp(r["mean_level"], [1, 2, 3, 4, 5], mid))
        ata_fte = weekly_hours * 52 / 1211.0 * 1.12
        fte = {
            "management": round(1.0 + places / 30, 2),
            "trained": round(ata_fte * 0.56, 2),
            "untrained": round(ata_fte * 0.29, 2),
            "temporary": round(ata_fte * 0.15, 2),
            "admin": round(0.4 + places / 25, 2),
        }
        for cat, f in fte.items():
            staff_rows.append(
                {
                    "offer_id": r["offer_id"],
                    "year": str(y),
                    "category": cat,
                    "fte": f"{f:.2f}".replace(".", ","),
                    "cost_per_fte": f"{COST_PER_FTE[cat]:,}".replace(",", ".") + ",00",
                    "gives_ata": "nej" if cat in ("management", "admin") else "ja",
                }
            )
        salary = {cat: round(f * COST_PER_FTE[cat]) for cat, f in fte.items()}
        base = {
            **{f"staff_{cat}": ("variable_staff", CATEGORY_LABEL[cat], cat not in ("management", "admin"), v) for cat, v in salary.items()},
            "other_salary_costs": ("variable_other", "Andre omk. relateret til løn fx puljer", False, round(places * 4200)),
            "citizen_activities": ("fixed_offer", "Borgerrelaterede omk. (transport og aktiviteter)", False, round(places * 3600)),
            "staff_training_materials": ("fixed_offer", "Øvrige personaleomk. (uddannelse og materialer)", False, round(places * 5200)),
            "property_upkeep": ("fixed_offer", "Ejendomme (vedligehold, rengøring, forsikringer)", False, round(places * 7400)),
            "rent_depreciation": ("fixed_central", "Ejendomme (husleje, afskrivninger)", False, round(places * 24000)),
            "administration_5": ("fixed_central", "Administrationsomkostninger konto 5", False, round(places * 38000)),
            "administration_6": ("fixed_central", "Administrationsomkostninger konto 6", False, round(places * 35000)),
            "extra_grants": ("other_income", "Tillægs- og ekstrabevillinger", False, 0),
        }
        carried = int(round(rng.normal(0, 0.015) * sum(v[3] for v in base.values()), -3))
        for basis, yr, scale in (("actual", y - 1, 1.0), ("budget", y - 1, 0.98), ("budget", y, 1.0), ("tariff_budget", y, 1.0), ("forecast", y, 1.0)):
            for line, (group, label, follows, amount) in base.items():
                a = amount * scale
                if basis == "forecast" and group == "variable_staff" and r["offer_id"] == deficit_offer:
                    a *= 1.09  # planted deficit: more staff than the income carries
                elif basis == "actual":
                    a *= float(rng.uniform(0.97, 1.04))
                cost_rows.append(
                    {
                        "offer_id": r["offer_id"],
                        "year": str(yr),
                        "basis": basis,
                        "line": line,
                        "label": label,
                        "group": group,
                        "follows_ata": "ja" if follows else "nej",
                        "amount": round(a),
                    }
                )
            if basis in ("tariff_budget", "forecast", "budget") and yr == y:
                cost_rows.append(
                    {
                        "offer_id": r["offer_id"],
                        "year": str(yr),
                        "basis": basis,
                        "line": "result_two_years_earlier",
                        "label": "Resultat to år tidligere",
                        "group": "carried_result",
                        "follows_ata": "nej",
                        "amount": carried,
                    }
                )
        offer_rows.append(
            {
                "offer_id": r["offer_id"],
                "offer_name": r["offer_name"],
                "provider": "internal",
                "paragraph": r["paragraph"],
                "places": str(places),
                "portal_places": str(places),
                "comment": "",
            }
        )
    for r in offers.filter(pl.col("provider") == "external").iter_rows(named=True):
        offer_rows.append(
            {
                "offer_id": r["offer_id"],
                "offer_name": r["offer_name"],
                "provider": "external",
                "paragraph": r["paragraph"],
                "places": "",
                "portal_places": "",
                "comment": "",
            }
        )
    costs = pl.DataFrame(cost_rows).with_columns(amount=danish_amount(pl.col("amount").cast(pl.Int64) * 100))
    return pl.DataFrame(staff_rows), costs, pl.DataFrame(offer_rows), deficit_offer


def _findings_text(cfg: SampleConfig, planted: dict, jumps: int, deficit_offer: str, n_other: int, other: dict) -> str:
    return f"""# Planted findings in the sample data (seed {cfg.seed}, {cfg.citizens} citizens)

The sample is fictional. These patterns were put there on purpose, for the commands to find:

- **Cost jumps between quarters**: {jumps} case(s) on internal offers move up two function levels on
  {cfg.budget_year}-07-01, so their cost rises sharply from Q2 to Q3 {cfg.budget_year} (`portfolio`).
- **Service drift**: {planted["drift"]} citizen(s) on levels 1–3 have 24-hour schedules far above
  the band of their level (`reassign` flags hours outside the band).
- **Overlapping 1:1 activities**: {planted["overlap"]} citizen(s) have two 1:1 activities at the same
  time on the same days (`reassign` flags the overlap).
- **Assessment**: {planted["assessed"]} of {planted["scheduled"]} schedules are assessed by the caseworker;
  a third of the assessed lines are shortened by 10–40 %.
- **An offer heading for a deficit**: {deficit_offer}'s forecast staff costs are 9 % above its
  tariff budget (`budget-forecast`).
- **Other municipalities' citizens**: {n_other} citizen(s) on internal offers are placed and paid for by
  other municipalities (`placeringer.csv`, origin `Anden kommune`): not in the DSS extract, but in the
  tariffs' volume, the offers' income and the billing (`occupancy`, `billing`). {other["moves"]} of them moved in or
  out since {cfg.budget_year}-01-01 and {other["changes"]} changed level; `placeringer.csv` lists every stay with its dates.
- **Reconciliation**: one own citizen paid in DSS is missing from `placeringer.csv`, and one newly placed own
  citizen is on it with no payment yet (`occupancy --check`).
- **Corrections**: about 2 % of monthly actual lines are cancelled by a negative line for the same
  period, and about 1 % are reduced by 30 %.
- **Open commitments**: in each extract, a case open on the extract date carries one commitment
  (*disposition*) from the next day, at its level then, to its planned end (a quarter of the cases) or
  to 31 December of the year after. A later extract has the same actual lines plus the new month's; its
  commitments differ where a case ended, changed level or went on.

The extracts ({", ".join(str(d) for d in sorted(cfg.extract_dates))}) are the books as they stood on each
date: actual spending from {cfg.first_month} to the date, open commitments after it. Import them in
order with `import-dss --append`; the history then equals the newest extract alone.
"""


def template(name: str) -> str:
    """A settings or text file of the sample (and of ``tariffkit init``), kept as package data in
    ``tariffkit/data/sample/``: the structure, the rules, the approval tiers, the refund example,
    the ATA assumptions, the working folder's settings and the demo key."""
    from importlib.resources import files

    return files("tariffkit").joinpath("data", "sample", name).read_text(encoding="utf-8")


def write_sample(out: Path, cfg: SampleConfig = SampleConfig()) -> list[Path]:
    """Write the sample files into ``out`` (atomically, file by file). Returns the paths."""
    from tariffkit.io import atomic_write

    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, obj in generate(cfg).items():
        path = out / name
        if isinstance(obj, pl.DataFrame):
            payload = obj.write_csv(separator=";", line_terminator="\r\n" if name.startswith("dss") else "\n").encode("utf-8")
            if name.startswith("dss") or name.startswith("doegn") or name.startswith("plac"):
                payload = BOM + payload  # exports from DSS and the schedule tool carry a BOM
        else:
            payload = str(obj).encode("utf-8")
        atomic_write(path, partial(_write_bytes, payload))
        written.append(path)
    key = out / "demo.key"
    atomic_write(key, lambda fh: fh.write(template("demo.key").encode("utf-8")), mode=0o600)
    written.append(key)
    return written
