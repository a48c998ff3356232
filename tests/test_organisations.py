"""Organisations, asking to join, approval by admins and leads, and the roles that follow."""

from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, Membership, MembershipStatus, OrganisationKind, Role, User
from tests.support.forms import submit, text


def role_of(app, email):
    with app.app_context():
        return db.session.scalar(select(User.role).where(User.email == email))


def ask_to_join(client, organisation_id, job_title="Data analyst"):
    return submit(client, "/account/organisations/join",
                  {"organisation": organisation_id, "job_title": job_title,
                   "reason": "I run the housing data team"})


def test_admin_creates_an_organisation_and_it_is_audited(client, auth, make_user, app):
    make_user("admin@example.org", role=Role.ADMIN)
    auth.sign_in("admin@example.org")
    response = submit(client, "/admin/organisations/new",
                      {"name": "Northgate City Council", "kind": "council",
                       "website": "https://northgate.example.gov.uk"})
    assert "Northgate City Council has been added" in text(response)
    with app.app_context():
        event = db.session.scalar(select(AuditEvent))
        assert event.action == "organisation.create"
        assert event.after == {"name": "Northgate City Council", "kind": "council",
                               "website": "https://northgate.example.gov.uk"}


def test_organisation_form_errors_keep_what_was_typed(client, auth, make_user,
                                                      make_organisation):
    make_user("admin@example.org", role=Role.ADMIN)
    make_organisation("Northgate City Council")
    auth.sign_in("admin@example.org")
    page = text(submit(client, "/admin/organisations/new",
                       {"name": "Northgate City Council", "kind": "council",
                        "website": "not a url"}))
    assert "<title>Error: Add an organisation" in page
    assert "Enter a website address in the correct format" in page
    assert 'value="not a url"' in page
    page = text(submit(client, "/admin/organisations/new",
                       {"name": "Northgate City Council", "kind": "council"}))
    assert "An organisation with that name already exists" in page
    page = text(submit(client, "/admin/organisations/new",
                       {"name": " northgate  city council", "kind": "council"}))
    assert "An organisation with that name already exists" in page  # case and spaces


def test_officer_is_verified_by_an_admin(client, app, auth, make_user, make_organisation,
                                         mailbox):
    organisation = make_organisation("Northgate City Council")
    make_user("admin@example.org", role=Role.ADMIN, display_name="Ada")
    make_user("omar@example.org", display_name="Omar")
    auth.sign_in("omar@example.org")
    response = ask_to_join(client, organisation.id)
    assert "You’ve asked to join Northgate City Council" in text(response)
    assert "Waiting for approval" in text(client.get("/account"))
    # With no lead yet, the admins are told.
    assert "Omar" in mailbox.body(mailbox.last_to("admin@example.org"))
    assert role_of(app, "omar@example.org") == Role.RESIDENT

    auth.sign_out()
    auth.sign_in("admin@example.org")
    page = text(client.get("/admin/"))
    assert "Requests to join" in page and "Omar" in page
    with app.app_context():
        membership_id = db.session.scalar(select(Membership.id))
    response = submit(client, f"/admin/memberships/{membership_id}/decision",
                      {"approve": "Approve"}, page="/admin/")
    assert "You’ve approved Omar’s request to join Northgate City Council" in text(response)
    assert role_of(app, "omar@example.org") == Role.OFFICER
    assert "has been approved" in mailbox.body(mailbox.last_to("omar@example.org"))
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(
            AuditEvent.action == "membership.approve"))
        assert event.before["role"] == "resident" and event.after["role"] == "officer"


def test_joining_the_mayors_office_gives_the_mayors_office_role(client, app, auth, make_user,
                                                                make_organisation):
    office = make_organisation("Office of the Mayor", kind=OrganisationKind.MAYORS_OFFICE)
    make_user("admin@example.org", role=Role.ADMIN)
    make_user("maya@example.org")
    auth.sign_in("maya@example.org")
    ask_to_join(client, office.id, "Policy adviser")
    auth.sign_out()
    auth.sign_in("admin@example.org")
    with app.app_context():
        membership_id = db.session.scalar(select(Membership.id))
    submit(client, f"/admin/memberships/{membership_id}/decision", {"approve": "Approve"},
           page="/admin/")
    assert role_of(app, "maya@example.org") == Role.MAYORS_OFFICE


def test_a_lead_decides_for_their_own_organisation_only(client, app, auth, make_user,
                                                        make_organisation, make_membership,
                                                        mailbox):
    northgate = make_organisation("Northgate City Council")
    riverside = make_organisation("Riverside Borough Council")
    lead = make_user("lead@example.org", display_name="Lena Lead")
    make_membership(lead, northgate, status=MembershipStatus.APPROVED, is_lead=True)
    applicant = make_user("omar@example.org", display_name="Omar")
    to_northgate = make_membership(applicant, northgate)
    to_riverside = make_membership(applicant, riverside)

    auth.sign_in("lead@example.org")
    page = text(client.get(f"/organisations/{northgate.slug}/members"))
    assert "Omar" in page
    assert client.get(f"/organisations/{riverside.slug}/members").status_code == 403
    # A request for another organisation cannot be decided through this lead's page.
    response = submit(client, f"/organisations/{northgate.slug}/requests/{to_riverside.id}",
                      {"approve": "Approve"}, page=f"/organisations/{northgate.slug}/members",
                      follow_redirects=False)
    assert response.status_code == 404

    assert client.get(f"/organisations/{northgate.slug}/requests/{to_riverside.id}/turn-down"
                      ).status_code == 404

    turn_down = f"/organisations/{northgate.slug}/requests/{to_northgate.id}/turn-down"
    assert f'href="{turn_down}"' in page
    response = submit(client, turn_down, {"reason": "We have no Omar in the housing team."})
    assert "You’ve turned down Omar’s request to join Northgate" in text(response)
    assert "We have no Omar" in mailbox.body(mailbox.last_to("omar@example.org"))
    with app.app_context():
        assert db.session.get(Membership, to_northgate.id).status == MembershipStatus.REJECTED
        assert db.session.get(Membership, to_riverside.id).status == MembershipStatus.PENDING
    assert role_of(app, "omar@example.org") == Role.RESIDENT


def test_a_decided_request_cannot_be_decided_again(client, app, auth, make_user,
                                                   make_organisation, make_membership):
    make_user("admin@example.org", role=Role.ADMIN)
    membership = make_membership(make_user("omar@example.org"), make_organisation())
    auth.sign_in("admin@example.org")
    url = f"/admin/memberships/{membership.id}/decision"
    submit(client, url, {"approve": "Approve"}, page="/admin/")
    response = submit(client, url, {"reject": "Turn down"}, page="/admin/")
    assert "This request has already been decided" in text(response)
    assert role_of(app, "omar@example.org") == Role.OFFICER


def test_removing_the_last_membership_returns_an_officer_to_resident(
        client, app, auth, make_user, make_organisation, make_membership):
    make_user("admin@example.org", role=Role.ADMIN)
    organisation = make_organisation()
    membership = make_membership(make_user("omar@example.org"), organisation,
                                 status=MembershipStatus.APPROVED)
    assert role_of(app, "omar@example.org") == Role.OFFICER
    auth.sign_in("admin@example.org")
    page = f"/admin/organisations/{organisation.id}"
    submit(client, f"/admin/memberships/{membership.id}/lead", {}, page=page)
    with app.app_context():
        assert db.session.get(Membership, membership.id).is_lead
    submit(client, f"/admin/memberships/{membership.id}/remove", {})
    assert role_of(app, "omar@example.org") == Role.RESIDENT
    with app.app_context():
        actions = list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
    assert actions == ["membership.lead", "membership.remove"]


def a_request_to_join(make_user, make_organisation, make_membership):
    """Omar asking to join Northgate City Council, which Lena leads."""
    northgate = make_organisation("Northgate City Council")
    lead = make_user("lead@example.org", display_name="Lena Lead")
    make_membership(lead, northgate, status=MembershipStatus.APPROVED, is_lead=True)
    request = make_membership(make_user("omar@example.org", display_name="Omar"), northgate)
    return northgate, request


def test_turning_down_a_request_asks_for_a_reason_first(client, app, auth, make_user,
                                                        make_organisation, make_membership,
                                                        mailbox):
    northgate, request = a_request_to_join(make_user, make_organisation, make_membership)
    auth.sign_in("lead@example.org")
    mailbox.clear()
    members = f"/organisations/{northgate.slug}/members"
    url = f"/organisations/{northgate.slug}/requests/{request.id}/turn-down"

    page = text(client.get(url))
    assert "Turn down Omar’s request to join?" in page
    assert "Data analyst" in page and "omar@example.org" in page
    assert "Why are you turning down this request?" in page
    assert "Omar will read this in the email" in page
    assert ">Turn down request</button>" in page
    assert f'<a class="govuk-link" href="{members}">Cancel</a>' in page
    # Showing the page changed nothing, and nobody was told anything.
    with app.app_context():
        assert db.session.get(Membership, request.id).status == MembershipStatus.PENDING
        assert db.session.scalar(select(AuditEvent.id)) is None
    assert mailbox.messages == []

    page = text(submit(client, url, {"reason": "   "}))
    assert "<title>Error: Turn down Omar’s request" in page
    assert "There is a problem" in page
    assert page.count("Enter a reason for turning down the request") == 2  # summary and field
    page = text(submit(client, url, {"reason": "Not our team. " * 80}))
    assert "The reason must be 1,000 characters or fewer" in page
    assert "Not our team. Not our team." in page  # what was typed is kept
    with app.app_context():
        assert db.session.get(Membership, request.id).status == MembershipStatus.PENDING
    assert mailbox.messages == []

    response = submit(client, url, {"reason": "You work for Riverside, not Northgate."})
    page = text(response)
    assert response.request.path == members
    assert "You’ve turned down Omar’s request to join Northgate City Council. We’ve emailed " \
           "them your reason." in page
    with app.app_context():
        membership = db.session.get(Membership, request.id)
        assert membership.status == MembershipStatus.REJECTED
        assert membership.decline_reason == "You work for Riverside, not Northgate."
        event = db.session.scalar(select(AuditEvent).where(
            AuditEvent.action == "membership.reject"))
        assert event.after == {"status": "rejected", "role": "resident",
                               "reason": "You work for Riverside, not Northgate."}
    assert role_of(app, "omar@example.org") == Role.RESIDENT

    message = mailbox.last_to("omar@example.org")
    assert message["Subject"].startswith("Your request to join Northgate City Council")
    body = mailbox.body(message).replace("\r\n", "\n")
    assert "Your request to join Northgate City Council was not approved, so you cannot " \
           "submit ideas on its behalf." in body
    assert "The reason given:\n\nYou work for Riverside, not Northgate." in body
    assert "you can ask to join again from your account" in body


def test_the_audit_log_shows_why_a_request_was_turned_down(client, auth, make_user,
                                                           make_organisation, make_membership):
    make_user("admin@example.org", role=Role.ADMIN)
    _, request = a_request_to_join(make_user, make_organisation, make_membership)
    auth.sign_in("admin@example.org")
    submit(client, f"/admin/memberships/{request.id}/turn-down",
           {"reason": "Ask your lead to confirm your post first."})
    page = text(client.get("/admin/audit?action=membership.reject"))
    assert "1 entry" in page
    assert "Ask your lead to confirm your post first." in page


def test_turning_down_from_the_admin_dashboard_returns_there(client, app, auth, make_user,
                                                            make_organisation,
                                                            make_membership):
    make_user("admin@example.org", role=Role.ADMIN)
    _, request = a_request_to_join(make_user, make_organisation, make_membership)
    auth.sign_in("admin@example.org")
    url = f"/admin/memberships/{request.id}/turn-down?return_to=dashboard"
    dashboard = text(client.get("/admin/"))
    assert f'href="{url}"' in dashboard.replace("&amp;", "&")
    page = text(client.get(url))
    assert '<a class="govuk-link" href="/admin/">Cancel</a>' in page
    response = submit(client, url, {"reason": "Not a council officer."})
    assert response.request.path == "/admin/"
    assert "You’ve turned down Omar’s request" in text(response)


def test_a_turn_down_button_from_an_old_page_asks_first(client, app, auth, make_user,
                                                        make_organisation, make_membership,
                                                        mailbox):
    northgate, request = a_request_to_join(make_user, make_organisation, make_membership)
    auth.sign_in("lead@example.org")
    mailbox.clear()
    response = submit(client, f"/organisations/{northgate.slug}/requests/{request.id}",
                      {"reject": "Turn down"}, page=f"/organisations/{northgate.slug}/members")
    assert response.request.path.endswith(f"/requests/{request.id}/turn-down")
    assert "Turn down Omar’s request to join?" in text(response)
    with app.app_context():
        assert db.session.get(Membership, request.id).status == MembershipStatus.PENDING
    assert mailbox.messages == []


def test_a_decided_request_has_no_turn_down_page(client, auth, make_user, make_organisation,
                                                  make_membership):
    make_user("admin@example.org", role=Role.ADMIN)
    _, request = a_request_to_join(make_user, make_organisation, make_membership)
    auth.sign_in("admin@example.org")
    submit(client, f"/admin/memberships/{request.id}/decision", {"approve": "Approve"},
           page="/admin/")
    response = client.get(f"/admin/memberships/{request.id}/turn-down", follow_redirects=True)
    assert "This request has already been decided" in text(response)
    assert "Why are you turning down" not in text(response)


def test_a_request_has_no_removal_page(client, auth, make_user, make_organisation,
                                       make_membership):
    make_user("admin@example.org", role=Role.ADMIN)
    _, request = a_request_to_join(make_user, make_organisation, make_membership)
    auth.sign_in("admin@example.org")
    assert client.get(f"/admin/memberships/{request.id}/remove").status_code == 404
    submit(client, f"/admin/memberships/{request.id}/decision", {"approve": "Approve"},
           page="/admin/")
    assert client.get(f"/admin/memberships/{request.id}/remove").status_code == 200


def test_when_the_email_fails_the_request_is_still_turned_down(client, app, auth, make_user,
                                                               make_organisation,
                                                               make_membership, monkeypatch):
    from tests.support.smtp import free_port

    northgate, request = a_request_to_join(make_user, make_organisation, make_membership)
    auth.sign_in("lead@example.org")
    url = f"/organisations/{northgate.slug}/requests/{request.id}/turn-down"
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())
    page = text(submit(client, url, {"reason": "Not our team."}))
    assert "We could not email them just now: tell them yourself." in page
    with app.app_context():
        assert db.session.get(Membership, request.id).status == MembershipStatus.REJECTED


def test_asking_again_after_being_turned_down_starts_afresh(client, app, auth, make_user,
                                                            make_organisation,
                                                            make_membership):
    northgate, request = a_request_to_join(make_user, make_organisation, make_membership)
    auth.sign_in("lead@example.org")
    submit(client, f"/organisations/{northgate.slug}/requests/{request.id}/turn-down",
           {"reason": "Which team are you in?"})
    auth.sign_out()
    auth.sign_in("omar@example.org")
    data = client.get("/account/download-my-data").get_json()
    assert data["organisation_memberships"][0]["decline_reason"] == "Which team are you in?"
    ask_to_join(client, northgate.id, "Housing data analyst")
    with app.app_context():
        membership = db.session.get(Membership, request.id)
        assert membership.status == MembershipStatus.PENDING
        assert membership.decline_reason is None and membership.decided_at is None


def a_member_with_ideas(make_user, make_organisation, make_membership, make_window, make_idea):
    """Omar, a lead of Northgate City Council, with one idea and one draft on its behalf."""
    from app.models import IdeaStatus, Source

    northgate = make_organisation("Northgate City Council")
    omar = make_user("omar@example.org", display_name="Omar")
    membership = make_membership(omar, northgate, status=MembershipStatus.APPROVED,
                                 is_lead=True)
    window = make_window(stage="open")
    idea = make_idea(window, omar, source=Source.COUNCIL, organisation=northgate,
                     title="Map the empty homes")
    draft = make_idea(window, omar, source=Source.COUNCIL, organisation=northgate,
                      title="Share the gritting routes", status=IdeaStatus.DRAFT)
    return northgate, membership, idea, draft


def test_removing_a_member_says_what_it_means_before_doing_it(client, app, auth, make_user,
                                                              make_organisation,
                                                              make_membership, make_window,
                                                              make_idea):
    make_user("admin@example.org", role=Role.ADMIN)
    northgate, membership, idea, draft = a_member_with_ideas(
        make_user, make_organisation, make_membership, make_window, make_idea)
    auth.sign_in("admin@example.org")
    organisation_page = f"/admin/organisations/{northgate.id}"
    url = f"/admin/memberships/{membership.id}/remove"
    assert f'href="{url}"' in text(client.get(organisation_page))

    page = text(client.get(url))
    assert "Remove Omar from Northgate City Council?" in page
    assert "they can no longer submit ideas on Northgate City Council’s behalf, or publish " \
           "the 1 draft they started for it" in page
    assert "the 1 idea they have already submitted for it stays as it is, still shown as " \
           "from Northgate City Council" in page
    assert "they are no longer a lead" in page
    assert "their role changes from Council or public body officer to Resident" in page
    assert ">Remove from Northgate City Council</button>" in page
    assert f'<a class="govuk-link" href="{organisation_page}">Cancel</a>' in page
    # A GET never changes anything.
    with app.app_context():
        assert db.session.get(Membership, membership.id) is not None
        assert db.session.scalar(select(AuditEvent.id)) is None
    assert role_of(app, "omar@example.org") == Role.OFFICER

    response = submit(client, url, {})
    assert response.request.path == organisation_page
    assert "Omar has been removed from Northgate City Council." in text(response)
    assert role_of(app, "omar@example.org") == Role.RESIDENT
    with app.app_context():
        assert db.session.get(Membership, membership.id) is None
        event = db.session.scalar(select(AuditEvent).where(
            AuditEvent.action == "membership.remove"))
        assert event.summary == f"Removed user {membership.user_id} from Northgate City Council"
        assert event.before == {"status": "approved", "is_lead": True, "role": "officer"}
        assert event.after == {"role": "resident"}
    assert client.get(url).status_code == 404  # nothing left to remove

    # The idea already submitted stays, from Northgate; the draft cannot go out on its behalf.
    assert "Omar, Northgate City Council" in text(client.get(f"/ideas/{idea.id}"))
    auth.sign_out()
    auth.sign_in("omar@example.org")
    response = submit(client, f"/ideas/{draft.id}/publish", {}, page=f"/ideas/{draft.id}/check")
    assert "You no longer act for Northgate City Council, so this draft cannot be published " \
           "on its behalf." in text(response)
    with app.app_context():
        from app.models import Idea, IdeaStatus

        assert db.session.get(Idea, draft.id).status == IdeaStatus.DRAFT


def test_removing_one_of_two_memberships_keeps_the_officer_role(client, auth, make_user,
                                                                make_organisation,
                                                                make_membership):
    make_user("admin@example.org", role=Role.ADMIN)
    omar = make_user("omar@example.org", display_name="Omar")
    northgate = make_membership(omar, make_organisation("Northgate City Council"),
                                status=MembershipStatus.APPROVED)
    make_membership(omar, make_organisation("Riverside Borough Council"),
                    status=MembershipStatus.APPROVED)
    auth.sign_in("admin@example.org")
    page = text(client.get(f"/admin/memberships/{northgate.id}/remove"))
    assert "they have not submitted any ideas for it" in page
    assert "their role changes" not in page and "no longer a lead" not in page


def test_only_verified_people_can_ask_to_join(client, auth, make_user, make_organisation):
    make_organisation()
    make_user("new@example.org", verified=False)
    auth.sign_in("new@example.org")
    response = client.get("/account/organisations/join", follow_redirects=True)
    assert "You need to confirm your email address before you join an organisation." \
        in text(response)
    assert "Continue to join your organisation</a>" in text(response)


def test_asking_twice_is_refused_with_a_clear_message(client, auth, make_user,
                                                      make_organisation):
    organisation = make_organisation("Northgate City Council")
    make_user("omar@example.org")
    auth.sign_in("omar@example.org")
    ask_to_join(client, organisation.id)
    page = text(client.get("/account/organisations/join"))
    assert "There are no more organisations to join" in page
    page = text(ask_to_join(client, organisation.id))
    assert "Select the organisation you work for" in page


def test_admin_changes_roles_but_never_removes_the_last_admin(client, app, auth, make_user,
                                                              mailbox):
    admin = make_user("admin@example.org", role=Role.ADMIN)
    sam = make_user("sam@example.org", display_name="Sam")
    auth.sign_in("admin@example.org")
    response = submit(client, f"/admin/users/{sam.id}", {"role": "staff"})
    assert "Sam’s role is now: ODA staff. We have emailed them to say so." in text(response)
    assert role_of(app, "sam@example.org") == Role.STAFF
    email = mailbox.last_to("sam@example.org")
    assert email["Subject"].startswith("Your role is now: ODA staff")
    body = mailbox.body(email)
    assert "changed your role from Resident to ODA staff" in body and "audit log" in body
    page = text(submit(client, f"/admin/users/{sam.id}", {"role": "staff"}))
    assert "Nothing changed: Sam’s role was already ODA staff." in page
    page = text(submit(client, f"/admin/users/{admin.id}", {"role": "resident"}))
    assert "This is the only administrator" in page
    assert role_of(app, "admin@example.org") == Role.ADMIN
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.role"))
        assert (event.before, event.after) == ({"role": "resident"}, {"role": "staff"})
        assert event.actor_id == admin.id


def test_only_a_confirmed_email_address_can_be_given_a_staff_role(client, app, auth,
                                                                   make_user, mailbox):
    make_user("admin@example.org", role=Role.ADMIN)
    newcomer = make_user("new.staff@example.org", display_name="Nia", verified=False)
    auth.sign_in("admin@example.org")
    for role in ("staff", "admin"):
        page = text(submit(client, f"/admin/users/{newcomer.id}", {"role": role}))
        assert "There is a problem" in page
        assert "Nia has not confirmed their email address yet" in page
        assert role_of(app, "new.staff@example.org") == Role.RESIDENT
    assert not mailbox.to("new.staff@example.org")
    with app.app_context():
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.role")) \
            is None


def test_admin_lists_people_with_search_and_pagination(client, auth, make_user):
    make_user("admin@example.org", role=Role.ADMIN)
    for number in range(30):
        make_user(f"resident{number:02}@example.org", display_name=f"Resident {number:02}")
    auth.sign_in("admin@example.org")
    page = text(client.get("/admin/users"))
    assert "31 people" in page
    assert 'class="govuk-pagination"' in page
    assert "Resident 29" in page and "Resident 00" not in page
    page = text(client.get("/admin/users?page=2"))
    assert "Resident 00" in page
    response = client.get("/admin/users?page=7")  # every list treats a missing page alike
    assert response.headers["Location"] == "/admin/users?page=2"
    assert "There is no page 7. This is the last page, page 2." in text(
        client.get(response.headers["Location"]))
    page = text(client.get("/admin/users?q=resident07"))
    assert "1 person" in page and "Resident 07" in page
    page = text(client.get("/admin/users?role=admin"))
    assert "1 person" in page
    page = text(client.get("/admin/users?q=nobody-matches"))
    assert "No one matches your search" in page


def test_audit_log_is_listed_and_filtered_for_admins(client, auth, make_user, make_organisation):
    make_user("admin@example.org", role=Role.ADMIN, display_name="Ada")
    sam = make_user("sam@example.org")
    auth.sign_in("admin@example.org")
    submit(client, f"/admin/users/{sam.id}", {"role": "staff"})
    submit(client, "/admin/organisations/new", {"name": "Riverside", "kind": "council"})
    page = text(client.get("/admin/audit"))
    assert "2 entries" in page and "Ada" in page
    page = text(client.get("/admin/audit?action=user.role"))
    assert "1 entry" in page and "organisation.create</code>" not in page
    assert f"Account {sam.id}" in page  # the record in words, not its table name
    assert (f'<a class="govuk-link" href="/admin/users/{sam.id}">Account {sam.id}: '
            f'{sam.display_name}</a>') in page
    assert ">Role</dt>" in page and "resident → staff" in page


def test_audit_values_read_as_words():
    from app.filters import audit_key, audit_record, audit_value

    assert audit_key("submissions_open_at") == "Submissions open at"
    assert audit_record("idea_windows", "4") == "Idea window 4"
    assert audit_record("something_new", "1") == "Something new 1"
    assert [audit_value(v) for v in (None, "", True, False, ["resident", "council"], 3)] == [
        "–", "–", "Yes", "No", "resident, council", "3"]
    assert audit_value("2026-07-01T08:00:00+00:00") == "1 July 2026 at 9am"
    assert audit_value("2026-12-01T08:00:00") == "1 December 2026 at 8am"  # naive means UTC
    assert audit_value({"status": "shortlisted"}) == "Status: shortlisted"
