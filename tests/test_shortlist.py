"""The shortlist formula, overrides and publishing; the open data downloads and API, and
recomputing the published ranking from the CSV alone."""

import csv
import io
import json

import pytest
from sqlalchemy import func, select, update

from app.extensions import db
from app.models import (
    AuditEvent,
    Idea,
    IdeaStatus,
    IdeaWindow,
    Role,
    ShortlistEntry,
    User,
    WindowStage,
)
from app.opendata.openapi import IDEA_PROPERTIES, WINDOW_PROPERTIES, openapi_document
from app.opendata.services import IDEA_FIELDS, WINDOW_FIELDS
from app.review import shortlist
from app.review.assessments import criteria_for, save_assessment
from tests.support.forms import submit, text
from tests.test_review import add_supports, as_user, audit_actions, fresh


@pytest.fixture
def staff(make_user):
    return make_user("sam@example.org", role=Role.STAFF, display_name="Sam Staff")


def assess(app, idea, reviewer, scores):
    with app.app_context():
        row = db.session.get(Idea, idea.id)
        criteria = criteria_for(row.window)
        save_assessment(db.session.get(type(reviewer), reviewer.id), row,
                        {c.id: (s, "") for c, s in zip(criteria, scores, strict=True)})


@pytest.fixture
def ranked_window(app, make_window, make_user, make_idea, staff):
    """Five ideas with known support and feasibility, in a window whose voting has closed.

    unique supporters: A 4, B 2, C 1, D 0, E 3 (E's count includes a merged idea's supporter
    who also supports E, counted once, and one who supports only the merged idea).
    feasibility totals (of 18): A 6, B 18, C 12, D none, E 9 and 3 (two reviewers, mean 6).
    """
    window = make_window(stage="review")
    rosa = make_user("rosa@example.org", display_name="Rosa")
    people = [make_user(f"p{n}@example.org") for n in range(5)]
    ideas = {}
    for position, name in enumerate("ABCDE"):
        ideas[name] = make_idea(window, rosa, title=f"Idea {name} about the city",
                                published_days_ago=30 - position)
    merged = make_idea(window, rosa, title="Idea E said again", published_days_ago=20,
                       status=IdeaStatus.MERGED)
    with app.app_context():
        db.session.execute(update(Idea).where(Idea.id == merged.id)
                           .values(merged_into_id=ideas["E"].id))
        db.session.commit()
    add_supports(app, ideas["A"], people[:4])
    add_supports(app, ideas["B"], people[:2])
    add_supports(app, ideas["C"], people[:1])
    add_supports(app, ideas["E"], people[:2])
    add_supports(app, merged, [people[1], people[4]])
    other = make_user("ann@example.org", role=Role.ADMIN, display_name="Ann Admin")
    assess(app, ideas["A"], staff, [1, 1, 1, 1, 1, 1, 0, 0, 0])
    assess(app, ideas["B"], staff, [2] * 9)
    assess(app, ideas["C"], staff, [2, 2, 2, 2, 2, 2, 0, 0, 0])
    assess(app, ideas["E"], staff, [1] * 9)
    assess(app, ideas["E"], other, [1, 1, 1, 0, 0, 0, 0, 0, 0])
    return window, ideas


def test_feasibility_is_worded_and_rounded_the_same_on_every_page(app, make_window, make_user,
                                                                  make_idea, staff):
    from app.filters import feasibility

    assert feasibility(None, 18) == "Not scored yet"
    assert feasibility(0.5, 18) == "9 out of 18 (50%)"
    assert feasibility(0.125, 18) == "2.3 out of 18 (13%)"  # halves round up, both numbers
    assert feasibility(round(9.25 / 18, 6), 18) == "9.3 out of 18 (51%)"

    window = make_window(stage="review")
    rosa = make_user("rosa@example.org", display_name="Rosa")
    scored = make_idea(window, rosa, title="Idea scored by two reviewers", published_days_ago=5)
    make_idea(window, rosa, title="Idea nobody has scored", published_days_ago=4)
    ann = make_user("ann@example.org", role=Role.ADMIN, display_name="Ann Admin")
    assess(app, scored, staff, [2, 2, 2, 2, 1, 1, 0, 0, 0])  # 10
    assess(app, scored, ann, [1] * 9)  # 9: the mean is 9.5 of 18, a share of 0.527778
    said = "9.5 out of 18 (53%)"
    sam = as_user(app, "sam@example.org")
    pages = {"queue": text(sam.get(f"/staff/windows/{window.id}/review")),
             "review": text(sam.get(f"/staff/ideas/{scored.id}/review")),
             "shortlist": text(sam.get(f"/staff/windows/{window.id}/shortlist"))}
    for name, page in pages.items():
        assert said in page, name
        assert "0.528" not in page and "53%<" not in page.replace(said, ""), name
    assert "Not scored yet" in pages["queue"] and "Not scored yet" in pages["shortlist"]
    assert ">9.5<" in pages["review"]  # the mean total in the scores table, rounded the same
    with app.app_context():
        shortlist.publish(db.session.get(type(staff), staff.id),
                          db.session.get(IdeaWindow, window.id), "Both go forward.")
    public = text(app.test_client().get(f"/windows/{window.id}/shortlist"))
    assert said in public and "0 out of 18 (0%)" in public and "0.528" not in public
    assert "“9 out of 18 (50%)” is a share of 0.5" in public  # how to read it in the formula
    # The open data keeps its documented numbers, which recompute the share exactly.
    row = next(r for r in read_csv(app.test_client().get(
        f"/open-data/windows/{window.id}/ideas.csv")) if r["id"] == str(scored.id))
    assert (row["feasibility_mean_total"], row["feasibility_max_total"]) == ("9.5", "18")


def test_the_formula_ranks_by_weighted_support_and_feasibility(app, ranked_window):
    window, ideas = ranked_window
    with app.app_context():
        rows = shortlist.with_ideas(shortlist.ranking(db.session.get(IdeaWindow, window.id)))
        by_title = {r.idea.title[5]: r for r in rows}
    assert {k: r.supporters for k, r in by_title.items()} == {"A": 4, "B": 2, "C": 1, "D": 0,
                                                              "E": 3}
    # 0.5 × support/4 + 0.5 × feasibility/18
    assert by_title["A"].score == pytest.approx(0.5 * 1 + 0.5 * 6 / 18, abs=1e-6)
    assert by_title["B"].score == pytest.approx(0.5 * 0.5 + 0.5 * 1, abs=1e-6)
    assert by_title["E"].score == pytest.approx(0.5 * 0.75 + 0.5 * 6 / 18, abs=1e-6)
    assert [r.idea.title[5] for r in rows] == ["B", "A", "E", "C", "D"]
    assert [r.on_list for r in rows] == [True] * 5  # ten places by default


def test_staff_set_weights_override_with_reasons_and_publish(app, ranked_window, staff, runner,
                                                             mailbox, make_user):
    window, ideas = ranked_window
    sam = as_user(app, "sam@example.org")
    url = f"/staff/windows/{window.id}/shortlist"
    page = text(sam.get(url))  # weights adding up to 1: no division to show
    assert "= 0.5 × support share + 0.5 × feasibility share</p>" in page
    response = submit(sam, url, {"weights-support_weight": "abc",
                                 "weights-feasibility_weight": "1", "weights-size": "0"})
    page = text(response)
    assert "<title>Error:" in page and "The shortlist must have between 1 and 200 ideas" in page
    assert "Weight of public support must be a number, like 0.5 or 50" in page
    assert 'href="#weights-support_weight"' in page  # in the error summary
    assert page.count('data-module="govuk-error-summary"') == 1
    response = submit(sam, url, {"weights-support_weight": "NaN",
                                 "weights-feasibility_weight": "1", "weights-size": "2"})
    assert "Weight of public support must be a number" in text(response)
    response = submit(sam, url, {"weights-support_weight": "0",
                                 "weights-feasibility_weight": "0", "weights-size": "2"})
    assert "Weights must be 0 or more, and not both 0" in text(response)
    # The form shows two decimal places: a finer weight would read as another number.
    response = submit(sam, url, {"weights-support_weight": "0.001",
                                 "weights-feasibility_weight": "0.004", "weights-size": "2"})
    page = text(response)
    assert "The weight of public support can have at most 2 decimal places, like 0.25" in page
    assert "The weight of feasibility can have at most 2 decimal places" in page
    assert 'value="0.001"' in page  # what was typed is kept
    response = submit(sam, url, {"weights-support_weight": "3",
                                 "weights-feasibility_weight": "1", "weights-size": "2"})
    page = text(response)
    assert "The formula is saved" in page and "(3.0 × support share + 1.0 × feasibility" in page
    # support counts three times as much: A (0.8333), E (0.6458), B (0.625), C, D
    assert page.index("Idea A about") < page.index("Idea E about") < page.index("Idea B about")

    # Problems are shown on the page at once, with the row open and what was chosen and
    # typed kept (not a banner above a page that jumped to the row).
    response = submit(sam, f"/staff/ideas/{ideas['C'].id}/shortlist",
                      {"choice": "include", "reason": "  "}, page=url)
    page = text(response)
    assert response.request.path == f"/staff/ideas/{ideas['C'].id}/shortlist"
    assert "<title>Error:" in page and f'href="#reason-{ideas["C"].id}"' in page
    assert "Give a public reason for going against the formula" in page
    assert f'id="choice-{ideas["C"].id}-include" name="choice" type="radio" value="include" ' \
           f'checked' in page
    assert page.count('govuk-!-margin-top-1" open>') == 1  # that row's "Change" is open
    response = submit(sam, f"/staff/ideas/{ideas['C'].id}/shortlist",
                      {"reason": "Because."}, page=url)
    page = text(response)
    assert f'href="#choice-{ideas["C"].id}-include"' in page and "Because." in page
    assert page.count('data-module="govuk-error-summary"') == 1
    # The formula form on that page still saves the formula, not the row.
    assert f'action="/staff/windows/{window.id}/shortlist"' in page
    submit(sam, f"/staff/ideas/{ideas['C'].id}/shortlist",
           {"choice": "include", "reason": "The only idea about older people's housing."},
           page=url)
    submit(sam, f"/staff/ideas/{ideas['E'].id}/shortlist",
           {"choice": "exclude", "reason": "Already funded by the combined authority."},
           page=url)
    with app.app_context():
        rows = shortlist.with_ideas(shortlist.ranking(db.session.get(IdeaWindow, window.id)))
        assert [r.idea.title[5] for r in rows if r.on_list] == ["A", "C"]
        overrides = db.session.scalar(select(func.count(AuditEvent.id)).where(
            AuditEvent.action == "shortlist.override"))
    # Saving what is already so says so and writes nothing, not even to the audit log.
    for idea, choice in (("E", {"choice": "exclude",
                                "reason": "Already funded by the combined authority."}),
                         ("B", {"choice": "formula"})):
        page = text(submit(sam, f"/staff/ideas/{ideas[idea].id}/shortlist", choice, page=url))
        assert "Nothing changed for" in page and "Saved for" not in page
    with app.app_context():
        assert db.session.scalar(select(func.count(AuditEvent.id)).where(
            AuditEvent.action == "shortlist.override")) == overrides

    def refused_with_voting(opens_in, closes_in):
        """Publishing is refused while the voting dates are moved to these offsets."""
        from app.models import utcnow

        with app.app_context():
            row = db.session.get(IdeaWindow, window.id)
            saved = row.voting_open_at, row.voting_close_at
            if opens_in is not None:
                row.voting_open_at = utcnow() + opens_in
            row.voting_close_at = utcnow() + closes_in
            db.session.commit()
        page = text(sam.get(url))  # the page says so instead of offering the button
        assert "every support counts: voting closes on" in page
        assert 'name="publish-submit"' not in page
        response = submit(sam, f"/staff/windows/{window.id}/shortlist/publish",
                          {"publish-reason": "Shortlisted."}, page=url)
        assert "Publish the shortlist after voting closes" in text(response)
        with app.app_context():
            row = db.session.get(IdeaWindow, window.id)
            row.voting_open_at, row.voting_close_at = saved
            db.session.commit()

    from datetime import timedelta

    assert 'name="publish-submit"' in text(sam.get(url))  # voting has closed: it can be
    refused_with_voting(None, timedelta(days=1))  # not while voting is open
    # Nor before voting has opened, when ideas have closed and voting opens later.
    refused_with_voting(timedelta(hours=1), timedelta(days=1))

    from app.models import Follow
    with app.app_context():
        db.session.add(Follow(user_id=fresh(app, Idea, ideas["A"].id).author_id,
                              idea_id=ideas["A"].id))
        db.session.commit()
    # B and D are left off by the formula, E against it: B and D need a reason.
    response = submit(sam, f"/staff/windows/{window.id}/shortlist/publish",
                      {"publish-reason": "Strong support and the data exists."}, page=url)
    page = text(response)
    assert "<title>Error:" in page and "Enter the reason for ideas not on the shortlist" in page
    assert fresh(app, IdeaWindow, window.id).shortlist_published_at is None
    response = submit(sam, f"/staff/windows/{window.id}/shortlist/publish",
                      {"publish-reason": "Strong support and the data exists.",
                       "publish-not_taken_forward_reason": "Other ideas ranked higher."},
                      page=url)
    page = text(response)
    assert "The shortlist of 2 ideas is published. 3 other ideas are marked" in page
    assert response.request.path == f"/windows/{window.id}/shortlist"
    assert "Idea A about" in page and "Idea C about" in page
    assert "The only idea about older people" in page
    assert "Already funded by the combined authority." in page  # kept off, publicly
    assert "(3.0 × support share + 1.0 × feasibility share) ÷ 4.0" in page
    assert fresh(app, IdeaWindow, window.id).stage() == WindowStage.SHORTLIST_PUBLISHED
    assert fresh(app, Idea, ideas["A"].id).status == IdeaStatus.SHORTLISTED
    assert fresh(app, Idea, ideas["B"].id).status == IdeaStatus.NOT_TAKEN_FORWARD
    assert "Other ideas ranked higher." in text(app.test_client().get(f"/ideas/{ideas['B'].id}"))
    # E was kept off against the formula, and is told the reason staff gave for that.
    assert "Already funded by the combined authority." in text(
        app.test_client().get(f"/ideas/{ideas['E'].id}"))
    assert "Strong support and the data exists." in text(
        app.test_client().get(f"/ideas/{ideas['A'].id}"))
    assert "See the shortlist" in text(app.test_client().get(f"/windows/{window.id}"))
    runner.invoke(args=["notifications", "send"])
    assert "Shortlisted" in mailbox.body(mailbox.last_to("rosa@example.org"))

    # Frozen from now on.
    response = submit(sam, url, {"weights-support_weight": "1",
                                 "weights-feasibility_weight": "1", "weights-size": "3"},
                      page=f"/staff/windows/{window.id}/review")
    assert fresh(app, IdeaWindow, window.id).shortlist_size == 2
    actions = audit_actions(app)
    assert actions.count("shortlist.override") == 2 and "shortlist.publish" in actions
    assert "shortlist.weights" in actions


def test_weights_that_make_no_formula_are_said_with_the_other_errors(app, ranked_window):
    window, _ideas = ranked_window
    sam = as_user(app, "sam@example.org")
    url = f"/staff/windows/{window.id}/shortlist"
    page = text(submit(sam, url, {"weights-support_weight": "0",
                                  "weights-feasibility_weight": "0", "weights-size": "abc"}))
    assert "<title>Error:" in page
    assert ('<a href="#weights-support_weight">Weights must be 0 or more, and not both 0</a>'
            in page)
    assert "Ideas on the shortlist must be a whole number" in page
    assert 'value="abc"' in page  # what was typed is kept
    with app.app_context():
        assert db.session.scalar(select(func.count(AuditEvent.id)).where(
            AuditEvent.action == "shortlist.weights")) == 0


def test_the_service_refuses_weights_that_make_no_formula(app, ranked_window):
    window, _ideas = ranked_window
    assert shortlist.weights_problem(0, 0) == "Weights must be 0 or more, and not both 0"
    assert shortlist.weights_problem(-1, 2) == "Weights must be 0 or more, and not both 0"
    assert shortlist.weights_problem(0, 0.5) is None
    with app.app_context():
        actor = db.session.scalar(select(User).where(User.email == "sam@example.org"))
        with pytest.raises(shortlist.ShortlistError, match="not both 0"):
            shortlist.set_weights(actor, db.session.get(IdeaWindow, window.id), 0, 0, 3)


def test_the_public_shortlist_before_publishing(app, ranked_window):
    window, _ideas = ranked_window
    page = text(app.test_client().get(f"/windows/{window.id}/shortlist"))
    assert "has not been published yet" in page


# ---- Open data --------------------------------------------------------------------------------

def read_csv(response) -> list[dict]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def recompute_shortlist(idea_rows: list[dict], window_row: dict) -> list[int]:
    """The shortlist, worked out from the open data alone with the published formula."""
    support_weight = float(window_row["support_weight"])
    feasibility_weight = float(window_row["feasibility_weight"])
    size = int(window_row["shortlist_size"])
    candidates = [r for r in idea_rows if r["candidate"] == "true"]
    most = max(int(r["unique_supporters"]) for r in candidates)

    def score(row):
        support = int(row["unique_supporters"]) / most if most else 0
        mean = row["feasibility_mean_total"]
        feasibility = float(mean) / int(row["feasibility_max_total"]) if mean else 0
        return (support_weight * support + feasibility_weight * feasibility) / (
            support_weight + feasibility_weight)

    for row in candidates:
        assert score(row) == pytest.approx(float(row["formula_score"]), abs=1e-6)
    ranked = sorted(candidates, key=lambda r: (-round(score(r), 6), -int(r["unique_supporters"]),
                                               r["published_at"], int(r["id"])))
    chosen = [r for r in ranked if r["shortlist_override"] == "include"]
    places = size - len(chosen)
    for row in ranked:
        if not row["shortlist_override"] and places > 0:
            chosen.append(row)
            places -= 1
    return [int(r["id"]) for r in ranked if r in chosen]


def test_the_published_shortlist_is_reproducible_from_the_csv(app, ranked_window, staff):
    window, ideas = ranked_window
    with app.app_context():
        row = db.session.get(IdeaWindow, window.id)
        actor = db.session.get(type(staff), staff.id)
        with pytest.raises(shortlist.ShortlistError, match="at most 2 decimal places"):
            shortlist.set_weights(actor, row, 0.001, 1, 3)
        shortlist.set_weights(actor, row, 2, 1, 3)
        shortlist.override(actor, db.session.get(Idea, ideas["D"].id), True,
                           "Nobody else asked about this estate.")
        shortlist.override(actor, db.session.get(Idea, ideas["B"].id), False,
                           "Already in the council's plan.")
        shortlist.publish(actor, row, "Shortlisted.", "Not in the top three.")
        published = [e.idea_id for e in db.session.scalars(
            select(ShortlistEntry).where(ShortlistEntry.window_id == window.id)
            .order_by(ShortlistEntry.rank))]
    visitor = app.test_client()
    ideas_csv = read_csv(visitor.get(f"/open-data/windows/{window.id}/ideas.csv"))
    windows_csv = read_csv(visitor.get("/open-data/windows.csv"))
    window_row = next(r for r in windows_csv if int(r["id"]) == window.id)
    assert recompute_shortlist(ideas_csv, window_row) == published
    assert len(published) == 3
    on_list = [r for r in ideas_csv if r["shortlisted"] == "true"]
    shortlisted = [int(r["id"]) for r in sorted(on_list, key=lambda r: int(r["shortlist_rank"]))]
    assert shortlisted == published

    # An idea hidden after publishing leaves the public shortlist and the API.
    from app.models import ReportReason
    from app.review.moderation import hide
    with app.app_context():
        hidden = db.session.get(Idea, published[0])
        title = hidden.title
        hide(db.session.get(type(staff), staff.id), hidden, ReportReason.PERSONAL_INFORMATION)
    assert title not in text(visitor.get(f"/windows/{window.id}/shortlist"))
    entries = visitor.get(f"/api/windows/{window.id}/shortlist").get_json()["entries"]
    assert [e["idea_id"] for e in entries] == published[1:]


def test_the_downloads_hold_the_record_and_nothing_personal(app, ranked_window, staff):
    window, ideas = ranked_window
    with app.app_context():
        actor = db.session.get(type(staff), staff.id)
        from app.review.decisions import decide
        from app.triage.services import confirm_types
        decide(actor, [db.session.get(Idea, ideas["D"].id)], IdeaStatus.NOT_A_DATA_PROJECT,
               "A repair request.", "Northgate Highways team")
        confirm_types(actor, db.session.get(Idea, ideas["A"].id), ["experiment", "needle"])
        from app.models import ReportReason
        from app.review.moderation import hide
        hide(actor, db.session.get(Idea, ideas["C"].id), ReportReason.SPAM)
        shortlist.override(actor, db.session.get(Idea, ideas["B"].id), True, "Still deciding.")
    visitor = app.test_client()
    rows = {r["title"][5]: r for r in read_csv(
        visitor.get(f"/open-data/windows/{window.id}/ideas.csv"))
        if r["title"].endswith("about the city")}
    assert list(rows["A"]) == IDEA_FIELDS
    assert "C" not in rows  # hidden
    assert rows["A"]["confirmed_types"] == "needle;experiment"
    assert rows["A"]["posted_by"] == "Rosa" and float(rows["A"]["feasibility_mean_total"]) == 6
    assert rows["E"]["feasibility_assessments"] == "2" and rows["E"]["unique_supporters"] == "3"
    # Overrides are staff work in progress until the shortlist is published.
    assert rows["B"]["shortlist_override"] == "" and rows["B"]["override_reason"] == ""
    assert rows["D"]["status"] == "not_a_data_project"
    assert rows["D"]["signposted_to"] == "Northgate Highways team"
    assert "A repair request." in rows["D"]["status_reason"]
    body = visitor.get(f"/open-data/windows/{window.id}/ideas.json").get_data(as_text=True)
    assert "@example.org" not in body and "Sam Staff" not in body
    data = json.loads(body)
    assert data["window"]["support_weight"] == 0.5 and len(data["ideas"]) == 5  # A B D E, merged
    assert visitor.get("/open-data/windows/999/ideas.csv").status_code == 404
    assert "Ideas CSV" in text(visitor.get("/open-data"))


def test_the_api_pages_ideas_and_is_described_by_openapi(app, ranked_window, make_window):
    window, ideas = ranked_window
    make_window(stage="open", published=False, title="A draft window")
    visitor = app.test_client()
    windows = visitor.get("/api/windows").get_json()["windows"]
    assert [w["id"] for w in windows] == [window.id]  # drafts are not public
    assert set(windows[0]) == set(WINDOW_FIELDS) == set(WINDOW_PROPERTIES)
    assert windows[0]["open_for_voting"] is False  # this window is under review
    overlap = make_window(stage="overlap", title="Ideas and voting at once")
    [both] = [w for w in visitor.get("/api/windows").get_json()["windows"]
              if w["id"] == overlap.id]
    assert both["stage"] == "open_for_ideas" and both["open_for_voting"] is True
    page = text(visitor.get("/open-data"))
    assert "Open for ideas" in page and "Open for voting" in page  # both tags, as on its page
    assert visitor.get("/api/windows").headers["Access-Control-Allow-Origin"] == "*"
    detail = visitor.get(f"/api/windows/{window.id}").get_json()
    assert len(detail["criteria"]) == 9 and detail["criteria"][0]["heading"] == "problem"

    first = visitor.get(f"/api/windows/{window.id}/ideas?per_page=2").get_json()
    assert first["total"] == 6 and len(first["ideas"]) == 2
    assert set(first["ideas"][0]) == set(IDEA_FIELDS) == set(IDEA_PROPERTIES)
    seen = [i["id"] for i in first["ideas"]]
    next_page = first["next"]
    while next_page:
        page = visitor.get(next_page).get_json()
        seen += [i["id"] for i in page["ideas"]]
        next_page = page["next"]
    assert len(seen) == len(set(seen)) == 6
    bad = visitor.get(f"/api/windows/{window.id}/ideas?per_page=5000")
    assert bad.status_code == 400 and "per_page" in bad.get_json()["error"]["message"]
    # Anything that is not a number in range gets the same error, never a quiet page 1.
    for query in ("page=0", "page=abc", "page=-1", "page=1.5", "page=", "per_page=abc",
                  "page=99999999999999999999"):
        wrong = visitor.get(f"/api/windows/{window.id}/ideas?{query}")
        assert wrong.status_code == 400, query
        assert wrong.get_json() == bad.get_json(), query
    assert visitor.get("/api/windows/999").get_json()["error"]["status"] == 404

    one = visitor.get(f"/api/ideas/{ideas['A'].id}").get_json()
    assert one["title"] == "Idea A about the city" and one["timeline"][0]["status"] == "submitted"
    assert visitor.get(f"/api/windows/{window.id}/shortlist").get_json()["entries"] == []

    document = visitor.get("/api/openapi.json").get_json()
    assert document["openapi"].startswith("3.1")
    documented = set(document["paths"])
    api_rules = {rule.rule.replace("<int:", "{").replace(">", "}")
                 for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/")}
    assert documented == api_rules - {"/api/openapi.json"}
    for name, schema in document["components"]["schemas"].items():
        if "properties" in schema:
            assert set(schema["required"]) == set(schema["properties"]), name
    assert openapi_document("http://x", "S")["servers"] == [{"url": "http://x"}]


def test_the_demo_shortlist_is_reproducible_from_its_csv(runner, app):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    with app.app_context():
        past = db.session.scalar(select(IdeaWindow).where(IdeaWindow.title == "Spring 2026 ideas"))
        published = [e.idea_id for e in shortlist.published_entries(past)]
        shortlisted = set(db.session.scalars(select(Idea.id).where(
            Idea.window_id == past.id, Idea.status == IdeaStatus.SHORTLISTED)))
    assert published and set(published) == shortlisted
    visitor = app.test_client()
    ideas_csv = read_csv(visitor.get(f"/open-data/windows/{past.id}/ideas.csv"))
    window_row = next(r for r in read_csv(visitor.get("/open-data/windows.csv"))
                      if int(r["id"]) == past.id)
    assert recompute_shortlist(ideas_csv, window_row) == published
    page = text(visitor.get(f"/windows/{past.id}/shortlist"))
    assert f"{len(published)} shortlisted idea" in page


# ---- The ranking kept between open data requests ---------------------------------------------

def records_by_title(response) -> dict[str, dict]:
    return {idea["title"]: idea for idea in response.get_json()["ideas"]}


def test_open_data_keeps_a_windows_ranking_for_a_while_but_never_a_hidden_idea(
        app, ranked_window, make_user, monkeypatch, staff):
    from app.models import utcnow
    from app.opendata.services import ranking_cache

    window, ideas = ranked_window
    monkeypatch.setitem(app.config, "OPENDATA_CACHE_SECONDS", 60)
    now = [1000.0]
    monkeypatch.setattr(ranking_cache(app), "_clock", lambda: now[0])
    visitor = app.test_client()
    assert "can be up to 1 minute behind the idea pages" in text(visitor.get("/open-data"))
    url = f"/api/windows/{window.id}/ideas"
    before = records_by_title(visitor.get(url))
    assert before["Idea A about the city"]["formula_rank"] == 2
    assert before["Idea D about the city"]["unique_supporters"] == 0

    # Five new supporters for D, and C hidden by moderators.
    add_supports(app, ideas["D"], [make_user() for _ in range(5)])
    with app.app_context():
        db.session.execute(update(Idea).where(Idea.id == ideas["C"].id)
                           .values(hidden_at=utcnow()))
        db.session.commit()
    now[0] += 59
    kept = visitor.get(url).get_json()
    assert kept["total"] == 5
    kept = {idea["title"]: idea for idea in kept["ideas"]}
    assert "Idea C about the city" not in kept  # which ideas are listed is never kept
    assert kept["Idea D about the city"]["support_count"] == 5  # nor the idea's own fields
    assert kept["Idea D about the city"]["unique_supporters"] == 0  # the ranking is, 59 s
    assert kept["Idea A about the city"] == before["Idea A about the city"]
    assert visitor.get(f"/api/ideas/{ideas['C'].id}").status_code == 404

    now[0] += 1  # 60 s after the ranking was read
    fresh_page = records_by_title(visitor.get(url))
    assert fresh_page["Idea D about the city"]["unique_supporters"] == 5
    assert fresh_page["Idea D about the city"]["formula_rank"] != before[
        "Idea D about the city"]["formula_rank"]
    monkeypatch.setitem(app.config, "OPENDATA_CACHE_SECONDS", 0)
    assert records_by_title(visitor.get(url)) == fresh_page  # as if nothing were kept
    monkeypatch.setitem(app.config, "OPENDATA_CACHE_SECONDS", 60)

    # A new formula is the window's own setting: it shows at once.
    with app.app_context():
        shortlist.set_weights(db.session.get(type(staff), staff.id),
                              db.session.get(IdeaWindow, window.id), 0, 1, 2)
    assert fresh_page["Idea B about the city"]["formula_score"] < 1
    new_formula = records_by_title(visitor.get(url))
    assert new_formula["Idea B about the city"]["formula_score"] == 1  # feasibility alone


def test_downloads_use_the_kept_ranking_too_and_still_add_up(app, ranked_window, staff,
                                                             monkeypatch):
    window, ideas = ranked_window
    monkeypatch.setitem(app.config, "OPENDATA_CACHE_SECONDS", 60)
    visitor = app.test_client()
    api = visitor.get(f"/api/windows/{window.id}/ideas").get_json()["ideas"]
    rows = read_csv(visitor.get(f"/open-data/windows/{window.id}/ideas.csv"))
    assert [int(r["formula_rank"]) if r["formula_rank"] else None for r in rows] == [
        i["formula_rank"] for i in api]
    window_row = next(r for r in read_csv(visitor.get("/open-data/windows.csv"))
                      if int(r["id"]) == window.id)
    ranked = sorted((r for r in rows if r["formula_rank"]), key=lambda r: int(r["formula_rank"]))
    assert recompute_shortlist(rows, window_row)[:3] == [int(r["id"]) for r in ranked][:3]


def test_the_ranking_cache_reads_a_window_once_however_many_ask_at_once():
    import threading
    import time

    from app.opendata.services import RankingCache

    cache, reads, answers = RankingCache(), [], []

    def read():
        reads.append(1)
        time.sleep(0.2)
        return object()

    threads = [threading.Thread(target=lambda: answers.append(cache.get(("w", 1), 60, read)))
               for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(reads) == 1 and len({id(answer) for answer in answers}) == 1
    assert cache.get(("w", 1), 0, read) is not answers[0]  # 0 s: never kept


def test_the_ranking_cache_keeps_the_windows_used_last(monkeypatch):
    from app.opendata.services import RankingCache

    now = [0.0]
    cache = RankingCache(windows=2, clock=lambda: now[0])
    first = {key: cache.get(key, 60, object) for key in ("a", "b")}
    cache.get("a", 60, object)  # used again: "b" is now the oldest
    cache.get("c", 60, object)
    assert cache.get("a", 60, object) is first["a"]
    assert cache.get("b", 60, object) is not first["b"]
    now[0] = 60
    assert cache.get("a", 60, object) is not first["a"]
