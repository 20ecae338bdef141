"""Helpers shared by the command modules: the group's error handling, messages on stderr,
and the common options. Only click is imported at module level."""

from __future__ import annotations

import os
import re
import sys
import traceback

import click


def mask_text(text: str) -> str:
    """Mask anything CPR-shaped in a message (the last line of defence, --debug output too)."""
    from tariffkit.cpr import mask_text as mask

    return mask(text)


def cli_words(message: str) -> str:
    """The library names its arguments in backticks (`append`); on the command line they are
    options (--append)."""
    return re.sub(r"`([a-z][a-z0-9_]*)`", lambda m: "--" + m.group(1).replace("_", "-"), message)


def parse_date_option(text: str, option: str):
    """An ISO date option (YYYY-MM-DD) → date; anything else is a usage error naming the option."""
    import datetime as dt

    from tariffkit.errors import UsageError

    try:
        d = dt.date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"{option} expects a date like 2026-09-30, got {text!r}") from None
    if not 1980 <= d.year <= 2100:
        raise UsageError(f"{option} expects a date between 1980 and 2100, got {text!r}")
    return d


def err(message: str) -> None:
    """A message for people, on stderr."""
    click.echo(mask_text(message), err=True)


def warn(warnings: list[str], *, shown: int = 3) -> None:
    """Warnings on stderr, ``tariffkit: warning: …``. The same warning for many offers (``offer
    T101: no forecast cost lines …`` for each of 1,667 offers) is one line that counts them and
    names the first few, in the order they came, instead of a screenful that hides the others."""
    import re

    by_text: dict[str, list[str]] = {}
    order: list[tuple[str, str | None]] = []  # (text, None) or (the shared text, "offers")
    for w in warnings:
        m = re.match(r"offer (\S+): (.*)$", w, flags=re.S)
        if m is None:
            order.append((w, None))
            continue
        if m.group(2) not in by_text:
            by_text[m.group(2)] = []
            order.append((m.group(2), "offers"))
        by_text[m.group(2)].append(m.group(1))
    for text, kind in order:
        if kind is None:
            err(f"tariffkit: warning: {text}")
            continue
        offers = by_text[text]
        if len(offers) <= shown + 1:
            for o in offers:
                err(f"tariffkit: warning: offer {o}: {text}")
        else:
            err(f"tariffkit: warning: {len(offers)} offers ({', '.join(offers[:shown])} and {len(offers) - shown} more): {text}")


def stderr_console():
    """A rich console on stderr; colour follows NO_COLOR and whether stderr is a terminal."""
    from rich.console import Console

    return Console(stderr=True, no_color=bool(os.environ.get("NO_COLOR")) or None, highlight=False, soft_wrap=not sys.stderr.isatty())


def progress_enabled() -> bool:
    return sys.stderr.isatty()


def working(message: str):
    """A spinner with the elapsed time on stderr while a long step runs, only on a terminal (in
    cron, pipes and logs nothing is printed); it disappears when the step ends."""
    import contextlib

    if not progress_enabled():
        return contextlib.nullcontext()
    return stderr_console().status(message)


class Terminated(BaseException):
    """SIGTERM (a cron job stopped, a container shut down): unwinds like Ctrl-C, so temp files
    are removed and no output is half-written."""


def on_sigterm(signum, frame) -> None:
    raise Terminated()


class TariffkitGroup(click.Group):
    """Turns data errors into ``tariffkit: error: …`` and exit 1, usage problems into exit 2.

    Commands are listed in the order they were added (the pipeline order), not alphabetically.
    """

    _commands: dict[str, click.Command]

    def __init__(self, *args, **kwargs):
        self._lazy: dict[str, str] = {}  # command name → "module:attribute", not imported yet
        self._order: list[str] = []
        super().__init__(*args, **kwargs)

    def add_lazy(self, name: str, where: str) -> None:
        """Register a command by where it lives; its module is imported when it is first used."""
        self._lazy[name] = where
        self._order.append(name)

    def _load(self, name: str) -> None:
        import importlib

        module, attr = self._lazy.pop(name).split(":")
        self._commands[name] = getattr(importlib.import_module(module), attr)
        self._commands = {n: self._commands[n] for n in self.list_commands(None) if n in self._commands}  # the pipeline's order

    @property  # type: ignore[override]  # (click's Group.commands is a plain attribute; here it imports on first use)
    def commands(self) -> dict[str, click.Command]:  # every command, imported (docs, the settings check)
        for name in list(self._lazy):
            self._load(name)
        return self._commands

    @commands.setter
    def commands(self, value: dict[str, click.Command]) -> None:
        self._commands = value

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self._lazy:
            self._load(cmd_name)
        return self._commands.get(cmd_name)

    def list_commands(self, ctx: click.Context | None) -> list[str]:
        return self._order + [n for n in self._commands if n not in self._order]

    def invoke(self, ctx: click.Context):
        from tariffkit import outputs
        from tariffkit.errors import DataError, UsageError

        try:
            with outputs.together():  # a command's outputs are published together at the end, or none
                return super().invoke(ctx)
        except DataError as e:
            self._debug_trace(ctx)
            err(f"tariffkit: error: {cli_words(str(e))}")
            ctx.exit(1)
        except UsageError as e:
            err(f"tariffkit: usage error: {cli_words(str(e))}")
            ctx.exit(2)
        except BrokenPipeError:
            # stdout closed early (e.g. `| head`): not an error for the user.
            try:
                sys.stdout = open(os.devnull, "w")
            except OSError:
                pass
            ctx.exit(0)
        except click.ClickException as e:  # click's own usage errors quote the option's value: never a CPR number
            setattr(e, "message", mask_text(e.message))  # noqa: B010 (click types it Final; it is the message shown)
            raise
        except (click.exceptions.Exit, click.exceptions.Abort):
            raise
        except Terminated:
            err("tariffkit: terminated (SIGTERM); no output was written")
            ctx.exit(143)
        except KeyboardInterrupt:
            err("tariffkit: interrupted; no output was written")
            ctx.exit(130)
        except OSError as e:  # a full disk, a read-only folder, stdout on /dev/full: named, not an internal error
            self._debug_trace(ctx)
            where = f" ({mask_text(str(e.filename))})" if getattr(e, "filename", None) else ""
            err(f"tariffkit: error: cannot write or read{where}: {e.strerror or e}; no output was completed")
            ctx.exit(1)
        except Exception as e:  # an unexpected failure: never a raw traceback unless --debug
            self._debug_trace(ctx)
            err(f"tariffkit: internal error ({type(e).__name__}); nothing was written. Run with --debug for details and report it.")
            ctx.exit(1)

    @staticmethod
    def _debug_trace(ctx: click.Context) -> None:
        root = ctx.find_root()
        if root.obj and root.obj.get("debug"):
            err(mask_text(traceback.format_exc()))


def writable(ctx: click.Context, param: click.Parameter, value):
    """Option callback for an output file: refused before any work when its folder is missing
    or it is a folder (usage error, exit 2)."""
    from tariffkit.outputs import check_target

    try:
        check_target(value, "")
    except ValueError as e:
        raise click.BadParameter(str(e).strip()) from None
    return value


def output_option(help_text: str = "Output Parquet file; default: stdout when it is not a terminal."):
    return click.option("-o", "--output", "output", type=str, default=None, metavar="FILE", help=help_text, callback=writable)


def params_for_provenance(ctx: click.Context) -> dict:
    return {k: v for k, v in ctx.params.items() if k not in ("output",)}


def stdout_console():
    """A rich console on stdout (for tables people read); plain when stdout is not a terminal."""
    from rich.console import Console

    return Console(no_color=bool(os.environ.get("NO_COLOR")) or None, highlight=False, width=None if sys.stdout.isatty() else 160)
