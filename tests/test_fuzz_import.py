"""Fuzzing import-dss with random and mutated files (bounded): never a traceback or an internal
error, never a partial output; a run either succeeds (exit 0, output written) or fails cleanly
(exit 1, nothing written)."""

from conftest import HEADER, SAMPLE
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

SEED_LINES = (SAMPLE / "dss-udtraek-2026-09.csv").read_bytes().splitlines()[:12]


def mutate(data: bytes, ops) -> bytes:
    b = bytearray(data)
    for kind, pos, val in ops:
        if not b:
            b = bytearray(b"x")
        i = pos % len(b)
        if kind == 0:
            b[i] = val
        elif kind == 1:
            del b[i]
        elif kind == 2:
            b.insert(i, val)
        else:
            b[i:i] = b";;\n" if val % 2 else b"\xff\xfe"
    return bytes(b)


def check(run, tmp_path, payload: bytes, suffix=".csv"):
    check_command(run, tmp_path, lambda f: ["import-dss", f], payload, suffix)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 10_000), st.integers(0, 255)), min_size=1, max_size=8))
def test_mutated_extracts(run, tmp_path, ops):
    check(run, tmp_path, mutate(b"\n".join(SEED_LINES) + b"\n", ops))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=400))
@example(data=b"*")  # a header "*" is a wildcard to pl.col: found by this test, now by position
@example(data=b"CPR-nr.;^a$\n1;2\n")
def test_random_bytes(run, tmp_path, data):
    check(run, tmp_path, data)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.text(alphabet=st.sampled_from(list("0123456789;,.-:§ aæøåIntrFbg\n")), max_size=40), max_size=5))
def test_random_rows_under_a_real_header(run, tmp_path, rows):
    check(run, tmp_path, ("\n".join([HEADER, *rows]) + "\n").encode("utf-8"))


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(min_size=4, max_size=300))
def test_random_bytes_named_xlsx(run, tmp_path, data):
    check(run, tmp_path, b"PK\x03\x04" + data, suffix=".xlsx")


# --- the schedule and placement readers (issue 29): the same promises -------------------------

SCHED_LINES = (SAMPLE / "doegnskemaer.csv").read_bytes().splitlines()[:10]
PLACE_LINES = (SAMPLE / "placeringer.csv").read_bytes().splitlines()[:10]


def check_command(run, tmp_path, args_of, payload: bytes, suffix=".csv"):
    f = tmp_path / f"in{suffix}"
    f.write_bytes(payload)
    out = tmp_path / "out.parquet"
    if out.exists():
        out.unlink()
    r = run(*args_of(f), "-o", out)
    assert r.exit_code in (0, 1), r.stderr
    assert "internal error" not in r.stderr and "Traceback" not in r.stderr, r.stderr
    if r.exit_code == 1:
        assert "tariffkit: error:" in r.stderr and not out.exists()
    else:
        assert out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
    import re

    assert not re.search(r"(?<!\d)\d{6}-?\d{4}(?!\d)", r.stderr + r.stdout), "a CPR-shaped value in a message"


def reassign_args(f):
    return ["reassign", f, "--structure", SAMPLE / "levels.toml"]


def occupancy_args(f):
    return ["occupancy", f, "--year", "2026"]


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 10_000), st.integers(0, 255)), min_size=1, max_size=8))
def test_mutated_schedules(run, tmp_path, ops):
    check_command(run, tmp_path, reassign_args, mutate(b"\n".join(SCHED_LINES) + b"\n", ops))


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 10_000), st.integers(0, 255)), min_size=1, max_size=8))
def test_mutated_placements(run, tmp_path, ops):
    check_command(run, tmp_path, occupancy_args, mutate(b"\n".join(PLACE_LINES) + b"\n", ops))


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=300))
def test_random_bytes_as_schedule_and_placements(run, tmp_path, data):
    check_command(run, tmp_path, reassign_args, data)
    check_command(run, tmp_path, occupancy_args, data)
