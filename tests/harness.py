"""Running volpass from the tests, possibly under a wrapper such as valgrind."""
import os
import shlex
import subprocess

VOLUME = "persistentVolumeClaim: {claimName: data-volume}"
VOLUME_DATA = {"persistentVolumeClaim": {"claimName": "data-volume"}}


class Context:
    def __init__(self, build, wrapper, instrumented=False):
        self.instrumented = instrumented or bool(wrapper)  # under ASan or valgrind: slow, no memory caps
        self.build = os.path.abspath(build)
        self.volpass = os.path.join(self.build, "volpass")
        self.wrapper = shlex.split(wrapper) if wrapper else []

    def run(self, args, stdin=None, cwd=None):
        """Runs volpass with `args`; returns the CompletedProcess (text)."""
        return subprocess.run(self.wrapper + [self.volpass] + list(args), input=stdin,
                              capture_output=True, text=True, cwd=cwd, timeout=600)

    def rewrite(self, path, *extra):
        return self.run(["--input", path, "--volume", VOLUME] + list(extra))


def expect(cond, message):
    if not cond:
        raise AssertionError(message)
