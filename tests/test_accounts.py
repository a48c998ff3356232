"""Registering, verifying, signing in and out, and the rules on passwords."""

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Role, User
from tests.support.factories import PASSWORD
from tests.support.forms import submit, text

NEW_PASSWORD = "lantern-orchard-velvet-9"


def register(client, email="new.person@example.org", name="New Person", password=PASSWORD):
    return submit(client, "/register",
                  {"email": email, "display_name": name, "password": password})


def test_register_sends_a_verification_link_that_confirms_the_address(client, mailbox, app):
    response = register(client, email="New.Person@Example.org")
    assert "Check your email" in text(response)
    assert "new.person@example.org" in text(response)

    message = mailbox.last_to("new.person@example.org")
    assert message["Subject"] == "Confirm your email address – ODA Ideas"
    link = mailbox.link(message, "/verify-email/")

    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "new.person@example.org"))
        assert user.display_name == "New Person"
        assert user.email_verified_at is None
        assert user.password_hash.startswith("$argon2id$")

    response = client.get(link.replace("http://localhost", ""), follow_redirects=True)
    assert "Your email address is confirmed" in text(response)
    with app.app_context():
        assert db.session.scalar(select(User.email_verified_at)) is not None
    # Asked to sign in, they find their address already there (once: not for the next person).
    assert response.request.path == "/sign-in"
    assert 'spellcheck="false" value="new.person@example.org"' in text(response)
    assert 'value="new.person@example.org"' not in text(client.get("/sign-in"))
    response = submit(client, "/sign-in", {"email": "new.person@example.org",
                                           "password": PASSWORD})
    assert "You’re signed in as New Person" in text(response)


@pytest.mark.parametrize(
    ("field", "data", "message"),
    [
        ("email", {"email": ""}, "Enter your email address"),
        ("email", {"email": "not-an-email"},
         "Enter an email address in the correct format, like name@example.com"),
        ("display_name", {"display_name": ""}, "Enter a display name"),
        ("display_name", {"display_name": "x" * 81},
         "Display name must be 80 characters or fewer"),
        ("password", {"password": ""}, "Enter a password"),
        ("password", {"password": "short-pass"}, "Password must be 12 characters or more"),
        ("password", {"password": "qwerty123456"}, "Password is too common"),
        ("password", {"password": "aaaaaaaaaaaaaaaa"}, "Password is too easy to guess"),
        ("password", {"password": "new.person@example.org"}, "Password is too easy to guess"),
    ],
)
def test_register_shows_gov_uk_errors_and_keeps_what_was_typed(client, field, data, message):
    values = {"email": "new.person@example.org", "display_name": "Typed Name",
              "password": PASSWORD, **data}
    response = submit(client, "/register", values)
    page = text(response)
    assert response.status_code == 200
    assert "<title>Error: Create an account" in page
    assert 'class="govuk-error-summary"' in page
    assert message in page
    assert f'href="#{field}"' in page  # the summary links to the field
    if field != "display_name":
        assert 'value="Typed Name"' in page
    if field != "email":
        assert 'value="new.person@example.org"' in page


def test_registering_a_taken_email_reveals_nothing_and_tells_the_owner(client, mailbox,
                                                                      make_user, app):
    make_user("owner@example.org", display_name="Owner")
    response = register(client, email="owner@example.org", name="Intruder")
    assert "Check your email" in text(response)
    message = mailbox.last_to("owner@example.org")
    assert "already have one" in mailbox.body(message)
    with app.app_context():
        assert db.session.scalar(select(User.display_name).where(
            User.email == "owner@example.org")) == "Owner"


def test_verification_link_that_was_tampered_with_is_refused(client, mailbox):
    register(client)
    link = mailbox.link(mailbox.last_to("new.person@example.org"), "/verify-email/")
    response = client.get(link.replace("http://localhost", "")[:-3] + "xyz")
    assert response.status_code == 400
    assert "This link does not work" in text(response)


def test_verification_link_expires(client, mailbox, app):
    register(client)
    link = mailbox.link(mailbox.last_to("new.person@example.org"), "/verify-email/")
    app.config["EMAIL_VERIFICATION_MAX_AGE"] = __import__("datetime").timedelta(seconds=-1)
    try:
        response = client.get(link.replace("http://localhost", ""))
    finally:
        app.config["EMAIL_VERIFICATION_MAX_AGE"] = __import__("datetime").timedelta(days=3)
    assert response.status_code == 400
    assert "This link has expired" in text(response)


def test_sign_in_and_out(client, auth, make_user):
    make_user("rosa@example.org", display_name="Rosa")
    response = auth.sign_in("ROSA@example.org ")
    assert "You’re signed in as Rosa" in text(response)
    assert "Your account" in text(response)
    response = auth.sign_out()
    assert "You’ve signed out" in text(response)
    assert client.get("/account").status_code == 302


@pytest.mark.parametrize(("role", "lands_on"), [(Role.RESIDENT, "/account"),
                                               (Role.STAFF, "/staff/windows"),
                                               (Role.ADMIN, "/staff/windows")])
def test_staff_land_on_their_work_and_others_on_their_account(client, make_user, role,
                                                               lands_on):
    make_user("sam@example.org", role=role)
    response = submit(client, "/sign-in", {"email": "sam@example.org", "password": PASSWORD},
                      follow_redirects=False)
    assert response.headers["Location"] == lands_on
    assert client.get("/sign-in").headers["Location"] == lands_on  # already signed in
    with client.session_transaction() as session:
        session.clear()
    response = submit(client, "/sign-in?next=/how-ranking-works",
                      {"email": "sam@example.org", "password": PASSWORD},
                      page="/sign-in?next=/how-ranking-works", follow_redirects=False)
    assert response.headers["Location"] == "/how-ranking-works"  # asked for a page: go there


@pytest.mark.parametrize("email", ["rosa@example.org", "nobody@example.org"])
def test_wrong_credentials_get_one_message_whoever_asks(client, make_user, email):
    make_user("rosa@example.org")
    response = submit(client, "/sign-in", {"email": email, "password": "wrong-password-123"})
    page = text(response)
    assert "<title>Error: Sign in" in page
    assert "Enter a correct email address and password" in page
    assert f'value="{email}"' in page
    assert "wrong-password-123" not in page  # passwords are never echoed back


def test_signing_in_starts_a_new_session(client, auth, make_user):
    make_user("rosa@example.org")
    with client.session_transaction() as session:
        session["planted_before_sign_in"] = "fixation"
    auth.sign_in("rosa@example.org")
    with client.session_transaction() as session:
        assert "planted_before_sign_in" not in session
        assert session["_user_id"].endswith(".1")


def test_session_cookie_is_secure_httponly_and_samesite(client, make_user):
    make_user("rosa@example.org")
    response = submit(client, "/sign-in", {"email": "rosa@example.org", "password": PASSWORD},
                      follow_redirects=False)
    cookie = response.headers["Set-Cookie"]
    assert "oda_session=" in cookie
    assert "Secure" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_next_parameter_only_returns_to_local_pages(client, make_user):
    make_user("rosa@example.org")
    response = client.get("/account")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/sign-in?next=/account")
    token_page = "/sign-in?next=https://evil.example.org/"
    response = submit(client, "/sign-in?next=https://evil.example.org/",
                      {"email": "rosa@example.org", "password": PASSWORD}, page=token_page,
                      follow_redirects=False)
    assert response.headers["Location"] == "/account"


@pytest.mark.parametrize("target", ["//evil.example.org/", "/%09/evil.example.org/",
                                    "/%0a/evil.example.org", "/\\evil.example.org"])
def test_next_parameter_refuses_paths_browsers_read_as_another_site(client, make_user, target):
    make_user("rosa@example.org")
    page = f"/sign-in?next={target}"
    response = submit(client, page, {"email": "rosa@example.org", "password": PASSWORD},
                      page=page, follow_redirects=False)
    assert response.headers["Location"] == "/account"


def test_signed_in_pages_are_not_cached(client, auth, make_user):
    make_user("rosa@example.org")
    auth.sign_in("rosa@example.org")
    assert client.get("/account").headers["Cache-Control"] == "no-store"


def test_unverified_people_can_ask_for_a_new_link(client, auth, make_user, mailbox):
    make_user("rosa@example.org", verified=False)
    auth.sign_in("rosa@example.org")
    page = text(client.get("/account"))
    assert "Confirm your email address before you submit or support ideas" in page
    response = submit(client, "/account/resend-verification", {}, page="/account")
    assert "We’ve sent a new link to rosa@example.org" in text(response)
    assert mailbox.link(mailbox.last_to("rosa@example.org"), "/verify-email/")


def test_a_new_link_asked_for_on_the_way_somewhere_goes_there_after_signing_in(
        client, auth, make_user, mailbox):
    make_user("rosa@example.org", verified=False)
    auth.sign_in("rosa@example.org")
    submit(client, "/account/resend-verification", {"next": "/my-ideas"},
           page="/account/confirm-your-email?next=/my-ideas")
    link = mailbox.link(mailbox.last_to("rosa@example.org"), "/verify-email/")
    auth.sign_out()  # the email is opened in another browser, say
    response = client.get(link.replace("http://localhost", ""))
    assert response.headers["Location"] == "/sign-in?next=/my-ideas"
    response = submit(client, "/sign-in?next=/my-ideas",
                      {"email": "rosa@example.org", "password": PASSWORD},
                      page="/sign-in?next=/my-ideas", follow_redirects=False)
    assert response.headers["Location"] == "/my-ideas"
