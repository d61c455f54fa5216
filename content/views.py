"""Concept pages, as students read them (a block whose output a quiz guards is withheld)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from content import selectors as content_selectors
from content.markdown import render_concept_page, render_markdown
from quizzes import selectors


def concept_list(request: HttpRequest) -> HttpResponse:
    topics = content_selectors.topics_with_published_pages()
    for topic in topics:
        topic.summary_html = render_markdown(topic.summary)
    return render(request, "content/concept_list.html", {"topics": topics})


def concept_detail(request: HttpRequest, slug: str) -> HttpResponse:
    page = get_object_or_404(content_selectors.pages_open_to(request.user), slug=slug)
    siblings = content_selectors.published_siblings(page)
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
