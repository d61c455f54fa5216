"""Concept pages, as students read them (a block whose output a quiz guards is withheld)."""

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from accounts import roles
from content.markdown import render_concept_page, render_markdown
from content.models import ConceptPage, Topic
from quizzes import selectors


def concept_list(request: HttpRequest) -> HttpResponse:
    published_pages = ConceptPage.objects.filter(is_published=True)
    topics = Topic.objects.prefetch_related(Prefetch("pages", queryset=published_pages))
    for topic in topics:
        topic.summary_html = render_markdown(topic.summary)
    return render(request, "content/concept_list.html", {"topics": topics})


def concept_detail(request: HttpRequest, slug: str) -> HttpResponse:
    pages = ConceptPage.objects.select_related("topic")
    if not roles.is_instructor(request.user):
        pages = pages.filter(is_published=True)
    page = get_object_or_404(pages, slug=slug)
    siblings = list(page.topic.pages.filter(is_published=True))
    return render(
        request,
        "content/concept_detail.html",
        {
            "page": page,
            "body_html": render_concept_page(
                page, withheld=selectors.withheld_blocks(request.user, page)
            ),
            "siblings": siblings,
            "practice_count": selectors.practice_questions(request.user, page.topic).count(),
        },
    )
