"""The TOML loader: upsert by slug, keys from the grader, invalid questions reported and hidden,
and nothing changed or authored in the admin overwritten."""

from datetime import timedelta

import pytest
from django.db import DatabaseError
from django.urls import reverse

import grader
from content import compute
from content import loader as content
from content.loader import (
    EDITED,
    NOT_LOADED,
    ContentError,
    load_content,
    read_fixtures,
)
from content.models import CodeBlockOutput, ConceptPage, Topic
from quizzes import services
from quizzes.grading import expected_text
from quizzes.models import Choice, Question, Quiz, QuizQuestion
from tests.helpers import trace_without_ids

pytestmark = pytest.mark.django_db

SNIPPET = "a = [1]\nb = a\nb.append(2)\nprint(a)\n"
# The page shows another example: a quiz question's snippet on a page would give its key away.
PAGE_BLOCK = "a = [1]\nb = a\nprint(a is b)\n"


def real_output(snippet: str) -> str:
    return expected_text(grader.run(snippet).to_dict())


def topic_toml(
    *, title="Mutability", snippet=SNIPPET, right=None, extra_choice="[1]", page_block=PAGE_BLOCK
) -> str:
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
{page_block}```
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
    saved_at = list(Question.objects.values_list("updated_at", flat=True))
    report = load_content(fixtures_dir)
    assert counts() == before
    # Rows already as the fixture has them are not written again (a shorter transaction).
    assert list(Question.objects.values_list("updated_at", flat=True)) == saved_at
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


# --- a guarded question's snippet is never on a concept page ----------------------------------


@pytest.mark.parametrize("published", ["true", "false"])  # a draft exam is published one day
def test_a_quiz_questions_snippet_on_a_page_is_refused(fixtures_dir, published):
    # The page's block shows the snippet (reindented, with a line more) and so its real output.
    block = SNIPPET.replace("b = a", "b  =  a") + "print(len(a))\n"
    path = fixtures_dir / "topics" / "03-mutability-aliasing.toml"
    path.write_text(topic_toml(page_block=block))
    quizzes = fixtures_dir / "quizzes.toml"
    quizzes.write_text(QUIZZES.replace("published = true", f"published = {published}"))
    with pytest.raises(ContentError) as raised:
        load_content(fixtures_dir)
    assert raised.value.problems == [
        f"The snippet of guarded question alias-{mode} is in code block 1 of concept page "
        "aliasing, which shows its real output to everyone: change the block or the question."
        for mode in ("typed", "choice")
    ]
    assert Topic.objects.count() == 0


def test_a_practice_questions_snippet_may_be_on_a_page(fixtures_dir):
    """Feedback after each answer shows the output anyway: a page may show it too."""
    path = fixtures_dir / "topics" / "03-mutability-aliasing.toml"
    path.write_text(topic_toml(page_block=SNIPPET))
    quizzes = fixtures_dir / "quizzes.toml"
    quizzes.write_text(QUIZZES.replace('"after_submit"', '"each_answer"'))
    assert load_content(fixtures_dir).invalid == {}


def test_loading_moves_the_deadline_of_open_attempts(fixtures_dir, student):
    load_content(fixtures_dir)
    attempt = services.start_attempt(user=student, quiz=Quiz.objects.get(slug="aliasing-quiz"))
    (fixtures_dir / "quizzes.toml").write_text(
        QUIZZES.replace("time_limit_minutes = 10", "time_limit_minutes = 5")
    )
    load_content(fixtures_dir)
    attempt.refresh_from_db()
    assert attempt.deadline == attempt.started_at + timedelta(minutes=5)


# --- Provenance: what instructors changed is never overwritten --------------------------------

TOPIC_FILE = "topics/03-mutability-aliasing.toml"


def skipped(report) -> list[tuple[str, str]]:
    return sorted((section, slug) for section, slug, _ in report.skipped)


def test_rows_edited_after_loading_are_kept_and_reported(fixtures_dir):
    load_content(fixtures_dir)
    ConceptPage.objects.filter(slug="aliasing").update(body="Rewritten by an instructor.\n")
    Question.objects.filter(slug="alias-typed").update(title="Renamed by an instructor")
    Topic.objects.update(summary="The instructor's summary.")
    # Choices and quiz entries belong to their question and quiz.
    Choice.objects.filter(text="[1]").update(misconception="an instructor's label")
    QuizQuestion.objects.filter(question__slug="alias-typed").update(points=5)

    report = load_content(fixtures_dir)

    assert ConceptPage.objects.get().body == "Rewritten by an instructor.\n"
    assert Question.objects.get(slug="alias-typed").title == "Renamed by an instructor"
    assert Topic.objects.get().summary == "The instructor's summary."
    assert Choice.objects.get(text="[1]").misconception == "an instructor's label"
    assert QuizQuestion.objects.get(question__slug="alias-typed").points == 5
    assert skipped(report) == [
        ("page", "aliasing"),
        ("question", "alias-choice"),
        ("question", "alias-typed"),
        ("quiz", "aliasing-quiz"),
        ("topic", "mutability-aliasing"),
    ]
    assert {reason for _, _, reason in report.skipped} == {EDITED}
    lines = report.lines()
    assert "SKIPPED page aliasing: changed since it was last loaded; kept as it is." in lines
    assert any("load_content --overwrite" in line for line in lines)
    assert report.updated.total() == 0 and report.keys_computed == 0


def test_a_page_edited_through_the_admin_survives_a_reload(fixtures_dir, client, instructor):
    load_content(fixtures_dir)
    page = ConceptPage.objects.get()
    client.force_login(instructor)
    edited = page.body + "\nOne sentence added in the admin.\n"
    response = client.post(
        reverse("admin:content_conceptpage_change", args=[page.pk]),
        {
            "topic": page.topic_id,
            "slug": page.slug,
            "title": page.title,
            "order": page.order,
            "body": edited.replace("\n", "\r\n"),
            "is_published": "on",
            "_save": "Save",
        },
    )
    assert response.status_code == 302
    # The browser's \r\n cost the page none of its real outputs or diagrams.
    shown = client.get(page.get_absolute_url()).content.decode()
    assert shown.count("Output (Python") == 1 and shown.count('<section class="memdiagram"') == 1

    report = load_content(fixtures_dir)

    assert "One sentence added in the admin." in ConceptPage.objects.get().body
    assert skipped(report) == [("page", "aliasing")]


def test_overwrite_replaces_edited_rows_and_says_so(fixtures_dir):
    load_content(fixtures_dir)
    fixture_body = ConceptPage.objects.get().body
    ConceptPage.objects.update(body="Rewritten by an instructor.\n")

    report = load_content(fixtures_dir, overwrite=True)

    assert ConceptPage.objects.get().body == fixture_body
    assert report.overwritten == [("page", "aliasing", EDITED)] and report.skipped == []
    assert (
        "OVERWRITTEN page aliasing: changed since it was last loaded; replaced by the fixture."
        in (report.lines())
    )
    assert report.updated["page"] == 1
    # Loaded again from the fixture, so it is followed again.
    assert load_content(fixtures_dir).unchanged["page"] == 1


def test_unedited_rows_still_follow_the_fixture(fixtures_dir):
    load_content(fixtures_dir)
    ConceptPage.objects.update(body="Rewritten by an instructor.\n")
    edited = "a = [1]\nb = a[:]\nb.append(2)\nprint(a)\n"
    path = fixtures_dir / TOPIC_FILE
    path.write_text(topic_toml(title="Aliasing", snippet=edited, extra_choice="[1, 2]"))

    report = load_content(fixtures_dir)

    assert Topic.objects.get().title == "Aliasing"
    typed = Question.objects.get(slug="alias-typed")
    assert typed.snippet == edited and expected_text(typed.answer_key) == real_output(edited)
    assert ConceptPage.objects.get().body == "Rewritten by an instructor.\n"
    assert report.updated == {"topic": 1, "question": 2}
    assert skipped(report) == [("page", "aliasing")]
    assert report.unchanged["quiz"] == 1


def test_new_rows_are_added_to_an_existing_database(fixtures_dir):
    load_content(fixtures_dir)
    ConceptPage.objects.update(title="Retitled by an instructor")
    path = fixtures_dir / TOPIC_FILE
    path.write_text(
        path.read_text()
        + """
[[pages]]
slug = "new-page"
title = "A new page"
body = '''
No code here.
'''

[[questions]]
slug = "new-question"
title = "A new question"
mode = "typed"
snippet = '''
print(len([1, 2]))
'''
explanation = '''len counts the items.'''
"""
    )

    report = load_content(fixtures_dir)

    assert report.created == {"page": 1, "question": 1}
    assert ConceptPage.objects.get(slug="new-page").topic.slug == "mutability-aliasing"
    new = Question.objects.get(slug="new-question")
    assert new.is_published and expected_text(new.answer_key) == real_output(new.snippet)
    assert ConceptPage.objects.get(slug="aliasing").title == "Retitled by an instructor"
    assert skipped(report) == [("page", "aliasing")]


def test_rows_authored_in_the_admin_are_kept_unless_identical(fixtures_dir):
    # Written in the admin before any load: the topic exactly as the fixture has it, a question
    # with a fixture's slug but the instructor's own text.
    topic = Topic.objects.create(
        slug="mutability-aliasing", title="Mutability", order=3, summary="Names share objects."
    )
    Question.objects.create(
        topic=topic,
        slug="alias-typed",
        title="The instructor's question",
        snippet="print('mine')\n",
        answer_mode=Question.AnswerMode.TYPED,
        explanation="Mine.",
    )

    report = load_content(fixtures_dir)

    assert Question.objects.get(slug="alias-typed").title == "The instructor's question"
    assert report.skipped == [("question", "alias-typed", NOT_LOADED)]
    # The identical topic is simply taken over: from now on it follows the fixture.
    assert report.unchanged["topic"] == 1
    (fixtures_dir / TOPIC_FILE).write_text(topic_toml(title="Aliasing"))
    load_content(fixtures_dir)
    assert Topic.objects.get().title == "Aliasing"


def test_moving_a_question_to_another_topic_counts_as_an_edit(fixtures_dir):
    load_content(fixtures_dir)
    other = Topic.objects.create(slug="copying", title="Copying", order=4)
    Question.objects.filter(slug="alias-typed").update(topic=other)
    report = load_content(fixtures_dir)
    assert Question.objects.get(slug="alias-typed").topic == other
    assert skipped(report) == [("question", "alias-typed")]


def test_fixture_text_is_stored_with_plain_newlines(fixtures_dir):
    path = fixtures_dir / TOPIC_FILE
    text = topic_toml().replace(
        "explanation = '''Assignment binds a name; it never copies.'''",
        'explanation = "One line.\\r\\nAnother.\\rA third."',
        1,
    )
    path.write_bytes(text.replace("\n", "\r\n").encode())

    report = load_content(fixtures_dir)

    assert report.outputs_computed == 1 and report.invalid == {}
    texts = [ConceptPage.objects.get().body, Topic.objects.get().summary]
    for question in Question.objects.all():
        texts += [question.prompt, question.snippet, question.explanation]
    texts += list(Choice.objects.values_list("text", flat=True))
    assert not any("\r" in text for text in texts)
    explanation = Question.objects.get(slug="alias-typed").explanation
    assert explanation == "One line.\nAnother.\nA third."


# --- No grader run inside the load's transaction; still all or nothing ------------------------


# A real transaction per load (no test transaction around it), so in_atomic_block is the load's.
@pytest.mark.django_db(transaction=True)
def test_no_grader_call_runs_inside_the_loads_transaction(fixtures_dir, grader_calls):
    report = load_content(fixtures_dir)
    assert report.keys_computed == 2 and report.outputs_computed == 1
    # Reloading an edited snippet and page block over rows an instructor changed (--overwrite).
    ConceptPage.objects.update(title="Retitled by an instructor")
    Question.objects.update(title="Retitled by an instructor")
    edited = "a = [1]\nb = a[:]\nb.append(2)\nprint(a)\n"
    block = "print(len([1, 2, 3]))\n"
    path = fixtures_dir / TOPIC_FILE
    path.write_text(topic_toml(snippet=edited, extra_choice="[1, 2]", page_block=block))
    report = load_content(fixtures_dir, overwrite=True)
    assert report.keys_computed == 2 and report.outputs_computed == 1 and report.invalid == {}
    assert len(report.overwritten) == 3
    assert grader_calls, "the loads ran the grader"
    assert [call for call in grader_calls if call[1]] == [], "grader calls inside a transaction"
    typed = Question.objects.get(slug="alias-typed")
    assert expected_text(typed.answer_key) == real_output(edited)
    assert trace_without_ids(typed.key_trace) == trace_without_ids(
        grader.run(edited, trace=True).trace
    )
    output = ConceptPage.objects.get().block_outputs.get()
    assert output.outcome["stdout"] == grader.run(block).stdout


@pytest.mark.django_db(transaction=True)
def test_a_load_whose_last_write_fails_writes_nothing(fixtures_dir, monkeypatch):
    def failing_write(quiz):
        raise DatabaseError("the disk is full")

    monkeypatch.setattr(content, "follow_quiz_times", failing_write)  # the last write of a load
    with pytest.raises(DatabaseError):
        load_content(fixtures_dir)
    assert set(counts().values()) == {0}

    monkeypatch.undo()
    load_content(fixtures_dir)
    before = counts(), list(Question.objects.values()), list(CodeBlockOutput.objects.values())
    edited = "a = [1]\nb = a[:]\nb.append(2)\nprint(a)\n"
    page_block = "print(len([1, 2, 3]))\n"
    path = fixtures_dir / TOPIC_FILE
    path.write_text(topic_toml(title="Aliasing", snippet=edited, page_block=page_block))
    monkeypatch.setattr(content, "follow_quiz_times", failing_write)
    with pytest.raises(DatabaseError):
        load_content(fixtures_dir)
    after = counts(), list(Question.objects.values()), list(CodeBlockOutput.objects.values())
    assert after == before and Topic.objects.get().title == "Mutability"


def test_a_row_deleted_while_keys_are_computed_is_loaded_with_its_real_output(
    fixtures_dir, monkeypatch
):
    load_content(fixtures_dir)
    real_compute = compute.compute_results
    computed = []

    def instructor_deletes_the_page_meanwhile(sources, keys=()):
        computed.append(sorted({*sources, *keys}))
        results = real_compute(sources, keys=keys)
        if len(computed) == 1:
            ConceptPage.objects.all().delete()
        return results

    monkeypatch.setattr(compute, "compute_results", instructor_deletes_the_page_meanwhile)
    report = load_content(fixtures_dir)
    # Nothing needed a run at first; the deleted page's block did once it was gone.
    assert computed == [[], [PAGE_BLOCK]]
    assert report.created == {"page": 1} and report.outputs_computed == 1
    output = ConceptPage.objects.get().block_outputs.get()
    assert output.outcome["stdout"] == grader.run(PAGE_BLOCK).stdout
