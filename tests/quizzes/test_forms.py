"""The student answer form: one field per answer mode, bad input as form errors."""

import pytest

from accounts.forms import SignUpForm
from content.models import Topic
from quizzes.forms import AnswerForm
from quizzes.models import Choice, Question
from quizzes.services import MAX_ANSWER_CHARS
from tests.helpers import SIGNUP_PASSWORD, signup_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def topic():
    return Topic.objects.create(slug="dict-keys-hashability", title="Dictionary keys", order=5)


def make_question(topic, mode, choices=()):
    question = Question.objects.create(
        topic=topic,
        slug=f"form-{mode}",
        title=f"A {mode} question",
        snippet="print({(1, 2): 'a'}[(1, 2)])\n",
        answer_mode=mode,
        explanation="Tuples of hashable items are hashable.",
        is_published=True,
    )
    for order, (text, misconception) in enumerate(choices):
        Choice.objects.create(
            question=question, text=text, misconception=misconception, order=order
        )
    return question


@pytest.fixture
def typed(topic):
    return make_question(topic, Question.AnswerMode.TYPED)


@pytest.fixture
def choice_question(topic):
    return make_question(
        topic,
        Question.AnswerMode.CHOICE,
        [("a", ""), ("TypeError: unhashable type: 'tuple'", "tuples are unhashable")],
    )


@pytest.fixture
def true_false(topic):
    return make_question(topic, Question.AnswerMode.TRUE_FALSE, [("a", "")])


def test_typed_answer_keeps_leading_spaces_and_lines(typed):
    answer = "  indented\nsecond line\n"
    form = AnswerForm({"answer_text": answer}, question=typed, choice_seed=None)
    assert form.is_valid(), form.errors
    kwargs = {"answer_text": answer, "choice": None, "says_prints_nothing": False}
    assert form.service_kwargs() == kwargs


def test_typed_answer_over_the_limit_is_a_form_error(typed):
    form = AnswerForm(
        {"answer_text": "x" * (MAX_ANSWER_CHARS + 1)}, question=typed, choice_seed=None
    )
    assert not form.is_valid()
    assert "answer_text" in form.errors


def test_typed_answer_with_a_nul_character_is_a_form_error(typed):
    form = AnswerForm({"answer_text": "True\x00"}, question=typed, choice_seed=None)
    assert not form.is_valid()
    assert "answer_text" in form.errors


def test_choice_form_offers_only_the_questions_own_choices(choice_question, true_false):
    foreign = true_false.choices.get()
    own = choice_question.choices.first()
    assert AnswerForm(
        {"choice": str(own.pk)}, question=choice_question, choice_seed=None
    ).is_valid()
    for bad in (str(foreign.pk), "not-a-number", "", "99999999999999999999999"):
        form = AnswerForm({"choice": bad}, question=choice_question, choice_seed=None)
        assert not form.is_valid(), bad
        assert "choice" in form.errors


def test_a_posted_choice_is_found_among_the_choices_already_read(
    choice_question, django_assert_num_queries
):
    """One query for the question's choices: the radio buttons' and the posted choice's (an
    exam's autosave; ModelChoiceField queried the chosen one again by its pk)."""
    own = choice_question.choices.last()
    question = Question.objects.get(pk=choice_question.pk)
    with django_assert_num_queries(1):
        form = AnswerForm({"choice": f" {own.pk}"}, question=question, choice_seed=7)
        assert form.is_valid(), form.errors
    assert form.service_kwargs()["choice"] == own
    for bad in (f"{own.pk}\x00", f"{own.pk}.5", [own.pk]):
        form = AnswerForm({"choice": bad}, question=choice_question, choice_seed=7)
        assert not form.is_valid(), bad


def test_choice_labels_show_outputs_in_full_but_no_misconception(choice_question):
    html = str(AnswerForm(question=choice_question, choice_seed=None)["choice"])
    assert "TypeError: unhashable type: &#x27;tuple&#x27;" in html
    assert "tuples are unhashable" not in html


def test_true_false_accepts_only_true_or_false(true_false):
    form = AnswerForm({"answer_text": "false"}, question=true_false, choice_seed=None)
    assert form.is_valid()
    kwargs = {"answer_text": "false", "choice": None, "says_prints_nothing": False}
    assert form.service_kwargs() == kwargs
    assert not AnswerForm(
        {"answer_text": "maybe"}, question=true_false, choice_seed=None
    ).is_valid()


def test_prefixed_forms_read_only_their_own_fields(typed):
    data = {"q1-answer_text": "first", "q2-answer_text": "second"}
    form = AnswerForm(data, question=typed, choice_seed=None, prefix="q2")
    assert form.is_valid()
    assert form.cleaned_data["answer_text"] == "second"


def test_signup_form_creates_a_user_with_a_hashed_password():
    form = SignUpForm(signup_data())
    assert form.is_valid(), form.errors
    user = form.save()
    assert user.check_password(SIGNUP_PASSWORD)
    assert user.password != SIGNUP_PASSWORD


def test_signup_form_refuses_mismatched_passwords():
    data = {"username": "ada", "password1": "a-Long-passphrase-42", "password2": "other-42-X"}
    assert not SignUpForm(data).is_valid()
