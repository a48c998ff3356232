"""'Download my data': every feature registers what it holds about a person."""

from collections.abc import Callable
from typing import Any

from flask import current_app

from app.models import User, utcnow

_SECTIONS: dict[str, Callable[[User], Any]] = {}


def section(name: str) -> Callable[[Callable[[User], Any]], Callable[[User], Any]]:
    """Register a function that returns one section of a person's data export."""

    def decorator(function: Callable[[User], Any]) -> Callable[[User], Any]:
        _SECTIONS[name] = function
        return function

    return decorator


def export_personal_data(user: User) -> dict[str, Any]:
    """Everything the service holds about `user`, as JSON-ready data."""
    export: dict[str, Any] = {
        "service": current_app.config["SERVICE_NAME"],
        "exported_at": utcnow().isoformat(),
    }
    for name, function in sorted(_SECTIONS.items()):
        export[name] = function(user)
    return export
