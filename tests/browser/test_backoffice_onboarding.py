"""A company applies to sell (French), with its documents; the operator asks for more; the company
follows the emailed link, completes and sends again; the operator approves; the new seller's
admin opens the invitation email, chooses a password, lands in the seller portal and lists an offer
that shows on the product page. Emails are
received on a real SMTP server; screenshots at 1280 and 390 px of the form, the list and the
detail."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests import email_fixtures, order_fixtures
from tests import onboarding_fixtures as files
from tests.browser.screens import assert_french, shoot
from tests.browser.test_seller_journey import log_in, wait_for_mail

pytestmark = pytest.mark.browser
people = order_fixtures.people  # the fixtures, for this module's tests
smtp_server = email_fixtures.smtp_server
CONTACT = "helene@epicerie.example.com"
NEW_PASSWORD = "une phrase de passe solide"


@pytest.fixture
def kyc(app, tmp_path):
    previous = app.config["KYC_STORAGE_DIR"]
    app.config["KYC_STORAGE_DIR"] = str(tmp_path / "kyc")
    yield tmp_path / "kyc"
    app.config["KYC_STORAGE_DIR"] = previous


def attach(page, field: str, name: str, mime: str, data: bytes) -> None:
    page.locator(f"#{field}").set_input_files(files=[{"name": name, "mimeType": mime, "buffer": data}])


def link_in(message, pattern: str) -> str:
    text = message.get_body(("plain",)).get_content()
    return re.search(pattern, text).group(0)


def log_out(page) -> None:
    page.get_by_test_id("logout").click()
    expect(page.get_by_test_id("logout")).to_have_count(0)


def test_a_company_applies_is_asked_for_more_is_approved_and_opens_its_portal(
    live_server, browser_page, session, people, smtp_server, kyc,
):
    files.categories(session)
    page = browser_page

    # The company finds the form in the shop's footer.
    page.goto(live_server + "/")
    page.get_by_test_id("sell-link").click()
    expect(page.get_by_role("heading", name="Vendre sur Storefront")).to_be_visible()
    answers = files.answers()
    for name in ("shop_name", "legal_name", "vat_number", "address", "postal_code", "city",
                 "contact_name", "contact_email", "contact_phone", "iban"):
        page.locator(f"#{name}").fill(getattr(answers, name))
    page.locator("#siret").fill("732 829 320 00075")  # a typo in the last digit
    page.get_by_label("Maison").check()
    attach(page, "document_IDENTITY", "identite.jpg", "image/jpeg", files.jpeg())
    attach(page, "document_KBIS", "kbis.pdf", "application/pdf", files.pdf())
    attach(page, "document_BANK", "rib.png", "image/png", files.png())
    assert_french(page)
    shoot(page, "onboarding-apply")
    page.get_by_test_id("apply-submit").click()

    # Told what is wrong, with what was typed kept; the files must be attached again.
    expect(page.get_by_test_id("error-siret")).to_contain_text("Ce SIRET n’est pas valide")
    expect(page.locator("#legal_name")).to_have_value("Belle Épicerie SAS")
    expect(page.get_by_test_id("error-document_KBIS")).to_contain_text("Joignez de nouveau ce fichier")
    shoot(page, "onboarding-apply-errors")
    page.locator("#siret").fill("732 829 320 00074")
    attach(page, "document_IDENTITY", "identite.jpg", "image/jpeg", files.jpeg())
    attach(page, "document_KBIS", "kbis-ancien.pdf", "application/pdf", files.pdf())
    attach(page, "document_BANK", "rib.png", "image/png", files.png())
    page.get_by_test_id("apply-submit").click()
    expect(page.get_by_test_id("application-sent")).to_contain_text("votre candidature est envoyée")
    wait_for_mail(smtp_server, CONTACT, "Nous avons bien reçu la candidature de La Belle Épicerie")

    # The operator finds it in the back office and asks for a recent Kbis.
    log_in(page, live_server, people.operator.email)
    page.goto(f"{live_server}/backoffice/")
    page.get_by_test_id("backoffice-nav").get_by_role("link", name="Candidatures").click()
    expect(page.get_by_test_id("application-row")).to_have_count(1)
    expect(page.get_by_test_id("application-state")).to_have_text("À examiner")
    assert_french(page)
    shoot(page, "backoffice-applications")
    page.get_by_role("link", name="Belle Épicerie SAS").click()
    expect(page.get_by_test_id("application-siret")).to_have_text(files.SIRET)
    expect(page.get_by_test_id("document-link")).to_have_count(3)
    assert_french(page)
    shoot(page, "backoffice-application")
    page.locator("#message").fill("Votre Kbis date de plus de 3 mois : merci d’en joindre un récent.")
    page.get_by_test_id("action-ask").click()
    expect(page.get_by_test_id("application-status")).to_contain_text("Informations demandées")
    log_out(page)

    # The company follows the emailed link: its answers are there; it attaches a new Kbis.
    mail = wait_for_mail(smtp_server, CONTACT, "merci d’en joindre un récent")
    page.goto(link_in(mail, r"https?://\S+/vendre/completer/\S+").replace("http://127.0.0.1:5000", live_server))
    expect(page.get_by_test_id("info-request")).to_contain_text("merci d’en joindre un récent")
    expect(page.locator("#shop_name")).to_have_value("La Belle Épicerie")
    expect(page.get_by_test_id("received-documents")).to_contain_text("kbis-ancien.pdf")
    attach(page, "document_KBIS", "kbis-recent.pdf", "application/pdf", files.pdf())
    page.get_by_test_id("apply-submit").click()
    expect(page.get_by_test_id("application-sent")).to_be_visible()

    # The operator approves.
    log_in(page, live_server, people.operator.email)
    page.goto(f"{live_server}/backoffice/applications?state=SUBMITTED")
    page.get_by_role("link", name="Belle Épicerie SAS").click()
    expect(page.get_by_test_id("application-documents")).to_contain_text("kbis-recent.pdf")
    page.get_by_test_id("action-approve").click()
    expect(page.get_by_test_id("application-seller")).to_contain_text("La Belle Épicerie")
    log_out(page)

    # The seller's admin chooses a password from the invitation and opens the portal.
    invitation = wait_for_mail(smtp_server, CONTACT, "/compte/invitation/")
    page.goto(link_in(invitation, r"https?://\S+/compte/invitation/\S+").replace("http://127.0.0.1:5000", live_server))
    page.locator("#password").fill(NEW_PASSWORD)
    page.locator("#confirm").fill(NEW_PASSWORD)
    page.get_by_test_id("accept-invitation-submit").click()
    page.locator('input[name="email"]').fill(CONTACT)
    page.locator('input[name="password"]').fill(NEW_PASSWORD)
    page.locator('input[name="password"]').press("Enter")
    expect(page.get_by_test_id("logout")).to_be_visible()
    page.goto(f"{live_server}/seller/")
    expect(page.get_by_test_id("to-accept")).to_be_visible()
    assert_french(page)

    # It lists its first offer in the portal; the offer shows on the product page at once.
    fridge = people.shop.products["fridge"]
    page.goto(f"{live_server}/seller/offers")
    page.get_by_test_id("offer-new").click()
    page.locator("#product").fill(fridge.gtin)
    page.locator("#price").fill("689,00")
    page.locator("#stock").fill("3")
    page.locator("#condition").select_option("NEW")
    page.locator("#lead_time_days").fill("2")
    page.get_by_test_id("offer-save").click()
    expect(page.locator(".flash--success")).to_be_visible()
    assert_french(page)
    page.goto(f"{live_server}/p/{fridge.id}/{fridge.slug}")
    expect(page.locator("main")).to_contain_text("La Belle Épicerie")
    expect(page.locator("main")).to_contain_text("689,00")
