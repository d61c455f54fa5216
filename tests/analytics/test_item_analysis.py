"""Item analysis of a simulated class: the page's, the CSV export's and the command's figures are
the pure functions' on the score matrix the plan implies; choices' shares by misconception; the
most common wrong typed answers; the course's misconceptions with their concept pages; owner
scoping; bounded queries; a GET that writes nothing."""

import csv
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from analytics import selectors
from analytics.statistics import analyse
from courses import services
from quizzes import footer_versions
from quizzes import services as quiz_services
from quizzes.models import Question
from tests.analytics.conftest import PLAN, POINTS, RIGHT, SECOND_ATTEMPT, answer, expected_row
from tests.helpers import ALIASING_SNIPPET

pytestmark = pytest.mark.django_db

FIRST = [expected_row(plan) for plan in PLAN]
ALL = FIRST + [expected_row(SECOND_ATTEMPT)]


def page_url(course, quiz, suffix=""):
    return reverse(f"quiz_analysis{suffix}", args=[course.slug, quiz.slug])


def test_the_page_shows_the_pure_functions_figures(
    client, instructor, course, class_quiz, simulated_class
):
    client.force_login(instructor)
    response = client.get(page_url(course, class_quiz))
    assert response.status_code == 200
    analysis = response.context["analysis"]
    items, test = analyse(FIRST, [POINTS] * 3)
    assert [row.stats for row in analysis.rows] == items
    assert analysis.test == test
    assert test.n == len(PLAN) and test.alpha is not None
    html = response.content.decode()
    for item in items:
        assert f'<span class="item-facility">{item.facility:.3f}</span>' in html
        assert f'<span class="item-discrimination">{item.discrimination:.3f}</span>' in html
    assert f"{test.alpha:.3f}" in html and f"{test.sem:.3f}" in html
    assert "<svg" in html and "style=" not in html  # bars drawn server-side, CSP-safe


def test_all_attempts_counts_each_attempt(client, instructor, course, class_quiz, simulated_class):
    client.force_login(instructor)
    analysis = client.get(page_url(course, class_quiz), {"attempts": "all"}).context["analysis"]
    items, test = analyse(ALL, [POINTS] * 3)
    assert analysis.all_attempts and analysis.test == test
    assert [row.stats for row in analysis.rows] == items


def test_choice_shares_are_grouped_by_misconception(course, class_quiz, simulated_class):
    analysis = selectors.quiz_analysis(class_quiz, course=course)
    groups = {g.label: g for g in analysis.rows[1].choice_groups}
    chosen = [plan[1] for plan in PLAN]
    assert groups["(right answer)"].count == chosen.count(1)
    assert groups["assignment copies"].count == chosen.count(0) + chosen.count(3)
    assert len(groups["assignment copies"].choices) == 2
    assert groups["is compares values"].count == chosen.count(2)
    assert groups["is compares values"].share == chosen.count(2) / len(PLAN)
    assert analysis.rows[1].choice_groups[0].is_right  # the right answer first
    assert analysis.rows[1].unanswered == 0


def test_the_most_common_wrong_typed_answers(course, class_quiz, simulated_class):
    analysis = selectors.quiz_analysis(class_quiz, course=course)
    raising = [(w.text, w.count) for w in analysis.rows[2].wrong_answers]
    assert raising == [("before", 4), ("before\nafter", 1)]
    aliasing = [(w.text, w.count) for w in analysis.rows[0].wrong_answers]
    assert aliasing == [("[1, 2]\nFalse", 2), ("[1, 2]", 1)]


def test_the_command_prints_the_same_table(course, class_quiz, simulated_class):
    items, _ = analyse(FIRST, [POINTS] * 3)
    out, err = io.StringIO(), io.StringIO()
    call_command("item_analysis", class_quiz.slug, "--course", course.slug, stdout=out, stderr=err)
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[0][:4] == ["question_slug", "n", "facility", "discrimination"]
    assert [r[0] for r in rows[1:]] == ["aliasing-typed", "aliasing-choice", "unhashable-key"]
    for row, item in zip(rows[1:], items, strict=True):
        assert row[1:4] == [str(len(PLAN)), f"{item.facility:.4f}", f"{item.discrimination:.4f}"]
    assert f"attempts={len(PLAN)}" in err.getvalue()
    out = io.StringIO()
    call_command("item_analysis", class_quiz.slug, "--all-attempts", stdout=out, stderr=err)
    all_items, _ = analyse(ALL, [POINTS] * 3)
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert [r[2] for r in rows[1:]] == [f"{i.facility:.4f}" for i in all_items]


def test_the_command_refuses_unknown_names(course, class_quiz):
    with pytest.raises(CommandError, match="No quiz"):
        call_command("item_analysis", "nope")
    with pytest.raises(CommandError, match="No course"):
        call_command("item_analysis", class_quiz.slug, "--course", "nope")


def test_the_csv_export_matches_the_command(
    client, instructor, course, class_quiz, simulated_class
):
    client.force_login(instructor)
    response = client.get(page_url(course, class_quiz, "_csv"))
    assert response["Content-Type"].startswith("text/csv")
    exported = b"".join(response.streaming_content).decode()
    out = io.StringIO()
    call_command(
        "item_analysis", class_quiz.slug, "--course", course.slug, stdout=out, stderr=io.StringIO()
    )
    assert exported == out.getvalue()


def test_flags_are_shown(client, instructor, course, class_quiz, enrol):
    # Everyone right on the first question (no discrimination to speak of: none, not a flag);
    # the second and third disagree (the third right only by one who got the second wrong), so the
    # rest of each falls as it rises: both negative.
    plans = [(RIGHT, 1, "before"), (RIGHT, 1, "before"), (RIGHT, 0, "before"), (RIGHT, 0, RIGHT)]
    for number, plan in enumerate(plans):
        answer(enrol(f"flagged{number}"), class_quiz, plan)
    client.force_login(instructor)
    response = client.get(page_url(course, class_quiz))
    rows = response.context["analysis"].rows
    assert rows[0].flags == ["almost everyone right"]
    assert rows[0].stats.discrimination is None
    for row in rows[1:]:
        assert row.stats.discrimination < 0 and row.flags == ["check this question"]
    html = response.content.decode()
    assert "almost everyone right</span>" in html and "check this question</span>" in html


def test_the_course_misconceptions_link_to_concept_pages(
    client, instructor, course, simulated_class, topic
):
    client.force_login(instructor)
    response = client.get(reverse("course_misconceptions", args=[course.slug]))
    assert response.status_code == 200
    (entry,) = response.context["topics"]
    assert entry.topic == topic
    chosen = [plan[1] for plan in PLAN]  # first attempts only: student 0's retry is not counted
    assert [(m.label, m.count) for m in entry.misconceptions] == [
        ("assignment copies", chosen.count(0) + chosen.count(3)),
        ("is compares values", chosen.count(2)),
    ]
    assert 'href="/concepts/names-and-objects/"' in response.content.decode()
    assert reverse("quiz_analysis", args=[course.slug, "memory-quiz"]) in response.content.decode()


def test_believing_a_false_claim_counts_as_its_misconception(
    client, instructor, course, make_question, make_quiz, enrol
):
    claim = make_question(
        ALIASING_SNIPPET, mode=Question.AnswerMode.TRUE_FALSE, choices=["[1, 2]\nFalse"]
    )
    claim.choices.update(misconception="assignment copies")
    quiz = make_quiz([claim], slug="claims")
    services.course_quiz_assign(course=course, quiz=quiz)
    believer, doubter = enrol("believer"), enrol("doubter")
    for student, said in ((believer, "true"), (doubter, "false")):
        attempt = quiz_services.start_attempt(user=student, quiz=quiz)
        entry = quiz.quiz_questions.get()
        quiz_services.save_answer(attempt=attempt, quiz_question=entry, answer_text=said)
        quiz_services.submit_attempt(attempt=attempt)
    (entry,) = selectors.course_misconceptions(course)
    assert [(m.label, m.count) for m in entry.misconceptions] == [("assignment copies", 1)]
    client.force_login(instructor)
    response = client.get(page_url(course, quiz))
    assert response.context["analysis"].rows[0].claim_misconception == "assignment copies"
    assert [(w.text, w.count) for w in response.context["analysis"].rows[0].wrong_answers] == [
        ("true", 1)
    ]


def test_the_course_pages_link_to_item_analysis(client, instructor, course):
    client.force_login(instructor)
    target = reverse("course_misconceptions", args=[course.slug])
    for name in ("course_detail", "course_gradebook"):
        assert target in client.get(reverse(name, args=[course.slug])).content.decode()


def test_another_instructor_gets_a_404(
    client, other_instructor, student, course, class_quiz, simulated_class
):
    client.force_login(other_instructor)
    assert client.get(page_url(course, class_quiz)).status_code == 404
    assert client.get(page_url(course, class_quiz, "_csv")).status_code == 404
    assert client.get(reverse("course_misconceptions", args=[course.slug])).status_code == 404
    client.force_login(student)
    assert client.get(page_url(course, class_quiz)).status_code == 403


def test_a_quiz_not_in_the_course_is_a_404(client, instructor, course, make_quiz, typed_question):
    other = make_quiz([typed_question], slug="elsewhere")
    client.force_login(instructor)
    assert client.get(page_url(course, other)).status_code == 404


def test_queries_do_not_grow_with_students(
    client, instructor, course, class_quiz, simulated_class, enrol, django_assert_num_queries
):
    with django_assert_num_queries(4):
        selectors.quiz_analysis(class_quiz, course=course, all_attempts=True)
    with django_assert_num_queries(4):
        selectors.course_misconceptions(course)
    client.force_login(instructor)
    footer_versions.footer_key_versions()  # the footer's, kept in the cache after a first page
    urls = [page_url(course, class_quiz), reverse("course_misconceptions", args=[course.slug])]

    def counts():
        result = []
        for url in urls:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            result.append(len(queries))
        return result

    before = counts()
    for number in range(5):
        answer(enrol(f"extra{number}"), class_quiz, PLAN[number])
    assert counts() == before


def test_a_get_writes_nothing(client, instructor, course, class_quiz, simulated_class):
    client.force_login(instructor)
    with CaptureQueriesContext(connection) as queries:
        client.get(page_url(course, class_quiz))
        client.get(reverse("course_misconceptions", args=[course.slug]))
    writes = [q["sql"] for q in queries if q["sql"].split()[0] in ("INSERT", "UPDATE", "DELETE")]
    assert writes == []
