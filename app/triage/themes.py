"""The themes view for staff: what a window's ideas are about, as the latest clustering run
found them (finding themes on every view took seconds for a large window)."""

from dataclasses import dataclass, field

from sqlalchemy import select

from app.extensions import db
from app.models import Idea, IdeaWindow, TriageRun, TriageTheme
from app.triage.services import indexed, latest_run

EXAMPLES_SHOWN = 5


@dataclass
class ThemeView:
    """A stored theme with the first of its ideas that are still public."""

    words: list[str]
    idea_count: int
    examples: list[Idea]  # the ideas most about the theme, shown at once
    more: list[Idea] = field(default_factory=list)  # the rest of those kept, behind "Show"


def for_window(window: IdeaWindow) -> tuple[TriageRun | None, list[ThemeView]]:
    """The latest run that covered the window, and the themes it found there, largest first
    (none if it ran before themes were stored)."""
    run = latest_run(window)
    if run is None:
        return None, []
    themes = list(db.session.scalars(select(TriageTheme).where(
        TriageTheme.run_id == run.id, TriageTheme.window_id == window.id)
        .order_by(TriageTheme.position)))
    wanted = {idea_id for theme in themes for idea_id in theme.example_ids}
    ideas = {idea.id: idea for idea in db.session.scalars(
        select(Idea).where(Idea.id.in_(wanted), indexed()))} if wanted else {}
    views = []
    for theme in themes:
        listed = [ideas[i] for i in theme.example_ids if i in ideas]
        views.append(ThemeView(theme.words, theme.idea_count, listed[:EXAMPLES_SHOWN],
                               listed[EXAMPLES_SHOWN:]))
    return run, views
