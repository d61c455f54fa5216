"""The exam-day load benchmark (make loadtest): Locust students against a running site.

loadtest.scenario is what one student does; `python -m loadtest` runs a class of them headless
and prints the figures. See loadtest/README.md.
"""
