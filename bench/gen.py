#!/usr/bin/env python3
"""Writes a synthetic Argo Workflow of N templates, shaped like a real pipeline.

Worker templates (container and script) each run one task. Tasks are grouped
into dag or steps templates of at most --group tasks, where they fan out from
a hub and fan back in; groups are called from dag templates of at most
--group groups, up to a single top-level dag. Artifacts flow all the way:
every `from` names an output its producer declares, and consumers read files
under other names than the producer wrote. Some template inputs and outputs
bring their own source (raw, s3, http, git); call arguments never do, since
the kfp scheme refuses constant artifact arguments.

Usage: gen.py N [--seed S] [--group G] [--output FILE] [--check]
       gen.py N --documents [--output FILE]   (a stream of N WorkflowTemplates: see generate_stream)
The same N and seed always give the same file.
"""
import argparse
import random
import sys

STAGES = ["fetch", "clean", "split", "features", "train", "tune", "score", "eval", "report",
          "merge", "validate", "export", "sample", "embed", "index"]
ARTIFACTS = [("dataset", "csv"), ("features", "parquet"), ("model", "pkl"), ("metrics", "json"),
             ("report", "html"), ("predictions", "csv"), ("stats", "json"), ("schema", "yaml"),
             ("vocab", "txt"), ("weights", "bin"), ("logs", "tar.gz"), ("summary", "md")]
IMAGES = ["python:3.11-slim", "alpine:3.19", "ghcr.io/acme/trainer:2.4.1",
          "registry.example.com/ml/tools:1.8", "busybox:1.36"]


class Gen:
    def __init__(self, rng):
        self.rng = rng
        self.pending = []  # templates, each a list of lines, in the order they were made

    # ---- worker templates ----------------------------------------------

    def source(self, name):
        """YAML lines (under an artifact) for an artifact that brings its own data."""
        r = self.rng
        kind = r.choice(["raw", "s3", "http", "git"])
        if kind == "raw":
            return ["      raw:", "        data: |",
                    f"          # {name} defaults",
                    f"          threshold: {r.randint(1, 99) / 100}",
                    f"          retries: {r.randint(1, 5)}"]
        if kind == "s3":
            return ["      s3:", f"        key: shared/{name}/{r.randint(1, 999):03d}.tgz"]
        if kind == "http":
            return ["      http:", f"        url: https://data.example.com/{name}/v{r.randint(1, 9)}.csv"]
        return ["      git:", "        repo: https://github.com/acme/pipeline-config.git",
                f"        revision: v1.{r.randint(0, 30)}.0"]

    def worker(self, name, inputs, noutputs):
        """A container or script template reading `inputs` (consumer-side
        artifact names) and writing `noutputs` artifacts; returns their names."""
        r = self.rng
        outputs = []
        for i, (art, ext) in enumerate(r.sample(ARTIFACTS, noutputs)):
            outputs.append((f"{art}" if i == 0 else f"{art}-{i}", ext))
        lines = [f"  - name: {name}"]
        if r.random() < 0.3:
            lines.append(f"    # stage {name}: owned by team-{r.choice('abcdef')}")
        lines.append("    inputs:")
        lines.append("      parameters:")
        lines.append("      - name: run-date")
        lines.append('        value: "{{workflow.creationTimestamp}}"')
        ins = [(n, r.choice(ARTIFACTS)[1]) for n in inputs]
        extra = r.random() < 0.25
        if ins or extra:
            lines.append("      artifacts:")
        for n, ext in ins:
            lines += [f"      - name: {n}", f"        path: /data/in/{n}/input.{ext}"]
        if extra:
            lines += ["      - name: config", "        path: /etc/config/settings.yaml"]
            lines += ["  " + s for s in self.source("config")]
        if r.random() < 0.5:
            lines += ["    outputs:", "      parameters:", "      - name: rows",
                      "        valueFrom:", "          path: /tmp/out/rows.txt", "      artifacts:"]
        else:
            lines += ["    outputs:", "      artifacts:"]
        for n, ext in outputs:
            lines += [f"      - name: {n}", f"        path: /tmp/out/{n}/result.{ext}"]
            if r.random() < 0.1:  # exported to a key of its own as well
                lines += ["        s3:", f"          key: exports/{name}/{n}.{ext}"]
            if r.random() < 0.2:
                lines += ["        archive:", "          none: {}"]
        image = r.choice(IMAGES)
        reads = " ".join(f"/data/in/{n}/input.{e}" for n, e in ins) or "-"
        writes = " ".join(f"/tmp/out/{n}/result.{e}" for n, e in outputs)
        if r.random() < 0.5:
            lines += ["    script:", f"      image: {image}", "      command: [python3]",
                      "      source: |", "        import json, sys",
                      f"        # {name}: reads {len(ins)} inputs, writes {len(outputs)} outputs",
                      f"        inputs = {reads.split()!r}",
                      "        for path in inputs:",
                      "            print('reading', path)"]
            for n, e in outputs:
                lines.append(f"        open('/tmp/out/{n}/result.{e}', 'w').write(json.dumps({{'ok': True}}))")
        else:
            lines += ["    container:", f"      image: {image}", "      command: [sh, -c]",
                      f'      args: ["mkdir -p /tmp/out && process --in {reads} --out {writes}"]']
        lines += ["      env:", "      - name: LOG_LEVEL", f"        value: {r.choice(['info', 'debug', 'warn'])}",
                  "      resources:", "        requests:", f"          cpu: {r.choice(['100m', '250m', '1'])}",
                  f"          memory: {r.choice(['128Mi', '512Mi', '2Gi'])}"]
        if r.random() < 0.3:
            lines += ["    retryStrategy:", f"      limit: \"{r.randint(1, 4)}\""]
        self.pending.append(lines)
        return [n for n, _ in outputs]

    # ---- graph templates -------------------------------------------------

    def layers(self, count):
        """Sizes of the layers of a group of `count` tasks: hub, fan-out, hub, ..."""
        sizes, left, wide = [], count, False
        while left:
            n = min(left, self.rng.randint(2, 5)) if wide else 1
            sizes.append(n)
            left -= n
            wide = not wide
        return sizes

    def group(self, name, ntasks, inputs):
        """A dag or steps template `name` of `ntasks` worker tasks reading the
        artifacts `inputs`; its output is `result`."""
        r = self.rng
        steps = r.random() < 0.3
        ref = "steps" if steps else "tasks"
        calls = []  # (layer, task, template, dependencies, [(argument, from)])
        produced = [(None, [f"inputs.artifacts.{n}" for n in inputs])]  # the previous layer
        t = 0
        for layer, size in enumerate(self.layers(ntasks)):
            made = []
            for _ in range(size):
                task = f"{r.choice(STAGES)}-{t}"
                args = []
                for producer, outs in produced:
                    if producer is None:
                        picks = outs                   # the hub reads all the group's inputs
                    elif len(produced) > 1 or size == 1:
                        picks = [r.choice(outs)]       # fan-in: one from each producer
                    else:                              # fan-out: some of the hub's outputs each
                        picks = r.sample(outs, r.randint(1, len(outs)))
                    for out in picks:
                        src = out if producer is None else f"{ref}.{producer}.outputs.artifacts.{out}"
                        args.append((f"in-{len(args)}", "{{" + src + "}}"))
                template = f"{name}-{task}"
                outs = self.worker(template, [a for a, _ in args], r.randint(1, 3))
                calls.append((layer, task, template, [p for p, _ in produced if p], args))
                made.append((task, outs))
                t += 1
            produced = made
        last, last_outs = produced[-1]
        lines = [f"  - name: {name}"]
        if inputs:
            lines += ["    inputs:", "      artifacts:"] + [f"      - name: {n}" for n in inputs]
        lines += ["    outputs:", "      artifacts:", "      - name: result",
                  f'        from: "{{{{{ref}.{last}.outputs.artifacts.{last_outs[0]}}}}}"']
        lines.append(f"    # {ntasks} tasks: each hub fans out, the next one fans back in")
        lines += ["    steps:"] if steps else ["    dag:", "      tasks:"]
        previous = None
        for layer, task, template, deps, args in calls:
            if not steps:
                lines.append(f"      - name: {task}")
                if deps:
                    lines.append(f"        dependencies: [{', '.join(deps)}]")
            else:  # one parallel group of steps per layer
                lines.append(f"    - - name: {task}" if layer != previous else f"      - name: {task}")
                previous = layer
            lines.append(f"        template: {template}")
            if args:
                lines += ["        arguments:", "          artifacts:"]
                for a, src in args:
                    lines += [f"          - name: {a}", f'            from: "{src}"']
        self.pending.append(lines)

    def tree(self, name, children, inputs):
        """A dag template `name` calling `children` (functions that make a
        child template from its name and inputs). Child 0 reads `inputs`;
        child i reads the result of child (i-1)//2 (fan-out), and every third
        child that of child i-1 as well (fan-in). Its output is the last child's."""
        calls = []
        for i, make in enumerate(children):
            child = f"{name}-{i}" if name != "main" else f"part-{i}"
            if i == 0:
                srcs = ["{{inputs.artifacts.%s}}" % n for n in inputs]
                deps = []
            else:
                deps = [calls[(i - 1) // 2][0]]
                if i % 3 == 0 and i - 1 != (i - 1) // 2:
                    deps.append(calls[i - 1][0])
                srcs = ["{{tasks.%s.outputs.artifacts.result}}" % d for d in deps]
            child_inputs = [f"upstream-{k}" for k in range(len(srcs))]
            make(child, child_inputs)
            calls.append((child, deps, list(zip(child_inputs, srcs))))
        lines = [f"  - name: {name}"]
        if inputs:
            lines += ["    inputs:", "      artifacts:"] + [f"      - name: {n}" for n in inputs]
        lines += ["    outputs:", "      artifacts:", "      - name: result",
                  f'        from: "{{{{tasks.{calls[-1][0]}.outputs.artifacts.result}}}}"',
                  "    dag:", "      tasks:"]
        for child, deps, args in calls:
            lines += [f"      - name: {child}", f"        template: {child}"]
            if deps:
                lines.append(f"        dependencies: [{', '.join(deps)}]")
            if args:
                lines += ["        arguments:", "          artifacts:"]
                for a, src in args:
                    lines += [f"          - name: {a}", f'            from: "{src}"']
        self.pending.append(lines)


def overhead(workers, group):
    """Graph templates needed above `workers` worker templates."""
    total, n = 0, workers
    while True:
        n = -(-n // group)
        total += n
        if n == 1:
            return total


def generate(ntemplates, seed, group):
    rng = random.Random(f"{seed}/{ntemplates}")
    workers = ntemplates - 1
    while workers > 1 and workers + overhead(workers, group) > ntemplates:
        workers -= 1
    g = Gen(rng)
    # Partition the workers into groups, then the groups into dags, level by level.
    sizes = [group] * (workers // group) + ([workers % group] if workers % group else [])
    makers = [lambda name, inputs, n=n: g.group(name, n, inputs) for n in sizes]
    while len(makers) > group:
        chunks = [makers[i:i + group] for i in range(0, len(makers), group)]
        makers = [lambda name, inputs, c=c: g.tree(name, c, inputs) for c in chunks]
    head = [
        "# Synthetic pipeline for the volpass benchmark (bench/gen.py).",
        f"# {ntemplates} templates, seed {seed}. Regenerate rather than edit.",
        "apiVersion: argoproj.io/v1alpha1",
        "kind: Workflow",
        "metadata:",
        f"  generateName: synthetic-{ntemplates}-",
        "  labels:",
        "    app.kubernetes.io/part-of: volpass-bench",
        "  annotations:",
        "    workflows.argoproj.io/description: |",
        "      A generated pipeline: fetch, transform and train stages",
        "      that pass artifacts from step to step.",
        "spec:",
        "  entrypoint: main",
        "  serviceAccountName: pipeline-runner",
        "  podGC:",
        "    strategy: OnWorkflowSuccess",
        "  arguments:",
        "    parameters:",
        "    - name: dataset-version",
        '      value: "2024.06"',
        "  templates:",
    ]
    g.tree("main", makers, [])
    extra = ntemplates - len(g.pending)
    for i in range(extra):  # at most a few: library templates nothing calls yet
        g.worker(f"unused-{i}", [], 1)
    # Templates were made children first; the entrypoint reads best first.
    out = head + [line for lines in reversed(g.pending) for line in lines]
    return "\n".join(out) + "\n"


def check(text):
    """Every `from` names a declared output of its producer; returns the template count."""
    import yaml
    wf = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    by_name = {t["name"]: t for t in wf["spec"]["templates"]}
    for t in wf["spec"]["templates"]:
        calls = t.get("dag", {}).get("tasks", []) + [s for grp in t.get("steps", []) for s in grp]
        named = {c["name"]: by_name[c["template"]] for c in calls}
        ins = [a["name"] for a in t.get("inputs", {}).get("artifacts", [])]
        refs = [a["from"] for c in calls for a in c.get("arguments", {}).get("artifacts", [])]
        refs += [a["from"] for a in t.get("outputs", {}).get("artifacts", []) if "from" in a]
        for c in calls:
            for a in c.get("arguments", {}).get("artifacts", []):
                assert "from" in a, (t["name"], c["name"], a)
                declared = [x["name"] for x in by_name[c["template"]].get("inputs", {}).get("artifacts", [])]
                assert a["name"] in declared, (c["name"], a["name"])
        for ref in refs:
            parts = ref.strip("{}").split(".")
            if parts[0] == "inputs":
                assert parts[2] in ins, (t["name"], ref)
            else:
                producer = named[parts[1]]
                outs = [x["name"] for x in producer.get("outputs", {}).get("artifacts", [])]
                assert parts[4] in outs, (t["name"], ref)
    return len(by_name)


def generate_stream(ndocs):
    """A stream of ndocs WorkflowTemplates, stage-0 to stage-(ndocs-1), then
    one Workflow that runs them in a chain through templateRef, each stage
    reading the one before's artifact under another file name: the shape of
    a CI job that converts a whole repository of templates in one call."""
    docs = []
    for i in range(ndocs):
        inputs = "" if i == 0 else """    inputs:
      artifacts:
      - name: data
"""
        argument = "" if i == 0 else """        arguments:
          artifacts:
          - name: in
            from: "{{inputs.artifacts.data}}"
"""
        work_input = "" if i == 0 else """    inputs:
      artifacts:
      - name: in
        path: /in/previous.bin
"""
        docs.append(f"""# stage {i} of {ndocs}
apiVersion: argoproj.io/v1alpha1
kind: WorkflowTemplate
metadata:
  name: stage-{i}
spec:
  templates:
  - name: main
{inputs}    outputs:
      artifacts:
      - name: result
        from: "{{{{tasks.work.outputs.artifacts.out}}}}"
    dag:
      tasks:
      - name: work
        template: work
{argument}  - name: work
{work_input}    container:
      image: busybox:1.36
      command: [sh, -c, "mkdir -p /out && date > /out/stage-{i}.bin"]
    outputs:
      artifacts:
      - name: out
        path: /out/stage-{i}.bin
""")
    tasks = []
    for i in range(ndocs):
        call = f"""      - name: stage-{i}
        templateRef: {{name: stage-{i}, template: main}}
"""
        if i:
            call += f"""        dependencies: [stage-{i - 1}]
        arguments:
          artifacts:
          - name: data
            from: "{{{{tasks.stage-{i - 1}.outputs.artifacts.result}}}}"
"""
        tasks.append(call)
    docs.append("""apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: chain-
spec:
  entrypoint: chain
  templates:
  - name: chain
    dag:
      tasks:
""" + "".join(tasks))
    return "---\n".join(docs)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("templates", type=int, help="templates, or with --documents, WorkflowTemplate documents")
    ap.add_argument("--documents", action="store_true",
                    help="a stream of that many WorkflowTemplates and one Workflow chaining them instead")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--group", type=int, default=50, help="tasks per dag or steps template")
    ap.add_argument("--output", "-o", default="-")
    ap.add_argument("--check", action="store_true", help="load the result and check every reference")
    args = ap.parse_args()
    text = generate_stream(args.templates) if args.documents else generate(args.templates, args.seed, args.group)
    if args.check and not args.documents:
        print(f"{check(text)} templates, every reference resolves", file=sys.stderr)
    if args.output == "-":
        sys.stdout.write(text)
    else:
        with open(args.output, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
