#!/usr/bin/env python3
"""Random Argo workflows within what simulate.py models, one per seed, for
test_generated.py. The hand-written cases each try one thing; these mix
the things volpass decides on at random, so that combinations nobody
wrote come through the simulation too: pod templates whose outputs and
inputs nest in one another's directories or name parameters in their
paths, dag and steps templates nested up to three deep that pass
artifacts on by `from`, `subPath`, `fromExpression`, `globalName` and
their own sources, loops, inline templates, templates of a
WorkflowTemplate called through `templateRef` (and run by a second
Workflow, a CronWorkflow or `workflowTemplateRef`), exit handlers, and
volumes of the templates' own.

The same seed always gives the same text (whatever PYTHONHASHSEED is).

    python3 tests/generate.py SEED    prints the workflow of SEED
"""
import posixpath
import random
import sys

import yaml

PVALS = ["a", "b", "c"]
PVALS_SLASH = ["a", "b", "c", "cache/x", "s/t"]  # values that make directories of the paths they are in


class Generator:
    """One workflow's templates as they are made. Templates go into the
    Workflow ("wf") or the WorkflowTemplate "lib"; self.templates maps a
    name to (document, template, signature), the signature being what a
    caller needs to call it: its parameters, its input and output artifacts
    (directory or file), the global artifacts it makes."""

    def __init__(self, rng, keeps=False):
        self.r = rng
        self.keeps = keeps  # the situations where an input takes no volume location (k())
        self.templates = {}
        self.n = 0
        self.gcount = 0
        self.use_lib = rng.random() < 0.4
        self.hy = rng.random() < 0.25  # names with '-', which expressions must write as ['t-0']
        self.slash = rng.random() < 0.3  # parameter values with '/'
        self.wparams = rng.random() < 0.2  # a workflow parameter in paths and arguments

    def p(self, x):
        return self.r.random() < x

    def k(self, x):
        """p(x) with keeps on; False, drawing nothing, without (the seeds of old stay as they were)."""
        return self.keeps and self.r.random() < x

    def fresh(self, prefix):
        self.n += 1
        return f"{prefix}{self.n}"

    # ---------------------------------------------------------- pod templates
    def pod_template(self, name):
        """A container or script template. Its outputs are files and
        directories, nested in or beside one another, at the root, named by
        a parameter; its inputs lie inside the outputs' directories at
        times, where volpass must mount one inside the other; a few are
        optional, have a mode, get their own source as a default or name a
        parameter NAME-subpath, which volpass would take for itself."""
        r = self.r
        params, tparams = [], []
        for i in range(r.choice([0, 0, 1, 1, 2])):
            pn = f"p{i}"
            params.append(pn)
            d = {"name": pn}
            if self.p(0.4):
                d["value" if self.p(0.3) else "default"] = r.choice(PVALS)
            tparams.append(d)
        outs, touts, used_paths = [], [], set()
        base = r.choice(["/tmp/out", "/tmp/o", "/out", "/tmp/out/sub"])
        for j in range(r.choice([0, 1, 1, 2, 2, 3])):
            kind = r.random()
            if kind < 0.35:
                path, isdir = f"{base}/f{j}.txt", False
            elif kind < 0.55:
                path, isdir = f"{base}/d{j}", True
            elif kind < 0.65:
                path, isdir = f"/tmp/o{j}/x.txt", False
            elif kind < 0.75 and outs:
                # nested inside an earlier directory output, or beside an earlier file
                prev = r.choice(outs)
                if prev["isdir"]:
                    path, isdir = prev["path"] + f"/n{j}.txt", False
                else:
                    path, isdir = posixpath.dirname(prev["path"]) + f"/s{j}.txt", False
            elif kind < 0.82 and params:
                path, isdir = f"{base}/{{{{inputs.parameters.{r.choice(params)}}}}}-{j}.txt", False
            elif kind < 0.88:
                path, isdir = base, True  # the whole directory
            elif kind < 0.9:
                path, isdir = f"/r{j}.txt", False  # directly under /
            elif kind < 0.92 and params:
                path, isdir = f"/tmp/{{{{inputs.parameters.{r.choice(params)}}}}}/f{j}.txt", False
            else:
                path, isdir = f"/tmp/out/d{j}/", True
            if path.rstrip("/") in {u.rstrip("/") for u in used_paths}:
                continue
            used_paths.add(path)
            on = f"o-{j}" if self.hy else f"o{j}"
            a = {"name": on, "path": path}
            g = None
            if self.p(0.12):
                self.gcount += 1
                g = f"g{self.gcount}"
                a["globalName"] = g
            outs.append({"name": on, "path": path, "isdir": isdir, "global": g})
            touts.append(a)
        ins, tins = [], []
        for i in range(r.choice([0, 1, 1, 2, 2, 3])):
            kind = r.random()
            isdir = False
            if kind < 0.35:
                path = f"/in/a{i}.txt"
            elif kind < 0.5:
                path, isdir = f"/tmp/in{i}", True
            elif kind < 0.6 and params:
                path = f"/in/{{{{inputs.parameters.{r.choice(params)}}}}}/x{i}"
            elif kind < 0.72 and outs:
                # inside an output's directory
                o = r.choice(outs)
                d = o["path"].rstrip("/") if o["isdir"] else posixpath.dirname(o["path"])
                path = f"{d}/in{i}.txt" if self.p(0.6) else f"{d}/s"
            elif kind < 0.76 and self.wparams:
                path = f"/in/{{{{workflow.parameters.w}}}}/z{i}"
            elif kind < 0.8:
                path = f"/data/in{i}/file"
            else:
                path = f"/in{i}/y.txt"
            if path in used_paths or any(path == u.rstrip("/") for u in used_paths):
                continue
            used_paths.add(path)
            an = f"i-{i}" if self.hy else f"i{i}"
            a = {"name": an, "path": path}
            default = self.p(0.2)
            if default:
                a.update(self.source(f"default {name} {an}"))
            ins.append({"name": an, "isdir": isdir, "default": default})
            tins.append(a)
        if tins and self.p(0.03):
            tparams.append({"name": tins[0]["name"] + "-subpath", "default": "taken"})
        if tins and self.p(0.04):
            r.choice(tins)["optional"] = True
        if tins and self.p(0.01):
            r.choice(tins)["mode"] = 0o644
        if tins and self.k(0.12):
            r.choice(tins)["mode" if self.k(0.7) else "recurseMode"] = 0o755 if self.k(0.5) else True
        for a in touts:
            if self.p(0.04):
                a["optional"] = True
            if self.p(0.04):
                a["s3"] = {"key": "out/" + a["name"]}
        t = template_head(name, tparams, tins)
        if tins and self.k(0.08):
            # a template that runs no container: its inputs take no volume location
            for a in tins:
                a.pop("optional", None)
            t["resource"] = {"action": "create", "manifest": "apiVersion: v1\nkind: ConfigMap\nmetadata: {generateName: x-}\n"}
            return t, signature("pod", params, tparams, ins, [], set())
        # the program names some paths by tag: volpass must leave them as they are
        words = ["echo"]
        for a in tins:
            if self.p(0.3):
                words.append(f"{{{{inputs.artifacts.{a['name']}.path}}}}")
        for a in touts:
            if self.p(0.2):
                words.append(f"{{{{outputs.artifacts.{a['name']}.path}}}}")
        if self.p(0.2):
            t["script"] = {"image": "python:alpine", "command": ["python"], "source": "print(1)  # " + " ".join(words)}
        else:
            t["container"] = {"image": "busybox", "command": ["sh", "-c", " ".join(words)]}
        if touts:
            t["outputs"] = {"artifacts": touts}
        if self.p(0.1):
            pname = (touts[0]["name"] + "-subpath") if touts and self.p(0.2) else "res"
            t.setdefault("outputs", {})["parameters"] = [{"name": pname, "valueFrom": {"path": "/tmp/res.txt"}}]
        if self.p(0.1):
            # a volume of the template's own, perhaps named as volpass's, mounted over or inside the artifacts
            vol = r.choice(["data-storage", "scratch", "scratch", "scratch"])
            # not on an input artifact's path: Kubernetes refuses two mounts on one path
            taken = {posixpath.normpath(a["path"]) for a in tins}
            mp = r.choice([m for m in ("/scratch", "/tmp/out/cache", "/in", "/tmp", base + "/cache", base + "/s")
                           if m not in taken])
            t["volumes"] = [{"name": vol, "emptyDir": {}}]
            body = t.get("container") or t.get("script")
            body["volumeMounts"] = [{"name": vol, "mountPath": mp}]
        return t, signature("pod", params, tparams, ins, outs, {o["global"] for o in outs if o["global"]})

    # ---------------------------------------------------------- composite
    def composite(self, name, depth, doc):
        """A dag or steps template of 1 to 4 calls, `depth` levels of
        composites at most below it. Calls take what is available: the
        template's inputs, outputs of earlier calls (not of looped ones,
        which the model does not follow), global artifacts. Its outputs
        pass on a call's output, or one of two by an expression."""
        r = self.r
        kind = r.choice(["dag", "steps"])
        params = [f"q{i}" for i in range(r.choice([0, 1, 1]))]
        tparams = [{"name": q} for q in params]
        for d in tparams:
            if self.p(0.3):
                d["value" if self.p(0.2) else "default"] = r.choice(PVALS)
        ins, tins = [], []
        for i in range(r.choice([0, 1, 1, 2])):
            an = f"x{i}"
            a = {"name": an}
            default = self.p(0.15)
            if default:
                a["raw"] = {"data": f"default {name} {an}"}
            isdir = self.p(0.3)
            tins.append(a)
            ins.append({"name": an, "isdir": isdir, "default": default})
        # available artifacts: (tag, is a directory, the call making it or None, expression)
        avail = [(f"{{{{inputs.artifacts.{a['name']}}}}}", a["isdir"], None, f"inputs.artifacts['{a['name']}']")
                 for a in ins]
        globals_avail = []
        calls = []
        globals_made = set()
        for c in range(r.randint(1, 4)):
            cname = f"t-{c}" if self.hy else f"t{c}"
            tsig, call = self.pick_target(depth, doc)
            args, deps = self.arguments(tsig, avail, globals_avail, params, cname)
            call = dict({"name": cname}, **call)
            if args:
                call["arguments"] = args
            looped = False
            if self.p(0.12):
                call["withItems"] = r.sample(PVALS, r.randint(1, 3))
                looped = True
                for p in call.get("arguments", {}).get("parameters", []):
                    if self.p(0.6):
                        p["value"] = "{{item}}"
            if self.k(0.12):
                # true when it runs, which volpass cannot know
                call["when"] = (f"'{{{{inputs.parameters.{params[0]}}}}}' != 'zzz'" if params and self.k(0.5)
                                else "'{{workflow.name}}' != 'zzz'")
            calls.append((call, deps))
            if not looped:
                w = "tasks" if kind == "dag" else "steps"
                for o in tsig["outs"]:
                    avail.append((f"{{{{{w}.{cname}.outputs.artifacts.{o['name']}}}}}",
                                  o["isdir"], cname,
                                  f"{w}['{cname}'].outputs.artifacts['{o['name']}']"
                                  if "-" in cname + o["name"] else
                                  f"{w}.{cname}.outputs.artifacts.{o['name']}"))
            for g in sorted(tsig["globals"]):  # a set: in the order of its hashes, which vary from run to run
                globals_avail.append((g, cname))
                globals_made.add(g)
        t = template_head(name, tparams, tins)
        if kind == "dag":
            tasks = []
            for call, deps in calls:
                if deps:
                    call["dependencies"] = sorted(deps)
                tasks.append(call)
            t["dag"] = {"tasks": tasks}
        else:
            # a call joins the group before it when it takes nothing from that group
            groups = []
            for call, deps in calls:
                if groups and not (deps & {c["name"] for c in groups[-1]}) and self.p(0.4):
                    groups[-1].append(call)
                else:
                    groups.append([call])
            t["steps"] = groups
        outs, touts = [], []
        produced = [a for a in avail if a[2] is not None]
        for j in range(r.choice([0, 1, 1, 2])):
            pool = produced if produced and self.p(0.5 if self.keeps else 0.85) else avail
            if not pool:
                break
            src = r.choice(pool)
            on = f"y-{j}" if self.hy else f"y{j}"
            if globals_avail and self.p(0.1):
                g0 = r.choice(globals_avail)[0]
                src = (f"{{{{workflow.outputs.artifacts.{g0}}}}}", False, "g", f"workflow.outputs.artifacts.{g0}")
            a = {"name": on}
            isdir = src[1]
            if self.p(0.15) and len(produced) >= 2 and params:
                other = r.choice(produced)
                q = r.choice(params)
                a["fromExpression"] = f"inputs.parameters.{q} == '{r.choice(PVALS)}' ? {src[3]} : {other[3]}"
                isdir = src[1] and other[1]
            elif self.p(0.08) and len(produced) >= 2:
                other = r.choice(produced)
                a["fromExpression"] = f"workflow.name == 'wf-1' ? {src[3]} : {other[3]}"
                isdir = src[1] and other[1]
            else:
                a["from"] = src[0]
                if src[1] and self.p(0.35):
                    a["subPath"] = r.choice(["f0.txt", "sub/z.txt", "n1.txt"] +
                                            [f"{{{{inputs.parameters.{q}}}}}" for q in params] +
                                            [f"p-{{{{inputs.parameters.{q}}}}}/f" for q in params])
                    isdir = False
            g = None
            if self.p(0.1):
                self.gcount += 1
                g = f"g{self.gcount}"
                a["globalName"] = g
                globals_made.add(g)
            if self.k(0.06):
                a["optional"] = True
            touts.append(a)
            outs.append({"name": on, "isdir": isdir, "global": g, "path": None})
        if touts:
            t["outputs"] = {"artifacts": touts}
        return t, signature(kind, params, tparams, ins, outs, globals_made)

    def source(self, text):
        """An artifact's own source: the model knows each by its settings."""
        k = self.r.random()
        if k < 0.6:
            return {"raw": {"data": text}}
        if k < 0.8:
            return {"s3": {"key": text.replace(" ", "/")}}
        if k < 0.9:
            return {"http": {"url": "https://example.com/" + text.replace(" ", "/")}}
        return {"git": {"repo": "https://github.com/argoproj/argo-workflows.git", "revision": text.split()[-1]}}

    def arguments(self, tsig, avail, globals_avail, params, cname):
        """A call's arguments to a template of signature tsig, and the calls
        they take artifacts from (a dag task's dependencies). Parameters
        come from the caller's, the workflow's, an expression or a
        constant (with '/' at times); artifacts from a source of their own,
        a global artifact, an expression choosing between two or three
        available ones, or one of them with a subPath into a directory."""
        r = self.r
        deps = set()
        aparams = []
        for pn in tsig["params"]:
            if pn in tsig["fixed_params"]:
                continue
            if pn not in tsig["required_params"] and self.p(0.4):
                continue
            if params and self.p(0.4):
                v = f"{{{{inputs.parameters.{r.choice(params)}}}}}"
            elif self.wparams and self.p(0.3):
                v = "{{workflow.parameters.w}}"
            elif params and self.p(0.1):
                v = f"{{{{=inputs.parameters.{r.choice(params)} + '-x'}}}}"
            else:
                v = r.choice(PVALS_SLASH if self.slash else PVALS)
            aparams.append({"name": pn, "value": v})
        aarts = []
        for a in tsig["ins"]:
            if a["default"] and self.p(0.4):
                continue
            choice = r.random()
            arg = {"name": a["name"]}
            if choice < (0.15 if tsig["kind"] == "pod" else 0.03) or not (avail or globals_avail):
                arg.update(self.source(f"constant {cname} {a['name']}"))
            elif choice < 0.22 and globals_avail:
                g, producer = r.choice(globals_avail)
                arg["from"] = f"{{{{workflow.outputs.artifacts.{g}}}}}"
                deps.add(producer)
            elif choice < 0.3 and len(avail) >= 2:
                s1, s2 = r.sample(avail, 2)
                cond = (f"inputs.parameters.{r.choice(params)} == '{r.choice(PVALS)}'" if params
                        else "workflow.name == 'wf-1'")
                arg["fromExpression"] = f"{cond} ? {s1[3]} : {s2[3]}"
                if len(avail) >= 3 and self.p(0.3):
                    s3 = r.choice(avail)
                    arg["fromExpression"] = f"{cond} ? {s1[3]} : (workflow.name != 'x' ? {s3[3]} : {s2[3]})"
                    if s3[2]:
                        deps.add(s3[2])
                if s1[1] and s2[1] and self.p(0.3):
                    arg["subPath"] = "f0.txt"
                for s in (s1, s2):
                    if s[2]:
                        deps.add(s[2])
            elif avail:
                s = r.choice(avail)
                arg["from"] = s[0]
                if s[2]:
                    deps.add(s[2])
                if s[1] and self.p(0.4):
                    arg["subPath"] = r.choice(["f0.txt", "sub/z.txt", "n1.txt",
                                               f"{{{{inputs.parameters.{params[0]}}}}}" if params else "k.txt"])
            else:
                arg["raw"] = {"data": "c"}
            if ("from" in arg or "fromExpression" in arg) and self.k(0.08):
                arg["optional"] = True
            aarts.append(arg)
        args = {}
        if aparams:
            args["parameters"] = aparams
        if aarts:
            args["artifacts"] = aarts
        return args, deps

    def pick_target(self, depth, doc):
        """The signature of a template for a call from a composite of
        document doc, and the call's reference to it: an inline pod template, a new template or
        one made before. A Workflow calls its own templates and lib's; lib
        and the second Workflow call lib's only. A call into lib from
        outside goes through templateRef, one from lib itself at times."""
        r = self.r
        if self.p(0.12):
            t, sig = self.pod_template(self.fresh("inl"))
            del t["name"]
            return sig, {"inline": t}
        if self.k(0.06):
            name = self.recursive(doc)
            return self.templates[name][2], ({"templateRef": {"name": "lib", "template": name}}
                                              if self.templates[name][0] == "lib" and doc != "lib"
                                              else {"template": name})
        want_comp = depth > 0 and self.p(0.35)
        cands = [n for n in self.templates if (self.templates[n][2]["kind"] != "pod") == want_comp]
        if not cands or self.p(0.2 if self.keeps else 0.4):
            tdoc = "lib" if doc == "wf2" else doc if doc == "lib" or not self.use_lib or self.p(0.6) else "lib"
            name = self.new_template(depth, tdoc, want_comp)
        else:
            ok = cands if doc == "wf" else [n for n in cands if self.templates[n][0] == "lib"]
            if not ok:
                name = self.new_template(depth, "lib", want_comp)
                return self.templates[name][2], {"templateRef": {"name": "lib", "template": name}}
            name = r.choice(ok)
        tdoc, _, sig = self.templates[name]
        if tdoc == "lib" and (doc in ("wf", "wf2") or self.p(0.2)):
            return sig, {"templateRef": {"name": "lib", "template": name}}
        return sig, {"template": name}

    def recursive(self, doc):
        """A steps template that calls itself while its parameter q is 'a'
        (then 'b', so twice at most), passing on what a pod made of its input
        artifact; its output is the pod's, or its input passed on."""
        tdoc = "lib" if doc == "wf2" else doc
        name = self.fresh("rec")
        pname = self.fresh("recpod")
        pt, psig = self.pod_template(pname)
        while not psig["outs"] or not psig["ins"] or "resource" in pt:
            pt, psig = self.pod_template(pname)
        self.templates[pname] = (tdoc, pt, psig)
        x = {"name": "x0", "isdir": psig["ins"][0]["isdir"], "default": False}
        pargs = {"artifacts": [{"name": a["name"], "from": "{{inputs.artifacts.x0}}"} for a in psig["ins"]
                               if not a["default"]]}
        pp = [{"name": q, "value": "{{inputs.parameters.q}}"} for q in psig["required_params"]]
        if pp:
            pargs["parameters"] = pp
        o = psig["outs"][0]
        again = {"name": "again", "template": name, "when": "'{{inputs.parameters.q}}' == 'a'",
                 "arguments": {"parameters": [{"name": "q", "value": "b"}],
                               "artifacts": [{"name": "x0", "from": f"{{{{steps.work.outputs.artifacts.{o['name']}}}}}"}]}}
        t = {"name": name, "inputs": {"parameters": [{"name": "q"}], "artifacts": [{"name": "x0"}]},
             "steps": [[{"name": "work", "template": pname, "arguments": pargs}], [again]],
             "outputs": {"artifacts": [{"name": "y0", "from": f"{{{{steps.work.outputs.artifacts.{o['name']}}}}}"
                                        if self.p(0.5) else "{{inputs.artifacts.x0}}"}]}}
        youts = [{"name": "y0", "isdir": False, "global": None, "path": None}]
        sig = signature("steps", ["q"], [{"name": "q"}], [x], youts, set())
        self.templates[name] = (tdoc, t, sig)
        return name

    def new_template(self, depth, doc, want_comp):
        """The name of a new pod template, or composite, of document doc."""
        name = self.fresh("c" if want_comp else "pod")
        t, sig = self.composite(name, depth - 1, doc) if want_comp else self.pod_template(name)
        self.templates[name] = (doc, t, sig)
        return name

    # ---------------------------------------------------------- the workflow
    def workflow(self):
        """The stream's text: the WorkflowTemplate lib if any template went
        there (with an entrypoint at times, which a Workflow runs by
        workflowTemplateRef), the Workflow, and at times a second Workflow
        or CronWorkflow calling lib's templates."""
        r = self.r
        wf = self.make_workflow("wf", "main")
        wf2 = self.make_workflow("wf2", "main") if self.use_lib and self.p(0.3) else None
        docs = []
        lib = [t for d, t, _ in self.templates.values() if d == "lib"]
        extra = [wf2] if wf2 else []
        if wf2 and self.p(0.3):
            wf2["kind"] = "CronWorkflow"
            wf2["spec"] = {"schedule": "0 * * * *", "workflowSpec": wf2["spec"]}
        if lib:
            libspec = {"templates": lib}
            comps = [n for n, (d, _, s) in self.templates.items() if d == "lib" and s["kind"] != "pod"]
            if comps and self.p(0.5):
                n = r.choice(comps)
                lsig = self.templates[n][2]
                libspec = {"entrypoint": n}
                largs = {}
                lp = [{"name": q, "value": r.choice(PVALS)} for q in lsig["required_params"]]
                if self.wparams:
                    lp.append({"name": "w", "value": "b"})
                if lp:
                    largs["parameters"] = lp
                la = [{"name": a["name"], "raw": {"data": f"lib arg {a['name']}"}} for a in lsig["ins"]
                      if not a["default"]]
                if la:
                    largs["artifacts"] = la
                if largs:
                    libspec["arguments"] = largs
                libspec["templates"] = lib
                if self.p(0.6):
                    wspec = {"workflowTemplateRef": {"name": "lib"}}
                    if lp and self.p(0.5):
                        wspec["arguments"] = {"parameters": [{"name": lp[0]["name"], "value": r.choice(PVALS)}]}
                    extra.append({"apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow",
                                  "metadata": {"generateName": "gen-ref-"}, "spec": wspec})
            docs.append({"apiVersion": "argoproj.io/v1alpha1", "kind": "WorkflowTemplate",
                         "metadata": {"name": "lib"}, "spec": libspec})
        docs.append(wf)
        docs += extra
        return "---\n".join(yaml.safe_dump(d, sort_keys=False, width=1000) for d in docs)

    def make_workflow(self, tag, main):
        """A Workflow whose entrypoint `main` is a composite of document tag,
        given the arguments it needs; at times a volume named as volpass's
        own, and an exit handler: a pod template, or a steps template that
        runs it and then reads a global artifact."""
        r = self.r
        entry, esig = self.composite(main, r.randint(1, 3), tag)
        spec = {"entrypoint": main}
        args = {}
        ap = [{"name": q, "value": r.choice(PVALS)} for q in esig["required_params"]]
        if ap:
            args["parameters"] = ap
        aa = [{"name": a["name"], "raw": {"data": f"wf arg {a['name']}"}} for a in esig["ins"] if not a["default"]]
        if aa:
            args["artifacts"] = aa
        if self.wparams:
            args.setdefault("parameters", []).append({"name": "w", "value": r.choice(PVALS)})
        if args:
            spec["arguments"] = args
        if self.p(0.04):
            spec["volumes"] = [{"name": "data-storage", "emptyDir": {}}]
        templates = [entry] + [t for d, t, _ in self.templates.values() if d == tag]
        if self.p(0.25):
            # the handler's artifact inputs, if any, are the workflow's arguments
            name = self.fresh("exit")
            t, _ = self.pod_template(name)
            t.get("inputs", {}).pop("artifacts", None)
            t.pop("script", None)
            t.pop("resource", None)
            t["container"] = {"image": "busybox", "command": ["sh", "-c", "echo exit"]}
            if not t.get("inputs"):
                t.pop("inputs", None)
            if self.p(0.5) and aa:
                t.setdefault("inputs", {})["artifacts"] = [{"name": aa[0]["name"], "path": "/exit/in.txt"}]
            for p in t.get("inputs", {}).get("parameters", []):
                if "value" not in p and "default" not in p:
                    p["default"] = "a"
            templates.append(t)
            spec["onExit"] = name
            gl = sorted(esig["globals"])
            if gl and self.p(0.6):
                sname = self.fresh("exitsteps")
                xin = [a["name"] for a in t.get("inputs", {}).get("artifacts", [])]
                handle = {"name": "handle", "template": name}
                if xin:
                    handle["arguments"] = {"artifacts": [{"name": x, "from": f"{{{{inputs.artifacts.{x}}}}}"}
                                                         for x in xin]}
                templates.append({"name": sname, "steps": [[handle], [
                    {"name": "read", "inline": {"inputs": {"artifacts": [{"name": "g", "path": "/exit/g"}]},
                                                "container": {"image": "busybox", "command": ["cat", "/exit/g"]}},
                     "arguments": {"artifacts": [{"name": "g", "from": f"{{{{workflow.outputs.artifacts.{gl[0]}}}}}"}]}}
                ]]})
                if xin:
                    templates[-1]["inputs"] = {"artifacts": [{"name": x} for x in xin]}
                spec["onExit"] = sname
        spec["templates"] = templates
        return {"apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow", "metadata": {"generateName": "gen-"},
                "spec": spec}


def template_head(name, tparams, tins):
    """A template's name and inputs (parameters tparams, artifacts tins)."""
    t = {"name": name}
    inputs = {k: v for k, v in (("parameters", tparams), ("artifacts", tins)) if v}
    if inputs:
        t["inputs"] = inputs
    return t


def signature(kind, params, tparams, ins, outs, globals_made):
    """What a caller needs to know of a template: the parameters it may
    pass (params), those it must (no value or default) and those it
    cannot (a value), the input and output artifacts, the global
    artifacts that calling it makes."""
    return {"kind": kind, "params": params,
            "required_params": [d["name"] for d in tparams if "value" not in d and "default" not in d],
            "fixed_params": [d["name"] for d in tparams if "value" in d],
            "ins": ins, "outs": outs, "globals": globals_made}


def workflow(seed, keeps=False):
    """The text of seed's workflow; with keeps, one with inputs that take no
    volume location too (mode, resource templates, optional arguments,
    `when`, optional outputs, recursion), where volpass keeps producers' outputs real."""
    return Generator(random.Random(seed), keeps).workflow()


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--keeps"]
    if len(args) != 1 or not args[0].isdigit():
        sys.exit("usage: generate.py SEED [--keeps]")
    sys.stdout.write(workflow(int(args[0]), "--keeps" in sys.argv[1:]))
