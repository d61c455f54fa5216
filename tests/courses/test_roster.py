"""A CSV roster's dry run loses nothing (issue 15 §1): every line of the file is in the preview,
once, with what it would do or why it cannot; a column the preview would not read is a row's
problem unless a header names the columns; applying changes nothing while any row has one."""

import pytest
from django.urls import reverse

from courses import roster, services
from courses.models import Enrolment

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(make_user):
    make_user("ada", email="ada@example.org")
    make_user("bob", email="bob@example.org")
    make_user("cy")


def test_every_line_of_a_file_with_bad_rows_is_in_the_preview_once(course, people):
    text = (
        "ada,A\n"
        "\n"  # blank: nothing to say about it
        "bob,B,late joiner\n"  # a third column, no header: not dropped unread
        "ghost,A\n"
        "cy\n"
        ",B\n"
        '"unterminated,A\n'
    )
    preview = services.roster_preview(course=course, text=text)
    lines = [row.line for row in preview.rows]
    filled = [n for n, line in enumerate(text.splitlines(), start=1) if line.strip()]
    assert lines == filled[: len(lines)] and len(set(lines)) == len(lines)
    by_line = {row.line: row for row in preview.rows}
    assert by_line[1].action == "add"
    assert "3 filled columns" in by_line[3].error
    assert "No account" in by_line[4].error
    assert "No section given" in by_line[5].error
    assert "No username" in by_line[6].error
    # csv reads an unterminated quote to the end of the file: that line is still a row.
    assert by_line[7].identifier.startswith("unterminated") and by_line[7].error
    assert len(preview.errors) == len(preview.rows) - 1
    with pytest.raises(services.CourseError, match="Nothing was changed"):
        services.roster_apply(course=course, text=text)
    assert not Enrolment.objects.exists()


@pytest.mark.parametrize(
    "text",
    [
        "email,name,section\nada@example.org,Ada L.,A\nbob@example.org,Bob,B\n",
        "section,username\nA,ada\nB,bob\n",
        "Username,Email,Section\nada,,A\n,bob@example.org,B\n",
    ],
)
def test_a_header_says_where_the_columns_are(course, people, text):
    preview = services.roster_apply(course=course, text=text)
    assert not preview.errors
    assert dict(Enrolment.objects.values_list("student__username", "section__name")) == {
        "ada": "A",
        "bob": "B",
    }


def test_a_student_named_like_a_header_is_a_student(course, make_user):
    make_user("student")
    preview = services.roster_preview(course=course, text="student,A\n")
    assert [row.action for row in preview.rows] == ["add"]
    assert roster.header_columns(["student", "A"]) is None


def test_the_page_shows_every_bad_row_and_offers_no_apply(client, course, instructor, people):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(instructor)
    upload = SimpleUploadedFile("r.csv", b"ada,A\nbob,B,x\nghost,A\n", content_type="text/csv")
    page = client.post(reverse("course_roster", args=[course.slug]), {"file": upload})
    assert page.status_code == 400
    html = page.content.decode()
    assert html.count('class="table-danger"') == 2
    assert "added to A" in html and "3 filled columns" in html and "ghost" in html
    assert 'name="apply"' not in html
    assert not Enrolment.objects.exists()
