"""The Python versions every page's footer names (selectors.stored_key_versions), kept in the
cache: two queries less on every page, the exam's included.

They change only when keys or page outputs are computed under another Python. Every path that
stores one drops the cached set at once (services.store_answer_key, and the signals below for
page outputs and deleted questions); without Redis each web process has its own cache, so the
footer of another process lags by at most CACHE_SECONDS.
"""

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save

from quizzes import selectors

CACHE_KEY = "quizzes:footer-key-versions"
CACHE_SECONDS = 60


def footer_key_versions() -> set[str]:
    return cache.get_or_set(CACHE_KEY, selectors.stored_key_versions, timeout=CACHE_SECONDS)


def forget(**kwargs) -> None:
    cache.delete(CACHE_KEY)


def connect_signals() -> None:
    from content.models import CodeBlockOutput
    from quizzes.models import Question

    post_save.connect(forget, sender=CodeBlockOutput, dispatch_uid="footer-versions-output")
    post_delete.connect(forget, sender=CodeBlockOutput, dispatch_uid="footer-versions-no-output")
    post_delete.connect(forget, sender=Question, dispatch_uid="footer-versions-no-question")
