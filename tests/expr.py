"""A small interpreter of expr-lang, the language of Argo's `{{=…}}` tags,
`fromExpression` and `valueFrom.expression`, for the simulation
(simulate.py): string and number literals, member access (`.x`, `?.x`,
`['x']`, `?.['x']`), `+` (and `-`, which no string takes: `tasks.a-b` is a
subtraction), `==`, `!=`, `&&`/`and`, `||`/`or`, `!`/`not`, `?:` and
parentheses. A call (`sprig.trim(x)`) or anything else raises Unsupported;
a missing member is None, as in expr-lang, which `+` then refuses."""
import re


class Unsupported(Exception):
    """What the simulation does not model."""


class ExprError(Exception):
    """An expression Argo would fail to evaluate."""


TOKEN = re.compile(r"""\s*(?:('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")|(\d+(?:\.\d+)?)|([A-Za-z_]\w*)"""
                   r"""|(\?\.|==|!=|&&|\|\||[.\[\]()?:+!-]))""")
WORDS = {"and": "&&", "or": "||", "not": "!"}


def _tokens(text):
    pos, out = 0, []
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        m = TOKEN.match(text, pos)
        if not m:
            raise Unsupported(f"expression syntax at {text[pos:]!r}")
        string, number, name, op = m.groups()
        if string is not None:
            out.append(("str", bytes(string[1:-1], "utf-8").decode("unicode_escape")))
        elif number is not None:
            out.append(("num", float(number) if "." in number else int(number)))
        elif name is not None:
            out.append(("op", WORDS[name]) if name in WORDS else ("name", name))
        else:
            out.append(("op", op))
        pos = m.end()
    return out + [("end", None)]


class _Parser:
    """Recursive descent over the tokens, evaluating as it goes."""

    def __init__(self, text, env):
        self.toks, self.i, self.env = _tokens(text), 0, env

    def peek(self, value=None):
        kind, v = self.toks[self.i]
        return kind == "op" and v == value if value else (kind, v)

    def take(self, value=None):
        tok = self.toks[self.i]
        if value and not (tok[0] == "op" and tok[1] == value):
            raise Unsupported(f"expected {value!r}, found {tok[1]!r}")
        self.i += 1
        return tok

    def ternary(self):
        cond = self.binary(0)
        if not self.peek("?"):
            return cond
        self.take("?")
        yes = self.ternary()
        self.take(":")
        no = self.ternary()
        return yes if _truth(cond) else no

    LEVELS = [("||",), ("&&",), ("==", "!="), ("+", "-")]

    def binary(self, level):
        if level == len(self.LEVELS):
            return self.unary()
        left = self.binary(level + 1)
        while any(self.peek(op) for op in self.LEVELS[level]):
            op = self.take()[1]
            right = self.binary(level + 1)
            left = _apply(op, left, right)
        return left

    def unary(self):
        if self.peek("!"):
            self.take()
            return not _truth(self.unary())
        return self.postfix(self.primary())

    def primary(self):
        kind, v = self.take()
        if kind in ("str", "num"):
            return v
        if kind == "name":
            return {"true": True, "false": False, "nil": None}.get(v, self.env.get(v))
        if kind == "op" and v == "(":
            value = self.ternary()
            self.take(")")
            return value
        raise Unsupported(f"expression token {v!r}")

    def postfix(self, value):
        while True:
            if self.peek("?.") and self.toks[self.i + 1] == ("op", "["):
                self.take()  # a?.['x']: the bracket access below, optional
            elif self.peek(".") or self.peek("?."):
                self.take()
                kind, name = self.take()
                if kind != "name":
                    raise Unsupported("member access by a non-name")
                value = _member(value, name)
            elif self.peek("["):
                self.take()
                key = self.ternary()
                self.take("]")
                value = _member(value, key)
            elif self.peek("("):
                raise Unsupported("function calls")
            else:
                return value


def _member(value, key):
    return value.get(key) if isinstance(value, dict) else None


def _truth(value):
    if not isinstance(value, bool):
        raise ExprError(f"a condition that is no boolean: {value!r}")
    return value


def _apply(op, left, right):
    if op == "==":
        return left == right
    if op == "!=":
        return left != right
    if op == "+":
        if isinstance(left, str) and isinstance(right, str):
            return left + right
        raise ExprError(f"cannot add {left!r} and {right!r}")
    if op == "-":  # tasks.a-b.outputs is tasks.a minus b.outputs: a hyphenated name needs ['a-b']
        raise ExprError(f"cannot subtract {right!r} from {left!r}")
    return _truth(left) and _truth(right) if op == "&&" else _truth(left) or _truth(right)


def evaluate(text, env):
    """The value of expression `text` in `env` (nested dicts)."""
    p = _Parser(text, env)
    value = p.ternary()
    if p.peek()[0] != "end":
        raise Unsupported(f"expression continues: {p.peek()[1]!r}")
    return value


def required_paths(text):
    """The names Argo requires to exist before it resolves `text` in a step's
    or task's arguments (missingVarsInEnv in util/template): each
    identifier, and each member path made of names and string indexes, a
    prefix of a longer one included, but none that passes an optional
    member (a?.b) nor the one an optional member reads from. (A `??`,
    which exempts its left side too, is not modelled: its tokens fail.)"""
    toks, paths = _tokens(text), set()
    for i, (kind, name) in enumerate(toks):
        if kind != "name" or (i and toks[i - 1] in (("op", "."), ("op", "?."))):
            continue
        chain, j = [(name, False)], i + 1  # (segment, reached through an optional member)
        while True:
            optional = toks[j] == ("op", "?.")
            k = j + 1 if optional else j
            if toks[k] == ("op", "[") and toks[k + 1][0] == "str" and toks[k + 2] == ("op", "]"):
                chain.append((toks[k + 1][1], optional))
                j = k + 3
            elif (optional or toks[k] == ("op", ".")) and toks[k + (0 if optional else 1)][0] == "name":
                chain.append((toks[k + (0 if optional else 1)][1], optional))
                j = k + (1 if optional else 2)
            else:
                break
        for end in range(1, len(chain) + 1):
            if any(opt for _, opt in chain[1:end]) or (end < len(chain) and chain[end][1]):
                break
            paths.add(".".join(seg for seg, _ in chain[:end]))
    return paths
