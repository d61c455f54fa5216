"""Keys per interpreter line (issue 18 §2): StoredKey rows per configured line, computed by the
grader on that line (checked against `python -I` of the same interpreter), refresh_answer_keys
--python reporting what differs, a course's pin grading with its line's key, and finished
attempts never changed. Needs a second interpreter (GRADER_INTERPRETERS; `make test` lists
CPython 3.13)."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

import grader
from courses import services as course_services
from courses.models import Enrolment
from grader import oracle
from quizzes import versions
from quizzes.models import Response, StoredKey
from tests.helpers import make_variant_question, save_answer, start_quiz

# Interned strings are immortal on 3.12 and counted on 3.13 (grader/interned.py); the collector's
# first threshold went from 700 to 2000.
DIFFERING_SNIPPET = (
    "import sys\nimport gc\nprint(sys.getrefcount('hello'))\nprint(gc.get_threshold()[0])\n"
)
SAME_SNIPPET = "a = [1]\nb = a\nprint(a is b)\n"


@pytest.fixture
def pin_to_other_line(instructor, student, topic, other_line):
    """`pin(quiz)`: a course taking `quiz`, pinned to the other line, `student` enrolled."""

    def pin(quiz):
        course = course_services.course_create(
            title="Pinned", slug="pinned", instructors=[instructor], topics=[topic], sections=["A"]
        )
        course_services.course_quiz_assign(course=course, quiz=quiz)
        course.python = other_line
        course.save()
        Enrolment.objects.create(course=course, section=course.sections.get(), student=student)
        return course

    return pin


def _python_of(line: str) -> str:
    return grader.python_for_line(line)


def test_a_key_is_stored_per_line_as_python_of_that_line_prints(make_question, other_line):
    question = make_question(DIFFERING_SNIPPET)
    versions.refresh_version_keys(question)
    rows = versions.version_keys(question)
    assert set(rows) == set(versions.python_lines())
    default = versions.default_line()
    assert rows[default].answer_key == question.answer_key
    for line, row in rows.items():
        expected = oracle.run_script(DIFFERING_SNIPPET, _python_of(line))
        assert row.answer_key["stdout"] == expected.stdout
        assert row.python_version.startswith(line + ".")
    assert rows[default].answer_key["stdout"] != rows[other_line].answer_key["stdout"]
    assert rows[other_line].key_trace["steps"]  # its own traced run on that line
    assert versions.differing_lines(question, rows) == [other_line]


def test_refresh_with_python_reports_differences_and_never_changes_a_finished_attempt(
    make_question, make_quiz, client, student, other_line, capsys
):
    differing = make_question(DIFFERING_SNIPPET, slug="differs")
    same = make_question(SAME_SNIPPET, slug="same")
    quiz = make_quiz([differing, same])
    client.force_login(student)
    attempt = start_quiz(client, quiz)
    for entry in quiz.quiz_questions.all():
        save_answer(client, attempt, entry)
    client.post(f"/attempts/{attempt.pk}/submit/")
    graded = list(Response.objects.filter(attempt=attempt).values().order_by("pk"))
    assert graded and all(row["graded_key"] for row in graded)

    call_command("refresh_answer_keys", "--python", other_line)
    printed = capsys.readouterr().out
    assert f"DIFFERS differs: Python {versions.default_line()}" in printed
    assert "DIFFERS same" not in printed
    assert StoredKey.objects.filter(question=differing, python=other_line).exists()
    assert list(Response.objects.filter(attempt=attempt).values().order_by("pk")) == graded


def test_refresh_with_an_unconfigured_line_is_a_clear_error(db):
    with pytest.raises(Exception, match="No grader interpreter for Python 2.7"):
        call_command("refresh_answer_keys", "--python", "2.7")


def test_a_course_pin_grades_with_that_lines_key_and_records_its_version(
    make_question, make_quiz, client, student, pin_to_other_line, other_line
):
    question = make_question(DIFFERING_SNIPPET)
    versions.refresh_version_keys(question)
    quiz = make_quiz([question])
    pin_to_other_line(quiz)
    client.force_login(student)
    attempt = start_quiz(client, quiz)
    entry = quiz.quiz_questions.get()
    pinned_key = versions.version_keys(question)[other_line].answer_key
    answer = {f"q{entry.pk}-answer_text": pinned_key["stdout"]}
    save_answer(client, attempt, entry, answer)
    client.post(f"/attempts/{attempt.pk}/submit/")
    response = Response.objects.get(attempt=attempt)
    assert response.graded_python_version.startswith(other_line + ".")
    assert response.graded_key == pinned_key
    assert response.is_correct is True


def test_a_pinned_submit_reads_the_lines_keys_once_however_many_answers(
    make_question, make_quiz, client, student, pin_to_other_line, other_line
):
    """Submitting grades every answer with the pinned line's key: one read of those keys for
    the whole attempt (versions.grading_keys_prefetch), not one per answer."""
    questions = [make_question(DIFFERING_SNIPPET, slug=f"differs-{n}") for n in range(3)]
    for question in questions:
        versions.refresh_version_keys(question)
    one, three = make_quiz(questions[:1], slug="one"), make_quiz(questions, slug="three")
    course = pin_to_other_line(one)
    course_services.course_quiz_assign(course=course, quiz=three)
    client.force_login(student)
    reads = {}
    for quiz in (one, three):
        attempt = start_quiz(client, quiz)
        for entry in quiz.quiz_questions.all():
            pinned = versions.version_keys(entry.question)[other_line].answer_key
            save_answer(client, attempt, entry, {f"q{entry.pk}-answer_text": pinned["stdout"]})
        with CaptureQueriesContext(connection) as captured:
            client.post(f"/attempts/{attempt.pk}/submit/")
        reads[quiz.slug] = [q["sql"] for q in captured if "quizzes_storedkey" in q["sql"]]
        graded = Response.objects.filter(attempt=attempt)
        assert {r.is_correct for r in graded} == {True}
        assert all(r.graded_python_version.startswith(other_line + ".") for r in graded)
    assert len(reads["one"]) == len(reads["three"]) == 1, reads


def test_without_a_pin_the_default_key_grades(make_question, make_quiz, client, student):
    question = make_question(SAME_SNIPPET)
    quiz = make_quiz([question])
    client.force_login(student)
    attempt = start_quiz(client, quiz)
    save_answer(client, attempt, quiz.quiz_questions.get())
    client.post(f"/attempts/{attempt.pk}/submit/")
    response = Response.objects.get(attempt=attempt)
    assert response.graded_python_version == question.key_python_version


# --- The admin: per question, and the version matrix ------------------------------------------


def test_the_admin_shows_per_question_whether_its_outcome_differs(
    client, instructor, make_question, other_line
):
    differing = make_question(DIFFERING_SNIPPET, slug="differs")
    same = make_question(SAME_SNIPPET, slug="same")
    for question in (differing, same):
        versions.refresh_version_keys(question)
    client.force_login(instructor)
    listing = client.get("/admin/quizzes/question/").content.decode()
    assert f"yes: {other_line}" in listing
    page = client.get(f"/admin/quizzes/question/{differing.pk}/change/").content.decode()
    assert "Outcome per Python version" in page and "(differs)" in page


def test_the_version_matrix_lists_differing_questions_and_blocks_side_by_side(
    client, instructor, make_question, topic, other_line
):
    from content.models import ConceptPage
    from content.services import refresh_page_outputs
    from content.versions import refresh_block_versions

    differing = make_question(DIFFERING_SNIPPET, slug="differs")
    same = make_question(SAME_SNIPPET, slug="same")
    for question in (differing, same):
        versions.refresh_version_keys(question)
    page = ConceptPage.objects.create(
        topic=topic,
        slug="interning",
        title="Interning",
        order=1,
        body=f"Text.\n\n```python\n{DIFFERING_SNIPPET}```\n\n```python\n{SAME_SNIPPET}```\n",
    )
    refresh_page_outputs(page)
    refresh_block_versions(page, [other_line])
    from content.models import BlockVersionOutput

    stored = BlockVersionOutput.objects.filter(page=page, python=other_line)
    assert stored.count() == 2 and all(row.trace and row.trace["steps"] for row in stored)
    client.force_login(instructor)
    response = client.get("/admin/quizzes/question/version-matrix/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "differs" in text and ">same<" not in text
    assert "interning#0" in text and "interning#1" not in text
    for line in versions.python_lines():
        expected = oracle.run_script(DIFFERING_SNIPPET, _python_of(line)).stdout
        assert expected.splitlines()[0] in text


def test_the_version_matrix_is_for_staff_only(client, student):
    client.force_login(student)
    response = client.get("/admin/quizzes/question/version-matrix/")
    assert response.status_code in (302, 403)
    assert b"Version matrix" not in response.content


# --- What a student sees ------------------------------------------------------------------------


def test_a_student_sees_what_another_version_prints_only_once_feedback_shows(
    make_question, make_quiz, client, student, other_line
):
    question = make_question(DIFFERING_SNIPPET)
    same = make_question(SAME_SNIPPET)
    for each in (question, same):
        versions.refresh_version_keys(each)
    quiz = make_quiz([question, same])  # feedback after submitting
    client.force_login(student)
    attempt = start_quiz(client, quiz)
    for entry in quiz.quiz_questions.all():
        save_answer(client, attempt, entry)
    other = oracle.run_script(DIFFERING_SNIPPET, _python_of(other_line)).stdout
    before = client.get(f"/attempts/{attempt.pk}/").content.decode()
    assert "this prints" not in before
    client.post(f"/attempts/{attempt.pk}/submit/")
    after = client.get(f"/attempts/{attempt.pk}/result/").content.decode()
    assert after.count(f"On Python {other_line} this prints:") == 1  # the differing one only
    assert other.splitlines()[0] in after


def test_practice_feedback_says_what_another_version_prints(
    make_question, client, student, other_line
):
    question = make_question(DIFFERING_SNIPPET)
    versions.refresh_version_keys(question)
    client.force_login(student)
    key = question.answer_key
    response = client.post(
        f"/practice/question/{question.pk}/", {"answer_text": key["stdout"]}, follow=True
    )
    text = response.content.decode()
    assert f"On Python {other_line} this prints:" in text


# --- Variants (issue 18 §1) on each line --------------------------------------------------------

VARIANT_SNIPPET = "import sys\nname = {{ word }}\nprint(sys.getrefcount(name) > 1000)\n"


def interned_variants(topic):
    """VARIANT_SNIPPET as a published question, a variant per word, keys computed."""
    return make_variant_question(
        topic,
        slug="interned-variants",
        title="Interned names",
        snippet=VARIANT_SNIPPET,
        explanation="Immortal on 3.12.",
        domains={"word": ["hello", "spam"]},
    )


def test_each_variant_has_a_key_per_line_and_a_pin_grades_a_variant_with_its_own(
    topic, make_quiz, client, student, pin_to_other_line, other_line
):
    """A parameterised question's template is not a program: each variant's rendered snippet is
    run on the other line, and a course pinned to that line grades the variant a student drew
    with that variant's key on that line (interned strings: immortal on 3.12 only)."""
    from quizzes import variant_services

    question = interned_variants(topic)
    versions.refresh_version_keys(question)
    assert not StoredKey.objects.filter(question=question, variant=None, python=other_line)
    for variant in question.variants.all():
        row = StoredKey.objects.get(variant=variant, python=other_line)
        rendered = variant_services.as_seen(question, variant).snippet
        expected = oracle.run_script(rendered, _python_of(other_line))
        assert row.answer_key["stdout"] == expected.stdout

    quiz = make_quiz([question])
    pin_to_other_line(quiz)
    client.force_login(student)
    attempt = start_quiz(client, quiz)
    entry = quiz.quiz_questions.get()
    drawn = variant_services.attempt_variant(attempt, entry)
    pinned_key = StoredKey.objects.get(variant=drawn, python=other_line).answer_key
    save_answer(client, attempt, entry, {f"q{entry.pk}-answer_text": pinned_key["stdout"]})
    client.post(f"/attempts/{attempt.pk}/submit/")
    response = Response.objects.get(attempt=attempt)
    assert response.variant == drawn
    assert response.graded_key == pinned_key
    assert response.graded_python_version.startswith(other_line + ".")
    assert response.is_correct is True


def test_saving_a_parameterised_question_in_the_admin_stores_each_variants_key_per_line(
    client, instructor, topic, other_line
):
    import json

    from django.urls import reverse

    from quizzes import variant_services
    from quizzes.models import Question
    from tests.helpers import question_post

    client.force_login(instructor)
    data = question_post(
        topic,
        VARIANT_SNIPPET,
        mode="typed",
        parameters=json.dumps({"domains": {"word": ["hello", "spam"]}}),
    )
    response = client.post(reverse("admin:quizzes_question_add"), data)
    assert response.status_code == 302
    question = Question.objects.get(slug="new-question")
    for variant in question.variants.all():
        rendered = variant_services.as_seen(question, variant).snippet
        row = StoredKey.objects.get(variant=variant, python=other_line)
        expected = oracle.run_script(rendered, _python_of(other_line))
        assert row.answer_key["stdout"] == expected.stdout


def test_the_version_matrix_lists_each_variant_whose_outcome_differs(
    client, instructor, topic, other_line
):
    """A parameterised question's variants are rows of their own, with the rendered snippet and
    each line's outcome as that line's `python -I` prints it; a variant the same on every line
    is left out."""
    import html

    from quizzes import services, variant_services
    from quizzes.models import Question

    question = Question.objects.create(
        topic=topic,
        slug="interned-or-not",
        title="Interned or not",
        snippet="import sys\nname = {{ word }}\nprint(sys.getrefcount(name) > {{ limit }})\n",
        answer_mode=Question.AnswerMode.TYPED,
        explanation="Immortal on 3.12.",
        parameters={"domains": {"word": ["hello"], "limit": [1000, -1]}},
        is_published=True,
    )
    services.refresh_answer_key(question)
    versions.refresh_version_keys(question)
    client.force_login(instructor)
    text = html.unescape(client.get("/admin/quizzes/question/version-matrix/").content.decode())
    differing, same = question.variants.order_by("index")
    for variant in (differing, same):
        rendered = variant_services.as_seen(question, variant).snippet
        outputs = {
            oracle.run_script(rendered, _python_of(line)).stdout for line in versions.python_lines()
        }
        assert len(outputs) == (2 if variant == differing else 1)
    assert f"interned-or-not {variant_services.variant_label(differing)}" in text
    assert variant_services.as_seen(question, differing).snippet.splitlines()[1] in text
    assert variant_services.variant_label(same) not in text
    # The question's admin: the list says how many variants differ, the change page shows each
    # variant's outcome per line (a template has no rows of its own).
    listing = html.unescape(client.get("/admin/quizzes/question/").content.decode())
    assert "yes: 1 of 2 variants" in listing
    page = html.unescape(
        client.get(f"/admin/quizzes/question/{question.pk}/change/").content.decode()
    )
    assert f"Variant {variant_services.variant_label(differing)} on Python" in page
    assert page.count("(differs)") == len(versions.python_lines())  # the differing variant's


def test_a_refresh_on_another_line_renders_the_variants_once(topic, other_line, monkeypatch):
    """refresh_variant_version_keys hands the variants it rendered to the store (which used to
    render them all again)."""
    from quizzes import variant_services

    question = interned_variants(topic)
    calls = []
    real = variant_services.planned_for
    monkeypatch.setattr(variant_services, "planned_for", lambda q: calls.append(q) or real(q))
    versions.refresh_version_keys(question)
    assert len(calls) == 1
    assert StoredKey.objects.filter(question=question, python=other_line).count() == 2
