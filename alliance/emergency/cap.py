"""CAP 1.2 (OASIS Common Alerting Protocol) in and out.

In: the document is parsed with defusedxml (no DTDs, no entities: an XML bomb or an external
entity is refused) and checked against the structure the CAP 1.2 schema requires: the
`urn:oasis:names:tc:emergency:cap:1.2` namespace; `identifier`, `sender`, `sent`, `status`,
`msgType` and `scope` with the schema's values; at least one `info` with `category`, `event`,
`urgency`, `severity` and `certainty` from the schema's enumerations; `sent`/`expires` as
dateTime with a zone offset. No XSD validator is installed (the OASIS schema is not shipped
offline), so these are checked by hand from the schema's required elements and enumerations.

Out: `build_alert` writes a CAP 1.2 document in schema element order.
"""

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from xml.etree import ElementTree as ET

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from alliance.clock import LOCAL_TZ
from alliance.i18n import lazy_gettext as _l

NS = "urn:oasis:names:tc:emergency:cap:1.2"
MEDIA_TYPE = "application/cap+xml"
MAX_BYTES = 256 * 1024

STATUS = ("Actual", "Exercise", "System", "Test", "Draft")
MSG_TYPE = ("Alert", "Update", "Cancel", "Ack", "Error")
SCOPE = ("Public", "Restricted", "Private")
CATEGORY = (
    "Geo", "Met", "Safety", "Security", "Rescue", "Fire", "Health", "Env", "Transport", "Infra",
    "CBRNE", "Other",
)  # fmt: skip
URGENCY = ("Immediate", "Expected", "Future", "Past", "Unknown")
SEVERITY = ("Extreme", "Severe", "Moderate", "Minor", "Unknown")
CERTAINTY = ("Observed", "Likely", "Possible", "Unlikely", "Unknown")
# CAP's dateTime: no fractional seconds, a zone offset ("Z" is not allowed, "-00:00" is UTC).
DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")


class CapError(ValueError):
    def __init__(self, code: str, message):
        super().__init__(str(message))
        self.code = code
        self.message = message


@dataclass
class CapArea:
    desc: str
    geocodes: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class CapInfo:
    categories: list[str]
    event: str
    urgency: str
    severity: str
    certainty: str
    headline: str = ""
    description: str = ""
    instruction: str = ""
    expires: datetime | None = None
    areas: list[CapArea] = field(default_factory=list)


@dataclass
class CapAlert:
    identifier: str
    sender: str
    sent: datetime
    sent_text: str
    status: str
    msg_type: str
    scope: str
    infos: list[CapInfo]

    @property
    def references_text(self) -> str:
        """How CAP `references` names this alert: "sender,identifier,sent"."""
        return f"{self.sender},{self.identifier},{self.sent_text}"


def _q(name: str) -> str:
    return f"{{{NS}}}{name}"


def _text(parent, name: str) -> str:
    node = parent.find(_q(name))
    return (node.text or "").strip() if node is not None else ""


def _required(parent, name: str, where: str) -> str:
    value = _text(parent, name)
    if not value:
        raise CapError(
            "missing_element", _l("CAP 文件缺少必填项 %(where)s/%(name)s。", where=where, name=name)
        )
    return value


def _one_of(value: str, allowed, name: str) -> str:
    if value not in allowed:
        raise CapError(
            "bad_value",
            _l("CAP 文件的 %(name)s 不是 CAP 1.2 允许的值：%(value)s", name=name, value=value[:40]),
        )
    return value


def parse_datetime(text: str, name: str) -> datetime:
    if not DATETIME.match(text):
        raise CapError(
            "bad_value",
            _l("CAP 文件的 %(name)s 不是 CAP 的时间格式：%(value)s", name=name, value=text[:40]),
        )
    return datetime.fromisoformat(text).astimezone(UTC)


def parse_alert(data: bytes) -> CapAlert:
    """A CAP 1.2 alert from bytes, or CapError with the reason (nothing else is done)."""
    if len(data) > MAX_BYTES:
        raise CapError("too_large", _l("CAP 文件太大了。"))
    try:
        root = fromstring(data)
    except DefusedXmlException as exc:
        raise CapError("unsafe_xml", _l("CAP 文件含有不允许的 XML 声明（DTD 或实体）。")) from exc
    except ET.ParseError as exc:
        raise CapError("not_xml", _l("这不是一个 XML 文件。")) from exc
    if root.tag != _q("alert"):
        raise CapError(
            "not_cap12", _l("这不是 CAP 1.2 预警文件（根元素应为 CAP 1.2 命名空间的 alert）。")
        )
    where = "alert"
    alert = CapAlert(
        identifier=_required(root, "identifier", where),
        sender=_required(root, "sender", where),
        sent_text=_required(root, "sent", where),
        sent=datetime.min,
        status=_one_of(_required(root, "status", where), STATUS, "status"),
        msg_type=_one_of(_required(root, "msgType", where), MSG_TYPE, "msgType"),
        scope=_one_of(_required(root, "scope", where), SCOPE, "scope"),
        infos=[],
    )
    alert.sent = parse_datetime(alert.sent_text, "sent")
    for node in root.findall(_q("info")):
        categories = [(c.text or "").strip() for c in node.findall(_q("category"))]
        if not categories:
            raise CapError(
                "missing_element",
                _l("CAP 文件缺少必填项 %(where)s/%(name)s。", where="info", name="category"),
            )
        for c in categories:
            _one_of(c, CATEGORY, "category")
        expires = _text(node, "expires")
        info = CapInfo(
            categories=categories,
            event=_required(node, "event", "info"),
            urgency=_one_of(_required(node, "urgency", "info"), URGENCY, "urgency"),
            severity=_one_of(_required(node, "severity", "info"), SEVERITY, "severity"),
            certainty=_one_of(_required(node, "certainty", "info"), CERTAINTY, "certainty"),
            headline=_text(node, "headline"),
            description=_text(node, "description"),
            instruction=_text(node, "instruction"),
            expires=parse_datetime(expires, "expires") if expires else None,
        )
        for area in node.findall(_q("area")):
            found = CapArea(desc=_required(area, "areaDesc", "area"))
            for code in area.findall(_q("geocode")):
                found.geocodes.append((_text(code, "valueName"), _text(code, "value")))
            info.areas.append(found)
        alert.infos.append(info)
    if not alert.infos:
        raise CapError("no_info", _l("CAP 文件没有 info（预警内容），无法转发。"))
    return alert


def cap_datetime(moment: datetime) -> str:
    """A stored UTC moment as CAP writes it, in Beijing time: 2026-07-12T08:00:00+08:00."""
    return moment.astimezone(LOCAL_TZ).replace(microsecond=0).isoformat()


@dataclass
class OutgoingAlert:
    identifier: str
    sender: str
    sent: datetime
    status: str
    references: str
    category: str
    event: str
    urgency: str
    severity: str
    certainty: str
    headline: str
    description: str
    instruction: str
    expires: datetime | None
    area_desc: str
    geocode: tuple[str, str] | None = None
    language: str = "zh-CN"
    sender_name: str = ""
    note: str = ""


def build_alert(alert: OutgoingAlert) -> bytes:
    """The CAP 1.2 document, elements in the order the schema's sequences require."""
    ET.register_namespace("", NS)
    root = ET.Element(_q("alert"))

    def add(parent, name, value):
        if value:
            ET.SubElement(parent, _q(name)).text = value

    add(root, "identifier", alert.identifier)
    add(root, "sender", alert.sender)
    add(root, "sent", cap_datetime(alert.sent))
    add(root, "status", alert.status)
    add(root, "msgType", "Alert")
    add(root, "scope", "Public")
    add(root, "note", alert.note)
    add(root, "references", alert.references)
    info = ET.SubElement(root, _q("info"))
    add(info, "language", alert.language)
    add(info, "category", alert.category)
    add(info, "event", alert.event)
    add(info, "urgency", alert.urgency)
    add(info, "severity", alert.severity)
    add(info, "certainty", alert.certainty)
    if alert.expires:
        add(info, "expires", cap_datetime(alert.expires))
    add(info, "senderName", alert.sender_name)
    add(info, "headline", alert.headline)
    add(info, "description", alert.description)
    add(info, "instruction", alert.instruction)
    area = ET.SubElement(info, _q("area"))
    add(area, "areaDesc", alert.area_desc)
    if alert.geocode:
        code = ET.SubElement(area, _q("geocode"))
        add(code, "valueName", alert.geocode[0])
        add(code, "value", alert.geocode[1])
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
