"""Open data: public CSV and JSON downloads per window, and a read-only JSON API described by
an OpenAPI document."""

from flask import Blueprint

bp = Blueprint("opendata", __name__)

from app.opendata import routes  # noqa: E402,F401
