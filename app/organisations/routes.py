"""Pages for organisation leads: the requests to join their organisation."""

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from app.access import organisation_lead_required
from app.extensions import db
from app.models import Membership
from app.organisations import bp, services
from app.organisations.forms import DecisionForm


@bp.route("/<slug>/members")
@organisation_lead_required
def members(slug: str):
    organisation = services.get_by_slug(slug) or abort(404)
    return render_template(
        "organisations/members.html",
        organisation=organisation,
        pending=services.pending_requests(organisation),
        approved=[m for m in organisation.memberships if m.is_approved],
        decision_form=DecisionForm(),
    )


@bp.route("/<slug>/requests/<int:membership_id>", methods=["POST"])
@organisation_lead_required
def decide(slug: str, membership_id: int):
    membership = db.session.get(Membership, membership_id)
    if membership is None or membership.organisation.slug != slug:
        abort(404)
    decide_from_form(membership)
    return redirect(url_for("organisations.members", slug=slug))


def decide_from_form(membership: Membership) -> None:
    """Approve or turn down a request from the button pressed, and say what happened."""
    form = DecisionForm()
    if not form.validate_on_submit():
        return
    try:
        services.decide_membership(current_user, membership, approve=form.approve.data)
    except services.MembershipError as error:
        flash(str(error), "warning")
    else:
        verb = "approved" if form.approve.data else "turned down"
        flash(f"You’ve {verb} {membership.user.display_name}’s request to join "
              f"{membership.organisation.name}.", "success")
