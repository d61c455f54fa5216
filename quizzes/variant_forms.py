"""The admin's checks of a parameterised question (quizzes.admin_forms calls these).

The question form parses the parameters, checks the snippet's and the prompt's placeholders,
and runs every variant through the grader (form validation runs outside any transaction: see
quizzes.admin_saving); the choice formset then checks each variant's rendered choices against
that variant's outcome. Every refusal is a form error naming the parameter values.
"""

from django.core.exceptions import ValidationError

from quizzes import grading, variant_services, versions
from quizzes.variants import VARIANT_CAP, VariantError, check_template, describe, parse_parameters

PARAMETERS_HELP = (
    'Optional. JSON: {"domains": {"n": [256, 257], "k": {"range": [0, 3]}}, '
    '"constraints": ["n != k"]}. Each domain is a list of values (int, float, str, bool, lists) '
    "or an integer range [start, stop) ; constraints use names, literals, and/or/not, "
    "comparisons, in, + - * // %. Write {{ n }} in the snippet (a Python literal: repr), the "
    "prompt and the choices (as print() shows it; {{ n!r }} for the repr). A choice written "
    "{{ predicted }} and labelled with a catalogue misconception shows, in each variant, what "
    "that misconception predicts there. Every variant is run "
    f"by the grader when you save; over {VARIANT_CAP} variants, {VARIANT_CAP} are drawn "
    "reproducibly (the same ones every time)."
)


def clean_parameters(value) -> dict:
    """The parameters field: empty means a plain question; anything else must parse."""
    if value in (None, "", {}):
        return {}
    try:
        parse_parameters(value)
    except VariantError as error:
        raise ValidationError(error.message) from None
    return value


def check_variants(form, cleaned: dict) -> dict | None:
    """Check the templates and run every variant; returns the grader's results (None when a
    refusal was added to the form). Raises GraderUnavailable like the plain check."""
    spec = cleaned["parameters"]
    parameters = parse_parameters(spec)
    for field in ("snippet", "prompt"):
        try:
            check_template(cleaned.get(field) or "", parameters, field)
        except VariantError as error:
            form.add_error(field, error.message)
            return None
    try:
        planned, total = variant_services.planned_variants(
            spec=spec,
            snippet=cleaned["snippet"],
            prompt=cleaned.get("prompt") or "",
            choice_texts=[],
        )
    except VariantError as error:
        form.add_error("parameters", error.message)
        return None
    problems = variant_services.change_problems(form.instance, planned)
    if problems:
        form.add_error("parameters", problems)
        return None
    results = variant_services.compute_variant_results(p.snippet for p in planned)
    refused = [
        f"Variant {describe(p.params)}: the grader refused it "
        f"({results[p.snippet].outcome.get('status')}): "
        + ("; ".join(results[p.snippet].outcome.get("reasons") or []) or "no reason given")
        for p in planned
        if not grading.is_valid_key(results[p.snippet].outcome)
    ]
    if refused:
        form.add_error("snippet", refused)
        return None
    # Each variant's key on every other configured Python line, stored with it (quizzes.versions).
    other_lines = versions.python_lines()[1:]
    form.variant_version_results = {
        p.snippet: versions.compute_version_keys(p.snippet, other_lines) for p in planned
    }
    # The choice formset checks each variant's choices against these (check_variant_choices).
    form.instance.checked_variants = results
    form.instance.checked_outcome = None
    form.variant_total = total
    form.variant_planned = planned  # their parameters and snippets, for the store of other lines
    return results


def check_variant_choices(question, choice_texts: list[str], labels: list[str]) -> None:
    """Raise ValidationError when a choice uses an unknown placeholder, a variant's rendered
    choices do not have exactly one match (true/false: one claim), or a choice's catalogue label
    is not what it predicts in a variant where the choice is wrong."""
    results = question.checked_variants
    try:
        planned, _ = variant_services.planned_variants(
            spec=question.parameters,
            snippet=question.snippet,
            prompt=question.prompt,
            choice_texts=choice_texts,
        )
    except VariantError as error:
        raise ValidationError(error.message) from None
    problems = variant_services.variant_problems(
        question.answer_mode,
        planned,
        [results[p.snippet].outcome for p in planned],
        labels=labels,
        predictions=[results[p.snippet].predictions for p in planned],
    )
    if problems:
        raise ValidationError(problems)
