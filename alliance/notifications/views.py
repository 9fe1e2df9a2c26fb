"""The inbox: /inbox lists a person's notifications, newest first."""

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from alliance.api_support import int_arg
from alliance.extensions import db
from alliance.notifications import services
from alliance.notifications.models import Notification

bp = Blueprint("notifications", __name__, url_prefix="/inbox")


@bp.get("/")
@login_required
def index():
    page = db.paginate(
        services.inbox_query(current_user.id), page=int_arg("page", 1), per_page=30, error_out=False
    )
    return render_template(
        "notifications/index.html", page=page, unread=services.unread_count(current_user.id)
    )


@bp.post("/<int:notification_id>/read")
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


@bp.post("/read-all")
@login_required
def read_all():
    services.mark_read(current_user.id)
    db.session.commit()
    return redirect(url_for("notifications.index"))
