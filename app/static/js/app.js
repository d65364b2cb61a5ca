// Saekdam's small hand-written layer: only what htmx cannot do (compare slider, variation picker, times).
// The create page's uploader and mask editor live in create.js.
"use strict";
(function () {
  function initCompare(root) {
    for (const box of root.querySelectorAll("[data-compare]")) {
      if (box.dataset.ready) continue;
      box.dataset.ready = "1";
      const section = box.closest("section") || document;
      const range = section.querySelector("[data-compare-range]");
      if (!range) continue;
      const template = range.dataset.valuetext || "{n}%";
      const set = (value) => {
        const v = Math.max(0, Math.min(100, Math.round(Number(value))));
        box.style.setProperty("--pos", v + "%");
        if (String(range.value) !== String(v)) range.value = String(v);
        range.setAttribute("aria-valuetext", template.split("{n}").join(String(v)));
      };
      range.addEventListener("input", () => set(range.value));
      // drag anywhere on the picture with a mouse, pen or finger: the browser's own image drag (which ends
      // in pointercancel after a few pixels) is switched off, and the pointer is captured by the box
      for (const img of box.querySelectorAll("img")) img.draggable = false;
      box.addEventListener("dragstart", (e) => e.preventDefault());
      let active = null;
      const fromPointer = (e) => {
        const r = box.getBoundingClientRect();
        if (r.width > 0) set((e.clientX - r.left) / r.width * 100);
      };
      box.addEventListener("pointerdown", (e) => {
        if (e.pointerType === "mouse" && e.button !== 0) return;
        active = e.pointerId;
        e.preventDefault();  // no native drag, no text selection; touch-action decides about scrolling
        try { box.setPointerCapture(e.pointerId); } catch (err) { /* the pointer is already gone */ }
        fromPointer(e);
      });
      box.addEventListener("pointermove", (e) => { if (e.pointerId === active) fromPointer(e); });
      const stop = (e) => { if (e.pointerId === active) active = null; };
      box.addEventListener("pointerup", stop);
      box.addEventListener("pointercancel", stop);
      box.addEventListener("lostpointercapture", stop);
      set(range.value);
    }
    for (const pick of root.querySelectorAll("[data-compare-pick]")) {
      if (pick.dataset.ready) continue;
      pick.dataset.ready = "1";
      pick.addEventListener("click", () => {
        const section = pick.closest("section") || document;
        const after = section.querySelector("[data-compare-after]");
        if (after) after.src = pick.dataset.comparePick;
        for (const other of section.querySelectorAll("[data-compare-pick]")) {
          other.setAttribute("aria-pressed", String(other === pick));
        }
      });
    }
  }

  // every <time> of the pages (app/web/times.py): the server writes the default zone (Asia/Seoul); here the
  // text follows the viewer's own zone and language, or says "3 minutes ago" for recent board items
  const lang = document.documentElement.lang || "ko";
  const hasIntl = !!(window.Intl && Intl.DateTimeFormat);
  const parts = { year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" };
  const full = hasIntl ? new Intl.DateTimeFormat(lang, parts) : null;
  const zoned = hasIntl ? new Intl.DateTimeFormat(lang, { ...parts, timeZoneName: "short" }) : null;
  const rtf = window.Intl && Intl.RelativeTimeFormat ? new Intl.RelativeTimeFormat(lang, { numeric: "auto" }) : null;

  function localTimes(root) {
    if (!full) return;
    for (const el of root.querySelectorAll("time[data-local], time[data-relative]")) {
      if (el.dataset.shown) continue;
      const at = Date.parse(el.getAttribute("datetime"));
      if (isNaN(at)) continue;
      el.dataset.shown = "1";
      el.textContent = full.format(at);
      el.title = zoned.format(at);
      if (!rtf || !el.hasAttribute("data-relative")) continue;
      const s = Math.round((at - Date.now()) / 1000);
      const abs = Math.abs(s);
      if (abs >= 7 * 86400) continue;  // older: keep the date
      if (abs < 60) el.textContent = rtf.format(0, "second");
      else if (abs < 3600) el.textContent = rtf.format(Math.round(s / 60), "minute");
      else if (abs < 86400) el.textContent = rtf.format(Math.round(s / 3600), "hour");
      else el.textContent = rtf.format(Math.round(s / 86400), "day");
    }
  }

  // geometry that differs per response (progress, picture ratio) comes as data-* attributes: the
  // Content-Security-Policy allows no inline style attribute, and CSSOM writes from this file are allowed
  function initGeometry(root) {
    const all = (sel) => [...(root.matches && root.matches(sel) ? [root] : []), ...root.querySelectorAll(sel)];
    for (const el of all("[data-width]")) el.style.width = Number(el.dataset.width) + "%";
    for (const el of all("[data-ratio]")) el.style.setProperty("--ratio", el.dataset.ratio);
  }

  function init(root) {
    root = root || document;
    initGeometry(root);
    initCompare(root);
    localTimes(root);
  }

  if (window.htmx) window.htmx.onLoad(init);  // initial page and every swapped-in fragment
  else document.addEventListener("DOMContentLoaded", () => init(document));
})();
