"""Publishing a shortlist decides the rest of the window: every candidate left off the list is
"not taken forward" with a public reason, its followers are told once, the audit log says how
many, and nothing is half done when something fails."""

import re

import pytest
from sqlalchemy import func, select, update

from app.extensions import db
from app.models import (
    AuditEvent,
    Idea,
    IdeaStatus,
    IdeaStatusChange,
    IdeaWindow,
    Notification,
    OutboxEmail,
    Role,
    ShortlistEntry,
    User,
    utcnow,
)
from app.review import shortlist
from tests.support.concurrency import run_together
from tests.support.forms import csrf_token, submit, text
from tests.test_review import add_supports, as_user, follows, fresh

LEFT_OFF = "Other ideas had more support and a clearer route to the data."
STATUSES_LEFT_ALONE = {
    "draft": IdeaStatus.DRAFT, "withdrawn": IdeaStatus.WITHDRAWN, "merged": IdeaStatus.MERGED,
    "decided": IdeaStatus.NOT_TAKEN_FORWARD, "signposted": IdeaStatus.NOT_A_DATA_PROJECT,
    "hidden": IdeaStatus.SUBMITTED, "unapproved": IdeaStatus.SUBMITTED,
}


@pytest.fixture
def staff(make_user):
    return make_user("sam@example.org", role=Role.STAFF, display_name="Sam Staff")


@pytest.fixture
def window_to_publish(app, make_window, make_user, make_idea, staff):
    """A window after voting with two places: "Top" and "Second" make the list, "Third"
    (submitted) and "Fourth" (under review) are left off, and one idea of every kind that
    publishing must leave alone. Rosa wrote them all and follows them; Ben follows Third and
    Fourth; Cleo follows Third with emails off; Sam (staff, who publishes) follows Third."""
    window = make_window(stage="review", title="Winter 2026 ideas")
    rosa = make_user("rosa@example.org", display_name="Rosa")
    ideas = {}
    for days, name in enumerate(["Top", "Second", "Third", "Fourth"]):
        ideas[name] = make_idea(window, rosa, title=f"{name} idea about the buses",
                                published_days_ago=40 - days)
    for name, status in STATUSES_LEFT_ALONE.items():
        ideas[name] = make_idea(window, rosa, title=f"{name.capitalize()} idea about trams",
                                status=status, published_days_ago=30)
    with app.app_context():
        db.session.execute(update(Idea).where(Idea.id == ideas["Fourth"].id)
                           .values(status=IdeaStatus.UNDER_REVIEW))
        db.session.execute(update(Idea).where(Idea.id == ideas["merged"].id)
                           .values(merged_into_id=ideas["Top"].id))
        db.session.execute(update(Idea).where(Idea.id == ideas["hidden"].id)
                           .values(hidden_at=utcnow(), hidden_reason="spam"))
        db.session.execute(update(Idea).where(Idea.id == ideas["unapproved"].id)
                           .values(awaiting_moderation=True))
        row = db.session.get(IdeaWindow, window.id)
        row.shortlist_size = 2
        db.session.commit()
    supporters = [make_user() for _ in range(3)]
    add_supports(app, ideas["Top"], supporters)
    add_supports(app, ideas["Second"], supporters[:2])
    add_supports(app, ideas["Third"], supporters[:1])
    ben = make_user("ben@example.org", display_name="Ben")
    cleo = make_user("cleo@example.org", display_name="Cleo")
    with app.app_context():
        db.session.get(User, cleo.id).email_notifications = False
        db.session.commit()
    follows(app, rosa, *ideas.values())
    follows(app, ben, ideas["Third"], ideas["Fourth"])
    follows(app, cleo, ideas["Third"])
    follows(app, staff, ideas["Third"])
    return window, ideas


def publish_url(window) -> str:
    return f"/staff/windows/{window.id}/shortlist/publish"


def timeline(app, idea) -> list[tuple[str, str | None, bool]]:
    with app.app_context():
        return [(c.status.value, c.reason, c.from_shortlist) for c in db.session.scalars(
            select(IdeaStatusChange).where(IdeaStatusChange.idea_id == idea.id)
            .order_by(IdeaStatusChange.id))]


def statuses(app, ideas) -> dict[str, IdeaStatus]:
    return {name: fresh(app, Idea, idea.id).status for name, idea in ideas.items()}


def test_the_staff_page_says_how_many_ideas_are_not_taken_forward_and_who_is_told(
        app, window_to_publish):
    window, _ideas = window_to_publish
    page = text(as_user(app, "sam@example.org").get(f"/staff/windows/{window.id}/shortlist"))
    outcome = re.sub(r"\s+", " ", page[page.index('id="publish-outcome"'):])
    assert "2 ideas on the list are marked “Shortlisted”" in outcome
    assert "2 other ideas are marked “Not taken forward”, with the reason you give" in outcome
    # Rosa, Ben and Cleo (Sam publishes, so is not told): two by email, Cleo has them off.
    assert "For the 2 ideas not taken forward that is 3 people, 2 of them by email." in outcome
    assert "and so do the 2 ideas hidden by moderators or waiting for their approval" in outcome
    assert "Public reason for the ideas not on the shortlist" in outcome
    assert "2 ideas will be marked “Not taken forward” and the people who follow them told " \
           "at once" in outcome


def test_a_missing_reason_is_an_error_that_keeps_what_was_typed(app, window_to_publish):
    window, ideas = window_to_publish
    before = statuses(app, ideas)
    sam = as_user(app, "sam@example.org")
    url = f"/staff/windows/{window.id}/shortlist"
    response = submit(sam, publish_url(window), {"publish-reason": "Most support, data held.",
                                                 "publish-not_taken_forward_reason": "  "},
                      page=url)
    page = text(response)
    assert response.status_code == 200 and "<title>Error:" in page
    assert page.count('data-module="govuk-error-summary"') == 1
    assert '<a href="#publish-not_taken_forward_reason">Enter the reason for ideas not on the ' \
           'shortlist</a>' in page
    assert 'govuk-textarea--error" id="publish-not_taken_forward_reason"' in page
    assert "Most support, data held.</textarea>" in page
    # Too long: refused, and the words typed come back to be cut down.
    words = "Thank you. " * 190
    page = text(submit(sam, publish_url(window), {
        "publish-reason": "Most support, data held.",
        "publish-not_taken_forward_reason": words}, page=url))
    assert "The reason must be 2,000 characters or fewer" in page
    assert words.strip() + "</textarea>" in page
    page = text(submit(sam, publish_url(window), {
        "publish-reason": "", "publish-not_taken_forward_reason": LEFT_OFF}, page=url))
    assert '<a href="#publish-reason">Enter the reason shortlisted ideas will show</a>' in page
    assert LEFT_OFF + "</textarea>" in page
    # Both missing: both are in the one summary.
    page = text(submit(sam, publish_url(window), {
        "publish-reason": "", "publish-not_taken_forward_reason": ""}, page=url))
    assert '<a href="#publish-reason">Enter the reason shortlisted ideas will show</a>' in page
    assert '<a href="#publish-not_taken_forward_reason">Enter the reason for ideas not on the ' \
           'shortlist</a>' in page
    assert fresh(app, IdeaWindow, window.id).shortlist_published_at is None
    assert statuses(app, ideas) == before
    with app.app_context():
        assert db.session.scalar(select(func.count(Notification.id))) == 0


def test_publishing_marks_the_ideas_left_off_not_taken_forward_and_nothing_else(
        app, window_to_publish):
    window, ideas = window_to_publish
    left_alone = {name: timeline(app, ideas[name]) for name in STATUSES_LEFT_ALONE}
    sam = as_user(app, "sam@example.org")
    response = submit(sam, publish_url(window), {
        "publish-reason": "Most support, data held.",
        "publish-not_taken_forward_reason": LEFT_OFF},
        page=f"/staff/windows/{window.id}/shortlist")
    page = text(response)
    assert "The shortlist of 2 ideas is published. 2 other ideas are marked “Not taken " \
           "forward”. The people who follow them will be told." in page
    assert "The other 2 ideas ranked by the formula were not taken forward." in page
    assert f"/windows/{window.id}?status=not_taken_forward" in page  # a link to them all
    now = statuses(app, ideas)
    assert now["Top"] == now["Second"] == IdeaStatus.SHORTLISTED
    assert now["Third"] == now["Fourth"] == IdeaStatus.NOT_TAKEN_FORWARD
    assert {name: now[name] for name in STATUSES_LEFT_ALONE} == STATUSES_LEFT_ALONE
    assert {name: timeline(app, ideas[name]) for name in STATUSES_LEFT_ALONE} == left_alone
    assert timeline(app, ideas["Fourth"])[-1] == ("not_taken_forward", LEFT_OFF, True)

    # On the public page: the decision, its reason and a link to the shortlist.
    public = text(app.test_client().get(f"/ideas/{ideas['Third'].id}"))
    assert "Not taken forward" in public and LEFT_OFF in public
    assert "Decided when the shortlist was published." in public
    assert f'href="/windows/{window.id}/shortlist">See the shortlist</a>' in public
    assert "Not taken forward" in text(as_user(app, "rosa@example.org").get("/my-ideas"))
    # The open data says so too, and the ranking is still the one the list was chosen from.
    rows = {r["title"]: r for r in app.test_client().get(
        f"/api/windows/{window.id}/ideas?per_page=50").get_json()["ideas"]}
    third = rows["Third idea about the buses"]
    assert third["status"] == "not_taken_forward" and third["status_reason"] == LEFT_OFF
    assert third["candidate"] is True and third["formula_rank"] == 3
    assert rows["Decided idea about trams"]["candidate"] is False
    # Published once: pressing the button again changes nothing.
    again = submit(sam, publish_url(window), {"publish-reason": "Again.",
                                              "publish-not_taken_forward_reason": "Again."},
                   page=f"/windows/{window.id}/shortlist")
    assert "The shortlist is already published" in text(again)
    assert timeline(app, ideas["Third"])[-1] == ("not_taken_forward", LEFT_OFF, True)


def test_the_ranking_is_the_same_before_and_after_publishing(app, window_to_publish, staff):
    window, _ideas = window_to_publish

    def ranked():
        with app.app_context():
            return [(r.idea_id, r.score, r.on_list)
                    for r in shortlist.ranking(db.session.get(IdeaWindow, window.id))]

    before = ranked()
    with app.app_context():
        shortlist.publish(db.session.get(User, staff.id), db.session.get(IdeaWindow, window.id),
                          "Shortlisted.", LEFT_OFF)
    assert ranked() == before and len(before) == 4


def test_authors_and_followers_are_told_once_in_plain_words(app, window_to_publish, runner,
                                                            mailbox):
    window, ideas = window_to_publish
    submit(as_user(app, "sam@example.org"), publish_url(window), {
        "publish-reason": "Most support, data held.",
        "publish-not_taken_forward_reason": LEFT_OFF},
        page=f"/staff/windows/{window.id}/shortlist")
    assert "Sent 6" in runner.invoke(args=["notifications", "send"]).output
    assert "Sent 0" in runner.invoke(args=["notifications", "send"]).output  # never twice
    # Rosa: her four ideas that were decided, one email each. Ben: his two. Cleo and Sam: none.
    subjects = sorted(m["Subject"] for m in mailbox.to("rosa@example.org"))
    assert subjects == ["Not taken forward: “Fourth idea about the buses” – ODA Ideas",
                        "Not taken forward: “Third idea about the buses” – ODA Ideas",
                        "Shortlisted: “Second idea about the buses” – ODA Ideas",
                        "Shortlisted: “Top idea about the buses” – ODA Ideas"]
    assert len(mailbox.to("ben@example.org")) == 2
    assert mailbox.to("cleo@example.org") == [] and mailbox.to("sam@example.org") == []
    [email] = [m for m in mailbox.to("ben@example.org") if "Third" in m["Subject"]]
    body = mailbox.body(email)
    assert "Not taken forward: “Third idea about the buses”. The shortlist for “Winter 2026 " \
           "ideas” is published and this idea is not on it. Reason: " + LEFT_OFF in body
    assert mailbox.link(email, "/shortlist").endswith(f"/windows/{window.id}/shortlist")
    assert mailbox.link(email, "/ideas/").endswith(f"/ideas/{ideas['Third'].id}")
    with app.app_context():
        told = sorted(db.session.execute(
            select(User.email, Notification.idea_id).join(User, User.id == Notification.user_id)
            .where(Notification.idea_id == ideas["Third"].id)).all())
        assert told == [("ben@example.org", ideas["Third"].id),
                        ("cleo@example.org", ideas["Third"].id),
                        ("rosa@example.org", ideas["Third"].id)]
        message = db.session.scalar(select(Notification.message).where(
            Notification.idea_id == ideas["Third"].id).limit(1))
        assert message.startswith("Not taken forward: “Third idea about the buses”.")


def test_the_audit_log_has_one_publish_entry_naming_how_many(app, window_to_publish, staff):
    window, ideas = window_to_publish
    with app.app_context():
        shortlist.publish(db.session.get(User, staff.id), db.session.get(IdeaWindow, window.id),
                          "Shortlisted.", LEFT_OFF)
        events = list(db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)))
    [published] = [e for e in events if e.action == "shortlist.publish"]
    assert published.summary == f"Published the shortlist of window {window.id}: 2 " \
                                f"shortlisted, 2 not taken forward"
    assert published.after["not_taken_forward"] == 2
    assert published.after["not_taken_forward_reason"] == LEFT_OFF
    assert published.after["shortlist"] == [ideas["Top"].id, ideas["Second"].id]
    # One entry per idea decided, as for any decision, and nothing else.
    decided = [e for e in events if e.action == "idea.decide"]
    assert sorted(int(e.target_id) for e in decided) == sorted(
        ideas[name].id for name in ("Top", "Second", "Third", "Fourth"))
    assert all(e.summary.endswith("by publishing the shortlist") for e in decided)
    assert len(events) == 5


def test_with_every_candidate_on_the_list_no_reason_is_asked_for(app, window_to_publish):
    window, ideas = window_to_publish
    with app.app_context():
        db.session.get(IdeaWindow, window.id).shortlist_size = 10
        db.session.commit()
    sam = as_user(app, "sam@example.org")
    url = f"/staff/windows/{window.id}/shortlist"
    page = text(sam.get(url))
    assert "no idea is marked “Not taken forward”: every candidate idea is on the list" in page
    assert "publish-not_taken_forward_reason" not in page
    assert "You cannot undo publishing.</strong>" in page
    response = submit(sam, publish_url(window), {"publish-reason": "All of them."}, page=url)
    assert "The shortlist of 4 ideas is published.</" in re.sub(r"\s+", " ", text(response))
    assert statuses(app, ideas)["Fourth"] == IdeaStatus.SHORTLISTED


def test_ideas_kept_off_against_the_formula_get_that_reason(app, window_to_publish):
    window, ideas = window_to_publish
    sam = as_user(app, "sam@example.org")
    url = f"/staff/windows/{window.id}/shortlist"
    submit(sam, f"/staff/ideas/{ideas['Second'].id}/shortlist",
           {"choice": "exclude", "reason": "The bus company already does this."}, page=url)
    with app.app_context():
        db.session.get(IdeaWindow, window.id).shortlist_size = 3  # Top, Third, Fourth
        db.session.commit()
    page = re.sub(r"\s+", " ", text(sam.get(url)))
    # Only Second is left off, and it has its own reason: none to write.
    assert "with the reason you gave for keeping it off against the formula" in page
    assert "publish-not_taken_forward_reason" not in page
    submit(sam, publish_url(window), {"publish-reason": "Shortlisted."}, page=url)
    assert timeline(app, ideas["Second"])[-1] == (
        "not_taken_forward", "The bus company already does this.", True)


def test_a_failure_part_way_leaves_nothing_done(app, window_to_publish, staff, monkeypatch):
    window, ideas = window_to_publish
    before = statuses(app, ideas)
    from app.review import decisions

    real = decisions.tell
    calls = []

    def fail_on_the_third_idea(idea, *args, **kwargs):
        calls.append(idea.id)
        if len(calls) == 3:
            raise RuntimeError("the mail queue is unavailable")
        return real(idea, *args, **kwargs)

    monkeypatch.setattr(decisions, "tell", fail_on_the_third_idea)
    with app.app_context(), pytest.raises(RuntimeError):
        shortlist.publish(db.session.get(User, staff.id), db.session.get(IdeaWindow, window.id),
                          "Shortlisted.", LEFT_OFF)
    assert len(calls) == 3  # two ideas shortlisted and told before it failed
    assert fresh(app, IdeaWindow, window.id).shortlist_published_at is None
    assert statuses(app, ideas) == before
    with app.app_context():
        for model in (ShortlistEntry, Notification, OutboxEmail, AuditEvent):
            assert db.session.scalar(select(func.count()).select_from(model)) == 0, model
        assert not db.session.scalar(select(func.count(IdeaStatusChange.id)).where(
            IdeaStatusChange.from_shortlist.is_(True)))


def test_two_people_publishing_at_once_publish_once(app, window_to_publish, make_user, runner,
                                                    mailbox):
    window, ideas = window_to_publish
    make_user("ann@example.org", role=Role.ADMIN, display_name="Ann Admin")
    url = f"/staff/windows/{window.id}/shortlist"
    clients = [as_user(app, "sam@example.org"), as_user(app, "ann@example.org")]
    tokens = [csrf_token(client, url) for client in clients]

    def publisher(client, token):
        return lambda: client.post(publish_url(window), data={
            "csrf_token": token, "publish-reason": "Shortlisted.",
            "publish-not_taken_forward_reason": LEFT_OFF}, follow_redirects=True)

    responses = run_together([publisher(c, t) for c, t in zip(clients, tokens, strict=True)])
    pages = sorted(text(r) for r in responses)
    assert sum("The shortlist of 2 ideas is published" in p for p in pages) == 1
    assert sum("The shortlist is already published" in p for p in pages) == 1
    with app.app_context():
        assert db.session.scalar(select(func.count(AuditEvent.id)).where(
            AuditEvent.action == "shortlist.publish")) == 1
        assert db.session.scalar(select(func.count(IdeaStatusChange.id)).where(
            IdeaStatusChange.idea_id == ideas["Third"].id)) == 2
    runner.invoke(args=["notifications", "send"])
    assert len(mailbox.to("ben@example.org")) == 2
