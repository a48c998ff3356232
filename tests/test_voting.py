"""Supports, the per-window limit, rankings, following, notifications and the email queue."""

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from app.extensions import db
from app.models import (
    Follow,
    Idea,
    IdeaStatus,
    IdeaWindow,
    Notification,
    OutboxEmail,
    OutboxStatus,
    Role,
    Support,
    SupportLedger,
    User,
    utcnow,
)
from tests.support.factories import PASSWORD
from tests.support.forms import csrf_token, submit, text


def support(client, idea_id, *, json_reply=False, undo=False, next_url=None):
    path = f"/ideas/{idea_id}/{'unsupport' if undo else 'support'}"
    data = {"csrf_token": csrf_token(client, f"/ideas/{idea_id}")}
    if next_url:
        data["next"] = next_url
    headers = {"Accept": "application/json"} if json_reply else {}
    return client.post(path, data=data, headers=headers)


def count_of(app, idea_id):
    with app.app_context():
        return db.session.scalar(select(Idea.support_count).where(Idea.id == idea_id))


@pytest.fixture
def voting_window(make_window):
    return make_window(stage="voting", support_limit=2)


@pytest.fixture
def ideas(voting_window, make_user, make_idea):
    author = make_user("author@example.org")
    return [make_idea(voting_window, author, title=f"Idea number {n} about the buses",
                      published_days_ago=10 - n) for n in range(4)]


def test_support_and_withdraw_keep_the_count_exact(app, client, auth, make_user, ideas):
    make_user("rosa@example.org")
    auth.sign_in("rosa@example.org")
    reply = support(client, ideas[0].id, json_reply=True).get_json()
    assert reply == {"idea_id": ideas[0].id, "supported": True, "count": 1, "used": 1,
                     "limit": 2, "remaining": 1, "following": True}
    again = support(client, ideas[0].id, json_reply=True).get_json()  # a double click
    assert again["count"] == 1 and again["used"] == 1
    assert ("data-support-count>1</strong> <span data-support-noun>support</span>"
            in text(client.get(f"/ideas/{ideas[0].id}")))
    reply = support(client, ideas[0].id, json_reply=True, undo=True).get_json()
    assert reply["supported"] is False and reply["count"] == 0 and reply["remaining"] == 2
    with app.app_context():
        assert db.session.scalar(select(func.count(Support.id))) == 0


def test_the_support_button_is_rate_limited_per_person(client, auth, make_user, ideas):
    make_user("rosa@example.org")
    auth.sign_in("rosa@example.org")
    # Supporting twice changes nothing, so 121 presses of one button are 121 harmless requests.
    token = csrf_token(client, f"/ideas/{ideas[0].id}")
    statuses = [client.post(f"/ideas/{ideas[0].id}/support", data={"csrf_token": token},
                            headers={"Accept": "application/json"}).status_code
                for _ in range(121)]
    assert set(statuses[:120]) == {200} and statuses[120] == 429
    assert support(client, ideas[1].id, json_reply=True).status_code == 429  # per person


def test_the_database_refuses_a_second_support_from_one_person(app, make_user, ideas):
    from sqlalchemy.exc import IntegrityError

    user = make_user()
    with app.app_context():
        for _ in range(2):
            db.session.add(Support(idea_id=ideas[0].id, user_id=user.id,
                                   window_id=ideas[0].window_id))
        with pytest.raises(IntegrityError):
            db.session.commit()


def test_the_database_keeps_the_counters_whoever_writes_the_rows(app, make_user, ideas):
    from sqlalchemy import delete
    from sqlalchemy.exc import IntegrityError

    from app.voting.services import LIMIT_REACHED

    rosa, sam = make_user(), make_user()
    window_id = ideas[0].window_id

    def used(user):
        return db.session.scalar(select(SupportLedger.used).where(
            SupportLedger.user_id == user.id, SupportLedger.window_id == window_id))

    with app.app_context():
        for user, idea in ((rosa, ideas[0]), (rosa, ideas[1]), (sam, ideas[0])):
            db.session.add(Support(idea_id=idea.id, user_id=user.id, window_id=window_id))
        db.session.commit()
        assert (count_of(app, ideas[0].id), count_of(app, ideas[1].id)) == (2, 1)
        assert (used(rosa), used(sam)) == (2, 1)
        # A third support from Rosa passes the window's limit of two: the database refuses it.
        db.session.add(Support(idea_id=ideas[2].id, user_id=rosa.id, window_id=window_id))
        with pytest.raises(IntegrityError, match=LIMIT_REACHED):
            db.session.commit()
        db.session.rollback()
        assert count_of(app, ideas[2].id) == 0 and used(rosa) == 2
        db.session.execute(delete(Support).where(Support.user_id == rosa.id))
        db.session.commit()
        assert (count_of(app, ideas[0].id), count_of(app, ideas[1].id)) == (1, 0)
        assert (used(rosa), used(sam)) == (0, 1)


def test_a_support_cannot_move_past_a_limit_lowered_after_it_was_given(app, make_user, ideas):
    from app.models import IdeaStatus
    from app.triage.merging import MergeError, move_support

    rosa = make_user()
    with app.app_context():
        for idea in ideas[1:3]:
            db.session.add(Support(idea_id=idea.id, user_id=rosa.id, window_id=idea.window_id))
        duplicate = db.session.get(Idea, ideas[1].id)
        duplicate.status, duplicate.merged_into_id = IdeaStatus.MERGED, ideas[0].id
        duplicate.window.support_limit = 1  # staff lowered it after Rosa gave two
        db.session.commit()
        with pytest.raises(MergeError, match="limit on supports is now lower"):
            move_support(db.session.get(User, rosa.id), db.session.get(Idea, ideas[1].id))
        assert db.session.scalar(select(Support.idea_id).where(
            Support.user_id == rosa.id, Support.idea_id == ideas[1].id)) == ideas[1].id


def test_the_limit_is_enforced_with_a_clear_message(app, client, auth, make_user, ideas):
    make_user("rosa@example.org")
    auth.sign_in("rosa@example.org")
    support(client, ideas[0].id)
    support(client, ideas[1].id)
    reply = support(client, ideas[2].id, json_reply=True)
    assert reply.status_code == 409
    assert "You have used all 2 of your supports in this window" in reply.get_json()["error"]
    page = text(client.get(f"/windows/{ideas[0].window_id}"))
    assert "You have <strong data-remaining>0</strong> of 2 supports left" in page
    support(client, ideas[0].id, undo=True)
    assert support(client, ideas[2].id, json_reply=True).status_code == 200
    assert count_of(app, ideas[2].id) == 1


def test_without_javascript_the_button_posts_and_comes_back(client, auth, make_user, ideas):
    make_user("rosa@example.org")
    auth.sign_in("rosa@example.org")
    next_url = f"/windows/{ideas[0].window_id}?page=1&sort=newest"
    response = support(client, ideas[1].id, next_url=next_url)
    assert response.status_code == 302
    assert response.headers["Location"] == f"{next_url}#idea-{ideas[1].id}"
    page = text(client.get(next_url))
    assert "Withdraw support" in page
    response = support(client, ideas[2].id, next_url="https://evil.example.org/")
    assert response.headers["Location"] == f"/ideas/{ideas[2].id}#idea-{ideas[2].id}"


def test_over_the_limit_without_javascript_says_why(client, auth, make_user, ideas):
    make_user("rosa@example.org")
    auth.sign_in("rosa@example.org")
    for idea in ideas[:2]:
        support(client, idea.id)
    response = client.get(support(client, ideas[2].id).headers["Location"])
    assert "You have used all 2 of your supports" in text(response)


@pytest.mark.parametrize(("case", "message"), [
    ("own", "You cannot support your own idea in this window."),
    ("staff", "ODA staff do not support ideas."),
    ("closed", "Voting has closed."),
    ("upcoming", "Voting opens on"),
    ("withdrawn", "This idea can no longer be supported."),
])
def test_who_and_when_people_may_support(app, client, auth, make_user, make_window, make_idea,
                                         case, message):
    stage = {"closed": "review", "upcoming": "open"}.get(case, "voting")
    window = make_window(stage=stage)
    author = make_user("author@example.org")
    status = IdeaStatus.WITHDRAWN if case == "withdrawn" else None
    idea = make_idea(window, author, status=status)
    if case == "own":
        auth.sign_in("author@example.org")
    else:
        make_user("other@example.org", role=Role.STAFF if case == "staff" else Role.RESIDENT)
        auth.sign_in("other@example.org")
    reply = support(client, idea.id, json_reply=True)
    assert reply.status_code == 409 and message in reply.get_json()["error"]
    assert count_of(app, idea.id) == 0
    page = text(client.get(f"/ideas/{idea.id}"))
    if case in ("own", "staff"):  # the page says so instead of offering a button to refuse
        assert "Support this idea" not in page
        assert {"own": "In this window authors cannot support their own ideas.",
                "staff": "ODA staff do not support ideas."}[case] in page


def test_a_window_can_let_authors_support_their_own_ideas(app, client, auth, make_user,
                                                          make_idea, voting_window):
    with app.app_context():
        db.session.execute(update(IdeaWindow).values(authors_may_support_own=True))
        db.session.commit()
    author = make_user("author@example.org")
    idea = make_idea(voting_window, author)
    auth.sign_in("author@example.org")
    assert "Support this idea" in text(client.get(f"/ideas/{idea.id}"))
    reply = support(client, idea.id, json_reply=True).get_json()
    assert reply["supported"] is True, reply


def test_supports_stay_frozen_after_an_idea_is_withdrawn(app, client, auth, make_user, ideas):
    make_user("rosa@example.org")
    auth.sign_in("rosa@example.org")
    support(client, ideas[0].id)
    with app.app_context():
        db.session.execute(update(Idea).where(Idea.id == ideas[0].id)
                           .values(status=IdeaStatus.WITHDRAWN))
        db.session.commit()
    reply = support(client, ideas[0].id, json_reply=True, undo=True)
    assert reply.status_code == 409 and "frozen" in reply.get_json()["error"]
    assert count_of(app, ideas[0].id) == 1
    # The idea's page says why there is no Withdraw button any more.
    page = text(client.get(f"/ideas/{ideas[0].id}"))
    assert "Supports on this idea are frozen (it is now: Withdrawn), so yours stays counted" \
        in page
    assert "Withdraw support" not in page
    assert "are frozen" not in text(client.get(f"/ideas/{ideas[1].id}"))  # not supported


def test_signed_out_visitors_see_counts_and_a_sign_in_link(client, ideas):
    page = text(client.get(f"/windows/{ideas[0].window_id}"))
    assert "Sign in to support" in page and "Support this idea" not in page
    assert client.post(f"/ideas/{ideas[0].id}/support").status_code in (302, 400)


def test_signing_in_to_support_comes_back_to_that_idea(app, client, make_user, make_idea,
                                                       voting_window):
    import re

    author = make_user()
    for n in range(25):
        make_idea(voting_window, author, title=f"Another idea about transport {n:02}")
    make_user("rosa@example.org")
    # From page 2 of the fair shuffle, on the window page and on the idea's own page.
    page = text(client.get(f"/windows/{voting_window.id}?page=2"))
    idea_id = int(re.search(r'id="idea-(\d+)"', page).group(1))
    back = f"/ideas/{idea_id}#support-{idea_id}"
    link = f'href="/sign-in?next=/ideas/{idea_id}%23support-{idea_id}">Sign in to support'
    assert link in page
    assert link in text(client.get(f"/ideas/{idea_id}"))
    response = submit(client, f"/sign-in?next={back.replace('#', '%23')}",
                      {"email": "rosa@example.org", "password": PASSWORD},
                      page="/sign-in", follow_redirects=False)
    assert response.headers["Location"] == back
    assert f'id="support-{idea_id}"' in text(client.get(back.split("#")[0]))
    assert "Support this idea" in text(client.get(back.split("#")[0]))


def test_signing_in_keeps_the_fair_shuffle(app, client, make_user, make_idea, voting_window):
    author = make_user()
    many = [make_idea(voting_window, author, title=f"Another idea about transport {n:02}")
            for n in range(16)]
    make_user("rosa@example.org")
    before = titles_in_order(text(client.get(f"/windows/{voting_window.id}")), many)
    submit(client, "/sign-in", {"email": "rosa@example.org", "password": PASSWORD})
    assert titles_in_order(text(client.get(f"/windows/{voting_window.id}")), many) == before


# ---- Rankings -----------------------------------------------------------------------------

def titles_in_order(page: str, ideas) -> list[int]:
    positions = {idea.id: page.index(f'id="idea-{idea.id}"') for idea in ideas}
    return sorted(positions, key=positions.get)


def test_the_fair_order_is_stable_for_a_visitor_and_differs_between_visitors(
        app, ideas, voting_window, make_idea, make_user):
    window_id = voting_window.id
    author = make_user()
    many = ideas + [make_idea(voting_window, author, title=f"Another idea about transport {n:02}")
                    for n in range(12)]
    first, second = app.test_client(), app.test_client()
    order_one = titles_in_order(text(first.get(f"/windows/{window_id}")), many)
    assert titles_in_order(text(first.get(f"/windows/{window_id}")), many) == order_one
    others = {tuple(titles_in_order(text(app.test_client().get(f"/windows/{window_id}")), many))
              for _ in range(5)}
    assert len(others | {tuple(order_one)}) > 1  # different visitors, different shuffles
    # ...and really different: not the same order started at another idea.
    for order_two in others - {tuple(order_one)}:
        assert all(list(order_two) != order_one[k:] + order_one[:k]
                   for k in range(len(order_one)))
    newest = titles_in_order(text(second.get(f"/windows/{window_id}?sort=newest")), many)
    assert order_one != newest


def test_the_fair_shuffle_gives_every_idea_an_even_chance_of_each_place():
    from collections import Counter

    from app.voting.ranking import shuffle_key

    ids = list(range(500, 516))  # consecutive ids: the hard case for arithmetic shuffles
    orders = [sorted(ids, key=lambda i, seed=seed: (shuffle_key(i, seed), i))
              for seed in range(3200)]
    for place in (0, 7, 15):
        counts = Counter(order[place] for order in orders)
        assert set(counts) == set(ids)
        assert min(counts.values()) > 0.75 * 200 and max(counts.values()) < 1.25 * 200
    assert ids not in orders and ids[::-1] not in orders
    assert len({tuple(order) for order in orders}) == len(orders)


def test_the_sql_shuffle_matches_its_python_twin(app, ideas, voting_window, make_idea,
                                                 make_user):
    from app.voting.ranking import apply_sort, shuffle_key

    author = make_user()
    for n in range(30):
        make_idea(voting_window, author, title=f"Another idea about transport {n:02}")
    with app.app_context():
        ids = list(db.session.scalars(select(Idea.id).where(
            Idea.window_id == voting_window.id)))
        for seed in (0, 1, 2**63 + 12345, 2**64 - 1):
            in_sql = list(db.session.scalars(apply_sort(
                select(Idea.id).where(Idea.window_id == voting_window.id), "fair",
                voting_window.id, seed)))
            assert in_sql == sorted(ids, key=lambda i, seed=seed: (shuffle_key(i, seed), i))


def test_most_supported_newest_and_trending(app, client, ideas, make_user):
    now = utcnow()
    supporters = [make_user() for _ in range(3)]
    with app.app_context():
        def add(idea, user, hours_ago):
            db.session.add(Support(idea_id=idea.id, user_id=user.id, window_id=idea.window_id,
                                   created_at=now - timedelta(hours=hours_ago)))
        for user in supporters:          # idea 0: three old supports (5 days: 1/4 each)
            add(ideas[0], user, 24 * 5)
        add(ideas[1], supporters[0], 2)  # idea 1: one fresh support (1)
        add(ideas[2], supporters[1], 24 * 2)  # idea 2: one support two days old (1/2)
        db.session.commit()
    window_id = ideas[0].window_id
    most = titles_in_order(text(client.get(f"/windows/{window_id}?sort=most-supported")), ideas)
    assert most[0] == ideas[0].id
    newest = titles_in_order(text(client.get(f"/windows/{window_id}?sort=newest")), ideas)
    assert newest == [ideas[3].id, ideas[2].id, ideas[1].id, ideas[0].id]
    trending = titles_in_order(text(client.get(f"/windows/{window_id}?sort=trending")), ideas)
    assert trending == [ideas[1].id, ideas[0].id, ideas[2].id, ideas[3].id]


def test_how_ranking_works_is_public(client):
    page = text(client.get("/how-ranking-works"))
    assert "Fair shuffle" in page and "a quarter of a point" in page


# ---- Following and notifications ------------------------------------------------------------

def test_authors_follow_their_ideas_and_followers_hear_of_a_withdrawal(
        app, client, auth, make_user, make_window, mailbox, runner):
    window = make_window(stage="open")
    make_user("rosa@example.org", display_name="Rosa")
    follower = make_user("fred@example.org", display_name="Fred")
    quiet = make_user("quiet@example.org")
    with app.app_context():
        db.session.execute(update(type(quiet)).where(type(quiet).id == quiet.id)
                           .values(email_notifications=False))
        db.session.commit()
    auth.sign_in("rosa@example.org")
    response = submit(client, f"/windows/{window.id}/submit/myself", {
        "title": "Light the canal towpath at night", "problem": "It is pitch dark.",
        "consent": "y"})
    idea_id = int(response.request.path.split("/")[2])
    submit(client, f"/ideas/{idea_id}/publish", {}, page=f"/ideas/{idea_id}/check")
    with app.app_context():
        assert db.session.scalar(select(Follow.user_id).where(Follow.idea_id == idea_id))
    for email in ("fred@example.org", "quiet@example.org"):
        other = app.test_client()
        submit(other, "/sign-in", {"email": email, "password": PASSWORD})
        response = submit(other, f"/ideas/{idea_id}/follow", {}, page=f"/ideas/{idea_id}")
        assert "You’re following this idea" in text(response)
        page = text(other.get("/notifications"))  # nothing has happened yet
        assert "We’ll tell you here when the status of an idea you follow changes" in page
        assert "Ideas you follow" in page and "Light the canal towpath at night" in page
    submit(client, f"/ideas/{idea_id}/withdraw", {"reason": "Already being done."})
    mailbox.clear()
    with app.app_context():
        assert db.session.scalar(select(func.count(Notification.id))) == 2  # not Rosa's own
        assert db.session.scalar(select(func.count(OutboxEmail.id))) == 1  # Fred wants email
    assert mailbox.messages == []  # the request itself sent nothing

    result = runner.invoke(args=["notifications", "send"])
    assert "Sent 1" in result.output
    email = mailbox.last_to("fred@example.org")
    # The subject says what happened, not only that something did.
    assert email["Subject"].startswith("“Light the canal towpath at night” is now: Withdrawn")
    body = mailbox.body(email)
    assert "Light the canal towpath at night" in body and "Withdrawn" in body
    assert "Already being done." in body
    assert body.count("Light the canal towpath at night") == 1
    runner.invoke(args=["notifications", "send"])
    assert len(mailbox.to("fred@example.org")) == 1  # never twice
    assert follower.id


def test_supporting_follows_the_idea_and_says_so_and_withdrawing_keeps_following(
        app, client, auth, make_user, ideas):
    from app.intake.services import record_status

    rosa = make_user("rosa@example.org")
    auth.sign_in("rosa@example.org")
    here = f"/windows/{ideas[0].window_id}?sort=newest"
    response = support(client, ideas[0].id, next_url=here)
    with app.app_context():
        assert db.session.scalar(select(Follow.id).where(
            Follow.idea_id == ideas[0].id, Follow.user_id == rosa.id))
    # Where the page comes back to, the idea's control says so, once.
    page = text(client.get(response.headers["Location"]))
    note = "You’re following this idea now, so we’ll tell you when its status changes."
    assert page.count(note) == 1
    assert f'href="/ideas/{ideas[0].id}#follow">stop following it' in page
    assert note not in text(client.get(here))  # only just after supporting
    assert "Stop following" in text(client.get(f"/ideas/{ideas[0].id}"))
    # Withdrawing does not stop following: they may still want to know what happens.
    support(client, ideas[0].id, undo=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(Follow.id)).where(
            Follow.user_id == rosa.id)) == 1
        record_status(db.session.get(Idea, ideas[0].id), IdeaStatus.UNDER_REVIEW, None)
        db.session.commit()
        assert db.session.scalar(select(Notification.message).where(
            Notification.user_id == rosa.id)).endswith("is now: Under review.")


def test_supporting_an_idea_already_followed_or_past_the_limit_adds_no_follow(
        app, client, auth, make_user, ideas):
    rosa = make_user("rosa@example.org")
    auth.sign_in("rosa@example.org")
    submit(client, f"/ideas/{ideas[0].id}/follow", {}, page=f"/ideas/{ideas[0].id}")
    assert support(client, ideas[0].id, json_reply=True).get_json()["following"] is True
    support(client, ideas[1].id)
    assert support(client, ideas[2].id, json_reply=True).status_code == 409  # the limit
    with app.app_context():
        followed = set(db.session.scalars(select(Follow.idea_id).where(
            Follow.user_id == rosa.id)))
    assert followed == {ideas[0].id, ideas[1].id}


def test_the_notifications_page_counts_unread_and_marks_them_read(app, client, auth, make_user,
                                                                 ideas):
    user = make_user("fred@example.org")
    with app.app_context():
        db.session.add(Notification(user_id=user.id, idea_id=ideas[0].id, message="News!"))
        db.session.commit()
    auth.sign_in("fred@example.org")
    assert "Notifications (1 new)" in text(client.get("/account"))
    page = text(client.get("/notifications"))
    assert "News!" in page and "New</strong>" in page
    assert "Notifications (1 new)" not in text(client.get("/account"))
    response = submit(client, "/notifications", {"emails": "no"})
    assert "Your email settings have been saved" in text(response)
    with app.app_context():
        assert db.session.get(type(user), user.id).email_notifications is False


def test_failed_emails_are_retried_later_then_given_up(app, runner, make_user, ideas, mailbox,
                                                       monkeypatch):
    from tests.support.smtp import free_port

    user = make_user("fred@example.org")
    with app.app_context():
        db.session.add(OutboxEmail(user_id=user.id, to_address="fred@example.org",
                                   subject="Update", body="Something happened"))
        db.session.commit()
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())
    assert "will retry 1" in runner.invoke(args=["notifications", "send"]).output
    with app.app_context():
        email = db.session.scalar(select(OutboxEmail))
        assert email.status == OutboxStatus.RETRY and email.attempts == 1
        assert email.next_attempt_at > utcnow()
    assert "Sent 0, will retry 0" in runner.invoke(args=["notifications", "send"]).output
    monkeypatch.undo()
    with app.app_context():
        db.session.execute(update(OutboxEmail).values(next_attempt_at=utcnow()))
        db.session.commit()
    assert "Sent 1" in runner.invoke(args=["notifications", "send"]).output
    assert mailbox.body(mailbox.last_to("fred@example.org")).strip() == "Something happened"


def test_an_email_a_crashed_sender_left_is_not_resent_without_a_decision(app, runner,
                                                                         make_user, mailbox):
    with app.app_context():
        db.session.add(OutboxEmail(to_address="fred@example.org", subject="S", body="B",
                                   status=OutboxStatus.SENDING,
                                   claimed_at=utcnow() - timedelta(hours=1)))
        db.session.commit()
    output = runner.invoke(args=["notifications", "send"]).output
    assert "1 emails were being sent when a sender stopped" in output
    assert mailbox.to("fred@example.org") == []
    output = runner.invoke(args=["notifications", "send", "--requeue-stuck"]).output
    assert "Requeued 1" in output and "Sent 1" in output


def test_recount_reports_and_fixes_drift(app, runner, client, auth, make_user, ideas):
    make_user("rosa@example.org")
    auth.sign_in("rosa@example.org")
    support(client, ideas[0].id)
    with app.app_context():
        db.session.execute(update(Idea).where(Idea.id == ideas[0].id).values(support_count=7))
        db.session.execute(update(SupportLedger).values(used=0))
        db.session.commit()
    result = runner.invoke(args=["voting", "recount", "--dry-run"])
    assert result.exit_code == 1
    assert f"idea {ideas[0].id}: stored 7, counted 1" in result.output
    assert "2 counters found" in result.output
    assert "2 counters fixed" in runner.invoke(args=["voting", "recount"]).output
    assert "All counts are exact" in runner.invoke(args=["voting", "recount"]).output
    assert count_of(app, ideas[0].id) == 1


def test_staff_see_new_accounts_supporting_together_from_one_network(app, client, auth,
                                                                      make_user, ideas):
    make_user("staff@example.org", role=Role.STAFF)
    for n in range(4):
        make_user(f"sock{n}@example.org")
        other = app.test_client()
        submit(other, "/sign-in", {"email": f"sock{n}@example.org", "password": PASSWORD})
        for idea in ideas[:2]:
            other.post(f"/ideas/{idea.id}/support",
                       data={"csrf_token": csrf_token(other, f"/ideas/{idea.id}")},
                       environ_base={"REMOTE_ADDR": f"203.0.113.{n + 10}"})
    auth.sign_in("staff@example.org")
    page = text(client.get(f"/staff/windows/{ideas[0].window_id}/supports"))
    assert "8 supports in this window" in page
    assert "8 supports in the last 48 hours" in page
    groups = page.split("Suspicious groups")[1].split("</table>")[0]
    # One group of four accounts with both ideas, not one row per idea.
    assert groups.count('<tr class="govuk-table__row">') == 2  # the heading row and one group
    assert "Idea number 0 about the buses" in groups and "Idea number 1 about the buses" in groups
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">4</td>' in groups
    assert "203.0.113" not in page


def test_support_signals_say_so_when_there_are_none(client, auth, make_user, make_window):
    window = make_window(stage="voting")
    make_user("staff@example.org", role=Role.STAFF)
    auth.sign_in("staff@example.org")
    page = text(client.get(f"/staff/windows/{window.id}/supports"))
    assert "No supports in the last 48 hours." in page
    assert "Supports per hour" in page and "Hour starting" not in page  # no table of zeros


def test_abuse_groups_join_shared_accounts_and_keep_networks_and_old_accounts_apart(
        app, make_user, ideas):
    from app.models import Support, User, utcnow
    from app.voting.signals import abuse_signals

    now = utcnow()
    with app.app_context():
        # No limit here: some accounts support three ideas.
        db.session.execute(update(IdeaWindow).where(IdeaWindow.id == ideas[0].window_id)
                           .values(support_limit=None))
        db.session.commit()

        def supports(emails, idea_ids, network, minutes_apart=5, joined_days_ago=1):
            users = [make_user(e) for e in emails]
            for n, user in enumerate(users):
                db.session.get(User, user.id).created_at = now - timedelta(days=joined_days_ago)
                at = now - timedelta(minutes=50 - n * minutes_apart)
                for idea_id in idea_ids:
                    db.session.add(Support(idea_id=idea_id, user_id=user.id, created_at=at,
                                           window_id=ideas[0].window_id, network=network))
            db.session.commit()

        # Four new accounts on three ideas from one network: one group, three ideas.
        supports([f"a{n}@example.org" for n in range(4)], [i.id for i in ideas[:3]], "net-a")
        # Three new accounts from another network on one of those ideas: a group of its own.
        supports([f"b{n}@example.org" for n in range(3)], [ideas[0].id], "net-b")
        # Old accounts, or new ones spread over hours, are not suspicious.
        supports([f"c{n}@example.org" for n in range(3)], [ideas[3].id], "net-c",
                 joined_days_ago=30)
        supports([f"d{n}@example.org" for n in range(3)], [ideas[3].id], "net-d",
                 minutes_apart=-40)
        signals = abuse_signals(db.session.get(IdeaWindow, ideas[0].window_id), now)
    found = [(g.network, g.accounts, sorted(i for i, _t in g.ideas)) for g in signals.groups]
    assert found == [("net-a", 4, sorted(i.id for i in ideas[:3])), ("net-b", 3, [ideas[0].id])]


def test_download_my_data_includes_supports_and_follows(client, auth, make_user, ideas):
    make_user("rosa@example.org")
    auth.sign_in("rosa@example.org")
    support(client, ideas[0].id)
    submit(client, f"/ideas/{ideas[1].id}/follow", {}, page=f"/ideas/{ideas[1].id}")
    data = json.loads(client.get("/account/download-my-data").get_data())
    assert data["supports"][0]["idea"] == ideas[0].title
    assert sorted(data["follows"]) == sorted([ideas[0].title, ideas[1].title])  # supporting follows


def test_signed_out_while_the_page_was_open_comes_back_to_the_page_not_to_a_405(
        app, client, auth, make_user, ideas):
    make_user("rosa@example.org")
    auth.sign_in("rosa@example.org")
    token = csrf_token(client, f"/windows/{ideas[0].window_id}")
    with app.app_context():  # a password change on another device ends this session
        db.session.execute(update(User).where(User.email == "rosa@example.org")
                           .values(session_version=User.session_version + 1))
        db.session.commit()
    page = f"/windows/{ideas[0].window_id}?sort=newest"
    response = client.post(f"/ideas/{ideas[0].id}/support", data={"csrf_token": token},
                           headers={"Referer": f"http://localhost{page}"})
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith(f"/sign-in?next=/windows/{ideas[0].window_id}")
    assert "/support" not in location
    assert "Sign in, then try again." in text(client.get(location))
    reply = client.post(f"/ideas/{ideas[0].id}/support", data={"csrf_token": token},
                        headers={"Accept": "application/json",
                                 "Referer": f"http://localhost{page}"})
    assert reply.status_code == 401
    assert reply.get_json()["sign_in"].startswith("/sign-in?next=/windows/")
    # A referrer from another site is never a place to come back to.
    response = client.post(f"/ideas/{ideas[0].id}/support", data={"csrf_token": token},
                           headers={"Referer": "https://evil.example/windows/1"})
    assert response.headers["Location"].endswith("/sign-in?next=/")


def test_people_who_have_not_confirmed_their_email_are_asked_to_first(
        app, client, auth, make_user, ideas):
    make_user("new@example.org", verified=False)
    auth.sign_in("new@example.org")
    page = text(client.get(f"/windows/{ideas[0].window_id}"))
    assert "Confirm your email address to support ideas." in page
    assert "Support this idea" not in page and "supports left" not in page
    # Each link comes back to its idea once the address is confirmed.
    assert (f'href="/account/confirm-your-email?next=/ideas/{ideas[0].id}%23support-'
            f'{ideas[0].id}">Confirm your email address to support') in page
    # The idea's page says it once, where the button would be, not twice.
    page = text(client.get(f"/ideas/{ideas[0].id}"))
    assert page.count("Confirm your email address to support") == 1
    assert "supports left" not in page
    page = text(client.get(f"/account/confirm-your-email?next=/ideas/{ideas[0].id}"))
    assert "before you support an idea." in page and "Continue to the idea</a>" in page
    reply = support(client, ideas[0].id, json_reply=True)
    assert reply.status_code == 403
    assert "Confirm your email address" in reply.get_json()["error"]
    assert count_of(app, ideas[0].id) == 0


def test_the_notifications_page_lists_followed_ideas_but_not_hidden_ones(
        app, client, auth, make_user, ideas, monkeypatch):
    from app.voting import notifications

    make_user("rosa@example.org")
    auth.sign_in("rosa@example.org")
    for idea in ideas:
        submit(client, f"/ideas/{idea.id}/follow", {}, page=f"/ideas/{idea.id}")
    with app.app_context():
        db.session.execute(update(Idea).where(Idea.id == ideas[0].id)
                           .values(hidden_at=func.now()))
        db.session.commit()
    monkeypatch.setattr(notifications, "FOLLOWED_SHOWN", 2)
    page = text(client.get("/notifications"))
    assert "3 ideas; the 2 you followed most recently are below" in page
    assert ideas[3].title in page and ideas[2].title in page
    assert ideas[1].title not in page  # followed earlier: beyond the two shown
    assert ideas[0].title not in page  # hidden


def test_queued_emails_go_to_the_person_as_they_are_when_sending(app, runner, make_user,
                                                                 mailbox):
    from app.accounts.services import delete_account
    from app.voting.notifications import set_email_preference

    fred, quiet, later, gone = (make_user(f"{name}@example.org")
                                for name in ("fred", "quiet", "later", "gone"))
    with app.app_context():
        for person in (fred, quiet, later, gone):
            db.session.add(OutboxEmail(user_id=person.id, to_address=person.email,
                                       subject="Update", body=f"News for {person.email}"))
        db.session.add(Notification(user_id=gone.id, message="An idea you follow changed"))
        db.session.commit()
        # After queueing: Fred moves address, Quiet turns emails off on the page, Later's
        # switch is flipped elsewhere (only the sender sees it), and Gone leaves.
        db.session.execute(update(User).where(User.id == fred.id)
                           .values(email="fred.new@example.org"))
        db.session.execute(update(User).where(User.id == later.id)
                           .values(email_notifications=False))
        db.session.commit()
        set_email_preference(db.session.get(User, quiet.id), False)
        delete_account(db.session.get(User, gone.id), PASSWORD)
        assert db.session.scalar(select(func.count(OutboxEmail.id)).where(
            OutboxEmail.to_address == "gone@example.org")) == 0
        assert db.session.scalar(select(func.count(Notification.id)).where(
            Notification.user_id == gone.id)) == 0
    mailbox.clear()

    output = runner.invoke(args=["notifications", "send"]).output
    assert "Sent 1" in output and "Dropped 1 no longer wanted" in output
    assert [m["To"] for m in mailbox.messages] == ["fred.new@example.org"]
    assert "News for fred@example.org" in mailbox.body(mailbox.last_to("fred.new@example.org"))
    with app.app_context():
        assert db.session.scalar(select(func.count(OutboxEmail.id))) == 1  # Fred's, sent


def test_an_account_deleted_while_its_email_goes_out_leaves_no_email_behind(
        app, runner, make_user, monkeypatch):
    from app.accounts.services import delete_account
    from app.voting import notifications

    gone = make_user("gone@example.org")
    with app.app_context():
        db.session.add(OutboxEmail(user_id=gone.id, to_address=gone.email, subject="Update",
                                   body="News"))
        db.session.commit()
    sent = []

    def deliver_while_they_leave(message):
        with app.app_context():  # another request, with its own session
            delete_account(db.session.get(User, gone.id), PASSWORD)
        sent.append(message["To"])

    monkeypatch.setattr(notifications, "deliver", deliver_while_they_leave)
    result = runner.invoke(args=["notifications", "send"])
    assert result.exit_code == 0 and "Sent 1" in result.output
    assert sent == ["gone@example.org"]
    with app.app_context():
        assert db.session.scalar(select(func.count(OutboxEmail.id))) == 0


def test_email_subjects_shorten_titles_first_and_cut_between_words():
    from app.voting.notifications import headline

    merged = ("“Stop the same potholes on Millbrook Road coming back every winter and open up "
              "again by February” is now: Merged into “Fix the potholes on Millbrook Road once "
              "and for all”. You can move your support.")
    assert headline(merged) == ("“Stop the same potholes on…” is now: Merged into “Fix the "
                                "potholes on Millbrook…”")
    hidden = ("Your idea “Put benches by the bus stops on Station Road so older people can rest "
              "while they wait” has been hidden by moderators: it includes personal "
              "information. Read our house rules.")
    assert headline(hidden).endswith("has been hidden by moderators: it includes personal "
                                     "information")
    assert len(headline(hidden)) <= 100
    # A full stop inside a title does not end the sentence.
    assert headline("“Fix roads. Now” is now: Shortlisted. Well done.") == \
        "“Fix roads. Now” is now: Shortlisted"
    long = "word " * 40
    assert headline(long).endswith("word…") and len(headline(long)) <= 100
