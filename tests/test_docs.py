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
    cmds = [line for line in block.splitlines()[1:] if line.strip() and not line.strip().startswith("#")]
    assert cmds == ["make demo", "make test"]
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in ci, ".ci/run must run the README's test command"


def _console_blocks(text):
    """(command, expected output lines) for every `$ ` line in ```console blocks."""
    out = []
    for block in text.split("```console\n")[1:]:
        body = block.split("```", 1)[0]
        cmd, expected = None, []
        for line in body.splitlines():
            if line.startswith("$ "):
                if cmd:
                    out.append((cmd, expected))
                cmd, expected = line[2:], []
            elif line.strip() and line.strip() != "…":
                expected.append(line)
        if cmd:
            out.append((cmd, expected))
    return out


def test_tutorial_commands_run_and_show_real_output(sample_out, tmp_path):
    import subprocess
    import sys

    out, _ = sample_out
    work = tmp_path / "sample"
    work.mkdir()
    for f in ROOT.joinpath("sample-data").iterdir():
        if f.is_file():
            (work / f.name).symlink_to(f)
    (work / "out").symlink_to(out)
    text = (ROOT / "docs" / "tutorials.md").read_text(encoding="utf-8")
    steps = _console_blocks(text)
    assert len(steps) >= 8
    tk = f"{sys.executable} -m tariffkit"
    for cmd, expected in steps:
        shell = cmd.replace("tariffkit ", tk + " ")
        r = subprocess.run(shell, shell=True, cwd=work, capture_output=True, text=True)
        assert r.returncode == 0, (cmd, r.stderr)
        seen = r.stdout + r.stderr
        for line in expected:
            assert line.strip() in seen, (cmd, line)


def test_cookbook_python_example_runs(sample_out, monkeypatch):
    out, _ = sample_out
    text = (ROOT / "docs" / "cookbook.md").read_text(encoding="utf-8")
    code = text.split("```python\n", 1)[1].split("```", 1)[0]
    monkeypatch.chdir(ROOT)
    code = code.replace("sample-data/out/", str(out) + "/")
    exec(compile(code, "cookbook.md", "exec"), {})


def test_cookbook_mapping_example_is_accepted(tmp_path):
    import tomllib

    from tariffkit.dss import Mapping, init_mapping_toml

    text = (ROOT / "docs" / "cookbook.md").read_text(encoding="utf-8")
    change = tomllib.loads(text.split("```toml\n", 1)[1].split("```", 1)[0])
    base = tomllib.loads(init_mapping_toml())
    for k, v in change.items():
        base[k] = {**base.get(k, {}), **v} if isinstance(v, dict) else v
    m = Mapping.from_dict(base)
    assert m.encoding == "latin-1" and m.columns["cpr"] == "Cpr nr"


def test_cookbook_monthly_script_is_the_tested_one_and_valid_shell():
    import subprocess

    text = (ROOT / "docs" / "cookbook.md").read_text(encoding="utf-8")
    script = text.split("```sh\n", 1)[1].split("```", 1)[0]
    assert script == (ROOT / "docs" / "monthly.sh").read_text(encoding="utf-8"), "the cookbook shows docs/monthly.sh (tests/test_history.py runs it)"
    assert subprocess.run(["sh", "-n"], input=script, text=True).returncode == 0


def test_api_notebook_example_runs(sample_out, monkeypatch):
    import tariffkit

    out, _ = sample_out
    text = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    blocks = [b.split("```", 1)[0] for b in text.split("```python\n")[1:]]
    assert len(blocks) >= 3
    monkeypatch.chdir(ROOT)
    names: dict = {}
    for code in blocks:  # in order, in one namespace, as a notebook's cells
        exec(compile(code.replace("sample-data/out/", str(out) + "/"), "api.md", "exec"), names)
    budget = names["budget"]
    assert budget.height and set(budget["offer_id"]) == set(names["costs"]["offer_id"]), "the offer model ran for every offer"
    assert names["run"].citizens.height and names["run"].problems.height == 0, "the re-placement placed the sample's citizens"
    for name in tariffkit.__all__:  # every name the API promises resolves, with a docstring
        obj = getattr(tariffkit, name)
        assert name == "__version__" or obj.__doc__, name
