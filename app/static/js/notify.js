// "Done while away" on the task page (issue 20): after the user asks for it (a tap: the only moment the
// permission prompt may appear), a notification says that the mural is done, when the "end" event arrives
// while the page is in the background. The choice is remembered on this device for later murals.
"use strict";
(function () {
  const KEY = "saekdam-notify";
  let texts = null;
  let wanted = false;

  const remembered = () => { try { return localStorage.getItem(KEY) === "1"; } catch (e) { return false; } };
  const remember = () => { try { localStorage.setItem(KEY, "1"); } catch (e) { /* private mode */ } };

  function setup(btn) {
    btn.dataset.ready = "1";
    const box = btn.closest(".notify-box");
    texts = Object.assign({}, box.dataset);
    const status = box.querySelector("[data-notify-status]");
    if (!("Notification" in window)) return;
    if (Notification.permission === "denied") { status.textContent = texts.msgDenied; return; }
    if (Notification.permission === "granted" && remembered()) { wanted = true; status.textContent = texts.msgOn; return; }
    btn.hidden = false;
    btn.addEventListener("click", async () => {
      const answer = await Notification.requestPermission();
      if (answer === "granted") { wanted = true; remember(); btn.hidden = true; status.textContent = texts.msgOn; }
      else if (answer === "denied") { btn.hidden = true; status.textContent = texts.msgDenied; }
    });
  }

  async function show(final) {
    const ok = final.dataset.status === "succeeded";
    const title = ok ? texts.titleOk : texts.titleFail;
    const options = { body: ok ? texts.bodyOk : texts.bodyFail, icon: texts.icon, tag: "saekdam-" + location.pathname,
                      data: { url: location.pathname } };
    try {  // phones show notifications only through the service worker
      const registration = navigator.serviceWorker && await navigator.serviceWorker.getRegistration();
      if (registration) { await registration.showNotification(title, options); return; }
    } catch (e) { /* fall through */ }
    try {
      const note = new Notification(title, options);
      note.onclick = () => { window.focus(); note.close(); };
    } catch (e) { /* nothing more to try */ }
  }

  function init(root) {
    const btn = root.querySelector ? root.querySelector("[data-notify-browser]:not([data-ready])") : null;
    if (btn) setup(btn);
    // the "end" event swapped in the finished block
    if (root.id === "task-live" && root.classList.contains("final") && wanted && texts &&
        document.visibilityState === "hidden" && Notification.permission === "granted") show(root);
  }

  if (window.htmx) window.htmx.onLoad(init);
  else document.addEventListener("DOMContentLoaded", () => init(document));
})();
