// The installable web app: registers the service worker (/sw.js, the shell offline) once the page has
// loaded, so it never competes with the page's own requests.
"use strict";
if ("serviceWorker" in navigator && window.isSecureContext) {
  window.addEventListener("load", () => {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => { /* the site works without it */ });
  });
}
