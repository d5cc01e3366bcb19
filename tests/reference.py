"""The reference rewriter as a test oracle.

Loads ../shared/reference/data_passing_using_volume.py with one fix applied
here (never in ../shared): it reads template['container'] even for script
templates and crashes with KeyError; the fixed line reads the script spec, as
the reference evidently intended. Also gives the YAML loader the tests use
to compare documents as data.
"""
import copy
import os
import threading
import warnings

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(os.path.dirname(ROOT), "shared")
REFERENCE = os.path.join(SHARED, "reference", "data_passing_using_volume.py")
CORPUS = os.path.join(SHARED, "corpus", "argo-examples")
WORKFLOW_KINDS = ("Workflow", "WorkflowTemplate", "ClusterWorkflowTemplate", "CronWorkflow")

SCRIPT_CRASH = "container_spec = template['container'] or template['steps']"
SCRIPT_FIX = "container_spec = template.get('container') or template['script']"


class DataLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """SafeLoader without timestamps, so dates stay the strings JSON has;
    over libyaml when PyYAML has it (several times faster: the tests load
    thousands of documents)."""


DataLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_all(text):
    return list(yaml.load_all(text, Loader=DataLoader))


def _load_reference(fix_script_crash):
    with open(REFERENCE) as f:
        source = f.read()
    if SCRIPT_CRASH not in source:
        raise RuntimeError("the reference changed: the script crash line is gone")
    if fix_script_crash:
        source = source.replace(SCRIPT_CRASH, SCRIPT_FIX)
    namespace = {"__name__": "reference"}
    exec(compile(source, REFERENCE, "exec"), namespace)
    return namespace["rewrite_data_passing_to_use_volumes"]


_rewrite = _load_reference(fix_script_crash=True)
original_rewrite = _load_reference(fix_script_crash=False)  # exactly as in ../shared


_warnings_lock = threading.Lock()


def call_recording_warnings(fn, *args):
    """fn(*args) and the messages of the warnings it gave. catch_warnings
    swaps process-wide state and the suite runs cases in threads, so one
    call at a time: two at once took each other's warnings."""
    with _warnings_lock, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = fn(*args)
    return result, [str(w.message) for w in caught]


def is_workflow(doc):
    if not isinstance(doc, dict):
        return False
    if "kind" in doc:
        return doc["kind"] in WORKFLOW_KINDS
    return isinstance(doc.get("spec"), dict) and "templates" in doc["spec"]


def _drop_stale_mounts(original_spec, rewritten_spec):
    """The reference adds `volumeMounts: []` to whichever container template
    it saw last (a stale variable); volpass does not, so comparisons ignore it."""
    for before, after in zip(original_spec.get("templates") or [], rewritten_spec.get("templates") or []):
        for key in ("container", "script"):
            spec = after.get(key)
            if isinstance(spec, dict) and spec.get("volumeMounts") == [] and \
                    "volumeMounts" not in (before.get(key) or {}):
                del spec["volumeMounts"]


def rewrite_spec(spec, volume, path_prefix):
    """Runs the reference on a workflow spec. Returns (spec, warnings)."""
    missing_templates = "templates" not in spec
    wf = {"spec": copy.deepcopy(spec)}
    if missing_templates:  # the reference needs the key; volpass treats it as empty
        wf["spec"]["templates"] = []
    args = (wf, copy.deepcopy(volume)) + ((path_prefix,) if path_prefix is not None else ())
    out, warned = call_recording_warnings(_rewrite, *args)
    out = out["spec"]
    if missing_templates:
        del out["templates"]
    _drop_stale_mounts(spec, out)
    return out, warned


def rewrite_document(doc, volume, path_prefix=None):
    """What volpass --scheme kfp must make of one document: (doc, warnings).
    Raises what the reference raises (NotImplementedError for refusals)."""
    if not is_workflow(doc):
        return doc, []
    doc = copy.deepcopy(doc)
    if doc.get("kind") == "CronWorkflow":
        doc["spec"]["workflowSpec"], warned = rewrite_spec(doc["spec"]["workflowSpec"], volume, path_prefix)
    else:
        doc["spec"], warned = rewrite_spec(doc["spec"], volume, path_prefix)
    return doc, warned


CORPUS_EVERY = 1  # run.py --corpus-every: the corpus tests take every Nth file only


def corpus_files():
    out = []
    for d, _, files in os.walk(CORPUS):
        out += [os.path.join(d, f) for f in files]
    return sorted(out)[::CORPUS_EVERY]
