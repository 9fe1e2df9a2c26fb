"""The counter on the web: scan, verify, redeem an offer, exchange points, the member's records."""

import uuid

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from alliance import clock
from alliance.accounts.models import Role
from alliance.accounts.permissions import roles_required
from alliance.cards import codes
from alliance.cards import services as cards
from alliance.cards.models import CodeType, Redemption
from alliance.counter import checkouts, exchanges, redemptions, reports, services, voids
from alliance.counter.forms import ExchangeForm, RedeemForm, ScanForm, VoidForm
from alliance.downloads import csv_response, yuan
from alliance.errors import DomainError
from alliance.extensions import db, limiter
from alliance.formkit import conflict_page, rollback_and_report
from alliance.inputs import parse_id
from alliance.merchants import staff as merchant_staff
from alliance.points.models import Exchange, ExchangeItem
from alliance.validators import mask_name

bp = Blueprint("counter", __name__)


def verify_limit() -> str:
    return current_app.config.get("CARD_VERIFY_RATE_LIMIT", "60/minute")


def merchant_limit_key() -> str:
    merchant = counter_merchant()
    return f"merchant:{merchant.id}" if merchant else f"addr:{request.remote_addr}"


def staff_merchants() -> list:
    """The members the signed-in person works for, read once per request: the rate limit's
    key asks before the view does (the card page ran 6 statements, now 5)."""
    kept = g.get("counter_merchants")
    if kept is None or kept[0] != current_user.get_id():
        kept = g.counter_merchants = (
            current_user.get_id(),
            merchant_staff.merchants_of(current_user),
        )
    return kept[1]


def counter_merchant(merchants=None):
    """The member the signed-in staff works for at the counter (choice kept in the session)."""
    if not current_user.is_authenticated:
        return None
    merchants = merchants if merchants is not None else staff_merchants()
    if not merchants:
        return None
    wanted = request.args.get("m", type=int) or session.get("card_merchant")
    chosen = next((m for m in merchants if m.id == wanted), merchants[0])
    if request.args.get("m", type=int) == chosen.id:
        session["card_merchant"] = chosen.id
    return chosen


def _same_card(code: str, card) -> bool:
    parsed = codes.parse_code(code)
    if parsed is None or card is None:
        return False
    return parsed.key == (card.code if parsed.kind == CodeType.STATIC else card.rotating_id)


def staff_verdict(code: str, merchant, verification_id: str | None):
    """(verdict, checkout) at the counter: the posted checkout while it lasts (so a rotating
    code that changed while the cashier typed loses nothing), else the code now and a new
    checkout when it is valid."""
    if verification_id:
        try:
            claim = checkouts.read_claim(verification_id, merchant.id)
        except checkouts.CheckoutError:
            claim = None
        if claim is not None:
            result = services.verify_checkout(claim.card_id, claim.code_type, merchant)
            if _same_card(code, result.card):
                return result, checkouts.Opened(verification_id, claim.expires_at)
    result = services.verify(code, merchant)
    opened = None
    if result.valid:
        opened = checkouts.open_checkout(result.card.id, merchant.id, result.code_type)
    return result, opened


def _verify_page(
    code: str,
    form: RedeemForm | None = None,
    status: int = 200,
    verification_id: str | None = None,
):
    merchant = counter_merchant()
    staff_view = merchant is not None and merchant.is_active
    if not staff_view:
        # Anyone else learns only valid or not valid.
        result = services.verify(code, None)
        return render_template("counter/verify_public.html", valid=result.valid), status
    result, checkout = staff_verdict(code, merchant, verification_id)
    view = services.counter_view(code, merchant, result)
    if form is None:
        form = RedeemForm(offers=view.offers, key=uuid.uuid4().hex)
    form.verification_id.data = checkout.verification_id if checkout else ""
    return render_template(
        "counter/verify.html",
        view=view,
        result=view.verification,
        merchant=merchant,
        form=form,
        pairs=list(zip(form.offer_id, view.offers, strict=False)),
        exchange_form=ExchangeForm(key=uuid.uuid4().hex),
        code=code if len(code) <= codes.MAX_CODE_LENGTH else "",
        checkout=checkout,
    ), status


@bp.get("/c/<code>")
@limiter.limit(verify_limit)
@limiter.limit(verify_limit, key_func=merchant_limit_key)
def verify(code: str):
    page, status = _verify_page(code)
    response = Response(page, status=status)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.post("/c/<code>/redeem")
@roles_required(Role.MERCHANT_STAFF)
def redeem(code: str):
    merchant = counter_merchant()
    if merchant is None:
        abort(403)
    if not merchant.is_active:
        flash(_("本店已暂停或退出联盟，不能核销。"), "danger")
        return redirect(url_for("counter.scan"))
    vid = (request.form.get("verification_id") or "").strip() or None
    result, checkout = staff_verdict(code, merchant, vid)
    vid = checkout.verification_id if checkout is not None and vid else None
    form = RedeemForm(offers=result.offers)
    if not form.validate_on_submit():
        return _verify_page(code, form, 422, vid)
    try:
        record, created = redemptions.redeem(
            merchant=merchant,
            staff=current_user,
            raw_code=None if vid else code,
            verification_id=vid,
            offer_id=form.offer_id.data,
            bill_fen=form.bill_fen,
            idempotency_key=form.key.data or "",
            confirmed=bool(form.confirm.data),
        )
    except DomainError as exc:
        rollback_and_report(exc, form, field="offer_id")
        return _verify_page(code, form, exc.status if exc.status in (409, 422) else 422, vid)
    db.session.commit()
    flash(_("核销成功。") if created else _("这次核销已经记录过了，没有重复记录。"), "success")
    return redirect(url_for("counter.receipt", redemption_id=record.id))


@bp.get("/cards/redemptions/<int:redemption_id>")
@roles_required(Role.MERCHANT_STAFF)
def receipt(redemption_id: int):
    record = db.session.get(Redemption, redemption_id)
    merchants = merchant_staff.merchants_of(current_user)
    if record is None or record.merchant_id not in {m.id for m in merchants}:
        abort(404)
    pays = None if record.bill_fen is None else record.bill_fen - (record.saving_fen or 0)
    return render_template(
        "counter/receipt.html",
        r=record,
        pays=pays,
        holder_masked=mask_name(record.card.holder.display_name),
        right=voids.void_right(record, current_user),
    )


@bp.route("/scan", methods=["GET", "POST"])
@limiter.limit(verify_limit, methods=["POST"])
@limiter.limit(verify_limit, key_func=merchant_limit_key, methods=["POST"])
@roles_required(Role.MERCHANT_STAFF)
def scan():
    merchants = staff_merchants()
    merchant = counter_merchant(merchants)
    form = ScanForm()
    if form.validate_on_submit():
        card, code = cards.scanned_card(form.text.data)
        if card is not None:
            # A printed number is no credential: it shows whose card it is, never its code
            # (which would spend the absent holder's discounts and points).
            result = services.verify(card.code, None, with_offers=False)
            response = Response(render_template("counter/number.html", result=result))
            response.headers["Cache-Control"] = "no-store"
            return response
        if codes.parse_code(code) is None:
            form.text.errors = [*form.text.errors, _("没有找到这张卡，请核对卡号。")]
        else:
            return redirect(url_for("counter.verify", code=code))
    return render_template("counter/scan.html", form=form, merchant=merchant, merchants=merchants)


def _merchant_or_403():
    merchant = counter_merchant()
    if merchant is None:
        abort(403)
    return merchant


@bp.get("/cards/merchant")
@roles_required(Role.MERCHANT_STAFF)
def merchant_report():
    merchants = staff_merchants()
    merchant = counter_merchant(merchants) or abort(403)
    month, first, nxt = clock.month_bounds(request.args.get("month"))
    where = Redemption.merchant_id == merchant.id
    return render_template(
        "counter/merchant_report.html",
        merchant=merchant,
        merchants=merchants,
        month=month,
        days=reports.daily_totals(where, first, nxt),
        total=reports.totals(where, first, nxt),
        months=reports.monthly_totals(where),
        recent=list(reports.redemptions_between(where, first, nxt, limit=50, with_voided=True)),
    )


@bp.get("/cards/merchant.csv")
@roles_required(Role.MERCHANT_STAFF)
def merchant_csv():
    merchant = _merchant_or_403()
    month, first, nxt = clock.month_bounds(request.args.get("month"))
    rows = reports.redemptions_between(Redemption.merchant_id == merchant.id, first, nxt)
    return csv_response(
        (
            [
                r.created_at.astimezone(clock.LOCAL_TZ).strftime("%Y-%m-%d %H:%M"),
                r.card.number,
                r.card.kind_label,
                r.offer_title,
                r.rate_percent,
                yuan(r.bill_fen),
                yuan(r.saving_fen),
                r.code_type,
            ]
            for r in rows
        ),
        ["time", "card", "kind", "offer", "rate_percent", "bill_yuan", "saving_yuan", "code_type"],
        f"redemptions-{merchant.id}-{month}.csv",
    )


def counter_panel(result, merchant) -> dict | None:
    """What the counter page shows under a valid card: balance and this member's items."""
    if (
        not result.valid
        or result.card is None
        or merchant is None
        or not services.spends_here(result.card, merchant)
    ):
        return None
    balance = services.balance_of(result.card.holder_id)
    return {
        "balance": balance,
        "items": services.counter_items(merchant, result.card.holder_id, balance),
        "form": ExchangeForm(key=uuid.uuid4().hex),
    }


@bp.app_context_processor
def _counter_helpers():
    return {"points_counter_panel": counter_panel}


def _confirm_exchange(code: str, merchant, item_id: int, form: ExchangeForm, vid: str | None):
    """An exchange spends the holder's points: a second step says what, and asks (no script)."""
    item = db.session.get(ExchangeItem, item_id)
    if item is None or item.merchant_id != merchant.id or not item.active:
        flash(_("本店没有这个兑换项目。"), "danger")
        return redirect(url_for("counter.verify", code=code)), 303
    fields = {"item_id": item.id, "key": form.key.data or ""}
    if vid:
        fields["verification_id"] = vid
    return render_template(
        "confirm.html",
        title=_("确认兑换"),
        lines=[
            _("为持卡人兑换「%(t)s」，扣除 %(n)d 积分。", t=item.title, n=item.points),
            _("兑换后积分立即扣除；如有错误，请在30分钟内作废。"),
        ],
        action=url_for("counter.exchange", code=code),
        fields=fields,
        button=_("确认兑换「%(t)s」", t=item.title),
        back=url_for("counter.verify", code=code),
    )


@bp.post("/points/exchange/<code>")
@roles_required(Role.MERCHANT_STAFF)
def exchange(code: str):
    merchant = counter_merchant()
    if merchant is None:
        abort(403)
    form = ExchangeForm()
    item_id = parse_id(form.item_id.data or "")
    if not form.validate_on_submit() or item_id is None:
        flash(_("请选择兑换项目。"), "danger")
        return redirect(url_for("counter.verify", code=code)), 303
    vid = (form.verification_id.data or "").strip() or None
    if request.form.get("confirm") != "1":
        return _confirm_exchange(code, merchant, item_id, form, vid)
    try:
        record, created = exchanges.exchange(
            merchant=merchant,
            staff=current_user,
            raw_code=None if vid else code,
            verification_id=vid,
            item_id=item_id,
            idempotency_key=form.key.data or "",
        )
    except DomainError as exc:
        rollback_and_report(exc)
        return redirect(url_for("counter.verify", code=code)), 303
    title, balance = record.item_title, record.balance_after
    db.session.commit()
    if created:
        flash(_("兑换成功：%(t)s，持卡人剩余 %(b)d 积分。", t=title, b=balance), "success")
    else:
        flash(_("这次兑换已经记录过了，没有重复扣分。"), "info")
    return redirect(url_for("counter.verify", code=code)), 303


VOIDABLE = {
    "redemption": (Redemption, voids.void_redemption),
    "exchange": (Exchange, voids.void_exchange),
}


def _void_page(kind: str, record_id: int):
    model, void = VOIDABLE[kind]
    record = db.session.get(model, record_id)
    right = voids.void_right(record, current_user) if record is not None else None
    if right is None or not right.visible:
        abort(404)
    form = VoidForm()
    if request.method == "POST" and right.allowed and form.validate_on_submit():
        try:
            void(record.id, actor=current_user, reason=form.reason.data)
        except voids.VoidError as exc:
            if exc.status == 409:
                return conflict_page(exc)
            rollback_and_report(exc, form, field="reason")
        else:
            db.session.commit()
            flash(_("已作废，不再计入任何统计；持卡人已收到通知。"), "success")
            return redirect(url_for(f"counter.void_{kind}", record_id=record_id)), 303
    status = 200
    if request.method == "POST":
        status = 422 if right.allowed else (409 if record.voided_at else 403)
    return render_template(
        "counter/void.html",
        kind=kind,
        record=record,
        right=right,
        form=form,
        holder_masked=mask_name(record.card.holder.display_name) if record.card_id else "",
    ), status


@bp.route("/cards/redemptions/<int:record_id>/void", methods=["GET", "POST"])
@roles_required(Role.MERCHANT_STAFF, Role.SECRETARY)
def void_redemption(record_id: int):
    """Void a redemption (作废核销) with a reason: see alliance.counter.voids for who and when."""
    return _void_page("redemption", record_id)


@bp.route("/points/exchanges/<int:record_id>/void", methods=["GET", "POST"])
@roles_required(Role.MERCHANT_STAFF, Role.SECRETARY)
def void_exchange(record_id: int):
    """Void a points exchange (作废兑换): the points and the stock go back."""
    return _void_page("exchange", record_id)
