"""The misconception engine (issue 16): run a snippet as a student holding a wrong mental model
of Python's memory model expects it to run.

`grader.MISCONCEPTIONS` is the catalogue (catalogue.py); `grader.simulate(source, id)` runs the
snippet in the grader's sandbox after the id's transformation (one module per id, registered
in registry.py; run-time helpers in runtime.py; the child's side in child.py).
"""
