"""axe-core in the browser: the accessibility rules a page breaks, at impact "serious" or "critical".

axe.min.js is vendored (vendor/README.md says how it was fetched) and evaluated in the page through
Playwright, which runs it outside the portal's Content-Security-Policy: the page is tested with its
real headers, no inline script is added to it and the policy stays on."""

from pathlib import Path

AXE_VERSION = "4.14.1"
AXE = Path(__file__).parent / "vendor" / f"axe-core-{AXE_VERSION}" / "axe.min.js"
BLOCKING = ("serious", "critical")

RUN = """async (impacts) => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.filter(v => impacts.includes(v.impact)).map(v => ({
    rule: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ': ' + n.failureSummary.split('\\n').slice(1, 2).join('')),
  }));
}"""


def violations(page, impacts=BLOCKING):
    """The violations of `impacts` on the page as it is now: [{rule, impact, help, nodes}]."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    return page.evaluate(RUN, list(impacts))
