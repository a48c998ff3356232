"""The home page and the service's standing pages: accessibility, privacy, cookies."""

from flask import render_template
from sqlalchemy import text

from app.access import public
from app.extensions import db
from app.intake.services import home_windows
from app.main import bp


@bp.route("/")
@public
def index():
    open_windows, deciding_windows = home_windows()
    return render_template("main/index.html", open_windows=open_windows,
                           deciding_windows=deciding_windows)


@bp.route("/accessibility")
@public
def accessibility():
    return render_template("main/accessibility.html")


@bp.route("/privacy")
@public
def privacy():
    return render_template("main/privacy.html")


@bp.route("/cookies")
@public
def cookies():
    return render_template("main/cookies.html")


@bp.route("/house-rules")
@public
def house_rules():
    return render_template("main/house_rules.html")


@bp.route("/healthz")
@public
def health():
    """For load balancers: answers when the app can reach its database."""
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}
