from flask import Blueprint

bp = Blueprint("intake", __name__)

from app.intake import routes, staff  # noqa: E402,F401
