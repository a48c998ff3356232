"""Idea windows: stages from the clock, staff creating and publishing them, public lists."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.filters import LONDON
from app.forms_common import format_time
from app.models import AuditEvent, IdeaWindow, Role, WindowStage
from tests.support.forms import submit, text

T0 = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


def window_at(**overrides) -> IdeaWindow:
    day = timedelta(days=1)
    values = dict(title="W", theme="T", description="D", published_at=T0 - 30 * day,
                  submissions_open_at=T0, submissions_close_at=T0 + 30 * day,
                  voting_open_at=T0 + 20 * day, voting_close_at=T0 + 50 * day)
    values.update(overrides)
    return IdeaWindow(**values)


@pytest.mark.parametrize(("days", "stage"), [
    (-1, WindowStage.UPCOMING),
    (0, WindowStage.OPEN_FOR_IDEAS),
    (25, WindowStage.OPEN_FOR_IDEAS),      # voting overlaps: ideas still open
    (30, WindowStage.OPEN_FOR_VOTING),
    (49, WindowStage.OPEN_FOR_VOTING),
    (50, WindowStage.UNDER_REVIEW),
])
def test_stage_follows_the_clock(days, stage):
    assert window_at().stage(T0 + timedelta(days=days)) == stage


def test_a_gap_between_ideas_closing_and_voting_opening_says_voting_opens_soon():
    gap = window_at(voting_open_at=T0 + timedelta(days=35), voting_close_at=T0 + timedelta(days=50))
    assert [gap.stage(T0 + timedelta(days=d)) for d in (29, 30, 34, 35, 50)] == [
        WindowStage.OPEN_FOR_IDEAS, WindowStage.VOTING_UPCOMING, WindowStage.VOTING_UPCOMING,
        WindowStage.OPEN_FOR_VOTING, WindowStage.UNDER_REVIEW]
    assert WindowStage.VOTING_UPCOMING.label == "Voting opens soon"


def test_pages_say_when_voting_opens_in_the_gap(client, make_window):
    window = make_window(stage="gap", title="Between ideas and votes")
    home = text(client.get("/"))
    assert "Between ideas and votes" in home and "Voting opens on" in home
    assert "Voting opens soon" in text(client.get(f"/windows/{window.id}"))


def test_pages_say_when_a_window_takes_ideas_and_votes_at_once(client, make_window):
    window = make_window(stage="overlap", title="Both at once")
    home = text(client.get("/"))
    assert "Open for ideas until" in home and "and open for voting until" in home
    for path in ("/windows", f"/windows/{window.id}"):
        page = text(client.get(path))
        assert "Open for ideas" in page and "Open for voting" in page


def test_windows_being_decided_are_not_listed_as_open_now(client, app, make_window):
    """Under review or with its shortlist out, a window is not "Open now" with a past date:
    the home page says what is happening to it, and /windows lists open windows first."""
    make_window(stage="review", title="Reviewing window")
    published = make_window(stage="review", title="Decided window")
    voting = make_window(stage="voting", title="Voting window")
    with app.app_context():
        window = db.session.get(IdeaWindow, published.id)
        window.shortlist_published_at = window.voting_close_at
        db.session.commit()
    home = text(client.get("/"))
    open_now = home[home.index("Open now"):home.index("Voting has closed")]
    assert "Voting window" in open_now and "Reviewing window" not in open_now
    rest = home[home.index("Voting has closed"):]
    assert "Reviewing window" in rest and "We are reviewing the ideas" in rest
    assert "Decided window" in rest and "The shortlist is published" in rest
    assert f"/windows/{published.id}/shortlist" in client.get("/").get_data(as_text=True)
    listed = text(client.get("/windows"))
    assert listed.index("Voting window") < listed.index("Reviewing window")

    with app.app_context():  # with nothing open, the heading says voting has closed
        db.session.get(IdeaWindow, voting.id).published_at = None
        db.session.commit()
    home = text(client.get("/"))
    assert "Open now" not in home and "Voting has closed" in home


def test_a_window_without_ideas_shows_no_search_or_download(client, make_window):
    window = make_window(stage="upcoming")
    page = text(client.get(f"/windows/{window.id}"))
    assert "No ideas have been published in this window yet" in page
    assert "Search ideas" not in page and "Download this window’s ideas" not in page
    filtered = text(client.get(f"/windows/{window.id}?q=buses"))  # a search keeps its form
    assert "Search ideas" in filtered and "No ideas match" in filtered


def filters_tag(html: str) -> str:
    """The opening tag of the folding "Search and filter" box on a window's page."""
    return re.search(r"<details[^>]*data-open-on-wide-screens[^>]*>", html).group(0)


def test_the_search_and_filter_form_folds_away_until_it_is_used(client, make_window,
                                                                 make_idea, make_user):
    window = make_window()
    make_idea(window, make_user(), title="Grit the pavements by the bus station")
    html = client.get(f"/windows/{window.id}").get_data(as_text=True)
    assert " open" not in filters_tag(html)  # closed on a phone with or without a script
    assert '<a class="govuk-link" href="#ideas">Skip to the ideas</a>' in html
    # Whatever was sent comes back open, as it was sent: words (even only common ones), a
    # filter or an order.
    for query in ["q=buses", "q=and", "status=submitted", "sort=newest"]:
        html = client.get(f"/windows/{window.id}?{query}").get_data(as_text=True)
        assert filters_tag(html).endswith(" open>"), query
    empty = make_window()
    assert "Skip to the ideas" not in text(client.get(f"/windows/{empty.id}"))


def test_a_list_in_an_idea_reads_as_words_in_the_window_list(client, make_window, make_idea,
                                                             make_user):
    window = make_window()
    make_idea(window, make_user(), title="Run an early bus to the hospital",
              problem="Buses stop before 7am.\n\n- nurses are late\n- patients miss "
                      "appointments")
    page = text(client.get(f"/windows/{window.id}"))
    assert "Buses stop before 7am. Nurses are late; patients miss appointments" in page


def test_voting_can_be_open_while_ideas_are_open():
    window = window_at()
    assert window.is_open_for_voting(T0 + timedelta(days=25))
    assert not window.is_open_for_voting(T0 + timedelta(days=10))


def test_draft_shortlist_and_closed_stages():
    later = T0 + timedelta(days=60)
    assert window_at(published_at=None).stage(later) == WindowStage.DRAFT
    assert window_at(shortlist_published_at=later).stage(later) == WindowStage.SHORTLIST_PUBLISHED
    assert window_at(closed_at=later).stage(later) == WindowStage.CLOSED


def window_form(**overrides):
    values = {
        "title": "Spring 2027 ideas", "theme": "Growing up well",
        "description": "Ideas about *children*.",
        "submissions_open_date": ["1", "6", "2027"], "submissions_open_time": "9am",
        "submissions_close_date": ["30", "6", "2027"], "submissions_close_time": "11:59pm",
        "voting_open_date": ["15", "6", "2027"], "voting_open_time": "9:30am",
        "voting_close_date": ["31", "7", "2027"], "voting_close_time": "17:00",
        "sources": ["resident", "council"], "support_limit": "5",
    }
    values.update(overrides)
    return values


def test_staff_create_and_publish_a_window_in_uk_time(client, auth, make_user, make_area, app):
    make_user("staff@example.org", role=Role.STAFF)
    area = make_area("Riverside")
    auth.sign_in("staff@example.org")
    response = submit(client, "/staff/windows/new", window_form(areas=[str(area.id)]))
    assert "has been saved as a draft" in text(response)
    with app.app_context():
        window = db.session.scalar(select(IdeaWindow))
        # 9am on 1 June is British Summer Time: 8am UTC. 31 July 17:00 BST is 16:00 UTC.
        assert window.submissions_open_at == datetime(2027, 6, 1, 8, 0, tzinfo=UTC)
        assert window.voting_close_at == datetime(2027, 7, 31, 16, 0, tzinfo=UTC)
        assert (window.accepts_residents, window.accepts_councils, window.accepts_mayoral) == (
            True, True, False)
        assert [a.name for a in window.areas] == ["Riverside"]
        assert window.support_limit == 5
        assert window.stage() == WindowStage.DRAFT
        window_id = window.id
    assert client.get(f"/windows/{window_id}").status_code == 200  # staff can preview
    auth.sign_out()
    assert client.get(f"/windows/{window_id}").status_code == 404  # the public cannot
    auth.sign_in("staff@example.org")
    response = submit(client, f"/staff/windows/{window_id}/publish", {}, page="/staff/windows")
    assert "is published" in text(response)
    with app.app_context():
        actions = list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
    assert actions == ["window.create", "window.publish"]


@pytest.mark.parametrize(("overrides", "message"), [
    ({"title": ""}, "Enter a title"),
    ({"submissions_open_date": ["", "", ""]}, "Enter the date ideas open"),
    ({"submissions_open_date": ["31", "", "2027"]}, "The date ideas open must include a month"),
    ({"submissions_open_date": ["", "6", "2027"]}, "The date ideas open must include a day"),
    ({"submissions_open_date": ["31", "2", "2027"]}, "The date ideas open must be a real date"),
    ({"voting_open_time": "25:00"}, "Enter a real time"),
    ({"voting_open_time": "soon"}, "Enter a time like 9am, 9:30am or 17:00"),
    ({"submissions_close_date": ["1", "5", "2027"]}, "Ideas must close after they open"),
    ({"voting_open_date": ["1", "5", "2027"]}, "Voting cannot open before ideas open"),
    ({"voting_close_date": ["1", "6", "2027"]}, "Voting must close after it opens"),
    ({"voting_close_date": ["20", "6", "2027"]}, "Voting must close after ideas close"),
    ({"sources": []}, "Select who may submit ideas"),
    ({"support_limit": "0"}, "Supports each person may give must be between 1 and 1,000"),
])
def test_window_form_errors_keep_what_was_typed(client, auth, make_user, overrides, message):
    make_user("staff@example.org", role=Role.STAFF)
    auth.sign_in("staff@example.org")
    page = text(submit(client, "/staff/windows/new", window_form(**overrides)))
    assert "<title>Error: Create an idea window" in page
    assert message in page
    assert 'value="Growing up well"' in page or overrides.get("theme") == ""
    assert 'value="9:30am"' in page or "voting_open_time" in overrides


def test_a_new_window_with_dates_that_have_passed_is_refused_date_by_date(client, auth,
                                                                         make_user, app):
    make_user("staff@example.org", role=Role.STAFF)
    auth.sign_in("staff@example.org")
    page = text(submit(client, "/staff/windows/new", window_form(
        submissions_open_date=["1", "1", "2021"], submissions_close_date=["1", "3", "2021"],
        voting_open_date=["1", "1", "2021"], voting_close_date=["1", "4", "2021"])))
    assert "<title>Error: Create an idea window" in page
    for field, message in [
            ("submissions_open", "The date ideas open must be today or in the future"),
            ("submissions_close", "The date ideas close must be in the future"),
            ("voting_open", "The date voting opens must be today or in the future"),
            ("voting_close", "The date voting closes must be in the future")]:
        assert f'<a href="#{field}_date-day">{message}</a>' in page  # in the summary
    assert 'value="2021"' in page and 'value="Growing up well"' in page  # what was typed
    with app.app_context():
        assert db.session.scalar(select(IdeaWindow.id)) is None


def test_every_problem_with_the_dates_shows_at_once(client, auth, make_user):
    """A date that cannot be read does not hide what is wrong with the others."""
    make_user("staff@example.org", role=Role.STAFF)
    auth.sign_in("staff@example.org")
    page = text(submit(client, "/staff/windows/new", window_form(
        submissions_open_date=["31", "2", "2027"], submissions_close_date=["30", "6", "2027"],
        voting_open_date=["15", "6", "2027"], voting_close_date=["1", "1", "2020"],
        title="")))
    assert "Enter a title" in page
    assert "The date ideas open must be a real date" in page
    # Voting closes is out of order with voting opening, which could be read.
    assert '<a href="#voting_close_date-day">Voting must close after it opens</a>' in page
    page = text(submit(client, "/staff/windows/new", window_form(
        submissions_open_date=["31", "2", "2027"], voting_open_time="soon",
        voting_close_date=["2", "1", "2020"], submissions_close_date=["1", "1", "2020"])))
    assert "The date ideas open must be a real date" in page
    assert "Enter a time like 9am, 9:30am or 17:00" in page
    assert "The date ideas close must be in the future" in page
    assert "Voting must close after ideas close" not in page  # those two are in order
    assert "The date voting closes must be in the future" in page
    assert 'value="soon"' in page and 'value="2020"' in page


def test_a_draft_whose_dates_have_passed_is_not_published(client, auth, make_user,
                                                          make_window, app):
    make_user("staff@example.org", role=Role.STAFF)
    late = make_window(stage="review", published=False, title="Late draft")
    started = make_window(stage="open", published=False, title="Started draft")
    auth.sign_in("staff@example.org")
    # The list says so before anyone presses Publish, and offers it only where it can work.
    listed = text(client.get("/staff/windows"))
    assert "“Late draft” cannot be published: the date ideas close (" in listed
    assert f'href="/staff/windows/{late.id}/edit">change its dates</a>' in listed
    assert f'action="/staff/windows/{late.id}/publish"' not in listed
    assert f'action="/staff/windows/{started.id}/publish"' in listed
    assert "“Late draft” cannot be published" in text(client.get(f"/staff/windows/{late.id}/edit"))
    assert "cannot be published" not in text(client.get(f"/staff/windows/{started.id}/edit"))
    page = text(submit(client, f"/staff/windows/{late.id}/publish", {}, page="/staff/windows"))
    assert "“Late draft” cannot be published: the date ideas close (" in page
    assert "Late draft" not in text(client.get("/windows"))
    page = text(submit(client, f"/staff/windows/{started.id}/publish", {},
                       page="/staff/windows"))
    assert "“Started draft” is published. Its stage is now: Open for ideas." in page
    with app.app_context():
        assert db.session.get(IdeaWindow, late.id).published_at is None
        actions = list(db.session.scalars(select(AuditEvent.action)))
    assert actions == ["window.publish"]


def test_a_wrong_month_is_the_only_part_outlined_and_the_summary_links_to_it(client, auth,
                                                                          make_user):
    make_user("staff@example.org", role=Role.STAFF)
    auth.sign_in("staff@example.org")
    page = text(submit(client, "/staff/windows/new",
                       window_form(submissions_open_date=["1", "13", "2027"])))
    outlined = re.findall(r'<input class="[^"]*govuk-input--error[^"]*" id="([^"]+)"', page)
    assert outlined == ["submissions_open_date-month"]
    assert ('<a href="#submissions_open_date-month">The date ideas open must be a real date</a>'
            in page)


def test_changing_a_window_shows_its_dates_in_uk_time(client, auth, make_user, make_window):
    make_user("staff@example.org", role=Role.STAFF)
    window = make_window(stage="upcoming")  # nothing has happened yet: any dates will do
    auth.sign_in("staff@example.org")
    page = text(client.get(f"/staff/windows/{window.id}/edit"))
    assert f'value="{window.title}"' in page
    opens = window.submissions_open_at.astimezone(LONDON)
    assert f'value="{opens.day}"' in page and f'value="{format_time(opens)}"' in page
    response = submit(client, f"/staff/windows/{window.id}/edit",
                      window_form(title="Renamed window"))
    assert "“Renamed window” has been saved" in text(response)


def test_a_window_with_ideas_can_be_closed_but_not_deleted(client, auth, make_user,
                                                            make_window, make_idea, app):
    make_user("staff@example.org", role=Role.STAFF)
    with_ideas = make_window(stage="open")
    empty = make_window(stage="open")
    make_idea(with_ideas, make_user())
    auth.sign_in("staff@example.org")
    page = text(client.get(f"/staff/windows/{with_ideas.id}/delete"))  # said before the button
    assert "so it cannot be deleted. You can close it instead." in page
    assert "Delete window</button>" not in page
    page = text(submit(client, f"/staff/windows/{with_ideas.id}/delete", {},
                       page="/staff/windows"))
    assert "This window has ideas, so it cannot be deleted. You can close it." in page
    page = text(submit(client, f"/staff/windows/{with_ideas.id}/close", {},
                       page="/staff/windows"))
    assert "is closed" in page
    submit(client, f"/staff/windows/{empty.id}/delete", {}, page="/staff/windows")
    with app.app_context():
        assert db.session.get(IdeaWindow, empty.id) is None
        assert db.session.get(IdeaWindow, with_ideas.id).stage() == WindowStage.CLOSED


def test_public_windows_list_current_then_upcoming_then_past(client, make_window):
    make_window(stage="closed", title="Last year")
    make_window(stage="upcoming", title="Next season")
    make_window(stage="open", title="This season")
    make_window(stage="open", title="Secret draft", published=False)
    page = text(client.get("/windows"))
    assert page.index("This season") < page.index("Next season") < page.index("Last year")
    assert "Secret draft" not in page


def test_windows_list_has_an_empty_state(client):
    assert "There are no idea windows yet" in text(client.get("/windows"))


def test_window_page_shows_theme_stage_and_dates_in_uk_time(client, make_window):
    window = make_window(stage="open")
    page = text(client.get(f"/windows/{window.id}"))
    assert "Open for ideas" in page and "Getting around" in page
    assert "<strong>transport</strong>" in page
    assert "Ideas close" in page and "Voting opens" in page
    assert "Submit an idea" in page


def test_staff_manage_areas(client, auth, make_user, make_window, make_area, app):
    make_user("staff@example.org", role=Role.STAFF)
    used = make_area("Riverside")
    make_window(areas=[used])
    auth.sign_in("staff@example.org")
    page = text(submit(client, "/staff/areas", {"name": "  Eastfield  "}))
    assert "Eastfield has been added" in page
    page = text(submit(client, "/staff/areas", {"name": "eastfield"}))
    assert "That area is already on the list" in page
    page = text(submit(client, f"/staff/areas/{used.id}/delete", {}, page="/staff/areas"))
    assert "Riverside is used by a window or an idea" in page


@pytest.mark.parametrize(("url", "data", "message"), [
    ("/staff/windows/new", window_form(title="   "), "Enter a title"),
    ("/staff/windows/new", window_form(theme="  "), "Enter a theme"),
    ("/staff/windows/new", window_form(description=" \n "), "Enter a description"),
    ("/staff/windows/new", window_form(voting_open_time="  "), "Enter the time voting opens"),
    ("/staff/windows/new", window_form(support_limit="ten"),
     "Supports each person may give must be a whole number, like 10"),
    ("/staff/areas", {"name": "   "}, "Enter the area’s name"),
])
def test_blank_answers_made_of_spaces_are_refused(client, auth, make_user, app, url, data,
                                                  message):
    make_user("staff@example.org", role=Role.STAFF)
    auth.sign_in("staff@example.org")
    page = text(submit(client, url, data))
    assert message in page
    with app.app_context():
        assert db.session.scalar(select(IdeaWindow.id)) is None


def test_deleted_window_ids_are_never_reused(client, auth, make_user, app):
    make_user("staff@example.org", role=Role.STAFF)
    auth.sign_in("staff@example.org")
    submit(client, "/staff/windows/new", window_form(title="First"))
    with app.app_context():
        first = db.session.scalar(select(IdeaWindow.id))
    page = text(client.get(f"/staff/windows/{first}/delete"))
    assert "Delete First?" in page and "You cannot undo this" in page
    submit(client, f"/staff/windows/{first}/delete", {})
    submit(client, "/staff/windows/new", window_form(title="Second"))
    with app.app_context():
        assert db.session.scalar(select(IdeaWindow.id)) != first


def test_reopening_a_window_whose_dates_have_passed_says_it_will_not_open(
        client, auth, make_user, make_window, app):
    make_user("staff@example.org", role=Role.STAFF)
    window = make_window(stage="closed")
    auth.sign_in("staff@example.org")
    asked = text(client.get(f"/staff/windows/{window.id}/reopen"))
    assert "“Under review” instead of “Closed”" in asked
    assert "nobody can submit or support ideas in it" in asked
    with app.app_context():  # asking changed nothing
        assert db.session.get(IdeaWindow, window.id).stage() == WindowStage.CLOSED


def test_close_and_reopen_say_when_they_do_not_apply(client, auth, make_user, make_window,
                                                   app):
    make_user("staff@example.org", role=Role.STAFF)
    open_window = make_window(stage="open")
    draft = make_window(stage="open", published=False)
    decided = make_window(stage="closed")
    with app.app_context():
        window = db.session.get(IdeaWindow, decided.id)
        window.shortlist_published_at = window.voting_close_at
        db.session.commit()
    auth.sign_in("staff@example.org")
    assert "nothing to reopen" in text(client.get(f"/staff/windows/{open_window.id}/reopen"))
    assert "is a draft" in text(client.get(f"/staff/windows/{draft.id}/close"))
    page = text(submit(client, f"/staff/windows/{draft.id}/close", {}, page="/staff/windows"))
    assert "A draft window is not open to anyone" in page
    asked = text(client.get(f"/staff/windows/{decided.id}/reopen"))
    assert "Its shortlist is published, so nobody can submit or support ideas in it" in asked
    with app.app_context():
        assert db.session.get(IdeaWindow, draft.id).closed_at is None


def test_a_closed_window_can_be_reopened_after_confirming_the_close(client, auth, make_user,
                                                                   make_window, app):
    make_user("staff@example.org", role=Role.STAFF)
    window = make_window(stage="open")
    auth.sign_in("staff@example.org")
    assert "You can reopen it later" in text(client.get(f"/staff/windows/{window.id}/close"))
    submit(client, f"/staff/windows/{window.id}/close", {})
    asked = text(client.get(f"/staff/windows/{window.id}/reopen"))  # asks first, says what
    assert "Reopen " in asked and "People can submit ideas until" in asked
    response = submit(client, f"/staff/windows/{window.id}/reopen", {})
    assert "is no longer closed. Its stage is now: Open for ideas." in text(response)
    with app.app_context():
        assert db.session.get(IdeaWindow, window.id).stage() == WindowStage.OPEN_FOR_IDEAS
        actions = list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
    assert actions == ["window.close", "window.reopen"]
