"""The contract by execution: the original and volpass's output run in a model
of Argo (simulate.py), and every pod of the output must read, at each of
its input artifact paths, what the original's pod reads there. Inputs: the
hand-written cases, Argo's examples that hold artifacts, and generated
pipelines (bench/gen.py: dag and steps, fan-out and fan-in, other file
names, sources of their own, a stream of WorkflowTemplates)."""
import collections
import os
import re
import subprocess
import sys
import threading

import reference
import simulate
import expr
import generate
from expr import Unsupported
from harness import expect
from test_volume import CASES, CONTAINER_SETS, PVC, passing_workflow, run_text

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SOURCE = {"persistentVolumeClaim": {"claimName": "pvc"}}
GENERATED = [(f"gen {n} templates, seed {seed}", [str(n), "--seed", str(seed), "--group", "6"])
             for n, seed in ((20, 1), (40, 2), (60, 3), (120, 4))] + \
            [("gen stream of 12 documents", ["12", "--documents"])]

_outcomes = collections.defaultdict(list)
_lock = threading.Lock()


def _note(kind, name):
    with _lock:
        _outcomes[kind].append(name)


def check_text(ctx, name, text, refusal="error:"):
    """Converts text and compares the two runs; returns what happened. A
    refusal must exit 3 or 4 and say why, in a message matching the
    regular expression `refusal`."""
    proc = run_text(ctx, name, text)
    if proc.returncode != 0:
        expect(proc.returncode in (3, 4) and re.search(refusal, proc.stderr),
               f"exit {proc.returncode}: {proc.stderr}")
        return "refused"
    original, converted = reference.load_all(text), reference.load_all(proc.stdout)
    try:
        problems, runs = simulate.compare(original, converted, SOURCE)
    except Unsupported as e:
        return f"not modelled: {e}"
    except simulate.RunError as e:
        return f"the original fails: {e}"
    expect(not problems, "\n  ".join(problems[:10]))
    return "same reads" if runs else "nothing to run"


def _file_case(ctx, path):
    def run():
        with open(path) as f:
            outcome = check_text(ctx, os.path.basename(path), f.read())
        _note(outcome, os.path.basename(path))
    return run


def _generated_case(ctx, name, args):
    def run():
        text = _generate(args)
        outcome = check_text(ctx, "generated.yaml", text)
        expect(outcome == "same reads", f"{name}: {outcome}")  # gen.py writes only what the model knows
        _note(outcome, name)
    return run


def _generate(args):
    return subprocess.run([sys.executable, os.path.join(ROOT, "bench", "gen.py")] + args, check=True,
                          capture_output=True, text=True).stdout




SIMPLE = passing_workflow("simple-") + """  - name: produce
    container: {image: busybox, command: [sh, -c, "echo hi > /tmp/out/data.txt"]}
    outputs: {artifacts: [{name: out, path: /tmp/out/data.txt}]}
  - name: consume
    inputs: {artifacts: [{name: in, path: /in/data.txt}]}
    container: {image: busybox, command: [cat, /in/data.txt]}
"""


# a consumer reading under another file name than its producer wrote
NAMES = SIMPLE.replace("/tmp/out/data.txt", "/tmp/out/result.txt")


def _inline_producer(templates):
    [task] = [t for t in templates["main"]["dag"]["tasks"] if t["name"] == "gen"]
    task["inline"] = {k: v for k, v in templates["produce"].items() if k != "name"}
    del task["template"]


# Breaks of volpass's output of SIMPLE (by its templates), and what the simulation says of each.
SIMPLE_BREAKS = {
    "a writable consumer mount": (lambda t: t["consume"]["container"]["volumeMounts"][0].update(readOnly=False),
                                  "reads /in/data.txt through a writable mount on /in/data.txt"),
    "a template's own volume of the name": (
        lambda t: t["consume"].update(volumes=[{"name": "data-storage", "emptyDir": {}}]),
        "pod main/use reads /in/data.txt: None instead of ('file', 'main/gen', '/tmp/out/data.txt')"),
    "a subPath with ..": (lambda t: t["consume"]["container"]["volumeMounts"][0].update(subPath="../x"),
                          "the converted run fails: pod main/use: the mount on /in/data.txt has subPath '../x'"),
    "an unresolved tag in a subPath": (
        lambda t: t["consume"]["container"]["volumeMounts"][0].update(subPath="{{inputs.parameters.nothing}}"),
        "the mount on /in/data.txt has subPath '{{inputs.parameters.nothing}}'"),
    "an input artifact where a mount is": (
        lambda t: t["consume"]["inputs"].update(artifacts=[{"name": "x", "path": "/in/data.txt", "raw": {"data": "x"}}]),
        "pod main/use: a mount on /in/data.txt, which another mount or an input artifact takes"),
    "{{pod.name}} in an inline template": (_inline_producer,
                                           "the converted run fails: Argo refuses {{pod.name}} in the inline template"),
}


def test_catches_breaks(ctx):
    """The simulation sees a broken hand-off: the reference's rewrite (the kfp
    scheme) where file names differ, a producer's mount moved, the volume
    left out, a containerSet's pod without a volume of its own, and the
    breaks of SIMPLE_BREAKS."""
    kfp = run_text(ctx, "names.yaml", NAMES, "--scheme", "kfp")
    expect(kfp.returncode == 0, kfp.stderr)
    problems, _ = simulate.compare(reference.load_all(NAMES), reference.load_all(kfp.stdout), SOURCE)
    expect(problems == ["document 1: pod main/use reads /in/data.txt: None instead of ('file', 'main/gen', "
                        "'/tmp/out/result.txt')"], f"the reference's fault is not seen: {problems}")
    text = _generate(["20", "--group", "6"])
    original = reference.load_all(text)
    kfp = run_text(ctx, "generated.yaml", text, "--scheme", "kfp")
    problems, _ = simulate.compare(original, reference.load_all(kfp.stdout), SOURCE)
    expect(problems and "input parameter 'config-subpath' was not supplied" in problems[0],
           f"the reference's loss of an input's own source is not seen: {problems[:1]}")
    converted = run_text(ctx, "generated.yaml", text).stdout
    # the producer mount of /tmp/out/features moved: what its consumers read is not there
    moved = converted.replace("subPath: artifact_data/{{workflow.uid}}/{{pod.name}}/features\n",
                              "subPath: elsewhere/{{pod.name}}/features\n")
    expect(moved != converted, "no producer mount to move")
    problems, _ = simulate.compare(original, reference.load_all(moved), SOURCE)
    expect(problems and all(": None instead of ('file', " in p and "/tmp/out/features/" in p for p in problems),
           f"a moved producer mount is not seen: {problems[:3]}")
    # a containerSet's pod gets no workflow volume its containers' own mounts name: it needs its own
    sets = run_text(ctx, "sets.yaml", CONTAINER_SETS).stdout
    own = "    - name: data-storage\n      persistentVolumeClaim: {claimName: pvc}\n  volumes:\n"
    expect(own in sets, "the containerSet template has no volume of its own")
    without = reference.load_all(sets.replace(own, "  volumes:\n"))
    problems, _ = simulate.compare(reference.load_all(CONTAINER_SETS), without, SOURCE)
    expect(problems and "volume 'data-storage', which the pod lacks" in problems[0], f"not seen: {problems[:1]}")
    no_volume = reference.load_all(converted)
    del no_volume[0]["spec"]["volumes"]
    problems, _ = simulate.compare(original, no_volume, SOURCE)
    expect(problems and "the converted run fails" in problems[0] and "which the pod lacks" in problems[0],
           f"a missing volume is not seen: {problems[:1]}")
    for name, (mutate, seen) in SIMPLE_BREAKS.items():
        docs = reference.load_all(run_text(ctx, "simple.yaml", SIMPLE).stdout)
        mutate({t["name"]: t for t in docs[0]["spec"]["templates"]})
        problems, _ = simulate.compare(reference.load_all(SIMPLE), docs, SOURCE)
        expect(len(problems) == 1 and seen in problems[0], f"{name}: {problems}")
    try:
        expr.evaluate("tasks.gen-a.outputs.parameters.x", {"tasks": {"gen-a": {}}})
        expect(False, "tasks.gen-a read as one name, where expr-lang subtracts")
    except expr.ExprError:
        pass


CLAIM = "{accessModes: [ReadWriteMany], resources: {requests: {storage: 1Gi}}}"


def _claim_source(original, converted):
    """The volume the run's claim makes: of the claim template volpass added
    (named after the run), if it added one (none when nothing converts)."""
    before = {c["metadata"]["name"] for c in simulate._list(original, "spec", "volumeClaimTemplates")}
    added = [c["metadata"]["name"] for c in simulate._list(converted, "spec", "volumeClaimTemplates")
             if c["metadata"]["name"] not in before]
    return {"persistentVolumeClaim": {"claimName": f"{simulate.NAME}-{name}"} for name in added[:1]}


def test_claim_templates(ctx):
    """With --volume-claim-template, the run's own claim carries the data: the
    workflow's volume Argo makes of the claim template, and a containerSet
    template's own volume, which names the claim after the run."""
    converted = 0
    texts = [SIMPLE, NAMES, CONTAINER_SETS] + [generate.workflow(seed) for seed in range(40)]
    for i, text in enumerate(texts):
        proc = run_text(ctx, "claim.yaml", text, volume=("--volume-claim-template", CLAIM))
        if proc.returncode != 0:
            expect(i >= 3 and proc.returncode in (3, 4), f"case {i}: exit {proc.returncode}: {proc.stderr}")
            continue
        original, rewritten = reference.load_all(text), reference.load_all(proc.stdout)
        problems, runs = simulate.compare(original, rewritten, _claim_source(original[0], rewritten[0]))
        expect(not problems, f"case {i}: {problems[:3]}")
        converted += runs
    expect(converted >= 20, f"only {converted} of {len(texts)} cases ran")


def _has_artifacts(path):
    with open(path) as f:
        return "artifacts:" in f.read()


def summary():
    by_kind = collections.Counter()
    for kind, names in _outcomes.items():
        by_kind[kind.split(":")[0]] += len(names)
    print("simulated runs: " + ", ".join(f"{n} {kind}" for kind, n in sorted(by_kind.items())))
    unmodelled = collections.Counter(k for k in _outcomes if k.startswith(("not modelled", "the original fails")))
    for kind in sorted(unmodelled):
        print(f"  {kind}: {', '.join(sorted(_outcomes[kind]))}")
    expect(len(_outcomes["same reads"]) >= len(GENERATED), "the generated pipelines did not all run")


def tests(ctx):
    # With --corpus-every N (CI's valgrind pass), the hand-written cases are sampled alike
    # (most are test_volume's inputs too, which it runs whole).
    files = sorted(os.path.join(CASES, n) for n in os.listdir(CASES) if n.endswith(".yaml"))[::reference.CORPUS_EVERY]
    files += [p for p in reference.corpus_files() if _has_artifacts(p)]
    cases = [(f"simulate:{os.path.relpath(p, ROOT if p.startswith(ROOT) else reference.CORPUS)}", _file_case(ctx, p))
             for p in files]
    cases += [(f"simulate:{name}", _generated_case(ctx, name, args)) for name, args in GENERATED]
    cases.append(("simulate:sees broken hand-offs", lambda: test_catches_breaks(ctx)))
    cases.append(("simulate:claim templates", lambda: test_claim_templates(ctx)))
    return cases
