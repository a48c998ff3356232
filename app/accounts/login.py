"""Flask-Login wiring: loading the signed-in person from the session."""

from flask import flash, jsonify, redirect, request, url_for
from flask_login import LoginManager
from sqlalchemy import bindparam, select

from app.extensions import db
from app.models import User
from app.security import coming_back_to

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


def send_to_sign_in():
    """Someone who must sign in first: to the sign-in page, coming back afterwards to a page
    they can open. A form post cannot be repeated by a redirect (a GET of "/ideas/1/support"
    is refused), so after one they come back to the page the form was on. A script asking
    for JSON gets a 401 with the sign-in address, to go there itself."""
    back = coming_back_to(url_for("main.index"))
    message = "Sign in to see that page." if request.method == "GET" else "Sign in, then try again."
    sign_in = url_for("accounts.sign_in", next=back)
    flash(message, "info")  # the script goes to the sign-in page too, which shows it
    if request.accept_mimetypes.best == "application/json":
        return jsonify(error=message, sign_in=sign_in), 401
    return redirect(sign_in)


def register(login_manager: LoginManager) -> None:
    """Tell Flask-Login how to load people and where to send those who must sign in."""
    login_manager.user_loader(load_user)
    login_manager.login_view = "accounts.sign_in"
    login_manager.unauthorized_handler(send_to_sign_in)
    login_manager.session_protection = "strong"
