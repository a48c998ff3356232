"""Pages for organisation leads: the requests to join their organisation."""

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from app.access import organisation_lead_required
from app.extensions import db
from app.models import Membership, MembershipStatus
from app.organisations import bp, services
from app.organisations.forms import DecisionForm, TurnDownForm


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


def _request_or_404(slug: str, membership_id: int) -> Membership:
    membership = db.session.get(Membership, membership_id)
    if membership is None or membership.organisation.slug != slug:
        abort(404)
    return membership


@bp.route("/<slug>/requests/<int:membership_id>", methods=["POST"])
@organisation_lead_required
def decide(slug: str, membership_id: int):
    membership = _request_or_404(slug, membership_id)
    if not approve_from_form(membership):
        return redirect(url_for("organisations.turn_down", slug=slug,
                                membership_id=membership.id))
    return redirect(url_for("organisations.members", slug=slug))


@bp.route("/<slug>/requests/<int:membership_id>/turn-down", methods=["GET", "POST"])
@organisation_lead_required
def turn_down(slug: str, membership_id: int):
    membership = _request_or_404(slug, membership_id)
    return turn_down_page(membership, url_for("organisations.members", slug=slug))


def approve_from_form(membership: Membership) -> bool:
    """Approve a request when its Approve button was pressed, and say what happened. False
    when another button was (a page from before turning down asked for a reason first)."""
    form = DecisionForm()
    if not form.approve.data:
        return False
    if form.validate_on_submit():
        try:
            services.approve_membership(current_user, membership)
        except services.MembershipError as error:
            flash(str(error), "warning")
        else:
            flash(f"You’ve approved {membership.user.display_name}’s request to join "
                  f"{membership.organisation.name}.", "success")
    return True


def turn_down_page(membership: Membership, back: str):
    """Ask why a request is turned down (the person is emailed the reason), then turn it down
    and go `back`. Showing the page changes nothing."""
    if membership.status != MembershipStatus.PENDING:
        flash(services.ALREADY_DECIDED, "warning")
        return redirect(back)
    form = TurnDownForm()
    if form.validate_on_submit():
        try:
            emailed = services.turn_down_membership(current_user, membership, form.reason.data)
        except services.MembershipError as error:
            flash(str(error), "warning")
        else:
            flash(f"You’ve turned down {membership.user.display_name}’s request to join "
                  f"{membership.organisation.name}. "
                  + ("We’ve emailed them your reason." if emailed else
                     "We could not email them just now: tell them yourself."), "success")
        return redirect(back)
    return render_template("organisations/turn_down.html", membership=membership, form=form,
                           back=back)
