import logging

from django.apps import AppConfig
from django.core.exceptions import ImproperlyConfigured

logger = logging.getLogger(__name__)


class ContentConfig(AppConfig):
    """Topics, concept pages and their code blocks' grader runs, Markdown, the TOML fixtures.

    It owns the site's adapter to the grader (content/runs.py), so it checks settings.GRADER
    once the settings are loaded: the grader client's options (graderclient/options.py) and the
    grader library's, which it applies with grader.configure (keys left out keep their defaults,
    grader/config.py). A wrong value stops the site's start with its name."""

    name = "content"

    def ready(self) -> None:
        from django.conf import settings

        import grader
        from graderclient.options import checked_client_options, library_options

        setting = getattr(settings, "GRADER", {})
        checked_client_options(setting)
        options = library_options(setting)
        try:
            grader.configure(**options)
        except (TypeError, ValueError) as error:
            raise ImproperlyConfigured(f"settings.GRADER: {error}") from None
        if options:
            logger.debug("grader configured from settings.GRADER: %s", sorted(options))
