"""A person registers, confirms their email, signs in and out, in a real browser."""

import re
from urllib.parse import urlsplit

from playwright.sync_api import expect

from tests.support.factories import PASSWORD


def test_register_verify_sign_in_and_sign_out(page, mailbox):
    page.goto("/")
    page.check_accessibility()
    page.get_by_role("link", name="Create an account").first.click()
    page.check_accessibility()

    # A mistake first: the error summary appears, what was typed stays.
    page.get_by_label("Email address").fill("rosa@example.org")
    page.get_by_label("Display name").fill("Rosa")
    page.get_by_label("Create a password").fill("short")
    page.get_by_role("button", name="Create account").click()
    expect(page.page).to_have_title(re.compile("^Error: Create an account"))
    summary = page.get_by_role("alert")
    expect(summary.get_by_text("Password must be 12 characters or more")).to_be_visible()
    assert page.get_by_label("Email address").input_value() == "rosa@example.org"
    page.check_accessibility()

    page.get_by_label("Create a password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    page.check_accessibility()

    link = mailbox.link(mailbox.last_to("rosa@example.org"), "/verify-email/")
    page.goto(urlsplit(link).path)
    expect(page.get_by_text("Your email address is confirmed")).to_be_visible()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.check_accessibility()

    page.get_by_label("Email address").fill("rosa@example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("You’re signed in as Rosa")).to_be_visible()
    expect(page.get_by_role("heading", name="Your account")).to_be_visible()
    page.check_accessibility()

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You’ve signed out")).to_be_visible()
    expect(page.get_by_role("link", name="Sign in").first).to_be_visible()
    page.check_accessibility()
