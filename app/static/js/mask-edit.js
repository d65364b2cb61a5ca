// The create page's mask editing, phone first (issue 20): the mask starts from the wall that was found (add to it
// with the brush, trim it with the eraser) instead of from nothing; undo and redo; the brush size as a number
// with − and + buttons. Works beside create.js (which draws the strokes) through the page's elements and its
// "saekdam:" events only.
"use strict";
(function () {
  const form = document.getElementById("create-form");
  if (!form) return;
  const $ = (id) => document.getElementById(id);
  const stage = $("stage"), ui = $("ui-layer"), mask = $("mask-layer"), wall = $("wall-layer");
  const undoBtn = form.querySelector("[data-mask-undo]"), redoBtn = form.querySelector("[data-mask-redo]");
  const wallBtn = form.querySelector("[data-mask-wall]");
  const size = $("brush-size"), sizeOut = $("brush-size-out");
  const LIMIT = 8;  // snapshots are photo-sized canvases: a few are enough, and phones have little memory
  let undo = [], redo = [], seeded = false, mode = "auto";

  const copy = () => {
    const c = document.createElement("canvas");
    c.width = mask.width; c.height = mask.height;
    c.getContext("2d").drawImage(mask, 0, 0);
    return c;
  };
  const paint = (c) => {
    const ctx = mask.getContext("2d");
    ctx.save();
    ctx.globalCompositeOperation = "copy";
    ctx.drawImage(c, 0, 0);
    ctx.restore();
  };
  const sync = () => {
    undoBtn.disabled = undo.length === 0;
    redoBtn.disabled = redo.length === 0;
    form.dataset.maskHistory = undo.length + "/" + redo.length;
  };
  function remember() {
    if (mode !== "mask" || mask.width < 2) return;
    undo.push(copy());
    if (undo.length > LIMIT) undo.shift();
    redo = [];
    sync();
  }
  function step(from, to) {
    if (!from.length) return;
    to.push(copy());
    paint(from.pop());
    sync();
  }

  function wallFound() { return stage.dataset.wall === "found" && wall.width > 1; }

  function seedFromWall() {
    // the wall overlay (≤ 1024 px, translucent) becomes an opaque mask of the photo's size
    const small = document.createElement("canvas");
    small.width = wall.width; small.height = wall.height;
    const sctx = small.getContext("2d", { willReadFrequently: true });
    sctx.drawImage(wall, 0, 0);
    const data = sctx.getImageData(0, 0, small.width, small.height);
    let any = false;
    for (let i = 3; i < data.data.length; i += 4) {
      if (data.data[i] > 0) { data.data[i] = 255; any = true; }
    }
    if (!any) return false;
    sctx.putImageData(data, 0, 0);
    const ctx = mask.getContext("2d");
    ctx.save();
    ctx.clearRect(0, 0, mask.width, mask.height);
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(small, 0, 0, mask.width, mask.height);
    ctx.restore();
    return true;
  }

  function isEmpty() {
    const probe = document.createElement("canvas");
    probe.width = Math.min(128, mask.width);
    probe.height = Math.max(1, Math.round(mask.height * probe.width / mask.width));
    const ctx = probe.getContext("2d", { willReadFrequently: true });
    ctx.drawImage(mask, 0, 0, probe.width, probe.height);
    const px = ctx.getImageData(0, 0, probe.width, probe.height).data;
    for (let i = 3; i < px.length; i += 4) if (px[i] > 0) return false;
    return true;
  }

  form.addEventListener("saekdam:photo", () => { undo = []; redo = []; seeded = false; sync(); $("mask-from-wall").hidden = true; });
  form.addEventListener("saekdam:mode", (e) => {
    mode = e.detail.mode;
    wallBtn.hidden = !wallFound();
    if (mode !== "mask" || seeded || !wallFound() || !isEmpty()) return;
    if (seedFromWall()) { seeded = true; $("mask-from-wall").hidden = false; }
  });
  wallBtn.addEventListener("click", () => { remember(); if (seedFromWall()) $("mask-from-wall").hidden = false; });

  // a snapshot before every change: strokes (pointer, Space, Enter) and the fill/clear buttons
  stage.addEventListener("pointerdown", () => { if (mode === "mask") remember(); }, true);
  ui.addEventListener("keydown", (e) => {
    if (mode === "mask" && (e.key === "Enter" || e.key === " ") && !e.ctrlKey && !e.metaKey) remember();
  }, true);
  for (const b of form.querySelectorAll("[data-mask-action]")) b.addEventListener("click", remember, true);
  undoBtn.addEventListener("click", () => step(undo, redo));
  redoBtn.addEventListener("click", () => step(redo, undo));
  document.addEventListener("keydown", (e) => {
    if (mode !== "mask" || !(e.ctrlKey || e.metaKey) || /^(INPUT|TEXTAREA|SELECT)$/.test(e.target.tagName)) return;
    const key = e.key.toLowerCase();
    if (key === "z" && !e.shiftKey) { e.preventDefault(); step(undo, redo); }
    else if ((key === "z" && e.shiftKey) || key === "y") { e.preventDefault(); step(redo, undo); }
  });

  // the brush size as a number, and − / + for fingers
  const showSize = () => { sizeOut.textContent = size.value; };
  size.addEventListener("input", showSize);
  for (const b of form.querySelectorAll("[data-brush-step]")) {
    b.addEventListener("click", () => {
      size.value = String(Number(size.value) + Number(b.dataset.brushStep));
      size.dispatchEvent(new Event("input"));
    });
  }
  showSize();
  sync();
})();
