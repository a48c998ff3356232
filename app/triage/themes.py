"""The themes view for staff: what a window's ideas are about."""

from sqlalchemy import select

from app.extensions import db
from app.models import Idea, IdeaWindow
from app.triage.services import idea_text, indexed
from app.triage.topics import Theme, find_themes


def for_window(window: IdeaWindow) -> list[tuple[Theme, list[Idea]]]:
    """The window's themes, largest first, each with a few of its ideas."""
    ideas = list(db.session.scalars(select(Idea).where(
        Idea.window_id == window.id, indexed()).order_by(Idea.id)))
    by_id = {idea.id: idea for idea in ideas}
    themes = find_themes([i.id for i in ideas], [idea_text(i) for i in ideas])
    return [(theme, [by_id[i] for i in theme.idea_ids[:5]]) for theme in themes]
