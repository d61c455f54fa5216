"""`python -m grader bench`: what isolation costs (issue 2, item 6). It prints figures; not a test.

(a) the floor: the executor's restricted compile and exec of a typical snippet in this process,
    with no isolation (the heap frozen for the collector first, as the grader server does);
(b) `grader.run` of the same snippet with a warm server, one caller, p50 and p95, back to back:
    the forks and warm-ups that replace used children then keep both CPUs busy, and p95 shows the
    runs whose child was still warming up; (b2) the same with a pause between runs, as
    interactive use (a preview, a practice answer) makes them;
(c) what a naive grader does: a fresh `python -I` per run that imports RestrictedPython, compiles
    the snippet under its default policy and runs it;
(d) throughput of `grader.run` with 4 concurrent callers;
(e) the misconception predictions of the same snippet (every applicable id, as computed with a
    question's key: `grader.predict_misconceptions`), in total, against one `grader.run` timed
    alternately with it; the target is at most 5x (issue 16); (e2) the same for every question
    of the course's bank (fixtures/topics/*.toml), when it is there.
All are measured in one run, side by side, on the same machine.
"""

import gc
import os
import statistics
import subprocess
import sys
import threading
import time
from functools import partial

from grader.constants import Status

SNIPPET = """\
a = [1, 2, 3]
b = a
b.append(4)
print(a is b, a)
c = a[:]
print(c == a, c is a)
d = {"k": a}
print(d["k"] is a, len(d))
"""

_NAIVE_GRADER = """\
import sys
from RestrictedPython import compile_restricted, safe_globals
from RestrictedPython.Guards import guarded_iter_unpack_sequence
from RestrictedPython.PrintCollector import PrintCollector
code = compile_restricted(sys.stdin.read(), "<snippet>", "exec")
namespace = dict(safe_globals, _print_=PrintCollector, _getattr_=getattr,
                 _getitem_=lambda obj, key: obj[key], _getiter_=iter, _write_=lambda obj: obj,
                 _iter_unpack_sequence_=guarded_iter_unpack_sequence)
exec(code, namespace)
"""

IN_PROCESS_RUNS = 300
ISOLATED_RUNS = 500
NAIVE_RUNS = 20
PACED_RUNS = 200
PAUSE_SECONDS = 0.01
CONCURRENT_CALLERS = 4
CONCURRENT_RUNS = 2000
PREDICTION_ROUNDS = 100
BANK_ROUNDS = 3
TARGETS = (
    "targets: b within 4x of a at p50; c/b >= 20; >= 500 isolated runs/s; "
    "predictions <= 5x one run (e)"
)


def _timed(action, repetitions: int, pause: float = 0.0) -> list[float]:
    """Milliseconds each call of `action` took, with `pause` seconds after each (not timed)."""
    times = []
    for _ in range(repetitions):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
        if pause:
            time.sleep(pause)
    return times


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def measure_in_process() -> list[float]:
    from grader.execute import execute

    gc.collect()
    gc.freeze()
    try:
        return _timed(
            lambda: execute(SNIPPET, output_bytes=65536, heap_frozen=True), IN_PROCESS_RUNS
        )
    finally:
        gc.unfreeze()


def measure_isolated() -> list[float]:
    import grader

    _timed(lambda: grader.run(SNIPPET), 50)  # start the server and warm it
    return _timed(lambda: _checked(grader.run(SNIPPET)), ISOLATED_RUNS)


def measure_paced() -> list[float]:
    import grader

    return _timed(lambda: _checked(grader.run(SNIPPET)), PACED_RUNS, pause=PAUSE_SECONDS)


def _checked(outcome) -> None:
    if outcome.status != Status.OK:
        raise RuntimeError(f"the benchmark snippet did not run: {outcome}")


def measure_naive() -> list[float]:
    command = [sys.executable, "-I", "-c", _NAIVE_GRADER]

    def run_fresh_interpreter():
        subprocess.run(command, input=SNIPPET, text=True, capture_output=True, check=True)

    return _timed(run_fresh_interpreter, NAIVE_RUNS)


def measure_throughput() -> float:
    import grader

    per_caller = CONCURRENT_RUNS // CONCURRENT_CALLERS

    def caller():
        for _ in range(per_caller):
            _checked(grader.run(SNIPPET))

    threads = [threading.Thread(target=caller) for _ in range(CONCURRENT_CALLERS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return per_caller * CONCURRENT_CALLERS / (time.perf_counter() - started)


def measure_predictions() -> tuple[list[float], list[float], list[str]]:
    """(one run's ms, all predictions' ms, the ids predicted), alternating, so both meet the
    same load."""
    import grader

    runs, predictions = [], []
    for _ in range(PREDICTION_ROUNDS):
        runs += _timed(lambda: _checked(grader.run(SNIPPET)), 1)
        predictions += _timed(lambda: grader.predict_misconceptions(SNIPPET), 1)
    return runs, predictions, grader.applicable_misconceptions(SNIPPET)


def measure_bank_predictions() -> tuple[list[float], list[int]] | None:
    """For each bank question: its predictions' time over one run's (median of
    BANK_ROUNDS alternating rounds), and how many ids apply; None without the bank."""
    import tomllib
    from pathlib import Path

    import grader

    topics = Path(__file__).resolve().parent.parent / "fixtures" / "topics"
    snippets = [
        question["snippet"]
        for path in sorted(topics.glob("*.toml"))
        for question in tomllib.loads(path.read_text(encoding="utf-8")).get("questions", [])
    ]
    if not snippets:
        return None
    ratios, counts = [], []
    for snippet in snippets:
        runs, predictions = [], []
        for _ in range(BANK_ROUNDS):
            runs += _timed(partial(grader.run, snippet), 1)
            predictions += _timed(partial(grader.predict_misconceptions, snippet), 1)
        ratios.append(statistics.median(predictions) / statistics.median(runs))
        counts.append(len(grader.applicable_misconceptions(snippet)))
    return ratios, counts


def main() -> None:
    from grader import pool

    floor = measure_in_process()
    isolated = measure_isolated()
    paced = measure_paced()
    naive = measure_naive()
    throughput = measure_throughput()
    one_run, predicted, misconceptions = measure_predictions()
    bank = measure_bank_predictions()
    hello = pool.server_hello()
    a, b = statistics.median(floor), statistics.median(isolated)
    c = statistics.median(naive)
    print(
        f"grader benchmark: typical 8-line snippet, {os.cpu_count()} CPUs, pool size "
        f"{pool.pool_size()}, Python {hello['python_version']}"
    )
    print(
        f"(a) in-process restricted compile+exec  p50 {a:8.3f} ms   p95 "
        f"{_percentile(floor, 0.95):8.3f} ms   ({IN_PROCESS_RUNS} runs)"
    )
    print(
        f"(b) grader.run, warm server             p50 {b:8.3f} ms   p95 "
        f"{_percentile(isolated, 0.95):8.3f} ms   ({ISOLATED_RUNS} runs)"
    )
    print(
        f"{f'(b2) {PAUSE_SECONDS * 1000:.0f} ms pause between runs':39}  p50 "
        f"{statistics.median(paced):8.3f} ms   p95 {_percentile(paced, 0.95):8.3f} ms   "
        f"({PACED_RUNS} runs)"
    )
    print(
        f"(c) fresh python -I + RestrictedPython  p50 {c:8.3f} ms   p95 "
        f"{_percentile(naive, 0.95):8.3f} ms   ({NAIVE_RUNS} runs)"
    )
    print(
        f"(d) grader.run, {CONCURRENT_CALLERS} concurrent callers    {throughput:8.0f} runs/s "
        f"({CONCURRENT_RUNS} runs)"
    )
    e, run_p50 = statistics.median(predicted), statistics.median(one_run)
    print(
        f"(e) predictions, {len(misconceptions)} ids side by side  p50 {e:8.3f} ms   "
        f"one run p50 {run_p50:8.3f} ms   ({PREDICTION_ROUNDS} rounds: "
        f"{', '.join(misconceptions)})"
    )
    if bank is not None:
        ratios, counts = bank
        print(
            f"(e2) bank, {len(ratios)} questions: predictions/run median "
            f"{statistics.median(ratios):.2f}  p90 {_percentile(ratios, 0.9):.2f}  max "
            f"{max(ratios):.2f}; applicable ids median {statistics.median(counts):g}, "
            f"max {max(counts)}"
        )
    print(f"b/a = {b / a:.2f}   c/b = {c / b:.1f}   e/run = {e / run_p50:.2f}")
    print(TARGETS)
    in_force = hello["in_force"]
    print(
        f"sandbox: network {in_force['network']}; uid {in_force['uid']}; "
        f"limits {in_force['limits']}"
    )
