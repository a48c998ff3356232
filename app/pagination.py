"""Paging through long lists, twenty-odd rows at a time."""

from flask import request
from sqlalchemy import Select

from app.extensions import db

MAX_PAGE = 100_000


def current_page() -> int:
    """The page number asked for in the query string, 1 when missing or nonsense."""
    page = request.args.get("page", 1, type=int)
    return page if page and 0 < page <= MAX_PAGE else 1


def paginate(statement: Select, per_page: int = 25):
    """A Flask-SQLAlchemy Pagination for `statement` at the requested page (404 past the end)."""
    return db.paginate(statement, page=current_page(), per_page=per_page, error_out=True)
