"""Courses in the admin, each instructor's own only: every list is scoped by get_queryset and
every choice of a course, section, course quiz or student by formfield limits, so another
instructor's course is neither listed nor reachable (its change page is a 404-like redirect)
nor choosable. Superusers see everything."""

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model

from accounts.roles import INSTRUCTORS_GROUP
from courses import services
from courses.forms import AccommodationForm
from courses.models import (
    Accommodation,
    Course,
    CourseQuiz,
    Enrolment,
    GradeChange,
    Section,
    SectionTimes,
)
from quizzes.models import Quiz


def owned(request):
    return Course.objects.owned_by(request.user)


class OwnedAdmin(admin.ModelAdmin):
    """Rows of the instructor's courses only (`course_path`: the lookup from the row to its
    course); choices of related rows limited likewise."""

    course_path = "course"

    def get_queryset(self, request):
        rows = super().get_queryset(request)
        return rows.filter(**{f"{self.course_path}__in": owned(request)})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        courses = owned(request)
        limits = {
            "course": courses,
            "section": Section.objects.filter(course__in=courses),
            "course_quiz": CourseQuiz.objects.filter(course__in=courses).select_related(
                "course", "quiz"
            ),
            "student": get_user_model().objects.filter(enrolments__course__in=courses).distinct(),
        }
        if db_field.name in limits:
            kwargs["queryset"] = limits[db_field.name]
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class TimesFollowDeletion:
    """For the admins of rows that decide students' times: deleting rows (one, or by the list's
    action) moves the deadlines of the open attempts they decided. `affected(rows)` says which
    quizzes and students, read before the rows go."""

    def affected(self, rows) -> tuple[set[int], set[int]]:
        raise NotImplementedError

    def delete_model(self, request, obj):
        quiz_ids, student_ids = self.affected([obj])
        super().delete_model(request, obj)
        services.quiz_times_follow(quiz_ids=quiz_ids, student_ids=student_ids)

    def delete_queryset(self, request, queryset):
        quiz_ids, student_ids = self.affected(list(queryset))
        super().delete_queryset(request, queryset)
        services.quiz_times_follow(quiz_ids=quiz_ids, student_ids=student_ids)


def course_people(courses) -> tuple[set[int], set[int]]:
    """The quizzes and students of `courses` (ids)."""
    quiz_ids = set(CourseQuiz.objects.filter(course__in=courses).values_list("quiz", flat=True))
    students = set(Enrolment.objects.filter(course__in=courses).values_list("student", flat=True))
    return quiz_ids, students


class SectionInline(admin.TabularInline):
    model = Section
    extra = 1


class CourseQuizInline(admin.TabularInline):
    model = CourseQuiz
    extra = 1
    autocomplete_fields = ["quiz"]


@admin.register(Course)
class CourseAdmin(TimesFollowDeletion, admin.ModelAdmin):
    list_display = ["title", "slug", "term"]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [SectionInline, CourseQuizInline]

    def get_queryset(self, request):
        return owned(request)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        # Check boxes, not filter_horizontal: its script's search icons carry an aria-label a
        # span may not have (axe, issue 19), and a course has few instructors and topics.
        kwargs["widget"] = forms.CheckboxSelectMultiple
        if db_field.name == "instructors":
            kwargs["queryset"] = get_user_model().objects.filter(
                is_staff=True, groups__name=INSTRUCTORS_GROUP
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not obj.join_code:
            obj.join_code = services.new_join_code()
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        course = form.instance
        if not request.user.is_superuser:
            course.instructors.add(request.user)  # an instructor never locks themselves out
        for course_quiz in course.course_quizzes.all():
            services.course_quiz_times_follow(course_quiz=course_quiz)
        # A quiz taken off the course: its students have the quiz's own times again.
        removed = [
            row.quiz_id
            for formset in formsets
            if formset.model is CourseQuiz
            for row in formset.deleted_objects
        ]
        services.quiz_times_follow(quiz_ids=removed, student_ids=course_people([course])[1])

    def affected(self, rows):
        return course_people(rows)


@admin.register(Enrolment)
class EnrolmentAdmin(TimesFollowDeletion, OwnedAdmin):
    list_display = ["student", "course", "section", "joined_at"]
    list_filter = ["course", "section"]
    search_fields = ["student__username", "student__email"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        for course_quiz in obj.course.course_quizzes.all():  # its section's times apply now
            services.course_quiz_times_follow(course_quiz=course_quiz)

    def affected(self, rows):
        quiz_ids = set(
            CourseQuiz.objects.filter(course__in={row.course_id for row in rows}).values_list(
                "quiz", flat=True
            )
        )
        return quiz_ids, {row.student_id for row in rows}

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "student":  # any account may be enrolled
            return admin.ModelAdmin.formfield_for_foreignkey(self, db_field, request, **kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(SectionTimes)
class SectionTimesAdmin(TimesFollowDeletion, OwnedAdmin):
    course_path = "course_quiz__course"
    list_display = ["course_quiz", "section", "opens_at", "closes_at"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.course_quiz_times_follow(course_quiz=obj.course_quiz)

    def affected(self, rows):
        quiz_ids = {row.course_quiz.quiz_id for row in rows}
        students = Enrolment.objects.filter(section__in={row.section_id for row in rows})
        return quiz_ids, set(students.values_list("student", flat=True))


class AccommodationAdminForm(forms.ModelForm):
    class Meta:
        model = Accommodation
        # The course page's fields, and the course (which that page's URL gives).
        fields = ["course", *AccommodationForm.Meta.fields]

    def clean(self):
        cleaned = super().clean()
        course, student, quiz = (cleaned.get(f) for f in ("course", "student", "quiz"))
        if course and student and not course.enrolments.filter(student=student).exists():
            self.add_error("student", "This student is not enrolled in the course.")
        if course and quiz and not course.course_quizzes.filter(quiz=quiz).exists():
            self.add_error("quiz", "This quiz is not assigned to the course.")
        return cleaned


@admin.register(Accommodation)
class AccommodationAdmin(TimesFollowDeletion, OwnedAdmin):
    form = AccommodationAdminForm
    list_display = [
        "student",
        "quiz",
        "course",
        "time_multiplier",
        "extra_minutes",
        "closes_at",
        "extra_attempts",
    ]
    list_filter = ["course"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "quiz":
            kwargs["queryset"] = Quiz.objects.filter(courses__in=owned(request)).distinct()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.accommodation_follow(accommodation=obj)

    def affected(self, rows):
        return {row.quiz_id for row in rows}, {row.student_id for row in rows}


@admin.register(GradeChange)
class GradeChangeAdmin(OwnedAdmin):
    """Read only: grades change on the course pages, each change recorded here."""

    list_display = ["response", "kind", "old_points", "new_points", "changed_by", "changed_at"]

    def get_queryset(self, request):
        # A grade change of one's own class: a student of one's course at a quiz of one's
        # course (a quiz shared by two courses is not enough: the student must be one's own).
        rows = admin.ModelAdmin.get_queryset(self, request)
        if request.user.is_superuser:
            return rows
        courses = owned(request)
        return rows.filter(
            response__attempt__quiz__courses__in=courses,
            response__attempt__user__enrolments__course__in=courses,
        ).distinct()

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
