from django.contrib import admin
from django.contrib.admin import AdminSite
from django.http import HttpRequest

from accounts.roles import is_instructor
from config.admin_input import input_checking


class CourseAdminSite(AdminSite):
    """The authoring site: staff status alone is not enough, only instructors and superusers."""

    site_header = "Memory Model authoring"
    site_title = "Memory Model authoring"
    index_title = "Course content"

    def has_permission(self, request: HttpRequest) -> bool:
        return is_instructor(request.user)

    def register(self, model_or_iterable, admin_class=None, **options):
        """Every model's admin, ours or a library's, refuses posted ids that name no row with
        a 400 or a form error (see config.admin_input)."""
        admin_class = input_checking(admin_class or admin.ModelAdmin)
        super().register(model_or_iterable, admin_class, **options)
