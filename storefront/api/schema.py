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
- ``media_types``: the media types of a 200 that is a file rather than JSON (an export).
- ``headers``: other request headers it reads (``If-Match``); ``refs``: models a schema names by
  hand with a ``$ref`` (the bulk offer lines), so that the document carries them.
- Text holding the NUL character is refused everywhere (body, query, path): no column stores it.
- A list's query is a :class:`PageQuery` (``limit``, ``cursor``); a code in a query is read in
  any case with ``AnyCase``.

Responses are still built as dicts by the views (no validation cost on the hot path); the
schemathesis run in the tests (tests/api/test_schemathesis.py) checks that they match what is
declared here, for every operation of the document.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import wraps
from typing import Annotated, Any

from flask import Flask, current_app, request, url_for
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator
from pydantic.json_schema import models_json_schema

from .problems import ApiProblem, json_body

MAX_ID = 2**31 - 1

# Reusable field types.
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Count = Annotated[int, Field(ge=0, le=MAX_ID)]
Cents = Annotated[int, Field(ge=0, le=MAX_ID, description="an amount in minor units (cents)")]


def _upper(value: Any) -> Any:
    return value.strip().upper() if isinstance(value, str) else value


# A code (an enum's value) in a query string, whatever its case: ``type=refund`` is REFUND.
AnyCase = BeforeValidator(_upper)


NUL = "\x00"


def has_nul(value: Any) -> bool:
    """A text (or a list of texts) holding the NUL character, which no column can store
    (PostgreSQL refuses it outright): refused as input like any other invalid value."""
    if isinstance(value, str):
        return NUL in value
    return isinstance(value, list | tuple) and any(isinstance(v, str) and NUL in v for v in value)


def _no_nul(value: Any) -> Any:
    if has_nul(value):
        raise ValueError("text cannot hold the NUL character")
    return value


class Body(BaseModel):
    """A request body: unknown fields refused, values taken as they are (no coercion)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    @field_validator("*", mode="after")
    @classmethod
    def texts_without_nul(cls, value: Any) -> Any:
        """Nested bodies check their own fields; an ``Any`` field's objects are left to the
        model that reads them (a bulk line's)."""
        return _no_nul(value)


class Query(BaseModel):
    """Query parameters: strings from the URL, converted (``limit=20`` is 20); unknown ones are
    ignored, as browsers and proxies add their own."""

    model_config = ConfigDict(extra="ignore")

    @field_validator("*", mode="after")
    @classmethod
    def texts_without_nul(cls, value: Any) -> Any:
        return _no_nul(value)


class PageQuery(Query):
    """The parameters of every cursor-paginated list."""

    limit: int = Field(50, ge=1, le=200, description="items per page")
    cursor: str | None = Field(None, description="next_cursor of the previous page")


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
    refs: tuple[type[BaseModel], ...] = ()  # models a schema names by hand ($ref), for components
    media_types: tuple[str, ...] = ()  # a 200 that is a file (text/csv…) rather than JSON


def operation(*, tag: str, body: type[Body] | None = None, query: type[Query] | None = None,
              responses: dict[int, type[BaseModel] | None] | None = None, summary: str | None = None,
              headers: dict[str, str] | None = None, refs: tuple[type[BaseModel], ...] = (),
              media_types: tuple[str, ...] = ()):
    """Declare a view's shapes; validate its body and query with them (see the module's text)."""

    def decorate(view):
        # Docstrings write code as ``x`` (reStructuredText); the document speaks Markdown: `x`.
        doc = (view.__doc__ or "").strip().replace("``", "`")
        first, _, rest = doc.partition("\n\n")  # the summary: the first paragraph
        op = Operation(
            tag=tag,
            summary=summary or " ".join(first.split()) or view.__name__.replace("_", " "),
            description=" ".join(rest.split()) if summary is None else " ".join(doc.split()),
            body=body,
            query=query,
            responses=responses or {200: None},
            headers=headers or {},
            refs=refs,
            media_types=media_types,
        )

        @wraps(view)
        def validated(*args, **kwargs):
            for name, value in kwargs.items():  # the path's parameters
                if has_nul(value):
                    raise ApiProblem(400, "invalid_parameter", f"{name}: text cannot hold the NUL "
                                     "character", field=name)
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
    """Every error, unknown fields first: ``{"text": …}`` for ``{"body": …}`` is named as the
    typo it is rather than as the missing field it causes."""
    found = sorted(error.errors(include_url=False), key=lambda e: e["type"] != "extra_forbidden")
    return [{"field": _field_of(e), "detail": e["msg"]} for e in found]


def parse_body(model: type[Body], data: Any = None) -> Body:
    """The request's JSON (or ``data``) as ``model``; a 422 problem naming the first bad field.
    A model whose fields are all optional takes an empty body as ``{}``.

    Validated in pydantic's JSON mode: strict as JSON is (``"3"`` is not ``3``, ``1.5`` is not a
    whole number, ``2.0`` is one, as JSON Schema says) while a date or an enum's value, which JSON can only carry as strings, is
    taken from its string."""
    if data is None:
        required = any(info.is_required() for info in model.model_fields.values())
        data = json_body(required=required)
    try:
        return model.model_validate_json(json.dumps(whole_numbers(data)))
    except ValidationError as error:
        errors = _errors(error)
        raise ApiProblem(422, "invalid_value", f"{errors[0]['field']}: {errors[0]['detail']}",
                         field=errors[0]["field"], errors=errors) from None


def whole_numbers(value: Any) -> Any:
    """``value`` with every integral number as an int: JSON Schema, which the document speaks,
    counts ``2.0`` as the integer 2 (``2.5`` stays a float, refused where a whole number goes)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: whole_numbers(item) for key, item in value.items()}
    if isinstance(value, list):
        return [whole_numbers(item) for item in value]
    return value


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


def _query_parameters(model: type[Query], components: dict) -> list[dict]:
    """The model's fields as query parameters; the enums they name go to ``components``. An
    optional parameter is one left out, never ``null`` (a query string has no null)."""
    schemas = model.model_json_schema(ref_template="#/components/schemas/{model}")
    components.update(schemas.pop("$defs", {}))
    parameters = []
    for name, info in model.model_fields.items():
        schema = dict(schemas["properties"][name])
        branches = schema.get("anyOf")
        if branches and {"type": "null"} in branches:
            kept = [branch for branch in branches if branch != {"type": "null"}]
            del schema["anyOf"]
            schema.update(kept[0] if len(kept) == 1 else {"anyOf": kept})
            if schema.get("default", ...) is None:
                del schema["default"]
        parameter = {"name": name, "in": "query", "required": info.is_required(), "schema": schema}
        if info.description:
            parameter["description"] = info.description
        parameters.append(parameter)
    return parameters


def build_document(app: Flask, token_url: str = "/oauth/token") -> dict:
    """The OpenAPI 3.1 document of every ``api.`` view declared with :func:`operation`.
    ``token_url`` must be absolute in a served document (OpenAPI 3.1 asks for a URL there)."""
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
        models.update(op.refs)
    ordered = sorted(models, key=lambda m: m.__name__)
    _, definitions = models_json_schema(
        [(m, "validation" if issubclass(m, Body) else "serialization") for m in ordered],
        ref_template="#/components/schemas/{model}",
    )
    components = definitions.get("$defs", {})
    renamed = [m.__qualname__ for m in ordered if m.__name__ not in components]
    if renamed:  # two models of one name: pydantic renamed them and our $refs would miss
        raise RuntimeError(f"API models need unique names: {', '.join(renamed)}")

    def ref(model):
        return {"$ref": f"#/components/schemas/{model.__name__}"}

    problem = {"description": "A problem (RFC 9457)",
               "content": {PROBLEM_MEDIA_TYPE: {"schema": ref(Problem)}}}
    paths: dict[str, dict] = {}
    for rule, endpoint, op, scope, idempotent in sorted(found, key=lambda f: f[0].rule):
        path, parameters = _path_and_parameters(rule)
        if op.query is not None:
            parameters += _query_parameters(op.query, components)
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
            elif status == 200 and op.media_types:  # a file: its media types, no JSON schema
                answer["content"] = {media_type: {"schema": {"type": "string"}}
                                     for media_type in op.media_types}
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

    _say_no_nul(paths)
    _say_no_nul(components)
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
            "securitySchemes": {"oauth2": _oauth2(token_url, SCOPES)},
        },
    }


NO_NUL = "^[^\\u0000]*$"


def _say_no_nul(node: Any) -> None:
    """Every free text of the document says it holds no NUL character, as the validation (and
    every column) requires: a client, or schemathesis, reads it from the document. Codes (enums,
    constants) and dates say enough already; a text with a pattern of its own adds a ``not``."""
    if isinstance(node, dict):
        if node.get("type") == "string" and not node.keys() & {"enum", "const", "format"}:
            if "pattern" not in node:
                node["pattern"] = NO_NUL
            elif node["pattern"] != NO_NUL:
                node.setdefault("not", {"pattern": "\\u0000"})
        for value in node.values():
            _say_no_nul(value)
    elif isinstance(node, list):
        for value in node:
            _say_no_nul(value)


def _oauth2(token_url: str, scopes) -> dict:
    return {
        "type": "oauth2",
        "flows": {"clientCredentials": {
            "tokenUrl": token_url,
            "scopes": {scope: scope.replace(":", " ") for scope in scopes},
        }},
    }


_STATUS_WORDS = {200: "OK", 201: "Created", 202: "Accepted", 204: "No content"}


def document() -> dict:
    """The document of the running app, built once per process; the token URL is this request's
    host's (the same app may be reached by several names)."""
    from storefront.marketplace.api_clients import SCOPES

    cached = current_app.extensions.get("api_openapi")
    if cached is None:
        cached = current_app.extensions["api_openapi"] = build_document(current_app)
    token_url = url_for("oauth.token", _external=True)
    components = {**cached["components"], "securitySchemes": {"oauth2": _oauth2(token_url, SCOPES)}}
    return {**cached, "components": components}
