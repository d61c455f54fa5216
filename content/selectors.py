"""Reads of the course text (no writes): topics with their published pages, and the pages a
user may open (authors also see unpublished ones, as in the admin's preview)."""

from django.db.models import Prefetch, QuerySet

from accounts import roles
from content.models import ConceptPage, Topic


def topics_with_published_pages() -> QuerySet[Topic]:
    published = ConceptPage.objects.filter(is_published=True)
    return Topic.objects.prefetch_related(Prefetch("pages", queryset=published))


def pages_open_to(user) -> QuerySet[ConceptPage]:
    pages = ConceptPage.objects.select_related("topic")
    return pages if roles.is_instructor(user) else pages.filter(is_published=True)


def published_siblings(page: ConceptPage) -> list[ConceptPage]:
    """The published pages of `page`'s topic, in order (the page's own included)."""
    return list(page.topic.pages.filter(is_published=True))
