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
