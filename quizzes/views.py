"""Student-facing pages of assessment (home, practice, quizzes, attempts).

Views read through quizzes.selectors, build what templates show with quizzes.presentation, and
change state only through quizzes.services (POST only: a GET never writes), which also
enforces deadlines, time limits and attempt limits. Everything a student may not see yet (answer
keys, the right choice, explanations) is decided by rules.feedback_visible and
rules.response_feedback_visible before it reaches a template, and a key another quiz guards
is withheld on every page by the one rule in quizzes.selectors.
"""

from dataclasses import replace

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Prefetch, prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.backends.utils import csrf_input
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from accounts import roles
from accounts.ratelimit import rate_limited
from content import runs
from content.markdown import render_markdown
from content.models import ConceptPage, Topic
from quizzes import (
    choice_order,
    feedback_policies,
    misconceptions,
    rules,
    save_versions,
    selectors,
    services,
    variant_services,
)
from quizzes.deadlines import effective_deadline, load_times, quiz_times
from quizzes.forms import AnswerForm
from quizzes.models import (
    Attempt,
    PracticeAnswer,
    Question,
    Quiz,
    QuizQuestion,
    StoredKey,
)
from quizzes.presentation import attempt_item, build_feedback, question_context

# --- helpers -------------------------------------------------------------------------------


def wants_json(request: HttpRequest) -> bool:
    """The autosave script asks for JSON; a plain form post (no JavaScript) gets HTML."""
    return "application/json" in request.headers.get("Accept", "")


def posted_data(request: HttpRequest):
    """The form data of a POST, even an empty one (so it is validated); None otherwise."""
    return request.POST if request.method == "POST" else None


# --- home, accounts, static pages ------------------------------------------------------------


def topics_with_progress(user) -> list[Topic]:
    """Topics in course order, each with `question_count` (questions the user can practise)
    and `solved_count` (how many of those they have answered correctly at least once)."""
    questions = selectors.practice_questions(user)
    counts = dict(questions.values_list("topic").annotate(n=Count("pk")).order_by())
    solved = {}
    if user.is_authenticated:
        answers = PracticeAnswer.objects.filter(user=user, is_correct=True, question__in=questions)
        by_topic = answers.values_list("question__topic").annotate(
            n=Count("question", distinct=True)
        )
        solved = dict(by_topic.order_by())
    topics = list(Topic.objects.order_by("order", "title"))
    for topic in topics:
        topic.question_count = counts.get(topic.pk, 0)
        topic.solved_count = solved.get(topic.pk, 0)
    return topics


def home(request: HttpRequest) -> HttpResponse:
    published_pages = ConceptPage.objects.filter(is_published=True)
    topics = topics_with_progress(request.user)
    prefetch_related_objects(topics, Prefetch("pages", queryset=published_pages))
    for topic in topics:
        topic.summary_html = render_markdown(topic.summary)
    return render(request, "quizzes/home.html", {"topics": topics})


def how_answers_are_checked(request: HttpRequest) -> HttpResponse:
    context = {"running_python_version": runs.current_python_version()}
    return render(request, "quizzes/how_answers_are_checked.html", context)


# --- practice ----------------------------------------------------------------------------------


def solved_question_ids(user, questions) -> set[int]:
    answers = PracticeAnswer.objects.filter(user=user, is_correct=True, question__in=questions)
    return set(answers.values_list("question_id", flat=True))


def next_practice_question(user, topic: Topic, after: Question | None = None) -> Question | None:
    """The first question of the topic not yet answered correctly, looking after `after` first."""
    questions = list(selectors.practice_questions(user, topic))
    solved = solved_question_ids(user, questions)
    if after is not None and after in questions:
        start = questions.index(after) + 1
        questions = questions[start:] + questions[:start]
    return next((q for q in questions if q.pk not in solved and q != after), None)


@login_required
def practice_topics(request: HttpRequest) -> HttpResponse:
    # The library stays shared (home lists every topic); practice is that of the user's courses.
    own = set(selectors.practice_topics(request.user).values_list("pk", flat=True))
    topics = [topic for topic in topics_with_progress(request.user) if topic.pk in own]
    return render(request, "quizzes/practice_topics.html", {"topics": topics})


@login_required
def practice_topic(request: HttpRequest, slug: str) -> HttpResponse:
    """Sends the student to the next question to practise; once all are solved, lists them."""
    topic = get_object_or_404(selectors.practice_topics(request.user), slug=slug)
    upcoming = next_practice_question(request.user, topic)
    if upcoming is not None and "review" not in request.GET:
        return redirect("practice_question", pk=upcoming.pk)
    questions = list(selectors.practice_questions(request.user, topic))
    solved = solved_question_ids(request.user, questions)
    return render(
        request,
        "quizzes/practice_topic.html",
        {"topic": topic, "questions": questions, "solved": solved, "upcoming": upcoming},
    )


@login_required
@require_http_methods(["GET", "POST"])
@rate_limited("answer", per="user")
def practice_question(request: HttpRequest, pk: int) -> HttpResponse:
    question = get_object_or_404(Question.objects.select_related("topic"), pk=pk)
    questions = list(selectors.practice_questions(request.user, question.topic))
    available = question in questions
    if not available and not roles.is_instructor(request.user):
        raise Http404("No such question.")
    seed = choice_order.student_seed(request.user)
    # The variant of this try (the service draws the same one when it grades the answer).
    shown = variant_services.as_seen(
        question, variant_services.practice_variant(request.user, question)
    )
    form = AnswerForm(posted_data(request), question=shown, choice_seed=seed)
    if request.method == "POST" and form.is_valid():
        try:
            answer = services.answer_practice(
                user=request.user, question=question, **form.service_kwargs()
            )
        except services.ServiceError as refused:
            form.add_error(None, refused.message)
        else:
            return redirect("practice_feedback", pk=answer.pk)
    solved = solved_question_ids(request.user, questions)
    status = 400 if form.is_bound else 200  # a valid post has redirected already
    context = question_context(shown) | {
        "form": form,
        "preview": not available,
        "position": questions.index(question) + 1 if available else None,
        "total": len(questions),
        "solved": question.pk in solved,
    }
    return render(request, "quizzes/practice_question.html", context, status=status)


@login_required
def practice_feedback(request: HttpRequest, pk: int) -> HttpResponse:
    answer = get_object_or_404(
        PracticeAnswer.objects.select_related("question__topic", "choice", "variant"),
        pk=pk,
        user=request.user,
    )
    question = variant_services.as_seen(answer.question, answer.variant)
    answer.choice = variant_services.seen_choice(question, answer.choice)
    # Practised before a quiz came to guard it: the key waits for that quiz's feedback now.
    waiting_for = selectors.withheld_by(selectors.guarding_quizzes(request.user), question.pk)
    feedback = None
    if waiting_for is None:
        feedback = build_feedback(
            question, answer, answer.graded_key, answer.graded_python_version, answer.choice_seed
        )
    context = question_context(question) | {
        "answer": answer,
        "feedback": feedback,
        "waiting_for": waiting_for,
        "next_question": next_practice_question(request.user, question.topic, after=question),
        "same_misconception": misconceptions.practice_targeting(
            request.user, answer.matched_misconceptions, question
        )
        if feedback
        else None,
    }
    return render(request, "quizzes/practice_feedback.html", context)


# --- quizzes -----------------------------------------------------------------------------------


def score_visible(attempt: Attempt) -> bool:
    return attempt.submitted_at is not None and rules.feedback_visible(attempt=attempt)


def published_quiz(user, slug: str) -> Quiz:
    """A published quiz `user` sees (their courses' and those of no course); others are 404."""
    return get_object_or_404(selectors.visible_quizzes(user), slug=slug)


def quiz_status_for(user, quiz: Quiz, guards) -> selectors.QuizStatus:
    """The quiz's status, without a best score that would give away a key another quiz guards
    (`guards`: selectors.guarding_quizzes of the user)."""
    status = selectors.quiz_status(user=user, quiz=quiz)
    if status.best_score is not None and selectors.withholds_any(guards, quiz):
        status = replace(status, best_score=None)
    return status


@login_required
def quiz_list(request: HttpRequest) -> HttpResponse:
    quizzes = selectors.visible_quizzes(request.user).order_by("title")
    quizzes = list(selectors.quizzes_with_status_rows(request.user, quizzes))
    load_times(quizzes, request.user.pk)
    guards = selectors.guarding_quizzes(request.user)
    rows = [(quiz, quiz_status_for(request.user, quiz, guards)) for quiz in quizzes]
    return render(request, "quizzes/quiz_list.html", {"rows": rows})


@login_required
def quiz_detail(request: HttpRequest, slug: str) -> HttpResponse:
    quiz = published_quiz(request.user, slug)
    guards = selectors.guarding_quizzes(request.user)
    scores_withheld = selectors.withholds_any(guards, quiz)
    attempts = [
        (attempt, score_visible(attempt) and not scores_withheld)
        for attempt in map(selectors.attempt_as_of, quiz.attempts.filter(user=request.user))
    ]
    context = {
        "quiz": quiz,
        "description_html": render_markdown(quiz.description),
        "status": quiz_status_for(request.user, quiz, guards),
        "question_count": quiz.quiz_questions.count(),
        "attempts": attempts,
    }
    return render(request, "quizzes/quiz_detail.html", context)


@login_required
@require_POST
def quiz_start(request: HttpRequest, slug: str) -> HttpResponse:
    quiz = published_quiz(request.user, slug)
    try:
        attempt = services.start_attempt(user=request.user, quiz=quiz)
    except services.QuizUnavailable as refused:
        messages.error(request, refused.message)
        return redirect("quiz_detail", slug=quiz.slug)
    return redirect("attempt_take", pk=attempt.pk)


# --- attempts ----------------------------------------------------------------------------------


def own_attempt(request: HttpRequest, pk: int) -> Attempt:
    """The attempt as stored, only if it belongs to the user; anyone else's is a 404, not a 403.
    Pages show it through selectors.attempt_as_of (ended if its time ran out); only a POST's
    service stores that."""
    return get_object_or_404(Attempt.objects.select_related("quiz"), pk=pk, user=request.user)


def attempt_entries(attempt: Attempt, *, feedback_may_show: bool = True) -> list[QuizQuestion]:
    """The attempt's quiz questions, in the order this attempt shows them. Without
    `feedback_may_show` the keys and traces (the largest columns, decoded for nothing) stay in
    the database: a page that cannot show feedback never reads them."""
    entries = (
        QuizQuestion.objects.filter(quiz=attempt.quiz)
        .select_related("question")
        .prefetch_related("question__choices")
    )
    if not feedback_may_show:
        entries = entries.defer("question__answer_key", "question__key_trace")
    else:  # what other Python versions print, under the feedback (quizzes/versions.py): their
        # outputs only, never drawn, so their traces stay in the database
        other_versions = StoredKey.objects.defer("key_trace")
        entries = entries.prefetch_related(Prefetch("question__stored_keys", other_versions))
    by_id = {entry.pk: entry for entry in entries}
    order = [pk for pk in attempt.question_order if pk in by_id] or list(by_id)
    return variant_services.entries_as_seen(attempt, [by_id[pk] for pk in order])


def render_attempt(request, attempt, *, bound_form=None, bound_entry=None, status=200):
    # Before submitting, only a policy that shows each answer's feedback at once shows any.
    feedback_may_show = not feedback_policies.policy(attempt.quiz.feedback_policy).DEFERRED
    responses = selectors.attempt_responses(attempt)
    guards = selectors.guarding_quizzes_when_asked(request.user)
    items = [
        attempt_item(
            number,
            entry,
            responses.get(entry.pk),
            overall_feedback=False,
            editable=True,
            choice_seed=attempt.choice_seed,
            guards=guards,
            form=bound_form if entry == bound_entry else None,
        )
        for number, entry in enumerate(
            attempt_entries(attempt, feedback_may_show=feedback_may_show), start=1
        )
    ]
    context = {
        "attempt": attempt,
        "quiz": attempt.quiz,
        "items": items,
        "deadline": effective_deadline(attempt),
        # One masked CSRF token for the page's forms ({% csrf_token %} made a new one for each).
        "csrf_input": csrf_input(request),
    }
    return render(request, "quizzes/attempt_take.html", context, status=status)


@login_required
def attempt_take(request: HttpRequest, pk: int) -> HttpResponse:
    attempt = selectors.attempt_as_of(own_attempt(request, pk))
    if attempt.submitted_at is not None:
        return redirect("attempt_result", pk=attempt.pk)
    return render_attempt(request, attempt)


@login_required
@require_POST
@rate_limited("answer", per="user")
def attempt_answer(request: HttpRequest, pk: int, entry_pk: int) -> HttpResponse:
    """Saves one answer. The autosave script gets JSON; a plain form post gets the page back."""
    attempt = own_attempt(request, pk)
    # The trace (the largest column) is read only if feedback with its diagram is shown.
    entries = QuizQuestion.objects.select_related("question").defer("question__key_trace")
    entry = get_object_or_404(entries, pk=entry_pk, quiz=attempt.quiz_id)
    result_url = reverse("attempt_result", args=[attempt.pk])
    if attempt.submitted_at is not None:
        return closed_response(request, "This attempt is already submitted.", result_url)
    form = AnswerForm(
        request.POST,
        question=entry.question,
        choice_seed=attempt.choice_seed,
        prefix=f"q{entry.pk}",
    )
    if not form.is_valid():
        if wants_json(request):
            return invalid_json(form)
        return render_attempt(request, attempt, bound_form=form, bound_entry=entry, status=400)
    # attempt.js marks the text it saves while the student types as a draft: never graded yet.
    draft = request.POST.get("draft") == "1"
    # ... and sends the version of the stored answer the text was typed over (save_versions).
    try:
        based_on = save_versions.parse_base(request.POST.get("base"))
    except save_versions.MalformedVersion as malformed:
        form.add_error(None, str(malformed))
        if wants_json(request):
            return invalid_json(form)
        return render_attempt(request, attempt, bound_form=form, bound_entry=entry, status=400)
    try:
        response = services.save_answer(
            attempt=attempt,
            quiz_question=entry,
            draft=draft,
            based_on=based_on,
            **form.service_kwargs(),
        )
    except services.AnswerChanged as changed:
        return changed_response(request, changed, reverse("attempt_take", args=[pk]))
    except services.AttemptClosed as closed:
        return closed_response(request, closed.message, result_url)
    except services.AnswerLocked as locked:
        return closed_response(request, locked.message, reverse("attempt_take", args=[pk]))
    except services.InvalidAnswer as refused:
        form.add_error(None, refused.message)
        if wants_json(request):
            return invalid_json(form)
        return render_attempt(request, attempt, bound_form=form, bound_entry=entry, status=400)
    if wants_json(request):
        # The service's attempt row: the student's times are already read on it.
        return JsonResponse(saved_json(request, response.attempt, entry, response))
    messages.success(request, f"Answer to question “{entry.question.title}” saved.")
    return redirect(reverse("attempt_take", args=[attempt.pk]) + f"#q-{entry.pk}")


def saved_json(request: HttpRequest, attempt: Attempt, entry: QuizQuestion, response) -> dict:
    """What the autosave script gets for a saved answer: its time, its feedback if the policy
    shows it now, and the deadline (the quiz's times may have moved since the page loaded)."""
    deadline = effective_deadline(attempt)
    saved = {
        "saved": True,
        "answered_at": response.answered_at.isoformat(),
        "feedback_html": "",
        "deadline": deadline.isoformat() if deadline else None,
    }
    # A policy that holds feedback back shows none before the attempt is submitted, and an
    # answer is only saved to an open attempt: nothing to build (the exam-day common case).
    if feedback_policies.policy(attempt.quiz.feedback_policy).DEFERRED:
        return saved
    guards = selectors.guarding_quizzes_when_asked(request.user)
    item = attempt_item(
        0,
        entry,
        response,
        overall_feedback=False,
        editable=False,
        choice_seed=attempt.choice_seed,
        guards=guards,
    )
    if item.feedback is not None:
        saved["feedback_html"] = render_to_string(
            "quizzes/_feedback.html", {"item": item, "feedback": item.feedback}, request
        )
    elif item.waiting_for is not None:
        saved["feedback_html"] = render_to_string(
            "quizzes/_feedback_withheld.html", {"quiz": item.waiting_for}, request
        )
    return saved


def invalid_json(form: AnswerForm) -> JsonResponse:
    return JsonResponse({"saved": False, "errors": form.errors.get_json_data()}, status=400)


def closed_response(request: HttpRequest, message: str, result_url: str) -> HttpResponse:
    if wants_json(request):
        return JsonResponse({"saved": False, "error": message, "redirect": result_url}, status=409)
    messages.warning(request, message)
    return redirect(result_url)


def changed_response(
    request: HttpRequest, changed: services.AnswerChanged, take_url: str
) -> HttpResponse:
    """A save refused because the stored answer is newer than the one its text was typed over:
    the script keeps the text and says so (it does not follow a redirect), with the version."""
    if wants_json(request):
        body = {
            "saved": False,
            "changed": True,
            "error": changed.message,
            "answered_at": changed.current.isoformat(),
        }
        return JsonResponse(body, status=409)
    messages.warning(request, changed.message)
    return redirect(take_url)


@login_required
@require_http_methods(["GET", "POST"])
def attempt_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation; POST submits (the service grades an attempt exactly once)."""
    attempt = own_attempt(request, pk)
    if request.method == "POST":
        # Submits once (a repeat returns it unchanged); past its deadline, dated at it.
        services.submit_attempt(attempt=attempt)
        return redirect("attempt_result", pk=attempt.pk)
    attempt = selectors.attempt_as_of(attempt)
    if attempt.submitted_at is not None:
        return redirect("attempt_result", pk=attempt.pk)
    entries = attempt_entries(attempt)
    responses = selectors.attempt_responses(attempt)
    unanswered = [
        (number, entry)
        for number, entry in enumerate(entries, start=1)
        if entry.pk not in responses
    ]
    context = {
        "attempt": attempt,
        "quiz": attempt.quiz,
        "total": len(entries),
        "answered": len(entries) - len(unanswered),
        "unanswered": unanswered,
    }
    return render(request, "quizzes/attempt_submit.html", context)


@login_required
def attempt_result(request: HttpRequest, pk: int) -> HttpResponse:
    attempt = selectors.attempt_as_of(own_attempt(request, pk))
    if attempt.submitted_at is None:
        return redirect("attempt_take", pk=attempt.pk)
    visible = rules.feedback_visible(attempt=attempt)
    responses = selectors.attempt_responses(attempt)
    entries = attempt_entries(attempt)
    guards = selectors.guarding_quizzes(
        request.user,
        question_ids=[entry.question_id for entry in entries],
        shown_in_quiz_id=attempt.quiz_id,
    )
    items = [
        attempt_item(
            number,
            entry,
            responses.get(entry.pk),
            overall_feedback=visible,
            editable=False,
            choice_seed=attempt.choice_seed,
            guards=guards,
        )
        for number, entry in enumerate(entries, start=1)
    ]
    withheld = [item for item in items if item.waiting_for is not None]
    score, max_score = attempt.score, attempt.max_score
    if withheld:
        # Only questions whose feedback shows are counted: the total would give the rest away.
        shown = [item for item in items if item.waiting_for is None]
        score = sum(item.response.points_awarded or 0 for item in shown if item.response)
        max_score = sum(item.entry.points for item in shown)
    context = {
        "attempt": attempt,
        "quiz": attempt.quiz,
        "items": items,
        "visible": visible,
        "score": score,
        "max_score": max_score,
        "withheld": withheld,
        "ran_out_of_time": rules.ran_out_of_time(attempt),
        # Feedback after closing waits for the last section's or extension's closing time.
        "feedback_after": None
        if visible
        else quiz_times(attempt.quiz, attempt.user_id).feedback_after,
    }
    return render(request, "quizzes/attempt_result.html", context)


@login_required
def attempt_list(request: HttpRequest) -> HttpResponse:
    attempts = (
        Attempt.objects.filter(user=request.user)
        .select_related("quiz")
        .prefetch_related("quiz__quiz_questions")
    )
    guards = selectors.guarding_quizzes(request.user)
    rows = []
    for attempt in attempts:
        attempt = selectors.attempt_as_of(attempt)
        withheld = selectors.withholds_any(guards, attempt.quiz)
        rows.append((attempt, score_visible(attempt) and not withheld))
    return render(request, "quizzes/attempt_list.html", {"rows": rows})
