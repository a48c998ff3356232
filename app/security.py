"""Security headers and the per-request Content Security Policy nonce."""

import secrets
from urllib.parse import urlsplit

from flask import Flask, Response, g, request, session


def local_path(target: str | None, default: str) -> str:
    """`target` if it is a path on this site (for redirects after a form), else `default`."""
    target = target or ""
    # Browsers read "/\\host" and "/<tab>/host" as "//host", another site: refuse them too.
    if target.startswith("/") and not target.startswith("//") and "\\" not in target \
            and not any(ord(character) < 32 for character in target):
        return target
    return default


def coming_back_to(default: str) -> str:
    """Where to bring a person back to after a detour (signing in, confirming their email
    address): this page after a GET. A form post cannot be repeated by a redirect, so after
    one, the page the form was on, if that was on this site; else `default`."""
    if request.method == "GET":
        return request.full_path if request.query_string else request.path
    referrer = urlsplit(request.referrer or "")
    same_site = referrer.netloc in ("", request.host)
    return local_path(referrer.path + (f"?{referrer.query}" if referrer.query else "")
                      if same_site else "", default)


def csp_nonce() -> str:
    """The nonce for this request's inline and module scripts."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(18)
    return g.csp_nonce


def content_security_policy(nonce: str) -> str:
    """Only our own origin, and scripts that carry this request's nonce."""
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            "style-src 'self'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def set_security_headers(response: Response) -> Response:
    """Add the headers every response carries."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", content_security_policy(csp_nonce()))
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault(
        "Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()"
    )
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    # Pages shown to a signed-in person must not be kept by shared caches or the back button.
    # (The session says who is signed in without another trip to the database.)
    if "_user_id" in session and not request.path.startswith("/static/"):
        headers["Cache-Control"] = "no-store"
    return response


def register(app: Flask) -> None:
    """Install the nonce for templates and the headers for responses."""
    app.after_request(set_security_headers)

    @app.context_processor
    def inject_nonce():
        return {"cspNonce": csp_nonce()}
