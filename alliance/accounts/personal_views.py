"""Reset links made by a secretary, the person's data download, and closing an account.

The blueprint keeps its name, `account_security`, so every endpoint stays as it was.
"""

import json

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from alliance.accounts import personal_data, reset_links
from alliance.accounts.models import User
from alliance.accounts.personal_forms import CloseAccountForm, ResetPasswordForm
from alliance.communities.services import can_see_community
from alliance.extensions import db, limiter
from alliance.i18n import lazy_gettext as _l
from alliance.validators import mask_phone

bp = Blueprint("account_security", __name__)


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _private(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/people/<int:user_id>/reset-link")
@login_required
def create_reset_link(user_id: int):
    person = db.session.get(User, user_id)
    if person is None or person.community is None or person.closed_at is not None:
        abort(404)
    if not can_see_community(current_user, person.community):
        abort(404)
    if person.id == current_user.id:
        flash(_("请在“我的账号”里修改自己的密码。"), "info")
        return redirect(url_for("accounts.me"))
    if not reset_links.can_reset_password_of(current_user, person):
        abort(403)
    token = reset_links.create_reset_link(person, by=current_user)
    db.session.commit()
    link = url_for(".reset_password", token=token, _external=True)
    return _private(
        Response(
            render_template(
                "accounts/reset_link.html",
                person=person,
                phone_masked=mask_phone(person.phone),
                link=link,
                hours=int(reset_links.RESET_VALID_FOR.total_seconds() // 3600),
            )
        )
    )


INVALID_MESSAGES = {
    "unknown": (_l("这个重置密码链接无效。请检查链接是否完整，或请社区书记重新生成。"), 404),
    "used": (
        _l("这个重置密码链接已经用过或已被新的链接取代，不能再次使用。如需重置，请联系社区书记。"),
        410,
    ),
    "expired": (_l("这个重置密码链接已超过 24 小时，已经失效。请联系社区书记重新生成。"), 410),
}


def _invalid(reason: str):
    message, status = INVALID_MESSAGES[reason]
    page = render_template("accounts/reset_invalid.html", message=message)
    return _private(Response(page, status=status))


@bp.route("/reset/<token>", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def reset_password(token: str):
    try:
        reset = reset_links.find_reset(token)
    except reset_links.ResetLinkInvalid as exc:
        return _invalid(exc.reason)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            reset_links.use_reset_link(token, form.password.data)
        except reset_links.ResetLinkInvalid as exc:
            db.session.rollback()
            return _invalid(exc.reason)
        db.session.commit()
        logout_user()
        flash(_("新密码已设置，所有设备上的登录都已失效。请用新密码登录。"), "success")
        return redirect(url_for("accounts.login"))
    page = render_template(
        "accounts/reset_password.html", form=form, person_name=reset.user.display_name
    )
    return _private(Response(page))


@bp.get("/me/data")
@login_required
def my_data():
    data = personal_data.export_personal_data(current_user._get_current_object())
    body = json.dumps(data, ensure_ascii=False, indent=2)
    response = Response(body, mimetype="application/json")
    response.headers["Content-Disposition"] = "attachment; filename=alliance-my-data.json"
    return _private(response)


@bp.route("/me/close", methods=["GET", "POST"])
@login_required
@limiter.limit(_login_limit, methods=["POST"])
def close_account():
    form = CloseAccountForm()
    if form.validate_on_submit():
        try:
            personal_data.close_account(current_user._get_current_object(), form.password.data)
        except personal_data.WrongPassword:
            form.password.errors.append(_("当前密码不正确。"))
        else:
            db.session.commit()
            logout_user()
            flash(_("您的账号已注销，个人信息已删除。感谢您参与共富联盟。"), "success")
            return redirect(url_for("main.index"))
    return render_template("accounts/close.html", form=form)
