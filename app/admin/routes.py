"""Admin pages: people and roles, organisations and their members, the audit log."""

from datetime import UTC, date, datetime

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import false, func, select
from sqlalchemy.orm import selectinload

from app import audit, bounded_id
from app.access import admin_required
from app.admin import bp, services
from app.admin.forms import RoleForm
from app.csv_export import csv_response
from app.extensions import db
from app.forms_common import ButtonForm
from app.models import AuditEvent, Membership, Organisation, OrganisationKind, Role, User
from app.organisations import services as organisation_services
from app.organisations.forms import DecisionForm, OrganisationForm
from app.organisations.routes import approve_from_form, turn_down_page
from app.pagination import paginate


@bp.route("/")
@admin_required
def dashboard():
    counts = dict(db.session.execute(
        select(User.role, func.count(User.id)).where(User.deleted_at.is_(None)).group_by(User.role)
    ).all())
    return render_template(
        "admin/dashboard.html",
        role_counts=[(role, counts.get(role, 0)) for role in Role],
        pending=organisation_services.pending_requests(),
        organisation_count=db.session.scalar(select(func.count(Organisation.id))),
        decision_form=DecisionForm(),
    )


@bp.route("/users")
@admin_required
def users():
    search, role = request.args.get("q", ""), request.args.get("role", "")
    page = paginate(services.users_query(search, role))
    return render_template("admin/users.html", page=page, search=search, role=role,
                           roles=list(Role))


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@admin_required
def user(user_id: int):
    person = db.session.get(User, user_id)
    if person is None or not person.is_active:
        abort(404)
    form = RoleForm(role=Role.RESIDENT.value if person.role not in services.ASSIGNABLE_ROLES
                    else person.role.value)
    if form.validate_on_submit():
        try:
            emailed = services.set_role(current_user, person, Role(form.role.data))
        except services.RoleChangeError as error:
            form.role.errors = [*form.role.errors, str(error)]
        else:
            if emailed is None:
                flash(f"Nothing changed: {person.display_name}’s role was already "
                      f"{person.role.label}.", "success")
            else:
                flash(f"{person.display_name}’s role is now: {person.role.label}. "
                      + ("We have emailed them to say so." if emailed else
                         "We could not email them to say so: tell them yourself."), "success")
            return redirect(url_for("admin.user", user_id=person.id))
    return render_template("admin/user.html", person=person, form=form)


@bp.route("/organisations")
@admin_required
def organisations():
    return render_template("admin/organisations.html",
                           organisations=organisation_services.list_organisations())


@bp.route("/organisations/new", methods=["GET", "POST"])
@admin_required
def new_organisation():
    form = OrganisationForm()
    if form.validate_on_submit():
        try:
            organisation = organisation_services.create_organisation(
                current_user, form.name.data, OrganisationKind(form.kind.data), form.website.data
            )
        except organisation_services.OrganisationError as error:
            getattr(form, error.field).errors.append(error.message)
        else:
            flash(f"{organisation.name} has been added.", "success")
            return redirect(url_for("admin.organisation", organisation_id=organisation.id))
    return render_template("admin/organisation_form.html", form=form, organisation=None)


def _organisation_or_404(organisation_id: int) -> Organisation:
    return db.session.get(Organisation, organisation_id) or abort(404)


@bp.route("/organisations/<int:organisation_id>")
@admin_required
def organisation(organisation_id: int):
    org = _organisation_or_404(organisation_id)
    return render_template(
        "admin/organisation.html",
        organisation=org,
        pending=organisation_services.pending_requests(org),
        approved=[m for m in org.memberships if m.is_approved],
        decision_form=DecisionForm(),
        button_form=ButtonForm(),
    )


@bp.route("/organisations/<int:organisation_id>/edit", methods=["GET", "POST"])
@admin_required
def edit_organisation(organisation_id: int):
    org = _organisation_or_404(organisation_id)
    form = OrganisationForm(obj=org) if request.method == "GET" else OrganisationForm()
    if request.method == "GET":
        form.kind.data = org.kind.value
    if form.validate_on_submit():
        try:
            organisation_services.update_organisation(
                current_user, org, form.name.data, OrganisationKind(form.kind.data),
                form.website.data,
            )
        except organisation_services.OrganisationError as error:
            getattr(form, error.field).errors.append(error.message)
        else:
            flash("The organisation’s details have been saved.", "success")
            return redirect(url_for("admin.organisation", organisation_id=org.id))
    return render_template("admin/organisation_form.html", form=form, organisation=org)


def _membership_or_404(membership_id: int) -> Membership:
    return db.session.get(Membership, membership_id) or abort(404)


def _back_url(membership: Membership) -> str:
    """The page a membership action came from: the dashboard, or the organisation's page."""
    if request.values.get("return_to") == "dashboard":
        return url_for("admin.dashboard")
    return url_for("admin.organisation", organisation_id=membership.organisation_id)


def _back_to(membership: Membership):
    return redirect(_back_url(membership))


@bp.route("/memberships/<int:membership_id>/decision", methods=["POST"])
@admin_required
def decide_membership(membership_id: int):
    membership = _membership_or_404(membership_id)
    if not approve_from_form(membership):
        return redirect(url_for("admin.turn_down_membership", membership_id=membership.id,
                                return_to=request.form.get("return_to") or None))
    return _back_to(membership)


@bp.route("/memberships/<int:membership_id>/turn-down", methods=["GET", "POST"])
@admin_required
def turn_down_membership(membership_id: int):
    membership = _membership_or_404(membership_id)
    return turn_down_page(membership, _back_url(membership))


@bp.route("/memberships/<int:membership_id>/lead", methods=["POST"])
@admin_required
def toggle_lead(membership_id: int):
    membership = _membership_or_404(membership_id)
    if ButtonForm().validate_on_submit():
        try:
            organisation_services.set_lead(current_user, membership, not membership.is_lead)
        except organisation_services.MembershipError as error:
            flash(str(error), "warning")
        else:
            state = "now a lead" if membership.is_lead else "no longer a lead"
            flash(f"{membership.user.display_name} is {state} of "
                  f"{membership.organisation.name}.", "success")
    return _back_to(membership)


@bp.route("/memberships/<int:membership_id>/remove", methods=["GET", "POST"])
@admin_required
def remove_membership(membership_id: int):
    """A page saying what removing the member means for them (GET), then the removal."""
    membership = _membership_or_404(membership_id)
    if not membership.is_approved:
        abort(404)  # a request is turned down, not removed
    back = url_for("admin.organisation", organisation_id=membership.organisation_id)
    form = ButtonForm()
    if form.validate_on_submit():
        name, organisation = membership.user.display_name, membership.organisation.name
        organisation_services.remove_membership(current_user, membership)
        flash(f"{name} has been removed from {organisation}.", "success")
        return redirect(back)
    return render_template("admin/remove_membership.html", membership=membership, form=form,
                           back=back,
                           effects=organisation_services.removal_effects(membership))


def parse_day(text: str) -> date | None:
    """A date typed as 22/11/2026 (or 22-11-2026, or 2026-11-22), or None."""
    for pattern in ("%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def audit_filters() -> tuple[services.AuditFilters, dict[str, str]]:
    """The audit filters in the query string, and an error for each date that is not one."""
    errors = {}
    days = {}
    for name, label in (("date_from", "From"), ("date_to", "To")):
        days[name] = None
        text = request.args.get(name, "").strip()
        if text:
            days[name] = parse_day(text)
            if days[name] is None:
                errors[name] = f"“{label}” must be a real date, like 22/11/2026"
    if days["date_from"] and days["date_to"] and days["date_to"] < days["date_from"]:
        errors["date_to"] = "“To” must be the same as or after “From”"
    filters = services.AuditFilters(
        action=request.args.get("action", ""), target_type=request.args.get("target_type", ""),
        actor_id=bounded_id(request.args.get("actor", type=int)), **days)
    return filters, errors


@bp.route("/audit")
@admin_required
def audit_log():
    filters, errors = audit_filters()
    # With a date that is wrong, show the error and no entries, not "No entries match".
    # Who did each thing is loaded with the page, in one query, not one per entry.
    query = services.audit_query(filters).options(selectinload(AuditEvent.actor))
    page = paginate(query.where(false()) if errors else query, per_page=50)
    target_types = list(db.session.scalars(
        select(AuditEvent.target_type).distinct().order_by(AuditEvent.target_type)
    ))
    return render_template("admin/audit.html", page=page, filters=filters, errors=errors,
                           record_names=audit.record_names(page.items),
                           action_label=audit.action_label, record_label=audit.record_label,
                           actions=sorted(services.audit_actions(), key=audit.action_label),
                           target_types=sorted(target_types, key=audit.record_label),
                           actors=services.audit_actors(), page_has_errors=bool(errors),
                           error_items=[(f"#{name}", message) for name, message in errors.items()],
                           args={k: v for k, v in request.args.items() if k != "page" and v})


@bp.route("/audit.csv")
@admin_required
def audit_csv():
    filters, errors = audit_filters()
    if errors:
        abort(400)
    audit.record(current_user, "audit.export", current_user, "Downloaded the audit log as CSV",
                 after={k: v for k, v in request.args.items() if v})
    db.session.commit()
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    return csv_response(f"audit-log-{stamp}.csv", services.AUDIT_CSV_HEADER,
                        services.audit_rows(filters))
