// The create page's wall options (#14): the four draggable corners of region mode "quad" (mouse, touch and
// keyboard; pre-placed at the quad the server fitted to the found wall) and the blend / protect / wall size /
// detail / guide options. create.js tells this module what happens through "saekdam:*" events on the form
// (photo, wall, mode, validate, body); this module adds its part to the validation and the submitted body.
const form = document.getElementById("create-form");
const layer = document.getElementById("quad-layer");

if (form && layer) {
  const $ = (id) => document.getElementById(id);
  const MIN_SIDE = 64;
  const handles = [...layer.querySelectorAll(".quad-handle")];
  const outline = layer.querySelector("polygon");
  const svg = layer.querySelector("svg");
  const status = $("quad-status");
  const keys = $("quad-keys");
  const msg = (key, params) => {
    let text = layer.dataset["msg" + key] || "";
    for (const [k, v] of Object.entries(params || {})) text = text.split("{" + k + "}").join(String(v));
    return text;
  };
  const state = { natural: null, points: null, moved: false, suggested: false, mode: "auto", drag: null };

  // ---------------------------------------------------------------- geometry (as the server checks it)
  function problem(points) {
    if (!points || points.length !== 4) return msg("Need");
    const { w, h } = state.natural;
    for (const [x, y] of points) if (x < 0 || y < 0 || x > w || y > h) return msg("Bad");
    for (let i = 0; i < 4; i++) {
      const [x0, y0] = points[i], [x1, y1] = points[(i + 1) % 4], [x2, y2] = points[(i + 2) % 4];
      if (Math.hypot(x1 - x0, y1 - y0) < MIN_SIDE) return msg("Bad");
      if ((x1 - x0) * (y2 - y1) - (y1 - y0) * (x2 - x1) <= 0) return msg("Bad");
    }
    return null;
  }

  function defaultQuad() {
    const { w, h } = state.natural;
    return [[w * 0.2, h * 0.2], [w * 0.8, h * 0.2], [w * 0.8, h * 0.8], [w * 0.2, h * 0.8]];
  }

  const clamp = (v, lo, hi) => Math.max(lo, Math.min(hi, v));

  // ---------------------------------------------------------------- drawing
  function render() {
    if (!state.natural || !state.points) return;
    const { w, h } = state.natural;
    svg.setAttribute("viewBox", `0 0 ${w} ${h}`);
    outline.setAttribute("points", state.points.map(([x, y]) => `${x},${y}`).join(" "));
    handles.forEach((el, i) => {
      const [x, y] = state.points[i];
      el.style.left = (x / w) * 100 + "%";
      el.style.top = (y / h) * 100 + "%";
      el.dataset.x = String(Math.round(x));
      el.dataset.y = String(Math.round(y));
    });
    const bad = problem(state.points);
    layer.dataset.valid = bad ? "false" : "true";
    // corners placed on the found wall and not moved yet say so, also when the wall was found before quad mode
    status.textContent = bad || msg(state.suggested && !state.moved ? "Suggested" : "Ok");
    status.dataset.kind = bad ? "error" : "ok";
  }

  function show() {
    const on = state.mode === "quad" && !!state.natural;
    layer.hidden = !on;
    status.hidden = keys.hidden = state.mode !== "quad";
    if (on && !state.points) state.points = defaultQuad();
    render();
  }

  function setPoint(i, x, y) {
    const { w, h } = state.natural;
    state.points[i] = [clamp(x, 0, w), clamp(y, 0, h)];
    state.moved = true;
    render();
  }

  // ---------------------------------------------------------------- pointer (mouse, pen, touch) and keys
  function toPhoto(e) {
    const r = layer.getBoundingClientRect();
    return [(e.clientX - r.left) / r.width * state.natural.w, (e.clientY - r.top) / r.height * state.natural.h];
  }

  handles.forEach((el, i) => {
    el.addEventListener("pointerdown", (e) => {
      e.preventDefault();
      el.setPointerCapture(e.pointerId);
      el.focus();
      state.drag = i;
      el.classList.add("dragging");
    });
    el.addEventListener("pointermove", (e) => {
      if (state.drag !== i) return;
      const [x, y] = toPhoto(e);
      setPoint(i, x, y);
    });
    const end = () => { if (state.drag === i) { state.drag = null; el.classList.remove("dragging"); } };
    el.addEventListener("pointerup", end);
    el.addEventListener("pointercancel", end);
    el.addEventListener("keydown", (e) => {
      const d = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] }[e.key];
      if (!d || !state.points) return;
      e.preventDefault();
      const unit = Math.max(1, Math.round(Math.min(state.natural.w, state.natural.h) * (e.shiftKey ? 0.05 : 0.01)));
      const [x, y] = state.points[i];
      setPoint(i, x + d[0] * unit, y + d[1] * unit);
      const [nx, ny] = state.points[i];
      if (!problem(state.points)) {
        status.textContent = msg("Moved", { corner: el.getAttribute("aria-label"), x: Math.round(nx), y: Math.round(ny) });
      }
    });
  });

  // ---------------------------------------------------------------- what create.js says
  form.addEventListener("saekdam:photo", (e) => {
    Object.assign(state, { natural: e.detail.natural, points: null, moved: false, suggested: false });
    show();
  });
  form.addEventListener("saekdam:wall", (e) => {
    if (!state.natural || state.moved || !e.detail.quad || problem(e.detail.quad)) return;
    state.points = e.detail.quad.map(([x, y]) => [x, y]);
    state.suggested = true;
    render();
  });
  form.addEventListener("saekdam:mode", (e) => { state.mode = e.detail.mode; show(); });
  window.addEventListener("resize", render);

  // ---------------------------------------------------------------- options
  const wallW = $("opt-wall-w"), wallH = $("opt-wall-h");
  const sizeError = $("error-wall-options");

  function wallSize() {
    const a = wallW.value.trim(), b = wallH.value.trim();
    if (a === "" && b === "") return { value: null };
    const w = Number(a), h = Number(b);
    const ok = (v) => Number.isFinite(v) && v >= 0.3 && v <= 200;
    return ok(w) && ok(h) ? { value: [w, h] } : { error: sizeError.dataset.msgSize };
  }

  function guideLabel() {
    const theme = form.querySelector("input[name=theme]:checked");
    const select = $("opt-guide");
    const option = select.querySelector("option[value='']");
    const current = theme ? theme.dataset.guide : "";
    const name = current ? (select.querySelector(`option[value='${current}']`) || {}).textContent : "";
    option.textContent = select.dataset.themeLabel + (name ? ` (${name})` : "");
  }
  for (const r of form.querySelectorAll("input[name=theme]")) r.addEventListener("change", guideLabel);
  guideLabel();

  form.addEventListener("saekdam:validate", (e) => {
    if (e.detail.mode === "quad" && state.natural) {
      const bad = problem(state.points);
      if (bad) e.detail.problems.push(["region", bad]);
    }
    const size = wallSize();
    if (size.error) e.detail.problems.push(["wall-options", size.error]);
  });

  form.addEventListener("saekdam:body", (e) => {
    const body = e.detail.body;
    if (body.region.mode === "quad") {
      body.region.points = state.points.map(([x, y]) => [Math.round(x * 10) / 10, Math.round(y * 10) / 10]);
    }
    body.blend = form.querySelector("input[name=blend]:checked").value;
    body.protect = $("opt-protect").checked;
    const size = wallSize().value;
    if (size) body.wall_size_m = size;
    if ($("opt-detail").value) body.detail = $("opt-detail").value;
    if ($("opt-guide").value) body.guide = $("opt-guide").value;
  });
}
