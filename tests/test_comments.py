"""Comments through volpass, on random documents (comments_gen.py), one per
seed of a fixed range: the output holds the same data as the input (read
by PyYAML, apart from volpass), converting it again changes nothing, and
every comment of the input is in it, once. The documents nest block
scalars of both styles, with their hints and text lines that look like
YAML, among comments before entries, after values and on the header lines
of block scalars: where the comment writer must find the lines libyaml
wrote for each node."""
import re

import yaml

import comments_gen
import reference
from harness import VOLUME, expect

SEEDS = range(300)
COMMENT = re.compile(r"# [bc]\d+")


def _convert(ctx, text):
    p = ctx.run(["--volume", VOLUME], stdin=text)
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


def tests(ctx):
    # With --corpus-every N (CI's valgrind pass), every Nth seed only.
    return [(f"comments:seed {seed}", _seed_case(ctx, seed)) for seed in SEEDS[::reference.CORPUS_EVERY]]
