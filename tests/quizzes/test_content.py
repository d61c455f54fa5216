"""The TOML loader: upsert by slug, keys from the grader, invalid questions reported and hidden."""

import pytest

import grader
from quizzes.content import ContentError, load_content, read_fixtures
from quizzes.grading import expected_text
from quizzes.models import Choice, CodeBlockOutput, ConceptPage, Question, Quiz, Topic

pytestmark = pytest.mark.django_db

SNIPPET = "a = [1]\nb = a\nb.append(2)\nprint(a)\n"


def real_output(snippet: str) -> str:
    return expected_text(grader.run(snippet).to_dict())


def topic_toml(*, title="Mutability", snippet=SNIPPET, right=None, extra_choice="[1]") -> str:
    right = real_output(snippet) if right is None else right
    return f"""
[topic]
slug = "mutability-aliasing"
title = "{title}"
order = 3
summary = "Names share objects."

[[pages]]
slug = "aliasing"
title = "Aliasing"
order = 1
body = '''
Two names, one list:

```python
{snippet}```
'''

[[questions]]
slug = "alias-typed"
title = "Append through an alias"
mode = "typed"
difficulty = 1
published = true
prompt = '''What does this print?'''
snippet = '''
{snippet}'''
explanation = '''Assignment binds a name; it never copies.'''

[[questions]]
slug = "alias-choice"
title = "Append through an alias (choice)"
mode = "choice"
difficulty = 2
published = true
snippet = '''
{snippet}'''
explanation = '''Assignment binds a name; it never copies.'''

[[questions.choices]]
text = '''{right}'''

[[questions.choices]]
text = '''{extra_choice}'''
misconception = "assignment copies"
"""


QUIZZES = """
[[quizzes]]
slug = "aliasing-quiz"
title = "Aliasing"
description = '''Two questions.'''
time_limit_minutes = 10
max_attempts = 2
feedback_policy = "after_submit"
shuffle = true
published = true
questions = [ { slug = "alias-typed", points = 2 }, { slug = "alias-choice" } ]
"""


@pytest.fixture
def fixtures_dir(tmp_path):
    (tmp_path / "topics").mkdir()
    (tmp_path / "topics" / "03-mutability-aliasing.toml").write_text(topic_toml())
    (tmp_path / "quizzes.toml").write_text(QUIZZES)
    return tmp_path


def counts():
    models = (Topic, ConceptPage, CodeBlockOutput, Question, Choice, Quiz)
    return {m.__name__: m.objects.count() for m in models}


def test_loads_everything_with_keys_from_the_grader(fixtures_dir):
    report = load_content(fixtures_dir)
    assert report.invalid == {} and report.keys_computed == 2 and report.outputs_computed == 1
    typed = Question.objects.get(slug="alias-typed")
    assert typed.is_published and typed.snippet == SNIPPET
    assert expected_text(typed.answer_key) == real_output(SNIPPET)
    quiz = Quiz.objects.get(slug="aliasing-quiz")
    assert quiz.shuffle_questions and quiz.time_limit_minutes == 10 and quiz.max_attempts == 2
    assert [(e.question.slug, e.points) for e in quiz.quiz_questions.all()] == [
        ("alias-typed", 2),
        ("alias-choice", 1),
    ]
    choice = Choice.objects.get(text="[1]")
    assert choice.misconception == "assignment copies"


def test_loading_twice_duplicates_nothing_and_reruns_nothing(fixtures_dir):
    load_content(fixtures_dir)
    before = counts()
    choice_ids = set(Choice.objects.values_list("pk", flat=True))
    report = load_content(fixtures_dir)
    assert counts() == before
    assert set(Choice.objects.values_list("pk", flat=True)) == choice_ids
    assert report.keys_computed == 0 and report.outputs_computed == 0
    assert report.created.total() == 0 and report.updated.total() == 0
    assert report.unchanged == {"topic": 1, "page": 1, "question": 2, "quiz": 1}


def test_editing_a_fixture_updates_on_reload(fixtures_dir):
    load_content(fixtures_dir)
    edited = "a = [1]\nb = a[:]\nb.append(2)\nprint(a)\n"
    path = fixtures_dir / "topics" / "03-mutability-aliasing.toml"
    path.write_text(topic_toml(title="Aliasing", snippet=edited, extra_choice="[1, 2]"))
    report = load_content(fixtures_dir)
    assert report.keys_computed == 2 and report.invalid == {}
    assert Topic.objects.get().title == "Aliasing"
    typed = Question.objects.get(slug="alias-typed")
    assert expected_text(typed.answer_key) == real_output(edited)
    assert Question.objects.get(slug="alias-choice").choices.count() == 2
    assert Question.objects.count() == 2


def test_invalid_choice_question_is_reported_and_not_published(fixtures_dir):
    path = fixtures_dir / "topics" / "03-mutability-aliasing.toml"
    path.write_text(topic_toml(right="not the output"))
    report = load_content(fixtures_dir)
    assert list(report.invalid) == ["alias-choice"]
    assert "0 do" in report.invalid["alias-choice"][0]
    assert not Question.objects.get(slug="alias-choice").is_published
    assert Question.objects.get(slug="alias-typed").is_published
    assert any("INVALID question alias-choice" in line for line in report.lines())


def test_malformed_fixtures_load_nothing_and_name_every_problem(tmp_path):
    (tmp_path / "topics").mkdir()
    (tmp_path / "topics" / "a.toml").write_text(
        '[topic]\nslug = "t"\ntitle = "T"\norder = "first"\n'
        '[[questions]]\nslug = "q"\ntitle = "Q"\nmode = "essay"\n'
    )
    (tmp_path / "topics" / "b.toml").write_text("this is = not toml [")
    with pytest.raises(ContentError) as raised:
        read_fixtures(tmp_path)
    problems = "\n".join(raised.value.problems)
    assert "`order` has the wrong type" in problems
    assert "missing `snippet`" in problems and "`mode` must be one of" in problems
    assert "b.toml: not valid TOML" in problems
    assert Topic.objects.count() == 0


def test_duplicate_slugs_across_files_are_refused(fixtures_dir):
    (fixtures_dir / "topics" / "04-copy.toml").write_text(
        topic_toml().replace('slug = "mutability-aliasing"', 'slug = "copying"')
    )
    with pytest.raises(ContentError, match="question slug 'alias-typed' is used 2 times"):
        load_content(fixtures_dir)


def test_quiz_entries_follow_the_fixture(fixtures_dir):
    load_content(fixtures_dir)
    (fixtures_dir / "quizzes.toml").write_text(
        QUIZZES.replace('{ slug = "alias-choice" }', '{ slug = "no-such-question" }')
    )
    report = load_content(fixtures_dir)
    assert any("unknown question 'no-such-question'" in note for note in report.notes)
    quiz = Quiz.objects.get(slug="aliasing-quiz")
    assert [e.question.slug for e in quiz.quiz_questions.all()] == ["alias-typed"]
