"""Supporting, withdrawing, the limit, sort orders, following and the notification email, in
Chromium with JavaScript (in place) and the plain form (without it)."""

import re

from playwright.sync_api import expect

from tests.e2e.test_accessibility import sign_in
from tests.support.factories import PASSWORD


def test_support_in_place_up_to_the_limit_then_withdraw(page, make_user, make_window,
                                                        make_idea):
    window = make_window(stage="voting", support_limit=2)
    author = make_user()
    for n in range(3):
        make_idea(window, author, title=f"Bus idea number {n} for the city")
    make_user("rosa@example.org")
    sign_in(page, "rosa@example.org")
    page.goto(f"/windows/{window.id}?sort=newest")
    expect(page.get_by_text("You have 2 of 2 supports left in this window.")).to_be_visible()
    page.check_accessibility()
    url_before = page.url
    page.get_by_role("button", name=re.compile("Support this idea “Bus idea number 2")).click()
    region = page.locator("[data-supports-left]")
    # Screen readers hear all of it; the following part is shown once, by the idea.
    expect(region).to_have_text("You support “Bus idea number 2 for the city”. We’ll tell you "
                                "when its status changes. You have 1 of 2 supports left in "
                                "this window.")
    expect(region.locator(".govuk-visually-hidden")).to_have_text(
        " We’ll tell you when its status changes.")
    assert page.url == url_before  # no reload
    item = page.locator("#idea-" + page.locator(".app-idea-summary").first
                        .get_attribute("id").split("-")[1])
    expect(item.get_by_text("1 support, including yours")).to_be_visible()
    expect(item.get_by_text("You’re following this idea now")).to_be_visible()
    page.get_by_role("button", name=re.compile("Support this idea “Bus idea number 1")).click()
    expect(page.get_by_text("You have 0 of 2 supports left")).to_be_visible()
    page.allow_console("409 (CONFLICT)")  # the answer to a support over the limit
    page.get_by_role("button", name=re.compile("Support this idea “Bus idea number 0")).click()
    expect(page.get_by_text("You have used all 2 of your supports in this window").first) \
        .to_be_visible()
    page.check_accessibility()
    page.get_by_role("button", name=re.compile("Withdraw support “Bus idea number 2")).click()
    expect(page.get_by_text("You no longer support “Bus idea number 2 for the city”.")) \
        .to_be_visible()
    page.get_by_role("button", name=re.compile("Support this idea “Bus idea number 0")).click()
    expect(page.get_by_text("You have 0 of 2 supports left")).to_be_visible()
    page.reload()
    expect(page.get_by_text("You have 0 of 2 supports left in this window.")).to_be_visible()


def test_support_without_javascript_comes_back_to_the_same_place(browser, live_server,
                                                                 make_user, make_window,
                                                                 make_idea):
    window = make_window(stage="voting")
    author = make_user()
    for n in range(25):
        make_idea(window, author, title=f"Bus idea number {n:02} for the city")
    make_user("rosa@example.org")
    context = browser.new_context(base_url=live_server, java_script_enabled=False)
    page = context.new_page()
    page.goto("/sign-in")
    page.get_by_label("Email address").fill("rosa@example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"/windows/{window.id}?sort=newest&page=2")
    page.get_by_role("button", name=re.compile("Support this idea “Bus idea number 03")).click()
    assert "page=2" in page.url and page.url.endswith("#idea-4")
    expect(page.get_by_role("button", name=re.compile("Withdraw support “Bus idea number 03"))) \
        .to_be_visible()
    expect(page.locator("#idea-4").get_by_text("You’re following this idea now")).to_be_visible()
    context.close()


def test_sort_orders_and_the_ranking_page(page, app, make_user, make_window, make_idea):
    from datetime import timedelta

    from app.extensions import db
    from app.models import Support, utcnow

    window = make_window(stage="voting")
    author = make_user()
    ideas = [make_idea(window, author, title=f"Bus idea number {n} for the city",
                       published_days_ago=5 - n) for n in range(3)]
    # Idea 0: three supports five days old; idea 1: one support an hour old; idea 2: none.
    supporters = [make_user() for _ in range(4)]
    with app.app_context():
        for supporter, (hours, idea) in zip(supporters, [(120, ideas[0])] * 3 + [(1, ideas[1])],
                                            strict=True):
            db.session.add(Support(idea_id=idea.id, user_id=supporter.id, window_id=window.id,
                                   created_at=utcnow() - timedelta(hours=hours)))
        db.session.commit()
    page.goto(f"/windows/{window.id}")
    titles = page.locator(".app-idea-summary h3")
    shuffled = titles.all_inner_texts()
    assert sorted(shuffled) == [f"Bus idea number {n} for the city" for n in range(3)]
    for order, first in [("Newest", 2), ("Most supported", 0), ("Trending", 1)]:
        page.get_by_label("Order").select_option(label=order)
        page.get_by_role("button", name="Show ideas").click()
        expect(titles.first).to_have_text(f"Bus idea number {first} for the city")
    page.goto(f"/windows/{window.id}")  # the fair shuffle again: the same for this visitor
    assert titles.all_inner_texts() == shuffled
    page.get_by_role("main").get_by_role("link", name="How ranking works").click()
    expect(page.get_by_role("heading", name="Trending")).to_be_visible()
    page.check_accessibility()


def test_follow_and_get_the_email_when_the_status_changes(page, app, make_user, make_window,
                                                          make_idea, mailbox, runner):
    window = make_window(stage="voting")
    author = make_user("author@example.org")
    idea = make_idea(window, author, title="Light the canal towpath at night")
    make_user("fred@example.org", display_name="Fred")
    sign_in(page, "fred@example.org")
    page.goto(f"/ideas/{idea.id}")
    page.check_accessibility()
    page.get_by_role("button", name="Follow this idea").click()
    expect(page.get_by_text("You’re following this idea")).to_be_visible()

    with app.app_context():
        from app.extensions import db
        from app.intake.services import record_status
        from app.models import Idea, IdeaStatus

        record_status(db.session.get(Idea, idea.id), IdeaStatus.UNDER_REVIEW, None,
                      reason="Staff are checking the data.")
        db.session.commit()
    page.set_viewport_size({"width": 375, "height": 667})  # a phone: the links fold away
    page.goto("/account")
    menu = page.get_by_role("button", name="Menu (1 new)")
    expect(page.get_by_role("link", name="Notifications (1 new)")).to_be_hidden()
    menu.click()
    page.get_by_role("link", name="Notifications (1 new)").click()
    expect(page.get_by_text("“Light the canal towpath at night” is now: Under review.")) \
        .to_be_visible()
    page.check_accessibility()
    assert "Sent 1" in runner.invoke(args=["notifications", "send"]).output
    body = mailbox.body(mailbox.last_to("fred@example.org"))
    assert "Under review" in body and "Staff are checking the data." in body


def test_supporting_on_the_idea_page_follows_it_in_place(page, make_user, make_window,
                                                         make_idea):
    window = make_window(stage="voting")
    idea = make_idea(window, make_user(), title="Light the canal towpath at night")
    make_user("rosa@example.org")
    sign_in(page, "rosa@example.org")
    page.goto(f"/ideas/{idea.id}")
    expect(page.get_by_text("Supporting it follows it too.")).to_be_visible()
    page.get_by_role("button", name=re.compile("Support this idea")).click()
    expect(page.get_by_role("button", name="Stop following")).to_be_visible()
    expect(page.get_by_text("Supporting it follows it too.")).to_have_count(0)
    page.check_accessibility()
    page.get_by_role("link", name=re.compile("stop following it")).click()
    page.get_by_role("button", name="Stop following").click()
    expect(page.get_by_text("You’ve stopped following this idea.")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("Withdraw support"))).to_be_visible()


def test_signed_out_elsewhere_support_goes_to_sign_in_and_back_to_the_list(
        page, app, make_user, make_window, make_idea):
    from sqlalchemy import update

    from app.extensions import db
    from app.models import User

    window = make_window(stage="voting")
    make_idea(window, make_user(), title="Bus idea number 0 for the city")
    make_user("rosa@example.org")
    sign_in(page, "rosa@example.org")
    page.goto(f"/windows/{window.id}?sort=newest")
    with app.app_context():  # a password change on another device ends this session
        db.session.execute(update(User).where(User.email == "rosa@example.org")
                           .values(session_version=User.session_version + 1))
        db.session.commit()
    page.allow_console("401 (UNAUTHORIZED)")
    page.get_by_role("button", name=re.compile("Support this idea")).click()
    expect(page.get_by_text("Sign in, then try again.")).to_be_visible()
    page.get_by_label("Email address").fill("rosa@example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.page).to_have_url(re.compile(f"/windows/{window.id}\\?sort=newest"))
    expect(page.get_by_role("button", name=re.compile("Support this idea"))).to_be_visible()
