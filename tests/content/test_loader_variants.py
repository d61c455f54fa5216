"""Loading parameterised questions from fixtures/: every variant's key computed by the grader
(equal to `python -I` of the rendered snippet), stored once, refusals named by parameter values,
and the real bank's parameterised questions loaded with their variants."""

from pathlib import Path

import pytest

import grader
from content.loader import ContentError, load_content
from quizzes import grading, services, variant_services
from quizzes.models import Question, QuestionVariant, StoredKey
from tests.grader.conftest import run_in_cpython

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"

TOPIC = """
[topic]
slug = "interning-caching"
title = "Interning"
order = 7

[[questions]]
slug = "cached-ints"
title = "Cached ints"
mode = "choice"
difficulty = 2
published = true
prompt = '''Is {{{{ n }}}} cached?'''
snippet = '''
a = {{{{ n }}}}
b = int(str(a))
print(a is b)
'''
explanation = '''-5..256 are cached.'''
parameters = {parameters}
constraints = {constraints}

[[questions.choices]]
text = '''True'''
misconception = ""

[[questions.choices]]
text = '''{second}'''
misconception = ""
"""


def write(
    root: Path, *, parameters="{ n = [7, 256, 257, 1000] }", constraints="[]", second="False"
) -> Path:
    (root / "topics").mkdir(parents=True, exist_ok=True)
    text = TOPIC.format(parameters=parameters, constraints=constraints, second=second)
    (root / "topics" / "07-interning.toml").write_text(text, encoding="utf-8")
    (root / "quizzes.toml").write_text("", encoding="utf-8")
    return root


def test_each_variant_is_stored_with_the_graders_key_which_is_cpythons(tmp_path):
    report = load_content(write(tmp_path, constraints='["n != 1000"]'))
    assert report.invalid == {}
    question = Question.objects.get(slug="cached-ints")
    assert question.is_published and services.question_problems(question) == []
    variants = list(question.variants.all())
    assert [v.params for v in variants] == [{"n": 7}, {"n": 256}, {"n": 257}]
    for variant in variants:
        seen = variant_services.as_seen(question, variant)
        assert seen.prompt == f"Is {variant.params['n']} cached?"
        key = StoredKey.objects.get(variant=variant).answer_key
        assert key["stdout"] == run_in_cpython(seen.snippet).stdout
    # The question's own key is the first variant's.
    assert question.answer_key["stdout"] == "True\n"


def test_loading_again_runs_nothing_and_keeps_the_rows(tmp_path, monkeypatch):
    root = write(tmp_path)
    load_content(root)
    rows = list(QuestionVariant.objects.values_list("pk", "params"))
    calls = []
    real = grader.run
    monkeypatch.setattr(grader, "run", lambda *a, **k: calls.append(a) or real(*a, **k))
    report = load_content(root)
    assert calls == [] and report.invalid == {}
    assert list(QuestionVariant.objects.values_list("pk", "params")) == rows


def test_a_variant_without_exactly_one_matching_choice_keeps_the_question_unpublished(tmp_path):
    report = load_content(write(tmp_path, second="Maybe"))
    problems = " ".join(report.invalid["cached-ints"])
    assert "Variant n=257: Exactly one choice must equal the real outcome; 0 do." in problems
    assert "Variant n=7" not in problems
    assert not Question.objects.get(slug="cached-ints").is_published


@pytest.mark.parametrize(
    ("parameters", "constraints", "message"),
    [
        ("{ n = [] }", "[]", "Parameter n: its domain is empty."),
        ("{ n = [1] }", '["open(1)"]', "Call is not allowed"),
        ("{ m = [1] }", "[]", "uses {{ n }}, which is not a parameter"),
        ("{ n = [1, 2] }", '["n > 5"]', "No assignment of the parameters meets the constraints."),
    ],
)
def test_bad_parameters_are_refused_by_name(tmp_path, parameters, constraints, message):
    with pytest.raises(ContentError) as refused:
        load_content(write(tmp_path, parameters=parameters, constraints=constraints))
    assert message in " ".join(refused.value.problems)
    assert not Question.objects.exists()


def test_the_bank_loads_its_parameterised_questions_with_every_variant():
    report = load_content(FIXTURES)
    assert report.invalid == {}
    parameterised = list(variant_services.questions_with_variants())
    assert len(parameterised) >= 20
    variants = QuestionVariant.objects.filter(question__in=parameterised)
    assert variants.count() >= 2 * len(parameterised)
    for question in parameterised:
        assert question.is_published, question.slug
        keys = StoredKey.objects.filter(variant__question=question)
        assert keys.count() == question.variants.count()
        assert all(grading.is_valid_key(key.answer_key) for key in keys)
        outputs = {grading.expected_text(key.answer_key) for key in keys}
        assert len(outputs) >= 2, question.slug  # a parameter changes what it prints


def test_a_question_with_several_parameters_loads_again_unchanged(tmp_path):
    # PostgreSQL's jsonb returns keys shortest first, not in the order they were written.
    parameters = '{ kind = ["a"], n = [7, 257] }'  # jsonb gives them back as n, kind
    root = write(tmp_path, parameters=parameters)
    load_content(root)
    question = Question.objects.get(slug="cached-ints")
    assert question.variants.count() == 2
    report = load_content(root)
    assert report.skipped == [] and report.unchanged["question"] == 1
