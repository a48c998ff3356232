"""Similar ideas while typing, and the staff triage pages, in Chromium."""

import re

from playwright.sync_api import expect

from app.models import Role
from tests.e2e.test_accessibility import sign_in

CONTRAST = """(element) => {
  const rgb = (colour) => colour.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const luminance = (colour) => {
    const [r, g, b] = rgb(colour).map((value) => {
      const c = value / 255;
      return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const style = getComputedStyle(element);
  const [light, dark] = [luminance(style.color), luminance(style.backgroundColor)]
    .sort((a, b) => b - a);
  return (light + 0.05) / (dark + 0.05);
}"""


def assert_contrast(button, at_least: float = 4.5) -> None:
    """A button's text against its own background (WCAG 1.4.3), hovered or not, and a face
    that stands apart from the panel it sits on."""
    assert button.evaluate(CONTRAST) >= at_least
    panel = button.locator("xpath=ancestor::*[@data-similar-ideas]")
    face = button.evaluate("(element) => getComputedStyle(element).backgroundColor")
    assert face != panel.evaluate("(element) => getComputedStyle(element).backgroundColor")
    button.hover()
    assert button.evaluate(CONTRAST) >= at_least


def test_similar_ideas_appear_while_typing_and_never_block(page, make_user, make_window,
                                                           make_idea):
    window = make_window(stage="overlap")
    make_idea(window, make_user(), title="Grit the side roads on the Hartley Moor estate",
              problem="The gritters only do the main road; estate roads are sheet ice.")
    make_user("rosa@example.org")
    sign_in(page, "rosa@example.org")
    page.goto(f"/windows/{window.id}/submit/myself")
    page.get_by_label("Title").press_sequentially("Gritters never come onto our estate roads")
    region = page.locator("[data-similar-ideas]")
    expect(region.get_by_text("Already posted? Support one of these instead")).to_be_visible()
    expect(region.get_by_role("link", name="Grit the side roads on the Hartley Moor estate")) \
        .to_be_visible()
    # Screen readers hear a short line, not the whole list read out on every change.
    expect(page.get_by_role("status").filter(has_text="similar")).to_have_text(
        "1 similar idea found")
    assert region.get_attribute("aria-live") is None
    assert region.locator("[aria-live], [role=status]").count() == 0
    assert_contrast(region.get_by_role("button", name="Support this idea “Grit the side roads"))
    page.check_accessibility()
    # Support it from the list, in place: the title and anything typed stay.
    region.get_by_role("button", name="Support this idea “Grit the side roads").click()
    expect(region.get_by_text("1 support, including yours")).to_be_visible()
    expect(region.get_by_role("button", name="Withdraw support “Grit the side roads")) \
        .to_be_visible()
    expect(page.locator("[data-supports-left]")).to_contain_text(
        "You support “Grit the side roads on the Hartley Moor estate”.")
    expect(page.get_by_label("Title")).to_have_value("Gritters never come onto our estate roads")
    page.check_accessibility()
    page.get_by_label("The problem").fill("Our estate side roads are never gritted.")
    page.get_by_label("I agree that this idea will be published").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Already posted? Support one of these instead")) \
        .to_be_visible()
    # The check page lists it with the support already given, and can take it back.
    withdraw = page.get_by_role("button", name="Withdraw support “Grit the side roads")
    withdraw.click()
    expect(page.get_by_role("button", name="Support this idea “Grit the side roads")) \
        .to_be_visible()
    expect(page.get_by_text("0 supports")).to_be_visible()
    page.check_accessibility()
    page.get_by_role("button", name="Publish idea").click()
    expect(page.get_by_role("heading", name="Your idea has been published")).to_be_visible()


def test_staff_triage_pages(page, app, runner, make_user, make_window, make_idea, type_model):
    window = make_window(stage="overlap")
    author = make_user()
    # Long titles: the merge list shows them in a select, which must not widen the page.
    make_idea(window, author, title="Grit the side roads on the Hartley Moor estate before the "
                                    "first frost, not after the first fall",
              problem="The gritters only do the main road; estate roads are sheet ice.")
    make_idea(window, author, title="Gritters never come onto our estate side roads, so "
                                    "nobody on the Hartley Moor estate gets out",
              problem="Every winter the estate side roads are not gritted and are icy.")
    for n in range(6):
        make_idea(window, author, title=f"Early buses to the hospital, route {n}",
                  problem="Buses to the hospital start too late for nurses on early shifts.")
    assert runner.invoke(args=["triage", "run", "--window", str(window.id)]).exit_code == 0
    make_user("staff@example.org", role=Role.STAFF)
    sign_in(page, "staff@example.org")
    page.goto(f"/staff/windows/{window.id}/duplicates")
    expect(page.get_by_role("heading", name="Groups of similar ideas")).to_be_visible()
    page.check_accessibility()
    for width in (1280, 1024):  # each "Merge into" list stays inside its idea's column
        page.set_viewport_size({"width": width, "height": 800})
        overrun = page.evaluate("""() => [...document.querySelectorAll('.app-cluster__target')]
            .map(select => {
                const column = select.closest('.app-cluster__idea');
                const inside = column.getBoundingClientRect().right
                    - parseFloat(getComputedStyle(column).paddingRight);
                return select.getBoundingClientRect().right - inside;
            })""")
        assert overrun and max(overrun) <= 0.5, (width, overrun)
    page.get_by_role("button", name="Confirm these ask for the same thing").first.click()
    expect(page.get_by_text("The group is confirmed.")).to_be_visible()
    page.check_accessibility()
    # Merging asks first, and says who will be told.
    page.locator(".app-cluster").first.get_by_role("button", name=re.compile("^Merge")) \
        .first.click()
    expect(page.get_by_role("heading", name="Merge this idea into another?")).to_be_visible()
    expect(page.get_by_text("nobody else follows or supports it")).to_be_visible()
    page.check_accessibility()
    page.get_by_role("button", name="Merge the idea").click()
    expect(page.get_by_text("Nobody followed or supported it, so nobody was told.")) \
        .to_be_visible()
    # The banner saying so holds an Undo; the merged idea's card has its own.
    banner = page.locator(".govuk-notification-banner--success")
    expect(page.get_by_role("button", name=re.compile("^Undo merge"))).to_have_count(2)
    page.check_accessibility()
    banner.get_by_role("button", name=re.compile("^Undo merge")).click()
    # Undoing asks first too, saying who will be told.
    expect(page.get_by_role("heading", name="Undo this merge?")).to_be_visible()
    expect(page.get_by_text("nobody follows or supports it, or was told about the merge")) \
        .to_be_visible()
    page.check_accessibility()
    page.get_by_role("button", name="Undo the merge").click()
    expect(page.get_by_text("is no longer merged. Nobody followed or supported it")) \
        .to_be_visible()
    expect(page.get_by_role("button", name=re.compile("^Undo merge"))).to_have_count(0)
    # Merged again, the merged idea's own staff page says where it went and can undo it.
    page.locator(".app-cluster").first.get_by_role("button", name=re.compile("^Merge")) \
        .first.click()
    page.get_by_role("button", name="Merge the idea").click()
    page.locator(".app-cluster__idea", has=page.get_by_role(
        "button", name=re.compile("^Undo merge"))).locator("h3 a").click()
    expect(page.get_by_text("This idea is merged into")).to_be_visible()
    page.check_accessibility()
    page.locator(".govuk-notification-banner").get_by_role("button", name="Undo merge").click()
    page.get_by_role("link", name="Cancel").click()  # back to the idea, still merged
    expect(page.get_by_text("This idea is merged into")).to_be_visible()
    page.locator(".govuk-notification-banner").get_by_role("button", name="Undo merge").click()
    page.get_by_role("button", name="Undo the merge").click()
    expect(page.get_by_text("is no longer merged.")).to_be_visible()
    page.goto(f"/staff/windows/{window.id}/themes")
    page.check_accessibility()
    page.goto(f"/staff/windows/{window.id}/duplicates")
    page.locator(".app-cluster h3 a").first.click()
    expect(page.get_by_role("heading", name="Opportunity types")).to_be_visible()
    page.check_accessibility()
    page.set_viewport_size({"width": 375, "height": 667})  # the types table scrolls in its box
    page.check_accessibility()
    page.set_viewport_size({"width": 1024, "height": 768})
    page.goto("/how-triage-works")
    page.check_accessibility()
