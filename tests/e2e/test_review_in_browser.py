"""Staff review in Chromium: reviewing, scoring, deciding and publishing a shortlist; the
resident hearing why; moderation, open data and the audit log; every page axe-clean."""

import re

from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import Criterion, Follow, Role
from tests.e2e.test_accessibility import sign_in
from tests.test_review import add_supports


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You’ve signed out.")).to_be_visible()


def test_staff_review_score_decide_and_publish_then_the_resident_hears(
        page, app, runner, mailbox, make_user, make_window, make_idea):
    window = make_window(stage="review", title="Winter 2026 ideas")
    rosa = make_user("rosa@example.org", display_name="Rosa")
    towpath = make_idea(window, rosa, title="Light the canal towpath at night",
                        problem="The towpath is pitch dark after 5pm in winter.",
                        published_days_ago=30)
    parking = make_idea(window, rosa, title="Free parking for everyone in the centre",
                        problem="Parking costs too much.", published_days_ago=29)
    gritting = make_idea(window, rosa, title="Grit the hill on Station Road first",
                         problem="Buses cannot climb it on icy mornings.", published_days_ago=28)
    with app.app_context():
        db.session.add_all([Follow(user_id=rosa.id, idea_id=i.id)
                            for i in (towpath, parking, gritting)])
        db.session.commit()
    add_supports(app, towpath, [make_user() for _ in range(3)])
    add_supports(app, parking, [make_user()])
    make_user("sam@example.org", role=Role.STAFF, display_name="Sam Staff")

    sign_in(page, "sam@example.org")
    page.goto("/staff/windows")
    page.get_by_role("link", name="Review the ideas in Winter 2026 ideas").click()
    expect(page.get_by_role("heading", name="Review", exact=True)).to_be_visible()
    page.check_accessibility()
    # A bulk decision with nothing selected: the GOV.UK error summary, words kept.
    page.get_by_label("Public reason").fill("Kept while you fix it")
    page.get_by_role("button", name="Save decision").click()
    expect(page.page).to_have_title(re.compile("^Error:"))
    expect(page.get_by_role("link", name="Select at least one idea")).to_be_visible()
    expect(page.get_by_label("Public reason")).to_have_value("Kept while you fix it")
    page.check_accessibility()

    # Score the towpath idea: 2 on everything but the three data criteria.
    page.get_by_role("link", name="Light the canal towpath at night").click()
    expect(page.get_by_role("heading", name="Feasibility", exact=True)).to_be_visible()
    page.check_accessibility()
    page.get_by_role("button", name="Save your scores").click()
    expect(page.page).to_have_title(re.compile("^Error:"))
    expect(page.get_by_role("link", name=re.compile("^Score “Specific” 0, 1 or 2"))) \
        .to_be_visible()
    page.check_accessibility()
    with app.app_context():
        criteria = list(db.session.scalars(select(Criterion).where(
            Criterion.window_id == window.id).order_by(Criterion.position)))
    for criterion in criteria:
        group = page.get_by_role("group", name=criterion.name, exact=True)
        group.get_by_label("1: partly" if criterion.heading == "data" else "2: yes").check()
    page.get_by_label("Note on “Specific” (optional)").fill("Clear, local and measurable.")
    page.get_by_role("button", name="Save your scores").click()
    expect(page.get_by_text("Your scores are saved.")).to_be_visible()
    expect(page.get_by_role("table", name=re.compile("1 reviewer"))).to_contain_text("15")
    expect(page.get_by_text("15 out of 18 (83%)")).to_be_visible()
    page.check_accessibility()
    page.get_by_label("Add a private note").fill("Canal & River Trust hold the lamp data.")
    page.get_by_role("button", name="Add note").click()
    expect(page.get_by_text("Your note is added.")).to_be_visible()
    page.check_accessibility()

    # Turn the parking idea down with a template.
    page.goto(f"/staff/ideas/{parking.id}/review")
    page.get_by_label("Start from a template (optional)").select_option(
        label="Low feasibility (Not taken forward)")
    reason = page.get_by_label("Public reason")
    expect(reason).to_have_value(re.compile("^Our assessment found that the action"))
    reason.fill(reason.input_value() + " Tell us which streets are worst.")
    # Choosing another template keeps the edited words and offers the new template's words.
    edited = reason.input_value()
    template = page.get_by_label("Start from a template (optional)")
    template.select_option(label="Service request (Not a data project)")
    expect(reason).to_have_value(edited)
    expect(page.get_by_role("status")).to_contain_text("so they are kept")
    page.check_accessibility()
    page.get_by_role("button", name="Use the words of “Service request (Not a data project)” "
                                    "instead").click()
    expect(reason).to_have_value(re.compile("^This is a request for a service"))
    expect(page.get_by_role("status")).to_be_empty()
    reason.fill(edited)
    template.select_option(label="Low feasibility (Not taken forward)")
    expect(reason).to_have_value(edited)
    page.get_by_role("button", name="Save decision").click()
    # Asks first, as bulk decisions do: it is public, and followers are told at once.
    expect(page.get_by_role("heading", name="Save this decision for “Free parking for "
                                            "everyone in the centre”?")).to_be_visible()
    expect(page.get_by_text(re.compile("Tell us which streets are worst"))).to_be_visible()
    expect(page.get_by_text("1 person who follows this idea, its author")).to_be_visible()
    page.check_accessibility()
    page.get_by_role("button", name="Confirm decision").click()
    expect(page.get_by_text("is now: Not taken forward")).to_be_visible()
    page.check_accessibility()

    # The shortlist: one place, published.
    page.goto(f"/staff/windows/{window.id}/shortlist")
    page.check_accessibility()
    page.get_by_label("Ideas on the shortlist").fill("1")
    page.get_by_role("button", name="Save formula").click()
    expect(page.get_by_text("The formula is saved.")).to_be_visible()
    expect(page.get_by_role("table", name=re.compile("1 on the shortlist"))).to_be_visible()
    # Before the button: what else publishing decides, and who is told.
    expect(page.get_by_text("1 other idea is marked “Not taken forward”")).to_be_visible()
    expect(page.get_by_text("For the 1 idea not taken forward that is 1 person, 1 of them by "
                            "email.", exact=False)).to_be_visible()
    page.get_by_role("button", name="Publish the shortlist").click()
    expect(page.page).to_have_title(re.compile("^Error:"))
    page.get_by_role("link", name="Enter the reason for ideas not on the shortlist").click()
    reason = page.get_by_label("Public reason for the ideas not on the shortlist")
    expect(reason).to_be_focused()
    page.check_accessibility()
    reason.fill("Other ideas had more support. Gritting routes are set by the council’s "
                "highways team, who have your idea.")
    page.get_by_role("button", name="Publish the shortlist").click()
    expect(page.get_by_text("The shortlist of 1 idea is published. 1 other idea is marked "
                            "“Not taken forward”.", exact=False)).to_be_visible()
    expect(page.get_by_role("heading", name="Shortlist", exact=True)).to_be_visible()
    expect(page.get_by_role("table", name="1 shortlisted idea")).to_contain_text(
        "Light the canal towpath at night")
    page.check_accessibility()

    # Rosa sees the reason on her idea, and gets the email.
    sign_out(page)
    sign_in(page, "rosa@example.org")
    page.goto(f"/ideas/{parking.id}")
    expect(page.get_by_text("Not taken forward").first).to_be_visible()
    expect(page.get_by_text(re.compile("the action the data would enable is not clear.*"
                                       "Tell us which streets are worst"))).to_be_visible()
    page.check_accessibility()
    page.goto(f"/ideas/{gritting.id}")
    expect(page.get_by_text(re.compile("^Other ideas had more support"))).to_be_visible()
    page.get_by_role("link", name="See the shortlist").click()
    expect(page.get_by_text("The other 1 idea ranked by the formula was not taken "
                            "forward.")).to_be_visible()
    # On a phone the shortlist stacks: every column is on screen, named, without scrolling.
    page.set_viewport_size({"width": 375, "height": 800})
    table = page.get_by_role("table", name=re.compile("shortlisted idea"))
    assert table.evaluate("t => t.scrollWidth <= t.parentElement.clientWidth")
    expect(table.locator("td[data-label='Score']").first).to_be_visible()
    page.check_accessibility()
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto("/my-ideas")
    expect(page.locator(".app-idea-summary").filter(has_text="Grit the hill on Station Road")) \
        .to_contain_text("Not taken forward")
    page.check_accessibility()
    assert "Sent 3" in runner.invoke(args=["notifications", "send"]).output
    bodies = [mailbox.body(m) for m in mailbox.to("rosa@example.org")]
    assert any("Not taken forward" in b and "not clear enough yet" in b for b in bodies)
    assert any("Shortlisted" in b and "Light the canal towpath" in b for b in bodies)
    assert any("“Grit the hill on Station Road first”. The shortlist for “Winter 2026 ideas” "
               "is published and this idea is not on it." in b and "/shortlist" in b
               for b in bodies)


def test_reporting_moderation_open_data_and_the_audit_log(page, app, make_user, make_window,
                                                         make_idea):
    window = make_window(stage="voting")
    rosa = make_user("rosa@example.org")
    idea = make_idea(window, rosa, title="Fix the lights on Millbrook Road",
                     problem="Ring me on 07700 900123, I live at 14 Millbrook Road, NG7 2QP.")
    with app.app_context():
        from app.models import Idea
        from app.pii import flag_personal_information
        row = db.session.get(Idea, idea.id)
        flag_personal_information(row)
        db.session.commit()
    make_user("rep@example.org")
    make_user("ann@example.org", role=Role.ADMIN, display_name="Ann Admin")

    sign_in(page, "rep@example.org")
    page.goto(f"/ideas/{idea.id}")
    page.get_by_role("link", name="Report this idea").click()
    page.get_by_role("button", name="Send report").click()
    expect(page.page).to_have_title(re.compile("^Error:"))
    page.check_accessibility()
    page.get_by_label("It contains personal information").check()
    page.get_by_role("button", name="Send report").click()
    expect(page.get_by_text("Thank you. Staff will look at this idea.")).to_be_visible()

    sign_out(page)
    sign_in(page, "ann@example.org")
    page.goto("/staff/moderation")
    expect(page.get_by_text("a phone number, a house number and postcode")).to_be_visible()
    page.check_accessibility()
    page.get_by_label("Reason shown to the public").first.select_option(
        label="Personal information")
    page.get_by_role("button", name="Hide Fix the lights on Millbrook Road").first.click()
    expect(page.get_by_text("is hidden.")).to_be_visible()
    page.check_accessibility()

    sign_out(page)
    page.goto(f"/ideas/{idea.id}")
    expect(page.get_by_text("Hidden: personal information.")).to_be_visible()
    expect(page.get_by_text("07700")).to_have_count(0)
    page.check_accessibility()
    for path in ["/house-rules", "/open-data", f"/windows/{window.id}/shortlist"]:
        page.goto(path)
        page.check_accessibility()

    sign_in(page, "ann@example.org")
    page.goto("/admin/audit")
    expect(page.get_by_text("Hid idea")).to_be_visible()
    page.check_accessibility()
    page.get_by_label("From").fill("1/1/2026")
    page.get_by_role("button", name="Filter").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download these entries as CSV").click()
    assert download.value.suggested_filename.startswith("audit-log-")
    page.goto(f"/admin/windows/{window.id}/criteria")
    page.check_accessibility()
    page.goto("/staff/decision-templates")
    page.check_accessibility()
    page.get_by_role("link", name="Change Low feasibility").click()
    page.check_accessibility()
    page.get_by_label("Name").fill("Not feasible yet")
    page.get_by_role("button", name="Save template").click()
    expect(page.get_by_text("The template “Not feasible yet” is saved")).to_be_visible()
    page.get_by_role("link", name="Change Not feasible yet").click()
    page.get_by_role("link", name="Delete this template").click()
    page.check_accessibility()
    page.get_by_role("button", name="Delete template").click()
    expect(page.get_by_text("The template “Not feasible yet” is deleted")).to_be_visible()
    expect(page.get_by_role("link", name="Change Not feasible yet")).to_have_count(0)


def test_a_refused_bulk_decision_keeps_the_form_and_the_template_words_follow_the_template(
        page, make_user, make_window, make_idea):
    window = make_window(stage="review", title="Winter 2026 ideas")
    idea = make_idea(window, make_user(), title="Free parking for everyone in the centre")
    make_user("sam@example.org", role=Role.STAFF)
    sign_in(page, "sam@example.org")
    page.goto(f"/staff/windows/{window.id}/review")
    page.get_by_label(f"Select {idea.title}").check()
    page.get_by_label("Decision", exact=True).select_option(label="Not a data project")
    page.get_by_label("Template").select_option(label="Data not available (Not taken forward)")
    reason = page.get_by_label("Public reason")
    expect(reason).to_have_value(re.compile("^The data this idea needs"))
    page.get_by_label("Where it was sent instead (not a data project)").fill("Parking team")
    page.get_by_role("button", name="Save decision").click()
    expect(page.get_by_role("alert")).to_contain_text("is for “Not taken forward”")
    page.check_accessibility()
    expect(page.get_by_label(f"Select {idea.title}")).to_be_checked()
    # The box holds the refused template's own words, so choosing the right template
    # replaces them rather than keeping them under another decision.
    page.get_by_label("Template").select_option(label="Service request (Not a data project)")
    expect(reason).to_have_value(re.compile("^This is a request for a service"))
    page.get_by_role("button", name="Save decision").click()
    # Asks first: decisions are public and every follower is told at once.
    expect(page.get_by_role("heading", name="Save this decision for 1 idea?")).to_be_visible()
    expect(page.get_by_text("Parking team")).to_be_visible()
    page.check_accessibility()
    page.get_by_role("button", name="Save decision for 1 idea").click()
    expect(page.get_by_text("Decision saved for 1 idea")).to_be_visible()


def test_one_idea_keeps_typed_scores_through_a_refused_decision_and_a_cancelled_one(
        page, app, make_user, make_window, make_idea):
    window = make_window(stage="review", title="Winter 2026 ideas")
    idea = make_idea(window, make_user(), title="Free parking for everyone in the centre")
    make_user("sam@example.org", role=Role.STAFF)
    sign_in(page, "sam@example.org")
    page.goto(f"/staff/ideas/{idea.id}/review")
    with app.app_context():
        first = db.session.scalars(select(Criterion).where(Criterion.window_id == window.id)
                                   .order_by(Criterion.position)).first()
    score = page.get_by_role("group", name=first.name, exact=True).get_by_label("2: yes")
    note = page.get_by_label(f"Note on “{first.name}” (optional)")
    score.check()
    note.fill("Clear enough")

    # A decision refused for want of a reason: the scores typed above it are still there.
    decision = page.get_by_label("Decision", exact=True)
    decision.select_option(label="Not taken forward")
    page.get_by_role("button", name="Save decision").click()
    expect(page.page).to_have_title(re.compile("^Error:"))
    expect(page.get_by_role("link", name="Give a reason everyone can read")).to_be_visible()
    expect(score).to_be_checked()
    expect(note).to_have_value("Clear enough")
    expect(page.get_by_text("These scores are not saved yet.")).to_be_visible()
    page.check_accessibility()

    # Cancel on the check page: back to the decision with the words and the scores.
    reason = page.get_by_label("Public reason")
    reason.fill("Parking charges are not a data question.")
    page.get_by_role("button", name="Save decision").click()
    expect(page.get_by_role("heading", name=re.compile("^Save this decision for"))) \
        .to_be_visible()
    expect(page.get_by_text("Nobody: nobody else follows this idea")).to_be_visible()
    page.check_accessibility()
    page.get_by_role("button", name="Cancel").click()
    expect(reason).to_have_value("Parking charges are not a data question.")
    expect(decision).to_have_value("not_taken_forward")
    expect(score).to_be_checked()
    expect(note).to_have_value("Clear enough")
    page.check_accessibility()

    # Enter in "Where it was sent instead" presses that part's button, not "Save your scores".
    decision.select_option(label="Not a data project")
    page.get_by_label("Where it was sent instead").fill("Parking services")
    page.get_by_label("Where it was sent instead").press("Enter")
    expect(page.get_by_role("heading", name=re.compile("^Save this decision for"))) \
        .to_be_visible()
    page.get_by_role("button", name="Confirm decision").click()
    expect(page.get_by_text("is now: Not a data project")).to_be_visible()
    expect(score).to_be_checked()  # still not saved, and still there
    expect(page.get_by_text("These scores are not saved yet.")).to_be_visible()
    page.check_accessibility()
