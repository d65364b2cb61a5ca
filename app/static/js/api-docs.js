// Starts Swagger UI on /schema (loaded from the app's own static files; see app/web/api_docs.py).
"use strict";
window.addEventListener("DOMContentLoaded", () => {
  const root = document.getElementById("swagger-ui");
  if (!root || !window.SwaggerUIBundle) return;
  window.SwaggerUIBundle({
    url: root.dataset.specUrl,
    domNode: root,
    deepLinking: true,
    validatorUrl: null,  // else the UI sends the schema to a third-party validator
    tryItOutEnabled: false,
  });
});
