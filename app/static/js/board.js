// Board pages: what htmx does not do by itself. Copy a post's link, confirm deletes, and
// skip live fragments that are already on the page (my own new comment, a card seen before a reconnect).
// The before/after slider and the (relative) times are app.js's.
"use strict";
(function () {
  function init(root) {
    for (const btn of root.querySelectorAll("[data-copy]")) {
      if (btn.dataset.ready) continue;
      btn.dataset.ready = "1";
      btn.addEventListener("click", async () => {
        const status = btn.parentElement.querySelector(".copy-status");
        const url = btn.dataset.copy;
        try {
          if (navigator.clipboard && window.isSecureContext) await navigator.clipboard.writeText(url);
          else {
            const area = document.createElement("textarea");
            area.value = url; area.setAttribute("readonly", ""); area.style.position = "fixed"; area.style.opacity = "0";
            document.body.appendChild(area); area.select(); document.execCommand("copy"); area.remove();
          }
          if (status) { status.textContent = btn.dataset.copied || "OK"; setTimeout(() => { status.textContent = ""; }, 2500); }
        } catch (e) {
          window.prompt("URL", url);
        }
      });
    }
    for (const form of root.querySelectorAll("form[data-confirm]")) {
      if (form.dataset.ready) continue;
      form.dataset.ready = "1";
      form.addEventListener("submit", (e) => { if (!window.confirm(form.dataset.confirm)) e.preventDefault(); });
    }
  }

  // a live card that is already shown (e.g. replayed after a reconnect) is not added twice
  document.addEventListener("htmx:sseBeforeMessage", (e) => {
    const target = e.target;
    if (!target || target.dataset.dedupe !== "card") return;
    const m = /id="(card-[0-9a-f-]+)"/.exec(e.detail.data || "");
    if (m && document.getElementById(m[1])) e.preventDefault();
  });
  // live updates name their targets by id (hx-swap-oob); a post that is not on this page (another page of the
  // list, a filter, a part the card does not show) has none: those parts are left out before htmx swaps, so
  // it never reports htmx:oobErrorNoTarget
  function oobTarget(el) {
    const how = el.getAttribute("hx-swap-oob") || "";
    const colon = how.indexOf(":");
    if (colon >= 0) {
      try { return document.querySelector(how.slice(colon + 1)); } catch (err) { return null; }
    }
    return el.id ? document.getElementById(el.id) : null;
  }
  document.addEventListener("htmx:sseBeforeMessage", (e) => {
    const data = (e.detail && e.detail.data) || "";
    if (e.defaultPrevented || data.indexOf("hx-swap-oob") < 0 || !window.htmx) return;
    const holder = document.createElement("template");
    holder.innerHTML = data;
    const parts = Array.from(holder.content.children).filter((el) => el.hasAttribute("hx-swap-oob"));
    const missing = parts.filter((el) => !oobTarget(el));
    if (!missing.length) return;
    e.preventDefault();
    for (const el of missing) el.remove();
    if (holder.content.children.length) window.htmx.swap(e.target, holder.innerHTML, { swapStyle: "none" });
  });
  // appended fragments (comments) whose element is already on the page are skipped
  document.addEventListener("htmx:oobBeforeSwap", (e) => {
    const frag = e.detail.fragment;
    if (!frag || !frag.querySelector) return;
    const incoming = frag.querySelector("li.comment[id]");
    const existing = incoming && document.getElementById(incoming.id);
    if (!existing) return;
    e.detail.shouldSwap = false;
    // my own comment may arrive first through the stream (without its delete button): keep the richer one
    if (incoming.querySelector(".comment-delete") && !existing.querySelector(".comment-delete")) {
      const copy = incoming.cloneNode(true);
      existing.replaceWith(copy);
      if (window.htmx) window.htmx.process(copy);
    }
  });

  if (window.htmx) window.htmx.onLoad(init);
  else document.addEventListener("DOMContentLoaded", () => init(document));
})();
