"""Triage in the app: similar ideas, type suggestions and confirmations, duplicate groups,
merging with the supporters' consent, themes, and the evaluation commands."""

import json
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from app.extensions import db
from app.models import (
    AuditEvent,
    ConfirmedType,
    DuplicateCluster,
    Follow,
    Idea,
    IdeaStatus,
    IdeaWindow,
    Notification,
    Role,
    Support,
    TriageRun,
    TriageTheme,
    TypeModel,
    TypeSuggestion,
    User,
    utcnow,
)
from app.triage import services
from app.voting.services import recount
from tests.conftest import POSTGRES_URL
from tests.support.forms import csrf_token, submit, text

FIXTURE = Path(__file__).parent / "triage_nlp" / "fixtures" / "petitions-trim.jsonl"

GRITTING = ("Grit the side roads on the Hartley Moor estate",
            "The gritters only do the main road. The estate roads are sheet ice and people fall.")
GRITTING_AGAIN = ("Gritters never come onto our estate side roads",
                  "Every winter the estate side roads are not gritted and are like an ice rink.")
BUSES = ("Run an early bus from the docks to the hospital",
         "The first bus gets to the hospital after 8am, so nurses and patients are late.")


@pytest.fixture(autouse=True)
def fresh_caches():
    services.shared_index.reset()
    services.shared_classifier.reset()
    yield
    services.shared_index.reset()
    services.shared_classifier.reset()


@pytest.fixture
def window_with_ideas(make_window, make_user, make_idea):
    window = make_window(stage="overlap")
    author = make_user("author@example.org")
    ideas = [make_idea(window, author, title=t, problem=p) for t, p in (GRITTING, BUSES)]
    return window, ideas


def test_similar_ideas_for_a_draft_title(client, window_with_ideas):
    window, (gritting, _buses) = window_with_ideas
    reply = client.get(f"/windows/{window.id}/similar",
                       query_string={"title": "Gritting the estate side roads"}).get_json()
    assert [idea["id"] for idea in reply["ideas"]][:1] == [gritting.id]
    first = reply["ideas"][0]
    assert first["title"] == GRITTING[0] and first["past"] is False and 0 < first["score"] <= 1
    assert first["url"] == f"/ideas/{gritting.id}"
    assert client.get(f"/windows/{window.id}/similar?title=zz").get_json() == {"ideas": []}


def test_similar_ideas_offer_no_button_for_your_own_idea_or_to_staff(
        client, auth, make_user, window_with_ideas, app):
    window, (gritting, _buses) = window_with_ideas  # open for ideas and voting
    make_user("staff@example.org", role=Role.STAFF)
    make_user("rosa@example.org")

    def first(email):
        auth.sign_in(email)
        reply = client.get(f"/windows/{window.id}/similar",
                           query_string={"title": "Gritting the estate side roads"}).get_json()
        auth.sign_out()
        return reply["ideas"][0]

    assert first("rosa@example.org")["can_support"] is True
    assert first("rosa@example.org")["own"] is False
    author = first("author@example.org")
    assert author["own"] is True and author["can_support"] is False
    assert first("staff@example.org")["can_support"] is False
    with app.app_context():  # a window that lets authors support their own ideas
        db.session.get(IdeaWindow, window.id).authors_may_support_own = True
        db.session.commit()
    author = first("author@example.org")
    assert author["own"] is False and author["can_support"] is True


def test_earlier_windows_are_marked_past_and_drafts_never_show(client, make_window, make_user,
                                                              make_idea):
    from datetime import timedelta

    old = make_window(stage="closed", title="Last year")
    new = make_window(stage="open")
    author = make_user()
    make_idea(old, author, title=GRITTING[0], problem=GRITTING[1])
    make_idea(new, author, title="A draft about gritting estate roads", problem=GRITTING[1],
              status=IdeaStatus.DRAFT)
    reply = client.get(f"/windows/{new.id}/similar",
                       query_string={"title": "Grit the estate side roads"}).get_json()
    assert [(i["title"], i["past"], i["window"]) for i in reply["ideas"]] == [
        (GRITTING[0], True, "Last year")]
    assert timedelta  # the windows' dates come from the factory


def test_a_current_idea_comes_before_a_slightly_closer_one_from_an_earlier_window(
        client, make_window, make_user, make_idea):
    old = make_window(stage="closed", title="Last year")
    new = make_window(stage="overlap", title="This year")
    author = make_user()
    make_idea(old, author, title=GRITTING[0], problem=GRITTING[1])
    make_idea(new, author, title=GRITTING_AGAIN[0], problem=GRITTING_AGAIN[1])
    make_idea(new, author, title=BUSES[0], problem=BUSES[1])
    query = {"title": "Please grit the side roads on our estate"}
    reply = client.get(f"/windows/{new.id}/similar", query_string=query).get_json()["ideas"]
    scores = {i["title"]: i["score"] for i in reply}
    assert [(i["title"], i["past"]) for i in reply][:2] == [
        (GRITTING_AGAIN[0], False), (GRITTING[0], True)]
    assert scores[GRITTING[0]] > scores[GRITTING_AGAIN[0]]  # closer, but not supportable now
    # Much closer than the penalty, an earlier window's idea still comes first.
    far = client.get(f"/windows/{new.id}/similar",
                     query_string={"title": GRITTING[0], "text": GRITTING[1]}).get_json()
    assert far["ideas"][0]["title"] == GRITTING[0]


def test_an_earlier_idea_that_can_still_be_supported_keeps_its_place(
        client, make_window, make_user, make_idea):
    voting = make_window(stage="voting", title="Still voting")  # an earlier, overlapping window
    new = make_window(stage="open", title="This year")  # voting opens later
    author = make_user()
    make_idea(voting, author, title=GRITTING[0], problem=GRITTING[1])
    make_idea(new, author, title=GRITTING_AGAIN[0], problem=GRITTING_AGAIN[1])
    reply = client.get(f"/windows/{new.id}/similar",
                       query_string={"title": "Please grit the side roads on our estate"}
                       ).get_json()["ideas"]
    assert [(i["title"], i["past"], i["supportable"]) for i in reply] == [
        (GRITTING[0], True, True), (GRITTING_AGAIN[0], False, False)]  # by score alone


def test_staff_see_similar_ideas_by_score_alone(app, make_window, make_user, make_idea):
    old = make_window(stage="closed", title="Last year")
    new = make_window(stage="overlap", title="This year")
    author = make_user()
    make_idea(old, author, title=GRITTING[0], problem=GRITTING[1])
    make_idea(new, author, title=GRITTING_AGAIN[0], problem=GRITTING_AGAIN[1])
    with app.app_context():
        window = db.session.get(IdeaWindow, new.id)
        residents = services.similar_ideas("Please grit the side roads on our estate", "", window)
        staff = services.similar_ideas("Please grit the side roads on our estate", "", window,
                                       prefer_supportable=False)
    assert [s.title for s in residents] == [GRITTING_AGAIN[0], GRITTING[0]]
    assert [s.title for s in staff] == [GRITTING[0], GRITTING_AGAIN[0]]


def test_of_about_as_similar_ideas_residents_see_the_more_supported_first(
        app, make_window, make_user, make_idea):
    window = make_window(stage="overlap")
    author = make_user()
    closer = make_idea(window, author, title="Grit the estate side roads every winter")
    popular = make_idea(window, author, title="Grit our estate side roads in winter")
    with app.app_context():
        def ranked(**options):
            return [s.id for s in services.similar_ideas(
                "Grit the estate side roads every winter please", "",
                db.session.get(IdeaWindow, window.id), **options)]
        assert ranked() == [closer.id, popular.id]  # by score while neither has supporters
        db.session.execute(update(Idea).where(Idea.id == popular.id).values(support_count=400))
        db.session.commit()
        assert ranked() == [popular.id, closer.id]
        assert ranked(prefer_supportable=False) == [closer.id, popular.id]  # staff: by score


def test_the_residents_list_reranks_as_many_ideas_as_the_evaluation(
        app, window_with_ideas, monkeypatch):
    from app.triage.nlp.similarity import RERANK_DEPTH, SimilarityIndex

    window, _ideas = window_with_ideas
    asked = []
    original = SimilarityIndex.query
    monkeypatch.setattr(SimilarityIndex, "query", lambda self, text, k=5, exclude=frozenset():
                        asked.append(k) or original(self, text, k, exclude))
    with app.app_context():
        services.similar_ideas("Grit the estate roads", "", db.session.get(IdeaWindow, window.id))
    assert asked == [RERANK_DEPTH]


def test_every_worker_finds_a_new_idea_after_its_next_look(app, window_with_ideas, make_idea,
                                                           make_user, monkeypatch):
    """Two indexes stand for two gunicorn workers: neither is told about the new idea, both
    find it once their refresh interval has passed, because they read the database."""
    window, _ideas = window_with_ideas
    first, second = services.SharedIndex(), services.SharedIndex()
    with app.app_context():
        first.index(), second.index()
    make_idea(window, make_user(), title="Plant trees along the canal towpath",
              problem="The towpath is bare.")
    clock = [1000.0]
    monkeypatch.setattr(services.time, "monotonic", lambda: clock[0])
    with app.app_context():
        for worker in (first, second):
            worker._checked = clock[0]  # both looked a moment ago
            assert len(worker.index()) == 2  # not yet
        clock[0] += services.REFRESH_SECONDS + 1
        for worker in (first, second):
            found = worker.index().query("trees on the canal towpath", k=1)
            assert len(worker.index()) == 3 and found


def test_check_page_shows_similar_ideas_and_publishing_records_them(
        client, auth, make_user, window_with_ideas, app, type_model):
    window, (gritting, _buses) = window_with_ideas
    make_user("rosa@example.org")
    auth.sign_in("rosa@example.org")
    response = submit(client, f"/windows/{window.id}/submit/myself",
                      {"title": GRITTING_AGAIN[0], "problem": GRITTING_AGAIN[1], "consent": "y"})
    page = text(response)
    assert "Already posted? Support one of these instead" in page and GRITTING[0] in page
    idea_id = int(response.request.path.split("/")[2])
    submit(client, f"/ideas/{idea_id}/publish", {}, page=f"/ideas/{idea_id}/check")
    with app.app_context():
        assert db.session.get(Idea, idea_id).similar_when_posted == [gritting.id]
        suggestion = db.session.scalar(select(TypeSuggestion).where(
            TypeSuggestion.idea_id == idea_id))
        assert suggestion.model_version
        assert len(suggestion.ranked) == 7
    make_user("staff@example.org", role=Role.STAFF)
    auth.sign_out()
    auth.sign_in("staff@example.org")
    page = text(client.get(f"/staff/ideas/{idea_id}"))
    assert "The author was shown 1 similar idea and posted anyway" in page
    # The triage view leads on to the idea's review, as the review page leads here.
    assert f'href="/staff/ideas/{idea_id}/review">Feasibility and decision</a>' in page


def test_without_javascript_the_check_page_supports_a_similar_idea_and_comes_back(
        client, auth, make_user, window_with_ideas, app):
    window, (gritting, _buses) = window_with_ideas  # the window is open for voting
    make_user("rosa@example.org")
    auth.sign_in("rosa@example.org")
    response = submit(client, f"/windows/{window.id}/submit/myself",
                      {"title": GRITTING_AGAIN[0], "problem": GRITTING_AGAIN[1], "consent": "y"})
    check = response.request.path
    page = text(response)
    assert f'action="/ideas/{gritting.id}/support"' in page
    assert f'<input type="hidden" name="next" value="{check}">' in page
    assert "data-always-secondary" in page  # Publish idea stays the one green button
    supported = submit(client, f"/ideas/{gritting.id}/support", {"next": check}, page=check,
                       follow_redirects=False)
    assert supported.headers["Location"] == f"{check}#idea-{gritting.id}"
    page = text(client.get(check))
    assert "including yours" in page and f'action="/ideas/{gritting.id}/unsupport"' in page
    with app.app_context():
        assert db.session.get(Idea, gritting.id).support_count == 1


def test_the_typing_list_says_which_ideas_the_person_can_support_and_supports(
        client, auth, make_user, window_with_ideas):
    window, (gritting, _buses) = window_with_ideas
    query = {"title": "Gritting the estate side roads"}
    anonymous = client.get(f"/windows/{window.id}/similar", query_string=query).get_json()
    assert [(i["supportable"], i["can_support"], i["supported"])
            for i in anonymous["ideas"][:1]] == [(True, False, False)]
    make_user("rosa@example.org")
    auth.sign_in("rosa@example.org")
    submit(client, f"/ideas/{gritting.id}/support", {}, page=f"/ideas/{gritting.id}")
    mine = client.get(f"/windows/{window.id}/similar", query_string=query).get_json()["ideas"][0]
    assert (mine["id"], mine["can_support"], mine["supported"]) == (gritting.id, True, True)
    assert mine["unsupport_url"] == f"/ideas/{gritting.id}/unsupport"


def test_staff_confirm_types_which_alone_are_public_and_train_the_next_model(
        client, auth, make_user, window_with_ideas, app, runner, type_model):
    _window, (gritting, _buses) = window_with_ideas
    make_user("staff@example.org", role=Role.STAFF)
    auth.sign_in("staff@example.org")
    page = text(client.get(f"/staff/ideas/{gritting.id}"))
    assert "Every type, most likely first" in page and "Words that drove it" in page
    public = text(client.get(f"/ideas/{gritting.id}"))
    assert "Kind of data project" not in public  # suggestions are never public
    response = submit(client, f"/staff/ideas/{gritting.id}", {"types": ["allocation"]})
    assert "The opportunity types are saved" in text(response)
    assert "Optimising resource allocation" in text(client.get(f"/ideas/{gritting.id}"))
    with app.app_context():
        assert db.session.scalar(select(ConfirmedType.type_key)) == "allocation"
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "idea.types"))
        assert event.after == {"types": ["allocation"]}
        texts, labels, from_staff = services.training_set()
        assert from_staff == 1 and labels[-1] == "allocation" and GRITTING[0] in texts[-1]
    result = runner.invoke(args=["triage", "train", "--folds", "2"])
    assert result.exit_code == 0, result.output
    assert "1 confirmed by staff" in result.output
    assert "Cross-validated top-1 accuracy" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count(TypeModel.id))) >= 1


def test_confirming_types_refuses_mixed_or_empty_choices_and_can_remove_them(
        client, auth, make_user, window_with_ideas, app, type_model):
    _window, (gritting, _buses) = window_with_ideas
    make_user("staff@example.org", role=Role.STAFF)
    auth.sign_in("staff@example.org")
    url = f"/staff/ideas/{gritting.id}"
    page = text(submit(client, url, {"types": ["none", "allocation"]}))
    assert "There is a problem" in page
    assert "Select either ‘Not a data project’ or opportunity types, not both" in page
    assert "Remove the confirmed types" not in page  # nothing confirmed yet
    page = text(submit(client, url, {}))
    assert "Select at least one opportunity type, or ‘Not a data project’" in page
    with app.app_context():
        assert db.session.scalar(select(func.count(ConfirmedType.id))) == 0
    submit(client, url, {"types": ["allocation", "prioritise"]})
    page = text(submit(client, url, {"types": ["prioritise", "allocation"]}))
    assert "Nothing changed: these were already the confirmed types." in page
    page = text(submit(client, url, {"clear": "Remove the confirmed types"}))
    assert "The confirmed types are removed." in page
    with app.app_context():
        assert db.session.scalar(select(func.count(ConfirmedType.id))) == 0
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "idea.types")
                                    .order_by(AuditEvent.id)).all()
        assert [e.after for e in events] == [{"types": ["prioritise", "allocation"]},
                                             {"types": []}]
        staff = db.session.scalar(select(User).where(User.email == "staff@example.org"))
        with pytest.raises(ValueError, match="not both"):
            services.confirm_types(staff, db.session.get(Idea, gritting.id),
                                   ["none", "needle"])
    assert "Kind of data project" not in text(client.get(f"/ideas/{gritting.id}"))


def test_triage_backend_decides_whether_type_suggestions_use_embeddings(app, monkeypatch):
    with app.app_context():
        for backend, expected in (("auto", None), ("embeddings", True), ("tfidf", False)):
            monkeypatch.setitem(app.config, "TRIAGE_BACKEND", backend)
            assert services.type_embeddings_setting() is expected
        monkeypatch.setitem(app.config, "TRIAGE_BACKEND", "minilm")
        with pytest.raises(ValueError, match="TRIAGE_BACKEND"):
            services.type_embeddings_setting()


def test_a_model_with_embeddings_served_under_tfidf_records_that_it_used_tfidf_only(
        app, window_with_ideas, monkeypatch):
    """TRIAGE_BACKEND=tfidf keeps the sentence model out of the web workers: a stored model
    with an embeddings part is then used from its TF-IDF part, and the suggestion says so.
    (A stand-in encoder, hashed bags of words, trains the embeddings part.)"""
    from app.triage.nlp import embeddings
    from app.triage.nlp.types import TypeClassifier, load_seed
    from tests.triage_nlp.test_types import hashed_vectors

    monkeypatch.setattr(embeddings, "available", lambda: True)
    monkeypatch.setattr(embeddings, "encode", hashed_vectors)
    classifier = TypeClassifier(use_embeddings=True).fit(*load_seed())
    _window, (gritting, _buses) = window_with_ideas
    with app.app_context():
        db.session.add(TypeModel(version=classifier.version, data=classifier.to_bytes(),
                                 examples=1, metrics={}))
        db.session.commit()
        assert not services.serves_embeddings(services.served_type_model())  # tfidf in tests
        [row] = services.suggest_types([db.session.get(Idea, gritting.id)])
        assert row.model_version == f"{classifier.version}+tfidf-only"
        monkeypatch.setitem(app.config, "TRIAGE_BACKEND", "auto")
        services.shared_classifier.reset()
        assert services.serves_embeddings(services.served_type_model())
        [row] = services.suggest_types([db.session.get(Idea, gritting.id)])
        assert row.model_version == classifier.version


def test_training_again_serves_the_model_it_made_even_if_another_is_newer(app, type_model):
    """Switching TRIAGE_BACKEND back and forth makes the same two models again: the one just
    (re)made is the one served."""
    from app.triage.nlp.types import TypeClassifier, load_seed

    with app.app_context():
        made = services.train_types(None, measure=False)
        other = TypeClassifier(use_embeddings=False, C=2.0).fit(*load_seed())
        db.session.add(TypeModel(version=other.version, data=other.to_bytes(), examples=1,
                                 metrics={}))
        db.session.commit()
        assert services.shared_classifier.get().version == other.version
        services.shared_classifier.reset()
        assert services.train_types(None, measure=False).id == made.id
        assert services.served_type_model().version == made.version
        assert services.shared_classifier.get().version == made.version


def grouped(app, runner, window):
    result = runner.invoke(args=["triage", "run", "--window", str(window.id)])
    assert result.exit_code == 0, result.output
    assert re.search(r"groups? of similar ideas and \d+ themes?, in", result.output)
    with app.app_context():
        clusters = db.session.scalars(select(DuplicateCluster))
        return [[m.idea_id for m in c.members] for c in clusters]


def test_a_run_stores_every_group_with_its_own_members(app, make_window, make_user, make_idea):
    """Groups and members go in as two bulk inserts: each stored group must hold exactly the
    ideas clustering put in it."""
    window = make_window(stage="overlap")
    author = make_user("author@example.org")
    topics = [
        [("Grit the estate side roads in winter", "Side roads on the estate are never gritted."),
         ("Gritting for our estate side roads", "The estate side roads are not gritted in ice."),
         ("Please grit estate side roads", "Ice on the estate side roads, never gritted.")],
        [("Early bus from the docks to the hospital", "Nurses are late: the first bus is 8am."),
         ("An earlier bus from the docks to the hospital", "First bus too late for shifts.")],
        [("Mend the potholes on Mill Lane", "Mill Lane potholes damage bikes and cars."),
         ("Fix the potholes in Mill Lane", "The potholes on Mill Lane keep coming back.")],
    ]
    made = [[make_idea(window, author, title=t, problem=p).id for t, p in topic]
            for topic in topics]
    lonely = make_idea(window, author, title="Count the swifts nesting in church towers",
                       problem="Nobody knows how many swifts are left.").id
    with app.app_context():
        run = services.run_clustering(db.session.get(IdeaWindow, window.id))
        stored = [sorted(m.idea_id for m in cluster.members)
                  for cluster in db.session.scalars(select(DuplicateCluster).where(
                      DuplicateCluster.run_id == run.id).order_by(DuplicateCluster.id))]
        assert run.cluster_count == 3 and run.idea_count == 8
    assert sorted(stored) == sorted(sorted(ids) for ids in made)
    assert all(lonely not in group for group in stored)


def test_the_groups_page_shows_each_problem_as_plain_words(
        client, auth, make_user, make_idea, app, runner, window_with_ideas):
    window, _ideas = window_with_ideas
    make_idea(window, make_user(), title=GRITTING_AGAIN[0],
              problem="Every winter the estate side roads are not gritted:\n\n"
                      "- people **fall** on the ice\n- the gritters only do the main road\n\n"
                      + "Sheet ice for weeks. " * 30)
    grouped(app, runner, window)
    make_user("staff@example.org", role=Role.STAFF)
    auth.sign_in("staff@example.org")
    page = text(client.get(f"/staff/windows/{window.id}/duplicates"))
    words = re.sub(r"</?mark[^>]*>", "", page)  # shared words are wrapped in <mark>
    assert ("not gritted: people fall on the ice; the gritters only do the main road. Sheet ice"
            in words)
    assert "- people" not in words and "**" not in words
    card = re.search(r"not gritted: .*?</p>", words, re.S).group(0)
    assert card.endswith("…</p>") and len(card) < 450  # cut short, once


def test_the_groups_page_says_how_many_ideas_came_after_the_check(
        client, auth, make_user, make_idea, app, runner, window_with_ideas):
    window, _ideas = window_with_ideas
    grouped(app, runner, window)
    make_user("staff@example.org", role=Role.STAFF)
    auth.sign_in("staff@example.org")
    page = text(client.get(f"/staff/windows/{window.id}/duplicates"))
    assert "How this check works" in page and "posted since this check" not in page
    make_idea(window, make_user(), title=GRITTING_AGAIN[0], problem=GRITTING_AGAIN[1],
              published_days_ago=0)
    page = text(client.get(f"/staff/windows/{window.id}/duplicates"))
    assert ("1 idea has been posted, approved or put back since this check began, so it is "
            "in no group yet") in page
    grouped(app, runner, window)
    assert "since this check began" not in text(
        client.get(f"/staff/windows/{window.id}/duplicates"))
    # Posted two days ago, but waiting for a moderator until after the check.
    waiting = make_idea(window, make_user(), title="Count the swifts in church towers",
                        published_days_ago=2)
    with app.app_context():
        from app.review import moderation

        db.session.execute(update(Idea).where(Idea.id == waiting.id)
                           .values(awaiting_moderation=True))
        db.session.commit()
    grouped(app, runner, window)
    assert "since this check began" not in text(
        client.get(f"/staff/windows/{window.id}/duplicates"))
    with app.app_context():
        staff = db.session.scalar(select(User).where(User.email == "staff@example.org"))
        moderation.approve(staff, db.session.get(Idea, waiting.id))
    page = text(client.get(f"/staff/windows/{window.id}/duplicates"))
    assert "1 idea has been posted, approved or put back since this check began" in page
    assert "1 idea has been posted, approved or put back since, so it is not in these themes" \
        in text(client.get(f"/staff/windows/{window.id}/themes"))


def test_duplicate_groups_merging_and_moving_support(client, auth, make_user, make_idea, app,
                                                     runner, window_with_ideas, mailbox):
    window, (gritting, buses) = window_with_ideas
    again = make_idea(window, make_user(), title=GRITTING_AGAIN[0], problem=GRITTING_AGAIN[1])
    groups = grouped(app, runner, window)
    assert sorted(map(sorted, groups)) == [sorted([gritting.id, again.id])]

    supporter = make_user("sue@example.org")
    both = make_user("bob@example.org")
    for person in (supporter, both):
        for idea in ((again,) if person is supporter else (again, gritting)):
            other = app.test_client()
            submit(other, "/sign-in", {"email": person.email,
                                       "password": "correct-horse-battery-staple-42"})
            other.post(f"/ideas/{idea.id}/support",
                       data={"csrf_token": csrf_token(other, f"/ideas/{idea.id}")})

    fay = make_user("fay@example.org")  # follows the duplicate without supporting it
    with app.app_context():
        db.session.add(Follow(idea_id=again.id, user_id=fay.id))
        db.session.commit()

    make_user("staff@example.org", role=Role.STAFF)
    auth.sign_in("staff@example.org")
    page = text(client.get(f"/staff/windows/{window.id}/duplicates"))
    assert "Group 1: 2 ideas" in page and '<mark class="app-shared-word">' in page
    ids = re.findall(r' id="([^"]+)"', page)  # a form per button, and no id twice
    assert page.count('name="csrf_token"') > 3 and len(ids) == len(set(ids))
    with app.app_context():
        cluster_id = db.session.scalar(select(DuplicateCluster.id))
    submit(client, f"/staff/duplicates/{cluster_id}/confirm", {},
           page=f"/staff/windows/{window.id}/duplicates")
    # "Merge" asks first, saying who will be told; the most supported idea is offered first.
    page = text(client.get(f"/staff/windows/{window.id}/duplicates"))
    assert f'<option value="{again.id}">' in page and f'<option value="{gritting.id}">' in page
    confirm_url = f"/staff/ideas/{again.id}/merge?canonical={gritting.id}&cluster={cluster_id}"
    page = text(client.get(confirm_url))
    assert "Merge this idea into another?" in page
    assert "3 people who follow or support it will be told now" in page
    with app.app_context():
        assert db.session.get(Idea, again.id).status != IdeaStatus.MERGED  # not yet
    response = submit(client, f"/staff/ideas/{again.id}/merge",
                      {"canonical": gritting.id, "cluster": cluster_id}, page=confirm_url)
    assert "is merged into" in text(response)
    assert "3 people who follow or support it have been told." in text(response)
    # The banner saying so holds the Undo, which comes back to the group.
    banner = text(response).split("govuk-notification-banner--success")[1].split("</form>")[0]
    assert f'action="/staff/ideas/{again.id}/unmerge"' in banner and "Undo merge" in banner
    assert f'name="cluster" value="{cluster_id}"' in banner
    with app.app_context():
        merged = db.session.get(Idea, again.id)
        assert merged.status == IdeaStatus.MERGED and merged.merged_into_id == gritting.id
        told = list(db.session.scalars(select(Notification.message)
                                       .where(Notification.user_id.in_([supporter.id, both.id]))))
        # Supporting followed it, but each supporter is told once, with where to move to.
        assert len(told) == 2 and all("an idea you support, was merged into" in m for m in told)
        assert list(db.session.scalars(select(Notification.message).where(
            Notification.user_id == fay.id))) == [
            f"“{GRITTING_AGAIN[0]}” is now: Merged. Reason: Merged into another idea that asks "
            "for the same thing. Supporters can move their support there."]
        # Nothing moved without consent; the canonical idea counts each person once.
        assert db.session.scalar(select(func.count(Support.id)).where(
            Support.idea_id == again.id)) == 2
        assert services.unique_supporters(db.session.get(Idea, gritting.id)) == 2
    public = text(app.test_client().get(f"/ideas/{again.id}"))
    assert "This idea was merged into" in public

    sue = app.test_client()
    submit(sue, "/sign-in", {"email": "sue@example.org",
                             "password": "correct-horse-battery-staple-42"})
    assert "Move my support" in text(sue.get(f"/ideas/{again.id}"))
    response = submit(sue, f"/ideas/{again.id}/move-support", {}, page=f"/ideas/{again.id}")
    assert "Your support has moved" in text(response)
    with app.app_context():
        assert db.session.scalar(select(Follow.id).where(  # supporting it follows it
            Follow.idea_id == gritting.id, Follow.user_id == supporter.id))
        assert db.session.get(Idea, gritting.id).support_count == 2
        assert db.session.get(Idea, again.id).support_count == 1
        assert services.unique_supporters(db.session.get(Idea, gritting.id)) == 2
        assert recount(fix=False) == []  # the ledgers moved with the supports
    # A supporter of both ideas keeps one support: the duplicate's goes, the canonical's stays.
    both_client = app.test_client()
    submit(both_client, "/sign-in", {"email": both.email,
                                     "password": "correct-horse-battery-staple-42"})
    response = submit(both_client, f"/ideas/{again.id}/move-support", {},
                      page=f"/ideas/{again.id}")
    assert "Your support has moved" in text(response)
    with app.app_context():
        assert db.session.get(Idea, gritting.id).support_count == 2
        assert db.session.get(Idea, again.id).support_count == 0
        assert recount(fix=False) == []

    # "Undo merge" asks first too, saying who will be told; nothing is undone until Confirm.
    confirm_url = f"/staff/ideas/{again.id}/unmerge?cluster={cluster_id}"
    page = text(client.get(confirm_url))
    assert "Undo this merge?" in page
    assert ("3 people who follow or support it, or were told about the merge, will be told now "
            "in their notifications, and by email") in page
    assert f"2 people who moved their support to “{gritting.title}” will be told it stays " \
        "there" in page  # Sue, and Bob, who supported both
    assert "still supports it" not in page and "still support it" not in page
    with app.app_context():
        assert db.session.get(Idea, again.id).status == IdeaStatus.MERGED  # not yet
    response = submit(client, f"/staff/ideas/{again.id}/unmerge",
                      {"cluster": cluster_id, "confirmed": "1"}, page=confirm_url)
    assert "is no longer merged" in text(response)
    assert ("3 people who follow or support it, or were told about the merge, have been told "
            "it is undone.") in text(response)
    with app.app_context():
        assert db.session.get(Idea, again.id).status == IdeaStatus.SUBMITTED
        actions = list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
    assert {"triage.run", "cluster.confirm", "idea.merge", "idea.unmerge"} <= set(actions)
    assert buses.id


def test_taking_an_idea_out_of_a_group_and_back(client, auth, make_user, make_idea, app,
                                                runner, window_with_ideas):
    window, (gritting, _buses) = window_with_ideas
    make_idea(window, make_user(), title=GRITTING_AGAIN[0], problem=GRITTING_AGAIN[1])
    grouped(app, runner, window)
    make_user("staff@example.org", role=Role.STAFF)
    auth.sign_in("staff@example.org")
    with app.app_context():
        cluster = db.session.scalar(select(DuplicateCluster))
        member_id = cluster.members[0].id
    page = f"/staff/windows/{window.id}/duplicates"
    assert "is out of the group" in text(submit(
        client, f"/staff/duplicate-members/{member_id}/remove", {}, page=page))
    assert "is back in the group" in text(submit(
        client, f"/staff/duplicate-members/{member_id}/remove", {"undo": "1"}, page=page))
    assert gritting.id


def test_themes_and_the_public_triage_page(client, auth, make_user, make_window, make_idea,
                                           app):
    window = make_window()
    author = make_user()
    for n in range(6):
        make_idea(window, author, title=f"Grit the estate roads number {n}",
                  problem="Gritting winter ice roads estate pavements.")
        make_idea(window, author, title=f"Early buses to the hospital {n}",
                  problem="Buses hospital shifts nurses early morning timetable.")
    make_user("staff@example.org", role=Role.STAFF)
    auth.sign_in("staff@example.org")
    page = text(client.get(f"/staff/windows/{window.id}/themes"))
    assert "The check has not run for this window yet" in page and "Top words:" not in page
    # Themes are found with the check, and kept with it: the page reads them.
    response = submit(client, f"/staff/windows/{window.id}/duplicates/run", {"then": "themes"},
                      page=f"/staff/windows/{window.id}/themes")
    assert response.request.path == f"/staff/windows/{window.id}/themes"
    page = text(response)
    assert "Top words:" in page and "6 ideas at the last check" in page
    assert "Checked 12 ideas: 2 groups of similar ideas and 2 themes." in page
    # Five ideas show at once, the sixth behind "Show": every idea of the theme is there.
    assert page.count("Show 1 more idea") == 2 and "most about this theme" not in page
    assert all(f"number {n}</a>" in page and f"hospital {n}</a>" in page for n in range(6))
    with app.app_context():
        stored = list(db.session.scalars(select(TriageTheme).order_by(TriageTheme.position)))
        assert [t.idea_count for t in stored] == [6, 6] and len(stored[0].example_ids) == 6
        # An idea hidden since the check is no longer shown as an example.
        hidden = db.session.get(Idea, stored[0].example_ids[0])
        hidden.hidden_at, hidden_title = utcnow(), hidden.title
        db.session.commit()
    page = text(client.get(f"/staff/windows/{window.id}/themes"))
    assert "6 ideas at the last check" in page and hidden_title not in page
    assert "The 5 ideas most about this theme are listed." in page
    # The heading's first letter is a capital, and the words keep their own case.
    headings = re.findall(r'<h2 class="govuk-heading-m">([^<]+)</h2>', page)
    assert headings and all(h[0].isupper() for h in headings)
    public = text(client.get("/how-triage-works"))
    assert "People make every decision" in public


def test_how_triage_works_links_the_technical_notes_only_where_the_code_is_published(
        client, app, monkeypatch):
    page = text(client.get("/how-triage-works"))
    # Without SOURCE_CODE_URL nobody can follow "docs/triage.md": the notes are offered by email.
    assert "docs/triage.md" not in page
    assert ('email <a class="govuk-link" href="mailto:oda@example.org">oda@example.org</a> to '
            "ask for our technical notes") in page
    monkeypatch.setitem(app.config, "SOURCE_CODE_URL",
                        "https://github.com/example/oda-ideas/blob/main/")
    page = text(client.get("/how-triage-works"))
    assert ('<a class="govuk-link" href="https://github.com/example/oda-ideas/blob/main/docs/'
            'triage.md">technical notes on triage</a>') in page
    assert "to ask for our technical notes" not in page


def test_a_run_over_every_window_tells_each_window_its_own_figures(
        client, auth, make_user, make_window, make_idea, app):
    """`flask triage run` without --window covers every window: each window's pages show its
    own ideas, groups and themes, and say why a window has no themes."""
    busy, unrelated, tiny = make_window(), make_window(), make_window()
    author = make_user()
    for n in range(6):
        make_idea(busy, author, title=f"Grit the estate roads number {n}",
                  problem="Gritting winter ice roads estate pavements.")
    for title, problem in (("Count swifts in towers", "Birds nesting high up."),
                           ("Late library hours", "Opening times after work."),
                           ("Bigger recycling boxes", "Cardboard overflows."),
                           ("Safer level crossing", "Barriers drop slowly.")):
        make_idea(unrelated, author, title=title, problem=problem)
    make_idea(tiny, author, title="One lonely idea about benches", problem="Nowhere to sit.")
    with app.app_context():
        run = services.run_clustering(None)
        assert run.idea_count == 11
    make_user("staff@example.org", role=Role.STAFF)
    auth.sign_in("staff@example.org")
    page = text(client.get(f"/staff/windows/{busy.id}/duplicates"))
    assert "6 ideas, 1 group." in page
    page = text(client.get(f"/staff/windows/{unrelated.id}/themes"))
    assert "from 4 ideas" in page and "the ideas have too few words in common" in page
    page = text(client.get(f"/staff/windows/{tiny.id}/themes"))
    assert "from 1 idea." in page and "at least 4 are needed" in page
    with app.app_context():  # a run from before themes were kept has no per-window figures
        db.session.get(TriageRun, run.id).settings = {"threshold": 0.26, "backend": "tfidf"}
        db.session.commit()
    page = text(client.get(f"/staff/windows/{tiny.id}/themes"))
    assert "made before themes were kept with it" in page


def test_evaluation_commands_print_one_json_object(runner, tmp_path, type_model):
    rankings, assignments = tmp_path / "r.jsonl", tmp_path / "a.jsonl"
    result = runner.invoke(args=["triage", "evaluate-duplicates", str(FIXTURE),
                                 "--rankings", str(rankings), "--assignments", str(assignments)])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    assert "backend" in figures and "clustering" in json.dumps(figures)
    assert set(figures["as_of_date"]) == {"no_later_petitions", "closed_ranked_lower",
                                          "clustering_within_days"}
    assert rankings.read_text().count("\n") > 10 and assignments.read_text().count("\n") > 10
    rows = tmp_path / "types.jsonl"
    rows.write_text("\n".join(json.dumps(r) for r in [
        {"text": "Predict which homes will flood so that help arrives first",
         "label": "early_warning"},
        {"text": "Trial two versions of the council tax reminder letter", "label": "experiment"},
    ]))
    predictions = tmp_path / "p.jsonl"
    result = runner.invoke(args=["triage", "evaluate-types", str(rows),
                                 "--predictions", str(predictions)])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    assert "confusion" in json.dumps(figures)
    lines = [json.loads(line) for line in predictions.read_text().splitlines()]
    assert len(lines) == 2 and len(lines[0]["ranked"]) == 7


def test_evaluate_types_works_before_the_database_is_migrated(tmp_path):
    from app import create_app
    from config import TestConfig

    bare = create_app(TestConfig, {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/new.db",
                                   "TRIAGE_BACKEND": "tfidf"})
    rows = tmp_path / "types.jsonl"
    rows.write_text(json.dumps({"text": "Trial two versions of the reminder letter",
                                "label": "experiment"}) + "\n")
    result = bare.test_cli_runner().invoke(
        args=["triage", "evaluate-types", str(rows)])
    assert result.exit_code == 0, result.output
    assert "run `flask db upgrade`" in result.stderr
    assert json.loads(result.stdout)["n"] == 1


def test_evaluate_types_names_every_bad_line(runner, tmp_path):
    rows = tmp_path / "types.jsonl"
    rows.write_text('{"text": "Rank the repairs", "label": "prioritise"}\n{oops\n'
                    '{"text": "x", "label": "maybe"}\n')
    result = runner.invoke(args=["triage", "evaluate-types", str(rows)])
    assert result.exit_code == 1
    assert "line 2: not JSON" in result.output and "line 3: label 'maybe'" in result.output


def test_shared_words_leave_out_every_stop_word():
    stems = services.shared_words(["Stop potholes on Millbrook Road coming back every winter",
                                   "Same holes in the road open up again every year and back"])
    assert "road" in stems
    assert not stems & {"everi", "back", "up", "every"}


def test_merging_asks_first_offers_the_most_supported_idea_and_refuses_hidden_ideas(
        client, auth, make_user, make_idea, make_window, app, runner):
    from sqlalchemy import update

    window = make_window(stage="voting")
    author = make_user("author@example.org")
    ideas = [make_idea(window, author, title=title, problem=GRITTING[1])
             for title in (GRITTING[0], GRITTING_AGAIN[0], "Grit the estate side roads please")]
    hidden = make_idea(window, author, title="Grit our estate roads, they are ice",
                       problem=GRITTING[1])
    with app.app_context():
        for idea, count in zip(ideas, (5, 1, 9), strict=True):
            db.session.execute(update(Idea).where(Idea.id == idea.id).values(support_count=count))
        db.session.commit()
    assert runner.invoke(args=["triage", "run", "--window", str(window.id)]).exit_code == 0
    with app.app_context():
        db.session.execute(update(Idea).where(Idea.id == hidden.id).values(hidden_at=func.now()))
        db.session.commit()
        cluster_id = db.session.scalar(select(DuplicateCluster.id))
    make_user("staff@example.org", role=Role.STAFF)
    auth.sign_in("staff@example.org")
    page = text(client.get(f"/staff/windows/{window.id}/duplicates"))
    # In the first idea's "Merge into" list, the most supported other idea comes first.
    first_list = page.split('id="canonical-')[1].split("</select>")[0]
    assert first_list.index(f'value="{ideas[2].id}"') < first_list.index(f'value="{ideas[1].id}"')
    # The most supported idea is marked as the one to keep; its own Merge is tucked away.
    assert page.count("Most supported</strong>") == 1
    keep = page.split("Most supported</strong>")[1].split("</details>")[0]
    assert "Merge this idea into another instead" in keep
    assert f'href="/staff/ideas/{ideas[2].id}"' in page.split("Most supported</strong>")[0] \
        .rsplit("<h3", 1)[1]

    def merge_page(target, cluster=cluster_id):
        return client.get(f"/staff/ideas/{ideas[1].id}/merge?canonical={target}&cluster={cluster}",
                          follow_redirects=True)

    page = text(merge_page(ideas[2].id))
    assert "Merge this idea into another?" in page
    # Refused before the question, not after it: hidden, itself, a crafted id.
    assert "hidden or waiting for moderation" in text(merge_page(hidden.id))
    assert "Choose a different idea to merge into" in text(merge_page(ideas[1].id))
    assert "Choose the idea to merge into" in text(merge_page(99999999999999999999))
    assert merge_page(ideas[2].id, cluster=99999999999999999999).status_code == 200
    with app.app_context():  # looking changed nothing
        assert db.session.scalar(select(func.count(Notification.id))) == 0
        assert db.session.scalar(select(func.count(AuditEvent.id)).where(
            AuditEvent.action == "idea.merge")) == 0
    response = submit(client, f"/staff/ideas/{ideas[1].id}/merge",
                      {"canonical": hidden.id, "cluster": cluster_id},
                      page=f"/staff/ideas/{ideas[1].id}/merge?canonical={ideas[2].id}")
    assert "hidden or waiting for moderation" in text(response)
    with app.app_context():
        assert db.session.get(Idea, ideas[1].id).status != IdeaStatus.MERGED
    response = submit(client, f"/staff/ideas/{ideas[1].id}/merge",
                      {"canonical": ideas[2].id, "cluster": cluster_id},
                      page=f"/staff/ideas/{ideas[1].id}/merge?canonical={ideas[2].id}")
    assert "Nobody followed or supported it, so nobody was told." in text(response)
    with app.app_context():
        merged = db.session.get(Idea, ideas[1].id)
        assert merged.status == IdeaStatus.MERGED
        assert ideas[2].title not in merged.status_changes[-1].reason  # no title on the timeline


# ---- Undoing a merge, and the groups page offering only what can work ------------------------

def client_for(app, person):
    """A test client of its own, signed in as `person`."""
    other = app.test_client()
    submit(other, "/sign-in", {"email": person.email,
                               "password": "correct-horse-battery-staple-42"})
    return other


def latest_message(app, person) -> str:
    with app.app_context():
        return db.session.scalar(select(Notification.message).where(
            Notification.user_id == person.id).order_by(Notification.id.desc()).limit(1))


def test_undoing_a_merge_tells_everyone_told_about_it_where_their_support_is(
        client, auth, make_user, make_window, make_idea, app):
    from app.models import OutboxEmail, SupportMove

    window = make_window(stage="voting")
    author = make_user("author@example.org")
    canonical = make_idea(window, author, title=GRITTING[0], problem=GRITTING[1])
    duplicate = make_idea(window, author, title=GRITTING_AGAIN[0], problem=GRITTING_AGAIN[1])
    sue, kim, fay = (make_user(f"{name}@example.org") for name in ("sue", "kim", "fay"))
    clients = {person.id: client_for(app, person) for person in (sue, kim, fay)}
    for person in (sue, kim):
        clients[person.id].post(f"/ideas/{duplicate.id}/support", data={
            "csrf_token": csrf_token(clients[person.id], f"/ideas/{duplicate.id}")})
    submit(clients[fay.id], f"/ideas/{duplicate.id}/follow", {}, page=f"/ideas/{duplicate.id}")
    make_user("staff@example.org", role=Role.STAFF)
    auth.sign_in("staff@example.org")

    confirm_url = f"/staff/ideas/{duplicate.id}/merge?canonical={canonical.id}"
    assert ("You can undo the merge, but not the messages. If you undo it, the same people are "
            "told it is undone") in text(client.get(confirm_url))
    response = submit(client, f"/staff/ideas/{duplicate.id}/merge", {"canonical": canonical.id},
                      page=confirm_url)
    page = text(response)
    # Back on the merged idea's staff page: the banner's Undo, and where it went.
    assert "3 people who follow or support it have been told." in page
    assert page.count(f'action="/staff/ideas/{duplicate.id}/unmerge"') == 2
    assert "This idea is merged into" in page and f'href="/staff/ideas/{canonical.id}"' in page
    page = text(client.get(f"/staff/ideas/{canonical.id}"))
    assert "Ideas merged into this one" in page and f'href="/staff/ideas/{duplicate.id}"' in page

    # Sue moves her support; Kim leaves his where it is.
    response = submit(clients[sue.id], f"/ideas/{duplicate.id}/move-support",
                      {"into": canonical.id}, page=f"/ideas/{duplicate.id}")
    assert "Your support has moved" in text(response)
    kims_page = f"/ideas/{duplicate.id}"
    kims_token = csrf_token(clients[kim.id], kims_page)  # his page, before the undo
    assert "Move my support" in text(clients[kim.id].get(kims_page))

    with app.app_context():
        emails_before = db.session.scalar(select(func.count(OutboxEmail.id)))
    confirm_url = f"/staff/ideas/{duplicate.id}/unmerge"
    page = text(client.get(confirm_url))
    assert "Undo this merge?" in page and "Submitted" in page  # the status it gets back
    assert ("3 people who follow or support it, or were told about the merge, will be told now "
            "in their notifications, and by email") in page
    assert f"1 person who moved their support to “{GRITTING[0]}” will be told it stays there" \
        in page  # Sue
    assert "1 person who still supports it will be told their support is still on it" in page
    assert 'href="/staff/ideas/' + str(duplicate.id) + '">Cancel</a>' in page
    response = submit(client, confirm_url, {"confirmed": "1"})
    assert ("is no longer merged. 3 people who follow or support it, or were told about the "
            "merge, have been told it is undone.") in text(response)
    assert "This idea is merged into" not in text(response)
    assert "Ideas merged into this one" not in text(client.get(f"/staff/ideas/{canonical.id}"))

    said = {person.email: latest_message(app, person) for person in (sue, kim, fay)}
    first = (f"“{GRITTING_AGAIN[0]}” is no longer merged into “{GRITTING[0]}”. Staff decided "
             "the two ideas do not ask for the same thing. It is an idea of its own again, "
             "open for support.")
    assert all(message.startswith(first) for message in said.values())
    assert said["sue@example.org"].endswith(
        f"You moved your support to “{GRITTING[0]}”, and it stays there: nothing moves back "
        "unless you do. If you want to support this idea again, you can do so on its page.")
    assert said["kim@example.org"].endswith("You still support it.")
    assert said["fay@example.org"] == first
    with app.app_context():
        emails = list(db.session.scalars(select(OutboxEmail).order_by(OutboxEmail.id)))[
            emails_before:]
        assert sorted(e.to_address for e in emails) == [
            "fay@example.org", "kim@example.org", "sue@example.org"]
        # Both titles are long, so the subject shortens them to keep what happened in view.
        assert all(e.subject.startswith("“Gritters never come onto our…” is no longer merged "
                                        "into “Grit the side roads on the…”")
                   for e in emails)
        # Nothing moved back: Sue's support stays on the idea she moved it to.
        supporters = {idea_id: set(db.session.scalars(select(Support.user_id).where(
            Support.idea_id == idea_id))) for idea_id in (canonical.id, duplicate.id)}
        assert supporters == {canonical.id: {sue.id}, duplicate.id: {kim.id}}
        assert db.session.scalar(select(func.count(SupportMove.id))) == 1
        assert recount(fix=False) == []
    assert "is no longer merged into" in text(clients[sue.id].get("/notifications"))

    # Kim's page from before the undo still had the button: it refuses, and says why.
    response = clients[kim.id].post(f"/ideas/{duplicate.id}/move-support",
                                    data={"csrf_token": kims_token, "into": canonical.id},
                                    follow_redirects=True)
    assert "Staff have undone the merge of this idea, so there is nothing to move." in \
        text(response)
    # Merged again, into another idea: a button that named the first one moves nothing.
    other = make_idea(window, author, title="Grit every estate road when frost is forecast",
                      problem=GRITTING[1])
    submit(client, f"/staff/ideas/{duplicate.id}/merge", {"canonical": other.id},
           page=f"/staff/ideas/{duplicate.id}/merge?canonical={other.id}")
    response = clients[kim.id].post(f"/ideas/{duplicate.id}/move-support",
                                    data={"csrf_token": kims_token, "into": canonical.id},
                                    follow_redirects=True)
    assert "has since been merged into a different idea, so your support has not moved" in \
        text(response)
    with app.app_context():
        assert set(db.session.scalars(select(Support.user_id).where(
            Support.idea_id == duplicate.id))) == {kim.id}
        assert db.session.scalar(select(func.count(AuditEvent.id)).where(
            AuditEvent.action == "idea.unmerge")) == 1

    # Her download says where she moved her support; deleting her account forgets it.
    mine = clients[sue.id].get("/account/download-my-data").get_json()
    assert mine["supports_moved"] == [{"from_idea": GRITTING_AGAIN[0], "to_idea": GRITTING[0],
                                       "moved_at": mine["supports_moved"][0]["moved_at"]}]
    submit(clients[sue.id], "/account/delete",
           {"confirm": "y", "password": "correct-horse-battery-staple-42"})
    with app.app_context():
        assert db.session.scalar(select(func.count(SupportMove.id))) == 0


@pytest.mark.parametrize(("stage", "before", "hide_canonical", "says"), [
    ("open", IdeaStatus.SUBMITTED, False, "can be supported when voting opens on "),
    ("review", IdeaStatus.UNDER_REVIEW, False,
     "Voting has closed, so it can no longer be supported."),
    ("voting", IdeaStatus.SHORTLISTED, False, "with the status it had before: Shortlisted."),
    ("voting", IdeaStatus.SUBMITTED, True, "is no longer merged into another idea."),
])
def test_what_undoing_a_merge_says_follows_the_ideas_status_and_window(
        app, make_user, make_window, make_idea, stage, before, hide_canonical, says):
    from app.triage import merging

    window = make_window(stage=stage)
    author = make_user()
    canonical = make_idea(window, author, title=GRITTING[0], problem=GRITTING[1])
    duplicate = make_idea(window, author, title=GRITTING_AGAIN[0], problem=GRITTING_AGAIN[1],
                          status=before)
    follower = make_user()
    staff = make_user(role=Role.STAFF)
    with app.app_context():
        from app.models import Follow

        db.session.add(Follow(user_id=follower.id, idea_id=duplicate.id))
        db.session.commit()
        actor = db.session.get(type(staff), staff.id)
        assert merging.merge(actor, db.session.get(Idea, duplicate.id),
                             db.session.get(Idea, canonical.id)) == 1
        if hide_canonical:  # moderators hid it since: its title is not repeated
            db.session.execute(update(Idea).where(Idea.id == canonical.id)
                               .values(hidden_at=func.now()))
            db.session.commit()
        assert merging.unmerge(actor, db.session.get(Idea, duplicate.id)) == 1
        assert db.session.get(Idea, duplicate.id).status == before
    message = latest_message(app, follower)
    assert message.startswith(f"“{GRITTING_AGAIN[0]}” is no longer merged into") and says in message
    assert "You still support" not in message and "You moved" not in message  # a follower
    if hide_canonical:
        assert GRITTING[0] not in message


def test_undoing_a_merge_asks_first_and_nothing_else_undoes_it(
        client, auth, make_user, make_window, make_idea, app):
    from app.triage import merging

    window = make_window(stage="voting")
    author = make_user("author@example.org")
    canonical = make_idea(window, author, title=GRITTING[0], problem=GRITTING[1])
    duplicate = make_idea(window, author, title=GRITTING_AGAIN[0], problem=GRITTING_AGAIN[1])
    fay = make_user("fay@example.org")
    staff = make_user("staff@example.org", role=Role.STAFF)
    with app.app_context():
        from app.models import Follow, User

        db.session.add(Follow(user_id=fay.id, idea_id=duplicate.id))
        db.session.get(User, fay.id).email_notifications = False
        db.session.commit()
        merging.merge(db.session.get(User, staff.id), db.session.get(Idea, duplicate.id),
                      db.session.get(Idea, canonical.id))
    auth.sign_in("staff@example.org")
    url = f"/staff/ideas/{duplicate.id}/unmerge"
    page = text(client.get(url))
    assert "<title>Undo the merge of" in page and "Undo this merge?" in page
    # Fay follows it with emails off: told in the app only.
    assert ("1 person who follows or supports it, or was told about the merge, will be told "
            "now in their notifications</li>") in page
    assert 'name="confirmed" value="1"' in page and "Undo the merge</button>" in page
    # A post without the confirmation page's answer (an older page's Undo) only asks.
    response = submit(client, url, {}, page=f"/staff/ideas/{duplicate.id}")
    assert "Undo this merge?" in text(response)
    with app.app_context():
        assert db.session.get(Idea, duplicate.id).status == IdeaStatus.MERGED
        assert db.session.scalar(select(func.count(AuditEvent.id)).where(
            AuditEvent.action == "idea.unmerge")) == 0
    response = submit(client, url, {"confirmed": "1"})
    assert ("is no longer merged. 1 person who follows or supports it, or was told about the "
            "merge, has been told it is undone.") in text(response)
    with app.app_context():
        assert db.session.get(Idea, duplicate.id).status == IdeaStatus.SUBMITTED
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "idea.unmerge"))
        assert event.actor_id == staff.id and event.target_id == str(duplicate.id)
    # Undone already (in another tab): the page says so rather than asking again.
    response = client.get(url, follow_redirects=True)
    assert "This idea is not merged" in text(response) and "Undo this merge?" not in text(response)
    # Residents are refused, as on every staff page.
    assert client_for(app, fay).get(url).status_code == 403


def idea_card(page: str, idea_id: int) -> str:
    """One idea's part of the groups page."""
    return next(card for card in page.split('app-cluster__idea ')[1:]
                if f'href="/staff/ideas/{idea_id}"' in card.split("</h3>")[0])


def test_the_groups_page_offers_only_what_can_be_done(client, auth, make_user, make_idea, app,
                                                      runner, window_with_ideas):
    window, (gritting, _buses) = window_with_ideas
    again = make_idea(window, make_user(), title=GRITTING_AGAIN[0], problem=GRITTING_AGAIN[1])
    grouped(app, runner, window)
    make_user("staff@example.org", role=Role.STAFF)
    auth.sign_in("staff@example.org")
    url = f"/staff/windows/{window.id}/duplicates"
    with app.app_context():
        cluster = db.session.scalar(select(DuplicateCluster))
        cluster_id, member_ids = cluster.id, {m.idea_id: m.id for m in cluster.members}
    page = text(client.get(url))
    for idea in (gritting, again):
        assert "Merge into" in idea_card(page, idea.id)
        assert "Not a duplicate" in idea_card(page, idea.id)

    # Merged into the only other idea: the survivor has nothing left to merge into.
    submit(client, f"/staff/ideas/{again.id}/merge",
           {"canonical": gritting.id, "cluster": cluster_id},
           page=f"/staff/ideas/{again.id}/merge?canonical={gritting.id}&cluster={cluster_id}")
    page = text(client.get(url))
    survivor, merged = idea_card(page, gritting.id), idea_card(page, again.id)
    assert "Merge into" not in survivor and "<select" not in survivor
    assert "There is no other idea in this group to merge it into." in survivor
    assert "Not a duplicate" not in survivor and "Not a duplicate" not in merged
    assert "Undo merge" in merged
    assert "Confirm these ask for the same thing" in page  # the two still asked for one thing

    submit(client, f"/staff/ideas/{again.id}/unmerge", {"cluster": cluster_id, "confirmed": "1"},
           page=f"/staff/ideas/{again.id}/unmerge?cluster={cluster_id}")
    # One taken out: the one left can be neither merged, confirmed nor taken out.
    submit(client, f"/staff/duplicate-members/{member_ids[again.id]}/remove", {}, page=url)
    page = text(client.get(url))
    left, out = idea_card(page, gritting.id), idea_card(page, again.id)
    assert "Only one idea is left in this group." in page
    assert "Confirm these ask for the same thing" not in page
    assert "Merge into" not in left and "Not a duplicate" not in left
    assert "There is no other idea" not in left  # the group's note says it once
    assert "Put back in the group" in out and "Merge into" not in out
    submit(client, f"/staff/duplicate-members/{member_ids[again.id]}/remove", {"undo": "1"},
           page=url)
    # A withdrawn idea is neither merged nor merged into.
    with app.app_context():
        db.session.execute(update(Idea).where(Idea.id == again.id)
                           .values(status=IdeaStatus.WITHDRAWN))
        db.session.commit()
    page = text(client.get(url))
    assert "Merge into" not in idea_card(page, again.id)
    assert "Merge into" not in idea_card(page, gritting.id)
    assert "There is no other idea in this group to merge it into." in idea_card(page, gritting.id)


def test_checking_again_keeps_what_staff_decided(client, auth, make_user, make_idea, app,
                                                 runner, window_with_ideas):
    window, (gritting, _buses) = window_with_ideas
    author = make_user()
    again = make_idea(window, author, title=GRITTING_AGAIN[0], problem=GRITTING_AGAIN[1])
    third = make_idea(window, author, title="Grit the estate side roads please",
                      problem=GRITTING[1])
    grouped(app, runner, window)
    make_user("staff@example.org", role=Role.STAFF)
    auth.sign_in("staff@example.org")
    url = f"/staff/windows/{window.id}/duplicates"
    with app.app_context():
        cluster = db.session.scalar(select(DuplicateCluster))
        cluster_id, member_ids = cluster.id, {m.idea_id: m.id for m in cluster.members}
    assert set(member_ids) == {gritting.id, again.id, third.id}
    submit(client, f"/staff/duplicate-members/{member_ids[third.id]}/remove", {}, page=url)
    submit(client, f"/staff/duplicates/{cluster_id}/confirm", {}, page=url)
    submit(client, f"/staff/ideas/{again.id}/merge",
           {"canonical": gritting.id, "cluster": cluster_id},
           page=f"/staff/ideas/{again.id}/merge?canonical={gritting.id}&cluster={cluster_id}")

    response = submit(client, f"/staff/windows/{window.id}/duplicates/run", {}, page=url)
    page = text(response)
    assert ("Staff decisions kept: 1 confirmed group, 1 idea taken out, 1 merged idea."
            in page)
    with app.app_context():
        run = services.latest_run(db.session.get(IdeaWindow, window.id))
        [cluster] = db.session.scalars(select(DuplicateCluster)
                                       .where(DuplicateCluster.run_id == run.id))
        assert cluster.id != cluster_id and cluster.status.value == "confirmed"
        assert {m.idea_id: m.removed for m in cluster.members} == {
            gritting.id: False, again.id: False, third.id: True}
    assert "Confirmed" in page and "Undo merge" in page and "Put back in the group" in page

    # A new idea joins the confirmed group: it waits to be confirmed again.
    newcomer = make_idea(window, author, title="Please grit the side roads on our estate",
                         problem=GRITTING_AGAIN[1])
    page = text(submit(client, f"/staff/windows/{window.id}/duplicates/run", {}, page=url))
    assert "1 confirmed group now has new ideas: check it and confirm again." in page
    assert "1 idea joined the group since (marked “New since confirmed”)" in page
    assert "New since confirmed" in idea_card(page, newcomer.id)
    assert "New since confirmed" not in idea_card(page, gritting.id)
    assert "Undo confirmation" not in page and "Confirm these ask for the same thing" in page


LOCKED = "so its duplicate groups can no longer change"


@pytest.fixture
def published_groups(app, runner, make_user, make_idea, window_with_ideas):
    """A window whose shortlist is published after staff confirmed its group, merged one
    idea into another and took a third out of the group."""
    from app.models import ClusterMember, ClusterStatus

    window, (gritting, buses) = window_with_ideas
    again = make_idea(window, make_user(), title=GRITTING_AGAIN[0], problem=GRITTING_AGAIN[1])
    grouped(app, runner, window)
    staff = make_user("staff@example.org", role=Role.STAFF)
    sue = make_user("sue@example.org")
    with app.test_request_context():
        from app.triage import merging

        db.session.add(Support(idea_id=again.id, user_id=sue.id, window_id=window.id))
        cluster = db.session.scalar(select(DuplicateCluster))
        db.session.add(ClusterMember(cluster_id=cluster.id, idea_id=buses.id, removed=True))
        cluster.status = ClusterStatus.CONFIRMED
        db.session.commit()
        actor = db.session.get(User, staff.id)
        merging.merge(actor, db.session.get(Idea, again.id), db.session.get(Idea, gritting.id))
        db.session.get(IdeaWindow, window.id).shortlist_published_at = utcnow()
        db.session.commit()
        members = {m.idea_id: m.id for m in cluster.members}
    return window, cluster.id, members, (gritting, buses, again), staff, sue


def test_once_the_shortlist_is_published_duplicate_groups_cannot_change(app, published_groups):
    from app.models import ClusterMember
    from app.triage import merging

    window, cluster_id, members, (gritting, buses, again), staff, sue = published_groups
    with app.test_request_context():
        actor = db.session.get(User, staff.id)
        events = db.session.scalar(select(func.count(AuditEvent.id)))
        cluster = db.session.get(DuplicateCluster, cluster_id)
        refusals = [
            lambda: merging.merge(actor, db.session.get(Idea, buses.id),
                                  db.session.get(Idea, gritting.id)),
            lambda: merging.check_merge(db.session.get(Idea, buses.id),
                                        db.session.get(Idea, gritting.id)),
            lambda: merging.unmerge(actor, db.session.get(Idea, again.id)),
            lambda: merging.unmerge_preview(actor, db.session.get(Idea, again.id)),
            lambda: merging.confirm_cluster(actor, cluster, False),
            lambda: merging.confirm_cluster(actor, cluster, True),
            lambda: merging.set_member_removed(
                actor, db.session.get(ClusterMember, members[buses.id]), False),
            lambda: merging.set_member_removed(
                actor, db.session.get(ClusterMember, members[gritting.id]), True),
        ]
        for refused in refusals:
            with pytest.raises(merging.MergeError, match=LOCKED):
                refused()
            db.session.rollback()
        # Supporters' own moves are not staff changes, but voting is over once it is out.
        with pytest.raises(merging.MergeError, match="Voting has closed"):
            merging.move_support(db.session.get(User, sue.id), db.session.get(Idea, again.id))
        assert db.session.scalar(select(func.count(AuditEvent.id))) == events
        assert db.session.get(Idea, again.id).status == IdeaStatus.MERGED
        assert db.session.get(Idea, buses.id).status == IdeaStatus.SUBMITTED
        assert db.session.get(DuplicateCluster, cluster_id).status.value == "confirmed"
        assert db.session.get(ClusterMember, members[buses.id]).removed
        assert not db.session.get(ClusterMember, members[gritting.id]).removed
        assert merging.member_choices(cluster)[members[gritting.id]].targets == []


def test_the_groups_page_offers_nothing_after_the_shortlist_and_refuses_old_buttons(
        app, client, auth, published_groups):
    window, cluster_id, members, (gritting, buses, again), _staff, _sue = published_groups
    auth.sign_in("staff@example.org")
    url = f"/staff/windows/{window.id}/duplicates"
    page = text(client.get(url))
    assert LOCKED in page and "would change the support counts it was chosen from" in page
    for button in ("Merge into", "Undo merge", "Not a duplicate", "Put back in the group",
                   "Confirm these ask for the same thing", "Undo confirmation"):
        assert button not in page
    triage_page = text(client.get(f"/staff/ideas/{again.id}"))
    assert LOCKED in triage_page and "Undo merge" not in triage_page

    # Buttons on a page from before: each is refused with the reason, and nothing changes.
    posts = [(f"/staff/duplicates/{cluster_id}/confirm", {"undo": "1"}),
             (f"/staff/duplicate-members/{members[buses.id]}/remove", {"undo": "1"}),
             (f"/staff/duplicate-members/{members[gritting.id]}/remove", {}),
             (f"/staff/ideas/{buses.id}/merge", {"canonical": gritting.id, "cluster": cluster_id}),
             (f"/staff/ideas/{again.id}/unmerge", {"cluster": cluster_id, "confirmed": "1"})]
    for action, fields in posts:
        response = submit(client, action, fields, page=url)
        assert response.request.path == url, action
        assert "govuk-notification-banner" in text(response) and LOCKED in text(response), action
    for start in (f"/staff/ideas/{buses.id}/merge?canonical={gritting.id}&cluster={cluster_id}",
                  f"/staff/ideas/{again.id}/unmerge?cluster={cluster_id}"):
        response = client.get(start, follow_redirects=True)
        assert response.request.path == url and LOCKED in text(response), start
    with app.app_context():
        assert db.session.get(Idea, again.id).status == IdeaStatus.MERGED
        assert db.session.get(Idea, buses.id).status == IdeaStatus.SUBMITTED
        assert db.session.get(DuplicateCluster, cluster_id).status.value == "confirmed"
        assert not db.session.scalar(select(func.count(AuditEvent.id)).where(
            AuditEvent.action.in_(["cluster.unconfirm", "cluster.restore_idea",
                                   "cluster.remove_idea", "idea.unmerge"])))


@pytest.mark.skipif(bool(POSTGRES_URL), reason="SQLite's write lock; PostgreSQL locks the row")
def test_a_merge_holds_the_window_until_it_commits_so_publishing_waits(
        app, make_user, make_window, make_idea, monkeypatch):
    """The lock check claims the window row with a write: a shortlist published from another
    connection between the check and the merge's commit has to wait, and cannot slip in."""
    import sqlite3

    from app.triage import merging

    window = make_window(stage="voting")
    a = make_idea(window, make_user(), title="Grit the side roads on the estate")
    b = make_idea(window, make_user(), title="Grit the estate side roads in winter")
    staff = make_user("staff@example.org", role=Role.STAFF)
    original, blocked = merging._refuse_if_locked, []

    def then_someone_publishes(w):
        original(w)  # passes: not published yet
        other = sqlite3.connect(db.engine.url.database, timeout=0.2)
        try:
            other.execute("UPDATE idea_windows SET shortlist_published_at = "
                          "'2026-12-04 12:00:00.000000' WHERE id = ?", (w.id,))
            other.commit()
        except sqlite3.OperationalError as error:  # "database is locked": it has to wait
            blocked.append(str(error))
        finally:
            other.close()

    monkeypatch.setattr(merging, "_refuse_if_locked", then_someone_publishes)
    with app.test_request_context():
        merging.merge(db.session.get(User, staff.id), db.session.get(Idea, a.id),
                      db.session.get(Idea, b.id))
        db.session.expire_all()
        assert blocked and "locked" in blocked[0]
        assert db.session.get(IdeaWindow, window.id).shortlist_published_at is None
