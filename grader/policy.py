"""What a snippet may say, checked on its syntax tree before anything runs.

`MemoryModelPolicy` subclasses RestrictedPython's transformer but, unlike the library's default,
leaves the program's bytecode as CPython would compile it: calls, subscripts, unpacking, loops,
augmented assignment and print are not rewritten, so reference counts, order of effects and error
messages stay CPython's. Safety rests on names: no underscore names or attributes except a short
list of harmless special names, no builtin that reaches code, files or namespaces, only four
curated stand-in modules. The few attribute names whose danger depends on the object at run time
(`__class__`, `__dict__`, `format`, `format_map`) become calls to the `_getattr_` hook.
See grader/POLICY.md for the reasons behind each rule.
"""

import ast
import builtins
import gc
from contextlib import contextmanager
from types import CodeType

from RestrictedPython.transformer import INSPECT_ATTRIBUTES, RestrictingNodeTransformer

from grader.folding import parse_as_script

SNIPPET_FILENAME = "<snippet>"

# Special methods a class may define (and code may read, e.g. `super().__init__`).
SPECIAL_METHODS = frozenset(
    """__init__ __new__ __repr__ __str__ __eq__ __ne__ __lt__ __le__ __gt__ __ge__ __hash__
    __del__ __len__ __iter__ __next__ __getitem__ __setitem__ __delitem__ __contains__
    __reversed__ __call__ __bool__ __copy__ __deepcopy__ __enter__ __exit__
    __add__ __radd__ __iadd__ __sub__ __rsub__ __isub__ __mul__ __rmul__ __imul__
    __truediv__ __floordiv__ __mod__ __neg__ __pos__ __abs__ __int__ __float__ __index__
    __rtruediv__ __itruediv__ __rfloordiv__ __ifloordiv__ __rmod__ __imod__ __pow__ __rpow__
    __ipow__ __matmul__ __rmatmul__ __imatmul__ __divmod__ __rdivmod__ __and__ __rand__ __iand__
    __or__ __ror__ __ior__ __xor__ __rxor__ __ixor__ __lshift__ __rlshift__ __ilshift__
    __rshift__ __rrshift__ __irshift__ __invert__ __complex__ __round__ __trunc__ __floor__
    __ceil__ __getattr__ __get__ __set_name__ __missing__ __format__ __init_subclass__
    __post_init__""".split()
)
# Special methods a class may define whose reading is checked at run time (GUARDED_ATTRIBUTES):
# `object.__setattr__(x, name, value)` would write any attribute of any object.
GUARDED_SPECIAL_METHODS = frozenset({"__setattr__", "__delattr__"})
# Descriptor methods a class may define (they are called by the interpreter, never read).
DEFINE_ONLY_METHODS = frozenset({"__set__", "__delete__"})
# Names a class body may also bind or read (`__slots__ = ...`, `__hash__ = None`).
CLASS_BODY_NAMES = SPECIAL_METHODS | GUARDED_SPECIAL_METHODS | DEFINE_ONLY_METHODS | {"__slots__"}
# Special attributes that may be read: plain data, or checked at run time (GUARDED_ATTRIBUTES).
READABLE_SPECIAL_ATTRIBUTES = (
    SPECIAL_METHODS
    | {
        "__name__",
        "__qualname__",
        "__module__",
        "__doc__",
        "__defaults__",
        "__kwdefaults__",
        "__slots__",
        "__class__",
        "__dict__",
        "__mro__",  # classes, all reachable anyway; `__subclasses__` and class dicts stay closed
        "__bases__",
        "__cause__",  # exceptions; their `__traceback__` stays closed
        "__context__",
        "__suppress_context__",
    }
    | GUARDED_SPECIAL_METHODS
)
# Attribute loads whose safety depends on the object: they go through the `_getattr_` hook.
GUARDED_ATTRIBUTES = frozenset({"__class__", "__dict__", "format", "format_map"})
GUARDED_ATTRIBUTES |= GUARDED_SPECIAL_METHODS
# The run-time hook every private attribute access (`obj._x`, `self.__x`) goes through: it
# checks that the object is the snippet's own (grader/ownership.py) and returns it.
OWN_HOOK = "_own_"
READABLE_GLOBALS = frozenset({"__name__"})

STAND_IN_MEMBERS = {
    "sys": frozenset(
        """getrefcount getsizeof intern version_info version hexversion maxsize maxunicode
        byteorder float_info int_info hash_info getrecursionlimit getdefaultencoding stdout
        stderr exit""".split()
    ),
    "gc": frozenset(
        """collect enable disable isenabled is_tracked is_finalized get_count get_threshold
        garbage get_referents""".split()
    ),
    "copy": frozenset({"copy", "deepcopy", "Error", "error"}),
    "weakref": frozenset(
        """ref proxy getweakrefcount getweakrefs WeakValueDictionary WeakKeyDictionary WeakSet
        WeakMethod finalize ReferenceType ProxyType CallableProxyType ProxyTypes""".split()
    ),
}
# The library stand-ins (grader/library.py): real classes and functions that hold only what the
# snippet gives them. Built at a run's first import of each.
LIBRARY_MEMBERS = {
    "collections": frozenset("defaultdict Counter OrderedDict deque namedtuple ChainMap".split()),
    "dataclasses": frozenset({"dataclass", "field"}),
    "functools": frozenset("partial reduce lru_cache wraps total_ordering cached_property".split()),
    "itertools": frozenset(
        """count cycle repeat accumulate chain compress dropwhile filterfalse groupby islice
        pairwise starmap takewhile tee zip_longest product permutations combinations
        combinations_with_replacement""".split()
    ),
}
IMPORTABLE_MEMBERS = STAND_IN_MEMBERS | LIBRARY_MEMBERS
# A script's first import of a library module runs its code: thousands of allocations that move
# the collector's schedule, which the stand-in cannot repeat. Refused together with what can
# observe that schedule.
COLLECTOR_OBSERVERS = frozenset({"gc", "weakref"})
REFUSED_MEMBER_REASONS = {
    "modules": "it reaches every loaded module, os and the grader included",
    "settrace": "it would hook into the grader's own frames",
    "setprofile": "it would hook into the grader's own frames",
    "exc_info": "it hands out tracebacks, whose frames reach the grader",
    "exception": "it hands out tracebacks, whose frames reach the grader",
    "get_objects": "it returns every object in the process, the grader's own included",
    "get_referrers": "it returns the namespaces and frames that refer to an object",
    "callbacks": "its callbacks would run inside every later collection",
    "dispatch_table": "it is copyreg's process-wide table: changing it changes every copy",
}

ALLOWED_BUILTINS = frozenset(
    """abs all any ascii bin bool bytearray bytes callable chr classmethod complex delattr dict
    dir divmod enumerate filter float format frozenset getattr hasattr hash hex id int isinstance
    issubclass iter len list map max memoryview min next object oct ord pow print property range
    repr reversed round set setattr slice sorted staticmethod str sum super tuple type vars zip
    exit quit None True False Ellipsis NotImplemented""".split()
) | {
    name
    for name, value in vars(builtins).items()
    if isinstance(value, type) and issubclass(value, BaseException)
}
REFUSED_BUILTIN_REASONS = {
    "eval": "it runs code built at run time, which this policy never checked",
    "exec": "it runs code built at run time, which this policy never checked",
    "compile": "it builds code objects, which would run outside this policy",
    "globals": "it hands out the namespace that holds the sandbox's builtins and hooks",
    "locals": "it hands out a namespace the policy cannot check",
    "open": "snippets have no file access",
    "input": "snippets have no terminal",
    "breakpoint": "it starts a debugger, which can reach any frame",
    "help": "it opens a pager and reads files",
}
REFUSED_BUILTINS = frozenset(vars(builtins)) - ALLOWED_BUILTINS

NODE_REFUSALS = {
    "TryStar": "`try/except*` (exception groups) has been a RestrictedPython escape route",
    "AsyncFunctionDef": "async code is outside the curriculum and its frames (cr_frame) escape",
    "AsyncFor": "async code is outside the curriculum",
    "AsyncWith": "async code is outside the curriculum",
    "Await": "async code is outside the curriculum",
    "Match": "`match` class patterns read attributes without the attribute checks",
    "TypeAlias": "type parameter syntax is outside the curriculum",
    "TypeVar": "type parameter syntax is outside the curriculum",
    "ParamSpec": "type parameter syntax is outside the curriculum",
    "TypeVarTuple": "type parameter syntax is outside the curriculum",
}


def is_dunder(name: str) -> bool:
    return len(name) > 4 and name.startswith("__") and name.endswith("__")


def is_private(name: str) -> bool:
    """`_x`, `__x` (mangled inside a class): allowed on the snippet's own objects only."""
    return name.startswith("_") and not is_dunder(name)


def attribute_refusal(name: str) -> str | None:
    """Why reading attribute `name` is refused, or None when it may be read (private names:
    if the object is the snippet's own, checked at run time)."""
    if name in INSPECT_ATTRIBUTES:
        return "frame, code and generator internals lead to the grader's globals"
    if is_dunder(name) and name not in READABLE_SPECIAL_ATTRIBUTES:
        return "special attributes other than the listed ones are interpreter internals"
    return None


def attribute_write_refusal(name: str) -> str | None:
    if is_dunder(name):
        return "special attributes cannot be assigned or deleted"
    return None


def mangled(name: str, class_name: str | None) -> str:
    """The name the compiler stores for `name` written inside class `class_name`."""
    stripped = (class_name or "").lstrip("_")
    if stripped and name.startswith("__") and not name.endswith("__"):
        return f"_{stripped}{name}"
    return name


class MemoryModelPolicy(RestrictingNodeTransformer):
    """Check a snippet's tree; rewrite only guarded attribute loads."""

    def __init__(self, errors=None, warnings=None, used_names=None):
        super().__init__(errors, warnings, used_names)
        self.bound_names: set[str] = set()
        self.builtin_loads: list[ast.Name] = []
        self.class_body_depth = 0  # >0 while directly inside a class body
        self.class_names: list[str] = []  # the enclosing class statements, innermost last
        self.imported: dict[str, ast.AST] = {}
        self.finalizer: ast.AST | None = None  # a `def __del__`

    # --- messages ---------------------------------------------------------------------

    def refuse(self, node: ast.AST, what: str, why: str) -> None:
        self.errors.append(f"line {getattr(node, 'lineno', '?')}: {what} — {why}")

    def not_allowed(self, node: ast.AST) -> None:
        kind = type(node).__name__
        why = NODE_REFUSALS.get(kind, "this construct has not been reviewed for the sandbox")
        self.refuse(node, f"`{kind}` is not allowed", why)

    def error(self, node: ast.AST, info: str) -> None:  # messages from the library's checks
        self.refuse(node, info.rstrip("."), "refused by RestrictedPython's base policy")

    # --- names ------------------------------------------------------------------------

    def check_name(self, node, name, allow_magic_methods=False):
        # `_i`, `_helper`, `__secret`: private names are the snippet's own. The sandbox's hooks
        # are all named `_x_`, and dunders are the interpreter's.
        if name is None or not name.startswith("_") or name == "_":
            return
        if is_private(name) and not name.endswith("_"):
            return
        if self.class_body_depth and name in CLASS_BODY_NAMES:
            if name == "__del__":
                self.finalizer = node
            return
        self.refuse(
            node,
            f"the name `{name}`",
            "names of the form `_x_` and `__x__` are reserved for the sandbox's hooks and"
            " the interpreter's internals",
        )

    def bind(self, node: ast.AST, name: str | None) -> None:
        if name is not None:
            self.bound_names.add(name)
            self.check_name(node, name)

    def visit_Name(self, node: ast.Name):
        if isinstance(node.ctx, ast.Load):
            if node.id in READABLE_GLOBALS:
                return node
            if node.id in REFUSED_BUILTINS:
                self.builtin_loads.append(node)  # refused unless the snippet binds the name
                return node
            self.check_name(node, node.id)
        else:
            self.bind(node, node.id)
        return node

    def check_function_argument_names(self, node) -> None:
        arguments = node.args
        every = arguments.posonlyargs + arguments.args + arguments.kwonlyargs
        every += [a for a in (arguments.vararg, arguments.kwarg) if a is not None]
        for argument in every:
            self.bind(argument, argument.arg)

    def visit_Global(self, node):
        for name in node.names:
            self.check_name(node, name)
        return node

    visit_Nonlocal = visit_Global

    # --- attributes -------------------------------------------------------------------

    def visit_Attribute(self, node: ast.Attribute):
        node = self.node_contents_visit(node)
        if is_private(node.attr):
            return self.own_object_checked(node)
        if isinstance(node.ctx, ast.Load):
            why = attribute_refusal(node.attr)
            if why:
                self.refuse(node, f"reading the attribute `.{node.attr}`", why)
            elif node.attr in GUARDED_ATTRIBUTES:
                call = ast.Call(
                    func=ast.Name("_getattr_", ast.Load()),
                    args=[node.value, ast.Constant(node.attr)],
                    keywords=[],
                )
                return ast.fix_missing_locations(ast.copy_location(call, node))
        else:
            why = attribute_write_refusal(node.attr) or attribute_refusal(node.attr)
            if why:
                self.refuse(node, f"assigning or deleting the attribute `.{node.attr}`", why)
        return node

    def own_object_checked(self, node: ast.Attribute) -> ast.Attribute:
        """`obj._x` → `_own_(obj, '_x')._x`: the attribute is still read, written or deleted by
        CPython's own instruction (order of effects, method calls, reference counts unchanged);
        the hook refuses objects that are not the snippet's (see grader/ownership.py)."""
        name = mangled(node.attr, self.class_names[-1] if self.class_names else None)
        check = ast.Call(
            func=ast.Name(OWN_HOOK, ast.Load()),
            args=[node.value, ast.Constant(name)],
            keywords=[],
        )
        node.value = ast.fix_missing_locations(ast.copy_location(check, node.value))
        return node

    def visit_AugAssign(self, node: ast.AugAssign):
        target = node.target
        if isinstance(target, ast.Attribute) and target.attr in GUARDED_ATTRIBUTES:
            self.refuse(
                node,
                f"augmented assignment to `.{target.attr}`",
                "it would read the attribute without its run-time check",
            )
        return self.node_contents_visit(node)

    # --- statements and expressions left exactly as CPython compiles them ---------------

    _unchanged = RestrictingNodeTransformer.node_contents_visit
    visit_Subscript = visit_Assign = visit_AnnAssign = _unchanged
    visit_For = visit_comprehension = visit_With = _unchanged
    del _unchanged

    def visit_Call(self, node: ast.Call):
        if isinstance(node.func, ast.Name) and node.func.id == "type" and len(node.args) == 3:
            self.refuse(node, "three-argument `type()`", "it builds classes with any namespace")
        if isinstance(node.func, ast.Name) and node.func.id == "vars" and not node.args:
            self.refuse(node, "`vars()` without an argument", "it hands out the local namespace")
        return self.node_contents_visit(node)

    def visit_ExceptHandler(self, node):
        self.bind(node, node.name)
        return self.node_contents_visit(node)

    def visit_Lambda(self, node):
        self.check_function_argument_names(node)
        return self.node_contents_visit(node)

    def visit_FunctionDef(self, node: ast.FunctionDef):
        self.bind(node, node.name)
        self.check_function_argument_names(node)
        with self._class_body_depth(0):
            for decorator_or_default in node.decorator_list:
                self.visit(decorator_or_default)
            self.visit(node.args)
            if node.returns is not None:
                self.visit(node.returns)
            return self._visit_body(node)

    def visit_ClassDef(self, node: ast.ClassDef):
        self.check_name(node, node.name)
        self.bound_names.add(node.name)
        for keyword in node.keywords:  # others go to the bases' __init_subclass__
            if keyword.arg in (None, "metaclass"):
                self.refuse(
                    node,
                    f"the class keyword `{keyword.arg or '**'}`",
                    "metaclasses run code at class creation that the policy cannot check",
                )
        for expression in node.bases + node.decorator_list + [k.value for k in node.keywords]:
            self.visit(expression)
        self.class_names.append(node.name)
        try:
            with self._class_body_depth(1):
                return self._visit_body(node)
        finally:
            self.class_names.pop()

    def _visit_body(self, node):
        node.body = [self.visit(statement) for statement in node.body]
        if node.type_params:
            self.not_allowed(node.type_params[0])
        return node

    @contextmanager
    def _class_body_depth(self, depth: int):
        """Directly in a class body (1) or not (0), for what is visited inside."""
        saved, self.class_body_depth = self.class_body_depth, depth
        try:
            yield
        finally:
            self.class_body_depth = saved

    def visit_Module(self, node: ast.Module):
        node = self.node_contents_visit(node)
        for load in self.builtin_loads:
            if load.id not in self.bound_names:
                why = REFUSED_BUILTIN_REASONS.get(load.id, "it is not part of the sandbox")
                self.refuse(load, f"the builtin `{load.id}`", why)
        self.refuse_unrepeatable_imports()
        return node

    def refuse_unrepeatable_imports(self) -> None:
        library = [name for name in self.imported if name in LIBRARY_MEMBERS]
        observers = [name for name in self.imported if name in COLLECTOR_OBSERVERS]
        if not library or not (observers or self.finalizer):
            return
        what = f"`import {observers[0]}`" if observers else "a `__del__` method"
        self.refuse(
            self.imported[library[0]],
            f"`import {library[0]}` together with {what}",
            "a script's first import of that module runs thousands of allocations, which move"
            " the garbage collector's schedule; the sandbox cannot repeat them",
        )

    # --- imports ----------------------------------------------------------------------

    def visit_Import(self, node: ast.Import):
        for alias in node.names:
            if alias.name not in IMPORTABLE_MEMBERS:
                self.refuse_import(node, alias.name)
            self.imported.setdefault(alias.name, node)
            self.bind(node, alias.asname or alias.name.partition(".")[0])
        return node

    def visit_ImportFrom(self, node: ast.ImportFrom):
        module = node.module or ""
        if node.level or module not in IMPORTABLE_MEMBERS:
            self.refuse_import(node, "." * node.level + module)
            return node
        self.imported.setdefault(module, node)
        for alias in node.names:
            if alias.name == "*":
                self.refuse(node, f"`from {module} import *`", "import the names you use")
                continue
            if alias.name not in IMPORTABLE_MEMBERS[module]:
                why = REFUSED_MEMBER_REASONS.get(alias.name)
                if why or hasattr(_real_module(module), alias.name):
                    why = why or f"it is not part of the sandbox's curated `{module}`"
                    self.refuse(node, f"`{module}.{alias.name}`", why)
            self.bind(node, alias.asname or alias.name)
        return node

    def refuse_import(self, node: ast.AST, module: str) -> None:
        allowed = ", ".join(sorted(IMPORTABLE_MEMBERS))
        self.refuse(
            node,
            f"importing `{module}`",
            f"only curated stand-ins of {allowed} exist in the sandbox",
        )


def _real_module(name: str):
    return __import__(name)


def _line_of(message: str) -> int:
    line = message.split(":", 1)[0].removeprefix("line ")
    return int(line) if line.isdigit() else 0


def compile_snippet(source: str) -> tuple[CodeType | None, list[str]]:
    """Compile a snippet under the policy: (code, []) or (None, reasons).

    A source CPython itself cannot compile raises SyntaxError, exactly as `compile()` would.
    """
    code, reasons, _allocations, _tree = compile_counted(source)
    return code, reasons


def compile_counted(source: str) -> tuple[CodeType | None, list[str], int, ast.Module]:
    """compile_snippet, plus how many gc-tracked objects the bytecode compiler left allocated,
    plus the parse tree: a script's parse tree stays alive while it runs and holds one reference
    to each constant, which `sys.getrefcount` counts, so the executor keeps it alive too."""
    tree, errors = check_snippet(source)
    if errors:
        return None, errors, 0, tree
    before = gc.get_count()[0]
    code = compile_tree(tree)
    return code, [], gc.get_count()[0] - before, tree


def check_snippet(source: str) -> tuple[ast.Module, list[str]]:
    """The parse tree and the policy's reasons to refuse it (none: it may be compiled).

    A source CPython cannot parse raises SyntaxError; compile_tree raises the rest."""
    tree = parse_as_script(source, SNIPPET_FILENAME)  # folded as a script's (grader/folding.py)
    errors: list[str] = []
    MemoryModelPolicy(errors).visit(tree)
    return tree, sorted(errors, key=_line_of)


def compile_tree(tree: ast.Module) -> CodeType:
    """The policy's tree compiled: the code the executor runs (before the collector's start is
    set; a script's own compiler then runs on the source, grader/compiling.py)."""
    return compile(tree, SNIPPET_FILENAME, "exec", dont_inherit=True)
