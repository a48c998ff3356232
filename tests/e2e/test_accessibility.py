"""Every page, as the person who would see it, checked with axe-core in Chromium."""

import re

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.models import IdeaWindow, MembershipStatus, Role, utcnow
from tests.support.factories import PASSWORD

PUBLIC_PAGES = ["/", "/accessibility", "/privacy", "/cookies", "/sign-in", "/register",
                "/forgot-password", "/register/check-your-email", "/account/deleted",
                "/no-such-page", "/verify-email/not-a-real-token"]


def sign_in(page, email, password=PASSWORD):
    page.goto("/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    # Staff land on their work, everyone else on their account; both pages say who signed in.
    expect(page.get_by_text("You’re signed in as")).to_be_visible()


def test_the_axe_check_catches_a_real_problem(page):
    page.goto("/")
    page.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', "
                  "'<img src=\"/static/images/favicon.svg\">')")
    with pytest.raises(AssertionError, match="image-alt"):
        page.check_accessibility()


def test_the_axe_check_catches_content_outside_every_landmark(page):
    page.goto("/windows")
    page.evaluate("document.querySelector('main').insertAdjacentHTML('beforebegin', "
                  "'<p>Stray words</p>')")
    with pytest.raises(AssertionError, match="region"):
        page.check_accessibility()


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages(page, path):
    page.goto(path)
    page.check_accessibility()


def test_public_pages_reflow_at_320_pixels(page):
    """WCAG 2.2 reflow: nothing pushes the page sideways on a 320px screen."""
    page.set_viewport_size({"width": 320, "height": 640})
    for path in PUBLIC_PAGES:
        page.goto(path)
        page.check_accessibility()


def test_account_pages(page, make_user, make_organisation, make_membership):
    user = make_user("rosa@example.org", verified=False)
    make_organisation("Northgate City Council")
    sign_in(page, "rosa@example.org")
    page.check_accessibility()  # with the "confirm your email" warning
    for path in ["/account/change-password", "/account/change-email", "/account/delete",
                 "/account/confirm-your-email?next=/my-ideas",
                 "/account/confirm-your-email?next=/my-ideas&checked=yes"]:
        page.goto(path)
        page.check_accessibility()
    # Each form's error state too.
    for path, button in [("/account/change-password", "Change password"),
                         ("/account/change-email", "Send confirmation link"),
                         ("/account/delete", "Delete my account")]:
        page.goto(path)
        page.get_by_role("button", name=button).click()
        expect(page.page).to_have_title(re.compile("^Error:"))
        page.check_accessibility()
    assert user.id


def test_organisation_pages_for_a_verified_officer_and_a_lead(page, make_user, make_organisation,
                                                              make_membership):
    northgate = make_organisation("Northgate City Council")
    make_organisation("Riverside Borough Council")
    lead = make_user("lead@example.org")
    make_membership(lead, northgate, status=MembershipStatus.APPROVED, is_lead=True)
    make_membership(make_user("omar@example.org", display_name="Omar"), northgate)
    sign_in(page, "lead@example.org")
    page.check_accessibility()  # account page with an organisations table
    page.goto("/account/organisations/join")
    page.check_accessibility()
    page.get_by_role("button", name="Ask to join").click()
    page.check_accessibility()
    page.goto(f"/organisations/{northgate.slug}/members")
    page.check_accessibility()
    # Turning down asks for the reason first, on a page of its own.
    page.get_by_role("button", name="Turn down Omar").click()
    expect(page.get_by_role("heading", name="Turn down Omar’s request to join?")).to_be_visible()
    page.check_accessibility()
    page.get_by_role("button", name="Turn down request").click()
    expect(page.page).to_have_title(re.compile("^Error:"))
    page.check_accessibility()
    page.get_by_label("Why are you turning down this request?").fill("Not in our team.")
    page.get_by_role("button", name="Turn down request").click()
    expect(page.get_by_text("You’ve turned down Omar’s request")).to_be_visible()


def test_admin_pages(page, make_user, make_organisation, make_membership):
    make_user("admin@example.org", role=Role.ADMIN)
    organisation = make_organisation("Northgate City Council")
    person = make_user("omar@example.org", display_name="Omar")
    make_membership(person, organisation)
    member = make_user("maya@example.org", display_name="Maya")
    make_membership(member, organisation, status=MembershipStatus.APPROVED, is_lead=True)
    sign_in(page, "admin@example.org")
    for path in ["/admin/", "/admin/users", f"/admin/users/{person.id}", "/admin/organisations",
                 "/admin/organisations/new", f"/admin/organisations/{organisation.id}",
                 f"/admin/organisations/{organisation.id}/edit", "/admin/audit"]:
        page.goto(path)
        page.check_accessibility()
    page.goto("/admin/organisations/new")
    page.get_by_role("button", name="Save organisation").click()
    expect(page.page).to_have_title(re.compile("^Error:"))
    page.check_accessibility()
    page.goto(f"/admin/organisations/{organisation.id}")
    page.get_by_role("button", name="Approve Omar").click()
    expect(page.get_by_text("You’ve approved Omar’s request")).to_be_visible()
    page.check_accessibility()
    # Removing a member says what it means for them first.
    page.get_by_role("button", name="Remove Maya from Northgate City Council").click()
    expect(page.get_by_role("heading", name="Remove Maya from Northgate City Council?")
           ).to_be_visible()
    page.check_accessibility()
    page.get_by_role("button", name="Remove from Northgate City Council").click()
    expect(page.get_by_text("Maya has been removed from Northgate City Council.")).to_be_visible()
    page.goto("/admin/audit")
    page.check_accessibility()
    # On a phone: wide tables scroll in their own box, the page never scrolls sideways.
    page.set_viewport_size({"width": 390, "height": 844})
    for path in ["/admin/users", "/admin/organisations", f"/admin/organisations/{organisation.id}",
                 "/admin/audit"]:
        page.goto(path)
        page.check_accessibility()


def test_staff_pages_on_a_phone(page, make_user, make_window, make_idea):
    make_user("sam@example.org", role=Role.STAFF)
    window = make_window(stage="voting", title="Winter ideas about getting around the city")
    make_idea(window, make_user(), title="Put gritters on the Moor Top estate before 7am")
    sign_in(page, "sam@example.org")
    page.set_viewport_size({"width": 390, "height": 844})
    for path in ["/staff/windows", "/staff/areas", f"/staff/windows/{window.id}/review",
                 f"/staff/windows/{window.id}/shortlist", f"/staff/windows/{window.id}/supports",
                 "/staff/moderation", "/account"]:
        page.goto(path)
        page.check_accessibility()


def test_every_window_action_is_on_screen_on_a_small_phone(page, make_user, make_window,
                                                          make_idea):
    make_user("ann@example.org", role=Role.ADMIN)
    draft = make_window(stage="open", title="Spring 2028 ideas", published=False)
    voting = make_window(stage="voting", title="Winter ideas about getting around the city")
    make_idea(voting, make_user())
    closed = make_window(stage="closed", title="Last year’s ideas")
    sign_in(page, "ann@example.org")
    page.set_viewport_size({"width": 375, "height": 667})
    page.goto("/staff/windows")
    page.check_accessibility()
    actions = [("link", f"{verb} {window.title}") for window in (draft, voting, closed)
               for verb in ("Change", "Support signals for", "Similar ideas and themes in",
                            "Review the ideas in", "Shortlist of", "Feasibility criteria of")]
    actions += [("link", f"Delete {draft.title}"), ("button", f"Publish {draft.title}"),
                ("link", f"Close {voting.title}"), ("link", f"Close voting now in {voting.title}"),
                ("link", f"Delete {closed.title}"), ("button", f"Reopen {closed.title}")]
    assert off_screen(page, actions) == []


def test_changing_a_window_once_voting_has_opened(page, make_user, make_window, make_idea):
    """The form says what can no longer change, refuses a date moved back with a message
    the error summary links to, and "Close voting now" asks first."""
    make_user("sam@example.org", role=Role.STAFF)
    window = make_window(stage="voting", title="Winter ideas about getting around the city")
    make_idea(window, make_user(), title="Put gritters on the Moor Top estate before 7am")
    sign_in(page, "sam@example.org")
    page.goto(f"/staff/windows/{window.id}/edit")
    expect(page.get_by_text("What can no longer change")).to_be_visible()
    page.check_accessibility()
    voting_opens = page.get_by_role("group", name="Voting opens", exact=True)
    year = voting_opens.get_by_label("Year")
    year.fill(str(int(year.input_value()) + 1))
    closes = page.get_by_role("group", name="Voting closes", exact=True).get_by_label("Year")
    closes.fill(str(int(closes.input_value()) + 1))
    page.get_by_role("button", name="Save window").click()
    expect(page.get_by_role("link", name=re.compile("so the date voting opens cannot change"))
           ).to_be_visible()
    page.check_accessibility()
    page.get_by_role("link", name="close voting now").click()
    expect(page.get_by_role("heading", name=re.compile("Close voting in"))).to_be_visible()
    page.check_accessibility()
    page.get_by_role("button", name="Close voting now").click()
    expect(page.get_by_text("Its stage is now: Under review")).to_be_visible()


def test_the_criteria_of_a_published_shortlist_read_only(page, app, make_user, make_window):
    make_user("ann@example.org", role=Role.ADMIN)
    window = make_window(stage="review")
    with app.app_context():
        db.session.get(IdeaWindow, window.id).shortlist_published_at = utcnow()
        db.session.commit()
    sign_in(page, "ann@example.org")
    page.goto(f"/admin/windows/{window.id}/criteria")
    expect(page.get_by_text("so the criteria cannot change")).to_be_visible()
    expect(page.get_by_role("button", name="Save the criteria")).to_have_count(0)
    page.check_accessibility()


def off_screen(page, actions):
    """The names of the (role, name) actions not wholly inside a 375px-wide window."""
    missing = []
    for role, name in actions:
        # Measured where they are, not scrolled to: an action that needs the page or a table
        # scrolled sideways starts or ends beyond the window's 375px.
        box = page.get_by_role(role, name=name, exact=True).bounding_box()
        if box is None or box["x"] < 0 or box["x"] + box["width"] > 375:
            missing.append(getattr(name, "pattern", name))
    return missing


def test_every_membership_action_is_on_screen_on_a_small_phone(page, make_user,
                                                              make_organisation,
                                                              make_membership):
    make_user("ann@example.org", role=Role.ADMIN)
    northgate = make_organisation("Northgate City Council")
    asking = [make_user(display_name=name) for name in ("Omar Farouk-Richardson", "Priya")]
    for person in asking:
        make_membership(person, northgate)
    lead = make_user("lead@example.org", display_name="Maya Okonkwo-Lindqvist")
    make_membership(lead, northgate, status=MembershipStatus.APPROVED, is_lead=True)
    member = make_user(display_name="Bob")
    make_membership(member, northgate, status=MembershipStatus.APPROVED)
    # Turn down and Remove are links to a page that asks first, styled and named as buttons.
    requests = [("button", f"Approve {person.display_name}") for person in asking]
    requests += [("button", f"Turn down {person.display_name}") for person in asking]
    # Chromium names these "Make lead : Bob": a space before the visually hidden ": Bob".
    members = [("button", re.compile(f"^Remove as lead ?: {lead.display_name}$")),
               ("button", re.compile(f"^Make lead ?: {member.display_name}$"))]
    members += [("button", f"Remove {person.display_name} from {northgate.name}")
                for person in (lead, member)]

    sign_in(page, "ann@example.org")
    page.set_viewport_size({"width": 375, "height": 667})
    for path, actions in [(f"/admin/organisations/{northgate.id}", requests + members),
                          ("/admin/", requests)]:
        page.goto(path)
        page.check_accessibility()
        assert off_screen(page, actions) == [], path
    page.context.clear_cookies()  # signed out; the phone menu hides "Sign out"

    sign_in(page, "lead@example.org")
    page.goto(f"/organisations/{northgate.slug}/members")
    page.check_accessibility()
    assert off_screen(page, requests) == []


def test_every_action_on_your_ideas_is_on_screen_on_a_small_phone(page, make_user, make_window,
                                                                 make_idea):
    from app.models import IdeaStatus

    rosa = make_user("rosa@example.org")
    window = make_window(stage="open", title="Winter ideas about getting around the city")
    published = make_idea(window, rosa, title="Put gritters on the Moor Top estate before 7am")
    draft = make_idea(window, rosa, title="Run an early bus from the docks to the hospital",
                      status=IdeaStatus.DRAFT)
    sign_in(page, "rosa@example.org")
    page.set_viewport_size({"width": 375, "height": 667})
    page.goto("/my-ideas")
    page.check_accessibility()
    assert off_screen(page, [("link", f"Change {published.title}"),
                             ("link", f"Withdraw {published.title}"),
                             ("link", f"Continue with {draft.title}")]) == []


def test_forbidden_page(page, make_user):
    make_user("rosa@example.org")
    sign_in(page, "rosa@example.org")
    response = page.goto("/admin/")
    assert response.status == 403
    page.check_accessibility()


def test_the_less_visited_pages(page, mailbox, make_user, make_window, make_organisation,
                                make_membership):
    from app.models import OrganisationKind

    make_user("rosa@example.org")
    voting_only = make_window(stage="voting")
    sign_in(page, "rosa@example.org")
    page.goto("/account/change-name")
    page.check_accessibility()
    page.goto(f"/windows/{voting_only.id}/submit")
    expect(page.get_by_role("heading", name=re.compile("You cannot submit an idea"))) \
        .to_be_visible()
    page.check_accessibility()
    page.goto("/account/change-email")
    page.get_by_label("New email address").fill("rosa.new@example.org")
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Send confirmation link").click()
    expect(page.get_by_role("heading", name="Check your new email address")).to_be_visible()
    page.check_accessibility()
    page.get_by_role("button", name="Sign out").click()

    page.goto("/forgot-password")
    page.get_by_label("Email address").fill("rosa@example.org")
    page.get_by_role("button", name="Send reset link").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    page.check_accessibility()
    link = mailbox.link(mailbox.last_to("rosa@example.org"), "/reset-password/")
    page.goto("/" + link.split("/", 3)[3])
    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    page.check_accessibility()

    mayor = make_user("mayor@example.org")
    make_membership(mayor, make_organisation("Office of the Mayor",
                                             kind=OrganisationKind.MAYORS_OFFICE),
                    status=MembershipStatus.APPROVED)
    open_window = make_window(stage="open")
    sign_in(page, "mayor@example.org")
    page.goto(f"/windows/{open_window.id}/submit")
    page.get_by_label("A manifesto pledge from Office of the Mayor").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_label("Pledge reference")).to_be_visible()
    page.check_accessibility()
    page.get_by_role("button", name="Sign out").click()

    make_user("sam@example.org", role=Role.STAFF)
    sign_in(page, "sam@example.org")
    for path in [f"/staff/windows/{voting_only.id}/supports",
                 f"/staff/windows/{voting_only.id}/close"]:
        page.goto(path)
        page.check_accessibility()
