"""Flask-Login wiring: loading the signed-in person from the session."""

from flask_login import LoginManager
from sqlalchemy import bindparam, select

from app.extensions import db
from app.models import User

# Built once: every request loads its person, and building the statement each time cost more
# than running it (bench/voting_inprocess.py).
PERSON = select(User).where(User.id == bindparam("user_id"))


def load_user(session_id: str) -> User | None:
    """Find the account for a session id of the form "<user id>.<session version>"."""
    user_id, _, version = session_id.partition(".")
    if not (user_id.isdigit() and version.isdigit()):
        return None
    user = db.session.scalar(PERSON, {"user_id": int(user_id)})
    if user is None or not user.is_active or user.session_version != int(version):
        return None  # deleted, or every session was ended by a password change
    return user


def register(login_manager: LoginManager) -> None:
    """Tell Flask-Login how to load people and where to send those who must sign in."""
    login_manager.user_loader(load_user)
    login_manager.login_view = "accounts.sign_in"
    login_manager.login_message = "Sign in to see that page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"
