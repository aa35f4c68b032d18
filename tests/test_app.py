"""The application as a whole: pages answer, errors are the shop's own, headers are safe."""


def test_home_page_renders(client):
    response = client.get("/", headers={"Accept-Language": "fr"})
    assert response.status_code == 200
    assert '<html lang="fr"' in response.text


def test_security_headers(client):
    headers = client.get("/").headers
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"


def test_unknown_page_is_the_shops_404(client):
    response = client.get("/nope", headers={"Accept-Language": "fr"})
    assert response.status_code == 404
    assert "Page introuvable" in response.text
    english = client.get("/nope", headers={"Accept-Language": "en"})
    assert "Page not found" in english.text


def test_locale_switch_needs_csrf(client):
    assert client.post("/locale/en").status_code == 400
    page = client.get("/").text
    token = page.split('name="csrf-token" content="')[1].split('"')[0]
    assert client.post("/locale/en", headers={"X-CSRFToken": token}).status_code == 302
    assert '<html lang="en"' in client.get("/").text
    assert client.post("/locale/de", headers={"X-CSRFToken": token}).status_code == 404


def test_placeholder_images_are_svg_and_escaped(client):
    response = client.get("/media/placeholder/3760000000017-1.svg?label=<script>")
    assert response.mimetype == "image/svg+xml"
    assert "<script>" not in response.text and "&lt;script&gt;" in response.text
    assert response.cache_control.max_age >= 86400
