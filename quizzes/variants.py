"""Parameterised questions, without Django's database: parameters, constraints, templates, the
list of variants and the per-student draw.

A question's `parameters` (Question.parameters) is JSON:

    {"domains": {"n": [5, 256, 257, 1000], "k": {"range": [0, 4]}},
     "constraints": ["n != k", "not (n > 256 and k == 0)"]}

- a domain is a non-empty list of values (int, float, str, bool, or lists of those: what both
  JSON and the TOML fixtures hold, so no None; a tuple, None or any other Python literal is
  written {"literal": "(1, 2)"}, checked by ast.literal_eval, never run), or an
  integer range {"range": [start, stop]} / {"range": [start, stop, step]} (stop excluded);
- a constraint is a small expression over the parameters: names, literals, `and`/`or`/`not`,
  comparisons (`==`, `!=`, `<`, `<=`, `>`, `>=`, `in`, `not in`), `+ - * // %`, tuples and
  lists. It is parsed with `ast` and evaluated by the walker below: nothing an author writes is
  ever passed to eval() or compiled into code in the web process;
- the snippet, prompt and choices hold placeholders `{{ name }}`: in the snippet a value is
  written as a Python literal (its repr: 'a' for a str), in the prompt and choices as print()
  shows it (its str); `{{ name!r }}` asks for the repr there too. Nothing else goes between the
  braces: no expressions, no filters, no code.

Every error is a VariantError whose message names what is wrong, for a form error or a loader
problem, never a 500.
"""

import ast
import hashlib
import hmac
import itertools
import json
import math
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass

# Over this many variants, a reproducible sample of this many is kept (the rest never shown):
# each variant is run by the grader when the question is saved.
VARIANT_CAP = 50
# No domain is enumerated past this, nor the product of all domains: an author's typo
# ({"range": [0, 10**9]}) is refused instead of hanging the save.
MAX_DOMAIN_SIZE = 1_000
MAX_COMBINATIONS = 20_000
MAX_CONSTRAINT_CHARS = 300
MAX_VALUE_CHARS = 200

NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,30}$")
PLACEHOLDER = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)


class VariantError(ValueError):
    """A parameter spec, a constraint or a template that cannot be used; `message` says why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Parameters:
    """A checked parameter spec: domains in name order, and parsed constraints."""

    domains: dict[str, list]
    constraints: tuple[tuple[str, ast.Expression], ...]

    @property
    def names(self) -> list[str]:
        return list(self.domains)

    def __bool__(self) -> bool:
        return bool(self.domains)


# --- The spec ---------------------------------------------------------------------------------


def parse_parameters(spec) -> Parameters:
    """Check `spec` (Question.parameters) and return it parsed; raises VariantError."""
    if spec in (None, "", {}):
        return Parameters({}, ())
    if not isinstance(spec, dict):
        raise VariantError('Parameters must be an object: {"domains": {...}, "constraints": []}.')
    unknown = set(spec) - {"domains", "constraints"}
    if unknown:
        raise VariantError(f"Unknown key(s) in parameters: {', '.join(sorted(unknown))}.")
    raw_domains = spec.get("domains") or {}
    if not isinstance(raw_domains, dict):
        raise VariantError('"domains" must map each parameter name to its values.')
    domains = {name: _domain(name, raw_domains[name]) for name in sorted(raw_domains)}
    raw_constraints = spec.get("constraints") or []
    if not isinstance(raw_constraints, list) or not all(
        isinstance(c, str) for c in raw_constraints
    ):
        raise VariantError('"constraints" must be a list of expressions (strings).')
    if raw_constraints and not domains:
        raise VariantError("Constraints need parameters to constrain.")
    constraints = tuple((text, parse_constraint(text, domains)) for text in raw_constraints)
    return Parameters(domains, constraints)


def _domain(name, raw) -> list:
    if not isinstance(name, str) or not NAME.match(name):
        raise VariantError(
            f"Parameter name {name!r} is not a plain name (a letter, then letters, digits, _)."
        )
    if isinstance(raw, dict):
        if set(raw) != {"range"}:
            raise VariantError(f'Parameter {name}: a range is written {{"range": [start, stop]}}.')
        values = _range(name, raw["range"])
    elif isinstance(raw, list):
        values = raw
    else:
        raise VariantError(f"Parameter {name}: its domain must be a list of values or a range.")
    if not values:
        raise VariantError(f"Parameter {name}: its domain is empty.")
    if len(values) > MAX_DOMAIN_SIZE:
        raise VariantError(f"Parameter {name}: more than {MAX_DOMAIN_SIZE} values.")
    for value in values:
        _check_value(name, value)
    if len({_canonical(v) for v in values}) != len(values):
        raise VariantError(f"Parameter {name}: its domain lists a value twice.")
    return list(values)


def _range(name: str, bounds) -> list[int]:
    if (
        not isinstance(bounds, list)
        or len(bounds) not in (2, 3)
        or not all(isinstance(b, int) and not isinstance(b, bool) for b in bounds)
    ):
        raise VariantError(f"Parameter {name}: a range is [start, stop] or [start, stop, step].")
    if len(bounds) == 3 and bounds[2] == 0:
        raise VariantError(f"Parameter {name}: a range's step cannot be 0.")
    numbers = range(*bounds)
    if len(numbers) > MAX_DOMAIN_SIZE:
        raise VariantError(f"Parameter {name}: more than {MAX_DOMAIN_SIZE} values.")
    return list(numbers)


def _check_value(name: str, value) -> None:
    if isinstance(value, dict):
        _check_literal(name, value)
        return
    if isinstance(value, list):
        for item in value:
            _check_value(name, item)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise VariantError(f"Parameter {name}: {value!r} has no Python literal.")
    elif not isinstance(value, bool | int | str):
        raise VariantError(
            f"Parameter {name}: {value!r} is not an int, float, str, bool or a list of those."
        )
    if len(repr(value)) > MAX_VALUE_CHARS:
        raise VariantError(f"Parameter {name}: a value is longer than {MAX_VALUE_CHARS} chars.")


def _check_literal(name: str, value: dict) -> None:
    text = value.get("literal")
    if set(value) != {"literal"} or not isinstance(text, str):
        raise VariantError(f'Parameter {name}: a literal is written {{"literal": "(1, 2)"}}.')
    if "\n" in text or len(text) > MAX_VALUE_CHARS:
        raise VariantError(f"Parameter {name}: the literal {text!r} must be one short line.")
    try:
        ast.literal_eval(text)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        raise VariantError(
            f"Parameter {name}: {text!r} is not a Python literal (numbers, strings, tuples, "
            "lists, dicts, sets, True, False, None)."
        ) from None


def python_value(value):
    """The Python object a parameter value stands for (a literal's value; lists item by item)."""
    if isinstance(value, dict):
        return ast.literal_eval(value["literal"])
    if isinstance(value, list):
        return [python_value(item) for item in value]
    return value


def code_text(value) -> str:
    """A value as the snippet's source shows it: a Python literal."""
    if isinstance(value, dict):
        return value["literal"]
    if isinstance(value, list):
        return "[" + ", ".join(code_text(item) for item in value) + "]"
    return repr(value)


def _canonical(value) -> str:
    # 1 and True are different values to a lesson (and to repr), so types are part of it.
    return json.dumps([type(value).__name__, value])


# --- Constraints: parsed by ast, evaluated by this walker (never eval) -------------------------

_COMPARE = {
    ast.Eq: lambda a, b: a == b,
    ast.NotEq: lambda a, b: a != b,
    ast.Lt: lambda a, b: a < b,
    ast.LtE: lambda a, b: a <= b,
    ast.Gt: lambda a, b: a > b,
    ast.GtE: lambda a, b: a >= b,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
}
_ARITHMETIC = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.FloorDiv: lambda a, b: a // b,
    ast.Mod: lambda a, b: a % b,
}


def parse_constraint(text: str, domains: dict[str, list]) -> ast.Expression:
    """Parse one constraint, refusing anything but the small language (module docstring)."""
    if len(text) > MAX_CONSTRAINT_CHARS:
        raise VariantError(f"Constraint {text!r} is longer than {MAX_CONSTRAINT_CHARS} chars.")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as error:
        raise VariantError(f"Constraint {text!r} is not an expression: {error.msg}.") from None
    for node in ast.walk(tree):
        _check_node(text, node, domains)
    return tree


def _check_node(text: str, node: ast.AST, domains: dict[str, list]) -> None:
    allowed = (
        ast.Expression,
        ast.BoolOp,
        ast.And,
        ast.Or,
        ast.UnaryOp,
        ast.Not,
        ast.USub,
        ast.Compare,
        ast.BinOp,
        ast.Constant,
        ast.Name,
        ast.Load,
        ast.Tuple,
        ast.List,
        *_COMPARE,
        *_ARITHMETIC,
    )
    if not isinstance(node, allowed):
        raise VariantError(
            f"Constraint {text!r}: {type(node).__name__} is not allowed (only names, literals, "
            "and/or/not, comparisons, in, + - * // %)."
        )
    if isinstance(node, ast.Name) and node.id not in domains:
        raise VariantError(f"Constraint {text!r} names {node.id!r}, which is not a parameter.")
    if isinstance(node, ast.Constant) and not (
        node.value is None or isinstance(node.value, bool | int | float | str)
    ):
        raise VariantError(f"Constraint {text!r}: {node.value!r} is not allowed.")


def satisfies(parameters: Parameters, values: dict) -> bool:
    """Whether `values` meets every constraint; raises VariantError when one cannot be
    evaluated for them (a type mismatch, a division by zero), naming the values."""
    python = {name: python_value(value) for name, value in values.items()}
    for text, tree in parameters.constraints:
        try:
            result = _evaluate(tree.body, python)
        except (TypeError, ZeroDivisionError, OverflowError, ValueError) as error:
            raise VariantError(
                f"Constraint {text!r} fails for {describe(values)}: {error}."
            ) from None
        if not result:
            return False
    return True


def _evaluate(node: ast.AST, values: dict):
    match node:
        case ast.Constant(value=value):
            return value
        case ast.Name(id=name):
            return values[name]
        case ast.Tuple(elts=items):
            return tuple(_evaluate(item, values) for item in items)
        case ast.List(elts=items):
            return [_evaluate(item, values) for item in items]
        case ast.BoolOp(op=ast.And(), values=operands):
            return all(_evaluate(operand, values) for operand in operands)
        case ast.BoolOp(op=ast.Or(), values=operands):
            return any(_evaluate(operand, values) for operand in operands)
        case ast.UnaryOp(op=ast.Not(), operand=operand):
            return not _evaluate(operand, values)
        case ast.UnaryOp(op=ast.USub(), operand=operand):
            return -_evaluate(operand, values)
        case ast.BinOp(left=left, op=op, right=right):
            a, b = _evaluate(left, values), _evaluate(right, values)
            if isinstance(op, ast.Mult) and _too_big(a, b):
                raise ValueError("a product too large for a constraint")
            return _ARITHMETIC[type(op)](a, b)
        case ast.Compare(left=left, ops=ops, comparators=comparators):
            current = _evaluate(left, values)
            for comparison, comparator in zip(ops, comparators, strict=True):
                following = _evaluate(comparator, values)
                if not _COMPARE[type(comparison)](current, following):
                    return False
                current = following
            return True
    raise TypeError(f"{type(node).__name__} cannot be evaluated")  # refused by _check_node


def _too_big(a, b) -> bool:
    # "x" * 10**9 or a list repeated without end would stall the web process.
    sizes = [len(v) if isinstance(v, str | tuple | list) else 1 for v in (a, b)]
    counts = [abs(v) if isinstance(v, int) else 1 for v in (a, b)]
    return max(sizes) * max(counts) > 100_000


# --- Templates --------------------------------------------------------------------------------


def placeholders(template: str) -> list[tuple[str, bool]]:
    """The (name, as_repr) of every {{ ... }} in `template`; raises VariantError for one that is
    not a plain name, with an optional !r."""
    found = []
    for match in PLACEHOLDER.finditer(template):
        inside = match.group(1).strip()
        name, as_repr = (inside[:-2].strip(), True) if inside.endswith("!r") else (inside, False)
        if not NAME.match(name):
            raise VariantError(
                f"{{{{{match.group(1)}}}}} is not a placeholder: only {{{{ name }}}} or "
                "{{ name!r }} of a declared parameter, no expressions."
            )
        found.append((name, as_repr))
    return found


def check_template(template: str, parameters: Parameters, where: str) -> None:
    """Raise VariantError when `template` uses a placeholder that is not a parameter."""
    for name, _ in placeholders(template):
        if name not in parameters.domains:
            known = ", ".join(parameters.names) or "none declared"
            raise VariantError(
                f"The {where} uses {{{{ {name} }}}}, which is not a parameter ({known})."
            )


def render(template: str, values: dict, *, code: bool) -> str:
    """`template` with each placeholder replaced: in code by a Python literal (code_text), else
    by its repr with !r, its str otherwise (as print() shows it). A template without parameters
    is returned as is."""
    if not values:
        return template

    def substitute(match: re.Match) -> str:
        inside = match.group(1).strip()
        as_repr = inside.endswith("!r")
        name = inside.removesuffix("!r").strip()
        if name not in values:
            raise VariantError(f"{{{{ {name} }}}} is not a parameter.")
        if code:
            return code_text(values[name])
        value = python_value(values[name])
        return repr(value) if as_repr else str(value)

    return PLACEHOLDER.sub(substitute, template)


# --- The list of variants ---------------------------------------------------------------------


def spec_digest(spec) -> str:
    return hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True)
class VariantList:
    assignments: list[dict]  # the variants kept, in enumeration order
    total: int  # how many assignments meet the constraints (more than kept when over the cap)


def enumerate_variants(parameters: Parameters, *, seed: str, cap: int | None = None) -> VariantList:
    """Every assignment of the domains that meets the constraints, in a fixed order (names
    sorted, each domain in its written order); over `cap`, `cap` of them drawn with a generator
    seeded by `seed` (the spec's digest), kept in that order. Raises VariantError when none is
    left, or the domains are too large to enumerate."""
    if not parameters:
        return VariantList([], 0)
    product = math.prod(len(values) for values in parameters.domains.values())
    if product > MAX_COMBINATIONS:
        raise VariantError(
            f"The domains make {product} combinations; at most {MAX_COMBINATIONS} are enumerated."
        )
    cap = VARIANT_CAP if cap is None else cap
    kept = [values for values in _assignments(parameters) if satisfies(parameters, values)]
    if not kept:
        raise VariantError("No assignment of the parameters meets the constraints.")
    total = len(kept)
    if total > cap:
        chosen = sorted(random.Random(seed).sample(range(total), cap))
        kept = [kept[index] for index in chosen]
    return VariantList(kept, total)


def _assignments(parameters: Parameters) -> Iterator[dict]:
    names = parameters.names
    for combination in itertools.product(*(parameters.domains[name] for name in names)):
        yield dict(zip(names, combination, strict=True))


def describe(values: dict) -> str:
    """Parameter values as an author reads them: n=257, kind='list'."""
    return ", ".join(f"{name}={code_text(value)}" for name, value in sorted(values.items()))


# --- The draw ---------------------------------------------------------------------------------


def draw_index(secret: bytes, scope: str, count: int) -> int:
    """Which of `count` variants `scope` (an attempt and a question, say) gets: HMAC-SHA256 of
    the scope under `secret`, as a number, modulo `count`. The same scope always gets the same
    variant; without the secret nobody can tell which one a scope gets."""
    if count < 1:
        raise ValueError("no variant to draw from")
    digest = hmac.new(secret, scope.encode("utf-8"), hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") % count


def draw_secret(secret_key: str) -> bytes:
    """The draw's own key, derived from the site's SECRET_KEY, so a draw reveals nothing of it."""
    return hashlib.sha256(f"quizzes.variants:{secret_key}".encode()).hexdigest().encode()


def attempt_scope(attempt_id: int, question_id: int) -> str:
    """What an attempt's draw for one question is keyed on (draw_index's `scope`)."""
    return f"attempt:{attempt_id}:question:{question_id}"
