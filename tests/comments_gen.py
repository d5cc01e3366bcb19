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


if __name__ == "__main__":
    sys.stdout.write(document(int(sys.argv[1])))
