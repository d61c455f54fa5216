"""The snippets of the value-family hunt (grader/hunt.py), generated per family.

Each family crosses what varies (the constant's kind, the stand-in, the protocol, the
attribute, the exit form) with where it is used, so that a fix has to hold for the family, not
for the lines of issue 12. Nothing here says what a snippet prints: plain `python -I` does.
"""

# --- 1. reference counts of constants (folded by the compiler, or made by the parser) ----------

CONSTANTS = [
    "(1, 2, 3)",
    "(1, (2, 3), 'a b')",
    "-1000",
    "-2.5",
    "1+2j",
    "'hello ' + 'world'",
    "256 + 1",
    "2 ** 70",
    "10 ** 3",
    "~5000",
    "5000 // 3",
    "(1, 2) + (3,)",
    "(7, 8) * 3",
    "'a-' * 3",
    "1 << 70",
    "0.1 + 0.2",
    "(1000, 2000)[0]",
    "b'abc'",
    "b'ab' b'cd'",
    "'ab' 'c d'",
    "'' 'x y'",
    "1000",
    "2.5",
    "'not interned!'",
    "-(2 ** 63)",
]

CONSTANT_SITES = [
    "import sys\nprint(sys.getrefcount({k}))\n",
    "import sys\nx = {k}\nprint(sys.getrefcount(x))\n",
    "import sys\ndef f():\n    x = {k}\n    return sys.getrefcount(x)\nprint(f(), f())\n",
    "import sys\nfor i in range(2):\n    x = {k}\n    print(sys.getrefcount(x))\n",
    "import sys\ndef f(x={k}):\n    return sys.getrefcount(x)\nprint(f())\n",
    "import sys\nd = {{{k}: 1}}\nkey = list(d)[0]\nprint(sys.getrefcount(key))\n",
    "import sys\nclass C:\n    a = {k}\nprint(sys.getrefcount(C.a))\n",
]


def folded_constants() -> list[str]:
    return [site.format(k=k) for site in CONSTANT_SITES for k in CONSTANTS]


# --- 2. reference counts through the stand-ins and the sandbox's builtins ---------------------

HOST_OBJECTS = [
    "sys",
    "gc",
    "copy",
    "weakref",
    "sys.stdout",
    "sys.stderr",
    "type",
    "getattr",
    "hasattr",
    "setattr",
    "delattr",
    "len",
    "print",
    "sys.getrefcount",
    "copy.deepcopy",
    "weakref.ref",
    "gc.collect",
    "sys.version_info",
    "sys.version",
    "sys.float_info",
    "sys.maxsize",
    "int",
    "object",
    "ValueError",
    "None",
    "sys.exit",
    "str.join",
    "list.append",
    "copy.deepcopy.__defaults__",
    "getattr.__doc__",
    "sys.stdout.write",
    "'{}'.format",
    "str.format",
    "sys.version.upper()",
    "[1, 2]",
]

HOST_SITES = [
    "import sys, gc, copy, weakref\nprint(sys.getrefcount({o}))\n",
    "import sys, gc, copy, weakref\nx = {o}\nprint(sys.getrefcount(x))\n",
    "import sys, gc, copy, weakref\nprint(list(map(sys.getrefcount, [{o}])))\n",
    "import sys, gc, copy, weakref\nprint(sys.getrefcount(*[{o}]))\n",
    "import sys, gc, copy, weakref\nprint(sorted([{o}], key=sys.getrefcount) == [{o}])\n",
]

SELF_IN_PROTOCOLS = [
    "'{{}}'.format(a)",
    "str(a)",
    "f'{{a}}'",
    "print(a)",
    "repr(a)",
    "'%s' % (a,)",
    "[a].__repr__()",
    "format(a)",
]


def standin_refcounts() -> list[str]:
    found = [site.format(o=o) for site in HOST_SITES for o in HOST_OBJECTS]
    for call in SELF_IN_PROTOCOLS:
        found.append(
            "import sys\nclass A:\n    def __str__(self):\n        print(sys.getrefcount(self))\n"
            "        return 'a'\n    __repr__ = __str__\na = A()\nprint(" + call + ")\n"
        )
    return found


# --- 3. recursion ---------------------------------------------------------------------------

RECURSIONS = {
    "call": "def f(n):\n    global depth\n    depth = n\n    f(n + 1)\nf(0)\n",
    "repr": (
        "class R:\n    def __repr__(self):\n        global depth\n        depth += 1\n"
        "        return repr(self)\nrepr(R())\n"
    ),
    "str": (
        "class R:\n    def __str__(self):\n        global depth\n        depth += 1\n"
        "        return str(self)\nstr(R())\n"
    ),
    "eq": (
        "class R:\n    def __eq__(self, other):\n        global depth\n        depth += 1\n"
        "        return self == other\nR() == R()\n"
    ),
    "hash": (
        "class R:\n    def __hash__(self):\n        global depth\n        depth += 1\n"
        "        return hash(self)\nhash(R())\n"
    ),
    "sorted_key": (
        "def key(x):\n    global depth\n    depth += 1\n    return sorted([x], key=key)\nkey(1)\n"
    ),
    "init": (
        "class R:\n    def __init__(self):\n        global depth\n        depth += 1\n"
        "        R()\nR()\n"
    ),
    "getitem": (
        "class R:\n    def __getitem__(self, i):\n        global depth\n        depth += 1\n"
        "        return self[i]\nR()[0]\n"
    ),
    "len": (
        "class R:\n    def __len__(self):\n        global depth\n        depth += 1\n"
        "        return len(self)\nlen(R())\n"
    ),
    "add": (
        "class R:\n    def __add__(self, other):\n        global depth\n        depth += 1\n"
        "        return self + other\nR() + 1\n"
    ),
    "property": (
        "class R:\n    @property\n    def p(self):\n        global depth\n        depth += 1\n"
        "        return self.p\nR().p\n"
    ),
    "call_dunder": (
        "class R:\n    def __call__(self):\n        global depth\n        depth += 1\n"
        "        return self()\nR()()\n"
    ),
    "iter": (
        "class R:\n    def __iter__(self):\n        global depth\n        depth += 1\n"
        "        return iter(self)\niter(R())\n"
    ),
    "bool": (
        "class R:\n    def __bool__(self):\n        global depth\n        depth += 1\n"
        "        return bool(self)\nbool(R())\n"
    ),
    "format": (
        "class R:\n    def __format__(self, spec):\n        global depth\n        depth += 1\n"
        "        return format(self, spec)\nformat(R())\n"
    ),
    "max_key": (
        "def key(x):\n    global depth\n    depth += 1\n    return max([x], key=key)\nkey(1)\n"
    ),
    "map": "def f(x):\n    global depth\n    depth += 1\n    return list(map(f, [x]))\nf(1)\n",
    "nested_list_repr": "a = []\nfor i in range(100000):\n    a = [a]\ndepth = len(repr(a))\n",
    "lambda": "f = lambda n: f(n + 1)\ndepth = 0\nf(0)\n",
}


def recursion() -> list[str]:
    found = ["import sys\nprint(sys.getrecursionlimit())\n"]
    for body in RECURSIONS.values():
        found.append("depth = 0\n" + body)  # uncaught: the message
        caught = "depth = 0\ntry:\n" + _indent(body) + "except RecursionError as e:\n"
        found.append(caught + "    print(depth, e)\n")
        in_function = "def run():\n" + _indent(caught + "    print(depth, e)\n") + "run()\n"
        found.append("depth = 0\n" + in_function)
    return found


def _indent(text: str) -> str:
    return "".join("    " + line + "\n" for line in text.splitlines())


# --- 4. namespaces and introspection of the stand-ins and guarded builtins --------------------

INTROSPECTION = [
    "print(dir())",
    "x = 1\nprint(dir())",
    "x: int = 1\nprint(dir())",
    "def f():\n    y = 2\n    print(dir())\nf()",
    "class C:\n    z = 3\n    print(dir())",
    "import sys\nprint(sys.__doc__ is None, sys.__doc__[:40])",
    "import copy\nprint(copy.__doc__ is None, copy.__doc__[:40])",
    "import gc\nprint(gc.__doc__[:40])",
    "import weakref\nprint(weakref.__doc__[:40])",
    "import gc\nprint(dir(gc))",
    "import copy\nprint(dir(copy))",
    "import weakref\nprint(dir(weakref))",
    "import sys\nprint(sys)",
    "import gc\nprint(gc)",
    "import copy\nprint(copy)",
    "import weakref\nprint(weakref)",
    "import sys\nprint(type(sys))",
    "import sys, gc\nprint(sys.__name__, gc.__name__)",
    "print('x{}'.format.__name__)",
    "print('x{}'.format.__qualname__)",
    "print(type('x{}'.format))",
    "print(str.format)",
    "print('{}'.format_map.__name__)",
    "print(type.mro(int))",
    "print(type.mro(bool))",
    "print(type)",
    "print(type.__name__, type.__qualname__, type.__module__)",
    "print(type(type))",
    "print(type(int) is type, isinstance(int, type), type(type) is type)",
    "print(getattr)",
    "print(hasattr)",
    "print(setattr)",
    "print(delattr)",
    "print(getattr.__name__, getattr.__qualname__, getattr.__module__)",
    "print(type(getattr))",
    "print(type(getattr) is type(len))",
    "print(callable(getattr), callable(type))",
    "getattr(1)",
    "getattr()",
    "getattr(1, 'real', 2, 3)",
    "getattr(1, 2)",
    "getattr(1, 'nope')",
    "print(getattr(1, 'nope', 'default'))",
    "hasattr(1)",
    "setattr(1, 'a')",
    "delattr(1)",
    "getattr(1, name='real')",
    "type()",
    "type(1, 2)",
    "import weakref\nclass A:\n    pass\na = A()\nprint(weakref.proxy(a).__class__)",
    "import weakref\nclass A:\n    pass\na = A()\nprint(type(weakref.proxy(a)))",
    "import sys\nprint(sys.getrefcount)",
    "import sys\nprint(type(sys.getrefcount))",
    "import sys\nprint(sys.getrecursionlimit)",
    "import sys\nprint(sys.exit)",
    "import gc\nprint(gc.collect)",
    "import copy\nprint(copy.deepcopy)",
    "import copy\nprint(copy.copy.__name__, copy.copy.__module__)",
    "import gc\nprint(gc.get_referents)",
    "import gc\nprint(gc.get_referents.__name__)",
    "import sys\nprint(sys.intern.__name__, sys.getsizeof.__module__)",
    "print(__name__)",
    "print(int.__class__, (1).__class__)",
]


def introspection() -> list[str]:
    return [snippet + "\n" for snippet in INTROSPECTION]


# --- 5. sys.stdout and sys.stderr ------------------------------------------------------------

STDOUT_EXPRESSIONS = [
    "{s}.encoding",
    "{s}.errors",
    "{s}.isatty()",
    "{s}.name",
    "{s}.mode",
    "type({s}).__name__",
    "type({s})",
    "{s}",
    "{s}.line_buffering",
    "{s}.closed",
    "{s}.readable()",
    "{s}.writable()",
    "{s}.seekable()",
    "{s}.fileno()",
    "{s}.newlines",
    "{s}.write('abc')",
    "{s}.writelines(['a\\n', 'b\\n'])",
    "{s}.flush()",
    "hasattr({s}, 'encoding')",
    "isinstance({s}, object)",
    "{s}.write_through",
]


def stdout_attributes() -> list[str]:
    return (
        [
            f"import sys\nprint({expression.format(s=stream)})\n"
            for stream in ("sys.stdout", "sys.stderr")
            for expression in STDOUT_EXPRESSIONS
        ]
        + [
            "import sys\nsys.stdout.writelines(['x', 'y\\n'])\nprint('z')\n",
            "import sys\nsys.stdout.write(5)\n",
            "import sys\nsys.stdout.writelines([1])\n",
            "import sys\nout = sys.stdout\nprint('a', file=out)\nout.write('b\\n')\n",
            "print('a\\udc80b')\n",  # a lone surrogate: a raw byte on a script's stdout
            "import sys\nsys.stderr.write('\\udc80')\nprint(1)\n",
        ]
        + stdout_write_calls()
    )


# write() called wrongly, through each way of reaching it: a script's C TextIOWrapper.write
# raises its own messages (no keywords, exactly one argument, a str); and what it is.
WRITE_CALLS = [
    "{w}(text='a')",
    "{w}('a', end='')",
    "{w}()",
    "{w}('a', 'b')",
    "{w}(None)",
    "{w}(b'a')",
    "{w}(*['a'], **{{'s': 1}})",
]
WRITE_PATHS = ["sys.stdout.write", "sys.stderr.write", "getattr(sys.stdout, 'write')"]
WRITE_SITES = [
    "import sys\n{call}\n",
    "import sys\ntry:\n    {call}\nexcept TypeError as error:\n    print(error)\n",
    "import sys\ndef f():\n    w = {path}\n    return {local}\nf()\n",
]
WRITE_IDENTITY = [
    "type({w}).__name__",
    "{w}.__name__",
    "{w}.__qualname__",
    "{w}",
    "{w} == {w}",
]


def stdout_write_calls() -> list[str]:
    calls = [
        site.format(call=call.format(w=path), path=path, local=call.format(w="w"))
        for path in WRITE_PATHS
        for call in WRITE_CALLS
        for site in WRITE_SITES
    ]
    return calls + [
        f"import sys\nprint({shown.format(w=path)})\n"
        for path in WRITE_PATHS
        for shown in WRITE_IDENTITY
    ]


# --- 6. exit and exception groups ------------------------------------------------------------

EXITS = [
    "sys.exit('goodbye')",
    "raise SystemExit('bye')",
    "sys.exit(3)",
    "sys.exit(0)",
    "sys.exit()",
    "sys.exit(None)",
    "raise SystemExit",
    "sys.exit(True)",
    "sys.exit(256)",
    "sys.exit(-1)",
    "sys.exit([1, 2])",
    "raise SystemExit(1, 2)",
    "raise SystemExit('two\\nlines')",
    "raise SystemExit('')",
    "raise ExceptionGroup('eg', [ValueError(1), TypeError(2)])",
    "raise ExceptionGroup('one', [KeyError('k')])",
    "raise ExceptionGroup('outer', [ExceptionGroup('inner', [ValueError(1)]), TypeError(2)])",
    "raise BaseExceptionGroup('b', [KeyboardInterrupt()])",
    "raise ExceptionGroup('many', [ValueError(i) for i in range(20)])",
    "e = ExceptionGroup('noted', [ValueError(1)])\ne.add_note('a note')\nraise e",
]

EXIT_SITES = [
    "import sys\nprint('before')\n{e}\nprint('after')\n",
    "import sys\ndef f():\n" + "    {e}\n" + "f()\n",
    "import sys\ntry:\n    {e}\nfinally:\n    print('finally')\n",
    "import sys\ntry:\n    {e}\nexcept SystemExit as e:\n    print('caught', e.code)\n",
]


def exits() -> list[str]:
    found = []
    for site in EXIT_SITES:
        for form in EXITS:
            if "\n" in form and "    {e}" in site:
                continue  # multi-line forms only at the top level
            found.append(site.format(e=form))
    return found


FAMILIES = {
    "folded_constants": folded_constants,
    "standin_refcounts": standin_refcounts,
    "recursion": recursion,
    "introspection": introspection,
    "stdout": stdout_attributes,
    "exit": exits,
}
