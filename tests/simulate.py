"""Argo running a workflow, modelled apart from volpass's own verify: what a
pod's container finds at each path it reads an input artifact from. The
simulation runs the original workflow, where Argo passes artifacts, then
volpass's output, where they pass through the volume; test_simulate.py
checks that every read finds the same content in both: the contract,
checked by running rather than by reading.

Modelled, as Argo's controller and Kubernetes do it:
- calls: steps (groups in order), dag tasks (in dependency order),
  `templateRef` to a WorkflowTemplate of the stream, `inline`, loops
  (`withItems`, `withSequence`, a `withParam` of a JSON list: one pod per item), the entrypoint then `onExit`, both given
  `spec.arguments`, and `workflowTemplateRef`;
- parameters: arguments, an input's `value` or `default`, the tags of
  inputs, tasks, steps, `workflow.*`, `pod.name`, `item`; output parameters
  by `value`, `valueFrom.parameter`, `valueFrom.expression`, `{{=…}}`
  (expr.py); a container's output files and results are tokens naming it;
- artifacts: arguments by `from` (with `subPath`) or with a source of their
  own, an input's own source as its default, `fromExpression`,
  `globalName` and `workflow.outputs.artifacts`;
- the volume: each pod's mounts of it (path, subPath, readOnly), a
  containerSet's those of its main container and the set; a mount must
  name a volume the pod has, at a path no other mount of it takes.

A container writes a file at each path its original template declares an
output at, and reads one at each input artifact path: the program is the
same in both runs, so the converted pod, found by its call path (names of
steps and tasks, which volpass keeps), is asked about the original's paths.
What is not modelled (hooks, templateDefaults, a withParam known at run
time only, ...) raises Unsupported."""
import json
import posixpath
import re

from expr import ExprError, Unsupported, evaluate, required_paths

SOURCES = ("raw", "s3", "http", "git", "gcs", "oss", "hdfs", "artifactory", "azure", "plugin", "key")
TAG = re.compile(r"\{\{(=?)\s*(.*?)\s*\}\}", re.S)
POD_NAME = re.compile(r"\{\{\s*pod\.name\s*\}\}")
UID, NAME = "uid-1", "wf-1"


class RunError(Exception):
    """What makes Argo or Kubernetes fail the run."""


def _list(node, *keys):
    for k in keys:
        node = node.get(k) if isinstance(node, dict) else None
    return node if isinstance(node, list) else []


def _get(node, *keys):
    for k in keys:
        node = node.get(k) if isinstance(node, dict) else None
    return node


def _normpath(path):
    """posixpath.normpath, but for the two leading slashes POSIX lets it
    keep: Go's path.Clean, and the kubelet, read //x as /x."""
    path = posixpath.normpath(path)
    return "/" + path.lstrip("/") if path.startswith("//") else path


def _norm(path):
    return _normpath(path).lstrip("/") if path else ""


def _under(path, base):
    """path relative to base, or None when it does not lie there."""
    path, base = _normpath(path), _normpath(base)
    if path == base:
        return ""
    prefix = base.rstrip("/") + "/"
    return path[len(prefix):] if path.startswith(prefix) else None


def _below(token, sub):
    """The content `sub` below an artifact's (a subPath)."""
    if not sub:
        return token
    if token is None:
        return None
    # Go's path.Join, as Argo joins a key and a subPath: an absolute subPath
    # still goes below the key (posixpath.join would drop the key)
    return token[:-1] + (_normpath("/".join(part for part in (token[-1], sub) if part)),)


def _source(artifact):
    own = {k: artifact[k] for k in SOURCES if k in artifact}
    return ("source", json.dumps(own, sort_keys=True), ".") if own else None


class Scope:
    """What tags and expressions read where a template runs."""

    def __init__(self, run, params, artifacts, paths, item=None):
        self.run, self.params, self.artifacts, self.paths, self.item = run, params, artifacts, paths, item
        self.calls = {}  # step or task name -> its outputs
        self.pod = None

    def env(self):
        calls = {n: {"outputs": {"parameters": o["parameters"], "artifacts": o["artifacts"], "result": o["result"]},
                     "status": "Succeeded"} for n, o in self.calls.items()}
        env = {"inputs": {"parameters": self.params,
                          "artifacts": {n: {"path": p} for n, p in self.paths.items()}},
               "tasks": calls, "steps": calls, "workflow": self.run.workflow_env(), "item": self.item}
        if self.pod:
            env["pod"] = {"name": self.pod}
        return env

    def tag(self, expr):
        """The value of a simple tag, or None when it names nothing known."""
        parts = expr.split(".")
        if expr == "item" or expr.startswith("item."):
            value = self.item
            for p in parts[1:]:
                value = _get(value, p)
            return None if value is None else value if isinstance(value, str) else json.dumps(value)
        if expr == "pod.name":
            return self.pod
        if parts[0] in ("tasks", "steps") and len(parts) >= 4:
            out = self.calls.get(parts[1])
            if out is None:
                raise RunError(f"'{expr}': {parts[1]} has not run")
            if out.get("looped"):
                raise Unsupported("a reference to a looped call's outputs")
            if parts[2:] == ["outputs", "result"]:
                return out["result"]
            if parts[2:4] == ["outputs", "parameters"]:
                return out["parameters"].get(".".join(parts[4:]))
            return None
        if parts[:2] == ["inputs", "parameters"]:
            return self.params.get(".".join(parts[2:]))
        if parts[:2] == ["inputs", "artifacts"] and parts[-1] == "path":
            return self.paths.get(".".join(parts[2:-1]))
        return self.run.workflow_tag(expr)

    def substitute(self, value):
        """value with its tags resolved, as Argo does before it runs a pod."""
        if isinstance(value, dict):
            return {k: self.substitute(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.substitute(v) for v in value]
        if not isinstance(value, str):
            return value

        def one(m):
            if m.group(1):
                try:
                    result = evaluate(m.group(2), self.env())
                except ExprError as e:
                    raise RunError(f"expression '{m.group(2)}': {e}")
                return result if isinstance(result, str) else json.dumps(result)
            result = self.tag(m.group(2))
            return m.group(0) if result is None else result
        return TAG.sub(one, value)

    def artifact_ref(self, ref):
        """The content an artifact reference ({{tasks.t.outputs.artifacts.x}}, ...) names."""
        m = TAG.fullmatch(ref.strip())
        if not m or m.group(1):
            raise RunError(f"'{ref}' is no artifact reference")
        parts = m.group(2).split(".")
        if parts[0] in ("tasks", "steps") and parts[2:4] == ["outputs", "artifacts"]:
            out = self.calls.get(parts[1])
            if out is None:
                raise RunError(f"'{ref}': {parts[1]} has not run")
            if out.get("looped"):
                raise Unsupported("a reference to a looped call's outputs")
            if out.get("skipped"):
                raise Unsupported("a reference to a skipped call's artifacts")
            return self._found(out["artifacts"], ".".join(parts[4:]), ref)
        if parts[:2] == ["inputs", "artifacts"]:
            return self._found(self.artifacts, ".".join(parts[2:]), ref)
        if parts[:3] == ["workflow", "outputs", "artifacts"]:
            return self._found(self.run.global_artifacts, ".".join(parts[3:]), ref)
        raise RunError(f"'{ref}' is no artifact reference")

    @staticmethod
    def _found(table, name, ref):
        if name not in table:
            raise RunError(f"'{ref}' names no artifact")
        return table[name]

    def expression_artifact(self, text):
        env = self.env()
        for call in env["tasks"].values():
            call["outputs"]["artifacts"] = {k: ("artifact", v) for k, v in call["outputs"]["artifacts"].items()}
        env["inputs"]["artifacts"] = {k: ("artifact", v) for k, v in self.artifacts.items()}
        # dag and steps scopes mirror the workflow's outputs (addWorkflowOutputsToLocalScope)
        env["workflow"]["outputs"]["artifacts"] = {k: ("artifact", v) for k, v in self.run.global_artifacts.items()}
        try:
            value = evaluate(text, env)
        except ExprError as e:
            raise RunError(f"fromExpression '{text}': {e}")
        if not (isinstance(value, tuple) and value[0] == "artifact"):
            raise RunError(f"fromExpression '{text}' gives no artifact")
        return value[1]


class Run:
    """One run of one workflow document: what each pod read, by call path."""

    def __init__(self, docs, doc, volume_source, original=None):
        self.docs, self.doc, self.source = docs, doc, volume_source
        self.original = original  # the original's Run, when this one runs the converted workflow
        self.reads = {}           # (call path, path) -> content
        self.faults = []          # what breaks the contract without failing the run
        self.pod_paths = {}       # call path -> (input paths, output paths), of the original's pods
        self.volume = {}          # location on the shared volume -> content
        self.global_artifacts, self.global_params = {}, {}
        spec = doc.get("spec") or {}
        self.spec = spec.get("workflowSpec", {}) if doc.get("kind") == "CronWorkflow" else spec
        ref = self.spec.get("workflowTemplateRef")
        self.base = self._template_doc(ref.get("name"), ref.get("clusterScope")) if ref else None
        # with workflowTemplateRef, the WorkflowTemplate's parameters for those the Workflow leaves out
        given = _list(self.base, "spec", "arguments", "parameters") + _list(self.spec, "arguments", "parameters")
        self.wf_params = {p["name"]: str(p.get("value", "")) for p in given}

    # -- the documents --------------------------------------------------
    def _template_doc(self, name, cluster=False):
        """The WorkflowTemplate of the running workflow's namespace, else one
        that names none (it goes where it is applied)."""
        kind = "ClusterWorkflowTemplate" if cluster else "WorkflowTemplate"
        found = [d for d in self.docs if isinstance(d, dict) and d.get("kind") == kind
                 and _get(d, "metadata", "name") == name]
        namespace = _get(self.doc, "metadata", "namespace")
        for wanted in ([None] if cluster else [namespace, None]):
            for d in found:
                if _get(d, "metadata", "namespace") == wanted:
                    return d
        if len(found) == 1:
            return found[0]
        raise Unsupported(f"{kind} '{name}' is not in the stream, or not in one namespace")

    def _spec_value(self, key):
        own = self.spec.get(key)
        return own if own is not None or not self.base else self.base["spec"].get(key)

    def _templates(self):
        """The workflow's templates; with workflowTemplateRef, joined by name
        with the WorkflowTemplate's, as Argo merges the two specs."""
        own = _list(self.spec, "templates")
        names = {t.get("name") for t in own}
        return own + [t for t in _list(self.base, "spec", "templates") if t.get("name") not in names]

    def workflow_env(self):
        return {"name": NAME, "uid": UID, "status": "Succeeded", "parameters": self.wf_params,
                "outputs": {"parameters": self.global_params}}

    def workflow_tag(self, expr):
        if expr == "workflow.uid":
            return UID
        if expr == "workflow.name":
            return NAME
        if expr.startswith("workflow.parameters."):
            return self.wf_params.get(expr[len("workflow.parameters."):])
        if expr.startswith("workflow.outputs.parameters."):
            return self.global_params.get(expr[len("workflow.outputs.parameters."):])
        return None

    def substitute_globals(self, text):
        """text with the workflow's own tags resolved, as Argo resolves them
        in the whole spec when the run starts."""
        def one(m):
            value = None if m.group(1) else self.workflow_tag(m.group(2))
            return m.group(0) if value is None else value
        return TAG.sub(one, text)

    # -- running ----------------------------------------------------------
    def run(self):
        for key in ("hooks", "podSpecPatch", "templateDefaults"):
            if self._spec_value(key):
                raise Unsupported(f"spec.{key}")
        templates = self._templates()
        entry = self._spec_value("entrypoint")
        if not entry:
            raise Unsupported("no entrypoint")
        owner = self.base or self.doc
        arguments = self.spec.get("arguments") or {}
        if self.base:  # the Workflow's arguments, then the WorkflowTemplate's for what it leaves out
            arguments = _merge_arguments(arguments, self.base["spec"].get("arguments") or {})
        top = Scope(self, {}, {}, {})
        args = self._arguments(top, arguments)
        self._run_template(self._find(templates, entry), owner, args, ("main",))
        exit_handler = self._spec_value("onExit")
        if exit_handler:
            self._run_template(self._find(templates, exit_handler), owner, args, ("exit",))
        return self

    @staticmethod
    def _find(templates, name):
        for t in templates:
            if t.get("name") == name:
                return t
        raise RunError(f"no template '{name}'")

    def _target(self, call, doc):
        if "inline" in call:
            return call["inline"], doc
        if "templateRef" in call:
            ref = call["templateRef"]
            d = self._template_doc(ref.get("name"), ref.get("clusterScope"))
            return self._find(_list(d, "spec", "templates"), ref.get("template")), d
        templates = self._templates() if doc is self.doc or doc is self.base else _list(doc, "spec", "templates")
        return self._find(templates, call.get("template")), doc

    def _arguments(self, scope, arguments):
        params = {}
        for p in _list(arguments, "parameters"):
            if "value" in p:
                params[p["name"]] = scope.substitute(str(p["value"]) if not isinstance(p["value"], str)
                                                     else p["value"])
            elif p.get("valueFrom"):
                raise Unsupported("an argument's valueFrom")
        artifacts = {}
        for a in _list(arguments, "artifacts"):
            if "from" in a:
                content = scope.artifact_ref(a["from"])
            elif "fromExpression" in a:
                content = scope.expression_artifact(a["fromExpression"])
            else:
                content = _source(a)
                if content is None:
                    continue  # no value: the template's own default, if any
            artifacts[a["name"]] = _below(content, scope.substitute(a.get("subPath", "")))
        return {"parameters": params, "artifacts": artifacts}

    @staticmethod
    def _items(scope, call):
        """The items a call loops over, or None: withItems; withParam's JSON
        list (one known before the run only); withSequence's numbers."""
        if "withParam" in call:
            try:
                items = json.loads(scope.substitute(call["withParam"]))
            except ValueError:  # known at run time only: two items stand for it
                return [f"<item {i} of {call['name']}>" for i in range(2)]
            if not isinstance(items, list):
                raise RunError(f"withParam of {items!r}, no list")
            return items
        if "withSequence" in call:
            seq = scope.substitute(call["withSequence"])
            try:
                start = int(seq.get("start", 0))
                end = int(seq["end"]) if "end" in seq else start + int(seq.get("count", 0)) - 1
            except ValueError:
                raise Unsupported("withSequence of a value known at run time only")
            if "format" in seq:
                raise Unsupported("withSequence's format")
            return [str(i) for i in (range(start, end + 1) if end >= start else range(start, end - 1, -1))]
        return call.get("withItems")

    def _call(self, scope, call, doc, path):
        if "inline" in call and POD_NAME.search(json.dumps(call["inline"])):  # validateSteps, validateDAG
            raise RunError(f"Argo refuses {{{{pod.name}}}} in the inline template of '{call['name']}'")
        target, target_doc = self._target(call, doc)
        if "when" in call:
            try:
                run_it = evaluate(scope.substitute(call["when"]), scope.env())
            except ExprError as e:
                raise RunError(f"when '{call['when']}': {e}")
            if run_it is not True and run_it is not False:
                raise Unsupported(f"when '{call['when']}' of no boolean")
            if not run_it:
                scope.calls[call["name"]] = {"skipped": True, "parameters": {}, "artifacts": {}, "result": None}
                return
        items = self._items(scope, call)
        if items is None:
            scope.calls[call["name"]] = self._run_template(target, target_doc, self._arguments(scope, call.get(
                "arguments") or {}), path + (call["name"],))
            return
        for i, item in enumerate(items):
            looped = Scope(self, scope.params, scope.artifacts, scope.paths, item)
            looped.calls = scope.calls
            self._run_template(target, target_doc, self._arguments(looped, call.get("arguments") or {}),
                               path + (f"{call['name']}({i})",))
        scope.calls[call["name"]] = {"looped": True, "parameters": {}, "artifacts": {}, "result": None}

    def _run_template(self, t, doc, args, path):
        if len(path) > 50:
            raise Unsupported("calls nested over 50 deep")
        params = {}
        for p in _list(t, "inputs", "parameters"):
            name = p["name"]
            if name in args["parameters"]:
                params[name] = args["parameters"][name]
            elif "value" in p or "default" in p:
                value = p.get("value", p.get("default"))
                params[name] = Scope(self, {}, {}, {}).substitute(value if isinstance(value, str) else str(value))
            elif _get(p, "valueFrom", "configMapKeyRef") is None:
                raise RunError(f"template '{t.get('name')}': input parameter '{name}' was not supplied")
        artifacts, paths = {}, {}
        for a in _list(t, "inputs", "artifacts"):
            name = a["name"]
            if name in args["artifacts"]:
                artifacts[name] = args["artifacts"][name]
            elif _source(a):
                artifacts[name] = _source(a)
            elif "from" in a or "fromExpression" in a:
                raise Unsupported("an input artifact's own from")
            elif not a.get("optional"):
                raise RunError(f"template '{t.get('name')}': input artifact '{name}' was not supplied")
            if name in artifacts and "path" in a:
                paths[name] = a["path"]
        scope = Scope(self, params, artifacts, paths)
        scope.paths = {n: scope.substitute(p) for n, p in paths.items()}
        if "steps" in t:
            for group in t["steps"] or []:
                for step in group or []:
                    self._call(scope, step, doc, path)
        elif "dag" in t:
            for task in _dag_order(_list(t, "dag", "tasks")):
                self._call(scope, task, doc, path)
        elif "container" in t or "script" in t or "containerSet" in t:
            scope.pod = "pod-" + "-".join(re.sub(r"[^a-z0-9]", "", p.lower()) for p in path)
            self._pod(t, scope, path)
        elif "resource" in t and not _list(t, "outputs", "artifacts"):
            self._resource(t, scope, path)
        elif _list(t, "inputs", "artifacts") or _list(t, "outputs", "artifacts"):
            raise Unsupported(f"artifacts of a template of kind {sorted(set(t) & {'resource', 'data', 'http', 'plugin', 'suspend'})}")
        return self._outputs(t, scope, path)

    # -- pods -------------------------------------------------------------
    def _pod(self, t, scope, path):
        key = "/".join(path)
        body = scope.substitute(_main_container(t))
        by_path = {_normpath(p): scope.artifacts[n] for n, p in scope.paths.items()}
        mounts = self._mounts(t, body, key, by_path)  # Kubernetes refuses the same pods in both runs
        if self.original is None:  # the original: the container reads and writes at its artifacts' paths
            ins = [(p, scope.artifacts[n]) for n, p in scope.paths.items()]
            outs = [scope.substitute(a["path"]) for a in _list(t, "outputs", "artifacts") if "path" in a]
            self.pod_paths[key] = ([p for p, _ in ins], outs)
            for p, content in ins:
                self.reads[(key, _normpath(p))] = content
            return
        if key not in self.original.pod_paths:
            raise RunError(f"pod {key} does not run in the original")
        reads, writes = self.original.pod_paths[key]
        for p in reads:
            p = _normpath(p)
            if p in by_path:
                self.reads[(key, p)] = by_path[p]
                continue
            m = self._mount_of(mounts, p)
            if m and m[3] and not m[2]:  # a consumer that could change what others read
                self.faults.append(f"pod {key} reads {p} through a writable mount on {m[0]}")
            self.reads[(key, p)] = self._volume_read(_norm(posixpath.join(m[1], _under(p, m[0])))) \
                if m and m[3] else None
        for p in writes:
            m = self._mount_of(mounts, p)
            if m and m[2]:
                raise RunError(f"pod {key} writes {p} into a read-only mount on {m[0]}")
            if m and m[3]:  # else into a volume of the pod's own, which no other pod sees
                self.volume[_norm(posixpath.join(m[1], _under(p, m[0])))] = ("file", key, _normpath(p))

    def _resource(self, t, scope, path):
        """A resource template: Argo's executor loads its input artifacts, which
        only real artifacts give (it has no container to mount a volume into)."""
        key = "/".join(path)
        for a in _list(t, "inputs", "artifacts"):
            if a.get("path") and a["name"] not in scope.artifacts and "{{" in str(a.get("path")):
                raise Unsupported("a resource template's input path of a tag")
        ins = {_normpath(p): scope.artifacts[n] for n, p in scope.paths.items()}
        if self.original is None:
            self.pod_paths[key] = (list(ins), [])
            for p, content in ins.items():
                self.reads[(key, p)] = content
            return
        if key not in self.original.pod_paths:
            raise RunError(f"pod {key} does not run in the original")
        for p in self.original.pod_paths[key][0]:
            self.reads[(key, p)] = ins.get(p)

    def _volumes(self, t):
        """The pod's volumes by name: the workflow's, and the template's own,
        which Argo prefers. A containerSet's pod gets the workflow's volumes
        its shared mounts, an init container's or a sidecar's name
        (addVolumeReferences), not those its containers' own mounts name."""
        workflow = list(_list(self.base, "spec", "volumes")) + list(_list(self.spec, "volumes"))
        # Argo makes each claim template a claim named after the run, which the pods mount under its name
        workflow += [{"name": name, "persistentVolumeClaim": {"claimName": f"{NAME}-{name}"}}
                     for name in (_get(c, "metadata", "name") for c in _list(self.base, "spec", "volumeClaimTemplates")
                                  + _list(self.spec, "volumeClaimTemplates"))]
        if "containerSet" in t:
            named = {m.get("name") for c in [t["containerSet"]] + _list(t, "initContainers") + _list(t, "sidecars")
                     for m in _list(c, "volumeMounts")}
            workflow = [v for v in workflow if v.get("name") in named]
        own = [json.loads(self.substitute_globals(json.dumps(v))) for v in _list(t, "volumes")]
        return {v.get("name"): v for v in workflow + own}

    def _mounts(self, t, body, key, inputs):
        """The container's mounts: (path, subPath, readOnly, shared), shared
        when the volume is the shared one. Kubernetes refuses a pod whose mounts (Argo mounts each
        real input artifact at its path too) share a path, name a volume
        the pod lacks, or have a subPath that is absolute, climbs with '..'
        or holds a tag nothing resolved."""
        volumes = self._volumes(t)
        seen, out = set(inputs), []
        for m in _list(body, "volumeMounts"):
            mount_path = _normpath(posixpath.join("/", m.get("mountPath", "")))
            sub = m.get("subPath", "")
            if mount_path in seen or mount_path == "/":
                raise RunError(f"pod {key}: a mount on {mount_path}, " +
                               ("which another mount or an input artifact takes" if mount_path in seen else "the root"))
            seen.add(mount_path)
            if m.get("name") not in volumes:
                raise RunError(f"pod {key}: a mount of volume '{m.get('name')}', which the pod lacks")
            if sub.startswith("/") or ".." in sub.split("/") or "{{" in sub:
                raise RunError(f"pod {key}: the mount on {mount_path} has subPath {sub!r}")
            shared = {k: x for k, x in volumes[m.get("name")].items() if k != "name"} == self.source
            out.append((mount_path, sub, bool(m.get("readOnly")), shared))
        return out

    @staticmethod
    def _mount_of(mounts, path):
        best = None
        for m in mounts:
            if _under(path, m[0]) is not None and (best is None or len(m[0]) > len(best[0])):
                best = m
        return best

    def _volume_read(self, location):
        """What lies at `location`: written there, or below the deepest
        location written above it."""
        if location in self.volume:
            return self.volume[location]
        above = [w for w in self.volume if _under(location, w) if w]
        if not above:
            return None
        where = max(above, key=len)
        return _below(self.volume[where], _under(location, where))

    # -- outputs ----------------------------------------------------------
    def _outputs(self, t, scope, path):
        key = "/".join(path)
        is_pod = scope.pod is not None
        out = {"parameters": {}, "artifacts": {}, "result": f"<result of {key}>" if is_pod else None}
        for p in _list(t, "outputs", "parameters"):
            vf = p.get("valueFrom") or {}
            if "value" in p:
                value = scope.substitute(str(p["value"]))
            elif "parameter" in vf:
                value = scope.substitute(vf["parameter"])
            elif "expression" in vf:
                try:
                    value = evaluate(self.substitute_globals(vf["expression"]), scope.env())
                except ExprError as e:
                    raise RunError(f"output parameter '{p['name']}': {e}")
            elif "path" in vf and is_pod:
                value = f"<file {key}:{vf['path']}>"
            elif "default" in vf:
                value = str(vf["default"])
            else:
                raise Unsupported(f"output parameter valueFrom {sorted(vf)}")
            out["parameters"][p["name"]] = value
            if p.get("globalName"):
                self.global_params[scope.substitute(p["globalName"])] = value
        for a in _list(t, "outputs", "artifacts"):
            if is_pod:
                content = ("file", key, _normpath(scope.substitute(a["path"]))) if "path" in a else None
            elif "from" in a:
                content = scope.artifact_ref(a["from"])
            elif "fromExpression" in a:
                content = scope.expression_artifact(a["fromExpression"])
            else:
                continue
            out["artifacts"][a["name"]] = _below(content, scope.substitute(a.get("subPath", ""))) if not is_pod \
                else content
            if a.get("globalName"):
                self.global_artifacts[scope.substitute(a["globalName"])] = out["artifacts"][a["name"]]
        return out


def _main_container(t):
    """What the container that runs the program mounts: a containerSet's
    container named main, with the set's shared mounts."""
    if "containerSet" not in t:
        return t.get("container") or t.get("script") or {}
    cs = t["containerSet"] or {}
    main = next((c for c in _list(cs, "containers") if c.get("name") == "main"), None)
    if main is None:
        raise RunError("a containerSet with no container named main")
    return dict(main, volumeMounts=_list(cs, "volumeMounts") + _list(main, "volumeMounts"))


def _merge_arguments(own, base):
    merged = {}
    for kind in ("parameters", "artifacts"):
        mine = _list(own, kind)
        names = {x.get("name") for x in mine}
        merged[kind] = mine + [x for x in _list(base, kind) if x.get("name") not in names]
    return merged


def _dag_order(tasks):
    """Tasks in an order where each comes after those it depends on."""
    names = {t["name"] for t in tasks}
    after = {}
    for t in tasks:
        deps = set(t.get("dependencies") or [])
        deps |= set(re.findall(r"[A-Za-z0-9][\w-]*", t.get("depends", ""))) & names
        after[t["name"]] = deps
    done, order = set(), []
    while len(order) < len(tasks):
        ready = [t for t in tasks if t["name"] not in done and after[t["name"]] <= done]
        if not ready:
            raise RunError("a dependency cycle")
        for t in ready:
            done.add(t["name"])
            order.append(t)
    return order


def runnable(doc):
    return isinstance(doc, dict) and doc.get("kind") in ("Workflow", "CronWorkflow", "WorkflowTemplate",
                                                          "ClusterWorkflowTemplate")


def _graph_calls(doc):
    """(template name, call name) -> the call, for every dag task and step of the document's templates."""
    spec = _get(doc, "spec", "workflowSpec") if isinstance(doc, dict) and doc.get("kind") == "CronWorkflow" else \
        _get(doc, "spec")
    calls = {}
    for t in _list(spec, "templates"):
        steps = [s for group in _list(t, "steps") if isinstance(group, list) for s in group]
        for c in _list(t, "dag", "tasks") + steps:
            if isinstance(c, dict):
                calls[(t.get("name"), c.get("name"))] = c
    return calls


def _argument_needs(call):
    """The tasks.* and steps.* names Argo requires to exist before it
    resolves the call's {{=...}} arguments (ReplaceStrictAny), by parameter."""
    needs = {}
    for p in _list(call, "arguments", "parameters"):
        value = p.get("value") if isinstance(p, dict) else None
        for m in TAG.finditer(value if isinstance(value, str) else ""):
            if m.group(1):
                needs.setdefault(p.get("name"), set()).update(
                    x for x in required_paths(m.group(2)) if x.startswith(("tasks.", "steps.")))
    return needs


def added_waits(original_doc, converted_doc):
    """What the converted workflow's calls wait for that the original's did
    not: Argo holds a step or task until every tasks.* and steps.* name its
    {{=...}} arguments read, in any branch, exists. A dag or steps call that
    failed has no outputs, so an argument that needs one waits for ever,
    where the original's fromExpression (evaluated as it stands, one branch)
    ran. The simulation runs every call to success, so this reads the text."""
    faults, before = [], _graph_calls(original_doc)
    for key, call in _graph_calls(converted_doc).items():
        old = before.get(key, {})
        allowed = set().union(*_argument_needs(old).values())
        for a in _list(old, "arguments", "artifacts"):
            if isinstance(a, dict) and isinstance(a.get("fromExpression"), str):
                allowed |= required_paths(a["fromExpression"])
        for name, needs in _argument_needs(call).items():
            if needs - allowed:
                faults.append(f"call {key[1]} of template {key[0]}: argument '{name}' needs "
                              f"{', '.join(sorted(needs - allowed))} to exist, which the original did not")
    return faults


def compare(original_docs, converted_docs, volume_source):
    """For each runnable document: None when the converted run reads what the
    original does, else what differs. Raises Unsupported for what the
    simulation does not model, and RunError when the original fails."""
    if len(original_docs) != len(converted_docs):
        return [f"{len(original_docs)} documents became {len(converted_docs)}"], 0
    problems, runs = [], 0
    for i, (doc, new) in enumerate(zip(original_docs, converted_docs)):
        problems += [f"document {i + 1}: {fault}" for fault in added_waits(doc, new)]
        if not runnable(doc) or (doc.get("kind") != "Workflow" and doc.get("kind") != "CronWorkflow"
                                 and not _get(doc, "spec", "entrypoint")):
            continue
        before = Run(original_docs, doc, volume_source).run()
        runs += 1
        try:
            after = Run(converted_docs, new, volume_source, before).run()
        except RunError as e:
            problems.append(f"document {i + 1}: the converted run fails: {e}")
            continue
        for where, content in sorted(before.reads.items()):
            got = after.reads.get(where)
            if got != content:
                problems.append(f"document {i + 1}: pod {where[0]} reads {where[1]}: {got} instead of {content}")
        problems += [f"document {i + 1}: {fault}" for fault in after.faults]
    return problems, runs
