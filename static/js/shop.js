/*
 * Storefront: behaviour shared by every page. Loaded after htmx (both deferred, so in order).
 * The content security policy forbids inline scripts: page behaviour belongs in static files.
 */
(function () {
  "use strict";

  // Flask-WTF rejects a POST (PUT, PATCH, DELETE) without a valid CSRF token. Plain forms carry
  // it in a hidden input; htmx requests carry it in the X-CSRFToken header, read from the meta
  // tag of base.html, so a button with hx-post needs no form of its own.
  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  document.addEventListener("htmx:configRequest", function (event) {
    var token = csrfToken();
    if (token) {
      event.detail.headers["X-CSRFToken"] = token;
    }
  });
})();
