"""Fidelity: each snippet is run by `grader.run` and by `python -I file.py` (the grader's own
interpreter, in a fresh process); stdout and the exception line must be identical.

Nothing here types an expected output: CPython is the oracle. The CPython side runs once per
module in a few threads (each snippet still in its own interpreter).
"""

from concurrent.futures import ThreadPoolExecutor

import pytest

import grader

# A class whose instances say when they are finalised, for the shutdown-order snippets.
NAMED_DEL = (
    "class D:\n    def __init__(self, n):\n        self.n = n\n"
    "    def __del__(self):\n        print('del', self.n)\n"
)

SNIPPETS = {
    # --- identity ---------------------------------------------------------------------
    "identity_new_lists": "a = []\nb = []\nprint(a is b, a == b)\nc = a\nprint(c is a)\n",
    "identity_id_equal": (
        "a = [1]\nb = a\nprint(id(a) == id(b))\nb = b + []\nprint(id(a) == id(b))\n"
    ),
    "identity_none_singleton": "x = None\ny = [None][0]\nprint(x is y, type(x) is type(None))\n",
    "identity_empty_tuple": "a = ()\nb = tuple()\nprint(a is b)\nprint(tuple([]) is ())\n",
    "identity_bool": "print(True is (1 == 1), bool(0) is False)\n",
    "identity_methods": (
        "class C:\n    def m(self):\n        pass\nc = C()\n"
        "print(c.m is c.m, c.m == c.m, C.m is C.m)\n"
    ),
    "identity_class_repr_main": (
        "class Point:\n    pass\nprint(Point)\nprint(type(Point()))\nprint(Point.__name__)\n"
    ),
    "identity_is_not": "print('x' is not None)\nprint([] is not [])\n",
    "identity_nan": "x = float('nan')\nprint(x == x, [x] == [x], x is x)\n",
    "identity_type_of_type": (
        "print(type(int))\nprint(type(type(1)) is type)\nprint(isinstance(int, type))\n"
    ),
    # --- reference counts ---------------------------------------------------------------
    "refcount_basic": (
        "import sys\na = []\nprint(sys.getrefcount(a))\nb = a\nprint(sys.getrefcount(a))\n"
        "del b\nprint(sys.getrefcount(a))\n"
    ),
    # A script's parse tree holds one reference to each constant while the script runs.
    "refcount_large_int_constant": (
        "import sys\nx = 1000\nprint(sys.getrefcount(x))\ny = 1000\nprint(sys.getrefcount(x))\n"
    ),
    "refcount_string_and_float_constants": (
        "import sys\ns = 'not interned!'\nf = 2.5\nprint(sys.getrefcount(s), sys.getrefcount(f))\n"
        "t = (s, f)\nprint(sys.getrefcount(s), sys.getrefcount(f))\n"
    ),
    "refcount_constant_in_function": (
        "import sys\ndef f():\n    big = 123456\n    return sys.getrefcount(big)\nprint(f())\n"
    ),
    "refcount_in_list": (
        "import sys\nx = object()\nbox = [x, x, x]\nprint(sys.getrefcount(x))\nbox.clear()\n"
        "print(sys.getrefcount(x))\n"
    ),
    "refcount_inside_function": (
        "import sys\ndef f(obj):\n    return sys.getrefcount(obj)\nitem = []\nprint(f(item))\n"
    ),
    "refcount_for_unpack": (
        "import sys\npairs = [([], []) for i in range(2)]\nfor a, b in pairs:\n"
        "    print(sys.getrefcount(a), sys.getrefcount(b))\n"
    ),
    "refcount_for_plain": (
        "import sys\nitems = [[] for i in range(2)]\n"
        "for x in items:\n    print(sys.getrefcount(x))\n"
    ),
    "refcount_method_self": (
        "import sys\nclass C:\n    def count(self):\n        return sys.getrefcount(self)\n"
        "c = C()\nprint(c.count())\nm = c.count\nprint(m())\n"
    ),
    "refcount_attribute": (
        "import sys\nclass C:\n    pass\nc = C()\nc.data = []\nprint(sys.getrefcount(c.data))\n"
    ),
    "refcount_dict_value": (
        "import sys\nv = []\nd = {'k': v}\nprint(sys.getrefcount(v))\ndel d['k']\n"
        "print(sys.getrefcount(v))\n"
    ),
    "refcount_from_import": "from sys import getrefcount\nz = []\nprint(getrefcount(z))\n",
    "refcount_del_prints": (
        "class C:\n    def __del__(self):\n        print('deleted')\nx = C()\ny = x\ndel x\n"
        "print('x gone')\ndel y\nprint('y gone')\n"
    ),
    "refcount_getsizeof": "import sys\nprint(sys.getsizeof(1) == sys.getsizeof(2))\n",
    # Immortal objects show CPython's fixed count; a new reference to a builtin type's member
    # counts, as in a script (the grader makes its own objects immortal, grader/immortal.py,
    # never what a snippet can reach).
    "refcount_singletons_and_type_members_count_references": (
        "import sys\ndef added(obj):\n    before = sys.getrefcount(obj)\n    held = [obj, obj]\n"
        "    return sys.getrefcount(obj) - before\n"
        "print(added(None), added(True), added(ValueError), added(int))\n"
        "print(added(str.join), added(object.__init__), added(list.append))\n"
    ),
    # --- mutability and aliasing ----------------------------------------------------------
    "alias_iadd_list": "a = b = []\na += [1]\nprint(a, b, a is b)\n",
    "alias_add_list": "a = b = []\na = a + [1]\nprint(a, b, a is b)\n",
    "alias_iadd_tuple": "a = b = (1,)\na += (2,)\nprint(a, b, a is b)\n",
    "alias_tuple_item_iadd": "t = ([1],)\nt[0] += [2]\n",
    "alias_tuple_item_iadd_effect": (
        "t = ([1],)\ntry:\n    t[0] += [2]\nexcept TypeError as e:\n    print(e)\nprint(t)\n"
    ),
    "alias_attribute_iadd": (
        "class C:\n    shared = [5]\n    def __init__(self, x):\n        self.shared += [x]\n"
        "a = C(1)\nb = C(2)\nprint(a.shared, b.shared, a.shared is C.shared)\n"
    ),
    "alias_board": "row = [''] * 3\nboard = [row] * 3\nboard[0][0] = 'X'\nprint(board)\n",
    "alias_board_comprehension": (
        "board = [[''] * 3 for i in range(3)]\nboard[0][0] = 'X'\nprint(board)\n"
    ),
    "alias_default_argument": (
        "def f(x=[]):\n    x.append(1)\n    return x\nprint(f(), f())\nprint(f.__defaults__)\n"
    ),
    "alias_string_iadd": "s = t = 'ab'\ns += 'c'\nprint(s, t, s is t)\n",
    "alias_slice_assign": "a = [1, 2, 3]\nb = a\na[:] = [9]\nprint(b)\n",
    "alias_dict_view": "d = {'a': 1}\nk = d.keys()\nd['b'] = 2\nprint(k)\n",
    "alias_remove_while_iterating": (
        "xs = [1, 2, 3, 4]\nfor x in xs:\n    xs.remove(x)\nprint(xs)\n"
    ),
    "alias_int_inplace_ops": (
        "n = 10\nm = n\nn -= 3\nn *= 2\nn //= 3\nn **= 2\nn %= 7\nn <<= 1\nn |= 1\nprint(n, m)\n"
    ),
    "alias_set_iops": "a = b = {1}\na |= {2}\na &= {1, 2}\na -= {9}\na ^= {3}\nprint(a, b is a)\n",
    "alias_frozen_set_iop": "a = b = frozenset({1})\na |= {2}\nprint(a, b, a is b)\n",
    "alias_iadd_custom": (
        "class Acc:\n    def __init__(self):\n        self.items = []\n"
        "    def __iadd__(self, other):\n        self.items.append(other)\n        return self\n"
        "a = b = Acc()\na += 5\nprint(b.items, a is b)\n"
    ),
    # --- copying ----------------------------------------------------------------------------
    "copy_shallow": (
        "import copy\na = [[1], [2]]\nb = copy.copy(a)\nprint(b is a, b[0] is a[0])\n"
    ),
    "copy_deep": (
        "import copy\na = [[1], [2]]\nb = copy.deepcopy(a)\nprint(b is a, b[0] is a[0], b)\n"
    ),
    "copy_deep_cycle": (
        "import copy\na = [1]\na.append(a)\nb = copy.deepcopy(a)\nprint(b[1] is b, b)\n"
    ),
    "copy_hooks": (
        "import copy\nclass C:\n    def __init__(self, v):\n        self.v = v\n"
        "    def __copy__(self):\n        print('copy')\n        return C(self.v)\n"
        "    def __deepcopy__(self, memo):\n        print('deepcopy', len(memo))\n"
        "        return C(copy.deepcopy(self.v, memo))\n"
        "c = C([1])\nprint(copy.copy(c).v is c.v, copy.deepcopy(c).v is c.v)\n"
    ),
    "copy_slice_and_list": "a = [1, 2]\nprint(a[:] is a, list(a) is a, a.copy() == a)\n",
    "copy_str_slice": "s = 'hello'\nprint(s[:] is s)\n",
    "copy_tuple": "import copy\nt = (1, 2)\nprint(copy.copy(t) is t, copy.deepcopy(t) is t)\n",
    "copy_tuple_mutable": "import copy\nt = ([1],)\nprint(copy.deepcopy(t) is t)\n",
    "copy_dict_copy": "d = {'a': [1]}\ne = d.copy()\ne['a'].append(2)\nprint(d)\n",
    "copy_from_import": "from copy import deepcopy as dc\nprint(dc({'x': [1]}))\n",
    # --- dictionary keys and hashability ----------------------------------------------------
    "hash_list_key": "d = {}\nd[[1]] = 2\n",
    "hash_tuple_with_list": "print(hash((1, [2])))\n",
    "hash_equal_numbers": "d = {1: 'int'}\nd[1.0] = 'float'\nd[True] = 'bool'\nprint(d)\n",
    "hash_custom_eq_no_hash": (
        "class P:\n    def __eq__(self, other):\n        return True\nprint({P(): 1})\n"
    ),
    "hash_custom": (
        "class P:\n    def __init__(self, x):\n        self.x = x\n    def __eq__(self, o):\n"
        "        return self.x == o.x\n    def __hash__(self):\n        return hash(self.x)\n"
        "s = {P(1), P(1), P(2)}\nprint(len(s))\n"
    ),
    "hash_none_disables": "class P:\n    __hash__ = None\nprint(hash(P()))\n",
    "hash_mutated_key": (
        "class K:\n    def __init__(self, v):\n        self.v = v\n    def __hash__(self):\n"
        "        return self.v\n    def __eq__(self, o):\n        return self.v == o.v\n"
        "k = K(1)\nd = {k: 'x'}\nk.v = 2\nprint(k in d, K(1) in d, len(d))\n"
    ),
    "hash_frozenset_key": "d = {frozenset({1, 2}): 'a'}\nprint(d[frozenset({2, 1})])\n",
    "hash_set_of_sets": "s = {{1}}\n",
    "hash_missing_key": "d = {'a': 1}\nprint(d['b'])\n",
    "hash_dict_order": "d = {}\nd['z'] = 1\nd['a'] = 2\ndel d['z']\nd['z'] = 3\nprint(list(d))\n",
    # --- gc of cycles -----------------------------------------------------------------------
    "gc_first_collect": "import gc\nprint(gc.collect())\n",
    "gc_cycle_count": (
        "import gc\nclass Node:\n    def __init__(self):\n        self.other = None\n"
        "a = Node()\nb = Node()\na.other = b\nb.other = a\ndel a, b\nprint(gc.collect())\n"
    ),
    "gc_self_list": (
        "import gc\nx = []\nx.append(x)\ndel x\nprint(gc.collect())\nprint(gc.collect())\n"
    ),
    "gc_del_in_cycle": (
        "import gc\nclass N:\n    def __init__(self, n):\n        self.n = n\n"
        "    def __del__(self):\n        print('del', self.n)\n"
        "a = N('a')\na.me = a\ndel a\nprint('before')\ngc.collect()\nprint('after')\n"
    ),
    "gc_disable": (
        "import gc\ngc.disable()\nprint(gc.isenabled())\ngc.enable()\nprint(gc.isenabled())\n"
    ),
    "gc_is_tracked": (
        "import gc\nprint(gc.is_tracked(1), gc.is_tracked([]), gc.is_tracked({}),"
        " gc.is_tracked({'a': []}), gc.is_tracked((1, 2)))\n"
    ),
    "gc_weakref_callback": (
        "import weakref\nclass C:\n    pass\nc = C()\nr = weakref.ref(c, lambda ref: print('cb'))\n"
        "print(r() is c)\ndel c\nprint(r())\n"
    ),
    "gc_weakref_dead_proxy": (
        "import weakref\nclass C:\n    pass\nc = C()\np = weakref.proxy(c)\ndel c\nprint(p.x)\n"
    ),
    "gc_weak_value_dict": (
        "import weakref\nclass C:\n    pass\nd = weakref.WeakValueDictionary()\nc = C()\n"
        "d['k'] = c\nprint(len(d))\ndel c\nprint(len(d))\n"
    ),
    "gc_finalize_at_exit": (
        "import weakref\nclass C:\n    pass\nc = C()\nweakref.finalize(c, print, 'finalized')\n"
        "print('end')\n"
    ),
    "gc_shutdown_del": (
        "class C:\n    def __del__(self):\n        print('bye')\nc = C()\nprint('end')\n"
    ),
    "gc_shutdown_after_error": (
        "class C:\n    def __init__(self, n):\n        self.n = n\n    def __del__(self):\n"
        "        print('del', self.n)\ndef f():\n"
        "    local = C('local')\n    raise ValueError('x')\n"
        "g = C('global')\nf()\n"
    ),
    "gc_shutdown_cycle_and_plain": (
        "import gc\ngc.disable()\nclass C:\n    def __init__(self, n):\n        self.n = n\n"
        "    def __del__(self):\n        print('del', self.n)\nx = C('x')\ny = C('y')\n"
        "y.me = y\nprint('end')\n"
    ),
    # Objects still alive at exit: CPython's full collection while __main__ is alive orders them
    # (young ones in dict order, older ones in allocation order), then __main__ goes.
    "gc_shutdown_dict_order_not_allocation_order": (
        NAMED_DEL + "c = None\nb = None\na = None\na = D('a')\nb = D('b')\nc = D('c')\n"
    ),
    "gc_shutdown_gc_disabled_keeps_allocation_order": (
        "import gc\ngc.disable()\n" + NAMED_DEL + "c = None\nb = None\na = None\n"
        "a = D('a')\nb = D('b')\nc = D('c')\n"
    ),
    "gc_shutdown_reassigned": NAMED_DEL + "a = D('a')\nb = D('b')\na = D('a2')\nprint('end')\n",
    "gc_shutdown_in_list_dict_tuple": (
        NAMED_DEL + "items = [D('x'), D('y')]\nd = {'k': D('k')}\nt = (D('t1'), D('t2'))\n"
        "z = D('z')\n"
    ),
    "gc_shutdown_attribute_chain": (
        NAMED_DEL + "b = D('b')\na = D('a')\na.child = D('child')\nb.other = a\ndel a\n"
    ),
    "gc_shutdown_cycle_and_names": (
        NAMED_DEL + "a = D('a')\nb = D('b')\na.o = b\nb.o = a\ndel a\nc = D('c')\n"
    ),
    "gc_shutdown_default_class_attribute_closure": (
        NAMED_DEL + "def f(x=D('default')):\n    return x\nclass K:\n    held = D('classattr')\n"
        "def make():\n    v = D('closed')\n    def inner():\n        return v\n    return inner\n"
        "h = make()\nq = D('q')\n"
    ),
    "gc_shutdown_comprehensions": (
        NAMED_DEL + "xs = [D(i) for i in range(4)]\nds = {i: D(-i) for i in range(1, 3)}\n"
        "last = D('last')\n"
    ),
    "gc_shutdown_after_older_generation": (
        NAMED_DEL + "c = None\nb = None\na = None\na = D('a')\nb = D('b')\n"
        "junk = [[] for i in range(3000)]\nc = D('c')\n"
    ),
    # Printing to a pipe at exit (the stdout flush) or printing a traceback can start a due
    # automatic collection, which moves the young objects to an older generation first.
    "gc_shutdown_flush_starts_due_collection": (
        "import gc\ngc.disable()\n" + NAMED_DEL + "e = None\nd = D('d')\ne = D('e')\n"
        "junk = [[] for i in range(3000)]\nprint('x')\ngc.enable()\n"
    ),
    "gc_shutdown_no_output_no_collection": (
        "import gc\ngc.disable()\n" + NAMED_DEL + "e = None\nd = D('d')\ne = D('e')\n"
        "junk = [[] for i in range(3000)]\ngc.enable()\n"
    ),
    "gc_shutdown_traceback_starts_due_collection": (
        "import gc\ngc.disable()\n" + NAMED_DEL + "e = None\nd = D('d')\ne = D('e')\n"
        "junk = [[] for i in range(3000)]\ngc.enable()\nraise ValueError('boom')\n"
    ),
    # --- interning and caching of ints and strings --------------------------------------------
    "intern_small_ints": (
        "a = 256\nb = 256\nprint(a is b)\nc = int('257')\nd = int('257')\nprint(c is d)\n"
    ),
    "intern_computed_ints": "a = 10 ** 3\nb = 1000\nprint(a is b, a == b)\n",
    "intern_negative_ints": "a = int('-5')\nb = -5\nprint(a is b)\nc = int('-6')\nprint(c is -6)\n",
    "intern_identifier_strings": "a = 'hello'\nb = 'hello'\nprint(a is b)\n",
    "intern_runtime_strings": (
        "a = 'hel' + 'lo'\nb = ''.join(['hel', 'lo'])\nprint(a is b, a == b)\n"
    ),
    "intern_sys_intern": (
        "import sys\na = sys.intern(''.join(['wt', 'f!']))\nb = sys.intern('wtf!')\nprint(a is b)\n"
    ),
    "intern_single_chars": "a = chr(97)\nb = 'a'\nprint(a is b)\n",
    "intern_float": "a = float('1.5')\nb = float('1.5')\nprint(a is b, a == b)\n",
    "intern_empty_str": "print(str() is '')\n",
    # --- frames, scope, argument passing --------------------------------------------------------
    "scope_unbound_local": "x = 1\ndef f():\n    print(x)\n    x = 2\nf()\n",
    "scope_global": "x = 1\ndef f():\n    global x\n    x = 2\nf()\nprint(x)\n",
    "scope_nonlocal": (
        "def outer():\n    n = 0\n    def inc():\n        nonlocal n\n        n += 1\n"
        "        return n\n    return inc\ni = outer()\ni()\nprint(i())\n"
    ),
    "scope_closure_late_binding": "fs = [lambda: i for i in range(3)]\nprint([f() for f in fs])\n",
    "scope_closure_default_capture": (
        "fs = [lambda i=i: i for i in range(3)]\nprint([f() for f in fs])\n"
    ),
    "scope_except_name_cleared": (
        "e = 7\ntry:\n    raise Exception()\nexcept Exception as e:\n    pass\nprint(e)\n"
    ),
    "scope_class_body": (
        "x = 5\nclass C:\n    x = 17\n    y = [x for i in range(2)]\nprint(C.y)\n"
    ),
    "scope_name_error": "print(undefined_name)\n",
    "scope_name_error_suggestion": "lenght = 3\nprint(lengt)\n",
    "scope_args_mutation": (
        "def f(xs):\n    xs.append(1)\n    xs = [0]\n    return xs\na = []\nprint(f(a), a)\n"
    ),
    "scope_kwargs_star": (
        "def f(*args, **kwargs):\n    return args, kwargs\n"
        "t = (1, 2)\nd = {'k': 3}\nprint(f(*t, **d))\n"
    ),
    "scope_unpack_star": (
        "a, *b, c = range(5)\nprint(a, b, c)\n(x, y), z = [1, 2], 3\nprint(x, y, z)\n"
    ),
    "scope_unpack_error": "a, b = [1, 2, 3]\n",
    "scope_recursion_error": "def f(n):\n    return f(n + 1)\nf(0)\n",
    "scope_recursion_depth": (
        "depth = 0\ndef f():\n    global depth\n    depth += 1\n    f()\ntry:\n    f()\n"
        "except RecursionError:\n    print(depth)\n"
    ),
    "scope_generator": (
        "def gen():\n    yield 1\n    yield 2\ng = gen()\nprint(next(g), list(g))\nprint(next(g))\n"
    ),
    "scope_generator_state": (
        "def g():\n    x = yield 1\n    print('got', x)\n    yield x\nit = g()\nnext(it)\n"
        "print(it.send(5))\n"
    ),
    "scope_walrus": "if (n := len([1, 2])) > 1:\n    print(n)\n",
    "scope_with": (
        "class CM:\n    def __enter__(self):\n        print('enter')\n        return self\n"
        "    def __exit__(self, *exc):\n"
        "        print('exit', exc[0].__name__)\n        return True\n"
        "with CM() as c:\n    raise KeyError('k')\nprint('after')\n"
    ),
    # --- printing and output -------------------------------------------------------------------
    "print_in_functions_and_methods": (
        "def f():\n    print('in f')\nclass C:\n    def m(self):\n        print('in m')\n"
        "f()\nC().m()\nprint('top', end='!\\n')\n"
    ),
    "print_sep_end_flush": (
        "print(1, 2, 3, sep='-', end='|')\nprint('x', flush=True)\n"
        "print()\nprint(*[1, 2], sep='')\n"
    ),
    "print_file_stdout": (
        "import sys\nprint('to stdout', file=sys.stdout)\nsys.stdout.write('w\\n')\n"
    ),
    "print_file_stderr": "import sys\nprint('hidden', file=sys.stderr)\nprint('shown')\n",
    "print_bad_sep": "print(1, sep=5)\n",
    "print_format_plain": (
        "print('{} and {0}'.format('a') if False else '{0}-{1}'.format('a', 'b'))\n"
        "print('{x!r:>5}'.format(x='q'))\n"
    ),
    "print_format_map": "print('{a}+{b}'.format_map({'a': 1, 'b': 2}))\n",
    "print_fstring": "x = [1]\nprint(f'{x!r} {len(x):03d} {x[0]}')\n",
    "print_repr_str": (
        "class P:\n    def __repr__(self):\n        return 'P()'\n    def __str__(self):\n"
        "        return 'p'\nprint(P(), [P()], repr(P()), str(P()))\n"
    ),
    "print_class_name": (
        "class Graph:\n    def __repr__(self):\n"
        "        return self.__class__.__name__ + '()'\nprint(Graph())\n"
    ),
    # --- errors as CPython words them ------------------------------------------------------------
    "error_attribute_missing": "class C:\n    pass\nC().missing\n",
    "error_attribute_suggestion": (
        "class C:\n    def __init__(self):\n        self.name = 1\nC().nam\n"
    ),
    "error_syntax_unclosed": "print((1, 2)\n",
    "error_syntax_invalid": "x = = 1\n",
    "error_syntax_indent": "if True:\nprint(1)\n",
    "error_return_outside": "return 5\n",
    "error_zero_division": "print(1)\nx = 1 / 0\n",
    "error_type_concat": "'a' + 1\n",
    "error_custom_exception": "class MyError(Exception):\n    pass\nraise MyError('bad')\n",
    "error_exception_note": "e = ValueError('v')\ne.add_note('a note')\nraise e\n",
    "error_system_exit": "print('before')\nraise SystemExit(3)\n",
    "error_type_three_arg_message": "type()\n",
    "error_assert": "assert 1 == 2, 'nope'\n",
    "error_raise_from": (
        "try:\n    {}['k']\nexcept KeyError as e:\n    raise RuntimeError('wrapped') from e\n"
    ),
    # --- classes ---------------------------------------------------------------------------------
    "class_slots": ("class P:\n    __slots__ = ('x',)\np = P()\np.x = 1\nprint(p.x)\np.y = 2\n"),
    "class_dict": "class P:\n    pass\np = P()\np.a = 1\nprint(p.__dict__)\n",
    "class_super_init": (
        "class A:\n    def __init__(self):\n        print('A')\nclass B(A):\n"
        "    def __init__(self):\n        super().__init__()\n        print('B')\nB()\n"
    ),
    "class_property": (
        "class T:\n    def __init__(self):\n        self._c = 0\n"
        if False
        else "class T:\n    def __init__(self, c):\n        self.c = c\n    @property\n"
        "    def f(self):\n        return self.c * 9 / 5 + 32\nprint(T(100).f)\n"
    ),
    "class_iter_protocol": (
        "class R:\n    def __init__(self, n):\n        self.n = n\n    def __iter__(self):\n"
        "        self.i = 0\n        return self\n    def __next__(self):\n"
        "        if self.i >= self.n:\n            raise StopIteration\n        self.i += 1\n"
        "        return self.i\n    def __len__(self):\n        return self.n\n"
        "    def __contains__(self, x):\n        return 0 < x <= self.n\n"
        "print(list(R(3)), len(R(2)), 2 in R(2))\n"
    ),
    "class_getitem_setitem": (
        "class Box:\n    def __init__(self):\n        self.d = {}\n    def __getitem__(self, k):\n"
        "        return self.d[k]\n    def __setitem__(self, k, v):\n        self.d[k] = v\n"
        "b = Box()\nb['x'] = [1]\nb['x'] += [2]\nprint(b['x'])\n"
    ),
    "class_comparisons": (
        "class V:\n    def __init__(self, v):\n        self.v = v\n    def __lt__(self, o):\n"
        "        return self.v < o.v\n    def __repr__(self):\n        return f'V({self.v})'\n"
        "print(sorted([V(3), V(1)]), max(V(1), V(2)))\n"
    ),
    "class_bool_len": (
        "class E:\n    def __len__(self):\n        return 0\nprint(bool(E()), not E())\n"
    ),
    "class_staticmethod_classmethod": (
        "class C:\n    @staticmethod\n    def s():\n        return 's'\n    @classmethod\n"
        "    def c(cls):\n        return cls.__name__\nprint(C.s(), C.c(), C().c())\n"
    ),
    "class_isinstance_builtins": (
        "print(isinstance([], list), isinstance(range(3), range), issubclass(bool, int))\n"
        "print(list(range(2, 8, 2)), type(range(1)))\n"
    ),
}


# The sandbox's own objects (builtins, the stand-ins' members) have other references in the
# grader than in a script: their counts are refused, never shown (grader/refcounts.py; the
# value-family hunt, test_hunt.py, checks every kind of them against python -I).
HOST_COUNTS = {
    "builtins": (
        "import sys\ndef added(obj):\n    before = sys.getrefcount(obj)\n    held = [obj, obj]\n"
        "    return sys.getrefcount(obj) - before\nprint(added(len), added(print))\n"
    ),
    "stand_in_members": (
        "import sys, copy, weakref\ndef added(obj):\n    before = sys.getrefcount(obj)\n"
        "    held = [obj, obj]\n    return sys.getrefcount(obj) - before\n"
        "print(added(copy.deepcopy), added(weakref.WeakValueDictionary))\n"
    ),
    "version": "import sys\nprint(sys.getrefcount(sys.version_info))\n",
}


@pytest.mark.parametrize("name", HOST_COUNTS)
def test_counts_of_the_sandboxs_own_objects_are_refused(name):
    outcome = grader.run(HOST_COUNTS[name])
    assert outcome.status == "rejected"
    assert "`sys.getrefcount()` of" in outcome.reasons[0]


@pytest.fixture(scope="module")
def cpython_results(cpython) -> dict:
    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(zip(SNIPPETS, pool.map(cpython, SNIPPETS.values()), strict=True))


@pytest.mark.parametrize("name", SNIPPETS)
def test_same_as_cpython(name, cpython_results):
    outcome = grader.run(SNIPPETS[name]).to_dict()
    expected = cpython_results[name]
    assert outcome["status"] in ("ok", "raised"), outcome["reasons"]
    assert (outcome["stdout"], outcome["exception"]) == (expected.stdout, expected.exception)


def test_enough_snippets_per_topic():
    topics = {name.split("_")[0] for name in SNIPPETS}
    assert len(SNIPPETS) >= 80
    assert {"identity", "refcount", "alias", "copy", "hash", "gc", "intern", "scope"} <= topics
