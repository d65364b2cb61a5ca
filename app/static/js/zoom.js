// The create page's pinch-zoom and pan (issue 20): two fingers zoom the photo and its overlays (mask, box, quad
// corners) around the pinch centre (1×–4×) and pan it; Ctrl+wheel zooms on a desktop; the "Fit" button goes back
// to 1×. One finger is left to create.js / quad.js as before. The whole #stage gets one CSS transform, so the
// other modules' getBoundingClientRect-based pointer maths lands on the right photo pixel at any zoom.
"use strict";
(function () {
  const form = document.getElementById("create-form");
  const stage = document.getElementById("stage");
  if (!form || !stage) return;
  const wrap = stage.parentElement;
  const fit = form.querySelector("[data-zoom-fit]");
  const MIN = 1, MAX = 4;
  const view = { s: 1, x: 0, y: 0 };
  const touches = new Map();   // active touch pointers on the photo: id → {x, y}
  const swallowed = new Set(); // pointers that took part in a pinch: theirs until they lift
  let pinch = null;

  const editing = () => !stage.classList.contains("empty") && stage.dataset.mode !== "auto";

  function apply() {
    const zoomed = view.s > 1.001;
    stage.style.transform = zoomed ? `translate(${view.x}px, ${view.y}px) scale(${view.s})` : "";
    stage.dataset.zoom = view.s.toFixed(3);
    stage.style.setProperty("--zoom", String(view.s));  // quad.css keeps the corner handles finger-sized
    wrap.classList.toggle("zoomed", zoomed);
    if (fit) fit.disabled = !zoomed;
  }

  // keep the photo covering its 1× box: no empty margins when panning
  function clampView() {
    view.s = Math.max(MIN, Math.min(MAX, view.s));
    const w = stage.offsetWidth, h = stage.offsetHeight;
    if (!w || !h) return;  // not laid out (hidden for a moment): keep the view as it is
    view.x = Math.max((1 - view.s) * w, Math.min(0, view.x));
    view.y = Math.max((1 - view.s) * h, Math.min(0, view.y));
  }

  // the stage's untransformed top-left corner on screen (transform-origin is 0 0)
  function origin() {
    const r = stage.getBoundingClientRect();
    return { x: r.left - view.x, y: r.top - view.y };
  }

  // scale to `s` keeping the stage point now under (cx, cy) there
  function zoomAt(s, cx, cy) {
    const o = origin();
    const px = (cx - o.x - view.x) / view.s, py = (cy - o.y - view.y) / view.s;
    view.s = Math.max(MIN, Math.min(MAX, s));
    view.x = cx - o.x - view.s * px;
    view.y = cy - o.y - view.s * py;
    clampView();
    apply();
  }

  function reset() { view.s = 1; view.x = 0; view.y = 0; apply(); }

  const centre = () => {
    const [a, b] = [...touches.values()];
    return { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2, d: Math.max(1, Math.hypot(a.x - b.x, a.y - b.y)) };
  };

  function startPinch() {
    const c = centre(), o = origin();
    pinch = { d0: c.d, s0: view.s, px: (c.x - o.x - view.x) / view.s, py: (c.y - o.y - view.y) / view.s };
    for (const id of touches.keys()) swallowed.add(id);
    // the first finger may have started a stroke or a drag: the others drop it (and mask-edit takes the dot back)
    form.dispatchEvent(new CustomEvent("saekdam:pinch", { detail: {} }));
  }

  function movePinch() {
    const c = centre(), o = origin();
    view.s = Math.max(MIN, Math.min(MAX, pinch.s0 * c.d / pinch.d0));
    view.x = c.x - o.x - view.s * pinch.px;  // the point under the fingers stays under them: pinch and pan at once
    view.y = c.y - o.y - view.s * pinch.py;
    clampView();
    apply();
  }

  // capture phase on the wrapper: runs before create.js, quad.js and mask-edit.js see the event
  wrap.addEventListener("pointerdown", (e) => {
    if (e.pointerType !== "touch" || !editing()) return;
    touches.set(e.pointerId, { x: e.clientX, y: e.clientY });
    if (touches.size === 2 && !pinch) { startPinch(); e.stopPropagation(); e.preventDefault(); }
    else if (swallowed.size) { swallowed.add(e.pointerId); e.stopPropagation(); }
  }, true);
  wrap.addEventListener("pointermove", (e) => {
    if (!touches.has(e.pointerId)) return;
    touches.set(e.pointerId, { x: e.clientX, y: e.clientY });
    if (!swallowed.has(e.pointerId)) return;
    e.stopPropagation();
    if (pinch && touches.size >= 2) movePinch();
  }, true);
  const lift = (e) => {
    if (!touches.has(e.pointerId)) return;
    touches.delete(e.pointerId);
    if (swallowed.delete(e.pointerId)) e.stopPropagation();
    if (touches.size < 2) pinch = null;
    if (pinch === null && touches.size >= 2) startPinch();
  };
  wrap.addEventListener("pointerup", lift, true);
  wrap.addEventListener("pointercancel", lift, true);

  wrap.addEventListener("wheel", (e) => {
    if (!e.ctrlKey || !editing()) return;  // Ctrl+wheel (and a touchpad's pinch) zooms; a plain wheel scrolls
    e.preventDefault();
    zoomAt(view.s * Math.exp(-e.deltaY * 0.01), e.clientX, e.clientY);
  }, { passive: false });

  // where overflow: clip is missing, focus could scroll the clipped wrapper and shift the photo under the fingers
  wrap.addEventListener("scroll", () => { wrap.scrollLeft = 0; wrap.scrollTop = 0; });
  if (fit) fit.addEventListener("click", reset);
  form.addEventListener("saekdam:photo", reset);
  form.addEventListener("saekdam:mode", (e) => { if (e.detail.mode === "auto") reset(); });
  window.addEventListener("resize", () => { clampView(); apply(); });
  apply();
})();
