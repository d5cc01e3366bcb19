"""Comments through volpass, on random documents (comments_gen.py), one per
seed of a fixed range: the output holds the same data as the input (read
by PyYAML, apart from volpass), converting it again changes nothing, and
every comment of the input is in it, once. The documents nest block
scalars of both styles, with their hints and text lines that look like
YAML, among comments before entries, after values and on the header lines
of block scalars: where the comment writer must find the lines libyaml
wrote for each node. Then random workflows whose artifacts become
parameters, in both schemes, with comments on every line about them: each
must come through once, beside the parameter that took the artifact's place."""
import re

import yaml

import comments_gen
import reference
from harness import VOLUME, expect

SEEDS = range(300)
WORKFLOW_SEEDS = range(200)
COMMENT = re.compile(r"# [bc]\d+")


def _convert(ctx, text, *options):
    p = ctx.run(["--volume", VOLUME, *options], stdin=text)
    expect(p.returncode == 0, f"exit {p.returncode}: {p.stderr.strip()}")
    return p.stdout


def _seed_case(ctx, seed):
    def run():
        where = f"seed {seed} (python3 tests/comments_gen.py {seed} prints it)"
        text = comments_gen.document(seed)
        out = _convert(ctx, text)
        expect(list(yaml.safe_load_all(out)) == list(yaml.safe_load_all(text)), f"{where}: the data changed:\n{out}")
        expect(_convert(ctx, out) == out, f"{where}: converting the output again changes it:\n{out}")
        written = COMMENT.findall(out)
        lost = sorted(set(COMMENT.findall(text)) - set(written))
        expect(not lost, f"{where}: comments lost: {', '.join(lost)}:\n{out}")
        expect(len(written) == len(set(written)), f"{where}: a comment written twice:\n{out}")
    return run


def _workflow_case(ctx, seed):
    """A workflow's artifacts become parameters (comments_gen.workflow): in
    both schemes, every comment comes through once, and the output holds
    the data that converting the same workflow without comments gives."""
    def run():
        where = f"workflow seed {seed} (python3 tests/comments_gen.py --workflow {seed} prints it)"
        text = comments_gen.workflow(seed)
        bare = comments_gen.workflow(seed, comments=False)
        for scheme in ("volume", "kfp"):
            out = _convert(ctx, text, "--scheme", scheme)
            expect(yaml.safe_load(out) == yaml.safe_load(_convert(ctx, bare, "--scheme", scheme)),
                   f"{where}, {scheme}: the comments changed the data:\n{out}")
            written = COMMENT.findall(out)
            lost = sorted(set(COMMENT.findall(text)) - set(written))
            expect(not lost, f"{where}, {scheme}: comments lost: {', '.join(lost)}:\n{out}")
            expect(len(written) == len(set(written)), f"{where}, {scheme}: a comment written twice:\n{out}")
            if scheme == "volume":  # kfp adds its volume again, as the reference does
                expect(_convert(ctx, out) == out, f"{where}: converting the output again changes it:\n{out}")
    return run


def tests(ctx):
    # With --corpus-every N (CI's valgrind pass), every Nth seed only.
    return [(f"comments:seed {seed}", _seed_case(ctx, seed)) for seed in SEEDS[::reference.CORPUS_EVERY]] + \
        [(f"comments:workflow seed {seed}", _workflow_case(ctx, seed)) for seed in WORKFLOW_SEEDS[::reference.CORPUS_EVERY]]
