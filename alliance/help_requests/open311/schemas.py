"""The Open311 documentation schemas (the OpenAPI document's components for /open311/v2/)."""

from marshmallow import Schema, fields

from alliance.api.openapi import api_schema


@api_schema("Open311Error")
class Open311ErrorSchema(Schema):
    code = fields.Integer(required=True)
    description = fields.String(required=True)


@api_schema("Open311Service")
class Open311ServiceSchema(Schema):
    service_code = fields.String(required=True)
    service_name = fields.String(required=True)
    description = fields.String()
    metadata = fields.Boolean()
    type = fields.String(metadata={"enum": ["realtime", "batch", "blackbox"]})
    keywords = fields.String()
    group = fields.String()


class Open311ValueSchema(Schema):
    key = fields.String()
    name = fields.String()


@api_schema("Open311Attribute")
class Open311AttributeSchema(Schema):
    variable = fields.Boolean()
    code = fields.String()
    datatype = fields.String()
    required = fields.Boolean()
    datatype_description = fields.String(allow_none=True)
    order = fields.Integer()
    description = fields.String()
    values = fields.List(fields.Nested(Open311ValueSchema))


@api_schema("Open311ServiceDefinition")
class Open311DefinitionSchema(Schema):
    service_code = fields.String()
    attributes = fields.List(fields.Nested(Open311AttributeSchema))


@api_schema("Open311ServiceRequest")
class Open311RequestSchema(Schema):
    service_request_id = fields.Integer()
    status = fields.String(metadata={"enum": ["open", "closed"]})
    status_notes = fields.String(allow_none=True)
    service_name = fields.String()
    service_code = fields.String()
    description = fields.String(allow_none=True)
    agency_responsible = fields.String(allow_none=True)
    service_notice = fields.String(allow_none=True)
    requested_datetime = fields.String()
    updated_datetime = fields.String()
    expected_datetime = fields.String(allow_none=True)
    address = fields.String(allow_none=True)
    address_id = fields.String(allow_none=True)
    zipcode = fields.String(allow_none=True)
    lat = fields.Float(allow_none=True)
    long = fields.Float(allow_none=True)
    media_url = fields.String(allow_none=True)


@api_schema("Open311CreatedRequest")
class Open311CreatedSchema(Schema):
    service_request_id = fields.Integer()
    service_notice = fields.String(allow_none=True)
    account_id = fields.String(allow_none=True)


@api_schema("Open311Token")
class Open311TokenSchema(Schema):
    service_request_id = fields.Integer()
    token = fields.String()


@api_schema("CommunityPublic")
class CommunitySchema(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    district = fields.String()
    street_office = fields.Dict()
