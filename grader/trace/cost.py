"""The cost of tracing (issue 5, section 4): `python -m grader.trace.cost` prints the figures."""

from grader.execute import execute
from grader.trace.recorder import Tracer

TYPICAL_SNIPPET = """\
def pair(n):
    return [n, n + 1]

a = pair(1000)
b = a
c = {"key": b, "name": "memory"}
b.append(7)
del a
total = sum(c["key"])
print(total, c["name"], b is c["key"])
"""


# Programs of 2,000 steps or more (issue 17 §1): scripts/trace_size.py measures their traces.
LONG_PROGRAMS = {
    # A loop over a growing list, a dict of counts and an instance: a drawing of ~40 objects.
    "loop over a list, a dict and an instance": """\
class Tally:
    def __init__(self):
        self.seen = []
        self.counts = {}

tally = Tally()
words = ["spam", "eggs", "ham", "spam", "eggs"]
for i in range(1000):
    word = words[i % len(words)]
    tally.counts[word] = tally.counts.get(word, 0) + 1
    if len(tally.seen) < 25:
        tally.seen.append([i, word])
print(tally.counts)
""",
    # Deep recursion: 20 frames drawn, the rest counted.
    "recursion 400 calls deep": """\
def depth(n, path):
    if n == 0:
        return len(path)
    path.append(n)
    return depth(n - 1, path)

for _ in range(3):
    print(depth(400, []))
""",
    "fibonacci calls": """\
def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)

print(fib(15))
""",
    "printing every line": """\
for i in range(1000):
    print("line", i, "of the output, long enough to matter")
""",
}


def trace_sizes(source: str) -> dict:
    """The trace of `source` recorded in this process with no time bound (the sandbox stops a
    trace after TRACE_SECONDS, which a busy machine reaches sooner): its steps, its size as
    sent and stored (json.dumps of the compact steps) and the size of the same steps whole."""
    import builtins
    import io
    import json

    from grader.trace.compact import full_steps

    output = io.StringIO()
    code = compile(source, "<snippet>", "exec")
    names = dict(vars(builtins), print=lambda *args: builtins.print(*args, file=output))
    namespace = {"__builtins__": names, "__name__": "__main__"}
    with Tracer(code, namespace, stdout=output.getvalue, max_seconds=float("inf")) as tracer:
        exec(code, namespace)
    trace = tracer.result(final_stdout=output.getvalue())
    return {
        "steps": len(trace["steps"]),
        "bytes": len(json.dumps(trace)),
        "whole_bytes": len(json.dumps({**trace, "steps": full_steps(trace)})),
        "trace": trace,
    }


def measure_cost(source=TYPICAL_SNIPPET, repetitions=200):
    """Median milliseconds of traced and untraced runs of `source`, interleaved in this process.

    "executor": grader.execute.execute(trace=True) against trace=False, i.e. what a grader run
    does inside its sandboxed child (compile under the policy, run, finalise), without the fork.
    "bare exec": the snippet's code alone, compiled once by plain compile(), exec'd with and
    without the tracer: the tracer's own cost against the snippet's own cost.
    """
    code = compile(source, "<snippet>", "exec")
    runs = {
        "executor": lambda trace: execute(source, output_bytes=65536, trace=trace),
        "bare exec": lambda trace: _exec_bare(code, trace),
    }
    return {name: _time_pair(run, repetitions) for name, run in runs.items()}


def _time_pair(run, repetitions):
    import statistics
    import time

    timings: dict[bool, list[float]] = {False: [], True: []}
    for _ in range(repetitions):
        for trace in (False, True):
            started = time.perf_counter()
            run(trace)
            timings[trace].append(time.perf_counter() - started)
    untraced, traced = statistics.median(timings[False]), statistics.median(timings[True])
    return {
        "untraced_ms": round(untraced * 1000, 3),
        "traced_ms": round(traced * 1000, 3),
        "ratio": round(traced / untraced, 2),
    }


def _exec_bare(code, trace):
    output = []
    names = {"print": lambda *args: output.append(" ".join(map(str, args)) + "\n"), "sum": sum}
    namespace = {"__builtins__": names}
    if not trace:
        exec(code, namespace)
        return None
    with Tracer(code, namespace, stdout=lambda: "".join(output)) as tracer:
        exec(code, namespace)
    return tracer.result()


if __name__ == "__main__":  # python -m grader.trace.cost: the cost figures of issue 5, section 4
    for name, figures in measure_cost().items():
        print(f"{name}: {figures}")
