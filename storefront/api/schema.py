"""The API's request and response shapes, declared once as pydantic models, used both to
validate requests and to write the OpenAPI 3.1 document (``/api/v1/openapi.json``).

Why pydantic models and this small registry rather than apiflask, flask-smorest or spectree:
the API already has its own blueprint, OAuth decorator, problem+json errors, cursors and
idempotency; those libraries each bring their own error format, their own auth hooks and
docs pages served from a CDN. Pydantic (well kept, fast, JSON Schema 2020-12, which OpenAPI 3.1
uses as is) gives the schemas and the validation; what is left to write is the few lines below
that put each view's models in the document.

A view declares itself with :func:`operation`, innermost (under ``require_scope`` and
``idempotent``, so that a caller is authenticated before its body is judged)::

    @bp.post("/orders/<number>/accept")
    @require_scope("orders:write")
    @idempotent
    @operation(tag="orders", body=AcceptBody, responses={200: OrderDetail})
    def accept_order(number, caller, body: AcceptBody): ...

- ``body``: a :class:`Body` model; the JSON is validated (unknown fields refused, no coercion:
  ``"3"`` is not ``3``) and the view receives the model as ``body``. A wrong value is a 422
  ``invalid_value`` problem naming the field (``lines.0.quantity``), every error in ``errors``.
- ``query``: a :class:`Query` model; the view receives it as ``query``. A wrong value is a 400
  ``invalid_parameter`` naming the parameter.
- ``responses``: status → model (or None for no body). Every operation also documents its
  problems (``default``: problem+json), its scope (from ``require_scope``) and, when it is
  ``idempotent``, the ``Idempotency-Key`` header.

Responses are still built as dicts by the views (no validation cost on the hot path); the
schemathesis run in the tests checks that they match what is declared here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import wraps
from typing import Annotated, Any

from flask import Flask, current_app, request
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic.json_schema import models_json_schema

from .problems import ApiProblem, json_body

MAX_ID = 2**31 - 1

# Reusable field types.
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Count = Annotated[int, Field(ge=0, le=MAX_ID)]
Cents = Annotated[int, Field(ge=0, le=MAX_ID, description="an amount in minor units (cents)")]


class Body(BaseModel):
    """A request body: unknown fields refused, values taken as they are (no coercion)."""

    model_config = ConfigDict(extra="forbid", strict=True)


class Query(BaseModel):
    """Query parameters: strings from the URL, converted (``limit=20`` is 20); unknown ones are
    ignored, as browsers and proxies add their own."""

    model_config = ConfigDict(extra="ignore")


class Out(BaseModel):
    """A response shape, for the document only (views build dicts)."""

    model_config = ConfigDict(extra="forbid")


class Money(Out):
    amount: int = Field(description="in minor units (cents)")
    currency: str = Field(examples=["EUR"])


class Problem(BaseModel):
    """RFC 9457 problem details, with the offending ``field`` and the service's ``reason``."""

    model_config = ConfigDict(extra="allow")
    type: str = Field(examples=["/api/problems/invalid_value"])
    title: str
    status: int
    detail: str
    field: str | None = None
    reason: str | None = None


@dataclass
class Operation:
    tag: str
    summary: str
    description: str
    body: type[Body] | None
    query: type[Query] | None
    responses: dict[int, type[BaseModel] | None]
    headers: dict[str, str] = field(default_factory=dict)  # request headers: name → description


def operation(*, tag: str, body: type[Body] | None = None, query: type[Query] | None = None,
              responses: dict[int, type[BaseModel] | None] | None = None, summary: str | None = None,
              headers: dict[str, str] | None = None):
    """Declare a view's shapes; validate its body and query with them (see the module's text)."""

    def decorate(view):
        doc = (view.__doc__ or "").strip()
        first, _, rest = doc.partition("\n")
        op = Operation(
            tag=tag,
            summary=summary or first.strip() or view.__name__.replace("_", " "),
            description=" ".join(rest.split()) if summary is None else " ".join(doc.split()),
            body=body,
            query=query,
            responses=responses or {200: None},
            headers=headers or {},
        )

        @wraps(view)
        def validated(*args, **kwargs):
            if query is not None:
                kwargs["query"] = parse_query(query)
            if body is not None:
                kwargs["body"] = parse_body(body)
            return view(*args, **kwargs)

        validated.api_operation = op  # functools.wraps carries it up through the other decorators
        return validated

    return decorate


def _field_of(error: dict) -> str:
    return ".".join(str(part) for part in error["loc"]) or "body"


def _errors(error: ValidationError) -> list[dict]:
    return [{"field": _field_of(e), "detail": e["msg"]} for e in error.errors(include_url=False)]


def parse_body(model: type[Body], data: Any = None) -> Body:
    """The request's JSON (or ``data``) as ``model``; a 422 problem naming the first bad field.
    A model whose fields are all optional takes an empty body as ``{}``."""
    if data is None:
        required = any(info.is_required() for info in model.model_fields.values())
        data = json_body(required=required)
    try:
        return model.model_validate(data)
    except ValidationError as error:
        errors = _errors(error)
        raise ApiProblem(422, "invalid_value", f"{errors[0]['field']}: {errors[0]['detail']}",
                         field=errors[0]["field"], errors=errors) from None


def parse_query(model: type[Query]) -> Query:
    """The query string as ``model``; a 400 problem naming the first bad parameter."""
    values = {name: request.args.get(name) for name in model.model_fields if name in request.args}
    try:
        return model.model_validate(values)
    except ValidationError as error:
        errors = _errors(error)
        raise ApiProblem(400, "invalid_parameter", f"{errors[0]['field']}: {errors[0]['detail']}",
                         field=errors[0]["field"], errors=errors) from None


# -- the document ------------------------------------------------------------------------------------

_CONVERTER = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")  # <int(max=…):id> too
PROBLEM_MEDIA_TYPE = "application/problem+json"


def _path_and_parameters(rule) -> tuple[str, list[dict]]:
    parameters = []
    for converter, name in _CONVERTER.findall(rule.rule):
        schema = ({"type": "integer", "minimum": 0, "maximum": MAX_ID} if converter == "int"
                  else {"type": "string", "minLength": 1})
        parameters.append({"name": name, "in": "path", "required": True, "schema": schema})
    path = _CONVERTER.sub(lambda m: "{" + m.group(2) + "}", rule.rule)
    return path, parameters


def _query_parameters(model: type[Query], schemas: dict) -> list[dict]:
    parameters = []
    for name, info in model.model_fields.items():
        schema = schemas["properties"][name]
        parameter = {"name": name, "in": "query", "required": info.is_required(), "schema": schema}
        if info.description:
            parameter["description"] = info.description
        parameters.append(parameter)
    return parameters


def build_document(app: Flask) -> dict:
    """The OpenAPI 3.1 document of every ``api.`` view declared with :func:`operation`."""
    from storefront.marketplace.api_clients import SCOPES

    found: list[tuple[Any, str, Operation, str | None, bool]] = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("api."):
            continue
        view = app.view_functions[rule.endpoint]
        op = getattr(view, "api_operation", None)
        if op is None:
            continue
        found.append((rule, rule.endpoint, op, getattr(view, "api_scope", None),
                      getattr(view, "api_idempotent", False)))

    models: set[type[BaseModel]] = {Problem}
    for _rule, _endpoint, op, _scope, _idem in found:
        models.update(m for m in op.responses.values() if m is not None)
        if op.body is not None:
            models.add(op.body)
    ordered = sorted(models, key=lambda m: m.__name__)
    _, definitions = models_json_schema(
        [(m, "validation" if issubclass(m, Body) else "serialization") for m in ordered],
        ref_template="#/components/schemas/{model}",
    )
    components = definitions.get("$defs", {})

    def ref(model):
        return {"$ref": f"#/components/schemas/{model.__name__}"}

    problem = {"description": "A problem (RFC 9457)",
               "content": {PROBLEM_MEDIA_TYPE: {"schema": ref(Problem)}}}
    paths: dict[str, dict] = {}
    for rule, endpoint, op, scope, idempotent in sorted(found, key=lambda f: f[0].rule):
        path, parameters = _path_and_parameters(rule)
        if op.query is not None:
            parameters += _query_parameters(op.query, op.query.model_json_schema())
        if idempotent:
            parameters.append({
                "name": "Idempotency-Key", "in": "header", "required": False,
                "schema": {"type": "string", "minLength": 1, "maxLength": 255},
                "description": "Send the same key to retry safely: the first answer comes back.",
            })
        for name, description in op.headers.items():
            parameters.append({"name": name, "in": "header", "required": False,
                               "schema": {"type": "string"}, "description": description})
        responses: dict[str, Any] = {}
        for status, model in sorted(op.responses.items()):
            answer: dict[str, Any] = {"description": _STATUS_WORDS.get(status, "OK")}
            if model is not None:
                answer["content"] = {"application/json": {"schema": ref(model)}}
            responses[str(status)] = answer
        responses["default"] = problem
        document = {
            "operationId": endpoint.removeprefix("api."),
            "tags": [op.tag],
            "summary": op.summary,
            "parameters": parameters,
            "responses": responses,
        }
        if op.description:
            document["description"] = op.description
        if scope:
            document["security"] = [{"oauth2": [scope]}]
        if op.body is not None:
            required = any(info.is_required() for info in op.body.model_fields.values())
            document["requestBody"] = {"required": required,
                                       "content": {"application/json": {"schema": ref(op.body)}}}
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = document

    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Storefront marketplace API",
            "version": "1",
            "description": "The marketplace's eight domains for sellers' and the operator's "
                           "systems. Guide: docs/api.md.",
        },
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {
                "oauth2": {
                    "type": "oauth2",
                    "flows": {"clientCredentials": {
                        "tokenUrl": "/oauth/token",
                        "scopes": {scope: scope.replace(":", " ") for scope in SCOPES},
                    }},
                },
            },
        },
    }


_STATUS_WORDS = {200: "OK", 201: "Created", 202: "Accepted", 204: "No content"}


def document() -> dict:
    """The document of the running app, built once per process."""
    cached = current_app.extensions.get("api_openapi")
    if cached is None:
        cached = current_app.extensions["api_openapi"] = build_document(current_app)
    return cached
