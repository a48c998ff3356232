from flask import Blueprint

bp = Blueprint("review", __name__)

from app.review import assessment_page, routes  # noqa: E402,F401
