#!/usr/bin/env python3
"""Runs the whole test suite: the C unit tests, then every tests/test_*.py
module. Prints one line per failure and a closing "N passed, N failed"."""
import argparse
import concurrent.futures
import importlib
import os
import re
import subprocess
import sys
import tempfile
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import harness  # noqa: E402
import reference  # noqa: E402


# A locale whose decimal point is ',', "comma", for the unit test that numbers
# come out alike whatever the locale of a program linking volpass. Made with
# localedef (libc-bin) from the definitions below alone; -c writes it despite
# the categories it leaves out, which localedef warns of (exit status 1).
COMMA_LOCALE = """comment_char %
escape_char /
LC_CTYPE
END LC_CTYPE
LC_NUMERIC
decimal_point "<U002C>"
thousands_sep "<U002E>"
grouping 3;3
END LC_NUMERIC
"""
ASCII_CHARMAP = "<code_set_name> ASCII-FOR-TESTS\n<comment_char> %\n<escape_char> /\n<mb_cur_min> 1\n" \
    "<mb_cur_max> 1\nCHARMAP\n" + "".join(f"<U{c:04X}> /x{c:02x}\n" for c in range(128)) + "END CHARMAP\n"


def make_comma_locale(directory):
    """The LOCPATH directory holding the locale "comma"."""
    for name, text in (("comma.def", COMMA_LOCALE), ("ascii.charmap", ASCII_CHARMAP)):
        with open(os.path.join(directory, name), "w") as f:
            f.write(text)
    out = os.path.join(directory, "locales")
    os.mkdir(out)
    subprocess.run(["localedef", "-c", "-i", os.path.join(directory, "comma.def"), "-f",
                    os.path.join(directory, "ascii.charmap"), os.path.join(out, "comma")], capture_output=True)
    return out


def write_documents(directory):
    """Documents for the unit tests' writing in halves (test_halves.c), besides
    the corpus and tests/data: random ones full of comments, random workflows
    whose artifacts carry comments, and a generated pipeline of 300 templates."""
    import comments_gen
    for seed in range(0, 300, 3):
        for name, text in ((f"doc-{seed}.yaml", comments_gen.document(seed)),
                           (f"workflow-{seed}.yaml", comments_gen.workflow(seed))):
            with open(os.path.join(directory, name), "w") as f:
                f.write(text)
    subprocess.run([sys.executable, os.path.join(HERE, "..", "bench", "gen.py"), "300", "-o",
                    os.path.join(directory, "pipeline.yaml")], check=True)


def run_unit(ctx):
    with tempfile.TemporaryDirectory() as d:
        documents = os.path.join(d, "documents")
        os.mkdir(documents)
        write_documents(documents)
        cmd = ctx.wrapper + [os.path.join(ctx.build, "unit-tests"), reference.CORPUS, os.path.join(HERE, "data"),
                             documents]
        env = dict(os.environ, LOCPATH=make_comma_locale(d),
                   LSAN_OPTIONS="suppressions=" + os.path.join(HERE, "lsan.supp"))
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    m = re.search(r"^unit: (\d+) passed, (\d+) failed$", proc.stdout, re.M)
    if proc.returncode != 0 or not m:
        sys.stdout.write(proc.stdout + proc.stderr)
    passed, failed = (int(m.group(1)), int(m.group(2))) if m else (0, 1)
    if proc.returncode != 0 and failed == 0:
        failed = 1  # a crash or a valgrind report
    print(f"unit tests (C): {passed} checks passed, {failed} failed")
    return passed, failed


def run_case(fn):
    """None when fn passes, else what went wrong."""
    try:
        fn()
        return None
    except AssertionError as e:
        return str(e)
    except Exception:  # an unexpected error is a failure too, with its traceback
        return traceback.format_exc()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--wrapper", default="", help="command to run volpass under, e.g. valgrind")
    ap.add_argument("-k", default="", help="run only tests whose name contains this")
    ap.add_argument("--instrumented", action="store_true", help="volpass is built with sanitizers")
    ap.add_argument("--slowest", type=int, default=0, metavar="N", help="list the N slowest tests at the end")
    ap.add_argument("--every-test", type=int, default=1, metavar="N",
                    help="run every Nth test of each file only (in its order), for a slow wrapper: CI's valgrind "
                         "pass, after a full pass under ASan (checks over a whole file's tests are left out)")
    ap.add_argument("--corpus-every", type=int, default=1, metavar="N",
                    help="run the tests over Argo's examples, and the simulation over the hand-written "
                         "cases and generated workflows, on every Nth only (in sorted order)")
    args = ap.parse_args()
    if args.corpus_every < 1 or args.every_test < 1:
        ap.error("--corpus-every and --every-test take a whole number from 1")
    reference.CORPUS_EVERY = args.corpus_every
    if args.corpus_every > 1:
        print(f"Argo's examples: every {args.corpus_every}th, {len(reference.corpus_files())} files")
    ctx = harness.Context(args.build, args.wrapper, args.instrumented)

    passed, failed = run_unit(ctx) if not args.k else (0, 0)
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2)
    durations = []

    def timed(case):
        started = time.time()
        error = run_case(case[1])
        return case[0], error, time.time() - started

    for name in sorted(os.listdir(HERE)):
        if not (name.startswith("test_") and name.endswith(".py")):
            continue
        module = importlib.import_module(name[:-3])
        started, p0, f0 = time.time(), passed, failed
        cases = [(n, fn) for n, fn in module.tests(ctx) if args.k in n][::args.every_test]
        # Cases are independent processes: run them side by side, report in order.
        for test_name, error, seconds in pool.map(timed, cases):
            durations.append((seconds, test_name))
            if error is None:
                passed += 1
            else:
                failed += 1
                print(f"FAIL {test_name}: {error}")
        # checks over all cases, run after them: not over a part (-k, --every-test)
        if cases and not args.k and args.every_test == 1 and hasattr(module, "summary"):
            error = run_case(module.summary)
            passed, failed = (passed + 1, failed) if error is None else (passed, failed + 1)
            if error is not None:
                print(f"FAIL {name} summary: {error}")
        print(f"{name}: {passed - p0} passed, {failed - f0} failed ({time.time() - started:.1f}s)")
    for seconds, test_name in sorted(durations, reverse=True)[:args.slowest]:
        print(f"{seconds:8.1f}s  {test_name}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
