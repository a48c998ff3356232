"""Changing a window once things have happened in it: dates that are history, sources and
areas its ideas use, closing voting early (its pages: the service is tested with closing ideas
early in tests/test_window_closing.py), criteria behind a published shortlist, the audit
entry of a change, and authors' edits once people support their ideas."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.filters import LONDON, london_date, london_datetime
from app.forms_common import format_time
from app.intake import services, window_rules
from app.models import (
    AuditEvent,
    Criterion,
    Idea,
    IdeaStatus,
    IdeaWindow,
    OrganisationKind,
    ReportReason,
    Role,
    Source,
    Support,
    SupportLedger,
    User,
    WindowStage,
    utcnow,
)
from app.review import assessments, moderation
from tests.support import factories
from tests.support.forms import submit, text

DAY = timedelta(days=1)
HOUR = timedelta(hours=1)


def details_of(window: IdeaWindow, **changes) -> services.WindowDetails:
    """The details a window has now, as its form would send them back, with `changes`."""
    details = services.WindowDetails(
        title=window.title, theme=window.theme, description=window.description,
        submissions_open_at=window.submissions_open_at,
        submissions_close_at=window.submissions_close_at,
        voting_open_at=window.voting_open_at, voting_close_at=window.voting_close_at,
        accepts_residents=window.accepts_residents, accepts_councils=window.accepts_councils,
        accepts_mayoral=window.accepts_mayoral, area_ids=[a.id for a in window.areas],
        support_limit=window.support_limit,
        authors_may_support_own=window.authors_may_support_own,
        premoderation=window.premoderation)
    return replace(details, **changes)


def supporters(window: IdeaWindow, idea: Idea, count: int) -> list[User]:
    """`count` new people supporting `idea` (the database keeps the counts). They never sign
    in, so they skip the slow password hash."""
    start = db.session.scalar(select(func.count(User.id)))
    people = [User(email=f"supporter{start + n}@example.org", display_name=f"Supporter {n}",
                   password_hash="never used", role=Role.RESIDENT, email_verified_at=utcnow())
              for n in range(count)]
    db.session.add_all(people)
    db.session.flush()
    for person in people:
        db.session.add(Support(idea_id=idea.id, user_id=person.id, window_id=window.id))
    db.session.commit()
    return people


@pytest.fixture
def staff(app_context):
    return factories.make_user("staff@example.org", role=Role.STAFF)


def refused(window: IdeaWindow, details: services.WindowDetails) -> dict[str, str]:
    """The problems `update_window` gives for these details; the window is left as it was."""
    before = services._window_state(window)
    staff = db.session.scalar(select(User).where(User.role == Role.STAFF))
    with pytest.raises(services.WindowChangeRefused) as caught:
        services.update_window(staff, window, details)
    db.session.rollback()
    assert services._window_state(db.session.get(IdeaWindow, window.id)) == before
    return caught.value.problems


# ---- Dates, in the service -------------------------------------------------------------------

def test_a_start_that_has_passed_cannot_move(staff):
    window = factories.make_window(stage="voting")
    idea = factories.make_idea(window, factories.make_user())
    supporters(window, idea, 2)
    opened = london_datetime(window.voting_open_at)
    for later in (window.voting_open_at + 30 * DAY, window.voting_close_at - DAY):
        problems = refused(window, details_of(window, voting_open_at=later,
                                              voting_close_at=later + 40 * DAY))
        assert problems == {"voting_open": f"Voting opened on {opened} and 2 people have "
                                           f"supported ideas, so the date voting opens cannot "
                                           f"change"}
    # Earlier is refused too: voting was not open then.
    assert "voting_open" in refused(window, details_of(
        window, voting_open_at=window.voting_open_at - DAY))
    problems = refused(window, details_of(window, submissions_open_at=utcnow() + DAY))
    assert problems["submissions_open"] == (
        f"Ideas opened on {london_datetime(window.submissions_open_at)} and 1 idea has been "
        f"published, so the date ideas open cannot change")
    assert db.session.get(IdeaWindow, window.id).stage() == WindowStage.OPEN_FOR_VOTING


def test_a_start_that_has_passed_cannot_move_even_with_nothing_in_the_window(staff):
    window = factories.make_window(stage="voting")
    problems = refused(window, details_of(window, voting_open_at=utcnow() + DAY,
                                          voting_close_at=utcnow() + 30 * DAY))
    assert problems["voting_open"] == (f"Voting opened on {london_datetime(window.voting_open_at)}"
                                       f", so the date voting opens cannot change")


def test_a_date_still_to_come_cannot_move_into_the_past(staff):
    window = factories.make_window(stage="open")  # voting opens in 5 days, closes in 40
    problems = refused(window, details_of(window, voting_close_at=utcnow() - DAY,
                                          voting_open_at=window.voting_open_at))
    # Out of order first: voting would close before it opens.
    assert problems == {"voting_close": "Voting must close after it opens"}
    problems = refused(window, details_of(window, voting_open_at=utcnow() - 2 * DAY,
                                          voting_close_at=utcnow() - DAY,
                                          submissions_close_at=utcnow() - 3 * DAY))
    assert problems["voting_open"] == ("The date voting opens must be in the future, because "
                                       "voting has not opened yet")
    assert problems["voting_close"].startswith("The date voting closes must be in the future. "
                                               "To end voting now")
    assert "“Close voting now”" in problems["voting_close"]
    assert problems["submissions_close"].startswith(
        "The date ideas close must be in the future, because ideas are still open. To stop "
        "taking ideas now, go back to the idea windows and choose “Close ideas now”")


def test_future_dates_can_move_to_other_future_dates(staff):
    window = factories.make_window(stage="open")
    changed = services.update_window(staff, window, details_of(
        window, submissions_close_at=window.submissions_close_at + 5 * DAY,
        voting_open_at=window.voting_open_at + DAY,
        voting_close_at=window.voting_close_at - DAY))
    assert changed == ["when ideas close", "when voting opens", "when voting closes"]


def test_a_closing_date_that_has_passed_can_reopen_that_stage_but_not_move_in_the_past(staff):
    window = factories.make_window(stage="review")
    problems = refused(window, details_of(window, voting_close_at=window.voting_close_at - DAY))
    assert problems["voting_close"] == (
        f"Voting closed on {london_datetime(window.voting_close_at)}. You can move the date "
        f"voting closes into the future to open voting again, but not to another time in the "
        f"past")
    services.update_window(staff, window, details_of(window, voting_close_at=utcnow() + DAY))
    assert db.session.get(IdeaWindow, window.id).stage() == WindowStage.OPEN_FOR_VOTING


def test_no_date_changes_after_the_shortlist_is_published(staff):
    window = factories.make_window(stage="review")
    window.shortlist_published_at = window.voting_close_at + DAY
    db.session.commit()
    published = london_date(window.shortlist_published_at)
    problems = refused(window, details_of(window, voting_close_at=utcnow() + DAY,
                                          submissions_close_at=window.submissions_close_at
                                          + DAY))
    assert problems == {name: f"The shortlist was published on {published}, so the window’s "
                              f"dates cannot change"
                        for name in ("submissions_close", "voting_close")}
    # Its words can still be put right.
    assert services.update_window(staff, window, details_of(
        window, title="Spring 2027 ideas", description="Corrected.")) == ["title",
                                                                          "description"]


def test_a_draft_windows_dates_can_change_freely(staff):
    window = factories.make_window(stage="voting", published=False)
    services.update_window(staff, window, details_of(
        window, submissions_open_at=utcnow() + DAY, submissions_close_at=utcnow() + 10 * DAY,
        voting_open_at=utcnow() + 5 * DAY, voting_close_at=utcnow() + 20 * DAY))
    assert db.session.get(IdeaWindow, window.id).stage() == WindowStage.DRAFT


def test_a_moment_set_to_the_second_comes_back_from_the_form_unchanged(staff):
    window = factories.make_window(stage="overlap")
    services.close_voting(staff, window)
    closed_at = db.session.get(IdeaWindow, window.id).voting_close_at
    # The form shows minutes; sent back, the seconds are not a change to a past moment.
    assert services.update_window(staff, window, details_of(
        window, title="Renamed", voting_close_at=closed_at.replace(second=0, microsecond=0),
        submissions_close_at=closed_at.replace(second=0, microsecond=0))) == ["title"]
    assert db.session.get(IdeaWindow, window.id).voting_close_at == closed_at


def test_a_window_whose_start_was_moved_back_before_these_rules_must_have_it_put_right(staff):
    """A window edited before these rules can say voting opens next week while people have
    supported its ideas: its stage says Upcoming, but voting was reached."""
    window = factories.make_window(stage="voting")
    idea = factories.make_idea(window, factories.make_user())
    supporters(window, idea, 3)
    first = db.session.scalar(select(func.min(Support.created_at)))
    window.submissions_open_at = utcnow() + 10 * DAY
    window.submissions_close_at = utcnow() + 20 * DAY
    window.voting_open_at = utcnow() + 21 * DAY
    window.voting_close_at = utcnow() + 40 * DAY
    db.session.commit()
    assert window.stage() == WindowStage.UPCOMING
    problems = refused(window, details_of(window, title="Renamed"))
    assert problems["voting_open"] == (f"3 people have supported ideas in this window since "
                                       f"{london_datetime(first)}, so voting cannot open later "
                                       f"than that")
    assert problems["submissions_open"].startswith("Ideas have been submitted to this window "
                                                   "since ")
    put_right = details_of(window, submissions_open_at=first - 10 * DAY,
                           submissions_close_at=utcnow() + 20 * DAY,
                           voting_open_at=first - DAY)
    services.update_window(staff, window, put_right)
    # Ideas close in the future still: a date to come cannot move into the past, so staff
    # choose when they close (soon, if they like). Voting is open again meanwhile.
    window = db.session.get(IdeaWindow, window.id)
    assert window.stage() == WindowStage.OPEN_FOR_IDEAS and window.is_open_for_voting()


def test_creating_a_window_checks_the_order_of_its_dates(staff):
    window = factories.make_window(stage="upcoming", published=False)
    details = details_of(window, voting_open_at=window.submissions_open_at - DAY)
    with pytest.raises(services.WindowChangeRefused) as caught:
        services.create_window(staff, details)
    assert caught.value.problems == {"voting_open": "Voting cannot open before ideas open"}


# ---- New windows and drafts: dates that have passed ------------------------------------------

PASSED = {"submissions_open": "The date ideas open must be today or in the future",
          "submissions_close": "The date ideas close must be in the future",
          "voting_open": "The date voting opens must be today or in the future",
          "voting_close": "The date voting closes must be in the future"}


def test_a_new_window_cannot_have_dates_that_have_passed(staff):
    template = factories.make_window(stage="upcoming", published=False)
    years_ago = details_of(template, submissions_open_at=utcnow() - 1500 * DAY,
                           submissions_close_at=utcnow() - 1400 * DAY,
                           voting_open_at=utcnow() - 1450 * DAY,
                           voting_close_at=utcnow() - 1300 * DAY)
    with pytest.raises(services.WindowChangeRefused) as caught:
        services.create_window(staff, years_ago)
    assert caught.value.problems == PASSED
    assert db.session.scalar(select(func.count(IdeaWindow.id))) == 1  # only the template


def test_a_start_may_be_earlier_today_in_the_uk_but_a_close_must_be_to_come(staff):
    template = factories.make_window(stage="upcoming", published=False)
    now = datetime(2027, 6, 10, 12, 0, tzinfo=UTC)  # 1pm BST: the day began at 23:00 UTC
    today = datetime(2027, 6, 9, 23, 0, tzinfo=UTC)
    fine = details_of(template, submissions_open_at=today, voting_open_at=now - HOUR,
                      submissions_close_at=now + HOUR, voting_close_at=now + DAY)
    assert services.window_problems(None, fine, now) == {}
    late = replace(fine, submissions_open_at=today - timedelta(minutes=1),
                   voting_open_at=today - timedelta(minutes=1), submissions_close_at=now,
                   voting_close_at=now)
    assert services.window_problems(None, late, now) == PASSED


def test_a_problem_is_found_among_dates_that_could_be_read(staff):
    """A date the form could not read (None) leaves out only the checks it is in."""
    template = factories.make_window(stage="upcoming", published=False)
    details = details_of(template, submissions_open_at=None,
                         voting_open_at=utcnow() + 10 * DAY, voting_close_at=utcnow() + 5 * DAY,
                         submissions_close_at=utcnow() - DAY)
    assert services.window_problems(None, details) == {
        "voting_close": "Voting must close after it opens",
        "submissions_close": "The date ideas close must be in the future"}


def test_a_draft_keeps_its_dates_but_a_date_typed_into_it_cannot_have_passed(staff):
    draft = factories.make_window(stage="review", published=False)  # every date has passed
    assert services.update_window(staff, draft, details_of(draft, title="Renamed")) == [
        "title"]
    problems = refused(draft, details_of(draft, voting_close_at=draft.voting_close_at + DAY))
    assert problems == {"voting_close": "The date voting closes must be in the future"}


def test_a_draft_whose_start_has_passed_publishes_and_opens_at_once(staff):
    draft = factories.make_window(stage="open", published=False)
    services.publish_window(staff, draft)
    assert db.session.get(IdeaWindow, draft.id).stage() == WindowStage.OPEN_FOR_IDEAS


@pytest.mark.parametrize(("stage", "message"), [
    ("voting", "the date ideas close ({ideas}) has passed, so ideas would already be over. "
               "Change it to a time in the future first"),
    ("review", "the date ideas close ({ideas}) and the date voting closes ({voting}) have "
               "passed, so ideas and voting would already be over. Change them to times in "
               "the future first"),
])
def test_a_draft_is_not_published_once_ideas_or_voting_would_be_over(staff, stage, message):
    draft = factories.make_window(stage=stage, published=False, title="Late draft")
    with pytest.raises(services.IntakeError) as caught:
        services.publish_window(staff, draft)
    assert caught.value.message == "“Late draft” cannot be published: " + message.format(
        ideas=london_datetime(draft.submissions_close_at),
        voting=london_datetime(draft.voting_close_at))
    db.session.rollback()
    assert db.session.get(IdeaWindow, draft.id).published_at is None
    assert db.session.scalar(select(func.count(AuditEvent.id))) == 0
    # Given closing dates to come, it publishes.
    services.update_window(staff, draft, details_of(
        draft, submissions_close_at=utcnow() + DAY, voting_close_at=utcnow() + 10 * DAY))
    services.publish_window(staff, draft)
    assert db.session.get(IdeaWindow, draft.id).published_at is not None


# ---- Sources, areas and supports -------------------------------------------------------------

def test_a_source_its_ideas_use_stays_ticked(staff):
    window = factories.make_window(stage="open")
    council = factories.make_organisation("Riverside Council")
    mayor = factories.make_organisation("Office of the Mayor",
                                        kind=OrganisationKind.MAYORS_OFFICE)
    officer = factories.make_user()
    factories.make_idea(window, officer, source=Source.COUNCIL, organisation=council)
    for number in range(3):
        factories.make_idea(window, officer, source=Source.MAYORAL, organisation=mayor,
                            pledge_reference=f"Pledge {number}")
    factories.make_idea(window, officer, status=IdeaStatus.DRAFT)  # drafts do not count
    problems = refused(window, details_of(window, accepts_councils=False,
                                          accepts_mayoral=False))
    assert problems == {"sources": "“Council or public body” and “Mayoral pledge” must stay "
                                   "ticked: 1 idea in this window is from a council or public "
                                   "body and 3 are mayoral pledges"}
    assert refused(window, details_of(window, accepts_mayoral=False)) == {
        "sources": "“Mayoral pledge” must stay ticked: 3 ideas in this window are mayoral "
                   "pledges"}
    services.update_window(staff, window, details_of(window, accepts_residents=False))
    assert db.session.get(IdeaWindow, window.id).accepted_sources == [Source.COUNCIL,
                                                                      Source.MAYORAL]


def test_an_area_its_ideas_use_stays_ticked(staff):
    riverside, eastfield, unused = (factories.make_area(name)
                                    for name in ("Riverside", "Eastfield", "Northgate"))
    window = factories.make_window(stage="open", areas=[riverside, eastfield, unused])
    author = factories.make_user()
    for area in (riverside, riverside, eastfield):
        factories.make_idea(window, author, area=area)
    window = db.session.get(IdeaWindow, window.id)
    assert refused(window, details_of(window, area_ids=[eastfield.id, unused.id])) == {
        "areas": "Riverside must stay ticked: 2 ideas in this window are tagged with it"}
    assert refused(window, details_of(window, area_ids=[])) == {
        "areas": "Eastfield and Riverside must stay ticked: ideas in this window are tagged "
                 "with them (1 with Eastfield and 2 with Riverside)"}
    services.update_window(staff, window, details_of(window,
                                                     area_ids=[riverside.id, eastfield.id]))
    assert sorted(a.name for a in db.session.get(IdeaWindow, window.id).areas) == [
        "Eastfield", "Riverside"]


def test_a_draft_tagged_with_an_area_taken_off_the_window_is_not_published(staff):
    riverside = factories.make_area("Riverside")
    window = factories.make_window(stage="open", areas=[riverside])
    author = factories.make_user()
    draft = factories.make_idea(window, author, area=riverside, status=IdeaStatus.DRAFT)
    services.update_window(staff, window, details_of(window, area_ids=[]))
    with pytest.raises(services.IntakeError) as caught:
        services.publish_idea(author, db.session.get(Idea, draft.id), daily_limit=10)
    assert caught.value.message.startswith("This window no longer offers Riverside as an area")


def test_the_support_limit_cannot_drop_below_what_someone_has_given(staff):
    window = factories.make_window(stage="voting")
    author = factories.make_user()
    ideas = [factories.make_idea(window, author, title=f"Idea number {n} for the town")
             for n in range(4)]
    keen = factories.make_user()
    for idea in ideas[:3]:
        db.session.add(Support(idea_id=idea.id, user_id=keen.id, window_id=window.id))
    db.session.commit()
    assert refused(window, details_of(window, support_limit=2)) == {
        "support_limit": "Someone is already supporting 3 ideas in this window, so the limit "
                         "cannot be lower than 3"}
    services.update_window(staff, window, details_of(window, support_limit=3))
    assert db.session.get(IdeaWindow, window.id).support_limit == 3


def test_authors_who_supported_their_own_ideas_stay_allowed_to(staff):
    window = factories.make_window(stage="voting")
    window.authors_may_support_own = True
    db.session.commit()
    author = factories.make_user()
    idea = factories.make_idea(window, author)
    db.session.add(Support(idea_id=idea.id, user_id=author.id, window_id=window.id))
    db.session.commit()
    assert refused(window, details_of(window, authors_may_support_own=False)) == {
        "authors_may_support_own": "“Authors may support their own ideas” must stay ticked: "
                                   "1 author has already supported their own ideas in this "
                                   "window"}


# ---- The audit entry -------------------------------------------------------------------------

def test_the_audit_entry_records_only_what_changed_with_the_description(staff):
    window = factories.make_window(stage="open")
    old_title = window.title
    changed = services.update_window(staff, window, details_of(
        window, title="Getting around 2027", description="Ideas about buses."))
    assert changed == ["title", "description"]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "window.update"))
    assert event.summary == "Changed window Getting around 2027: title, description"
    assert event.before == {"title": old_title, "description": "Ideas about **transport**."}
    assert event.after == {"title": "Getting around 2027", "description": "Ideas about buses."}
    # Nothing changed: nothing saved and nothing in the log.
    window = db.session.get(IdeaWindow, window.id)
    assert services.update_window(staff, window, details_of(window)) == []
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(
        AuditEvent.action == "window.update")) == 1


def test_creating_a_window_records_its_description(staff):
    template = factories.make_window(stage="upcoming", published=False)
    created = services.create_window(staff, details_of(template, description="All about parks"))
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.target_id == str(created.id),
                                                       AuditEvent.action == "window.create"))
    assert event.after["description"] == "All about parks"


# ---- Pre-moderation ------------------------------------------------------------------------

def waiting_ideas(window: IdeaWindow, count: int) -> list[Idea]:
    """`count` published ideas in `window` waiting for moderators, as a pre-moderated window
    leaves them."""
    author = factories.make_user()
    ideas = [factories.make_idea(window, author, title=f"Light the towpath, part {n + 1}")
             for n in range(count)]
    for idea in ideas:
        db.session.get(Idea, idea.id).awaiting_moderation = True
    db.session.commit()
    return [db.session.get(Idea, idea.id) for idea in ideas]


def test_premoderation_cannot_be_switched_off_while_ideas_wait(staff):
    window = factories.make_window(stage="open")
    window.premoderation = True
    db.session.commit()
    first, second = waiting_ideas(window, 2)
    other = factories.make_window(stage="open")  # ideas waiting elsewhere do not count
    other.premoderation = True
    db.session.commit()
    waiting_ideas(other, 1)
    assert refused(window, details_of(window, premoderation=False)) == {"premoderation": (
        "“Check each idea before it appears” must stay ticked: 2 ideas in this window are "
        "waiting to be checked. Approve or hide them on the moderation page first")}
    # Nothing was published unchecked.
    assert db.session.get(Idea, first.id).awaiting_moderation
    assert "2 ideas are waiting to be checked, so pre-moderation cannot be switched off " \
        "until moderators approve or hide them." in window_rules.what_is_fixed(window)
    # Other changes still save with it on.
    assert services.update_window(staff, window, details_of(window, title="Towpaths")) == [
        "title"]

    moderation.approve(staff, db.session.get(Idea, first.id))
    window = db.session.get(IdeaWindow, window.id)
    assert refused(window, details_of(window, premoderation=False))["premoderation"].endswith(
        "1 idea in this window is waiting to be checked. Approve or hide it on the "
        "moderation page first")
    moderation.hide(staff, db.session.get(Idea, second.id), ReportReason.SPAM)
    window = db.session.get(IdeaWindow, window.id)
    assert not any("pre-moderation" in line for line in window_rules.what_is_fixed(window))
    assert services.update_window(staff, window, details_of(window, premoderation=False)) == [
        "pre-moderation"]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "window.update")
                              .order_by(AuditEvent.id.desc()))
    assert event.before == {"premoderation": True} and event.after == {"premoderation": False}
    assert db.session.get(IdeaWindow, other.id).premoderation  # left as it was


def test_switching_premoderation_on_holds_back_only_ideas_posted_from_then_on(staff):
    window = factories.make_window(stage="open")
    author = factories.make_user()
    public = factories.make_idea(window, author)
    draft = factories.make_idea(window, author, title="Light the towpath at night",
                                status=IdeaStatus.DRAFT)
    assert services.update_window(staff, window, details_of(window, premoderation=True)) == [
        "pre-moderation"]
    assert not db.session.get(Idea, public.id).awaiting_moderation  # stays public
    assert services.visible_to(db.session.get(Idea, public.id), factories.make_user())
    services.publish_idea(author, db.session.get(Idea, draft.id), daily_limit=10)
    posted = db.session.get(Idea, draft.id)
    assert posted.awaiting_moderation  # saved before, posted after: it waits
    assert not services.visible_to(posted, factories.make_user())


def test_switching_premoderation_off_lets_new_ideas_appear_straight_away(staff):
    window = factories.make_window(stage="open")
    window.premoderation = True
    db.session.commit()
    assert services.update_window(staff, window, details_of(window, premoderation=False)) == [
        "pre-moderation"]
    author = factories.make_user()
    draft = factories.make_idea(window, author, status=IdeaStatus.DRAFT)
    services.publish_idea(author, db.session.get(Idea, draft.id), daily_limit=10)
    assert not db.session.get(Idea, draft.id).awaiting_moderation


# ---- Authors' edits once voting is reached ---------------------------------------------------

def test_an_idea_with_supports_cannot_be_edited_whatever_the_dates_say(staff):
    window = factories.make_window(stage="voting")
    author = factories.make_user()
    supported = factories.make_idea(window, author)
    unsupported = factories.make_idea(window, author, title="Another idea about the buses")
    supporters(window, supported, 1)
    # The dates moved back before these rules: the window says voting opens next week.
    window.voting_open_at = utcnow() + 5 * DAY
    window.submissions_close_at = utcnow() + 4 * DAY
    window.submissions_open_at = utcnow() - 10 * DAY
    db.session.commit()
    assert not window.voting_has_opened()
    supported, unsupported = (db.session.get(Idea, i.id) for i in (supported, unsupported))
    assert not services.can_edit(author, supported)
    assert services.why_cannot_edit(supported).startswith("People have supported this idea")
    # Voting was reached in the window, so no published idea in it changes.
    assert not services.can_edit(author, unsupported)
    assert services.why_cannot_edit(unsupported) == ("You can no longer change this idea: "
                                                     "voting has opened.")
    with pytest.raises(services.IntakeError):
        services.update_idea(author, supported, services.IdeaDetails(
            title="The opposite of what people supported", problem="Something else."))


def test_supports_given_and_withdrawn_still_mean_voting_was_reached(staff):
    window = factories.make_window(stage="voting")
    author = factories.make_user()
    idea = factories.make_idea(window, author)
    person = supporters(window, idea, 1)[0]
    db.session.execute(Support.__table__.delete().where(Support.user_id == person.id))
    db.session.commit()
    assert db.session.scalar(select(SupportLedger.used).where(
        SupportLedger.user_id == person.id)) == 0
    window.voting_open_at = utcnow() + 5 * DAY
    window.submissions_close_at = utcnow() + 4 * DAY
    db.session.commit()
    assert not services.can_edit(author, db.session.get(Idea, idea.id))


def test_authors_still_edit_before_voting_opens(staff):
    window = factories.make_window(stage="open")
    author = factories.make_user()
    idea = factories.make_idea(window, author)
    assert services.can_edit(author, db.session.get(Idea, idea.id))


# ---- Criteria --------------------------------------------------------------------------------

def test_criteria_are_locked_once_the_shortlist_is_published(staff):
    window = factories.make_window(stage="review")
    rows = assessments.criteria_for(window)
    assessments.reword_criteria(staff, window, {rows[0].id: ("Specific", "Clear and local")})
    window.shortlist_published_at = utcnow()
    db.session.commit()
    with pytest.raises(assessments.AssessmentError) as caught:
        assessments.reword_criteria(staff, window, {rows[0].id: ("Other", "Other words")})
    assert str(caught.value) == (f"The shortlist was published on {london_date(utcnow())}, "
                                 f"so the criteria cannot change: its feasibility scores "
                                 f"were given against these words.")
    db.session.rollback()
    assert db.session.get(Criterion, rows[0].id).name == "Specific"


# ---- Pages -----------------------------------------------------------------------------------

def form_of(app, window_id: int, **overrides) -> dict:
    """What the window's form sends back as it stands, with `overrides` (None: leave the
    field out, as a browser does an unticked box)."""
    with app.app_context():
        window = db.session.get(IdeaWindow, window_id)
        values = {"title": window.title, "theme": window.theme,
                  "description": window.description,
                  "sources": [s.value for s in window.accepted_sources],
                  "areas": [str(a.id) for a in window.areas],
                  "support_limit": str(window.support_limit or "")}
        values |= {name: "y" for name in ("authors_may_support_own", "premoderation")
                   if getattr(window, name)}
        for name in ("submissions_open", "submissions_close", "voting_open", "voting_close"):
            moment = getattr(window, f"{name}_at").astimezone(LONDON)
            values[f"{name}_date"] = [str(moment.day), str(moment.month), str(moment.year)]
            values[f"{name}_time"] = format_time(moment)
    values.update(overrides)
    return {name: value for name, value in values.items() if value is not None}


def day_parts(moment) -> list[str]:
    local = moment.astimezone(LONDON)
    return [str(local.day), str(local.month), str(local.year)]


@pytest.fixture
def signed_in_staff(client, auth, make_user):
    make_user("staff@example.org", role=Role.STAFF)
    auth.sign_in("staff@example.org")
    return client


def test_the_form_says_what_can_no_longer_change(app, signed_in_staff, make_window, make_idea,
                                                 make_user):
    window = make_window(stage="voting")
    make_idea(window, make_user(), source=Source.RESIDENT)
    page = text(signed_in_staff.get(f"/staff/windows/{window.id}/edit"))
    assert "What can no longer change" in page
    assert (f"Voting opened on {london_datetime(window.voting_open_at)}, so the date voting "
            f"opens cannot change.") in page
    assert "Ideas in this window come from: Resident, so that cannot be unticked." in page
    assert f'href="/staff/windows/{window.id}/close-voting">close voting now</a>' in page
    fresh = make_window(stage="upcoming")
    assert "What can no longer change" not in text(
        signed_in_staff.get(f"/staff/windows/{fresh.id}/edit"))


def test_moving_voting_into_the_future_is_refused_on_the_page(app, signed_in_staff,
                                                              make_window, make_idea, make_user):
    window = make_window(stage="voting")
    idea = make_idea(window, make_user())
    with app.app_context():
        supporters(window, idea, 412)
    later = utcnow() + 3 * DAY
    response = submit(signed_in_staff, f"/staff/windows/{window.id}/edit", form_of(
        app, window.id, title="Typed and kept", voting_open_date=day_parts(later),
        voting_close_date=day_parts(later + 30 * DAY)))
    page = text(response)
    assert "<title>Error: Change " in page and "There is a problem" in page
    message = (f"Voting opened on {london_datetime(window.voting_open_at)} and 412 people have "
               f"supported ideas, so the date voting opens cannot change")
    assert f'<a href="#voting_open_date-day">{message}</a>' in page  # the summary links it
    assert 'value="Typed and kept"' in page  # what was typed comes back
    with app.app_context():
        assert db.session.get(IdeaWindow, window.id).stage() == WindowStage.OPEN_FOR_VOTING
        assert db.session.scalar(select(func.count(AuditEvent.id))) == 0


def test_unticking_a_source_in_use_is_refused_on_the_page(app, signed_in_staff, make_window,
                                                          make_idea, make_user):
    window = make_window(stage="open")
    make_idea(window, make_user())
    page = text(submit(signed_in_staff, f"/staff/windows/{window.id}/edit",
                       form_of(app, window.id, sources=["council", "mayoral"])))
    assert "“Resident” must stay ticked: 1 idea in this window is from a resident" in page
    assert "<title>Error:" in page


def test_a_saved_change_says_when_the_stage_moves(app, signed_in_staff, make_window):
    window = make_window(stage="review")
    reopened = utcnow() + 10 * DAY
    page = text(submit(signed_in_staff, f"/staff/windows/{window.id}/edit",
                       form_of(app, window.id, voting_close_date=day_parts(reopened))))
    assert f"“{window.title}” has been saved. Its stage is now: Open for voting." in page
    page = text(submit(signed_in_staff, f"/staff/windows/{window.id}/edit",
                       form_of(app, window.id)))
    assert f"Nothing changed: “{window.title}” is as it was." in page


def test_the_audit_log_shows_only_what_a_change_changed(app, client, auth, make_user,
                                                      make_window):
    make_user("ann@example.org", role=Role.ADMIN)
    window = make_window(stage="upcoming", title="Spring ideas")
    auth.sign_in("ann@example.org")
    submit(client, f"/staff/windows/{window.id}/edit",
           form_of(app, window.id, description="Ideas about parks and play."))
    page = text(client.get("/admin/audit"))
    assert "Changed window Spring ideas: description" in page
    assert "Ideas about **transport**. → Ideas about parks and play." in page
    assert "Spring ideas → Spring ideas" not in page  # nothing unchanged is listed
    submit(client, f"/staff/windows/{window.id}/edit", form_of(app, window.id))
    with app.app_context():
        assert db.session.scalar(select(func.count(AuditEvent.id)).where(
            AuditEvent.action == "window.update")) == 1


def test_close_voting_now_asks_first_and_says_what_happens(app, signed_in_staff, make_window,
                                                           make_idea, make_user):
    window = make_window(stage="overlap")
    idea = make_idea(window, make_user())
    with app.app_context():
        supporters(window, idea, 3)
    listing = text(signed_in_staff.get("/staff/windows"))
    assert f'href="/staff/windows/{window.id}/close-voting">Close voting now' in listing
    asked = text(signed_in_staff.get(f"/staff/windows/{window.id}/close-voting"))
    assert f"Close voting in {window.title} now?" in asked
    assert (f"Voting will close now instead of on {london_datetime(window.voting_close_at)}"
            in asked)
    assert "So far 3 people have given 3 supports." in asked
    assert "They will close now too" in asked  # ideas are still open
    assert "Nobody is sent a message about it" in asked
    assert "Close voting now</button>" in asked
    with app.app_context():  # asking changed nothing
        assert db.session.get(IdeaWindow, window.id).is_open_for_voting()
    done = text(submit(signed_in_staff, f"/staff/windows/{window.id}/close-voting", {}))
    assert f"Voting in “{window.title}” has closed. Its stage is now: Under review." in done
    with app.app_context():
        assert not db.session.get(IdeaWindow, window.id).is_open_for_voting()
        assert list(db.session.scalars(select(AuditEvent.action))) == ["window.close_voting"]
    again = text(signed_in_staff.get(f"/staff/windows/{window.id}/close-voting"))
    assert "Voting closed on " in again and "Close voting now</button>" not in again
    assert "Voting will close now" not in again


def test_close_voting_now_is_not_offered_before_voting_opens(app, signed_in_staff, make_window):
    window = make_window(stage="open")
    assert f"/staff/windows/{window.id}/close-voting" not in text(
        signed_in_staff.get("/staff/windows"))
    asked = text(signed_in_staff.get(f"/staff/windows/{window.id}/close-voting"))
    assert "Voting has not opened yet" in asked and "Close voting now</button>" not in asked
    page = text(submit(signed_in_staff, f"/staff/windows/{window.id}/close-voting", {},
                       page="/staff/windows"))
    assert "Voting has not opened yet" in page


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.OFFICER, Role.MAYORS_OFFICE])
def test_only_staff_close_voting(app, client, auth, make_user, make_window, role):
    window = make_window(stage="voting")
    make_user("someone@example.org", role=role)
    auth.sign_in("someone@example.org")
    assert client.get(f"/staff/windows/{window.id}/close-voting").status_code == 403
    with app.app_context():
        assert db.session.get(IdeaWindow, window.id).is_open_for_voting()


def test_the_criteria_page_is_read_only_once_the_shortlist_is_published(app, client, auth,
                                                                        make_user, make_window):
    make_user("ann@example.org", role=Role.ADMIN)
    window = make_window(stage="review")
    auth.sign_in("ann@example.org")
    url = f"/admin/windows/{window.id}/criteria"
    assert "Save the criteria" in text(client.get(url))
    with app.app_context():
        db.session.get(IdeaWindow, window.id).shortlist_published_at = utcnow()
        db.session.commit()
        rows = list(db.session.scalars(select(Criterion).order_by(Criterion.position)))
    page = text(client.get(url))
    assert "so the criteria cannot change" in page and "Save the criteria" not in page
    assert rows[0].wording in page
    form = {f"name-{c.id}": "Changed" for c in rows} | {f"wording-{c.id}": "New" for c in rows}
    page = text(submit(client, url, form, page=f"/staff/windows/{window.id}/edit"))
    assert "so the criteria cannot change" in page
    with app.app_context():
        assert db.session.get(Criterion, rows[0].id).name == rows[0].name
        assert db.session.scalar(select(func.count(AuditEvent.id)).where(
            AuditEvent.action == "criteria.reword")) == 0


def test_an_author_is_told_why_a_supported_idea_cannot_change(app, client, auth, make_user,
                                                             make_window, make_idea):
    author = make_user("rosa@example.org")
    window = make_window(stage="voting")
    idea = make_idea(window, author)
    with app.app_context():
        supporters(window, idea, 88)
        stored = db.session.get(IdeaWindow, window.id)
        stored.voting_open_at = utcnow() + 5 * DAY  # moved back before these rules
        stored.submissions_close_at = utcnow() + 4 * DAY
        db.session.commit()
    auth.sign_in("rosa@example.org")
    assert "Change your idea" not in text(client.get(f"/ideas/{idea.id}"))
    response = client.get(f"/ideas/{idea.id}/edit", follow_redirects=True)
    assert "People have supported this idea, so it can no longer be changed" in text(response)


def test_the_form_says_why_premoderation_stays_on_and_links_to_the_waiting_ideas(
        app, signed_in_staff, make_window):
    window = make_window(stage="open")
    with app.app_context():
        stored = db.session.get(IdeaWindow, window.id)
        stored.premoderation = True
        db.session.commit()
        waiting_ideas(stored, 3)
    page = text(signed_in_staff.get(f"/staff/windows/{window.id}/edit"))
    assert ("3 ideas are waiting to be checked, so pre-moderation cannot be switched off "
            "until moderators approve or hide them.") in page
    assert ('<a class="govuk-link" href="/staff/moderation#waiting">Approve or hide them on '
            'the moderation page</a>') in page
    assert "Switching it on holds back only ideas posted from then on" in page
    response = submit(signed_in_staff, f"/staff/windows/{window.id}/edit",
                      form_of(app, window.id, premoderation=None))
    page = text(response)
    assert "<title>Error: Change " in page
    message = ("“Check each idea before it appears” must stay ticked: 3 ideas in this window "
               "are waiting to be checked. Approve or hide them on the moderation page first")
    assert f'<a href="#premoderation">{message}</a>' in page  # the summary links to it
    assert 'id="waiting"' in text(signed_in_staff.get("/staff/moderation"))
    with app.app_context():
        assert db.session.get(IdeaWindow, window.id).premoderation
        assert db.session.scalar(select(func.count(AuditEvent.id))) == 0


def test_switching_premoderation_on_says_what_it_does(app, signed_in_staff, make_window):
    window = make_window(stage="open")
    page = text(submit(signed_in_staff, f"/staff/windows/{window.id}/edit",
                       form_of(app, window.id, premoderation="y")))
    assert (f"“{window.title}” has been saved. Pre-moderation is on: ideas posted from now on "
            f"wait for staff to approve them before anyone else sees them. Ideas already "
            f"public stay public.") in page
    page = text(submit(signed_in_staff, f"/staff/windows/{window.id}/edit",
                       form_of(app, window.id, premoderation=None)))
    assert "Pre-moderation is off: ideas posted from now on appear straight away." in page
