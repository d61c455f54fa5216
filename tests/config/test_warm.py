"""The warm-up gunicorn's master runs before it forks the web workers (config/warm.py): every
template compiled, and every question a student may be shown rendered as shown, so that a fresh
worker's first attempt page renders no template from source and highlights no snippet. That the
master really runs it before forking, on a real server: tests/config/test_serve.py."""

import pytest
from django.template import engines
from django.urls import reverse

from config import warm
from content import markdown
from quizzes import fragments
from tests.helpers import start_quiz

pytestmark = pytest.mark.django_db


@pytest.fixture
def cold():
    """A worker's caches as a fresh process has them (they are per process and outlive tests)."""
    for cache in fragments.ALL:
        cache.clear()
    markdown.highlight_python.cache_clear()
    markdown.render_markdown.cache_clear()
    for engine in engines.all():
        engine.engine.template_loaders[0].reset()
    yield
    markdown.highlight_python.cache_clear()
    markdown.render_markdown.cache_clear()


def test_every_template_of_every_engine_is_compiled(cold):
    count = warm.compile_templates()
    loader = engines["django"].engine.template_loaders[0]
    assert count >= 100  # the site's, the admin's, crispy-forms'...
    compiled = set(loader.get_template_cache)
    assert {"quizzes/attempt_take.html", "quizzes/_question.html", "base.html"} <= compiled


def test_a_warmed_worker_s_first_attempt_page_highlights_no_snippet(
    cold, client, student, make_quiz, typed_question, make_question, doubling, monkeypatch
):
    hidden = make_question("print('in an exam only')", published=False, slug="exam-only")
    quiz = make_quiz([typed_question, hidden, doubling])
    draft = make_question("print('a draft in no quiz')", published=False, slug="draft")
    assert fragments.warm_published_questions() == 3 + doubling.variants.count()

    def highlight_refused(*args):
        raise AssertionError(f"highlighted while serving: {args[0]!r}")

    monkeypatch.setattr(markdown, "highlight", highlight_refused)
    client.force_login(student)
    attempt = start_quiz(client, quiz)
    page = client.get(reverse("attempt_take", args=[attempt.pk]))
    assert page.status_code == 200
    assert "in an exam only" in page.content.decode()
    with pytest.raises(AssertionError, match="a draft in no quiz"):  # never shown: not warmed
        markdown.highlight_python(draft.snippet)


def test_deny_forking_from_a_master_left_holding_a_database_connection(cold, django_user_model):
    """Inside this test's transaction the connection cannot be closed: exactly the case where
    forked workers would share it. The warm-up refuses rather than let the server start."""
    django_user_model.objects.count()  # the connection is open, in the test's transaction
    with pytest.raises(warm.WarmUpOpenedConnection):
        warm.warm_up()
