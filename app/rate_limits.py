"""Rate limits on the account forms that count real attempts only, and how long to wait.

A limit made with `attempts(...)` counts a request only when its view calls `attempt()`:
a password checked and wrong, an account created, an email sent. A form sent back with a
mistake in it (a password too short, an empty field) costs nothing, so a person correcting
their answers is never locked out. Flask-Limiter checks such a limit before the view and
counts after it (`deduct_when`), so requests arriving together all pass the check; `ceiling`
counts every POST as it arrives, high enough that nobody fixing typos reaches it, and bounds
what a burst of simultaneous requests can do.
"""

import math
import time

from flask import current_app, g
from flask_limiter.util import get_remote_address
from flask_login import current_user

from app.extensions import limiter


def attempt() -> None:
    """Count this request against the view's `attempts` limits."""
    g.rate_limited_attempt = True


def _attempted(response) -> bool:
    return g.get("rate_limited_attempt", False)


def per_account() -> str:
    """Rate-limit key: the signed-in person, or else the network address."""
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return get_remote_address()


def attempts(setting: str, key_func=get_remote_address, shared: str | None = None):
    """A limit, from the setting named, on the POSTs whose view called `attempt()`; views
    that name the same `shared` scope count against one allowance."""
    if shared:
        return limiter.shared_limit(lambda: current_app.config[setting], shared,
                                    methods=["POST"], deduct_when=_attempted,
                                    key_func=key_func)
    return limiter.limit(lambda: current_app.config[setting], methods=["POST"],
                         deduct_when=_attempted, key_func=key_func)


def ceiling():
    """A limit on every POST to a view, mistakes included (RATELIMIT_FORM_CEILING)."""
    # Its own scope, so that it never shares a counter with the attempts limit of the same view.
    return limiter.limit(lambda: current_app.config["RATELIMIT_FORM_CEILING"],
                         methods=["POST"], scope="every-post")


def seconds_to_wait() -> int | None:
    """Seconds until every limit this request broke lets it through, or None if none did."""
    breached = [limit for limit in limiter.current_limits if limit.breached]
    if not breached:
        return None
    # The window's own reset time: `reset_at` is rounded up, which would add a second.
    return max(0, math.ceil(max(limit.window.reset_time for limit in breached) - time.time()))


def wait_in_words(seconds: int | None) -> str:
    """How long to wait, rounded up so that nobody comes back too early: "5 minutes"."""
    if seconds is None:
        return "a few minutes"
    minutes = max(1, math.ceil(seconds / 60))
    if minutes < 60:
        return f"{minutes} minute{'' if minutes == 1 else 's'}"
    hours = math.ceil(minutes / 60)
    return f"{hours} hour{'' if hours == 1 else 's'}"
