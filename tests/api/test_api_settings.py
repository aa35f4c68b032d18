"""API_SIGNING_KEYS, API_ISSUER, API_AUDIENCE, API_RATE_LIMIT."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from storefront.settings import ConfigError, load_settings
from tests.api.test_api_orders import new_pem

PROD = {
    "STOREFRONT_ENV": "production",
    "SECRET_KEY": "s" * 40,
    "MAIL_URL": "smtp://relay.example.com:587",
    "PAYMENT_PROVIDER": "sandbox",
}


def test_development_key_is_generated_once(tmp_path):
    first = load_settings({}, tmp_path)["API_SIGNING_KEYS"]
    key_file = tmp_path / "api_signing_key.pem"
    assert first == [key_file.read_text()] and oct(key_file.stat().st_mode & 0o777) == "0o600"
    assert load_settings({}, tmp_path)["API_SIGNING_KEYS"] == first


def test_production_generates_no_key(tmp_path):
    assert load_settings(PROD, tmp_path)["API_SIGNING_KEYS"] == []
    assert not (tmp_path / "api_signing_key.pem").exists()


def test_listed_keys_current_first(tmp_path):
    current, previous = tmp_path / "new.pem", tmp_path / "old.pem"
    current.write_text(new_pem())
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    previous.write_bytes(rsa_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ))
    config = load_settings({**PROD, "API_SIGNING_KEYS": f"{current}, {previous}"}, tmp_path)
    assert config["API_SIGNING_KEYS"] == [current.read_text(), previous.read_text()]


@pytest.mark.parametrize("environ, message", [
    ({"API_SIGNING_KEYS": "/nowhere/key.pem"}, "cannot be read"),
    ({"API_ISSUER": "not a url"}, "API_ISSUER"),
    ({"API_AUDIENCE": "ftp://x"}, "API_AUDIENCE"),
    ({"API_RATE_LIMIT": "lots"}, "API_RATE_LIMIT"),
])
def test_wrong_values_say_what_to_fix(tmp_path, environ, message):
    with pytest.raises(ConfigError, match=message):
        load_settings(environ, tmp_path)


def test_a_file_that_is_not_a_key(tmp_path):
    bad = tmp_path / "bad.pem"
    bad.write_text("-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----\n")
    with pytest.raises(ConfigError, match="openssl"):
        load_settings({"API_SIGNING_KEYS": str(bad)}, tmp_path)


def test_issuer_and_audience_follow_the_public_url(tmp_path):
    config = load_settings({"PUBLIC_URL": "https://shop.example/"}, tmp_path)
    assert config["API_ISSUER"] == "https://shop.example"
    assert config["API_AUDIENCE"] == "https://shop.example/api/v1"
