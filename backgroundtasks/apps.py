from django.apps import AppConfig


class BackgroundTasksConfig(AppConfig):
    name = "backgroundtasks"
    verbose_name = "Background tasks"
    default_auto_field = "django.db.models.BigAutoField"
