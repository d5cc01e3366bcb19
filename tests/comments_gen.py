"""Random YAML documents full of comments, for test_comments.py: block
mappings and sequences nested a few levels, whose scalars are plain, quoted,
or literal and folded block scalars (chomping and indentation hints, tags,
text lines that end in '>' or look like keys, items and comments), with
comment lines before entries, comments after values and on the header
line of block scalars; after them, some entries libyaml writes otherwise
(multi-line plain and quoted scalars, a complex key, a flow collection, an
anchor and its alias), and at times a second document. Each comment is numbered apart, so that the test can
tell which came through. `python3 tests/comments_gen.py SEED` prints one."""
import itertools
import random
import sys

BLOCK_LINES = ["a", "b >", "c d", "e >-", "- f", "g: h", ">", "|", "# no comment", "k: >"]


def document(seed):
    r = random.Random(seed)
    ids = itertools.count()

    def comment():
        return f"  # c{next(ids)}" if r.random() < 0.4 else ""

    def line_comment(indent):
        return f"{' ' * indent}# b{next(ids)}\n" if r.random() < 0.3 else ""

    def block_scalar(indent):
        lines = []
        for _ in range(r.randint(0, 5)):
            k = r.random()
            if k < 0.2:
                lines.append("")
            elif k < 0.4:
                lines.append("  " * r.randint(1, 2) + r.choice(BLOCK_LINES))
            else:
                lines.append(r.choice(BLOCK_LINES))
        header = r.choice("|>")
        if next((line for line in lines if line), "").startswith(" "):
            header += "2"  # text that starts with blanks needs its indentation given
        header += r.choice(["", "-", "+"])
        tag = r.choice(["", "", "!!str "])
        body = "".join((" " * (indent + 2) + line if line else "") + "\n" for line in lines)
        return f"{tag}{header}{comment()}\n{body}"

    def node(indent, depth):
        k = r.random()
        if depth > 2 or k < 0.4:
            if r.random() < 0.5:
                return block_scalar(indent)
            return r.choice(["p", "q >", "'s'", '"d"', "1"]) + comment() + "\n"
        text = comment() + "\n"
        for i in range(r.randint(1, 4)):
            text += line_comment(indent)
            value = node(indent + 2, depth + 1)
            text += " " * indent + ("- " if k < 0.7 else f"k{i}: ") + value
        return text

    text = ""
    for i in range(r.randint(1, 4)):
        text += line_comment(0) + f"key{i}: " + node(2, 0)
    others = [  # entries libyaml writes otherwise than as they were
        f"multi: first\n  second line  # c{next(ids)}\n",
        f"quoted: 'a\n  b'  # c{next(ids)}\n",
        f"? complex  # c{next(ids)}\n: value\n",
        f"flow: {{a: 1, b: [2, 3]}}  # c{next(ids)}\n",
        f"anchored: &A v  # c{next(ids)}\nalias: *A  # c{next(ids)}\n",
        f'escaped: "x\\n y"  # c{next(ids)}\n',
    ]
    text += "".join(r.sample(others, r.randint(0, 3)))
    if r.random() < 0.3:  # a stream: a header before "---", and a second document
        text = f"# b{next(ids)}\n---\n{text}---\n# b{next(ids)}\nz: 1  # c{next(ids)}\n"
    return text


def workflow(seed, comments=True):
    """A workflow whose producer hands one to three artifacts to a consumer,
    through a dag or steps call, with comments on every line about them:
    before and on the lines of lists, their entries and fields (in block and
    flow style), beside parameters already there and an output kept real
    (its own destination). Without `comments`, the same workflow bare."""
    r = random.Random(seed)
    ids = itertools.count()

    def after():  # on a line's end: drawn alike with or without comments
        return f"  # c{next(ids)}" if r.random() < 0.5 and comments else ""

    def before(indent):
        return f"{' ' * indent}# b{next(ids)}\n" if r.random() < 0.4 and comments else ""

    def entries(indent, items):
        """A list's value, block or flow, after its key: items are lists of (key, value)."""
        if r.random() < 0.25:
            flow = ", ".join("{" + ", ".join(f"{k}: {v}" for k, v in item) + "}" for item in items)
            return f" [{flow}]{after()}\n"
        text = after() + "\n"
        for item in items:
            text += before(indent)
            if r.random() < 0.2:
                text += " " * indent + "- {" + ", ".join(f"{k}: {v}" for k, v in item) + "}" + after() + "\n"
                continue
            for j, (k, v) in enumerate(item):
                text += (before(indent + 2) if j else "") + " " * indent + ("- " if j == 0 else "  ")
                text += f"{k}: {v}{after()}\n"
        return text

    def section(indent, key, params, artifacts):
        text = before(indent) + " " * indent + key + ":" + after() + "\n"
        lists = [("parameters", params), ("artifacts", artifacts)]
        r.shuffle(lists)
        for name, items in lists:
            if items:
                text += before(indent + 2) + " " * (indent + 2) + name + ":" + entries(indent + 2, items)
        return text

    n = r.randint(1, 3)
    dag = r.random() < 0.5
    ref = "tasks" if dag else "steps"
    params = [[("name", "mode"), ("value", "fast")]] if r.random() < 0.4 else []
    args = [[("name", f"in{i}"), ("from", f'"{{{{{ref}.gen.outputs.artifacts.out{i}}}}}"')] for i in range(n)]
    outs = [[("name", f"out{i}"), ("path", f"/tmp/out{i}/f{i}.txt")] for i in range(n)]
    if r.random() < 0.4:
        outs.insert(r.randint(0, n), [("name", "log"), ("path", "/tmp/log/run.log"), ("s3", "{key: logs/run.log}")])
    ins = [[("name", f"in{i}"), ("path", f"/data/in{i}/g{i}.txt")] for i in range(n)]
    text = ("apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata:\n  generateName: c-\n"
            "spec:\n  entrypoint: main\n  templates:\n  - name: main\n")
    if dag:
        text += "    dag:\n      tasks:\n      - name: gen\n        template: gen\n"
        text += "      - name: use\n        template: use\n        dependencies: [gen]\n"
        text += section(8, "arguments", params, args)
    else:
        text += "    steps:\n    - - name: gen\n        template: gen\n"
        text += "    - - name: use\n        template: use\n"
        text += section(8, "arguments", params, args)
    text += "  - name: gen\n    container:\n      image: busybox\n      command: [sh, -c, \"echo\"]\n"
    text += section(4, "outputs", [[("name", "note"), ("value", "x")]] if params else [], outs)
    text += "  - name: use\n"
    text += section(4, "inputs", [[("name", "mode")]] if params else [], ins)
    text += "    container:\n      image: busybox\n      command: [cat]\n"
    return text


if __name__ == "__main__":
    if sys.argv[1:2] == ["--workflow"]:
        sys.stdout.write(workflow(int(sys.argv[2])))
    else:
        sys.stdout.write(document(int(sys.argv[1])))
