"""Forgotten passwords, changing password and email, downloading data, deleting an account."""

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    FORMER_MEMBER_NAME,
    AuditEvent,
    Idea,
    IdeaStatus,
    MembershipStatus,
    PasswordResetToken,
    Role,
    Support,
    User,
    utcnow,
)
from tests.support.factories import PASSWORD
from tests.support.forms import submit, text

NEW_PASSWORD = "lantern-orchard-velvet-9"


def path_of(url: str) -> str:
    return url.replace("http://localhost", "")


def ask_for_reset(client, email):
    return submit(client, "/forgot-password", {"email": email})


def test_forgotten_password_link_works_once(client, auth, make_user, mailbox):
    make_user("rosa@example.org")
    response = ask_for_reset(client, "rosa@example.org")
    assert "We’ve sent an email to <strong>rosa@example.org</strong>" in text(response)
    link = path_of(mailbox.link(mailbox.last_to("rosa@example.org"), "/reset-password/"))
    assert "The link works once, for 1 hour." in mailbox.body(mailbox.last_to("rosa@example.org"))

    # Their own email address is no password, here as when registering.
    response = submit(client, link, {"password": "rosa@example.org"})
    assert "Password is too easy to guess" in text(response)
    response = submit(client, link, {"password": NEW_PASSWORD})
    assert "Your password has been changed. Sign in with your new password." in text(response)
    assert "has been changed" in mailbox.body(mailbox.last_to("rosa@example.org"))
    assert "The link works once, for 1 hour." in text(client.get("/forgot-password"))

    again = client.get(link)
    assert again.status_code == 400
    assert "This link does not work" in text(again)

    page = text(submit(client, "/sign-in", {"email": "rosa@example.org", "password": PASSWORD}))
    assert "Enter a correct email address and password" in page
    auth.sign_in("rosa@example.org", NEW_PASSWORD)
    assert client.get("/account").status_code == 200


def test_reset_for_an_unknown_email_looks_the_same_and_says_so_to_the_address(client, mailbox):
    response = ask_for_reset(client, "nobody@example.org")
    assert "We’ve sent an email to <strong>nobody@example.org</strong>" in text(response)
    assert "there is no account with this address" in mailbox.body(
        mailbox.last_to("nobody@example.org"))


def test_only_the_newest_reset_link_works(client, make_user, mailbox):
    make_user("rosa@example.org")
    ask_for_reset(client, "rosa@example.org")
    first = path_of(mailbox.link(mailbox.last_to("rosa@example.org"), "/reset-password/"))
    ask_for_reset(client, "rosa@example.org")
    second = path_of(mailbox.link(mailbox.last_to("rosa@example.org"), "/reset-password/"))
    assert client.get(first).status_code == 400
    assert client.get(second).status_code == 200


def test_reset_link_expires(client, make_user, mailbox, app):
    make_user("rosa@example.org")
    ask_for_reset(client, "rosa@example.org")
    link = path_of(mailbox.link(mailbox.last_to("rosa@example.org"), "/reset-password/"))
    with app.app_context():
        token = db.session.scalar(select(PasswordResetToken))
        token.expires_at = token.created_at - timedelta(seconds=1)
        db.session.commit()
    response = client.get(link)
    assert response.status_code == 400
    assert "This link has expired" in text(response)


def test_reset_stores_only_a_hash_of_the_token(client, make_user, mailbox, app):
    make_user("rosa@example.org")
    ask_for_reset(client, "rosa@example.org")
    raw = mailbox.link(mailbox.last_to("rosa@example.org"), "/reset-password/").rsplit("/", 1)[1]
    with app.app_context():
        stored = db.session.scalar(select(PasswordResetToken.token_hash))
    assert raw not in stored and len(stored) == 64


def test_reset_password_form_checks_the_new_password(client, make_user, mailbox):
    make_user("rosa@example.org")
    ask_for_reset(client, "rosa@example.org")
    link = path_of(mailbox.link(mailbox.last_to("rosa@example.org"), "/reset-password/"))
    page = text(submit(client, link, {"password": "password"}))
    assert "<title>Error: Choose a new password" in page
    assert "Password must be 12 characters or more" in page
    assert client.get(link).status_code == 200  # a failed attempt does not spend the link


def test_changing_password_signs_out_other_sessions(app, make_user, mailbox):
    make_user("rosa@example.org")
    laptop, phone = app.test_client(), app.test_client()
    from tests.conftest import Auth

    Auth(laptop).sign_in("rosa@example.org")
    Auth(phone).sign_in("rosa@example.org")
    response = submit(laptop, "/account/change-password",
                      {"current_password": PASSWORD, "password": NEW_PASSWORD})
    assert "Your password has been changed" in text(response)
    assert laptop.get("/account").status_code == 200
    assert phone.get("/account").status_code == 302
    assert "has been changed" in mailbox.body(mailbox.last_to("rosa@example.org"))


def test_changing_password_needs_the_current_one(client, auth, make_user):
    make_user("rosa@example.org")
    auth.sign_in("rosa@example.org")
    page = text(submit(client, "/account/change-password",
                       {"current_password": "not-my-password", "password": NEW_PASSWORD}))
    assert "<title>Error: Change your password" in page
    assert "Your current password is not correct" in page
    page = text(submit(client, "/account/change-password",
                       {"current_password": PASSWORD, "password": PASSWORD}))
    assert "Enter a new password that is different from your current one" in page
    page = text(submit(client, "/account/change-password",
                       {"current_password": PASSWORD, "password": ""}))
    assert "Enter a new password" in page and "Enter a password" not in page


def test_changing_email_needs_the_link_sent_to_the_new_address(client, auth, make_user,
                                                                mailbox, app):
    make_user("rosa@example.org")
    auth.sign_in("rosa@example.org")
    response = submit(client, "/account/change-email",
                      {"email": "rosa.new@example.org", "password": PASSWORD})
    assert "Check your new email address" in text(response)
    with app.app_context():
        assert db.session.scalar(select(User.email)) == "rosa@example.org"

    link = path_of(mailbox.link(mailbox.last_to("rosa.new@example.org"), "/confirm-email/"))
    response = client.get(link, follow_redirects=True)
    assert "Your email address has been changed" in text(response)
    with app.app_context():
        assert db.session.scalar(select(User.email)) == "rosa.new@example.org"
    assert "rosa.new@example.org" in mailbox.body(mailbox.last_to("rosa@example.org"))
    assert client.get(link).status_code == 400  # works once


def test_the_account_page_says_a_new_email_address_is_waiting_to_be_confirmed(
        client, auth, make_user, mailbox):
    make_user("rosa@example.org")
    auth.sign_in("rosa@example.org")
    waiting = ("We sent a link to <strong>rosa.new@example.org</strong> to confirm your new "
               "email address. Until then we use rosa@example.org.")
    assert waiting not in text(client.get("/account"))
    submit(client, "/account/change-email", {"email": "rosa.new@example.org",
                                             "password": PASSWORD})
    assert waiting in text(client.get("/account"))

    link = path_of(mailbox.link(mailbox.last_to("rosa.new@example.org"), "/confirm-email/"))
    page = text(client.get(link, follow_redirects=True))
    assert "Your email address has been changed" in page and "We sent a link to" not in page


def test_the_account_page_stops_mentioning_a_new_address_when_its_link_expires(
        client, auth, make_user, monkeypatch):
    make_user("rosa@example.org")
    auth.sign_in("rosa@example.org")
    submit(client, "/account/change-email", {"email": "rosa.new@example.org",
                                             "password": PASSWORD})
    in_three_days = utcnow() + timedelta(days=3)
    monkeypatch.setattr("app.accounts.routes.utcnow", lambda: in_three_days)
    assert "We sent a link to" not in text(client.get("/account"))


def test_changing_email_to_a_taken_address_reveals_nothing(client, auth, make_user, mailbox,
                                                           app):
    make_user("rosa@example.org")
    make_user("taken@example.org")
    auth.sign_in("rosa@example.org")
    response = submit(client, "/account/change-email",
                      {"email": "taken@example.org", "password": PASSWORD})
    assert "Check your new email address" in text(response)
    assert "already have an account" in mailbox.body(mailbox.last_to("taken@example.org"))
    with app.app_context():
        assert db.session.scalar(select(User.email).where(User.id == 1)) == "rosa@example.org"


def test_changing_email_needs_the_password(client, auth, make_user):
    make_user("rosa@example.org")
    auth.sign_in("rosa@example.org")
    page = text(submit(client, "/account/change-email",
                       {"email": "rosa.new@example.org", "password": "wrong-password"}))
    assert "Your password is not correct" in page
    assert 'value="rosa.new@example.org"' in page


def test_download_my_data_has_everything_the_account_holds(client, auth, make_user,
                                                           make_organisation, make_membership):
    user = make_user("rosa@example.org", display_name="Rosa")
    make_membership(user, make_organisation("Northgate City Council"),
                    status=MembershipStatus.APPROVED)
    auth.sign_in("rosa@example.org")
    response = client.get("/account/download-my-data")
    assert response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data())
    assert data["account"]["email"] == "rosa@example.org"
    assert data["account"]["display_name"] == "Rosa"
    assert data["account"]["role"] == "officer"
    assert data["organisation_memberships"][0]["organisation"] == "Northgate City Council"
    assert "password" not in json.dumps(data).lower().replace("password_hash", "")


def test_the_delete_page_says_what_happens_to_ideas_and_supports(client, auth, make_user):
    make_user("rosa@example.org")
    auth.sign_in("rosa@example.org")
    page = text(client.get("/account/delete"))
    assert "ideas you published stay public, shown as by “a former member”" in page
    assert "drafts you have not published are kept, and only our staff can open them" in page
    assert ("your supports stay and still count towards each idea’s total, but they are no "
            "longer linked to your name or email address, and nobody can take them back") in page


def test_a_deleted_accounts_supports_still_count_and_its_drafts_are_kept(
        client, auth, make_user, make_window, make_idea, app):
    window = make_window(stage="voting")
    idea = make_idea(window, make_user())
    rosa = make_user("rosa@example.org")
    draft = make_idea(window, rosa, status=IdeaStatus.DRAFT)
    auth.sign_in("rosa@example.org")
    submit(client, f"/ideas/{idea.id}/support", {}, page=f"/ideas/{idea.id}")
    submit(client, "/account/delete", {"confirm": "y", "password": PASSWORD})
    with app.app_context():
        assert db.session.get(Idea, idea.id).support_count == 1
        assert db.session.scalar(select(Support.user_id)) == rosa.id
        assert db.session.get(Idea, draft.id).status == IdeaStatus.DRAFT


def test_deleting_an_account_removes_personal_data_but_keeps_the_row(
        client, auth, make_user, make_organisation, make_membership, mailbox, app):
    user = make_user("rosa@example.org", display_name="Rosa")
    make_membership(user, make_organisation(), status=MembershipStatus.APPROVED)
    auth.sign_in("rosa@example.org")

    page = text(submit(client, "/account/delete", {"password": PASSWORD}))
    assert "Confirm that you understand you cannot undo this" in page

    response = submit(client, "/account/delete", {"confirm": "y", "password": PASSWORD})
    assert "Your account has been deleted" in text(response)
    assert "has been deleted" in mailbox.body(mailbox.last_to("rosa@example.org"))
    with app.app_context():
        deleted = db.session.get(User, user.id)
        assert deleted.email is None and deleted.password_hash is None
        assert deleted.display_name == FORMER_MEMBER_NAME
        assert deleted.public_name == "a former member"
        assert deleted.deleted_at is not None
        assert deleted.memberships == []
        assert deleted.role == Role.RESIDENT
        assert db.session.scalar(select(AuditEvent.action)) == "account.delete"
    assert client.get("/account").status_code == 302
    page = text(submit(client, "/sign-in", {"email": "rosa@example.org", "password": PASSWORD}))
    assert "Enter a correct email address and password" in page
    # The address is free to register again.
    response = submit(client, "/register", {"email": "rosa@example.org", "display_name": "Rosa",
                                            "password": PASSWORD})
    assert mailbox.link(mailbox.last_to("rosa@example.org"), "/verify-email/")


def test_deleting_shows_every_problem_at_once(client, auth, make_user, app):
    make_user("admin@example.org", role=Role.ADMIN)
    auth.sign_in("admin@example.org")
    response = submit(client, "/account/delete", {"password": "not-my-password"})
    page = text(response)
    assert response.status_code == 200 and "<title>Error: " in page
    summary = page.split('class="govuk-error-summary"')[1].split("</div>\n</div>")[0]
    for message in ("Confirm that you understand you cannot undo this",
                    "Your password is not correct", "You are the only administrator"):
        assert message in summary
    assert summary.index("Confirm that") < summary.index("Your password is not correct")
    assert 'href="#confirm"' in summary and 'href="#password"' in summary
    assert 'href="#"' not in summary  # the last admin's problem is about no one field
    assert 'class="govuk-error-message"' in page.split('id="password"')[0].rsplit(
        'class="govuk-form-group', 1)[1]  # beside the field as well
    # An empty password is asked for, not called wrong.
    page = text(submit(client, "/account/delete", {}))
    assert "Enter your password" in page and "Your password is not correct" not in page
    with app.app_context():
        assert db.session.scalar(select(User.deleted_at)) is None


def test_the_last_admin_cannot_delete_their_account(client, auth, make_user, app):
    make_user("admin@example.org", role=Role.ADMIN)
    auth.sign_in("admin@example.org")
    page = text(submit(client, "/account/delete", {"confirm": "y", "password": PASSWORD}))
    assert "You are the only administrator" in page
    with app.app_context():
        assert db.session.scalar(select(User.deleted_at)) is None


def test_changing_the_display_name(client, auth, make_user, app):
    make_user("rosa@example.org", display_name="Rosa")
    auth.sign_in("rosa@example.org")
    page = text(submit(client, "/account/change-name", {"display_name": "   "}))
    assert "Enter a display name" in page
    response = submit(client, "/account/change-name", {"display_name": "Rosa  M"})
    assert "Your display name has been changed" in text(response)
    with app.app_context():
        assert db.session.scalar(select(User.display_name)) == "Rosa M"


def test_saving_the_same_display_name_says_nothing_changed(client, auth, make_user, app):
    make_user("rosa@example.org", display_name="Rosa M")
    auth.sign_in("rosa@example.org")
    with app.app_context():
        events = db.session.scalar(select(func.count(AuditEvent.id)))
    page = text(submit(client, "/account/change-name", {"display_name": " Rosa   M "}))
    assert "Nothing changed: your display name is still Rosa M." in page
    assert "has been changed" not in page
    with app.app_context():
        assert db.session.scalar(select(func.count(AuditEvent.id))) == events


@pytest.mark.parametrize(("url", "data", "message"), [
    ("/account/change-password", {"current_password": PASSWORD, "password": PASSWORD},
     "Enter a new password that is different from your current one"),
    ("/account/change-email", {"email": "rosa@example.org", "password": PASSWORD},
     "Enter a different email address from the one you use now"),
])
def test_other_changes_to_the_same_value_are_refused(client, auth, make_user, mailbox, url,
                                                     data, message):
    make_user("rosa@example.org")
    auth.sign_in("rosa@example.org")
    page = text(submit(client, url, data))
    assert message in page and "has been changed" not in page
    assert not mailbox.to("rosa@example.org")
