"""volpass --scheme kfp against the reference rewriter, on every corpus file,
compared as data (YAML and JSON output), with the same warnings and refusals."""
import collections
import os
import re
import tempfile
import threading

import goyaml
import reference
from harness import VOLUME, VOLUME_DATA, expect

# Files volpass refuses although PyYAML (and so the reference) reads them.
LOAD_REFUSALS = {
    "k8s-patch-json-workflow.yaml": (3, ":13:3: error: duplicate key 'annotations'"),
}

WARNING = re.compile(r"Detected different artifact file names: \[(.*)\]\. (.*)")
OWN_WARNING = re.compile(r":\d+:\d+: warning: .*, as the reference does.* \(the volume scheme (converts it|refuses it, "
                         r"saying why)\)$")


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
        # The reference's one warning, as it gives it; volpass's own name a
        # fault of the reference's rewrite (test_verify checks them).
        lines = [line for line in proc.stderr.splitlines() if "warning:" in line]
        got_warnings = [_warning_parts(line) for line in lines if WARNING.search(line)]
        expect(got_warnings == [_warning_parts(w) for w in warned],
               f"warnings differ: {proc.stderr!r} vs {warned!r}")
        expect(all(WARNING.search(line) or OWN_WARNING.search(line) for line in lines),
               f"a warning of neither kind: {proc.stderr!r}")
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


# kfp/faults.yaml: the warning each fault of the reference's rewrite draws, by line.
FAULT_WARNINGS = [
    (11, "template 'consume': a volume named data-storage is there already, which Argo gives its pod"),
    (17, "task 'set': the kfp scheme leaves template 'set-produce' as it is (a containerSet)"),
    (18, "task 'inl': the kfp scheme leaves template 'inl' as it is (an inline template)"),
    (34, "c.hooks.exit: the kfp scheme leaves artifact argument 'x' of a hook or exit handler as it is"),
    (35, "c.hooks.exit: the kfp scheme leaves artifact argument 'z' of a hook or exit handler as it is"),
    (43, "task 'odd': artifact argument 'in' has subPath 'part', which the kfp scheme drops"),
    (44, "task 'odd': artifact argument 'opt' takes '{{ tasks.o.outputs.artifacts.w }}', whose space before"),
    (43, "task 'odd': artifact 'in' becomes parameter 'in-subpath', which is there already"),
    (57, "artifacts 'x' and 'z' are both in /tmp/inputs/x, where the kfp scheme mounts the volume twice"),
    (52, "template 'consume' names its own artifacts ('{{inputs.artifacts.x.path}}')"),
    (56, "template 'consume': artifact 'x' becomes parameter 'x-subpath', which is there already"),
    (64, "input artifact 'r' has a source of its own (raw), which the kfp scheme replaces with the volume"),
    (67, "output artifact 'g' has globalName 'global-g', which the kfp scheme drops"),
    (68, "artifact 'w' is in /work, where the container mounts a volume already"),
    (76, "input artifact 'in' at /in has no directory of its own, so the kfp scheme mounts the volume at '/'"),
    (76, "input artifact 'in' sets mode, which is lost with the mount"),
    # hooks.succeeded leaves 'opt' out; every call passes line 86's 'maybe', which draws nothing
    (77, "optional input artifact 'opt' becomes the parameter opt-subpath, which the kfp scheme makes required"),
    (80, "output artifact 'rel' at rel.txt has no directory of its own, so the kfp scheme mounts the volume at ''"),
    (81, "artifact 'scratch' is in /scratch, where the container mounts a volume already"),
    (70, "template 'odd-paths': a volume named data-storage is there already"),
    (91, "spec.hooks.running: the kfp scheme leaves artifact argument 'x' of a hook or exit handler as it is"),
    (95, "spec.hooks.succeeded: the kfp scheme leaves artifact argument 'in' of a hook or exit handler as it is"),
    (99, "spec.hooks.failed: the kfp scheme leaves artifact argument 'maybe' of a hook or exit handler as it is"),
    (14, "Detected different artifact file names: [data, data2, in, rel.txt, out.txt]"),
]


def _graph_source(ctx):
    """A dag or steps template's input with a source of its own becomes, as
    the reference makes it, a parameter nothing gives: warned of, and verify
    finds the output broken."""
    path = os.path.join(CASES, "graph-source.yaml")
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "out.yaml")
        proc = ctx.run(["--scheme", "kfp", "--input", path, "--output", out, "--volume", VOLUME])
        expect(proc.returncode == 0 and proc.stderr.count("warning:") == 1 and "graph-source.yaml:12:9: warning: "
               "template 'main': input artifact 'x' has a source of its own (raw), which the kfp scheme replaces with "
               "the parameter x-subpath, as the reference does: nothing gives it a value" in proc.stderr, proc.stderr)
        expect(ctx.run(["verify", path, out]).returncode == 1, "verify finds nothing wrong")


def _faults_warned(ctx):
    """Each fault the kfp scheme shares with the reference draws a warning
    that names it, and verify finds the output broken."""
    path = os.path.join(CASES, "faults.yaml")
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "out.yaml")
        proc = ctx.run(["--scheme", "kfp", "--input", path, "--output", out, "--volume", VOLUME])
        expect(proc.returncode == 0, proc.stderr)
        got = sorted((int(m.group(1)), m.group(2)) for m in re.finditer(r"faults\.yaml:(\d+):\d+: warning: (.*)",
                                                                           proc.stderr))
        expect([line for line, _ in got] == sorted(line for line, _ in FAULT_WARNINGS), proc.stderr)
        for line, phrase in FAULT_WARNINGS:
            expect(any(at == line and phrase in text for at, text in got), f"line {line}: no '{phrase}'")
        expect(ctx.run(["verify", path, out]).returncode == 1, "verify finds nothing wrong")


def _other_kind(ctx):
    """A document of another kind with spec.templates, which the reference
    rewrites as a workflow, passes through, with a warning that says so."""
    text = """apiVersion: example.com/v1
kind: Pipeline
metadata: {name: p}
spec:
  templates:
  - name: gen
    container: {image: alpine}
    outputs: {artifacts: [{name: out, path: /tmp/out}]}
"""
    [doc] = reference.load_all(text)
    rewritten, _ = reference.rewrite_spec(doc["spec"], VOLUME_DATA, None)  # as the reference takes any document
    expect("volumes" in rewritten, "the reference leaves the document as it is")
    proc = ctx.run(["--scheme", "kfp", "--volume", VOLUME], stdin=text)
    expect(proc.returncode == 0 and proc.stdout == text and proc.stderr == "<stdin>:2:7: warning: a document of "
           "kind 'Pipeline' is no Argo workflow: the kfp scheme leaves it as it is, where the reference rewrites "
           "any document with spec.templates\n", proc.stderr)


def tests(ctx):
    cases = [(f"differential:{os.path.relpath(p, reference.CORPUS)}", lambda p=p: _record(ctx, p))
             for p in reference.corpus_files()]
    return cases + [(f"differential:kfp/{name}", lambda p=os.path.join(CASES, name): _case(ctx, p))
                    for name in sorted(os.listdir(CASES))] + [("differential:faults-warned", lambda: _faults_warned(ctx)),
                                                              ("differential:graph-source", lambda: _graph_source(ctx)),
                                                              ("differential:other-kind", lambda: _other_kind(ctx))]


def summary():
    total = len(reference.corpus_files())
    print(f"differential: {_counts['equal']} corpus files equal to the reference, "
          f"{_counts['refused']} refused as expected, of {total}")
    expect(_counts["equal"] + _counts["refused"] == total, "not every corpus file was compared")
