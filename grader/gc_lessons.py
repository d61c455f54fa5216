"""Seeded short programs of the kind the garbage-collection and weak-reference lessons use.

`program(seed)` imports some of the stand-in modules (`gc`, `sys`, `copy`, `weakref`) in a random
order and form (`import m`, `import m as alias`, `from m import names`, `import a, b`, one import
placed later in the program), then builds cycles, deletes names, takes weak references (with and
without callbacks), registers `weakref.finalize` callbacks, disables and enables the collector,
allocates in loops that start automatic collections, and prints `gc.collect()` results, weak
references' targets and finalizer output. `corpus()` adds every order of importing the stand-ins,
in each import form, around bodies with cycles, `del`, weak references, `finalize`,
`gc.disable()`/`enable()` and `gc.collect()` prints. Used by tests/grader/test_gc_lessons.py and
by `python -m grader.fidelity_probe --lessons|--corpus`, against plain `python -I`.
"""

import itertools
import random
import re

MODULES = ("gc", "sys", "copy", "weakref")
ALIASES = {"gc": "collector", "sys": "system", "copy": "copying", "weakref": "weak"}
_MEMBER = re.compile(r"\b(gc|sys|copy|weakref)\.(\w+)")

_CLASS = [
    "class Node:",
    "    def __init__(self, name):",
    "        self.name = name",
    "        self.other = None",
    "    def __del__(self):",
    "        print('del', self.name)",
]
_PLAIN_CLASS = [
    "class Box:",
    "    def __init__(self, name):",
    "        self.name = name",
]


def program(seed: int) -> str:
    """The lesson program for `seed` (the same seed always gives the same program)."""
    rng = random.Random(seed)
    body = _body(rng)
    used = {module for module in MODULES if f"{module}." in "\n".join(body)}
    imports = _imports(rng, used, body)
    lines = imports.top + body
    if imports.late is not None:  # an import in the middle, after the class, before its use
        module, line = imports.late
        first_use = next(i for i, text in enumerate(lines) if f"{module}." in text)
        after_class = len(imports.top) + _class_length(body)
        lines.insert(rng.randint(min(after_class, first_use), first_use), line)
    return "\n".join(_renamed(lines, imports.prefixes)) + "\n"


def _class_length(body: list[str]) -> int:
    return len(_CLASS) if body[0] == _CLASS[0] else len(_PLAIN_CLASS)


class _Imports:
    def __init__(self):
        self.top: list[str] = []
        self.late: tuple[str, str] | None = None
        self.prefixes: dict[str, str] = {}


def _imports(rng: random.Random, used: set[str], body: list[str]) -> _Imports:
    """Import lines for the used modules (and maybe an unused one), each in a random form."""
    modules = sorted(used | ({rng.choice(MODULES)} if rng.random() < 0.3 else set()))
    rng.shuffle(modules)
    members = {m: sorted(set(_members_used(m, body))) for m in modules}
    found = _Imports()
    plain = []
    for module in modules:
        form = rng.random()
        if form < 0.2 and members[module]:
            found.top.append(f"from {module} import {', '.join(members[module])}")
            found.prefixes[module] = ""
        elif form < 0.3:
            found.top.append(f"import {module} as {ALIASES[module]}")
            found.prefixes[module] = ALIASES[module] + "."
        else:
            plain.append(module)
            found.prefixes[module] = module + "."
    if len(plain) > 1 and rng.random() < 0.4:
        found.top.append(f"import {', '.join(plain)}")
    else:
        found.top += [f"import {module}" for module in plain]
    rng.shuffle(found.top)
    late = [line for line in found.top if line.startswith("import ") and "," not in line]
    if late and used and rng.random() < 0.25:
        line = rng.choice(late)
        module = line.split()[1]
        if module in used:
            found.top.remove(line)
            found.late = (module, line)
    return found


def _members_used(module: str, body: list[str]):
    for line in body:
        for found in _MEMBER.finditer(line):
            if found.group(1) == module:
                yield found.group(2)


def _renamed(lines: list[str], prefixes: dict[str, str]) -> list[str]:
    def rename(found: re.Match) -> str:
        return prefixes.get(found.group(1), found.group(1) + ".") + found.group(2)

    return [
        line if line.startswith(("import ", "from ")) else _MEMBER.sub(rename, line)
        for line in lines
    ]


def _body(rng: random.Random) -> list[str]:
    lines = list(_CLASS if rng.random() < 0.7 else _PLAIN_CLASS)
    finaliser = lines[0] == _CLASS[0]
    cls = "Node" if finaliser else "Box"
    alive: list[str] = []
    instances: list[str] = []  # what a weak reference can refer to (a list cannot)
    weak: list[str] = []
    for step in range(rng.randint(3, 9)):
        name = f"n{step}"
        kind = rng.choice(_STEPS)
        if kind == "object":
            lines.append(f"{name} = {cls}({name!r})")
            alive.append(name)
            instances.append(name)
        elif kind == "cycle":
            lines.append(f"{name} = {cls}({name!r})")
            lines.append(
                f"{name}.other = {name}" if rng.random() < 0.5 else f"{name}.other = [{name}]"
            )
            alive.append(name)
            instances.append(name)
        elif kind == "pair" and alive:
            other = rng.choice(alive)
            lines.append(f"{name} = {cls}({name!r})")
            lines.append(f"{name}.other = {other}; {other}.other = {name}")
            alive.append(name)
            instances.append(name)
        elif kind == "selflist":
            lines.append(f"{name} = []; {name}.append({name})")
            alive.append(name)
        elif kind == "del" and alive:
            gone = alive.pop(rng.randrange(len(alive)))
            lines.append(f"del {gone}")
            instances = [other for other in instances if other != gone]
        elif kind == "rebind" and alive:
            gone = rng.choice(alive)
            lines.append(f"{gone} = None")
            instances = [other for other in instances if other != gone]
        elif kind == "ref" and instances:
            target = rng.choice(instances)
            if rng.random() < 0.4:
                lines.append(f"w{step} = weakref.ref({target}, lambda r: print('callback {step}'))")
            else:
                lines.append(f"w{step} = weakref.ref({target})")
            weak.append(f"w{step}")
        elif kind == "finalize" and instances:
            target = rng.choice(instances)
            lines.append(f"weakref.finalize({target}, print, 'finalized', {target!r})")
        elif kind == "dictionary" and instances:
            lines.append(f"d{step} = weakref.WeakValueDictionary()")
            lines.append(f"d{step}['k'] = {rng.choice(instances)}")
            lines.append(f"print('entries', len(d{step}))")
        elif kind == "alive" and weak:
            lines.append(f"print({rng.choice(weak)}() is None)")
        elif kind == "collect":
            lines.append("print('collected', gc.collect())")
        elif kind == "disable":
            lines.append("gc.disable()")
        elif kind == "enable":
            lines.append("gc.enable()")
        elif kind == "enabled":
            lines.append("print(gc.isenabled())")
        elif kind == "loop":
            size = rng.choice([10, 100, 400, 800, 2000])
            item = rng.choice(["[i]", "{'i': i}", "(i, [i])", f"{cls}(str(i)) if i == 3 else [i]"])
            lines.append(f"data{step} = [{item} for i in range({size})]")
        elif kind == "refcount" and alive:
            lines.append(f"print(sys.getrefcount({rng.choice(alive)}))")
        elif kind == "copy" and alive:
            function = rng.choice(["copy", "deepcopy"])
            lines.append(f"c{step} = copy.{function}({rng.choice(alive)})")
            lines.append(f"print(c{step} is {alive[-1]})")
    if rng.random() < 0.5:
        lines.append("print('end', gc.collect())")
    return lines


_STEPS = (
    "object cycle cycle pair selflist del del rebind ref ref finalize dictionary alive alive "
    "collect collect disable enable enabled loop loop refcount copy"
).split()


FORMS = ("import {m}", "import {m} as {alias}", "from {m} import {names}")
MEMBERS = {"gc": "collect", "sys": "getrefcount", "copy": "copy", "weakref": "ref"}
USES = {
    "gc": "print('collected', {p}collect())",
    "sys": "print({p}getrefcount(node) > 1)",
    "copy": "print({p}copy(node) is node)",
    "weakref": "alive = {p}ref(node)\nprint(alive() is node)",
}
_BODY_START = """\
class Node:
    def __init__(self, name):
        self.name = name
    def __del__(self):
        print('del', self.name)
node = Node('a')
node.me = node
{uses}
"""
# What follows the imports' uses: a cycle and a self-referencing list deleted; the same with the
# collector disabled around them; a weak reference with a callback and a finalizer.
BODY_ENDS = (
    "del node\ncycle = []\ncycle.append(cycle)\ndel cycle\n{collect}\n",
    "{disable}\ndel node\ncycle = []\ncycle.append(cycle)\ndel cycle\n{enable}\n{collect}\n",
    "{finalize}\ndel node\nspare = [[i] for i in range(300)]\n{collect}\n",
)
ORDERS = [
    order
    for size in range(1, 5)
    for order in itertools.permutations(MODULES, size)
    if size in (1, 4) or order == tuple(sorted(order))
]


def import_program(order: tuple[str, ...], form: int, end: int = 0) -> str:
    """The stand-ins in `order`, the i-th in import form (form + i) % 3, around one body."""
    lines, prefixes = [], {}
    for position, module in enumerate(order):
        pattern = FORMS[(form + position) % len(FORMS)]
        alias = ALIASES[module]
        lines.append(pattern.format(m=module, alias=alias, names=MEMBERS[module]))
        prefixes[module] = (
            ""
            if pattern.startswith("from")
            else (f"{alias}." if " as " in pattern else f"{module}.")
        )
    uses = "\n".join(USES[m].format(p=prefixes[m]) for m in order)
    has_gc = "gc" in order and prefixes["gc"] != ""
    collect = USES["gc"].format(p=prefixes["gc"]) if "gc" in order else "print('end')"
    ending = BODY_ENDS[end].format(
        collect=collect,
        disable=f"{prefixes['gc']}disable()" if has_gc else "pass",
        enable=f"{prefixes['gc']}enable()" if has_gc else "pass",
        finalize=(
            f"{prefixes['weakref']}finalize(node, print, 'finalized')"
            if "weakref" in order and prefixes["weakref"] != ""
            else "pass"
        ),
    )
    return "\n".join(lines) + "\n" + _BODY_START.format(uses=uses) + ending


def corpus(seeds: range = range(40)) -> dict[str, str]:
    """{name: source}: the seeded lessons, then every import order (all permutations of one and
    of all four modules, the sorted pairs and triples) in rotating forms, with each ending."""
    programs = {f"lesson-{seed}": program(seed) for seed in seeds}
    for index, order in enumerate(ORDERS):
        for end in range(len(BODY_ENDS)):
            programs[f"imports-{'-'.join(order)}-{end}"] = import_program(order, index % 3, end)
    return programs
