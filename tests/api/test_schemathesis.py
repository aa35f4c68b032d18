"""Schemathesis against the live app, from its own OpenAPI document: every operation the document
lists (the domains merged later included, with nothing to add here), with a seller client and an
operator client holding every scope, over a shop with placed orders and a conversation.

Each operation gets valid requests (positive) and invalid ones (negative). Zero failures: no 5xx,
every status and content type documented, every body matching its schema, invalid input
refused, and no valid request refused by the declared validation (``shapes_accepted`` below).

``positive_data_acceptance`` is left out on purpose: a request of the right shape can still be
refused by a rule the document cannot express (an unknown carrier, a price drop to confirm, a
cursor that was never issued), with a 4xx that the other checks still judge.
Hypothesis runs derandomized, without its example database, so that CI sees the same requests
every time.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from storefront.marketplace import discussions, orders
from storefront.marketplace.api_clients import SCOPES
from storefront.marketplace.models import ActorRole
from tests.api.test_api_orders import client_for, live, token_of  # noqa: F401
from tests.order_fixtures import build_people, part_of, place

EXAMPLES = 10  # per operation and per mode: under a minute per client on SQLite


def shapes_accepted(ctx, response, case):
    """A valid request is never refused by the validation of the declared shapes: a 422/400
    carrying pydantic's ``errors`` means the document and the validation disagree."""
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return None
    if response.headers.get("content-type", [""])[0] != "application/problem+json":
        return None
    body = response.json()
    if "errors" in body:
        raise AssertionError(f"a request the document allows was refused: {body}")
    return None


CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance, response_headers_conformance, negative_data_rejection,
          ignored_auth, shapes_accepted]


@pytest.fixture
def shop(session):
    """Demo-like data: the shop's sellers, two placed orders (one accepted) and a conversation."""
    people = build_people(session)
    offers = people.shop.offers
    first = place(session, people.customer, (offers["alpha"], 1), (offers["beta"], 1))
    second = place(session, people.customer, (offers["alpha"], 2))
    orders.accept(session, part_of(second, people.shop.alpha), actor_role=ActorRole.SELLER)
    discussions.open_thread(session, people.customer, people.shop.alpha, "WHERE_IS_MY_ORDER",
                            "Bonjour, où en est mon colis ?", seller_order=part_of(first, people.shop.alpha))
    session.commit()
    return people


@pytest.mark.parametrize("role", ["seller", "operator"])
def test_every_operation_holds_to_the_document(app, session, live, shop, monkeypatch, role):  # noqa: F811
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", "100000 per minute")  # not what is tested here
    seller = shop.shop.alpha if role == "seller" else None
    token = token_of(live, *client_for(session, seller, " ".join(SCOPES)))
    headers = {"Authorization": f"Bearer {token}"}
    schema = schemathesis.openapi.from_url(f"{live}/api/v1/openapi.json")
    schema.config.checks.negative_data_rejection.expected_statuses.append("413")  # bulk over 1,000

    failures, operations = [], 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            @settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
                      phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
            @given(case=operation.as_strategy(generation_mode=mode))
            def run(case):
                case.call_and_validate(base_url=live, headers=headers, checks=CHECKS)

            try:
                run()
            except Unsatisfiable:
                assert mode == GenerationMode.NEGATIVE, f"{operation.label}: no valid request"
                continue  # nothing in the operation can be made invalid (e.g. no parameters)
            except Exception as error:  # noqa: BLE001  (every operation's failure, reported at once)
                failures.append(f"{operation.label} ({mode}): {error}")
    views = sum(len(rule.methods - {"HEAD", "OPTIONS"}) for rule in app.url_map.iter_rules()
                if rule.endpoint.startswith("api.") and rule.endpoint != "api.openapi")
    assert operations == views, "every view of the API was run"
    assert failures == [], "\n\n".join(failures)
