"""The playground's pages: thin, the work is in services (runs, writes) and selectors (reads)."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.middleware.csp import get_nonce
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.csp import CSP
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_POST

import grader
from playground import selectors, services
from playground.examples import EXAMPLES
from playground.forms import ProgramForm
from playground.presentation import run_json, run_result

# CodeMirror injects its theme as a <style> element: the editor page admits styles carrying this
# response's nonce (given to the editor script's tag), still never 'unsafe-inline'.
EDITOR_CSP = {**settings.SECURE_CSP, "style-src": [CSP.SELF, CSP.NONCE]}


def _prefill(request: HttpRequest) -> str:
    """The code a link asks to open with, looked up with the rules of the page it comes from;
    404 when the user may not see it (the link never shows more than that page would)."""
    params = request.GET
    source: str | None = ""
    if "question" in params:
        source = selectors.question_snippet_for(request.user, _number(params["question"]))
    elif "page" in params:
        block = _number(params.get("block", ""))
        source = selectors.concept_block_for(request.user, params["page"], block)
    elif "from" in params:
        source = selectors.saved_source_for(request.user, params["from"])
    if source is None:
        raise Http404("No code to open here.")
    return source


def _number(text: str) -> int:
    if not text.isdigit() or len(text) > 9:
        raise Http404("No such code.")
    return int(text)


@login_required
@csp_override(EDITOR_CSP)
def editor(request: HttpRequest) -> HttpResponse:
    context: dict = {
        "programs": selectors.own_programs(request.user)[:20],
        "style_nonce": get_nonce(request),
    }
    context["examples"] = EXAMPLES
    if request.method != "POST":
        example = EXAMPLES.get(request.GET.get("example", ""))
        if example is not None:
            initial = {"source": example.source, "original": example.source}
            form = ProgramForm(initial={**initial, "compare": example.compare})
            return render(request, "playground/editor.html", {**context, "form": form})
        original = _prefill(request)
        form = ProgramForm(initial={"source": original, "original": original})
        return render(request, "playground/editor.html", {**context, "form": form})
    form = ProgramForm(request.POST)
    action = request.POST.get("action", "run")
    if action == "reset" and form.is_valid():
        original = form.cleaned_data["original"]
        form = ProgramForm(initial={"source": original, "original": original})
        return render(request, "playground/editor.html", {**context, "form": form})
    if not form.is_valid():
        return render(request, "playground/editor.html", {**context, "form": form}, status=400)
    source = form.cleaned_data["source"]
    if action == "compare" and not form.cleaned_data["compare"]:
        form.add_error("compare", "Type a second program to run beside the first.")
        return render(request, "playground/editor.html", {**context, "form": form}, status=400)
    misconception = form.cleaned_data["misconception"]
    if action == "misconception" and not misconception:
        form.add_error("misconception", "Choose the misconception to run the program under.")
        return render(request, "playground/editor.html", {**context, "form": form}, status=400)
    try:
        if action == "misconception":
            real, simulated = services.program_simulate(
                user=request.user, source=source, misconception=misconception
            )
            belief = grader.MISCONCEPTIONS[misconception].belief
            context.update(
                form=form,
                result=run_result(source, real.to_dict()),
                compared=run_result(source, simulated.to_dict()),
                source=source,
                compare_source=source,
                titles=("As Python runs it", f"As a student who believes {belief} expects it"),
            )
            return render(request, "playground/editor.html", context)
        if action == "compare":
            first, second = services.programs_compare(
                user=request.user, source=source, other=form.cleaned_data["compare"]
            )
            context.update(
                form=form,
                result=run_result(source, first.to_dict()),
                compared=run_result(form.cleaned_data["compare"], second.to_dict()),
                source=source,
                compare_source=form.cleaned_data["compare"],
                titles=("First program", "Second program"),
            )
            return render(request, "playground/editor.html", context)
        if action == "save":
            program = services.program_save(user=request.user, source=source)
            return redirect("playground:program", link=program.link)
        outcome = services.program_run(user=request.user, source=source)
    except services.PlaygroundBusy as busy:
        context.update(form=form, refused=str(busy))
        return render(request, "playground/editor.html", context, status=busy.status)
    context.update(form=form, result=run_result(source, outcome.to_dict()), source=source)
    return render(request, "playground/editor.html", context)


@login_required
@require_POST
def run(request: HttpRequest) -> HttpResponse:
    """A Run from the editor page's script: the result as JSON, which the page draws in place,
    rather than the whole page rendered again with it (POST /playground/ stays the page's own
    Run without JavaScript). The same form, rate limits, cap and grader as that Run."""
    form = ProgramForm(request.POST)
    if not form.is_valid():
        errors = form.errors.get_json_data()
        message = " ".join(error["message"] for field in errors.values() for error in field)
        return JsonResponse({"error": message, "fields": sorted(errors)}, status=400)
    try:
        outcome = services.program_run(user=request.user, source=form.cleaned_data["source"])
    except services.PlaygroundBusy as busy:
        return JsonResponse({"error": str(busy)}, status=busy.status)
    return HttpResponse(run_json(outcome), content_type="application/json")


@login_required
def program(request: HttpRequest, link: str) -> HttpResponse:
    saved = get_object_or_404(selectors.programs_open_to(request.user), link=link)
    return render(
        request,
        "playground/program.html",
        {
            "program": saved,
            "is_owner": saved.owner_id == request.user.pk,
            "result": run_result(saved.source, saved.outcome),
        },
    )


@login_required
@require_POST
def program_share(request: HttpRequest, link: str) -> HttpResponse:
    saved = get_object_or_404(selectors.own_programs(request.user), link=link)
    services.program_share(program=saved, shared=request.POST.get("shared") == "1")
    return redirect("playground:program", link=saved.link)


@login_required
@require_POST
def program_delete(request: HttpRequest, link: str) -> HttpResponse:
    saved = get_object_or_404(selectors.own_programs(request.user), link=link)
    services.program_delete(program=saved)
    return redirect("playground:editor")
