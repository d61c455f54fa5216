"""Classes: courses with their instructors, sections and enrolments, the quizzes assigned to a
course with per-section times, students' accommodations, and the history of grade changes.

The content library (topics, pages, questions) stays shared: a course lists the topics its
students practise and the quizzes they take. State changes live in courses.services.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q


class CourseQuerySet(models.QuerySet):
    def owned_by(self, user) -> "CourseQuerySet":
        """The courses `user` teaches (a superuser: every course). Every instructor page and
        the admin read courses through this, so another instructor's course is a 404."""
        if user.is_superuser:
            return self.all()
        if not user.is_authenticated:
            return self.none()
        return self.filter(instructors=user)


class Course(models.Model):
    title = models.CharField(max_length=200)
    slug = models.SlugField(unique=True)
    term = models.CharField(max_length=60, blank=True, help_text="e.g. Autumn 2026.")
    instructors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="courses_taught", blank=True
    )
    topics = models.ManyToManyField(
        "content.Topic",
        blank=True,
        related_name="courses",
        help_text="The topics its students practise; none chosen: every topic.",
    )
    quizzes = models.ManyToManyField(
        "quizzes.Quiz", through="CourseQuiz", related_name="courses", blank=True
    )
    # Students join at /courses/join/<code>/: random, unguessable, regenerable
    # (courses.services.course_join_code_regenerate).
    join_code = models.CharField(max_length=32, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # The interpreter line its attempts are graded against (quizzes/versions.py); blank: the
    # site's (settings.GRADING_PYTHON, else the grader's default interpreter).
    python = models.CharField(
        "Python version",
        max_length=10,
        blank=True,
        help_text='Grade against this Python line ("3.13"); blank: the site\'s.',
    )

    objects = CourseQuerySet.as_manager()

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return f"{self.title} ({self.term})" if self.term else self.title


class Section(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="sections")
    name = models.CharField(max_length=60)

    class Meta:
        ordering = ["course", "name"]
        constraints = [
            models.UniqueConstraint(fields=["course", "name"], name="section_name_once_per_course")
        ]

    def __str__(self) -> str:
        return f"{self.course.slug} / {self.name}"


class Enrolment(models.Model):
    """A student in one section of a course (`course` repeats the section's, so a student is in
    at most one section of a course: the constraint)."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="enrolments")
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="enrolments")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolments"
    )
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["section", "student__username"]
        constraints = [
            models.UniqueConstraint(fields=["course", "student"], name="one_section_per_course")
        ]

    def __str__(self) -> str:
        return f"{self.student} in {self.section}"

    def clean(self) -> None:
        if self.section_id and self.course_id and self.section.course_id != self.course_id:
            raise ValidationError({"section": "This section belongs to another course."})


class CourseQuiz(models.Model):
    """A quiz assigned to a course; empty times fall back to the quiz's own."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="course_quizzes")
    quiz = models.ForeignKey("quizzes.Quiz", on_delete=models.CASCADE, related_name="+")
    opens_at = models.DateTimeField(null=True, blank=True)
    closes_at = models.DateTimeField(null=True, blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["course", "order", "pk"]
        verbose_name = "quiz of a course"
        verbose_name_plural = "quizzes of courses"
        constraints = [
            models.UniqueConstraint(fields=["course", "quiz"], name="quiz_once_per_course"),
            models.CheckConstraint(
                condition=Q(opens_at__isnull=True)
                | Q(closes_at__isnull=True)
                | Q(closes_at__gt=models.F("opens_at")),
                name="course_quiz_closes_after_opening",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.course.slug}: {self.quiz}"


class SectionTimes(models.Model):
    """One section's opening and closing times for a course's quiz; empty: the course's."""

    course_quiz = models.ForeignKey(
        CourseQuiz, on_delete=models.CASCADE, related_name="section_times"
    )
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="quiz_times")
    opens_at = models.DateTimeField(null=True, blank=True)
    closes_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "section times"
        constraints = [
            models.UniqueConstraint(
                fields=["course_quiz", "section"], name="times_once_per_section"
            ),
            models.CheckConstraint(
                condition=Q(opens_at__isnull=True)
                | Q(closes_at__isnull=True)
                | Q(closes_at__gt=models.F("opens_at")),
                name="section_closes_after_opening",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.course_quiz} for {self.section.name}"

    def clean(self) -> None:
        if (
            self.section_id
            and self.course_quiz_id
            and self.section.course_id != self.course_quiz.course_id
        ):
            raise ValidationError({"section": "This section belongs to another course."})


class Accommodation(models.Model):
    """One student's accommodation for one quiz of a course: enforced by the server through
    quizzes.deadlines.quiz_times, shown to the student, listed on the roster."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="accommodations")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="accommodations"
    )
    quiz = models.ForeignKey("quizzes.Quiz", on_delete=models.CASCADE, related_name="+")
    time_multiplier = models.DecimalField(
        max_digits=4, decimal_places=2, default=1, help_text="1.5 gives 45 minutes for 30."
    )
    extra_minutes = models.PositiveIntegerField(default=0, help_text="Added after the multiplier.")
    closes_at = models.DateTimeField(
        null=True, blank=True, help_text="An extended closing time for this student."
    )
    extra_attempts = models.PositiveIntegerField(default=0)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["course", "student__username", "quiz__title"]
        constraints = [
            models.UniqueConstraint(
                fields=["course", "student", "quiz"], name="one_accommodation_per_quiz"
            ),
            models.CheckConstraint(
                condition=Q(time_multiplier__gte=1), name="time_multiplier_at_least_one"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student} / {self.quiz}"


class GradeChange(models.Model):
    """Who changed a response's grade, when, why, from what to what: a manual override or an
    explicit regrade against a changed key. Nothing changes a finished response otherwise."""

    class Kind(models.TextChoices):
        OVERRIDE = "override", "Manual override"
        CLEAR_OVERRIDE = "clear", "Override removed"
        REGRADE = "regrade", "Regrade against the current key"

    response = models.ForeignKey(
        "quizzes.Response", on_delete=models.CASCADE, related_name="grade_changes"
    )
    kind = models.CharField(max_length=8, choices=Kind.choices)
    old_points = models.PositiveIntegerField(null=True)
    new_points = models.PositiveIntegerField(null=True)
    old_correct = models.BooleanField(null=True)
    new_correct = models.BooleanField(null=True)
    reason = models.TextField(blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ["-changed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of response {self.response_id}"
