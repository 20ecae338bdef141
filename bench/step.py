"""One tariffkit command, timed: its wall time and peak memory (max RSS) are appended as a JSON
line to the file named by $TARIFFKIT_BENCH_LOG. The harness runs the sample Makefile with
TARIFFKIT="python bench/step.py" to time the whole pipeline step by step."""

import json
import os
import subprocess
import sys
import time

t = time.perf_counter()
p = subprocess.Popen([sys.executable, "-m", "tariffkit", *sys.argv[1:]])
_, status, usage = os.wait4(p.pid, 0)
wall = time.perf_counter() - t
with open(os.environ["TARIFFKIT_BENCH_LOG"], "a", encoding="utf-8") as f:
    f.write(json.dumps({"args": sys.argv[1:], "wall": round(wall, 3), "mb": round(usage.ru_maxrss / 1024)}) + "\n")
sys.exit(os.waitstatus_to_exitcode(status))
