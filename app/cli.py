"""Command-line tools: `flask users ...`, `flask seed-demo` and `flask seed-bulk`."""

import logging
import time
from datetime import timedelta

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select

from app import audit
from app.accounts.passwords import hash_password, password_problem
from app.accounts.services import find_active_user_by_email, normalise_email
from app.demo.bulk import add_bulk_ideas
from app.demo.seed import seed_review, seed_triage, seed_windows_and_ideas
from app.extensions import db
from app.intake import kept
from app.models import (
    Area,
    IdeaWindow,
    Membership,
    MembershipStatus,
    Organisation,
    OrganisationKind,
    Role,
    User,
    utcnow,
)
from app.organisations.services import slugify, sync_role
from app.voting.notifications import requeue_stuck as requeue_stuck_emails
from app.voting.notifications import send_due
from app.voting.services import recount

users = AppGroup("users", help="Manage accounts from the command line.")


@users.command("create-admin")
@click.argument("email")
@click.option("--name", "display_name", default="Administrator", show_default=True,
              help="Display name for the new account.")
def create_admin(email: str, display_name: str) -> None:
    """Create an administrator account for EMAIL; asks for the password without echoing it."""
    email = normalise_email(email)
    if "@" not in email:
        raise click.ClickException("Enter an email address in the correct format, like "
                                   "name@example.com")
    if find_active_user_by_email(email) is not None:
        raise click.ClickException(
            f"An account already uses {email}. To make it an administrator, run: "
            f"flask users set-role {email} admin"
        )
    password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    problem = password_problem(password, email=email, display_name=display_name)
    if problem:
        raise click.ClickException(problem)
    user = User(email=email, display_name=display_name, password_hash=hash_password(password),
                role=Role.ADMIN, email_verified_at=utcnow())
    db.session.add(user)
    audit.record(None, "user.create_admin", user, "Created administrator user from the "
                 "command line", after={"role": Role.ADMIN.value})
    db.session.commit()
    click.echo(f"Created administrator {email}. Sign in at /sign-in.")


@users.command("set-role")
@click.argument("email")
@click.argument("role", type=click.Choice([Role.RESIDENT.value, Role.STAFF.value,
                                           Role.ADMIN.value]))
def set_role_command(email: str, role: str) -> None:
    """Give the account for EMAIL the role ROLE (resident, staff or admin)."""
    user = find_active_user_by_email(email)
    if user is None:
        raise click.ClickException(f"No account uses {normalise_email(email)}")
    before = user.role
    user.role = Role(role)
    sync_role(user)
    audit.record(None, "user.role", user, f"Changed user {user.id}'s role from {before.label} "
                 f"to {user.role.label} from the command line",
                 before={"role": before.value}, after={"role": user.role.value})
    db.session.commit()
    click.echo(f"{user.email} is now: {user.role.label}")


DEMO_ORGANISATIONS = [
    ("Northgate City Council", OrganisationKind.COUNCIL, "https://northgate.example.gov.uk"),
    ("Riverside Borough Council", OrganisationKind.COUNCIL, "https://riverside.example.gov.uk"),
    ("Northshire Fire and Rescue Service", OrganisationKind.PUBLIC_BODY, None),
    ("Office of the Mayor", OrganisationKind.MAYORS_OFFICE, None),
    ("Northgate University Data Lab", OrganisationKind.PARTNER, None),
]

# Development only: seed-demo refuses to run in production, and prints these every time.
DEMO_USERS = [
    ("resident@example.org", "Rosa Resident", Role.RESIDENT, "resident-demo-pass-4821", None),
    ("officer@example.org", "Omar Officer", Role.OFFICER, "officer-demo-pass-7315",
     "Northgate City Council"),
    ("mayor@example.org", "Maya Mayoral", Role.MAYORS_OFFICE, "mayor-demo-pass-2957",
     "Office of the Mayor"),
    ("staff@example.org", "Sam Staff", Role.STAFF, "staff-demo-pass-6143", None),
    ("admin@example.org", "Ada Admin", Role.ADMIN, "admin-demo-pass-3806", None),
]


@click.command("seed-demo")
@with_appcontext
def seed_demo() -> None:
    """Create demo organisations and one user per role (development only; safe to re-run)."""
    if current_app.config["ENV_NAME"] == "production":
        raise click.ClickException("seed-demo creates accounts with published passwords and "
                                   "refuses to run in production.")
    organisations = {}
    for name, kind, website in DEMO_ORGANISATIONS:
        organisation = db.session.scalar(select(Organisation).where(Organisation.name == name))
        if organisation is None:
            organisation = Organisation(name=name, slug=slugify(name), kind=kind, website=website)
            db.session.add(organisation)
        organisations[name] = organisation
    created = 0
    for email, name, role, password, organisation_name in DEMO_USERS:
        if find_active_user_by_email(email) is not None:
            continue
        user = User(email=email, display_name=name, password_hash=hash_password(password),
                    role=role, email_verified_at=utcnow())
        db.session.add(user)
        if organisation_name:
            db.session.add(Membership(
                user=user, organisation=organisations[organisation_name],
                status=MembershipStatus.APPROVED, is_lead=True,
                job_title="Data lead" if role == Role.OFFICER else "Policy adviser",
                decided_at=utcnow(),
            ))
        created += 1
    db.session.commit()
    mayor = find_active_user_by_email("mayor@example.org")
    ideas = seed_windows_and_ideas(mayor)
    staff = find_active_user_by_email("staff@example.org")
    # The demo's staff actions are in the audit log table; echoing each one to the console
    # would bury the sign-in details printed below.
    audit_log = logging.getLogger("app.audit")
    level = audit_log.level
    audit_log.setLevel(logging.WARNING)
    try:
        seed_triage(staff)
        seed_review(staff, find_active_user_by_email("admin@example.org"),
                    find_active_user_by_email("resident@example.org"))
    finally:
        audit_log.setLevel(level)
    click.echo("Demo data ready" + (f" ({created} accounts and {ideas} ideas created)."
                                    if created or ideas else " (already there; nothing changed)."))
    base = (current_app.config.get("PUBLIC_BASE_URL") or "http://127.0.0.1:5000").rstrip("/")
    click.echo(f"Development-only accounts (sign in at {base}/sign-in):")
    for email, _name, role, password, _organisation in DEMO_USERS:
        click.echo(f"  {role.label:<32} {email:<24} password: {password}")


@click.command("seed-bulk")
@click.option("--ideas", "count", type=click.IntRange(1, 1_000_000), default=10_000,
              show_default=True, help="How many ideas to generate.")
@click.option("--window", "window_id", type=int, default=None,
              help="Add them to this window (default: a new open window).")
@with_appcontext
def seed_bulk(count: int, window_id: int | None) -> None:
    """Fill a window with generated ideas, for benchmarks (development only)."""
    if current_app.config["ENV_NAME"] == "production":
        raise click.ClickException("seed-bulk refuses to run in production.")
    if window_id is None:
        window = bulk_window()
    else:
        window = db.session.get(IdeaWindow, window_id)
        if window is None:
            raise click.ClickException(f"There is no window {window_id}")
    with click.progressbar(length=count, label=f"Adding ideas to window {window.id}") as bar:
        add_bulk_ideas(window, count, progress=bar.update)
    click.echo(f"Added {count:,} ideas to window {window.id} ({window.title}).")


def bulk_window() -> IdeaWindow:
    """A new published window, open for ideas now, for generated ideas."""
    now = utcnow()
    window = IdeaWindow(title=f"Benchmark window {now:%Y-%m-%d %H:%M}", theme="Generated ideas",
                        description="Generated by `flask seed-bulk` for benchmarks.",
                        submissions_open_at=now - timedelta(days=30),
                        submissions_close_at=now + timedelta(days=30),
                        voting_open_at=now - timedelta(days=30),
                        voting_close_at=now + timedelta(days=60), published_at=now)
    window.areas = list(db.session.scalars(select(Area)))
    db.session.add(window)
    db.session.commit()
    return window


voting = AppGroup("voting", help="Supports and their counters.")


@voting.command("recount")
@click.option("--dry-run", is_flag=True, help="Report drift without fixing it.")
def recount_command(dry_run: bool) -> None:
    """Recompute every support count from the support rows and report any drift."""
    drifts = recount(fix=not dry_run)
    for drift in drifts:
        click.echo(f"{drift.kind} {drift.key}: stored {drift.stored}, counted {drift.actual}")
    verb = "found" if dry_run else "fixed"
    click.echo(f"{len(drifts)} counters {verb}." if drifts else "All counts are exact.")
    if drifts and dry_run:
        raise SystemExit(1)


notifications_cli = AppGroup("notifications", help="The queue of notification emails.")


@notifications_cli.command("send")
@click.option("--loop", is_flag=True, help="Keep sending, checking every --interval seconds.")
@click.option("--interval", default=30, show_default=True, type=click.IntRange(1, 3600))
@click.option("--batch", default=100, show_default=True, type=click.IntRange(1, 10000))
@click.option("--requeue-stuck", is_flag=True,
              help="Resend emails a crashed sender left half-sent (they may arrive twice).")
def send_notifications(loop: bool, interval: int, batch: int, requeue_stuck: bool) -> None:
    """Send queued notification emails, retrying failures; run from cron or as a worker."""
    if requeue_stuck:
        click.echo(f"Requeued {requeue_stuck_emails()} stuck emails.")
    while True:
        # Answers kept after a timed-out session last a day: this runs every minute anyway.
        if kept.purge_expired():
            db.session.commit()
        report = send_due(batch)
        click.echo(f"Sent {report.sent}, will retry {report.retrying}, gave up on "
                   f"{report.failed}." + (f" Dropped {report.dropped} no longer wanted (emails "
                                          "turned off or account deleted)."
                                          if report.dropped else ""))
        if report.stuck:
            click.echo(f"{len(report.stuck)} emails were being sent when a sender stopped and "
                       "may or may not have gone; not resent. Use --requeue-stuck to resend.")
        if not loop:
            break
        time.sleep(interval)


def register(app: Flask) -> None:
    """Add the commands to `flask`."""
    app.cli.add_command(users)
    app.cli.add_command(seed_demo)
    app.cli.add_command(seed_bulk)
    app.cli.add_command(voting)
    app.cli.add_command(notifications_cli)
    from app.triage.cli import triage

    app.cli.add_command(triage)
