"""Open311 responses: JSON or XML as the spec maps them, errors, the jurisdiction, the doc helpers."""

import json
from datetime import datetime
from xml.etree.ElementTree import Element, SubElement, tostring

from flask import Response, request
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from alliance import clock
from alliance.communities.models import Community
from alliance.extensions import db

FORMATS = ("json", "xml")

# XML element names for the items of each list (the spec's singular forms).
XML_ITEMS = {
    "services": "service",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "errors": "error",
    "service_requests": "request",
}


class Open311Error(Exception):
    def __init__(self, status: int, description: str):
        super().__init__(description)
        self.status = status
        self.description = description


def _fmt() -> str:
    fmt = (request.view_args or {}).get("fmt", "json")
    return fmt if fmt in FORMATS else "json"


def _xml_value(parent: Element, tag: str, value) -> None:
    node = SubElement(parent, tag)
    if isinstance(value, list):
        item_tag = XML_ITEMS.get(tag, "item")
        for item in value:
            _xml_value(node, item_tag, item)
    elif isinstance(value, dict):
        for key, inner in value.items():
            _xml_value(node, key, inner)
    elif isinstance(value, bool):
        node.text = "true" if value else "false"
    elif value is not None:
        node.text = str(value)


def render(root: str, payload, status: int = 200) -> Response:
    """JSON as the spec's Spark convention maps it; XML with the root element named `root`."""
    if _fmt() == "xml":
        top = Element(root)
        if isinstance(payload, list):
            for item in payload:
                _xml_value(top, XML_ITEMS.get(root, "item"), item)
        else:
            for key, value in payload.items():
                _xml_value(top, key, value)
        body = b'<?xml version="1.0" encoding="utf-8"?>\n' + tostring(
            top, encoding="utf-8", xml_declaration=False
        )
        return Response(body, status=status, content_type="text/xml; charset=utf-8")
    body = json.dumps(payload, ensure_ascii=False)
    return Response(body, status=status, content_type="application/json; charset=utf-8")


def error_response(status: int, description: str) -> Response:
    return render("errors", [{"code": status, "description": description}], status)


def check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise Open311Error(404, _("不支持的格式：请用 .json 或 .xml。"))


def jurisdiction() -> Community:
    code = (request.values.get("jurisdiction_id") or "").strip()
    if not code:
        only = db.session.scalars(select(Community).order_by(Community.id).limit(2)).all()
        if len(only) == 1:
            return only[0]
        raise Open311Error(400, _("缺少 jurisdiction_id（社区编码，见 /api/v1/communities）。"))
    community = db.session.scalars(
        select(Community)
        .where(Community.code == code.upper())
        .options(joinedload(Community.street_office))
    ).first()
    if community is None:
        raise Open311Error(404, _("找不到 jurisdiction_id「%(code)s」。", code=code[:40]))
    return community


def w3(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(clock.LOCAL_TZ).isoformat(timespec="seconds")


FMT_PARAM = """
      - name: fmt
        in: path
        required: true
        description: response format
        schema: {type: string, enum: [json, xml]}"""
JURISDICTION_PARAM = """
      - name: jurisdiction_id
        in: query
        required: true
        description: "community code (see /api/v1/communities); may be left out only while the
          platform has a single community"
        schema: {type: string, minLength: 1, maxLength: 16, pattern: "^[A-Za-z0-9_-]+$"}"""


def doc(text: str) -> str:
    return text.replace("{FMT}", FMT_PARAM).replace("{JURISDICTION}", JURISDICTION_PARAM)
