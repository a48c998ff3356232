"""Account operations: registering, verifying, signing in, passwords, email changes, deletion.

Each operation that changes data commits its own transaction, then sends its email, so that
nobody is told about a change that did not happen. Answers never reveal whether an email
address has an account: where the person asking could learn it, the email goes to the
address instead, and the page says the same thing either way.
"""

import hashlib
import logging
import secrets
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from app import audit
from app.accounts import personal_data
from app.accounts.passwords import (
    burn_time_like_a_verification,
    hash_password,
    needs_rehash,
    verify_password,
)
from app.accounts.tokens import (
    CHANGE_EMAIL,
    VERIFY_EMAIL,
    TokenExpired,
    TokenInvalid,
    make_token,
    read_token,
)
from app.email import external_url, send_email
from app.extensions import db
from app.models import (
    FORMER_MEMBER_NAME,
    Follow,
    Notification,
    OutboxEmail,
    OutboxStatus,
    PasswordResetToken,
    Role,
    SupportMove,
    User,
    utcnow,
)

log = logging.getLogger(__name__)


class AccountError(Exception):
    """A request we cannot carry out, with a message for the person and the field it is about."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class WrongPassword(AccountError):
    """The password typed to confirm a change is not the account's: a real attempt, which the
    rate limit counts (app/rate_limits.py)."""


def normalise_email(email: str) -> str:
    """Email addresses are compared and stored in lower case, without surrounding spaces."""
    return email.strip().lower()


def find_active_user_by_email(email: str) -> User | None:
    """The account that signs in with this email, if there is one."""
    return db.session.scalar(
        select(User).where(User.email == normalise_email(email), User.deleted_at.is_(None))
    )


def register(email: str, display_name: str, password: str) -> User | None:
    """Create an unverified account and email its verification link.

    When the address already has an account, email its owner instead and return None.
    """
    email = normalise_email(email)
    existing = find_active_user_by_email(email)
    if existing is None:
        user = User(
            email=email, display_name=display_name.strip(), password_hash=hash_password(password)
        )
        db.session.add(user)
        try:
            db.session.commit()
        except IntegrityError:  # someone registered the same address a moment ago
            db.session.rollback()
            existing = find_active_user_by_email(email)
        else:
            log.info("account %s registered", user.id)
            send_verification_email(user)
            return user
    if existing is not None:
        send_email(
            existing.email,
            "Someone tried to create an account with your email address",
            "account_exists",
            user=existing,
            sign_in_url=external_url("accounts.sign_in"),
            reset_url=external_url("accounts.forgot_password"),
        )
    return None


def send_verification_email(user: User, next_path: str | None = None) -> None:
    """Email a signed link that confirms the person owns their address and then takes them
    to `next_path` (a path on this site, checked again when the link is followed)."""
    token = make_token(VERIFY_EMAIL, {"uid": user.id, "email": user.email})
    values = {"next": next_path} if next_path else {}
    send_email(
        user.email,
        "Confirm your email address",
        "verify_email",
        user=user,
        url=external_url("accounts.verify_email", token=token, **values),
        max_age=current_app.config["EMAIL_VERIFICATION_MAX_AGE"],
    )


def verify_email(token: str) -> User:
    """Mark an address as confirmed from the emailed link (raises TokenExpired/TokenInvalid)."""
    payload = read_token(VERIFY_EMAIL, token, current_app.config["EMAIL_VERIFICATION_MAX_AGE"])
    user = db.session.get(User, payload.get("uid"))
    if user is None or not user.is_active or user.email != payload.get("email"):
        raise TokenInvalid
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
        db.session.commit()
        log.info("account %s verified its email", user.id)
    return user


def authenticate(email: str, password: str) -> User | None:
    """The account these credentials belong to, or None, taking the same time either way."""
    user = find_active_user_by_email(email)
    if user is None:
        burn_time_like_a_verification(password)
        return None
    if not verify_password(user.password_hash, password):
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_signed_in_at = utcnow()
    db.session.commit()
    return user


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def start_password_reset(email: str) -> None:
    """Email a one-time reset link, or tell the address that it has no account."""
    user = find_active_user_by_email(email)
    if user is None:
        send_email(
            normalise_email(email),
            "Reset your password",
            "reset_no_account",
            register_url=external_url("accounts.register"),
        )
        return
    now = utcnow()
    # Only the newest link works: older unused ones are spent.
    db.session.execute(
        update(PasswordResetToken)
        .where(PasswordResetToken.user_id == user.id, PasswordResetToken.used_at.is_(None))
        .values(used_at=now)
    )
    raw = secrets.token_urlsafe(32)
    max_age = current_app.config["PASSWORD_RESET_MAX_AGE"]
    db.session.add(
        PasswordResetToken(user_id=user.id, token_hash=_hash_token(raw), expires_at=now + max_age)
    )
    db.session.commit()
    send_email(
        user.email,
        "Reset your password",
        "reset_password",
        user=user,
        url=external_url("accounts.reset_password", token=raw),
        max_age=max_age,
    )


def find_reset_token(raw: str) -> PasswordResetToken:
    """The unused, unexpired reset token for a link (raises TokenInvalid or TokenExpired)."""
    token = db.session.scalar(
        select(PasswordResetToken).where(PasswordResetToken.token_hash == _hash_token(raw))
    )
    if token is None or token.used_at is not None or not token.user.is_active:
        raise TokenInvalid
    if token.expires_at <= utcnow():
        raise TokenExpired
    return token


def reset_password(raw: str, new_password: str) -> User:
    """Set a new password from a reset link; the link then stops working, as do old sessions."""
    token = find_reset_token(raw)
    now = utcnow()
    # Claim the token atomically so that two submissions of one link cannot both succeed.
    claimed = db.session.execute(
        update(PasswordResetToken)
        .where(PasswordResetToken.id == token.id, PasswordResetToken.used_at.is_(None))
        .values(used_at=now)
    ).rowcount
    if claimed != 1:
        db.session.rollback()
        raise TokenInvalid
    user = token.user
    user.password_hash = hash_password(new_password)
    user.session_version += 1
    user.email_verified_at = user.email_verified_at or now  # the link proved the address
    db.session.commit()
    log.info("account %s reset its password", user.id)
    _send_password_changed(user)
    return user


def _send_password_changed(user: User) -> None:
    send_email(
        user.email,
        "Your password has been changed",
        "password_changed",
        user=user,
        reset_url=external_url("accounts.forgot_password"),
    )


def change_password(user: User, current_password: str, new_password: str) -> None:
    """Change a password after checking the current one; other sessions are signed out."""
    if not verify_password(user.password_hash, current_password):
        raise WrongPassword("Your current password is not correct", "current_password")
    if new_password == current_password:
        raise AccountError("Enter a new password that is different from your current one",
                           "password")
    user.password_hash = hash_password(new_password)
    user.session_version += 1
    db.session.commit()
    log.info("account %s changed its password", user.id)
    _send_password_changed(user)


def request_email_change(user: User, new_email: str, password: str) -> str:
    """Email a confirmation link to the new address; nothing changes until it is followed."""
    if not verify_password(user.password_hash, password):
        raise AccountError("Your password is not correct", "password")
    new_email = normalise_email(new_email)
    if new_email == user.email:
        raise AccountError("Enter a different email address from the one you use now", "email")
    if find_active_user_by_email(new_email) is not None:
        send_email(new_email, "Someone tried to use your email address", "email_in_use")
        return new_email
    token = make_token(CHANGE_EMAIL, {"uid": user.id, "from": user.email, "to": new_email})
    send_email(
        new_email,
        "Confirm your new email address",
        "confirm_email_change",
        user=user,
        url=external_url("accounts.confirm_email_change", token=token),
        max_age=current_app.config["EMAIL_VERIFICATION_MAX_AGE"],
    )
    return new_email


def confirm_email_change(token: str) -> User:
    """Switch to the new address from the emailed link, and tell the old address."""
    payload = read_token(CHANGE_EMAIL, token, current_app.config["EMAIL_VERIFICATION_MAX_AGE"])
    user = db.session.get(User, payload.get("uid"))
    # The link names the old address, so it works once: after the change it no longer matches.
    if user is None or not user.is_active or user.email != payload.get("from"):
        raise TokenInvalid
    old_email, new_email = user.email, payload["to"]
    user.email = new_email
    user.email_verified_at = utcnow()
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise AccountError("Another account started using that email address. "
                           "Choose a different one.") from None
    log.info("account %s changed its email address", user.id)
    send_email(old_email, "Your email address has been changed", "email_changed",
               user=user, new_email=new_email)
    return user


def change_display_name(user: User, display_name: str) -> bool:
    """Change the name shown beside a person's public ideas (past ones included); False when
    it is the name they have already."""
    display_name = " ".join(display_name.split())
    if display_name == user.display_name:
        return False
    user.display_name = display_name
    db.session.commit()
    return True


def count_active_admins() -> int:
    """How many administrators could still sign in."""
    return db.session.scalar(
        select(func.count(User.id)).where(User.role == Role.ADMIN, User.deleted_at.is_(None))
    )


class CannotDelete(AccountError):
    """Every reason an account cannot be deleted yet, so that the form shows them together."""

    def __init__(self, problems: list[AccountError]):
        super().__init__(problems[0].message, problems[0].field)
        self.problems = problems


def deletion_problems(user: User, password: str | None) -> list[AccountError]:
    """Why this person cannot delete their account with this password (not checked if None)."""
    problems: list[AccountError] = []
    if password is not None and not verify_password(user.password_hash, password):
        problems.append(WrongPassword("Your password is not correct", "password"))
    if user.role == Role.ADMIN and count_active_admins() <= 1:
        problems.append(AccountError("You are the only administrator. Make someone else an "
                                     "administrator before you delete your account."))
    return problems


def delete_account(user: User, password: str) -> None:
    """Remove a person's personal data; their public contributions stay, by "a former member"."""
    problems = deletion_problems(user, password)
    if problems:
        raise CannotDelete(problems)
    old_email = user.email
    audit.record(user, "account.delete", user, "Deleted their account",
                 before={"role": user.role.value})
    user.memberships.clear()
    db.session.execute(
        PasswordResetToken.__table__.delete().where(PasswordResetToken.user_id == user.id)
    )
    # Queued and sent emails hold the address and what was said; follows, notifications and
    # the record of supports moved after a merge are only for the person. Supports stay (they
    # are counted), tied to the emptied account.
    # An email a sender is sending right now is left to it: the sender deletes it when done.
    db.session.execute(delete(OutboxEmail).where(OutboxEmail.user_id == user.id,
                                                 OutboxEmail.status != OutboxStatus.SENDING))
    for table in (Notification, Follow, SupportMove):
        db.session.execute(delete(table).where(table.user_id == user.id))
    user.email = None
    user.password_hash = None
    user.email_verified_at = None
    user.display_name = FORMER_MEMBER_NAME
    user.role = Role.RESIDENT
    user.deleted_at = utcnow()
    user.session_version += 1
    db.session.commit()
    log.info("account %s deleted", user.id)
    send_email(old_email, "Your account has been deleted", "account_deleted")


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


@personal_data.section("account")
def _account_data(user: User) -> dict[str, Any]:
    return {
        "email": user.email,
        "email_verified_at": _iso(user.email_verified_at),
        "display_name": user.display_name,
        "role": user.role.value,
        "created_at": _iso(user.created_at),
        "last_signed_in_at": _iso(user.last_signed_in_at),
        "emails_about_followed_ideas": user.email_notifications,
    }
