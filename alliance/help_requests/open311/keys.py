"""The Open311 keys a secretary issues for the community (HTML pages under /requests/keys)."""

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from alliance.accounts.models import Role
from alliance.accounts.permissions import roles_required
from alliance.api import tokens as api_tokens
from alliance.api.models import Open311Key
from alliance.extensions import db
from alliance.formkit import rollback_and_report
from alliance.help_requests.access import secretary_community
from alliance.help_requests.forms import (
    KeyForm,
)

bp = Blueprint("open311_keys", __name__, url_prefix="/requests")


@bp.route("/keys", methods=["GET", "POST"])
@roles_required(Role.SECRETARY)
def keys():
    community = secretary_community()
    form = KeyForm()
    raw = None
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                _key, raw = api_tokens.issue_key(community, current_user, form.name.data)
            except api_tokens.ApiTokenError as exc:
                rollback_and_report(exc, form)
                status = 400
            else:
                db.session.commit()
                form = KeyForm(formdata=None)
        else:
            status = 400
    rows = db.session.scalars(
        select(Open311Key)
        .where(Open311Key.community_id == community.id)
        .order_by(Open311Key.id.desc())
    ).all()
    response = render_template(
        "open311_keys/index.html", form=form, keys=rows, raw=raw, community=community
    )
    headers = {"Cache-Control": "no-store"} if raw else {}
    return response, status, headers


@bp.post("/keys/<int:key_id>/revoke")
@roles_required(Role.SECRETARY)
def key_revoke(key_id: int):
    key = db.session.get(Open311Key, key_id)
    if key is None or key.community_id != current_user.community_id:
        abort(404)
    api_tokens.revoke_key(key)
    db.session.commit()
    flash(_("密钥已停用。"), "success")
    return redirect(url_for("open311_keys.keys"))
