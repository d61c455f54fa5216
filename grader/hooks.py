"""Run-time side of the policy: the sandbox's builtins, the `_getattr_` hook, the output sink.

Everything here is built once at import, except what a run can change: `Run` holds one run's
output and refusals, and `sandbox_builtins(run)` gives each run its own builtins dict.
"""

import builtins
import functools
import io
import string
import sys
from types import BuiltinMethodType, ModuleType

from grader import ownership
from grader.lookalikes import LOOK_ALIKE_CLASSES, SHOWN_CLASS, look_alike
from grader.policy import (
    ALLOWED_BUILTINS,
    GUARDED_ATTRIBUTES,
    GUARDED_SPECIAL_METHODS,
    OWN_HOOK,
    SNIPPET_FILENAME,
    attribute_refusal,
    attribute_write_refusal,
    is_private,
)

real_type = builtins.type
real_getattr = builtins.getattr
_formatter_parser = string.Formatter().parse


class PolicyRefusal(BaseException):
    """A construct refused while running. Not an Exception: `except Exception` cannot hide it,
    and even a bare `except:` cannot, because the refusal is also recorded on the run."""


_CHUNK_SIZE = 8192  # io.TextIOWrapper's chunk size


class OutputLimitReached(BaseException):
    """The snippet printed more than the run allows."""


_SURROGATE = "a script writes it as a raw byte, which a run's text output cannot hold"


class Run:
    """State of one run: what was printed, how much may be, and what was refused."""

    __slots__ = ("chunks", "room", "overflowed", "refusals", "pending", "pending_bytes")

    def __init__(self, output_bytes: int):
        self.chunks: list[str] = []
        self.room = output_bytes
        self.overflowed = False
        self.refusals: list[str] = []
        # io.TextIOWrapper's pending_bytes: None, one chunk, or a list
        self.pending: str | list[str] | None = None
        self.pending_bytes = 0

    def refuse(self, what: str, why: str) -> PolicyRefusal:
        message = f"line {_snippet_line()}: {what} — {why}"
        self.refusals.append(message)
        return PolicyRefusal(message)

    def write(self, text: str) -> int:
        try:
            data = text.encode("utf-8")  # what a UTF-8 stdout would have to encode
        except UnicodeEncodeError:  # a lone surrogate: a script's stdout (surrogateescape)
            raise self.refuse("printing a lone surrogate", _SURROGATE) from None
        if len(data) > self.room:
            self.flush()
            self.chunks.append(data[: self.room].decode("utf-8", "ignore"))
            self.room = 0
            self.overflowed = True
            raise OutputLimitReached
        self.room -= len(data)
        self._buffer(text, len(data))
        return len(text)

    def _buffer(self, text: str, size: int) -> None:
        """Buffer as a piped stdout does: its second pending chunk creates a list (one object
        for the garbage collector's count) that lives until 8 KiB are pending."""
        if self.pending_bytes + size > _CHUNK_SIZE:
            self.flush()
        if self.pending is None:
            self.pending = text
        elif real_type(self.pending) is str:
            self.pending = [self.pending, text]
        else:
            self.pending.append(text)  # type: ignore[union-attr]
        self.pending_bytes += size
        if self.pending_bytes >= _CHUNK_SIZE:
            self.flush()

    def flush(self) -> None:
        if self.pending is not None:
            pending, self.pending, self.pending_bytes = self.pending, None, 0
            self.chunks.append(pending if real_type(pending) is str else "".join(pending))

    def stdout(self) -> str:
        self.flush()
        return "".join(self.chunks)


def _snippet_line() -> int | None:
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code.co_filename == SNIPPET_FILENAME:
            return frame.f_lineno
        frame = frame.f_back  # type: ignore[assignment]
    return None


class _GateStream:
    """The byte stream under a sink's gate (a real, write-through TextIOWrapper): each write is
    handed on to the run as text. Not reachable from a snippet (see TextSink.write)."""

    __slots__ = ("_write", "_encoding", "_errors")
    closed = False

    def __init__(self, write, encoding: str, errors: str):
        self._write, self._encoding, self._errors = write, encoding, errors

    def write(self, data: bytes):
        return self._write(data.decode(self._encoding, self._errors))

    def readable(self):
        return False

    def writable(self):
        return True

    def seekable(self):
        return False

    def flush(self):
        return None

    def close(self):
        return None


class TextSink:
    """`sys.stdout` (and `sys.stderr`) while a snippet runs: all prints (functions, methods,
    __del__) land in one place. It shows what a script's piped stdout shows (`encoding`,
    `errors`, `name`, `isatty()`, `writelines()`, its class's name and repr; read from the
    grader server's own piped streams, which CPython configured as a script's); other members
    of the real TextIOWrapper are refused. Slots and no Python-level __init__: a snippet holding
    it can reach no state."""

    __slots__ = ("_write", "_flush", "_fd", "_gate")

    @property
    def write(self):
        # The real TextIOWrapper.write of a write-through gate over the run's writer, bound at
        # each lookup as a script's is: CPython's own argument errors ("takes no keyword
        # arguments", "argument must be str", "takes exactly one argument"), type and repr, and
        # no allocation a script's print does not make (a Python write with **keywords made a
        # dict per print; with *args, a tuple). The gate is reachable only through the bound
        # method's __self__, which the policy refuses, and gc.get_referents, refused for a sink.
        return self._gate.write

    def writelines(self, lines, /):
        for line in lines:
            self.write(line)

    def flush(self):
        self._flush()  # type: ignore[attr-defined]

    def isatty(self):
        return False  # a script's output is piped when the site runs it

    def readable(self):
        return False

    def writable(self):
        return True

    def seekable(self):
        return False

    def fileno(self):
        return self._fd

    encoding = property(lambda self: _STREAMS[self._fd][1])
    errors = property(lambda self: _STREAMS[self._fd][2])
    line_buffering = property(lambda self: _STREAMS[self._fd][3])
    name = property(lambda self: _STREAMS[self._fd][0])
    mode = "w"
    closed = False
    newlines = None
    write_through = False

    def __repr__(self):
        return f"<_io.TextIOWrapper name={self.name!r} mode='w' encoding={self.encoding!r}>"

    def __dir__(self):
        return _TEXT_IO_MEMBERS

    def __getattr__(self, name):
        if name in _TEXT_IO_MEMBERS:
            raise _current_run.refuse(
                f"`sys.stdout.{name}`", "it is not part of the sandbox's stdout (a text sink)"
            )
        message = f"'_io.TextIOWrapper' object has no attribute '{name}'"
        raise AttributeError(message, name=name, obj=self)


TextSink.__name__ = TextSink.__qualname__ = "TextIOWrapper"
TextSink.__module__ = "_io"
_TEXT_IO_MEMBERS = sorted({*dir(io.TextIOWrapper), "mode"})


def _stream_config(stream, fd: int, name: str) -> tuple[str, str, str, bool]:
    """(name, encoding, errors, line_buffering) of a piped standard stream, as CPython set up
    this process's own (the grader server's are pipes, in an empty environment)."""
    defaults = ("utf-8", "surrogateescape" if fd == 1 else "backslashreplace", fd == 2)
    try:
        return (name, stream.encoding, stream.errors, stream.line_buffering)
    except AttributeError:
        return (name, *defaults)


_STREAMS: dict[int, tuple[str, str, str, bool]] = {
    1: _stream_config(sys.__stdout__, 1, "<stdout>"),
    2: _stream_config(sys.__stderr__, 2, "<stderr>"),
}


def text_sink(write, flush, fd: int = 1) -> TextSink:
    sink = object.__new__(TextSink)
    sink._write, sink._flush, sink._fd = write, flush, fd  # type: ignore[attr-defined]
    _, encoding, errors, _ = _STREAMS[fd]
    sink._gate = io.TextIOWrapper(  # type: ignore[attr-defined]
        _GateStream(write, encoding, errors),  # type: ignore[arg-type]
        encoding=encoding,
        errors=errors,
        newline="\n",
        write_through=True,
    )
    return sink


def _discard(text) -> int:
    return len(text)


def _nothing() -> None:
    return None


# --- `type` without its three-argument form ------------------------------------------------


class _TypeCheck(real_type):
    def __instancecheck__(cls, instance):
        return isinstance(instance, real_type)

    def __subclasscheck__(cls, subclass):
        return issubclass(subclass, real_type)


def _class_of(value):
    return _shown_class(real_type(value))


def _shown_class(found):
    """The class a snippet is shown: the sandbox's `type` for every metaclass, the builtin's
    class for a look-alike of a builtin function (grader/lookalikes.py)."""
    if found in LOOK_ALIKE_CLASSES:
        return SHOWN_CLASS
    return SafeType if issubclass(found, real_type) else found


class SafeType(metaclass=_TypeCheck):
    """The sandbox's `type`: `type(x)` and isinstance checks as usual; metaclasses (the real
    `type` among them) are replaced by this class, so three-argument `type()` is never reached."""

    @staticmethod
    def mro(*args):
        """`type.mro(int)`: the real one, unbound (on an instance of type it is bound)."""
        return real_type.mro(*args)

    def __new__(cls, *args, **kwargs):
        if len(args) == 3:
            raise _current_run.refuse(
                "three-argument `type()`", "it builds classes with any namespace"
            )
        if len(args) == 1 and not kwargs:
            return _class_of(args[0])
        return real_type(*args, **kwargs)  # CPython's own error message


SafeType.__name__ = SafeType.__qualname__ = "type"
SafeType.__module__ = "builtins"


# --- attribute hooks -------------------------------------------------------------------------


def _check_field_names(template: str) -> None:
    for _literal, field, spec, _conversion in _formatter_parser(template):
        if field is None:
            continue
        if "." in field or "[" in field:
            raise _current_run.refuse(
                f"the format field {{{field}}}",
                "attribute or index lookups inside str.format fields are not checked",
            )
        if spec:
            _check_field_names(spec)


def safe_format(template, /, *args, **kwargs):
    if isinstance(template, str):
        _check_field_names(template)
    return str.format(template, *args, **kwargs)


def safe_format_map(template, mapping, /):
    if isinstance(template, str):
        _check_field_names(template)
    return str.format_map(template, mapping)


_SAFE_STR_METHODS = {"format": safe_format, "format_map": safe_format_map}
_STR_METHODS = {
    str.format: look_alike(safe_format, str.format, range(1, 1 << 30), keywords=True),
    str.format_map: look_alike(safe_format_map, str.format_map, (2,)),
}
_METHOD_DESCRIPTOR = real_type(str.format)


def guarded_getattr(obj, name):
    """`_getattr_`: the attributes whose danger depends on the object (GUARDED_ATTRIBUTES)."""
    if name == "__class__":  # read from the object: a weak proxy shows its referent's
        return _shown_class(obj.__class__)
    if name == "__dict__":
        _check_namespace(obj, "reading `__dict__`")
        return obj.__dict__
    if name in GUARDED_SPECIAL_METHODS:
        return _checked_attribute_writer(real_getattr(obj, name), obj, name)
    value = real_getattr(obj, name)
    if real_type(value) is _METHOD_DESCRIPTOR and value in _STR_METHODS:
        return _STR_METHODS[value]
    if real_type(value) is BuiltinMethodType and isinstance(value.__self__, str):
        if value.__name__ == name:  # str's own method, whatever the class it was read from
            bound = functools.partial(_SAFE_STR_METHODS[name], value.__self__)
            return look_alike(bound, value, keywords=name == "format")
    return value


def _check_namespace(obj, what: str) -> None:
    """A class's or module's namespace may be read only for the snippet's own classes."""
    if isinstance(obj, ModuleType) or (
        isinstance(obj, real_type) and not (real_type(obj) is real_type and ownership.own(obj))
    ):
        raise _current_run.refuse(
            f"{what} of a module or of a class that is not the snippet's",
            "it exposes internals such as `object.__getattribute__` and module loaders",
        )


_NOT_OWN = (
    "private attributes may be used only on the snippet's own objects (its classes, their"
    " instances, its functions)"
)


def _check_own(obj, name) -> None:
    if real_type(name) is str and is_private(name) and not ownership.own(obj):
        raise _current_run.refuse(
            f"the attribute {name!r} of a {real_type(obj).__name__!r} object", _NOT_OWN
        )


def _one_more_call() -> None:
    return None


def own_object(obj, name):
    """`_own_`: `obj._x` is compiled as `_own_(obj, '_x')._x` (see policy.py).

    A script's `obj._x` calls no function, but this hook is one: one Python frame, which counts
    towards the recursion limit. So it calls no other Python function (ownership.own excepted,
    which calls none), and first checks that one more call fits: where it does not, the
    snippet's recursion is at the limit, where the hook would raise the script's RecursionError
    one call early, and the run is refused instead. Refusals are recorded here, without calls.
    """
    try:
        _one_more_call()
    except RecursionError:
        why = "the sandbox's check of it is a call there, which a script's attribute access is not"
        what = f"the attribute {name!r} at the recursion limit"
    else:
        if ownership.own(obj):
            return obj
        why = _NOT_OWN
        what = f"the attribute {name!r} of a {real_type(obj).__name__!r} object"
    message = f"line {sys._getframe(1).f_lineno}: {what} — {why}"
    _current_run.refusals.append(message)
    raise PolicyRefusal(message)


def _checked_attribute_writer(method, obj, name):
    """`x.__setattr__`, `super().__setattr__`, `object.__setattr__`: checked as `setattr` is,
    on the object they write: the bound one, or the first argument when read from a class."""
    if real_type(obj) is super:
        target = obj.__self__  # type: ignore[attr-defined]
    elif isinstance(obj, real_type):
        target = None
    else:
        target = obj

    def checked(*args):
        if target is None and len(args) >= 2:
            _check_writable(args[0], args[1])
        elif target is not None and args:
            _check_writable(target, args[0])
        return method(*args)

    checked.__name__ = checked.__qualname__ = name
    return checked


def _check_readable(obj, name) -> None:
    if real_type(name) is str:
        why = attribute_refusal(name)
        if why:
            raise _current_run.refuse(f"the attribute name {name!r}", why)
        _check_own(obj, name)


def safe_getattr(obj, name, *default):
    _check_readable(obj, name)
    if real_type(name) is str and name in GUARDED_ATTRIBUTES:
        try:
            return guarded_getattr(obj, name)
        except AttributeError:
            if default:
                return default[0]
            raise
    return real_getattr(obj, name, *default)


def safe_hasattr(obj, name):
    _check_readable(obj, name)
    return builtins.hasattr(obj, name)


def _check_writable(obj, name) -> None:
    if real_type(name) is str:
        why = attribute_write_refusal(name) or attribute_refusal(name)
        if why:
            raise _current_run.refuse(f"setting or deleting the attribute {name!r}", why)
        _check_own(obj, name)


def safe_setattr(obj, name, value):
    _check_writable(obj, name)
    return builtins.setattr(obj, name, value)


def safe_delattr(obj, name):
    _check_writable(obj, name)
    return builtins.delattr(obj, name)


def safe_vars(*args):
    """`vars(obj)`: an instance's or function's attributes, or the snippet's own class's; not a
    module's, another class's, nor (without an argument) the local namespace."""
    if not args:
        raise _current_run.refuse("`vars()` without an argument", "it hands out a namespace")
    if len(args) == 1:
        _check_namespace(args[0], "`vars()`")
    return builtins.vars(*args)


class Quitter:
    """The sandbox's `exit` and `quit`: site's, without closing the process's stdin."""

    __slots__ = ("name", "eof")
    name: str
    eof: str

    def __repr__(self):
        return f"Use {self.name}() or {self.eof} to exit"

    def __call__(self, code=None):
        raise SystemExit(code)


Quitter.__module__ = real_type(builtins.exit).__module__


def _quitter(real) -> Quitter:
    made = object.__new__(Quitter)
    made.name, made.eof = real.name, real.eof
    return made


for _hook, _name in (
    (safe_getattr, "getattr"),
    (safe_hasattr, "hasattr"),
    (safe_setattr, "setattr"),
    (safe_delattr, "delattr"),
    (safe_vars, "vars"),
    (safe_format, "format"),
    (safe_format_map, "format_map"),
):
    _hook.__name__ = _hook.__qualname__ = _name

# In the builtins' own order, not the frozenset's (which follows the hash seed).
_BASE_BUILTINS = {name: value for name, value in vars(builtins).items() if name in ALLOWED_BUILTINS}
_BASE_BUILTINS.update(
    {
        "__build_class__": builtins.__build_class__,
        "_getattr_": guarded_getattr,
        "type": SafeType,
        "getattr": look_alike(safe_getattr, builtins.getattr, (2, 3)),
        "hasattr": look_alike(safe_hasattr, builtins.hasattr, (2,)),
        "setattr": look_alike(safe_setattr, builtins.setattr, (3,)),
        "delattr": look_alike(safe_delattr, builtins.delattr, (2,)),
        "vars": look_alike(safe_vars, builtins.vars, (0, 1)),
        "exit": _quitter(builtins.exit),
        "quit": _quitter(builtins.quit),
        OWN_HOOK: own_object,
    }
)

# The run being executed (one per process in production; tests may run several in sequence).
_current_run = Run(0)


def current_run() -> Run:
    """The run being executed, which records refusals made at run time."""
    return _current_run


def start_run(output_bytes: int) -> Run:
    global _current_run
    _current_run = Run(output_bytes)
    return _current_run


def sandbox_builtins(importer) -> dict:
    namespace = dict(_BASE_BUILTINS)
    namespace["__import__"] = importer
    return namespace


def stdout_sink(run: Run) -> TextSink:
    return text_sink(run.write, run.flush)


def stderr_sink() -> TextSink:
    return text_sink(_discard, _nothing, 2)


# --- the collector's starting state ------------------------------------------------------------


class Allocation:
    """One allocation the garbage collector counts: instances of a class have no free list (an
    empty list or tuple may come from one, uncounted), and dying they count back down."""

    __slots__ = ()


# Templates for the tuple sizes that have free lists, built at import.
_TUPLE_TEMPLATES = {size: list(range(size)) for size in range(1, 20)}


def fill_free_lists(entries: dict, holder: list) -> None:
    """Put `entries[kind]` objects on each free list, which must be empty (a full collection
    empties them): allocate that many, then let them die. `holder` is a list that exists
    already, so that nothing else is allocated; lists come last, as the holder's own items."""
    for size, template in _TUPLE_TEMPLATES.items():
        for _ in range(entries.get(size, 0)):
            holder.append(tuple(template))
    for _ in range(entries.get("dict", 0)):
        holder.append({})
    holder.clear()
    for _ in range(entries.get("list", 0)):
        holder.append([])
    holder.clear()


def base_builtins() -> dict:
    """The builtins every run's namespace starts from (sandbox_builtins adds the importer)."""
    return dict(_BASE_BUILTINS)
