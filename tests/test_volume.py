"""The volume scheme (the default): every corpus file converts with every
hand-off preserved, as verify sees it, and validates against Argo's schema,
or is refused with a checked reason; hand-written cases for each kind of
difficulty compare with their expected output."""
import collections
import copy
import json
import os
import re
import subprocess
import tempfile
import threading

import jsonschema
import yaml

import reference
import simulate
from harness import VOLUME, expect

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = os.path.join(HERE, "data", "volume")
EXPECTED = os.path.join(CASES, "expected")
SCHEMA_PATH = os.path.join(reference.SHARED, "corpus", "argo-workflow-schema.json")
PVC = "persistentVolumeClaim: {claimName: pvc}"
CLAIM = "{accessModes: [ReadWriteMany], resources: {requests: {storage: 1Gi}}}"

# Corpus files volpass refuses, with the reason.
REFUSED = {
    "k8s-patch-json-workflow.yaml": (3, "duplicate key 'annotations'"),
}

# Files a second conversion of the output changes, and why. A
# WorkflowTemplate's templates take their inputs from the volume whoever
# calls them (documents converted apart call them so), and one that its own
# spec.arguments call with a real artifact gets a twin: in the output, that
# twin is such a template too, and gets a twin of its own.
NOT_FIXED_POINTS = {
    "workflow-template/input-artifacts.yaml": "name: argosay-constant-constant\n",
}


def _schema():
    with open(SCHEMA_PATH) as f:
        schema = json.load(f)
    # Kubernetes' IntOrString takes both; the generated schema says string
    # only, which Argo's own examples (ports, retry limits) do not follow.
    schema["definitions"]["io.k8s.apimachinery.pkg.util.intstr.IntOrString"] = {"type": ["string", "integer"]}
    return schema


_SCHEMA = _schema()
_VALIDATORS = {}


def schema_errors(doc):
    """Errors of a workflow document against the definition of its kind."""
    kind = doc.get("kind")
    if kind not in reference.WORKFLOW_KINDS:
        return []
    if kind not in _VALIDATORS:
        sub = copy.copy(_SCHEMA)
        sub.pop("oneOf")
        sub["$ref"] = "#/definitions/io.argoproj.workflow.v1alpha1." + kind
        _VALIDATORS[kind] = jsonschema.Draft202012Validator(sub)
    return [f"{'.'.join(map(str, e.path))}: {e.message[:200]}" for e in _VALIDATORS[kind].iter_errors(doc)]


def verify_report(ctx, original, rewritten_text):
    """Runs volpass verify; returns its exit status and report."""
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "rewritten.yaml")
        with open(path, "w") as f:
            f.write(rewritten_text)
        proc = ctx.run(["verify", original, path, "--json"])
    report = json.loads(proc.stdout) if proc.stdout.startswith("{") else None
    expect(report is not None, f"verify gave no report ({proc.returncode}): {proc.stderr}")
    return proc.returncode, report


def verify(ctx, original, rewritten_text):
    """Runs volpass verify; returns the report. Fails on anything broken."""
    code, report = verify_report(ctx, original, rewritten_text)
    expect(code == 0, f"verify failed ({code}): {json.dumps(report)[:2000]}")
    return report


def check_schema(text):
    for doc in reference.load_all(text):
        if isinstance(doc, dict):
            errors = schema_errors(doc)
            expect(not errors, f"not valid against Argo's schema: {errors[:3]}")


def check_output(ctx, original, text):
    report = verify(ctx, original, text)
    check_schema(text)
    return report


_counts = collections.Counter()
_lock = threading.Lock()


def check_corpus_file(ctx, path):
    rel = os.path.relpath(path, reference.CORPUS)
    proc = ctx.rewrite(path, "--verify")  # verify in the same process: exit 1 and the report if broken
    if rel in REFUSED:
        code, words = REFUSED[rel]
        expect(proc.returncode == code and words in proc.stderr and proc.stdout == "",
               f"wanted exit {code} with '{words}': {proc.returncode} {proc.stderr}")
        with _lock:
            _counts["refused"] += 1
        return
    expect(proc.returncode == 0, f"exit {proc.returncode}: {proc.stderr}")
    check_schema(proc.stdout)
    if ctx.wrapper:  # under valgrind, --verify said enough; the counts come from plain runs
        with _lock:
            _counts["converted"] += 1
        return
    report = verify(ctx, path, proc.stdout)
    # Run again over its own output (CI converting with --in-place on every
    # push), volpass finds nothing left to do.
    again = ctx.run(["--volume", VOLUME], stdin=proc.stdout)
    if rel in NOT_FIXED_POINTS:
        expect(again.returncode == 0 and NOT_FIXED_POINTS[rel] in again.stdout, f"{again.returncode} {again.stderr}")
    else:
        expect(again.returncode == 0 and again.stdout == proc.stdout,
               f"a second conversion changes the output (exit {again.returncode}): {again.stderr}")
    volume = sum(h["location"].startswith("volume ") for h in report["handoffs"])
    with _lock:
        _counts["converted"] += 1
        _counts["handoffs"] += len(report["handoffs"])
        _counts["through the volume"] += volume
        _counts["kept as artifacts"] += len(report["handoffs"]) - volume
        _counts["files with kept outputs"] += "stays a real artifact" in proc.stderr


def summary():
    if _counts["handoffs"] == 0 and _counts["converted"]:
        print(f"volume scheme on the corpus: {_counts['converted']} files converted and verified "
              f"(--verify), {_counts['refused']} refused; hand-offs are counted by plain runs only")
        expect(_counts["converted"] + _counts["refused"] == len(reference.corpus_files()), "not every file was seen")
        return
    print(f"volume scheme on the corpus: {_counts['converted']} files converted and verified, "
          f"{_counts['refused']} refused; {_counts['handoffs']} hand-offs preserved, "
          f"{_counts['through the volume']} through the volume and {_counts['kept as artifacts']} "
          f"still real artifacts on both sides; {_counts['files with kept outputs']} files keep some "
          f"output as an artifact (with a warning)")
    expect(_counts["converted"] + _counts["refused"] == len(reference.corpus_files()), "not every file was seen")


# ---- hand-written cases, with their expected output -------------------------

def _read(path):
    with open(path) as f:
        return f.read()


def run_text(ctx, name, text, *args, volume=("--volume", PVC)):
    """Runs volpass on `text`, written to a file called `name` (error messages name it)."""
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, name)
        with open(path, "w") as f:
            f.write(text)
        return ctx.run(["--input", path] + list(volume) + list(args))


def expect_one_warning(proc, message):
    """A conversion with one line on standard error: `message`, after the file's directory."""
    expect(proc.returncode == 0 and proc.stderr.endswith(message + "\n") and proc.stderr.count("\n") == 1,
           f"exit {proc.returncode}: {proc.stderr}")


def golden(ctx, source, expected, *args):
    proc = ctx.run(["--input", source] + list(args))
    expect(proc.returncode == 0, f"exit {proc.returncode}: {proc.stderr}")
    want = _read(os.path.join(EXPECTED, expected))
    expect(proc.stdout == want, f"output differs from expected/{expected}")
    check_output(ctx, source, proc.stdout)
    return proc


def test_different_file_names(ctx):
    """Point 1: the producer writes /tmp/hello_world.txt, the consumer reads /tmp/message."""
    proc = golden(ctx, os.path.join(reference.CORPUS, "artifact-passing.yaml"), "artifact-passing.yaml",
                  "--volume", PVC)
    expect(proc.stderr == "", proc.stderr)


def test_collisions(ctx):
    proc = golden(ctx, os.path.join(CASES, "collisions.yaml"), "collisions.yaml", "--volume", PVC)
    expect("output artifact 'rooted' stays a real artifact" in proc.stderr and
           "its directory is /" in proc.stderr, proc.stderr)
    expect("output artifact 'cached' stays a real artifact" in proc.stderr and
           "already mounts volume 'cache' on /cache" in proc.stderr, proc.stderr)


def test_names_apart_in_case(ctx):
    """Two outputs named apart by case alone get directories on the volume
    named apart in more (Model, model-2): on an SMB share, which ignores
    case, Model and model would be one directory, and one output would
    overwrite the other."""
    proc = golden(ctx, os.path.join(CASES, "case-names.yaml"), "case-names.yaml", "--volume", PVC)
    dirs = re.findall(r"subPath: artifact_data/\{\{workflow.uid\}\}/\{\{pod.name\}\}/(\S+)", proc.stdout)
    expect(dirs == ["Model", "model-2"] and proc.stderr == "", f"{dirs} {proc.stderr}")
    # More of a name: each takes the next suffix free, past a name that has one itself (model-2).
    more = _read(os.path.join(CASES, "case-names.yaml")).replace(
        "      - {name: model, path: /tmp/b/data.csv}\n", "      - {name: model, path: /tmp/b/data.csv}\n"
        "      - {name: MODEL, path: /tmp/c/data.csv}\n      - {name: model-2, path: /tmp/d/data.csv}\n"
        "      - {name: Model-2, path: /tmp/e/data.csv}\n")
    proc = run_text(ctx, "more.yaml", more)
    dirs = re.findall(r"subPath: artifact_data/\{\{workflow.uid\}\}/\{\{pod.name\}\}/(\S+)", proc.stdout)
    expect(dirs == ["Model", "model-2", "MODEL-3", "model-2-2", "Model-2-3"], f"{dirs} {proc.stderr}")
    # A number taken already is passed: after model-5, the next model is model-6 (one pass over the mounts).
    gap = more.replace("{name: model-2, path: /tmp/d/data.csv}", "{name: model-5, path: /tmp/d/data.csv}").replace(
        "{name: Model-2, path: /tmp/e/data.csv}", "{name: mODEL, path: /tmp/e/data.csv}")
    proc = run_text(ctx, "gap.yaml", gap)
    dirs = re.findall(r"subPath: artifact_data/\{\{workflow.uid\}\}/\{\{pod.name\}\}/(\S+)", proc.stdout)
    expect(dirs == ["Model", "model-2", "MODEL-3", "model-5", "mODEL-6"], f"{dirs} {proc.stderr}")
    # Files of one directory named apart by case alone: the container writes both, a warning says so.
    one_dir = _read(os.path.join(CASES, "case-names.yaml")).replace("/tmp/a/data.csv", "/tmp/out/Data.csv").replace(
        "/tmp/b/data.csv", "/tmp/out/data.csv")
    proc = run_text(ctx, "case.yaml", one_dir)
    expect_one_warning(proc, "case.yaml:27:9: warning: template 'gen': output artifacts 'Model' and 'model' are files "
                       "Data.csv and data.csv of one directory mounted from the volume: one file on storage that "
                       "ignores case (Azure Files, SMB shares)")


def test_hidden_by_mount(ctx):
    """An output's directory mounted from the volume hides what the image has
    there: where the template shows what that is (its workingDir, or a
    directory of the system's programs), a warning says so; elsewhere it
    cannot know, and says nothing."""
    text = _read(os.path.join(CASES, "case-names.yaml"))
    at_work = text.replace("      command: [sh, -c, \"echo A", "      workingDir: /app/src\n      command: [sh, -c, \"echo A")
    expect(at_work != text, "case-names.yaml changed")
    cases = [(at_work.replace("path: /tmp/a/data.csv", "path: /app/data.csv"),
              "hidden.yaml:27:9: warning: template 'gen': output artifact 'Model' is written to the volume, mounted on "
              "/app, which holds the container's workingDir /app/src: the mount hides what the image has there, its "
              "program perhaps (write outputs into a directory of their own)"),
             (text.replace("path: /tmp/b/data.csv", "path: /etc/data.csv"),
              "hidden.yaml:27:9: warning: template 'gen': output artifact 'model' is written to the volume, mounted on "
              "/etc, a directory of the system's programs or settings: the mount hides what the image has there "
              "(write outputs into a directory of their own)"),
             (at_work.replace("path: /tmp/a/data.csv", "path: /app/src2/data.csv"), None),
             # a workingDir's '..' is resolved: /tmp/x/../a is /tmp/a; /../.. is /
             (at_work.replace("workingDir: /app/src", "workingDir: /tmp/x/../a/"),
              "hidden.yaml:27:9: warning: template 'gen': output artifact 'Model' is written to the volume, mounted on "
              "/tmp/a, which holds the container's workingDir /tmp/x/../a/: the mount hides what the image has there, "
              "its program perhaps (write outputs into a directory of their own)"),
             (at_work.replace("workingDir: /app/src", "workingDir: /../../tmp/./a/b/.."),
              "hidden.yaml:27:9: warning: template 'gen': output artifact 'Model' is written to the volume, mounted on "
              "/tmp/a, which holds the container's workingDir /../../tmp/./a/b/..: the mount hides what the image has "
              "there, its program perhaps (write outputs into a directory of their own)"),
             (at_work.replace("workingDir: /app/src", "workingDir: /tmp/a/../c"), None)]
    for case, message in cases:
        proc = run_text(ctx, "hidden.yaml", case)
        if message:
            expect_one_warning(proc, message)
        else:
            expect(proc.returncode == 0 and proc.stderr == "", proc.stderr)


def test_mirrored_mounts(ctx):
    """A sidecar or init container with mirrorVolumeMounts (its own, or from
    templateDefaults' container of its name) gets every mount the main
    container has: an output whose mount would land on one of its own stays
    a real artifact, an input there too (and the output a call passes it),
    and verify reports a rewrite that makes two mounts there. One that goes
    through the volume gets a warning: that container sees its directory."""
    source = os.path.join(CASES, "mirror.yaml")
    proc = golden(ctx, source, "mirror.yaml", "--volume", PVC)
    expect("mirror.yaml:38:9: warning: template 'make': output artifact 'logs' stays a real artifact" in proc.stderr
           and "container 'proxy', which mirrors the main container's mounts, mounts volume 'side-tmp' on /tmp"
           in proc.stderr, proc.stderr)
    # what such a container writes beside an output on the volume reaches its consumers: a warning says so
    expect("mirror.yaml:39:9: warning: template 'make': container 'proxy' mirrors the main container's mounts, so it "
           "sees the volume at /work, where output artifact 'model' is written: what it writes there reaches the "
           "output's consumers, where Argo would take the main container's files alone" in proc.stderr, proc.stderr)
    text = _read(source)
    sidecar = "    sidecars:\n    - name: proxy"
    expect(sidecar in text and "      mirrorVolumeMounts: true\n" in text, "mirror.yaml changed")
    # the flag from templateDefaults' sidecar of that name, which Argo merges into it
    merged = run_text(ctx, "mirror.yaml", text.replace("      mirrorVolumeMounts: true\n", "").replace(
        "  entrypoint: main\n", "  entrypoint: main\n  templateDefaults:\n    sidecars:\n"
                                "    - {name: proxy, mirrorVolumeMounts: true}\n"))
    expect(merged.returncode == 0 and "output artifact 'logs' stays a real artifact" in merged.stderr and
           "container 'proxy', which mirrors the main container's mounts" in merged.stderr, merged.stderr)
    watcher = ("    initContainers:\n    - {name: watch, image: busybox, mirrorVolumeMounts: true, "
               "volumeMounts: [{name: side-tmp, mountPath: /in/model.bin}]}\n")
    kept = run_text(ctx, "mirror.yaml", text.replace("    container:\n      image: busybox\n      command: [cat",
                                                     watcher + "    container:\n      image: busybox\n"
                                                     "      command: [cat"), "--verify")
    expect(kept.returncode == 0 and "mirror.yaml:39:9: warning: template 'make': output artifact 'model' stays a real "
           "artifact (it needs an artifact repository): template 'use' takes it as input artifact 'model', which lies "
           "where container 'watch' (which mirrors the main container's mounts) mounts a volume: a second mount there "
           "would make Kubernetes refuse the pod" in kept.stderr, kept.stderr)
    # a mount path made of parameters counts where its values may put it
    for path, kept in (('"{{workflow.parameters.d}}"', True), ('"/side/{{workflow.parameters.d}}"', False)):
        templated = run_text(ctx, "mirror.yaml", text.replace("{name: side-tmp, mountPath: /tmp}",
                                                              "{name: side-tmp, mountPath: " + path + "}"), "--verify")
        expect(templated.returncode == 0 and kept == ("output artifact 'logs' stays a real artifact (it needs an "
               "artifact repository): container 'proxy', which mirrors the main container's mounts, mounts volume "
               "'side-tmp' on /tmp, as its parameters may make {{workflow.parameters.d}}: a second mount there "
               "would make Kubernetes refuse the pod" in templated.stderr), templated.stderr)
    unmirrored = run_text(ctx, "mirror.yaml", text.replace("mirrorVolumeMounts: true", "mirrorVolumeMounts: false"))
    expect(unmirrored.returncode == 0 and "mountPath: /tmp\n" in unmirrored.stdout, unmirrored.stderr)
    with tempfile.TemporaryDirectory() as d:
        rewritten = os.path.join(d, "rewritten.yaml")
        with open(rewritten, "w") as f:
            f.write(unmirrored.stdout.replace("mirrorVolumeMounts: false", "mirrorVolumeMounts: true"))
        report = ctx.run(["verify", source, rewritten])
    expect(report.returncode == 1 and "two volume mounts on /tmp in container 'proxy', which mirrors the main "
           "container's mounts" in report.stdout, report.stdout + report.stderr)


def test_output_path_names_input(ctx):
    """An output at /work/{{inputs.artifacts.data.path}}.b is written at
    /work/in/data.b, where Argo puts the input's path in: it goes through the
    volume from /work/in, and verify follows it there; kept a real artifact
    (optional), verify finds it on both sides."""
    source = os.path.join(CASES, "output-input-path.yaml")
    proc = ctx.run(["--input", source, "--volume", PVC, "--verify"])
    expect(proc.returncode == 0 and "mountPath: /work/in\n" in proc.stdout and
           "value: artifact_data/{{workflow.uid}}/{{pod.name}}/b/data.b\n" in proc.stdout, proc.stderr)
    text = _read(source).replace(".b'}", ".b', optional: true}")
    proc = run_text(ctx, "output-input-path.yaml", text, "--verify")
    expect(proc.returncode == 0 and "output artifact 'b' stays a real artifact" in proc.stderr, proc.stderr)


def test_converted_apart(ctx):
    """Files of one --in-place run are converted apart, each its own input: a
    workflow that reads an output of a WorkflowTemplate not in its input, or
    passes it an artifact, gets a warning (once per WorkflowTemplate), as the
    template may keep that artifact real; here it does (an optional output),
    and verify on the two converted apart finds the hand-off broken. As one
    stream, they convert together (a twin of the consumer), with no warning."""
    wft, wf = _read(os.path.join(CASES, "apart.yaml")).split("---\n")
    with tempfile.TemporaryDirectory() as d:
        files = [written(d, "wft.yaml", wft), written(d, "wf.yaml", wf)]
        proc = ctx.run(["--in-place"] + files + ["--volume", PVC])
        expect(proc.returncode == 0 and proc.stderr.count("WorkflowTemplate 'lib' is not in the input: volpass takes "
               "it to be converted apart") == 1 and f"{files[1]}:" in proc.stderr, proc.stderr)
        original = written(d, "both.yaml", wft + "---\n" + wf)
        code, report = verify_report(ctx, original, _read(files[0]) + "---\n" + _read(files[1]))
        expect(code == 1 and [h["verdict"] for h in report["handoffs"]] == ["broken"], json.dumps(report))
        proc = ctx.run(["--input", original, "--volume", PVC, "--verify"])
        expect(proc.returncode == 0 and "is not in the input" not in proc.stderr, proc.stderr)


def test_graph_interface(ctx):
    """A WorkflowTemplate's dag or steps template keeps the form workflows
    converted apart call it by (the convention): its callers in the input
    that pass another go to a twin, so that verify on the WorkflowTemplate
    and a workflow converted apart finds the hand-off preserved. Where a
    twin cannot take them (the WorkflowTemplate's entrypoint, which workflows
    apart run too), the template takes their form, with a warning, and
    verify on the two finds the hand-off broken."""
    source = os.path.join(CASES, "graph-interface.yaml")
    proc = ctx.run(["--input", source, "--volume", PVC, "--verify", "--explain"])
    [doc] = reference.load_all(proc.stdout)
    names = {t["name"]: t for t in doc["spec"]["templates"]}
    expect(proc.returncode == 0 and "warning" not in proc.stderr and "graph-interface.yaml:17:5: template "
           "'pipeline': twin: twin 'pipeline-constant' created: a call passes a real artifact where the template "
           "takes a volume location (input artifact 'seed')" in proc.stderr, proc.stderr)
    expect(names["selftest"]["steps"][0][0]["template"] == "pipeline-constant" and
           names["pipeline"]["inputs"] == {"parameters": [{"name": "seed-subpath"}]} and
           names["pipeline-constant"]["inputs"]["artifacts"][0]["name"] == "seed", proc.stdout)
    caller = ("apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {generateName: w-}\nspec:\n"
              "  entrypoint: main\n  templates:\n  - name: main\n    steps:\n    - - {name: s, template: mk}\n"
              "    - - name: p\n        templateRef: {name: lib, template: pipeline}\n        arguments:\n"
              "          artifacts: [{name: seed, from: '{{steps.s.outputs.artifacts.o}}'}]\n"
              "  - name: mk\n    container: {image: busybox, command: [sh, -c, 'echo > /tmp/s/o']}\n"
              "    outputs: {artifacts: [{name: o, path: /tmp/s/o}]}\n")
    apart = run_text(ctx, "caller.yaml", caller)
    expect(apart.returncode == 0, apart.stderr)
    together = run_text(ctx, "both.yaml", _read(source) + "---\n" + caller, "--verify")
    expect(together.returncode == 0 and together.stdout == proc.stdout + "---\n" + apart.stdout, together.stderr)
    with tempfile.TemporaryDirectory() as d:
        original = written(d, "both.yaml", _read(source) + "---\n" + caller)
        code, report = verify_report(ctx, original, proc.stdout + "---\n" + apart.stdout)
        expect(code == 0 and [h["verdict"] for h in report["handoffs"]] == ["preserved"] * 3, json.dumps(report))
        # the entrypoint passes the constant: it cannot call a twin
        entry = _read(source).replace("entrypoint: selftest", "entrypoint: pipeline\n  arguments:\n    artifacts:\n"
                                      "    - {name: seed, raw: {data: hello}}").replace(
            "        template: pipeline\n", "        template: gen\n")
        lone = run_text(ctx, "entry.yaml", entry, "--verify")
        expect(lone.returncode == 0 and "entry.yaml:23:9: warning: template 'pipeline': input artifact 'seed' stays a "
               "real artifact, as its callers in the input pass real artifacts, and no twin of the template can take "
               "their calls: among them is a call that cannot be pointed at another template alone (the entrypoint of "
               "a WorkflowTemplate, which workflows apart run too" in lone.stderr, lone.stderr)
        original = written(d, "both.yaml", entry + "---\n" + caller)
        code, report = verify_report(ctx, original, lone.stdout + "---\n" + apart.stdout)
        expect(code == 1 and any(h["verdict"] == "broken" for h in report["handoffs"]), json.dumps(report))


def test_parameter_list(ctx):
    """{{inputs.parameters}} is the JSON list of a template's input
    parameters: one that reads it and takes an input from the volume finds
    the input's location parameter there too, which volpass says."""
    text = passing_workflow("list-") + """  - name: produce
    container: {image: alpine, command: [sh, -c, "echo > /tmp/out/d"]}
    outputs: {artifacts: [{name: out, path: /tmp/out/d}]}
  - name: consume
    inputs: {artifacts: [{name: in, path: /tmp/in/x}]}
    container: {image: alpine, command: [sh, -c, "echo '{{inputs.parameters}}'; cat /tmp/in/x"]}
"""
    proc = run_text(ctx, "list.yaml", text)
    expect(proc.returncode == 0 and "warning: template 'consume' reads inputs.parameters whole, the list of all its "
           "input parameters, which gains 'in-subpath' (the location of input artifact 'in' on the volume)"
           in proc.stderr, proc.stderr)
    proc = run_text(ctx, "list.yaml", text, "--keep-artifact", "out")
    expect(proc.returncode == 0 and proc.stderr == "", proc.stderr)
    # in an expression too; a member of it is no list
    for reads, warned in (("{{=toJson(inputs.parameters)}}", True), ("{{=jsonpath(inputs['parameters'], '$')}}", True),
                          ("{{=inputs.parameters['in-subpath']}}", False),
                          ("{{=get(inputs.parameters, 'in-subpath')}}", False)):
        proc = run_text(ctx, "list.yaml", text.replace("{{inputs.parameters}}", reads))
        expect(proc.returncode == 0 and ("reads inputs.parameters whole" in proc.stderr) == warned, proc.stderr)
    # A looped call's outputs.parameters, read whole, lists each instance's
    # output parameters, which gain the locations of its outputs.
    looped = text.replace("      - {name: gen, template: produce}\n", "      - {name: gen, template: produce, withItems: [1]}\n"
                          "      - {name: all, template: show, depends: gen, arguments: {parameters: [{name: p, value: "
                          "'{{tasks.gen.outputs.parameters}}'}]}}\n").replace(
        "        arguments: {artifacts: [{name: in, from: \"{{tasks.gen.outputs.artifacts.out}}\"}]}\n", "") + \
        "  - name: show\n    inputs: {parameters: [{name: p}]}\n    container: {image: alpine, command: [echo, '{{inputs.parameters.p}}']}\n"
    proc = run_text(ctx, "list.yaml", looped.replace("{{inputs.parameters}}", "x"))
    expect_one_warning(proc, "warning: template 'main' reads tasks.gen.outputs.parameters whole, the list of all the "
                       "output parameters of 'produce', which gains 'out-subpath' (the location of output artifact "
                       "'out' on the volume)")


def test_graph_twins(ctx):
    """A dag or steps template whose callers pass an input in two forms gets
    a twin for the calls that pass a real artifact; the templates it calls
    get theirs in turn, a graph template's in another plan. A stream that
    would need more than 16 is refused, and left as it was; a refusal that
    names a twin says which template it copies."""
    source = os.path.join(CASES, "graph-twins.yaml")
    proc = golden(ctx, source, "graph-twins.yaml", "--volume", PVC)
    [doc] = reference.load_all(proc.stdout)
    expect(proc.stderr == "" and [t["name"] for t in doc["spec"]["templates"]] ==
           ["main", "train", "fit", "report", "make", "read", "train-constant", "fit-constant", "report-constant",
            "read-constant"], proc.stderr)
    calls = {t["name"]: t["template"] for t in doc["spec"]["templates"][0]["dag"]["tasks"]}
    expect(calls == {"make": "make", "from-producer": "train", "from-constant": "train-constant",
                     "report-produced": "report", "report-default": "report-constant"}, str(calls))
    again = run_text(ctx, "again.yaml", proc.stdout)
    expect(again.returncode == 0 and again.stdout == proc.stdout, again.stderr)
    # Run again, a WorkflowTemplate's twin, whose callers all pass what the
    # convention does not, would take it in a twin of its own, and call one
    # that cannot: the plan with such twins is refused, the one without stands.
    source = os.path.join(CASES, "graph-twin-rerun.yaml")
    first = ctx.run(["--input", source, "--volume", PVC, "--verify"])
    second = run_text(ctx, "rerun.yaml", first.stdout, "--verify")
    expect(first.returncode == 0 and second.returncode == 0 and "rerun.yaml:64:26: warning: template 'inner-constant': "
           "input artifact 'x' stays a real artifact, as its callers in the input pass real artifacts, and no twin of "
           "the template can take their calls: volpass plans without such twins when they lead to a refusal"
           in second.stderr, first.stderr + second.stderr)
    expect([t["name"] for t in reference.load_all(second.stdout)[0]["spec"]["templates"]] ==
           [t["name"] for t in reference.load_all(first.stdout)[0]["spec"]["templates"]], second.stdout)
    explained = run_text(ctx, "rerun.yaml", first.stdout, "--explain")  # of the plan that stands only
    expect(explained.returncode == 0 and "inner-constant-constant" not in explained.stderr and
           explained.stderr.count("template 'inner-constant', input artifact 'x'") == 1, explained.stderr)
    # a recursion: the twin's call of itself goes to the twin
    proc = ctx.run(["--input", os.path.join(CASES, "graph-twin-recursion.yaml"), "--volume", PVC, "--verify"])
    [doc] = reference.load_all(proc.stdout) if proc.returncode == 0 else [{}]
    steps = {t["name"]: [s["template"] for group in t.get("steps", []) for s in group]
             for t in doc.get("spec", {}).get("templates", [])}
    expect(steps.get("rec") == ["cat", "rec"] and steps.get("rec-constant") == ["cat-constant", "rec-constant"] and
           steps.get("main") == ["gen", "rec", "rec-constant"], f"{proc.stderr} {steps}")
    # 17 dag templates, each called with the volume and with a constant
    head = workflow_head("many-") + "  - name: main\n    dag:\n      tasks:\n      - {name: make, template: make}\n"
    calls = "".join(f"      - {{name: v{i}, template: sub{i}, depends: make, arguments: {{artifacts: [{{name: d, "
                    f"from: '{{{{tasks.make.outputs.artifacts.out}}}}'}}]}}}}\n"
                    f"      - {{name: c{i}, template: sub{i}, arguments: {{artifacts: [{{name: d, raw: {{data: x}}}}]}}}}\n"
                    for i in range(17))
    subs = "".join(f"  - name: sub{i}\n    inputs: {{artifacts: [{{name: d}}]}}\n    dag:\n      tasks:\n"
                   f"      - {{name: r, template: read, arguments: {{artifacts: [{{name: d, from: "
                   f"'{{{{inputs.artifacts.d}}}}'}}]}}}}\n" for i in range(17))
    pods = ("  - name: make\n    container: {image: busybox, command: [sh, -c, 'echo > /tmp/o/d']}\n"
            "    outputs: {artifacts: [{name: out, path: /tmp/o/d}]}\n"
            "  - name: read\n    inputs: {artifacts: [{name: d, path: /in/d}]}\n"
            "    container: {image: busybox, command: [cat, /in/d]}\n")
    many = head + calls + subs + pods
    proc = run_text(ctx, "many.yaml", many)
    expect(proc.returncode == 4 and proc.stdout == "" and "many.yaml:44:9: error: template 'sub16': input artifact "
           "'d' gets a volume location from some callers and a real artifact from others, and no twin of the template "
           "can take the calls of either form: volpass makes at most 16 twins of dag and steps templates"
           in proc.stderr, proc.stderr)
    # a refusal that names a twin says what it is a twin of
    mixed = head + calls.split("      - {name: v1,")[0] + (
        "  - name: sub0\n    inputs: {artifacts: [{name: d}]}\n    dag:\n      tasks:\n"
        "      - {name: mk2, template: make}\n      - {name: r, template: read, depends: mk2, arguments: {artifacts: "
        "[{name: d, fromExpression: \"tasks.mk2.status == 'Succeeded' ? inputs.artifacts.d : "
        "tasks.mk2.outputs.artifacts.out\"}]}}\n") + pods
    # (the other branch through a global artifact, which volpass does not follow to keep its producer real)
    global_ = mixed.replace("tasks.mk2.outputs.artifacts.out", "workflow.outputs.artifacts.g").replace(
        "{name: out, path: /tmp/o/d}", "{name: out, path: /tmp/o/d, globalName: g}")
    proc = run_text(ctx, "mixed.yaml", global_)
    expect(proc.returncode == 4 and proc.stdout == "" and "error: template 'sub0-constant': artifact 'd' takes one of "
           "the branches" in proc.stderr and "('sub0-constant' is a twin volpass made of template 'sub0' for its calls "
           "that pass input artifact 'd' a real artifact)\n" in proc.stderr, proc.stderr)
    # where it can, the branch that goes through the volume stays a real artifact
    proc = run_text(ctx, "mixed.yaml", mixed, "--verify")
    expect(proc.returncode == 0 and "warning: template 'make': output artifact 'out' stays a real artifact (it needs "
           "an artifact repository): template 'sub0-constant' takes it as artifact 'd' from one of the branches of "
           "'tasks.mk2.status == 'Succeeded' ? inputs.artifacts.d : tasks.mk2.outputs.artifacts.out', some of which "
           "stay real artifacts" in proc.stderr, proc.stderr)
    sixteen = head + calls.split("      - {name: v16")[0] + subs.split("  - name: sub16")[0] + pods
    proc = run_text(ctx, "sixteen.yaml", sixteen, "--verify")
    expect(proc.returncode == 0 and proc.stdout.count("-constant\n") == 17, proc.stderr)


def test_template_namespaces(ctx):
    """A templateRef finds the WorkflowTemplate of the calling workflow's
    namespace (Argo looks there), not the first of its name: team-a's, whose
    output goes through the volume, where team-b's keeps it (optional). Two
    of one name in one namespace are refused: applied, one replaces the other."""
    source = os.path.join(CASES, "namespaces.yaml")
    proc = ctx.run(["--input", source, "--volume", PVC, "--verify"])
    expect(proc.returncode == 0 and "value: '{{tasks.p.outputs.parameters.x-subpath}}'" in proc.stdout, proc.stderr)
    text = _read(source)
    expect(text.count("namespace: team-b") == 1, "namespaces.yaml changed")
    # a ClusterWorkflowTemplate runs in its workflow's namespace: with lib in two, which one is not known
    cluster = ("---\napiVersion: argoproj.io/v1alpha1\nkind: ClusterWorkflowTemplate\nmetadata: {name: wrap}\n"
               "spec:\n  templates:\n  - name: run\n    steps:\n    - - {name: p, templateRef: {name: lib, template: "
               "produce}}\n")
    proc = run_text(ctx, "namespaces.yaml", text + cluster)
    expect(proc.returncode == 4 and "namespaces.yaml:55:9: error: template 'run', p: calls WorkflowTemplate 'lib' "
           "from a document that names no namespace" in proc.stderr and "namespaces 'team-b' and 'team-a'"
           in proc.stderr, proc.stderr)
    referred = os.path.join(CASES, "namespaces-referred.yaml")
    proc = ctx.run(["--input", referred, "--volume", PVC])
    expect(proc.returncode == 4 and "error: spec.workflowTemplateRef: the workflow names no namespace and runs in the "
           "one it is submitted to; the input has WorkflowTemplate 'lib' in namespaces" in proc.stderr, proc.stderr)
    proc = run_text(ctx, "namespaces.yaml", text.replace("namespace: team-b", "namespace: team-a"))
    expect(proc.returncode == 4 and proc.stdout == "" and "namespaces.yaml:16:18: error: WorkflowTemplate 'lib' "
           "appears twice in namespace 'team-a': applied, the second replaces the first" in proc.stderr, proc.stderr)
    # one that names no namespace is the Workflow's when none of its namespace is there
    alone = text.replace("{name: lib, namespace: team-a}", "{name: lib-a, namespace: team-a}").replace(
        "{name: lib, namespace: team-b}", "{name: lib}")
    proc = run_text(ctx, "namespaces.yaml", alone, "--verify")
    expect(proc.returncode == 0 and "from: '{{tasks.p.outputs.artifacts.x}}'" in proc.stdout.replace('"', "'"),
           proc.stderr + proc.stdout)


def test_paths_with_blanks(ctx):
    """Blanks are trimmed inside a tag only, as Argo trims them: a path with
    ' }}' and no '{{' is its own text, and the consumer's mount keeps it."""
    proc = ctx.run(["--input", os.path.join(CASES, "blank-outside-tag.yaml"), "--volume", PVC, "--verify"])
    expect(proc.returncode == 0 and "mountPath: /in/d }}\n" in proc.stdout, proc.stderr + proc.stdout)


def test_templated_user_mount(ctx):
    """A mount of the user's whose path is made of parameters may land on any
    path its text allows: an output or input it may hold stays a real
    artifact (here it is /tmp, then /in); one it cannot reach converts."""
    source = os.path.join(CASES, "templated-mount.yaml")
    proc = ctx.run(["--input", source, "--volume", PVC, "--verify"])
    expect(proc.returncode == 0 and "templated-mount.yaml:32:9: warning: template 'gen': output artifact 'out' stays "
           "a real artifact (it needs an artifact repository): the container mounts volume 'work' at "
           "{{inputs.parameters.d}}, which its parameters may put on, above or inside /tmp" in proc.stderr and
           "mountPath: /in/i.txt" not in proc.stdout, proc.stderr)
    text = _read(source)
    expect(text.count('mountPath: "{{inputs.parameters.d}}"') == 2, "templated-mount.yaml changed")
    proc = run_text(ctx, "templated-mount.yaml", text.replace('mountPath: "{{inputs.parameters.d}}"',
                                                              'mountPath: "/mnt/{{inputs.parameters.d}}"'), "--verify")
    expect(proc.returncode == 0 and proc.stderr == "" and "mountPath: /tmp\n" in proc.stdout and
           "mountPath: /in/i.txt" in proc.stdout, proc.stderr)


def test_output_put_in_input_by_values(ctx):
    """The check of what a call's values make of an output's path covers an
    output that stays a real artifact (optional) too: the producer writes it
    all the same, into the read-only mount (output-param-in-input.yaml, in
    REFUSALS, is the one that goes through the volume)."""
    text = _read(os.path.join(CASES, "output-param-in-input.yaml"))
    optional = text.replace('path: "/tmp/out/{{inputs.parameters.n}}.txt"}',
                            'path: "/tmp/out/{{inputs.parameters.n}}.txt", optional: true}')
    expect(optional != text, "output-param-in-input.yaml changed")
    proc = run_text(ctx, "optional.yaml", optional)
    expect(proc.returncode == 4 and "optional.yaml:12:9: error: template 'main', use: the parameters it passes put "
           "output artifact 'r' of 'use' at /tmp/out/in/x.txt, in input artifact 'd'" in proc.stderr, proc.stderr)


def test_cycles_of_graph_templates(ctx):
    """Where what a dag or steps template passes on comes back to another
    call of it, its forms are decided in a cycle: what the cycle's own calls
    pass says nothing at first, then (if forms do not settle) is taken to
    stay real, then to come from the volume. Each case converts, every form
    as its sources give it (test_simulate runs them too)."""
    for name, template, artifact, action in (("cycle-constants.yaml", "swap", "out-a", "kept"),
                                             ("cycle-volume.yaml", "swap", "out-a", "converted"),
                                             ("chained-pass-through.yaml", "pass", "x", "kept"),
                                             ("recursion-two-inputs.yaml", "loop", "data", "converted"),
                                             ("recursion-two-inputs.yaml", "loop", "config", "kept"),
                                             ("recursion-library.yaml", "loop", "x", "converted"),
                                             ("recursion-returning-input.yaml", "loop", "out", "kept")):
        proc = ctx.run(["--input", os.path.join(CASES, name), "--volume", PVC, "--verify", "--explain=json"])
        decisions = json.loads(proc.stderr)
        expect(proc.returncode == 0 and [d["action"] for d in decisions if d["template"] == template and
                                         d["artifact"] == artifact] == [action], f"{name}: {proc.stderr}")
    # Refused where a cycle converts: the refusal is the reason, not what a try at the cycle made of it.
    proc = ctx.run(["--input", os.path.join(CASES, "cycle-and-refusal.yaml"), "--volume", PVC])
    expect(proc.returncode == 4 and proc.stderr.count("error:") == 1 and "cycle-and-refusal.yaml:30:9: error: "
           "template 'main', use2: the parameters it passes put output artifact 'r'" in proc.stderr, proc.stderr)


def test_templated_name_in_own_mount(ctx):
    """An output's file name made of parameters may hold '/': the output may
    then lie in a volume the producer mounts inside its directory, and stays
    a real artifact. A literal file name beside that mount converts."""
    source = os.path.join(CASES, "templated-name-in-own-mount.yaml")
    proc = ctx.run(["--input", source, "--volume", PVC, "--verify"])
    expect(proc.returncode == 0 and "templated-name-in-own-mount.yaml:35:9: warning: template 'produce': output "
           "artifact 'out' stays a real artifact (it needs an artifact repository): the container mounts volume "
           "'scratch' at /tmp/out/cache, inside /tmp/out, where the parameters of /tmp/out/{{inputs.parameters.name}}"
           ".txt may put the output" in proc.stderr and "subPath" not in proc.stdout, proc.stderr)
    text = _read(source).replace("{{inputs.parameters.name}}.txt", "result.txt")
    expect(text.count("/tmp/out/result.txt") == 3, "templated-name-in-own-mount.yaml changed")
    proc = run_text(ctx, "templated-name-in-own-mount.yaml", text, "--verify")
    expect(proc.returncode == 0 and proc.stderr == "" and "mountPath: /tmp/out\n" in proc.stdout, proc.stderr)


def test_user_mount_paths_as_mounted(ctx):
    """The kubelet makes a relative mount path absolute: 'tmp/o.txt' is
    /tmp/o.txt, the output's own path, and keeps the output real as
    /tmp/o.txt would; 'mnt/w' is elsewhere. A '..' the runtime resolves in the image, through its
    symbolic links: such a mount may be anywhere, as a templated one (49th
    review: both were taken for paths elsewhere, and the volume went on the
    output's directory beside them, hiding or hidden)."""
    text = _read(os.path.join(CASES, "templated-mount.yaml"))
    for mount, why in (("tmp/o.txt", "the container mounts volume 'work' at tmp/o.txt, inside /tmp/o.txt"),
                       ("tmp", "the container already mounts volume 'work' on /tmp"),
                       ("/tmp/x/..", "the container mounts volume 'work' at /tmp/x/.., whose '..' the container "
                                     "runtime resolves in the image: it may be on, above or inside /tmp"),
                       # relative and templated: /t... may be /tmp (51st review: taken for a path elsewhere)
                       ("'t{{inputs.parameters.d}}'", "the container mounts volume 'work' at t{{inputs.parameters.d}}, "
                                                      "which its parameters may put on, above or inside /tmp")):
        proc = run_text(ctx, "um.yaml", text.replace('mountPath: "{{inputs.parameters.d}}"', "mountPath: " + mount),
                        "--verify")
        expect(proc.returncode == 0 and "um.yaml:32:9: warning: template 'gen': output artifact 'out' stays a real "
               "artifact (it needs an artifact repository): " + why in proc.stderr, proc.stderr)
    proc = run_text(ctx, "um.yaml", text.replace('mountPath: "{{inputs.parameters.d}}"', "mountPath: mnt/w"),
                    "--verify")
    expect(proc.returncode == 0 and proc.stderr == "" and "mountPath: /tmp\n" in proc.stdout, proc.stderr)


SKIPPED_TEMPLATES = """  - name: main
    steps:
    - - {name: flip, template: flip}
    - - {name: heads, template: gen, when: "{{steps.flip.outputs.result}} == heads"}
      - {name: tails, template: gen, when: "{{steps.flip.outputs.result}} == tails"}
    - - name: use
        template: use
        arguments:
          artifacts:
          - {name: in, from: "{{steps.heads.outputs.artifacts.out}}"}
    outputs:
      artifacts:
      - {name: h, fromExpression: "steps.flip.outputs.result == 'heads' ? steps.heads.outputs.artifacts.out : steps.tails.outputs.artifacts.out"}
  - name: flip
    script: {image: python, command: [python], source: "print('heads')"}
  - name: gen
    container: {image: alpine, command: [sh, -c, "mkdir -p /tmp/out; echo hi > /tmp/out/f.txt"]}
    outputs:
      artifacts:
      - {name: out, path: /tmp/out/f.txt}
  - name: use
    inputs:
      artifacts:
      - {name: in, path: /in/x.txt}
    container: {image: alpine, command: [sh, -c, "cat /in/x.txt || echo none"]}
"""


def test_skipped_step_outputs(ctx):
    """Argo (v4.1) gives the output artifacts of a step skipped by its `when`
    an empty placeholder, which a steps template passes on; the location
    parameter that would stand for it has no value, and the template fails
    (52nd review: converted, and verify passed); so does an expression that
    names that step alone, or in every branch: the producer's output stays a
    real artifact (through the expression's branches too). Choosing the
    branch that ran with fromExpression converts. A consumer reading the placeholder fails in the original too,
    optional input or not (Argo puts the argument in the input's place, and
    it is no longer optional, 53rd review): it converts."""
    skipped = workflow_head("skip-") + SKIPPED_TEMPLATES
    proc = run_text(ctx, "skip.yaml", skipped, "--verify")
    expect(proc.returncode == 0, proc.stderr)
    plain = skipped.replace('fromExpression: "steps.flip.outputs.result == \'heads\' ? steps.heads.outputs.artifacts.out '
                            ': steps.tails.outputs.artifacts.out"', 'from: "{{steps.tails.outputs.artifacts.out}}"')
    proc = run_text(ctx, "skip.yaml", plain, "--verify")
    expect(proc.returncode == 0 and "skip.yaml:26:9: warning: template 'gen': output artifact 'out' stays a real "
           "artifact (it needs an artifact repository): template 'main' passes it on as output artifact 'h' from step "
           "'tails', which runs only when its condition holds: Argo gives a skipped step's output an empty artifact, "
           "where a location parameter would have no value" in proc.stderr, proc.stderr)
    for bare in ('fromExpression: "steps.tails.outputs.artifacts.out"', 'from: "{{=steps.tails.outputs.artifacts.out}}"',
                 'fromExpression: "true ? steps.tails.outputs.artifacts.out : (steps.tails.outputs.artifacts.out)"'):
        proc = run_text(ctx, "skip.yaml", plain.replace('from: "{{steps.tails.outputs.artifacts.out}}"', bare), "--verify")
        expect(proc.returncode == 0 and "warning: template 'gen': output artifact 'out' stays a real artifact (it needs "
               "an artifact repository): template 'main' passes it on as output artifact 'h' from step 'tails'"
               in proc.stderr, f"{bare}: {proc.stderr}")
    optional = skipped.replace("{name: in, path: /in/x.txt}", "{name: in, path: /in/x.txt, optional: true}")
    proc = run_text(ctx, "skip.yaml", optional, "--verify")
    expect(proc.returncode == 0, proc.stderr)


def test_output_in_dev(ctx):
    """A mount on /dev (or below) would replace the devices the container
    runtime mounts there: an output written there stays a real artifact."""
    text = _read(os.path.join(CASES, "templated-mount.yaml")).replace("/tmp/o.txt", "/dev/shm/o.txt")
    proc = run_text(ctx, "dev.yaml", text, "--verify")
    expect(proc.returncode == 0 and "output artifact 'out' stays a real artifact (it needs an artifact repository): "
           "its directory is /dev/shm, in /dev, where the container runtime mounts the devices, /dev/shm and "
           "/dev/pts: a mount there would replace or hide them" in proc.stderr, proc.stderr)


def test_relative_input_path(ctx):
    """Kubernetes mounts an input at a relative path below /: volpass asks for
    that path, absolute (it said Argo could not mount it)."""
    text = _read(os.path.join(CASES, "templated-mount.yaml")).replace("path: /in/i.txt", "path: in/i.txt")
    proc = run_text(ctx, "rel.yaml", text)
    expect(proc.returncode == 4 and "rel.yaml:37:9: error: template 'use': input artifact 'in' at in/i.txt: write "
           "its path absolute, /in/i.txt, where Kubernetes mounts it, and volpass mounts the volume there"
           in proc.stderr, proc.stderr)
    proc = run_text(ctx, "rel.yaml", text.replace("path: in/i.txt", "path: ./in/i.txt"))
    expect(proc.returncode == 4 and "input artifact 'in' at ./in/i.txt: write its path absolute, /in/i.txt," in
           proc.stderr, proc.stderr)


def test_nested_outputs_and_mounts(ctx):
    """An output inside another's directory is written through the outer
    mount; outputs that an input, a mount of the user's or a '..' would make
    differ from what the pod wrote stay real artifacts; a template's own
    volume named data-storage makes the shared one data-storage-2."""
    proc = golden(ctx, os.path.join(CASES, "nesting.yaml"), "nesting.yaml", "--volume", PVC)
    for name, why in [("ws", "input artifact 'src' is mounted at /work/src/metrics.json, inside it"),
                      ("dir", "mounts volume 'cache' at /out//model, inside /out"),
                      ("d", "mounts volume 'workspace' at /workspace, above /workspace/out"),
                      ("a", "its path /tmp/o/../a.txt has a '..' component")]:
        expect(f"output artifact '{name}' stays a real artifact" in proc.stderr and why in proc.stderr, proc.stderr)
    expect(proc.stderr.count("stays a real artifact") == 4, proc.stderr)
    expect("mountPath: /tmp/model\n" not in proc.stdout and
           "value: artifact_data/{{workflow.uid}}/{{pod.name}}/metrics/model/metrics.json" in proc.stdout,
           "the inner output is not written through the outer mount")


def test_templated_paths(ctx):
    proc = golden(ctx, os.path.join(CASES, "templated.yaml"), "templated.yaml", "--volume", PVC)
    expect("output artifact 'placed' stays a real artifact" in proc.stderr and
           "its directory {{inputs.parameters.where}} depends on parameters" in proc.stderr, proc.stderr)
    # An input whose path holds a value given only at submission: verify places its
    # mount, written with the same parameter, on it (fuzz_rewrite found it called broken).
    text = _read(os.path.join(CASES, "templated.yaml"))
    submitted = text.replace("    - {name: dir, value: /data}\n", "    - {name: dir}\n")
    expect(submitted != text, "templated.yaml changed")
    proc = run_text(ctx, "templated.yaml", submitted, "--verify")
    expect(proc.returncode == 0 and "mountPath: '{{inputs.parameters.dir}}/in.txt'" in proc.stdout, proc.stderr)


def test_parameters_refused(ctx):
    """A template's {{inputs.parameters.X}} must name a declared parameter, and
    a call must supply the parameters that have no value of their own, each
    with a value or a ConfigMap's key (Argo refuses the workflow without
    one, or fails the step), and {{inputs.artifacts.X.path}} must name a
    declared artifact (as Argo requires): the rewrite puts them in paths and
    locations."""
    text = _read(os.path.join(CASES, "templated.yaml"))
    declared = "      - {name: file, value: report.txt}\n"
    expect(declared in text, "templated.yaml changed")
    cases = [(declared, "", "templated.yaml:32:51: error: template 'make' uses parameter 'file', which it does "
                            "not declare"),
             (declared, "      - {name: file}\n", "templated.yaml:17:9: error: template 'main', make: does not "
                                                  "supply parameter 'file', which template 'make' requires"),
             ('          - {name: dir, value: "{{workflow.parameters.dir}}"}\n', "          - {name: dir}\n",
              "templated.yaml:23:13: error: template 'main', use: passes parameter 'dir' with neither value nor "
              "valueFrom, which Argo requires"),
             ('value: "{{workflow.parameters.dir}}"', "value: null",
              "templated.yaml:23:13: error: template 'main', use: passes parameter 'dir' with neither value nor "
              "valueFrom, which Argo requires"),
             ('value: "{{workflow.parameters.dir}}"', "valueFrom: {path: /tmp/dir}",
              "templated.yaml:23:13: error: template 'main', use: passes parameter 'dir' with a valueFrom Argo "
              "refuses in arguments (it takes configMapKeyRef, supplied or event)"),
             ('value: "{{workflow.parameters.dir}}"', "valueFrom: {configMapKeyRef: null}",
              "templated.yaml:23:13: error: template 'main', use: passes parameter 'dir' with a valueFrom Argo "
              "refuses in arguments (it takes configMapKeyRef, supplied or event)"),
             ('value: "{{workflow.parameters.dir}}"', "valueFrom: {supplied: {}}",
              "templated.yaml:23:13: error: template 'main', use: passes parameter 'dir' without a value (nor a "
              "ConfigMap's key): the call fails at run time"),
             (declared, "      - {name: file, valueFrom: {supplied: {}}}\n",
              "templated.yaml:17:9: error: template 'main', make: does not supply parameter 'file', which template "
              "'make' requires"),
             ("{{inputs.artifacts.in.path}}", "{{inputs.artifacts.nope.path}}",
              "templated.yaml:47:48: error: template 'use' refers to input artifact 'nope', which it does not declare"),
             ("{name: named, path: /named.txt}", "{name: named, path: /named.txt, from: x}",
              "templated.yaml:45:47: error: template 'use': inputs, artifact 'named': from is not valid in inputs, "
              "and Argo refuses it")]
    with tempfile.TemporaryDirectory() as d:
        for old, new, message in cases:
            path = os.path.join(d, "templated.yaml")
            with open(path, "w") as f:
                f.write(text.replace(old, new))
            proc = ctx.run(["--input", path, "--volume", PVC])
            expect(proc.returncode == 3 and proc.stdout == "" and message in proc.stderr, proc.stderr)
        # an empty from in inputs passes Argo's check
        proc = run_text(ctx, "templated.yaml", text.replace("{name: named, path: /named.txt}",
                                                            "{name: named, path: /named.txt, from: ''}"))
        expect(proc.returncode == 0, proc.stderr)
        # null is no valueFrom, and "" no path: Argo takes both
        for new in ('value: "{{workflow.parameters.dir}}", valueFrom: null',
                    'valueFrom: {configMapKeyRef: {name: dirs, key: use}, path: ""}'):
            path = os.path.join(d, "templated.yaml")
            with open(path, "w") as f:
                f.write(text.replace('value: "{{workflow.parameters.dir}}"', new))
            proc = ctx.run(["--input", path, "--volume", PVC])
            expect(proc.returncode == 0, f"{new}: {proc.stderr}")


def test_sources_and_twins(ctx):
    golden(ctx, os.path.join(CASES, "sources.yaml"), "sources.yaml", "--volume", PVC)


def test_inline_producers(ctx):
    """A producer inline in a step or task moves to a template of its own:
    Argo validates the step or task with it, where {{pod.name}} is not known."""
    proc = golden(ctx, os.path.join(CASES, "inline-producer.yaml"), "inline-producer.yaml", "--volume", PVC)
    [doc] = reference.load_all(proc.stdout)
    calls = [s for t in doc["spec"]["templates"] for group in t.get("steps", []) for s in group]
    calls += [task for t in doc["spec"]["templates"] for task in t.get("dag", {}).get("tasks", [])]
    inline = [c["name"] for c in calls if "inline" in c]
    expect(inline == ["read"] and "pod.name" not in json.dumps([c.get("inline") for c in calls]),
           f"inline templates left: {inline}")
    # A twin's name comes from the step's, less what a template's name may not hold (tags, say).
    producer = "        inline:\n          container: {image: alpine, command: [sh, -c, \"echo > /tmp/out/m\"]}\n" \
               "          outputs: {artifacts: [{name: out, path: /tmp/out/m}]}\n"
    named = workflow_head("named-") + "  - name: main\n    inputs: {parameters: [{name: p, value: a}]}\n    steps:\n" + \
        "".join(f"    - - name: \"{step}\"\n" + producer for step in ("gen-{{inputs.parameters.p}}.x",
                                                                        "{{inputs.parameters.p}}", "s" * 125))
    proc = run_text(ctx, "named.yaml", named.replace("s" * 125, "last"))
    [doc] = reference.load_all(proc.stdout)
    expect(proc.returncode == 0 and [t["name"] for t in doc["spec"]["templates"]] ==
           ["main", "gen-x-volume", "inline-volume", "last-volume"], proc.stderr)
    proc = run_text(ctx, "named.yaml", named)
    expect(proc.returncode == 4 and f"error: template '{'s' * 125}' needs a twin, whose name '{'s' * 125}-volume' would "
           "be longer than the 128 characters Argo accepts: shorten the step's or task's name" in proc.stderr,
           proc.stderr)


def test_expressions_globals_hooks(ctx):
    golden(ctx, os.path.join(CASES, "flow.yaml"), "flow.yaml", "--volume", PVC)


def comment_lines(text):
    """Each comment of a YAML text: a '#' that starts a line's text or follows a blank, to the line's end."""
    return collections.Counter(re.findall(r"(?:^|[ \t])(#.*)$", text, re.M))


def test_comments_kept(ctx):
    """Comments stay beside their nodes (expected/comments.yaml), go with the
    parameters that replace artifacts in both schemes (an artifact's own and
    its fields' before the parameter, its list's key-line comment on the
    parameters' key line), and never become data: the script's line that
    starts with '#' is still the script's. Every comment comes through once.
    Converting again changes nothing."""
    source = os.path.join(CASES, "comments.yaml")
    proc = golden(ctx, source, "comments.yaml", "--volume", PVC)
    out = proc.stdout
    expect("generateName: comments- # a trailing comment" in out and "# the end\n" in out and
           "dependencies: [make] # after a flow sequence" in out, "a trailing or a closing comment was lost")
    expect("parameters:\n          # goes with the parameter\n          - name: in-subpath\n" in out and
           "parameters:\n      # the file make writes\n      - name: out-subpath\n" in out and
           "artifacts: # one output\n      # its log, kept a real artifact with its destination\n      - name: log\n"
           in out and "parameters: # from make\n" in out and
           "      # what make wrote, mounted read-only\n      - name: in-subpath\n" in out,
           "a replaced artifact's comments are not before its parameter")
    args = yaml.safe_load(out)["spec"]["templates"][1]["container"]["args"]
    expect(args == ["# not a comment: the script's own line\necho hi > /tmp/out/result.txt\n"],
           f"the script changed: {args!r}")
    again = ctx.run(["--volume", PVC], stdin=out)
    expect(again.returncode == 0 and again.stdout == out, "converting the output again changed it")
    kfp = ctx.run(["--input", source, "--scheme", "kfp", "--volume", PVC])
    expect(kfp.returncode == 0 and "parameters: # one output\n      # the file make writes\n      - name: out-subpath\n"
           in kfp.stdout, f"kfp: the outputs' comments are not before their parameters: {kfp.stderr}")
    flow = os.path.join(CASES, "comments-flow.yaml")
    flow_out = golden(ctx, flow, "comments-flow.yaml", "--volume", PVC).stdout
    expect("parameters: # flow params\n          # flow artifacts\n" in flow_out,
           "a flow list's comment is not on the key line of the list it became")
    flow_kfp = ctx.run(["--input", flow, "--scheme", "kfp", "--volume", PVC])
    for name, scheme, text in ((source, "volume", out), (source, "kfp", kfp.stdout),
                               (flow, "volume", flow_out), (flow, "kfp", flow_kfp.stdout)):
        want, got = comment_lines(_read(name)), comment_lines(text)
        expect(got == want, f"{os.path.basename(name)}, {scheme}: comments lost {sorted((want - got).elements())}, "
               f"added {sorted((got - want).elements())}")


def test_kinds_and_template_ref(ctx):
    golden(ctx, os.path.join(CASES, "kinds.yaml"), "kinds.yaml", "--volume", PVC)


def test_converting_twice_changes_nothing(ctx):
    """A document with nothing left to convert gets no volume: converting
    volpass's own output again (--in-place in CI, say) leaves it as it is,
    where it used to add an unused data-storage-2 each time. (Not where the
    first rewrite kept an artifact whose consumer now takes it by default, or
    made a twin that takes a constant: the second converts those too.) A
    document that runs templates of another through templateRef still gets
    the volume when they mount it."""
    for path in (os.path.join(CASES, "kinds.yaml"), os.path.join(CASES, "globals.yaml"),
                 os.path.join(CASES, "graph-subpath.yaml"), os.path.join(reference.CORPUS, "artifact-passing.yaml"),
                 os.path.join(CASES, "comments.yaml")):
        name = os.path.basename(path)
        once = ctx.run(["--input", path, "--volume", PVC])
        expect(once.returncode == 0, f"{name}: {once.stderr}")
        twice = ctx.run(["--volume", PVC], stdin=once.stdout)
        expect(twice.returncode == 0 and twice.stdout == once.stdout, f"{name} changed when converted again")
    kinds = _read(os.path.join(EXPECTED, "kinds.yaml")).split("\n---\n")
    expect("volumes:\n  - name: data-storage" in kinds[1] and "templateRef: {name: library" in kinds[1],
           "the Workflow running the library's templates lost the volume")


def test_kinds_converted_apart(ctx):
    """The WorkflowTemplate and the Workflow that calls it, converted separately,
    come out as converting them together does."""
    docs = _read(os.path.join(CASES, "kinds.yaml")).split("\n---\n")
    together = reference.load_all(_read(os.path.join(EXPECTED, "kinds.yaml")))
    with tempfile.TemporaryDirectory() as d:
        for i, text in enumerate(docs[:2]):
            path = os.path.join(d, f"doc{i}.yaml")
            with open(path, "w") as f:
                f.write(text + "\n")
            proc = ctx.run(["--input", path, "--volume", PVC])
            expect(proc.returncode == 0, proc.stderr)
            expect(reference.load_all(proc.stdout) == [together[i]], f"document {i} differs when converted alone")


def test_template_ref_volumes_of_the_running_workflow(ctx):
    """A pod that runs a WorkflowTemplate's template through templateRef has
    the running workflow's spec.volumes, not the WorkflowTemplate's: verify
    reads the volume there."""
    source = os.path.join(CASES, "kinds.yaml")
    rewritten = _read(os.path.join(EXPECTED, "kinds.yaml"))
    docs = rewritten.split("\n---\n")
    pvc = "  - name: data-storage\n    persistentVolumeClaim: {claimName: pvc}"
    expect(pvc in docs[0] and pvc in docs[1], "expected/kinds.yaml changed")
    empty = "  - name: data-storage\n    emptyDir: {}"
    for edited, verdict in ((0, "preserved"), (1, "broken")):
        text = "\n---\n".join(d.replace(pvc, empty) if i == edited else d for i, d in enumerate(docs))
        code, report = verify_report(ctx, source, text)
        calls = [h for h in report["handoffs"] if h["producer"].startswith("1:")]
        expect(calls and all(h["verdict"] == verdict for h in calls) and code == (verdict == "broken"),
               f"emptyDir in document {edited}: {calls}")


def test_graph_output_subpath(ctx):
    """A dag output that passes on a part of an artifact (subPath) appends it
    to the location, which verify follows through the expression; without
    it verify reports the hand-off broken. A subPath made of a task's output
    (resolved at run time, which an expression would not do) is refused."""
    source = os.path.join(CASES, "graph-subpath.yaml")
    proc = golden(ctx, source, "graph-subpath.yaml", "--volume", PVC)
    cut = "expression: (tasks['p'].outputs.parameters['dir-subpath']) + '/b.txt'"
    expect(cut in proc.stdout, "the part is not appended")
    code, report = verify_report(ctx, source,
                                 proc.stdout.replace(cut, "parameter: '{{tasks.p.outputs.parameters.dir-subpath}}'"))
    broken = [h for h in report["handoffs"] if h["verdict"] == "broken"]
    expect(code == 1 and len(broken) == 1 and broken[0]["reason"].endswith("/dir/b.txt"), str(broken))
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "graph-subpath.yaml")
        with open(path, "w") as f:
            f.write(_read(source).replace("subPath: b.txt", 'subPath: "{{tasks.p.outputs.result}}"'))
        proc = ctx.run(["--input", path, "--volume", PVC])
    expect(proc.returncode == 4 and "graph-subpath.yaml:34:74: error: template 'inner': output artifact 'part' takes "
           "the subPath {{tasks.p.outputs.result}}, whose value volpass cannot append" in proc.stderr, proc.stderr)


def test_fallback_on_failure(ctx):
    """A fromExpression that falls back on another artifact when a dag call
    fails: Argo resolves a task's {{=...}} arguments only once every tasks.*
    member they name exists, in any branch, and a failed dag call has no
    outputs. The location is read through optional members, which Argo
    exempts, so the consumer runs on the branch taken, as the original."""
    source = os.path.join(CASES, "fallback.yaml")
    proc = golden(ctx, source, "fallback.yaml", "--volume", PVC)
    original, converted = reference.load_all(_read(source))[0], reference.load_all(proc.stdout)[0]
    expect(simulate.added_waits(original, converted) == [], "the converted task waits for outputs")
    plain = proc.stdout.replace("']?.outputs?.parameters?.['", "'].outputs.parameters['")
    expect(plain != proc.stdout, "expected/fallback.yaml changed")
    # A condition that reads an artifact itself would read it where the volume took its place.
    condition = _read(source).replace("tasks.try.status == 'Succeeded' ?", "tasks.try.outputs?.artifacts?.result != nil ?")
    expect(condition != _read(source), "fallback.yaml changed")
    proc = run_text(ctx, "fallback.yaml", condition)
    expect(proc.returncode == 4 and proc.stdout == "" and "fallback.yaml:24:13: error: template 'main': artifact 'in' "
           "takes the expression 'tasks.try.outputs?.artifacts?.result != nil ? tasks.try.outputs.artifacts.result : "
           "tasks.safe.outputs.artifacts.out', which reads artifacts other than as a whole branch "
           "('tasks.try.outputs?.artifacts?.result')" in proc.stderr,
           proc.stderr)
    waits = simulate.added_waits(original, reference.load_all(plain)[0])
    expect(waits == ["call use of template main: argument 'in-subpath' needs tasks.safe.outputs.parameters, "
                     "tasks.safe.outputs.parameters.out-subpath, tasks.try.outputs.parameters, "
                     "tasks.try.outputs.parameters.result-subpath to exist, which the original did not"], str(waits))


def _output_parameter_in_input():
    """use reads make's directory, and writes a file into it that an output parameter reads."""
    return make_then_use("op-") + """  - name: make
    container: {image: alpine, command: [sh, -c, "mkdir -p /tmp/out; echo x > /tmp/out/x"]}
    outputs: {artifacts: [{name: out, path: /tmp/out}]}
  - name: use
    inputs: {artifacts: [{name: in, path: /tmp/in}]}
    container: {image: alpine, command: [sh, -c, "wc -l /tmp/in/x > /tmp/in/count"]}
    outputs: {parameters: [{name: n, valueFrom: {path: /tmp/in/count}}, {name: m, valueFrom: {path: /tmp/inx}}]}
"""


def test_output_parameter_in_input(ctx):
    """An output parameter read from a file inside an input the volume
    mounts read-only: the container may have written it there, into the
    directory Argo gave it, and the conversion is warned of (once: not of a
    path beside the input's)."""
    proc = run_text(ctx, "op.yaml", _output_parameter_in_input())
    expect_one_warning(proc, "op.yaml:20:56: warning: template 'use': output parameter 'n' is read from "
                       "/tmp/in/count, inside input artifact 'in', which is mounted read-only from the volume: the "
                       "container cannot write that file there, as it could into the directory Argo gave it")
    proc = run_text(ctx, "op.yaml", _output_parameter_in_input().replace("/tmp/in/count}", "/tmp/count}"))
    expect(proc.returncode == 0 and proc.stderr == "", proc.stderr)


def test_artifact_paths_in_expressions(ctx):
    """{{=outputs.artifacts.X.path}} and a branch inputs.artifacts['X'].path of
    an expression, in any spelling, become the path, as a string: Argo
    resolves them from the artifact, which the rewrite removes; in the twin
    that keeps the artifact they stay. Any other use of such an artifact in an
    expression or a tag is refused, and verify reports it when a rewrite
    leaves one."""
    source = os.path.join(CASES, "expressions.yaml")
    proc = golden(ctx, source, "expressions.yaml", "--volume", PVC)
    for placeholder in ("{{=inputs.parameters.mode == 'raw' ? '/in/y.txt' : '/dev/null'}}", "{{='/in/y.txt'}}",
                        "echo hi > {{='/tmp/out/x.txt'}}; echo {{='/tmp/out/x.txt'}}", "{{='see inputs.artifacts."):
        expect(placeholder in proc.stdout, f"no {placeholder} in the output")
    expect(proc.stdout.count("{{=inputs?.artifacts?.in?.path}}") == 1, "the twin's placeholder is not kept")
    branch = "inputs.parameters.mode == 'raw' ? inputs.artifacts['in'].path : '/dev/null'"
    for other in ("sprig.trim(inputs.artifacts['in'].path)", "get(inputs.artifacts, 'in').path",
                  "inputs.artifacts[inputs.parameters.mode].path"):
        proc = run_text(ctx, "expressions.yaml", _read(source).replace(branch, other))
        expect(proc.returncode == 4 and proc.stdout == "" and "expressions.yaml:48:22: error: template 'cons': the "
               f"expression '{other}' reads input artifact" in proc.stderr, proc.stderr)
    # The root itself read whole, or through a member volpass does not follow:
    # which artifact it reaches, volpass cannot tell. Its parameters it may.
    for other, reads in (("(inputs).artifacts['in'].path", "'inputs' other than by its parameters or artifacts"),
                         ("toJson(inputs)", "'inputs' other than by its parameters or artifacts"),
                         ("get(inputs, 'artifacts').in.path", "input artifacts by a name known at run time"),
                         ("not inputs.artifacts.in.path", "input artifact 'in', which the volume replaces")):
        proc = run_text(ctx, "expressions.yaml", _read(source).replace(branch, other))
        expect(proc.returncode == 4 and proc.stdout == "" and "expressions.yaml:48:22: error: template 'cons': the "
               f"expression '{other}' reads {reads}" in proc.stderr, proc.stderr)
    proc = run_text(ctx, "expressions.yaml", _read(source).replace(branch, "get(inputs, 'parameters').mode"))
    expect(proc.returncode == 0 and "{{= get(inputs, 'parameters').mode }}" in proc.stdout, proc.stderr)
    proc = run_text(ctx, "expressions.yaml", _read(source).replace(branch, "toJson({inputs: 1})"))  # a map's key
    expect(proc.returncode == 0 and "{{= toJson({inputs: 1}) }}" in proc.stdout, proc.stderr)
    # a tag: the path only ({{inputs.artifacts.in.path}} becomes the path)
    for tag, code in (("inputs.artifacts.in", 4), ("inputs.artifacts.in.mode", 4), (" inputs.artifacts.in.path ", 0)):
        proc = run_text(ctx, "expressions.yaml", _read(source).replace('"{{=inputs?.artifacts?.in?.path}}"',
                                                                        '"{{' + tag + '}}"'))
        expect(proc.returncode == code and (code == 0) == ("expressions.yaml:49:17: error: template 'cons': the tag "
               f"'{{{{{tag.strip()}}}}}' names input artifact 'in', which the volume replaces; volpass rewrites only "
               "{{inputs.artifacts.in.path}}" not in proc.stderr), proc.stderr)
    rewritten = _read(os.path.join(EXPECTED, "expressions.yaml"))
    kept = rewritten.replace("{{=inputs.parameters.mode == 'raw' ? '/in/y.txt' : '/dev/null'}}",
                             "{{=sprig.trim(inputs.artifacts['in'].path)}}")
    expect(kept != rewritten, "expected/expressions.yaml changed")
    code, report = verify_report(ctx, source, kept)
    expect(code == 1 and any("names input artifact 'in', which 'cons' does not declare" in p["message"]
                             for p in report["problems"]), str(report["problems"]))


def test_templated_input_paths(ctx):
    """An input whose path holds parameters is its text before the first tag,
    anything, then its text after the last: converted when that cannot meet
    another mount (/tmp/out-{{x}}.csv beside /tmp/out/); refused when its
    literal part alone puts it inside another input's read-only mount; an
    output it may lie inside stays a real artifact. What fails only for some
    values fails at run time, and verify checks the mounts with each call's."""
    source = os.path.join(CASES, "templated-inputs.yaml")
    golden(ctx, source, "templated-inputs.yaml", "--volume", PVC)
    text = _read(source)
    fixed = 'path: "/data/{{inputs.parameters.name}}.txt"'
    expect(fixed in text, "templated-inputs.yaml changed")
    cases = [('path: "/in/{{inputs.parameters.name}}"', 4, "templated-inputs.yaml:47:9: error: template 'cons': "
              "input artifact 'b' at /in/{{inputs.parameters.name}} would be mounted inside input artifact 'a' at "
              "/in, which is mounted read-only from the volume"),
             ('path: "/tmp/{{inputs.parameters.name}}"', 0, "templated-inputs.yaml:54:9: warning: template "
              "'cons': output artifact 'both' stays a real artifact (it needs an artifact repository): input "
              "artifact 'b' is mounted at /tmp/{{inputs.parameters.name}}, which may lie inside it"),
             ('path: "/tmp/out/in/{{inputs.parameters.name}}"', 0, "templated-inputs.yaml:54:9: warning: template "
              "'cons': output artifact 'both' stays a real artifact (it needs an artifact repository): input "
              "artifact 'b' is mounted at /tmp/out/in/{{inputs.parameters.name}}, which may lie inside it"),
             ('path: "/tmp/out-{{inputs.parameters.name}}.csv"', 0, ""),
             ('path: "{{inputs.parameters.name}}"', 0, "templated-inputs.yaml:54:9: warning: template 'cons': "
              "output artifact 'both' stays a real artifact (it needs an artifact repository): input artifact 'b' "
              "is mounted at {{inputs.parameters.name}}, which may lie inside it")]
    for path, code, message in cases:
        proc = run_text(ctx, "templated-inputs.yaml", text.replace(fixed, path))
        expect(proc.returncode == code and message in proc.stderr and (message or "stays a real" not in proc.stderr),
               f"{path}: exit {proc.returncode}: {proc.stderr}")
        expect((proc.stdout == "") == (code != 0), f"{path}: output and exit {code} disagree")
    # A path that starts with a tag is converted, but not with a value the call
    # gives that puts it inside a's read-only mount; verify substitutes values
    # passed on from further up, and finds the same.
    nested = text.replace(fixed, 'path: "{{inputs.parameters.name}}"').replace("value: b\n", "value: /in/x\n")
    proc = run_text(ctx, "templated-inputs.yaml", nested, "--verify")
    expect(proc.returncode == 4 and "templated-inputs.yaml:19:9: error: template 'main', c: the parameters it passes "
           "put input artifact 'b' of 'cons' at /in/x, inside input artifact 'a', which it passes a volume location, "
           "mounted read-only at /in" in proc.stderr, proc.stderr)
    passed_on = nested.replace("  - name: main\n    steps:", "  - name: main\n    inputs:\n      parameters:\n"
                               "      - {name: where, value: /in/x}\n    steps:", 1).replace(
        "value: /in/x\n", "value: \"{{inputs.parameters.where}}\"\n")
    proc = run_text(ctx, "templated-inputs.yaml", passed_on, "--verify")
    expect(proc.returncode == 1 and "problem: template 'cons': the mount at /in/x lies inside the read-only mount "
           "at /in" in proc.stderr, proc.stderr)


def make_then_use(generate_name, output="out", input="in"):
    """A Workflow's text up to its templates make and use, which its steps
    call in turn, use taking make's output artifact `output` as `input`."""
    return workflow_head(generate_name) + f"""  - name: main
    steps:
    - - {{name: make, template: make}}
    - - name: use
        template: use
        arguments:
          artifacts: [{{name: {input}, from: "{{{{steps.make.outputs.artifacts.{output}}}}}"}}]
"""


def _workflow_parameter_path(value):
    """A workflow whose output path holds {{workflow.parameters.n}}, which spec.arguments set to `value`."""
    return make_then_use("wp-").replace("spec:\n", f"spec:\n  arguments:\n    parameters:\n    - {{name: n, value: "
                                         f"{value}}}\n") + """  - name: make
    container: {image: busybox, command: [sh, -c, "echo A > /tmp/out/{{workflow.parameters.n}}"]}
    outputs:
      artifacts: [{name: out, path: "/tmp/out/{{workflow.parameters.n}}"}]
  - name: use
    inputs:
      artifacts: [{name: in, path: /in/d}]
    container: {image: busybox, command: [cat, /in/d]}
"""


def test_workflow_parameter_in_output_path(ctx):
    """A workflow parameter in an output's path takes the value spec.arguments
    gives it: one whose '..' leaves the mount is refused, as an input
    parameter's is; another converts."""
    proc = run_text(ctx, "wp.yaml", _workflow_parameter_path('"../x"'))
    expect(proc.returncode == 4 and proc.stdout == "" and "wp.yaml:12:9: error: template 'main', make: the parameters "
           "it passes make output artifact 'out' of 'make' /tmp/out/../x, whose '..' component leaves the directory the "
           "volume is mounted on" in proc.stderr, proc.stderr)
    proc = run_text(ctx, "wp.yaml", _workflow_parameter_path("x/y.txt"), "--verify")
    expect(proc.returncode == 0 and "/{{workflow.parameters.n}}" in proc.stdout, proc.stderr)
    # A Workflow that runs it as a WorkflowTemplate gives the parameter a value of its own, which Argo takes.
    template = _workflow_parameter_path("x").replace("kind: Workflow\nmetadata: {generateName: wp-}",
                                                      "kind: WorkflowTemplate\nmetadata: {name: wp}")
    runner = ("---\napiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {generateName: r-}\nspec:\n"
              "  arguments:\n    parameters:\n    - {name: n, value: VALUE}\n  workflowTemplateRef: {name: wp}\n")
    proc = run_text(ctx, "wp.yaml", template + runner.replace("VALUE", '"../x"'))
    expect(proc.returncode == 4 and proc.stdout == "" and "wp.yaml:31:5: error: spec.arguments: the workflow parameters "
           "this Workflow gives WorkflowTemplate 'wp', in place of its own, make output artifact 'out' of template "
           "'make' /tmp/out/../x, whose '..' component leaves the directory the volume is mounted on" in proc.stderr,
           proc.stderr)
    proc = run_text(ctx, "wp.yaml", template + runner.replace("VALUE", "y"), "--verify")
    expect(proc.returncode == 0, proc.stderr)


def test_template_defaults(ctx):
    """Mounts of spec.templateDefaults are the pods' own: an output holding one
    stays a real artifact, and verify sees one the rewrite left in an output
    moved to the volume; a template's own mount on the same path replaces it.
    Its volumes are every template's (the shared volume takes another name,
    and verify sees one that shadows it), its sidecars share the pods' volumes."""
    source = os.path.join(CASES, "defaults.yaml")
    proc = golden(ctx, source, "defaults.yaml", "--volume", PVC)
    expect("output artifact 'out' stays a real artifact (it needs an artifact repository): the container mounts "
           "volume 'scratch' at /tmp/out/cache, inside /tmp/out" in proc.stderr, proc.stderr)
    # Without the defaults, the output goes through the volume; with them put back, verify objects.
    text = _read(source)
    defaults = text[text.index("  templateDefaults:"):text.index("  templates:")]
    proc = run_text(ctx, "defaults.yaml", text.replace(defaults, ""))
    expect(proc.returncode == 0 and "stays a real artifact" not in proc.stderr, proc.stderr)
    code, report = verify_report(ctx, source, proc.stdout.replace("  templates:", defaults + "  templates:", 1))
    expect(code == 1 and any("holds the mount at /tmp/out/cache" in p["message"] for p in report["problems"]),
           str(report["problems"]))
    expect([h["reason"] for h in report["handoffs"]] == ["volume 'data-storage' is an emptyDir, which pods do not "
                                                         "share"], str(report["handoffs"]))
    sidecar = ("    sidecars:\n    - {name: watch, image: alpine:3.19, command: [sh, -c, 'ls /tmp/out/cache'],\n"
               "       volumeMounts: [{name: scratch, mountPath: /tmp/out/cache}]}\n")
    inside = text.replace("    container:\n      image: alpine:3.19\n      volumeMounts:",
                          sidecar + "    container:\n      image: alpine:3.19\n      volumeMounts:")
    inside = inside.replace("path: /in/\n", "path: /tmp/out/cache/in/\n")
    proc = run_text(ctx, "defaults.yaml", inside, "--explain")
    expect(proc.returncode == 0 and "defaults.yaml:50:9: template 'cons', input artifact 'in': kept: left as a real artifact: "
           "it lies in volume 'scratch' (mounted at /tmp/out/cache), which other containers of the pod mount too"
           in proc.stderr and "(an output a call passes it stays a real artifact" in proc.stderr, proc.stderr)


DEFAULTED = """apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: td-}
spec:
  entrypoint: main
  templateDefaults:
    outputs:
      artifacts:
      - {name: out, archive: {none: {}}}
  templates:
  - name: main
    steps:
    - - {name: a, template: gen}
    - - name: b
        template: use
        arguments: {artifacts: [{name: in, from: "{{steps.a.outputs.artifacts.out}}"}]}
  - name: gen
    container: {image: alpine, command: [sh, -c, "echo hi > /tmp/o/out.csv"]}
    outputs: {artifacts: [{name: out, path: /tmp/o/out.csv}]}
  - name: use
    inputs: {artifacts: [{name: in, path: /tmp/i/in.csv}]}
    container: {image: alpine, command: [cat, /tmp/i/in.csv]}
"""


def test_template_defaults_artifacts(ctx):
    """Argo merges templateDefaults' inputs and outputs into every template,
    artifacts by name: one volpass took out of a template would come back,
    without a path, and fail the pod. An output they name stays a real
    artifact; an input they name takes no volume location (the output passed
    to it stays a real artifact, as --keep-artifact keeps it), nor does one
    whose read-only mount would hold an artifact they add; a location
    parameter takes another name than one of theirs; a dag input
    they name, required and without a source, is refused. verify reports a
    rewrite that took such an artifact out."""
    proc = run_text(ctx, "td.yaml", DEFAULTED, "--verify")
    expect(proc.returncode == 0 and "td.yaml:19:27: warning: template 'gen': output artifact 'out' stays a real "
           "artifact (it needs an artifact repository): spec.templateDefaults.outputs.artifacts names it: Argo merges "
           "that entry into the template" in proc.stderr and "out-subpath" not in proc.stdout, proc.stderr)
    defaults = DEFAULTED[DEFAULTED.index("  templateDefaults:"):DEFAULTED.index("  templates:")]
    proc = run_text(ctx, "td.yaml", DEFAULTED.replace(defaults, ""))
    expect(proc.returncode == 0 and "out-subpath" in proc.stdout, proc.stderr)
    with tempfile.TemporaryDirectory() as d:
        original = os.path.join(d, "td.yaml")
        with open(original, "w") as f:
            f.write(DEFAULTED)
        code, report = verify_report(ctx, original, proc.stdout.replace("  templates:", defaults + "  templates:", 1))
    expect(code == 1 and [p["message"] for p in report["problems"]] == [
        "template 'gen': output artifact 'out' of 'main/a' is gone, but spec.templateDefaults.outputs.artifacts names "
        "it: Argo merges that entry into the template, where it lacks a path"], str(report["problems"]))
    mode = DEFAULTED.replace("    outputs:\n      artifacts:\n      - {name: out, archive: {none: {}}}",
                             "    inputs:\n      artifacts:\n      - {name: in, optional: true, mode: 0755}")
    proc = run_text(ctx, "td.yaml", mode, "--verify")
    expect(proc.returncode == 0 and "td.yaml:19:27: warning: template 'gen': output artifact 'out' stays a real "
           "artifact (it needs an artifact repository): template 'use' takes it as input artifact 'in', which is named "
           "in spec.templateDefaults.inputs.artifacts" in proc.stderr and "out-subpath" not in proc.stdout, proc.stderr)
    kept = run_text(ctx, "td.yaml", mode, "--keep-artifact", "out", "--verify")
    expect(kept.returncode == 0 and kept.stdout == proc.stdout, kept.stderr)
    # a parameter the defaults name as volpass would name a location's: Argo would merge the two, so another name
    named = DEFAULTED.replace("outputs:\n      artifacts:\n      - {name: out, archive: {none: {}}}",
                              "outputs:\n      parameters:\n      - {name: out-subpath, value: x}")
    proc = run_text(ctx, "td.yaml", named, "--verify")
    expect(proc.returncode == 0 and "name: out-subpath-2\n" in proc.stdout and
           "steps.a.outputs.parameters.out-subpath-2" in proc.stdout, proc.stderr)
    proc = run_text(ctx, "td.yaml", named.replace("kind: Workflow\n", "kind: WorkflowTemplate\n"))
    expect(proc.returncode == 4 and "would carry its location in parameter 'out-subpath', which the template has "
           "already (or templateDefaults give it)" in proc.stderr, proc.stderr)
    # with the producer in a WorkflowTemplate not in the input, whose location parameter takes that name: refused
    apart = named.replace("    - - {name: a, template: gen}", "    - - {name: a, templateRef: {name: lib, template: gen}}")
    expect(apart != named, "DEFAULTED changed")
    proc = run_text(ctx, "td.yaml", apart)
    expect(proc.returncode == 4 and "td.yaml:9:16: error: spec.templateDefaults gives parameter 'out-subpath', which "
           "Argo merges into every template it runs, those of WorkflowTemplates not in the input too" in proc.stderr,
           proc.stderr)
    # an artifact the defaults add (with a path) inside a read-only mount: Argo could not write it there
    for entry, role in (("inputs:\n      artifacts:\n      - {name: cfg, path: /tmp/i/cfg.txt, raw: {data: x}}", "input"),
                        ("outputs:\n      artifacts:\n      - {name: log, path: /tmp/i/log.txt, optional: true}", "output")):
        added = DEFAULTED.replace("outputs:\n      artifacts:\n      - {name: out, archive: {none: {}}}", entry).replace(
            "{name: in, path: /tmp/i/in.csv}", "{name: in, path: /tmp/i}")
        proc = run_text(ctx, "td.yaml", added, "--verify")
        expect(proc.returncode == 0 and "output artifact 'out' stays a real artifact (it needs an artifact "
               "repository): template 'use' takes it as input artifact 'in', which would hold, read-only, "
               f"{role} artifact '{entry.split('name: ')[1].split(',')[0]}' of spec.templateDefaults" in proc.stderr,
               proc.stderr)
    graph = mode.replace("{name: in, optional: true, mode: 0755}", "{name: in}").replace(
        "        template: use\n", "        template: mid\n").replace(
        "  - name: use\n", "  - name: mid\n    inputs: {artifacts: [{name: in}]}\n    steps:\n"
        "    - - {name: u, template: use, arguments: {artifacts: [{name: in, from: '{{inputs.artifacts.in}}'}]}}\n"
        "  - name: use\n")
    proc = run_text(ctx, "td.yaml", graph)
    expect(proc.returncode == 4 and "td.yaml:21:26: error: template 'mid': input artifact 'in' is named in "
           "spec.templateDefaults.inputs.artifacts, required and without a source of its own" in proc.stderr,
           proc.stderr)


def test_scratch_emptydir_above_outputs(ctx):
    """An emptyDir mounted above an output's directory (a read-only root file
    system's writable /tmp, set in templateDefaults) holds only what the main
    container writes: the output goes through the volume, verify is clean.
    When a sidecar sees that emptyDir there too, the output stays real."""
    text = ("apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {generateName: scratch-}\nspec:\n"
            "  entrypoint: main\n  volumes: [{name: tmp, emptyDir: {}}]\n"
            "  templateDefaults:\n    container: {image: alpine:3.19, volumeMounts: [{name: tmp, mountPath: /tmp}]}\n"
            "  templates:\n  - name: main\n    steps:\n    - - {name: p, template: prod}\n"
            "    - - {name: c, template: cons, arguments: {artifacts: [{name: in, from: '{{steps.p.outputs.artifacts.out}}'}]}}\n"
            "  - name: prod\n    container: {image: alpine:3.19, command: [sh, -c, 'echo hi > /tmp/out/x.txt']}\n"
            "    outputs: {artifacts: [{name: out, path: /tmp/out/x.txt}]}\n"
            "  - name: cons\n    container: {image: alpine:3.19, command: [cat, /in/x.txt]}\n"
            "    inputs: {artifacts: [{name: in, path: /in/x.txt}]}\n")
    proc = run_text(ctx, "scratch.yaml", text, "--verify")
    expect(proc.returncode == 0 and "stays a real artifact" not in proc.stderr and "mountPath: /tmp/out\n" in proc.stdout,
           proc.stderr)
    shared = text.replace("  - name: prod\n", "  - name: prod\n    sidecars: [{name: s, image: alpine:3.19, "
                          "volumeMounts: [{name: tmp, mountPath: /scratch}]}]\n")
    proc = run_text(ctx, "scratch.yaml", shared, "--verify")
    expect(proc.returncode == 0 and "output artifact 'out' stays a real artifact (it needs an artifact repository): the "
           "container mounts volume 'tmp' at /tmp, above /tmp/out" in proc.stderr, proc.stderr)


def test_input_in_shared_volume(ctx):
    """An input in a volume that another container of the pod mounts too (an
    init container, a sidecar) stays a real artifact, and so does its
    producer's output (as --keep-artifact keeps it), and verify reports a
    rewrite that mounts it from a volume for the main container only."""
    source = os.path.join(CASES, "shared-volume.yaml")
    golden(ctx, source, "shared-volume.yaml", "--volume", PVC, "--keep-artifact", "out")
    text = _read(source)
    why = ("output artifact 'out' stays a real artifact (it needs an artifact repository): template 'cons' takes it "
           "as input artifact 'in', which lies in volume 'workspace' (mounted at /workspace), which other containers "
           "of the pod mount too")
    for variant in (text, text.replace("initContainers:", "sidecars:")):
        proc = run_text(ctx, "shared-volume.yaml", variant)
        expect(proc.returncode == 0 and why in proc.stderr and proc.stdout == _read(os.path.join(EXPECTED,
               "shared-volume.yaml")).replace("initContainers:", "sidecars:" if variant != text else "initContainers:"),
               proc.stderr)
    # An init container that mounts only another part of the volume (its subPath) does not see the input.
    apart = text.replace("      - name: workspace\n        mountPath: /workspace\n    container:",
                         "      - name: workspace\n        mountPath: /workspace\n        subPath: logs\n    container:")
    expect(apart != text, "shared-volume.yaml changed")
    proc = run_text(ctx, "shared-volume.yaml", apart, "--verify")
    expect(proc.returncode == 0 and "mountPath: /workspace/in.txt" in proc.stdout, proc.stderr)
    # Converted without the init container, which is then put back: verify objects.
    init = text[text.index("    initContainers:"):text.index("    container:\n      image: alpine:3.19\n      command: [cat")]
    proc = run_text(ctx, "shared-volume.yaml", text.replace(init, ""))
    expect(proc.returncode == 0 and "mountPath: /workspace/in.txt" in proc.stdout, proc.stderr)
    rewritten = proc.stdout.replace("    container:\n      image: alpine:3.19\n      command: [cat",
                                    init + "    container:\n      image: alpine:3.19\n      command: [cat", 1)
    code, report = verify_report(ctx, source, rewritten)
    expect(code == 1 and any("lies in volume 'workspace', which other containers of the pod mount too" in p["message"]
                             for p in report["problems"]), str(report["problems"]))


def test_taken_location_parameter(ctx):
    """In a Workflow, an artifact whose NAME-subpath parameter is taken gets
    NAME-subpath-2; in a WorkflowTemplate that is refused, since a workflow
    calling it through templateRef, converted apart, uses NAME-subpath."""
    lib = ("kind: KIND\nmetadata: {name: lib}\nspec:\n  entrypoint: prod\n  templates:\n  - name: prod\n"
           "    container: {image: alpine:3.19, command: [sh, -c, \"echo hi > /tmp/out/x.txt\"]}\n"
           "    outputs:\n      parameters:\n      - {name: out-subpath, value: somewhere/else}\n"
           "      artifacts:\n      - {name: out, path: /tmp/out/x.txt}\n")
    head = "apiVersion: argoproj.io/v1alpha1\n"
    proc = run_text(ctx, "lib.yaml", head + lib.replace("KIND", "Workflow"))
    expect(proc.returncode == 0 and "name: out-subpath-2" in proc.stdout, proc.stderr)
    for kind in ("WorkflowTemplate", "ClusterWorkflowTemplate"):
        proc = run_text(ctx, "lib.yaml", head + lib.replace("KIND", kind))
        expect(proc.returncode == 4 and proc.stdout == "" and "lib.yaml:13:9: error: template 'prod': output artifact "
               "'out' would carry its location in parameter 'out-subpath', which the template has already"
               in proc.stderr, proc.stderr)


def test_output_name_too_long_for_a_directory(ctx):
    """An output's name is the directory of its location on the volume: one
    longer than a file name may be (255 bytes) is refused, 255 converts."""
    text = _read(os.path.join(CASES, "templated-inputs.yaml"))
    for length, code in ((255, 0), (256, 4)):
        proc = run_text(ctx, "long.yaml", text.replace("name: d\n", f"name: {'o' * length}\n")
                        .replace("artifacts.d}}", f"artifacts.{'o' * length}}}}}"))
        expect(proc.returncode == code, f"{length}: exit {proc.returncode}: {proc.stderr}")
    expect("long.yaml:36:9: error: template 'prod': output artifact 'oooooooooooooooooooooooooooooooo...' names the "
           "directory of its location on the volume, '...oooooooooooooooooooooooooooooooo', longer than the 255 bytes"
           in proc.stderr, proc.stderr)


def test_referred_entry(ctx):
    """A Workflow whose workflowTemplateRef entrypoint would take from the
    volume the constant it passes is refused; alone, it is converted with a
    warning that says so. A dag or steps entrypoint keeps the constant."""
    path = os.path.join(CASES, "referred.yaml")
    proc = ctx.run(["--input", path, "--volume", PVC])
    expect(proc.returncode == 4 and proc.stdout == "" and
           "referred.yaml:24:7: error: spec.arguments: artifact 'd' goes through workflowTemplateRef to template "
           "'consume' of WorkflowTemplate 'lib', which takes it from the volume once converted" in proc.stderr,
           proc.stderr)
    with tempfile.TemporaryDirectory() as d:
        alone = os.path.join(d, "alone.yaml")
        with open(alone, "w") as f:
            f.write(_read(path).split("\n---\n")[1])
        proc = ctx.run(["--input", alone, "--volume", PVC])
    expect(proc.returncode == 0 and "alone.yaml:5:24: warning: spec.workflowTemplateRef: WorkflowTemplate 'lib' is "
           "not in the input" in proc.stderr, proc.stderr)
    # The WorkflowTemplate's own spec.arguments go to its entrypoint, which
    # becomes a twin that takes them (with a warning: a workflow apart that
    # names the entrypoint itself runs the form that takes the volume). Argo
    # merges them into a Workflow that runs it: one that names a template
    # itself passes them there: its entrypoint is refused where that takes the
    # volume, as the Workflow's own would be; its onExit calls the twin.
    template = ("apiVersion: argoproj.io/v1alpha1\nkind: WorkflowTemplate\nmetadata: {name: wt}\nspec:\n"
                "  entrypoint: use\n  arguments:\n    artifacts:\n    - {name: d, raw: {data: hello}}\n  templates:\n"
                "  - name: use\n    inputs:\n      artifacts:\n      - {name: d, path: /in/d}\n"
                "    container: {image: busybox, command: [cat, /in/d]}\n")
    runner = "---\napiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {generateName: w-}\nspec:\n"
    proc = run_text(ctx, "wt.yaml", template + runner + "  workflowTemplateRef: {name: wt}\n")
    expect_one_warning(proc, "wt.yaml:5:15: warning: spec.entrypoint: template 'use' takes input artifacts from the "
                       "volume once converted, and the WorkflowTemplate's spec.arguments pass real ones: its entrypoint "
                       "is now twin 'use-constant'; a workflow that runs it naming entrypoint 'use' itself "
                       "(workflowTemplateRef, argo submit --from --entrypoint) runs the form that takes the volume")
    expect("  entrypoint: use-constant\n" in proc.stdout, proc.stdout)
    proc = run_text(ctx, "wt.yaml", template + runner + "  entrypoint: use\n  workflowTemplateRef: {name: wt}\n")
    expect(proc.returncode == 4 and proc.stdout == "" and "wt.yaml:20:15: error: spec.arguments (the "
           "WorkflowTemplate's, which Argo merges in): artifact 'd' goes through workflowTemplateRef to template "
           "'use' of WorkflowTemplate 'wt', which takes it from the volume once converted; leave spec.entrypoint "
           "out: the WorkflowTemplate's own, a twin of it that takes the artifact, runs then" in proc.stderr,
           proc.stderr)
    proc = run_text(ctx, "wt.yaml", template + runner + "  onExit: use\n  workflowTemplateRef: {name: wt}\n", "--verify")
    expect(proc.returncode == 0 and "  onExit: use-constant\n" in proc.stdout, proc.stdout + proc.stderr)
    # The Workflow's own constant for that entrypoint goes to the twin too: it converts.
    own = runner + "  workflowTemplateRef: {name: wt}\n  arguments:\n    artifacts:\n    - {name: d, raw: {data: x}}\n"
    proc = run_text(ctx, "wt.yaml", template + own, "--verify")
    expect(proc.returncode == 0 and "  entrypoint: use-constant\n" in proc.stdout, proc.stderr)
    # A steps entrypoint takes the constant as a real artifact, as it does
    # converted alone (its callers pass real artifacts), in either order.
    docs = _read(os.path.join(CASES, "referred-steps.yaml")).split("---\n")
    for text in (docs[0] + "---\n" + docs[1], docs[1] + "---\n" + docs[0]):
        proc = run_text(ctx, "referred-steps.yaml", text, "--verify")
        expect(proc.returncode == 0 and "template: gen-constant" in proc.stdout and "raw: {data: \"other\"}"
               in proc.stdout, proc.stderr)


def test_subpath_parameters(ctx):
    """A subPath made of parameters Argo substitutes first: a step's output
    parameter in an argument's subPath (passed on in the location parameter's
    value, with a warning: a '..' in it would break the mount), an input
    parameter in a dag output's (inside its expression). Both convert, and
    verify follows them on both sides."""
    extra = _read(os.path.join(CASES, "extra.yaml"))
    graph = _read(os.path.join(CASES, "graph-subpath.yaml"))
    variants = {
        "argument.yaml": [('- {name: in, from: "{{steps.make.outputs.artifacts.out}}"}',
                           '- {name: in, from: "{{steps.make.outputs.artifacts.out}}", '
                           'subPath: "{{steps.make.outputs.parameters.p}}"}'),
                          ("    outputs:\n      artifacts:\n      - {name: out, path: /tmp/out}\n",
                           "    outputs:\n      parameters:\n      - {name: p, valueFrom: {path: /tmp/p}}\n"
                           "      artifacts:\n      - {name: out, path: /tmp/out/}\n")],
        "graph.yaml": [("      - name: inner\n        template: inner\n",
                        "      - name: inner\n        template: inner\n        arguments:\n          parameters:\n"
                        "          - {name: file, value: b.txt}\n"),
                       ("  - name: inner\n    dag:", "  - name: inner\n    inputs:\n      parameters:\n"
                                                   "      - name: file\n    dag:"),
                       ("subPath: b.txt", 'subPath: "{{inputs.parameters.file}}"')],
    }
    with tempfile.TemporaryDirectory() as d:
        for name, edits in variants.items():
            text = extra if name == "argument.yaml" else graph
            for old, new in edits:
                expect(text.count(old) == 1, f"{name}: {old!r} is not there once")
                text = text.replace(old, new)
            path = os.path.join(d, name)
            with open(path, "w") as f:
                f.write(text)
            proc = ctx.run(["--input", path, "--volume", PVC])
            expect(proc.returncode == 0, proc.stderr)
            report = check_output(ctx, path, proc.stdout)
            expect(report["handoffs"] and all(h["verdict"] == "preserved" for h in report["handoffs"]),
                   json.dumps(report))
            # A value known at run time only may hold '..', which Argo cleans away and a mount's subPath keeps.
            expect((name == "argument.yaml") == ("argument 'in' takes the subPath {{steps.make.outputs.parameters.p}}, "
                   "whose value is known at run time only: Argo cleans the path it makes of it ('.' and '..' "
                   "components go), the mount's subPath on the volume keeps them, and Kubernetes refuses a '..' "
                   "there" in proc.stderr), proc.stderr)


def test_subpath_dotdot(ctx):
    """Argo joins an artifact's key and a subPath as Go's path.Join does,
    resolving '..', which Kubernetes refuses in a mount's subPath: a literal
    subPath is resolved (to the artifact itself for 'a/..'), in an argument
    and in a dag output; one that climbs out of the artifact, or takes a
    '..' from a workflow parameter's value, is refused."""
    extra = _read(os.path.join(CASES, "extra.yaml"))
    graph = _read(os.path.join(CASES, "graph-subpath.yaml"))
    argument = '- {name: in, from: "{{steps.make.outputs.artifacts.out}}"}'
    expect(extra.count(argument) == 1 and graph.count("subPath: b.txt") == 1, "extra.yaml or graph-subpath.yaml changed")
    with_sub = lambda sub: extra.replace(argument, argument[:-1] + f', subPath: "{sub}"}}').replace(  # noqa: E731
        "      - {name: out, path: /tmp/out}\n", "      - {name: out, path: /tmp/out/}\n")
    location = "value: '{{steps.make.outputs.parameters.out-subpath}}"
    converted = [("argument.yaml", with_sub("x/../b.txt"), location + "/b.txt'\n"),
                 ("argument.yaml", with_sub("x/.."), location + "'\n"),
                 ("argument.yaml", with_sub("x/../{{odd"), location + "/{{odd'\n"),  # no tag: literal text
                 ("graph.yaml", graph.replace("subPath: b.txt", "subPath: ./x/../b.txt"),
                  "expression: (tasks['p'].outputs.parameters['dir-subpath']) + '/b.txt'\n")]
    for name, text, want in converted:
        proc = run_text(ctx, name, text, "--verify")
        expect(proc.returncode == 0 and "/.." not in proc.stdout and want in proc.stdout, proc.stderr + proc.stdout)
    refused = [(with_sub("../b.txt"), "argument 'in' takes the subPath ../b.txt, which climbs out of the artifact "
                "with '..'"),
               (with_sub("{{workflow.parameters.f}}").replace("  entrypoint: main\n", "  entrypoint: main\n  arguments:"
                "\n    parameters: [{name: f, value: x/../b.txt}]\n"), "argument 'in' takes the subPath "
                "{{workflow.parameters.f}}, which takes a '..' component from workflow parameter 'f' (x/../b.txt), "
                "which volpass cannot resolve and Kubernetes refuses in a subPath"),
               (with_sub("{{workflow.name}}/../b.txt"), "argument 'in' takes the subPath {{workflow.name}}/../b.txt, "
                "which has a '..' component beside parameters")]
    for text, message in refused:
        proc = run_text(ctx, "argument.yaml", text)
        expect(proc.returncode == 4 and proc.stdout == "" and message in proc.stderr, proc.stderr)


def test_clashing_names(ctx):
    golden(ctx, os.path.join(CASES, "clashes.yaml"), "clashes.yaml", "--volume", PVC)


def test_global_names(ctx):
    """A global artifact's location parameter takes a global name no output
    parameter has; one set through the volume by one producer and as a real
    artifact by another is refused."""
    golden(ctx, os.path.join(CASES, "globals.yaml"), "globals.yaml", "--volume", PVC)
    text = _read(os.path.join(CASES, "globals.yaml"))
    old = "      - name: count\n        template: count\n"
    expect(old in text, "globals.yaml changed")
    mixed = text.replace(old, old + "      - name: fallback\n        template: fallback\n") + (
        "  - name: fallback\n"
        "    container: {image: alpine:3.19, command: [sh, -c, \"echo 0 > /result.txt\"]}\n"
        "    outputs:\n"
        "      artifacts:\n"
        "      - {name: result, path: /result.txt, globalName: result}\n")
    proc = run_text(ctx, "globals.yaml", mixed)
    expect(proc.returncode == 4 and proc.stdout == "" and
           "globals.yaml:57:9: error: template 'fallback': output artifact 'result' sets global artifact 'result' "
           "as a real artifact (its directory is /" in proc.stderr, proc.stderr)


def test_graph_output_global(ctx):
    """A steps template's output with a globalName: its location parameter
    sets the global parameter that readers of the global artifact take;
    without it verify finds the hand-off broken."""
    source = os.path.join(CASES, "graph-global.yaml")
    proc = golden(ctx, source, "graph-global.yaml", "--volume", PVC)
    cut = "        globalName: g-subpath\n"
    expect(proc.stdout.count(cut) == 1, "the global parameter is not set")
    code, report = verify_report(ctx, source, proc.stdout.replace(cut, ""))
    expect(code == 1 and [h["verdict"] for h in report["handoffs"]] == ["broken"], json.dumps(report))


def test_global_artifacts_everywhere(ctx):
    """Global artifacts set by a dag or steps output and read before it is
    planned (through another graph's output or input), set in an inline
    template, set in a WorkflowTemplate converted apart, or set from itself:
    each converts, verify follows it, and every hand-off is preserved."""
    folder = os.path.join(CASES, "globals")
    for name in ["through-dag-input.yaml", "through-dag-output.yaml", "inline-producer.yaml"]:
        path = os.path.join(folder, name)
        proc = ctx.run(["--input", path, "--volume", PVC])
        expect(proc.returncode == 0, f"{name}: {proc.stderr}")
        report = check_output(ctx, path, proc.stdout)
        expect(len(report["handoffs"]) == 1, f"{name}: {json.dumps(report)}")
    with tempfile.TemporaryDirectory() as d:
        texts = {}
        for name in ["lib-template.yaml", "use-template.yaml"]:
            proc = ctx.run(["--input", os.path.join(folder, name), "--volume", PVC])
            expect(proc.returncode == 0, f"{name}: {proc.stderr}")
            texts[name] = (_read(os.path.join(folder, name)), proc.stdout)
        paths = [os.path.join(d, n) for n in ("both.yaml", "both.out.yaml")]
        for i, path in enumerate(paths):
            with open(path, "w") as f:
                f.write("---\n".join(pair[i] for pair in texts.values()))
        report = check_output(ctx, paths[0], _read(paths[1]))
        expect([h["verdict"] for h in report["handoffs"]] == ["preserved"], json.dumps(report))
    proc = ctx.run(["--input", os.path.join(folder, "read-while-planned.yaml"), "--volume", PVC])
    expect(proc.returncode == 4 and "read-while-planned.yaml:20:9: error: template 'd': global artifact 'g', which "
           "its output 'out1' sets, is read in what that template itself passes on" in proc.stderr, proc.stderr)
    proc = ctx.run(["--input", os.path.join(folder, "mixed-kept.yaml"), "--volume", PVC, "--keep-artifact", "a"])
    expect(proc.returncode == 4 and "sets global artifact 'g' as a real artifact (what it passes on is one)" in
           proc.stderr, proc.stderr)
    path = os.path.join(folder, "self.yaml")  # refused; verify walked every instance again per level, without end
    proc = ctx.run(["--input", path, "--volume", PVC])
    expect(proc.returncode == 4 and "global artifact 'g', which its output 'x' sets, is read in what that "
           "template itself passes on" in proc.stderr, proc.stderr)
    proc = ctx.run(["verify", path, path])
    expect(proc.returncode == 1 and "global artifact 'g' is set from itself, or through more than 8 globals, so "
           "verify does not check all its hand-offs" in proc.stdout, proc.stdout + proc.stderr)


def test_keep_artifact(ctx):
    golden(ctx, os.path.join(CASES, "keep.yaml"), "keep.yaml", "--volume", PVC,
           "--keep-artifact", "mlpipeline-ui-metadata", "--keep-artifact", "mlpipeline-metrics")
    # Not kept, Kubeflow's UI finds nothing of them: a warning for each name, at its first output.
    proc = ctx.run(["--input", os.path.join(CASES, "keep.yaml"), "--volume", PVC])
    expect(proc.returncode == 0 and proc.stderr.count("warning:") == 2 and
           "keep.yaml:28:9: warning: template 'train': output artifact 'mlpipeline-ui-metadata' goes through the "
           "volume, where Kubeflow Pipelines' UI, which reads it from the artifact repository, finds nothing: keep "
           "it a real artifact with --keep-artifact mlpipeline-ui-metadata" in proc.stderr and
           "output artifact 'mlpipeline-metrics' goes through the volume, where" in proc.stderr, proc.stderr)
    twice = _read(os.path.join(CASES, "keep.yaml")).replace(
        "      - {name: mlpipeline-metrics, path: /tmp/metrics.json}\n",
        "      - {name: mlpipeline-metrics, path: /tmp/metrics.json}\n      - {name: mlpipeline-ui-metadata, path: /tmp/ui}\n")
    proc = run_text(ctx, "keep.yaml", twice, "--keep-artifact", "mlpipeline-metrics")
    expect_one_warning(proc, "keep.yaml:28:9: warning: template 'train': output artifact 'mlpipeline-ui-metadata' goes "
                       "through the volume (and so does that of 1 more template), where Kubeflow Pipelines' UI, "
                       "which reads it from the artifact repository, finds nothing: keep it a real artifact with "
                       "--keep-artifact mlpipeline-ui-metadata")
    inline = passing_workflow("inline-") + """  - name: produce
    container: {image: alpine, command: [sh, -c, "echo > /tmp/out"]}
    outputs: {artifacts: [{name: out, path: /tmp/out}]}
  - name: consume
    inputs: {artifacts: [{name: in, path: /in/x}]}
    steps:
    - - name: s
        inline:
          container: {image: alpine, command: [sh, -c, "cat /in/x > /tmp/o/ui.json"]}
          outputs: {artifacts: [{name: mlpipeline-ui-metadata, path: /tmp/o/ui.json}]}
"""
    proc = run_text(ctx, "inline.yaml", inline)
    expect(proc.returncode == 0 and "warning: template 's': output artifact 'mlpipeline-ui-metadata' goes through the "
           "volume, where" in proc.stderr, proc.stderr)


def test_volume_claim_template_and_name(ctx):
    golden(ctx, os.path.join(reference.CORPUS, "artifact-passing.yaml"), "claim.yaml",
           "--volume-claim-template", CLAIM,
           "--volume-name", "shared")
    proc = ctx.run(["--input", os.path.join(CASES, "clashes.yaml"), "--volume", PVC, "--volume-name", "data-storage"])
    expect(proc.returncode == 4 and "--volume-name data-storage: the workflow already has a volume" in proc.stderr,
           proc.stderr)
    proc = ctx.run(["--input", os.path.join(CASES, "keep.yaml"), "--volume", PVC, "--volume-claim-template", "{}"])
    expect(proc.returncode == 2 and "exclude each other" in proc.stderr, proc.stderr)


# A dag passing output 'out' of task gen (template produce) to input 'in' of task use (consume).
GEN_TO_USE = """  - name: main
    dag:
      tasks:
      - {name: gen, template: produce}
      - name: use
        template: consume
        depends: gen
        arguments: {artifacts: [{name: in, from: "{{tasks.gen.outputs.artifacts.out}}"}]}
"""
def workflow_head(generate_name):
    """A Workflow's text up to its templates, the first of which is main."""
    return ("apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {generateName: " + generate_name +
            "}\nspec:\n  entrypoint: main\n  templates:\n")


def passing_workflow(generate_name):
    """A Workflow's text up to its templates produce and consume, which GEN_TO_USE calls."""
    return workflow_head(generate_name) + GEN_TO_USE


def written(directory, name, text):
    """The path of a new file `name` in `directory` holding `text`."""
    path = os.path.join(directory, name)
    with open(path, "w") as f:
        f.write(text)
    return path


CLAIMED_LIBRARY = """apiVersion: argoproj.io/v1alpha1
kind: WorkflowTemplate
metadata: {name: lib}
spec:
  entrypoint: main
  volumeClaimTemplates:
  - metadata: {name: workspace}
    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
  templates:
""" + GEN_TO_USE + """  - name: produce
    container:
      image: alpine
      command: [sh, -c, "ls /ws; echo hi > /tmp/out/data.txt"]
      volumeMounts: [{name: workspace, mountPath: /ws}]
    outputs: {artifacts: [{name: out, path: /tmp/out/data.txt}]}
  - name: consume
    inputs: {artifacts: [{name: in, path: /in/data.txt}]}
    container: {image: alpine, command: [cat, /in/data.txt]}
"""
REFERRING = """apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: run-}
spec:
  workflowTemplateRef: {name: lib}
"""


def test_claims_of_a_referred_template(ctx):
    """A Workflow running a WorkflowTemplate (workflowTemplateRef) creates the
    template's claims only while it has none of its own: Argo takes the list
    as a whole. So it gets no claim; the template does. One with templates
    of its own whose WorkflowTemplate is not in the input is refused, and
    verify reports a run that lost the template's claims."""
    claim = "{accessModes: [ReadWriteMany], resources: {requests: {storage: 10Gi}}}"
    stream = CLAIMED_LIBRARY + "---\n" + REFERRING
    claimed = ("--volume-claim-template", claim)
    proc = run_text(ctx, "lib.yaml", stream, volume=claimed)
    expect(proc.returncode == 0, proc.stderr)
    library, run = proc.stdout.split("---\n")
    expect(run == REFERRING and "  - metadata: {name: workspace}\n" in library and
           "    name: data-storage\n" in library, proc.stdout)
    with tempfile.TemporaryDirectory() as d:
        original = written(d, "lib.yaml", stream)
        report = check_output(ctx, original, proc.stdout)
        expect(report["problems"] == [], str(report["problems"]))
        replaced = run + "  volumeClaimTemplates:\n  - metadata: {name: data-storage}\n    spec: " + claim + "\n"
        code, report = verify_report(ctx, original, library + "---\n" + replaced)
    expect(code == 1 and [p["message"] for p in report["problems"]] ==
           ["Workflow '(generated)' runs WorkflowTemplate 'lib' without its volume claim 'workspace': its own "
            "spec.volumeClaimTemplates replaces the template's"], str(report["problems"]))
    # An empty list is none (Argo drops it): the template's claims still apply
    emptied = REFERRING + "  volumeClaimTemplates: []\n"
    proc = run_text(ctx, "lib.yaml", CLAIMED_LIBRARY + "---\n" + emptied, volume=claimed)
    expect(proc.returncode == 0 and proc.stdout.split("---\n")[1] == emptied, proc.stdout + proc.stderr)
    # verify follows a claim without a name (Kubernetes refuses it) without stumbling
    nameless = CLAIMED_LIBRARY.replace("  templates:\n", "  - spec: {accessModes: [ReadWriteMany]}\n  templates:\n", 1)
    with tempfile.TemporaryDirectory() as d:
        both = written(d, "nameless.yaml", nameless + "---\n" + REFERRING)
        proc = ctx.run(["verify", both, both])
    expect(proc.returncode == 0, proc.stdout + proc.stderr)
    alone = run_text(ctx, "run.yaml", REFERRING, volume=claimed)
    expect(alone.returncode == 0 and alone.stdout == REFERRING, alone.stderr)
    own = REFERRING + "  templates:\n  - name: hello\n    container: {image: alpine}\n"
    refused = run_text(ctx, "run.yaml", own, volume=claimed)
    expect(refused.returncode == 4 and refused.stdout == "" and
           "run.yaml:5:24: error: spec.workflowTemplateRef: WorkflowTemplate 'lib' is not in the input; with "
           "--volume-claim-template, the claim this Workflow's own templates need would replace its "
           "spec.volumeClaimTemplates" in refused.stderr, refused.stderr)
    with_volume = run_text(ctx, "run.yaml", own)
    expect(with_volume.returncode == 0, with_volume.stderr)


def test_volume_name_shared(ctx):
    """Documents converted apart must name the volume alike: when data-storage
    is taken in one that uses (or may be used by) another, volpass asks for
    --volume-name instead of choosing data-storage-2 on its own."""
    path = os.path.join(CASES, "taken-name.yaml")
    proc = ctx.run(["--input", path, "--volume", PVC])
    expect(proc.returncode == 4 and proc.stdout == "" and "taken-name.yaml:9:5: error: the volume would be named "
           "data-storage-2, as data-storage is taken" in proc.stderr and "--volume-name" in proc.stderr, proc.stderr)
    proc = ctx.run(["--input", path, "--volume", PVC, "--volume-name", "data-storage"])
    expect(proc.returncode == 4 and "taken-name.yaml:9:5: error: --volume-name data-storage: the workflow already "
           "has a volume of that name" in proc.stderr, proc.stderr)
    proc = ctx.run(["--input", path, "--volume", PVC, "--volume-name", "shared"])
    expect(proc.returncode == 0 and "- name: shared\n    persistentVolumeClaim" in proc.stdout, proc.stderr)


def test_memoized_producer(ctx):
    """A memoized producer's cached outputs point into an earlier run's
    directory: a warning with --volume, refused with a claim of each run;
    also where spec.templateDefaults memoizes every template; not where its
    output stays real for a consumer that takes no volume location."""
    text = _read(os.path.join(CASES, "inputs.yaml"))
    old = "  - name: make\n    container:\n"
    expect(old in text, "inputs.yaml changed")
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "memo.yaml")
        with open(path, "w") as f:
            f.write(text.replace(old, "  - name: make\n    memoize: {key: k, maxAge: 1h, cache: {configMap: {name: c}}}\n"
                                      "    container:\n"))
        proc = ctx.run(["--input", path, "--volume", PVC])
        expect(proc.returncode == 0 and "memo.yaml:26:14: warning: template 'make' is memoized" in proc.stderr and
               "an entry a run before the conversion made holds artifacts" in proc.stderr,
               proc.stderr)
        proc = ctx.run(["--input", path, "--volume-claim-template", CLAIM])
        expect(proc.returncode == 4 and "memo.yaml:26:14: error: template 'make' is memoized" in proc.stderr,
               proc.stderr)
        graph = _read(os.path.join(CASES, "graph-global.yaml"))  # a steps template can be memoized too
        with open(path, "w") as f:
            f.write(graph.replace("  - name: inner\n", "  - name: inner\n    memoize: {key: k, cache: {configMap: {name: c}}}\n"))
        proc = ctx.run(["--input", path, "--volume-claim-template", CLAIM])
        expect(proc.returncode == 4 and "error: template 'inner' is memoized" in proc.stderr, proc.stderr)
        for own in ("", "    memoize: null\n"):  # a null of the template's own is no setting (omitempty)
            with open(path, "w") as f:
                f.write(text.replace("spec:\n", "spec:\n  templateDefaults: {memoize: {key: k, cache: {configMap: "
                                                  "{name: c}}}}\n", 1).replace(old, "  - name: make\n" + own +
                                                                              "    container:\n"))
            proc = ctx.run(["--input", path, "--volume-claim-template", CLAIM])
            expect(proc.returncode == 4 and "memo.yaml:7:31: error: template 'make' is memoized (by "
                   "spec.templateDefaults)" in proc.stderr, proc.stderr)
        # its output kept real for a consumer that takes no volume location: nothing of it on the claim
        with open(path, "w") as f:
            f.write(text.replace(old, "  - name: make\n    memoize: {key: k, maxAge: 1h, cache: {configMap: {name: c}}}\n"
                                      "    container:\n").replace("path: /in/data}", "path: /in/data, mode: 0755}"))
        proc = ctx.run(["--input", path, "--volume-claim-template", CLAIM, "--verify"])
        expect(proc.returncode == 0 and "warning: template 'make': output artifact 'out' stays a real artifact" in
               proc.stderr and "is memoized" not in proc.stderr, proc.stderr)


OPTIONAL_OUTPUT = passing_workflow("optional-") + """  - name: produce
    container: {image: alpine, command: [sh, -c, "[ -s /etc/cfg ] && cp /etc/cfg /tmp/out/d; true"]}
    outputs: {artifacts: [{name: out, path: /tmp/out/d, optional: true}]}
  - name: consume
    inputs: {artifacts: [{name: in, path: /in/d}]}
    container: {image: alpine, command: [sh, -c, "cat /in/d"]}
"""


def test_optional_output_kept(ctx):
    """An optional output stays a real artifact: where the producer writes
    nothing, Argo fails the consumer (or skips its optional input), while a
    mount of its place on the volume would show an empty directory. verify
    calls the hand-off through the volume broken for that reason."""
    proc = run_text(ctx, "optional.yaml", OPTIONAL_OUTPUT)
    expect(proc.returncode == 0 and "output artifact 'out' stays a real artifact" in proc.stderr and
           "it is optional" in proc.stderr, proc.stderr)
    with tempfile.TemporaryDirectory() as d:
        original = written(d, "optional.yaml", OPTIONAL_OUTPUT)
        [handoff] = check_output(ctx, original, proc.stdout)["handoffs"]
        expect(handoff["location"] == "a real artifact on both sides", str(handoff))
        through_volume = run_text(ctx, "required.yaml", OPTIONAL_OUTPUT.replace(", optional: true", ""))
        expect(through_volume.returncode == 0 and through_volume.stderr == "", through_volume.stderr)
        code, report = verify_report(ctx, original, through_volume.stdout)
    [handoff] = report["handoffs"]
    expect(code == 1 and handoff["verdict"] == "broken" and "the output is optional" in handoff["reason"],
           f"{code} {handoff}")


PATCHED = passing_workflow("patched-") + """  - name: produce
    volumes: [{name: scratch, emptyDir: {}}]
    podSpecPatch: PATCH
    container: {image: alpine, command: [sh, -c, "echo hi > /tmp/out/data.txt"]}
    outputs: {artifacts: [{name: out, path: /tmp/out/data.txt}]}
  - name: consume
    inputs: {artifacts: [{name: in, path: /in/data.txt}]}
    container: {image: alpine, command: [cat, /in/data.txt]}
"""


def test_pod_spec_patch(ctx):
    """Argo merges a podSpecPatch into the pod, volume mounts by their path:
    one that mentions volumes, or holds a reference (whose value could be
    anything), may replace the mount an output is written through. The
    output stays a real artifact; verify reports such a patch on a pod with
    mounts. A patch of resources alone changes nothing, and neither does an
    empty one (Argo drops it)."""
    mounts = "'{containers: [{name: main, volumeMounts: [{name: scratch, mountPath: /tmp/out}]}]}'"
    referring = "its podSpecPatch holds a reference, whose value may add mounts"
    for patch, why in ((mounts, "its podSpecPatch mentions volumes"), ("'{{workflow.parameters.patch}}'", referring),
                       ("'{\"containers\": [{\"name\": \"main\", \"resources\": {\"limits\": {\"cpu\": "
                        "\"{{workflow.parameters.cpu}}\"}}}]}'", referring),
                       # Go's JSON reader matches field names in any case, and decodes escapes
                       ("'{\"containers\": [{\"name\": \"main\", \"VOLUMEMOUNTS\": []}]}'",
                        "its podSpecPatch mentions volumes"),
                       ("'{\"containers\": [{\"name\": \"main\", \"\\u0076olumeMounts\": []}]}'",
                        "its podSpecPatch holds escapes, which may spell volumes"),
                       ("'{containers: [{name: main, resources: {limits: {cpu: 2}}}]}'", None), ("''", None)):
        text = PATCHED.replace("PATCH", patch)
        proc = run_text(ctx, "patched.yaml", text)
        kept = why is not None
        expect(proc.returncode == 0 and kept == ("output artifact 'out' stays a real artifact" in proc.stderr), proc.stderr)
        expect(not kept or f"the pod's volume mounts may change: {why}" in proc.stderr, proc.stderr)
        with tempfile.TemporaryDirectory() as d:
            original = written(d, "patched.yaml", text)
            [handoff] = check_output(ctx, original, proc.stdout)["handoffs"]
            expect(kept == (handoff["location"] == "a real artifact on both sides"), str(handoff))
    plain = run_text(ctx, "plain.yaml", PATCHED.replace("    podSpecPatch: PATCH\n", ""))
    expect(plain.returncode == 0 and plain.stderr == "", plain.stderr)
    patched = PATCHED.replace("PATCH", mounts)
    with tempfile.TemporaryDirectory() as d:
        original = written(d, "patched.yaml", patched)
        through_volume = plain.stdout.replace("  - name: produce\n", "  - name: produce\n    podSpecPatch: " + mounts + "\n")
        code, report = verify_report(ctx, original, through_volume)
    expect(code == 1 and [p["message"] for p in report["problems"]] ==
           ["template 'produce': the pod's volume mounts may change, which verify does not follow: its podSpecPatch "
            "mentions volumes"], str(report["problems"]))


LIBRARY = (PATCHED.replace("kind: Workflow\nmetadata: {generateName: patched-}", "kind: WorkflowTemplate\nmetadata: {name: lib}")
           .replace("    podSpecPatch: PATCH\n", ""))
RUNNER = "---\napiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {generateName: run-}\nspec:\nJOINED\n"
# How a Workflow runs the library's templates: its spec joined to the library's, through a
# templateRef of its own, or through a templateRef of a WorkflowTemplate whose template it calls.
RUNNERS = {
    "workflowTemplateRef": LIBRARY + RUNNER + "  workflowTemplateRef: {name: lib}\n",
    "templateRef": LIBRARY + RUNNER + "  entrypoint: go\n  templates:\n  - name: go\n    steps: [[{name: s, "
                   "templateRef: {name: lib, template: main}}]]\n",
    "templateRef, the library last": RUNNER[len("---\n"):] + "  entrypoint: go\n  templates:\n  - name: go\n    "
                                     "steps: [[{name: s, templateRef: {name: lib, template: main}}]]\n---\n" + LIBRARY,
    "a templateRef named by parameters": LIBRARY + RUNNER + "  entrypoint: go\n  arguments: {parameters: [{name: "
                                         "lib, value: lib}]}\n  templates:\n  - name: go\n    steps: [[{name: s, "
                                         "templateRef: {name: '{{workflow.parameters.lib}}', template: main}}]]\n",
    "a chain of templateRefs": LIBRARY + "---\napiVersion: argoproj.io/v1alpha1\nkind: WorkflowTemplate\nmetadata: "
                               "{name: mid}\nspec:\n  templates:\n  - name: via\n    steps: [[{name: s, templateRef: "
                               "{name: lib, template: main}}]]\n" + RUNNER + "  entrypoint: go\n  templates:\n  - "
                               "name: go\n    steps: [[{name: s, templateRef: {name: mid, template: via}}]]\n"}


def joined_workflow_spec(ctx, how, runner):
    """A workflow gives every pod it runs its podSpecPatch and templateDefaults,
    those of a WorkflowTemplate's templates it runs too (workflowTemplateRef,
    or templateRef, directly or through another WorkflowTemplate). Mounts they
    may change keep the output a real artifact, as the template's own would,
    and verify reports them: a patch that may change any mount, a default
    container mount compared by its path (one elsewhere changes nothing), a
    sidecar or init container with mounts; their memoize counts as the
    template's own, and their securityContext's user draws the warning of
    the template's own. Defaults about other things change nothing. One
    test per way of running (RUNNERS): they run side by side."""
    expect("kind: WorkflowTemplate" in LIBRARY, "PATCHED changed")
    mounts = "'{containers: [{name: main, volumeMounts: [{name: scratch, mountPath: /tmp/out}]}]}'"
    default_mount = "{container: {image: alpine, volumeMounts: [{name: scratch, mountPath: MOUNT, subPathExpr: " \
        "$(POD_NAME)}]}}\n  volumes: [{name: scratch, persistentVolumeClaim: {claimName: s}}]"
    runs = "a workflow that runs it (templateRef, workflowTemplateRef)"
    changed = "the pod's volume mounts may change: "
    for joined, why in (
            (f"  podSpecPatch: {mounts}", f"{changed}the podSpecPatch of {runs} mentions volumes"),
            (f"  templateDefaults: {{podSpecPatch: {mounts}}}", f"{changed}the templateDefaults' podSpecPatch of "
                                                              f"{runs} mentions volumes"),
            ("  templateDefaults: " + default_mount.replace("MOUNT", "/tmp/out"),
             "a workflow that runs it gives its container a volume mount on /tmp/out (templateDefaults)"),
            ("  templateDefaults: " + default_mount.replace("MOUNT", "/tmp"),
             "a workflow that runs it gives its container a volume mount on /tmp (templateDefaults)"),
            ("  templateDefaults: " + default_mount.replace("MOUNT", "/cache"), None),
            ("  templateDefaults: {sidecars: [{name: s, image: alpine, mirrorVolumeMounts: true}]}",
             f"{changed}the templateDefaults of {runs} give its pod sidecars or init containers with mounts"),
            ("  templateDefaults: {retryStrategy: {limit: 2}, container: {image: alpine, resources: "
             "{limits: {cpu: \"1\"}}}}", None),
            # a sidecar or init container with no mount of its own, mirroring none, changes no mount
            ("  templateDefaults: {initContainers: [{name: wait, image: busybox}], sidecars: [{name: log, "
             "image: fluentbit}]}", None)):
        text = runner.replace("JOINED", joined)
        proc = run_text(ctx, "joined.yaml", text)
        kept = why is not None
        expect(proc.returncode == 0 and kept == ("output artifact 'out' stays a real artifact" in proc.stderr) and
               (not kept or why in proc.stderr), f"{how}: {proc.stderr}")
        with tempfile.TemporaryDirectory() as d:
            original = written(d, "joined.yaml", text)
            handoffs = check_output(ctx, original, proc.stdout)["handoffs"]
            expect(handoffs and all(kept == (h["location"] == "a real artifact on both sides") for h in handoffs),
                   f"{how}: {handoffs}")
            if kept:  # the rewrite as it was before: verify sees what the joined spec may change
                plain = run_text(ctx, "plain.yaml", runner.replace("JOINED\n", ""))
                code, report = verify_report(ctx, original, plain.stdout.replace(
                    "metadata: {generateName: run-}\nspec:\n", "metadata: {generateName: run-}\nspec:\n" +
                    joined.split("\n")[0] + "\n"))  # not a second spec.volumes
                expect(code == 1 and any("the pod's volume mounts may change" in p["message"] or
                                         "gives its container a volume mount on" in p["message"]
                                         for p in report["problems"]), f"{how}: {report['problems']}")
    memoized = runner.replace("JOINED", "  templateDefaults: {memoize: {key: k, cache: {configMap: {name: c}}}}")
    proc = run_text(ctx, "memo.yaml", memoized)
    expect(proc.returncode == 0 and "warning: template 'produce' is memoized (by spec.templateDefaults)" in
           proc.stderr, f"{how}: {proc.stderr}")
    proc = run_text(ctx, "memo.yaml", memoized, volume=("--volume-claim-template", CLAIM))
    expect(proc.returncode == 4 and "error: template 'produce' is memoized (by spec.templateDefaults)" in
           proc.stderr, f"{how}: {proc.stderr}")
    proc = run_text(ctx, "user.yaml", runner.replace("JOINED", "  securityContext: {runAsUser: 1000}"))
    expect(proc.returncode == 0 and "warning: template 'produce' runs as a user other than root" in proc.stderr,
           f"{how}: {proc.stderr}")


def test_many_runners_mounts(ctx):
    """The volume mounts that running workflows' templateDefaults give are
    compared path by path for four of them; past that, they count for every
    pod, whose outputs stay real artifacts."""
    def runners(n):
        return LIBRARY + "".join(RUNNER.replace("JOINED", f"  workflowTemplateRef: {{name: lib}}\n  templateDefaults: "
                                                          f"{{container: {{image: alpine, volumeMounts: [{{name: c, "
                                                          f"mountPath: /cache{i}}}]}}}}\n  volumes: [{{name: c, "
                                                          f"emptyDir: {{}}}}]") for i in range(n))
    proc = run_text(ctx, "four.yaml", runners(4))
    expect(proc.returncode == 0 and "stays a real artifact" not in proc.stderr, proc.stderr)
    proc = run_text(ctx, "five.yaml", runners(5))
    expect(proc.returncode == 0 and "or volume mounts of more workflows than volpass compares path by path" in
           proc.stderr, proc.stderr)


def test_settings_apart(ctx):
    """A workflow whose pods get settings volpass heeds (a podSpecPatch that
    may change mounts, mounting templateDefaults, memoize, a user other than
    root) and that runs templates of a WorkflowTemplate not in the input
    (through templateRef or workflowTemplateRef), or may (a templateRef
    named by parameters), draws a warning: volpass converts that one apart
    without them. One with none of these draws nothing."""
    by_ref = RUNNER[len("---\n"):] + "  entrypoint: go\n  templates:\n  - name: go\n    steps: [[{name: s, templateRef: " \
        "{name: lib, template: main}}]]\n"
    by_name = by_ref.replace("{name: lib, template: main}", "{name: '{{workflow.parameters.lib}}', template: main}")
    joined = RUNNER[len("---\n"):] + "  workflowTemplateRef: {name: lib}\n"
    runs = "runs templates of a WorkflowTemplate not in the input"
    for caller, settings, said, how in (
            (by_ref, "  podSpecPatch: '{volumes: []}'", "a podSpecPatch that may change their mounts", runs),
            (by_ref, "  templateDefaults: {container: {image: alpine, volumeMounts: [{name: c, mountPath: /cache}]}}",
             "templateDefaults that give them mounts", runs),
            (by_ref, "  templateDefaults: {memoize: {key: k, cache: {configMap: {name: c}}}}",
             "templateDefaults that memoize them", runs),
            (by_ref, "  securityContext: {runAsUser: 1000}", "a user other than root", runs),
            (joined, "  securityContext: {runAsUser: 1000}", "a user other than root", runs),
            (by_name, "  securityContext: {runAsUser: 1000}", "a user other than root",
             "may run templates of one not in the input (a templateRef named by parameters)"),
            (by_ref, "  securityContext: {runAsUser: 0}", None, None),
            # the defaults' context, the template's, wins over the pod's
            (by_ref, "  templateDefaults: {securityContext: {runAsUser: 0}}\n  securityContext: {runAsUser: 1000}",
             None, None)):
        proc = run_text(ctx, "caller.yaml", caller.replace("JOINED", settings))
        wanted = f"caller.yaml:1:1: warning: the pods this Workflow runs get {said} (from it, or from a workflow that " \
                 f"runs it), and it {how}, which volpass converts apart without them"
        expect(proc.returncode == 0 and (said is None) == ("warning" not in proc.stderr) and
               (said is None or wanted in proc.stderr), f"{settings}: {proc.stderr}")


def test_own_settings_not_a_runners(ctx):
    """A WorkflowTemplate with a templateRef named by parameters may run any
    WorkflowTemplate, itself included; its own templateDefaults stay its
    own, judged as such (a sidecar mounting elsewhere is no reason to keep
    its outputs real), not those of a workflow that runs it."""
    text = LIBRARY.replace("spec:\n", "spec:\n  templateDefaults: {sidecars: [{name: s, image: alpine, volumeMounts: "
                           "[{name: x, mountPath: /x}]}]}\n  volumes: [{name: x, emptyDir: {}}]\n", 1) + \
        "  - name: other\n    inputs: {parameters: [{name: which}]}\n    steps: [[{name: s, templateRef: {name: " \
        "'{{inputs.parameters.which}}', template: main}}]]\n"
    proc = run_text(ctx, "own.yaml", text)
    expect(proc.returncode == 0 and "stays a real artifact" not in proc.stderr, proc.stderr)


def test_runner_volumes_verified(ctx):
    """A Workflow's volumes take the place of those of the WorkflowTemplate it
    runs (workflowTemplateRef): verify follows the run from the template,
    and reads the Workflow's volume of a name first; where two Workflows run
    it with volumes of a name that differ, it says it follows one. Either
    way it names the Workflow that gives the volume."""
    referred = "spec:\n  workflowTemplateRef: {name: lib}\n"
    one = RUNNERS["workflowTemplateRef"].replace("JOINED\n", "")
    two = one + RUNNER.replace("JOINED\n", "") + "  workflowTemplateRef: {name: lib}\n"
    for text, volumes, broken in (
            (one, ["{name: data-storage, emptyDir: {}}"], "volume 'data-storage' (given by the Workflow at line "
             "47, which runs the WorkflowTemplate) is an emptyDir, which pods do not share"),
            (one, ["{name: data-storage, persistentVolumeClaim: {claimName: other, readOnly: true}}"],
             "volume 'data-storage' (given by the Workflow at line 47, which runs the WorkflowTemplate) is read-only"),
            (one, ["{name: unused, emptyDir: {}}"], None),
            (two, ["{name: data-storage, emptyDir: {}}", "{name: data-storage, persistentVolumeClaim: {claimName: o}}"],
             "volume 'data-storage' is not the same in every Workflow that runs the WorkflowTemplate "
             "(workflowTemplateRef): the Workflow at line 54 gives another than the Workflow at line 47, whose run "
             "verify follows"),
            (two, ["{name: data-storage, persistentVolumeClaim: {claimName: o}}"] * 2, None),
            (two, ["{name: data-storage, persistentVolumeClaim: {claimName: o}}",  # the same, its keys in another order
                   "{persistentVolumeClaim: {claimName: o}, name: data-storage}"], None)):
        proc = run_text(ctx, "runs.yaml", text)
        expect(proc.returncode == 0 and proc.stdout.count(referred) == len(volumes), proc.stderr)
        parts = proc.stdout.split(referred)
        rewritten = parts[0] + "".join(referred + "  volumes: [" + v + "]\n" + rest
                                       for v, rest in zip(volumes, parts[1:]))
        with tempfile.TemporaryDirectory() as d:
            code, report = verify_report(ctx, written(d, "runs.yaml", text), rewritten)
        verdicts = [(h["verdict"], h.get("reason", "")) for h in report["handoffs"]]
        expect(verdicts and all((v == "preserved") == (broken is None) and (broken is None or broken in why)
                                for v, why in verdicts), f"{volumes}: {verdicts}")


def test_template_ref_to_missing_template(ctx):
    """A templateRef to a template its WorkflowTemplate (in the input) does
    not have is a workflow Argo refuses; it was taken for one of a
    WorkflowTemplate outside the input."""
    text = _read(os.path.join(CASES, "refused", "dynamic-template-ref.yaml"))
    expect('template: "{{inputs.parameters.which}}"' in text, "dynamic-template-ref.yaml changed")
    proc = run_text(ctx, "missing.yaml", text.replace('template: "{{inputs.parameters.which}}"', "template: missing"))
    expect(proc.returncode == 3 and proc.stdout == "" and "missing.yaml:45:9: error: template 'main', c: calls "
           "template 'missing' of WorkflowTemplate 'lib', which has no template of that name" in proc.stderr,
           proc.stderr)


def test_volume_named_by_workflow_parameter(ctx):
    """--volume may name a workflow parameter (a claim per submission); a
    Workflow that does not declare it gets a warning: Argo resolves it only
    when `argo submit -p` gives it. One that declares it, or whose
    WorkflowTemplate does, gets none."""
    claim = "persistentVolumeClaim: {claimName: '{{workflow.parameters.claim}}'}"
    text = PATCHED.replace("    podSpecPatch: PATCH\n", "")
    proc = run_text(ctx, "claim.yaml", text, volume=("--volume", claim))
    expect(proc.returncode == 0 and "claim.yaml:1:1: warning: the volume 'data-storage' this Workflow's pods mount "
           "names workflow parameter 'claim', which it does not declare (spec.arguments.parameters): submit it with "
           "-p claim=..., or Argo cannot resolve it" in proc.stderr, proc.stderr)
    declared = text.replace("spec:\n", "spec:\n  arguments: {parameters: [{name: claim}]}\n", 1)
    proc = run_text(ctx, "claim.yaml", declared, volume=("--volume", claim))
    expect(proc.returncode == 0 and proc.stderr == "", proc.stderr)
    head, templates = text.split("spec:\n", 1)
    cron = head.replace("kind: Workflow", "kind: CronWorkflow") + "spec:\n  schedule: '0 * * * *'\n  workflowSpec:\n" + \
        "".join("  " + line + "\n" for line in templates.splitlines())
    proc = run_text(ctx, "cron.yaml", cron, volume=("--volume", claim))
    expect(proc.returncode == 0 and "which it does not declare (spec.workflowSpec.arguments.parameters)" in proc.stderr,
           proc.stderr)


CLUSTER_CALLER = """apiVersion: argoproj.io/v1alpha1
kind: WorkflowTemplate
metadata: {name: lib, namespace: ns1}
spec:
  templates:
  - name: gen
    container: {image: alpine, command: [sh, -c, "echo > /tmp/out/a"]}
    outputs: {artifacts: [{name: a, path: /tmp/out/a}]}
---
apiVersion: argoproj.io/v1alpha1
kind: ClusterWorkflowTemplate
metadata: {name: shared}
spec:
  templates:
  - name: main
    steps:
    - - name: g
        templateRef: {name: lib, template: gen}
    - - name: u
        template: use
        arguments: {artifacts: [{name: a, from: "{{steps.g.outputs.artifacts.a}}"}]}
  - name: use
    inputs: {artifacts: [{name: a, path: /in/a}]}
    container: {image: alpine, command: [cat, /in/a]}
"""


def test_cluster_template_calls_namespaced_template(ctx):
    """A ClusterWorkflowTemplate's templateRef (not clusterScope) runs the
    WorkflowTemplate of the namespace of each workflow that uses it: volpass
    converts it against the one in the input, and says so; a WorkflowTemplate
    that names no namespace draws nothing."""
    proc = run_text(ctx, "cluster.yaml", CLUSTER_CALLER)
    expect(proc.returncode == 0 and "cluster.yaml:17:9: warning: template 'main', g: a ClusterWorkflowTemplate's "
           "templateRef to WorkflowTemplate 'lib' runs the one of the namespace of each workflow that uses it; "
           "volpass converts it against the one of namespace 'ns1' in the input" in proc.stderr, proc.stderr)
    proc = run_text(ctx, "cluster.yaml", CLUSTER_CALLER.replace("{name: lib, namespace: ns1}", "{name: lib}"))
    expect(proc.returncode == 0 and proc.stderr == "", proc.stderr)


def test_private_volume_refused(ctx):
    for kind, phrase in (("emptyDir: {}", "an emptyDir"), ("hostPath: {path: /data}", "a hostPath"),
                         ("configMap: {name: c}", "a configMap"), ("image: {reference: r}", "an image")):
        proc = ctx.run(["--input", os.path.join(CASES, "keep.yaml"), "--volume", kind])
        expect(proc.returncode == 3 and f"--volume:1:{len(kind.split(':')[0]) + 3}: error: {phrase} volume is not "
               "shared between pods" in proc.stderr, proc.stderr)


def test_volume_specs_refused(ctx):
    """--volume must name one volume source Kubernetes knows: with none left
    after dropping unknown keys, Kubernetes makes it an emptyDir. A claim
    template must be a spec Kubernetes takes and pods can write through.
    Each error gives the line and column in the option's value (a key's
    value's: keys are shared, without positions)."""
    keep = os.path.join(CASES, "keep.yaml")
    for spec, where, message in (("claimName: p", "1:12", "'claimName' is not a volume source"),
                                 ("persistentVolumeclaim: {claimName: p}", "1:24",
                                  "'persistentVolumeclaim' is not a volume source"),
                                 ("{}", "1:1", "the volume must name one source"),
                                 ("name: v", "1:1", "the volume must name one source"),
                                 ("{nfs: {server: s, path: /}, cephfs: {monitors: [m]}}", "1:1", "it names 2"),
                                 ("gitRepo: {repository: r}", "1:10", "a gitRepo volume is not shared between pods"),
                                 ("persistentVolumeClaim: null", "1:24",
                                  "the persistentVolumeClaim source needs its settings"),
                                 ('persistentVolumeClaim: {claimName: c, readOnly: "false"}', "1:49",
                                  "readOnly must be false (unquoted), or left out"),
                                 ('persistentVolumeClaim: {claimName: c, readOnly: [false]}', "1:49",
                                  "readOnly must be false (unquoted), or left out")):
        proc = ctx.run(["--input", keep, "--volume", spec])
        expect(proc.returncode == 3 and proc.stdout == "" and proc.stderr.startswith(f"--volume:{where}: error: ") and
               message in proc.stderr, f"{spec}: {proc.stderr}")
    proc = ctx.run(["--input", keep, "--volume", "{name: ignored, nfs: {server: s, path: /}}"])
    expect(proc.returncode == 0 and "  - name: data-storage\n    nfs: {server: s, path: /}\n" in proc.stdout and
           "--volume:1:8: warning: the volume's name is the one in the workflow (data-storage, or --volume-name), "
           "not this one" in proc.stderr, proc.stderr)
    for spec, where, message in (("{}", "1:1", "the claim needs a size"),
                                 ("{metadata: {name: c}, spec: " + CLAIM + "}", "1:1", "give the claim's spec"),
                                 ("{accessModes: [ReadOnlyMany], resources: {requests: {storage: 1Gi}}}", "1:15",
                                  "the claim must let pods write it"),
                                 ("{accessModes: [ReadWriteOncePod], resources: {requests: {storage: 1Gi}}}", "1:15",
                                  "a ReadWriteOncePod claim lets one pod at a time use it"),
                                 ("{accessModes: ReadWriteMany, resources: {requests: {storage: 1Gi}}}", "1:15",
                                  "accessModes must be a list"),
                                 (CLAIM.replace("}}}", "}}, volumeMode: Block}"), "1:83",
                                  "a Block claim is a raw device"),
                                 ("{accessModes: [ReadWriteMany], resources: {requests: {storage: [1]}}}", "1:64",
                                  "the claim's size must be a quantity, such as 10Gi or 500M"),
                                 ("{accessModes: [ReadWriteMany], resources: {requests: {storage: Gi}}}", "1:64",
                                  "the claim's size must be a quantity"),
                                 ("{accessModes: [ReadWriteMany], resources: {requests: {storage: 10 apples}}}",
                                  "1:64", "the claim's size must be a quantity")):
        proc = ctx.run(["--input", keep, "--volume-claim-template", spec])
        expect(proc.returncode == 3 and proc.stdout == "" and
               f"--volume-claim-template:{where}: error: " + message in proc.stderr, f"{spec}: {proc.stderr}")
    for size in ("+1Gi", "1.5e3", "500M", ".5Ki", "'{{workflow.parameters.size}}'"):  # Kubernetes quantities
        proc = ctx.run(["--input", keep, "--volume-claim-template", CLAIM.replace("1Gi", size)])
        expect(proc.returncode == 0, f"{size}: {proc.stderr}")
    ui = ["--keep-artifact", "mlpipeline-ui-metadata", "--keep-artifact", "mlpipeline-metrics"]
    for spec in ("{name: data-storage, nfs: {server: s, path: /}}", "nfs: {server: s, path: /, readOnly: null}"):
        proc = ctx.run(["--input", keep, "--volume", spec] + ui)  # the name it gets anyway; null is no value
        expect(proc.returncode == 0 and proc.stderr == "", f"{spec}: {proc.stderr}")
    proc = ctx.run(["--input", keep, "--volume-claim-template", CLAIM.replace("ReadWriteMany", "ReadWriteOnce")])
    expect(proc.returncode == 0 and "--volume-claim-template:1:15: warning: a ReadWriteOnce claim is shared only by "
           "pods on one node" in proc.stderr, proc.stderr)
    # storage one node at a time attaches to write, or that an inline csi driver makes per pod: a warning
    for spec, message in (("awsElasticBlockStore: {volumeID: vol-1}", "--volume:1:23: warning: an "
                           "awsElasticBlockStore volume attaches to one node at a time to be written"),
                          ("gcePersistentDisk: {pdName: d}", "--volume:1:20: warning: a gcePersistentDisk volume "
                           "attaches to one node"),
                          ("csi: {driver: secrets-store.csi.k8s.io}", "--volume:1:6: warning: a csi volume given inline "
                           "is made for each pod by its driver: whether pods share what it holds depends on the driver")):
        proc = ctx.run(["--input", keep, "--volume", spec] + ui)
        expect(proc.returncode == 0 and message in proc.stderr and proc.stderr.count("\n") == 1, f"{spec}: {proc.stderr}")
    # an option's text is the user's own: --max-depth is not for it, only volpass's own limit, less
    # the depth a workflow places it at (so that the output reads back)
    for depth, message in ((1500, "--volume:2:4: error: 'x' is not a volume source"),
                           (9994, "--volume:1:1: error: the text nests more than 9994 levels deep: in a workflow, it "
                            "would nest past 10000, the most volpass follows"),
                           (20000, "--volume:2:10003: error: nesting deeper than 10000 levels (the most volpass follows)")):
        proc = ctx.run(["--input", keep, "--volume", f"nfs: {{server: s, path: /}}\nx: {'[' * depth}{']' * depth}"])
        expect(proc.returncode in (3, 6) and proc.stderr.startswith(message), proc.stderr[:300])
    proc = ctx.run(["--input", keep, "--volume", "awsElasticBlockStore: {volumeID: vol-1}", "--scheme", "kfp"])
    expect(proc.returncode == 0 and "attaches" not in proc.stderr, proc.stderr)  # the reference's choice, as it is


def test_read_only_volume_refused(ctx):
    """A volume source that is read-only for every pod (readOnly in any of go-yaml's spellings of true)."""
    for spec, kind in (("persistentVolumeClaim: {claimName: c, readOnly: true}", "persistentVolumeClaim"),
                       ("nfs: {server: s, path: /x, readOnly: yes}", "nfs"),
                       ("{csi: {driver: d, readOnly: True}}", "csi")):
        proc = ctx.run(["--input", os.path.join(CASES, "keep.yaml"), "--volume", spec])
        expect(proc.returncode == 3 and proc.stdout == "" and
               f"--volume:1:{spec.index('{', 1) + 1}: error: the volume is read-only ({kind}.readOnly)" in proc.stderr,
               proc.stderr)


def test_loops_refused(ctx):
    proc = ctx.run(["--input", os.path.join(CASES, "loops.yaml"), "--volume", PVC])
    expect(proc.returncode == 4 and proc.stdout == "", f"exit {proc.returncode}")
    expect(proc.stderr.strip().endswith(
        "loops.yaml:21:13: error: template 'main': 'fan-out' runs in a loop (withItems, withParam or "
        "withSequence), and Argo does not aggregate artifacts: its output artifact 'out' cannot be passed on"),
        proc.stderr)


def test_extra_argument_follows_its_source(ctx):
    golden(ctx, os.path.join(CASES, "extra.yaml"), "extra.yaml", "--volume", PVC)


# References that name nothing: Argo refuses them, and so does volpass, at
# the line of the reference (extra.yaml with one edit each).
DANGLING = [
    ("{{steps.make.outputs.artifacts.out}}\"}\n          - {name: unused",
     "{{steps.gone.outputs.artifacts.out}}\"}\n          - {name: unused",
     19, "template 'main' refers to artifact 'out' of 'gone', which is not one of its steps"),
    ("{{steps.make.outputs.artifacts.out}}\"}\n          - {name: unused",
     "{{steps.make.outputs.artifacts.missing}}\"}\n          - {name: unused",
     19, "template 'main' refers to output artifact 'missing' of 'make', whose template 'produce' does not "
         "declare it"),
    ("from: \"{{steps.make.outputs.artifacts.out}}\"}\n          - {name: unused",
     "from: \"{{steps.make.outputs.parameters.out}}\"}\n          - {name: unused",
     19, "template 'main': artifact 'in' takes 'from: {{steps.make.outputs.parameters.out}}', which is not an "
         "artifact reference"),
    ("from: \"{{steps.make.outputs.artifacts.out}}\"}\n          - {name: unused",
     "from: \"{{steps.make.outputs.artifacts.out}}\", subPath: \"x{{steps.make.outputs.artifacts.out}}\"}\n"
     "          - {name: unused",
     19, "template 'main', use: argument 'in' takes the subPath x{{steps.make.outputs.artifacts.out}}, which names "
         "an artifact where Argo substitutes parameters only"),
    ("from: \"{{steps.make.outputs.artifacts.out}}\"}\n          - {name: unused",
     "from: \"{{steps.make.outputs.artifacts.out}}\", subPath: \"{{steps.gone.outputs.parameters.p}}\"}\n"
     "          - {name: unused",
     19, "template 'main', use: argument 'in' takes the subPath {{steps.gone.outputs.parameters.p}}, but the "
         "template has no step named 'gone'"),
    ("  - name: main\n    steps:", "  - name: main\n    inputs: {artifacts: [{name: x}]}\n    steps:", 0, None),
    ("        template: consume\n", "        tempate: consume\n", 15,
     "template 'main', use: names no template (template, templateRef or inline)"),
    ('"echo hi > /tmp/out"', '"echo {{steps.make.outputs.parameters.p}} > /tmp/out"', 22,
     "template 'produce' refers to '{{steps.make.outputs.parameters.p}}', which only a dag or steps template can"),
    ("        template: produce\n",
     "        template: produce\n        arguments: {parameters: [{name: x, value: \"{{pod.name}}\"}]}\n", 15,
     "template 'main' refers to '{{pod.name}}', which only a template that runs a pod has"),
]
# fromExpression: every branch must be an artifact reference, and there are at most 16
BRANCHES = [
    ("from: \"{{steps.make.outputs.artifacts.out}}\"}\n          - {name: unused",
     "fromExpression: \"1 > 0 ? steps.make.outputs.artifacts.out : steps.make.outputs.artifact.out\"}\n"
     "          - {name: unused",
     19, "template 'main': artifact 'in' takes the expression '1 > 0 ? steps.make.outputs.artifacts.out : "
         "steps.make.outputs.artifact.out', whose branch 'steps.make.outputs.artifact.out' is not an artifact "
         "reference"),
    ("from: \"{{steps.make.outputs.artifacts.out}}\"}\n          - {name: unused",
     "fromExpression: \"steps.make.outputs.artifacts.out ?? steps.make.outputs.artifacts.out\"}\n"
     "          - {name: unused",
     19, "template 'main': artifact 'in' takes the expression 'steps.make.outputs.artifacts.out ?? "
         "steps.make.outputs.artifacts.out', which is not an artifact reference (volpass follows the branches of ?: "
         "operators, each one an artifact reference)"),
    ("from: \"{{steps.make.outputs.artifacts.out}}\"}\n          - {name: unused",
     "fromExpression: \"" + "x ? steps.make.outputs.artifacts.out : " * 16 + "steps.make.outputs.artifacts.out\"}\n"
     "          - {name: unused",
     19, "has more than 16 branches, or nests them deeper than 64"),
]


def test_dangling_references_refused(ctx):
    text = _read(os.path.join(CASES, "extra.yaml"))
    with tempfile.TemporaryDirectory() as d:
        for old, new, line, message in DANGLING + BRANCHES:
            expect(old in text, f"extra.yaml lacks {old!r}")
            path = os.path.join(d, "dangling.yaml")
            with open(path, "w") as f:
                f.write(text.replace(old, new, 1))
            proc = ctx.run(["--input", path, "--volume", PVC])
            if message is None:  # a declared but unused input changes nothing
                expect(proc.returncode == 0, proc.stderr)
                continue
            code = 4 if (old, new, line, message) in BRANCHES else 3
            expect(proc.returncode == code and proc.stdout == "", f"exit {proc.returncode} for {new!r}")
            expect(f"dangling.yaml:{line}:" in proc.stderr and message in proc.stderr, proc.stderr)
    # a template's own input that it does not declare
    proc = ctx.run(["--input", os.path.join(CASES, "undeclared.yaml"), "--volume", PVC])
    expect(proc.returncode == 3 and "undeclared.yaml:21:19: error: template 'relay' refers to input artifact "
           "'in', which it does not declare" in proc.stderr, proc.stderr)


def test_real_artifact_to_outside_template_refused(ctx):
    text = _read(os.path.join(CASES, "outside.yaml"))
    kept = text.index("      - name: kept")
    constant = text.index("      - name: constant")
    body = text.index("  - name: produce")
    variants = [(text, "24:13", "kept"), (text[:kept] + text[constant:], "24:13", "constant"),
                (text[:kept] + text[body:], None, None)]
    with tempfile.TemporaryDirectory() as d:
        for variant, where, step in variants:
            path = os.path.join(d, "outside.yaml")
            with open(path, "w") as f:
                f.write(variant)
            proc = ctx.run(["--input", path, "--volume", PVC])
            if where is None:
                expect(proc.returncode == 0 and "name: in-subpath" in proc.stdout and
                       "artifacts.out" not in proc.stdout, proc.stderr)
                continue
            expect(proc.returncode == 4 and proc.stdout == "", f"exit {proc.returncode}")
            expect(f"outside.yaml:{where}: error: template 'main', {step}: artifact argument 'in' is a real "
                   "artifact (a constant, or an output that stays an artifact) for a template outside the input"
                   in proc.stderr, proc.stderr)


# repeats.yaml with one name repeated: (old, new, location, message). Both
# schemes read the workflow through one model, and both refuse.
REPEATS = [
    ("    - {name: salt, raw", "    - {name: seed, raw", "15:7",
     "spec.arguments.artifacts has two artifacts named 'seed' (lines 14 and 15)"),
    ("      - name: use\n        template: use", "      - name: make\n        template: use", "22:9",
     "template 'main' has two tasks named 'make' (lines 20 and 22)"),
    ("{name: second, from: \"{{tasks", "{name: first, from: \"{{tasks", "28:13",
     "template 'main', task 'use': arguments.artifacts has two artifacts named 'first' (lines 27 and 28)"),
    ("{name: b, path", "{name: a, path", "38:9",
     "template 'make': outputs.artifacts has two artifacts named 'a' (lines 37 and 38)"),
    ("{name: second, path", "{name: first, path", "43:9",
     "template 'use': inputs.artifacts has two artifacts named 'first' (lines 42 and 43)"),
    ("- - name: s69", "- - name: s3", "187:9", "template 'many' has two steps named 's3' (lines 55 and 187)"),
    ("  - name: work", "  - name: use", "193:5", "spec has two templates named 'use' (lines 39 and 193)"),
]


def test_repeated_names_refused(ctx):
    path = os.path.join(CASES, "repeats.yaml")
    text = _read(path)
    proc = ctx.run(["--input", path, "--volume", PVC, "--verify"])
    expect(proc.returncode == 0, proc.stderr)
    with tempfile.TemporaryDirectory() as d:
        for old, new, where, message in REPEATS:
            expect(text.count(old) == 1, f"repeats.yaml has {old!r} {text.count(old)} times")
            path = os.path.join(d, "repeats.yaml")
            with open(path, "w") as f:
                f.write(text.replace(old, new))
            for scheme in ("volume", "kfp"):
                proc = ctx.run(["--input", path, "--volume", PVC, "--scheme", scheme])
                expect(proc.returncode == 3 and proc.stdout == "", f"{new!r} ({scheme}): exit {proc.returncode}")
                expect(f"repeats.yaml:{where}: error: {message}, which Argo refuses" in proc.stderr, proc.stderr)


# Hand-written documents that must be refused: file -> (exit, location, message).
REFUSALS = {
    "output-param-in-input.yaml": (4, "12:9", "template 'main', use: the parameters it passes put output artifact 'r' "
                                              "of 'use' at /tmp/out/in/x.txt, in input artifact 'd', which it passes a "
                                              "volume location, mounted read-only at /tmp/out/in"),
    "passed-name.yaml": (4, "22:13", "template 'main', consume: parameter 'in-subpath', which the called "
                                     "template does not declare, is passed already"),
    "containerset-no-main.yaml": (4, "9:5", "template 'main' has artifacts, but its containerSet has no "
                                            "container named main"),
}


def test_refusals(ctx):
    for name, (code, where, message) in REFUSALS.items():
        proc = ctx.run(["--input", os.path.join(CASES, name), "--volume", PVC])
        expect(proc.returncode == code and proc.stdout == "", f"{name}: exit {proc.returncode}")
        expect(f"{name}:{where}: error: {message}" in proc.stderr, proc.stderr)


def test_no_container_keeps_producers(ctx):
    """A resource template's input takes no volume location: the output
    passed to it stays a real artifact, through a dag's or steps' input and
    output too, found from each caller; one passed through a global
    artifact, whose producer volpass does not follow, is refused."""
    source = os.path.join(CASES, "no-container.yaml")
    proc = ctx.run(["--input", source, "--volume", PVC, "--verify"])
    expect(proc.returncode == 0 and "no-container.yaml:23:9: warning: template 'produce': output artifact 'out' stays "
           "a real artifact (it needs an artifact repository): template 'apply' takes it as input artifact 'manifest', "
           "and a resource template has no container of its own to mount the volume into" in proc.stderr, proc.stderr)
    text = _read(source)
    through = text.replace("""    - - name: use
        template: apply
        arguments:
          artifacts:
          - {name: manifest, from: "{{steps.make.outputs.artifacts.out}}"}
""", """    - - name: mid
        template: mid
        arguments:
          artifacts:
          - {name: x, from: "{{steps.make.outputs.artifacts.out}}"}
    - - name: again
        template: mid
        arguments:
          artifacts:
          - {name: x, from: "{{steps.mid.outputs.artifacts.o}}"}
  - name: mid
    inputs: {artifacts: [{name: x}]}
    steps:
    - - name: use
        template: apply
        arguments: {artifacts: [{name: manifest, from: "{{inputs.artifacts.x}}"}]}
      - name: copy
        template: copy
        arguments: {artifacts: [{name: i, from: "{{inputs.artifacts.x}}"}]}
    outputs: {artifacts: [{name: o, from: "{{steps.copy.outputs.artifacts.o}}"}]}
  - name: copy
    inputs: {artifacts: [{name: i, path: /in/i}]}
    container: {image: busybox, command: [sh, -c, "cp /in/i /tmp/o"]}
    outputs: {artifacts: [{name: o, path: /tmp/o}]}
""")
    expect(through != text, "no-container.yaml changed")
    proc = run_text(ctx, "no-container.yaml", through, "--verify")
    expect(proc.returncode == 0 and [line.split(": warning: ")[1][:60] for line in proc.stderr.splitlines()] ==
           ["template 'copy': output artifact 'o' stays a real artifact (",
            "template 'produce': output artifact 'out' stays a real artif"], proc.stderr)
    global_ = text.replace('from: "{{steps.make.outputs.artifacts.out}}"', 'from: "{{workflow.outputs.artifacts.g}}"')
    proc = run_text(ctx, "no-container.yaml", global_.replace("- {name: out, path: /tmp/out}",
                                                              "- {name: out, path: /tmp/out, globalName: g}"))
    expect(proc.returncode == 4 and proc.stdout == "" and "no-container.yaml:14:9: error: this call passes a volume "
           "location for input artifact 'manifest' of template 'apply', a resource template" in proc.stderr,
           proc.stderr)


# Variants of inputs.yaml that must be refused: ([(pattern, replacement)],
# location, message).
UNMOUNTABLE = [
    ([(re.escape("path: /etc/app/config"), "path: /in/data/config")], "36:9",
     "template 'use': input artifact 'config' at /in/data/config would be mounted inside input artifact 'data' "
     "at /in/data, which is mounted read-only from the volume"),
    ([(re.escape("path: /etc/app/config"), "path: /in/data/config"),
      (re.escape("path: /in/data}"), "path: /in/data, raw: {data: x}}")], "13:9",
     "template 'use': input artifact 'config' at /in/data/config would be mounted inside input artifact 'data' "
     "at /in/data, which is mounted read-only from the volume"),
    ([(re.escape("command: [cat, /in/data, /etc/app/config]"),
       "command: [cat, /in/data, /etc/app/config]\n    outputs:\n      artifacts:\n"
       "      - {name: top, path: /in/top.txt}\n      - {name: b, path: /in/data/b.txt}")], "35:9",
     "template 'use': input artifact 'data' at /in/data would be mounted read-only over output artifact 'b' at "
     "/in/data/b.txt"),
    # Argo substitutes an input's path in the template's outputs too
    ([(re.escape("command: [cat, /in/data, /etc/app/config]"),
       "command: [cat, /in/data, /etc/app/config]\n    outputs:\n      artifacts:\n"
       "      - {name: b, path: '{{inputs.artifacts.data.path}}/b.txt'}")], "35:9",
     "template 'use': input artifact 'data' at /in/data would be mounted read-only over output artifact 'b' at "
     "{{inputs.artifacts.data.path}}/b.txt"),
    ([(re.escape("path: /in/data}"), "path: /in/../data}")], "35:9",
     "template 'use': input artifact 'data' at /in/../data cannot be mounted: its path has a '..' component"),
    ([(r"\buse\b", "u" * 125)], "19:9",
     "template '" + "u" * 125 + "' needs a twin, whose name '" + "u" * 125 + "-constant' would be longer than "
     "the 128 characters Argo accepts"),
]


def test_refused_output_not_kept(ctx):
    """An output left unplanned because the stream is refused is not announced as kept."""
    text = _read(os.path.join(reference.CORPUS, "artifact-passing.yaml"))
    for old, new, message in (("path: /tmp/hello_world.txt", "path: null", "output artifact 'hello-art' has no path"),
                              ("hello world | tee", "{{inputs.parameters.n}} | tee", "uses parameter 'n'")):
        expect(old in text, old)
        proc = run_text(ctx, "refused.yaml", text.replace(old, new, 1))
        expect(proc.returncode in (3, 4) and proc.stderr.count("\n") == 1 and message in proc.stderr, proc.stderr)


# Inputs a mount cannot give what Argo gives, whose producer's output stays a real artifact instead.
UNMOUNTABLE_KEPT = [
    ([(re.escape("command: [cat, /in/data, /etc/app/config]"),
       "command: [cat, /in/data, /etc/app/config]\n      volumeMounts: [{name: cfg, mountPath: /etc/app/config}]\n"
       "    volumes: [{name: cfg, emptyDir: {}}]")],
     "input artifact 'config', which lies where the container mounts a volume of its own: a second mount there "
     "would make Kubernetes refuse the pod"),
    ([(re.escape("path: /in/data}"), "path: /in/data, mode: 0755}")],
     "input artifact 'data', which sets mode, which a mount from the volume cannot apply"),
    ([(re.escape("path: /in/data}"), "path: /in/data, recurseMode: true}")],
     "input artifact 'data', which sets recurseMode, which a mount from the volume cannot apply"),
    # an optional argument, which Argo drops when its producer did not run: a location cannot be dropped
    ([(re.escape('{name: data, from: "{{steps.make.outputs.artifacts.out}}"}'),
       '{name: data, from: "{{steps.make.outputs.artifacts.out}}", optional: true}')], None),
    ([(re.escape('{name: data, from: "{{steps.make.outputs.artifacts.out}}"}'),
       '{name: data, from: "{{steps.make.outputs.artifacts.out}}", optional: yes}')], None),  # go-yaml's true
]


def test_unmountable_inputs_keep_producers(ctx):
    """A call that passes a volume location to an input a mount cannot give
    what Argo gives (a volume the container mounts there, a file mode Argo
    sets), or as an optional argument, keeps the producer's output a real
    artifact instead: a try of the plan asks for it, and the next one keeps
    it."""
    text = _read(os.path.join(CASES, "inputs.yaml"))
    for edits, why in UNMOUNTABLE_KEPT:
        variant = text
        for pattern, new in edits:
            expect(re.search(pattern, variant), f"inputs.yaml lacks {pattern!r}")
            variant = re.sub(pattern, new, variant)
        why = (f"template 'use' takes it as {why}" if why else "template 'main', use: passes it as optional artifact "
               "argument 'data', which Argo drops when its producer did not run or wrote nothing, where a location on "
               "the volume cannot be dropped")
        proc = run_text(ctx, "inputs.yaml", variant, "--verify")
        expect(proc.returncode == 0 and "inputs.yaml:31:9: warning: template 'make': output artifact 'out' stays a "
               f"real artifact (it needs an artifact repository): {why}" in proc.stderr, proc.stderr)
    proc = ctx.run(["--input", os.path.join(CASES, "mount-inside-input.yaml"), "--volume", PVC, "--verify"])
    expect(proc.returncode == 0 and "mount-inside-input.yaml:17:27: warning: template 'gen': output artifact 'o' "
           "stays a real artifact (it needs an artifact repository): template 'use' takes it as input artifact 'x', "
           "which has a volume of the container's own mounted inside it (at /in/cache)" in proc.stderr, proc.stderr)


def test_inputs_refused(ctx):
    """Inputs a mount from the volume cannot give what Argo gives, and whose
    producer's output staying real does not help: one inside another's
    read-only mount (in the template or in a twin of it), one over an
    output, a path with '..' (an input with a source of its own where the
    container mounts a volume converts: Argo places it as before); and a
    twin whose name Argo would refuse. The file itself converts."""
    path = os.path.join(CASES, "inputs.yaml")
    text = _read(path)
    proc = ctx.run(["--input", path, "--volume", PVC, "--verify"])
    expect(proc.returncode == 0 and "use-constant" in proc.stdout, proc.stderr)
    with tempfile.TemporaryDirectory() as d:
        for edits, where, message in UNMOUNTABLE:
            variant = text
            for pattern, new in edits:
                expect(re.search(pattern, variant), f"inputs.yaml lacks {pattern!r}")
                variant = re.sub(pattern, new, variant)
            path = os.path.join(d, "inputs.yaml")
            with open(path, "w") as f:
                f.write(variant)
            proc = ctx.run(["--input", path, "--volume", PVC])
            expect(proc.returncode == 4 and proc.stdout == "", f"{edits!r}: exit {proc.returncode}")
            expect(f"inputs.yaml:{where}: error: {message}" in proc.stderr, proc.stderr)
        # an input with a source of its own where the container mounts a volume is left to Argo, as written
        sourced = text.replace("{name: config, path: /etc/app/config}",
                               "{name: config, path: /etc/app/config, raw: {data: x}}").replace(
            "command: [cat, /in/data, /etc/app/config]",
            "command: [cat, /in/data, /etc/app/config]\n      volumeMounts: [{name: cfg, mountPath: /etc/app/config}]\n"
            "    volumes: [{name: cfg, emptyDir: {}}]").replace(
            '          - {name: config, from: "{{steps.make.outputs.artifacts.out}}"}\n', "")
        proc = run_text(ctx, "inputs.yaml", sourced, "--explain", "--verify")
        expect(proc.returncode == 0 and "raw: {data: x}" in proc.stdout and "mountPath: /etc/app/config" in
               proc.stdout and "template 'use', input artifact 'config': kept: left as a real artifact: it lies "
               "where the container mounts a volume of its own" in proc.stderr, proc.stderr)
        # an output kept as a real artifact is still written under the input's read-only mount
        with open(path, "w") as f:
            f.write(text.replace("command: [cat, /in/data, /etc/app/config]",
                                 "command: [cat, /in/data, /etc/app/config]\n    outputs:\n      artifacts:\n"
                                 "      - {name: r, path: /in/data/r.txt}"))
        proc = ctx.run(["--input", path, "--volume", PVC, "--keep-artifact", "r"])
        expect(proc.returncode == 4 and "inputs.yaml:35:9: error: template 'use': input artifact 'data' at /in/data "
               "would be mounted read-only over output artifact 'r'" in proc.stderr, proc.stderr)
        # verify finds what such a rewrite loses: here, the mode of an input mounted from the volume
        rewritten = ctx.run(["--input", os.path.join(CASES, "inputs.yaml"), "--volume", PVC]).stdout
        path = os.path.join(d, "moded.yaml")
        with open(path, "w") as f:
            f.write(text.replace("path: /in/data}", "path: /in/data, mode: 0755}"))
        code, report = verify_report(ctx, path, rewritten)
        expect(code == 1 and [p["message"] for p in report["problems"]] ==
               ["template 'use': input artifact 'data' of 'main/use' sets mode, which its mount from a volume does "
                "not apply"], json.dumps(report["problems"]))


def _many_artifacts(text, n=30):
    """inputs.yaml (a variant of it) with template 'use' given n more inputs,
    each with a source of its own, after its two, and n more outputs at the
    end: enough for the checks between its artifacts to go through indexes
    of their paths and names, with each line of the two inputs where it was."""
    lines = text.split("\n")
    at = next(i for i, line in enumerate(lines) if line.startswith("      - {name: config"))
    lines[at + 1:at + 1] = [f"      - {{name: p{i}, path: /pad/in/p{i}, raw: {{data: x}}}}" for i in range(n)]
    text = "\n".join(lines).rstrip("\n") + "\n"
    if "    outputs:" not in text[text.index("  - name: u"):]:
        text += "    outputs:\n      artifacts:\n"
    return text + "".join(f"      - {{name: q{i}, path: /pad/out/q{i}}}\n" for i in range(n))


def test_inputs_refused_among_many(ctx):
    """The refusals of test_inputs_refused, each in a template of more
    artifacts than it walks one by one (an index of their paths finds them):
    the same artifacts, at the same places. The file itself converts, and
    verify finds every hand-off preserved."""
    text = _many_artifacts(_read(os.path.join(CASES, "inputs.yaml")))
    proc = run_text(ctx, "inputs.yaml", text, "--verify")
    expect(proc.returncode == 0 and proc.stdout.count("mountPath: /pad/in/") == 0 and
           proc.stdout.count("name: q29-subpath") == 2, proc.stderr)  # use, and its twin use-constant
    for edits, where, message in UNMOUNTABLE:
        variant = _read(os.path.join(CASES, "inputs.yaml"))
        for pattern, new in edits:
            variant = re.sub(pattern, new, variant)
        proc = run_text(ctx, "inputs.yaml", _many_artifacts(variant))
        expect(proc.returncode == 4 and f"inputs.yaml:{where}: error: {message}" in proc.stderr,
               f"{edits!r}: exit {proc.returncode}: {proc.stderr}")


def test_many_outputs_placed(ctx):
    """Outputs of a template of many: those in a directory inside another's
    go through that other's mount, one mount a directory; files named apart
    by case alone in one directory are warned of; a location parameter takes
    the first name free (the template has an output parameter o3-subpath,
    an output is named o5-subpath); and the consumer reads the output
    deepest in, o36."""
    outputs = [f"/out/d{i % 4}/f{i}" for i in range(36)] + ["/out/d1/deep/g", "/out/", "/out/d2/F2"]
    names = [f"o{i}" for i in range(len(outputs))]
    names[5] = "o5-subpath"
    text = passing_workflow("many-").replace("artifacts.out", "artifacts.o36") + """  - name: produce
    container: {image: alpine, command: [sh, -c, "mkdir -p /out && echo"]}
    outputs:
      parameters: [{name: o3-subpath, valueFrom: {path: /tmp/p}}]
      artifacts:
""" + "".join(f"      - {{name: {n}, path: {p}}}\n" for n, p in zip(names, outputs)) + """  - name: consume
    inputs:
      artifacts:
      - {name: in, path: /in/f}
    container: {image: alpine, command: [cat, /in/f]}
"""
    proc = run_text(ctx, "many.yaml", text, "--verify")
    expect(proc.returncode == 0, proc.stderr)
    produce = proc.stdout[proc.stdout.index("- name: produce"):proc.stdout.index("- name: consume")]
    expect(re.findall(r"mountPath: (\S+)", produce) == ["/out"], produce)
    expect("name: o3-subpath-2\n" in produce and "name: o5-subpath-subpath\n" in produce and
           "value: artifact_data/{{workflow.uid}}/{{pod.name}}/o0/d1/deep/g" in produce, produce)
    warnings = [line.split(": warning: ")[1] for line in proc.stderr.splitlines()]
    expect(warnings == ["template 'produce': output artifacts 'o2' and 'o38' are files d2/f2 and d2/F2 of one "
                        "directory mounted from the volume: one file on storage that ignores case (Azure Files, "
                        "SMB shares)"], proc.stderr)


def test_tagged_placeholder_keeps_its_tag(ctx):
    text = _read(os.path.join(CASES, "extra.yaml")).replace(
        "command: [cat, /data/in]", "command: [cat, !!str \"{{inputs.artifacts.in.path}}\"]")
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "tagged.yaml")
        with open(path, "w") as f:
            f.write(text)
        proc = ctx.run(["--input", path, "--volume", PVC])
    expect(proc.returncode == 0 and "command: [cat, !!str \"/data/in\"]" in proc.stdout, proc.stdout + proc.stderr)


def test_explain(ctx):
    source = os.path.join(CASES, "sources.yaml")
    proc = ctx.run(["--input", source, "--volume", PVC, "--explain"])
    explained = proc.stderr.replace(CASES + os.sep, "")
    expect(proc.returncode == 0 and explained == _read(os.path.join(EXPECTED, "sources.explain.txt")), explained)
    proc = ctx.run(["--input", source, "--volume", PVC, "--explain=json"])
    decisions = json.loads(proc.stderr)
    expect([(d["template"], d["artifact"], d["action"]) for d in decisions] == [
        ("produce", "report", "converted"), ("show", "text", "kept"), ("count", "lines", "converted"),
        ("show", "", "twin"), ("count", "", "twin")], str(decisions))
    expect(all(d["line"] > 0 and d["column"] > 0 and d["detail"] and d["file"] == source for d in decisions),
           "decisions lack a place or a reason")
    # Files rewritten in place are explained in one array, each decision naming its file.
    with tempfile.TemporaryDirectory() as d:
        files = [written(d, name, _read(source)) for name in ("a.yaml", "b.yaml")]
        proc = ctx.run(["--in-place"] + files + ["--volume", PVC, "--explain=json"])
        decisions = json.loads(proc.stderr)
    expect(proc.returncode == 0 and [x["file"] for x in decisions] == [files[0]] * 5 + [files[1]] * 5,
           str(decisions))
    # A warning about an option comes once for all the files, and only when it holds of each: 'report' is
    # an output of a.yaml, though not of b.yaml, which has no workflow.
    with tempfile.TemporaryDirectory() as d:
        files = [written(d, "a.yaml", _read(source)), written(d, "b.yaml", "kind: ConfigMap\n")]
        keeps = ["--keep-artifact", "report", "--keep-artifact", "nope"]
        named = "{name: mine, persistentVolumeClaim: {claimName: pvc}}"
        proc = ctx.run(["--in-place"] + files + ["--volume", named] + keeps)
        expect(proc.returncode == 0 and proc.stderr.count("--volume:1:8: warning: the volume's name is") == 1 and
               proc.stderr.count("output artifact named 'nope'") == 1 and "named 'report'" not in proc.stderr and
               "b.yaml:1:7: warning: no document is an Argo workflow" in proc.stderr, proc.stderr)
        proc = ctx.run(["--in-place"] + files + ["--volume", PVC, "--explain=json"] + keeps)
        warned = [x["detail"] for x in json.loads(proc.stderr) if x["file"] == "--keep-artifact"]
        expect(proc.returncode == 0 and warned == [
            "no template of the input has an output artifact named 'nope'"], proc.stderr)
    # With JSON, warnings are entries of the array too: standard error is JSON alone.
    proc = ctx.run(["--input", source, "--volume", PVC, "--explain=json", "--keep-artifact", "nothing-of-that-name"])
    decisions = json.loads(proc.stderr)
    expect(proc.returncode == 0 and decisions[-1] == {
        "file": "--keep-artifact", "line": 1, "column": 1, "template": "", "artifact": "", "role": "",
        "action": "warning", "detail": "no template of the input has an output artifact named 'nothing-of-that-name'"}
        and len(decisions) == 6, str(decisions))
    # So are errors; a refused rewrite did nothing, so it lists no decision. One about a whole file has no position.
    with tempfile.TemporaryDirectory() as d:
        clash = written(d, "clash.yaml", _read(source).replace(
            "command: [cat, /in/text]\n", "command: [cat, /in/text]\n    outputs: {artifacts: [{name: o, path: /in/text/o}]}\n"))
        proc = ctx.run(["--input", clash, "--volume", PVC, "--explain=json", "-o", os.path.join(d, "out.yaml")])
        decisions = json.loads(proc.stderr)
        expect(proc.returncode == 4 and {x["action"] for x in decisions} == {"warning", "error"} and decisions[-1]["action"] == "error" and
               decisions[-1]["line"] > 0 and
               "would be mounted read-only over output artifact" in decisions[-1]["detail"] and
               not os.path.exists(os.path.join(d, "out.yaml")), proc.stderr)
        # So is one refused once the plan is made: the volume's name is taken.
        named = _read(source).replace("spec:\n", "spec:\n  volumes: [{name: data, emptyDir: {}}]\n", 1)
        proc = run_text(ctx, "named.yaml", named, "--explain", "--volume-name", "data")
        expect(proc.returncode == 4 and proc.stderr.count("\n") == 1 and "named.yaml:8:13: error: --volume-name data: "
               "the workflow already has a volume of that name" in proc.stderr, proc.stderr)
        # A file name that is not UTF-8 (Latin-1 'é') is written with U+FFFD in JSON, which is UTF-8.
        latin = os.path.join(d.encode(), b"caf\xe9.yaml")
        with open(latin, "w") as f:
            f.write(_read(source))
        proc = subprocess.run(ctx.wrapper + [ctx.volpass.encode(), b"--input", latin, b"--volume", PVC.encode(),
                                             b"--explain=json"], capture_output=True)
        decisions = json.loads(proc.stderr.decode())
        expect(proc.returncode == 0 and decisions and all(x["file"] == os.path.join(d, "caf\ufffd.yaml")
                                                          for x in decisions), str(decisions))
        proc = ctx.run(["--input", os.path.join(d, "missing.yaml"), "--volume", PVC, "--explain=json"])
        expect(proc.returncode == 5 and json.loads(proc.stderr) == [{
            "file": os.path.join(d, "missing.yaml"), "line": 0, "column": 0, "template": "", "artifact": "",
            "role": "", "action": "error", "detail": "cannot open: No such file or directory"}], proc.stderr)
    # A resource template's output stays a real artifact, and says why.
    resource = passing_workflow("resource-") + """  - name: produce
    resource: {action: create, manifest: "apiVersion: v1\\nkind: ConfigMap\\nmetadata: {generateName: x-}\\n"}
    outputs: {artifacts: [{name: out, path: /tmp/out}]}
  - name: consume
    inputs: {artifacts: [{name: in, path: /in/x}]}
    container: {image: alpine, command: [cat, /in/x]}
"""
    proc = run_text(ctx, "resource.yaml", resource, "--explain=json")
    decisions = json.loads(proc.stderr)
    expect(proc.returncode == 0 and decisions[0]["template"] == "produce" and decisions[0]["action"] == "kept" and
           decisions[0]["detail"].startswith("the template has no container of its own to mount the volume into"),
           str(decisions))


def test_default_is_volume_and_kfp_stays(ctx):
    proc = ctx.rewrite(os.path.join(reference.CORPUS, "artifact-passing.yaml"))
    expect("/tmp/message" in proc.stdout and "mountPath: /tmp/message" in proc.stdout, "the default is not volume")
    proc = ctx.rewrite(os.path.join(reference.CORPUS, "artifact-passing.yaml"), "--scheme", "kfp")
    expect("{{workflow.uid}}_{{pod.name}}/hello-art" in proc.stdout, "kfp output changed")


def tests(ctx):
    cases = [(f"volume-corpus:{os.path.relpath(p, reference.CORPUS)}", lambda p=p: check_corpus_file(ctx, p))
             for p in reference.corpus_files()]
    cases += [(f"volume:{name[5:]}", lambda fn=fn: fn(ctx))
              for name, fn in sorted(globals().items()) if name.startswith("test_") and callable(fn)]
    cases += [(f"volume:joined_workflow_spec ({how})",
               lambda how=how, runner=runner: joined_workflow_spec(ctx, how, runner)) for how, runner in RUNNERS.items()]
    return cases


CONTAINER_SETS = passing_workflow("sets-") + """  - name: produce
    containerSet:
      containers:
      - {name: prepare, image: alpine, command: [sh, -c, "mkdir -p /tmp/out"]}
      - {name: main, image: alpine, dependencies: [prepare], command: [sh, -c, "echo hi > /tmp/out/a.txt"]}
    outputs: {artifacts: [{name: out, path: /tmp/out/a.txt}]}
  - name: consume
    inputs: {artifacts: [{name: in, path: /in/b.txt}]}
    containerSet:
      volumeMounts: [{name: ws, mountPath: /ws}]
      containers:
      - {name: main, image: alpine, command: [cat, /in/b.txt]}
    volumes: [{name: ws, emptyDir: {}}]
"""


def test_container_set_volume(ctx):
    """Argo adds a workflow's volume to a containerSet's pod only where the
    set's shared mounts (or an init container's, a sidecar's) name it, not
    each container's own: the template gets the volume as its own, a claim
    by the name Argo gives it for the run. verify reports the mount of a
    volume the pod does not have."""
    pvc = "    - name: data-storage\n      persistentVolumeClaim: {claimName: pvc}\n"
    claimed = ("    - name: data-storage\n      persistentVolumeClaim:\n"
               "        claimName: '{{workflow.name}}-data-storage'\n")
    for volume, entry in ((("--volume", PVC), pvc), (("--volume-claim-template", CLAIM), claimed)):
        proc = run_text(ctx, "sets.yaml", CONTAINER_SETS, volume=volume)
        expect(proc.returncode == 0 and proc.stdout.count(entry) == 2, proc.stderr + proc.stdout)
        with tempfile.TemporaryDirectory() as d:
            original = written(d, "sets.yaml", CONTAINER_SETS)
            [handoff] = check_output(ctx, original, proc.stdout)["handoffs"]
            expect(handoff["verdict"] == "preserved" and handoff["location"] != "a real artifact on both sides",
                   str(handoff))
            if volume[0] == "--volume":
                code, report = verify_report(ctx, original, proc.stdout.replace(entry, ""))
                expect(code == 1 and len(report["problems"]) == 2 and all(
                       "volume 'data-storage' does not exist in the containerSet's pod" in p["message"]
                       for p in report["problems"]), str(report["problems"]))


ARGO_MOUNTS = workflow_head("reserved-") + """  - name: main
    steps:
    - - {name: gen, template: gen}
    - - name: use
        template: use
        arguments:
          artifacts:
          - {name: a, from: "{{steps.gen.outputs.artifacts.a}}"}
          - {name: b, from: "{{steps.gen.outputs.artifacts.b}}"}
          - {name: c, from: "{{steps.gen.outputs.artifacts.c}}"}
  - name: gen
    script:
      image: alpine
      command: [sh]
      source: "echo a > /var/run/argo/a.txt; echo b > /argo/staging/b.txt; echo c > /var/run/argo/out/c.txt"
    outputs:
      artifacts:
      - {name: a, path: /var/run/argo/a.txt}
      - {name: b, path: /argo/staging/b.txt}
      - {name: c, path: /var/run/argo/out/c.txt}
  - name: use
    inputs:
      artifacts:
      - {name: a, path: /in/a.txt}
      - {name: b, path: /argo/staging/b.txt}
      - {name: c, path: INPUT}
    container: {image: alpine, command: [cat, /in/a.txt, /argo/staging/b.txt]}
"""


def test_argo_own_mounts(ctx):
    """Argo mounts a volume of its own at /var/run/argo in every container,
    and a script's source at /argo/staging: a mount of the volume on either
    would be a second mount on one path (Kubernetes refuses the pod), and
    one above them would hide them. Such an output stays a real artifact, an
    input on such a path too (and so does the output a caller passes it);
    below them (/var/run/argo/out) is fine, and /argo/staging is free in a
    container template. verify reports such a mount."""
    proc = run_text(ctx, "argo.yaml", ARGO_MOUNTS.replace("INPUT", "/in/c.txt"))
    expect(proc.returncode == 0 and proc.stderr.count("stays a real artifact") == 2 and
           "output artifact 'a' stays a real artifact (it needs an artifact repository): Argo mounts a volume of its "
           "own at /var/run/argo, which a mount on /var/run/argo would duplicate" in proc.stderr and
           "output artifact 'b' stays a real artifact (it needs an artifact repository): Argo mounts a volume of its "
           "own at /argo/staging, which a mount on /argo/staging would duplicate" in proc.stderr, proc.stderr)
    expect("mountPath: /var/run/argo/out\n" in proc.stdout, proc.stdout)
    with tempfile.TemporaryDirectory() as d:
        original = written(d, "argo.yaml", ARGO_MOUNTS.replace("INPUT", "/in/c.txt"))
        report = check_output(ctx, original, proc.stdout)
        expect(sorted(h["location"] == "a real artifact on both sides" for h in report["handoffs"]) ==
               [False, True, True], str(report["handoffs"]))
        clash = proc.stdout.replace("mountPath: /var/run/argo/out\n", "mountPath: /var/run/argo\n")
        code, report = verify_report(ctx, original, clash)
        expect(code == 1 and [p["message"] for p in report["problems"]] ==
               ["template 'gen': the mount at /var/run/argo duplicates the one Argo gives the container at "
                "/var/run/argo"], str(report["problems"]))
    proc = run_text(ctx, "argo.yaml", ARGO_MOUNTS.replace("INPUT", "/var/run"), "--verify")
    expect(proc.returncode == 0 and "output artifact 'c' stays a real artifact (it needs an artifact repository): "
           "template 'use' takes it as input artifact 'c', which lies where Argo mounts a volume of its own "
           "(/var/run/argo), which a mount on /var/run would hide" in proc.stderr, proc.stderr)


def test_output_inside_a_kept_input(ctx):
    """An input that stays a real artifact (its own source) is placed by
    Argo, writable: building inside a checkout is fine, and a mount on the
    output's directory would hide part of the checkout, so the output stays
    a real artifact. An input mounted from the volume is read-only: the
    producer could not write there, which is refused, in a twin too."""
    text = workflow_head("build-") + """  - name: main
    steps:
    - - {name: build, template: build}
    - - name: use
        template: use
        arguments: {artifacts: [{name: in, from: "{{steps.build.outputs.artifacts.bin}}"}]}
  - name: build
    inputs: {artifacts: [{name: src, path: /src, SOURCE}]}
    container: {image: golang, workingDir: /src, command: [sh, -c, "go build -o /src/build/app ."]}
    outputs: {artifacts: [{name: bin, path: /src/build/app}]}
  - name: use
    inputs: {artifacts: [{name: in, path: /bin/app}]}
    container: {image: alpine, command: [/bin/app, version]}
"""
    git = text.replace("SOURCE", "git: {repo: 'https://github.com/argoproj/argo-workflows.git'}")
    proc = run_text(ctx, "build.yaml", git)
    expect(proc.returncode == 0 and "output artifact 'bin' stays a real artifact (it needs an artifact repository): "
           "it lies in input artifact 'src' at /src, which Argo places itself: a mount of the volume on /src/build would "
           "hide part of that input, or miss what the producer writes into it" in proc.stderr,
           proc.stderr)
    with tempfile.TemporaryDirectory() as d:
        [handoff] = check_output(ctx, written(d, "build.yaml", git), proc.stdout)["handoffs"]
        expect(handoff["location"] == "a real artifact on both sides", str(handoff))
    proc = run_text(ctx, "build.yaml", text.replace(", SOURCE", "").replace(
        "    - - {name: build, template: build}\n", "    - - {name: build, template: build, arguments: {artifacts: "
        "[{name: src, raw: {data: x}}]}}\n"))
    expect(proc.returncode == 4 and "input artifact 'src' at /src would be mounted read-only over output artifact "
           "'bin' at /src/build/app" in proc.stderr, proc.stderr)
    # A twin taking that input from the volume would mount it over the output too.
    proc = ctx.run(["--input", os.path.join(CASES, "output-in-input-twin.yaml"), "--volume", PVC])
    expect(proc.returncode == 4 and proc.stdout == "" and "output-in-input-twin.yaml:11:9: error: template 'mid': "
           "input artifact 'i' at /src would be mounted read-only over output artifact 'o' at /src/build/out.bin"
           in proc.stderr, proc.stderr)


def test_workflow_template_ref_brings_the_volume(ctx):
    """A Workflow that runs a WorkflowTemplate (workflowTemplateRef) gets the
    WorkflowTemplate's volumes, joined to its own; with Argo's
    templateReferencing Strict it may set none. The WorkflowTemplate gets
    the volume, the Workflow none."""
    source = os.path.join(CASES, "workflow-template-ref.yaml")
    proc = ctx.run(["--input", source, "--volume", PVC])
    template, run = proc.stdout.split("\n---\n")
    expect(proc.returncode == 0 and "  volumes:\n  - name: data-storage\n" in template and "volumes" not in run,
           proc.stdout)
    [handoff] = check_output(ctx, source, proc.stdout)["handoffs"]
    expect(handoff["verdict"] == "preserved" and handoff["location"].startswith("volume 'data-storage'"), str(handoff))


def test_inline_call_of_a_twin(ctx):
    """A task whose inline template takes a default artifact (raw) gets a
    twin that takes the volume location: the task names the twin and loses
    its inline template, which Argo would run in the twin's place."""
    source = os.path.join(CASES, "inline-twin.yaml")
    proc = ctx.run(["--input", source, "--volume", PVC])
    expect(proc.returncode == 0 and "        template: c-volume\n" in proc.stdout and "inline" not in
           proc.stdout.replace("generateName: inline-twin-", ""), proc.stdout)
    [handoff] = check_output(ctx, source, proc.stdout)["handoffs"]
    expect(handoff["verdict"] == "preserved" and handoff["location"].startswith("volume 'data-storage'"), str(handoff))


def test_file_name_leaving_its_directory(ctx):
    """An output's file name made of parameters: values that make a '..'
    component write outside the directory the volume is mounted on, and hand
    the consumer a subPath Kubernetes refuses. A call giving such values
    (its own, the template's defaults, workflow parameters) is refused;
    verify reports such a hand-off broken, however the values came."""
    source = os.path.join(CASES, "dotdot-file-name.yaml")
    proc = ctx.run(["--input", source, "--volume", PVC])
    expect(proc.returncode == 4 and proc.stdout == "" and "dotdot-file-name.yaml:9:9: error: template 'main', p: "
           "the parameters it passes make output artifact 'e' of 'prod' /out/../result.txt, whose '..' component "
           "leaves the directory the volume is mounted on" in proc.stderr, proc.stderr)
    # Made of two parameters, or of a workflow parameter: the values together decide.
    for old, new in (('"/out/{{inputs.parameters.n}}"', '"/out/.{{inputs.parameters.n}}"'),
                     ('{name: n, value: "../result.txt"}', '{name: n, value: "."}')), \
                    (('{name: n, value: "../result.txt"}', '{name: n, value: "{{workflow.parameters.n}}"}'),
                     ("  entrypoint: main\n", "  entrypoint: main\n  arguments: {parameters: [{name: n, value: "
                                               "../result.txt}]}\n")):
        proc = run_text(ctx, "dotdot.yaml", _read(source).replace(*old).replace(*new))
        expect(proc.returncode == 4 and "whose '..' component leaves the directory" in proc.stderr, proc.stderr)
    # A known value makes the '..' next to one known at run time only.
    proc = run_text(ctx, "dotdot.yaml", _read(source).replace('"/out/{{inputs.parameters.n}}"',
                                                              '"/out/{{inputs.parameters.n}}{{workflow.name}}"'))
    expect(proc.returncode == 4 and "output artifact 'e' of 'prod' /out/../result.txt* (* known at run time)"
           in proc.stderr, proc.stderr)
    plain = run_text(ctx, "plain.yaml", _read(source).replace("../result.txt", "result.txt"))
    expect(plain.returncode == 0 and plain.stderr == "", plain.stderr)
    code, report = verify_report(ctx, source, plain.stdout.replace('value: "result.txt"', 'value: "../result.txt"'))
    [handoff] = report["handoffs"]
    expect(code == 1 and handoff["verdict"] == "broken" and handoff["reason"].endswith(
           "/e/../result.txt, whose '..' component Kubernetes refuses in a subPath"), str(handoff))


def test_global_name_made_of_parameters(ctx):
    """Argo's validation accepts {{workflow.outputs.artifacts.X}} where an
    output's globalName made of parameters may be X, but no global
    parameter of such a name: that output stays a real artifact, and a
    reference that may name it reads a real artifact (the template as
    written: every call of it passes one)."""
    source = os.path.join(CASES, "templated-global-name.yaml")
    proc = ctx.run(["--input", source, "--volume", PVC])
    expect(proc.returncode == 0 and "output artifact 'result' stays a real artifact (it needs an artifact "
           "repository): its globalName is made of parameters" in proc.stderr, proc.stderr)
    expect("template: use\n" in proc.stdout and "- {name: in, path: /in/result.txt}\n" in proc.stdout and
           "globalName: output-result-{{workflow.parameters.variable}}\n" in proc.stdout and
           "workflow.outputs.parameters" not in proc.stdout and "volumes:" not in proc.stdout, proc.stdout)
    check_output(ctx, source, proc.stdout)
    # A dag output of such a name passing on what is on the volume, and a
    # name set both by such an output and by name, are refused.
    for name, where, words in (("templated-global-name-dag.yaml", "22:19", "output artifact 'o' sets a global "
                                "artifact whose name is made of parameters ({{inputs.parameters.g}})"),
                               ("templated-global-name-twice.yaml", "25:19", "output artifact 'o' may set global "
                                "artifact 'res' (its globalName {{inputs.parameters.g}} is made of parameters) as a "
                                "real artifact, which another output sets through the volume")):
        proc = ctx.run(["--input", os.path.join(CASES, name), "--volume", PVC])
        expect(proc.returncode == 4 and proc.stdout == "" and f"{name}:{where}: error: template '" in proc.stderr and
               words in proc.stderr, proc.stderr)
    # Set so and by name, but as real artifacts both: nothing to choose between.
    source = os.path.join(CASES, "templated-global-name-real.yaml")
    proc = ctx.run(["--input", source, "--volume", PVC])
    expect(proc.returncode == 0 and proc.stderr.count("stays a real artifact") == 2, proc.stderr)
    check_output(ctx, source, proc.stdout)


def test_producer_running_as_another_user(ctx):
    """The kubelet makes a producer's directory on the volume owned by root:
    a producer that runs as another user gets a warning, pointing at the
    setting, the nearest securityContext deciding (a container's root user
    wins over its pod's other one)."""
    text = passing_workflow("users-") + """  - name: produce
    securityContext: {runAsUser: 1000}
    container: {image: alpine, command: [sh, -c, "echo hi > /tmp/out/a.txt"]CONTEXT}
    outputs: {artifacts: [{name: out, path: /tmp/out/a.txt}]}
  - name: consume
    inputs: {artifacts: [{name: in, path: /in/a.txt}]}
    container: {image: alpine, command: [cat, /in/a.txt]}
"""
    proc = run_text(ctx, "users.yaml", text.replace("CONTEXT", ""))
    expect_one_warning(proc, "users.yaml:16:34: warning: template 'produce' runs as a user other than root: the "
                       "kubelet makes the directory of its outputs on the volume owned by root, with the mode of the "
                       "volume's root, which must let that user write (mode 1777, say)")
    proc = run_text(ctx, "users.yaml", text.replace("CONTEXT", ", securityContext: {runAsUser: 0}"))
    expect(proc.returncode == 0 and proc.stderr == "", proc.stderr)
    defaults = text.replace("    securityContext: {runAsUser: 1000}\n", "").replace("CONTEXT", "").replace(
        "  entrypoint: main\n", "  entrypoint: main\n  templateDefaults: {container: {securityContext: "
                                 "{runAsNonRoot: true}}}\n")
    proc = run_text(ctx, "users.yaml", defaults)
    expect(proc.returncode == 0 and "warning: template 'produce' runs as a user other than root" in proc.stderr,
           proc.stderr)
    # a podSpecPatch that sets the user, which the securityContext does not show (52nd review: no warning)
    for patch in ("'{\"securityContext\": {\"runAsUser\": 1000}}'", "'{\"securityContext\": {\"RunAsNonRoot\": true}}'"):
        patched = text.replace("    securityContext: {runAsUser: 1000}\n", "    podSpecPatch: " + patch + "\n").replace(
            "CONTEXT", "")
        proc = run_text(ctx, "users.yaml", patched)
        expect(proc.returncode == 0 and "users.yaml:16:19: warning: template 'produce' may run (its podSpecPatch sets "
               "the user) as a user other than root" in proc.stderr, proc.stderr)


def test_no_workflow_in_the_input(ctx):
    """An input with no Argo workflow passes through unchanged, with a
    warning: a kubectl List (whose items volpass does not read) and a kind
    spelt in the wrong case say so."""
    for text, where, hint in (("foo: bar\n", "1:1", ""),
                              ("kind: workflow\nspec: {templates: []}\n", "1:7", ": kinds are spelt Workflow, "
                               "WorkflowTemplate, ClusterWorkflowTemplate and CronWorkflow"),
                              ("apiVersion: v1\nkind: List\nitems: []\n", "2:7",
                               ": the items of a List are not read, give them as documents"),
                              ("kind: ConfigMap\n---\nkind: workflow\n", "3:7", ": kinds are spelt Workflow, "
                               "WorkflowTemplate, ClusterWorkflowTemplate and CronWorkflow")):
        proc = run_text(ctx, "other.yaml", text)
        expect(proc.returncode == 0 and proc.stdout == text and proc.stderr.endswith(
               f"other.yaml:{where}: warning: no document is an Argo workflow, so nothing was converted{hint}\n"),
               proc.stderr)


def test_volume_settings_required(ctx):
    """A source without a setting Kubernetes requires (a claim without its
    name, an nfs share without its server), or with one of another type
    (claimName: 123, which Go does not read as a string), is refused: the
    rewrite would only fail when submitted. verify reports such a volume."""
    for spec, lacks in (("persistentVolumeClaim: {}", "persistentVolumeClaim.claimName (a string)"),
                        ("persistentVolumeClaim: {claimName: ''}", "persistentVolumeClaim.claimName (a string)"),
                        ("persistentVolumeClaim: {claimName: 123}", "persistentVolumeClaim.claimName (a string)"),
                        ("persistentVolumeClaim: {claimName: [a]}", "persistentVolumeClaim.claimName (a string)"),
                        ("nfs: {path: /exports}", "nfs.server (a string)"),
                        ("cephfs: {monitors: []}", "cephfs.monitors (a list)"),
                        ("cephfs: {monitors: mon1}", "cephfs.monitors (a list)")):
        proc = ctx.run(["--input", os.path.join(CASES, "keep.yaml"), "--volume", spec])
        expect(proc.returncode == 3 and f"--volume:1:{spec.index('{', 1) + 1}: error: the volume needs {lacks}, "
               "which Kubernetes requires" in proc.stderr, proc.stderr)
    # settings Kubernetes refuses: a relative nfs path, a csi driver that is no driver's name
    for spec, words in (("nfs: {server: s, path: exports}", "nfs.path must be an absolute path"),
                        ("csi: {driver: 'Bad_Driver!'}", "csi.driver must be a driver's name"),
                        ("csi: {driver: a..b}", "csi.driver must be a driver's name"),
                        ("csi: {driver: a.-b}", "csi.driver must be a driver's name"),
                        ("nfs: {server: s, path: 'x{{workflow.parameters.p}}'}", "nfs.path must be an absolute path"),
                        ("csi: {driver: " + "d" * 64 + "}", "csi.driver must be a driver's name")):
        proc = ctx.run(["--input", os.path.join(CASES, "keep.yaml"), "--volume", spec])
        expect(proc.returncode == 3 and f"--volume:1:{spec.index('{', 1) + 1}: error: {words}" in proc.stderr and
               proc.stderr.endswith(", or Kubernetes refuses the pods that mount it\n"), proc.stderr)
    for spec in ("csi: {driver: CSI.Example-1.com}", "nfs: {server: s, path: /}",
                 "nfs: {server: s, path: '{{workflow.parameters.share}}'}"):  # Argo fills it in
        proc = ctx.run(["--input", os.path.join(CASES, "keep.yaml"), "--volume", spec])
        expect(proc.returncode == 0, f"{spec}: {proc.stderr}")
    proc = ctx.run(["--input", os.path.join(CASES, "keep.yaml"), "--volume", "persistentVolumeClaim: {claimName: '123'}"])
    expect(proc.returncode == 0, proc.stderr)
    source = os.path.join(reference.CORPUS, "artifact-passing.yaml")
    proc = ctx.run(["--input", source, "--volume", PVC])
    code, report = verify_report(ctx, source, proc.stdout.replace("{claimName: pvc}", "{claimName: ''}"))
    [handoff] = report["handoffs"]
    expect(code == 1 and handoff["reason"] == "volume 'data-storage' lacks persistentVolumeClaim.claimName (a "
           "string), which Kubernetes requires", str(handoff))


def test_workflow_template_ref_claim_for_an_exit_handler(ctx):
    """With --volume-claim-template, a Workflow that runs a WorkflowTemplate
    gets no claim of its own: the WorkflowTemplate's, which Argo joins to
    the Workflow's spec, serves the Workflow's exit handler too. verify sees
    the joined claim (it reported the volume missing)."""
    source = os.path.join(CASES, "workflow-template-ref-exit.yaml")
    proc = ctx.run(["--input", source, "--volume-claim-template", CLAIM, "--verify"])
    expect(proc.returncode == 0 and proc.stdout.count("volumeClaimTemplates:") == 1, proc.stderr + proc.stdout)
    report = check_output(ctx, source, proc.stdout)
    expect(len(report["handoffs"]) == 2 and all(h["verdict"] == "preserved" for h in report["handoffs"]),
           str(report["handoffs"]))


def test_exit_handlers_take_workflow_arguments(ctx):
    """Argo passes spec.arguments to every onExit and to a hooks.exit with no
    arguments of its own: a handler whose input they supply keeps reading
    them (a twin where the template also takes a location on the volume;
    the template as written where nothing else calls it)."""
    source = os.path.join(CASES, "exit-arguments.yaml")
    proc = ctx.run(["--input", source, "--volume", PVC])
    expect(proc.returncode == 0, proc.stderr)
    expect(proc.stdout.count("onExit: notify-constant\n") == 2 and "- name: notify-constant\n" in proc.stdout and
           "template: notify\n" in proc.stdout, proc.stdout)
    check_output(ctx, source, proc.stdout)
    alone = ("apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {generateName: ex-}\nspec:\n"
             "  entrypoint: main\n  arguments:\n    artifacts: [{name: config, raw: {data: cfg}}]\n  templates:\n"
             "  - name: main\n    steps:\n    - - name: hi\n        template: hi\n        hooks:\n"
             "          exit: {template: notify}\n"
             "  - name: hi\n    container: {image: alpine, command: [echo, hi]}\n"
             "  - name: notify\n    inputs: {artifacts: [{name: config, path: /tmp/notify.cfg}]}\n"
             "    container: {image: alpine, command: [cat, /tmp/notify.cfg]}\n")
    proc = run_text(ctx, "alone.yaml", alone)
    expect(proc.returncode == 0 and proc.stdout == alone, proc.stdout + proc.stderr)


def test_optional_graph_output_keeps_producer(ctx):
    """Argo drops a dag or steps template's optional output when its step
    was skipped; the location parameter that would replace it cannot be
    dropped (the template would fail), so the producer's output stays a real
    artifact, as --keep-artifact would keep it."""
    source = os.path.join(CASES, "optional-graph-output.yaml")
    proc = ctx.run(["--input", source, "--volume", PVC])
    expect(proc.returncode == 0 and "optional-graph-output.yaml:21:19: warning: template 'report': output artifact 'r' "
           "stays a real artifact (it needs an artifact repository): template 'main' passes it on as optional output "
           "artifact 'report', which Argo drops when the step or task it comes from did not run" in proc.stderr,
           proc.stderr)
    check_output(ctx, source, proc.stdout)
    kept = ctx.run(["--input", source, "--volume", PVC, "--keep-artifact", "r"])
    expect(kept.returncode == 0 and kept.stdout == proc.stdout, kept.stderr)


def test_input_in_a_lasting_volume(ctx):
    """Argo loads an input whose path lies in a volume of the user's own into
    that volume; one that outlives the pod (a claim, a claim template, nfs)
    lets later pods read it there, which a mount from the volume would not:
    such an input stays a real artifact, and so does the output a caller
    passes it (as --keep-artifact would keep it); one in the pod's own
    emptyDir is mounted."""
    source = os.path.join(CASES, "input-in-claim.yaml")
    proc = ctx.run(["--input", source, "--volume", PVC, "--explain"])
    expect(proc.returncode == 0 and "input-in-claim.yaml:28:27: warning: template 'gen': output artifact 'm' stays a "
           "real artifact (it needs an artifact repository): template 'stage' takes it as input artifact 'data', "
           "which lies in volume 'ws' (mounted at /ws): Argo loads it into that volume" in proc.stderr and
           "mountPath: /ws/data.txt" not in proc.stdout, proc.stderr)
    check_output(ctx, source, proc.stdout)
    kept = ctx.run(["--input", source, "--volume", PVC, "--keep-artifact", "m"])
    expect(kept.returncode == 0 and kept.stdout == proc.stdout, kept.stderr)
    # The emptyDir input fed by an output of its own: that one goes through the volume.
    two = _read(source).replace('- {name: tmp, from: "{{steps.gen.outputs.artifacts.m}}"}',
                                '- {name: tmp, from: "{{steps.gen.outputs.artifacts.t}}"}').replace(
        "outputs: {artifacts: [{name: m, path: /tmp/out/m.txt}]}",
        "outputs: {artifacts: [{name: m, path: /tmp/out/m.txt}, {name: t, path: /tmp/t/t.txt}]}")
    proc = run_text(ctx, "input-in-claim.yaml", two, "--explain", "--verify")
    expect(proc.returncode == 0 and "input artifact 'tmp': converted: mounted read-only at /scratch/data.txt"
           in proc.stderr and "output artifact 't': converted" in proc.stderr, proc.stderr)


def test_mixed_branches_keep_producers(ctx):
    """A fromExpression whose branches mix an output that stays a real
    artifact (an optional one) with one that goes through the volume: the
    latter stays real too, each keeping its own reason; one that passes
    through a global artifact, which volpass does not follow, is refused."""
    source = os.path.join(CASES, "from-expression-mixed.yaml")
    proc = ctx.run(["--input", source, "--volume", PVC, "--verify"])
    expect(proc.returncode == 0 and "from-expression-mixed.yaml:27:9: warning: template 'gen-a': output artifact "
           "'metrics' stays a real artifact (it needs an artifact repository): it is optional" in proc.stderr and
           "from-expression-mixed.yaml:32:9: warning: template 'gen-b': output artifact 'out' stays a real artifact (it "
           "needs an artifact repository): template 'main' takes it as artifact 'in' from one of the branches of "
           "'tasks.a.outputs.result == 'x' ? tasks.a.outputs.artifacts.metrics : tasks.b.outputs.artifacts.out', "
           "some of which stay real artifacts" in proc.stderr, proc.stderr)
    text = _read(source)
    global_ = text.replace("tasks.b.outputs.artifacts.out\"", "workflow.outputs.artifacts.g\"").replace(
        "- {name: out, path: /tmp/o.txt}", "- {name: out, path: /tmp/o.txt, globalName: g}")
    expect(global_ != text, "from-expression-mixed.yaml changed")
    proc = run_text(ctx, "mixed.yaml", global_)
    expect(proc.returncode == 4 and "mixed.yaml:21:13: error: template 'main': artifact 'in' takes one of the branches "
           "of 'tasks.a.outputs.result == 'x' ? tasks.a.outputs.artifacts.metrics : workflow.outputs.artifacts.g', "
           "where workflow.outputs.artifacts.g goes through the volume and tasks.a.outputs.artifacts.metrics stays a "
           "real artifact: keep all of them real artifacts (--keep-artifact) or none" in proc.stderr, proc.stderr)


KEEP_HEAD = "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {generateName: k-}\nspec:\n  entrypoint: main\n"
KEEP_TEMPLATES = """  - name: produce
    container: {image: busybox, command: [sh, -c, "echo hi > /tmp/out"]}
    outputs: {artifacts: [{name: out, path: /tmp/out}]}
  - name: cons
    inputs: {artifacts: [{name: x, path: /in/x, mode: 0755}]}
    container: {image: busybox, command: [cat, /in/x]}
  - name: reader
    inputs: {artifacts: [{name: x, path: /in/x}]}
    container: {image: busybox, command: [cat, /in/x]}
"""


def _kept_outputs(stderr):
    """The outputs a run's warnings say stay real artifacts: (template, output)."""
    return sorted(re.findall(r"warning: template '([^']+)': output artifact '([^']+)' stays a real artifact", stderr))


def test_keep_producers_where_they_are(ctx):
    """Keeping producers for consumers that take no volume location follows
    a dag's or steps' output to the call that led into it alone (another
    caller's producer stays on the volume, whatever the order of the calls),
    a recursion and a diamond of callers once, a recursion through an output
    once; keeps many in one plan (17 consumers, a chain of 17 expressions
    that each mix a producer with the next: each keep counts at once);
    takes a constant (an entry input, one passed on) for the real artifact
    it is; and never keeps a WorkflowTemplate's output, whose form workflows
    converted apart rely on: refused there, as before."""
    passthrough = KEEP_HEAD + """  templates:
  - name: main
    steps:
    - - {name: make, template: produce}
      - {name: other, template: produce2}
    - - {name: viaone, template: h, arguments: {artifacts: [{name: i, from: "{{steps.make.outputs.artifacts.out}}"}]}}
      - {name: viatwo, template: h2, arguments: {artifacts: [{name: i, from: "{{steps.other.outputs.artifacts.out}}"}]}}
    - - {name: apply, template: cons, arguments: {artifacts: [{name: x, from: "{{steps.viaone.outputs.artifacts.o}}"}]}}
      - {name: read, template: reader, arguments: {artifacts: [{name: x, from: "{{steps.viatwo.outputs.artifacts.o}}"}]}}
  - name: h
    inputs: {artifacts: [{name: i}]}
    steps: [[{name: look, template: reader, arguments: {artifacts: [{name: x, from: "{{inputs.artifacts.i}}"}]}}]]
    outputs: {artifacts: [{name: o, from: "{{inputs.artifacts.i}}"}]}
  - name: produce2
    container: {image: busybox, command: [sh, -c, "echo two > /tmp/out"]}
    outputs: {artifacts: [{name: out, path: /tmp/out}]}
""" + KEEP_TEMPLATES
    two = passthrough.replace("template: h2,", "template: h,")
    swapped = two.replace("    - - {name: make, template: produce}\n      - {name: other, template: produce2}\n",
                          "    - - {name: other, template: produce2}\n      - {name: make, template: produce}\n")
    expect(swapped != two, "the steps were not swapped")
    for text in (two, swapped):
        proc = run_text(ctx, "k.yaml", text, "--verify", "--explain")
        expect(proc.returncode == 0 and _kept_outputs(proc.stderr) == [("produce", "out")] and
               "template 'produce2', output artifact 'out': converted" in proc.stderr, proc.stderr)
    recursion = KEEP_HEAD + """  templates:
  - name: main
    steps:
    - - {name: make, template: produce}
    - - {name: r, template: rec, arguments: {artifacts: [{name: i, from: "{{steps.make.outputs.artifacts.out}}"}]}}
  - name: rec
    inputs: {artifacts: [{name: i}], parameters: [{name: n, value: "0"}]}
    steps:
    - - {name: use, template: cons, arguments: {artifacts: [{name: x, from: "{{inputs.artifacts.i}}"}]}}
    - - {name: again, template: rec, when: "{{inputs.parameters.n}} == 1",
         arguments: {artifacts: [{name: i, from: "{{inputs.artifacts.i}}"}], parameters: [{name: n, value: "1"}]}}
""" + KEEP_TEMPLATES
    proc = run_text(ctx, "rec.yaml", recursion, "--verify")
    expect(proc.returncode == 0 and _kept_outputs(proc.stderr) == [("produce", "out")], proc.stderr)
    many = KEEP_HEAD + "  templates:\n  - name: main\n    steps:\n    - [" + ", ".join(
        f"{{name: p{i}, template: prod{i}}}" for i in range(17)) + "]\n    - [" + ", ".join(
        f"{{name: c{i}, template: cons, arguments: {{artifacts: [{{name: x, from: '{{{{steps.p{i}.outputs.artifacts.out}}}}'}}]}}}}"
        for i in range(17)) + "]\n" + "".join(KEEP_TEMPLATES.split("  - name: cons")[0].replace("name: produce", f"name: prod{i}")
                                            for i in range(17)) + "  - name: cons" + KEEP_TEMPLATES.split("  - name: cons")[1]
    proc = run_text(ctx, "many.yaml", many, "--verify")
    expect(proc.returncode == 0 and len(_kept_outputs(proc.stderr)) == 17, proc.stderr)
    # a chain of expressions, each mixing a producer with the next, kept in one plan: each keep counts at once
    chain = KEEP_HEAD + "  templates:\n  - name: main\n    dag:\n      tasks:\n" + "".join(
        f"      - {{name: p{i}, template: prod{i}}}\n" for i in range(18)) + \
        "      - {name: c, template: cons, depends: p0, arguments: {artifacts: [{name: x, from: '{{tasks.p0.outputs.artifacts.out}}'}]}}\n" + \
        "".join(f"      - {{name: m{i}, template: reader, depends: p{i - 1} && p{i}, arguments: {{artifacts: [{{name: x, fromExpression: "
                f"\"workflow.name == 'w' ? tasks.p{i - 1}.outputs.artifacts.out : tasks.p{i}.outputs.artifacts.out\"}}]}}}}\n"
                for i in range(1, 18)) + \
        "".join(KEEP_TEMPLATES.split("  - name: cons")[0].replace("name: produce", f"name: prod{i}") for i in range(18)) + \
        "  - name: cons" + KEEP_TEMPLATES.split("  - name: cons")[1]
    proc = run_text(ctx, "chain.yaml", chain, "--verify")
    expect(proc.returncode == 0 and len(_kept_outputs(proc.stderr)) == 18, proc.stderr)
    # a recursion through an output, an entry input and a constant passed on: converted, the producers kept
    for name, kept in (("keep-recursion-output.yaml", [("copy", "out")]),
                       ("keep-mixed-entry-input.yaml", [("produce", "out")]),
                       ("keep-mixed-raw-passthrough.yaml", [("produce", "out")])):
        proc = ctx.run(["--input", os.path.join(CASES, name), "--volume", PVC, "--verify"])
        expect(proc.returncode == 0 and _kept_outputs(proc.stderr) == kept, f"{name}: {proc.stderr}")
    library = """apiVersion: argoproj.io/v1alpha1
kind: WorkflowTemplate
metadata: {name: lib}
spec:
  templates:
  - name: pipeline
    steps:
    - - {name: make, template: produce}
    - - {name: use, template: cons, arguments: {artifacts: [{name: x, from: "{{steps.make.outputs.artifacts.out}}"}]}}
""" + KEEP_TEMPLATES
    proc = run_text(ctx, "lib.yaml", library)
    expect(proc.returncode == 4 and "lib.yaml:9:9: error: this call passes template 'cons' a volume location for input "
           "artifact 'x', but it sets mode" in proc.stderr, proc.stderr)


def test_refused_for_what_runs_could_not_do(ctx):
    """Each would have converted (exit 0) into a pod that cannot start or a
    location Argo garbles; each is refused, naming the template and
    artifact, and with its producer's output kept real where that helps."""
    cases = {
        "templated-nested-inputs.yaml": ("32:9", "input artifact 'inner' at /in/{{inputs.parameters.n}}/f.txt would be "
                                         "mounted inside input artifact 'outer' at /in/{{inputs.parameters.n}}"),
        "templated-input-over-output.yaml": ("20:19", "input artifact 'd' at /in/{{inputs.parameters.n}} would be "
                                             "mounted read-only over output artifact 'r'"),
        "dynamic-template-ref.yaml": ("51:13", "template 'main', c: passes artifact 'a' to a templateRef made of "
                                      "parameters ({{inputs.parameters.which}}): which template runs is known at run "
                                      "time only"),
        "dynamic-template-ref-output.yaml": ("46:13", "template 'main' refers to output artifact 'a' of 'p', whose "
                                             "templateRef is made of parameters ({{workflow.parameters.maker}})"),
        "graph-subpath-global.yaml": ("20:79", "output artifact 'd' takes the subPath {{workflow.parameters.sp}}, "
                                      "whose value volpass cannot append"),
        "from-expression-tag.yaml": ("20:13", "artifact argument 'x' takes a fromExpression holding a {{...}} tag"),
        "expression-first-branch.yaml": ("28:48", "template 'use': the expression 'inputs.parameters.c == 'y' ? "
                                         "inputs.artifacts.x : '/dev/null'' reads input artifact 'x', which the volume "
                                         "replaces"),
        "expression-templated-path.yaml": ("28:48", "reads input artifact 'x', which the volume replaces; volpass "
                                           "rewrites only a whole branch inputs.artifacts.x.path whose path has no "
                                           "quote, backslash or '}}' (a tag)"),
        "from-expression-braces.yaml": ("21:13", "template 'main', use: artifact argument 'x' takes a fromExpression "
                                        "holding a {{...}} tag or '}}'"),
        "output-in-placed-input.yaml": ("12:9", "template 'main', use: the parameters it passes put output artifact "
                                        "'r' of 'use' at /in/1/r, in input artifact 'x', which it passes a volume "
                                        "location, mounted read-only at /in/1: the producer could not write it"),
        # withItems values are the call's own, checked item by item
        "items-subpath-dotdot.yaml": ("17:77", "template 'main', use: argument 'x' takes the subPath {{item}}, which "
                                      "item 2 of withItems makes sub/../b.txt, whose '..' component volpass cannot "
                                      "resolve and Kubernetes refuses in a subPath"),
        "items-output-dotdot.yaml": ("10:9", "template 'main', gen: the parameters it passes make output artifact 'out' "
                                     "of 'gen' /tmp/out/../up.txt with item 2 of withItems, whose '..' component"),
        "items-mixed-output.yaml": ("12:9", "template 'main', gen: the parameters it passes make output artifact "
                                    "'out' of 'gen' /tmp/out/../up.txt with item 2 of withItems"),
        "items-dotted-key.yaml": ("11:9", "template 'main', gen: the parameters it passes make output artifact 'out' "
                                  "of 'gen' /tmp/out/../up.txt with item 2 of withItems"),
        "items-nested-inputs.yaml": ("12:9", "template 'main', use: the parameters it passes put input artifact 'z' of "
                                     "'use' at /in/a/sub with item 2 of withItems, inside input artifact 'x', which it "
                                     "passes a volume location, mounted read-only at /in/a: the runtime could not "
                                     "make its mount point there"),
        "passthrough.yaml": ("35:9", "template 'fwd': input artifact 'data' at /in/{{inputs.parameters.n}} would be "
                             "mounted read-only over output artifact 'same' at {{inputs.artifacts.data.path}}"),
        "passthrough-spaced.yaml": ("35:9", "template 'fwd': input artifact 'data' at /in/{{inputs.parameters.n}} "
                                    "would be mounted read-only over output artifact 'same' at "
                                    "/in/{{ inputs.parameters.n }}"),  # Argo trims a tag's blanks
    }
    for name, (where, words) in cases.items():
        proc = ctx.run(["--input", os.path.join(CASES, "refused", name), "--volume", PVC])
        expect(proc.returncode == 4 and proc.stdout == "" and f"{name}:{where}: error: " in proc.stderr and
               words in proc.stderr, f"{name}: {proc.returncode} {proc.stderr}")
    # the same value given as a constant
    nested = _read(os.path.join(CASES, "refused", "items-nested-inputs.yaml"))
    constant = nested.replace('withItems: ["b", "a/sub"]', "").replace('"{{item}}"', "a/sub")
    proc = run_text(ctx, "nested.yaml", constant)
    expect(proc.returncode == 4 and "nested.yaml:12:9: error: template 'main', use: the parameters it passes put input "
           "artifact 'z' of 'use' at /in/a/sub, inside input artifact 'x'" in proc.stderr, proc.stderr)
    # an optional input the call passes nothing gets no mount (Argo skips it): nothing is in the way
    optional = constant.replace("          - {name: z, from: \"{{steps.gen.outputs.artifacts.f}}\"}\n", "").replace(
        'path: "/in/{{inputs.parameters.n}}"}', 'path: "/in/{{inputs.parameters.n}}", optional: true}')
    expect(optional.count("optional: true") == 1 and "artifacts.f}}" not in optional, "items-nested-inputs.yaml changed")
    proc = run_text(ctx, "optional.yaml", optional, "--verify")
    expect(proc.returncode == 0, proc.stderr)
    # An input parameter's value, with a quote or set at run time, the expression reads as a variable.
    source = os.path.join(CASES, "graph-subpath-quote.yaml")
    # Literal text around it is quoted, its quotes and backslashes escaped, as verify reads them back.
    quoted = _read(source).replace('subPath: "{{inputs.parameters.sp}}"', 'subPath: "a\'b/{{inputs.parameters.sp}}/c\\\\d"')
    for text in (_read(source), _read(source).replace('value: "it\'s"', 'value: "{{workflow.name}}\'s"'), quoted):
        with tempfile.TemporaryDirectory() as d:
            path = written(d, "quote.yaml", text)
            proc = ctx.run(["--input", path, "--volume", PVC, "--explain"])
            expect(proc.returncode == 0 and "quote.yaml:19:19: template 'wrap', output artifact 'd': converted: "
                   "passed on as parameter 'd-subpath'\n" in proc.stderr and
                   ("expression: (tasks['a'].outputs.parameters['o-subpath']) + '/' + inputs.parameters['sp']\n"
                    in proc.stdout or "+ '/a\\'b/' + inputs.parameters['sp'] + '/c\\\\d'" in proc.stdout),
                   proc.stderr + proc.stdout)
            [handoff] = check_output(ctx, path, proc.stdout)["handoffs"]
            expect(handoff["verdict"] == "preserved", str(handoff))


def test_exit_handlers_take_all_of_spec_arguments(ctx):
    """An exit handler gets spec.arguments, parameters and artifacts alike,
    and none of its task's own. One of those artifacts coming from the volume
    would need spec.arguments rewritten (the entrypoint's too): refused, as
    is a Workflow's handler in the WorkflowTemplate it runs that would take
    one from the volume. A handler in a WorkflowTemplate runs with the
    spec.arguments of the workflow running it: constants (a twin)."""
    handlers = os.path.join(CASES, "handlers")
    for name, where, words in (
            ("from-volume.yaml", "9:17", "template 'main', use.onExit: the exit handler takes spec.arguments, "
             "whose artifact 'report' would come from the volume"),
            ("global-argument-across-documents.yaml", "23:17", "spec.arguments: artifact 'config' is read as "
             "written by the exit handler of a template this workflow runs from another document, and would come "
             "from the volume"),
            ("step-reference-across-documents.yaml", "28:17", "spec.arguments: artifact 'config' is read by the exit "
             "handler of a template this workflow runs from another document, where the reference it takes is "
             "resolved")):
        proc = ctx.run(["--input", os.path.join(handlers, name), "--volume", PVC])
        expect(proc.returncode == 4 and proc.stdout == "" and f"{name}:{where}: error: {words}" in proc.stderr,
               f"{name}: {proc.stderr}")
    proc = ctx.run(["--input", os.path.join(handlers, "referred-workflow-template.yaml"), "--volume", PVC])
    expect(proc.returncode == 0 and "  onExit: notify-constant\n" in proc.stdout and
           "  - name: notify-constant\n" in proc.stdout.split("---")[0], proc.stdout + proc.stderr)
    proc = ctx.run(["--input", os.path.join(handlers, "in-workflow-template.yaml"), "--volume", PVC])
    expect(proc.returncode == 0 and "onExit: notify-constant}" in proc.stdout, proc.stdout + proc.stderr)
    # A twin that a Workflow running a WorkflowTemplate needs goes to that template: the Workflow may have none.
    proc = ctx.run(["--input", os.path.join(handlers, "hook-twin-in-referring-workflow.yaml"), "--volume", PVC])
    docs = reference.load_all(proc.stdout) if proc.returncode == 0 else [{}, {}]
    expect([t["name"] for t in docs[0]["spec"]["templates"]] == ["main", "notify", "notify-constant"] and
           docs[1]["spec"]["hooks"]["exit"] == {"template": "notify-constant"} and
           "templates" not in docs[1]["spec"] and "volumes" not in docs[1]["spec"], proc.stdout + proc.stderr)
    # by name too: the WorkflowTemplate's template, as Argo joins the specs
    proc = ctx.run(["--input", os.path.join(handlers, "hook-by-name-in-referring-workflow.yaml"), "--volume", PVC])
    docs = reference.load_all(proc.stdout) if proc.returncode == 0 else [{}, {}]
    expect([t["name"] for t in docs[0]["spec"]["templates"]] == ["produce", "consume", "pipeline", "consume-constant"]
           and docs[1]["spec"]["hooks"]["exit"]["template"] == "consume-constant", proc.stdout + proc.stderr)
    kept = os.path.join(handlers, "hook-by-name-kept-real.yaml")
    proc = ctx.run(["--input", kept, "--volume", PVC])
    expect(proc.returncode == 0 and proc.stdout == _read(kept), proc.stdout + proc.stderr)
    for name in ("parameters.yaml", "task-arguments-not-theirs.yaml", "through-template-ref.yaml",
                 "hook-twin-in-referring-workflow.yaml", "hook-by-name-in-referring-workflow.yaml",
                 "referred-workflow-template.yaml",
                 "in-workflow-template.yaml", "unread-global-argument.yaml", "global-argument-no-handler-reads.yaml",
                 "argument-the-handler-does-not-declare.yaml"):
        source = os.path.join(handlers, name)
        proc = ctx.run(["--input", source, "--volume", PVC])
        expect(proc.returncode == 0, f"{name}: {proc.stderr}")
        check_output(ctx, source, proc.stdout)
    source = os.path.join(CASES, "graph-subpath-workflow-name.yaml")
    proc = ctx.run(["--input", source, "--volume", PVC])
    expect(proc.returncode == 0 and "+ '/{{workflow.name}}'" in proc.stdout, proc.stdout + proc.stderr)
    check_output(ctx, source, proc.stdout)
