"""Company identifiers a seller gives when it applies: SIREN, SIRET, VAT number, IBAN.

Pure functions, no database: each ``normalize_*`` strips what people type around the value
(spaces, dots, dashes, lower case), each ``valid_*`` checks the value's own check digits, so a
typo is caught on the form instead of by the bank or the tax office weeks later. They say
nothing about whether the company exists (that is the operator's review, with the Kbis).
"""

from __future__ import annotations

import re

# La Poste's establishments share one SIREN and are numbered past what Luhn allows: INSEE
# checks their SIRET by the sum of its digits being a multiple of 5 instead.
LA_POSTE_SIREN = "356000000"

# IBAN length per country (ISO 13616 registry, SWIFT release): the countries a European
# marketplace's sellers bank in. A country not listed is refused rather than guessed.
IBAN_LENGTHS: dict[str, int] = {
    "AD": 24, "AE": 23, "AT": 20, "BE": 16, "BG": 22, "CH": 21, "CY": 28, "CZ": 24, "DE": 22,
    "DK": 18, "EE": 20, "ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GI": 23, "GL": 18,
    "GR": 27, "HR": 21, "HU": 28, "IE": 22, "IS": 26, "IT": 27, "LI": 21, "LT": 20, "LU": 20,
    "LV": 21, "MC": 27, "MT": 31, "NL": 18, "NO": 15, "PL": 28, "PT": 25, "RO": 24, "SE": 24,
    "SI": 19, "SK": 24, "SM": 27, "VA": 22, "MA": 28, "TN": 24, "TR": 26,
}

_SEPARATORS = re.compile(r"[\s.\-_/]+")
_FOREIGN_VAT = re.compile(r"^[A-Z]{2}[A-Z0-9+*]{2,13}$")


def _compact(value: str) -> str:
    return _SEPARATORS.sub("", value or "").upper()


def luhn_valid(digits: str) -> bool:
    """The Luhn (mod 10) check of a string of ASCII digits."""
    if not digits or not (digits.isascii() and digits.isdigit()):
        return False
    total = 0
    for position, char in enumerate(reversed(digits)):
        digit = ord(char) - 48
        if position % 2:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def normalize_digits(value: str) -> str:
    return _compact(value)


def valid_siren(value: str) -> bool:
    """Nine digits whose Luhn key is right."""
    siren = normalize_digits(value)
    return len(siren) == 9 and luhn_valid(siren)


def valid_siret(value: str) -> bool:
    """Fourteen digits: the SIREN (valid) then the establishment's five; Luhn over all fourteen,
    except La Poste's (SIREN 356000000), whose digits add up to a multiple of 5."""
    siret = normalize_digits(value)
    if len(siret) != 14 or not (siret.isascii() and siret.isdigit()):
        return False
    if siret.startswith(LA_POSTE_SIREN):
        return luhn_valid(siret) or sum(ord(c) - 48 for c in siret) % 5 == 0
    return luhn_valid(siret)


def siren_of(siret: str) -> str:
    return normalize_digits(siret)[:9]


def french_vat_key(siren: str) -> str:
    """The two-digit key of a French VAT number: (12 + 3 × (SIREN mod 97)) mod 97."""
    return f"{(12 + 3 * (int(siren) % 97)) % 97:02d}"


def french_vat_number(siren: str) -> str:
    """FR + key + SIREN, the VAT number the tax office gives a French company."""
    return f"FR{french_vat_key(siren)}{siren}"


def normalize_vat(value: str) -> str:
    return _compact(value)


def valid_vat(value: str) -> bool:
    """A French number (FR, two-digit key, SIREN) must carry the key of its SIREN; another
    country's is checked for its shape only (country prefix, 2 to 13 letters or digits)."""
    vat = normalize_vat(value)
    if vat.startswith("FR"):
        rest = vat[2:]
        if len(rest) != 11 or not (rest.isascii() and rest.isdigit()):
            return False
        return rest[:2] == french_vat_key(rest[2:])
    return bool(_FOREIGN_VAT.match(vat)) and vat.isascii()


def vat_matches_siren(vat: str, siren: str) -> bool:
    """A French VAT number names the same company as the SIREN (foreign ones: nothing to compare)."""
    vat = normalize_vat(vat)
    return not vat.startswith("FR") or vat[4:] == normalize_digits(siren)[:9]


def normalize_iban(value: str) -> str:
    """Upper case, without spaces or separators (an IBAN is often printed in groups of four)."""
    return _compact(value)


def iban_length(country: str) -> int | None:
    return IBAN_LENGTHS.get(country)


def valid_iban(value: str) -> bool:
    """ISO 13616: known country, its exact length, letters and digits only, and the number
    made of the rearranged IBAN (letters as 10–35) is 1 modulo 97."""
    iban = normalize_iban(value)
    if len(iban) < 5 or not iban.isascii() or not iban.isalnum():
        return False
    if not (iban[:2].isalpha() and iban[2:4].isdigit()):
        return False
    if IBAN_LENGTHS.get(iban[:2]) != len(iban):
        return False
    rearranged = iban[4:] + iban[:4]
    number = "".join(str(int(char, 36)) for char in rearranged)
    return int(number) % 97 == 1


def format_iban(value: str) -> str:
    """In groups of four, as banks print it."""
    iban = normalize_iban(value)
    return " ".join(iban[i:i + 4] for i in range(0, len(iban), 4))


def mask_iban(value: str) -> str:
    """Country, key and the last four characters: enough to recognise it on a page."""
    iban = normalize_iban(value)
    if len(iban) < 8:
        return iban
    return format_iban(iban[:4] + "•" * (len(iban) - 8) + iban[-4:])
