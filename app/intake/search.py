"""Finding ideas in a window: filters, and keyword search with the database's own full-text
index (SQLite FTS5, PostgreSQL tsvector with a GIN index), never a scan of the text.

Words are matched whole, after stemming, in any column; every word must match. A word also
matches its regular plural or singular ("bus" and "buses"), because neither stemmer joins
them for singular words ending in s ("bus" stems to "bu" on SQLite and to "bus" on
PostgreSQL, "buses" to "buse" on both; "gas" and "gases" likewise). There is no prefix
matching: the search box is a form sent with a button, not a list that changes as people
type, and a prefix made "bus" find "business" and "busy". Nothing typed is an operator:
each word is quoted for FTS5 and goes through plainto_tsquery on PostgreSQL. Common words
("and", "not", "the": PostgreSQL's English stop words) are left out on both databases, and
a search with nothing else in it is no search (the page says so).

The two databases stem differently (Porter's stemmer on SQLite, Snowball's on PostgreSQL),
so the same words used to find different ideas: on SQLite "one" found every idea with "on"
and "wai" (part of "wait") found "way", on PostgreSQL "gps" did not find "GP" nor "quick"
"quickly" on SQLite. Both stemmers run here too (nltk's copies of them), so that:

- a word that SQLite's stemmer makes into a stop word ("one", "ones", "others", "owned"),
  or that is what it makes of a longer word PostgreSQL keeps apart ("wai" of "way", "ag" of
  "age"), is left out on both databases, like a common word (`searchable`);
- a plural PostgreSQL's stemmer leaves whole ("gps", "hmos") also matches its singular;
- SQLite also gets the words PostgreSQL's stemmer joins to a form and its own does not
  ("quickly" for "quick", "nightly" for "nights": `sqlite_forms`).

What is left is each stemmer's own joins of different words, which only reindexing both
databases with one stemmer would remove: SQLite finds "generous" for "general", "new" for
"news" and "us" for "use"; PostgreSQL finds "dying" for "die". A form made by the plural
rule can be another word: "bu" finds "bus" on both, as "menu" finds "menus".

Lists are in the order the visitor chose (app/voting/ranking.py), search results too when
at most COUNT_CAP ideas match: the matches are counted (stopping at COUNT_CAP + 1), then, if
there are few enough, collected from the index and put in that order by the database, and
only the page's twenty loaded. Past COUNT_CAP, results are newest first by idea number,
which each database answers from its index alone without sorting the matches:

- SQLite keeps a self-contained FTS5 table whose extra `scope` column holds a window token,
  a public/draft token and tokens for source, area and status, so a search with any filters
  is counted and paged inside FTS5 (see migration 0002).
- PostgreSQL walks the primary key backwards, which finds twenty of that many matches
  quickly.
"""

import re
from dataclasses import dataclass
from functools import cached_property, lru_cache

from flask_sqlalchemy.pagination import Pagination
from nltk.stem.porter import PorterStemmer
from nltk.stem.snowball import SnowballStemmer
from sqlalchemy import Select, func, literal_column, select, text
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models import PUBLIC_STATUSES, Idea, IdeaStatus, IdeaWindow, Source, listed
from app.voting.ranking import DEFAULT_SORT, SORTS, apply_sort

# Letters and digits: both databases' tokenizers split words at anything else, "_" included.
WORD = re.compile(r"[^\W_]+", re.UNICODE)
MAX_TERMS = 12
# Search counts stop here: past it the page says "more than 1,000", lists newest first and
# suggests more words. Counting or sorting every match of a word found in 100,000 ideas
# would cost more than the page.
COUNT_CAP = 1000
# PostgreSQL's English stop words (tsearch_data/english.stop, from Snowball). PostgreSQL
# leaves them out of a search by itself; SQLite's FTS5 has no stop words, so that "and" or
# "not" would be required words there.
_ENGLISH_STOP_LIST = """
    i me my myself we our ours ourselves you your yours yourself yourselves he him his
    himself she her hers herself it its itself they them their theirs themselves what which
    who whom this that these those am is are was were be been being have has had having do
    does did doing a an the and but if or because as until while of at by for with about
    against between into through during before after above below to from up down in out on
    off over under again further then once here there when where why how all any both each
    few more most other some such no nor not only own same so than too very s t can will
    just don should now"""
STOP_WORDS = frozenset(_ENGLISH_STOP_LIST.split())
SIBILANT_ENDINGS = ("s", "x", "z", "ch", "sh")
# Words that Snowball's English stemmer leaves as they are on purpose (of those ending in s).
SNOWBALL_INVARIANTS = frozenset({"news", "cosmos", "andes", "atlas", "bias"})
# Words that take "es" in the plural. Of words ending in s, those in ss, us, as or is are
# mostly singular (bus, gas, glass, census); the rest mostly plural (bins), left to stemming.
SINGULAR_ENDINGS = ("ss", "us", "as", "is", "x", "z", "ch", "sh")


# The two indexes' stemmers, here to find the words they treat differently. SQLite's FTS5
# "porter" tokenizer is Martin Porter's own version, which nltk follows in this mode (one
# difference in the 30,000 commonest words of English Wikipedia); PostgreSQL's "english"
# configuration uses Snowball's English stemmer, as nltk does (three differences).
_porter = PorterStemmer(PorterStemmer.MARTIN_EXTENSIONS)
_snowball = SnowballStemmer("english")


@lru_cache(maxsize=4096)
def sqlite_stem(word: str) -> str:
    """What SQLite's index makes of a word."""
    return _porter.stem(word)


@lru_cache(maxsize=4096)
def postgresql_stem(word: str) -> str:
    """What PostgreSQL's index makes of a word."""
    return _snowball.stem(word)


# SQLite's index keeps stop words, as its stemmer makes them; PostgreSQL's leaves them out.
SQLITE_STOP_STEMS = frozenset(sqlite_stem(word) for word in STOP_WORDS)


def searchable(form: str) -> bool:
    """Whether both databases find the same ideas for this form of a word, as far as can be
    told without a dictionary.

    Not when SQLite's stemmer makes it a stop word ("ones" and "one" become "on", "ins"
    "in", "thes" "the"): SQLite would find every idea with that stop word, PostgreSQL none.
    Nor when it is what SQLite's stemmer makes of a longer word that PostgreSQL's keeps
    apart from it ("ag" of "age", "wai" of "way", "thei" of "they"): part of a word would
    find the whole word on SQLite only."""
    stem = sqlite_stem(form)
    if stem in SQLITE_STOP_STEMS:
        return False
    longer = []
    if form == stem:  # not "census": SQLite's "censu", whose s is not a plural's
        longer.append(stem + "e")
    if form in (stem, stem + "s") and len(stem) > 1 and stem[-1] == "i" and stem[-2] in "aeiou":
        longer.append(stem[:-1] + "y")
    return not any(sqlite_stem(word) == stem and postgresql_stem(word) != postgresql_stem(form)
                   for word in longer)


@lru_cache(maxsize=4096)
def search_forms(term: str) -> tuple[str, ...]:
    """The forms of a word searched for on both databases; none, and the word is left out,
    when the word as typed is not `searchable` ("ag", and so not "ags" either)."""
    if not searchable(term):
        return ()
    return tuple(form for form in word_forms(term) if searchable(form))


@lru_cache(maxsize=4096)
def sqlite_forms(term: str) -> tuple[str, ...]:
    """The forms given to SQLite: those of `search_forms`, and the words next to them that
    PostgreSQL's stemmer joins to them and SQLite's keeps apart ("quick" and "quickly",
    "nights" and "nightly", "tried" and "try"), so that SQLite finds those too."""
    forms = search_forms(term)
    joined: list[str] = []
    for form in forms:
        stem = postgresql_stem(form)
        near = []
        if form.endswith("ly"):
            near.append(form[:-2])  # quickly: quick
        elif form in (stem, stem + "s"):
            near.append(stem + "ly")  # quick, nights: quickly, nightly
        if stem.endswith("i"):
            near.append(stem[:-1] + "y")  # tried (tri): try
        for other in near:
            if (len(other) > 2 and other not in forms and other not in joined
                    and postgresql_stem(other) == stem
                    and sqlite_stem(other) != sqlite_stem(form) and searchable(other)):
                joined.append(other)
    return forms + tuple(joined)


def word_forms(word: str) -> list[str]:
    """A word with its regular plural or singular: bus, buses; boxes, box; city, cities."""
    forms = [word]
    if word.endswith("ies") and len(word) > 4:
        forms.append(word[:-3] + "y")
    elif word.endswith("es") and word[:-2].endswith(SIBILANT_ENDINGS) and len(word) > 4:
        forms.append(word[:-2])
    if word.endswith(SINGULAR_ENDINGS):
        forms.append(word + "es")
    elif word.endswith("y") and len(word) > 2 and word[-2] not in "aeiou":
        forms.append(word[:-1] + "ies")
    elif not word.endswith("s"):
        forms.append(word + "s")
    elif len(word) > 2 and postgresql_stem(word) == word and word not in SNOWBALL_INVARIANTS:
        # A plural that PostgreSQL's stemmer leaves whole, with no vowel before its s or
        # only one just before it ("gps", "hmos"); SQLite's takes the s off.
        forms.append(word[:-1])
    return forms


@dataclass(frozen=True)
class IdeaFilters:
    """What a person asked to see on a window's page."""

    query: str = ""
    source: str = ""
    area_id: int | None = None
    status: str = ""
    sort: str = DEFAULT_SORT

    @cached_property
    def terms(self) -> list[str]:
        """The words searched for: common words, words the two databases would find
        differently (`searchable`) and punctuation left out, each word once."""
        words = [word for word in WORD.findall(self.query.lower())
                 if word not in STOP_WORDS and search_forms(word)]
        return list(dict.fromkeys(words))[:MAX_TERMS]

    @property
    def nothing_to_search(self) -> bool:
        """True when something was typed but none of it can be searched for ("and", "c++"
        can: "c"; "+++" cannot)."""
        return bool(self.query.strip()) and not self.terms

    @property
    def sort_value(self) -> str:
        return self.sort if self.sort in SORTS else DEFAULT_SORT

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

    @property
    def any_chosen(self) -> bool:
        """True when the form was used at all: a filter, an order or any words typed, even
        only common ones (so that the page shows the form open, as it was sent)."""
        return self.active or bool(self.query.strip()) or self.sort_value != DEFAULT_SORT


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
    type is read as an operator, and matches whole (stemmed by the table's tokenizer) in any
    of its forms; every word must match."""
    words = " AND ".join("(" + " OR ".join(f'"{form}"' for form in sqlite_forms(term)) + ")"
                         for term in filters.terms)
    scope = [f"w{window.id}", "public"]
    if filters.source_value:
        scope.append(f"src{filters.source_value.value}")
    if filters.area_id:
        scope.append(f"area{int(filters.area_id)}")
    if filters.status_value:
        scope.append(f"st{filters.status_value.value.replace('_', '')}")
    return f"{{title problem action data}} : ({words}) AND scope : ({' '.join(scope)})"


def tsquery(terms: list[str]):
    """A PostgreSQL tsquery for the words, built from plainto_tsquery of each form (which
    reads no operators and drops stop words), joined with the tsquery operators: every
    word, in any of its forms. It is a constant, so the GIN index answers it."""
    def joined(parts, operator):
        query = parts[0]
        for part in parts[1:]:
            query = query.op(operator)(part)
        return query

    return joined([joined([func.plainto_tsquery("english", form) for form in search_forms(term)],
                          "||") for term in terms], "&&")


class SearchPagination(Pagination):
    """A page of search results: in the chosen order up to COUNT_CAP matches, newest first
    beyond, counted and fetched the fast way for each database."""

    def _query_items(self) -> list[Idea]:
        window, filters = self._query_args["window"], self._query_args["filters"]
        if self._matches_counted(window, filters) <= COUNT_CAP:
            ids = self._ordered_ids(window, filters)
        elif db.engine.dialect.name == "postgresql":
            ids = list(db.session.scalars(
                self._postgresql_matches(window, filters).order_by(Idea.id.desc())
                .limit(self.per_page).offset(self._query_offset)))
        else:
            ids = list(db.session.scalars(
                select(literal_column("rowid")).select_from(text("ideas_fts"))
                .where(text("ideas_fts MATCH :q")).order_by(literal_column("rowid").desc())
                .limit(self.per_page).offset(self._query_offset),
                {"q": fts5_query(window, filters)}))
        if not ids:
            return []
        position = {idea_id: place for place, idea_id in enumerate(ids)}
        found = db.session.scalars(_with_details(select(Idea)).where(Idea.id.in_(ids)))
        return sorted(found.unique(), key=lambda idea: position[idea.id])

    def _query_count(self) -> int:
        """How many ideas match, up to COUNT_CAP + 1 (more means "more than COUNT_CAP")."""
        return self._matches_counted(self._query_args["window"], self._query_args["filters"])

    @property
    def capped(self) -> bool:
        """True when more ideas match than were counted (and they are newest first)."""
        return self.total > COUNT_CAP

    def _matches(self, window, filters) -> Select:
        """The ids of the matching ideas, at most COUNT_CAP + 1 of them."""
        if db.engine.dialect.name == "postgresql":
            return self._postgresql_matches(window, filters).limit(COUNT_CAP + 1)
        return (select(literal_column("rowid").label("id")).select_from(text("ideas_fts"))
                .where(text("ideas_fts MATCH :q")).limit(COUNT_CAP + 1))

    def _parameters(self, window, filters) -> dict:
        return {} if db.engine.dialect.name == "postgresql" else {
            "q": fts5_query(window, filters)}

    def _matches_counted(self, window, filters) -> int:
        if "total" not in self._query_args:
            self._query_args["total"] = db.session.scalar(
                select(func.count()).select_from(self._matches(window, filters).subquery()),
                self._parameters(window, filters))
        return self._query_args["total"]

    def _ordered_ids(self, window, filters) -> list[int]:
        """The page's ids in the chosen order, when few enough match to sort them: the
        matches are collected first (MATERIALIZED, so that no database walks an index in
        the chosen order testing each idea against the words), then ordered as lists are."""
        matches = self._matches(window, filters).cte("matches").prefix_with("MATERIALIZED")
        ordered = apply_sort(
            _filtered(select(Idea.id), window, filters).join(matches, matches.c.id == Idea.id),
            filters.sort_value, window.id, self._query_args["seed"])
        return list(db.session.scalars(ordered.limit(self.per_page).offset(self._query_offset),
                                       self._parameters(window, filters)))

    def _postgresql_matches(self, window, filters) -> Select:
        condition = literal_column("ideas.search_vector").op("@@")(tsquery(filters.terms))
        return _filtered(select(Idea.id), window, filters).where(condition)


class ListPagination(Pagination):
    """A page of a window's ideas without words: the ids are counted and ordered first (from
    the covering index ix_ideas_listing), then only the page's ideas are loaded, so that the
    database never sorts 100,000 whole rows."""

    def _ids(self) -> Select:
        window, filters = self._query_args["window"], self._query_args["filters"]
        return apply_sort(_filtered(select(Idea.id), window, filters), filters.sort_value,
                          window.id, self._query_args["seed"])

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
                                filters=filters, seed=seed)
    return ListPagination(page=page, per_page=per_page, error_out=False, window=window,
                          filters=filters, seed=seed)
