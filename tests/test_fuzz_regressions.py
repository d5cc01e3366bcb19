"""Every input a fuzzer once crashed on (fuzz/regressions/TARGET/), run through
that target's logic without libFuzzer (fuzz/driver.c, built by `make` as
BUILD/fuzz-regress/TARGET): none may crash, abort or leak again."""
import os
import subprocess

from harness import expect

HERE = os.path.dirname(os.path.abspath(__file__))
REGRESSIONS = os.path.join(os.path.dirname(HERE), "fuzz", "regressions")
TARGETS = ("fuzz_load", "fuzz_volume", "fuzz_rewrite")


def _run(ctx, target):
    driver = os.path.join(ctx.build, "fuzz-regress", target)
    expect(os.path.exists(driver), f"{driver} is missing: run make")
    folder = os.path.join(REGRESSIONS, target)
    inputs = sorted(os.path.join(folder, f) for f in os.listdir(folder)) if os.path.isdir(folder) else []
    proc = subprocess.run(ctx.wrapper + [driver] + inputs, capture_output=True, text=True, timeout=600)
    expect(proc.returncode == 0 and f"{len(inputs)} inputs run" in proc.stdout,
           f"{target}: exit {proc.returncode}\n{proc.stderr[-3000:]}")


def tests(ctx):
    return [(f"fuzz-regressions:{t}", (lambda t=t: _run(ctx, t))) for t in TARGETS]
