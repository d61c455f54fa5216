from django.contrib.admin.apps import AdminConfig


class CourseAdminConfig(AdminConfig):
    default_site = "config.admin.CourseAdminSite"
