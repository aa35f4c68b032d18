// The API's docs page (/api/docs): Swagger UI over the OpenAPI document named in data-url.
// A file of its own, not inline, as the content security policy allows no inline script.
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.dataset.url,
    domNode: root,
    deepLinking: true,
    // Swagger UI would otherwise send the document to validator.swagger.io (a third party).
    validatorUrl: null,
    docExpansion: "list",
    defaultModelsExpandDepth: 0,
  });
})();
