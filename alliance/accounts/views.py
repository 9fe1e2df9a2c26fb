from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from alliance.accounts import services, sms_reset
from alliance.accounts.forms import (
    ChangePasswordForm,
    ForgotPasswordForm,
    LanguageForm,
    LoginForm,
    RegisterForm,
    SmsResetForm,
)
from alliance.accounts.models import Role
from alliance.communities.services import all_communities
from alliance.extensions import db, limiter
from alliance.formkit import choices, rollback_and_report
from alliance.inputs import safe_next
from alliance.preference_posts import preference_post
from alliance.stars import services as stars
from alliance.stars.forms import CardStarForm
from alliance.validators import mask_phone, normalize_phone

bp = Blueprint("accounts", __name__)


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _account_limit() -> str:
    return current_app.config["LOGIN_ACCOUNT_RATE_LIMIT"]


def _account_key() -> str:
    """Failures are counted per login name too, whether or not such an account exists."""
    identifier = (request.form.get("identifier") or "").strip()[:40]
    return "login-account:" + (normalize_phone(identifier) or identifier.lower())


def _unknown_name_failed(response) -> bool:
    # Known accounts are counted (and unlocked by a reset) in the database; names with no
    # account are counted here, to the same limit, so both end in the same locked page.
    return response.status_code != 302 and g.get("login_name_unknown", False)


def _locked_page(form=None):
    """The same answer for a locked account and for a name that was tried too often: it must
    not tell whether the account exists."""
    form = form or LoginForm()
    locked = _("登录失败次数过多，账号已暂时锁定，请 15 分钟后再试。")
    form.password.errors = [*form.password.errors, locked]
    return render_template("accounts/login.html", form=form), 429


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
@limiter.limit(
    _account_limit,
    key_func=_account_key,
    methods=["POST"],
    deduct_when=_unknown_name_failed,
    on_breach=lambda _limit: make_response(_locked_page()),
)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.identifier.data, form.password.data)
        except services.LockedOut:
            db.session.commit()
            return _locked_page(form)
        else:
            db.session.commit()
            if user is None:
                g.login_name_unknown = services.find_by_identifier(form.identifier.data) is None
                form.password.errors.append(_("手机号/用户名或密码不正确。"))
            else:
                login_user(user, remember=form.remember.data)
                session["locale"] = user.locale
                flash(_("欢迎回来，%(name)s！", name=user.display_name), "success")
                return redirect(safe_next(request.args.get("next")) or url_for("main.index"))
    return render_template("accounts/login.html", form=form)


@bp.route("/logout", methods=["GET", "POST"])
def logout():
    # GET (the WeChat menu's link) only asks: a link or an <img> must not sign anyone out.
    if request.method == "GET":
        if not current_user.is_authenticated:
            return redirect(url_for("main.index"))
        return render_template("accounts/logout.html")
    if current_user.is_authenticated:
        # The session and remember cookies carry the login token: a new one ends them on the
        # server, so a copied cookie stops working too (on every device of the person).
        services.end_sessions(current_user)
        db.session.commit()
    logout_user()
    flash(_("您已退出登录。"), "info")
    response = redirect(url_for("main.index"))
    # A shared phone: the service worker's copy of /me/card must not outlive the session.
    # Not "cookies": logout_user() already ended the session, other cookies stay.
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = RegisterForm()
    communities = all_communities()
    form.community_id.choices = choices([(0, _("请选择"))] + [(c.id, c.name) for c in communities])
    if form.validate_on_submit():
        community = next((c for c in communities if c.id == form.community_id.data), None)
        # A generated username must not reveal the phone number.
        username = form.username.data or services.unused_username()
        if community is None:
            form.community_id.errors.append(_("请选择所在社区。"))
        elif services.phone_taken(form.phone.data):
            form.phone.errors.append(_("这个手机号已经注册过了，请直接登录。"))
        elif services.username_taken(username):
            form.username.errors.append(_("这个用户名已被使用，请换一个。"))
        else:
            user = services.create_user(
                username=username,
                display_name=form.display_name.data.strip(),
                phone=form.phone.data,
                password=form.password.data,
                community=community,
                roles=(Role.RESIDENT,),
            )
            db.session.commit()
            login_user(user)
            flash(_("注册成功，欢迎加入%(name)s！", name=community.name), "success")
            return redirect(url_for("accounts.me", welcome=1))
    return render_template("accounts/register.html", form=form)


@bp.route("/me", methods=["GET", "POST"])
@login_required
def me():
    password_form = ChangePasswordForm(prefix="pw")
    if password_form.submit.data and password_form.validate_on_submit():
        if not current_user.check_password(password_form.current.data):
            password_form.current.errors.append(_("当前密码不正确。"))
        else:
            services.change_password(current_user, password_form.password.data)
            db.session.commit()
            # The session held the old token; sign in again with the new one.
            login_user(current_user, remember=False)
            flash(_("密码已修改，其他设备上的登录已失效。"), "success")
            return redirect(url_for("accounts.me"))
    language_form = LanguageForm(locale=current_user.locale)
    volunteering = stars.summary_for(current_user)
    return render_template(
        "accounts/me.html",
        volunteering=volunteering,
        star_form=CardStarForm(show=volunteering.show_on_card) if volunteering else None,
        password_form=password_form,
        language_form=language_form,
        phone_masked=mask_phone(current_user.phone),
        role_labels=[Role(r).label for r in sorted(current_user.roles)],
        # Just registered: what a new resident can do next.
        next_steps=request.args.get("welcome") == "1",
    )


@bp.post("/language")
@preference_post
def set_language():
    form = LanguageForm(meta={"csrf": False})
    if form.validate_on_submit():
        session["locale"] = form.locale.data
        if current_user.is_authenticated:
            current_user.locale = form.locale.data
            db.session.commit()
    return redirect(safe_next(request.form.get("next")) or url_for("main.index"))


# --- forgot password: a code by SMS ---------------------------------------------------------


def _forgot_limit() -> str:
    return current_app.config.get("SMS_RESET_RATE_LIMIT", "5/hour")


def _phone_key() -> str:
    return f"phone:{normalize_phone(request.form.get('phone', '')) or '-'}"


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(_forgot_limit, methods=["POST"])
def forgot_password():
    """A resident asks for a code by SMS to the phone on the account (limited per address here,
    per phone in the service)."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        sms_reset.send_code(form.phone.data)
        db.session.commit()
        flash(_("如果这个手机号注册过，验证码已经发出，10分钟内有效。"), "info")
        return redirect(url_for("accounts.sms_reset_password", phone=form.phone.data)), 303
    return render_template("accounts/forgot.html", form=form), 422 if form.errors else 200


@bp.route("/password/sms-reset", methods=["GET", "POST"])
@limiter.limit("10/hour", methods=["POST"])
@limiter.limit("5/15 minutes", key_func=_phone_key, methods=["POST"])
def sms_reset_password():
    """The code from the SMS and a new password: tries limited per address and per phone."""
    form = SmsResetForm()
    if request.method == "GET":
        form.phone.data = request.args.get("phone", "")[:20]
    elif form.validate_on_submit():
        try:
            sms_reset.reset_with_code(form.phone.data, form.code.data, form.password.data)
        except sms_reset.CodeRefused as exc:
            rollback_and_report(exc, form, field="code")
        else:
            db.session.commit()
            flash(_("密码已重设，请用新密码登录。"), "success")
            return redirect(url_for("accounts.login")), 303
    return render_template("accounts/sms_reset.html", form=form), 422 if form.errors else 200
