"""Rate limits on the account forms that count real attempts only, and how long to wait.

A limit made with `attempts(...)` counts a request only when its view calls `attempt()`:
a password checked and wrong, an account created, an email sent. A form sent back with a
mistake in it (a password too short, an empty field) costs nothing, so a person correcting
their answers is never locked out. Flask-Limiter checks such a limit before the view and
counts after it (`deduct_when`), so requests arriving together all pass the check; `ceiling`
counts every POST as it arrives, high enough that nobody fixing typos reaches it, and bounds
what a burst of simultaneous requests can do.

Every limit names why it is there (`because`), so that the page a request over it gets says
so: accounts are kept safe, support counts fair, moderators able to read every report.
"""

import math
import time

from flask import current_app, g
from flask_limiter.util import get_remote_address
from flask_login import current_user

from app.extensions import limiter

# Why each kind of limit is there: the title and first sentence of the page a request over it
# gets, before how long to wait. A limit names its kind with `error_message=because(kind)`,
# which Flask-Limiter hands to the error page as the error's description.
WHY = {
    "accounts": ("You have tried too many times",
                 "To keep accounts safe we limit how often this can be tried."),
    "account emails": ("You have asked for too many emails",
                       "To stop anyone’s inbox being flooded we limit how many emails we send "
                       "about an account."),
    "supporting": ("You have changed your support too many times",
                   "To keep support counts fair we limit how often ideas can be supported or "
                   "have their support withdrawn."),
    "reporting": ("You have reported too many ideas",
                  "So that moderators can read every report, we limit how many ideas can be "
                  "reported."),
    "posting": ("You have sent too many ideas",
                "To stop the service being flooded we limit how often ideas can be sent."),
    "similar ideas": ("You have looked for similar ideas too many times",
                      "To keep the service quick for everyone we limit how often similar ideas "
                      "can be looked for."),
    "open data": ("You have asked for open data too many times",
                  "To keep the service quick for everyone we limit how often open data can be "
                  "downloaded."),
}
# A limit that names no reason.
WHY_ANYTHING = ("You have tried too many times",
                "To keep the service working for everyone we limit how often this can be done.")


def because(kind: str) -> str:
    """The `error_message` of a limit of this kind (a key of WHY), checked as the limit is made."""
    if kind not in WHY:
        raise KeyError(f"no reason for rate limits of kind {kind!r}: add it to WHY")
    return kind


def why_limited(error: Exception | None) -> tuple[str, str]:
    """The title and the reason for the page of a request over a limit."""
    return WHY.get(getattr(error, "description", None), WHY_ANYTHING)


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


def attempts(setting: str, key_func=get_remote_address, shared: str | None = None,
             why: str = "accounts"):
    """A limit, from the setting named, on the POSTs whose view called `attempt()`; views
    that name the same `shared` scope count against one allowance."""
    if shared:
        return limiter.shared_limit(lambda: current_app.config[setting], shared,
                                    methods=["POST"], deduct_when=_attempted,
                                    key_func=key_func, error_message=because(why))
    return limiter.limit(lambda: current_app.config[setting], methods=["POST"],
                         deduct_when=_attempted, key_func=key_func,
                         error_message=because(why))


def ceiling(why: str = "accounts"):
    """A limit on every POST to a view, mistakes included (RATELIMIT_FORM_CEILING)."""
    # Its own scope, so that it never shares a counter with the attempts limit of the same view.
    return limiter.limit(lambda: current_app.config["RATELIMIT_FORM_CEILING"],
                         methods=["POST"], scope="every-post", error_message=because(why))


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
