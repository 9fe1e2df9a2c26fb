"""Supplies on the web: stock per store with low-stock warnings, and the moves."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from alliance.accounts.models import Role
from alliance.accounts.permissions import roles_required
from alliance.emergency import services, supplies
from alliance.emergency.supply_forms import ItemForm, MoveForm, PledgeForm, StoreForm
from alliance.emergency.supply_models import (
    ADJUST_REASONS,
    ITEM_KINDS,
    MoveKind,
    Pledge,
    StockMove,
    SupplyItem,
    SupplyStore,
    tidy,
)
from alliance.emergency.web import bp, own_community
from alliance.errors import DomainError
from alliance.extensions import db
from alliance.formkit import choices, rollback_and_report
from alliance.i18n import lazy_gettext as _l
from alliance.inputs import parse_id
from alliance.merchants.models import Merchant

STAFF = (Role.SECRETARY, Role.GRID_WORKER)
RECENT_MOVES = 30


def _offer(form: MoveForm, items, stores) -> MoveForm:
    form.store_id.choices = choices([(str(s.id), s.name) for s in stores])
    form.item_id.choices = choices([(str(i.id), f"{i.name}（{i.unit}）") for i in items])
    form.kind.choices = choices([(k.value, k.label) for k in MoveKind])
    form.reason.choices = choices([("", _l("不选"))] + list(ADJUST_REASONS.items()))
    return form


def _item_form(submitted=True) -> ItemForm:
    form = ItemForm() if submitted else ItemForm(formdata=None)
    form.kind.choices = choices([(k, label) for k, (label, _unit) in ITEM_KINDS.items()])
    return form


def _pledge_form(community, submitted=True) -> PledgeForm:
    form = PledgeForm() if submitted else PledgeForm(formdata=None)
    form.merchant_id.choices = choices(
        [("", _l("请选择"))]
        + [
            (str(m.id), m.name)
            for m in db.session.scalars(
                select(Merchant).where(Merchant.community_id == community.id).order_by(Merchant.id)
            )
        ]
    )
    return form


def _render(move_form=None, store_form=None, item_form=None, pledge_form=None, status=200):
    community = own_community()
    items, stores, cells = supplies.stock_table(community.id)
    totals = {i.id: tidy(sum(q for (_s, iid), q in cells.items() if iid == i.id)) for i in items}
    moves = db.session.scalars(
        select(StockMove)
        .where(StockMove.community_id == community.id)
        .options(
            joinedload(StockMove.item), joinedload(StockMove.store), joinedload(StockMove.actor)
        )
        .order_by(StockMove.id.desc())
        .limit(RECENT_MOVES)
    ).all()
    secretary = current_user.has_role(Role.SECRETARY)
    return render_template(
        "emergency/supplies.html",
        items=items,
        stores=stores,
        cells=cells,
        totals=totals,
        moves=moves,
        move_form=_offer(move_form or MoveForm(formdata=None), items, stores),
        store_form=(store_form or StoreForm(formdata=None)) if secretary else None,
        item_form=(item_form or _item_form(submitted=False)) if secretary else None,
        adjust_reasons=ADJUST_REASONS,
        pledges=supplies.pledges_of(community.id),
        running=services.running_in_community(community.id, community.street_office_id),
        pledge_form=(pledge_form or _pledge_form(community, submitted=False))
        if secretary
        else None,
    ), status


@bp.get("/supplies")
@roles_required(*STAFF)
def supplies_index():
    return _render()


@bp.post("/supplies/stores")
@roles_required(Role.SECRETARY)
def create_store():
    form = StoreForm()
    if not form.validate_on_submit():
        return _render(store_form=form, status=422)
    try:
        supplies.create_store(
            own_community(), name=form.name.data, place=form.place.data, actor=current_user
        )
    except DomainError as exc:
        rollback_and_report(exc, form)
        return _render(store_form=form, status=exc.status)
    db.session.commit()
    flash(_("已添加仓库。"), "success")
    return redirect(url_for("emergency.supplies_index"), 303)


@bp.post("/supplies/items")
@roles_required(Role.SECRETARY)
def create_supply_item():
    form = _item_form()
    if not form.validate_on_submit():
        return _render(item_form=form, status=422)
    try:
        supplies.create_item(
            own_community(),
            kind=form.kind.data,
            name=form.name.data,
            minimum=form.minimum.data,
            actor=current_user,
        )
    except DomainError as exc:
        rollback_and_report(exc, form)
        return _render(item_form=form, status=exc.status)
    db.session.commit()
    flash(_("已添加物资。"), "success")
    return redirect(url_for("emergency.supplies_index"), 303)


@bp.post("/supplies/moves")
@roles_required(*STAFF)
def supply_move():
    community = own_community()
    items, stores, _cells = supplies.stock_table(community.id)
    form = _offer(MoveForm(), items, stores)
    if not form.validate_on_submit():
        return _render(move_form=form, status=422)
    store = db.session.get(SupplyStore, parse_id(form.store_id.data) or 0)
    item = db.session.get(SupplyItem, parse_id(form.item_id.data) or 0)
    try:
        if store is None or store.community_id != community.id or item is None:
            raise supplies.EmergencyError(_l("请选择本社区的仓库和物资。"), field="store_id")
        supplies.move(
            store,
            item,
            kind=form.kind.data,
            count=form.count.data,
            recipient=form.recipient.data,
            reason=form.reason.data,
            actor=current_user,
        )
    except DomainError as exc:
        rollback_and_report(exc, form)
        return _render(move_form=form, status=exc.status)
    db.session.commit()
    flash(_("已登记。"), "success")
    return redirect(url_for("emergency.supplies_index"), 303)


@bp.post("/supplies/pledges")
@roles_required(Role.SECRETARY)
def create_pledge():
    community = own_community()
    form = _pledge_form(community)
    if not form.validate_on_submit():
        return _render(pledge_form=form, status=422)
    try:
        supplies.pledge(
            community,
            merchant_id=parse_id(form.merchant_id.data),
            goods=form.goods.data,
            quantity=form.quantity.data,
            unit=form.unit.data,
            actor=current_user,
        )
    except DomainError as exc:
        rollback_and_report(exc, form)
        return _render(pledge_form=form, status=exc.status)
    db.session.commit()
    flash(_("已登记协议储备。"), "success")
    return redirect(url_for("emergency.supplies_index"), 303)


@bp.post("/supplies/pledges/<int:pledge_id>/call")
@roles_required(Role.SECRETARY)
def call_pledge(pledge_id: int):
    row = db.session.get(Pledge, pledge_id)
    if row is None or row.community_id != current_user.community_id:
        abort(404)
    try:
        supplies.call_pledge(row, actor=current_user)
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc.message), "danger")
        return redirect(url_for("emergency.supplies_index"), 303)
    db.session.commit()
    flash(_("已调用协议储备，请联系商户送达。"), "success")
    return redirect(url_for("emergency.supplies_index"), 303)
