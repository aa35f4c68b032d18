"""SIREN, SIRET, VAT numbers and IBANs: their check digits, on known real-world numbers and on
generated ones (every single-digit typo is caught by Luhn and by mod 97)."""

from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from storefront.marketplace import company_ids as ids


def luhn_digit(body: str) -> str:
    """The digit that makes ``body + digit`` pass Luhn."""
    for digit in "0123456789":
        if ids.luhn_valid(body + digit):
            return digit
    raise AssertionError(body)


def iban_of(country: str, bban: str) -> str:
    number = "".join(str(int(ch, 36)) for ch in bban + country + "00")
    return f"{country}{98 - int(number) % 97:02d}{bban}"


@pytest.mark.parametrize("siret", ["73282932000074", "732 829 320 00074", "35600000000048", "35600000000001"])
def test_real_sirets_pass(siret):
    assert ids.valid_siret(siret)


@pytest.mark.parametrize("siret", ["73282932000075", "7328293200007", "732829320000744", "",
                                   "7328293200007a", "35600000000002", "١٢٣٤٥٦٧٨٩٠١٢٣٤"])
def test_wrong_sirets_fail(siret):
    assert not ids.valid_siret(siret)


def test_la_poste_uses_the_sum_of_its_digits():
    # 35600000000001 fails Luhn, but its digits add up to 15: INSEE's rule for La Poste.
    assert not ids.luhn_valid("35600000000001")
    assert ids.valid_siret("35600000000001")
    # The same digits outside La Poste's SIREN are a typo.
    assert not ids.valid_siret("35600000100001") or ids.luhn_valid("35600000100001")


def test_french_vat_numbers():
    assert ids.french_vat_key("732829320") == "44"
    assert ids.valid_vat("FR44732829320") and ids.valid_vat("fr 44 732 829 320")
    assert not ids.valid_vat("FR45732829320")
    assert not ids.valid_vat("FR4473282932")  # a digit short
    assert ids.vat_matches_siren("FR44732829320", "73282932000074")
    assert not ids.vat_matches_siren("FR44732829320", "55210055400025")
    assert ids.valid_vat("DE123456789") and ids.valid_vat("BE0123456789")
    assert not ids.valid_vat("D1") and not ids.valid_vat("") and not ids.valid_vat("DE<script>")


@pytest.mark.parametrize("iban", ["FR1420041010050500013M02606", "FR14 2004 1010 0505 0001 3M02 606",
                                  "de89 3704 0044 0532 0130 00", "GB82WEST12345698765432",
                                  "BE68539007547034"])
def test_real_ibans_pass(iban):
    assert ids.valid_iban(iban)


@pytest.mark.parametrize("iban", ["FR1420041010050500013M02607", "FR142004101005050001M02606",
                                  "XX1420041010050500013M02606", "DE89370400440532013000X", "",
                                  "FR14", "FR1420041010050500013M0260é"])
def test_wrong_ibans_fail(iban):
    assert not ids.valid_iban(iban)


def test_iban_display():
    assert ids.format_iban("fr1420041010050500013m02606") == "FR14 2004 1010 0505 0001 3M02 606"
    masked = ids.mask_iban("FR1420041010050500013M02606")
    assert masked.startswith("FR14 ••••") and masked.replace(" ", "").endswith("2606")


sirens = st.text(string.digits, min_size=8, max_size=8).map(lambda body: body + luhn_digit(body))


@given(sirens)
def test_every_generated_siren_and_its_vat_number_pass(siren):
    assert ids.valid_siren(siren)
    siret = siren + "0001"
    siret += luhn_digit(siret)
    assert ids.valid_siret(siret) or siren == ids.LA_POSTE_SIREN
    vat = ids.french_vat_number(siren)
    assert ids.valid_vat(vat) and ids.vat_matches_siren(vat, siret)


@given(sirens, st.integers(0, 8), st.integers(1, 9))
def test_a_single_digit_typo_in_a_siren_is_caught(siren, position, shift):
    typo = siren[:position] + str((int(siren[position]) + shift) % 10) + siren[position + 1:]
    assert not ids.valid_siren(typo)


@given(st.sampled_from(sorted(ids.IBAN_LENGTHS)), st.data())
def test_every_generated_iban_passes_and_a_typo_fails(country, data):
    length = ids.IBAN_LENGTHS[country] - 4
    bban = data.draw(st.text(string.digits + string.ascii_uppercase, min_size=length, max_size=length))
    iban = iban_of(country, bban)
    assert ids.valid_iban(iban) and ids.valid_iban(ids.format_iban(iban).lower())
    position = data.draw(st.integers(4, len(iban) - 1))
    if iban[position].isdigit():
        typo = iban[:position] + str((int(iban[position]) + data.draw(st.integers(1, 9))) % 10) + iban[position + 1:]
        assert not ids.valid_iban(typo)
    assert not ids.valid_iban(iban + "0") and not ids.valid_iban(iban[:-1])


@given(st.text(max_size=40))
def test_nothing_typed_crashes_a_check(text):
    for check in (ids.valid_siren, ids.valid_siret, ids.valid_vat, ids.valid_iban):
        assert check(text) in (True, False)
