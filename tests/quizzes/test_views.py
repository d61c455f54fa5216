"""Pages as a visitor and a student sees them: home, concept pages, the rules page, accounts,
error pages, and the Bootstrap assets served locally."""

import pytest
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import escape

from content import services as content_services
from content.models import ConceptPage, Topic
from tests.helpers import signup_data

pytestmark = pytest.mark.django_db

PAGE_BODY = """Two names, one list.

```python
a = [1, 2]
b = a
b.append(len(a) * 7)
print(a)
```
"""


@pytest.fixture
def page(topic):
    page = ConceptPage.objects.create(
        topic=topic, slug="aliasing", title="Aliasing", order=1, body=PAGE_BODY
    )
    content_services.refresh_page_outputs(page)
    return page


def test_home_lists_topics_with_their_pages(client, page):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert page.topic.title in response.text
    assert page.get_absolute_url() in response.text
    assert reverse("signup") in response.text


def test_home_keeps_the_course_order_and_renders_summaries(client, student, make_question):
    make_question()  # questions in topic order 3 make the home page count them
    Topic.objects.create(slug="identity", title="Identity", order=1, summary="`is` compares ids")
    Topic.objects.create(slug="copying", title="Copying", order=4)
    client.force_login(student)
    response = client.get(reverse("home"))
    slugs = [topic.slug for topic in response.context["topics"]]
    assert slugs == ["identity", "mutability-aliasing", "copying"]
    assert "<code>is</code> compares ids" in response.text


def test_unpublished_pages_are_for_staff_only(client, page, student, instructor):
    ConceptPage.objects.filter(pk=page.pk).update(is_published=False)
    assert page.get_absolute_url() not in client.get(reverse("home")).text
    client.force_login(student)
    assert client.get(page.get_absolute_url()).status_code == 404
    client.force_login(instructor)
    assert client.get(page.get_absolute_url()).status_code == 200


def test_concept_page_shows_each_block_with_its_real_output(client, page, typed_question):
    response = client.get(page.get_absolute_url())
    assert response.status_code == 200
    stored = page.block_outputs.get()
    assert escape(stored.outcome["stdout"].strip()) in response.text
    assert f"Output (Python {stored.python_version})" in response.text
    assert reverse("practice_topic", args=[page.topic.slug]) in response.text
    assert response.context["practice_count"] == 1


def test_concept_list_links_every_published_page(client, page):
    response = client.get(reverse("concept_list"))
    assert response.status_code == 200
    assert page.get_absolute_url() in response.text


def test_how_answers_are_checked_states_the_rules(client):
    response = client.get(reverse("how_answers_are_checked"))
    assert response.status_code == 200
    rules = (
        "<em>end</em> of each line",
        "blank lines at the end are ignored",
        "the <strong>last line</strong>",
        "Naming the exception type is enough",
        "Exactly one of them equals the real outcome",
        "Nothing is run when you answer",
    )
    for rule in rules:
        assert rule in response.text, rule


def test_every_question_page_links_to_the_rules(client, student, quiz):
    client.force_login(student)
    rules = reverse("how_answers_are_checked")
    for entry in quiz.quiz_questions.all():
        page = client.get(reverse("practice_question", args=[entry.question_id]))
        assert rules in page.text
    client.post(reverse("quiz_start", args=[quiz.slug]))
    attempt = quiz.attempts.get()
    take = client.get(reverse("attempt_take", args=[attempt.pk]))
    assert take.text.count(f'href="{rules}"') > quiz.quiz_questions.count()


def test_pages_for_students_need_a_login(client, quiz):
    for url in (
        reverse("practice_topics"),
        reverse("quiz_list"),
        reverse("quiz_detail", args=[quiz.slug]),
        reverse("attempt_list"),
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == f"{reverse('login')}?next={url}"


def test_signup_creates_an_account_and_logs_in(client, django_user_model):
    page = client.get(reverse("signup"))
    assert page.status_code == 200 and 'name="password2"' in page.text
    response = client.post(reverse("signup"), signup_data())
    assert response["Location"] == reverse("home")
    user = django_user_model.objects.get(username="ada")
    assert not user.is_staff
    assert client.get(reverse("attempt_list")).status_code == 200


def test_signup_errors_are_shown_on_the_form(client):
    data = {"username": "ada", "password1": "short", "password2": "different"}
    response = client.post(reverse("signup"), data)
    assert response.status_code == 200
    assert response.context["form"].errors


def test_login_and_logout_by_post(client, student):
    assert client.get(reverse("login")).status_code == 200
    data = {"username": "student", "password": "memory-model"}
    response = client.post(reverse("login"), data)
    assert response["Location"] == reverse("home")
    home = client.get(reverse("home"))
    assert f'action="{reverse("logout")}"' in home.text
    assert client.get(reverse("logout")).status_code == 405  # never by a link
    assert client.post(reverse("logout"))["Location"] == reverse("home")
    assert client.get(reverse("attempt_list")).status_code == 302


def test_bootstrap_is_served_from_the_project_not_a_cdn(client):
    html = client.get(reverse("home")).text
    assert "/static/vendor/bootstrap/css/bootstrap.min.css" in html
    assert "/static/vendor/bootstrap/js/bootstrap.bundle.min.js" in html
    assert "https://" not in html and "//cdn" not in html
    for asset in (
        "vendor/bootstrap/css/bootstrap.min.css",
        "quizzes/site.css",
        "quizzes/attempt.js",
    ):
        assert finders.find(asset), f"{asset} missing (run `make install` for npm ci)"


def test_error_pages_extend_the_site_layout(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.text and "navbar" in response.text
    for template in ("400.html", "403.html", "403_csrf.html", "500.html"):
        html = render_to_string(template)  # rendered without a request, as Django does for 500
        assert "navbar" in html and "</html>" in html
