"""Random workflows (generate.py), one per seed of a fixed range, through
volpass and the simulation, as test_simulate.py runs its cases. Each must
either convert, the converted run reading what the original reads, or be
refused (exit 3 or 4) with a message that says where: the template and
the artifact, or the volume's name being taken. Anything else fails the
seed: a difference the simulation finds, a crash, another exit status,
an original the model cannot run or does not model (generate.py writes
only what it models). And since refusing everything would pass, at least
half the seeds must convert."""
import collections
import threading

import generate
import reference
from harness import expect
from test_simulate import check_text

# A fixed range, and seeds past it that once failed: 5501 (the model left out a
# WorkflowTemplate's parameters under workflowTemplateRef), 11281 and 12323 (a
# dag template's call in a cycle, refused naming no artifact; now a twin).
SEEDS = list(range(200)) + [5501, 11281, 12323]
# And seeds of workflows with inputs that take no volume location (generate.py --keeps), where
# volpass keeps producers' outputs real artifacts.
KEEP_SEEDS = list(range(100))
CONVERTED = "same reads"
PASSING = (CONVERTED, "nothing to run", "refused")
REFUSAL = (r"error: (.*template '[^']+'.*artifact (argument )?'[^']+'|.*artifact '[^']+' of template '[^']+'|"
           r"the volume would be named \S+, as \S+ is taken)")

_outcomes = collections.Counter()
_lock = threading.Lock()


def _seed_case(ctx, seed, keeps=False):
    def run():
        outcome = "failed"
        try:
            outcome = check_text(ctx, f"seed-{seed}.yaml", generate.workflow(seed, keeps), refusal=REFUSAL)
            expect(outcome in PASSING, outcome)
        except AssertionError as e:
            outcome = "failed"
            shown = f"{seed} --keeps" if keeps else seed
            raise AssertionError(f"seed {shown} (python3 tests/generate.py {shown} prints it): {e}") from None
        finally:
            with _lock:
                _outcomes[outcome] += 1
    return run


def summary():
    total = sum(_outcomes.values())
    print("generated workflows: " + ", ".join(f"{n} {kind}" for kind, n in sorted(_outcomes.items())))
    expect(2 * _outcomes[CONVERTED] >= total,
           f"{_outcomes[CONVERTED]} of {total} seeds convert: too few to test the conversion")


def tests(ctx):
    # With --corpus-every N (CI's valgrind pass), every Nth seed only, as test_simulate samples its cases.
    return [(f"generated:seed {seed}", _seed_case(ctx, seed)) for seed in SEEDS[::reference.CORPUS_EVERY]] + \
           [(f"generated:keeps seed {seed}", _seed_case(ctx, seed, True)) for seed in KEEP_SEEDS[::reference.CORPUS_EVERY]]
