"""Choice shares of a parameterised choice question, per variant (issue 18 §1).

Each variant renders the question's choices with its own values and has its own key, so the
choice that is right moves between variants: a choice is labelled, for the students given a
variant, by that variant's key and rendered choices (the right answer there, else its
misconception label). The question's groups sum the variants' groups by label, each choice
listed as the variant rendered it. Reads only; the variants each analysed attempt was given are
the ones stored when it started (quizzes.AttemptVariant): two queries for a quiz, none without
parameterised choice questions.
"""

from collections import Counter, defaultdict

from analytics.presentation import NO_LABEL, RIGHT_ANSWER, ChoiceGroup, ChoiceShare, VariantChoices
from quizzes import grading, predicted_choices, variant_services
from quizzes.models import AttemptVariant, Choice, Question, QuestionVariant, QuizQuestion


def is_parameterised_choice(question: Question) -> bool:
    return question.answer_mode == Question.AnswerMode.CHOICE and bool(question.parameters)


def given_variants(
    entries: list[QuizQuestion], attempt_ids: set[int]
) -> dict[int, Counter[QuestionVariant]]:
    """For each parameterised choice entry: how many of the analysed attempts were given each
    variant (with its keys prefetched). Two queries, none when no entry is such a question."""
    wanted = [entry.pk for entry in entries if is_parameterised_choice(entry.question)]
    given: dict[int, Counter[QuestionVariant]] = defaultdict(Counter)
    if not wanted:
        return given
    rows = (
        AttemptVariant.objects.filter(quiz_question__in=wanted)
        .select_related("variant")
        .prefetch_related("variant__stored_keys")
    )
    variants: dict[int, QuestionVariant] = {}  # one object per variant, however many attempts
    for row in rows:
        if row.attempt_id in attempt_ids:
            variant = variants.setdefault(row.variant_id, row.variant)
            given[row.quiz_question_id][variant] += 1
    return given


def shares(question: Question, n: int, given: Counter[QuestionVariant], chosen: dict[int, Counter]):
    """(the question's groups over all `n` attempts, its unanswered, each variant's shares).
    `chosen`: variant id -> choice id -> how many chose it."""
    per_variant = []
    labelled: list[tuple[str, bool, ChoiceShare]] = []
    for variant in sorted(given, key=lambda v: v.index):
        label = variant_services.variant_label(variant)
        counts = chosen.get(variant.pk, Counter())
        rows = _labelled(question, variant, counts, given[variant], label)
        groups = grouped(rows, given[variant])
        per_variant.append(
            VariantChoices(label, given[variant], groups, given[variant] - sum(counts.values()))
        )
        labelled += rows
    answered = sum(sum(counts.values()) for counts in chosen.values())
    return grouped(labelled, n), n - answered, per_variant


def _labelled(question: Question, variant: QuestionVariant, counts: Counter, n: int, label: str):
    """Each choice as `variant` renders it, with its label there and its share of `n`."""
    key = variant_services.current_key(variant.stored_keys.all())
    outcome = key.answer_key if key is not None else None
    predictions = key.key_predictions if key is not None else None
    rendered = [
        Choice(
            pk=choice.pk,
            text=predicted_choices.choice_text(
                choice.text, choice.misconception, variant.params, outcome, predictions
            ),
            misconception=choice.misconception,
        )
        for choice in question.choices.all()
    ]
    right = (
        {choice.pk for choice in grading.matching_choices(rendered, outcome)}
        if grading.is_valid_key(outcome)
        else set()
    )
    rows = []
    for choice in rendered:
        is_right = choice.pk in right
        group = RIGHT_ANSWER if is_right else (choice.misconception.strip() or NO_LABEL)
        count = counts.get(choice.pk, 0)
        rows.append((group, is_right, ChoiceShare(choice.text, count, _share(count, n), label)))
    return rows


def grouped(rows: list[tuple[str, bool, ChoiceShare]], n: int) -> list[ChoiceGroup]:
    """Choice shares grouped by label (the right answer in a group of its own), the most chosen
    group first; each group's share is of `n`."""
    by_label: dict[tuple[str, bool], list[ChoiceShare]] = defaultdict(list)
    for label, is_right, share in rows:
        by_label[(label, is_right)].append(share)
    groups = [
        ChoiceGroup(
            label=label,
            is_right=is_right,
            count=sum(c.count for c in members),
            share=_share(sum(c.count for c in members), n),
            choices=members,
        )
        for (label, is_right), members in by_label.items()
    ]
    groups.sort(key=lambda g: (not g.is_right, -g.count, g.label))
    return groups


def _share(count: int, n: int) -> float:
    return count / n if n else 0.0
