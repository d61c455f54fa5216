"""Step-by-step pictures of memory while a snippet runs (issue 5; format: briefs/trace-contract.md).

`with Tracer(code, namespace, stdout=...) as tracer: exec(code, namespace)` records the run
with sys.monitoring events on the snippet's own code objects only, so the sandbox's hooks,
stand-ins and print collector never produce a step. At each step it records the snippet's frames
and the heap objects reachable from their names, labelled o1, o2, ... by first sight (ids never
leave this module); `tracer.result(final_stdout=...)` is the plain-JSON trace, ending with an
"exit" step when the interpreter's shutdown (run by the executor after the block) printed more.

An object is drawn while anything drawn refers to it: a frame's name, a container's item or
entry, an instance's or class's attribute, a bound method's object and function, and a
function's own references (issue 9): "defaults" and "kwdefaults" ({"name", "ref"} per
parameter, read from __defaults__ and __kwdefaults__) and "cells" (per free variable, each a
"cell" object whose "contents" is the value; closures made by one call share their cells). A
frame's name that lives in a cell refers to that cell when a drawn closure holds it, otherwise to
the value, with "cell": true.

The tracer must not change what it observes: between steps it holds no reference to any snippet
object (not even a class: only ids, names and text); it empties the locals snapshot CPython 3.12
caches on function frames when `f_locals` is read (that snapshot would otherwise add one
reference per name); it never calls snippet code
(no user __repr__, __iter__ or __getattribute__: only the builtin types' own C accessors) and
never builds an instance's __dict__; and it pauses the cyclic collector while it looks and keeps
its own allocations from making automatic collections come earlier.

The parts, one job each: `recorder` (the Tracer: monitoring events, steps, labels, the trace's
size), `heap` (what a step draws of each object), `attributes` (class and instance attributes
read safely), `reprs` (short reprs that never call snippet code), `lifetimes` (generations,
weak references, what was freed, what a collection did), `compact` (the stored form: each step
a delta from the one before; `full_steps` reads any version back whole) and `cost` (the figures of
`python -m grader.trace.cost`, which runs the executor). The limits are in grader.constants.
"""

from grader.constants import (
    MAX_FRAMES,
    MAX_HEAP_OBJECTS,
    MAX_ITEMS,
    MAX_STEPS,
    MAX_TRACE_CHARS,
    REPR_CHARS,
    STDOUT_CHARS,
    TRACE_VERSION,
)
from grader.trace.compact import full_steps
from grader.trace.recorder import REFCOUNT_DEFINITION, Tracer, printed_so_far

__all__ = [
    "MAX_FRAMES",
    "MAX_HEAP_OBJECTS",
    "MAX_ITEMS",
    "MAX_STEPS",
    "MAX_TRACE_CHARS",
    "REFCOUNT_DEFINITION",
    "REPR_CHARS",
    "STDOUT_CHARS",
    "TRACE_VERSION",
    "Tracer",
    "full_steps",
    "printed_so_far",
]
