"""Supporting and following ideas, notifications, and how ranking works."""

from flask import (
    abort,
    flash,
    has_request_context,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_limiter.util import get_remote_address
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import bindparam, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import joinedload

from app.access import public, signed_in, staff_required, verified
from app.extensions import db, limiter
from app.intake.search import COUNT_CAP
from app.models import Idea, IdeaWindow
from app.pagination import paginate
from app.rate_limits import because
from app.security import local_path
from app.voting import bp, notifications, services
from app.voting.forms import EmailPreferenceForm
from app.voting.signals import abuse_signals


def per_person() -> str:
    """Rate-limit key: the signed-in person, or else the network address."""
    return f"user:{current_user.id}" if current_user.is_authenticated else get_remote_address()


def wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def back_to(idea_id: int):
    """Back to where the button was pressed (a local path only), at the idea's place."""
    target = local_path(request.form.get("next"), url_for("intake.idea", idea_id=idea_id))
    if "#" not in target:
        target += f"#idea-{idea_id}"
    return redirect(target)


# Built once: building it on every support took as long as running it
# (bench/voting_inprocess.py).
IDEA_AND_WINDOW = (select(Idea).options(joinedload(Idea.window))
                   .where(Idea.id == bindparam("idea_id")))


def public_idea_or_404(idea_id: int) -> Idea:
    idea = db.session.scalar(IDEA_AND_WINDOW, {"idea_id": idea_id})
    if idea is None or not idea.is_public:
        abort(404)
    return idea


def _change_support(idea_id: int, change):
    # CSRFProtect has already checked this POST's token before the view runs.
    idea = public_idea_or_404(idea_id)
    try:
        result = change(idea)
    except services.VotingError as error:
        if wants_json():
            return jsonify(error=str(error)), 409
        flash(str(error), "warning")
        return back_to(idea_id)
    if wants_json():
        return jsonify(result.as_json())
    if result.following:
        # Not a banner at the top: the page comes back scrolled to the idea, and its support
        # control says there that supporting followed it (templates/macros/voting.html).
        flash(str(idea_id), "supported")
    return back_to(idea_id)


@bp.route("/ideas/<int:idea_id>/support", methods=["POST"])
@limiter.limit("120 per minute", key_func=per_person,
               error_message=because("supporting"))
@verified
def support(idea_id: int):
    return _change_support(idea_id, lambda idea: services.add_support(
        current_user, idea, get_remote_address()))


@bp.route("/ideas/<int:idea_id>/unsupport", methods=["POST"])
@limiter.limit("120 per minute", key_func=per_person,
               error_message=because("supporting"))
@verified
def unsupport(idea_id: int):
    return _change_support(idea_id, lambda idea: services.withdraw_support(current_user, idea))


@bp.route("/ideas/<int:idea_id>/follow", methods=["POST"])
@signed_in
def follow(idea_id: int):
    idea = public_idea_or_404(idea_id)
    if not (idea.is_listed or current_user.is_staff or idea.author_id == current_user.id):
        abort(404)  # hidden and unapproved ideas are not there to follow
    if FlaskForm().validate_on_submit():
        services.follow(current_user, idea)
        flash("You’re following this idea. We’ll tell you when its status changes.", "success")
    return redirect(url_for("intake.idea", idea_id=idea.id))


@bp.route("/ideas/<int:idea_id>/unfollow", methods=["POST"])
@signed_in
def unfollow(idea_id: int):
    idea = public_idea_or_404(idea_id)
    if FlaskForm().validate_on_submit():
        services.unfollow(current_user, idea)
        flash("You’ve stopped following this idea.", "success")
    return redirect(url_for("intake.idea", idea_id=idea.id))


@bp.route("/notifications", methods=["GET", "POST"])
@signed_in
def notifications_page():
    form = EmailPreferenceForm(emails="yes" if current_user.email_notifications else "no")
    if form.validate_on_submit():
        notifications.set_email_preference(current_user, form.emails.data == "yes")
        flash("Your email settings have been saved.", "success")
        return redirect(url_for("voting.notifications_page"))
    page = paginate(notifications.notifications_query(current_user), per_page=25)
    unread = {n.id for n in page.items if n.read_at is None}
    following, following_total = notifications.followed_ideas(current_user)
    response = render_template("voting/notifications.html", page=page, unread=unread, form=form,
                               following=following, following_total=following_total)
    notifications.mark_all_read(current_user)
    return response


@bp.route("/how-ranking-works")
@public
def how_ranking_works():
    return render_template("voting/how_ranking_works.html", count_cap=COUNT_CAP)


@bp.route("/staff/windows/<int:window_id>/supports")
@staff_required
def support_signals(window_id: int):
    window = db.session.get(IdeaWindow, window_id) or abort(404)
    return render_template("voting/staff_signals.html", window=window,
                           signals=abuse_signals(window))


@bp.app_context_processor
def unread_notifications() -> dict:
    """The signed-in person's unread count, for the navigation."""
    if not has_request_context() or not current_user.is_authenticated:
        return {"unread_notifications": 0}  # emails are rendered outside requests too
    try:
        return {"unread_notifications": notifications.unread_count(current_user)}
    except SQLAlchemyError:  # an error page must still render when the database is down
        db.session.rollback()
        return {"unread_notifications": 0}
