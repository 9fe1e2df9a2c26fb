"""Cards on the web: the holder's card, verification at the counter, redemption, reports, admin."""

import json
from pathlib import Path

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from alliance import clock
from alliance.accounts.models import Role
from alliance.accounts.permissions import roles_required
from alliance.api import tokens as api_tokens
from alliance.api.models import ApiToken
from alliance.assets import shell_urls
from alliance.cards import codes, services
from alliance.cards.forms import CardStatusForm, IssueCardForm, TokenForm
from alliance.cards.models import Card, CardStatus, Redemption
from alliance.communities.models import Community, Estate
from alliance.communities.services import (
    can_administer,
    in_scope_or_404,
    scoped,
    visible_community_ids,
)
from alliance.counter import reports
from alliance.dashboard.people import find_person
from alliance.downloads import csv_response, yuan
from alliance.emergency.roster import card_party_identity
from alliance.extensions import db
from alliance.formkit import rollback_and_report
from alliance.inputs import ids_from, parse_id
from alliance.merchants import staff as merchant_staff
from alliance.stars import services as stars
from alliance.validators import mask_name
from alliance.volunteers.models import VolunteerProfile

bp = Blueprint("cards", __name__)

ADMINS = (Role.SECRETARY, Role.STREET_OFFICER)
PAGE_SIZE = 50
SHEET_SIZE = 10  # cards per A4 sheet (2 × 5)


def site_root() -> str:
    return (current_app.config.get("SITE_URL") or request.url_root).rstrip("/")


def card_url(code: str) -> str:
    """The only thing a QR code carries: <site>/c/<code>."""
    return f"{site_root()}/c/{code}"


# --- the holder --------------------------------------------------------------------------


def _own_card_or_404(card_id: int) -> Card:
    card = db.session.get(Card, card_id)
    if card is None or card.holder_id != current_user.id:
        abort(404)
    return card


@bp.get("/me/card")
@login_required
def mine():
    cards = list(
        db.session.scalars(
            select(Card)
            .where(
                Card.holder_id == current_user.id,
                Card.status.in_((CardStatus.ACTIVE, CardStatus.SUSPENDED)),
            )
            .order_by(Card.kind.desc(), Card.id.desc())
        )
    )
    today = clock.local_today()
    shown = [
        {
            "card": c,
            "url": card_url(c.code),
            "svg": codes.qr_svg(card_url(c.code)),
            "current": c.is_current(today),
        }
        for c in cards
    ]
    response = Response(
        render_template(
            "cards/mine.html",
            cards=shown,
            holder_masked=mask_name(current_user.display_name),
            star=stars.card_standing(current_user.id) if cards else None,
            party=card_party_identity(current_user.id) if cards else None,
        )
    )
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.get("/me/card/<int:card_id>/qr.png")
@login_required
def qr_png(card_id: int):
    card = _own_card_or_404(card_id)
    response = Response(codes.qr_png(card_url(card.code)), mimetype="image/png")
    response.headers["Content-Disposition"] = f'attachment; filename="card-{card.number}.png"'
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


@bp.get("/me/card/<int:card_id>/rotating.json")
@login_required
def rotating(card_id: int):
    card = _own_card_or_404(card_id)
    if not card.is_current(clock.local_today()):
        abort(404)
    step = codes.current_step()
    code = codes.rotating_code(card.rotating_id, card.totp_secret, step)
    url = card_url(code)
    remaining = codes.STEP_SECONDS - int(codes.time.time()) % codes.STEP_SECONDS
    response = jsonify(
        {
            "code": code,
            "url": url,
            "qr": codes.qr_svg_data_uri(url),
            "expires_in": remaining,
            "step_seconds": codes.STEP_SECONDS,
        }
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/me/card/history")
@login_required
def history():
    rows, count, saved = services.holder_history(current_user)
    return render_template(
        "cards/history.html", rows=rows, count=count, saved=saved, local_date=clock.local_date
    )


@bp.get("/sw.js")
def service_worker():
    path = Path(current_app.static_folder) / "sw.js"
    assets = json.dumps(shell_urls(current_app))
    source = path.read_text(encoding="utf-8").replace("[/* assets */]", assets)
    response = Response(source, mimetype="application/javascript")
    response.headers["Service-Worker-Allowed"] = "/"
    response.headers["Cache-Control"] = "no-cache"
    return response


# --- at the counter ----------------------------------------------------------------------


# --- the merchant's records --------------------------------------------------------------


@bp.route("/cards/tokens", methods=["GET", "POST"])
@roles_required(Role.MERCHANT_STAFF)
def tokens():
    merchants = [m for m in merchant_staff.merchants_of(current_user) if m.is_active]
    form = TokenForm(merchants=merchants)
    raw = None
    if form.validate_on_submit():
        merchant = next(m for m in merchants if m.id == form.merchant_id.data)
        try:
            _token, raw = api_tokens.create_token(current_user, merchant, form.name.data)
        except api_tokens.ApiTokenError as exc:
            form.name.errors = [str(exc.message)]
        else:
            db.session.commit()
    return render_template(
        "cards/tokens.html",
        form=form,
        raw=raw,
        tokens=api_tokens.tokens_of(current_user),
        has_merchant=bool(merchants),
    )


@bp.post("/cards/tokens/<int:token_id>/revoke")
@roles_required(Role.MERCHANT_STAFF)
def revoke_token(token_id: int):
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != current_user.id:
        abort(404)
    api_tokens.revoke_token(token)
    db.session.commit()
    flash(_("密钥已停用。"), "success")
    return redirect(url_for("cards.tokens"))


# --- the secretary -----------------------------------------------------------------------


def _admin_card_or_404(card_id: int) -> Card:
    card = in_scope_or_404(current_user, Card, card_id)
    if not can_administer(current_user, db.session.get(Community, card.community_id)):
        abort(404)
    return card


@bp.get("/cards/")
@roles_required(*ADMINS)
def index():
    q = (request.args.get("q") or "").strip()[:24]
    stmt = (
        scoped(select(Card), Card.community_id, current_user)
        .options(joinedload(Card.holder))
        .order_by(Card.id.desc())
    )
    if q:
        stmt = stmt.where(Card.number.contains(q.upper(), autoescape=True))
    page = db.paginate(stmt, per_page=PAGE_SIZE, error_out=False)
    estates = db.session.scalars(
        select(Estate)
        .where(Estate.community_id.in_(visible_community_ids(current_user)))
        .order_by(Estate.community_id, Estate.id)
    ).all()
    return render_template(
        "cards/index.html", page=page, q=q, form=IssueCardForm(), estates=estates
    )


@bp.post("/cards/issue")
@roles_required(*ADMINS)
def issue():
    form = IssueCardForm()
    if form.validate_on_submit():
        found = find_person(visible_community_ids(current_user), form.person.data)
        person = found.person
        community = (
            db.session.get(Community, person.community_id)
            if person and person.community_id
            else None
        )
        if found.ambiguous:
            flash(_("有多位同名的人，请改填手机号或卡号。"), "danger")
        elif person is None or community is None or not can_administer(current_user, community):
            flash(_("本社区没有这个手机号或用户名的账号。"), "danger")
        else:
            try:
                card = services.issue_card(person, form.kind.data, issued_by=current_user)
            except services.CardError as exc:
                rollback_and_report(exc)
            else:
                db.session.commit()
                flash(_("已发卡：%(number)s", number=card.number), "success")
                return redirect(url_for("cards.detail", card_id=card.id))
    else:
        flash(_("请填写持卡人并选择卡的种类。"), "danger")
    return redirect(url_for("cards.index"))


@bp.get("/cards/<int:card_id>")
@roles_required(*ADMINS)
def detail(card_id: int):
    card = _admin_card_or_404(card_id)
    uses = list(
        db.session.scalars(
            select(Redemption)
            .where(Redemption.card_id == card.id)
            .options(joinedload(Redemption.merchant))
            .order_by(Redemption.id.desc())
            .limit(50)
        )
    )
    return render_template("cards/detail.html", card=card, form=CardStatusForm(), uses=uses)


@bp.post("/cards/<int:card_id>/status")
@roles_required(*ADMINS)
def status(card_id: int):
    card = _admin_card_or_404(card_id)
    form = CardStatusForm()
    if not form.validate_on_submit():
        flash(_("请选择操作。"), "danger")
        return redirect(url_for("cards.detail", card_id=card.id))
    try:
        if form.action.data == "reissue":
            new = services.reissue(card, current_user, form.reason.data)
        else:
            services.change_status(card, form.action.data, form.reason.data)
            new = None
    except services.CardError as exc:
        rollback_and_report(exc)
        return redirect(url_for("cards.detail", card_id=card.id))
    db.session.commit()
    if new is not None:
        flash(_("已补办新卡 %(number)s，旧卡已停用。", number=new.number), "success")
        return redirect(url_for("cards.detail", card_id=new.id))
    flash(_("卡的状态已更新。"), "success")
    return redirect(url_for("cards.detail", card_id=card.id))


def _printable(cards):
    return [
        {
            "card": c,
            "svg": codes.qr_svg(card_url(c.code)),
            "holder": mask_name(c.holder.display_name),
        }
        for c in cards
    ]


@bp.get("/cards/<int:card_id>/print")
@roles_required(*ADMINS)
def print_one(card_id: int):
    card = _admin_card_or_404(card_id)
    cards = _printable([card])
    return render_template("cards/print.html", cards=cards, sheets=[cards])


MAX_PRINT = 1000  # cards in one print job (100 A4 sheets)


@bp.get("/cards/print")
@roles_required(*ADMINS)
def print_sheet():
    """A4 sheets of ten: every active card (?all=1), one estate's active cards (?estate=ID, by
    the holder's volunteer estate), the cards ticked in the list (?ids=1&ids=2 or ?ids=1,2), or
    else the newest ten active ones."""
    stmt = scoped(select(Card), Card.community_id, current_user).options(joinedload(Card.holder))
    raw_ids = [part for value in request.args.getlist("ids") for part in value.split(",")]
    ids = ids_from(raw_ids[:MAX_PRINT], MAX_PRINT)
    estate_id = parse_id(request.args.get("estate") or "")
    limit = SHEET_SIZE
    if ids:
        stmt = stmt.where(Card.id.in_(ids))
        limit = MAX_PRINT
    elif estate_id is not None:
        stmt = stmt.where(
            Card.status == CardStatus.ACTIVE,
            Card.holder_id.in_(
                select(VolunteerProfile.user_id).where(VolunteerProfile.estate_id == estate_id)
            ),
        )
        limit = MAX_PRINT
    else:
        stmt = stmt.where(Card.status == CardStatus.ACTIVE)
        if request.args.get("all") == "1":
            limit = MAX_PRINT
    # The newest ten for a quick sheet; by number for a whole run, to hand out in order.
    stmt = stmt.order_by(Card.id.desc() if limit == SHEET_SIZE else Card.number)
    cards = _printable(db.session.scalars(stmt.limit(limit)).all())
    sheets = [cards[i : i + SHEET_SIZE] for i in range(0, len(cards), SHEET_SIZE)]
    return render_template("cards/print.html", cards=cards, sheets=sheets)


def _report_scope():
    community_ids = visible_community_ids(current_user)
    month, first, nxt = clock.month_bounds(request.args.get("month"))
    return community_ids, month, first, nxt


@bp.get("/cards/report")
@roles_required(*ADMINS)
def report():
    community_ids, month, first, nxt = _report_scope()
    where = Redemption.community_id.in_(community_ids)
    return render_template(
        "cards/report.html",
        month=month,
        members=reports.totals_by_member(community_ids, first, nxt),
        total=reports.totals(where, first, nxt),
        months=reports.monthly_totals(where),
    )


@bp.get("/cards/report.csv")
@roles_required(*ADMINS)
def report_csv():
    community_ids, month, first, nxt = _report_scope()
    rows = reports.totals_by_member(community_ids, first, nxt)
    return csv_response(
        (
            [
                month,
                r["community"],
                r["number"],
                r["name"],
                r["count"],
                yuan(r["bill"]),
                yuan(r["saving"]),
            ]
            for r in rows
        ),
        [
            "month",
            "community",
            "member_number",
            "member",
            "redemptions",
            "bill_yuan",
            "saving_yuan",
        ],
        f"card-redemptions-{month}.csv",
    )
