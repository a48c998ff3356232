"""Importing manifesto pledges from CSV: every bad row reported by line, all or nothing."""

import io

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Idea, IdeaStatus, MembershipStatus, OrganisationKind, Role, Source
from tests.support.forms import csrf_token, text

GOOD = """title,problem,action,data,area,pledge_reference,pledge_url
Use data to end rough sleeping by 2028,"People sleep rough in the city centre every night.",Join up outreach records,,Riverside,"Manifesto 2024, p.12, pledge 3",https://mayor.example.org/manifesto#3
Get gritters to the roads that need them first,"Side roads are missed.
Buses stop running.",,Gritting logs,,"Manifesto 2024, p.14, pledge 1",
"""


@pytest.fixture
def mayors_office(make_user, make_organisation, make_membership, make_area, make_window):
    office = make_organisation("Office of the Mayor", kind=OrganisationKind.MAYORS_OFFICE)
    maya = make_user("maya@example.org")
    make_membership(maya, office, status=MembershipStatus.APPROVED)
    return make_window(areas=[make_area("Riverside")])


def upload(client, window, content: str | bytes, filename="pledges.csv"):
    url = f"/windows/{window.id}/pledges/import"
    data = content.encode() if isinstance(content, str) else content
    return client.post(url, data={"csrf_token": csrf_token(client, url),
                                  "file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def confirm(client, window, content: str):
    url = f"/windows/{window.id}/pledges/confirm"
    return client.post(url, data={"csrf_token": csrf_token(client, "/account"),
                                  "content": content})


def count_ideas(app):
    with app.app_context():
        return db.session.scalar(select(func.count(Idea.id)))


def test_a_good_file_is_checked_then_imported_whole(client, auth, mayors_office, app):
    auth.sign_in("maya@example.org")
    page = text(upload(client, mayors_office, "\ufeff" + GOOD))  # Excel's byte-order mark
    assert "Check the pledges before you import them" in page
    assert "2 pledges will be published" in page
    assert count_ideas(app) == 0  # nothing until confirmed
    response = confirm(client, mayors_office, GOOD)
    assert response.status_code == 302  # post, then redirect: a refresh sends nothing again
    result = response.headers["Location"]
    assert "2 pledges imported" in text(client.get(result))
    assert "2 pledges imported" in text(client.get(result))  # refreshed
    with app.app_context():
        ideas = list(db.session.scalars(select(Idea).order_by(Idea.id)))
        assert [i.pledge_reference for i in ideas] == ["Manifesto 2024, p.12, pledge 3",
                                                       "Manifesto 2024, p.14, pledge 1"]
        assert all(i.source == Source.MAYORAL and i.status == IdeaStatus.SUBMITTED
                   for i in ideas)
        assert ideas[0].area.name == "Riverside"
        assert ideas[1].problem == "Side roads are missed.\nBuses stop running."
        assert ideas[0].organisation.name == "Office of the Mayor"
        first = ideas[0].id
    # The idea's page names the pledge once, in its "Pledge" row, not in the tag line too.
    page = text(client.get(f"/ideas/{first}"))
    assert page.count("Manifesto 2024, p.12, pledge 3") == 2  # the row, and the link's hidden text
    assert "Mayoral pledge" in page


def test_every_bad_row_is_reported_by_line_and_nothing_is_imported(client, auth,
                                                                    mayors_office, app):
    bad = """title,problem,action,data,area,pledge_reference,pledge_url
Use data to end rough sleeping by 2028,Rough sleeping.,,,,"Manifesto 2024, p.12, pledge 3",
Short,Too short a title.,,,,Ref 2,
A pledge without a problem to solve,,,,,Ref 3,
A pledge that names an area we do not have,Problem.,,,Atlantis,Ref 4,
"A pledge with a multi-line
problem that is fine",Problem,,,,Ref 5,
A pledge with a bad link in it,Problem.,,,,Ref 6,javascript:alert(1)
A pledge that repeats a reference,Problem.,,,,"Manifesto 2024, p.12, pledge 3",
A pledge with no reference at all,Problem.,,,,,
"""
    auth.sign_in("maya@example.org")
    page = text(upload(client, mayors_office, bad))
    assert "<title>Error: The file has problems" in page
    assert "There are 6 problems with the file" in page
    assert "Line 3: title must be 10 to 120 characters (it has 5)" in page
    assert "Line 4: problem is empty" in page
    assert "Line 5: area &#39;Atlantis&#39; is not one of this window&#39;s areas" in page
    assert "Line 8: pledge_url must be a web address starting https://" in page
    assert count_ideas(app) == 0
    assert "Line 9: pledge_reference repeats line 2" in page
    assert "Line 10: pledge_reference is empty" in page
    assert "Line 6" not in page  # the multi-line row starting on line 6 is fine
    assert count_ideas(app) == 0
    # Posting the bad file straight to the confirm step imports nothing either.
    page = text(confirm(client, mayors_office, bad))
    assert "The file has problems; nothing was imported" in page
    assert count_ideas(app) == 0


@pytest.mark.parametrize(("content", "message"), [
    ("", "The file is empty"),
    ("title,problem\n", "missing: pledge_reference"),
    ("title,problem,pledge_reference,colour\nA title that is long enough,P,R,blue\n",
     "Unknown column: colour"),
    ("title,problem,pledge_reference\n", "The file has no pledges in it"),
    ("title,problem,pledge_reference\nA long enough title,P,R,extra\n",
     "Line 2: has 4 cells but the first row names 3 columns"),
])
def test_file_level_problems(client, auth, mayors_office, content, message):
    auth.sign_in("maya@example.org")
    assert message in text(upload(client, mayors_office, content))


def test_files_that_are_not_utf8_or_not_csv(client, auth, mayors_office):
    auth.sign_in("maya@example.org")
    url = f"/windows/{mayors_office.id}/pledges/import"
    page = text(client.post(url, data={"csrf_token": csrf_token(client, url)}))
    assert "Select a CSV file" in page
    page = text(upload(client, mayors_office, "title\nCaf\xe9".encode("latin-1")))
    assert "The file must be saved as UTF-8" in page
    page = text(upload(client, mayors_office, GOOD, filename="pledges.xlsx"))
    assert "The selected file must be a CSV" in page


def test_references_already_in_the_window_are_refused(client, auth, mayors_office, app):
    auth.sign_in("maya@example.org")
    confirm(client, mayors_office, GOOD)
    page = text(upload(client, mayors_office, GOOD))
    assert "a pledge with this pledge_reference is already in this window" in page
    assert count_ideas(app) == 2
    # Whatever the letter case.
    page = text(upload(client, mayors_office, GOOD.replace("pledge 3", "PLEDGE 3")))
    assert "a pledge with this pledge_reference is already in this window" in page
    assert count_ideas(app) == 2


def test_only_the_mayors_office_imports(client, auth, make_user, make_window):
    window = make_window()
    make_user("rosa@example.org")
    auth.sign_in("rosa@example.org")
    assert client.get(f"/windows/{window.id}/pledges/import").status_code == 403
    make_user("sam@example.org", role=Role.STAFF)
    auth.sign_out()
    auth.sign_in("sam@example.org")
    assert client.get(f"/windows/{window.id}/pledges/import").status_code == 403


def test_no_import_when_the_window_is_closed(client, auth, mayors_office, make_window,
                                             make_organisation):
    closed = make_window(stage="closed")
    auth.sign_in("maya@example.org")
    assert "This window is closed to new ideas." in text(
        client.get(f"/windows/{closed.id}/pledges/import"))


def test_pledge_text_has_the_same_length_limit_as_the_form(client, auth, mayors_office):
    auth.sign_in("maya@example.org")
    long_file = ("title,problem,pledge_reference\n"
                 f"A pledge with far too much text,{'x' * 5001},Ref 1\n")
    assert "Line 2: problem must be 5,000 characters or fewer (it has 5,001)" in text(
        upload(client, mayors_office, long_file))
