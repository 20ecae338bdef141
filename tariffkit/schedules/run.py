"""The whole re-placement (*genindplacering*) from the schedules as read: the lines parsed, the
bad ones refused or left out, each citizen placed and priced, and what follows from it (per
offer with the phase-in, the negotiation list, the service levels). ``tariffkit reassign`` is a
thin shell over :func:`reassign_schedules`; a notebook calls it the same way."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from tariffkit.errors import DataError, UsageError
from tariffkit.schedules.hours import ReassignOptions
from tariffkit.tariffs import Structure

ON_ERROR = ("fail", "flag")


@dataclass
class ReassignResult:
    """``citizens``: the reassignments table (one row per citizen and offer); ``lines``: the
    schedule lines that were read; ``problems``: the lines left out (file, row, column, reason),
    empty unless ``on_error="flag"``."""

    citizens: pl.DataFrame
    lines: pl.DataFrame
    problems: pl.DataFrame
    structure: Structure

    def by_offer(self, phase_in: Sequence[tuple[int | None, float]] = ()) -> pl.DataFrame:
        """The consequences per offer (the reassign_offers table), one row per phase-in year."""
        from tariffkit.schedules.replacement import by_offer

        return by_offer(self.citizens, list(phase_in))

    def negotiation(self) -> pl.DataFrame:
        """Other municipalities' citizens assessed on another level than the one paid for."""
        from tariffkit.schedules.replacement import negotiation_list

        return negotiation_list(self.citizens)

    def service_levels(self) -> pl.DataFrame:
        """Weekly minutes per citizen per activity category and offer against the median."""
        from tariffkit.service_levels import service_levels

        return service_levels(self.lines, self.structure)


def reassign_schedules(
    schedules: Sequence[pl.DataFrame],
    structure: Structure,
    *,
    current: pl.DataFrame | None = None,
    tariffs: pl.DataFrame | None = None,
    options: ReassignOptions | None = None,
    on_error: str = "fail",
    files: Sequence[str] | None = None,
    tariffs_file: str = "tariffs",
) -> ReassignResult:
    """Place every citizen of the ``schedules`` (frames as :func:`read_schedules` gives them, one
    per file named in ``files``) on a level of ``structure``, against the ``current`` placements
    (the placements in force, or :func:`placements_from_payments`) and priced with ``tariffs``.

    ``on_error="fail"`` refuses the first bad line (its file, row and column); ``"flag"`` leaves
    the bad lines out and flags their citizens ``invalid_lines``. A schedule with a header and
    no lines is an error: there is nothing to place."""
    from tariffkit.schedules.lines import parse_lines
    from tariffkit.schedules.replacement import reassign

    if on_error not in ON_ERROR:
        raise UsageError(f"`on_error` must be fail or flag, found {on_error!r}")
    if not schedules:
        raise UsageError("`schedules`: give at least one schedule to place")
    names = list(files) if files is not None else [f"schedules {i + 1}" for i in range(len(schedules))]
    for name, frame in zip(names, schedules):
        if frame.height == 0:
            raise DataError("the schedule has a header but no lines; nothing to place", file=name)
    text = pl.concat(list(schedules), how="diagonal_relaxed")
    lines, problems = parse_lines(text, shared_citizens=structure.shared_citizens)
    if problems.height and on_error == "fail":
        p = problems.sort("_file", "_row").row(0, named=True)
        more = f" ({problems.height} bad lines in all; with `on_error` flag they are left out and their citizens flagged)" if problems.height > 1 else ""
        raise DataError(p["reason"] + more, file=p["_file"], row=p["_row"], column=p["column"])
    citizens = reassign(lines, current, tariffs, structure, options or ReassignOptions(), problems=problems, tariffs_file=tariffs_file)
    return ReassignResult(citizens=citizens, lines=lines, problems=problems, structure=structure)
