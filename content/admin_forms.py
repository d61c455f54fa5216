"""The concept page's admin form: the grader runs its ```python blocks in validation."""

from django.conf import settings

from content import services
from content.markdown import python_blocks
from grader import GraderUnavailable
from quizzes.admin_forms import NormalisedTextForm, grader_unavailable, refusal

UNSTABLE_BLOCK_OUTPUT = (
    "its output changes from one run of Python to the next (the order of a set of strings, an "
    "id() or a default repr's address, a string's hash), so the page could only show one run's "
    "as if it were the rule. Print something that stays the same instead: sorted(...), a "
    "comparison such as id(a) == id(b), or a length."
)


class ConceptPageAdminForm(NormalisedTextForm):
    """Refuses a page whose new or changed ```python blocks have no real, stable outcome, with the
    grader's reasons per block; keeps every block's output for save_model to store."""

    # The outputs of the page's blocks, in order; ModelAdmin.save_model stores them.
    block_outputs: list[services.BlockOutput] | None = None

    def clean(self):
        cleaned = super().clean()
        body = cleaned.get("body")
        if body is None:
            return cleaned
        blocks = python_blocks(body)
        limit = settings.ADMIN_MAX_BLOCKS_PER_PAGE
        if len(blocks) > limit:
            self.add_error("body", too_many_blocks(len(blocks), limit))
            return cleaned
        try:
            outputs = services.compute_page_outputs(self.instance, blocks, check_varies=True)
        except GraderUnavailable as error:
            raise grader_unavailable(error) from None
        problems = [
            block_problem(number, output)
            for number, output in enumerate(outputs, 1)
            if not output.is_real
        ]
        if problems:
            self.add_error("body", problems)
        else:
            self.block_outputs = outputs
        return cleaned


def too_many_blocks(count: int, limit: int) -> str:
    return (
        f"This page has {count} ```python code blocks; a page may have at most {limit}, so that "
        "saving it runs the grader for a bounded time. Split it into two pages, or mark code "
        "that needs no output as ```text."
    )


def block_problem(number: int, output: services.BlockOutput) -> str:
    first_line = output.source.strip().splitlines()[0] if output.source.strip() else ""
    where = f"Code block {number} (“{first_line[:60]}”)"
    if output.varies:
        return f"{where}: {UNSTABLE_BLOCK_OUTPUT}"
    return f"{where}: the grader could not run it to the end {refusal(output.outcome)}"
