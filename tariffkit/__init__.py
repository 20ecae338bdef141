"""tariffkit: activity-based budgets and tariffs for specialised adult social care.

The Python API mirrors the command line: every command is a thin shell over plain functions
that take and return polars frames (see ``tariffkit.haap``, ``tariffkit.tariffs`` …).
"""

__version__ = "0.1.0"
