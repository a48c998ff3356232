"""The GOV.UK layout with the ODA's own header, error pages, and the security headers."""

import re

import pytest

from app import create_app
from config import TestConfig
from tests.support.forms import csrf_token, text


def test_layout_has_the_odas_header_navigation_banner_and_footer(client):
    page = text(client.get("/"))
    assert '<a href="#main-content" class="govuk-skip-link"' in page
    assert 'class="govuk-generic-header' in page and "Office of Data Analytics" in page
    assert 'class="govuk-service-navigation"' in page and "ODA Ideas" in page
    assert 'class="govuk-phase-banner' in page and "Beta" in page
    for link in ("/accessibility", "/privacy", "/cookies"):
        assert f'href="{link}"' in page
    # Not GOV.UK: no crown logo, no GDS Transport font, no Crown copyright.
    assert "govuk-logo" not in page
    assert "Crown copyright" not in page
    css = client.get(re.search(r'href="(/static/dist/app\.css[^"]*)"', page).group(1))
    assert css.status_code == 200
    assert "GDS Transport" not in css.get_data(as_text=True)


def test_service_name_and_oda_name_come_from_configuration(smtp_server, tmp_path):
    app = create_app(TestConfig, {"SERVICE_NAME": "Ideas for Greater Northshire",
                                  "ODA_NAME": "Northshire Office of Data Analytics",
                                  "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"})
    page = text(app.test_client().get("/accessibility"))
    assert "Ideas for Greater Northshire" in page
    assert "Northshire Office of Data Analytics" in page


@pytest.mark.parametrize("path", ["/", "/accessibility", "/privacy", "/cookies", "/sign-in",
                                  "/register", "/forgot-password"])
def test_public_pages_answer(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert "<h1" in text(response)


def test_every_script_carries_this_requests_nonce(client):
    response = client.get("/")
    policy = response.headers["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    scripts = re.findall(r"<script([^>]*)>", text(response))
    assert scripts
    for attributes in scripts:
        assert f'nonce="{nonce}"' in attributes
    assert nonce != re.search(r"'nonce-([^']+)'",
                              client.get("/").headers["Content-Security-Policy"]).group(1)
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy


def test_security_headers(client):
    headers = client.get("/").headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "Strict-Transport-Security" not in headers  # plain HTTP in this test
    secure = client.get("/", base_url="https://localhost").headers
    assert secure["Strict-Transport-Security"].startswith("max-age=")


def test_proxy_fix_trusts_the_configured_number_of_proxies(tmp_path, smtp_server):
    url = f"sqlite:///{tmp_path}/proxy.db"
    behind_proxy = create_app(TestConfig, {"PROXY_FIX_COUNT": 1, "SQLALCHEMY_DATABASE_URI": url})
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    response = behind_proxy.test_client().get("/cookies", headers=headers)
    assert "Strict-Transport-Security" in response.headers
    facing_users = create_app(TestConfig, {"SQLALCHEMY_DATABASE_URI": url})
    response = facing_users.test_client().get("/cookies", headers=headers)
    assert "Strict-Transport-Security" not in response.headers


def test_not_found_page(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    page = text(response)
    assert "<title>Page not found" in page
    assert 'class="govuk-heading-l">Page not found' in page


def test_forbidden_page(client, auth, make_user):
    make_user("rosa@example.org")
    auth.sign_in("rosa@example.org")
    response = client.get("/admin/")
    assert response.status_code == 403
    assert "You do not have permission to see this page" in text(response)


def test_server_error_page_is_styled_and_leaks_nothing(smtp_server, tmp_path):
    app = create_app(TestConfig, {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/e.db",
                                  "TESTING": False, "PROPAGATE_EXCEPTIONS": False})

    @app.route("/boom")
    def boom():
        raise RuntimeError("secret internals")

    boom.access_rule = ("public", frozenset())
    response = app.test_client().get("/boom")
    assert response.status_code == 500
    page = text(response)
    assert "Sorry, there is a problem with the service" in page
    assert "secret internals" not in page


def test_method_not_allowed_page(client):
    response = client.get("/sign-out")
    assert response.status_code == 405
    assert "This page cannot be used that way" in text(response)


def test_a_form_posted_without_its_csrf_token_is_refused_and_saves_nothing(client, app):
    client.get("/register")
    response = client.post("/register", data={"email": "a@example.org", "display_name": "A",
                                              "password": "lantern-orchard-velvet-9"},
                           headers={"Referer": "http://localhost/register"},
                           follow_redirects=True)
    assert "Your session timed out or the form was out of date" in text(response)
    from sqlalchemy import func, select

    from app.extensions import db
    from app.models import User

    with app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == 0


def test_a_form_sent_from_another_site_leaves_the_session_alone(client, app):
    """A cross-site post arrives without the session cookie: answering with a flash would
    set a new, empty session cookie in its place and sign the person out."""
    response = app.test_client().post(
        "/sign-out", data={}, headers={"Origin": "https://elsewhere.example"})
    assert response.status_code == 400
    assert "This form was not sent from ODA Ideas" in text(response)
    assert "Nothing was saved" in text(response)
    assert not response.headers.getlist("Set-Cookie")


def test_sign_out_needs_a_post_with_a_csrf_token(client, auth, make_user):
    make_user("rosa@example.org")
    auth.sign_in("rosa@example.org")
    client.post("/sign-out")  # no token: a cross-site form cannot sign people out
    assert client.get("/account").status_code == 200
    client.post("/sign-out", data={"csrf_token": csrf_token(client, "/account")})
    assert client.get("/account").status_code == 302


def test_health_check(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}



def test_messages_are_shown_as_banners_not_as_code(client, auth, make_user):
    make_user("rosa@example.org", display_name="<b>Rosa</b>", verified=False)
    page = text(auth.sign_in("rosa@example.org"))
    assert '<p class="govuk-notification-banner__heading">You’re signed in as &lt;b&gt;Rosa' in page
    assert "&lt;p class" not in page
    account = text(client.get("/account"))
    assert '<strong class="govuk-tag govuk-tag--yellow">Not confirmed</strong>' in account


@pytest.mark.parametrize("path", ["/ideas/99999999999999999999",
                                  "/windows/99999999999999999999",
                                  "/admin/users/99999999999999999999"])
def test_enormous_ids_are_not_found_not_errors(client, path):
    assert client.get(path).status_code == 404


def test_enormous_query_numbers_are_not_errors(client, make_window):
    window = make_window()
    for query in ("page=99999999999999999999", "area=99999999999999999999",
                  "page=" + "9" * 5000):
        assert client.get(f"/windows/{window.id}?{query}",
                          follow_redirects=True).status_code == 200
