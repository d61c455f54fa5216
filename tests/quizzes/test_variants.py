"""quizzes.variants: the parameter spec, the constraint language (parsed, never eval'd), the
template syntax, the list of variants with its cap, and the HMAC draw."""

import pytest

from quizzes.variants import (
    VARIANT_CAP,
    VariantError,
    check_template,
    describe,
    draw_index,
    enumerate_variants,
    parse_parameters,
    render,
    satisfies,
)


def variants(spec, **kwargs) -> list[dict]:
    return enumerate_variants(parse_parameters(spec), seed="seed", **kwargs).assignments


# --- Templates ---------------------------------------------------------------------------------


def test_the_snippet_gets_python_literals_and_prose_gets_what_print_shows():
    values = {"word": "spam", "n": 257, "items": [1, "a"], "pair": {"literal": "(1, 2)"}}
    snippet = "w = {{ word }}\nn = {{n}}\nxs = {{ items }}\np = {{ pair }}\n"
    assert render(snippet, values, code=True) == (
        "w = 'spam'\nn = 257\nxs = [1, 'a']\np = (1, 2)\n"
    )
    assert render("{{ word }} / {{ word!r }} / {{ pair }}", values, code=False) == (
        "spam / 'spam' / (1, 2)"
    )


def test_a_rendered_snippet_is_code_a_value_cannot_escape():
    # A str parameter is always a literal: quotes and newlines in it stay inside the string.
    rendered = render("x = {{ s }}\n", {"s": "'; import os; '\nprint(1)"}, code=True)
    assert rendered == "x = \"'; import os; '\\nprint(1)\"\n"
    compile(rendered, "<snippet>", "exec")


def test_a_template_without_parameters_is_left_alone():
    assert render("print({{x}})", {}, code=True) == "print({{x}})"


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("print({{ m }})", "uses {{ m }}, which is not a parameter (n)"),
        ("print({{ n + 1 }})", "is not a placeholder"),
        ("print({{ n.__class__ }})", "is not a placeholder"),
        ("print({{ n|upper }})", "is not a placeholder"),
        ("print({{ }})", "is not a placeholder"),
    ],
)
def test_templates_hold_names_and_nothing_else(template, message):
    with pytest.raises(VariantError) as refused:
        check_template(template, parse_parameters({"domains": {"n": [1]}}), "snippet")
    assert message in refused.value.message


# --- The spec ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ([1], "must be an object"),
        ({"domains": {"n": []}}, "Parameter n: its domain is empty."),
        ({"domains": {"n": {"range": [3, 3]}}}, "Parameter n: its domain is empty."),
        ({"domains": {"n": {"range": [0, 10, 0]}}}, "step cannot be 0"),
        ({"domains": {"n": {"range": [0, 5000]}}}, "more than 1000 values"),
        ({"domains": {"n": [1, 1]}}, "lists a value twice"),
        ({"domains": {"n": [None]}}, "is not an int, float, str, bool"),
        ({"domains": {"n": [{"literal": "__import__('os')"}]}}, "is not a Python literal"),
        ({"domains": {"n": [{"literal": "(1,\n2)"}]}}, "must be one short line"),
        ({"domains": {"2n": [1]}}, "is not a plain name"),
        ({"domains": {"n": [1]}, "extra": 1}, "Unknown key(s) in parameters: extra"),
        ({"domains": {"a": list(range(200)), "b": list(range(200))}}, "40000 combinations"),
        ({"constraints": ["1 == 1"]}, "Constraints need parameters"),
    ],
)
def test_bad_specs_are_refused_with_a_reason(spec, message):
    with pytest.raises(VariantError) as refused:
        variants(spec)
    assert message in refused.value.message


def test_1_and_true_are_different_values():
    assert variants({"domains": {"key": [1, True, 1.0]}}) == [
        {"key": 1},
        {"key": True},
        {"key": 1.0},
    ]


def test_ranges_and_products_in_a_fixed_order():
    spec = {"domains": {"n": {"range": [0, 6, 2]}, "kind": ["list", "tuple"]}}
    assert variants(spec) == [
        {"kind": "list", "n": 0},
        {"kind": "list", "n": 2},
        {"kind": "list", "n": 4},
        {"kind": "tuple", "n": 0},
        {"kind": "tuple", "n": 2},
        {"kind": "tuple", "n": 4},
    ]


# --- Constraints -------------------------------------------------------------------------------


def test_constraints_filter_the_assignments():
    spec = {
        "domains": {"a": {"range": [0, 4]}, "b": {"range": [0, 4]}},
        "constraints": ["a < b", "(a + b) % 2 == 1 or b in (2, 3) and not a == 0"],
    }
    kept = [(v["a"], v["b"]) for v in variants(spec)]
    assert kept == [
        (a, b)
        for a in range(4)
        for b in range(4)
        if a < b and ((a + b) % 2 == 1 or (b in (2, 3) and not a == 0))
    ]


def test_literal_values_take_part_in_constraints_as_python_values():
    spec = {
        "domains": {"start": [[1], {"literal": "(1,)"}]},
        "constraints": ["start != (1,)"],
    }
    assert variants(spec) == [{"start": [1]}]


@pytest.mark.parametrize(
    "constraint",
    [
        "__import__('os').system('true')",
        "n.__class__",
        "[x for x in (1, 2)]",
        "lambda: 1",
        "n if n else 1",
        "n ** 1000000",
        "f'{n}'",
        "n[0]",
        "(n := 1)",
    ],
)
def test_anything_but_the_small_language_is_refused(constraint):
    with pytest.raises(VariantError):
        parse_parameters({"domains": {"n": [1]}, "constraints": [constraint]})


def test_a_constraint_that_fails_on_some_values_names_them():
    parameters = parse_parameters({"domains": {"n": [0, 1]}, "constraints": ["10 // n > 1"]})
    with pytest.raises(VariantError) as refused:
        satisfies(parameters, {"n": 0})
    assert "fails for n=0" in refused.value.message


def test_a_huge_product_is_refused_not_computed():
    parameters = parse_parameters({"domains": {"s": ["ab"]}, "constraints": ["s * 10000000 != ''"]})
    with pytest.raises(VariantError):
        satisfies(parameters, {"s": "ab"})


def test_no_assignment_left_is_an_error():
    with pytest.raises(VariantError) as refused:
        variants({"domains": {"n": [1, 2]}, "constraints": ["n > 2"]})
    assert "No assignment" in refused.value.message


# --- The cap -----------------------------------------------------------------------------------


def test_over_the_cap_a_reproducible_sample_is_kept_in_order():
    spec = {"domains": {"a": {"range": [0, 20]}, "b": {"range": [0, 20]}}}
    parameters = parse_parameters(spec)
    first = enumerate_variants(parameters, seed="digest")
    assert first.total == 400 and len(first.assignments) == VARIANT_CAP
    assert enumerate_variants(parameters, seed="digest") == first
    assert enumerate_variants(parameters, seed="other").assignments != first.assignments
    order = [(v["a"], v["b"]) for v in first.assignments]
    assert order == sorted(order)


def test_describe_names_the_values_as_python_reads_them():
    assert describe({"n": 257, "kind": "list", "t": {"literal": "(1,)"}}) == (
        "kind='list', n=257, t=(1,)"
    )


# --- The draw ----------------------------------------------------------------------------------


def test_the_draw_is_reproducible_and_depends_on_the_secret_and_scope():
    draws = [draw_index(b"secret", f"attempt:{n}:question:7", 5) for n in range(50)]
    assert draws == [draw_index(b"secret", f"attempt:{n}:question:7", 5) for n in range(50)]
    assert draws != [draw_index(b"other", f"attempt:{n}:question:7", 5) for n in range(50)]
    assert draws != [draw_index(b"secret", f"attempt:{n}:question:8", 5) for n in range(50)]


def test_the_draw_spreads_evenly():
    count = 4
    draws = [draw_index(b"secret", f"attempt:{n}:question:1", count) for n in range(4000)]
    shares = [draws.count(index) / len(draws) for index in range(count)]
    assert all(abs(share - 1 / count) < 0.03 for share in shares), shares


def test_there_is_nothing_to_draw_from_without_variants():
    with pytest.raises(ValueError):
        draw_index(b"secret", "scope", 0)
