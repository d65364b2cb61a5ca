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

  function init(root) { initCompare(root || document); }

  if (window.htmx) window.htmx.onLoad(init);  // initial page and every swapped-in fragment
  else document.addEventListener("DOMContentLoaded", () => init(document));
})();
