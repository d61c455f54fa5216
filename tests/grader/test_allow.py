"""The constructs issue 12 allows run with CPython's semantics: each `test_allow_*` runs its
family of generated snippets (grader/policy_hunt.py CONSTRUCTS, each at module level and inside a
function) through the grader and `python -I`: all accepted, all identical, on each configured
interpreter (conftest.PER_INTERPRETER). What each construct could open and how it stays closed:
test_deny_allowed.py."""

from grader import policy_hunt as hunt


def _assert_all_accepted_and_identical(family: str) -> None:
    figures = hunt.run_family(family)
    assert figures["accepted"] == figures["snippets"] > 0
    assert figures["wrong"] == []


def test_allow_private_attributes_of_own_objects_and_name_mangling():
    _assert_all_accepted_and_identical("private_attributes")


def test_allow_private_names():
    _assert_all_accepted_and_identical("private_names")


def test_allow_vars_dict_mro_bases():
    _assert_all_accepted_and_identical("namespaces")


def test_allow_cause_and_context():
    _assert_all_accepted_and_identical("exception_chaining")


def test_allow_special_methods_and_reflected_operators():
    _assert_all_accepted_and_identical("special_methods")


def test_allow_exit():
    _assert_all_accepted_and_identical("exit")


def test_allow_collections():
    _assert_all_accepted_and_identical("collections")


def test_allow_dataclasses():
    _assert_all_accepted_and_identical("dataclasses")


def test_allow_functools():
    _assert_all_accepted_and_identical("functools")


def test_allow_itertools():
    _assert_all_accepted_and_identical("itertools")


def test_allow_private_attributes_in_recursion_or_refuse_at_the_limit():
    """At the recursion limit the `_own_` check's call would fail one call before the script's
    RecursionError: refused there, never a different output."""
    figures = hunt.run_family("private_recursion")
    assert 0 < figures["accepted"] < figures["snippets"]
    assert figures["wrong"] == []
