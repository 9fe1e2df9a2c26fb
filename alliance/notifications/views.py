"""The inbox (/inbox), one's channels (/me/notifications), the outbox and broadcasts
(/notifications/outbox, /notifications/broadcast) for the secretary."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select

from alliance.accounts.models import Role
from alliance.accounts.permissions import roles_required
from alliance.api_support import int_arg
from alliance.communities.models import Estate, Grid
from alliance.extensions import db
from alliance.formkit import rollback_and_report
from alliance.i18n import lazy_gettext as _l
from alliance.notifications import broadcasts, services
from alliance.notifications.forms import CreateBroadcastForm, PreferencesForm
from alliance.notifications.kinds import KINDS
from alliance.notifications.models import Broadcast, Notification, OutboxMessage, OutboxState
from alliance.validators import mask_phone

bp = Blueprint("notifications", __name__)


@bp.get("/inbox/")
@login_required
def index():
    page = db.paginate(
        services.inbox_query(current_user.id), page=int_arg("page", 1), per_page=30, error_out=False
    )
    return render_template(
        "notifications/index.html", page=page, unread=services.unread_count(current_user.id)
    )


@bp.post("/inbox/<int:notification_id>/read")
@login_required
def read(notification_id: int):
    note = db.session.get(Notification, notification_id)
    if note is None or note.user_id != current_user.id:
        abort(404)
    services.mark_read(current_user.id, notification_id)
    db.session.commit()
    target = (
        note.link if note.link.startswith("/") and not note.link.startswith(("//", "/\\")) else None
    )
    if request.form.get("open") and target:
        return redirect(target)
    return redirect(url_for("notifications.index"))


@bp.post("/inbox/read-all")
@login_required
def read_all():
    services.mark_read(current_user.id)
    db.session.commit()
    return redirect(url_for("notifications.index"))


@bp.route("/me/notifications", methods=["GET", "POST"])
@login_required
def preferences():
    form = PreferencesForm()
    if form.validate_on_submit():
        services.set_preferences(
            current_user.id,
            {
                name: (
                    bool(request.form.get(f"inbox-{name}")),
                    bool(request.form.get(f"sms-{name}")),
                )
                for name in KINDS
            },
        )
        db.session.commit()
        flash(_l("通知设置已保存。"), "success")
        return redirect(url_for("notifications.preferences"), 303)
    return render_template(
        "notifications/preferences.html",
        form=form,
        rows=services.preferences_of(current_user.id),
        has_phone=bool(current_user.phone),
    )


def _community_id() -> int:
    if current_user.community_id is None:
        abort(403)
    return current_user.community_id


@bp.get("/notifications/outbox")
@roles_required(Role.SECRETARY)
def outbox():
    community_id = _community_id()
    state = request.args.get("state") or ""
    kind = request.args.get("kind") or ""
    if state and state not in {s.value for s in OutboxState}:
        abort(400)
    if kind and kind not in KINDS:
        abort(400)
    stmt = select(OutboxMessage).where(OutboxMessage.community_id == community_id)
    if state:
        stmt = stmt.where(OutboxMessage.state == state)
    if kind:
        stmt = stmt.where(OutboxMessage.kind == kind)
    page = db.paginate(
        stmt.order_by(OutboxMessage.id.desc()),
        page=int_arg("page", 1),
        per_page=50,
        error_out=False,
    )
    counts = dict(
        db.session.execute(
            select(OutboxMessage.state, func.count())
            .where(OutboxMessage.community_id == community_id)
            .group_by(OutboxMessage.state)
        ).all()
    )
    recent = db.session.scalars(
        select(Broadcast)
        .where(Broadcast.community_id == community_id)
        .order_by(Broadcast.id.desc())
        .limit(10)
    ).all()
    progress = broadcasts.progress([b.id for b in recent])
    return render_template(
        "notifications/outbox.html",
        page=page,
        rows=[(m, mask_phone(m.address), _kind_label(m.kind)) for m in page.items],
        counts=[(s, s.label, counts.get(s.value, 0)) for s in OutboxState],
        state=state,
        kind=kind,
        kinds=sorted(((k.name, str(k.label)) for k in KINDS.values()), key=lambda p: p[0]),
        broadcasts=[
            dict(
                b=b,
                audience=str(broadcasts.AUDIENCES.get(b.audience, b.audience)),
                sent=progress.get(b.id, {}).get(OutboxState.SENT, 0),
                given_up=progress.get(b.id, {}).get(OutboxState.GIVEN_UP, 0),
            )
            for b in recent
        ],
    )


def _kind_label(name: str) -> str:
    kind = KINDS.get(name)
    return str(kind.label) if kind else name


@bp.route("/notifications/broadcast", methods=["GET", "POST"])
@roles_required(Role.SECRETARY)
def broadcast():
    community_id = _community_id()
    form = CreateBroadcastForm()
    form.offer(
        db.session.scalars(select(Estate).where(Estate.community_id == community_id)).all(),
        db.session.scalars(select(Grid).where(Grid.community_id == community_id)).all(),
    )
    status = 200
    if form.validate_on_submit():
        data = broadcasts.BroadcastInput(
            audience=form.audience.data,
            audience_id=form.target_id(),
            title=form.title.data,
            body=form.body.data or "",
            inbox=form.inbox.data,
            sms=form.sms.data,
            emergency=form.emergency.data,
        )
        try:
            sent = broadcasts.create_broadcast(current_user, data)
        except broadcasts.BroadcastError as exc:
            rollback_and_report(exc, form)
            status = exc.status
        else:
            db.session.commit()
            flash(_l("已排队发送给 %(n)d 人，进度见发送记录。", n=sent.recipients), "success")
            return redirect(url_for("notifications.outbox"), 303)
    elif request.method == "POST":
        status = 422
    return render_template("notifications/broadcast.html", form=form), status
