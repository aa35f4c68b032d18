"""Screenshots of a page as a person sees it, wide and narrow, with the checks a person makes
at a glance: nothing wider than the window (no sideways scrolling on a phone), no text cut off
by its box, the page in French."""

from __future__ import annotations

import re

from tests.browser.conftest import ARTIFACTS

WIDE, NARROW = 1280, 390

# Elements whose text overflows their own box with overflow hidden/clip (cut off for the eye),
# and anything sticking out past the right edge of the window (but inside a box that scrolls
# sideways by itself).
LAYOUT_PROBLEMS = """() => {
  const width = document.documentElement.clientWidth;
  const problems = [];
  // Inside a box that scrolls sideways by itself (a wide table on a phone), wider is fine.
  const insideScroller = (el) => {
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      if (/(auto|scroll)/.test(getComputedStyle(up).overflowX)) return true;
    }
    return false;
  };
  if (document.documentElement.scrollWidth > window.innerWidth) {
    problems.push(`page ${document.documentElement.scrollWidth}px wide in a ${window.innerWidth}px window`);
  }
  for (const el of document.querySelectorAll('main *, header *')) {
    const style = getComputedStyle(el);
    if (style.display === 'none' || style.visibility === 'hidden') continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0 || el.closest('.visually-hidden')) continue;  // not for the eye
    const label = `${el.tagName.toLowerCase()}${el.dataset.testid ? '[' + el.dataset.testid + ']' : ''}`
                  + ` "${(el.textContent || el.value || '').trim().slice(0, 40)}"`;
    if (box.right > width + 1 && !insideScroller(el)) {
      problems.push(`${label} ends at ${Math.round(box.right)}px, past the window (${width}px)`);
    }
    const clips = /(hidden|clip)/.test(style.overflowX) || /(hidden|clip)/.test(style.overflowY);
    if (clips && (el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1)
        && el.tagName !== 'INPUT' && el.tagName !== 'SELECT' && el.tagName !== 'TEXTAREA') {
      problems.push(`${label} cuts off its content`);
    }
  }
  return problems;
}"""


def shoot(page, name: str) -> None:
    """Save test-artifacts/<name>-1280.png and <name>-390.png (the whole page), and fail on
    anything past the window's right edge or cut off, at either width. The page is left at the
    wide width."""
    ARTIFACTS.mkdir(exist_ok=True)
    height = page.viewport_size["height"] if page.viewport_size else 900
    try:
        for width in (WIDE, NARROW):
            page.set_viewport_size({"width": width, "height": height})
            page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"), full_page=True)
            problems = page.evaluate(LAYOUT_PROBLEMS)
            assert not problems, f"{name} at {width}px: {problems}"
            assert_header_clear_of_the_top(page)
    finally:
        page.set_viewport_size({"width": WIDE, "height": height})


def assert_french(page) -> None:
    """The page is in French: its lang, and none of the English sentences that would show an
    untranslated string (a few words that only English pages have)."""
    assert page.evaluate("document.documentElement.lang") == "fr"
    text = page.inner_text("body")
    english = [word for word in (" the ", " your ", " you ", "Log in", "Log out", "Send me", "Check your",
                                 "Save", "Confirm this", "password") if word in text]
    assert not english, f"English on a French page: {english}"


def assert_french_spacing(locator) -> None:
    """French puts a no-break space before ? ! ; : and inside « »: no line may start with one
    of them, cut from its sentence."""
    text = locator.inner_text()
    loose = re.findall(r".{0,20}(?: [?!;:»]|« ).{0,10}", text)
    assert not loose, f"breakable spaces around French punctuation: {loose}"


def assert_kept_apart(page, upper: str, lower: str, at_least: float = 8.0) -> None:
    """The element ``lower`` starts at least ``at_least`` px below the element ``upper`` ends
    (a message glued to the next field, a link glued to a button)."""
    gap = page.evaluate(
        "([a, b]) => document.querySelector(b).getBoundingClientRect().top"
        " - document.querySelector(a).getBoundingClientRect().bottom",
        [upper, lower],
    )
    assert gap >= at_least, f"{lower} is {gap}px below {upper}"


def assert_header_clear_of_the_top(page) -> None:
    """Nothing in the header touches the top edge of the window (it wraps to two rows when
    signed in)."""
    top = page.evaluate(
        """() => Math.min(...[...document.querySelectorAll('.site-header__inner > *')]
                 .map(el => el.getBoundingClientRect().top))"""
    )
    assert top >= 4, f"the header's items start {top}px from the top"
