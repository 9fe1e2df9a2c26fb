"""The OpenAPI document at /api/openapi.json, generated from the code.

Each API view documents its operations in a YAML block after `---` in its docstring (apispec's
convention); request and response bodies refer to marshmallow schemas registered with
`@api_schema("Name")`, which also validate and serialise in the views. Every rule under /api/v1
and /open311/v2 appears, so an undocumented endpoint shows up in the document (and its test).
"""

import re

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from apispec.yaml_utils import load_operations_from_docstring
from flask import Blueprint, current_app, jsonify
from marshmallow import Schema, fields

bp = Blueprint("openapi", __name__)

API_PREFIXES = ("/api/v1/", "/open311/v2/")
_schemas: dict[str, type[Schema]] = {}


def api_schema(name: str):
    def register(schema_cls: type[Schema]) -> type[Schema]:
        _schemas[name] = schema_cls
        return schema_cls

    return register


@api_schema("ErrorBody")
class ErrorBody(Schema):
    class ErrorDetail(Schema):
        code = fields.Integer(required=True)
        message = fields.String(required=True)
        detail = fields.Raw()

    error = fields.Nested(ErrorDetail, required=True)


def _openapi_path(rule: str) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def build_spec(app) -> dict:
    spec = APISpec(
        title="共富联盟 API",
        version="1.0.0",
        openapi_version="3.0.3",
        info={
            "description": "Public read API, counter (cashier) API and Open311 GeoReport v2.",
        },
        plugins=[MarshmallowPlugin()],
    )
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    for name, schema in sorted(_schemas.items()):
        # A schema may add what marshmallow cannot say (e.g. "code or verification_id").
        spec.components.schema(name, getattr(schema, "OPENAPI_EXTRA", None), schema=schema)
    spec.components.response(
        "Error",
        {"description": "Error", "content": {"application/json": {"schema": "ErrorBody"}}},
    )
    by_path: dict[str, dict] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.rule.startswith(API_PREFIXES):
            continue
        view = app.view_functions[rule.endpoint]
        documented = load_operations_from_docstring(view.__doc__ or "")
        operations = by_path.setdefault(_openapi_path(rule.rule), {})
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            operation = dict(documented.get(method.lower()) or {})
            operation.setdefault("summary", (view.__doc__ or rule.endpoint).strip().splitlines()[0])
            operation.setdefault("operationId", f"{rule.endpoint}.{method.lower()}")
            operation.setdefault(
                "responses",
                {"200": {"description": "OK"}, "default": {"$ref": "#/components/responses/Error"}},
            )
            params = operation.setdefault("parameters", [])
            named = {p.get("name") for p in params if isinstance(p, dict)}
            for arg in rule.arguments:
                if arg not in named:
                    converter = rule._converters[arg].__class__.__name__
                    schema = (
                        {"type": "integer"}
                        if converter == "IntegerConverter"
                        else {"type": "string"}
                    )
                    params.append({"name": arg, "in": "path", "required": True, "schema": schema})
            operations[method.lower()] = operation
    for path, operations in by_path.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()


@bp.get("/api/openapi.json")
def document():
    """The OpenAPI 3 document describing every /api/v1 and /open311/v2 operation."""
    return jsonify(build_spec(current_app._get_current_object()))
