import logging

from django.apps import AppConfig

logger = logging.getLogger(__name__)


class ContentConfig(AppConfig):
    """Topics, concept pages and their code blocks' grader runs, Markdown, the TOML fixtures.

    It owns the site's adapter to the grader (content/runs.py), so it applies settings.GRADER
    to the grader library once the settings are loaded (keys left out keep the library's own
    defaults, grader/config.py)."""

    name = "content"

    def ready(self) -> None:
        from django.conf import settings

        import grader

        options = getattr(settings, "GRADER", {})
        grader.configure(**options)
        if options:
            logger.debug("grader configured from settings.GRADER: %s", sorted(options))
