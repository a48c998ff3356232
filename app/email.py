"""Sending email: plain-text messages from templates/email/, over SMTP or to the console."""

import logging
import smtplib
import ssl
import sys
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app, has_request_context, render_template, url_for

log = logging.getLogger(__name__)


class EmailNotSent(Exception):
    """The mail server could not be reached or refused the message."""


def external_url(endpoint: str, **values) -> str:
    """An absolute link for an email: PUBLIC_BASE_URL when set, never a spoofable Host header.
    Works outside requests too (emails queued by commands)."""
    base = current_app.config.get("PUBLIC_BASE_URL")
    if has_request_context():
        if not base:
            return url_for(endpoint, _external=True, **values)
        path = url_for(endpoint, **values)
    else:
        if not base:
            raise RuntimeError("Set PUBLIC_BASE_URL: links in emails need it outside requests")
        path = current_app.url_map.bind("localhost").build(endpoint, values)
    return base.rstrip("/") + path


def build_message(to: str, subject: str, template: str, **context) -> EmailMessage:
    """Render templates/email/<template>.txt into a message ready to send."""
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_DEFAULT_SENDER"]
    message["To"] = to
    message["Subject"] = f"{subject} – {config['SERVICE_NAME']}"
    message["Message-ID"] = make_msgid(domain="oda-ideas")
    body = render_template(f"email/{template}.txt", subject=subject, **context)
    message.set_content(body)
    return message


def deliver(message: EmailMessage) -> None:
    """Hand a message to the configured backend; raise EmailNotSent when SMTP fails."""
    config = current_app.config
    if config["MAIL_BACKEND"] == "console":
        # Headers and the decoded text, so that links can be copied straight from a terminal.
        headers = "\n".join(f"{name}: {message[name]}" for name in ("From", "To", "Subject"))
        print(f"\n----- email (MAIL_BACKEND=console) -----\n{headers}\n\n"
              f"{message.get_content()}-----", file=sys.stderr)
        return
    try:
        if config["MAIL_USE_SSL"]:
            smtp = smtplib.SMTP_SSL(
                config["MAIL_SERVER"], config["MAIL_PORT"],
                timeout=config["MAIL_TIMEOUT_SECONDS"], context=ssl.create_default_context(),
            )
        else:
            smtp = smtplib.SMTP(
                config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT_SECONDS"]
            )
        with smtp:
            if config["MAIL_USE_TLS"]:
                smtp.starttls(context=ssl.create_default_context())
            if config["MAIL_USERNAME"]:
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
            smtp.send_message(message)
    except (smtplib.SMTPException, OSError) as error:
        log.error("Email to %s not sent: %s", message["To"], error)
        raise EmailNotSent(str(error)) from error
    log.info("Email sent: %s", message["Subject"])


def send_email(to: str, subject: str, template: str, **context) -> None:
    """Render and send one email; raises EmailNotSent if the mail server fails."""
    deliver(build_message(to, subject, template, **context))
