"""Drafting a commitment: rates, the input shapes, the checks, creating and editing drafts.

Services add and flush, never commit; views (and the CLI/demo) commit once.
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from flask_babel import force_locale

from alliance.accounts.models import User
from alliance.commitments.errors import CommitmentError, InvalidRate, WrongState, require_status
from alliance.commitments.models import (
    Commitment,
    CommitmentKind,
    CommitmentStatus,
    Offer,
    Qualifies,
    ServiceDetail,
    UsagePeriod,
)
from alliance.extensions import db
from alliance.i18n import lazy_gettext as _l
from alliance.merchants.models import Merchant, MerchantStatus, category_label

TITLE_MAX = 120
TEXT_MAX = 2000
SHORT_MAX = 200


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


def clean_text(text, limit: int, field: str, label) -> str:
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
        "conditions": clean_text(data.conditions, TEXT_MAX, "conditions", _l("使用条件")),
        "exclusions": clean_text(data.exclusions, TEXT_MAX, "exclusions", _l("不适用范围")),
        "valid_from": data.valid_from,
        "valid_until": data.valid_until,
        "usage_limit": limit,
        "usage_period": data.usage_period,
        "requires_rotating": bool(data.requires_rotating),
        "open_to_street_office": bool(data.open_to_street_office),
        "min_star_level": level,
    }


def _checked_service(data: ServiceInput) -> dict:
    what = clean_text(data.what, SHORT_MAX, "service_what", _l("服务内容"))
    if not what:
        raise CommitmentError(_l("服务承诺请写明服务内容。"), field="service_what")
    return {
        "what": what,
        "when_text": clean_text(data.when_text, 120, "service_when", _l("服务时间")),
        "where": clean_text(data.where, SHORT_MAX, "service_where", _l("服务地点")),
        "for_whom": clean_text(data.for_whom, SHORT_MAX, "service_for_whom", _l("服务对象")),
    }


def _checked(data: CommitmentInput) -> tuple[dict, dict | None, dict | None]:
    """Validate everything before touching a row, so a refusal leaves nothing half-saved."""
    if data.kind not in set(CommitmentKind):
        raise CommitmentError(_l("请选择承诺类型。"), field="kind")
    title = clean_text(data.title, TITLE_MAX, "title", _l("标题"))
    if not title:
        raise CommitmentError(_l("请填写承诺标题。"), field="title")
    fields = {
        "kind": data.kind,
        "title": title,
        "body": clean_text(data.body, TEXT_MAX, "body", _l("承诺内容")),
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
    require_status(
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
