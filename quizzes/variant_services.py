"""Variants of parameterised questions: computing their keys, storing them, and which variant a
student is shown.

The rule on the grader holds here too: `compute_variant_results` runs it (outside any
transaction: admin form validation, the loader before its transaction, refresh_answer_keys),
and `variants_store` only writes what was computed. Every variant of a question is checked as a
plain question is: the grader runs it to the end, its output is the same from one run of Python
to the next and does not hang on the collector's timing, and (choice questions) exactly one
of its rendered choices matches. A variant that fails is refused with its parameter values.

Each variant's key is a StoredKey row (variant set, python = the running interpreter's "3.12"
line); Question.answer_key holds the first variant's, so readers that know no variants (key
state in the admin, the version check) still see a real key.
"""

import copy
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from content import runs
from content.compute import Result, ResultMissing, compute_results
from grader.constants import Status
from quizzes import grading, misconceptions, predicted_choices
from quizzes.models import (
    Attempt,
    AttemptVariant,
    Choice,
    PracticeAnswer,
    Question,
    QuestionVariant,
    QuizQuestion,
    Response,
    StoredKey,
)
from quizzes.variants import (
    Parameters,
    VariantError,  # noqa: F401 - re-exported for the loader
    attempt_scope,
    check_template,
    describe,
    draw_index,
    draw_secret,
    enumerate_variants,
    parse_parameters,
    render,
    spec_digest,
)

logger = logging.getLogger(__name__)

UNSTABLE_REASON = (
    "its output changes from one run of Python to the next (a set's order, an id(), a hash), "
    "so no single answer is right"
)


def python_line(version: str) -> str:
    """ "3.12" for "3.12.1" (StoredKey.python)."""
    return ".".join(version.split(".")[:2])


# --- What a question's variants are (reads and pure functions only) ----------------------------


@dataclass(frozen=True)
class Planned:
    """A variant to be: its parameter values and its rendered snippet, prompt and choices."""

    params: dict
    snippet: str
    prompt: str
    choice_texts: list[str]


def planned_variants(
    *, spec, snippet: str, prompt: str, choice_texts: list[str]
) -> tuple[list[Planned], int]:
    """The variants `spec` makes of these templates, and how many assignments met the
    constraints (more than listed when over the cap). Raises VariantError."""
    parameters = parse_parameters(spec)
    if not parameters:
        return [], 0
    check_templates(parameters, snippet=snippet, prompt=prompt, choice_texts=choice_texts)
    listing = enumerate_variants(parameters, seed=spec_digest(spec))
    planned = [
        Planned(
            params=values,
            snippet=render(snippet, values, code=True),
            prompt=render(prompt, values, code=False),
            # A {{ predicted }} choice is filled in once the variant's predictions are known.
            choice_texts=[
                text if predicted_choices.is_predicted(text) else render(text, values, code=False)
                for text in choice_texts
            ],
        )
        for values in listing.assignments
    ]
    return planned, listing.total


def check_templates(
    parameters: Parameters, *, snippet: str, prompt: str, choice_texts: list[str]
) -> None:
    check_template(snippet, parameters, "snippet")
    check_template(prompt, parameters, "prompt")
    for text in choice_texts:
        if not predicted_choices.is_predicted(text):
            check_template(text, parameters, f"choice {text!r}")


def planned_for(question: Question) -> list[Planned]:
    choice_texts = [choice.text for choice in question.choices.all()]
    planned, _ = planned_variants(
        spec=question.parameters,
        snippet=question.snippet,
        prompt=question.prompt,
        choice_texts=choice_texts,
    )
    return planned


def is_parameterised(question: Question) -> bool:
    return bool(question.parameters)


# --- Running the grader (never inside a transaction) -------------------------------------------


def compute_variant_results(sources) -> dict[str, Result]:
    """Each rendered snippet's key, trace and predictions (content.compute), with the outcome of
    one whose output varies between runs replaced by a refusal that says so."""
    sources = list(dict.fromkeys(sources))
    results = compute_results([], keys=sources)
    for source in sources:
        result = results[source]
        if grading.is_valid_key(result.outcome) and runs.output_varies(source):
            refused = {
                **result.outcome,
                "status": Status.REJECTED,
                "stdout": "",
                "exception": None,
                "exception_line": None,
                "reasons": [UNSTABLE_REASON],
            }
            results[source] = Result(outcome=refused, trace=None, computed_at=result.computed_at)
    return results


def sources_needing_run(question: Question | None, planned: list[Planned]) -> list[str]:
    """The rendered snippets with no current StoredKey on the running interpreter."""
    current = _current_hashes(question) if question is not None and question.pk else set()
    return [p.snippet for p in planned if grading.source_hash(p.snippet) not in current]


def _current_hashes(question: Question) -> set[str]:
    line = python_line(runs.current_python_version())
    keys = StoredKey.objects.filter(question=question, variant__isnull=False, python=line)
    return {key.source_hash for key in keys if grading.is_valid_key(key.answer_key)}


# --- Checking computed variants ----------------------------------------------------------------


def variant_problems(
    answer_mode: str,
    planned: list[Planned],
    outcomes: list[dict],
    *,
    labels: list[str] | None = None,
    predictions: list[dict | None] | None = None,
) -> list[str]:
    """Why these variants cannot be published, each naming its parameter values. With the
    choices' `labels` and each variant's `predictions`, a choice labelled with a catalogue id
    must also be what that id predicts in every variant where the choice is wrong (where it is
    the right answer, its label does not apply)."""
    problems = []
    for index, (variant, outcome) in enumerate(zip(planned, outcomes, strict=True)):
        where = f"Variant {describe(variant.params)}"
        if not grading.is_valid_key(outcome):
            reasons = "; ".join(outcome.get("reasons") or []) or "no reason given"
            problems.append(f"{where}: the grader refused it ({outcome.get('status')}): {reasons}")
            continue
        texts = variant.choice_texts
        choices = [
            Choice(text=text, misconception=label)
            for text, label in zip(texts, labels or [""] * len(texts), strict=True)
        ]
        found = []
        if predictions is not None:  # {{ predicted }} choices: this variant's predictions
            found = _fill_predicted(choices, variant.params, outcome, predictions[index])
        found = found or grading.choice_problems(answer_mode, outcome, choices)
        if not found and labels is not None and predictions is not None:
            right = grading.matching_choices(choices, outcome)
            wrong = [choice for choice in choices if choice not in right]
            found = misconceptions.label_problems(outcome, predictions[index], wrong)
        problems += [f"{where}: {problem}" for problem in found]
    return problems


def _fill_predicted(choices: list[Choice], params: dict, outcome: dict, predictions) -> list[str]:
    """Give each {{ predicted }} choice this variant's prediction of its label (in place); why
    one has nothing to show."""
    found = []
    for choice in choices:
        if predicted_choices.is_predicted(choice.text):
            why = predicted_choices.problem(choice.misconception, outcome, predictions)
            found += [why] if why else []
            choice.text = predicted_choices.choice_text(
                choice.text, choice.misconception, params, outcome, predictions
            )
    return found


def change_problems(question: Question, planned: list[Planned]) -> list[str]:
    """Why the stored variants of `question` may not become `planned`: a variant a student was
    given would change or go (AttemptVariant.variant, stored for every question of an attempt
    when it starts, Response.variant and PracticeAnswer.variant are PROTECT), or an open attempt
    that started before the question had variants, whose draw reads the list, would be given
    another one."""
    if question.pk is None:
        return []
    stored = {v.index: v for v in question.variants.all()}
    wanted = {index: p.params for index, p in enumerate(planned)}
    changed = [v for index, v in stored.items() if wanted.get(index) != v.params]
    if not changed:
        return []
    problems = []
    used = variants_in_use(changed)
    if used:
        shown = "; ".join(f"#{v.index} ({describe(v.params)})" for v in used)
        problems.append(
            f"Students were given variant(s) {shown}; they cannot change or go. Keep those "
            "parameter values (add new ones after them), or make a new question."
        )
    if open_attempts_with(question).exclude(given_variants__variant__question=question).exists():
        problems.append(
            "An attempt that includes this question, started before it had variants, is open; "
            "its variants cannot change until it is submitted."
        )
    return problems


def predicted_choice_add(*, question: Question, misconception: str) -> Choice:
    """Add a {{ predicted }} choice labelled `misconception` to a parameterised choice question:
    each variant shows what it predicts there. Refused (ServiceError's InvalidAnswer) unless it
    predicts another output than the real one in every stored variant. Nothing runs."""
    from quizzes.services import InvalidAnswer  # services imports this module

    choices = list(question.choices.all())
    if any(
        predicted_choices.is_predicted(c.text) and c.misconception.strip() == misconception
        for c in choices
    ):
        raise InvalidAnswer(f"A choice already shows what {misconception!r} predicts.")
    rows = list(question.variants.all())
    keys = _keys_by_variant(rows)
    for row in rows:
        key = keys.get(row.pk)
        outcome, predictions = (key.answer_key, key.key_predictions) if key else (None, None)
        why = predicted_choices.problem(misconception, outcome, predictions)
        if why:
            raise InvalidAnswer(f"Variant {describe(row.params)}: {why}")
    order = max((choice.order for choice in choices), default=-1) + 1
    return Choice.objects.create(
        question=question,
        text=predicted_choices.PREDICTED,
        misconception=misconception,
        order=order,
    )


def variants_in_use(variants) -> list[QuestionVariant]:
    ids = [v.pk for v in variants]
    used = set(AttemptVariant.objects.filter(variant__in=ids).values_list("variant", flat=True))
    used |= set(Response.objects.filter(variant__in=ids).values_list("variant", flat=True))
    used |= set(PracticeAnswer.objects.filter(variant__in=ids).values_list("variant", flat=True))
    return [v for v in variants if v.pk in used]


def open_attempts_with(question: Question):
    return Attempt.objects.filter(
        submitted_at__isnull=True, quiz__quiz_questions__question=question
    ).distinct()


# --- Writing (no grader run) ---------------------------------------------------------------------


def variants_store(question: Question, results: dict[str, Result]) -> list[str]:
    """Store the computed variants of the saved `question`: one QuestionVariant per planned
    variant, its StoredKey, and the first variant's key as the question's. Returns the problems
    that kept it from doing so (nothing is written then). Raises ResultMissing when a variant's
    result is not in `results`; the grader never runs here."""
    try:
        planned = planned_for(question)
    except VariantError as error:
        return [error.message]
    fresh = {p.snippet for p in planned} & results.keys()
    # Variants whose stored key is current were not run again: their stored results count.
    results = _stored_results(question, planned, skip=results.keys()) | results
    chosen = [_result(results, p.snippet) for p in planned]
    problems = variant_problems(
        question.answer_mode,
        planned,
        [result.outcome for result in chosen],
        labels=[choice.misconception for choice in question.choices.all()],
        predictions=[result.predictions for result in chosen],
    )
    problems += change_problems(question, planned)
    if problems:
        return problems
    if not fresh and [v.params for v in question.variants.all()] == [p.params for p in planned]:
        return []  # every row and key is already what it would be written as
    with transaction.atomic():  # the rows, their keys and the question's key, all or nothing
        _write_rows(question, planned, results)
    return []


def _result(results: dict[str, Result], source: str) -> Result:
    try:
        return results[source]
    except KeyError:
        raise ResultMissing(source) from None


def stored_key_write(
    *, question: Question, variant: QuestionVariant, line: str, result: Result, snippet: str
) -> None:
    """Store `result`, the grader's on Python `line` for the variant's rendered `snippet`, as
    the key of the question's variant on that line."""
    StoredKey.objects.update_or_create(
        variant=variant,
        python=line,
        defaults={
            "question": question,
            "python_version": result.python_version,
            "answer_key": result.outcome,
            "key_trace": result.trace,
            "key_predictions": result.predictions,
            "source_hash": grading.source_hash(snippet),
            "computed_at": result.computed_at,
        },
    )


def _write_rows(question: Question, planned: list[Planned], results: dict[str, Result]) -> None:
    from quizzes import services  # services imports this module

    question.variants.filter(index__gte=len(planned)).delete()
    for index, variant in enumerate(planned):
        row, _ = QuestionVariant.objects.update_or_create(
            question=question, index=index, defaults={"params": variant.params}
        )
        result = results[variant.snippet]
        stored_key_write(
            question=question,
            variant=row,
            line=python_line(result.python_version),
            result=result,
            snippet=variant.snippet,
        )
    first = results[planned[0].snippet]
    services.store_answer_key(
        question,
        first.outcome,
        trace=first.trace,
        predictions=first.predictions,
        now=first.computed_at,
    )
    logger.info("Question %s: %d variant(s) stored", question.slug, len(planned))


def variants_refresh(question: Question, *, force: bool = False) -> tuple[bool, list[str]]:
    """Recompute the keys of the question's variants that are not current (all with `force`)
    and store them: the refresh path of a parameterised question. Call it outside any
    transaction. Returns whether the grader ran, and the problems (nothing stored then)."""
    try:
        planned = planned_for(question)
    except VariantError as error:
        return False, [error.message]
    sources = [p.snippet for p in planned] if force else sources_needing_run(question, planned)
    results = compute_variant_results(sources) if sources else {}
    return bool(sources), variants_store(question, results)


def _stored_results(question: Question, planned, *, skip) -> dict[str, Result]:
    """The current stored keys of these variants, as Results (so a refresh only runs the
    grader for the ones that changed)."""
    line = python_line(runs.current_python_version())
    stored = {
        key.source_hash: key
        for key in StoredKey.objects.filter(question=question, variant__isnull=False, python=line)
    }
    found = {}
    for variant in planned:
        key = stored.get(grading.source_hash(variant.snippet))
        if variant.snippet not in skip and key is not None:
            found[variant.snippet] = Result(
                outcome=key.answer_key or {},
                trace=key.key_trace,
                computed_at=key.computed_at,
                predictions=key.key_predictions,
            )
    return found


def variants_regenerate(question: Question) -> list[str]:
    """The instructor's explicit "regenerate variants": run every variant again and rebuild
    the list from the current parameters. Refused (returns why, nothing changed) when that
    would change a variant a student was given or an open attempt's draw."""
    try:
        planned = planned_for(question)
    except VariantError as error:
        return [error.message]
    problems = change_problems(question, planned)
    if problems:
        return problems
    _, problems = variants_refresh(question, force=True)
    return problems


def stored_problems(question: Question) -> list[str]:
    """Why a parameterised question cannot be published with what is stored (reads only): the
    variants must be those its parameters make, each with a valid, current key on the running
    interpreter and exactly one matching choice (choice questions)."""
    try:
        planned = planned_for(question)
    except VariantError as error:
        return [error.message]
    rows = list(question.variants.all())
    if [row.params for row in rows] != [p.params for p in planned]:
        return ["The stored variants are not those the parameters make: save it again."]
    keys = _keys_by_variant(rows)
    outcomes, predictions = [], []
    for row, variant in zip(rows, planned, strict=True):
        key = keys.get(row.pk)
        if key is None or key.source_hash != grading.source_hash(variant.snippet):
            return [f"Variant {describe(row.params)} has no current key: save it again."]
        outcomes.append(key.answer_key or {})
        predictions.append(key.key_predictions)
    labels = [choice.misconception for choice in question.choices.all()]
    return variant_problems(
        question.answer_mode, planned, outcomes, labels=labels, predictions=predictions
    )


def _keys_by_variant(rows) -> dict[int, StoredKey]:
    keys: dict[int, list[StoredKey]] = {}
    for key in StoredKey.objects.filter(variant__in=rows):
        keys.setdefault(key.variant_id, []).append(key)  # type: ignore[arg-type]
    return {variant_id: current_key(found) for variant_id, found in keys.items()}


def current_key(keys) -> StoredKey | None:
    """Of one variant's rows, the running interpreter's when there is one, else the first line's
    (no grader to ask)."""
    line = python_line(runs.current_python_version())
    ordered = sorted(keys, key=lambda key: key.python)
    return next((key for key in ordered if key.python == line), ordered[0] if ordered else None)


# --- Which variant a student sees ---------------------------------------------------------------


def _secret() -> bytes:
    return draw_secret(settings.SECRET_KEY)


def _drawn(variant_ids: list, scope: str):
    """The one of `variant_ids` (in index order) that `scope` is given."""
    return variant_ids[draw_index(_secret(), scope, len(variant_ids))]


def draw(question: Question, scope: str) -> QuestionVariant | None:
    """The variant `scope` is given (None for a plain question or one without stored variants)."""
    variants = list(question.variants.all())
    if not variants:
        return None
    return _drawn(variants, f"{scope}:question:{question.pk}")


@dataclass(frozen=True)
class QuizDraws:
    """What a start needs of a quiz, read in one query: its questions' order (QuizQuestion ids),
    their points, and, for each parameterised question, its variants' ids in index order."""

    order: list[int]
    points: list[int]  # in `order`
    variants: dict[int, tuple[int, list[int]]]  # entry id: (question id, variant ids)


def quiz_draws(quiz) -> QuizDraws:
    """One query (the entries joined to their questions' variants), whatever the quiz's size."""
    rows = (
        QuizQuestion.objects.filter(quiz=quiz)
        .order_by("order", "pk", "question__variants__index")
        .values_list(
            "pk", "points", "question_id", "question__parameters", "question__variants__pk"
        )
    )
    order: list[int] = []
    points: list[int] = []
    variants: dict[int, tuple[int, list[int]]] = {}
    for entry_id, entry_points, question_id, parameters, variant_id in rows:
        if not order or order[-1] != entry_id:
            order.append(entry_id)
            points.append(entry_points)
        if parameters and variant_id is not None:
            variants.setdefault(entry_id, (question_id, []))[1].append(variant_id)
    return QuizDraws(order=order, points=points, variants=variants)


def attempt_variants_store(attempt: Attempt, draws: QuizDraws) -> None:
    """Store the variant of every parameterised question of the just-created `attempt`, drawn
    from the secret and the attempt (start_attempt; one INSERT, none for a quiz without one)."""
    rows = [
        AttemptVariant(
            attempt=attempt,
            quiz_question_id=entry_id,
            variant_id=_drawn(ids, attempt_scope(attempt.pk, question_id)),
        )
        for entry_id, (question_id, ids) in draws.variants.items()
    ]
    if rows:
        AttemptVariant.objects.bulk_create(rows)


def attempt_variant(attempt: Attempt, quiz_question: QuizQuestion) -> QuestionVariant | None:
    """The variant of `quiz_question` in `attempt`: the one stored when the attempt started (the
    draw only for a question that had no variants then). One query for a parameterised
    question, none for a plain one."""
    question = quiz_question.question
    if not is_parameterised(question):
        return None
    given = (
        AttemptVariant.objects.filter(attempt=attempt, quiz_question=quiz_question)
        .select_related("variant")
        .first()
    )
    return given.variant if given is not None else draw(question, f"attempt:{attempt.pk}")


def practice_variant(user, question: Question) -> QuestionVariant | None:
    """The variant of the user's next practice try at `question`: each try draws again, and the
    page and the answer agree (both count the tries made so far)."""
    if not is_parameterised(question):
        return None
    tries = PracticeAnswer.objects.filter(user=user, question=question).count()
    return draw(question, f"practice:{user.pk}:{tries}")


def as_seen(question: Question, variant: QuestionVariant | None) -> Question:
    """`question` as a student given `variant` sees and is graded on it: an unsaved copy with
    the rendered snippet, prompt and choices (same ids) and the variant's key, trace and
    predictions. A plain question (variant None) is returned as it is."""
    if variant is None:
        return question
    choices = list(question.choices.all())
    seen = copy.copy(question)
    seen._state = copy.copy(question._state)
    seen.snippet = render(question.snippet, variant.params, code=True)
    seen.prompt = render(question.prompt, variant.params, code=False)
    key = current_key(variant.stored_keys.all())  # prefetched by the callers that read many
    seen.answer_key = key.answer_key if key else None
    seen.key_trace = key.key_trace if key else None
    seen.key_predictions = key.key_predictions if key else None
    seen.key_python_version = key.python_version if key else ""
    seen.key_source_hash = grading.source_hash(seen.snippet)
    rendered = []
    for choice in choices:
        shown = copy.copy(choice)
        shown.text = predicted_choices.choice_text(
            choice.text, choice.misconception, variant.params, seen.answer_key, seen.key_predictions
        )
        rendered.append(shown)
    # The question's other prefetched rows (known wrong answers, keys) stay read once.
    prefetched = getattr(question, "_prefetched_objects_cache", {})
    cache = {**prefetched, "choices": _cached(Choice, question, rendered)}
    seen._prefetched_objects_cache = cache  # type: ignore[attr-defined]
    seen.seen_variant = variant  # type: ignore[attr-defined]
    return seen


def _cached(model, question: Question, rows: list):
    """A queryset whose rows are `rows` (as prefetch_related leaves one): .all() returns them."""
    queryset = model.objects.filter(question=question)
    queryset._result_cache = rows
    queryset._prefetch_done = True
    return queryset


def seen_choice(question: Question, choice: Choice | None) -> Choice | None:
    """The rendered copy of `choice` in the as_seen `question` (the choice itself otherwise)."""
    if choice is None or not hasattr(question, "seen_variant"):
        return choice
    return next((c for c in question.choices.all() if c.pk == choice.pk), choice)


def variant_label(variant: QuestionVariant | None) -> str:
    """How instructors read a variant: "#3 (n=257)"."""
    return "" if variant is None else f"#{variant.index} ({describe(variant.params)})"


def questions_with_variants(queryset=None):
    queryset = queryset if queryset is not None else Question.objects.all()
    return queryset.exclude(Q(parameters={}) | Q(parameters__isnull=True))


def entries_as_seen(attempt: Attempt, entries: list) -> list:
    """The attempt's quiz questions with each parameterised question replaced (in memory) by the
    variant this attempt was given when it started. Two queries (the stored variants, their keys),
    none for a quiz without parameterised questions."""
    parameterised = [entry for entry in entries if is_parameterised(entry.question)]
    if not parameterised:
        return entries
    given = {
        row.quiz_question_id: row.variant
        for row in AttemptVariant.objects.filter(attempt=attempt)
        .select_related("variant")
        .prefetch_related("variant__stored_keys")
    }
    for entry in parameterised:
        variant = given.get(entry.pk) or draw(entry.question, f"attempt:{attempt.pk}")
        entry.question = as_seen(entry.question, variant)
    return entries


def seen_variant_label(question: Question) -> str:
    """The label of the variant an as_seen question shows ("" for a plain question)."""
    return variant_label(getattr(question, "seen_variant", None))


def snippet_for(user, question: Question) -> str:
    """The snippet `user` last answered of `question`: for a parameterised question, the variant
    of their latest answer (practice or quiz), else the first variant; never the template."""
    if not is_parameterised(question):
        return question.snippet
    answers = [
        Response.objects.filter(attempt__user=user, quiz_question__question=question)
        .exclude(variant=None)
        .order_by("-answered_at")
        .values_list("answered_at", "variant")
        .first(),
        PracticeAnswer.objects.filter(user=user, question=question)
        .exclude(variant=None)
        .order_by("-answered_at")
        .values_list("answered_at", "variant")
        .first(),
    ]
    latest = max((a for a in answers if a is not None), default=None, key=lambda a: a[0])
    variants = question.variants.all()
    variant = variants.filter(pk=latest[1]).first() if latest else variants.first()
    return as_seen(question, variant).snippet if variant else question.snippet
