"""The courses pages through the Django client, as a student or an instructor uses them:
joining, the roster and its CSV upload, accommodations shown to the student, visibility of
course quizzes and topics, and every instructor page scoped to the instructor's own courses."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from content.models import Topic
from courses import services
from courses.models import Accommodation, Enrolment
from quizzes.models import Question, Quiz
from tests.helpers import start_quiz

pytestmark = pytest.mark.django_db


def instructor_urls(course, attempt=None, student=None, response=None) -> list[tuple[str, str]]:
    urls = [
        ("get", reverse("course_detail", args=[course.slug])),
        ("get", reverse("course_roster", args=[course.slug])),
        ("get", reverse("course_gradebook", args=[course.slug])),
        ("get", reverse("course_gradebook_csv", args=[course.slug])),
        ("get", reverse("course_responses_csv", args=[course.slug])),
        ("get", reverse("course_regrade", args=[course.slug])),
        ("post", reverse("course_join_code", args=[course.slug])),
        ("post", reverse("course_accommodation", args=[course.slug])),
        ("post", reverse("course_regrade", args=[course.slug])),
    ]
    if student is not None:
        urls.append(("get", reverse("course_student", args=[course.slug, student.pk])))
    if attempt is not None:
        urls.append(("get", reverse("course_attempt", args=[course.slug, attempt.pk])))
    if response is not None:
        urls.append(("post", reverse("course_override", args=[course.slug, response.pk])))
    return urls


@pytest.fixture
def submitted(client, enrolled, quiz):
    """The enrolled student's submitted attempt (answered through the pages)."""
    from tests.helpers import save_answer

    client.force_login(enrolled)
    attempt = start_quiz(client, quiz)
    for entry in quiz.quiz_questions.all():
        save_answer(client, attempt, entry)
    client.post(reverse("attempt_submit", args=[attempt.pk]))
    attempt.refresh_from_db()
    client.logout()
    return attempt


def test_another_instructor_gets_a_404_on_every_page_of_a_course(
    client, course, other_instructor, submitted, enrolled
):
    client.force_login(other_instructor)
    code = course.join_code
    response = submitted.responses.first()
    for method, url in instructor_urls(course, submitted, enrolled, response):
        got = getattr(client, method)(url, {"points": 0, "reason": "x"} if method == "post" else {})
        assert got.status_code == 404, url
    course.refresh_from_db()
    assert course.join_code == code  # the refused POST changed nothing
    assert response.grade_changes.count() == 0
    assert client.get(reverse("teach_list")).context["courses"].count() == 0


def test_students_get_a_403_on_instructor_pages(client, course, enrolled):
    client.force_login(enrolled)
    for method, url in instructor_urls(course):
        assert getattr(client, method)(url).status_code == 403, url


def test_the_owner_reaches_every_page(client, course, instructor, submitted, enrolled):
    client.force_login(instructor)
    for method, url in instructor_urls(course, submitted, enrolled):
        if method == "get":
            assert client.get(url).status_code == 200, url


def test_an_attempt_of_another_course_is_a_404_in_this_one(
    client, course, instructor, submitted, make_user
):
    services.course_create(title="Other", slug="other", instructors=[instructor])
    client.force_login(instructor)
    url = reverse("course_attempt", args=["other", submitted.pk])
    assert client.get(url).status_code == 404


def test_joining_by_link_a_get_never_enrols(client, course, other_student, section_b):
    client.force_login(other_student)
    url = reverse("course_join", args=[course.join_code])
    assert client.get(url).status_code == 200
    assert not Enrolment.objects.filter(student=other_student).exists()
    assert client.post(url, {}).status_code == 400  # two sections: choose one
    assert client.post(url, {"section": section_b.pk}).status_code == 302
    assert Enrolment.objects.get(student=other_student).section == section_b
    bad = client.get(reverse("course_join", args=["not-the-code"]))
    assert bad.status_code == 404 and b"does not work" in bad.content


def test_a_roster_upload_previews_then_applies(client, course, instructor, make_user):
    make_user("ada", email="ada@example.org")
    make_user("bob")
    client.force_login(instructor)
    url = reverse("course_roster", args=[course.slug])
    upload = _file(b"username,section\nADA@example.org,A\nbob,B\n")
    preview = client.post(url, {"file": upload})
    assert preview.status_code == 200
    assert b"added to A" in preview.content and b"added to B" in preview.content
    assert not Enrolment.objects.exists()  # the dry run changed nothing
    text = preview.context["form"].initial["text"]
    applied = client.post(url, {"text": text, "apply": "1"})
    assert applied.status_code == 302
    assert dict(Enrolment.objects.values_list("student__username", "section__name")) == {
        "ada": "A",
        "bob": "B",
    }


@pytest.mark.parametrize(
    "content, message",
    [
        (b"\xff\xfe\x00b\x00a\x00d", b"not UTF-8"),
        (b"bob,A\x00\n", b"NUL"),
        (b"", b"Choose a CSV file"),
        (b"nobody,A\nbob,Z\n", b"No section"),
    ],
)
def test_a_bad_roster_gets_a_message_never_a_500(
    client, course, instructor, make_user, content, message
):
    make_user("bob")
    client.force_login(instructor)
    url = reverse("course_roster", args=[course.slug])
    got = client.post(url, {"file": _file(content)})
    assert got.status_code in (200, 400)
    assert message in got.content
    # Applying a roster with errors (posted by hand) changes nothing either.
    again = client.post(url, {"text": "nobody,A\n", "apply": "1"})
    assert again.status_code == 400 and b"Nothing was changed" in again.content
    assert not Enrolment.objects.exists()


def _file(content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("roster.csv", content, content_type="text/csv")


def test_course_quizzes_are_seen_only_by_the_course(
    client, course, quiz, enrolled, other_student, make_quiz, typed_question
):
    public = make_quiz([typed_question], slug="public", title="Public quiz")
    client.force_login(other_student)  # in no course
    listed = client.get(reverse("quiz_list")).content
    assert b"Public quiz" in listed and quiz.title.encode() not in listed
    assert client.get(reverse("quiz_detail", args=[quiz.slug])).status_code == 404
    assert client.post(reverse("quiz_start", args=[quiz.slug])).status_code == 404
    assert client.get(reverse("quiz_detail", args=[public.slug])).status_code == 200
    client.force_login(enrolled)
    listed = client.get(reverse("quiz_list")).content
    assert quiz.title.encode() in listed and b"Public quiz" in listed


def test_a_student_practises_only_their_course_topics(
    client, course, enrolled, other_student, topic, make_question
):
    other = Topic.objects.create(slug="gc", title="Garbage collection", order=9)
    make_question(slug="in-course")  # in no quiz: open to practice
    Question.objects.filter(pk=make_question(slug="elsewhere").pk).update(topic=other)
    client.force_login(enrolled)
    assert client.get(reverse("practice_topic", args=[other.slug])).status_code == 404
    page = client.get(reverse("practice_topics"))
    assert b"Garbage collection" not in page.content and topic.title.encode() in page.content
    client.force_login(other_student)  # no course: the whole library
    assert client.get(reverse("practice_topic", args=[other.slug])).status_code in (200, 302)


def test_the_student_sees_their_own_time_limit(client, course, quiz, enrolled):
    Quiz.objects.filter(pk=quiz.pk).update(time_limit_minutes=30)
    services.accommodation_set(course=course, student=enrolled, quiz=quiz, time_multiplier=1.5)
    client.force_login(enrolled)
    page = client.get(reverse("quiz_detail", args=[quiz.slug]))
    assert b"Your time limit: 45 minutes" in page.content


def test_accommodations_are_listed_on_the_roster_and_set_there(
    client, course, quiz, instructor, enrolled
):
    client.force_login(instructor)
    url = reverse("course_accommodation", args=[course.slug])
    data = {
        "student": enrolled.pk,
        "quiz": quiz.pk,
        "time_multiplier": "1.5",
        "extra_minutes": "10",
        "extra_attempts": "1",
        "closes_at": "",
        "note": "letter 12",
    }
    assert client.post(url, data).status_code == 302
    accommodation = Accommodation.objects.get()
    assert accommodation.extra_minutes == 10
    roster = client.get(reverse("course_detail", args=[course.slug])).content.decode()
    assert "time ×1.5" in roster and "+10 min" in roster and "letter 12" in roster
    assert client.post(url, data | {"time_multiplier": "0.5"}).status_code == 400


def test_a_section_opening_later_keeps_the_quiz_closed_for_it(
    client, course, quiz, enrolled, section_a
):
    later = timezone.now() + timedelta(days=1)
    services.section_times_set(
        course_quiz=course.course_quizzes.get(quiz=quiz), section=section_a, opens_at=later
    )
    client.force_login(enrolled)
    page = client.get(reverse("quiz_detail", args=[quiz.slug]))
    assert b"not yet open" in page.content
    response = client.post(reverse("quiz_start", args=[quiz.slug]))
    assert response.status_code == 302 and not quiz.attempts.exists()


def test_every_courses_page_renders_under_the_csp(client, course, instructor, submitted, enrolled):
    """Each page of courses/urls.py, as its user sees it: no inline code the policy refuses."""
    from django.urls import URLPattern, get_resolver

    from tests.config.test_csp import inline_code, policy_of

    pages = [(enrolled, reverse("my_courses")), (enrolled, reverse("course_join", args=["x"]))]
    pages.append((enrolled, reverse("course_join", args=[course.join_code])))
    pages.append((enrolled, reverse("course_join_entry")))  # no code: My courses, asking again
    pages += [(instructor, reverse("teach_list"))]
    pages += [(instructor, url) for method, url in instructor_urls(course, submitted, enrolled)]
    for user, url in pages:
        client.force_login(user)
        got = client.get(url)
        if got.get("Content-Type", "").startswith("text/html"):
            assert not inline_code(got.content.decode()), url
            assert "unsafe-inline" not in " ".join(policy_of(got).values())
    scanned = {url for _user, url in pages}
    for pattern in get_resolver("courses.urls").url_patterns:
        assert isinstance(pattern, URLPattern)
        if pattern.name in ("course_override", "course_accommodation_remove"):
            continue  # POST only: redirects, never a page
        assert any(pattern.pattern.match(url.lstrip("/")) for url in scanned), pattern.name


def test_the_result_page_names_when_feedback_after_closing_shows(
    client, course, quiz, enrolled, section_b, other_student
):
    """The quiz closes in an hour, section B in three: a student who submitted is told the
    later time, when the keys really show, not the quiz's own closing time."""
    from django.utils.formats import date_format

    from tests.helpers import save_answer

    now = timezone.now()
    own, last = now + timedelta(hours=1), now + timedelta(hours=3)
    Quiz.objects.filter(pk=quiz.pk).update(
        feedback_policy=Quiz.FeedbackPolicy.AFTER_CLOSE, closes_at=own
    )
    services.section_times_set(
        course_quiz=course.course_quizzes.get(quiz=quiz), section=section_b, closes_at=last
    )
    client.force_login(enrolled)  # in section A: the quiz's own times
    attempt = start_quiz(client, quiz)
    save_answer(client, attempt, quiz.quiz_questions.first())
    client.post(reverse("attempt_submit", args=[attempt.pk]))
    page = client.get(reverse("attempt_result", args=[attempt.pk])).content.decode()
    assert date_format(timezone.localtime(last), "DATETIME_FORMAT") in page
    assert date_format(timezone.localtime(own), "DATETIME_FORMAT") not in page
    assert "Score:" not in page


def test_the_join_page_offers_the_sections_by_name_and_keeps_the_choice(
    client, course, other_student, section_b
):
    client.force_login(other_student)
    url = reverse("course_join", args=[course.join_code])
    page = client.get(url).content.decode()
    assert ">A</option>" in page and ">B</option>" in page and "pymem /" not in page
    Enrolment.objects.create(course=course, section=section_b, student=other_student)
    again = client.get(url).content.decode()
    assert "You are in this course already (section B)" in again


def test_a_question_of_another_topic_cannot_be_practised_by_address(
    client, course, enrolled, make_question
):
    """The course lists one topic: a question of another is a 404 to GET and to POST, and no
    answer is recorded."""
    from quizzes.models import PracticeAnswer

    other = Topic.objects.create(slug="gc", title="Garbage collection", order=9)
    elsewhere = make_question(slug="elsewhere")
    Question.objects.filter(pk=elsewhere.pk).update(topic=other)
    client.force_login(enrolled)
    url = reverse("practice_question", args=[elsewhere.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {f"q{elsewhere.pk}-answer_text": "x"}).status_code == 404
    assert not PracticeAnswer.objects.exists()


def test_a_student_can_type_a_join_code(client, course, other_student, section_a):
    client.force_login(other_student)
    page = client.get(reverse("my_courses"))
    assert b'name="code"' in page.content
    entry = reverse("course_join_entry")
    found = client.get(entry, {"code": f"  {course.join_code} "})
    assert found.status_code == 302
    assert found["Location"] == reverse("course_join", args=[course.join_code])
    assert not Enrolment.objects.filter(student=other_student).exists()  # confirm first
    for bad in ("", "   ", "a/b"):
        refused = client.get(entry, {"code": bad})
        assert refused.status_code == 400 and b"Type the join code" in refused.content
    unknown = client.get(client.get(entry, {"code": "nope"})["Location"])
    assert unknown.status_code == 404
