"""The docs are generated from the code, and say what the code does."""

from conftest import ROOT
from tariffkit.cli import cli
from tariffkit.docgen import commands_markdown


def test_command_reference_matches_help():
    doc = (ROOT / "docs" / "commands.md").read_text(encoding="utf-8")
    assert doc == commands_markdown(), "docs/commands.md is stale: run `python -m tariffkit.docgen > docs/commands.md`"


def test_every_command_is_documented_in_docs_and_readme():
    ref = (ROOT / "docs" / "commands.md").read_text(encoding="utf-8")
    for name in cli.commands:
        assert f"## `tariffkit {name}`" in ref, name


def test_readme_quick_start_is_two_commands():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("## Quick start", 1)[1].split("```", 2)[1]
    cmds = [l for l in block.splitlines()[1:] if l.strip() and not l.strip().startswith("#")]
    assert cmds == ["make demo", "make test"]
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in ci, ".ci/run must run the README's test command"
