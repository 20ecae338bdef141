"""24-hour schedules (*døgnskemaer*) → weekly ATA hours → function levels, with findings and
the consequences for each citizen and offer (*genindplacering*).

Reading: the offers' workbooks (``.xlsx`` with a header block per citizen, as written by
:func:`write_template`, or a flat sheet), CSV with Danish headers, or Parquet in the
``schedules`` contract. CPR numbers are pseudonymised on reading with the same key as
``import-dss`` and never kept.

Computation (all vectorised; no Python loop over lines):

    weekly ATA minutes of a line = minutes × times per week × staff ÷ citizens sharing
    hours_registered = Σ over ATA-paragraph lines of registered weekly minutes / 60
    hours_assessed   = the same with the caseworker's minutes, where the schedule is assessed
                       (a line without assessed minutes in an assessed schedule keeps its
                       registered minutes); null when no line is assessed
    hours_counted    = hours_assessed when present, else hours_registered
    new_level        = the band holding hours_counted (lower bound inclusive, upper exclusive);
                       above the top band: the top level, and the hours above it are 5+
                       supplement hours

The parts, one module each: :mod:`.columns` (headers, choices, flags, the CPR column),
:mod:`.read` (workbooks, CSV, Parquet), :mod:`.lines` (parsing lines), :mod:`.hours` (hours,
levels, overlaps), :mod:`.replacement` (the new levels priced, the negotiation list, per
offer), :mod:`.run` (the whole re-placement from the schedules as read, as ``tariffkit
reassign`` runs it) and :mod:`.template` (the .xlsx template). Everything is importable from here.
"""

from tariffkit.rates import parse_phase_in
from tariffkit.schedules.columns import (
    FLAGS,
    FREQUENCY_CHOICES,
    PARAGRAPH_CHOICES,
    SCHEDULE_HEADERS,
    STAFFING_CHOICES,
    TEMPLATE_COLUMNS,
    TEMPLATE_FIRST_LINE_ROW,
    TEMPLATE_LINES,
    TEMPLATE_TITLE,
    TO_DISCUSS_NO,
    TO_DISCUSS_YES,
    pseudonymise_column,
    rename_headers,
)
from tariffkit.schedules.hours import WEEK, ReassignOptions, _supplement_hours, citizen_hours, level_expr, line_time, over_24_hours, overlaps, tariff_lookup
from tariffkit.schedules.lines import parse_lines
from tariffkit.schedules.read import placements_from_payments, read_schedule_workbook, read_schedules
from tariffkit.schedules.replacement import by_offer, negotiation_list, reassign
from tariffkit.schedules.run import ReassignResult, reassign_schedules
from tariffkit.schedules.template import write_template

__all__ = [
    "ReassignResult",
    "reassign_schedules",
    "FLAGS",
    "FREQUENCY_CHOICES",
    "PARAGRAPH_CHOICES",
    "SCHEDULE_HEADERS",
    "STAFFING_CHOICES",
    "TEMPLATE_COLUMNS",
    "TEMPLATE_FIRST_LINE_ROW",
    "TEMPLATE_LINES",
    "TEMPLATE_TITLE",
    "TO_DISCUSS_NO",
    "TO_DISCUSS_YES",
    "WEEK",
    "ReassignOptions",
    "_supplement_hours",
    "by_offer",
    "citizen_hours",
    "level_expr",
    "line_time",
    "negotiation_list",
    "over_24_hours",
    "overlaps",
    "parse_lines",
    "parse_phase_in",
    "placements_from_payments",
    "pseudonymise_column",
    "read_schedule_workbook",
    "read_schedules",
    "reassign",
    "rename_headers",
    "tariff_lookup",
    "write_template",
]
