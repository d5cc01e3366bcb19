#!/usr/bin/env python3
"""The reference's own command line (../shared/reference/data_passing_using_volume.py,
same arguments), with the one-line fix tests/reference.py applies: unfixed, it
crashes with KeyError: 'container' on the first script template. Everything
else, loading, rewriting and dumping with PyYAML, is the reference's."""
import os
import sys

REFERENCE = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "shared",
                         "reference", "data_passing_using_volume.py")
CRASH = "container_spec = template['container'] or template['steps']"
FIX = "container_spec = template.get('container') or template['script']"

with open(REFERENCE) as f:
    source = f.read()
if CRASH not in source:
    sys.exit("bench/reference_cli.py: the reference changed: the script crash line is gone")
sys.argv[0] = REFERENCE
exec(compile(source.replace(CRASH, FIX), REFERENCE, "exec"), {"__name__": "__main__"})
