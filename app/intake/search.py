"""Finding ideas in a window: filters, and keyword search with the database's own full-text
index (SQLite FTS5, PostgreSQL tsvector with a GIN index), never a scan of the text.

Lists are in the order the visitor chose (app/voting/ranking.py). Search results are newest
first by idea number, which lets each database answer from its index alone:

- SQLite keeps a self-contained FTS5 table whose extra `scope` column holds a window token,
  a public/draft token and tokens for source, area and status, so a search with any filters
  is counted and paged inside FTS5 (see migration 0002).
- PostgreSQL counts the matches first and then picks the plan: for many matches, walking the
  primary key finds twenty quickly; for few, collecting the matches and sorting them does.
"""

import re
from dataclasses import dataclass

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, func, literal_column, select, text
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models import PUBLIC_STATUSES, Idea, IdeaStatus, IdeaWindow, Source, listed
from app.voting.ranking import DEFAULT_SORT, SORTS, apply_sort

WORD = re.compile(r"\w+", re.UNICODE)
MAX_TERMS = 12
# Search counts stop here: past it the page says "more than 1,000" and suggests more words.
# Counting every match of a word found in 100,000 ideas would cost more than the page.
COUNT_CAP = 1000
# Above this many matches PostgreSQL walks the primary key; below, it sorts the matches.
DENSE_MATCHES = 500


@dataclass(frozen=True)
class IdeaFilters:
    """What a person asked to see on a window's page."""

    query: str = ""
    source: str = ""
    area_id: int | None = None
    status: str = ""
    sort: str = DEFAULT_SORT

    @property
    def terms(self) -> list[str]:
        return WORD.findall(self.query.lower())[:MAX_TERMS]

    @property
    def source_value(self) -> Source | None:
        return Source(self.source) if self.source in {s.value for s in Source} else None

    @property
    def status_value(self) -> IdeaStatus | None:
        public = {s.value for s in PUBLIC_STATUSES}
        return IdeaStatus(self.status) if self.status in public else None

    @property
    def active(self) -> bool:
        return bool(self.terms or self.source or self.area_id or self.status)


def _filtered(statement: Select, window: IdeaWindow, filters: IdeaFilters) -> Select:
    statement = statement.where(Idea.window_id == window.id, listed())
    if filters.source_value:
        statement = statement.where(Idea.source == filters.source_value)
    if filters.area_id:
        statement = statement.where(Idea.area_id == filters.area_id)
    if filters.status_value:
        statement = statement.where(Idea.status == filters.status_value)
    return statement


def _with_details(statement: Select) -> Select:
    # Lists show each idea's area and organisation: load them with the page, not one by one.
    return statement.options(joinedload(Idea.area), joinedload(Idea.organisation))


def fts5_query(window: IdeaWindow, filters: IdeaFilters) -> str:
    """An FTS5 query for the words and filters. Each word is quoted, so that nothing people
    type is read as an operator; the last is a prefix, which helps while typing."""
    words = [f'"{term}"' for term in filters.terms]
    words[-1] += "*"
    scope = [f"w{window.id}", "public"]
    if filters.source_value:
        scope.append(f"src{filters.source_value.value}")
    if filters.area_id:
        scope.append(f"area{int(filters.area_id)}")
    if filters.status_value:
        scope.append(f"st{filters.status_value.value.replace('_', '')}")
    return f"{{title problem action data}} : ({' '.join(words)}) AND scope : ({' '.join(scope)})"


def _tsquery(terms: list[str]):
    return func.to_tsquery("english", " & ".join(
        f"{term}:*" if i == len(terms) - 1 else term for i, term in enumerate(terms)))


class SearchPagination(Pagination):
    """A page of search results, counted and fetched the fast way for each database."""

    def _query_items(self) -> list[Idea]:
        window, filters = self._query_args["window"], self._query_args["filters"]
        if db.engine.dialect.name == "postgresql":
            ids = self._postgresql_ids(window, filters)
        else:
            ids = list(db.session.scalars(
                select(literal_column("rowid")).select_from(text("ideas_fts"))
                .where(text("ideas_fts MATCH :q")).order_by(literal_column("rowid").desc())
                .limit(self.per_page).offset(self._query_offset),
                {"q": fts5_query(window, filters)}))
        if not ids:
            return []
        found = db.session.scalars(_with_details(select(Idea)).where(Idea.id.in_(ids)))
        return sorted(found.unique(), key=lambda idea: idea.id, reverse=True)

    def _query_count(self) -> int:
        """How many ideas match, up to COUNT_CAP + 1 (more means "more than COUNT_CAP")."""
        if "total" in self._query_args:
            return self._query_args["total"]
        window, filters = self._query_args["window"], self._query_args["filters"]
        if db.engine.dialect.name == "postgresql":
            return self._postgresql_count(window, filters)
        matches = (select(literal_column("rowid")).select_from(text("ideas_fts"))
                   .where(text("ideas_fts MATCH :q")).limit(COUNT_CAP + 1))
        return db.session.scalar(select(func.count()).select_from(matches.subquery()),
                                 {"q": fts5_query(window, filters)})

    @property
    def capped(self) -> bool:
        """True when more ideas match than were counted."""
        return self.total > COUNT_CAP

    def _postgresql_matches(self, window, filters) -> Select:
        condition = literal_column("ideas.search_vector").op("@@")(_tsquery(filters.terms))
        return _filtered(select(Idea.id), window, filters).where(condition)

    def _postgresql_count(self, window, filters) -> int:
        total = db.session.scalar(select(func.count()).select_from(
            self._postgresql_matches(window, filters).limit(COUNT_CAP + 1).subquery()))
        self._query_args["total"] = total
        return total

    def _postgresql_ids(self, window, filters) -> list[int]:
        total = self._postgresql_count(window, filters)
        matches = self._postgresql_matches(window, filters)
        if total > DENSE_MATCHES:
            page = matches.order_by(Idea.id.desc())
        else:
            collected = matches.cte("matches").prefix_with("MATERIALIZED")
            page = select(collected.c.id).order_by(collected.c.id.desc())
        return list(db.session.scalars(page.limit(self.per_page).offset(self._query_offset)))


class ListPagination(Pagination):
    """A page of a window's ideas without words: the ids are counted and ordered first (from
    the covering index ix_ideas_listing), then only the page's ideas are loaded, so that the
    database never sorts 100,000 whole rows."""

    def _ids(self) -> Select:
        window, filters = self._query_args["window"], self._query_args["filters"]
        sort = filters.sort if filters.sort in SORTS else DEFAULT_SORT
        return apply_sort(_filtered(select(Idea.id), window, filters), sort, window.id,
                          self._query_args["seed"])

    def _query_items(self) -> list[Idea]:
        ids = list(db.session.scalars(self._ids().limit(self.per_page)
                                      .offset(self._query_offset)))
        if not ids:
            return []
        position = {idea_id: place for place, idea_id in enumerate(ids)}
        found = db.session.scalars(_with_details(select(Idea)).where(Idea.id.in_(ids)))
        return sorted(found.unique(), key=lambda idea: position[idea.id])

    def _query_count(self) -> int:
        window, filters = self._query_args["window"], self._query_args["filters"]
        return db.session.scalar(select(func.count()).select_from(
            _filtered(select(Idea.id), window, filters).subquery()))


def paginate_ideas(window: IdeaWindow, filters: IdeaFilters, page: int, per_page: int,
                   seed: int = 0):
    """One page of a window's public ideas for these filters and words."""
    if filters.terms:
        return SearchPagination(page=page, per_page=per_page, error_out=False, window=window,
                                filters=filters)
    return ListPagination(page=page, per_page=per_page, error_out=False, window=window,
                          filters=filters, seed=seed)
