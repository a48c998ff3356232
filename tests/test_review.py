"""Staff review: reports and moderation, personal-information flags, pre-moderation, the
review queue with its bulk actions, feasibility assessments, notes, decisions, the audit log
and its export."""

import csv
import io
import json
import re

import pytest
from sqlalchemy import func, select, update

from app.extensions import db
from app.models import (
    AuditEvent,
    Criterion,
    Idea,
    IdeaStatus,
    IdeaWindow,
    Notification,
    Report,
    ReportStatus,
    Role,
    Source,
    StaffNote,
    Support,
)
from app.pii import find_personal_information
from app.review.assessments import criteria_for
from tests.support.factories import PASSWORD
from tests.support.forms import csrf_token, hidden_fields, submit, text


def add_supports(app, idea, users):
    """People supporting an idea, as the voting service would leave the supports (it also
    makes them follow the idea, which this leaves to `follows`)."""
    with app.app_context():
        for user in users:
            db.session.add(Support(idea_id=idea.id, user_id=user.id, window_id=idea.window_id))
        db.session.commit()


def follows(app, user, *ideas):
    """The user follows the ideas (authors do from the moment they publish)."""
    from app.models import Follow

    with app.app_context():
        for idea in ideas:
            db.session.add(Follow(user_id=user.id, idea_id=idea.id))
        db.session.commit()


def audit_actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def fresh(app, model, key):
    with app.app_context():
        row = db.session.get(model, key)
        db.session.expunge(row)
        return row


@pytest.fixture
def staff(make_user):
    return make_user("sam@example.org", role=Role.STAFF, display_name="Sam Staff")


@pytest.fixture
def voting(make_window, make_user, make_idea):
    window = make_window(stage="voting")
    author = make_user("rosa@example.org", display_name="Rosa")
    idea = make_idea(window, author, title="Light the canal towpath at night",
                     problem="The towpath is pitch dark after 5pm in winter.")
    return window, author, idea


def as_user(app, email):
    other = app.test_client()
    submit(other, "/sign-in", {"email": email, "password": PASSWORD})
    return other


def decide_on(client, idea, fields: dict, button: str = "confirm-decision"):
    """Ask for a decision on an idea's assessment page, then press Confirm (or Cancel) on the
    page that asks first."""
    url = f"/staff/ideas/{idea.id}/review"
    check = text(submit(client, url, {"form": "decision", **fields}))
    assert "Save this decision for" in check, "no check page"
    assert ("The scores you typed are not saved yet" in check) == any(
        name.startswith("score-") for name in fields)
    return submit(client, url, {**hidden_fields(check), "form": button})


# ---- Personal information -----------------------------------------------------------------

@pytest.mark.parametrize("sample, kinds", [
    ("Email me at rosa.b@example.org about it", ["email"]),
    ("Ring 07700 900123 any evening", ["phone"]),
    ("Call +44 20 7946 0018 please", ["phone"]),
    ("Call (0161) 496 0000 or +44 (0)161 496 0001", ["phone"]),
    ("Come to 27, SW1A 2AA", ["address"]),
    ("Flat 3b Oak House NG7 2QP", ["address"]),
    ("Call 101 or 999 in an emergency; ward 12 has 3,400 homes", []),
    ("A budget of £1,250,000 for 2026/27 and 14000000 journeys", []),
    ("I live at 14 Millbrook Road, NG7 2QP and the drain floods", ["address"]),
    ("The bins on Millbrook Road in NG7 are never emptied", []),
    ("Around 2,000 people use the 36 bus every day since 2019", []),
    ("Potholes on the A610 near junction 26", []),
])
def test_what_looks_like_personal_information(sample, kinds):
    assert find_personal_information(sample) == kinds


def test_personal_information_is_flagged_to_staff_when_an_idea_is_saved(
        app, client, auth, make_user, make_window, staff):
    window = make_window(stage="open")
    make_user("rosa@example.org")
    auth.sign_in("rosa@example.org")
    response = submit(client, f"/windows/{window.id}/submit/myself", {
        "title": "Flooding outside my house", "consent": "y",
        "problem": "Water pours off 14 Millbrook Road, NG7 2QP. Call me on 07700 900123."})
    idea_id = int(response.request.path.split("/")[2])
    submit(client, f"/ideas/{idea_id}/publish", {}, page=f"/ideas/{idea_id}/check")
    assert fresh(app, Idea, idea_id).pii_flags == ["phone", "address"]

    staff_client = as_user(app, "sam@example.org")
    page = text(staff_client.get("/staff/moderation"))
    assert "Flooding outside my house" in page
    assert "a phone number, a house number and postcode" in page
    response = submit(staff_client, f"/staff/ideas/{idea_id}/clear-flags", {},
                      page="/staff/moderation")
    assert "is marked as checked" in text(response)
    assert fresh(app, Idea, idea_id).pii_flags is None
    assert "idea.clear_flags" in audit_actions(app)


def test_moderators_take_personal_information_out_of_an_idea(app, client, auth, make_user,
                                                             make_window, make_idea, staff,
                                                             runner, mailbox):
    from app.models import AuditEvent

    window = make_window(stage="voting")
    author = make_user("rosa@example.org")
    problem = "Water pours off 14 Millbrook Road, NG7 2QP. Call me on 07700 900123."
    idea = make_idea(window, author, title="Flooding outside my house", problem=problem)
    with app.app_context():
        row = db.session.get(Idea, idea.id)
        from app.pii import flag_personal_information
        flag_personal_information(row)
        db.session.commit()
    staff_client = as_user(app, "sam@example.org")
    page = text(staff_client.get("/staff/moderation"))
    url = f"/staff/ideas/{idea.id}/personal-information"
    assert f'href="{url}"' in page
    page = text(staff_client.get(url))
    assert "Take personal information out of this idea" in page
    assert "a phone number, a house number and postcode" in page
    assert "07700 900123" in page  # the words to edit, as they are
    # A mistake keeps what was typed.
    page = text(submit(staff_client, url, {"title": "Short", "problem": "Water pours off."}))
    assert "Title must be between 10 and 120 characters" in page
    assert "Water pours off.</textarea>" in page
    response = submit(staff_client, url, {"title": "Flooding outside my house",
                                          "problem": "Water pours off a house on my road."})
    assert "is edited (problem) and its author is told" in text(response)
    row = fresh(app, Idea, idea.id)
    assert row.problem == "Water pours off a house on my road." and row.pii_flags is None
    public = text(client.get(f"/ideas/{idea.id}"))
    assert "07700" not in public and "Moderators edited it on" in public
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "idea.redact"))
        assert event.before == {"changed": ["problem"]}
        assert "07700" not in json.dumps([event.summary, event.before, event.after])
    runner.invoke(args=["notifications", "send"])
    body = mailbox.body(mailbox.last_to("rosa@example.org"))
    assert "Moderators edited your idea “Flooding outside my house” to take out personal " \
        "information (problem)" in body
    # Saving the same words again writes nothing.
    response = submit(staff_client, url, {"title": "Flooding outside my house",
                                          "problem": "Water pours off a house on my road."})
    assert "Nothing changed" in text(response)
    assert audit_actions(app).count("idea.redact") == 1


def test_taking_personal_information_out_also_takes_it_out_of_stored_messages(
        app, make_user, make_window, make_idea, staff):
    """Notifications and emails not sent yet quote an idea's title: redaction rewrites them
    (those about the idea merged into it too) and its timeline's reasons; a sent email
    cannot be recalled and stays as it went."""
    from app.intake.services import record_status
    from app.models import OutboxEmail, OutboxStatus
    from app.review.moderation import remove_personal_information
    from app.triage.merging import merge

    window = make_window(stage="voting")
    author = make_user("rosa@example.org")
    fred, gail, hana = (make_user(f"{name}@example.org") for name in ("fred", "gail", "hana"))
    old_title, new_title = "Ring Rosa on 07700 900123 about the towpath", "Light the towpath"
    idea = make_idea(window, author, title=old_title, problem="The towpath is dark at night.")
    duplicate = make_idea(window, author, title="Lamps along the canal towpath")
    follows(app, fred, idea)
    follows(app, gail, idea)
    add_supports(app, duplicate, [hana])
    with app.test_request_context():
        row, actor = db.session.get(Idea, idea.id), db.session.get(type(staff), staff.id)
        record_status(row, IdeaStatus.UNDER_REVIEW, actor,
                      reason=f"Staff are checking “{old_title}” with the canal trust.")
        merge(actor, db.session.get(Idea, duplicate.id), row)  # tells Hana, quoting the title
        db.session.commit()
        gails = db.session.scalar(select(OutboxEmail).where(OutboxEmail.user_id == gail.id))
        gails.status = OutboxStatus.SENT
        db.session.commit()
        assert db.session.scalar(select(func.count(OutboxEmail.id)).where(
            OutboxEmail.body.contains("07700"))) == 3  # Fred's, Gail's and Hana's
        changed = remove_personal_information(actor, row, {
            "title": new_title, "problem": row.problem, "action": row.action, "data": row.data})
        assert changed == ["title"]

        messages = list(db.session.scalars(select(Notification.message)))
        assert len(messages) == 4 and not [m for m in messages if "07700" in m]
        assert f"“{new_title}” is now: Under review." in messages[0]
        assert f"was merged into “{new_title}”" in " ".join(messages)
        emails = {e.user_id: e for e in db.session.scalars(select(OutboxEmail))}
        for person in (fred, hana):
            email = emails[person.id]
            assert email.status == OutboxStatus.QUEUED
            assert "07700" not in email.subject + email.body
            assert new_title in email.subject and new_title in email.body
        assert "07700" in emails[gail.id].subject and "07700" in emails[gail.id].body
        reasons = [c.reason or "" for c in db.session.get(Idea, idea.id).status_changes]
        assert f"checking “{new_title}”" in " ".join(reasons) and "07700" not in str(reasons)
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "idea.redact"))
        assert event.before == {"changed": ["title"]}
        assert "07700" not in json.dumps([event.summary, event.before, event.after])


def test_short_old_answers_are_not_swapped_into_messages(app, make_user, make_window,
                                                         make_idea, staff):
    """An answer shorter than a title could be ordinary words of a message: only the title
    and longer answers are looked for."""
    from app.review.moderation import remove_personal_information

    window = make_window(stage="voting")
    author = make_user("rosa@example.org")
    idea = make_idea(window, author, title="Light the canal towpath", problem="Dark now.")
    fred = make_user("fred@example.org")
    follows(app, fred, idea)
    with app.test_request_context():
        from app.voting.notifications import notify_people

        row = db.session.get(Idea, idea.id)
        notify_people(row, "Dark now. Staff will look at it.", {fred.id})
        db.session.commit()
        remove_personal_information(db.session.get(type(staff), staff.id), row, {
            "title": row.title, "problem": "Unlit.", "action": "", "data": ""})
        assert db.session.scalar(select(Notification.message).where(
            Notification.user_id == fred.id)) == "Dark now. Staff will look at it."


# ---- Reports, hiding and restoring -----------------------------------------------------------

def test_hiding_suggests_the_reason_most_reports_give():
    from types import SimpleNamespace

    from app.models import ReportReason
    from app.review.moderation import likely_reason

    def reports(*reasons):
        return [SimpleNamespace(reason=ReportReason(r)) for r in reasons]

    assert likely_reason(reports("not_an_idea", "spam", "spam")) == "spam"
    assert likely_reason(reports("not_an_idea", "spam")) == "not_an_idea"
    assert likely_reason([]) == ""


def test_a_report_reaches_staff_who_hide_the_idea_with_a_public_reason(
        app, client, auth, make_user, voting, staff, runner, mailbox):
    window, author, idea = voting
    reporter = make_user("rep@example.org")
    supporter = make_user("sue@example.org")
    add_supports(app, idea, [supporter])
    assert client.get(f"/ideas/{idea.id}/report").status_code == 302  # sign in first
    auth.sign_in("rep@example.org")
    assert "Report this idea" in text(client.get(f"/ideas/{idea.id}"))
    response = submit(client, f"/ideas/{idea.id}/report", {})
    assert "Select why staff should look at this idea" in text(response)
    response = submit(client, f"/ideas/{idea.id}/report", {
        "reason": "personal_information", "details": "It names my neighbour."})
    assert "Thank you. Staff will look at this idea." in text(response)
    response = submit(client, f"/ideas/{idea.id}/report", {"reason": "spam"})
    assert "You have already reported this idea" in text(response)

    staff_client = as_user(app, "sam@example.org")
    page = text(staff_client.get("/staff/moderation"))
    assert "It names my neighbour." in page and "Light the canal towpath" in page
    assert '<option value="personal_information" selected>' in page  # the report's reason
    response = submit(staff_client, f"/staff/ideas/{idea.id}/hide",
                      {"reason": "", "section": "reported"}, page="/staff/moderation")
    page = text(response)  # the error by the select it is about, and in an error summary
    assert "<title>Error: Moderation" in page
    assert f'href="#hide-reason-reported-{idea.id}">Select a reason to hide' in page
    assert f'id="hide-reason-reported-{idea.id}-error"' in page
    response = submit(staff_client, f"/staff/ideas/{idea.id}/hide",
                      {"reason": "personal_information"}, page="/staff/moderation")
    assert "is hidden" in text(response)

    public = text(app.test_client().get(f"/ideas/{idea.id}"))
    assert "This idea has been hidden" in public and "Hidden: personal information." in public
    assert "pitch dark" not in public and "Light the canal towpath" not in public
    assert "Light the canal towpath" not in text(app.test_client().get(f"/windows/{window.id}"))
    own = text(as_user(app, "rosa@example.org").get(f"/ideas/{idea.id}"))
    assert "Only its author and staff can read it" in own and "pitch dark" in own
    # Supports are frozen: nobody can add or take one back.
    sue = as_user(app, "sue@example.org")
    sue.post(f"/ideas/{idea.id}/unsupport",
             data={"csrf_token": csrf_token(sue, "/account")})
    assert fresh(app, Idea, idea.id).support_count == 1
    with app.app_context():
        report = db.session.scalar(select(Report))
        assert report.status == ReportStatus.ACTIONED and report.decided_by_id == staff.id
    runner.invoke(args=["notifications", "send"])
    body = mailbox.body(mailbox.last_to("rosa@example.org"))
    assert "has been hidden by moderators: personal information" in body
    assert "Read the house rules" in body and "/house-rules" in body
    assert "rep@example.org" not in body and reporter.display_name not in body

    response = submit(staff_client, f"/staff/ideas/{idea.id}/restore", {},
                      page="/staff/moderation")
    assert "is visible again" in text(response)
    assert "pitch dark" in text(app.test_client().get(f"/ideas/{idea.id}"))
    assert audit_actions(app)[-2:] == ["idea.hide", "idea.restore"]


def test_staff_can_dismiss_reports_and_the_idea_stays(app, client, auth, make_user, voting,
                                                      staff):
    _window, _author, idea = voting
    make_user("rep@example.org")
    auth.sign_in("rep@example.org")
    submit(client, f"/ideas/{idea.id}/report", {"reason": "spam"})
    staff_client = as_user(app, "sam@example.org")
    response = submit(staff_client, f"/staff/ideas/{idea.id}/dismiss-reports", {},
                      page="/staff/moderation")
    assert "are dismissed" in text(response) and "No open reports." in text(response)
    assert fresh(app, Idea, idea.id).hidden_at is None
    # The reporter may report again after a dismissal.
    response = submit(client, f"/ideas/{idea.id}/report", {"reason": "offensive"})
    assert "Thank you" in text(response)


# ---- Pre-moderation ---------------------------------------------------------------------------

def test_in_a_premoderated_window_ideas_wait_for_approval(app, client, auth, make_user,
                                                          make_window, staff, runner, mailbox):
    window = make_window(stage="open")
    staff_client = as_user(app, "sam@example.org")
    page = text(staff_client.get(f"/staff/windows/{window.id}/edit"))
    assert "Check each idea before it appears" in page
    with app.app_context():
        db.session.execute(update(IdeaWindow).where(IdeaWindow.id == window.id)
                           .values(premoderation=True))
        db.session.commit()
    make_user("rosa@example.org")
    auth.sign_in("rosa@example.org")
    response = submit(client, f"/windows/{window.id}/submit/myself", {
        "title": "Light the canal towpath at night", "problem": "It is dark.", "consent": "y"})
    idea_id = int(response.request.path.split("/")[2])
    assert "staff check each idea before it appears" in text(response)  # said before publishing
    response = submit(client, f"/ideas/{idea_id}/publish", {}, page=f"/ideas/{idea_id}/check")
    assert "Your idea has been sent" in text(response)
    assert "Waiting to be checked" in text(client.get(f"/ideas/{idea_id}"))
    assert app.test_client().get(f"/ideas/{idea_id}").status_code == 404
    assert "Light the canal" not in text(app.test_client().get(f"/windows/{window.id}"))

    assert "Light the canal towpath" in text(staff_client.get("/staff/moderation"))
    response = submit(staff_client, f"/staff/ideas/{idea_id}/approve", {},
                      page="/staff/moderation")
    assert "is approved and now public" in text(response)
    assert app.test_client().get(f"/ideas/{idea_id}").status_code == 200
    assert "Light the canal" in text(app.test_client().get(f"/windows/{window.id}"))
    runner.invoke(args=["notifications", "send"])
    assert "checked by staff and is now public" in mailbox.body(
        mailbox.last_to("rosa@example.org"))


def test_premoderation_is_set_on_the_window_form(app, make_window, staff):
    from tests.test_intake_windows import window_form

    staff_client = as_user(app, "sam@example.org")
    response = submit(staff_client, "/staff/windows/new", window_form(premoderation="y"))
    assert response.status_code == 200
    with app.app_context():
        window = db.session.scalar(select(IdeaWindow).order_by(IdeaWindow.id.desc()))
        assert window.premoderation is True
    page = text(staff_client.get(f"/staff/windows/{window.id}/edit"))
    assert 'name="premoderation" type="checkbox" value="y" checked' in page


# ---- The review queue -----------------------------------------------------------------------

@pytest.fixture
def review_window(make_window, make_user, make_idea, make_organisation):
    window = make_window(stage="review")
    rosa = make_user("rosa@example.org", display_name="Rosa")
    council = make_organisation("Northgate Council")
    ideas = [
        make_idea(window, rosa, title="Light the canal towpath at night",
                  published_days_ago=30),
        make_idea(window, rosa, title="Predict which streets flood", published_days_ago=29),
        make_idea(window, rosa, title="Find empty homes from council tax data",
                  source=Source.COUNCIL, organisation=council, published_days_ago=28),
    ]
    return window, rosa, ideas


def score_form(criteria, scores, notes=None) -> dict:
    data = {"form": "scores"}
    for criterion, score in zip(criteria, scores, strict=True):
        if score is not None:
            data[f"score-{criterion.id}"] = str(score)
        data[f"note-{criterion.id}"] = (notes or {}).get(criterion.id, "")
    return data


def window_criteria(app, window):
    with app.app_context():
        rows = criteria_for(db.session.get(IdeaWindow, window.id))
        for row in rows:
            db.session.expunge(row)
        return rows


def test_the_queue_filters_and_assigns_in_bulk(app, review_window, staff, make_user):
    window, _rosa, (towpath, flood, homes) = review_window
    make_user("ann@example.org", role=Role.ADMIN, display_name="Ann Admin")
    staff_client = as_user(app, "sam@example.org")
    queue = f"/staff/windows/{window.id}/review"
    page = text(staff_client.get(queue))
    assert "3 ideas" in page and all(i.title in page for i in (towpath, flood, homes))
    page = text(staff_client.get(queue + "?source=council"))
    assert "Find empty homes" in page and "Light the canal" not in page

    response = submit(staff_client, queue, {"ideas": [towpath.id, flood.id], "action": "assign",
                                            "reviewer": staff.id, "back": queue})
    assert "Assigned 2 ideas to Sam Staff" in text(response)
    page = text(staff_client.get(queue + "?view=mine"))
    assert "Light the canal" in page and "Predict which streets" in page
    assert "Find empty homes" not in page
    response = submit(staff_client, queue, {"action": "assign", "reviewer": staff.id})
    assert "Select at least one idea" in text(response)
    # Enter in a text box presses the first button, Assign, with no reviewer chosen: that is
    # an error, not "assign to nobody", and the reviewer stays.
    response = submit(staff_client, queue, {"ideas": [towpath.id], "action": "assign",
                                            "reviewer": "", "signposted_to": "Highways team"})
    assert "Choose a reviewer, or “Nobody”" in text(response)
    assert 'value="Highways team"' in text(response)
    assert fresh(app, Idea, towpath.id).assigned_to_id == staff.id
    response = submit(staff_client, queue, {"ideas": [flood.id], "action": "assign",
                                            "reviewer": "nobody", "back": queue})
    assert "Assigned 1 idea to nobody" in text(response)
    assert fresh(app, Idea, flood.id).assigned_to_id is None

    criteria = window_criteria(app, window)
    submit(staff_client, f"/staff/ideas/{towpath.id}/review", score_form(criteria, [2] * 9))
    page = text(staff_client.get(queue + "?view=assessed"))
    assert "Light the canal" in page and "Predict which" not in page and "100%" in page
    page = text(staff_client.get(queue + "?view=not-assessed"))
    assert "Light the canal" not in page and "Predict which" in page
    assert audit_actions(app).count("idea.assign") == 3


def test_bulk_decisions_use_a_template_and_tell_followers(app, review_window, staff, runner,
                                                          mailbox):
    window, rosa, (towpath, flood, homes) = review_window
    follows(app, rosa, towpath, flood, homes)
    staff_client = as_user(app, "sam@example.org")
    queue = f"/staff/windows/{window.id}/review"
    page = text(staff_client.get(queue))
    assert "Data not available (Not taken forward)" in page
    with app.app_context():
        from app.models import DecisionTemplate
        template = db.session.scalar(select(DecisionTemplate)
                                     .where(DecisionTemplate.name == "Data not available"))
    chosen = {"ideas": [towpath.id, flood.id], "action": "decide", "template": template.id}
    page = text(submit(staff_client, queue, chosen))  # asks first, showing what goes out
    assert "Save this decision for 2 ideas?" in page
    assert "not held by the councils" in page and "Not taken forward" in page
    told = re.search(r"Told in the app</dt>\s*<dd[^>]*>([^<]*)</dd>", page).group(1)
    assert told.startswith(f"{told_about(app, towpath, flood)} these ideas")
    assert re.search(r"Told by email</dt>\s*<dd[^>]*>\d+ of \d+", page)
    assert fresh(app, Idea, towpath.id).status == IdeaStatus.SUBMITTED  # not yet
    response = submit(staff_client, queue, {**chosen, "confirmed": "1"})
    assert "Decision saved for 2 ideas" in text(response)
    for idea in (towpath, flood):
        row = fresh(app, Idea, idea.id)
        assert row.status == IdeaStatus.NOT_TAKEN_FORWARD
    public = text(app.test_client().get(f"/ideas/{towpath.id}"))
    assert "Not taken forward" in public and "not held by the councils" in public
    assert fresh(app, Idea, homes.id).status == IdeaStatus.SUBMITTED
    runner.invoke(args=["notifications", "send"])
    body = mailbox.body(mailbox.last_to("rosa@example.org"))
    assert "Not taken forward" in body and "not held by the councils" in body
    assert audit_actions(app).count("idea.decide") == 2

    response = submit(staff_client, queue, {"ideas": [homes.id], "action": "decide",
                                            "status": "not_taken_forward", "reason": "x" * 2001})
    assert "The reason must be 2,000 characters or fewer" in text(response)
    # Nothing to change is an error, not "saved for 0 ideas"; some unchanged ones are named.
    response = submit(staff_client, queue, {"ideas": [towpath.id], "action": "decide",
                                            "template": template.id})
    assert "Nothing changed: the selected ideas are withdrawn or merged" in text(response)
    # A template made for another decision is refused, so its words never go out under it.
    response = submit(staff_client, queue, {"ideas": [homes.id], "action": "decide",
                                            "status": "not_a_data_project",
                                            "template": template.id,
                                            "signposted_to": "Housing team"})
    assert ("The template “Data not available” is for “Not taken forward”. Choose that "
            "decision, or another template") in text(response)
    assert fresh(app, Idea, homes.id).status == IdeaStatus.SUBMITTED
    response = submit(staff_client, queue, {"ideas": [towpath.id, homes.id], "action": "decide",
                                            "template": template.id, "back": queue,
                                            "confirmed": "1"})
    assert ("Decision saved for 1 idea. Their followers will be told. 1 other selected idea "
            "stayed as it was (withdrawn, merged or already with this decision).") in text(response)
    assert fresh(app, Idea, homes.id).status == IdeaStatus.NOT_TAKEN_FORWARD

    # "Not a data project" needs a reason and where it went.
    response = submit(staff_client, queue, {"ideas": [homes.id], "action": "decide",
                                            "status": "not_a_data_project",
                                            "reason": "A service request."})
    assert "Say where the idea was sent instead" in text(response)
    submit(staff_client, queue, {"ideas": [homes.id], "action": "decide",
                                 "status": "not_a_data_project", "reason": "A service request.",
                                 "signposted_to": "Northgate Housing team", "confirmed": "1"})
    assert fresh(app, Idea, homes.id).signposted_to == "Northgate Housing team"
    assert "Sent to: Northgate Housing team" in text(app.test_client().get(f"/ideas/{homes.id}"))


# ---- Assessing one idea -----------------------------------------------------------------------

def test_reviewers_score_side_by_side_and_see_the_mean(app, review_window, staff, make_user):
    window, _rosa, (towpath, *_rest) = review_window
    make_user("ann@example.org", role=Role.ADMIN, display_name="Ann Admin")
    criteria = window_criteria(app, window)
    assert [c.heading for c in criteria] == ["problem"] * 3 + ["action"] * 3 + ["data"] * 3
    sam = as_user(app, "sam@example.org")
    url = f"/staff/ideas/{towpath.id}/review"
    page = text(sam.get(url))
    assert "Nobody has scored this idea yet" in page
    assert "The problem is specific" in page  # the stored wording, shown to reviewers

    # A missing score is an error, and what was typed is kept.
    response = submit(sam, url, score_form(criteria, [2] * 8 + [None],
                                           {criteria[0].id: "Clear and local"}))
    page = text(response)
    assert response.status_code == 200 and page.startswith("<!DOCTYPE html>")
    assert "<title>Error:" in page and f"Score “{criteria[8].name}” 0, 1 or 2" in page
    assert "Clear and local</textarea>" in page
    submit(sam, url, score_form(criteria, [2, 2, 2, 1, 1, 1, 0, 0, 0],
                                {criteria[0].id: "Clear and local"}))
    assert "9 out of 18 (50%)</span>: one reviewer’s total." in text(sam.get(url))
    ann = as_user(app, "ann@example.org")
    submit(ann, url, score_form(criteria, [1] * 9))
    page = text(ann.get(url))
    assert "2 reviewers" in page and "Sam Staff" in page and "Ann Admin" in page
    assert "Clear and local" in page
    assert ">1.5<" in page  # criterion 1: (2 + 1) / 2
    assert ">0.5<" in page  # criterion 7: (0 + 1) / 2
    assert ">9<" in page  # totals 9 and 9, one decimal place at most as everywhere
    assert "9 out of 18 (50%)</span>: the mean of the 2 reviewers’ totals." in page
    # Changing your scores replaces them; it never adds a third reviewer.
    submit(sam, url, score_form(criteria, [2] * 9))
    page = text(sam.get(url))
    assert "2 reviewers" in page and ">13.5<" in page
    assert audit_actions(app).count("idea.assess") == 3
    with app.app_context():  # the audit log names each criterion, as well as its id
        last = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "idea.assess")
                                  .order_by(AuditEvent.id.desc())).first()
        key = f"{criteria[0].name} (#{criteria[0].id})"
        assert last.before[key] == [2, "Clear and local"] and last.after[key] == [2, ""]


def test_scoring_an_idea_without_a_reviewer_makes_you_its_reviewer(app, review_window, staff,
                                                                    make_user):
    window, _rosa, (towpath, flood, _homes) = review_window
    ann_user = make_user("ann@example.org", role=Role.ADMIN, display_name="Ann Admin")
    criteria = window_criteria(app, window)
    sam, ann = as_user(app, "sam@example.org"), as_user(app, "ann@example.org")
    url = f"/staff/ideas/{towpath.id}/review"
    assert ("This idea has no reviewer yet. When you save your scores, you become its "
            "reviewer.") in text(sam.get(url))
    page = text(submit(sam, url, score_form(criteria, [1] * 9)))
    assert "Your scores are saved. You are now this idea’s reviewer." in page
    assert fresh(app, Idea, towpath.id).assigned_to_id == staff.id
    # A second reviewer's scores count alongside; the idea stays with its reviewer, and the
    # page says whose it is, before and after.
    page = text(ann.get(url))
    assert ("Sam Staff is this idea’s reviewer. Your scores count alongside theirs, and the "
            "idea stays with them.") in page and "no reviewer yet" not in page
    page = text(submit(ann, url, score_form(criteria, [2] * 9)))
    assert ("Your scores are saved. Sam Staff is this idea’s reviewer: your scores count "
            "alongside theirs.") in page
    assert fresh(app, Idea, towpath.id).assigned_to_id == staff.id
    # Changing your own scores says nothing more.
    page = text(submit(sam, url, score_form(criteria, [2] * 9)))
    assert "Your scores are saved.</p>" in page and "You are now" not in page
    # An idea assigned to someone by hand stays theirs when another person scores it.
    queue = f"/staff/windows/{window.id}/review"
    submit(sam, queue, {"ideas": [flood.id], "action": "assign", "reviewer": ann_user.id,
                        "back": queue})
    page = text(submit(sam, f"/staff/ideas/{flood.id}/review", score_form(criteria, [1] * 9)))
    assert "Ann Admin is this idea’s reviewer" in page
    assert fresh(app, Idea, flood.id).assigned_to_id == ann_user.id
    with app.app_context():  # one entry for the reviewer scoring made, with who and why
        made = list(db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "idea.assign", AuditEvent.actor_id == staff.id,
            AuditEvent.target_id == str(towpath.id))))
        assert len(made) == 1 and made[0].before == {"assigned_to": None}
        assert made[0].after == {"assigned_to": staff.id}
        assert "who scored it" in made[0].summary
        assert db.session.scalar(select(func.count(AuditEvent.id)).where(
            AuditEvent.action == "idea.assign")) == 2  # that one, and Ann by hand


def test_scoring_never_takes_an_idea_assigned_a_moment_before(app, review_window, staff,
                                                              make_user):
    """The page was read when the idea had no reviewer; someone assigned it before the scores
    were saved. The assignment stands."""
    from app.models import User
    from app.review.assessments import save_assessment

    window, _rosa, (towpath, *_rest) = review_window
    ann = make_user("ann@example.org", role=Role.ADMIN, display_name="Ann Admin")
    criteria = window_criteria(app, window)
    with app.app_context():
        idea = db.session.get(Idea, towpath.id)
        assert idea.assigned_to_id is None  # as this session read it
        db.session.execute(update(Idea).where(Idea.id == towpath.id)
                           .values(assigned_to_id=ann.id)
                           .execution_options(synchronize_session=False))
        save_assessment(db.session.get(User, staff.id), idea,
                        {c.id: (1, "") for c in criteria})
        assert db.session.get(Idea, towpath.id).assigned_to_id == ann.id
    assert "idea.assign" not in audit_actions(app)


def test_the_assessment_screen_shows_everything_at_once(app, review_window, staff, make_user,
                                                        type_model):
    window, _rosa, (_towpath, _flood, homes) = review_window
    with app.app_context():
        idea = db.session.get(Idea, homes.id)
        idea.datasets = "Council tax records\nEmpty homes register"
        db.session.commit()
    add_supports(app, homes, [make_user(), make_user()])
    page = text(as_user(app, "sam@example.org").get(f"/staff/ideas/{homes.id}/review"))
    assert "Council tax records" in page and "Empty homes register" in page
    assert "Northgate Council" in page
    assert "2 people counting ideas merged into it" in page
    assert "Suggested by the model" in page and "Confirmed: none yet" in page
    assert "Not in a group" in page


def test_staff_notes_with_replies_are_private(app, review_window, staff, make_user):
    _window, _rosa, (towpath, *_rest) = review_window
    make_user("ann@example.org", role=Role.ADMIN, display_name="Ann Admin")
    url = f"/staff/ideas/{towpath.id}/review"
    sam = as_user(app, "sam@example.org")
    response = submit(sam, url, {"form": "note", "note-body": ""})
    assert "Enter a note" in text(response)
    submit(sam, url, {"form": "note", "note-body": "Canal & River Trust may hold lighting data."})
    # Sent again (a refresh of the page shown after saving): one note, not two.
    again = submit(sam, url, {"form": "note",
                              "note-body": "Canal & River Trust may hold lighting data."})
    assert "You added this note a moment ago, so it is not added again" in text(again)
    with app.app_context():
        assert db.session.scalar(select(func.count(StaffNote.id))) == 1
        note = db.session.scalar(select(StaffNote))
    ann = as_user(app, "ann@example.org")
    reply = f"reply-{note.id}"
    response = submit(ann, url, {"form": reply, f"{reply}-body": "",
                                 "note-body": "A new note, kept while the reply is fixed"})
    page = text(response)
    assert f'id="reply-{note.id}-error"' in page and "Enter your reply" in page
    assert ">A new note, kept while the reply is fixed</textarea>" in page
    response = submit(ann, url, {"form": reply, f"{reply}-body": "I will ask them."})
    page = text(response)
    assert "Your reply is added" in page and "Ann Admin</strong> replied" in page
    assert "Canal &amp; River Trust" in page
    assert "Canal" not in text(app.test_client().get(f"/ideas/{towpath.id}")).split("What has")[1]
    with app.app_context():
        assert db.session.scalar(select(func.count(StaffNote.id)).where(
            StaffNote.parent_id == note.id)) == 1
    assert audit_actions(app).count("idea.note") == 2


def test_scores_typed_but_not_saved_survive_a_refused_decision(app, review_window, staff):
    window, _rosa, (towpath, *_rest) = review_window
    criteria = window_criteria(app, window)
    sam = as_user(app, "sam@example.org")
    url = f"/staff/ideas/{towpath.id}/review"
    # The page is one form: pressing "Save decision" sends the scores typed above it too.
    typed = score_form(criteria, [2, 1, 0] + [None] * 6, {criteria[1].id: "Only one ward"})
    response = submit(sam, url, {**typed, "form": "decision",
                                 "decision-status": "not_taken_forward", "decision-reason": "",
                                 "note-body": "Ask the Canal & River Trust"})
    page = text(response)
    assert response.status_code == 200 and "<title>Error:" in page
    assert 'href="#decision-reason">Give a reason everyone can read' in page
    assert f'id="score-{criteria[0].id}-2" name="score-{criteria[0].id}" type="radio" ' \
           f'value="2" checked' in page
    assert f'id="score-{criteria[1].id}-1" name="score-{criteria[1].id}" type="radio" ' \
           f'value="1" checked' in page
    assert f'id="score-{criteria[2].id}" name="score-{criteria[2].id}" type="radio" ' \
           f'value="0" checked' in page
    assert ">Only one ward</textarea>" in page and ">Ask the Canal &amp; River Trust</textarea>" \
        in page
    assert "These scores are not saved yet." in page
    assert '<option value="not_taken_forward" selected>' in page
    assert not {"idea.assess", "idea.note", "idea.decide"} & set(audit_actions(app))


def test_saving_one_part_keeps_what_is_typed_in_the_others(app, review_window, staff):
    window, _rosa, (towpath, *_rest) = review_window
    criteria = window_criteria(app, window)
    sam = as_user(app, "sam@example.org")
    url = f"/staff/ideas/{towpath.id}/review"
    # Nothing typed elsewhere: saved, then back to the page as usual.
    response = submit(sam, url, score_form(criteria, [2] * 9), follow_redirects=False)
    assert response.status_code == 302 and response.headers["Location"].endswith("#feasibility")
    # A reason typed, then "Save your scores": the scores are saved and the words stay.
    response = submit(sam, url, {**score_form(criteria, [1] * 9), "form": "scores",
                                 "decision-reason": "Half typed", "decision-template": "0"},
                      follow_redirects=False)
    page = text(response)
    assert response.status_code == 200 and "Your scores are saved." in page
    assert ">Half typed</textarea>" in page and "<title>Error:" not in page
    assert "These scores are not saved yet." not in page
    assert fresh(app, Idea, towpath.id).status == IdeaStatus.SUBMITTED
    # Scores changed but not saved, then "Add note": the note is added and the scores stay.
    response = submit(sam, url, {**score_form(criteria, [0] * 9), "form": "note",
                                 "note-body": "Lighting data first"}, follow_redirects=False)
    page = text(response)
    assert response.status_code == 200 and "Your note is added." in page
    assert "These scores are not saved yet." in page
    assert f'name="score-{criteria[4].id}" type="radio" value="0" checked' in page
    assert "Lighting data first</div>" in page and "Lighting data first</textarea>" not in page
    # The saved scores, unchanged, count as nothing typed: back to the page.
    response = submit(sam, url, {**score_form(criteria, [1] * 9), "form": "note",
                                 "note-body": "Another note"}, follow_redirects=False)
    assert response.status_code == 302 and response.headers["Location"].endswith("#notes")
    assert [a for a in audit_actions(app) if a.startswith("idea.")] == [
        "idea.assess", "idea.assign", "idea.assess", "idea.note", "idea.note"]


def test_one_decision_from_the_assessment_screen(app, review_window, staff):
    _window, _rosa, (towpath, *_rest) = review_window
    sam = as_user(app, "sam@example.org")
    url = f"/staff/ideas/{towpath.id}/review"
    response = submit(sam, url, {"form": "decision", "decision-status": "not_taken_forward",
                                 "decision-reason": ""})
    assert "Give a reason everyone can read" in text(response)
    response = submit(sam, url, {"form": "decision", "decision-status": "",
                                 "decision-template": "0"})
    assert "Choose a decision or a template" in text(response)
    with app.app_context():
        from app.models import DecisionTemplate
        low = db.session.scalar(select(DecisionTemplate.id)
                                .where(DecisionTemplate.name == "Low feasibility"))
    response = submit(sam, url, {"form": "decision", "decision-status": "under_review",
                                 "decision-template": low})
    assert "The template “Low feasibility” is for “Not taken forward”" in text(response)
    assert fresh(app, Idea, towpath.id).status != IdeaStatus.UNDER_REVIEW
    response = decide_on(sam, towpath, {"decision-status": "under_review"})
    assert "is now: Under review" in text(response)
    response = submit(sam, url, {"form": "decision", "decision-status": "under_review"})
    assert "Nothing changed: this idea is withdrawn or merged, or already has this decision" \
        in text(response)
    assert fresh(app, Idea, towpath.id).status == IdeaStatus.UNDER_REVIEW


def test_the_page_that_asks_first_says_whether_supporters_are_told(
        app, review_window, staff, make_user):
    _window, _rosa, (towpath, flooding, *_rest) = review_window
    fred, ann = make_user(), make_user()
    add_supports(app, towpath, [fred, ann])
    follows(app, fred, towpath)
    follows(app, ann, towpath)  # as supporting does
    add_supports(app, flooding, [fred])
    sam = as_user(app, "sam@example.org")
    asked = {"form": "decision", "decision-status": "under_review"}
    page = text(submit(sam, f"/staff/ideas/{towpath.id}/review", asked))
    assert "Its 2 supporters are among them: supporting an idea follows it." in page
    page = text(submit(sam, f"/staff/ideas/{flooding.id}/review", asked))
    assert "Its supporter is not told: they do not follow it." in page


def test_a_decision_on_one_idea_asks_first_saying_what_goes_out_and_who_is_told(
        app, review_window, staff, make_user, runner, mailbox):
    from app.models import User

    _window, rosa, (towpath, *_rest) = review_window
    fred, quiet = make_user("fred@example.org"), make_user("quiet@example.org")
    with app.app_context():
        db.session.execute(update(User).where(User.id == quiet.id)
                           .values(email_notifications=False))
        db.session.commit()
    follows(app, rosa, towpath)
    follows(app, fred, towpath)
    follows(app, quiet, towpath)
    follows(app, staff, towpath)  # the person deciding is not told
    add_supports(app, towpath, [fred, make_user(), make_user()])
    sam = as_user(app, "sam@example.org")
    url = f"/staff/ideas/{towpath.id}/review"
    asked = {"form": "decision", "decision-status": "not_taken_forward",
             "decision-reason": "The lamps are Canal & River Trust’s to change."}
    response = submit(sam, url, asked)
    page = check = text(response)
    assert response.status_code == 200 and "<title>Error:" not in page
    assert "<title>Save this decision for “Light the canal towpath at night”?" in page
    assert ">Save this decision for “Light the canal towpath at night”?</h1>" in page
    assert ">Not taken forward</dd>" in page
    assert "The lamps are Canal &amp; River Trust’s to change." in page
    assert "3 people who follow this idea, its author among them" in page
    assert "2 of 3 (1 has turned emails off)" in page
    # Fred supports and follows it; the other two supporters stopped following.
    assert "2 of its 3 supporters are not told: they do not follow it." in page
    assert ">Confirm decision</button>" in page
    assert f'formaction="{url}#decision">Cancel</button>' in page
    # Nothing has happened yet, and a GET of the page never decides.
    sam.get(f"{url}?form=confirm-decision&shown-status=not_taken_forward&shown-reason=x")
    assert fresh(app, Idea, towpath.id).status == IdeaStatus.SUBMITTED
    assert "idea.decide" not in audit_actions(app)
    with app.app_context():
        assert db.session.scalar(select(func.count(Notification.id))) == 0

    response = submit(sam, url, {**hidden_fields(check), "form": "confirm-decision"},
                      follow_redirects=False)
    assert response.status_code == 302 and response.headers["Location"] == url
    page = text(sam.get(url))
    assert "“Light the canal towpath at night” is now: Not taken forward. Its followers will " \
           "be told." in page
    assert fresh(app, Idea, towpath.id).status == IdeaStatus.NOT_TAKEN_FORWARD
    assert audit_actions(app).count("idea.decide") == 1
    with app.app_context():
        told = set(db.session.scalars(select(Notification.user_id)))
    assert told == {rosa.id, fred.id, quiet.id}
    runner.invoke(args=["notifications", "send"])
    assert "Canal & River Trust" in mailbox.body(mailbox.last_to("fred@example.org"))
    assert not mailbox.to("quiet@example.org")
    # Confirming again (the back button, a second tab) decides nothing twice.
    response = submit(sam, url, {**hidden_fields(check), "form": "confirm-decision"})
    assert "Nothing changed: this idea is withdrawn or merged" in text(response)
    assert "The lamps are Canal &amp; River Trust’s to change.</textarea>" in text(response)
    assert audit_actions(app).count("idea.decide") == 1


def test_the_check_page_counts_nobody_when_nobody_else_follows(app, review_window, staff):
    _window, _rosa, (towpath, *_rest) = review_window
    sam = as_user(app, "sam@example.org")
    page = text(submit(sam, f"/staff/ideas/{towpath.id}/review",
                       {"form": "decision", "decision-status": "under_review"}))
    assert "Nobody: nobody else follows this idea" in page and "Told by email" not in page
    assert "None given" in page  # no reason: "under review" needs none


def test_cancel_on_the_check_page_brings_back_everything_typed(app, review_window, staff):
    window, _rosa, (towpath, *_rest) = review_window
    criteria = window_criteria(app, window)
    sam = as_user(app, "sam@example.org")
    url = f"/staff/ideas/{towpath.id}/review"
    sam.get(url)  # makes the default templates
    with app.app_context():
        from app.models import DecisionTemplate
        service = db.session.scalar(select(DecisionTemplate.id)
                                    .where(DecisionTemplate.name == "Service request"))
    typed = {**score_form(criteria, [1] * 9, {criteria[3].id: "Needs the \"lamp\" survey"}),
             "form": "decision", "decision-status": "not_a_data_project",
             "decision-template": service, "decision-reason": "",
             "decision-signposted_to": "Street lighting team",
             "note-body": "Half a note <b>not</b> saved"}
    check = text(submit(sam, url, typed))
    assert "<title>Save this decision" in check
    assert "This is a request for a service" in check  # the template's words, to go out
    assert ">Street lighting team</dd>" in check
    assert "The scores you typed are not saved yet" in check
    response = submit(sam, url, {**hidden_fields(check), "form": "cancel-decision"})
    page = text(response)
    assert response.status_code == 200 and "<title>Error:" not in page
    assert '<option value="not_a_data_project" selected>' in page
    assert f'<option value="{service}" selected>' in page
    assert re.search(r'name="decision-reason"[^>]*>\s*</textarea>', page)  # empty, as typed
    assert 'value="Street lighting team"' in page
    assert f'name="score-{criteria[8].id}" type="radio" value="1" checked' in page
    assert "Needs the &#34;lamp&#34; survey</textarea>" in page
    assert "Half a note &lt;b&gt;not&lt;/b&gt; saved</textarea>" in page
    assert fresh(app, Idea, towpath.id).status == IdeaStatus.SUBMITTED
    assert not {"idea.decide", "idea.assess", "idea.note"} & set(audit_actions(app))

    # Confirming with those scores still unsaved: decided, and the page keeps the scores.
    response = submit(sam, url, {**hidden_fields(check), "form": "confirm-decision"},
                      follow_redirects=False)
    page = text(response)
    assert response.status_code == 200 and "is now: Not a data project" in page
    assert "Your scores are not saved yet: save them below." in page
    assert "These scores are not saved yet." in page
    assert "Needs the &#34;lamp&#34; survey</textarea>" in page
    assert 'value="Street lighting team"' not in page  # the decision is made: a fresh form
    row = fresh(app, Idea, towpath.id)
    assert (row.status, row.signposted_to) == (IdeaStatus.NOT_A_DATA_PROJECT,
                                               "Street lighting team")


def test_admins_reword_the_criteria_of_a_window(app, review_window, staff, make_user):
    window, _rosa, (towpath, *_rest) = review_window
    make_user("ann@example.org", role=Role.ADMIN)
    criteria = window_criteria(app, window)
    url = f"/admin/windows/{window.id}/criteria"
    assert as_user(app, "sam@example.org").get(url).status_code == 403
    ann = as_user(app, "ann@example.org")
    form = {f"name-{c.id}": c.name for c in criteria}
    form |= {f"wording-{c.id}": c.wording for c in criteria}
    form[f"wording-{criteria[6].id}"] = "The data exists and a partner will share it."
    form[f"name-{criteria[0].id}"] = ""
    response = submit(ann, url, form)
    assert "Enter a name (up to 80 characters) and wording" in text(response)
    assert "The data exists and a partner will share it." in text(response)  # kept
    form[f"name-{criteria[0].id}"] = "Specific"
    response = submit(ann, url, form)
    assert "The criteria are saved" in text(response)
    with app.app_context():
        assert db.session.get(Criterion, criteria[6].id).wording.startswith("The data exists")
    page = text(ann.get(f"/staff/ideas/{towpath.id}/review"))
    assert "The data exists and a partner will share it." in page
    assert "criteria.reword" in audit_actions(app)


def test_decision_templates_can_be_added(app, staff):
    sam = as_user(app, "sam@example.org")
    response = submit(sam, "/staff/decision-templates", {"name": "", "status": "",
                                                         "reason": ""})
    assert "Enter a name for the template" in text(response)
    response = submit(sam, "/staff/decision-templates", {
        "name": "Needs a partner", "status": "not_taken_forward",
        "reason": "No public body could lead this project this round."})
    assert "is added" in text(response) and "Needs a partner" in text(response)
    assert "template.save" in audit_actions(app)
    # The same name again is refused, and the template keeps its words.
    response = submit(sam, "/staff/decision-templates", {
        "name": "Needs a partner", "status": "under_review", "reason": "Other words."})
    page = text(response)
    assert "There is already a template called “Needs a partner”" in page
    assert "Other words." in page and "<title>Error:" in page
    assert "No public body could lead this project this round." in page
    # Names differing only in case or spaces would look the same in the list.
    response = submit(sam, "/staff/decision-templates", {
        "name": "  needs   A partner ", "status": "under_review", "reason": "Other words."})
    assert "There is already a template called “needs A partner”" in text(response)


def test_decision_templates_can_be_changed_and_deleted(app, staff):
    from app.models import DecisionTemplate

    sam = as_user(app, "sam@example.org")
    sam.get("/staff/decision-templates")  # makes the defaults
    with app.app_context():
        rows = {t.name: t.id for t in db.session.scalars(select(DecisionTemplate))}
    url = f"/staff/decision-templates/{rows['Low feasibility']}"
    page = text(sam.get(url))
    assert "Change the template “Low feasibility”" in page
    assert "the action the data would enable is not clear enough" in page  # filled in
    # Renaming onto another template's name is refused, and what was typed stays.
    response = submit(sam, url, {"name": "Service request", "status": "not_taken_forward",
                                 "reason": "Not feasible this round, as typed."})
    page = text(response)
    assert "There is already a template called “Service request”" in page
    assert "Not feasible this round, as typed." in page and "<title>Error:" in page
    response = submit(sam, url, {"name": "Not feasible yet", "status": "not_taken_forward",
                                 "reason": "Not feasible this round."})
    assert "The template “Not feasible yet” is saved" in text(response)
    with app.app_context():
        row = db.session.get(DecisionTemplate, rows["Low feasibility"])
        assert (row.name, row.reason) == ("Not feasible yet", "Not feasible this round.")
        event = db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "template.change")).one()
        assert event.before["name"] == "Low feasibility"
        assert event.after["name"] == "Not feasible yet"
    submit(sam, url, {"name": "Not feasible yet", "status": "not_taken_forward",
                      "reason": "Not feasible this round."})  # saved unchanged: no entry
    assert audit_actions(app).count("template.change") == 1
    # Deleting asks first, then removes it, in the audit log too.
    delete_url = f"/staff/decision-templates/{rows['Already being done']}/delete"
    assert "Delete the template “Already being done”?" in text(sam.get(delete_url))
    response = submit(sam, delete_url, {})
    assert "The template “Already being done” is deleted" in text(response)
    assert "template.delete" in audit_actions(app)
    # The last template cannot go: an empty list would bring back the defaults.
    with app.app_context():
        last = rows["Under review"]
        db.session.execute(DecisionTemplate.__table__.delete().where(
            DecisionTemplate.id != last))
        db.session.commit()
    page = text(sam.get(f"/staff/decision-templates/{last}/delete"))
    assert "You cannot delete the last template" in page and "Delete template" not in page
    response = submit(sam, f"/staff/decision-templates/{last}/delete", {},
                      page="/staff/decision-templates")
    assert "You cannot delete the last template" in text(response)
    with app.app_context():
        assert db.session.get(DecisionTemplate, last) is not None
    assert sam.get("/staff/decision-templates/999999").status_code == 404


def test_residents_cannot_change_decision_templates(app, staff, make_user):
    make_user("rosa@example.org")
    rosa = as_user(app, "rosa@example.org")
    assert rosa.get("/staff/decision-templates/1").status_code == 403
    response = submit(rosa, "/staff/decision-templates/1/delete", {}, page="/account")
    assert response.status_code == 403


# ---- The audit log ----------------------------------------------------------------------------

def test_admins_filter_and_export_the_audit_log(app, review_window, staff, make_user):
    window, _rosa, (towpath, flood, _homes) = review_window
    make_user("ann@example.org", role=Role.ADMIN, display_name="Ann Admin")
    sam = as_user(app, "sam@example.org")
    queue = f"/staff/windows/{window.id}/review"
    submit(sam, queue, {"ideas": [towpath.id], "action": "decide", "status": "under_review",
                        "confirmed": "1"})
    submit(sam, f"/staff/ideas/{flood.id}/review",
           {"form": "note", "note-body": "=HYPERLINK(\"http://evil\")"})
    assert sam.get("/admin/audit.csv").status_code == 403
    ann = as_user(app, "ann@example.org")
    page = text(ann.get(f"/admin/audit?actor={staff.id}"))
    assert "Moved idea" in page
    page = text(ann.get("/admin/audit?date_from=31/02/2026"))
    assert "“From” must be a real date, like 22/11/2026" in page and "<title>Error:" in page
    page = text(ann.get("/admin/audit?date_from=23/11/2026&date_to=21/11/2026"))
    assert "“To” must be the same as or after “From”" in page and "<title>Error:" in page
    assert "Correct the dates to see the entries." in page and "No entries match" not in page
    page = text(ann.get("/admin/audit"))  # labels admins can read, codes beside them
    assert ">Idea hidden</option>" in page or ">Decision on an idea</option>" in page
    assert "Decision on an idea <code>idea.decide</code>" in page

    response = ann.get(f"/admin/audit.csv?actor={staff.id}&action=idea.decide")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == 1
    row = rows[0]
    assert row["action"] == "idea.decide" and row["actor"] == "Sam Staff"
    assert row["before"] == '{"status": "submitted"}'
    assert '"status": "under_review"' in row["after"]
    everything = ann.get("/admin/audit.csv").get_data(as_text=True)
    assert "'Added a staff note" not in everything  # only formula-like cells are defused
    assert "audit.export" in audit_actions(app)
    tomorrow = ann.get("/admin/audit.csv?date_from=01/01/2099").get_data(as_text=True)
    assert len(list(csv.reader(io.StringIO(tomorrow.lstrip("\ufeff"))))) == 1  # header only


def test_the_audit_log_names_each_record_even_once_it_is_deleted(app, review_window, staff,
                                                                  make_user, make_window):
    from app.intake import services as intake
    from app.models import IdeaStatus as Status
    from app.models import User
    from app.review import decisions

    window, _rosa, (towpath, *_rest) = review_window
    make_user("ann@example.org", role=Role.ADMIN, display_name="Ann Admin")
    spare = make_window(stage="upcoming", title="Spring 2027 ideas")
    sam = as_user(app, "sam@example.org")
    submit(sam, f"/staff/ideas/{towpath.id}/review",
           {"form": "note", "note-body": "Check the lighting data"})
    with app.app_context():
        actor = db.session.get(User, staff.id)
        decisions.templates()  # the defaults, so that the one added is not the last
        added = decisions.save_template(actor, "Quick no", Status.NOT_TAKEN_FORWARD, "No.")
        template_id = added.id
        decisions.delete_template(actor, added)
        intake.delete_window(actor, db.session.get(IdeaWindow, spare.id))
    page = text(as_user(app, "ann@example.org").get("/admin/audit"))
    assert (f'<a class="govuk-link" href="/staff/ideas/{towpath.id}/review">Idea {towpath.id}: '
            f'Light the canal towpath at night</a>') in page
    # Gone since: named as the entries left them, marked deleted, and not linked.
    assert f"<td class=\"govuk-table__cell\">Decision template {template_id}: Quick no " \
           f"(deleted)</td>" in page
    assert f"Idea window {spare.id}: Spring 2027 ideas (deleted)</td>" in page
    assert f'href="/admin/windows/{spare.id}' not in page


def test_the_audit_log_page_reads_names_in_a_few_queries_however_many_entries(
        app, make_user, make_window, make_idea):
    """Naming each entry's record and person takes the same queries for 3 entries as for 50:
    one per kind of record on the page, not one per entry."""
    from sqlalchemy import event

    make_user("ann@example.org", role=Role.ADMIN, display_name="Ann Admin")
    people = [make_user(role=Role.STAFF) for _ in range(5)]
    window = make_window(stage="open")
    ideas = [make_idea(window, people[0], title=f"Idea number {n}") for n in range(5)]

    def add_events(count, spread):
        """`count` entries by `spread` people about as many ideas and accounts, and a window."""
        with app.app_context():
            for n in range(count):
                kind, key = (("ideas", ideas[n % spread].id) if n % 3 else
                             ("users", people[n % spread].id) if n % 2
                             else ("idea_windows", window.id))
                db.session.add(AuditEvent(actor_id=people[n % spread].id, action="idea.note",
                                          target_type=kind, target_id=str(key), summary="x"))
            db.session.commit()

    ann = as_user(app, "ann@example.org")

    def queries_for_page() -> int:
        statements = []
        with app.app_context():
            engine = db.engine

        def count(*_args):
            statements.append(1)

        event.listen(engine, "before_cursor_execute", count)
        try:
            assert ann.get("/admin/audit").status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return len(statements)

    add_events(4, 1)  # one person, and one record of each kind
    queries_for_page()  # warm: the first page builds the decision templates and so on
    few = queries_for_page()
    add_events(46, 5)
    page = text(ann.get("/admin/audit"))
    assert "50 entries" in page and "Idea number 4</a>" in page
    assert queries_for_page() == few


def test_csv_cells_that_look_like_formulas_are_defused():
    from app.csv_export import csv_lines

    lines = "".join(csv_lines(["a", "b"], [["=SUM(A1)", 3], ["-2+3", "+x"], ["@me", "plain"]]))
    assert lines.splitlines()[1:] == ["'=SUM(A1),3", "'-2+3,'+x", "'@me,plain"]


def test_notifications_are_not_sent_to_the_person_who_decided(app, review_window, staff):
    _window, _rosa, (towpath, *_rest) = review_window
    sam = as_user(app, "sam@example.org")
    follows(app, staff, towpath)
    decide_on(sam, towpath, {"decision-status": "under_review"})
    assert fresh(app, Idea, towpath.id).status == IdeaStatus.UNDER_REVIEW
    with app.app_context():
        assert db.session.scalar(select(func.count(Notification.id)).where(
            Notification.user_id == staff.id)) == 0


def test_the_queue_filters_by_group_of_similar_ideas_and_by_type(app, runner, make_window,
                                                                 make_user, make_idea, staff):
    from app.models import ConfirmedType

    window = make_window(stage="review")
    author = make_user()
    gritting = [make_idea(window, author, title=title, problem=problem) for title, problem in (
        ("Grit the side roads on the Hartley Moor estate",
         "The gritters only do the main road. The estate roads are sheet ice and people fall."),
        ("Gritters never come onto our estate side roads",
         "Every winter the estate side roads are not gritted and are like an ice rink."))]
    buses = make_idea(window, author, title="Run an early bus from the docks to the hospital",
                      problem="The first bus gets to the hospital after 8am, so nurses are late.")
    assert runner.invoke(args=["triage", "run", "--window", str(window.id)]).exit_code == 0
    with app.app_context():
        db.session.add(ConfirmedType(idea_id=buses.id, type_key="allocation",
                                     confirmed_by_id=staff.id))
        db.session.commit()
    sam = as_user(app, "sam@example.org")
    queue = f"/staff/windows/{window.id}/review"
    page = text(sam.get(queue))
    cluster_id = int(page.split('<select class="govuk-select" id="cluster" name="cluster">')[1]
                     .split('<option value="')[2].split('"')[0])
    def listed_in(url):
        page = text(sam.get(url))
        return page.split("<table", 1)[1] if "<table" in page else ""

    table = listed_in(f"{queue}?cluster={cluster_id}")
    assert all(i.title in table for i in gritting) and buses.title not in table
    table = listed_in(f"{queue}?clusters=1")
    assert all(i.title in table for i in gritting) and buses.title not in table
    table = listed_in(f"{queue}?type=allocation")
    assert buses.title in table and gritting[0].title not in table
    with app.app_context():
        db.session.add(ConfirmedType(idea_id=gritting[1].id, type_key="none",
                                     confirmed_by_id=staff.id))
        db.session.commit()
    assert '<option value="none" >Not a data project</option>' in text(sam.get(queue))
    table = listed_in(f"{queue}?type=none")
    assert gritting[1].title in table and buses.title not in table
    table = listed_in(f"{queue}?type=%25")  # not a type: no filter, rather than a wildcard
    assert buses.title in table and gritting[1].title in table


def test_hidden_and_unapproved_ideas_leak_nowhere(app, client, auth, make_user, voting, staff,
                                                 runner, mailbox):
    window, author, idea = voting
    follower = make_user("fred@example.org")
    follows(app, follower, idea)
    with app.app_context():
        waiting = Idea(window_id=window.id, author_id=author.id, source=Source.RESIDENT,
                       title="Secret waiting title", problem="Waiting.",
                       status=IdeaStatus.SUBMITTED, awaiting_moderation=True,
                       published_at=db.session.get(Idea, idea.id).published_at)
        db.session.add(waiting)
        db.session.commit()
        waiting_id = waiting.id
    make_user("rep@example.org")
    auth.sign_in("rep@example.org")
    assert client.get(f"/ideas/{waiting_id}/report").status_code == 404
    token = csrf_token(client, "/account")
    assert client.post(f"/ideas/{waiting_id}/follow",
                       data={"csrf_token": token}).status_code == 404

    sam = as_user(app, "sam@example.org")
    submit(sam, f"/staff/ideas/{idea.id}/hide", {"reason": "offensive"},
           page="/staff/moderation")
    assert client.get(f"/ideas/{idea.id}/report").status_code == 404
    runner.invoke(args=["notifications", "send"])
    to_fred = mailbox.body(mailbox.last_to("fred@example.org"))
    assert "An idea you follow has been hidden by moderators: offensive content" in to_fred
    assert "Light the canal towpath" not in to_fred
    to_rosa = mailbox.body(mailbox.last_to("rosa@example.org"))
    assert "Your idea “Light the canal towpath at night” has been hidden" in to_rosa

    # Fred's own data download lists the idea he follows without its hidden title.
    fred = as_user(app, "fred@example.org")
    mine = fred.get("/account/download-my-data").get_json()
    assert mine["follows"] == ["An idea moderators have hidden"]
    assert "Light the canal towpath" not in fred.get("/account/download-my-data").get_data(True)


def test_forms_refuse_odd_values_without_an_error_page(app, review_window, staff, make_idea,
                                                       make_user):
    window, rosa, (towpath, flood, _homes) = review_window
    sam = as_user(app, "sam@example.org")
    queue = f"/staff/windows/{window.id}/review"
    response = submit(sam, queue, {"ideas": ["99999999999999999999", "x"], "action": "assign",
                                   "reviewer": "99999999999999999999"}, follow_redirects=False)
    assert response.status_code == 200 and "Select at least one idea" in text(response)
    response = submit(sam, queue, {"ideas": [towpath.id], "action": "assign",
                                   "reviewer": "nobody", "back": "//evil.example/"},
                      follow_redirects=False)
    assert response.headers["Location"] == queue
    response = submit(sam, queue, {"ideas": [towpath.id], "action": "assign",
                                   "reviewer": "nobody", "back": "/\\evil.example/"},
                      follow_redirects=False)
    assert response.headers["Location"] == queue
    url = f"/staff/ideas/{towpath.id}/review"
    submit(sam, f"/staff/ideas/{flood.id}/review", {"form": "note", "note-body": "Elsewhere"})
    with app.app_context():
        other_note = db.session.scalar(select(StaffNote))
    for reply in (f"reply-{other_note.id}", "reply-x", "reply-99999999999999999999"):
        response = submit(sam, url, {"form": reply, f"{reply}-body": "Hi"})
        assert response.status_code == 400
    assert app.test_client().get(
        f"/api/windows/{window.id}/ideas?page=99999999999999999999").status_code == 400
    assert rosa.id and make_idea and make_user


def test_decided_ideas_are_not_ranked_and_shortlisting_is_only_by_publishing(app, review_window,
                                                                            staff):
    from app.review import shortlist

    window, _rosa, (towpath, flood, _homes) = review_window
    sam = as_user(app, "sam@example.org")
    decide_on(sam, towpath, {"decision-status": "not_taken_forward",
                             "decision-reason": "Already being done."})
    with app.app_context():
        ranked = [r.idea_id for r in shortlist.ranking(db.session.get(IdeaWindow, window.id))]
    assert towpath.id not in ranked and flood.id in ranked
    response = submit(sam, f"/staff/ideas/{flood.id}/review", {
        "form": "decision", "decision-status": "shortlisted", "decision-reason": "Good."})
    assert "Choose a decision from the list" in text(response)
    assert fresh(app, Idea, flood.id).status == IdeaStatus.SUBMITTED


def test_download_my_data_holds_reports_assessments_and_notes(app, review_window, staff,
                                                              make_user):
    window, _rosa, (towpath, _flood, _homes) = review_window
    criteria = window_criteria(app, window)
    sam = as_user(app, "sam@example.org")
    url = f"/staff/ideas/{towpath.id}/review"
    submit(sam, url, score_form(criteria, [2] * len(criteria), {criteria[0].id: "Clear ask"}))
    submit(sam, url, {"form": "note", "note-body": "Ask highways first"})
    make_user("rep@example.org")
    rep = as_user(app, "rep@example.org")
    submit(rep, f"/ideas/{towpath.id}/report", {"reason": "spam", "details": "An advert"})

    mine = sam.get("/account/download-my-data").get_json()
    assert mine["feasibility_assessments"][0]["idea_id"] == towpath.id
    assert {"criterion": criteria[0].name, "score": 2, "note": "Clear ask"} in \
        mine["feasibility_assessments"][0]["scores"]
    assert mine["staff_notes"][0]["body"] == "Ask highways first"
    assert mine["account"]["emails_about_followed_ideas"] is True
    theirs = rep.get("/account/download-my-data").get_json()
    assert theirs["reports"] == [{"idea_id": towpath.id, "reason": "spam",
                                  "details": "An advert", "status": "open",
                                  "made_at": theirs["reports"][0]["made_at"]}]


def test_the_assessment_page_counts_each_supporter_once_across_the_group(
        app, runner, make_window, make_user, make_idea, staff):
    window = make_window(stage="voting")
    author = make_user()
    side_roads = make_idea(window, author,
                           title="Grit the side roads on the Hartley Moor estate",
                           problem="The gritters only do the main road; estate roads are ice.")
    estate = make_idea(window, author, title="Gritters never come onto our estate side roads",
                       problem="Every winter the estate side roads are not gritted and are icy.")
    for n in range(6):
        make_idea(window, author, title=f"Early buses to the hospital, route {n}",
                  problem="Buses to the hospital start too late for nurses on early shifts.")
    assert runner.invoke(args=["triage", "run", "--window", str(window.id)]).exit_code == 0
    both, one = make_user(), make_user()
    add_supports(app, side_roads, [both])
    add_supports(app, estate, [both, one])
    page = text(as_user(app, "sam@example.org").get(f"/staff/ideas/{side_roads.id}/review"))
    assert "Gritters never come onto our estate side roads" in page  # its group
    assert ("1 person counting ideas merged into it; 2 people across its group of similar "
            "ideas, each counted once.") in page


def test_decision_forms_carry_the_templates_words_for_the_script(app, review_window, staff):
    import html
    import json

    window, _rosa, (towpath, _flood, _homes) = review_window
    sam = as_user(app, "sam@example.org")
    for url in (f"/staff/windows/{window.id}/review", f"/staff/ideas/{towpath.id}/review"):
        page = sam.get(url).get_data(as_text=True)
        found = re.search(r'data-template-reasons="([^"]*)"', page)
        reasons = json.loads(html.unescape(found.group(1)))
        assert any(r.startswith("Our assessment found that the action") for r in reasons.values())
        assert re.search(r'data-reason-box="(reason|decision-reason)"', page)


def test_a_bulk_decision_with_a_problem_keeps_the_selection_and_the_words(app, review_window,
                                                                          staff):
    window, _rosa, (towpath, flood, _homes) = review_window
    sam = as_user(app, "sam@example.org")
    queue = f"/staff/windows/{window.id}/review"
    response = submit(sam, queue, {"ideas": [towpath.id, flood.id], "action": "decide",
                                   "status": "not_a_data_project", "reason": "Not data.",
                                   "signposted_to": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and page.count("Say where the idea was sent instead") == 2
    assert "<title>Error:" in page and "govuk-error-summary" in page
    assert f'value="{towpath.id}" checked' in page and f'value="{flood.id}" checked' in page
    assert ">Not data.</textarea>" in page
    assert '<option value="not_a_data_project" selected>' in page
    assert fresh(app, Idea, towpath.id).status == IdeaStatus.SUBMITTED


def told_about(app, *ideas) -> str:
    """How many different people follow these ideas, as the confirmation page says it."""
    from app.filters import plural
    from app.models import Follow

    with app.app_context():
        people = db.session.scalar(select(func.count(func.distinct(Follow.user_id)))
                                   .where(Follow.idea_id.in_([i.id for i in ideas])))
    return f"{plural(people, 'person', 'people')} who {'follows' if people == 1 else 'follow'}"



def test_redaction_leaves_another_idea_with_the_same_title_alone(
        app, make_user, make_window, make_idea, staff):
    from app.review.moderation import remove_personal_information
    from app.voting.notifications import notify_people

    window = make_window(stage="voting")
    title = "Fix the streetlight outside 12 Mill Lane"
    a = make_idea(window, make_user("rosa@example.org"), title=title)
    b = make_idea(window, make_user("fred@example.org"), title=title)  # a neighbour's
    gail = make_user("gail@example.org")
    follows(app, gail, b)
    with app.test_request_context():
        row_b = db.session.get(Idea, b.id)
        notify_people(row_b, f"Your idea “{title}” is now: Under review.", {gail.id})
        db.session.commit()
        actor = db.session.get(type(staff), staff.id)
        remove_personal_information(actor, db.session.get(Idea, a.id), {
            "title": "Fix a streetlight on Mill Lane", "problem": a.problem,
            "action": a.action, "data": a.data})
        message = db.session.scalar(select(Notification.message).where(
            Notification.user_id == gail.id))
        # B keeps its own title, and Gail's notification about B keeps it too.
        assert db.session.get(Idea, b.id).title == title
        assert message == f"Your idea “{title}” is now: Under review.", message


def test_redaction_swaps_only_the_quoted_title_not_a_longer_one_holding_it(
        app, make_user, make_window, make_idea, staff):
    from app.review.moderation import remove_personal_information
    from app.triage.merging import merge

    window = make_window(stage="voting")
    author = make_user("rosa@example.org")
    dup = make_idea(window, author, title="Ask Rosa Smith about the towpath")
    canonical = make_idea(window, make_user(), title="Ask Rosa Smith about the towpath lights")
    add_supports(app, dup, [make_user("hana@example.org")])
    with app.test_request_context():
        actor = db.session.get(type(staff), staff.id)
        merge(actor, db.session.get(Idea, dup.id), db.session.get(Idea, canonical.id))
        db.session.commit()
        before = list(db.session.scalars(select(Notification.message).where(
            Notification.idea_id == dup.id)))
        remove_personal_information(actor, db.session.get(Idea, dup.id), {
            "title": "Ask about the towpath", "problem": dup.problem,
            "action": dup.action, "data": dup.data})
        after = list(db.session.scalars(select(Notification.message).where(
            Notification.idea_id == dup.id)))
        assert any("“Ask Rosa Smith about the towpath”" in m for m in before)
        assert not any("“Ask Rosa Smith about the towpath”" in m for m in after)
        # The idea it went into keeps its title in the merge message.
        assert any("“Ask Rosa Smith about the towpath lights”" in m for m in after), after
