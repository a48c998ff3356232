"""Email over SMTP, the console backend for development, and what happens when SMTP fails."""

from app import create_app
from app.email import build_message, deliver
from config import DevelopmentConfig, TestConfig
from tests.support.forms import submit, text
from tests.support.smtp import free_port


def test_console_backend_prints_the_message(capsys, tmp_path):
    app = create_app(DevelopmentConfig, {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/c.db",
                                         "MAIL_BACKEND": "console"})
    with app.test_request_context():
        deliver(build_message("rosa@example.org", "Hello", "reset_no_account",
                              register_url="http://127.0.0.1:5000/register"))
    printed = capsys.readouterr().err
    assert "To: rosa@example.org" in printed
    assert "Subject: Hello – ODA Ideas" in printed


def test_links_in_emails_use_the_public_base_url(app, client, mailbox, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://ideas.example.gov.uk")
    submit(client, "/forgot-password", {"email": "nobody@example.org"})
    body = mailbox.body(mailbox.last_to("nobody@example.org"))
    assert "https://ideas.example.gov.uk/register" in body


def test_when_smtp_is_down_the_person_is_told_and_the_account_kept(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())
    response = submit(client, "/register", {"email": "rosa@example.org",
                                            "display_name": "Rosa",
                                            "password": "lantern-orchard-velvet-9"})
    assert "We could not send the email just now" in text(response)
    from sqlalchemy import select

    from app.extensions import db
    from app.models import User

    with app.app_context():
        assert db.session.scalar(select(User.email)) == "rosa@example.org"


def test_reset_page_says_when_email_could_not_be_sent(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())
    page = text(submit(client, "/forgot-password", {"email": "rosa@example.org"}))
    assert "We could not send the email just now" in page
    assert 'value="rosa@example.org"' in page


def test_messages_are_plain_text_with_sender_and_service_name(app, client, mailbox):
    submit(client, "/forgot-password", {"email": "nobody@example.org"})
    message = mailbox.last_to("nobody@example.org")
    assert message["From"] == TestConfig.MAIL_DEFAULT_SENDER
    assert message.get_content_type() == "text/plain"
    assert "ODA Ideas, run by Office of Data Analytics" in mailbox.body(message)
