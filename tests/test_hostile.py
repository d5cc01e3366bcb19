"""Hostile input: each case ends in a clear error with a location (and the
right exit status) or in a correct result, within a time limit and, for a
plain build, a 1 GiB address-space limit. Prints a table of outcome, time
and peak memory for each."""
import json
import os
import subprocess
import tempfile
import threading
import time

import reference
from harness import VOLUME, expect

GIB = 1 << 30
TIME_LIMIT = 20  # seconds; generous for a loaded 2-core machine, the cases take far less
_results = []
_lock = threading.Lock()

BASE = """apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: hostile-
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - name: make
        template: make
    - - name: use
        template: use
        arguments:
          artifacts:
          - {name: in, from: "{{steps.make.outputs.artifacts.out}}"}
  - name: make
    container: {image: busybox, command: [sh, -c, "echo hi > /tmp/out"]}
    outputs:
      artifacts:
      - {name: out, path: /tmp/out}
  - name: use
    inputs:
      artifacts:
      - {name: in, path: /tmp/in}
    container: {image: busybox, command: [cat, /tmp/in]}
"""


def _json(text):
    """A YAML workflow as one line of JSON, non-ASCII characters as written."""
    return json.dumps(reference.load_all(text)[0], ensure_ascii=False).encode()


def run_limited(ctx, name, args, d):
    """Runs volpass with `args` under the time limit and, for a plain build,
    the address-space cap; returns its exit status, standard output and
    error, seconds taken and peak RSS in KiB."""
    out, errors, rss_file = os.path.join(d, "stdout"), os.path.join(d, "stderr"), os.path.join(d, "rss")
    # GNU time measures its own child, which a small process forked: not
    # this large Python one, whose peak a fork would carry over.
    launcher = ["/usr/bin/time", "-f", "%M", "-o", rss_file]
    if not ctx.instrumented:  # ASan cannot run under the cap, valgrind needs more
        launcher += ["prlimit", f"--as={GIB}"]
    started = time.time()
    with open(out, "wb") as stdout, open(errors, "wb") as err:
        proc = subprocess.Popen(launcher + ctx.wrapper + [ctx.volpass] + args, stdout=stdout, stderr=err)
        try:
            returncode = proc.wait(timeout=TIME_LIMIT * (20 if ctx.instrumented else 1))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            raise AssertionError(f"{name}: still running after the time limit")
    elapsed = time.time() - started
    with open(out, "rb") as f:
        stdout = f.read().decode("utf-8", "replace")
    with open(errors, "rb") as f:
        stderr = f.read().decode("utf-8", "replace")
    if "Command exited with non-zero status" in stderr or "Command terminated by signal" in stderr:
        stderr = stderr[:stderr.rfind("Command ")]  # GNU time's own line
    with open(rss_file) as f:
        rss_kib = int(f.read().split()[-1])
    return returncode, stdout, stderr, elapsed, rss_kib


def run_case(ctx, name, data, status, words=None, heavy=False, check_output=None, verified=False):
    """Feeds `data` (bytes) to volpass; checks the exit status and that an
    error names a position: FILE:LINE:COLUMN (or FILE: for whole-file limits);
    a success's output goes to `check_output(path)`, and when `verified`
    to `volpass verify`, under the same limits, which must find every
    hand-off preserved."""
    if heavy and ctx.instrumented:
        return  # too slow under valgrind, and ASan cannot run under a 1 GiB cap
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "input.yaml")
        with open(path, "wb") as f:
            f.write(data)
        out = os.path.join(d, "out.yaml")
        returncode, _, stderr, elapsed, rss_kib = run_limited(ctx, name, ["--input", path, "--output", out,
                                                                          "--volume", VOLUME], d)
        wrote = os.path.exists(out)
        with _lock:
            _results.append((name, len(data), returncode, elapsed, rss_kib))
        expect(returncode == status, f"{name}: exit {returncode}, wanted {status}: {stderr[:300]}")
        if status == 0:
            expect(wrote, f"{name}: no output")
            if check_output:
                check_output(out)
            if verified:
                returncode, report, stderr, elapsed, rss_kib = run_limited(ctx, name, ["verify", path, out], d)
                with _lock:
                    _results.append((name + " (verify)", len(data), returncode, elapsed, rss_kib))
                expect(returncode == 0 and " 0 broken; 0 problems" in report, f"{name}: verify: {report}{stderr[:300]}")
            return
        expect(not wrote, f"{name}: an output file was written despite the error")
        expect(stderr.startswith(path + ":"), f"{name}: the error does not name the file: {stderr[:200]}")
        for w in [words] if isinstance(words, str) else words or []:  # a text, or several
            expect(w in stderr, f"{name}: '{w}' not in: {stderr[:300]}")


def _laughs(levels):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    return ("\n".join(lines) + "\n").encode()


def _aliased_scalar(size, aliases):
    return ("kind: ConfigMap\ndata:\n  a: &a " + "x" * size + "\n  l:\n" + "  - *a\n" * aliases).encode()


def _chained_outputs(n):
    """A dag output passed on through n steps templates in a row."""
    lines = [BASE[:BASE.index("  templates:")].rstrip("\n"), "  templates:", "  - name: main", "    steps:",
             "    - - {name: i, template: g0}",
             '    - - {name: c, template: use, arguments: {artifacts: [{name: in, from: "{{steps.i.outputs.artifacts.o}}"}]}}']
    for i in range(n):
        lines += [f"  - name: g{i}", "    steps:", f"    - - {{name: s, template: g{i + 1}}}",
                  '    outputs: {artifacts: [{name: o, from: "{{steps.s.outputs.artifacts.o}}"}]}']
    lines += [f"  - name: g{n}", "    container: {image: busybox, command: [sh, -c, 'echo > /tmp/o']}",
              "    outputs: {artifacts: [{name: o, path: /tmp/o}]}", BASE[BASE.index("  - name: use"):].rstrip("\n")]
    return ("\n".join(lines) + "\n").encode()


def _container(n, volumes, prefix, sidecars=False):
    """A template's container, with n volumes of its own mounted when
    `volumes`, and n sidecars that mirror its mounts, each mounting a volume
    of the pod's own, when `sidecars`."""
    lines = ["    container:", "      image: busybox", "      command: [sh, -c, 'true']"]
    if volumes:
        lines += ["      volumeMounts:"] + [f"      - {{name: {prefix}{i}, mountPath: /{prefix}/{i}}}" for i in range(n)]
        lines += ["    volumes:"] + [f"    - {{name: {prefix}{i}, emptyDir: {{}}}}" for i in range(n)]
    if sidecars:
        lines += ["    sidecars:"] + [f"    - {{name: {prefix}{i}, image: busybox, mirrorVolumeMounts: true, "
                                       f"volumeMounts: [{{name: {prefix}, mountPath: /{prefix}/{i}}}]}}" for i in range(n)]
        lines += ["    volumes:", f"    - {{name: {prefix}, emptyDir: {{}}}}"]
    return lines


def _many_artifacts(n, output_path, input_path=lambda i: f"/in/g{i}", items=False, parameters=False, volumes=False,
                    sidecars=False):
    """A producer of n outputs, output i at output_path(i), and a consumer of
    n inputs, input i at input_path(i), each passed one of them: with
    `items`, the consumer runs once for each of two withItems that set its
    parameter d, and has n outputs of its own in a directory d names; with
    `parameters`, the call passes the consumer n parameters too; with
    `volumes`, each pod mounts n volumes of its own; with `sidecars`, each
    pod has n sidecars that mirror its main container's mounts."""
    lines = [BASE[:BASE.index("  templates:")].rstrip("\n"), "  templates:", "  - name: main", "    dag:",
             "      tasks:", "      - {name: a, template: make}", "      - name: b", "        template: use",
             "        dependencies: [a]"]
    if items:
        lines += ["        withItems: [x, y]", "        arguments:", "          parameters: [{name: d, value: '{{item}}'}]"]
    else:
        lines += ["        arguments:"]
    if parameters:
        lines += ["          parameters:"] + [f"          - {{name: p{i}, value: v}}" for i in range(n)]
    lines += ["          artifacts:"] + [f"          - {{name: in{i}, from: '{{{{tasks.a.outputs.artifacts.out{i}}}}}'}}"
                                         for i in range(n)]
    lines += ["  - name: make"] + _container(n, volumes, "m", sidecars) + ["    outputs:", "      artifacts:"] + [f"      - {{name: out{i}, path: '{output_path(i)}'}}" for i in range(n)]
    lines += ["  - name: use", "    inputs:"] + (["      parameters: [{name: d}]"] if items else [])
    lines += (["      parameters:"] + [f"      - {{name: p{i}}}" for i in range(n)]) if parameters else []
    lines += ["      artifacts:"] + [f"      - {{name: in{i}, path: '{input_path(i)}'}}" for i in range(n)]
    if items:
        lines += ["    outputs:", "      artifacts:"] + [f"      - {{name: o{i}, path: '/o/{{{{inputs.parameters.d}}}}/h{i}'}}"
                                                        for i in range(n)]
    lines += _container(n, volumes, "u", sidecars)
    return ("\n".join(lines) + "\n").encode()


def _globals(n):
    """n producers, each setting a global artifact of its own, and a consumer
    of all n through {{workflow.outputs.artifacts.NAME}}."""
    lines = [BASE[:BASE.index("  templates:")].rstrip("\n"), "  templates:", "  - name: main", "    steps:", "    -"]
    lines += [f"      - {{name: p{i}, template: make{i}}}" for i in range(n)]
    lines += ["    - - name: c", "        template: use", "        arguments:", "          artifacts:"]
    lines += [f"          - {{name: in{i}, from: '{{{{workflow.outputs.artifacts.g{i}}}}}'}}" for i in range(n)]
    for i in range(n):
        lines += [f"  - name: make{i}", "    container: {image: busybox, command: [sh, -c, 'true']}",
                  f"    outputs: {{artifacts: [{{name: out, path: /tmp/out, globalName: g{i}}}]}}"]
    lines += ["  - name: use", "    inputs:", "      artifacts:"] + [f"      - {{name: in{i}, path: /in/g{i}}}"
                                                                  for i in range(n)]
    lines += ["    container: {image: busybox, command: [sh, -c, 'true']}"]
    return ("\n".join(lines) + "\n").encode()


def _case_apart(i):
    """The i-th spelling of one file name in upper and lower case."""
    return "".join(c.upper() if (i >> b) & 1 else c for b, c in enumerate("abcdefghijklmnop"))


def _hash_flood(n):
    """n keys that collide under the hash volpass had (hash_flood.c), built with cc."""
    with tempfile.TemporaryDirectory() as d:
        program = os.path.join(d, "hash_flood")
        subprocess.run(["cc", "-O2", "-o", program, os.path.join(os.path.dirname(__file__), "hash_flood.c")],
                       check=True)
        return subprocess.run([program, str(n)], check=True, stdout=subprocess.PIPE).stdout


def _tagged_timestamps(values):
    """An annotation per value, each tagged !!timestamp: a stream with no workflow."""
    return ("metadata:\n" + "".join(f"  a{i}: !!timestamp {v}\n" for i, v in enumerate(values))).encode()


# go-yaml's four timestamp layouts go through Go's time.Parse, which checks each field's range
REFUSED_TIMESTAMPS = ["2001-2-29", "2001-12-14T21:59:43", "2001-12-14 21:59:43.10 -5", "2001-12-14T24:00:00Z",
                      "2001-12-14T21:59:43+0500", "2001-12-14T21:59:43+24:61", "2001-12-14T21:59:43.Z", "20011-1-1",
                      "2001"]


def _path_tags(length, tags):
    """An input path of `length` bytes, and an output path and a command of
    `tags` tags each that the rewrite replaces with it."""
    tag = "{{inputs.artifacts.in.path}}"
    return (BASE[:BASE.index("  - name: use")] +
            "  - name: use\n    inputs:\n      artifacts:\n      - {name: in, path: '/in/" + "a" * length + "'}\n"
            "    container: {image: busybox, command: [cat, '" + tag * tags + "']}\n"
            "    outputs:\n      artifacts:\n      - {name: b, path: '/o/" + tag * tags + "'}\n").encode()


CASES = {
    "billion laughs": lambda: (_laughs(9), 6, "aliases expand to more than 1000000 nodes", False),
    # aliases share a scalar's text, but writing them repeats it: 5 GB of output from 1 MB
    "5,000 aliases of a 1 MB scalar": lambda: (_aliased_scalar(1000000, 5000), 6, ":68:5: error: aliases expand to "
                                               "more than 1000000 nodes, a scalar counting one more per 64 bytes",
                                               False),
    "1,000 aliases of a 10 KB scalar": lambda: (_aliased_scalar(10000, 1000), 0, None, False),
    "100,000 nested [": lambda: (b"[" * 100000, 6, ":1:1001: error: nesting deeper than 1000 levels", False),
    "100,000 nested {a:": lambda: (b"{a: " * 100000, 6, "nesting deeper than 1000 levels", False),
    "100,000 nested block maps": lambda: ("".join(" " * i + "a:\n" for i in range(1200)).encode(), 6,
                                          ":1001:1001: error: nesting deeper", False),
    "100 MB scalar": lambda: (b"a: " + b"x" * (100 << 20) + b"\n", 0, None, True),
    # the scans of expressions for parameter maps and for roots read whole stay linear
    "4 MB of parameters-parameters-...": lambda: (BASE.replace(
        "command: [cat, /tmp/in]", "command: [cat, /tmp/in, '{{=" + "parameters-" * 400000 + "x}}']").encode(),
        0, None, False),
    "4 MB call name before outputs.parameters": lambda: (BASE.replace(
        "command: [cat, /tmp/in]", "command: [cat, /tmp/in, '{{=tasks." + "a-" * 2000000 + "b.outputs.parameters + "
        "outputs outputs outputs}}']").encode(), 0, None, False),
    # a message quoting a 4 MB expression keeps its start and its end, and leaves the middle out
    "4 MB expression refused": lambda: (BASE.replace(
        "command: [cat, /tmp/in]", "command: [cat, '{{=toJson(inputs) + \"" + "x" * 4000000 + "\"}}']").encode(),
        4, ["input.yaml:26:48: error: template 'use': the expression 'toJson(inputs) + \"xxxxxxxxxx",
            "xxxxxxxxxx [... 399", " bytes left out ...] xxxxxxxxxx",
            "xxxxxxxxxx\"' reads 'inputs' other than by its parameters or artifacts, and the volume replaces input "
            "artifact 'in'\n"], False),
    "1,000,000 keys": lambda: ("".join(f"k{i}: {i}\n" for i in range(1000000)).encode(), 0, None, True),
    "invalid UTF-8": lambda: (BASE.encode().replace(b"busybox", b"busy\xffbox", 1), 3,
                              ":18:28: error: invalid leading UTF-8 octet", False),
    "overlong UTF-8": lambda: (BASE.encode().replace(b"hostile-", b"host\xc0\xafile-", 1), 3,
                               ":4:21: error: invalid length of a UTF-8 sequence", False),
    "invalid UTF-8 after CR line breaks": lambda: (b"a: 1\rb: 2\r\nc: \xff\n", 3,
                                                   ":3:4: error: invalid leading UTF-8 octet", False),
    # libyaml breaks lines at NEL, LS and PS too: positions by byte offset count them as it does
    "invalid UTF-8 after NEL, LS and PS": lambda: (b"a: x\xc2\x85b: \xc5\x85y\xe2\x80\xa8c: z\xe2\x80\xa9d: \xff\n", 3,
                                                   ":4:4: error: invalid leading UTF-8 octet", False),
    "UTF-16 invalid after LS": lambda: ("\ufeffa: x\u2028b: y".encode("utf-16-le") + b"\x00\xd8" + "z\n".encode("utf-16-le"),
                                        3, ":2:6: error: expected low surrogate area", False),
    # libyaml decodes %00 in a tag to a NUL, and cuts the tag there: refused, not written shortened
    "tag with %00": lambda: (b"a: !<tag:yaml.org,2002:binary%00> YQ==\n", 4, ":1:4: error: a tag holds %00, a NUL", False),
    "shorthand tag with %00, after an anchor": lambda: (b"a: &x !e%00z y\n", 4, ":1:4: error: a tag holds %00", False),
    "%TAG prefix with %00": lambda: (b"%TAG !e! tag:x,2000:%00\n---\na: !e!foo x\n", 4,
                                     ":1:1: error: a tag holds %00", False),
    "%00 outside tags": lambda: (b"url: http://x/%00\nb: !!str 5\nc: !<x%01> d\n", 0, None, False),
    "UTF-16 with %00 and a tag": lambda: ("\ufeffurl: x%00\nb: !!str 5\n".encode("utf-16-le"), 4,
                                          ":2:4: error: the input, in UTF-16, holds %00 and a tag", False),
    "UTF-16 with CRLF, a lone surrogate": lambda: ("\ufeffa: 1\r\nb: 2\r\nc: x".encode("utf-16-le") + b"\x00\xd8" +
                                                   "y\r\n".encode("utf-16-le"), 3,
                                                   ":3:6: error: expected low surrogate area", False),
    # a JSON stream in UTF-16 is read as YAML reads it, which wants --- between documents
    "UTF-16 JSON stream": lambda: ('\ufeff{"a":1}\n{"b":2}\n'.encode("utf-16-le"), 3,
                                   ":2:1: error: did not find expected <document start>", False),
    "UTF-16 surrogate": lambda: (b"a: \xed\xa0\x80\n", 3, ":1:4: error: invalid Unicode character", False),
    "NUL byte": lambda: (b"a: b\x00c\n", 3, ":1:5: error: control characters are not allowed", False),
    "duplicate key": lambda: (BASE.replace("  entrypoint: main\n", "  entrypoint: main\n  entrypoint: other\n").encode(),
                              3, ":7:3: error: duplicate key 'entrypoint'", False),
    "templates a string": lambda: (BASE[:BASE.index("  templates:")].encode() + b"  templates: nope\n", 3,
                                   ":7:14: error: spec.templates must be a list, not a scalar", False),
    "Helm template unrendered": lambda: (b"kind: Workflow\nmetadata:\n  name: {{ .Values.name }}\n", 3,
                                         ":3:10: error: a mapping key must be a scalar, not a mapping (a Go or Helm "
                                         "template? render it first", False),
    "spec a list": lambda: (b"kind: Workflow\nspec: [1, 2]\n", 3, ":2:7: error: spec must be a mapping, not a list", False),
    "template a scalar": lambda: (b"kind: Workflow\nspec:\n  templates: [oops]\n", 3,
                                  ":3:15: error: each template must be a mapping, not a scalar", False),
    "artifacts a mapping": lambda: (BASE.replace("      artifacts:\n      - {name: in, path: /tmp/in}",
                                                 "      artifacts: {name: in}").encode(), 3,
                                    "template 'use': inputs.artifacts must be a list, not a mapping", False),
    "name a list": lambda: (BASE.replace("- name: make\n    container", "- name: [make]\n    container").encode(), 3,
                            ":17:11: error: template.name must be a scalar, not a list", False),
    "path a number": lambda: (BASE.replace("path: /tmp/in", "path: 42").encode(), 3,
                              ":25:26: error: template 'use': inputs.artifacts, artifact 'in': path must be a string "
                              "(quote it), not '42'", False),
    "artifact name a boolean": lambda: (BASE.replace("path: /tmp/in", "path: /tmp/in}\n      - {name: on, path: /tmp/on").encode(), 3,
                                        "template 'use': inputs.artifacts.name must be a string (quote it), not 'on'", False),
    "two template types": lambda: (b"kind: Workflow\nspec:\n  templates:\n  - name: m\n    container: {image: a}\n"
                                   b"    steps: [[{name: s, template: m}]]\n", 3,
                                   ":6:12: error: template 'm' is both a container and a steps template: Argo takes one "
                                   "type of template", False),
    "optional a string": lambda: (BASE.replace("path: /tmp/in", "path: /tmp/in, optional: \"true\"").encode(), 3,
                                  "artifact 'in': optional must be true or false (unquoted), not 'true'", False),
    "tasks a mapping": lambda: (b"kind: Workflow\nspec:\n  templates:\n  - name: m\n    dag: {tasks: {a: b}}\n", 3,
                                "template 'm': dag.tasks must be a list, not a mapping", False),
    "dag a scalar": lambda: (b"kind: Workflow\nspec:\n  templates:\n  - name: m\n    dag: 5\n", 3,
                             ":5:10: error: template 'm': dag must be a mapping, not a scalar", False),
    "outputs a list": lambda: (b"kind: Workflow\nspec:\n  templates:\n  - name: m\n    outputs: [a]\n", 3,
                               ":5:14: error: template 'm': outputs must be a mapping, not a list", False),
    "steps of scalars": lambda: (b"kind: Workflow\nspec:\n  templates:\n  - name: m\n    steps: [x]\n", 3,
                                 "each group of steps must be a list, not a scalar", False),
    "arguments a list": lambda: (BASE.replace("        arguments:\n          artifacts:\n          - {name: in, from: \"{{steps.make.outputs.artifacts.out}}\"}",
                                              "        arguments: [1]").encode(), 3,
                                 ":14:20: error: template 'main', step 'use': arguments must be a mapping, not a list", False),
    "artifact path a list": lambda: (BASE.replace("{name: out, path: /tmp/out}", "{name: out, path: [/tmp/out]}").encode(), 3,
                                     ":21:27: error: template 'make': outputs.artifacts, artifact 'out': path must be a scalar, not a list",
                                     False),
    "hook a scalar": lambda: (BASE.replace("        template: make\n", "        template: make\n        hooks: {exit: x}\n").encode(), 3,
                              ":12:23: error: template 'main', step 'make': hooks.exit must be a mapping, not a scalar", False),
    "step name a list": lambda: (BASE.replace("- - name: use", "- - name: [use]").encode(), 3,
                                 ":12:15: error: template 'main', step.name must be a scalar, not a list", False),
    "volumeMounts a mapping": lambda: (BASE.replace("command: [cat, /tmp/in]}", "command: [cat, /tmp/in], volumeMounts: {a: b}}").encode(), 3,
                                       "template 'use': volumeMounts must be a list, not a mapping", False),
    "templateDefaults mounts null": lambda: (BASE.replace("  templates:", "  templateDefaults: {container: {volumeMounts: ~}}\n  templates:", 1).encode(),
                                             0, None, False),
    "templateDefaults mounts a scalar": lambda: (BASE.replace("  templates:", "  templateDefaults: {container: {volumeMounts: x}}\n  templates:", 1).encode(),
                                                 3, ":7:48: error: spec.templateDefaults.container.volumeMounts must be a list, not a scalar", False),
    "templateDefaults sidecar a scalar": lambda: (BASE.replace("  templates:", "  templateDefaults: {sidecars: [x]}\n  templates:", 1).encode(),
                                                  3, ":7:33: error: each item of spec.templateDefaults.sidecars must be a mapping, not a scalar", False),
    # Argo's fields are typed: a name that YAML reads as a number or a boolean is refused, as Argo refuses it.
    "entrypoint a number": lambda: (BASE.replace("entrypoint: main", "entrypoint: 42").encode(), 3,
                                    ":6:15: error: spec.entrypoint must be a string (quote it), not '42'", False),
    "template name a boolean": lambda: (BASE.replace("  - name: make\n", "  - name: on\n").replace(
        "template: make\n", "template: 'on'\n").encode(), 3, ":17:11: error: template.name must be a string (quote it), not 'on'", False),
    "step name a boolean": lambda: (BASE.replace("- - name: use", "- - name: yes").encode(), 3,
                                    ":12:15: error: template 'main', step.name must be a string (quote it), not 'yes'", False),
    "step template a number": lambda: (BASE.replace("template: use", "template: 7").encode(), 3,
                                       ":13:19: error: template 'main', step 'use': template must be a string (quote it), not '7'", False),
    "templateRef template a boolean": lambda: (BASE.replace("template: use", "templateRef: {name: lib, template: on}").encode(), 3,
                                               ":13:44: error: template 'main', step 'use': templateRef.template must be a string (quote it), not 'on'", False),
    "onExit a boolean": lambda: (BASE.replace("entrypoint: main", "entrypoint: main\n  onExit: true").encode(), 3,
                                 ":7:11: error: spec.onExit must be a string (quote it), not 'true'", False),
    "templateDefaults input artifacts a scalar": lambda: (BASE.replace("  templates:", "  templateDefaults: {inputs: {artifacts: x}}\n  templates:", 1).encode(),
                                                          3, ":7:42: error: spec.templateDefaults.inputs.artifacts must be a list, not a scalar", False),
    "artifact path holding an escaped NUL": lambda: (BASE.replace("{name: out, path: /tmp/out}", '{name: out, path: "/tmp/o\\0x/out"}').encode(),
                                                     3, ":21:27: error: template 'make': outputs.artifacts, artifact 'out': path holds a NUL character", False),
    "templateDefaults input parameter a scalar": lambda: (BASE.replace("  templates:", "  templateDefaults: {inputs: {parameters: [x]}}\n  templates:", 1).encode(),
                                                          3, ":7:44: error: each item of spec.templateDefaults.inputs.parameters must be a mapping, not a scalar", False),
    "templateDefaults output artifact unnamed": lambda: (BASE.replace("  templates:", "  templateDefaults: {outputs: {artifacts: [{path: /x}]}}\n  templates:", 1).encode(),
                                                         3, ":7:44: error: spec.templateDefaults.outputs.artifacts: artifact has no name", False),
    "1,100 chained merges": lambda: (("m0: &m0 {x: 1}\n" + "".join(f"m{i}: &m{i} {{<<: *m{i - 1}}}\n" for i in range(1, 1101))).encode(),
                                     0, None, False),
    "20,000 chained dag outputs": lambda: (_chained_outputs(20000), 6, "artifacts pass through more than 1000 dag "
                                           "or steps templates in a row", False),
    # 2.6 MB: about 40 s with the fixed hash volpass had, which an input could aim at; keyed, 0.3 s
    "150,000 keys aimed at one hash slot": lambda: (_hash_flood(150000), 0, None, False),
    # each check between one template's artifacts walked all the others: 21 s to convert, 79 s to verify
    "16,000 artifacts in one template": lambda: (_many_artifacts(16000, lambda i: f"/tmp/d{i % 50}/f{i}"), 0, None,
                                                 True),
    # 8 s to convert; verify filled in every mount path for every artifact: 167 s and 12 GB
    "8,000 artifacts at paths made of parameters": lambda: (_many_artifacts(
        8000, lambda i: f"/tmp/d{i % 50}/f{i}", lambda i: f"/in/{{{{inputs.parameters.d}}}}/g{i}", items=True),
        0, None, True),
    "16,000 files in one directory, apart by case": lambda: (_many_artifacts(
        16000, lambda i: "/tmp/out/" + _case_apart(i)), 0, None, True),
    # each parameter a call passes, and each location parameter made, was looked for among all: over a minute
    "32,000 parameters and artifacts through one call": lambda: (_many_artifacts(
        32000, lambda i: f"/tmp/d{i % 50}/f{i}", parameters=True), 0, None, True),
    # each artifact's path was checked against every mount of the pod's own: 40 s at 8,000;
    # verify compared each of the rewrite's mounts with each of the original's: 24 s at 32,000
    "32,000 volumes of each pod's own": lambda: (_many_artifacts(32000, lambda i: f"/tmp/d{i % 50}/f{i}", volumes=True),
                                                 0, None, True),
    # each artifact's mount was compared with every mount of every sidecar that mirrors the main container's:
    # 6 s at 8,000, 100 s at 32,000
    "32,000 sidecars that mirror the main container's mounts": lambda: (_many_artifacts(
        32000, lambda i: f"/tmp/d{i % 50}/f{i}", sidecars=True), 0, None, True),
    # verify walked every instance for each global it looked up: over a minute
    "24,000 global artifacts": lambda: (_globals(24000), 0, None, True),
    "16,000 output directories in one": lambda: (_many_artifacts(16000, lambda i: f"/o/a{i}/f" if i else "/o/"), 0,
                                                 None, True),
    "empty input": lambda: (b"", 0, None, False),
    "empty documents": lambda: (b"---\n---\n...\n", 0, None, False),
    "10,000 documents": lambda: (("---\n".join([BASE] * 10000)).encode(), 0, None, True),
    "truncated in a string": lambda: (BASE[:BASE.index("hi > /tmp/out") + 3].encode(), 3,
                                      "error: found unexpected end of stream", False),
    "truncated in a flow": lambda: (BASE[:BASE.index("{name: out") + 6].encode(), 3, "error:", False),
    # valid YAML, but a workflow that calls a template it no longer has
    "truncated at a line": lambda: (BASE[:BASE.index("  - name: use")].encode(), 3,
                                    "error: template 'main', use: calls template 'use', which the workflow does "
                                    "not have", False),
    # comments: indented 64 spaces at most, however deep (900 levels made 360 MB of
    # spaces); carried past 900 collection ends without copying them again at each
    "200,000 comments 900 deep": lambda: (("- " * 900 + "x\n" + "#\n" * 200000 + "  " * 899 + "- y\n").encode(),
                                          0, None, False),
    "900 ends with a comment each": lambda: ("".join(" " * i + f"k{i}:\n" for i in range(900)).encode() +
                                             " ".join([""] * 901).encode() + b"v: 1\n" +
                                             "".join(" " * i + "# " + "x" * 1000 + "\n"
                                                     for i in reversed(range(900))).encode(), 0, None, False),
    # 3,000 tags of a 30 KB path: 90 MB (30,000 made 1.7 GB and took 16 s)
    "3,000 path tags of 30 KB": lambda: (_path_tags(30000, 3000), 6, "error: template 'use': the paths that "
                                        "replace its artifacts' path tags ({{inputs.artifacts.X.path}}) would add "
                                        "more than 64 MiB", False),
    # explicit tags, as go-yaml reads them: !!binary is the text of its base64; a core tag must fit
    # JSON breaks lines at \n and \r only, libyaml at NEL, LS and PS too, folding a string holding one
    "a raw LINE SEPARATOR in a JSON string": lambda: (_json(BASE).replace(b"echo hi", "echo\u2028hi".encode()), 4,
                                                      "error: a raw LINE SEPARATOR (U+2028) in JSON: libyaml, which "
                                                      "volpass reads JSON with, takes it for a line break", False),
    "a raw NEL in a JSON key": lambda: (_json(BASE).replace(b'"image"', '"im\u0085age"'.encode()), 4,
                                        "input.yaml:1:", False),  # line 1: libyaml counts a NEL as a break
    # after a byte order mark, which Go's JSON refuses: Argo reads it as YAML, which breaks the line there too
    "a raw NEL in JSON after a byte order mark": lambda: (b"\xef\xbb\xbf" + _json(BASE).replace(
        b"echo hi", "echo\u0085hi".encode()), 0, None, False),
    "a raw PARAGRAPH SEPARATOR in YAML": lambda: (BASE.replace("echo hi", "echo\u2029hi").encode(), 0, None, False),
    "an integer tag on a word": lambda: (BASE.replace("image: busybox", "image: !!int busybox", 1).encode(), 3,
                                         ":18:24: error: 'busybox' is no integer, as its tag !!int says: go-yaml, "
                                         "which Argo and Kubernetes read YAML with, refuses it", False),
    "a null tag on a word": lambda: (BASE.replace("image: busybox", "image: !!null busybox", 1).encode(), 3,
                                     "error: 'busybox' is no null, as its tag !!null says", False),
    "a timestamp tag on a word": lambda: (BASE.replace("image: busybox", "image: !!timestamp busybox", 1).encode(),
                                          3, ":18:24: error: 'busybox' is no timestamp, as its tag !!timestamp says",
                                          False),
    "timestamp tags on what go-yaml takes": lambda: (_tagged_timestamps([
        "2000-2-29", "2001-12-14t21:59:43.10-05:00", "2001-1-1T1:2:3Z", "2001-12-14 21:59:43,5",
        "'2001-12-14   21:59:43'", "2001-12-14T21:59:43.123456789012+24:60"]), 0, None, False),
    "binary that is no base64": lambda: (BASE.replace("image: busybox", "image: !!binary busy!", 1).encode(), 3,
                                         ":18:24: error: the !!binary value is not base64", False),
    "binary that is no text": lambda: (BASE.replace("image: busybox", "image: !!binary //8=", 1).encode(), 3,
                                       ":18:24: error: the !!binary value holds bytes that are not UTF-8 text", False),
    "a template named in binary": lambda: (BASE.replace("template: use", "template: !!binary dXNl", 1).encode(), 0,
                                           None, False),
    # libyaml reads a key of over 1024 characters only after "? "
    "key of 1,100 characters": lambda: (b"metadata:\n  annotations:\n    " + b"k" * 1100 + b": v\n", 3,
                                        ":3:1105: error: mapping values are not allowed in this context; if a key "
                                        "of over 1024 characters ends here: libyaml reads one only in the explicit "
                                        "form, '? KEY' then ': VALUE'", False),
    "flow key of 1,100 characters": lambda: (b"a: {" + b"k" * 1100 + b": v}\n", 3, "started at line 1, column 4); if "
                                             "a key of over 1024 characters ends here", False),
    "key of 1,100 characters in a flow list": lambda: (b"a: [" + b"k" * 1100 + b": v]\n", 3, "did not find expected "
                                                       "',' or ']' (while parsing a flow sequence started at line 1, "
                                                       "column 4); if a key of over 1024 characters ends here", False),
    "explicit key of 1,100 characters": lambda: (b"a:\n  ? " + b"k" * 1100 + b"\n  : v\n", 0, None, False),
    # go-yaml takes no alias for a merge key: it is the key '<<', written quoted; twice, a duplicate
    "an alias of a merge key": lambda: (b"k: &m <<\nb: {*m : {x: 1}}\n", 0, None, False),
    "an alias of a merge key twice": lambda: (b"k: &m <<\nb: {*m : {x: 1}, *m : {y: 2}}\n", 3,
                                              ":2:18: error: duplicate key '<<' in a mapping (first at line 2, "
                                              "column 5)", False),
    "huge depth via aliases": lambda: (b"a: &a " + b"[" * 990 + b"1" + b"]" * 990 + b"\nb: " + b"[" * 20 + b"*a" + b"]" * 20 + b"\n",
                                       6, ":2:24: error: alias '*a' nests deeper than 1000 levels", False),
}
CASES.update({f"a timestamp tag on {v}": lambda v=v: (_tagged_timestamps([v]), 3, f":2:7: error: '{v}' is no timestamp, "
                                                      "as its tag !!timestamp says", False)
              for v in REFUSED_TIMESTAMPS})


def _all_rewritten(path):
    with open(path) as f:
        docs = reference.load_all(f.read())
    expect(len(docs) == 10000 and all(d["spec"]["volumes"][0]["name"] == "data-storage" for d in docs),
           "not every document was rewritten")


def _whole_scalar(path):
    expect(os.path.getsize(path) == (100 << 20) + 4, "the scalar did not come through whole")


def _comments_shallow(path):
    with open(path) as f:
        indents = [len(line) - len(line.lstrip(" ")) for line in f if line.lstrip(" ").startswith("#")]
    expect(len(indents) == 200000 and max(indents) == 64, f"{len(indents)} comments, indented up to {max(indents)}")


def _comments_carried(path):
    with open(path) as f:
        comments = [line for line in f if line.lstrip(" ").startswith("#")]
    expect(len(comments) == 900, f"{len(comments)} of the 900 comments")


def _percent_nul_kept(path):
    with open(path) as f:
        text = f.read()
    expect(text == "url: http://x/%00\nb: !!str 5\nc: !<x%01> d\n", f"came out as {text!r}")


def _merge_key_quoted(path):
    with open(path) as f:
        text = f.read()
    expect(text == "k: <<\nb: {'<<': {x: 1}}\n", f"the aliased merge key came out as {text!r}")


OUTPUT_CHECKS = {"an alias of a merge key": _merge_key_quoted, "%00 outside tags": _percent_nul_kept, "10,000 documents": _all_rewritten, "100 MB scalar": _whole_scalar,
                 "200,000 comments 900 deep": _comments_shallow, "900 ends with a comment each": _comments_carried}


# Rewrites that `volpass verify` checks too, under the same limits.
VERIFIED = {"16,000 artifacts in one template", "8,000 artifacts at paths made of parameters",
            "16,000 files in one directory, apart by case", "16,000 output directories in one",
            "32,000 parameters and artifacts through one call", "32,000 volumes of each pod's own",
            "32,000 sidecars that mirror the main container's mounts",
            "24,000 global artifacts"}


def check_case(ctx, name):
    data, status, words, heavy = CASES[name]()
    run_case(ctx, name, data, status, words, heavy, OUTPUT_CHECKS.get(name), name in VERIFIED)


def summary():
    print("hostile inputs (input, bytes, exit status, seconds, peak RSS):")
    for name, size, rc, elapsed, rss in sorted(_results):
        print(f"  {name:28} {size:>11} exit {rc:>2} {elapsed:6.2f}s {rss / 1024:8.1f} MiB")


def tests(ctx):
    return [(f"hostile:{name}", lambda name=name: check_case(ctx, name)) for name in CASES]
