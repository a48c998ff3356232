"""Paging through long lists, twenty-odd rows at a time.

Every list treats a page it does not have the same way: an old link to page 999 of a list
that now has 3, or a page number that is not one ("abc", "-1"), goes to the nearest page
the list has (the last, or the first) with a message saying so, rather than to a bare 404
or to page 1 without a word.
"""

from collections.abc import Callable

from flask import abort, flash, redirect, request, url_for
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select

from app.extensions import db

MAX_PAGE = 100_000


def page_number(value: str | None) -> int | None:
    """A page number from a query string: 1 when missing, None when it is not a whole number
    of 1 or more. Numbers past MAX_PAGE come back as MAX_PAGE + 1: no list is that long."""
    if value is None or value.strip() == "":
        return 1
    value = value.strip()
    if not (value.isascii() and value.isdigit()):
        return None
    number = int(value[:9]) if len(value) <= 9 else MAX_PAGE + 1
    return None if number < 1 else min(number, MAX_PAGE + 1)


def checked_page(make: Callable[[int], Pagination]) -> Pagination:
    """`make(page)` for the page asked for. A page the list does not have sends a GET to the
    nearest one it has, with a message; any other request is shown that page."""
    asked = request.args.get("page")
    number = page_number(asked)
    usable = number is not None and number <= MAX_PAGE
    page = make(number if usable else 1)
    if usable and (page.items or number == 1):
        return page
    last = max(page.pages, 1)
    nearest = 1 if number is None else last
    if request.method not in ("GET", "HEAD"):
        return page if nearest == page.page else make(nearest)
    shown = f"“{asked.strip()[:20]}”" if number is None else asked.strip()[:20]
    if last == 1:
        flash(f"There is no page {shown}. This list has only one page.", "info")
    elif nearest == 1:
        flash(f"There is no page {shown}. This is the first page.", "info")
    else:
        flash(f"There is no page {shown}. This is the last page, page {last:,}.", "info")
    args = request.args.to_dict(flat=False)
    args.pop("page", None)
    if nearest > 1:
        args["page"] = [str(nearest)]
    abort(redirect(url_for(request.endpoint, **(request.view_args or {}), **args)))


def paginate(statement: Select, per_page: int = 25) -> Pagination:
    """A Flask-SQLAlchemy Pagination for `statement` at the requested page."""
    return checked_page(lambda page: db.paginate(statement, page=page, per_page=per_page,
                                                 error_out=False))


class ListPagination(Pagination):
    """The same pagination over a list already in memory (a ranking worked out in Python)."""

    def _query_items(self) -> list:
        start = (self.page - 1) * self.per_page
        return self._query_args["rows"][start:start + self.per_page]

    def _query_count(self) -> int:
        return len(self._query_args["rows"])


def paginate_list(rows: list, per_page: int = 25, page: int | None = None) -> ListPagination:
    """A page of `rows` at `page`, or else at the requested page."""
    def make(number: int) -> ListPagination:
        return ListPagination(page=number, per_page=per_page, max_per_page=None,
                              error_out=False, rows=rows)
    return make(page) if page else checked_page(make)
