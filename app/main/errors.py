"""Error pages in the GOV.UK style, and what to do when a form's session has expired."""

import logging

from flask import (
    Flask,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from app.intake import kept
from app.rate_limits import WHY_ANYTHING, seconds_to_wait, wait_in_words, why_limited

log = logging.getLogger(__name__)

PAGES = {
    400: ("There is a problem with your request",
          "Check the address or the form you sent, then try again."),
    403: ("You do not have permission to see this page",
          "If you think you should be able to, contact the ODA team."),
    404: ("Page not found",
          "If you typed the web address, check it is correct. If you pasted it, check you "
          "copied the entire address."),
    405: ("This page cannot be used that way",
          "Go back and use the buttons and links on the page."),
    429: WHY_ANYTHING,  # each limit gives its own reason (app/rate_limits.py: WHY)
    500: ("Sorry, there is a problem with the service",
          "Try again later. What you entered has not been saved."),
}


def render_error(code: int, error: HTTPException | None = None):
    """The page for an HTTP error code (JSON for the API)."""
    title, message = PAGES.get(code, PAGES[500])
    if code == 429:
        title, why = why_limited(error)
        message = f"{why} Wait {wait_in_words(seconds_to_wait())}, then try again."
        if request.path.startswith("/api/"):
            return {"error": {"status": code, "message": f"{title}. {message}"}}, code
        if request.accept_mimetypes.best == "application/json":
            # The support buttons' script shows this beside the button instead of leaving.
            return {"error": message}, code
    if request.path.startswith("/api/"):
        return {"error": {"status": code, "message": title}}, code
    return render_template("errors/error.html", code=code, title=title, message=message), code


def handle_http_error(error: HTTPException):
    return render_error(error.code if error.code in PAGES else 500, error)


def handle_csrf_error(error: CSRFError):
    # Usually a form left open past its session; send the person back to the page to retry.
    log.info("CSRF failure on %s: %s", request.path, error.description)
    if request.accept_mimetypes.best == "application/json":
        return {"error": "Your session timed out. Reload the page and try again."}, 400
    if kept.declared_origin() and not kept.from_this_site():
        # Sent from another site's page, the form arrives without the session cookie
        # (SameSite=Lax): a flash would answer with a new, empty session cookie in place of
        # the person's own and sign them out here. Say so on a page that leaves it alone.
        response = make_response(render_template(
            "errors/error.html", code=400,
            title=f"This form was not sent from {current_app.config['SERVICE_NAME']}",
            message="Nothing was saved. If you meant to use this service, go to its pages and "
                    "use the form there."), 400)
        session.modified = False
        return response
    if kept.keep(request.form):
        # The form's page fills itself with what was kept and says so; signing in first
        # (the session that timed out was the sign-in) brings them back to it.
        if current_user.is_authenticated:
            return redirect(request.path)
        flash(kept.SIGN_IN_FIRST, "warning")
        return redirect(url_for("accounts.sign_in", next=request.path))
    flash("Your session timed out or the form was out of date, so nothing was saved. "
          "Try again.", "warning")
    referrer = request.referrer or ""
    same_site = referrer.startswith(request.host_url)
    return redirect(referrer if same_site else request.host_url)


def handle_server_error(error: Exception):
    log.exception("Unhandled error on %s", request.path)
    return render_error(500)


def register(app: Flask) -> None:
    """Install the handlers."""
    app.register_error_handler(CSRFError, handle_csrf_error)
    for code in PAGES:
        if code != 500:
            app.register_error_handler(code, handle_http_error)
    app.register_error_handler(500, handle_server_error)
