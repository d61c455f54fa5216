from django.contrib.admin import AdminSite
from django.http import HttpRequest

from quizzes.roles import is_instructor


class CourseAdminSite(AdminSite):
    """The authoring site: staff status alone is not enough, only instructors and superusers."""

    site_header = "Memory Model authoring"
    site_title = "Memory Model authoring"
    index_title = "Course content"

    def has_permission(self, request: HttpRequest) -> bool:
        return is_instructor(request.user)
