"""The size of 2,000-step traces (issue 17 §1), for the programs of grader.trace.cost.LONG_PROGRAMS:

- recorded in this process with no time bound: steps, bytes as sent and stored (json.dumps of
  the compact steps), bytes of the same steps whole (version 1's form);
- run by the grader in its sandbox with the trace, as the playground does: status, steps, bytes,
  where the diagram was cut and the run's time (the sandbox stops recording after
  TRACE_SECONDS, which a busy machine reaches in fewer steps; the load average is printed).

    .venv/bin/python scripts/trace_size.py

tests/grader/test_trace_size.py pins the bound (under 1 MB) on the same programs.
"""

import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import grader  # noqa: E402
from grader.trace import MAX_STEPS, MAX_TRACE_CHARS  # noqa: E402
from grader.trace.cost import LONG_PROGRAMS, trace_sizes  # noqa: E402


def main() -> None:
    print(f"max steps {MAX_STEPS}, bound {MAX_TRACE_CHARS:,} characters of JSON")
    print(f"load average {os.getloadavg()} on {os.cpu_count()} cores")
    for name, source in LONG_PROGRAMS.items():
        local = trace_sizes(source)
        ratio = local["whole_bytes"] / local["bytes"]
        print(
            f"{name}\n  recorded: {local['steps']} steps, {local['bytes']:,} bytes "
            f"({local['whole_bytes']:,} whole, {ratio:.1f}x smaller)"
        )
        started = time.perf_counter()
        outcome = grader.run(source, trace=True)
        seconds = time.perf_counter() - started
        trace = outcome.trace or {"steps": []}
        print(
            f"  sandbox: {outcome.status}, {len(trace['steps'])} steps, "
            f"{len(json.dumps(trace)):,} bytes, cut at {trace.get('cut')}, {seconds:.2f} s"
        )


if __name__ == "__main__":
    main()
