"""The command line: options, streams, exit codes, messages, atomic output."""
import json
import os
import shlex
import re
import stat
import subprocess
import tempfile

import yaml

import goyaml
import reference
from harness import VOLUME, expect

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PASSING = os.path.join(reference.CORPUS, "artifact-passing.yaml")
STREAM = os.path.join(HERE, "data", "stream.yaml")
EXAMPLE = os.path.join(ROOT, "examples", "train-pipeline.yaml")


def _tmp():
    return tempfile.TemporaryDirectory(prefix="volpass-test-")


def _write(path, text, mode="w"):
    with open(path, mode) as f:
        f.write(text)


def _read(path):
    with open(path) as f:
        return f.read()


def _usage_error(ctx, args, words):
    proc = ctx.run(args, stdin="")
    expect(proc.returncode == 2, f"{args}: exit {proc.returncode}, wanted 2")
    expect(words in proc.stderr and "Try 'volpass --help'" in proc.stderr,
           f"{args}: unclear usage error: {proc.stderr!r}")
    expect(proc.stdout == "", "usage error wrote output")


def test_help(ctx):
    proc = ctx.run(["--help"])
    expect(proc.returncode == 0 and proc.stdout.startswith("Usage: volpass"), proc.stderr)
    for option in ("--input", "--output", "--volume", "--path-prefix", "--scheme", "--format",
                   "--max-depth", "--max-alias-nodes", "--max-input-bytes", "--version", "--in-place",
                   "--volume-claim-template", "--volume-name", "--keep-artifact", "--explain", "--verify",
                   "volpass verify ORIGINAL REWRITTEN"):
        expect(option in proc.stdout, f"--help does not mention {option}")
    for code, meaning in (("0", "success"), ("1", "verify found"), ("2", "usage error"),
                          ("3", "invalid input"), ("4", "input the scheme"), ("5", "I/O error"),
                          ("6", "a safety limit"), ("7", "out of memory")):
        expect(re.search(rf"^  {code}  {meaning}", proc.stdout, re.M),
               f"--help does not document exit status {code}")
    proc = ctx.run(["--version"])
    expect(proc.returncode == 0 and re.fullmatch(r"volpass \d+\.\d+\.\d+\n", proc.stdout), proc.stdout)


def test_usage_errors(ctx):
    _usage_error(ctx, ["--input", PASSING], "--volume is required")
    _usage_error(ctx, ["--volume", VOLUME, "--bogus"], "unknown argument '--bogus'")
    long = "--" + "\u00e9" * 2000  # quoted whole, not cut at some byte (4,002 bytes here)
    _usage_error(ctx, ["--volume", VOLUME, long], f"unknown argument '{long}'")
    _usage_error(ctx, ["--volume", VOLUME, "--format", "xml"], "unknown format 'xml'")
    _usage_error(ctx, ["--volume", VOLUME, "--scheme", "s3"], "unknown scheme 's3'")
    for option in (["--explain"], ["--keep-artifact", "x"], ["--volume-name", "shared"]):
        _usage_error(ctx, ["--volume", VOLUME, "--scheme", "kfp"] + option,
                     "--explain, --keep-artifact, --volume-name and --volume-claim-template belong to the volume "
                     "scheme")
    _usage_error(ctx, ["--scheme", "kfp", "--volume-claim-template", "{resources: {requests: {storage: 1Gi}}}"],
                 "--volume-claim-template belong to the volume scheme")
    _usage_error(ctx, ["--volume", VOLUME, "--input"], "--input needs a value")
    _usage_error(ctx, ["--volume", VOLUME, "--explain=xml"], "unknown --explain format 'xml' (known: text, json)")
    _usage_error(ctx, ["--volume", VOLUME, "-i", "a.yaml", "--input", "b.yaml"], "--input is given twice ('a.yaml' "
                 "and 'b.yaml')")
    _usage_error(ctx, ["--volume", VOLUME, "--volume", "nfs: {server: s, path: /p}"], "--volume is given twice")
    for option, a, b in (("--scheme", "kfp", "volume"), ("--format", "json", "yaml"), ("--max-depth", "2", "1000")):
        _usage_error(ctx, ["--volume", VOLUME, option, a, option, b], f"{option} is given twice ('{a}' and '{b}')")
    _usage_error(ctx, ["verify", "a.yaml", "b.yaml", "--max-depth", "5", "--max-depth", "6"],
                 "--max-depth is given twice")
    _usage_error(ctx, ["--volume", VOLUME, "--explain", "--explain=json"], "--explain is given twice")
    for value in ("ten", "0", " -1", "+5", "10001"):
        _usage_error(ctx, ["--volume", VOLUME, "--max-depth=" + value], "--max-depth takes a whole number from 1 to 10000")
    _usage_error(ctx, ["--volume", VOLUME, "--max-input-bytes", "4294967296"],
                 "--max-input-bytes takes a whole number from 1 to 4294967295")


def test_abbreviated_options(ctx):
    """Long options may be abbreviated, as getopt_long and the reference's
    argparse take them; where an abbreviation begins several, the one of the
    reference's three (--input, --output, --volume) it begins wins, so that
    the reference's --in and --vol work as they do there. getopt's other
    forms work too."""
    with _tmp() as d:
        out = os.path.join(d, "out.yaml")
        proc = ctx.run(["--in", PASSING, "--out", out, "--vol", VOLUME])
        expect(proc.returncode == 0 and _read(out) == ctx.rewrite(PASSING).stdout, proc.stderr)
        proc = ctx.run(["--inp=" + PASSING, "--volume-n", "shared", "--v", VOLUME, "--form=json"])
        expect(proc.returncode == 0 and '"name": "shared"' in proc.stdout and proc.stdout.startswith("{"), proc.stderr)
    # getopt's other forms: a short option's value attached, and "--" before files that look like options
    with _tmp() as d:
        out, odd = os.path.join(d, "out.yaml"), "-odd.yaml"
        proc = ctx.run(["-i" + PASSING, "-o" + out, "--volume", VOLUME])
        expect(proc.returncode == 0 and _read(out) == ctx.rewrite(PASSING).stdout, proc.stderr)
        with open(os.path.join(d, odd), "w") as f:
            f.write(_read(PASSING))
        proc = subprocess.run(ctx.wrapper + [ctx.volpass, "--volume", VOLUME, "--in-place", "--", odd], cwd=d,
                              capture_output=True, text=True)
        expect(proc.returncode == 0 and _read(os.path.join(d, odd)) == _read(out), proc.stderr)
    _usage_error(ctx, ["--volume", VOLUME, "--in-place", "-"], "'-' (standard input) cannot be rewritten in place")
    _usage_error(ctx, ["--volume", VOLUME, "-"], "'-': files are given with --in-place, or one with --input")
    _usage_error(ctx, ["--=" + VOLUME], "unknown argument '--=")  # no option's name, not --volume's
    _usage_error(ctx, ["--volume", VOLUME, "--explain", "--", "json"], "'json': files are given with --in-place")
    _usage_error(ctx, ["--volume", VOLUME, "--ver"], "'--ver' abbreviates more than one option: write it whole")
    _usage_error(ctx, ["--volume", VOLUME, "--max=5"], "'--max' abbreviates more than one option")
    _usage_error(ctx, ["--volume", VOLUME, "--verify=yes"], "--verify takes no value: '--verify=yes'")
    _usage_error(ctx, ["--volume", VOLUME, "--explain", "json"], "--explain takes its format after '=': --explain=json")


def test_utf16_json(ctx):
    """JSON in UTF-16 (with a byte order mark, as libyaml reads it) is JSON, written back as JSON in UTF-8."""
    as_json = json.dumps(yaml.safe_load(_read(PASSING)), indent=2)
    want = ctx.run(["--volume", VOLUME], stdin=as_json).stdout
    with _tmp() as d:
        path = os.path.join(d, "wf.json")
        with open(path, "w", encoding="utf-16") as f:
            f.write(as_json)
        proc = ctx.run(["--volume", VOLUME, "-i", path])
    expect(proc.returncode == 0 and want.startswith("{") and proc.stdout == want, proc.stderr)
    # YAML in UTF-16 whose first character has a '{' byte (U+7B00) stays YAML
    with _tmp() as d:
        path = os.path.join(d, "cjk.yaml")
        with open(path, "w", encoding="utf-16") as f:
            f.write("\u7b00: 1\n")
        proc = ctx.run(["--volume", VOLUME, "-i", path])
    expect(proc.returncode == 0 and proc.stdout == "\u7b00: 1\n", proc.stdout + proc.stderr)


def test_stdin_to_stdout(ctx):
    text = _read(PASSING)
    for args in (["--volume", VOLUME], ["--volume=" + VOLUME, "-i", "-", "-o", "-"]):
        proc = ctx.run(args, stdin=text)
        expect(proc.returncode == 0, proc.stderr)
        doc = reference.load_all(proc.stdout)[0]
        expect({"name": "data-storage", "persistentVolumeClaim": {"claimName": "data-volume"}}
               in doc["spec"]["volumes"], "the volume was not added")
        expect(proc.stderr == "", proc.stderr)
    proc = ctx.run(["--volume", VOLUME, "--scheme", "kfp"], stdin=text)
    expect("<stdin>:10:3: warning: Detected different artifact file names" in proc.stderr, proc.stderr)


def test_stdin_file(ctx):
    """Standard input that is a file is mapped, from where its reader stands."""
    text = _read(PASSING)
    piped = ctx.run(["--volume", VOLUME], stdin=text)
    expect(piped.returncode == 0, piped.stderr)
    with _tmp() as d:
        path = os.path.join(d, "in.yaml")
        for first_line in ("", "]\n"):  # a line that something before volpass read, unparsable
            _write(path, first_line + text)
            with open(path) as f:
                os.lseek(f.fileno(), len(first_line), os.SEEK_SET)
                proc = subprocess.run(ctx.wrapper + [ctx.volpass, "--volume", VOLUME], stdin=f,
                                      capture_output=True, text=True, timeout=600)
            expect(proc.returncode == 0 and proc.stdout == piped.stdout,
                   f"stdin from a file after {first_line!r} differs from a pipe: {proc.stderr}")
        bad = os.path.join(d, "bad.yaml")
        _write(bad, "kind: Workflow\nspec: [1\n")
        with open(bad) as f:
            os.lseek(f.fileno(), len("kind: Workflow\n"), os.SEEK_SET)
            proc = subprocess.run(ctx.wrapper + [ctx.volpass, "--volume", VOLUME], stdin=f,
                                  capture_output=True, text=True, timeout=600)
        expect(proc.returncode == 3 and proc.stderr.startswith("<stdin>:2:1: error: did not find expected"),
               f"an error in the rest of a file on stdin is placed wrongly: {proc.stderr}")


def test_output_file(ctx):
    with _tmp() as d:
        out = os.path.join(d, "out.yaml")
        proc = ctx.rewrite(EXAMPLE, "--output", out)
        expect(proc.returncode == 0 and proc.stdout == "", proc.stderr)
        expect(_read(out) == ctx.rewrite(EXAMPLE).stdout, "file and stdout output differ")
        expect(os.listdir(d) == ["out.yaml"], f"temporary files left: {os.listdir(d)}")
        mode = stat.S_IMODE(os.stat(out).st_mode)
        expect(mode == 0o666 & ~_umask(), f"new file has mode {oct(mode)}")
        # Replacing a file keeps its permissions.
        os.chmod(out, 0o640)
        expect(ctx.rewrite(PASSING, "-o", out).returncode == 0, "rewrite failed")
        expect(stat.S_IMODE(os.stat(out).st_mode) == 0o640, "permissions of the replaced file changed")


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_errors_leave_output_alone(ctx):
    with _tmp() as d:
        bad = os.path.join(d, "bad.yaml")
        _write(bad, "spec:\n  templates: [1, 2\n  x: y\n")
        out = os.path.join(d, "out.yaml")
        proc = ctx.rewrite(bad, "-o", out)
        expect(proc.returncode == 3, f"exit {proc.returncode}")
        expect(re.match(re.escape(bad) + r":3:\d+: error: ", proc.stderr), proc.stderr)
        expect(not os.path.exists(out), "an output file was created on error")
        _write(out, "precious\n")
        for path in (bad, os.path.join(reference.CORPUS, "arguments-artifacts.yaml")):
            proc = ctx.rewrite(path, "-o", out, "--scheme", "kfp")
            expect(proc.returncode in (3, 4), f"exit {proc.returncode}")
            expect(_read(out) == "precious\n", "the output file was changed on error")
        expect(sorted(os.listdir(d)) == ["bad.yaml", "out.yaml"], f"files left: {os.listdir(d)}")


def test_refusal_names_template_and_artifact(ctx):
    proc = ctx.rewrite(os.path.join(reference.CORPUS, "map-reduce.yaml"), "--scheme", "kfp")
    expect(proc.returncode == 4 and proc.stdout == "", f"exit {proc.returncode}")
    expect(re.search(r"map-reduce\.yaml:\d+:\d+: error: template 'main', task 'map': artifact argument "
                     r"'part' is a constant", proc.stderr), proc.stderr)
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "expression.yaml")
        _write(path, _read(os.path.join(reference.CORPUS, "artifact-passing.yaml")).replace(
            'from: "{{steps.generate-artifact.outputs.artifacts.hello-art}}"',
            "fromExpression: \"steps['generate-artifact'].outputs.artifacts['hello-art']\""))
        proc = ctx.rewrite(path, "--scheme", "kfp")
    expect(proc.returncode == 4 and "artifact argument 'message' uses fromExpression; the kfp scheme does not "
           "support fromExpression artifact arguments" in proc.stderr, proc.stderr)


def test_out_of_memory_reading_a_pipe(ctx):
    """Memory that runs out while a pipe is read is exit 7, as anywhere else,
    not an I/O error. (Under ASan or valgrind, which cannot run under an
    address-space cap, the sanitizers' own checks stand in.)"""
    if ctx.instrumented:
        return
    proc = subprocess.run(["prlimit", "--as=60000000", ctx.volpass, "--volume", VOLUME],
                          input=b"a: " + b"x" * 80_000_000 + b"\n", capture_output=True)
    expect(proc.returncode == 7 and b"<stdin>: error: cannot read: Cannot allocate memory" in proc.stderr,
           proc.stderr)


def test_deep_json_output_stays_small(ctx):
    """JSON indentation stops growing with depth: a document nested 9,990
    deep (20 KB) is written in about 2.6 MB, not 200 MB, and reads back."""
    depth = 9990
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "deep.yaml")
        _write(path, "a: " + "[" * depth + "]" * depth + "\n")
        proc = ctx.run(["--input", path, "--volume", VOLUME, "--format", "json", "--max-depth", "10000"])
        expect(proc.returncode == 0 and len(proc.stdout) < 3_000_000, f"{proc.returncode}: {len(proc.stdout)} bytes")
        back = os.path.join(d, "deep.json")
        _write(back, proc.stdout)
        again = ctx.run(["--input", back, "--volume", VOLUME, "--format", "json", "--max-depth", "10000"])
    expect(again.returncode == 0 and again.stdout == proc.stdout, again.stderr[:300])


def test_keep_artifact_misspelt(ctx):
    """A --keep-artifact that names no output artifact of the input gets a warning."""
    proc = ctx.rewrite(PASSING, "--keep-artifact", "hello-art", "--keep-artifact", "hello-arts")
    expect(proc.returncode == 0 and proc.stderr.endswith("--keep-artifact:1:1: warning: no template of the input has "
           "an output artifact named 'hello-arts'\n") and "'hello-art'" not in proc.stderr, proc.stderr)
    # one that names outputs of dag and steps templates only keeps nothing: they pass on a pod's
    graph = os.path.join(os.path.dirname(__file__), "data", "volume", "graph-subpath.yaml")
    proc = ctx.run(["--input", graph, "--volume", VOLUME, "--keep-artifact", "part"])
    expect(proc.returncode == 0 and "--keep-artifact:1:1: warning: only dag and steps templates have an output "
           "artifact named 'part', which passes on what a pod template's output holds: keep that output instead\n"
           in proc.stderr, proc.stderr)


def test_io_errors(ctx):
    proc = ctx.run(["--volume", VOLUME, "-i", "/nonexistent/wf.yaml"])
    expect(proc.returncode == 5 and "/nonexistent/wf.yaml: error: cannot open: No such file" in proc.stderr,
           proc.stderr)
    proc = ctx.rewrite(PASSING, "-o", "/nonexistent/dir/out.yaml")
    expect(proc.returncode == 5 and "/nonexistent/dir/out.yaml: error: cannot create a temporary file" in proc.stderr,
           proc.stderr)
    if os.path.exists("/dev/full"):
        # A device is written to, never replaced by a regular file.
        proc = ctx.rewrite(PASSING, "-o", "/dev/full")
        expect(proc.returncode == 5 and "/dev/full: error: cannot write: No space left" in proc.stderr,
               proc.stderr)
        expect(stat.S_ISCHR(os.stat("/dev/full").st_mode), "/dev/full was replaced")
        with open("/dev/full", "w") as full:
            rc = subprocess.run(ctx.wrapper + [ctx.volpass, "--volume", VOLUME, "-i", PASSING],
                                stdout=full, stderr=subprocess.PIPE, text=True)
        expect(rc.returncode == 5 and "<stdout>: error: cannot write" in rc.stderr, rc.stderr)
        for option in ("--help", "--version"):  # as GNU tools do: what was asked for was not written
            with open("/dev/full", "w") as full:
                rc = subprocess.run(ctx.wrapper + [ctx.volpass, option], stdout=full, stderr=subprocess.PIPE, text=True)
            expect(rc.returncode == 5 and "<stdout>: error: cannot write: No space left" in rc.stderr, rc.stderr)
        # --explain's report goes to stderr: unwritable, the run fails and nothing is replaced.
        with _tmp() as d:
            target = os.path.join(d, "wf.yaml")
            with open(PASSING) as f, open(target, "w") as t:
                t.write(f.read())
            with open("/dev/full", "w") as full:
                rc = subprocess.run(ctx.wrapper + [ctx.volpass, "--volume", VOLUME, "--in-place", target,
                                                   "--explain"], stderr=full)
            expect(rc.returncode == 5 and _read(target) == _read(PASSING), f"exit {rc.returncode}")


def test_limits(ctx):
    proc = ctx.rewrite(PASSING, "--max-depth", "3")
    expect(proc.returncode == 6 and "nesting deeper than 3 levels" in proc.stderr, proc.stderr)
    # the deepest volpass follows, written in YAML and JSON, on the smallest stack it is meant for (8 MiB)
    deep = "a: " + "[" * 9999 + "]" * 9999 + "\n"
    for fmt in ("yaml", "json"):
        proc = ctx.run(["--volume", VOLUME, "--max-depth", "10000", "--format", fmt], stdin=deep)
        expect(proc.returncode == 0 and proc.stdout.count("[") == 9999, proc.stderr)
    proc = ctx.run(["--volume", VOLUME, "--max-depth", "10000"], stdin="a: " + "[" * 10000 + "]" * 10000 + "\n")
    expect(proc.returncode == 6 and "nesting deeper than 10000 levels (the most volpass follows)" in proc.stderr,
           proc.stderr)
    proc = ctx.rewrite(PASSING, "--max-input-bytes", "100")
    expect(proc.returncode == 6 and "exceeds the limit of 100 bytes" in proc.stderr, proc.stderr)
    # from a pipe, read only past the limit: what was read is no size to report
    proc = ctx.run(["--volume", VOLUME, "--max-input-bytes", "100"], stdin="# " + "x" * 200000 + "\n")
    expect(proc.returncode == 6 and proc.stderr == "<stdin>: error: input exceeds the limit of 100 bytes (raise "
           "--max-input-bytes to accept it)\n", proc.stderr)
    bomb = "a: &a [x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b, *b, *b]\n"
    proc = ctx.run(["--volume", VOLUME, "--max-alias-nodes", "300"], stdin=bomb)
    expect(proc.returncode == 6 and "<stdin>:3:" in proc.stderr and "300 nodes" in proc.stderr, proc.stderr)


def test_formats(ctx):
    proc = ctx.rewrite(PASSING, "--format", "json")
    expect(proc.returncode == 0, proc.stderr)
    as_json = json.loads(proc.stdout)
    with _tmp() as d:
        src = os.path.join(d, "wf.json")
        _write(src, json.dumps(reference.load_all(_read(PASSING))[0]))
        proc = ctx.rewrite(src)  # JSON in: JSON out
        expect(proc.returncode == 0 and json.loads(proc.stdout) == as_json, proc.stderr)
        proc = ctx.rewrite(src, "--format", "yaml")
        expect(proc.returncode == 0 and not proc.stdout.lstrip().startswith("{"), "not YAML")
        expect(reference.load_all(proc.stdout)[0] == as_json, "YAML from JSON differs")


def test_json_types_as_kubernetes_reads(ctx):
    """--format json holds what Argo would read from the YAML: go-yaml v2's
    types (tests/goyaml.py), not PyYAML's, for a document of the scalars the
    two disagree on, and for a rewritten workflow against its YAML form."""
    types = os.path.join(HERE, "data", "json", "kubernetes-types.yaml")
    for path in (types, PASSING):
        as_yaml = ctx.rewrite(path, "--format", "yaml")
        as_json = ctx.rewrite(path, "--format", "json")
        expect(as_yaml.returncode == 0 and as_json.returncode == 0, as_yaml.stderr + as_json.stderr)
        wanted = goyaml.load_all(as_yaml.stdout)
        got = goyaml.json_documents(as_json.stdout)
        expect(goyaml.same(got, wanted), f"{path}: JSON {got} is not what Kubernetes reads: {wanted}")
    expect(reference.load_all(_read(types)) != goyaml.load_all(_read(types)),
           "the document no longer has scalars PyYAML and go-yaml type apart")
    # Two keys Kubernetes reads as one (y and on are both true): JSON cannot hold both.
    proc = ctx.run(["--volume", VOLUME, "--format", "json"], stdin="data:\n  y: 1\n  on: 2\n")
    expect(proc.returncode == 3 and proc.stdout == "" and "<stdin>:2:3: error: keys 'y' and 'on' of a mapping are one "
           "key to Kubernetes" in proc.stderr, proc.stderr)
    # A null key, however spelled, is refused by Kubernetes: JSON cannot hold it as a string.
    for written, key in (("~: 1", "~"), ("null: 1", "null"), ("? \n  : 1", "")):
        proc = ctx.run(["--volume", VOLUME, "--format", "json"], stdin=f"data:\n  {written}\n")
        expect(proc.returncode == 3 and proc.stdout == "" and f"<stdin>:2:3: error: key '{key}' of a mapping is "
               "null to Kubernetes" in proc.stderr, proc.stderr)
    proc = ctx.run(["--volume", VOLUME, "--format", "json"], stdin="data:\n  '': 1\n")
    expect(proc.returncode == 0 and json.loads(proc.stdout) == {"data": {"": 1}}, proc.stderr)


def test_path_prefix(ctx):
    for scheme, value in (("volume", "runs/{{workflow.uid}}/{{pod.name}}/hello-art/hello_world.txt"),
                          ("kfp", "runs/{{workflow.uid}}_{{pod.name}}/hello-art")):
        proc = ctx.rewrite(PASSING, "--path-prefix", "runs/", "--scheme", scheme)
        doc = reference.load_all(proc.stdout)[0]
        producer = [t for t in doc["spec"]["templates"] if t["name"] == "hello-world-to-file"][0]
        expect(producer["outputs"]["parameters"][0]["value"] == value, str(producer["outputs"]))


def test_options_checked(ctx):
    """Option text the output would carry as it is must make a valid spec:
    a volume name Kubernetes takes, a relative subPath without '..' or a
    brace (Argo would read 'a{' before {{workflow.uid}} as '{{{'), UTF-8.
    Each is refused up front (exit 3), naming the option; nothing is written."""
    bad_names = ["Data_Storage", "-data", "data-", "x" * 64, os.fsdecode(b"data\xff"), "", "var-run-argo",
                 "input-artifacts", "exec-sa-token", "argoexec-bin"]
    bad_prefixes = ["/abs/", "../up/", "runs/../../x/", os.fsdecode(b"runs\xff/"), "a{", "}/", "{{x}}/"]
    for option, values in (("--volume-name", bad_names), ("--path-prefix", bad_prefixes)):
        for value in values:
            for scheme in ("volume", "kfp") if option == "--path-prefix" else ("volume",):  # kfp has no --volume-name
                proc = ctx.rewrite(PASSING, option, value, "--scheme", scheme)
                expect(proc.returncode == 3 and proc.stderr.startswith(option + ": error: ")
                       and proc.stdout == "", f"{option} {value!r} ({scheme}): exit {proc.returncode}, "
                       f"{proc.stderr!r}")
    for option, value in (("--volume-name", "x" * 63), ("--volume-name", "0-data-9"),
                          ("--path-prefix", "a/..b/"), ("--path-prefix", "runs/..")):
        proc = ctx.rewrite(PASSING, option, value)
        expect(proc.returncode == 0, f"{option} {value!r}: {proc.stderr}")
        expect(value in proc.stdout, f"{option} {value!r} is not in the output")


def test_stream(ctx):
    proc = ctx.rewrite(STREAM)
    expect(proc.returncode == 0, proc.stderr)
    before, after = reference.load_all(_read(STREAM)), reference.load_all(proc.stdout)
    expect([d["kind"] for d in after] == ["ConfigMap", "Workflow", "Secret"], "order changed")
    expect(after[0] == before[0] and after[2] == before[2], "a non-workflow document changed")
    expect(after[1] != before[1] and "volumes" in after[1]["spec"], "the workflow was not rewritten")
    expect(proc.stdout.count("\n---\n") == 2, "document separators lost")


def test_volume_spec_errors(ctx):
    proc = ctx.run(["--input", PASSING, "--volume", "persistentVolumeClaim: [x"])
    expect(proc.returncode == 3 and proc.stderr.startswith("--volume:"), proc.stderr)
    proc = ctx.run(["--volume", "just-a-name", "-i", PASSING])
    expect(proc.returncode == 3 and "--volume:1:1: error: the volume must be one mapping" in proc.stderr,
           proc.stderr)


def test_bundled_example(ctx):
    proc = ctx.rewrite(EXAMPLE)
    expect(proc.returncode == 0, proc.stderr)
    doc = reference.load_all(proc.stdout)[0]
    train = [t for t in doc["spec"]["templates"] if t["name"] == "train-model"][0]
    expect(train["script"]["volumeMounts"][0]["mountPath"] == "/in/data", str(train))
    expect("artifacts" not in train["inputs"], "script inputs not rewritten")


def tests(ctx):
    return [(f"cli:{name[5:]}", (lambda fn=fn: fn(ctx)))
            for name, fn in sorted(globals().items()) if name.startswith("test_") and callable(fn)]


# ---- --in-place: every file changes, or none does -----------------------------

def _two_workflows(d):
    paths = [os.path.join(d, "a.yaml"), os.path.join(d, "b.yaml")]
    for p in paths:
        _write(p, _read(PASSING))
    os.chmod(paths[0], 0o600)
    return paths


def test_in_place(ctx):
    with _tmp() as d:
        paths = _two_workflows(d)
        proc = ctx.run(["--volume", VOLUME, "--in-place"] + paths)
        expect(proc.returncode == 0 and proc.stdout == "", proc.stderr)
        want = ctx.rewrite(PASSING).stdout
        expect(all(_read(p) == want for p in paths), "a file was not rewritten")
        expect(stat.S_IMODE(os.stat(paths[0]).st_mode) == 0o600, "permissions changed")
        expect(sorted(os.listdir(d)) == ["a.yaml", "b.yaml"], f"files left: {os.listdir(d)}")


def test_in_place_keeps_the_owner(ctx):
    """A rewritten file keeps its owner and group (and a setgid bit, which
    chown would clear), as sed -i keeps them: CI runs as root over a checkout
    of another user's. A user other than root may give a file only a group
    of its own: the test then gives it one of those."""
    root = os.geteuid() == 0
    others = [g for g in os.getgroups() if g != os.getegid()]
    owner = (65534, 65534) if root else (os.geteuid(), others[0] if others else os.getegid())
    with _tmp() as d:
        paths = _two_workflows(d)
        out = os.path.join(d, "out.yaml")
        _write(out, "")
        for p in (paths[0], out):
            os.chown(p, *owner)
            os.chmod(p, 0o2640)
        proc = ctx.run(["--volume", VOLUME, "--in-place", paths[0]])
        expect(proc.returncode == 0, proc.stderr)
        proc = ctx.run(["--volume", VOLUME, "-i", PASSING, "-o", out])
        expect(proc.returncode == 0, proc.stderr)
        got = [(os.stat(p).st_uid, os.stat(p).st_gid, stat.S_IMODE(os.stat(p).st_mode)) for p in (paths[0], out)]
        expect(got == [owner + (0o2640,)] * 2, f"owners, groups and modes {got}, wanted {owner} and 0o2640")


def test_in_place_all_or_nothing(ctx):
    with _tmp() as d:
        paths = _two_workflows(d)
        _write(paths[1], "spec: [unclosed\n")
        before = [_read(p) for p in paths]
        proc = ctx.run(["--volume", VOLUME, "--in-place"] + paths)
        expect(proc.returncode == 3 and "b.yaml:2:1: error:" in proc.stderr, proc.stderr)
        expect([_read(p) for p in paths] == before, "a file changed although another failed")
        expect(sorted(os.listdir(d)) == ["a.yaml", "b.yaml"], f"files left: {os.listdir(d)}")


def test_in_place_full_disk(ctx):
    """A write that fails (here: the file size limit, as a full disk would) changes nothing."""
    # The limit is set by a shell, not preexec_fn, which is unsafe while the
    # suite's other threads run. volpass ignores SIGXFSZ, so the write fails
    # with EFBIG instead of killing it. `ulimit -f` counts 512-byte blocks.
    small_files = ["sh", "-c", 'ulimit -f 1; exec "$@"', "sh"]
    with _tmp() as d:
        paths = _two_workflows(d)
        before = [_read(p) for p in paths]
        proc = subprocess.run(small_files + ctx.wrapper + [ctx.volpass, "--volume", VOLUME, "--in-place"] + paths,
                              capture_output=True, text=True)
        expect(proc.returncode == 5 and "a.yaml: error: cannot write: File too large" in proc.stderr, proc.stderr)
        expect([_read(p) for p in paths] == before, "a file changed")
        expect(sorted(os.listdir(d)) == ["a.yaml", "b.yaml"], f"files left: {os.listdir(d)}")


def test_symbolic_links_followed(ctx):
    """Through a symbolic link, the file it leads to is rewritten and the link
    stays; one leading to an open file of the process (/proc/self/fd/1, as
    /dev/stdout does) is written directly, through its descriptor; one to no
    file yet makes it, as `>` does; a loop is an I/O error."""
    want = ctx.rewrite(PASSING).stdout
    with _tmp() as d:
        target = os.path.join(d, "wf.yaml")
        _write(target, _read(PASSING))
        os.mkdir(os.path.join(d, "sub"))
        links = [os.path.join(d, "link.yaml"), os.path.join(d, "sub", "relative.yaml")]
        os.symlink("wf.yaml", links[0])
        os.symlink("../link.yaml", links[1])  # a chain, relative to its own directory
        for link in links:
            proc = ctx.run(["--volume", VOLUME, "--in-place", link])
            expect(proc.returncode == 0 and os.path.islink(link) and _read(target) == want, proc.stderr)
            _write(target, _read(PASSING))
        stdout_link = os.path.join(d, "out")
        os.symlink("/proc/self/fd/1", stdout_link)
        captured = os.path.join(d, "captured.yaml")
        with open(captured, "w") as f:
            rc = subprocess.run(ctx.wrapper + [ctx.volpass, "--volume", VOLUME, "-i", PASSING, "-o", stdout_link],
                                stdout=f, stderr=subprocess.PIPE, text=True)
        expect(rc.returncode == 0 and os.path.islink(stdout_link) and _read(captured) == want, rc.stderr)
        # an open file of the process by its name, or a link to one, opened to append: what it held stays
        os.symlink("/dev/stdout", os.path.join(d, "to-stdout"))
        for name in ("/dev/stdout", "/dev/fd/1", "/dev/stderr", "/dev/fd/N", "/proc/self/fd/N", "/proc/PID/fd/1",
                     os.path.join(d, "to-stdout")):
            with open(captured, "w") as f:
                f.write("before\n")
            with open(captured, "a") as f:
                streams = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE}
                if name in ("/dev/stdout", "/dev/fd/1", "/proc/PID/fd/1") or name.endswith("to-stdout"):
                    streams["stdout"] = f
                elif name == "/dev/stderr":
                    streams["stderr"] = f
                else:
                    streams["pass_fds"] = (f.fileno(),)
                command = ctx.wrapper + [ctx.volpass, "--volume", VOLUME, "-i", PASSING, "-o",
                                         name.replace("N", str(f.fileno()))]
                if "PID" in name:  # volpass's own process id: the shell's ($$), which exec gives it
                    command = ["sh", "-c", "exec " + " ".join(map(shlex.quote, command[:-1])) + " /proc/$$/fd/1"]
                rc = subprocess.run(command, text=True, **streams)
            expect(rc.returncode == 0 and _read(captured) == "before\n" + want, f"{name}: {rc.stderr}")
        # a regular file reached through /proc is written whole, not appended to
        for _ in range(2):
            rc = subprocess.run(ctx.wrapper + [ctx.volpass, "--volume", VOLUME, "-i", PASSING, "-o",
                                               "/proc/self/cwd/captured.yaml"], cwd=d, capture_output=True, text=True)
        expect(rc.returncode == 0 and _read(captured) == want, rc.stderr)
        os.symlink("nowhere.yaml", os.path.join(d, "dangling"))
        proc = ctx.run(["--volume", VOLUME, "-i", PASSING, "-o", os.path.join(d, "dangling")])
        expect(proc.returncode == 0 and os.path.islink(os.path.join(d, "dangling")) and
               _read(os.path.join(d, "nowhere.yaml")) == want, proc.stderr)
        os.symlink("loop-b", os.path.join(d, "loop-a"))
        os.symlink("loop-a", os.path.join(d, "loop-b"))
        proc = ctx.run(["--volume", VOLUME, "-i", PASSING, "-o", os.path.join(d, "loop-a")])
        expect(proc.returncode == 5 and "loop-a: error: cannot follow the symbolic link: Too many levels" in proc.stderr,
               proc.stderr)
        expect(sorted(os.listdir(d)) == ["captured.yaml", "dangling", "link.yaml", "loop-a", "loop-b", "nowhere.yaml",
                                         "out", "sub", "to-stdout", "wf.yaml"], str(os.listdir(d)))


def test_in_place_signal(ctx):
    """Killed while a file is staged: the originals stay, the staged file goes.
    SIGBUS is what reading a mapped input that something truncated raises."""
    import signal
    for sig in (signal.SIGTERM, signal.SIGBUS, signal.SIGPIPE, signal.SIGQUIT, signal.SIGUSR1, signal.SIGALRM,
                signal.SIGPROF, signal.SIGRTMIN + 1):
        _killed_in_place(ctx, int(sig))


def test_in_place_signal_while_replacing(ctx):
    """A signal that comes between the renames of --in-place waits until
    every file is replaced: one taken at once would leave the first file
    rewritten and the second not. strace sends SIGTERM as the first rename
    starts."""
    with _tmp() as d:
        paths = _two_workflows(d)
        renames = "rename,renameat,renameat2"
        proc = subprocess.run(["strace", "-f", "-qq", "-o", "/dev/null", "-e", f"trace={renames}", "-e",
                               f"inject={renames}:signal=TERM:when=1"] + ctx.wrapper +
                              [ctx.volpass, "--volume", VOLUME, "--in-place"] + paths, capture_output=True, text=True)
        expect(proc.returncode in (-15, 143), f"exit {proc.returncode}: {proc.stderr}")
        want = ctx.rewrite(PASSING).stdout
        expect([_read(p) == want for p in paths] == [True, True], "not every file was replaced")
        expect(sorted(os.listdir(d)) == ["a.yaml", "b.yaml"], f"files left: {os.listdir(d)}")


def _killed_in_place(ctx, sig):
    import time
    with _tmp() as d:
        paths = _two_workflows(d)
        fifo = os.path.join(d, "c.yaml")
        os.mkfifo(fifo)
        before = [_read(p) for p in paths]
        proc = subprocess.Popen(ctx.wrapper + [ctx.volpass, "--volume", VOLUME, "--in-place"] + paths + [fifo],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.time() + 60
        while time.time() < deadline and len([f for f in os.listdir(d) if "volpass-" in f]) < 2:
            time.sleep(0.05)  # a.yaml and b.yaml staged; now it waits on the fifo
        staged = [f for f in os.listdir(d) if "volpass-" in f]
        proc.send_signal(sig)
        proc.wait(timeout=60)
        expect(len(staged) == 2, f"staged files: {staged}")
        expect(proc.returncode == -sig, f"signal {sig}: exit {proc.returncode}")
        expect([_read(p) for p in paths] == before, "a file changed")
        expect(sorted(os.listdir(d)) == ["a.yaml", "b.yaml", "c.yaml"], f"files left: {os.listdir(d)}")


def test_in_place_usage(ctx):
    _usage_error(ctx, ["--volume", VOLUME, PASSING], "files are given with --in-place")
    _usage_error(ctx, ["--volume", VOLUME, "--in-place"], "--in-place needs the files to rewrite")
    _usage_error(ctx, ["--volume", VOLUME, "--in-place", "-o", "x.yaml", PASSING], "no --input or --output")


def test_in_place_regular_files_only(ctx):
    """--in-place rewrites regular files, which change with the others or not
    at all: a FIFO (once read, opened to write it would wait for a reader for
    ever), a device or an open file of the process is refused, with exit 5,
    and the other files stay as they were."""
    import threading
    with _tmp() as d:
        paths = _two_workflows(d)
        before = [_read(p) for p in paths]
        fifo = os.path.join(d, "c.yaml")
        os.mkfifo(fifo)

        def feed():
            with open(fifo, "w") as f:
                f.write(before[0])
        writer = threading.Thread(target=feed)
        writer.start()
        proc = subprocess.run(ctx.wrapper + [ctx.volpass, "--volume", VOLUME, "--in-place"] + paths + [fifo],
                              capture_output=True, text=True, timeout=120)
        writer.join()
        expect(proc.returncode == 5 and proc.stderr == f"{fifo}: error: cannot rewrite it in place: --in-place "
               "rewrites regular files only\n", proc.stderr)
        expect([_read(p) for p in paths] == before, "a file changed")
        expect(sorted(os.listdir(d)) == ["a.yaml", "b.yaml", "c.yaml"], f"files left: {os.listdir(d)}")
    for target in ("/dev/null", "/dev/stdin"):
        with open(PASSING) as f:
            proc = subprocess.run(ctx.wrapper + [ctx.volpass, "--volume", VOLUME, "--in-place", target], stdin=f,
                                  capture_output=True, text=True)
        expect(proc.returncode == 5 and "error: cannot rewrite it in place" in proc.stderr, proc.stderr)


def test_input_too_large_unread(ctx):
    """A regular file past --max-input-bytes (1 GiB by default) is refused by
    its size, before any of it is read: under a 300 MB address-space cap a
    sparse 1 GiB + 1 file gives exit 6, not running out of memory reading it."""
    with _tmp() as d:
        path = os.path.join(d, "huge.yaml")
        with open(path, "wb") as f:
            f.truncate((1 << 30) + 1)
        cap = [] if ctx.instrumented else ["prlimit", f"--as={300 << 20}"]
        proc = subprocess.run(cap + ctx.wrapper + [ctx.volpass, "--volume", VOLUME, "-i", path, "-o",
                                                   os.path.join(d, "out.yaml")], capture_output=True, text=True)
        expect(proc.returncode == 6 and "input exceeds the limit of 1073741824 bytes" in proc.stderr, proc.stderr)
        expect(os.listdir(d) == ["huge.yaml"], str(os.listdir(d)))


def test_input_too_large_from_a_pipe(ctx):
    """From a pipe, volpass holds at most one byte past --max-input-bytes: with
    a limit of 64 MiB (a power of two, as the 1 GiB default is), 100 MB
    piped in under a 100 MiB address-space cap give exit 6, where a buffer
    doubled past the limit to 128 MiB ran out of memory."""
    # Under ASan or valgrind, which no address-space cap suits, the same at a 64th of the size.
    cap = "" if ctx.instrumented else f"prlimit --as={100 << 20} "
    limit, size = (1 << 20, 1562500) if ctx.instrumented else (64 << 20, 100000000)
    command = " ".join(map(shlex.quote, ctx.wrapper + [ctx.volpass, "--volume", VOLUME, "--max-input-bytes",
                                                       str(limit)]))
    proc = subprocess.run(["sh", "-c", f"head -c {size} /dev/zero | tr '\\0' a | {cap}{command}"],
                          capture_output=True, text=True)
    expect(proc.returncode == 6 and f"input exceeds the limit of {limit} bytes" in proc.stderr,
           f"exit {proc.returncode}: {proc.stderr}")


def test_control_characters_escaped(ctx):
    """Names from a workflow or the command line reach messages with their
    control characters escaped (\\x1b), so they cannot drive a terminal or
    a CI log."""
    text = _read(PASSING).replace("template: print-message-from-file", "template: \"zz\\e[2J\"", 1)
    expect("zz" in text, "artifact-passing.yaml changed")
    with _tmp() as d:
        path = os.path.join(d, "wf.yaml")
        _write(path, text)
        proc = ctx.run(["--volume", VOLUME, "-i", path])
        expect(proc.returncode == 3 and "calls template 'zz\\x1b[2J'" in proc.stderr and "\x1b" not in proc.stderr,
               repr(proc.stderr))
        proc = ctx.run(["--volume", VOLUME, "-i", os.path.join(d, "no\x1b[31mfile")])
        expect(proc.returncode == 5 and "no\\x1b[31mfile: error: cannot open" in proc.stderr and
               "\x1b" not in proc.stderr, repr(proc.stderr))
        proc = ctx.run(["--bogus\x1b[31m"])
        expect(proc.returncode == 2 and "'--bogus\\x1b[31m'" in proc.stderr and "\x1b" not in proc.stderr,
               repr(proc.stderr))
        # in verify's report, and --explain's, too
        named = _read(PASSING).replace("name: message", "name: \"mess\\eage\"")
        expect(named.count("mess\\eage") == 2, "artifact-passing.yaml changed")
        _write(path, named)
        out = os.path.join(d, "out.yaml")
        proc = ctx.run(["--volume", VOLUME, "-i", path, "-o", out, "--explain"])
        expect(proc.returncode == 0 and "input artifact 'mess\\x1bage'" in proc.stderr and
               "\x1b" not in proc.stderr, repr(proc.stderr))
        proc = ctx.run(["verify", path, out])
        expect(proc.returncode == 0 and "input 'mess\\x1bage'" in proc.stdout and "\x1b" not in proc.stdout,
               repr(proc.stdout))


def test_in_place_long_name(ctx):
    """A file whose name leaves no room for the staged copy's longer name is
    staged under a shorter one, and rewritten."""
    with _tmp() as d:
        path = os.path.join(d, "a" * 240 + ".yaml")
        _write(path, _read(PASSING))
        proc = ctx.run(["--volume", VOLUME, "--in-place", path])
        expect(proc.returncode == 0 and _read(path) == ctx.rewrite(PASSING).stdout, proc.stderr)
        expect(os.listdir(d) == [os.path.basename(path)], str(os.listdir(d)))
