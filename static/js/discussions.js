/*
 * Conversations: what htmx does not do by itself. Loaded after htmx and shop.js (deferred).
 * No inline script anywhere (the content security policy forbids it).
 */
(function () {
  "use strict";

  // A message refused by the server (empty, too long, thread closed) comes back as the form
  // with its error and a 4xx status; htmx does not swap error responses unless told to.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if ((status === 409 || status === 422) && event.detail.xhr.getResponseHeader("HX-Retarget")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // A message sent: empty the form (keeping the focus there) and drop old errors.
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt;
    if (!event.detail.successful || !form.matches || !form.matches("form[data-reset-on-success]")) {
      return;
    }
    form.reset();
    form.querySelectorAll(".field__error").forEach(function (node) { node.remove(); });
    form.querySelectorAll("[aria-invalid]").forEach(function (node) { node.removeAttribute("aria-invalid"); });
  });

  // Keep the newest message in view: the list only changes when a message is added.
  function scrollToNewest() {
    document.querySelectorAll(".messages").forEach(function (list) {
      list.scrollTop = list.scrollHeight;
    });
  }

  document.addEventListener("htmx:afterSettle", scrollToNewest);
  document.addEventListener("DOMContentLoaded", scrollToNewest);
})();
