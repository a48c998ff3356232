"""Paging through long lists, twenty-odd rows at a time."""

from flask import request
from flask_sqlalchemy.pagination import Pagination
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


class ListPagination(Pagination):
    """The same pagination over a list already in memory (a ranking worked out in Python)."""

    def _query_items(self) -> list:
        start = (self.page - 1) * self.per_page
        return self._query_args["rows"][start:start + self.per_page]

    def _query_count(self) -> int:
        return len(self._query_args["rows"])


def paginate_list(rows: list, per_page: int = 25, page: int | None = None) -> ListPagination:
    """A page of `rows` at `page`, or else the requested page (404 past the end)."""
    return ListPagination(page=page or current_page(), per_page=per_page, max_per_page=None,
                          rows=rows)
