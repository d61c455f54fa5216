"""The course's misconception report (issue 16 §4): per topic and per student, which
misconceptions the students' answers matched, how often, week by week; the questions that
diagnose each one; the CSV export of the same tables; owner scoping; bounded queries.

Every answer goes through the real services (start an attempt, answer, submit) at a chosen time,
and what it matched is what grading recorded; the wrong answers are the simulator's predictions
(grader.simulate), never typed. The expected counts follow from SCRIPT alone."""

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import grader
from analytics import misconception_report
from analytics.misconception_report import Match, week_of, weeks_spanning
from content.models import ConceptPage, Topic
from courses import services as course_services
from courses.models import Enrolment
from quizzes import footer_versions, grading
from quizzes import services as quiz_services
from quizzes.models import KnownWrongAnswer, Question, Quiz
from tests.helpers import ALIASING_SNIPPET

pytestmark = pytest.mark.django_db

DEL_SNIPPET = "a = [1]\nb = a\ndel a\nprint(b)\n"
FREE_LABEL = "a deleted name takes its object with it"
MONDAY = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)  # the first week; the second has no answer
WEEKS = [date(2026, 11, 2), date(2026, 11, 9), date(2026, 11, 16)]
COPIES = "assignment-copies"
DELETES = "del-destroys-object"


def predicted(snippet: str, misconception: str) -> str:
    return grading.expected_text(grader.simulate(snippet, misconception).to_dict())


RIGHT = object()
# (student, quiz, week index, answers in question order); an answer is RIGHT, a choice index,
# or (snippet, misconception): that misconception's prediction, typed.
SCRIPT = [
    ("ada", "memory-quiz", 0, [(ALIASING_SNIPPET, COPIES), 0, RIGHT]),
    ("bob", "memory-quiz", 2, [(ALIASING_SNIPPET, COPIES), 1, RIGHT]),
    ("ada", "deletion-quiz", 2, [(DEL_SNIPPET, DELETES)]),
    ("cyd", "memory-quiz", 2, [RIGHT, 1, RIGHT]),
]
# What SCRIPT implies (choice 0 is "[1, 2]\nFalse", assignment-copies' prediction; the known
# wrong answer of the deletion question is del-destroys-object's NameError, labelled FREE_LABEL).
COURSE_ROWS = {COPIES: [2, 0, 1], DELETES: [0, 0, 1], FREE_LABEL: [0, 0, 1]}
TOPIC_ROWS = {
    ("Mutability and aliasing", COPIES): [2, 0, 1],
    ("Deleting names", DELETES): [0, 0, 1],
    ("Deleting names", FREE_LABEL): [0, 0, 1],
}
STUDENT_ROWS = {
    ("ada", COPIES): [2, 0, 0],
    ("ada", DELETES): [0, 0, 1],
    ("ada", FREE_LABEL): [0, 0, 1],
    ("bob", COPIES): [0, 0, 1],
}


@pytest.fixture
def deletion_quiz(make_question, make_quiz, course):
    topic = Topic.objects.create(slug="deleting", title="Deleting names", order=5)
    question = make_question(DEL_SNIPPET, slug="del-typed")
    Question.objects.filter(pk=question.pk).update(topic=topic)
    question.refresh_from_db()
    exception = grader.simulate(DEL_SNIPPET, DELETES).to_dict()["exception"]
    KnownWrongAnswer.objects.create(
        question=question, exception=exception, misconception=FREE_LABEL
    )
    quiz = make_quiz([question], slug="deletion-quiz", title="Deletion quiz", max_attempts=None)
    course_services.course_quiz_assign(course=course, quiz=quiz)
    return quiz


def take(student, quiz_slug: str, week: int, answers, *, hours: int = 0):
    """One attempt through the services at MONDAY + `week` weeks, submitted."""
    now = MONDAY + timedelta(weeks=week, hours=hours)
    quiz = Quiz.objects.get(slug=quiz_slug)
    attempt = quiz_services.start_attempt(user=student, quiz=quiz, now=now)
    entries = quiz.quiz_questions.select_related("question").order_by("order")
    for entry, planned in zip(entries, answers, strict=True):
        question = entry.question
        if question.answer_mode == Question.AnswerMode.CHOICE:
            choice = question.choices.get(order=planned)
            quiz_services.save_answer(attempt=attempt, quiz_question=entry, choice=choice, now=now)
            continue
        text = (
            grading.expected_text(question.answer_key) if planned is RIGHT else predicted(*planned)
        )
        quiz_services.save_answer(attempt=attempt, quiz_question=entry, answer_text=text, now=now)
    return quiz_services.submit_attempt(attempt=attempt, now=now + timedelta(minutes=5))


@pytest.fixture
def scripted_class(course, class_quiz, deletion_quiz, enrol):
    students = {}
    for name, quiz_slug, week, answers in SCRIPT:
        if name not in students:
            students[name] = enrol(name)
        take(students[name], quiz_slug, week, answers)
    return students


@pytest.fixture
def bank_questions(make_question):
    """Outside the course: a published question diagnosing assignment-copies (listed), an
    unpublished one (not listed), and one no misconception changes (not listed)."""
    snippet = "x = [0]\ny = x\ny.append(1)\nprint(x)\n"
    return {
        "published": make_question(snippet, slug="bank-alias"),
        "unpublished": make_question(snippet, slug="draft-alias", published=False),
        "unrelated": make_question("print(len([1, 2]))\n", slug="bank-unrelated"),
    }


def report_url(course, suffix=""):
    return reverse(f"misconception_report{suffix}", args=[course.slug])


def rows_of(rows, keyed_by_group: bool):
    return {
        ((row.group, row.misconception.label) if keyed_by_group else row.misconception.label): (
            row.counts
        )
        for row in rows
    }


def test_the_report_counts_what_grading_recorded_per_week_topic_and_student(
    course, scripted_class, bank_questions
):
    report = misconception_report.misconception_report(course)
    assert report.weeks == WEEKS
    assert rows_of(report.course_rows, False) == COURSE_ROWS
    assert rows_of(report.topic_rows, True) == TOPIC_ROWS
    assert rows_of(report.student_rows, True) == STUDENT_ROWS
    assert report.course_rows[0].misconception.label == COPIES  # the most matched first
    assert [row.group for row in report.topic_rows][0] == "Mutability and aliasing"  # topic order


def test_each_misconception_links_the_questions_that_diagnose_it(
    client, instructor, course, scripted_class, bank_questions
):
    report = misconception_report.misconception_report(course)
    found = {row.misconception.label: row.misconception for row in report.course_rows}
    diagnosing = [(q.slug, q.in_course) for q in found[COPIES].questions]
    # The course's own questions first, then the bank's published ones.
    assert diagnosing == [
        ("aliasing-choice", True),
        ("aliasing-typed", True),
        ("bank-alias", False),
    ]
    assert [(q.slug, q.in_course) for q in found[DELETES].questions] == [("del-typed", True)]
    assert [q.slug for q in found[FREE_LABEL].questions] == ["del-typed"]  # its known answer
    assert found[COPIES].belief == grader.MISCONCEPTIONS[COPIES].belief
    assert found[FREE_LABEL].belief == FREE_LABEL and not found[FREE_LABEL].is_catalogue

    client.force_login(instructor)
    page = client.get(report_url(course)).text
    for slug in ("aliasing-choice", "aliasing-typed", "bank-alias", "del-typed"):
        question = Question.objects.get(slug=slug)
        link = reverse("admin:quizzes_question_change", args=[question.pk])
        assert f'href="{link}" data-question="{slug}"' in page
    for slug in ("draft-alias", "bank-unrelated"):
        assert f'data-question="{slug}"' not in page


def test_a_catalogue_misconception_links_its_concept_page(
    client, instructor, course, scripted_class, topic
):
    page = ConceptPage.objects.create(
        topic=topic,
        slug=grader.MISCONCEPTIONS[COPIES].page,
        title="Call by sharing",
        body="Names.",
        is_published=True,
    )
    client.force_login(instructor)
    html = client.get(report_url(course)).text
    assert f'class="concept-link" href="{page.get_absolute_url()}">Call by sharing</a>' in html


def test_the_page_shows_the_tables_with_a_chart_per_row(client, instructor, course, scripted_class):
    client.force_login(instructor)
    response = client.get(report_url(course))
    assert response.status_code == 200
    html = response.content.decode()
    for week in WEEKS:
        assert f'<time datetime="{week.isoformat()}">' in html
    assert html.count('class="matched-row"') == len(COURSE_ROWS) + len(TOPIC_ROWS) + len(
        STUDENT_ROWS
    )
    tables = response.context["tables"]
    shown = {
        (table.view, row.row.group, row.row.misconception.label): row.row.counts
        for table in tables
        for row in table.rows
    }
    assert shown == {
        **{("course", "", label): counts for label, counts in COURSE_ROWS.items()},
        **{("topic", *key): counts for key, counts in TOPIC_ROWS.items()},
        **{("student", *key): counts for key, counts in STUDENT_ROWS.items()},
    }
    # Charts drawn server-side (no style attribute: CSP), each with its text equivalent.
    assert html.count('<svg class="week-chart"') == len(shown) and "style=" not in html
    copies_chart = next(r.chart for r in tables[0].rows if r.row.misconception.label == COPIES)
    assert copies_chart.text == (
        f"{COPIES}, matched 3 time(s): week of 02 Nov 2026: 2; week of 09 Nov 2026: 0; "
        "week of 16 Nov 2026: 1"
    )
    assert f'aria-label="{copies_chart.text}"' in html
    heights = [bar.height for bar in copies_chart.bars]
    assert heights == [24, 0, 12]  # on the page's scale: 2 is its largest weekly count
    # Each student's name leads to their attempts in the course.
    for student in scripted_class.values():
        link = reverse("course_student", args=[course.slug, student.pk])
        assert (f'<a href="{link}">{student.username}</a>' in html) == (
            student.username in {"ada", "bob"}
        )


def test_the_csv_export_is_the_same_table(client, instructor, course, scripted_class):
    client.force_login(instructor)
    response = client.get(report_url(course, "_csv"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert f'filename="{course.slug}-misconceptions.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["view", "group", "misconception", "belief", "total"] + [
        week.isoformat() for week in WEEKS
    ]
    exported = {
        (view, group, label): [int(n) for n in counts]
        for view, group, label, _, _, *counts in rows[1:]
    }
    totals = {(view, group, label): int(total) for view, group, label, _, total, *_ in rows[1:]}
    expected = {
        **{("course", "", label): counts for label, counts in COURSE_ROWS.items()},
        **{("topic", *key): counts for key, counts in TOPIC_ROWS.items()},
        **{("student", *key): counts for key, counts in STUDENT_ROWS.items()},
    }
    assert exported == expected
    assert totals == {key: sum(counts) for key, counts in expected.items()}


def test_only_the_courses_students_and_quizzes_count(
    course, scripted_class, class_quiz, make_user, other_instructor, enrol
):
    """Another course taking the same quiz, and an answer still being written, add nothing."""
    other = course_services.course_create(
        title="Other", slug="other", instructors=[other_instructor], sections=["B"]
    )
    course_services.course_quiz_assign(course=other, quiz=class_quiz)
    outsider = make_user("outsider")
    Enrolment.objects.create(course=other, section=other.sections.get(), student=outsider)
    take(outsider, "memory-quiz", 0, [(ALIASING_SNIPPET, COPIES), 0, RIGHT])
    unsubmitted = enrol("dee")
    attempt = quiz_services.start_attempt(user=unsubmitted, quiz=class_quiz, now=MONDAY)
    entry = class_quiz.quiz_questions.get(order=0)
    quiz_services.save_answer(
        attempt=attempt,
        quiz_question=entry,
        answer_text=predicted(ALIASING_SNIPPET, COPIES),
        now=MONDAY,
    )
    report = misconception_report.misconception_report(course)
    assert rows_of(report.course_rows, False) == COURSE_ROWS
    other_report = misconception_report.misconception_report(other)
    assert rows_of(other_report.course_rows, False) == {COPIES: [2]}


def test_a_section_shows_its_students_only(client, instructor, course, scripted_class):
    other_section = course.sections.create(name="B")
    Enrolment.objects.filter(student=scripted_class["bob"]).update(section=other_section)
    first = course.sections.get(name="A")
    report = misconception_report.misconception_report(course, first)
    assert rows_of(report.student_rows, True) == {
        key: counts for key, counts in STUDENT_ROWS.items() if key[0] != "bob"
    }
    assert rows_of(report.course_rows, False)[COPIES] == [2, 0, 0]

    client.force_login(instructor)
    response = client.get(report_url(course), {"section": other_section.pk})
    assert response.context["report"].section == other_section
    assert rows_of(response.context["report"].student_rows, True) == {("bob", COPIES): [1]}
    assert f'<option value="{other_section.pk}" selected>B</option>' in response.text
    assert f"?section={other_section.pk}" in response.text  # the CSV of the same section
    exported = client.get(report_url(course, "_csv"), {"section": other_section.pk})
    lines = b"".join(exported.streaming_content).decode().splitlines()
    assert lines[1:] == [
        f"course,,{COPIES},{grader.MISCONCEPTIONS[COPIES].belief},1,1",
        f"topic,Mutability and aliasing,{COPIES},{grader.MISCONCEPTIONS[COPIES].belief},1,1",
        f"student,bob,{COPIES},{grader.MISCONCEPTIONS[COPIES].belief},1,1",
    ]


def test_another_courses_section_or_a_malformed_one_is_a_404(
    client, instructor, course, other_instructor
):
    other = course_services.course_create(
        title="Other", slug="other", instructors=[other_instructor], sections=["B"]
    )
    client.force_login(instructor)
    for value in (other.sections.get().pk, "abc", "-1"):
        assert client.get(report_url(course), {"section": value}).status_code == 404
        assert client.get(report_url(course, "_csv"), {"section": value}).status_code == 404


def test_another_instructor_gets_a_404_and_a_student_a_403(
    client, course, scripted_class, other_instructor
):
    client.force_login(other_instructor)
    assert client.get(report_url(course)).status_code == 404
    assert client.get(report_url(course, "_csv")).status_code == 404
    client.force_login(scripted_class["ada"])
    assert client.get(report_url(course)).status_code == 403
    assert client.get(report_url(course, "_csv")).status_code == 403


def test_an_empty_course_says_so(client, instructor, course):
    client.force_login(instructor)
    html = client.get(report_url(course)).text
    assert "No answer of this course" in html
    rows = list(
        csv.reader(
            io.StringIO(b"".join(client.get(report_url(course, "_csv")).streaming_content).decode())
        )
    )
    assert rows == [["view", "group", "misconception", "belief", "total"]]


def test_the_course_misconceptions_page_links_the_report(client, instructor, course):
    client.force_login(instructor)
    html = client.get(reverse("course_misconceptions", args=[course.slug])).text
    assert f'href="{report_url(course)}"' in html


# The selector's queries, whatever the number of students, answers or weeks:
#   1. the course's wrong answers in submitted attempts of its quizzes by its students
#      (courses.selectors.course_responses, with topic and username joined);
#   2. the published concept pages of the catalogue ids matched (misconceptions.diagnoses);
#   3. the questions whose stored predictions hold those ids, each marked in the course or not;
#   4. the known wrong answers carrying the labels outside the catalogue, with their questions.
REPORT_QUERIES = 4
# The CSV export adds: the session, the user, the instructor check (their groups), the owned
# course. The page adds to those the course's sections (the filter) and what base.html shows
# every instructor: the instructor check again (the admin link); the Python versions of the
# stored keys and page outputs come from the cache (quizzes/footer_versions.py).
CSV_QUERIES = REPORT_QUERIES + 4
PAGE_QUERIES = CSV_QUERIES + 2


def test_queries_are_pinned_and_do_not_grow(
    client, instructor, course, scripted_class, bank_questions, enrol, django_assert_num_queries
):
    with django_assert_num_queries(REPORT_QUERIES):
        misconception_report.misconception_report(course)
    client.force_login(instructor)
    footer_versions.footer_key_versions()  # the footer's, kept in the cache after a first page
    with django_assert_num_queries(PAGE_QUERIES):
        assert client.get(report_url(course)).status_code == 200
    with django_assert_num_queries(CSV_QUERIES):
        response = client.get(report_url(course, "_csv"))
        b"".join(response.streaming_content)
    weeks_before = len(misconception_report.misconception_report(course).weeks)
    for number in range(4):
        take(
            enrol(f"extra{number}"),
            "memory-quiz",
            3 + number,
            [(ALIASING_SNIPPET, COPIES), 0, RIGHT],
        )
        take(scripted_class["ada"], "deletion-quiz", 3 + number, [(DEL_SNIPPET, DELETES)], hours=1)
    assert len(misconception_report.misconception_report(course).weeks) > weeks_before
    with django_assert_num_queries(PAGE_QUERIES):
        assert client.get(report_url(course)).status_code == 200
    with django_assert_num_queries(CSV_QUERIES):
        b"".join(client.get(report_url(course, "_csv")).streaming_content)


def test_a_get_writes_nothing(client, instructor, course, scripted_class):
    client.force_login(instructor)
    with CaptureQueriesContext(connection) as queries:
        client.get(report_url(course))
        b"".join(client.get(report_url(course, "_csv")).streaming_content)
    writes = [q["sql"] for q in queries if q["sql"].split()[0] in ("INSERT", "UPDATE", "DELETE")]
    assert writes == []


# --- The pure parts ---------------------------------------------------------------------------


def test_weeks_start_on_monday_in_the_sites_time_zone(settings):
    sunday_night = datetime(2026, 11, 8, 23, 30, tzinfo=UTC)
    assert week_of(sunday_night) == date(2026, 11, 2)
    assert week_of(sunday_night + timedelta(hours=1)) == date(2026, 11, 9)
    settings.TIME_ZONE = "Europe/Berlin"  # 00:30 on Monday there
    assert week_of(sunday_night) == date(2026, 11, 9)


def test_weeks_spanning_leaves_no_gap():
    assert weeks_spanning([]) == []
    assert weeks_spanning([date(2026, 11, 16), date(2026, 11, 2), date(2026, 11, 2)]) == WEEKS


def test_tally_groups_and_orders_rows():
    first, third = WEEKS[0], WEEKS[2]
    found = {label: misconception_report.Misconception(label, label) for label in ("a", "b")}
    matches = [
        Match("a", first, 2, "Later topic", 9, 1, "zoe"),
        Match("b", third, 1, "First topic", 1, 1, "zoe"),
        Match("b", first, 1, "First topic", 1, 2, "amy"),
        Match("b", third, 1, "First topic", 1, 2, "amy"),
    ]
    weeks, course_rows, topic_rows, student_rows = misconception_report.tally(matches, found)
    assert weeks == WEEKS
    assert [(r.misconception.label, r.counts) for r in course_rows] == [
        ("b", [1, 0, 2]),
        ("a", [1, 0, 0]),
    ]
    assert [(r.group, r.misconception.label) for r in topic_rows] == [
        ("First topic", "b"),
        ("Later topic", "a"),
    ]
    assert [(r.group, r.misconception.label, r.total) for r in student_rows] == [
        ("amy", "b", 2),
        ("zoe", "a", 1),
        ("zoe", "b", 1),
    ]
