"""The admin's tabular inlines have no empty table header and no unlabelled field (issue 19, axe's
empty-table-header and label): the project's templates/admin/edit_inline/tabular.html is Django's
own with header cells and labels added, and every change form with a tabular inline renders no
header cell without text and no visible input without a label."""

from html.parser import HTMLParser
from pathlib import Path

import django
import pytest
from django.conf import settings
from django.urls import reverse

OURS = Path(settings.BASE_DIR) / "templates" / "admin" / "edit_inline" / "tabular.html"
DJANGOS = Path(django.__file__).parent / "contrib/admin/templates/admin/edit_inline/tabular.html"
DELETE_TEST = (
    "inline_admin_formset.formset.can_delete and inline_admin_formset.has_delete_permission"
)
SAVED_ROW = '<span class="visually-hidden">{% translate "Saved row" %}</span>'
DELETE_LABEL = (
    '<label class="visually-hidden" for="'
    '{{ inline_admin_form.deletion_field.field.id_for_label }}">{% translate "Delete?" %}</label>'
)
FIELD_LABEL = (
    '                  {% if not field.field.is_hidden %}<label class="visually-hidden" '
    'for="{{ field.field.id_for_label }}">{{ field.field.label|capfirst }}</label>{% endif %}'
)
DELETE_BOX = "{{ inline_admin_form.deletion_field.field }}"
# Django's line -> ours (one or more lines): the only differences allowed.
CHANGED = {
    '       <th class="original"></th>': [f'       <th class="original">{SAVED_ROW}</th>'],
    f'     <th>{{% if {DELETE_TEST} %}}{{% translate "Delete?" %}}{{% endif %}}</th>': [
        f'     {{% if {DELETE_TEST} %}}<th>{{% translate "Delete?" %}}</th>'
        "{% else %}<td></td>{% endif %}"
    ],
    "                  {{ field.field }}": [FIELD_LABEL, "                  {{ field.field }}"],
    '  <div class="wrapper">': [
        '  <div class="wrapper" tabindex="0" role="group" '
        'aria-labelledby="{{ inline_admin_formset.formset.prefix }}-heading">'
    ],
}


def changed(line: str) -> list[str]:
    if DELETE_BOX in line:  # the delete box of a row: its label before it
        return [line.replace(DELETE_BOX, DELETE_LABEL + DELETE_BOX)]
    return CHANGED.get(line, [line])


def test_the_override_is_djangos_template_with_headers_and_labels_added():
    """After a Django upgrade that changes its template, this fails: copy it again."""
    ours = OURS.read_text().split("{% endcomment %}\n", 1)[1]
    django_lines = DJANGOS.read_text().split("\n")
    expected = "\n".join(new for line in django_lines for new in changed(line))
    assert ours == expected
    assert ours.count("visually-hidden") == 3


class HeaderCells(HTMLParser):
    """The text of every <th> of the page; the ids of the fields in its inline tables and the
    ids its labels name."""

    def __init__(self):
        super().__init__()
        self.cells: list[str] = []
        self.depth = 0
        self.tables = 0
        self.fields: list[str] = []
        self.labelled: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "th":
            self.depth += 1
            self.cells.append("")
        elif tag == "table":
            self.tables += 1
        elif tag == "label" and attributes.get("for"):
            self.labelled.add(attributes["for"])
        elif tag in ("input", "select", "textarea") and self.tables:
            if attributes.get("type") != "hidden" and attributes.get("id"):
                self.fields.append(attributes["id"])

    def handle_endtag(self, tag):
        if tag == "th":
            self.depth -= 1
        elif tag == "table":
            self.tables -= 1

    def handle_data(self, data):
        if self.depth:
            self.cells[-1] += data


def parsed(html: str) -> HeaderCells:
    parser = HeaderCells()
    parser.feed(html)
    return parser


@pytest.mark.django_db
def test_change_forms_with_tabular_inlines_have_no_empty_header(
    client, admin_user, quiz, make_user
):
    """Choices of a question (deletable), questions of a quiz, responses of an attempt (not
    deletable) and a course's sections and quizzes."""
    from courses import services
    from quizzes import services as quiz_services

    student = make_user("reader")
    attempt = quiz_services.start_attempt(user=student, quiz=quiz)
    course = services.course_create(title="C", slug="c", sections=["A"])
    services.course_quiz_assign(course=course, quiz=quiz)
    client.force_login(admin_user)
    pages = [
        reverse("admin:quizzes_question_change", args=[quiz.questions.first().pk]),
        reverse("admin:quizzes_quiz_change", args=[quiz.pk]),
        reverse("admin:quizzes_attempt_change", args=[attempt.pk]),
        reverse("admin:courses_course_change", args=[course.pk]),
        reverse("admin:courses_course_add"),
    ]
    for url in pages:
        page = client.get(url)
        assert page.status_code == 200, url
        found = parsed(page.content.decode())
        cells = [cell.strip() for cell in found.cells]
        assert "Saved row" in cells, url  # the inline table is there
        assert "" not in cells, url
        assert found.fields or "attempt" in url, url  # (an attempt's responses are read only)
        assert [f for f in found.fields if f not in found.labelled] == [], url
    # select2 names an autocomplete's combobox by what it shows: empty, its placeholder.
    quiz_page = client.get(reverse("admin:quizzes_quiz_change", args=[quiz.pk])).content
    assert b'data-placeholder="Search questions"' in quiz_page
