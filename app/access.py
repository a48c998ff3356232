"""Who may see each page. Every view declares its rule with one of these decorators.

The rule is also written on the view function (`view.access_rule`), so that
tests/test_access.py can walk the URL map and fail when a route has no rule, or when a
staff or admin route does not check the role.
"""

from collections.abc import Callable
from functools import wraps

from flask import abort, current_app, jsonify, redirect, request, url_for
from flask_login import current_user

from app.extensions import login_manager
from app.models import STAFF_ROLES, Role
from app.security import coming_back_to

PUBLIC = "public"
SIGNED_IN = "signed_in"
VERIFIED = "verified"
ROLES = "roles"
ORGANISATION_LEAD = "organisation_lead"


def _mark(view: Callable, kind: str, roles: frozenset[Role] = frozenset()) -> Callable:
    view.access_rule = (kind, roles)
    return view


def public(view: Callable) -> Callable:
    """Anyone may see this page, signed in or not."""
    return _mark(view, PUBLIC)


def signed_in(view: Callable) -> Callable:
    """Only a signed-in person; others are sent to sign in and brought back."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        return view(*args, **kwargs)

    return _mark(wrapped, SIGNED_IN)


def verified(view: Callable) -> Callable:
    """A signed-in person who has confirmed their email address; others are asked to confirm
    it first, on a page that brings them back here afterwards."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if not current_user.is_verified:
            if request.accept_mimetypes.best == "application/json":  # a script: say so there
                return jsonify(error="Confirm your email address before you do that. We can "
                                     "send a new link."), 403
            # No flash: the page says what to do, and it would only say it twice.
            return redirect(url_for("accounts.confirm_your_email",
                                    next=coming_back_to("") or None))
        return view(*args, **kwargs)

    return _mark(wrapped, VERIFIED)


def roles_required(*roles: Role) -> Callable[[Callable], Callable]:
    """A signed-in person whose role is one of `roles`; anyone else gets 403."""
    allowed = frozenset(roles)

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in allowed:
                abort(403)
            return view(*args, **kwargs)

        return _mark(wrapped, ROLES, allowed)

    return decorator


def may_use(endpoint: str) -> bool:
    """Whether the signed-in person passes the role check of the view at `endpoint`, so that a
    page offers its button only to those the route would let through."""
    kind, roles = current_app.view_functions[endpoint].access_rule
    if kind != ROLES:
        raise ValueError(f"{endpoint} has no role check to ask about")
    return current_user.is_authenticated and current_user.role in roles


staff_required = roles_required(*STAFF_ROLES)
admin_required = roles_required(Role.ADMIN)


def organisation_lead_required(view: Callable) -> Callable:
    """An admin, or the approved lead of the organisation named by the `slug` in the URL."""
    from app.organisations.services import is_lead_of_slug

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if not (current_user.is_admin or is_lead_of_slug(current_user, kwargs.get("slug", ""))):
            abort(403)
        return view(*args, **kwargs)

    return _mark(wrapped, ORGANISATION_LEAD, frozenset({Role.ADMIN}))
