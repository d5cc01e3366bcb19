"""volpass --scheme kfp against the reference rewriter, on every corpus file,
compared as data (YAML and JSON output), with the same warnings and refusals."""
import collections
import os
import re
import threading

import goyaml
import reference
from harness import VOLUME_DATA, expect

# Files volpass refuses although PyYAML (and so the reference) reads them.
LOAD_REFUSALS = {
    "k8s-patch-json-workflow.yaml": (3, ":13:3: error: duplicate key 'annotations'"),
}

WARNING = re.compile(r"Detected different artifact file names: \[(.*)\]\. (.*)")


def _warning_parts(text):
    m = WARNING.search(text)
    return (frozenset(m.group(1).split(", ")), m.group(2)) if m else None


def _expected(docs):
    """(documents, warnings) or the exception the reference raised."""
    out, warned = [], []
    for doc in docs:
        try:
            d, w = reference.rewrite_document(doc, VOLUME_DATA)
        except (NotImplementedError, KeyError) as e:
            return e
        out.append(d)
        warned += w
    return out, warned


def check_file(ctx, path):
    """Returns "equal" or "refused"; raises when volpass and the reference disagree."""
    base = os.path.basename(path)
    if base in LOAD_REFUSALS:
        code, words = LOAD_REFUSALS[base]
        proc = ctx.rewrite(path, "--scheme", "kfp")
        expect(proc.returncode == code and words in proc.stderr and proc.stdout == "",
               f"wanted exit {code} and '{words}', got {proc.returncode}: {proc.stderr}")
        return "refused"
    with open(path) as f:
        text = f.read()
    expected = _expected(reference.load_all(text))
    # JSON holds what Argo reads (go-yaml's types, not PyYAML's): the JSON
    # output is compared with the reference's rewrite of the input read so.
    expected_go = _expected(goyaml.load_all(text))
    # Under valgrind every run costs a second: JSON output is covered by the
    # unit and CLI tests there, so the differential run stays with YAML.
    for fmt in ("yaml",) if ctx.wrapper else ("yaml", "json"):
        proc = ctx.rewrite(path, "--scheme", "kfp", "--format", fmt)
        if isinstance(expected, Exception):
            # The reference refuses constant artifact arguments and crashes on
            # fromExpression outputs (KeyError 'from'): volpass refuses both.
            expect(proc.returncode == 4, f"reference raised {expected!r}; volpass exit {proc.returncode}")
            expect(proc.stdout == "", "output written despite the refusal")
            want = "constant" if isinstance(expected, NotImplementedError) else "fromExpression"
            expect(want in proc.stderr and re.search(r":\d+:\d+: error: template '|spec.arguments", proc.stderr),
                   f"unclear refusal: {proc.stderr}")
            continue
        docs, warned = expected
        expect(proc.returncode == 0, f"exit {proc.returncode}: {proc.stderr}")
        if fmt == "yaml":
            same = reference.load_all(proc.stdout) == docs
        else:
            same = goyaml.same(goyaml.json_documents(proc.stdout), expected_go[0])
        expect(same, f"{fmt} output differs from the reference's")
        got_warnings = [_warning_parts(line) for line in proc.stderr.splitlines() if "warning:" in line]
        expect(got_warnings == [_warning_parts(w) for w in warned],
               f"warnings differ: {proc.stderr!r} vs {warned!r}")
    return "refused" if isinstance(expected, Exception) else "equal"


_counts = collections.Counter()
_lock = threading.Lock()


def _record(ctx, path):
    outcome = check_file(ctx, path)
    with _lock:  # cases run on several threads
        _counts[outcome] += 1


# Hand-written inputs for corners of the reference the corpus does not reach.
CASES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "kfp")


def _case(ctx, path):
    outcome = check_file(ctx, path)
    expect(outcome == "equal", f"{outcome}, not equal to the reference")


def tests(ctx):
    cases = [(f"differential:{os.path.relpath(p, reference.CORPUS)}", lambda p=p: _record(ctx, p))
             for p in reference.corpus_files()]
    return cases + [(f"differential:kfp/{name}", lambda p=os.path.join(CASES, name): _case(ctx, p))
                    for name in sorted(os.listdir(CASES))]


def summary():
    total = len(reference.corpus_files())
    print(f"differential: {_counts['equal']} corpus files equal to the reference, "
          f"{_counts['refused']} refused as expected, of {total}")
    expect(_counts["equal"] + _counts["refused"] == total, "not every corpus file was compared")
