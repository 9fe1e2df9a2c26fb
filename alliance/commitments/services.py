"""Rules for commitments: drafting, approval, publication, versions, offers and reports.

Services add and flush, never commit; views (and the CLI/demo) commit once.
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, bindparam, func, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from alliance.accounts.models import Role, User
from alliance.commitments.models import (
    BrokenCommitmentReport,
    CardKind,
    Commitment,
    CommitmentKind,
    CommitmentStatus,
    FulfilmentNote,
    Offer,
    Qualifies,
    ReportStatus,
    ServiceDetail,
    UsagePeriod,
    kind_label,
)
from alliance.communities.models import Community
from alliance.communities.services import can_administer
from alliance.db_types import utcnow
from alliance.errors import DomainError
from alliance.extensions import db
from alliance.merchants.models import (
    CATEGORIES,
    Merchant,
    MerchantStaff,
    MerchantStatus,
    category_label,
)
from alliance.merchants.services import active_clause, is_staff
from alliance.notifications.services import notify

KIND_ORDER = {CommitmentKind.INTEGRITY: 0, CommitmentKind.SERVICE: 1, CommitmentKind.POINTS: 2}

TITLE_MAX = 120
TEXT_MAX = 2000
SHORT_MAX = 200


class CommitmentError(DomainError):
    """A commitment rule said no."""

    code = "commitment_refused"


class InvalidRate(CommitmentError):
    code = "invalid_rate"
    field = "rate"


class WrongState(CommitmentError):
    """The commitment is not in a state that allows this step (views answer 409 or flash)."""

    code = "wrong_state"
    status = 409


# --- rates -------------------------------------------------------------------------------

_RATE_RE = re.compile(r"([0-9]{1,3}(?:\.[0-9]{1,4})?)\s*(折|%)?")


def parse_rate(text) -> int:
    """ "8.5", "8.5折" or "85%" → 85 (the integer percent the customer pays). Decimal, no floats.

    A bare number is read in 折 (the Chinese convention); a number with % is the percent paid.
    Raises InvalidRate with a message for anything outside 0.1折..9.9折 or not a rate at all.
    """
    raw = unicodedata.normalize("NFKC", "" if text is None else str(text)).strip()
    if not raw:
        raise InvalidRate(_l("请填写折扣，例如 8.5折 或 85%。"))
    match = _RATE_RE.fullmatch(raw)
    if match is None:
        raise InvalidRate(_l("折扣请填写数字，例如 8.5、8.5折 或 85%。"))
    try:
        value = Decimal(match.group(1))
    except InvalidOperation:  # pragma: no cover - the pattern only lets digits through
        raise InvalidRate(_l("折扣请填写数字，例如 8.5、8.5折 或 85%。")) from None
    percent = value if match.group(2) == "%" else value * 10
    if percent != percent.to_integral_value():
        raise InvalidRate(_l("折扣最多精确到0.1折（即1%）。"))
    percent = int(percent)
    if not 1 <= percent <= 99:
        raise InvalidRate(
            _l(
                "折扣应在0.1折到9.9折之间（顾客支付1%到99%）；0折、10折及以上都不可以。"
                "按百分比填写请加%，例如 85%。"
            )
        )
    return percent


# --- input shapes ------------------------------------------------------------------------


@dataclass
class OfferInput:
    rate: str | int
    qualifies: str = Qualifies.BOTH
    conditions: str = ""
    exclusions: str = ""
    valid_from: date | None = None
    valid_until: date | None = None
    usage_limit: int | None = None
    usage_period: str = UsagePeriod.UNLIMITED
    requires_rotating: bool = False
    open_to_street_office: bool = False
    min_star_level: int | None = None  # 1–5; volunteer cards only


@dataclass
class ServiceInput:
    what: str
    when_text: str = ""
    where: str = ""
    for_whom: str = ""


@dataclass
class CommitmentInput:
    kind: str
    title: str
    body: str = ""
    offer: OfferInput | None = None
    service: ServiceInput | None = None


def _clean(text, limit: int, field: str, label) -> str:
    value = (text or "").strip()
    if len(value) > limit:
        raise CommitmentError(_l("%(label)s不能超过%(n)d个字。", label=label, n=limit), field=field)
    return value


def _checked_offer(data: OfferInput) -> dict:
    rate = data.rate if isinstance(data.rate, int) else parse_rate(data.rate)
    if isinstance(data.rate, int) and not 1 <= rate <= 99:
        raise InvalidRate(_l("折扣应在0.1折到9.9折之间（顾客支付1%到99%）。"))
    if data.qualifies not in set(Qualifies):
        raise CommitmentError(_l("请选择适用的卡。"), field="qualifies")
    if data.valid_from and data.valid_until and data.valid_until < data.valid_from:
        raise CommitmentError(_l("结束日期不能早于开始日期。"), field="valid_until")
    if data.usage_period not in set(UsagePeriod):
        raise CommitmentError(_l("请选择使用次数的周期。"), field="usage_period")
    level = data.min_star_level or None
    if level is not None and (not isinstance(level, int) or not 1 <= level <= 5):
        raise CommitmentError(_l("星级要求应为一星到五星。"), field="min_star_level")
    if level is not None and data.qualifies == Qualifies.ALLIANCE:
        raise CommitmentError(
            _l("星级要求只适用于志愿者卡：只适用共富联盟卡的优惠不能设星级要求。"),
            field="min_star_level",
        )
    limit = data.usage_limit
    if data.usage_period == UsagePeriod.UNLIMITED:
        limit = None
    elif limit is None or limit < 1 or limit > 1000:
        raise CommitmentError(_l("每张卡的使用次数应为1到1000之间的整数。"), field="usage_limit")
    return {
        "rate_percent": rate,
        "qualifies": data.qualifies,
        "conditions": _clean(data.conditions, TEXT_MAX, "conditions", _l("使用条件")),
        "exclusions": _clean(data.exclusions, TEXT_MAX, "exclusions", _l("不适用范围")),
        "valid_from": data.valid_from,
        "valid_until": data.valid_until,
        "usage_limit": limit,
        "usage_period": data.usage_period,
        "requires_rotating": bool(data.requires_rotating),
        "open_to_street_office": bool(data.open_to_street_office),
        "min_star_level": level,
    }


def _checked_service(data: ServiceInput) -> dict:
    what = _clean(data.what, SHORT_MAX, "service_what", _l("服务内容"))
    if not what:
        raise CommitmentError(_l("服务承诺请写明服务内容。"), field="service_what")
    return {
        "what": what,
        "when_text": _clean(data.when_text, 120, "service_when", _l("服务时间")),
        "where": _clean(data.where, SHORT_MAX, "service_where", _l("服务地点")),
        "for_whom": _clean(data.for_whom, SHORT_MAX, "service_for_whom", _l("服务对象")),
    }


def _checked(data: CommitmentInput) -> tuple[dict, dict | None, dict | None]:
    """Validate everything before touching a row, so a refusal leaves nothing half-saved."""
    if data.kind not in set(CommitmentKind):
        raise CommitmentError(_l("请选择承诺类型。"), field="kind")
    title = _clean(data.title, TITLE_MAX, "title", _l("标题"))
    if not title:
        raise CommitmentError(_l("请填写承诺标题。"), field="title")
    fields = {
        "kind": data.kind,
        "title": title,
        "body": _clean(data.body, TEXT_MAX, "body", _l("承诺内容")),
    }
    offer = None
    if data.offer is not None:
        if data.kind == CommitmentKind.POINTS:
            raise CommitmentError(_l("积分兑换承诺暂不设折扣，请写在承诺内容里。"), field="rate")
        offer = _checked_offer(data.offer)
    service = None
    if data.kind == CommitmentKind.SERVICE:
        if data.service is None:
            raise CommitmentError(_l("服务承诺请写明服务内容。"), field="service_what")
        service = _checked_service(data.service)
    return fields, offer, service


def _apply(commitment: Commitment, fields: dict, offer: dict | None, service: dict | None):
    for name, value in fields.items():
        setattr(commitment, name, value)
    if offer is None:
        commitment.offer = None
    elif commitment.offer is None:
        commitment.offer = Offer(**offer)
    else:
        for name, value in offer.items():
            setattr(commitment.offer, name, value)
    if service is None:
        commitment.service = None
    elif commitment.service is None:
        commitment.service = ServiceDetail(**service)
    else:
        for name, value in service.items():
            setattr(commitment.service, name, value)
    refresh_search_text(commitment)


def refresh_search_text(commitment: Commitment) -> None:
    """Rebuild the denormalised search column from the commitment, its merchant and offer."""
    merchant = commitment.merchant
    parts = [commitment.title, commitment.body]
    if merchant is not None:
        with force_locale("zh_CN"):  # search in Chinese whatever the editor's language
            parts += [merchant.name, merchant.category, category_label(merchant.category)]
    if commitment.offer is not None:
        parts += [commitment.offer.conditions, commitment.offer.exclusions]
    if commitment.service is not None:
        s = commitment.service
        parts += [s.what, s.when_text, s.where, s.for_whom]
    commitment.search_text = " ".join(p for p in parts if p).lower()


# --- who may do what ---------------------------------------------------------------------


def can_administer_commitment(user: User, commitment: Commitment) -> bool:
    if not user.is_authenticated or not user.has_role(Role.SECRETARY, Role.STREET_OFFICER):
        return False
    return can_administer(user, db.session.get(Community, commitment.community_id))


def can_view(user: User, commitment: Commitment) -> bool:
    """Once published (公示) a commitment is public; before that only its merchant and admins."""
    if commitment.is_public:
        return True
    return is_staff(user, commitment.merchant_id) or can_administer_commitment(user, commitment)


# --- workflow ----------------------------------------------------------------------------


def _require(commitment: Commitment, *statuses, message) -> None:
    if commitment.status not in statuses:
        raise WrongState(message)


def create_commitment(merchant: Merchant, author: User, data: CommitmentInput) -> Commitment:
    if merchant.status != MerchantStatus.ACTIVE:
        raise WrongState(_l("该商户已暂停或退出联盟，不能新增承诺。"))
    fields, offer, service = _checked(data)
    commitment = Commitment(
        community_id=merchant.community_id,
        merchant=merchant,
        created_by_id=author.id,
        status=CommitmentStatus.DRAFT,
        version=1,
    )
    _apply(commitment, fields, offer, service)
    db.session.add(commitment)
    db.session.flush()
    return commitment


def update_commitment(commitment: Commitment, data: CommitmentInput) -> Commitment:
    _require(
        commitment,
        CommitmentStatus.DRAFT,
        CommitmentStatus.REJECTED,
        message=_l("只有草稿或未通过的承诺可以修改；已公示的请提交更正。"),
    )
    fields, offer, service = _checked(data)
    if commitment.version > 1 and fields["kind"] != commitment.kind:
        raise CommitmentError(_l("更正时不能改变承诺类型。"), field="kind")
    _apply(commitment, fields, offer, service)
    commitment.status = CommitmentStatus.DRAFT
    db.session.flush()
    return commitment


def submit_commitment(commitment: Commitment) -> None:
    _require(
        commitment,
        CommitmentStatus.DRAFT,
        CommitmentStatus.REJECTED,
        message=_l("这条承诺已经提交过了。"),
    )
    if commitment.merchant.status != MerchantStatus.ACTIVE:
        raise WrongState(_l("该商户已暂停或退出联盟，不能提交承诺。"))
    commitment.status = CommitmentStatus.PENDING
    commitment.submitted_at = utcnow()
    commitment.reason = ""
    db.session.flush()


def approve_commitment(commitment: Commitment, secretary: User) -> None:
    """Publish (公示). A correction supersedes the published version of its lineage."""
    _require(commitment, CommitmentStatus.PENDING, message=_l("只有待审核的承诺可以审核。"))
    if commitment.merchant.status != MerchantStatus.ACTIVE:
        raise WrongState(_l("该商户已暂停或退出联盟，不能公示承诺。"))
    now = utcnow()
    previous = db.session.scalars(
        select(Commitment).where(
            Commitment.lineage == commitment.lineage,
            Commitment.id != commitment.id,
            Commitment.status == CommitmentStatus.PUBLISHED,
        )
    ).all()
    for old in previous:
        old.status = CommitmentStatus.SUPERSEDED
        old.superseded_at = now
    commitment.status = CommitmentStatus.PUBLISHED
    commitment.published_at = now
    commitment.decided_at = now
    commitment.decided_by_id = secretary.id
    commitment.reason = ""
    db.session.flush()
    _tell_staff(commitment, "commitment.approved")


def _reason(text) -> str:
    reason = (text or "").strip()
    if not reason:
        raise CommitmentError(_l("请填写原因。"), field="reason")
    if len(reason) > TEXT_MAX:
        raise CommitmentError(_l("原因不能超过%(n)d个字。", n=TEXT_MAX), field="reason")
    return reason


def reject_commitment(commitment: Commitment, secretary: User, reason: str) -> None:
    _require(commitment, CommitmentStatus.PENDING, message=_l("只有待审核的承诺可以退回。"))
    commitment.reason = _reason(reason)
    commitment.status = CommitmentStatus.REJECTED
    commitment.decided_at = utcnow()
    commitment.decided_by_id = secretary.id
    db.session.flush()
    _tell_staff(commitment, "commitment.rejected", reason=commitment.reason[:200])


def _tell_staff(commitment: Commitment, kind: str, **params) -> None:
    """The member's staff hear what happened to their commitment."""
    staff = db.session.scalars(
        select(MerchantStaff.user_id).where(MerchantStaff.merchant_id == commitment.merchant_id)
    ).all()
    notify(
        staff,
        kind,
        {"title": commitment.title, **params},
        link="/commitments/mine",
        community_id=commitment.community_id,
    )


def withdraw_commitment(commitment: Commitment, user: User, reason: str) -> None:
    _require(commitment, CommitmentStatus.PUBLISHED, message=_l("只有已公示的承诺可以撤回。"))
    commitment.reason = _reason(reason)
    commitment.status = CommitmentStatus.WITHDRAWN
    commitment.withdrawn_at = utcnow()
    commitment.withdrawn_by_id = user.id
    db.session.flush()


def open_correction(commitment: Commitment) -> Commitment | None:
    """A newer version of the same lineage still being drafted or reviewed, if any."""
    return db.session.scalars(
        select(Commitment).where(
            Commitment.lineage == commitment.lineage,
            Commitment.version > commitment.version,
            Commitment.status.in_(
                (CommitmentStatus.DRAFT, CommitmentStatus.PENDING, CommitmentStatus.REJECTED)
            ),
        )
    ).first()


def start_correction(commitment: Commitment, author: User) -> Commitment:
    """A new draft version copied from a published commitment (or the one already open)."""
    _require(commitment, CommitmentStatus.PUBLISHED, message=_l("只有已公示的承诺可以更正。"))
    existing = open_correction(commitment)
    if existing is not None:
        return existing
    if commitment.merchant.status != MerchantStatus.ACTIVE:
        raise WrongState(_l("该商户已暂停或退出联盟，不能更正承诺。"))
    latest = db.session.scalar(
        select(func.max(Commitment.version)).where(Commitment.lineage == commitment.lineage)
    )
    copy = Commitment(
        community_id=commitment.community_id,
        merchant=commitment.merchant,
        lineage=commitment.lineage,
        version=(latest or commitment.version) + 1,
        kind=commitment.kind,
        title=commitment.title,
        body=commitment.body,
        status=CommitmentStatus.DRAFT,
        created_by_id=author.id,
    )
    if commitment.offer is not None:
        o = commitment.offer
        copy.offer = Offer(
            rate_percent=o.rate_percent,
            qualifies=o.qualifies,
            conditions=o.conditions,
            exclusions=o.exclusions,
            valid_from=o.valid_from,
            valid_until=o.valid_until,
            usage_limit=o.usage_limit,
            usage_period=o.usage_period,
            requires_rotating=o.requires_rotating,
            open_to_street_office=o.open_to_street_office,
            min_star_level=o.min_star_level,
        )
    if commitment.service is not None:
        s = commitment.service
        copy.service = ServiceDetail(
            what=s.what, when_text=s.when_text, where=s.where, for_whom=s.for_whom
        )
    refresh_search_text(copy)
    db.session.add(copy)
    db.session.flush()
    return copy


def history(commitment: Commitment) -> list[Commitment]:
    """Every version of the commitment's lineage, newest first, with notes loaded."""
    return list(
        db.session.scalars(
            select(Commitment)
            .where(Commitment.lineage == commitment.lineage)
            .options(
                selectinload(Commitment.offer),
                selectinload(Commitment.service),
                selectinload(Commitment.notes),
            )
            .order_by(Commitment.version.desc())
        )
    )


# --- 践诺 notes and reports ----------------------------------------------------------------


def record_note(
    commitment: Commitment, secretary: User, *, kept: bool, note: str, noted_on: date
) -> FulfilmentNote:
    if not commitment.is_public:
        raise WrongState(_l("只能为已公示的承诺记录践诺情况。"))
    text = _clean(note, TEXT_MAX, "note", _l("说明"))
    if noted_on is None:
        raise CommitmentError(_l("请填写日期。"), field="noted_on")
    if noted_on > date.today():
        raise CommitmentError(_l("日期不能晚于今天。"), field="noted_on")
    entry = FulfilmentNote(
        commitment_id=commitment.id,
        community_id=commitment.community_id,
        kept=bool(kept),
        note=text,
        noted_on=noted_on,
        recorded_by_id=secretary.id,
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def report_broken(commitment: Commitment, reporter: User, text: str) -> BrokenCommitmentReport:
    if commitment.status != CommitmentStatus.PUBLISHED:
        raise WrongState(_l("只能举报正在公示的承诺。"))
    body = _clean(text, TEXT_MAX, "text", _l("情况说明"))
    if len(body) < 5:
        raise CommitmentError(_l("请把情况写清楚（至少5个字）。"), field="text")
    duplicate = db.session.scalar(
        select(BrokenCommitmentReport.id).where(
            BrokenCommitmentReport.commitment_id == commitment.id,
            BrokenCommitmentReport.reporter_id == reporter.id,
            BrokenCommitmentReport.status == ReportStatus.OPEN,
        )
    )
    if duplicate is not None:
        raise WrongState(_l("您已经反映过这条承诺，社区正在处理。"))
    report = BrokenCommitmentReport(
        commitment_id=commitment.id,
        community_id=commitment.community_id,
        reporter_id=reporter.id,
        text=body,
    )
    db.session.add(report)
    db.session.flush()
    _tell_staff(commitment, "commitment.reported")
    return report


def handle_report(report: BrokenCommitmentReport, secretary: User, note: str) -> None:
    if report.status != ReportStatus.OPEN:
        raise WrongState(_l("这条反映已经处理过了。"))
    text = _clean(note, TEXT_MAX, "note", _l("处理说明"))
    if not text:
        raise CommitmentError(_l("请填写处理说明。"), field="note")
    report.status = ReportStatus.HANDLED
    report.handled_note = text
    report.handled_by_id = secretary.id
    report.handled_at = utcnow()
    db.session.flush()


# --- reading -----------------------------------------------------------------------------


def _published_by_merchant(merchant_ids, stmt: Select, fetch) -> dict[int, list]:
    """Every merchant id given is a key, with its published commitments as `fetch` reads them
    from `stmt`, in kind then publication order (an empty list when it has none)."""
    ids = list(dict.fromkeys(int(i) for i in merchant_ids))
    result: dict[int, list] = {i: [] for i in ids}
    if ids:
        stmt = stmt.where(
            Commitment.merchant_id.in_(ids), Commitment.status == CommitmentStatus.PUBLISHED
        ).order_by(Commitment.published_at, Commitment.id)
        for row in sorted(fetch(stmt), key=lambda r: KIND_ORDER.get(r.kind, 9)):
            result[row.merchant_id].append(row)
    return result


def published_for_merchants(merchant_ids) -> dict[int, list[Commitment]]:
    """Published commitments of each merchant, kind then publication order; three queries.

    Offers and services are loaded with them, so rendering `_merchant_commitments.html` adds
    no queries.
    """
    return _published_by_merchant(
        merchant_ids,
        select(Commitment).options(
            selectinload(Commitment.offer), selectinload(Commitment.service)
        ),
        lambda stmt: db.session.scalars(stmt).all(),
    )


@dataclass(frozen=True)
class CommitmentLine:
    """One line of a directory entry: the kind, the title and the offer's rate, if any."""

    merchant_id: int
    kind: str
    title: str
    rate_percent: int | None

    @property
    def kind_label(self) -> str:
        return kind_label(self.kind)


def commitment_lines(merchant_ids) -> dict[int, list[CommitmentLine]]:
    """Published commitments of each merchant as directory lines, kind then publication order.

    One statement of four columns: the directory shows twenty members with about five
    commitments each, and loading them as entities with their offers and services (three
    statements, some 300 objects) was most of the page's time.
    """
    return _published_by_merchant(
        merchant_ids,
        select(
            Commitment.merchant_id, Commitment.kind, Commitment.title, Offer.rate_percent
        ).outerjoin(Offer, Offer.commitment_id == Commitment.id),
        lambda stmt: [CommitmentLine(*row) for row in db.session.execute(stmt)],
    )


def applicable_offers(
    merchant: Merchant,
    card_kind: str,
    on_date: date,
    *,
    card_community_id: int | None = None,
    card_street_office_id: int | None = None,
) -> list[Offer]:
    """Offers a card holder gets at `merchant` on `on_date` (for the cards issue).

    Only published commitments of an active merchant, offers covering the card and valid that
    day. A suspended or departed merchant's offers stop applying at once.

    Communities (README, "Cards across communities"): an offer applies to cards of the
    member's own community; a card of another community gets it only when the member opened
    the offer to the whole street office and the card's community is in that office.
    `card_community_id` None: no card yet (the demo, previews), the member's own cards.
    """
    if card_kind not in set(CardKind):
        raise ValueError(f"unknown card kind {card_kind!r}")
    params = {"merchant_id": merchant.id, "card_kind": card_kind, "on_date": on_date}
    across = card_community_id is not None and card_community_id != merchant.community_id
    if across:
        params |= {
            "merchant_community_id": merchant.community_id,
            "card_street_office_id": card_street_office_id,
        }
    return list(db.session.scalars(_offers_statement(across), params))


@cache
def _offers_statement(across: bool):
    """Built once per case (every verification runs it): assembling and keying it cost more
    than the query. `across`: a card of another community, only offers opened to the street
    office, and only when the card's community is in the member's office."""
    on_date = bindparam("on_date")
    conditions = [
        Commitment.merchant_id == bindparam("merchant_id"),
        Commitment.status == CommitmentStatus.PUBLISHED,
        active_clause(),
        Offer.qualifies.in_([bindparam("card_kind"), Qualifies.BOTH]),
        (Offer.valid_from.is_(None)) | (Offer.valid_from <= on_date),
        (Offer.valid_until.is_(None)) | (Offer.valid_until >= on_date),
    ]
    if across:
        same_office = (
            select(Community.id)
            .where(
                Community.id == bindparam("merchant_community_id"),
                Community.street_office_id == bindparam("card_street_office_id"),
            )
            .exists()
        )
        conditions.insert(0, and_(Offer.open_to_street_office.is_(True), same_office))
    return (
        select(Offer)
        .join(Commitment, Commitment.id == Offer.commitment_id)
        .join(Merchant, Merchant.id == Commitment.merchant_id)
        .where(*conditions)
        .options(contains_eager(Offer.commitment))
        .order_by(Offer.rate_percent, Offer.id)
    )


@dataclass
class BoardFilters:
    kind: str | None = None
    category: str | None = None
    card: str | None = None
    community: str | None = None  # community code
    q: str | None = None

    def as_args(self) -> dict:
        return {k: v for k, v in vars(self).items() if v}


def board_query(filters: BoardFilters, *, with_kind: bool = True) -> Select:
    """Published commitments matching the filters (no ordering or loading options)."""
    stmt = (
        select(Commitment)
        .join(Merchant, Merchant.id == Commitment.merchant_id)
        .where(
            Commitment.status == CommitmentStatus.PUBLISHED,
            # A suspended or departed member's commitments stop applying at once.
            active_clause(),
        )
    )
    if filters.kind and with_kind:
        stmt = stmt.where(Commitment.kind == filters.kind)
    if filters.category:
        stmt = stmt.where(Merchant.category == filters.category)
    if filters.community:
        stmt = stmt.join(Community, Community.id == Commitment.community_id).where(
            Community.code == filters.community
        )
    if filters.card:
        stmt = stmt.where(
            Commitment.id.in_(
                select(Offer.commitment_id).where(
                    Offer.qualifies.in_((filters.card, Qualifies.BOTH))
                )
            )
        )
    for term in (filters.q or "").lower().split()[:8]:
        stmt = stmt.where(Commitment.search_text.contains(term, autoescape=True))
    return stmt


def board_options():
    # All three are one row per commitment: joined into the page's statement, not three more.
    return (
        joinedload(Commitment.merchant),
        joinedload(Commitment.offer),
        joinedload(Commitment.service),
    )


def totals_by_kind(filters: BoardFilters) -> dict[str, int]:
    """Published commitments per kind under the other filters; one query."""
    sub = board_query(filters, with_kind=False).with_only_columns(Commitment.kind).subquery()
    rows = db.session.execute(select(sub.c.kind, func.count()).group_by(sub.c.kind)).all()
    totals = dict.fromkeys((str(k) for k in CommitmentKind), 0)
    totals.update({kind: n for kind, n in rows})
    return totals


def merchant_categories() -> list[tuple[str, str]]:
    """(code, label) of the categories that have published commitments."""
    published = (
        select(Commitment.id)
        .where(
            Commitment.merchant_id == Merchant.id, Commitment.status == CommitmentStatus.PUBLISHED
        )
        .exists()
    )
    codes = list(
        db.session.scalars(
            select(Merchant.category).where(published).distinct().order_by(Merchant.category)
        )
    )
    return [(code, category_label(code)) for code in codes]


def known_categories() -> set[str]:
    return set(CATEGORIES)


def home_figures(community_ids) -> list[tuple[str, int]]:
    """The home page's figures (see alliance.hooks)."""
    stmt = select(func.count(Commitment.id)).where(Commitment.status == CommitmentStatus.PUBLISHED)
    if community_ids is not None:
        stmt = stmt.where(Commitment.community_id.in_(community_ids))
    return [(_l("公示承诺"), db.session.scalar(stmt) or 0)]
