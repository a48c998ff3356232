"""Account pages: register, verify, sign in and out, passwords, email, your data."""

import json
from urllib.parse import urlsplit

from flask import Response, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from werkzeug.exceptions import HTTPException
from wtforms.fields.choices import SelectChoice

from app.access import public, signed_in, verified
from app.accounts import bp, services
from app.accounts.forms import (
    ChangeEmailForm,
    ChangeNameForm,
    ChangePasswordForm,
    DeleteAccountForm,
    ForgotPasswordForm,
    JoinOrganisationForm,
    RegisterForm,
    ResendVerificationForm,
    ResetPasswordForm,
    SignInForm,
    SignOutForm,
)
from app.accounts.tokens import TokenExpired, TokenInvalid
from app.email import EmailNotSent
from app.intake import kept
from app.models import utcnow
from app.organisations import services as organisation_services
from app.rate_limits import attempt, attempts, ceiling, per_account
from app.security import local_path

SIGN_IN_EMAIL = "sign_in_email"  # the address a just-confirmed person signs in with
EMAIL_FAILED = ("We could not send the email just now. Wait a few minutes, then try again. "
                "If it keeps happening, contact us.")


def start_session(user) -> None:
    """Sign a person in with a fresh session: nothing from before sign-in carries over but
    the seed of their fair shuffle and the answers kept when their last session timed out."""
    # The seed is a random token that only orders lists (app/intake/routes.py: visitor_seed),
    # grants nothing and is stored nowhere else. Keeping it means a list does not reshuffle
    # under someone who signed in from it, so the idea they meant to support stays in place.
    # The kept answers' token only finds words this browser sent (app/intake/kept.py):
    # signing in again is how a person whose session timed out gets back to them.
    visitor = session.get("visitor")
    carried = kept.carry_over()
    session.clear()
    if isinstance(visitor, str):
        session["visitor"] = visitor
    session.update(carried)
    login_user(user)
    session.permanent = True


def safe_next_url(default: str) -> str:
    """A local path to return to after signing in; anything else goes to `default`."""
    return local_path(request.args.get("next"), default)


def link_problem(problem: Exception, purpose: str):
    """The page for an emailed link that has expired or does not work."""
    return render_template("accounts/link_problem.html", purpose=purpose,
                           expired=isinstance(problem, TokenExpired)), 400


def remember_email_change(new_email: str) -> None:
    """Note in the session the address we sent a confirmation link to, for the account page.
    Nothing else holds it until the link is followed: the signed link carries the change."""
    until = utcnow() + current_app.config["EMAIL_VERIFICATION_MAX_AGE"]
    session["email_change"] = {"from": current_user.email, "to": new_email,
                               "until": until.timestamp()}


def pending_email_change() -> str | None:
    """The new address waiting to be confirmed, while its link works and the account still
    uses the address the change started from."""
    change = session.get("email_change") or {}
    if change.get("from") != current_user.email or utcnow().timestamp() >= change["until"]:
        return None
    return change["to"]


def show_field_error(form, error: services.AccountError) -> None:
    """Put a service's refusal on the form, beside its field when it names one."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)


@bp.route("/register", methods=["GET", "POST"])
@attempts("RATELIMIT_REGISTER")
@ceiling()
@public
def register():
    if current_user.is_authenticated:
        return redirect(url_for("accounts.account"))
    form = RegisterForm()
    if form.validate_on_submit():
        attempt()  # an account created or an email sent: what the limit protects
        try:
            services.register(form.email.data, form.display_name.data, form.password.data)
        except EmailNotSent:
            flash(EMAIL_FAILED, "warning")
        session["check_email_address"] = services.normalise_email(form.email.data)
        return redirect(url_for("accounts.check_email"))
    return render_template("accounts/register.html", form=form)


@bp.route("/register/check-your-email")
@public
def check_email():
    return render_template("accounts/check_email.html", email=session.get("check_email_address"))


@bp.route("/verify-email/<token>")
@public
def verify_email(token: str):
    try:
        user = services.verify_email(token)
    except (TokenExpired, TokenInvalid) as problem:
        return link_problem(problem, "confirm your email address")
    flash("Your email address is confirmed.", "success")
    back = safe_next_url("")  # what they were doing when they asked for the link
    if current_user.is_authenticated and current_user.id == user.id:
        return redirect(back or url_for("accounts.account"))
    # The sign-in form starts with their address: the link showed it is theirs. Kept in the
    # session, not the address, which would put it in logs and the browser's history.
    session[SIGN_IN_EMAIL] = user.email
    return redirect(url_for("accounts.sign_in", next=back or None))


@bp.route("/account/resend-verification", methods=["POST"])
@attempts("RATELIMIT_ACCOUNT_EMAILS", key_func=per_account, why="account emails")
@ceiling(why="account emails")
@signed_in
def resend_verification():
    back = local_path(request.form.get("next"), "")
    if ResendVerificationForm().validate_on_submit() and not current_user.is_verified:
        attempt()
        try:
            services.send_verification_email(current_user, back or None)
            flash(f"We’ve sent a new link to {current_user.email}.", "success")
        except EmailNotSent:
            flash(EMAIL_FAILED, "warning")
    if back:  # asked from the page that stands between them and what they were doing
        return redirect(url_for("accounts.confirm_your_email", next=back))
    return redirect(url_for("accounts.account"))


# What needs a confirmed address, and the link back to it, by the endpoint a path names
# ("support an idea": support links come back to the idea's page).
CONFIRM_FIRST_FOR = {
    "intake.choose_source": ("submit an idea", "Continue to submit your idea"),
    "intake.new_idea": ("submit an idea", "Continue to submit your idea"),
    "intake.idea": ("support an idea", "Continue to the idea"),
    "accounts.join_organisation": ("join an organisation", "Continue to join your organisation"),
}
CONFIRM_FIRST = ("submit or support ideas, or join an organisation",
                 "Continue to the page you were on")


def confirm_first_for(path: str) -> tuple[str, str]:
    """What a path on this site needs a confirmed address for, and words for a link back."""
    if not path:
        return CONFIRM_FIRST
    try:
        endpoint, _values = current_app.create_url_adapter(request).match(
            urlsplit(path).path, method="GET")
    except HTTPException:  # no such page, or a redirect to one
        return CONFIRM_FIRST
    return CONFIRM_FIRST_FOR.get(endpoint, CONFIRM_FIRST)


@bp.route("/account/confirm-your-email")
@signed_in
def confirm_your_email():
    """Asked to confirm an email address before doing something that needs it: how to, a new
    link that brings them back to it, and a link back to it once done."""
    back = safe_next_url("")
    if current_user.is_verified:
        return redirect(back or url_for("accounts.account"))
    needed_for, continue_text = confirm_first_for(back)
    return render_template("accounts/confirm_your_email.html", back=back,
                           needed_for=needed_for, continue_text=continue_text,
                           checked=request.args.get("checked") == "yes",
                           resend_form=ResendVerificationForm())


def home_for(user) -> str:
    """Where a person lands after signing in: staff at their work, everyone else their account."""
    return url_for("intake.staff_windows") if user.is_staff else url_for("accounts.account")


@bp.route("/sign-in", methods=["GET", "POST"])
@attempts("RATELIMIT_SIGN_IN")
@ceiling()
@public
def sign_in():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = SignInForm()
    suggested = session.pop(SIGN_IN_EMAIL, None)  # once: the next person may be someone else
    if not form.is_submitted() and isinstance(suggested, str):
        form.email.data = suggested
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            start_session(user)
            flash(f"You’re signed in as {user.display_name}.", "success")
            return redirect(safe_next_url(home_for(user)))
        attempt()  # a wrong password counts, against guessing; an empty field does not
        # One message for an unknown email and a wrong password: no account enumeration.
        # One message, not two: it is about the pair, so it sits on the first field.
        form.email.errors = [*form.email.errors, "Enter a correct email address and password"]
    return render_template("accounts/sign_in.html", form=form)


@bp.route("/sign-out", methods=["POST"])
@public
def sign_out():
    if SignOutForm().validate_on_submit():
        logout_user()
        kept.forget()  # on a shared computer, the next person must not find them
        session.clear()
        flash("You’ve signed out.", "success")
    return redirect(url_for("main.index"))


@bp.route("/forgot-password", methods=["GET", "POST"])
@attempts("RATELIMIT_PASSWORD_RESET")
@ceiling()
@public
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        attempt()  # an email sent
        try:
            services.start_password_reset(form.email.data)
        except EmailNotSent:
            flash(EMAIL_FAILED, "warning")
            return render_template("accounts/forgot_password.html", form=form)
        return render_template("accounts/reset_sent.html",
                               email=services.normalise_email(form.email.data))
    return render_template("accounts/forgot_password.html", form=form)


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@attempts("RATELIMIT_PASSWORD_RESET")
@ceiling()
@public
def reset_password(token: str):
    try:
        reset = services.find_reset_token(token)
    except (TokenExpired, TokenInvalid) as problem:
        attempt()  # a link that does not work: guessing, or a stale link sent again and again
        return link_problem(problem, "reset your password")
    form = ResetPasswordForm()
    form.person = reset.user  # a password made of their own email or name is refused
    if form.validate_on_submit():
        attempt()  # a password changed and an email sent; a refused password does not count
        try:
            services.reset_password(token, form.password.data)
        except (TokenExpired, TokenInvalid) as problem:
            return link_problem(problem, "reset your password")
        except EmailNotSent:
            pass  # the password is changed; only the confirmation email failed
        logout_user()
        carried = kept.carry_over()  # a forgotten password is one more step of the detour
        session.clear()
        session.update(carried)
        flash("Your password has been changed. Sign in with your new password.", "success")
        return redirect(url_for("accounts.sign_in"))
    return render_template("accounts/reset_password.html", form=form)


@bp.route("/account")
@signed_in
def account():
    memberships = organisation_services.memberships_of(current_user)
    return render_template("accounts/account.html", memberships=memberships,
                           resend_form=ResendVerificationForm(),
                           pending_email=pending_email_change())


# Changing the password and deleting the account share one allowance of wrong passwords.
PASSWORD_CHECK = "password-check"  # noqa: S105 - a rate-limit scope, not a password


@bp.route("/account/change-password", methods=["GET", "POST"])
@attempts("RATELIMIT_PASSWORD_CHECK", key_func=per_account, shared=PASSWORD_CHECK)
@ceiling()
@signed_in
def change_password():
    form = ChangePasswordForm()
    form.person = current_user
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current_password.data, form.password.data)
        except services.WrongPassword as error:
            attempt()  # guessing, from a session left signed in; a weak new password does not count
            show_field_error(form, error)
        except services.AccountError as error:
            show_field_error(form, error)
        except EmailNotSent:
            return _after_password_change()  # changed; only the confirmation email failed
        else:
            return _after_password_change()
    return render_template("accounts/change_password.html", form=form)


def _after_password_change():
    # The session version moved on; sign this browser back in so only the others are ended.
    start_session(current_user._get_current_object())
    flash("Your password has been changed. Other devices have been signed out.", "success")
    return redirect(url_for("accounts.account"))


@bp.route("/account/change-name", methods=["GET", "POST"])
@signed_in
def change_name():
    form = ChangeNameForm(display_name=current_user.display_name)
    if form.validate_on_submit():
        if services.change_display_name(current_user, form.display_name.data):
            flash("Your display name has been changed.", "success")
        else:
            flash(f"Nothing changed: your display name is still {current_user.display_name}.",
                  "info")
        return redirect(url_for("accounts.account"))
    return render_template("accounts/change_name.html", form=form)


@bp.route("/account/change-email", methods=["GET", "POST"])
@attempts("RATELIMIT_ACCOUNT_EMAILS", key_func=per_account, why="account emails")
@ceiling(why="account emails")
@signed_in
def change_email():
    form = ChangeEmailForm()
    if form.validate_on_submit():
        attempt()  # a password checked, and an email sent to the address typed
        try:
            new_email = services.request_email_change(
                current_user, form.email.data, form.password.data
            )
        except services.AccountError as error:
            show_field_error(form, error)
        except EmailNotSent:
            flash(EMAIL_FAILED, "warning")
        else:
            remember_email_change(new_email)
            return render_template("accounts/change_email_sent.html", email=new_email)
    return render_template("accounts/change_email.html", form=form)


@bp.route("/account/confirm-email/<token>")
@public
def confirm_email_change(token: str):
    try:
        services.confirm_email_change(token)
    except (TokenExpired, TokenInvalid) as problem:
        return link_problem(problem, "confirm your new email address")
    except services.AccountError as error:
        flash(error.message, "warning")
        return redirect(url_for("accounts.change_email"))
    except EmailNotSent:
        pass  # the change is made; only the note to the old address failed
    flash("Your email address has been changed.", "success")
    signed_in_now = current_user.is_authenticated
    return redirect(url_for("accounts.account" if signed_in_now else "accounts.sign_in"))


@bp.route("/account/download-my-data")
@signed_in
def download_data():
    data = services.personal_data.export_personal_data(current_user)
    return Response(
        json.dumps(data, indent=2, ensure_ascii=False),
        mimetype="application/json",
        headers={"Content-Disposition": 'attachment; filename="my-oda-ideas-data.json"'},
    )


@bp.route("/account/delete", methods=["GET", "POST"])
@attempts("RATELIMIT_PASSWORD_CHECK", key_func=per_account, shared=PASSWORD_CHECK)
@ceiling()
@signed_in
def delete_account():
    form = DeleteAccountForm()
    if form.validate_on_submit():
        try:
            services.delete_account(current_user, form.password.data)
        except services.CannotDelete as refused:
            show_deletion_problems(form, refused.problems)
        except EmailNotSent:
            return _after_deletion()  # the account is gone; only the goodbye email failed
        else:
            return _after_deletion()
    elif form.is_submitted():
        # The box was not ticked: check the rest anyway, so that every problem shows at once
        # and nobody fixes one only to be told of the next.
        show_deletion_problems(form, services.deletion_problems(
            current_user, form.password.data or None))
    return render_template("accounts/delete_account.html", form=form)


def show_deletion_problems(form, problems: list[services.AccountError]) -> None:
    """Put every reason the account was not deleted on the form."""
    for problem in problems:
        if isinstance(problem, services.WrongPassword):
            attempt()  # guessing; an unticked box or being the last admin does not count
        show_field_error(form, problem)


def _after_deletion():
    logout_user()
    kept.forget()
    session.clear()
    return redirect(url_for("accounts.account_deleted"))


@bp.route("/account/deleted")
@public
def account_deleted():
    return render_template("accounts/account_deleted.html")


@bp.route("/account/organisations/join", methods=["GET", "POST"])
@verified
def join_organisation():
    form = JoinOrganisationForm()
    form.organisation.choices = [SelectChoice(0, "Select an organisation")] + [
        SelectChoice(org.id, org.name)
        for org in organisation_services.joinable_organisations(current_user)
    ]
    if form.validate_on_submit():
        try:
            membership = organisation_services.request_membership(
                current_user, form.organisation.data, form.job_title.data, form.reason.data
            )
        except organisation_services.MembershipError as error:
            form.organisation.errors = [*form.organisation.errors, str(error)]
        else:
            flash(f"You’ve asked to join {membership.organisation.name}. We’ll email you when "
                  "an administrator or the organisation’s lead has decided.", "success")
            return redirect(url_for("accounts.account"))
    return render_template("accounts/join_organisation.html", form=form)
