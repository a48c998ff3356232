"""Structural tests: every route declares who may use it, and staff routes check the role.

These walk the URL map, so a new route without a rule fails here before it ships.
"""

import re

import pytest

from app.access import ORGANISATION_LEAD, PUBLIC, ROLES, SIGNED_IN, VERIFIED
from app.models import STAFF_ROLES, Role

# Blueprints whose every route is for staff or admins only, and the roles each may admit.
# Routes under /staff and /admin are held to the same rule whichever blueprint has them.
STAFF_BLUEPRINTS = {
    "admin": {Role.ADMIN},
    "organisations": {Role.ADMIN},  # plus the organisation's own leads
    "staff": set(STAFF_ROLES),  # any blueprint's routes under /staff (see below)
}


def routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        yield rule, app.view_functions[rule.endpoint]


def example_url(rule) -> str:
    """A URL for the rule with made-up values for its arguments."""
    return re.sub(r"<(?:(\w+):)?(\w+)>",
                  lambda m: "1" if m.group(1) == "int" else "example", rule.rule)


def test_every_route_declares_who_may_use_it(app):
    missing = [rule.endpoint for rule, view in routes(app) if not hasattr(view, "access_rule")]
    assert missing == [], f"routes without an access rule (use app.access): {missing}"


STAFF_URL_PREFIXES = ("/staff", "/admin")


def test_staff_and_admin_routes_check_the_role(app):
    problems = []
    for rule, view in routes(app):
        blueprint = rule.endpoint.split(".")[0]
        if rule.rule.startswith(STAFF_URL_PREFIXES):
            blueprint = "admin" if rule.rule.startswith("/admin") else "staff"
        if blueprint not in STAFF_BLUEPRINTS:
            continue
        kind, roles = view.access_rule
        if kind not in (ROLES, ORGANISATION_LEAD):
            problems.append(f"{rule.endpoint} is {kind}")
        elif not roles or not roles <= STAFF_BLUEPRINTS[blueprint] | set(STAFF_ROLES):
            problems.append(f"{rule.endpoint} admits {sorted(roles)}")
        elif roles & {Role.RESIDENT, Role.OFFICER, Role.MAYORS_OFFICE}:
            problems.append(f"{rule.endpoint} admits non-staff roles")
    assert problems == []


# Role-checked routes that are not staff routes, and the one non-staff role each admits.
NON_STAFF_ROLE_ROUTES = {"intake.import_pledges": Role.MAYORS_OFFICE,
                         "intake.confirm_pledges": Role.MAYORS_OFFICE,
                         "intake.pledges_imported": Role.MAYORS_OFFICE}


def test_role_routes_never_admit_residents_or_officers(app):
    for rule, view in routes(app):
        kind, roles = view.access_rule
        if kind != ROLES:
            continue
        assert not roles & {Role.RESIDENT, Role.OFFICER}, rule.endpoint
        non_staff = roles - set(STAFF_ROLES)
        assert non_staff <= {NON_STAFF_ROLE_ROUTES.get(rule.endpoint)}, rule.endpoint


def protected(app):
    return [(rule, view) for rule, view in routes(app) if view.access_rule[0] != PUBLIC]


def test_every_protected_route_sends_anonymous_visitors_to_sign_in(app, client, monkeypatch):
    # CSRF is off here only so that POST routes reach their access check: with it on, the
    # CSRF check would stop the request first and hide a missing role check.
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    checked = 0
    for rule, _view in protected(app):
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            response = client.open(example_url(rule), method=method)
            assert response.status_code == 302, (rule.endpoint, method, response.status_code)
            assert "/sign-in" in response.headers["Location"], rule.endpoint
            checked += 1
    assert checked > 10


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.OFFICER, Role.MAYORS_OFFICE])
def test_staff_routes_refuse_residents_and_officers(app, client, auth, make_user, role,
                                                    monkeypatch):
    make_user("person@example.org", role=role)
    auth.sign_in("person@example.org")
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)  # as above: reach the check
    refused = 0
    for rule, view in protected(app):
        kind, roles = view.access_rule
        if kind not in (ROLES, ORGANISATION_LEAD) or role in roles:
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            response = client.open(example_url(rule), method=method)
            assert response.status_code == 403, (rule.endpoint, method, response.status_code)
            assert "You do not have permission" in response.get_data(as_text=True)
            refused += 1
    assert refused >= 10


def test_signed_in_routes_let_any_signed_in_person_through(app, client, auth, make_user):
    make_user("person@example.org")
    auth.sign_in("person@example.org")
    for rule, view in protected(app):
        if view.access_rule[0] in (SIGNED_IN, VERIFIED) and "GET" in rule.methods \
                and not rule.arguments:
            response = client.get(rule.rule)
            # A page that asks to confirm an email address sends on someone who has.
            expected = 302 if rule.endpoint == "accounts.confirm_your_email" else 200
            assert response.status_code == expected, (rule.endpoint, response.status_code)


def test_every_audited_action_has_a_label_for_admins():
    """The audit log's filters show labels: a new action without one would show its code."""
    import ast
    from pathlib import Path

    from app import audit

    recorded = set()
    for path in Path(audit.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and node.func.attr == "record" and isinstance(node.func.value, ast.Name) \
                    and node.func.value.id == "audit":
                given = [k.value for k in node.keywords if k.arg == "action"]
                action = node.args[1] if len(node.args) > 1 else (given or [None])[0]
                assert action is not None, f"{path}:{node.lineno}: no action found"
                # A code chosen in the call ("a" if x else "b") is each of its choices; any
                # other expression (a variable, an f-string) cannot be checked, so is refused.
                choices = [action]
                while any(isinstance(c, ast.IfExp) for c in choices):
                    choices = [part for c in choices for part in
                               ([c.body, c.orelse] if isinstance(c, ast.IfExp) else [c])]
                for choice in choices:
                    assert isinstance(choice, ast.Constant), \
                        f"{path}:{node.lineno}: action not a literal"
                    recorded.add(choice.value)
    # The walk finds codes chosen in the call, not only plain ones.
    assert {"window.close_voting", "window.close_submissions", "cluster.unconfirm",
            "cluster.restore_idea", "membership.reject", "window.update"} <= recorded
    assert len(recorded) > 40
    assert recorded <= set(audit.ACTION_LABELS), sorted(recorded - set(audit.ACTION_LABELS))


def test_pages_offer_a_button_by_the_role_check_of_the_route_it_posts_to(app, make_user):
    from flask_login import login_user

    from app.access import may_use
    from app.extensions import db
    from app.models import User

    people = {role: make_user(role=role) for role in (Role.RESIDENT, Role.STAFF, Role.ADMIN)}
    for role, person in people.items():
        with app.test_request_context():
            login_user(db.session.get(User, person.id))
            assert may_use("triage.unmerge") == (role in STAFF_ROLES), role
    with app.test_request_context():
        assert may_use("triage.unmerge") is False  # nobody signed in
        with pytest.raises(ValueError, match="no role check"):
            may_use("intake.idea")
