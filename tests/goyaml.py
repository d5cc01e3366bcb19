"""YAML read as Argo and Kubernetes read it: go-yaml v2 (under sigs.k8s.io/yaml)
types a plain scalar by a table of words, then as Go's strconv parses numbers.
PyYAML's own resolvers differ (12:30 is 750 to it, y and 1e3 are strings), so
the tests that check volpass's JSON against what Argo would read use this.

Written from go-yaml v2's rules (resolve.go, v2.4), independently of volpass's
C code (src/scalar.c), so that the two check each other."""
import json
import math
import re
import struct

import yaml

WORDS = {}
for _words, _value in (("y Y yes Yes YES true True TRUE on On ON", True),
                       ("n N no No NO false False FALSE off Off OFF", False),
                       ("~ null Null NULL", None),
                       (".nan .NaN .NAN", math.nan),
                       (".inf .Inf .INF +.inf +.Inf +.INF", math.inf),
                       ("-.inf -.Inf -.INF", -math.inf)):
    WORDS.update((w, _value) for w in _words.split())

# The float syntax go-yaml v2 requires before it calls strconv.ParseFloat.
FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")


def _parse_int(text):
    """Go's strconv.ParseInt(text, 0, 64), else ParseUint(text, 0, 64); None when both fail."""
    sign, body = (text[0], text[1:]) if text[:1] in "+-" else ("", text)
    base = 10
    if len(body) >= 3 and body[0] == "0" and body[1] in "bBoOxX":
        base, body = {"b": 2, "o": 8, "x": 16}[body[1].lower()], body[2:]
    elif len(body) >= 2 and body[0] == "0":
        base, body = 8, body[1:]
    if not body or not all(c in "0123456789abcdef"[:base] for c in body.lower()):
        return None
    value = int(body, base) * (-1 if sign == "-" else 1)
    if -2**63 <= value < 2**63 or (not sign and 0 <= value < 2**64):
        return value
    return None


def resolve(text):
    """The value go-yaml v2 gives an untagged plain scalar."""
    if text == "":
        return None
    if text in WORDS:
        return WORDS[text]
    if text[0] == ".":  # strconv.ParseFloat on the text as written
        value = float(text) if FLOAT.fullmatch(text) else None
        return text if value is None or math.isinf(value) else value
    if text[0] not in "+-0123456789":
        return text
    plain = text.replace("_", "")
    number = _parse_int(plain)
    if number is not None:
        return number
    if FLOAT.fullmatch(plain) and not math.isinf(float(plain)):
        return float(plain)
    return text  # timestamps among them: go-yaml gives them to interface{} as strings


class Loader(yaml.SafeLoader):
    """PyYAML's safe loader with go-yaml v2's typing of untagged plain scalars."""


Loader.yaml_implicit_resolvers = {}


def _scalar(loader, node):
    return resolve(node.value) if node.style is None else node.value


Loader.add_constructor("tag:yaml.org,2002:str", _scalar)


def load_all(text):
    return list(yaml.load_all(text, Loader=Loader))


def json_documents(text):
    """The JSON values of a stream volpass wrote with --format json: one a document."""
    decoder, docs, i = json.JSONDecoder(), [], 0
    while i < len(text):
        if text[i].isspace():
            i += 1
            continue
        doc, i = decoder.raw_decode(text, i)
        docs.append(doc)
    return docs


def _float32(value):
    return struct.unpack("f", struct.pack("f", value))[0]


def key_text(key):
    """The JSON key sigs.k8s.io/yaml makes of a mapping key go-yaml typed: Go's
    strconv.FormatFloat(key, 'g', -1, 32) for a float, true or false, digits."""
    if isinstance(key, bool):
        return "true" if key else "false"
    if isinstance(key, int):
        return str(key)
    if not isinstance(key, float):
        return key
    if math.isnan(key) or math.isinf(key):
        return ".nan" if math.isnan(key) else ".inf" if key > 0 else "-.inf"
    single = _float32(key)
    if single == 0:
        return "-0" if math.copysign(1, single) < 0 else "0"
    for precision in range(9):  # the fewest digits that read back as the same float32
        spelled = f"{single:.{precision}e}"
        if _float32(float(spelled)) == single:
            break
    mantissa, exponent = spelled.split("e")
    sign = "-" if mantissa.startswith("-") else ""
    digits = mantissa.lstrip("-").replace(".", "").rstrip("0") or "0"
    exponent = int(exponent)
    if exponent < -4 or exponent >= 6:
        point = "." + digits[1:] if len(digits) > 1 else ""
        return f"{sign}{digits[0]}{point}e{'-' if exponent < 0 else '+'}{abs(exponent):02d}"
    if exponent < 0:
        return f"{sign}0.{'0' * (-exponent - 1)}{digits}"
    whole = digits[:exponent + 1].ljust(exponent + 1, "0")
    fraction = digits[exponent + 1:]
    return f"{sign}{whole}.{fraction}" if fraction else f"{sign}{whole}"


def same(json_value, go_value):
    """Whether volpass's JSON holds what Kubernetes reads: a JSON number the
    float of the same value; .inf and .nan, which JSON cannot hold, the text
    they were written as; keys as key_text spells them, in any order."""
    if isinstance(go_value, float) and (math.isinf(go_value) or math.isnan(go_value)):
        return isinstance(json_value, str) and key_text(resolve(json_value)) == key_text(go_value)
    if isinstance(go_value, float):
        return isinstance(json_value, (int, float)) and not isinstance(json_value, bool) \
            and float(json_value) == go_value
    if isinstance(go_value, dict):
        spelled = {key_text(k): v for k, v in go_value.items()}
        return (isinstance(json_value, dict) and json_value.keys() == spelled.keys()
                and all(same(json_value[k], v) for k, v in spelled.items()))
    if isinstance(go_value, list):
        return (isinstance(json_value, list) and len(json_value) == len(go_value)
                and all(same(a, b) for a, b in zip(json_value, go_value)))
    return type(json_value) is type(go_value) and json_value == go_value
