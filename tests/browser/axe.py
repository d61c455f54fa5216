"""axe-core (from npm, node_modules/axe-core) run inside a Playwright page.

The site's Content-Security-Policy allows only its own scripts, so a <script> tag with axe's
source would be refused; `page.evaluate` runs the source as the test driver, which CSP does not
govern, and leaves the page's policy as it is.
"""

from functools import cache
from pathlib import Path

from django.conf import settings

AXE_SOURCE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.0, 2.1 and 2.2 at levels A and AA, and axe's best practices.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
BLOCKING = ("critical", "serious")

RUN = """async tags => {
  const results = await axe.run(document, {runOnly: {type: "tag", values: tags}});
  return results.violations.map(violation => ({
    id: violation.id,
    impact: violation.impact,
    nodes: violation.nodes.map(node => node.target.join(" ") + " :: " + node.failureSummary),
  }));
}"""


@cache
def axe_source() -> str:
    return AXE_SOURCE.read_text()


def axe_violations(page) -> list[dict]:
    """Every violation of the WCAG 2.2 AA tags on the page as it has settled. Transitions are
    off while axe runs (prefers-reduced-motion, which Bootstrap honours): a colour is then its
    end state, not a mix caught half-way through one (a button that a layout change slid under
    the mouse was measured half-way into its hover colours, #9dc4fe, which neither state has)."""
    page.emulate_media(reduced_motion="reduce")
    try:
        if not page.evaluate("() => typeof window.axe === 'object'"):
            page.evaluate(axe_source())
        return page.evaluate(RUN, WCAG_TAGS)
    finally:
        page.emulate_media(reduced_motion="null")


def counts(violations: list[dict]) -> dict[str, int]:
    """Violating nodes per impact."""
    tally = {"critical": 0, "serious": 0, "moderate": 0, "minor": 0}
    for violation in violations:
        tally[violation["impact"]] += len(violation["nodes"])
    return tally


def blocking(violations: list[dict]) -> list[dict]:
    return [violation for violation in violations if violation["impact"] in BLOCKING]
