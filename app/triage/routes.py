"""Triage pages: similar ideas while typing (public), and the staff pages for duplicate
clusters, themes and opportunity types."""

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select

from app import bounded_id
from app.access import may_use, public, staff_required, verified
from app.extensions import db, limiter
from app.filters import plural
from app.forms_common import ButtonForm, flash_with_button
from app.models import (
    NOT_A_DATA_PROJECT,
    OPPORTUNITY_TYPES,
    ClusterMember,
    DuplicateCluster,
    Idea,
    IdeaStatus,
    IdeaWindow,
)
from app.rate_limits import because
from app.text import excerpt
from app.triage import bp, merging, services, themes
from app.triage.forms import TypesForm
from app.voting.services import own_ideas_barred, supported_ids


@bp.route("/windows/<int:window_id>/similar")
@limiter.limit("120 per minute", error_message=because("similar ideas"))
@public
def similar(window_id: int):
    window = db.session.get(IdeaWindow, window_id)
    if window is None or window.published_at is None:
        abort(404)
    title = request.args.get("title", "")[:200]
    text = request.args.get("text", "")[:2000]
    exclude = {request.args.get("exclude", type=int)} - {None}
    found = services.similar_ideas(title, text, window, exclude=exclude)
    supported = supported_ids(current_user, [s.id for s in found])
    own = own_ideas_barred(current_user, [s.id for s in found])
    # "can_support": the script shows a support button (anyone may still follow the link).
    # Staff never support, and an author barred from their own idea is told so, not offered
    # a button that can only be refused, as on the idea's page.
    may_support = (current_user.is_authenticated and current_user.is_verified
                   and not current_user.is_staff)
    return jsonify(ideas=[{
        "id": s.id, "title": s.title, "score": s.score, "past": s.past,
        "window": s.window_title, "supports": s.support_count, "supportable": s.supportable,
        "supported": s.id in supported, "own": s.id in own,
        "can_support": s.supportable and may_support and s.id not in own,
        "url": url_for("intake.idea", idea_id=s.id),
        "support_url": url_for("voting.support", idea_id=s.id),
        "unsupport_url": url_for("voting.unsupport", idea_id=s.id),
    } for s in found])


@bp.route("/ideas/<int:idea_id>/move-support", methods=["POST"])
@verified
def move_support(idea_id: int):
    duplicate = db.session.get(Idea, idea_id) or abort(404)
    if FlaskForm().validate_on_submit():
        try:
            canonical = merging.move_support(current_user, duplicate,
                                             into=bounded_id(request.form.get("into", type=int)))
        except merging.MergeError as error:
            flash(str(error), "warning")
        else:
            flash(f"Your support has moved to “{canonical.title}”.", "success")
            return redirect(url_for("intake.idea", idea_id=canonical.id))
    return redirect(url_for("intake.idea", idea_id=duplicate.id))


@bp.route("/how-triage-works")
@public
def how_triage_works():
    model = services.served_type_model()
    return render_template("triage/how_triage_works.html", model=model,
                           uses_embeddings=services.serves_embeddings(model))


# ---- Staff -----------------------------------------------------------------------------------

def window_or_404(window_id: int) -> IdeaWindow:
    return db.session.get(IdeaWindow, window_id) or abort(404)


@bp.route("/staff/windows/<int:window_id>/duplicates")
@staff_required
def clusters(window_id: int):
    window = window_or_404(window_id)
    groups = services.clusters_for(window)
    views = []
    for cluster in groups:
        ideas = [m.idea for m in cluster.members]
        stems = services.shared_words([services.idea_text(i) for i in ideas
                                       if not next(m for m in cluster.members
                                                   if m.idea_id == i.id).removed])
        choices = merging.member_choices(cluster)
        views.append((cluster, [(m, services.highlight(m.idea.title, stems),
                                 services.highlight(excerpt(m.idea.problem, 400), stems),
                                 services.unique_supporters(m.idea), choices[m.id])
                                for m in cluster.members]))
    run = services.latest_run(window)
    summary = services.run_summary(run, window) if run else None
    return render_template("triage/clusters.html", window=window, views=views, run=run,
                           summary=summary,
                           reconfirm=services.reconfirm_notes(summary) if summary else {},
                           posted_since=services.posted_since(run, window) if run else 0,
                           locked=merging.why_groups_locked(window), form=ButtonForm())


@bp.route("/staff/windows/<int:window_id>/duplicates/run", methods=["POST"])
@staff_required
def run_clusters(window_id: int):
    window = window_or_404(window_id)
    if ButtonForm().validate_on_submit():
        run = services.run_clustering(window, current_user)
        found = services.run_summary(run, window)
        themes = found.get("themes")
        kept = services.kept_decisions_message(found)
        flash(f"Checked {plural(found['ideas'], 'idea')}: "
              f"{plural(found['groups'], 'group')} of similar ideas"
              + (f" and {plural(themes, 'theme')}." if themes is not None
                 else ". The themes could not be found this time.")
              + (f" {kept}" if kept else ""), "success")
    then = "triage.window_themes" if request.form.get("then") == "themes" else "triage.clusters"
    return redirect(url_for(then, window_id=window.id))


def _cluster_or_404(cluster_id: int) -> DuplicateCluster:
    return db.session.get(DuplicateCluster, cluster_id) or abort(404)


def _back(cluster: DuplicateCluster):
    idea = cluster.members[0].idea
    return redirect(url_for("triage.clusters", window_id=idea.window_id) + f"#cluster-{cluster.id}")


@bp.route("/staff/duplicates/<int:cluster_id>/confirm", methods=["POST"])
@staff_required
def confirm_cluster(cluster_id: int):
    cluster = _cluster_or_404(cluster_id)
    if ButtonForm().validate_on_submit():
        confirmed = request.form.get("undo") != "1"
        try:
            merging.confirm_cluster(current_user, cluster, confirmed)
        except merging.MergeError as error:
            flash(str(error), "warning")
        else:
            flash("The group is confirmed." if confirmed
                  else "The group is no longer confirmed.", "success")
    return _back(cluster)


@bp.route("/staff/duplicate-members/<int:member_id>/remove", methods=["POST"])
@staff_required
def remove_member(member_id: int):
    member = db.session.get(ClusterMember, member_id) or abort(404)
    if ButtonForm().validate_on_submit():
        removed = request.form.get("undo") != "1"
        try:
            merging.set_member_removed(current_user, member, removed)
        except merging.MergeError as error:
            flash(str(error), "warning")
        else:
            flash(f"“{member.idea.title}” is {'out of' if removed else 'back in'} the group.",
                  "success")
    return _back(member.cluster)


def _group_and_way_back(idea: Idea, values) -> tuple[DuplicateCluster | None, str]:
    """The duplicate group a merge page came from (the ``cluster`` value, if the idea is in
    it), and where its Cancel and its result go back to: that group, or else the idea."""
    cluster = db.session.get(DuplicateCluster, bounded_id(values.get("cluster", type=int)) or 0)
    if cluster is not None and idea.id not in {m.idea_id for m in cluster.members}:
        cluster = None  # a group this idea is not in: go back to the idea instead
    back = (url_for("triage.clusters", window_id=idea.window_id) + f"#cluster-{cluster.id}"
            if cluster else url_for("triage.idea", idea_id=idea.id))
    return cluster, back


@bp.route("/staff/ideas/<int:idea_id>/merge", methods=["GET", "POST"])
@staff_required
def merge(idea_id: int):
    """A confirmation page (GET, from the duplicates page's "Merge" button), then the merge."""
    duplicate = db.session.get(Idea, idea_id) or abort(404)
    values = request.form if request.method == "POST" else request.args
    canonical = db.session.get(Idea, bounded_id(values.get("canonical", type=int)) or 0)
    cluster, back = _group_and_way_back(duplicate, values)
    try:
        if canonical is None:
            raise merging.MergeError("Choose the idea to merge into")
        merging.check_merge(duplicate, canonical)
    except merging.MergeError as error:
        flash(str(error), "warning")
        return redirect(back)
    form = ButtonForm()
    if form.validate_on_submit():
        try:
            told = merging.merge(current_user, duplicate, canonical)
        except merging.MergeError as error:
            flash(str(error), "warning")
        else:
            done = (f"“{duplicate.title}” is merged into “{canonical.title}”. "
                    + (f"{plural(told, 'person', 'people')} who follow or support it "
                       f"{'has' if told == 1 else 'have'} been told." if told
                       else "Nobody followed or supported it, so nobody was told."))
            if may_use("triage.unmerge"):
                # Undo is offered where the merge was made, not only on the duplicates page.
                flash_with_button(done, url_for("triage.unmerge", idea_id=duplicate.id),
                                  "Undo merge", {"cluster": cluster.id} if cluster else {},
                                  button_hidden=f": {duplicate.title}", method="get")
            else:
                flash(done, "success")
        return redirect(back)
    people = merging.people_to_tell(duplicate, current_user)
    return render_template("triage/merge.html", duplicate=duplicate, canonical=canonical,
                           cluster=cluster, back=back, form=form, people=len(people),
                           by_email=sum(1 for p in people if p.email_notifications and p.email))


@bp.route("/staff/ideas/<int:idea_id>/unmerge", methods=["GET", "POST"])
@staff_required
def unmerge(idea_id: int):
    """A confirmation page saying who will be told (GET, from an "Undo merge" button), then
    the undo, which tells them at once."""
    idea = db.session.get(Idea, idea_id) or abort(404)
    values = request.form if request.method == "POST" else request.args
    cluster, back = _group_and_way_back(idea, values)
    try:
        preview = merging.unmerge_preview(current_user, idea)
    except merging.MergeError as error:  # undone meanwhile, in another tab or by someone else
        flash(str(error), "warning")
        return redirect(back)
    form = ButtonForm()
    # Only the confirmation page's own button undoes: a post from an older page, whose Undo
    # went straight through, gets the confirmation page instead.
    if request.form.get("confirmed") == "1" and form.validate_on_submit():
        try:
            told = merging.unmerge(current_user, idea)
        except merging.MergeError as error:
            flash(str(error), "warning")
        else:
            who = ("follows or supports it, or was" if told == 1
                   else "follow or support it, or were")
            flash(f"“{idea.title}” is no longer merged. "
                  + (f"{plural(told, 'person', 'people')} who {who} told about the merge, "
                     f"{'has' if told == 1 else 'have'} been told it is undone." if told
                     else "Nobody followed or supported it, so nobody was told."), "success")
        return redirect(back)
    return render_template("triage/unmerge.html", idea=idea, preview=preview, cluster=cluster,
                           back=back, form=form)


@bp.route("/staff/windows/<int:window_id>/themes")
@staff_required
def window_themes(window_id: int):
    window = window_or_404(window_id)
    run, found = themes.for_window(window)
    return render_template("triage/themes.html", window=window, run=run, themes=found,
                           summary=services.run_summary(run, window) if run else None,
                           posted_since=services.posted_since(run, window) if run else 0,
                           form=ButtonForm())


@bp.route("/staff/ideas/<int:idea_id>", methods=["GET", "POST"])
@staff_required
def idea(idea_id: int):
    found = db.session.get(Idea, idea_id)
    if found is None or not found.is_public:
        abort(404)
    suggestion = services.suggestion_for(found)
    confirmed = services.confirmed_types(found)
    form = TypesForm(types=confirmed or suggestion.suggested)
    if form.validate_on_submit():
        if form.clear.data:
            services.confirm_types(current_user, found, [])
            flash("The confirmed types are removed. The idea’s public page shows no type until "
                  "someone confirms one again.", "success")
        elif set(form.types.data) == set(confirmed):
            flash("Nothing changed: these were already the confirmed types.", "success")
        else:
            services.confirm_types(current_user, found, form.types.data)
            flash("The opportunity types are saved and now show on the idea’s public page.",
                  "success")
        return redirect(url_for("triage.idea", idea_id=found.id))
    similar = services.similar_ideas(found.title, found.problem, found.window, exclude={found.id},
                                     prefer_supportable=False)  # staff compare raw scores
    shown = []
    if found.similar_when_posted:
        shown = list(db.session.scalars(select(Idea).where(Idea.id.in_(found.similar_when_posted))))
    return render_template("triage/idea.html", idea=found, suggestion=suggestion,
                           confirmed=confirmed, form=form, similar=similar, shown=shown,
                           labels={**OPPORTUNITY_TYPES, NOT_A_DATA_PROJECT: "Not a data project"},
                           unique_supporters=services.unique_supporters(found),
                           merged_into=found.merged_into if found.status == IdeaStatus.MERGED
                           else None, merged_ideas=merging.merged_into_it(found),
                           locked=merging.why_groups_locked(found.window),
                           can_undo=may_use("triage.unmerge"))
