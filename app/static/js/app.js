// Saekdam's small hand-written layer: only what htmx cannot do (compare slider, variation picker).
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
      let dragging = false;
      const fromPointer = (e) => {
        const r = box.getBoundingClientRect();
        set((e.clientX - r.left) / r.width * 100);
      };
      box.addEventListener("pointerdown", (e) => {
        dragging = true;
        box.setPointerCapture(e.pointerId);
        fromPointer(e);
      });
      box.addEventListener("pointermove", (e) => { if (dragging) fromPointer(e); });
      box.addEventListener("pointerup", () => { dragging = false; });
      box.addEventListener("pointercancel", () => { dragging = false; });
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

  // geometry that differs per response (progress, picture ratio) comes as data-* attributes: the
  // Content-Security-Policy allows no inline style attribute, and CSSOM writes from this file are allowed
  function initGeometry(root) {
    const all = (sel) => [...(root.matches && root.matches(sel) ? [root] : []), ...root.querySelectorAll(sel)];
    for (const el of all("[data-width]")) el.style.width = Number(el.dataset.width) + "%";
    for (const el of all("[data-ratio]")) el.style.setProperty("--ratio", el.dataset.ratio);
  }

  function init(root) { initGeometry(root || document); initCompare(root || document); }

  if (window.htmx) window.htmx.onLoad(init);  // initial page and every swapped-in fragment
  else document.addEventListener("DOMContentLoaded", () => init(document));
})();
