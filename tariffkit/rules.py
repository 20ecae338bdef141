"""Tariff rules (*takstregler*): how a year's result is carried, set aside or kept.

A rules file names the frame agreement (*rammeaftale*) or model it follows, its version and its
source, so a tariff can be traced to the rule it was set under. Today it holds the carry-over of
results; the annual close (:mod:`tariffkit.close`) reads it.

A year's result R = income − tariff basis (a surplus is positive). For a surplus the
``[carry.surplus]`` rule applies, for a deficit ``[carry.deficit]``; with the limit
c = ``cap`` × the year's cost basis (or tariff basis, ``cap_of``):

* ``all``: all of |R| is carried;
* ``beyond_cap``: only the part of |R| above c is carried;
* ``all_or_nothing``: |R| is carried in full when it is above c, else none of it (a result
  of exactly c stays);
* ``none``: nothing is carried.

A result smaller than the tariffs' rounding per HÅP (``[tariffs] rounding`` × HÅP: 1 kr per
HÅP for whole-krone tariffs) is the rounding residue of tariffs that were set budget-neutral:
with ``rounding_residue = "kept"`` (the default) it stays with the offer and is not carried or
set aside.

The carried part enters the tariff basis of year t + ``year_offset`` with the opposite sign (a
deficit raises it, a surplus lowers it). What is not carried is set aside (*hensat*, to be
used within ``set_aside_years``; ``set_aside = true``) or stays with the offer. Amounts are
exact to the øre; the limit c is rounded once to the øre, half away from zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from tariffkit.errors import DataError
from tariffkit.money import ore
from tariffkit.settings_checks import check_keys, number

RULES = ("all", "beyond_cap", "all_or_nothing", "none")


@dataclass(frozen=True)
class CarryRule:
    """How one side of a result (a surplus or a deficit) is carried."""

    rule: str = "all"
    cap: Decimal = Decimal(0)  # share of the cost basis (or tariff basis)
    set_aside: bool = False  # the part not carried is set aside instead of staying with the offer


@dataclass(frozen=True)
class TariffSettings:
    """How tariff-build sets the tariffs (``[tariffs]`` in the rules file)."""

    rounding: Decimal = Decimal(1)  # each tariff rounded to a multiple of this many kroner, half away from zero
    supplement: str | None = None  # the structure's top_level_rule the rules require (None: any)
    levels: int | None = None  # the number of levels (service packages) the rules require (None: any)
    overhead: str = "own_costs"  # own_costs: the offer's central cost lines | percentage: rate × the direct costs
    overhead_rate: Decimal = Decimal(0)
    occupancy: str = "expected"  # expected: the expected HÅP as given | rate: rate × places, in the expected mix of levels
    occupancy_rate: Decimal | None = None


@dataclass(frozen=True)
class TariffRules:
    name: str
    version: str
    source: str
    draft: bool = False
    year_offset: int = 2  # a result of year t enters the tariff basis of year t + year_offset
    cap_of: str = "cost_basis"  # cost_basis | tariff_basis
    set_aside_years: int = 5  # a set-aside must be used within this many years
    surplus: CarryRule = CarryRule()
    deficit: CarryRule = CarryRule()
    tariffs: TariffSettings = TariffSettings()
    file: str = ""  # where the rules were read from (for messages)
    rounding_residue: str = "kept"  # kept: a result below the tariffs' rounding per HÅP stays with the offer | split: as any result


@dataclass(frozen=True)
class Split:
    """A result split under the rules. ``carried`` enters year t + offset's tariff basis
    (positive raises it); result = −carried + set_aside + kept, to the øre."""

    carried: Decimal
    set_aside: Decimal
    kept: Decimal


TODAY = TariffRules(name="tariffkit default: every result carried into year t+2", version="1", source="tariffkit")


def _side(d, file: str, where: str) -> CarryRule:
    if not isinstance(d, dict):
        raise DataError(f"[{where}] must be a table", file=file, column=where)
    check_keys(d, {"rule", "cap", "set_aside"}, file, f"{where}.")
    rule = d.get("rule", "all")
    if rule not in RULES:
        raise DataError(f"{where}.rule must be one of {', '.join(RULES)}, found {rule!r}", file=file, column=f"{where}.rule")
    cap = Decimal(str(number(d.get("cap", 0), file, f"{where}.cap", 0, 1)))
    set_aside = d.get("set_aside", False)
    if not isinstance(set_aside, bool):
        raise DataError(f"{where}.set_aside must be true or false, found {set_aside!r}", file=file, column=f"{where}.set_aside")
    if rule in ("beyond_cap", "all_or_nothing") and "cap" not in d:
        raise DataError(f"{where}.rule = {rule!r} needs a cap (a share of the basis, e.g. 0.05)", file=file, column=f"{where}.cap")
    return CarryRule(rule, cap, set_aside)


def parse_rules(d: dict, file: str = "rules") -> TariffRules:
    """A rules TOML (already parsed) → :class:`TariffRules`; a contradiction or an unknown key
    is a :class:`DataError` naming the file and the key."""
    check_keys(d, {"name", "version", "source", "draft", "carry", "tariffs"}, file, "")
    for k in ("name", "version", "source"):
        if not isinstance(d.get(k), str) or not d[k].strip():
            raise DataError(f"{k} must be given (text): a rules file names itself, its version and its source", file=file, column=k)
    draft = d.get("draft", False)
    if not isinstance(draft, bool):
        raise DataError(f"draft must be true or false, found {draft!r}", file=file, column="draft")
    carry = d.get("carry", {})
    if not isinstance(carry, dict):
        raise DataError("[carry] must be a table", file=file, column="carry")
    check_keys(carry, {"year_offset", "cap_of", "set_aside_years", "surplus", "deficit", "rounding_residue"}, file, "carry.")
    residue = carry.get("rounding_residue", "kept")
    if residue not in ("kept", "split"):
        raise DataError(f"carry.rounding_residue must be kept or split, found {residue!r}", file=file, column="carry.rounding_residue")
    offset = number(carry.get("year_offset", 2), file, "carry.year_offset", 1, 5, integer=True)
    cap_of = carry.get("cap_of", "cost_basis")
    if cap_of not in ("cost_basis", "tariff_basis"):
        raise DataError(f"carry.cap_of must be cost_basis or tariff_basis, found {cap_of!r}", file=file, column="carry.cap_of")
    years = number(carry.get("set_aside_years", 5), file, "carry.set_aside_years", 1, 50, integer=True)
    surplus = _side(carry.get("surplus", {}), file, "carry.surplus")
    deficit = _side(carry.get("deficit", {}), file, "carry.deficit")
    if deficit.set_aside:
        raise DataError("carry.deficit.set_aside: only a surplus can be set aside", file=file, column="carry.deficit.set_aside")
    return TariffRules(
        d["name"], d["version"], d["source"], draft, offset, cap_of, years, surplus, deficit, _tariffs(d.get("tariffs", {}), file), file, residue
    )


def _tariffs(d, file: str) -> TariffSettings:
    from tariffkit.tariffs import TOP_LEVEL_RULES

    if not isinstance(d, dict):
        raise DataError("[tariffs] must be a table", file=file, column="tariffs")
    check_keys(d, {"rounding", "supplement", "levels", "overhead", "occupancy"}, file, "tariffs.")
    rounding = Decimal(str(number(d.get("rounding", 1), file, "tariffs.rounding", 0.01, 1000)))
    if rounding not in (Decimal("0.01"), Decimal("1"), Decimal("10"), Decimal("100"), Decimal("1000")):
        raise DataError(f"tariffs.rounding must be 0.01, 1, 10, 100 or 1000 kroner, found {d['rounding']!r}", file=file, column="tariffs.rounding")
    supplement = d.get("supplement")
    if supplement is not None and supplement not in TOP_LEVEL_RULES:
        raise DataError(f"tariffs.supplement must be one of {', '.join(TOP_LEVEL_RULES)}, found {supplement!r}", file=file, column="tariffs.supplement")
    levels = d.get("levels")
    if levels is not None:
        levels = number(levels, file, "tariffs.levels", 1, 50, integer=True)
    oh = d.get("overhead", {})
    if not isinstance(oh, dict):
        raise DataError("[tariffs.overhead] must be a table", file=file, column="tariffs.overhead")
    check_keys(oh, {"method", "rate"}, file, "tariffs.overhead.")
    method = oh.get("method", "own_costs")
    if method not in ("own_costs", "percentage"):
        raise DataError(f"tariffs.overhead.method must be own_costs or percentage, found {method!r}", file=file, column="tariffs.overhead.method")
    if method == "percentage" and "rate" not in oh:
        raise DataError("tariffs.overhead.method = percentage needs a rate (e.g. 0.06)", file=file, column="tariffs.overhead.rate")
    oh_rate = Decimal(str(number(oh.get("rate", 0), file, "tariffs.overhead.rate", 0, 1)))
    occ = d.get("occupancy", {})
    if not isinstance(occ, dict):
        raise DataError("[tariffs.occupancy] must be a table", file=file, column="tariffs.occupancy")
    check_keys(occ, {"method", "rate"}, file, "tariffs.occupancy.")
    om = occ.get("method", "expected")
    if om not in ("expected", "rate"):
        raise DataError(f"tariffs.occupancy.method must be expected or rate, found {om!r}", file=file, column="tariffs.occupancy.method")
    occ_rate = None
    if om == "rate":
        if "rate" not in occ:
            raise DataError("tariffs.occupancy.method = rate needs a rate (the assumed occupancy, e.g. 0.95)", file=file, column="tariffs.occupancy.rate")
        v = number(occ["rate"], file, "tariffs.occupancy.rate", 0, 1)
        if v == 0:
            raise DataError("tariffs.occupancy.rate must be above 0 (no occupancy carries no tariff)", file=file, column="tariffs.occupancy.rate")
        occ_rate = Decimal(str(v))
    return TariffSettings(rounding, supplement, levels, method, oh_rate, om, occ_rate)


def check_structure(rules: TariffRules, structure, structure_file: str) -> None:
    """The structure must be the one the rules expect: the number of levels, the 5+ rule."""
    t = rules.tariffs
    if t.levels is not None and len(structure.levels) != t.levels:
        raise DataError(
            f"the rules expect {t.levels} levels, the structure {structure_file} has {len(structure.levels)}",
            file=rules.file or "rules",
            column="tariffs.levels",
        )
    if t.supplement is not None and structure.top_level_rule != t.supplement:
        raise DataError(
            f"the rules require top_level_rule = {t.supplement!r}, the structure {structure_file} has {structure.top_level_rule!r}",
            file=rules.file or "rules",
            column="tariffs.supplement",
        )


def read_rules(path: str, inputs=None) -> TariffRules:
    from tariffkit import io as tio

    return parse_rules(tio.read_toml(path, inputs), file=tio.label_of(path))


def split(result: Decimal, cost_basis: Decimal, tariff_basis: Decimal, rules: TariffRules) -> Split:
    """Split a year's ``result`` (income − tariff basis) into what is carried, set aside and
    kept, under ``rules`` (see the module docstring)."""
    if result == 0:
        return Split(Decimal(0), Decimal(0), Decimal(0))
    side = rules.surplus if result > 0 else rules.deficit
    amount = abs(result)
    base = cost_basis if rules.cap_of == "cost_basis" else tariff_basis
    limit = ore(side.cap * abs(base))
    if side.rule == "all":
        part = amount
    elif side.rule == "beyond_cap":
        part = max(amount - limit, Decimal(0))
    elif side.rule == "all_or_nothing":
        part = amount if amount > limit else Decimal(0)
    else:
        part = Decimal(0)
    sign = 1 if result > 0 else -1
    rest = (amount - part) * sign
    return Split(carried=-part * sign, set_aside=rest if side.set_aside else Decimal(0), kept=Decimal(0) if side.set_aside else rest)
