"""The benchmark runs end to end on its smallest size (timing itself is not
tested: it belongs to `make bench`)."""
import os
import subprocess
import sys

from harness import expect

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_bench_smoke(ctx):
    if ctx.instrumented:
        return  # timing a sanitized or valgrind build means nothing
    proc = subprocess.run([sys.executable, os.path.join(ROOT, "bench", "run.py"), "--build", ctx.build, "--smoke"],
                          capture_output=True, text=True, cwd=ROOT, timeout=600)
    expect(proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:])
    for row in ("floor", "volpass --scheme kfp", "volpass --scheme volume", "volpass / floor", "in one process: load",
                "libyaml's part", "== a stream of 100 WorkflowTemplates", "µs/document"):
        expect(row in proc.stdout, f"the table lacks '{row}':\n{proc.stdout[-2000:]}")


def tests(ctx):
    return [("bench:smoke", lambda: test_bench_smoke(ctx))]
