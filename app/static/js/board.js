// Board pages: what htmx does not do by itself. Copy a post's link, confirm deletes, relative times, and
// skip live fragments that are already on the page (my own new comment, a card seen before a reconnect).
// The before/after slider is app.js's [data-compare].
"use strict";
(function () {
  const lang = document.documentElement.lang || "ko";
  const rtf = window.Intl && Intl.RelativeTimeFormat ? new Intl.RelativeTimeFormat(lang, { numeric: "auto" }) : null;

  function relative(root) {
    if (!rtf) return;
    for (const el of root.querySelectorAll("time[data-relative]")) {
      const at = Date.parse(el.getAttribute("datetime"));
      if (isNaN(at)) continue;
      const s = Math.round((at - Date.now()) / 1000);
      const abs = Math.abs(s);
      if (abs >= 7 * 86400) continue;  // older: keep the date
      if (!el.title) el.title = el.textContent.trim();
      if (abs < 60) el.textContent = rtf.format(0, "second");
      else if (abs < 3600) el.textContent = rtf.format(Math.round(s / 60), "minute");
      else if (abs < 86400) el.textContent = rtf.format(Math.round(s / 3600), "hour");
      else el.textContent = rtf.format(Math.round(s / 86400), "day");
    }
  }

  function init(root) {
    relative(root);
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
