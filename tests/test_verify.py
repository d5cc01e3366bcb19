"""volpass verify: verdicts on the reference's own output for the whole
corpus, and hand-broken variants of a correct rewrite."""
import collections
import copy
import json
import os
import shutil
import re
import tempfile
import threading

import yaml

import reference
from harness import VOLUME, VOLUME_DATA, expect
from test_volume import workflow_head

HERE = os.path.dirname(os.path.abspath(__file__))
GOOD = os.path.join(HERE, "data", "verify", "artifact-passing.rewritten.yaml")
PASSING = os.path.join(reference.CORPUS, "artifact-passing.yaml")

# What verify must say of the reference's output, per corpus file: hand-offs
# preserved, the reason of each broken one, each problem (by a phrase of its
# message). Files not listed must verify clean. Why they break:
# - different file names: the consumer's directory is the producer's, but it
#   looks for its own file name ("the consumer reads");
# - several artifacts in one directory: two mounts on one path;
# - artifacts with their own source (raw, git, s3 key, ...) lose it, and the
#   template then wants a -subpath parameter nobody passes;
# - an artifact directly under / makes a mount at /;
# - globalName is not followed by the reference.
REFERENCE_VERDICTS = {
    "artifact-disable-archive.yaml": (0, ["two volume mounts"] * 3, ["a volume mount at /"] + ["two volume mounts"] * 3),
    "artifact-gc-workflow.yaml": (0, [], ["two volume mounts"]),
    "artifact-passing-explicit-plugin.yaml": (0, ["the consumer reads"], []),
    "artifact-passing-subpath.yaml": (0, ["the consumer reads"] * 2, []),
    "artifact-passing.yaml": (0, ["the consumer reads"], []),
    "artifactory-artifact.yaml": (0, ["the consumer reads"], []),
    "ci-output-artifact.yaml": (0, [], ["lost its own source", "required parameter", "a volume mount at /"]),
    "ci-workflowtemplate.yaml": (0, [], ["lost its own source"] * 2 + ["required parameter"] * 2 + ["two volume mounts"] * 2),
    "ci.yaml": (0, [], ["lost its own source", "required parameter"]),
    "fun-with-gifs.yaml": (0, [], ["two volume mounts"]),
    "global-outputs.yaml": (0, ["mounts a volume at /"] * 2, ["a volume mount at /"]),
    "handle-large-output-results.yaml": (1, [], []),
    "hdfs-artifact.yaml": (0, ["the consumer reads"], []),
    "influxdb-ci.yaml": (0, ["mounts a volume at /"] * 5,
                         ["lost its own source", "required parameter", "a volume mount at /", "a volume mount at /",
                          "two volume mounts", "read-only mount", "a volume mount at /", "read-only mount"]),
    "input-artifact-azure.yaml": (0, [], ["lost its own source", "required parameter", "a volume mount at /"]),
    "input-artifact-gcs.yaml": (0, [], ["lost its own source", "required parameter", "a volume mount at /"]),
    "input-artifact-git.yaml": (0, [], ["lost its own source", "required parameter", "a volume mount at /"]),
    "input-artifact-http.yaml": (0, [], ["lost its own source", "required parameter"]),
    "input-artifact-oss.yaml": (0, [], ["lost its own source", "required parameter", "a volume mount at /"]),
    "input-artifact-raw.yaml": (0, [], ["lost its own source", "required parameter"]),
    "input-artifact-s3.yaml": (0, [], ["lost its own source", "required parameter", "a volume mount at /"]),
    "key-only-artifact.yaml": (0, [], ["lost its own source", "required parameter"]),
    "nested-workflow.yaml": (0, ["the consumer reads"] * 2, []),
    "output-artifact-azure.yaml": (0, [], ["a volume mount at /"]),
    "output-artifact-gcs.yaml": (0, [], ["a volume mount at /"]),
    "output-artifact-s3.yaml": (0, [], ["a volume mount at /"]),
    "webhdfs-input-output-artifacts.yaml": (0, [], ["lost its own source", "required parameter", "a volume mount at /",
                                                    "a volume mount at /", "two volume mounts", "read-only mount"]),
}


def _verify(ctx, original, rewritten):
    proc = ctx.run(["verify", original, rewritten, "--json"])
    expect(proc.returncode in (0, 1), f"verify exit {proc.returncode}: {proc.stderr}")
    report = json.loads(proc.stdout)
    clean = not report["problems"] and all(h["verdict"] == "preserved" for h in report["handoffs"])
    expect((proc.returncode == 0) == clean, f"exit {proc.returncode} does not match the report")
    return report


def _phrase(message, phrases):
    """The longest of `phrases` the message holds (the most telling, and the
    same in every run: a set's order is not), or the message itself."""
    return max((p for p in phrases if p in message), key=lambda p: (len(p), p), default=message)


def check_reference_output(ctx, path, rel):
    with open(path) as f:
        text = f.read()
    try:
        doc = yaml.safe_load(text)  # what the reference's command line does
        out, _ = reference.call_recording_warnings(reference.original_rewrite, doc, copy.deepcopy(VOLUME_DATA))
    except Exception:  # it crashes on script templates and refuses constant arguments
        return "reference failed"
    with tempfile.TemporaryDirectory() as d:
        rewritten = os.path.join(d, "out.yaml")
        with open(rewritten, "w") as f:
            yaml.dump(out, f)
        if rel == "k8s-patch-json-workflow.yaml":  # volpass refuses its duplicate key
            proc = ctx.run(["verify", path, rewritten])
            expect(proc.returncode == 3 and "duplicate key" in proc.stderr, proc.stderr)
            return "refused"
        report = _verify(ctx, path, rewritten)
    preserved, broken, problems = REFERENCE_VERDICTS.get(rel, (0, [], []))
    phrases = set(broken) | set(problems)
    got = (sum(h["verdict"] == "preserved" for h in report["handoffs"]),
           [_phrase(h["reason"], phrases) for h in report["handoffs"] if h["verdict"] == "broken"],
           [_phrase(p["message"], phrases) for p in report["problems"]])
    expect(got == (preserved, broken, problems), f"got {got}, wanted {(preserved, broken, problems)}")
    return "checked"


# ---- hand-broken variants of a correct rewrite --------------------------------

def _templates(doc):
    return {t["name"]: t for t in doc["spec"]["templates"]}


def wrong_subpath(doc):
    _templates(doc)["hello-world-to-file"]["outputs"]["parameters"][0]["value"] += ".bak"


def swapped_mount(doc):
    _templates(doc)["print-message-from-file"]["container"]["volumeMounts"][0]["mountPath"] = "/tmp/other"


def missing_parameter(doc):
    del _templates(doc)["artifact-example"]["steps"][1][0]["arguments"]


def read_only_over_output(doc):
    _templates(doc)["hello-world-to-file"]["container"]["volumeMounts"][0]["readOnly"] = True


def duplicate_mount_path(doc):
    mounts = _templates(doc)["print-message-from-file"]["container"]["volumeMounts"]
    mounts.append(dict(mounts[0], subPath="elsewhere"))


def volume_renamed(doc):
    doc["spec"]["volumes"][0]["name"] = "data-store"


def volume_not_shared(doc):
    doc["spec"]["volumes"][0] = {"name": "data-storage", "emptyDir": {}}


def volume_without_source(doc):
    doc["spec"]["volumes"][0] = {"name": "data-storage", "claimName": "pvc"}


def volume_declared_twice(doc):
    """Twice in a template's own volumes: Kubernetes rejects the pod (twice in the
    workflow's, Argo would give pods the first)."""
    _templates(doc)["print-message-from-file"]["volumes"] = [dict(doc["spec"]["volumes"][0])] * 2


def output_path_named_after_the_rewrite(doc):
    """The producer's command names its output artifact, which the rewrite made a parameter."""
    _templates(doc)["hello-world-to-file"]["container"]["args"] = ["echo hello > {{outputs.artifacts.hello-art.path}}"]


def expression_naming_no_input(doc):
    """One fault, one problem: the expression's reference and its mention of the artifact are the same."""
    _templates(doc)["print-message-from-file"]["container"]["args"] = ["{{=inputs.artifacts.q.path}}"]


def producer_at_volume_root(doc):
    """Correct, if odd: the producer mounts the volume's root, the consumer the file in it."""
    producer = _templates(doc)["hello-world-to-file"]
    del producer["container"]["volumeMounts"][0]["subPath"]
    producer["outputs"]["parameters"][0]["value"] = "hello_world.txt"


def entry_default_overridden(doc):
    """The entrypoint's default 'a' gives way to spec.arguments' 'b' (Argo's
    ProcessArgs): the producer writes under b, the consumer reads under a."""
    entry, producer = _templates(doc)["artifact-example"], _templates(doc)["hello-world-to-file"]
    entry["inputs"] = {"parameters": [{"name": "dir", "default": "a"}]}
    doc["spec"]["arguments"] = {"parameters": [{"name": "dir", "value": "b"}]}
    entry["steps"][0][0]["arguments"] = {"parameters": [{"name": "dir", "value": "{{inputs.parameters.dir}}"}]}
    producer["inputs"] = {"parameters": [{"name": "dir"}]}
    producer["container"]["volumeMounts"][0]["subPath"] = "artifact_data/{{inputs.parameters.dir}}/tmp"
    producer["outputs"]["parameters"][0]["value"] = "artifact_data/{{inputs.parameters.dir}}/tmp/hello_world.txt"
    consumer = _templates(doc)["print-message-from-file"]
    consumer["container"]["volumeMounts"][0]["subPath"] = "artifact_data/a/tmp/hello_world.txt"
    del consumer["inputs"]
    del entry["steps"][1][0]["arguments"]


def absolute_subpath(doc):
    mount = _templates(doc)["hello-world-to-file"]["container"]["volumeMounts"][0]
    mount["subPath"] = "/" + mount["subPath"]


def volume_named_badly(doc):
    renamed = json.loads(json.dumps(doc).replace('"data-storage"', '"Data_Storage"'))
    doc.clear()
    doc.update(renamed)


def volume_named_as_argos(doc):
    renamed = json.loads(json.dumps(doc).replace('"data-storage"', '"tmp-dir-argo"'))
    doc.clear()
    doc.update(renamed)


def volume_with_null_source(doc):
    doc["spec"]["volumes"][0] = {"name": "data-storage", "persistentVolumeClaim": None}


def volume_read_only_yes(doc):
    doc["spec"]["volumes"][0]["persistentVolumeClaim"]["readOnly"] = True


def undeclared_parameter(doc):
    del _templates(doc)["print-message-from-file"]["inputs"]


def dangling_artifact_reference(doc):
    step = _templates(doc)["artifact-example"]["steps"][1][0]
    step["arguments"] = {"artifacts": [{"name": "message", "from": "{{steps.generate-artifact.outputs.artifacts.hello-art}}"}]}
    consumer = _templates(doc)["print-message-from-file"]
    consumer["inputs"] = {"artifacts": [{"name": "message", "path": "/tmp/message"}]}
    del consumer["container"]["volumeMounts"]


def consumer_mount_writable(doc):
    """A consumer that may write where it reads could change what others read."""
    del _templates(doc)["print-message-from-file"]["container"]["volumeMounts"][0]["readOnly"]


def consumer_writes_through_another_mount(doc):
    """A consumer that reads through a read-only mount, but mounts the same
    place again, writable, may change what other consumers read."""
    _templates(doc)["print-message-from-file"]["container"]["volumeMounts"].append(
        {"name": "data-storage", "mountPath": "/scratch", "subPath": "{{inputs.parameters.message-subpath}}"})


def sidecar_mounts_whole_volume(doc):
    """So does a pod one of whose containers mounts the whole volume writable."""
    _templates(doc)["print-message-from-file"]["sidecars"] = [
        {"name": "sync", "image": "alpine", "volumeMounts": [{"name": "data-storage", "mountPath": "/all"}]}]


def sidecar_mounts_below(doc):
    """Or a directory below where the consumer reads (a file's, here: it cannot
    hold one, but verify does not know files from directories)."""
    _templates(doc)["print-message-from-file"]["sidecars"] = [
        {"name": "sync", "image": "alpine", "volumeMounts": [
            {"name": "data-storage", "mountPath": "/x", "subPath": "{{inputs.parameters.message-subpath}}/sub"}]}]


def consumer_mounts_volume_dot(doc):
    """A subPath of '.' is the whole volume, and one of subPathExpr may be anywhere."""
    _templates(doc)["print-message-from-file"]["container"]["volumeMounts"].append(
        {"name": "data-storage", "mountPath": "/scratch", "subPath": "./"})


def consumer_mounts_subpath_expr(doc):
    _templates(doc)["print-message-from-file"]["container"]["volumeMounts"].append(
        {"name": "data-storage", "mountPath": "/scratch", "subPathExpr": "$(POD_NAME)"})


def pod_added_writing_everywhere(doc):
    """A pod the rewrite added, which the original does not have."""
    doc["spec"]["templates"][0]["steps"].append([{"name": "clean", "template": "cleaner"}])
    doc["spec"]["templates"].append({"name": "cleaner", "container": {
        "image": "alpine", "command": ["rm", "-rf", "/all"], "volumeMounts": [{"name": "data-storage", "mountPath": "/all"}]}})


def producer_inline(doc):
    """Argo validates a step with its inline template, where {{pod.name}} is not known."""
    step = doc["spec"]["templates"][0]["steps"][0][0]
    inline = dict(_templates(doc)["hello-world-to-file"])
    del inline["name"]
    del step["template"]
    step["inline"] = inline
    doc["spec"]["templates"] = [t for t in doc["spec"]["templates"] if t["name"] != "hello-world-to-file"]


def volume_shadowed_by_template(doc):
    """Argo prefers a template's own volume to the workflow's of the same name."""
    _templates(doc)["print-message-from-file"]["volumes"] = [
        {"name": "data-storage", "persistentVolumeClaim": {"claimName": "other"}}]


def consumer_reads_through_another_name(doc):
    """Two volume names on one claim are one storage: the consumer may read through either."""
    doc["spec"]["volumes"].append({"name": "alias", "persistentVolumeClaim": {"claimName": "data-volume"}})
    _templates(doc)["print-message-from-file"]["container"]["volumeMounts"][0]["name"] = "alias"


def consumer_reads_another_claim(doc):
    doc["spec"]["volumes"].append({"name": "alias", "persistentVolumeClaim": {"claimName": "other"}})
    _templates(doc)["print-message-from-file"]["container"]["volumeMounts"][0]["name"] = "alias"


def pod_added_writing_through_another_name(doc):
    """A writer of the whole claim is one, whatever name it mounts it by."""
    pod_added_writing_everywhere(doc)
    doc["spec"]["volumes"].append({"name": "alias", "persistentVolumeClaim": {"claimName": "data-volume"}})
    _templates(doc)["cleaner"]["container"]["volumeMounts"][0]["name"] = "alias"


def consumer_reads_another_csi_share(doc):
    """Volumes of other kinds show the storage all their settings name."""
    doc["spec"]["volumes"] = [
        {"name": "data-storage", "csi": {"driver": "nfs.csi.k8s.io", "volumeAttributes": {"server": "s", "share": "/a"}}},
        {"name": "other", "csi": {"driver": "nfs.csi.k8s.io", "volumeAttributes": {"server": "s", "share": "/b"},
                                  "readOnly": False}}]
    _templates(doc)["print-message-from-file"]["container"]["volumeMounts"][0]["name"] = "other"


def consumer_reads_the_same_csi_share(doc):
    consumer_reads_another_csi_share(doc)
    doc["spec"]["volumes"][1]["csi"]["volumeAttributes"]["share"] = "/a"


def consumer_shadows_with_other_fc_disks(doc):
    """A kind no setting of which names its storage alone (fc) is told apart by all of them."""
    doc["spec"]["volumes"][0] = {"name": "data-storage", "fc": {"wwids": ["w1"]}}
    _templates(doc)["print-message-from-file"]["volumes"] = [{"name": "data-storage", "fc": {"wwids": ["w2"]}}]


def claim_named_by_parameters(doc):
    """A claim named by the workflow's name is one for every pod; one named by the pod's is the pod's."""
    doc["spec"]["volumes"][0]["persistentVolumeClaim"]["claimName"] = "{{workflow.name}}-data"


def consumer_claim_named_by_its_pod(doc):
    claim_named_by_parameters(doc)
    _templates(doc)["print-message-from-file"]["volumes"] = [
        {"name": "data-storage", "persistentVolumeClaim": {"claimName": "{{pod.name}}"}}]


def _nfs(doc, path):
    doc["spec"]["volumes"][0] = {"name": "data-storage", "nfs": {"server": "files.example", "path": path}}


def consumer_reads_a_subdirectory_export(doc):
    """An nfs volume shows its path on the server: the consumer's volume shows
    the directory the producer wrote in, one level down."""
    _nfs(doc, "/exports/")
    doc["spec"]["volumes"].append({"name": "inner", "nfs": {"server": "files.example", "path": "/exports/artifact_data"}})
    _templates(doc)["print-message-from-file"]["container"]["volumeMounts"][0]["name"] = "inner"
    [param] = _templates(doc)["hello-world-to-file"]["outputs"]["parameters"]
    param["value"] = param["value"].removeprefix("artifact_data/")


def pod_added_writing_on_the_export_above(doc):
    """A pod mounting the server's directory above the volume's writes there too."""
    _nfs(doc, "/exports/a")
    pod_added_writing_everywhere(doc)
    doc["spec"]["volumes"].append({"name": "top", "nfs": {"server": "files.example", "path": "/exports"}})
    _templates(doc)["cleaner"]["container"]["volumeMounts"][0]["name"] = "top"


def _argument_expression(doc, tail):
    """The consumer's location passed as an expression: the producer's, then `tail`."""
    _templates(doc)["artifact-example"]["steps"][1][0]["arguments"]["parameters"][0]["value"] = (
        "{{=steps['generate-artifact'].outputs.parameters['hello-art-subpath'] + '" + tail + "'}}")


def location_with_escapes(doc):
    """A string literal's escapes are read as Argo's expressions read them: \\x2f and \\u002E are '/.'."""
    _argument_expression(doc, "\\x2f\\u002E")


def location_with_a_refused_escape(doc):
    _argument_expression(doc, "\\q")


def value_read_from_a_file(doc):
    """Argo replaces an output parameter's value with what valueFrom.path holds."""
    [param] = _templates(doc)["hello-world-to-file"]["outputs"]["parameters"]
    param["valueFrom"] = {"path": "/tmp/where"}


# Each variant: (broken hand-off reason or None, problems), by phrase.
VARIANTS = {
    wrong_subpath: ("the consumer reads artifact_data/{{workflow.uid}}/<pod artifact-example/generate-artifact>/tmp/hello_world.txt.bak", []),
    swapped_mount: ("no volume mount of 'artifact-example/consume-artifact' covers /tmp/message", []),
    missing_parameter: ("{{inputs.parameters.message-subpath}} of 'artifact-example/consume-artifact' has no value",
                        ["required parameter 'message-subpath' is not supplied by 'artifact-example'"]),
    read_only_over_output: (None, ["output 'hello-art' at /tmp/hello_world.txt lies under a read-only mount"]),
    producer_inline: (None, ["{{pod.name}} in the inline template of 'generate-artifact': Argo validates a step"] * 2),
    duplicate_mount_path: ("two volume mounts on /tmp/message", ["two volume mounts on /tmp/message"]),
    volume_renamed: ("volume 'data-storage' does not exist",
                     ["volume 'data-storage' does not exist", "volume 'data-storage' does not exist"]),
    volume_not_shared: ("volume 'data-storage' is an emptyDir, which pods do not share", []),
    volume_without_source: ("volume 'data-storage' names no volume source, so Kubernetes makes it an emptyDir", []),
    producer_at_volume_root: (None, []),
    expression_naming_no_input: (None, ["reference {{inputs.artifacts.q.path}} points at no input artifact"]),
    volume_declared_twice: ("volume 'data-storage' is declared twice in the template's volumes, which Kubernetes "
                            "rejects", []),
    output_path_named_after_the_rewrite: (None, ["reference {{outputs.artifacts.hello-art.path}} points at no "
                                                 "output artifact"]),
    entry_default_overridden: ("the consumer reads artifact_data/a/tmp/hello_world.txt, the producer wrote "
                               "artifact_data/b/tmp/hello_world.txt", []),
    absolute_subpath: ("has subPath /artifact_data/{{workflow.uid}}/<pod artifact-example/generate-artifact>/tmp, "
                       "which Kubernetes refuses", ["the mount's subPath /artifact_data/{{workflow.uid}}/{{pod.name}}/tmp "
                                              "is not one Kubernetes takes"]),
    volume_named_badly: (None, ["the mount's volume name 'Data_Storage' is not one Kubernetes takes",
                                "the mount's volume name 'Data_Storage' is not one Kubernetes takes"]),
    volume_named_as_argos: ("volume 'tmp-dir-argo' is one Argo adds to pods itself, which takes the place of one of that name", []),
    volume_with_null_source: ("volume 'data-storage' names no volume source, so Kubernetes makes it an emptyDir", []),
    volume_read_only_yes: ("volume 'data-storage' is read-only (persistentVolumeClaim.readOnly), where no producer "
                           "can write", []),
    undeclared_parameter: ("'artifact-example/consume-artifact' declares no input parameter 'message-subpath'",
                           ["parameter 'message-subpath' is used but not declared"]),
    dangling_artifact_reference: ("'artifact-example/generate-artifact' has no output artifact 'hello-art'",
                                  ["reference {{steps.generate-artifact.outputs.artifacts.hello-art}} points at nothing"]),
    consumer_mount_writable: ("'artifact-example/consume-artifact' mounts volume 'data-storage' at /tmp/message "
                              "writable, and may change what other consumers of the output read", []),
    volume_shadowed_by_template: ("the consumer's volume 'data-storage' is not the producer's", []),
    consumer_reads_through_another_name: (None, []),
    location_with_escapes: (None, []),
    location_with_a_refused_escape: ("holds an escape Argo's expressions refuse", []),
    consumer_reads_another_csi_share: ("the consumer reads volume 'other', the producer wrote volume 'data-storage', "
                                       "which is other storage", []),
    consumer_reads_the_same_csi_share: (None, []),
    consumer_shadows_with_other_fc_disks: ("the consumer's volume 'data-storage' is not the producer's", []),
    claim_named_by_parameters: (None, []),
    consumer_claim_named_by_its_pod: ("the consumer's volume 'data-storage' is not the producer's", []),
    consumer_reads_a_subdirectory_export: (None, []),
    consumer_reads_another_claim: ("the consumer reads volume 'alias', the producer wrote volume 'data-storage', "
                                   "which is other storage", []),
    pod_added_writing_through_another_name: ("'artifact-example/clean' writes to volume 'data-storage'", []),
    pod_added_writing_on_the_export_above: ("'artifact-example/clean' writes to volume 'data-storage' at "
                                            "artifact_data/{{workflow.uid}}/", []),
    sidecar_mounts_below: ("'artifact-example/consume-artifact' writes to volume 'data-storage' at "
                           "artifact_data/{{workflow.uid}}/<pod artifact-example/generate-artifact>/tmp/hello_world.txt "
                           "too", []),
    consumer_mounts_volume_dot: ("'artifact-example/consume-artifact' writes to volume 'data-storage'", []),
    consumer_mounts_subpath_expr: ("'artifact-example/consume-artifact' writes to volume 'data-storage'", []),
    pod_added_writing_everywhere: ("'artifact-example/clean' writes to volume 'data-storage'", []),
    consumer_writes_through_another_mount: ("'artifact-example/consume-artifact' writes to volume 'data-storage' at "
                                            "artifact_data/{{workflow.uid}}/<pod artifact-example/generate-artifact>/"
                                            "tmp/hello_world.txt too, where it may replace what the consumer reads",
                                            []),
    sidecar_mounts_whole_volume: ("'artifact-example/consume-artifact' writes to volume 'data-storage' at "
                                  "artifact_data/{{workflow.uid}}/<pod artifact-example/generate-artifact>/tmp/"
                                  "hello_world.txt too", []),
    value_read_from_a_file: ("the consumer reads <output parameter hello-art-subpath of "
                             "artifact-example/generate-artifact>", []),
}


def check_variant(ctx, mutate):
    with open(GOOD) as f:
        doc = yaml.safe_load(f)
    mutate(doc)
    broken, problems = VARIANTS[mutate]
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "variant.yaml")
        with open(path, "w") as f:
            yaml.safe_dump(doc, f, sort_keys=False)
        report = _verify(ctx, PASSING, path)
    [handoff] = report["handoffs"]
    if broken is None:
        expect(handoff["verdict"] == "preserved", f"hand-off should hold: {handoff}")
    else:
        expect(handoff["verdict"] == "broken" and broken in handoff["reason"], f"got {handoff}")
    got = [p["message"] for p in report["problems"]]
    expect(len(got) == len(problems) and all(w in g for w, g in zip(problems, got)),
           f"problems {got}, wanted {problems}")


def test_output_placed_in_a_read_only_input(ctx):
    """An output path made of parameters, placed by values a dag passes on
    from its own caller (which volpass, checking each call's own values,
    does not see), lands in an input the rewrite mounts read-only: verify
    fills in the values of each instance and reports it."""
    source = os.path.join(HERE, "data", "verify", "output-in-input-passed-on.yaml")
    proc = ctx.run(["--input", source, "--volume", VOLUME])
    expect(proc.returncode == 0, proc.stderr)
    report = _verify_text(ctx, source, proc.stdout)
    expect([p["message"] for p in report["problems"]] == ["template 'use': output 'o' at /out/s/t-0.txt lies under a "
                                                         "read-only mount"], json.dumps(report))
    # with a value that puts it beside the input, nothing to say
    with open(source) as f:
        beside = f.read().replace("value: s/t", "value: t")
    with tempfile.TemporaryDirectory() as d:
        original = os.path.join(d, "beside.yaml")
        with open(original, "w") as f:
            f.write(beside)
        proc = ctx.run(["--input", original, "--volume", VOLUME])
        report = _verify_text(ctx, original, proc.stdout)
    expect(proc.returncode == 0 and report["problems"] == [], json.dumps(report))


def test_constant_changed(ctx):
    """A constant an input reads (its own source, or an argument's) must come
    through the rewrite the same: another value, another kind of source or
    another subPath of it is a problem; the same, written otherwise (keys in
    another order, a !!str tag), is not."""
    original = ("kind: Workflow\nspec:\n  entrypoint: main\n  templates:\n  - name: main\n    steps:\n"
                "    - - name: u\n        template: use\n        arguments: {artifacts: [{name: in, raw: {data: hello}}]}\n"
                "  - name: use\n    inputs: {artifacts: [{name: in, path: /tmp/in/x.txt}]}\n"
                "    container: {image: busybox, command: [cat, /tmp/in/x.txt]}\n")
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "original.yaml")
        with open(path, "w") as f:
            f.write(original)
        for changed, problem in (("raw: {data: goodbye}", True), ("http: {url: 'http://x.example/y'}", True),
                                 ("raw: {data: hello}, subPath: a", True), ("raw: {data: 'hello'}", False),
                                 ('raw: {"data": "hello"}', False), ("raw: {data: !!str hello}", False)):
            report = _verify_text(ctx, path, original.replace("raw: {data: hello}", changed))
            said = [p["message"] for p in report["problems"]]
            expect(said == (["template 'use': input artifact 'in' of 'main/u' gets another source than its own in the "
                             "original (raw), or another part of it"] if problem else []), f"{changed}: {said}")
        s3 = original.replace("raw: {data: hello}", "s3: {bucket: b, key: k/x.txt}")
        with open(path, "w") as f:
            f.write(s3)
        report = _verify_text(ctx, path, s3.replace("{bucket: b, key: k/x.txt}", "{key: k/x.txt, bucket: b}"))
        expect(report["problems"] == [], f"keys in another order: {report['problems']}")


def test_dynamic_template_ref(ctx):
    """A templateRef whose template is a parameter runs a template known at
    run time only: verify says that it does not check the hand-offs through
    it, on either side, rather than report none."""
    refused = os.path.join(HERE, "data", "volume", "refused")
    for name, wanted in (("dynamic-template-ref.yaml", "'1:main/c' passes artifact 'a' to a templateRef made of "
                          "parameters ({{inputs.parameters.which}}), known at run time only, so verify does not check "
                          "its hand-offs"),
                         ("dynamic-template-ref-output.yaml", "template 'cons': input artifact 'a' of '1:main/c': it "
                          "comes from '1:main/p', whose templateRef is made of parameters "
                          "({{workflow.parameters.maker}}), known at run time only, so verify does not check all its "
                          "hand-offs")):
        path = os.path.join(refused, name)
        report = _verify(ctx, path, path)
        expect(report["handoffs"] == [] and [p["message"] for p in report["problems"]] == [wanted],
               f"{name}: {report}")


def test_long_file_name_in_text_report(ctx):
    """The text report names the rewritten file whole on each problem line,
    however long its path (one of over 255 bytes was cut short)."""
    data = os.path.join(HERE, "data")
    with tempfile.TemporaryDirectory() as d:
        deep = os.path.join(d, "x" * 200, "y" * 200)
        os.makedirs(deep)
        broken = os.path.join(deep, "nesting.broken.yaml")
        shutil.copy(os.path.join(data, "verify", "nesting.broken.yaml"), broken)
        proc = ctx.run(["verify", os.path.join(data, "volume", "nesting.yaml"), broken])
    problems = [line for line in proc.stdout.splitlines() if ": problem: " in line]
    expect(proc.returncode == 1 and len(problems) == 5 and all(line.startswith(broken + ":") for line in problems),
           proc.stdout[:1000])


def test_hidden_outputs(ctx):
    """A real faulty rewrite (volpass's own, before it kept such outputs and
    gave a containerSet the volume as its own): verify reports each output
    that another mount hides or misses, and a mount of a volume Argo does
    not add to a containerSet's pod."""
    original = os.path.join(HERE, "data", "volume", "nesting.yaml")
    report = _verify(ctx, original, os.path.join(HERE, "data", "verify", "nesting.broken.yaml"))
    broken = sorted(h["reason"] for h in report["handoffs"] if h["verdict"] == "broken")
    expect(len(broken) == 3 and "the producer wrote" in broken[0] and "emptyDir, which pods do not share" in broken[2]
           and "does not exist in the containerSet's pod" in broken[1], str(broken))
    problems = [p["message"] for p in report["problems"]]
    wanted = ["template 'build': output 'ws' at /work/ holds the mount at /work/src/metrics.json",
              "template 'cache': output 'dir' at /out/ holds the mount at /out/model",
              "template 'shared': volume 'data-storage' does not exist in the containerSet's pod",
              "template 'shared': output 'd' at /workspace/out/d.txt is written to the mount at /workspace/out, "
              "below the pod's own mount at /workspace",
              "template 'dots': a mount path with '..': /tmp/o/.."]
    expect(len(problems) == len(wanted) and all(w in p for w, p in zip(wanted, problems)), str(problems))


def _chain(levels, step="s"):
    """A workflow passing one artifact down `levels` nested steps templates,
    each calling the next as step `step`."""
    lines = ["apiVersion: argoproj.io/v1alpha1", "kind: Workflow", "metadata: {generateName: chain-}", "spec:",
             "  entrypoint: t0", "  templates:", "  - name: t0", "    steps:", "    - - {name: p, template: prod}",
             f'    - - {{name: {step}, template: t1, arguments: {{artifacts: [{{name: a, from: '
             '"{{steps.p.outputs.artifacts.a}}"}]}}']
    for i in range(1, levels):
        lines += [f"  - name: t{i}", "    inputs: {artifacts: [{name: a, path: /in/a}]}", "    steps:",
                  f'    - - {{name: {step}, template: t{i + 1}, arguments: {{artifacts: [{{name: a, from: '
                  f'"{{{{inputs.artifacts.a}}}}"}}]}}}}']
    lines += [f"  - name: t{levels}", "    inputs: {artifacts: [{name: a, path: /in/a}]}",
              "    container: {image: alpine, command: [cat, /in/a]}", "  - name: prod",
              "    container: {image: alpine, command: [sh, -c, 'echo > /tmp/a']}",
              "    outputs: {artifacts: [{name: a, path: /tmp/a}]}"]
    return "\n".join(lines) + "\n"


def _document_chain(n):
    """WorkflowTemplates lib1..lib{n-1}, each calling the one before through
    templateRef, down to lib0, which passes an artifact; then a Workflow
    calling the last."""
    docs = ["apiVersion: argoproj.io/v1alpha1\nkind: WorkflowTemplate\nmetadata: {name: lib0}\nspec:\n  templates:\n"
            "  - name: via\n    steps:\n    - - {name: p, template: produce}\n    - - name: c\n        template: consume\n"
            "        arguments: {artifacts: [{name: in, from: \"{{steps.p.outputs.artifacts.out}}\"}]}\n"
            "  - name: produce\n    container: {image: alpine}\n    outputs: {artifacts: [{name: out, path: /tmp/out/f}]}\n"
            "  - name: consume\n    inputs: {artifacts: [{name: in, path: /in/f}]}\n    container: {image: alpine}\n"]
    for i in range(1, n):
        docs.append(f"apiVersion: argoproj.io/v1alpha1\nkind: WorkflowTemplate\nmetadata: {{name: lib{i}}}\nspec:\n"
                    f"  templates:\n  - name: via\n    steps: [[{{name: s, templateRef: {{name: lib{i - 1}, template: "
                    f"via}}}}]]\n")
    docs.append(f"apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {{generateName: run-}}\nspec:\n"
                f"  entrypoint: go\n  templates:\n  - name: go\n    steps: [[{{name: s, templateRef: {{name: lib{n - 1}, "
                f"template: via}}}}]]\n")
    return "---\n".join(docs)


def test_document_chain_past_the_depth(ctx):
    """Each template is looked at once per workflow that runs it; one run
    reaches the library past the depth verify follows, where the template's
    instance has no calls expanded: that is no reference to nothing (the
    47th review's false alarm), only the depth problem."""
    with tempfile.TemporaryDirectory() as d:
        original = os.path.join(d, "chain.yaml")
        with open(original, "w") as f:
            f.write(_document_chain(200))
        proc = ctx.run(["--input", original, "--volume", VOLUME])
        expect(proc.returncode == 0, proc.stderr)
        rewritten = os.path.join(d, "chain.out.yaml")
        with open(rewritten, "w") as f:
            f.write(proc.stdout)
        report = _verify(ctx, original, rewritten)
    expect(len(report["handoffs"]) == 200 and all(h["verdict"] == "preserved" for h in report["handoffs"]) and
           [p["message"] for p in report["problems"]] ==
           ["template 'via': calls nest more than 200 levels deep: verify does not check what happens further down"],
           json.dumps(report["problems"]))


def test_deep_chains(ctx):
    """A hand-off through 150 nested templates, or through instance paths of
    more than 1,024 characters, is followed (and a rewrite that breaks it is
    caught); one deeper than verify follows is a problem, never a silent
    pass."""
    with tempfile.TemporaryDirectory() as d:
        for levels, step, handoffs, problems in [(150, "s", 1, 0), (60, "a-rather-long-step-name", 1, 0),
                                                 (230, "s", 0, 1)]:
            original = os.path.join(d, f"chain{levels}.yaml")
            with open(original, "w") as f:
                f.write(_chain(levels, step))
            proc = ctx.run(["--input", original, "--volume", VOLUME])
            expect(proc.returncode == 0, proc.stderr)
            rewritten = os.path.join(d, f"chain{levels}.out.yaml")
            with open(rewritten, "w") as f:
                f.write(proc.stdout)
            report = _verify(ctx, original, rewritten)
            expect(len(report["handoffs"]) == handoffs and len(report["problems"]) == problems, json.dumps(report))
            if problems:
                expect("calls nest more than 200 levels deep" in report["problems"][0]["message"], json.dumps(report))
                continue
            with open(rewritten, "w") as f:
                f.write(proc.stdout.replace(f"name: t{levels}\n    inputs:\n      parameters:\n      - name: a-subpath\n"
                                            f"    container:\n      image: alpine\n      command: [cat, /in/a]\n"
                                            f"      volumeMounts:\n      - name: data-storage\n        mountPath: /in/a",
                                            f"name: t{levels}\n    inputs:\n      parameters:\n      - name: a-subpath\n"
                                            f"    container:\n      image: alpine\n      command: [cat, /in/a]\n"
                                            f"      volumeMounts:\n      - name: data-storage\n        mountPath: /in/b"))
            report = _verify(ctx, original, rewritten)
            expect([h["verdict"] for h in report["handoffs"]] == ["broken"], json.dumps(report)[:2000])


def test_instance_limit(ctx):
    """A workflow of 10^8 template instances (8 levels of 10 steps) converts
    at once, as the rewrite follows templates, not instances; verify stops at
    its limit of 250,000 with an error at the call that passes it (84th
    review: 2**19 instances passing artifacts took 2 GB). (That many take
    minutes under valgrind: a plain build's run only.)"""
    if ctx.instrumented:
        return
    lines = ["apiVersion: argoproj.io/v1alpha1", "kind: Workflow", "metadata: {generateName: wide-}", "spec:",
             "  entrypoint: l0", "  templates:"]
    for level in range(8):
        lines += [f"  - name: l{level}", "    steps:", "    - " + "\n      ".join(
            f"- {{name: s{k}, template: l{level + 1}}}" for k in range(10))]
    lines += ["  - name: l8", "    container: {image: alpine, command: [true]}"]
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "wide.yaml")
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
        proc = ctx.run(["--input", path, "--volume", VOLUME])
        expect(proc.returncode == 0, proc.stderr)
        proc = ctx.run(["--input", path, "--volume", VOLUME, "--verify"])
        expect(proc.returncode == 6 and proc.stdout == "" and re.match(
            re.escape(path) + r":\d+:\d+: error: the workflow expands to more than 250000 template instances",
            proc.stderr), proc.stderr)


def test_volume_turned_shared(ctx):
    """A mount the original has, of a volume the rewrite turned into the shared
    one (an emptyDir there, the claim here), lets that pod write where
    hand-offs lie: verify counts it, though its text did not change."""
    original = os.path.join(HERE, "data", "verify", "volume-turned-shared.yaml")
    report = _verify(ctx, original, os.path.join(HERE, "data", "verify", "volume-turned-shared.rewritten.yaml"))
    expect([h["verdict"] for h in report["handoffs"]] == ["broken"] and "writes to volume" in
           report["handoffs"][0]["reason"], json.dumps(report))


def test_recursive_expression(ctx):
    """A recursive template whose output expression has a branch into its own
    recursive call: the branch that leads past the instances verify expands
    is left out, as the original's hand-offs there are, and the two
    hand-offs it follows are preserved; a rewrite that passes the wrong
    output in that expression is still caught."""
    original = os.path.join(HERE, "data", "verify", "recursion.yaml")
    proc = ctx.run(["--input", original, "--volume", VOLUME])
    expect(proc.returncode == 0, proc.stderr)
    report = _verify_text(ctx, original, proc.stdout)
    expect(sorted(h["producer"] for h in report["handoffs"]) == ["main/l/again/gen", "main/l/gen"] and
           all(h["verdict"] == "preserved" for h in report["handoffs"]) and not report["problems"], json.dumps(report))
    branch = "steps[''gen'']?.outputs?.parameters?.[''out-subpath'']"
    expect(branch in proc.stdout, "the rewrite's expression changed")
    report = _verify_text(ctx, original, proc.stdout.replace(branch, "steps[''flip''].outputs.result"))
    expect(sorted(h["verdict"] for h in report["handoffs"]) == ["broken", "broken"], json.dumps(report))


GLOBAL_SETTERS = workflow_head("g-") + """  - name: main
    steps:
    - - {name: gen1, template: gen}
    - - {name: gen2, template: gen}
    - - name: consume
        template: use
        arguments:
          artifacts: [{name: message, from: "{{steps.gen1.outputs.artifacts.out}}"}]
  - name: gen
    container: {image: busybox, command: [sh, -c, "echo $RANDOM > /tmp/out/f.txt"]}
    outputs:
      artifacts: [{name: out, path: /tmp/out/f.txt}]
  - name: use
    inputs:
      artifacts: [{name: message, path: /tmp/in/message}]
    container: {image: busybox, command: [cat, /tmp/in/message]}
"""


def test_location_of_another_producer(ctx):
    """A consumer whose location may be one no producer it read in the
    original wrote is broken, even when another value is the right one:
    here a global parameter that both runs of gen set, the last one wins."""
    with tempfile.TemporaryDirectory() as d:
        original, rewritten = _converted(ctx, d, GLOBAL_SETTERS)
        report = _verify_text(ctx, original, rewritten)
        expect([h["verdict"] for h in report["handoffs"]] == ["preserved"], json.dumps(report))
        argument = "value: '{{steps.gen1.outputs.parameters.out-subpath}}'"
        expect(argument in rewritten, "the rewrite's argument changed")
        through_global = rewritten.replace(argument, "value: '{{workflow.outputs.parameters.loc}}'").replace(
            "value: artifact_data/{{workflow.uid}}/{{pod.name}}/out/f.txt\n",
            "value: artifact_data/{{workflow.uid}}/{{pod.name}}/out/f.txt\n        globalName: loc\n")
        report = _verify_text(ctx, original, through_global)
        expect([h["verdict"] for h in report["handoffs"]] == ["broken"] and "the consumer may read volume "
               "'data-storage' at artifact_data/{{workflow.uid}}/<pod main/gen2>/out/f.txt as well, where none of the "
               "producers it read from in the original writes" in report["handoffs"][0]["reason"], json.dumps(report))


def test_global_cycle(ctx):
    """A location carried by a global parameter set from itself: verify ends
    (it walked every instance again per level, for ever) and calls the
    hand-off broken."""
    data = os.path.join(HERE, "data", "verify")
    report = _verify(ctx, os.path.join(data, "global-cycle.yaml"), os.path.join(data, "global-cycle.rewritten.yaml"))
    expect([h["verdict"] for h in report["handoffs"]] == ["broken"] and
           "global parameter 'g' is set from itself" in report["handoffs"][0]["reason"], json.dumps(report))


def _globals(chain, setters):
    """A global passed on through `chain` steps templates in a row, each
    level set by `setters` templates alike; or, with chain 0, one global set
    by `setters` pod templates."""
    lines = ["apiVersion: argoproj.io/v1alpha1", "kind: Workflow", "metadata: {generateName: g-}", "spec:",
             "  entrypoint: main", "  templates:", "  - name: main", "    steps:"]
    pods = setters if chain == 0 else 1
    lines.append("    - [" + ", ".join(f"{{name: p{j}, template: prod{j}}}" for j in range(pods)) + "]")
    for i in range(1, chain + 1):
        lines.append("    - [" + ", ".join(f"{{name: s{i}-{j}, template: d{i}-{j}}}" for j in range(setters)) + "]")
    lines.append(f"    - - {{name: c, template: cons, arguments: {{artifacts: [{{name: a, from: "
                 f"'{{{{workflow.outputs.artifacts.g{chain}}}}}'}}]}}}}")
    for i in range(1, chain + 1):
        for j in range(setters):
            lines += [f"  - name: d{i}-{j}", "    steps: [[{name: s, template: noop}]]",
                      f"    outputs: {{artifacts: [{{name: x, from: '{{{{workflow.outputs.artifacts.g{i - 1}}}}}', "
                      f"globalName: g{i}}}]}}"]
    lines += ["  - name: noop", "    container: {image: alpine, command: ['true']}"]
    for j in range(pods):
        lines += [f"  - name: prod{j}", f"    container: {{image: alpine, command: [sh, -c, 'echo > /tmp/o{j}/x']}}",
                  f"    outputs: {{artifacts: [{{name: a, path: /tmp/o{j}/x, globalName: g0}}]}}"]
    lines += ["  - name: cons", "    inputs: {artifacts: [{name: a, path: /in/a}]}",
              "    container: {image: alpine, command: [cat, /in/a]}"]
    return "\n".join(lines) + "\n"


def _verify_text(ctx, original, rewritten_text):
    """What verify says of `rewritten_text` as the rewrite of file `original`."""
    with tempfile.TemporaryDirectory() as d:
        rewritten = os.path.join(d, "rewritten.yaml")
        with open(rewritten, "w") as f:
            f.write(rewritten_text)
        return _verify(ctx, original, rewritten)


def _verify_broken_mount(ctx, text, mount):
    """Converts `text`, moves the producer's mount on `mount` elsewhere, and
    returns what verify says of that broken rewrite."""
    with tempfile.TemporaryDirectory() as d:
        original, rewritten = _converted(ctx, d, text)
        return _verify_text(ctx, original, rewritten.replace(f"mountPath: {mount}\n", "mountPath: /tmp/WRONG\n"))


def _converted(ctx, d, text):
    """Writes `text` into directory d as original.yaml and converts it: its path, and volpass's output."""
    original = os.path.join(d, "original.yaml")
    with open(original, "w") as f:
        f.write(text)
    proc = ctx.run(["--input", original, "--volume", VOLUME])
    expect(proc.returncode == 0, proc.stderr)
    return original, proc.stdout


def test_what_verify_cannot_follow(ctx):
    """Where verify's own limits leave a hand-off out (a global passed
    through more than 8 globals, more than 16 producers, a fan-out that
    would take exponential time), it says so as a problem: a broken rewrite
    never verifies clean."""
    cases = [(8, 1, "through more than 8 globals"), (0, 17, "it comes from more than 16 places"),
             (7, 12, "more than")]
    for chain, setters, words in cases:
        report = _verify_broken_mount(ctx, _globals(chain, setters), "/tmp/o0")
        expect(any(words in p["message"] and "does not check all its hand-offs" in p["message"]
                   for p in report["problems"]), f"{chain}x{setters}: {json.dumps(report)[:1500]}")


def test_long_root_names(ctx):
    """Two templates no one calls, whose names share their first 1,100
    characters: two roots, two hand-offs (a name cut to 1,024 made them one)."""
    head = ["apiVersion: argoproj.io/v1alpha1", "kind: WorkflowTemplate", "metadata: {name: lib}", "spec:",
            "  templates:"]
    for k in (1, 2):
        head += [f"  - name: {'a' * 1100}{k}", "    steps:", f"    - - {{name: p, template: prod{k}}}",
                 f'    - - {{name: c, template: cons, arguments: {{artifacts: [{{name: a, from: '
                 f'"{{{{steps.p.outputs.artifacts.a}}}}"}}]}}}}',
                 f"  - name: prod{k}", f"    container: {{image: alpine, command: [sh, -c, 'echo > /tmp/o{k}/a']}}",
                 f"    outputs: {{artifacts: [{{name: a, path: /tmp/o{k}/a}}]}}"]
    head += ["  - name: cons", "    inputs: {artifacts: [{name: a, path: /in/a}]}",
             "    container: {image: alpine, command: [cat, /in/a]}"]
    report = _verify_broken_mount(ctx, "\n".join(head) + "\n", "/tmp/o2")
    expect(sorted(h["verdict"] for h in report["handoffs"]) == ["broken", "preserved"], json.dumps(report)[:1500])


def test_one_place_written_twice(ctx):
    """Two runs of a producer writing one place on the volume, as two steps or
    as the runs of a loop: a consumer may read another run's output. Broken,
    naming the other writer."""
    for name, producer, reason in (
            ("twice.yaml", "main/p1", "'main/p2' writes to volume 'data-storage' at artifact_data/{{workflow.uid}}/"
                                      "out/x.txt too"),
            ("loop.yaml", "main/l/p", "every run of the loop around 'main/l/p' writes to volume 'data-storage' at "
                                      "artifact_data/{{workflow.uid}}/out/f")):
        original = os.path.join(HERE, "data", "verify", name)
        proc = ctx.run(["--input", original, "--volume", VOLUME])
        expect(proc.returncode == 0 and "{{pod.name}}/" in proc.stdout, proc.stderr)
        clean = _verify_text(ctx, original, proc.stdout)
        expect(all(h["verdict"] == "preserved" for h in clean["handoffs"]), str(clean["handoffs"]))
        report = _verify_text(ctx, original, proc.stdout.replace("{{pod.name}}/", ""))
        broken = [h for h in report["handoffs"] if h["verdict"] == "broken"]
        expect(len(broken) == 1 and broken[0]["producer"] == producer and broken[0]["reason"].startswith(reason),
               f"{name}: {report['handoffs']}")


def test_good_rewrite(ctx):
    proc = ctx.run(["verify", PASSING, GOOD])
    expect(proc.returncode == 0, proc.stdout + proc.stderr)
    expect(proc.stdout.splitlines() == [
        "preserved: artifact-example/generate-artifact output 'hello-art' -> artifact-example/consume-artifact "
        "input 'message': volume 'data-storage' at "
        "artifact_data/{{workflow.uid}}/<pod artifact-example/generate-artifact>/tmp/hello_world.txt",
        "verify: 1 hand-off: 1 preserved, 0 broken; 0 problems"], proc.stdout)


def test_real_artifact_paths(ctx):
    """Both sides still real artifacts: the hand-off holds only where the
    rewrite keeps the paths the programs read and write."""
    with open(PASSING) as f:
        text = f.read()
    for old, new, reason in (("path: /tmp/message", "path: /tmp/other",
                              "the consumer's artifact is placed at /tmp/other, where it read /tmp/message"),
                             ("path: /tmp/hello_world.txt", "path: /tmp/nothere.txt",
                              "the producer's artifact is taken from /tmp/nothere.txt, where it wrote "
                              "/tmp/hello_world.txt"),
                             ("", "", None)):
        expect(old in text, old)
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "same.yaml")
            with open(path, "w") as f:
                f.write(text.replace(old, new, 1) if old else text)
            [handoff] = _verify(ctx, PASSING, path)["handoffs"]
        expect(handoff.get("reason") == reason if reason else handoff["location"] == "a real artifact on both sides",
               str(handoff))


DIRECTORY_HANDOFF = """apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: dir-}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: produce, template: produce}
    - - name: consume
        template: consume
        arguments: {artifacts: [{name: model, from: "{{steps.produce.outputs.artifacts.model}}"}]}
  - name: produce
    container: {image: busybox, command: [sh, -c, "mkdir -p /work/model/sub && echo s > /work/model/sub/s"]}
    outputs: {artifacts: [{name: model, path: /work/model}]}
  - name: consume
    inputs: {artifacts: [{name: model, path: /in/model}]}
    container: {image: busybox, command: [cat, /in/model/sub/s]}
"""


def test_input_hidden_by_a_mount(ctx):
    """A mount inside a consumer's input directory mounted from the volume
    hides part of what the producer wrote: a problem (here the input's mount
    is no longer read-only, which would be another)."""
    with tempfile.TemporaryDirectory() as d:
        original = _written(d, "dir.yaml", DIRECTORY_HANDOFF)
        rewrite = ctx.run(["--input", original, "--volume", VOLUME]).stdout
        expect(_verify(ctx, original, _written(d, "good.yaml", rewrite))["problems"] == [], "the rewrite is flagged")
        mount = "        readOnly: true\n"
        expect(rewrite.count(mount) == 1, rewrite)
        hidden = rewrite.replace(mount, "      - {name: scratch, mountPath: /in/model/sub}\n").replace(
            "  - name: consume\n", "  - name: consume\n    volumes: [{name: scratch, emptyDir: {}}]\n")
        problems = [p["message"] for p in _verify(ctx, original, _written(d, "hidden.yaml", hidden))["problems"]]
    expect(problems == ["template 'consume': input 'model' at /in/model holds the mount at /in/model/sub, which "
                        "hides the input's files there"], str(problems))


def _written(directory, name, text):
    path = os.path.join(directory, name)
    with open(path, "w") as f:
        f.write(text)
    return path


def test_verify_flag(ctx):
    """--verify refuses to write a rewrite that breaks a hand-off."""
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "out.yaml")
        proc = ctx.rewrite(PASSING, "--verify", "-o", out, "--scheme", "kfp")
        expect(proc.returncode == 1 and not os.path.exists(out), f"exit {proc.returncode}")
        expect("broken: artifact-example/generate-artifact output 'hello-art'" in proc.stderr, proc.stderr)
        same_names = os.path.join(reference.CORPUS, "handle-large-output-results.yaml")
        proc = ctx.rewrite(same_names, "--verify", "-o", out, "--scheme", "kfp")
        expect(proc.returncode == 0 and os.path.exists(out) and proc.stderr == "", proc.stderr)


def test_verify_usage(ctx):
    proc = ctx.run(["verify", PASSING])
    expect(proc.returncode == 2 and "verify needs two files" in proc.stderr, proc.stderr)
    proc = ctx.run(["verify", PASSING, GOOD, "--bogus"])
    expect(proc.returncode == 2, proc.stderr)
    for ignored in (["-o", "report.txt"], ["--volume", "nfs: {server: s, path: /}"], ["--format", "json"]):
        proc = ctx.run(["verify", PASSING, GOOD] + ignored)
        expect(proc.returncode == 2 and f"verify takes two files, --json and the --max-* limits, not '{ignored[0]}'"
               in proc.stderr, proc.stderr)
    proc = ctx.run(["verify", PASSING, GOOD, "--max-depth", "50"])
    expect(proc.returncode == 0, proc.stderr)
    with open(PASSING) as f:
        proc = ctx.run(["verify", "-", "-"], stdin=f.read())
    expect(proc.returncode == 2 and "not both" in proc.stderr, proc.stderr)
    proc = ctx.run(["verify", PASSING, os.path.join(HERE, "data", "stream.yaml")])
    expect(proc.returncode == 3 and "documents" in proc.stderr, proc.stderr)


_outcomes = collections.Counter()
_lock = threading.Lock()


def check_kfp_warnings(ctx, path):
    """The kfp scheme breaks what the reference breaks, never silently: its
    output verifies clean exactly when it gave no warning (the reference's
    own about file names, or one naming the fault)."""
    with tempfile.TemporaryDirectory() as d:
        rewritten = os.path.join(d, "out.yaml")
        proc = ctx.run(["--scheme", "kfp", "--input", path, "--output", rewritten, "--volume", VOLUME])
        if proc.returncode != 0:
            return "kfp refused"
        warnings = [line for line in proc.stderr.splitlines()
                    if "warning:" in line and "no document is an Argo workflow" not in line]
        report = _verify(ctx, path, rewritten)
    clean = not report["problems"] and all(h["verdict"] == "preserved" for h in report["handoffs"])
    expect(clean != bool(warnings), ("warned, but verify finds nothing wrong: " if clean else
                                     "broken without a warning: ") + json.dumps(report)[:2000] + proc.stderr)
    return "kfp clean" if clean else "kfp warned"


def _record(ctx, path):
    outcome = check_reference_output(ctx, path, os.path.relpath(path, reference.CORPUS))
    kfp = check_kfp_warnings(ctx, path) if not ctx.wrapper else None  # valgrind: the differential runs kfp
    with _lock:  # cases run on several threads
        _outcomes[outcome] += 1
        _outcomes[kfp] += kfp is not None


def summary():
    print(f"verify: the reference's output checked on {_outcomes['checked']} corpus files "
          f"({len(REFERENCE_VERDICTS)} of them with broken hand-offs or problems); "
          f"the reference fails on {_outcomes['reference failed']}, volpass refuses {_outcomes['refused']}")
    seen = sum(_outcomes[k] for k in ("checked", "reference failed", "refused"))
    expect(seen == len(reference.corpus_files()), "not every corpus file was seen")
    if _outcomes["kfp clean"] + _outcomes["kfp warned"]:
        print(f"verify: volpass --scheme kfp on the corpus: {_outcomes['kfp warned']} outputs broken, each with a "
              f"warning; {_outcomes['kfp clean']} clean, with none; {_outcomes['kfp refused']} refused")


def tests(ctx):
    cases = [(f"verify-reference:{os.path.relpath(p, reference.CORPUS)}", lambda p=p: _record(ctx, p))
             for p in reference.corpus_files()]
    cases += [(f"verify-variant:{m.__name__}", lambda m=m: check_variant(ctx, m)) for m in VARIANTS]
    cases += [(f"verify:{name[5:]}", lambda fn=fn: fn(ctx))
              for name, fn in sorted(globals().items()) if name.startswith("test_") and callable(fn)]
    return cases


def test_relative_mount_path(ctx):
    """The kubelet mounts a relative mount path below /: 'tmp' and the
    rewrite's /tmp are two mounts on one place (51st review: verify compared
    them as written and passed the rewrite)."""
    report = _verify(ctx, os.path.join(HERE, "data", "verify", "relative-mount.yaml"),
                     os.path.join(HERE, "data", "verify", "relative-mount.rewritten.yaml"))
    expect([p["message"] for p in report["problems"]] == ["template 'gen': two volume mounts on /tmp"],
           str(report["problems"]))


def test_template_volume_not_the_runners(ctx):
    """A volume the template declares itself is its own, whatever the Workflow
    that runs its WorkflowTemplate gives (51st review: verify said that
    Workflow gave it)."""
    report = _verify(ctx, os.path.join(HERE, "data", "verify", "runner-own-volume.yaml"),
                     os.path.join(HERE, "data", "verify", "runner-own-volume.rewritten.yaml"))
    expect([(h["verdict"], h["reason"]) for h in report["handoffs"]] == [
        ("broken", "volume 'data-storage' is an emptyDir, which pods do not share")], str(report["handoffs"]))


def test_skipped_step_output_parameter(ctx):
    """A steps output parameter taken from a step with `when`, with no
    default, has no value where that step was skipped, and Argo (v4.1) fails
    the template: volpass refuses to make one (test_skipped_step_outputs),
    and verify reports one another rewrite made. The original's artifact
    took an empty placeholder instead."""
    # passed on by the parameter itself, or by an expression naming that step alone (53rd review: not seen)
    for rewritten in ("skipped-step.rewritten.yaml", "skipped-step-expression.rewritten.yaml"):
        report = _verify(ctx, os.path.join(HERE, "data", "verify", "skipped-step.yaml"),
                         os.path.join(HERE, "data", "verify", rewritten))
        expect([p["message"] for p in report["problems"]] == [
            "template 'main': output parameter 'h-subpath' comes from step 'tails', which runs only when its "
            "condition holds: where it was skipped, that parameter has no value (and no default), and Argo fails "
            "the template"], f"{rewritten}: {report['problems']}")


def test_kept_output_holding_a_mount(ctx):
    """An output that stays a real artifact is collected by Argo through
    every mount of the main container: one inside it is no problem, even
    where the rewrite mounts the volume above it for another output."""
    original = os.path.join(HERE, "data", "verify", "kept-output-holding-a-mount.yaml")
    proc = ctx.run(["--input", original, "--volume", "persistentVolumeClaim: {claimName: pvc}", "--verify"])
    expect(proc.returncode == 0 and "output artifact 'd' stays a real artifact" in proc.stderr, proc.stderr)
    report = _verify_text(ctx, original, proc.stdout)
    expect(not report["problems"] and sorted(h["location"] == "a real artifact on both sides"
                                             for h in report["handoffs"]) == [False, True], str(report))
    # A real artifact still loses what a mount of the rewrite hides: a sidecar's files in a shared emptyDir.
    report = _verify(ctx, os.path.join(HERE, "data", "verify", "kept-output-hidden.yaml"),
                     os.path.join(HERE, "data", "verify", "kept-output-hidden.rewritten.yaml"))
    expect([p["message"] for p in report["problems"]] == [
        "template 'prod': output 'r' at /work/r is written to the mount at /work/r, below the pod's own mount at "
        "/work, where other containers or that volume may put what it holds"], str(report["problems"]))


def test_templates_beside_workflow_template_ref(ctx):
    """Argo refuses a Workflow that runs a WorkflowTemplate (workflowTemplateRef)
    and has templates of its own: one a rewrite gave such templates (the twin
    volpass once put there for a hooks.exit) is reported."""
    original = os.path.join(HERE, "data", "volume", "handlers", "hook-twin-in-referring-workflow.yaml")
    with open(original) as f:
        docs = list(yaml.safe_load_all(f))
    wt = next(d for d in docs if d["kind"] == "WorkflowTemplate")
    notify = next(t for t in wt["spec"]["templates"] if t["name"] == "notify")
    docs[-1]["spec"]["templates"] = [dict(notify, name="notify-constant")]
    docs[-1]["spec"]["hooks"]["exit"] = {"template": "notify-constant"}
    with tempfile.TemporaryDirectory() as d:
        rewritten = os.path.join(d, "rewritten.yaml")
        with open(rewritten, "w") as f:
            yaml.safe_dump_all(docs, f)
        report = _verify(ctx, original, rewritten)
    problems = [p["message"] for p in report["problems"]]
    expect(any("runs a WorkflowTemplate (workflowTemplateRef) and has templates of its own, which Argo refuses" in p
               for p in problems), str(problems))


def test_values_set_at_run_time(ctx):
    """A parameter set at run time (a ConfigMap, `argo submit -p`, a caller
    outside the input) is one value per pod, the same on both sides of a rewrite: hand-offs whose file
    name holds one are preserved, and broken when the consumer's subPath
    stops following it (to the value a ConfigMap's key replaces, too)."""
    original = os.path.join(HERE, "data", "verify", "run-time-values.yaml")
    proc = ctx.run(["--input", original, "--volume", VOLUME])
    expect(proc.returncode == 0, proc.stderr)
    report = _verify_text(ctx, original, proc.stdout)
    ends = ["/e/<parameter n of 0:main/p1, from a ConfigMap>", "/e/<parameter q of the workflow, given at submission>",
            "/e/<parameter n of 0:main/p3, from a ConfigMap>", "/e/<parameter r of the workflow, given at submission>",
            "/e/<parameter q of the workflow, given at submission>",
            "/e/<parameter q of 1:flow, given by a caller outside the input>"]
    expect([h["verdict"] for h in report["handoffs"]] == ["preserved"] * 6 and
           [h["location"].endswith(e) for h, e in zip(report["handoffs"], ends)] == [True] * 6,
           json.dumps(report["handoffs"]))
    fixed = proc.stdout.replace("/e/{{inputs.parameters.n}}", "/e/fallback")
    expect(fixed != proc.stdout, "the rewrite names no file by parameter")
    report = _verify_text(ctx, original, fixed)
    expect([h["verdict"] for h in report["handoffs"]] == ["broken"] * 6, json.dumps(report["handoffs"]))


def test_library_roots_take_no_spec_arguments(ctx):
    """Argo passes a WorkflowTemplate's spec.arguments to its entrypoint; a
    library template that nothing in the input calls is called apart, by
    workflows with arguments of their own (generate.py 3431 --keeps: verify
    said its input lost the raw source of spec.arguments)."""
    text = """apiVersion: argoproj.io/v1alpha1
kind: WorkflowTemplate
metadata: {name: lib}
spec:
  entrypoint: entry
  arguments:
    artifacts:
    - {name: x, raw: {data: hello}}
  templates:
  - name: entry
    container: {image: alpine, command: [echo]}
  - name: lib-dag
    inputs:
      artifacts: [{name: x}]
    dag:
      tasks:
      - name: use
        template: use
        arguments:
          artifacts: [{name: in, from: "{{inputs.artifacts.x}}"}]
  - name: use
    inputs:
      artifacts: [{name: in, path: /in/x}]
    container: {image: alpine, command: [cat, /in/x]}
"""
    with tempfile.TemporaryDirectory() as d:
        original, rewritten = _converted(ctx, d, text)
        report = _verify_text(ctx, original, rewritten)
    expect(report["problems"] == [] and report["handoffs"] == [], json.dumps(report))
    # The entrypoint takes them: one that reads x as its input keeps the source.
    entry = text.replace("  entrypoint: entry\n", "  entrypoint: lib-dag\n")
    with tempfile.TemporaryDirectory() as d:
        original, rewritten = _converted(ctx, d, entry)
        report = _verify_text(ctx, original, rewritten)
        lost = _verify_text(ctx, original, rewritten.replace("raw: {data: hello}", "raw: {data: other}"))
    expect(report["problems"] == [], json.dumps(report))
    expect([p["message"] for p in lost["problems"]] != [], json.dumps(lost))


def test_instance_path_limit(ctx):
    """An instance's path names every call above it: a chain of
    WorkflowTemplates, each's entrypoint a root that reaches the rest, makes paths of
    quadratic length in all. verify stops once they take 64 MiB (84th review:
    1,000 such templates took 2.85 GB), and the rewrite is not concerned."""
    if ctx.instrumented:
        return
    name = "n" * 100
    docs = []
    for i in range(400):
        call = (f"    - - name: {name}\n        templateRef: {{name: wt{i + 1}, template: {name}}}\n"
                if i + 1 < 400 else "    - - name: leaf\n        template: leaf\n")
        docs.append(f"apiVersion: argoproj.io/v1alpha1\nkind: WorkflowTemplate\nmetadata: {{name: wt{i}}}\nspec:\n"
                    f"  entrypoint: {name}\n  templates:\n  - name: {name}\n    steps:\n{call}"
                    "  - name: leaf\n    container: {image: alpine, command: [true]}\n")
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "chain.yaml")
        with open(path, "w") as f:
            f.write("---\n".join(docs))
        proc = ctx.run(["--input", path, "--volume", VOLUME])
        expect(proc.returncode == 0, proc.stderr)
        proc = ctx.run(["--input", path, "--volume", VOLUME, "--verify"])
        expect(proc.returncode == 6 and proc.stdout == "" and re.match(
            re.escape(path) + r":\d+:\d+: error: the workflow's template instances nest so deep and so often that "
            r"their paths take more than 64 MiB, more than verify follows", proc.stderr), proc.stderr)
