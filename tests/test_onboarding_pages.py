"""/vendre: a company applies (and is told what is wrong, with what it typed kept), receives the
emails on a real SMTP server, and completes its application from the operator's link."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from storefront.marketplace import onboarding
from storefront.marketplace.models import ApplicationState, Role, SellerApplication
from tests import email_fixtures, factories
from tests import onboarding_fixtures as files
from tests.order_fixtures import Visitor, html_text

smtp_server = email_fixtures.smtp_server  # the fixture, for this module's tests
pytestmark = pytest.mark.usefixtures("fresh_rate_limits")


@pytest.fixture
def kyc(app, tmp_path):
    previous = app.config["KYC_STORAGE_DIR"]
    app.config["KYC_STORAGE_DIR"] = str(tmp_path / "kyc")
    yield tmp_path / "kyc"
    app.config["KYC_STORAGE_DIR"] = previous


@pytest.fixture
def visitor(client, session, kyc):
    files.categories(session)
    return Visitor(client)


def form(**changes) -> dict:
    """The form's fields as a browser sends them; ``document_X=None`` leaves a file out."""
    data = files.answers().__dict__ | {
        "document_IDENTITY": (io.BytesIO(files.jpeg()), "id.jpg"),
        "document_KBIS": (io.BytesIO(files.pdf()), "kbis.pdf"),
        "document_BANK": (io.BytesIO(files.png()), "rib.png"),
    } | changes
    return {key: value for key, value in data.items() if value is not None}


def post_big(visitor, path: str, data: dict):
    """Post a large multipart body encoded here, in memory: the test client would spool it to
    a temporary file that it never closes (a ResourceWarning, an error in this suite)."""
    data.add("csrf_token", visitor.token())
    boundary, body = encode_multipart(data)
    return visitor.client.post(path, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def as_storage(data: dict) -> dict:
    from werkzeug.datastructures import MultiDict

    fields = MultiDict()
    for key, value in data.items():
        if isinstance(value, tuple):
            fields.add(key, FileStorage(value[0], filename=value[1]))
        elif isinstance(value, list):
            for item in value:
                fields.add(key, item)
        else:
            fields.add(key, value)
    return fields


def stored(kyc) -> list[str]:
    return sorted(p.name for p in kyc.iterdir()) if kyc.exists() else []


def applications(session) -> int:
    return session.scalar(select(func.count(SellerApplication.id)))


def test_the_footer_links_to_the_form(visitor):
    assert 'href="/vendre"' in visitor.page("/")
    page = visitor.page("/vendre")
    assert 'enctype="multipart/form-data"' in page and 'value="appliances"' in page
    assert "Sell on Storefront" in page


def test_the_form_is_in_french_for_a_french_visitor(client, session, kyc):
    files.categories(session)
    page = client.get("/vendre", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "Vendre sur Storefront" in page and "Envoyer ma candidature" in page


def test_a_company_applies_and_receives_the_acknowledgement(visitor, session, kyc, smtp_server):
    response = visitor.post("/vendre", form(), content_type="multipart/form-data")
    assert response.status_code == 302 and response.location == "/vendre/merci"
    assert "application is sent" in visitor.page("/vendre/merci")
    application = session.scalar(select(SellerApplication))
    assert application.state == ApplicationState.SUBMITTED and application.locale == "en"
    assert len(stored(kyc)) == 3
    [message] = smtp_server.messages
    assert message["To"] == "helene@epicerie.example.com"
    assert message["Subject"] == "We have received your application to sell on Storefront"


def test_wrong_answers_come_back_with_what_was_typed(visitor, session, kyc):
    response = visitor.post("/vendre", form(
        siret="7328 2932 0000 75", iban="FR14 0000", legal_name='Zoé <b>&</b> "Cie"',
        document_IDENTITY=(io.BytesIO(files.exe()), "id.pdf"), document_BANK=None,
    ), content_type="multipart/form-data")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'value="7328 2932 0000 75"' in page and 'value="Zoé &lt;b&gt;&amp;&lt;/b&gt; &#34;Cie&#34;"' in page
    assert 'value="home" checked' in page or re.search(r'checked[^>]*value="home"', page)
    text = html_text(page)
    assert "This SIRET is not valid" in text and "This IBAN is not valid" in text
    assert "Only PDF, PNG or JPEG files are accepted" in text  # the program named .pdf
    assert "Attach this document." in text  # the bank proof, never sent
    assert "Attach this file again" in text  # the Kbis was fine, but files are not kept
    assert applications(session) == 0 and stored(kyc) == []


@pytest.mark.parametrize(("document", "message"), [
    ((files.svg(), "kbis.svg"), "Only PDF, PNG or JPEG files are accepted"),
    ((files.zip_bomb(), "kbis.pdf"), "Only PDF, PNG or JPEG files are accepted"),
    ((files.png_bomb(), "kbis.png"), "too many pixels"),
    ((files.pdf() + b"0" * (5 * 1024 * 1024), "kbis.pdf"), "larger than 5 MB"),
])
def test_hostile_documents_are_refused_with_a_message(visitor, session, kyc, document, message):
    data, name = document
    response = post_big(visitor, "/vendre", as_storage(form(document_KBIS=(io.BytesIO(data), name))))
    assert response.status_code == 422 and message in html_text(response.get_data(as_text=True))
    assert applications(session) == 0 and stored(kyc) == []


def test_a_png_labelled_pdf_is_taken_for_what_it_is(visitor, session, kyc):
    response = visitor.post("/vendre", form(document_KBIS=(io.BytesIO(files.png()), "kbis.pdf")),
                            content_type="multipart/form-data")
    assert response.status_code == 302
    kbis = next(d for d in session.scalar(select(SellerApplication)).documents if d.kind == "KBIS")
    assert kbis.content_type == "image/png" and kbis.stored_name.endswith(".png")


def test_a_request_too_large_is_refused_before_it_is_read(visitor, session, kyc):
    huge = b"%PDF-" + b"0" * (16 * 1024 * 1024 + 10)
    response = post_big(visitor, "/vendre", as_storage(form(document_KBIS=(io.BytesIO(huge), "kbis.pdf"))))
    assert response.status_code == 413 and "too large" in response.get_data(as_text=True)
    assert applications(session) == 0


def test_nothing_typed_crashes_the_form(visitor, session, kyc):
    response = visitor.post("/vendre", {"shop_name": "\0" * 10, "siret": "9" * 500, "country": "ZZ",
                                        "categories": ["\0", "x" * 1000], "iban": "€" * 100})
    assert response.status_code == 422
    assert visitor.client.post("/vendre", data={}).status_code in (400, 422)  # no CSRF token


def test_the_operators_link_opens_the_form_prefilled_then_works_once(app, visitor, session, kyc, smtp_server):
    application = onboarding.submit(session, files.answers(), files.documents(), storage_dir=kyc)
    operator = factories.user(session, Role.OPERATOR)
    onboarding.ask_for_information(session, operator, application, "Merci d'envoyer un Kbis récent.",
                                   secret_key=app.secret_key)
    bodies = [m.get_body(preferencelist=("plain",)).get_content() for m in smtp_server.messages]
    text = next(body for body in bodies if "/vendre/completer/" in body)  # in French, as it applied
    assert "Merci d'envoyer un Kbis récent." in text
    path = "/" + re.search(r"https?://\S+/vendre/completer/\S+", text).group(0).split("/", 3)[3]
    opened = visitor.get(path)
    assert opened.headers["Cache-Control"] == "no-store" and opened.headers["Referrer-Policy"] == "no-referrer"
    page = opened.get_data(as_text=True)
    assert 'value="Belle Épicerie SAS"' in page and "Merci d&#39;envoyer un Kbis récent." in page
    assert "kbis.pdf" in page  # the documents already received

    data = form(city="Villeurbanne", document_IDENTITY=None, document_BANK=None)
    response = visitor.post(path, data, content_type="multipart/form-data")
    assert response.status_code == 302 and response.location == "/vendre/merci"
    session.expire_all()
    assert application.state == ApplicationState.SUBMITTED and application.city == "Villeurbanne"
    assert len(stored(kyc)) == 3
    again = visitor.get(path)
    assert again.status_code == 410 and "no longer works" in again.get_data(as_text=True)
    assert visitor.get(path[:-4] + "abcd").status_code == 410
