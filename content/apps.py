from django.apps import AppConfig


class ContentConfig(AppConfig):
    """Topics, concept pages and their code blocks' grader runs, Markdown, the TOML fixtures."""

    name = "content"
