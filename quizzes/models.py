"""Assessment: questions with grader-computed keys, their choices, quizzes, attempts and practice.

Topics and concept pages live in the content app.

State changes live in quizzes.services; models only hold data and constraints.
"""

from django.conf import settings
from django.db import models

from quizzes import answer_modes, feedback_policies
from quizzes.fields import NUL_SAFE_JSON


class Question(models.Model):
    # The built-in modes, for code that names one; the field's choices are the registry's
    # (quizzes/answer_modes/), so a new mode needs no change here and no migration.
    class AnswerMode(models.TextChoices):
        TYPED = "typed", "Type the output"
        CHOICE = "choice", "Choose the output"
        TRUE_FALSE = "true_false", "True or false"

    class Difficulty(models.IntegerChoices):
        EASY = 1, "Easy"
        MEDIUM = 2, "Medium"
        HARD = 3, "Hard"

    topic = models.ForeignKey("content.Topic", on_delete=models.PROTECT, related_name="questions")
    slug = models.SlugField(unique=True, max_length=80)
    title = models.CharField(max_length=200)
    prompt = models.TextField(blank=True, help_text="Markdown shown above the snippet.")
    snippet = models.TextField(help_text="Python source; the grader runs it to make the key.")
    answer_mode = models.CharField(max_length=12, choices=answer_modes.choices)
    explanation = models.TextField(help_text="Markdown; names the rule behind the answer.")
    difficulty = models.PositiveSmallIntegerField(
        choices=Difficulty.choices, default=Difficulty.EASY
    )
    is_published = models.BooleanField(default=False)
    # Declared parameters ({"domains": ..., "constraints": [...]}, quizzes.variants); empty for
    # a plain question. With parameters, the snippet, prompt and choices are templates and each
    # variant (QuestionVariant) has its own key; answer_key holds the first variant's.
    parameters = models.JSONField(default=dict, blank=True)

    # The answer key: the grader's outcome for `snippet`, never typed by hand.
    answer_key = models.JSONField(**NUL_SAFE_JSON, null=True, blank=True, editable=False)
    key_source_hash = models.CharField(max_length=64, blank=True, editable=False)
    key_python_version = models.CharField(max_length=20, blank=True, editable=False)
    key_computed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The memory diagram's trace of `snippet` (grader.run(snippet, trace=True).trace), computed
    # with the key; it shows the answer, so it is shown only where the key may be.
    key_trace = models.JSONField(**NUL_SAFE_JSON, null=True, blank=True, editable=False)
    # What each misconception that changes something in `snippet` predicts it shows
    # ({id: outcome}, content.runs.predict_snippet), computed and recomputed with the key.
    key_predictions = models.JSONField(**NUL_SAFE_JSON, null=True, blank=True, editable=False)
    # As content.Topic.content_digest; it covers the choices too.
    content_digest = models.CharField(max_length=64, blank=True, editable=False)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["topic__order", "difficulty", "title"]

    def __str__(self) -> str:
        return self.title

    @property
    def mode(self):
        """The module of this question's answer mode (quizzes/answer_modes/)."""
        return answer_modes.mode(self.answer_mode)


class Choice(models.Model):
    """A candidate outcome. For CHOICE questions exactly one must equal the real outcome;
    a TRUE_FALSE question has exactly one choice: the claim the student judges."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    text = models.TextField(help_text="A candidate output, as the program would print it.")
    misconception = models.CharField(
        max_length=200, blank=True, help_text="The misconception that predicts this output."
    )
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["question", "order", "pk"]

    def __str__(self) -> str:
        return self.text[:60]


class KnownWrongAnswer(models.Model):
    """A wrong output students are known to give to a TYPED question, labelled with the
    misconception behind it (a choice question labels its choices instead). Written as an outcome
    (output, then the exception line), so a typed answer is compared with it by the grading rule
    (grading.answer_matches); a matching answer names the misconception in its feedback."""

    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="known_wrong_answers"
    )
    stdout = models.TextField(
        blank=True, help_text="The output the student gives, without the exception line."
    )
    # A text: an exception's message can be as long as the repr it quotes.
    exception = models.TextField(
        blank=True,
        help_text="The exception line it ends with, if any (e.g. TypeError: unhashable type).",
    )
    misconception = models.CharField(
        max_length=200, help_text="The misconception that predicts this output."
    )

    class Meta:
        ordering = ["question", "pk"]

    def __str__(self) -> str:
        return f"{self.question}: {self.misconception}"

    @property
    def outcome(self) -> dict:
        """As a key: what grading.answer_matches compares a typed answer with."""
        return {"stdout": self.stdout, "exception": self.exception or None}


class Quiz(models.Model):
    # The built-in policies, for code that names one; the field's choices are the registry's
    # (quizzes/feedback_policies/), so a new policy needs no change here and no migration.
    class FeedbackPolicy(models.TextChoices):
        AFTER_EACH_ANSWER = "each_answer", "After each answer"
        AFTER_SUBMIT = "after_submit", "After submitting"
        AFTER_CLOSE = "after_close", "After the quiz closes"

    class ScorePolicy(models.TextChoices):
        BEST = "best", "Best attempt"
        LAST = "last", "Last attempt"

    slug = models.SlugField(unique=True)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, help_text="Markdown.")
    questions = models.ManyToManyField(Question, through="QuizQuestion", related_name="quizzes")
    time_limit_minutes = models.PositiveIntegerField(null=True, blank=True)
    max_attempts = models.PositiveIntegerField(
        null=True, blank=True, default=1, help_text="Empty means unlimited."
    )
    opens_at = models.DateTimeField(null=True, blank=True)
    closes_at = models.DateTimeField(null=True, blank=True)
    feedback_policy = models.CharField(
        max_length=16, choices=feedback_policies.choices, default=FeedbackPolicy.AFTER_SUBMIT
    )
    shuffle_questions = models.BooleanField(default=False)
    is_published = models.BooleanField(default=False)
    score_policy = models.CharField(
        max_length=8,
        choices=ScorePolicy.choices,
        default=ScorePolicy.BEST,
        help_text="Which attempt's score counts in a course's gradebook.",
    )
    # As content.Topic.content_digest; it covers the quiz's questions and points too.
    content_digest = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name_plural = "quizzes"
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(opens_at__isnull=True)
                | models.Q(closes_at__isnull=True)
                | models.Q(closes_at__gt=models.F("opens_at")),
                name="quiz_closes_after_opening",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def policy(self):
        """The module of this quiz's feedback policy (quizzes/feedback_policies/)."""
        return feedback_policies.policy(self.feedback_policy)


class QuizQuestion(models.Model):
    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="quiz_questions")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="quiz_entries")
    order = models.PositiveIntegerField(default=0)
    points = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["quiz", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["quiz", "question"], name="question_once_per_quiz"),
        ]

    def __str__(self) -> str:
        return f"{self.quiz}: {self.question}"


class Attempt(models.Model):
    quiz = models.ForeignKey(Quiz, on_delete=models.PROTECT, related_name="attempts")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attempts"
    )
    number = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    deadline = models.DateTimeField(
        null=True, blank=True, help_text="Time limit or closing time, whichever comes first."
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    question_order = models.JSONField(default=list, help_text="QuizQuestion ids as shown.")
    # Orders each question's choices as this attempt shows them (quizzes.choice_order); null for
    # attempts started before choices were shuffled, which showed them in stored order.
    choice_seed = models.BigIntegerField(null=True, blank=True, editable=False)
    score = models.PositiveIntegerField(null=True, blank=True)
    max_score = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["quiz", "user", "number"], name="unique_attempt_number"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} - {self.quiz} #{self.number}"


class Response(models.Model):
    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="responses")
    quiz_question = models.ForeignKey(QuizQuestion, on_delete=models.PROTECT)
    answer_text = models.TextField(blank=True)
    choice = models.ForeignKey(Choice, null=True, blank=True, on_delete=models.SET_NULL)
    # A typed answer that says the program prints nothing (its answer_text is then empty).
    says_prints_nothing = models.BooleanField(default=False)
    # The variant of a parameterised question this answer was given to (null for a plain
    # question); drawn once and kept, so reloads, results, regrades and exports use it.
    variant = models.ForeignKey(
        "QuestionVariant", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField()
    is_correct = models.BooleanField(null=True)
    points_awarded = models.PositiveIntegerField(null=True)
    # The key this response was graded against; never rewritten once the attempt is submitted.
    graded_key = models.JSONField(**NUL_SAFE_JSON, null=True, blank=True)
    graded_python_version = models.CharField(max_length=20, blank=True)
    # The misconception ids whose prediction this (wrong) answer equals, when it was graded.
    matched_misconceptions = models.JSONField(default=list, blank=True, editable=False)
    # An instructor's manual grade (courses.services.response_override): it counts instead of
    # points_awarded, and the student sees the reason. The history is courses.GradeChange.
    override_points = models.PositiveIntegerField(null=True, blank=True)
    override_reason = models.TextField(blank=True)
    override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    override_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["attempt", "quiz_question__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["attempt", "quiz_question"], name="one_response_per_question"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.attempt} / {self.quiz_question.question}"


class PracticeAnswer(models.Model):
    """One practice try; practice progress is derived from these."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="practice_answers"
    )
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="practice")
    answer_text = models.TextField(blank=True)
    choice = models.ForeignKey(Choice, null=True, blank=True, on_delete=models.SET_NULL)
    # A typed answer that says the program prints nothing (its answer_text is then empty).
    says_prints_nothing = models.BooleanField(default=False)
    is_correct = models.BooleanField()
    graded_key = models.JSONField(**NUL_SAFE_JSON)
    graded_python_version = models.CharField(max_length=20)
    # As Response.matched_misconceptions.
    matched_misconceptions = models.JSONField(default=list, blank=True, editable=False)
    # The variant of a parameterised question this answer was given to (null for a plain
    # question); drawn once and kept, so reloads, results, regrades and exports use it.
    variant = models.ForeignKey(
        "QuestionVariant", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField()
    # The seed the choices were shown with (quizzes.choice_order), so feedback shows that order.
    choice_seed = models.BigIntegerField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-answered_at"]

    def __str__(self) -> str:
        return f"{self.user} - {self.question}"


class QuestionVariant(models.Model):
    """One assignment of a parameterised question's parameters. A question without parameters
    has no variants: its snippet is its only version. Rows are written by the variant services
    when the question is saved; a started attempt keeps the row it was given."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="variants")
    index = models.PositiveIntegerField(help_text="Position in the question's list of variants.")
    params = models.JSONField(default=dict, help_text="Parameter name to value.")

    class Meta:
        ordering = ["question", "index"]
        constraints = [
            models.UniqueConstraint(fields=["question", "index"], name="one_variant_per_index"),
        ]

    def __str__(self) -> str:
        return f"{self.question} #{self.index}"


class AttemptVariant(models.Model):
    """The variant of a parameterised question an attempt was given, stored for every such
    question when the attempt starts (quizzes.services.start_attempt), answered or not: the
    page, the answer's grading, the results, regrades, exports and the instructor's view read
    it, so regenerating variants never changes a started attempt (the row PROTECTs it)."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="given_variants")
    quiz_question = models.ForeignKey(QuizQuestion, on_delete=models.CASCADE, related_name="+")
    variant = models.ForeignKey(QuestionVariant, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["attempt", "quiz_question"], name="one_variant_per_attempt_question"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.attempt}: {self.variant}"


class StoredKey(models.Model):
    """The grader's outcome for a question, or for one variant of it, on one interpreter line
    ("3.12", "3.13"). Question.answer_key and its fields stay the key of the plain snippet on
    the site's default interpreter, which every reader that knows no version uses."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="stored_keys")
    variant = models.ForeignKey(
        QuestionVariant,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="stored_keys",
    )
    python = models.CharField(max_length=10, help_text='Major and minor version, as "3.13".')
    python_version = models.CharField(max_length=20, help_text="The full version that ran it.")
    answer_key = models.JSONField(**NUL_SAFE_JSON, null=True, blank=True)
    key_trace = models.JSONField(**NUL_SAFE_JSON, null=True, blank=True)
    key_predictions = models.JSONField(**NUL_SAFE_JSON, null=True, blank=True)
    source_hash = models.CharField(max_length=64)
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["question", "variant", "python"]
        constraints = [
            models.UniqueConstraint(
                fields=["question", "python"],
                condition=models.Q(variant__isnull=True),
                name="one_key_per_question_and_python",
            ),
            models.UniqueConstraint(
                fields=["variant", "python"],
                condition=models.Q(variant__isnull=False),
                name="one_key_per_variant_and_python",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.variant or self.question} on Python {self.python}"
