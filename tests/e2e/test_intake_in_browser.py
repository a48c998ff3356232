"""Idea windows and submissions in Chromium: staff, residents, officers and the mayor's office,
and the public browsing without an account. Every page is checked with axe."""

import re

from playwright.sync_api import expect

from app.models import MembershipStatus, OrganisationKind, Role
from tests.e2e.test_accessibility import sign_in
from tests.support.factories import PASSWORD


def test_staff_create_and_publish_a_window(page, make_user, make_area):
    make_user("staff@example.org", role=Role.STAFF)
    make_area("Riverside")
    sign_in(page, "staff@example.org")
    page.get_by_role("link", name="Staff").click()
    page.check_accessibility()
    page.get_by_role("link", name="Create a window").click()
    page.check_accessibility()
    page.get_by_role("button", name="Save window").click()
    expect(page.page).to_have_title(re.compile("^Error: Create an idea window"))
    page.check_accessibility()
    # A month of 13: only the month is outlined, and the summary's link goes to it.
    opens = page.get_by_role("group", name="Ideas open", exact=True)
    for part, value in (("Day", "1"), ("Month", "13"), ("Year", "2026")):
        opens.get_by_label(part).fill(value)
    page.get_by_role("button", name="Save window").click()
    expect(opens.locator(".govuk-input--error")).to_have_count(1)
    page.get_by_role("link", name="The date ideas open must be a real date").click()
    expect(opens.get_by_label("Month")).to_be_focused()

    page.get_by_label("Title").fill("Spring 2027 ideas")
    page.get_by_label("Theme").fill("Growing up well")
    page.get_by_label("Description").fill("Ideas about children and young people.")
    for legend, (day, month, year) in {"Ideas open": ("1", "6", "2030"),
                                       "Ideas close": ("30", "6", "2030"),
                                       "Voting opens": ("15", "6", "2030"),
                                       "Voting closes": ("31", "7", "2030")}.items():
        group = page.get_by_role("group", name=legend, exact=True)
        group.get_by_label("Day").fill(day)
        group.get_by_label("Month").fill(month)
        group.get_by_label("Year").fill(year)
    page.get_by_label("Riverside").check()
    page.get_by_role("button", name="Save window").click()
    expect(page.get_by_text("has been saved as a draft")).to_be_visible()
    page.get_by_role("button", name="Publish Spring 2027 ideas").click()
    expect(page.get_by_text("“Spring 2027 ideas” is published.")).to_be_visible()
    page.check_accessibility()
    page.goto("/staff/areas")
    page.check_accessibility()


def write_idea(page, title):
    page.get_by_label("Title").fill(title)
    page.get_by_label("The problem").fill("Buses to the hospital stop before 7am.\n\n"
                                           "- nurses are late\n- patients miss appointments")
    page.get_by_label("What could change (optional)").fill("Plan early buses from shift data.")
    page.get_by_label("I agree that this idea will be published").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Check your idea before you publish it")) \
        .to_be_visible()
    page.check_accessibility()
    page.get_by_role("button", name="Publish idea").click()
    expect(page.get_by_role("heading", name="Your idea has been published")).to_be_visible()
    page.check_accessibility()


def test_a_resident_submits_an_idea(page, make_user, make_window):
    window = make_window()
    make_user("rosa@example.org", display_name="Rosa")
    sign_in(page, "rosa@example.org")
    page.goto(f"/windows/{window.id}")
    page.check_accessibility()
    page.get_by_role("link", name="Submit an idea").click()
    page.get_by_role("button", name="Continue").click()  # nothing typed yet
    expect(page.page).to_have_title(re.compile("^Error: Submit an idea"))
    page.check_accessibility()
    # The long answers count down as the title does (86 characters typed).
    page.get_by_label("The problem").fill("Buses to the hospital stop before 7am.\n\n"
                                           "- nurses are late\n- patients miss appointments")
    expect(page.get_by_text("You have 4,914 characters remaining")).to_be_visible()
    page.get_by_label("Data that might help (optional)").fill("x" * 5001)
    expect(page.get_by_text("You have 1 character too many")).to_be_visible()
    page.get_by_label("Data that might help (optional)").fill("")
    write_idea(page, "Run an early bus from the docks to the hospital")
    page.get_by_role("link", name="See your idea").click()
    expect(page.get_by_role("heading", name="Run an early bus from the docks to the hospital")) \
        .to_be_visible()
    page.check_accessibility()
    page.get_by_role("link", name="Change your idea").click()
    page.check_accessibility()
    page.goto("/my-ideas")
    page.check_accessibility()
    page.get_by_role("link", name="Run an early bus from the docks to the hospital",
                     exact=True).click()
    page.get_by_role("link", name="Withdraw your idea").click()
    page.check_accessibility()
    page.get_by_role("button", name="Withdraw idea").click()
    expect(page.get_by_text("Your idea has been withdrawn")).to_be_visible()


def test_a_draft_with_a_phone_number_warns_and_can_be_deleted_after_a_question(
        page, make_user, make_window):
    window = make_window()
    make_user("rosa@example.org", display_name="Rosa")
    sign_in(page, "rosa@example.org")
    page.goto(f"/windows/{window.id}/submit")
    page.get_by_label("Title").fill("Fix the potholes on our road")
    page.get_by_label("The problem").fill("Call me on 07700 900123 to see the holes.")
    page.get_by_label("I agree that this idea will be published").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("Your idea seems to include a phone number.")).to_be_visible()
    page.check_accessibility()
    page.get_by_role("link", name="Delete this draft").click()
    expect(page.get_by_role("heading", name="Delete your draft?")).to_be_visible()
    page.check_accessibility()
    page.get_by_role("link", name="Keep it and go back").click()
    expect(page.get_by_role("heading", name="Check your idea before you publish it")) \
        .to_be_visible()
    page.get_by_role("link", name="Delete this draft").click()
    page.get_by_role("button", name="Delete draft").click()
    expect(page.get_by_text("Your draft has been deleted.")).to_be_visible()


def test_an_officer_submits_for_their_council(page, make_user, make_window, make_organisation,
                                               make_membership):
    window = make_window()
    council = make_organisation("Northgate City Council")
    make_membership(make_user("omar@example.org"), council, status=MembershipStatus.APPROVED)
    sign_in(page, "omar@example.org")
    page.goto(f"/windows/{window.id}/submit")
    page.check_accessibility()
    page.get_by_label("On behalf of Northgate City Council").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Datasets your organisation holds (optional)").fill("Bus lateness logs")
    write_idea(page, "Use shift patterns to plan the first buses of the day")


def test_the_mayors_office_imports_pledges(page, make_user, make_window, make_organisation,
                                           make_membership, tmp_path):
    window = make_window()
    office = make_organisation("Office of the Mayor", kind=OrganisationKind.MAYORS_OFFICE)
    make_membership(make_user("maya@example.org"), office, status=MembershipStatus.APPROVED)
    sign_in(page, "maya@example.org")
    page.goto(f"/windows/{window.id}")
    page.get_by_role("link", name="Import manifesto pledges from a CSV file").click()
    page.check_accessibility()
    bad = tmp_path / "bad.csv"
    bad.write_text("title,problem,pledge_reference\nShort,Problem,Ref 1\n")
    page.get_by_label("Upload a CSV file").set_input_files(str(bad))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_text("Line 2: title must be 10 to 120 characters")).to_be_visible()
    page.check_accessibility()
    good = tmp_path / "good.csv"
    good.write_text("title,problem,pledge_reference\n"
                    "Use data to end rough sleeping by 2028,People sleep rough,Pledge 3\n")
    page.goto(f"/windows/{window.id}/pledges/import")
    page.get_by_label("Upload a CSV file").set_input_files(str(good))
    page.get_by_role("button", name="Check the file").click()
    page.check_accessibility()
    page.get_by_role("button", name="Import 1 pledge").click()
    expect(page.get_by_role("heading", name="1 pledge imported")).to_be_visible()
    page.check_accessibility()

    # And one pledge by hand, with its reference shown on the idea's page.
    page.goto(f"/windows/{window.id}/submit")
    page.get_by_label("A manifesto pledge from Office of the Mayor").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Pledge reference").fill("Manifesto 2024, p.12, pledge 3")
    page.get_by_label("Link to the pledge (optional)").fill("https://example.org/manifesto")
    write_idea(page, "Every bus stop safe and accessible by 2027")
    page.get_by_role("link", name="See your idea").click()
    expect(page.get_by_text("Manifesto 2024, p.12, pledge 3").first).to_be_visible()
    page.check_accessibility()


def test_the_public_browses_filters_and_searches_without_an_account(
        page, make_user, make_window, make_idea, make_area):
    area = make_area("Eastfield")
    window = make_window(areas=[area])
    author = make_user()
    for n in range(22):
        make_idea(window, author, title=f"Bus idea number {n:02} for the city")
    make_idea(window, author, title="Flooding in the Eastfield underpass", area=area)
    page.goto("/windows")
    page.check_accessibility()
    page.get_by_role("link", name=window.title).click()
    expect(page.get_by_text("23 ideas, page 1 of 2")).to_be_visible()
    page.get_by_role("link", name="Next").click()
    expect(page.get_by_text("23 ideas, page 2 of 2")).to_be_visible()
    page.get_by_label("Search ideas").fill("flooding")
    page.get_by_role("button", name="Show ideas").click()
    expect(page.get_by_text("1 idea matches your filters")).to_be_visible()
    page.check_accessibility()
    page.get_by_role("link", name="Flooding in the Eastfield underpass").click()
    page.check_accessibility()
    page.goto(f"/windows/{window.id}")
    page.get_by_label("Search ideas").fill("and")
    page.get_by_role("button", name="Show ideas").click()
    expect(page.get_by_text("There are no words to search for in “and”.")).to_be_visible()
    page.check_accessibility()
    page.goto(f"/windows/{window.id}?page=9")  # an old link to a page the list no longer has
    expect(page.get_by_text("There is no page 9. This is the last page, page 2.")) \
        .to_be_visible()
    expect(page.get_by_text("23 ideas, page 2 of 2")).to_be_visible()
    page.check_accessibility()
    page.goto(f"/windows/{window.id}")
    page.get_by_label("Area").select_option(label="Eastfield")
    page.get_by_role("button", name="Show ideas").click()
    expect(page.get_by_text("1 idea matches your filters")).to_be_visible()


def phone_window(app, make_window, make_idea, make_user, make_area):
    """A window like the demo's open one (its description, six areas, voting under way), with
    three ideas: what a new visitor on a phone first met."""
    from app.demo.seed import AREAS, OPEN_DESCRIPTION
    from app.extensions import db
    from app.models import IdeaWindow

    window = make_window(stage="overlap", support_limit=10, title="Winter 2026 ideas",
                         areas=[make_area(name) for name in AREAS])
    with app.app_context():
        found = db.session.get(IdeaWindow, window.id)
        found.theme = "Getting around and staying well this winter"
        found.description = OPEN_DESCRIPTION
        db.session.commit()
    author = make_user()
    for n in range(3):
        make_idea(window, author, title=f"Grit the pavements on route {n} before 7am")
    return window


def first_idea_top(page) -> float:
    """How far down the page the first idea in the list starts, in CSS pixels."""
    return page.evaluate(
        "() => document.querySelector('.app-idea-summary').getBoundingClientRect().top"
        " + window.scrollY")


def test_on_a_phone_the_ideas_come_soon_and_the_filters_fold_away(
        page, app, make_user, make_window, make_idea, make_area):
    window = phone_window(app, make_window, make_idea, make_user, make_area)
    page.set_viewport_size({"width": 375, "height": 667})
    page.goto(f"/windows/{window.id}")
    filters = page.locator("details.app-filters")
    expect(filters).not_to_have_attribute("open", "")
    expect(page.get_by_label("Search ideas")).to_be_hidden()
    # The first idea was 2,109px down (below the description, dates and the whole form), it
    # is about 1,450px now; and one link from the top of the page brings it on screen.
    top = first_idea_top(page)
    assert top < 1600, f"the first idea starts {top}px down"
    page.check_accessibility()
    page.get_by_role("link", name="Skip to the ideas").click()
    box = page.locator(".app-idea-summary").first.bounding_box()  # relative to the screen
    assert box["y"] >= 0 and box["y"] + 100 < 667, box

    page.get_by_text("Search and filter").click()
    page.check_accessibility()  # open, on a phone
    page.get_by_label("Search ideas").fill("route 1")
    page.get_by_role("button", name="Show ideas").click()
    expect(page.get_by_text("1 idea matches your filters")).to_be_visible()
    expect(page.get_by_label("Search ideas")).to_have_value("route 1")  # open as it was sent

    page.set_viewport_size({"width": 1024, "height": 768})
    page.goto(f"/windows/{window.id}")
    expect(page.get_by_label("Search ideas")).to_be_visible()  # room for it: the script opens it
    page.check_accessibility()


def test_on_a_phone_without_javascript_the_filters_fold_away_and_still_work(
        browser, live_server, app, make_user, make_window, make_idea, make_area):
    window = phone_window(app, make_window, make_idea, make_user, make_area)
    context = browser.new_context(base_url=live_server, java_script_enabled=False,
                                  viewport={"width": 375, "height": 667})
    page = context.new_page()
    page.goto(f"/windows/{window.id}")
    expect(page.get_by_label("Search ideas")).to_be_hidden()
    page.get_by_text("Search and filter").click()  # <details> opens without a script
    page.get_by_label("Search ideas").fill("route 2")
    page.get_by_role("button", name="Show ideas").click()
    expect(page.get_by_text("1 idea matches your filters")).to_be_visible()
    expect(page.get_by_label("Search ideas")).to_be_visible()
    context.close()


def test_an_idea_written_while_the_session_ran_out_is_kept_through_signing_in(
        page, make_user, make_window):
    window = make_window()
    make_user("rosa@example.org")
    sign_in(page, "rosa@example.org")
    page.goto(f"/windows/{window.id}/submit/myself")
    page.get_by_label("Title").fill("Light the towpath by the canal")
    problem = "The towpath has no lights between the lock and the station. " * 40
    page.get_by_label("The problem").fill(problem.strip())
    page.context.clear_cookies()  # the tab was left open until the session ended
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("We have kept what you wrote: sign in again")).to_be_visible()
    page.get_by_label("Email address").fill("rosa@example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("We have kept what you wrote: check it and send it again")) \
        .to_be_visible()
    expect(page.get_by_label("Title")).to_have_value("Light the towpath by the canal")
    expect(page.get_by_label("The problem")).to_have_value(problem.strip())
    page.check_accessibility()
    page.get_by_label("I agree that this idea will be published").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Check your idea before you publish it")) \
        .to_be_visible()
