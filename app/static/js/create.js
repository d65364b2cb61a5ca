// The create page: upload the photo straight to its signed URL, show the found wall, draw a box or paint a
// mask, then submit through the JSON API and go to the task page. Plain JS, no dependencies.
"use strict";
(function () {
  const form = document.getElementById("create-form");
  if (!form) return;

  const $ = (id) => document.getElementById(id);
  const msg = (key, params) => {
    let text = form.dataset["msg" + key] || "";
    for (const [k, v] of Object.entries(params || {})) text = text.split("{" + k + "}").join(String(v));
    return text;
  };
  // #14: the quad handles and wall options (quad.js) hear these events and add to the submitted body
  const emit = (name, detail) => form.dispatchEvent(new CustomEvent("saekdam:" + name, { detail }));
  const TYPES = ["image/jpeg", "image/png", "image/webp"];
  const FORBIDDEN_HEADERS = new Set(["content-length", "host", "connection", "accept-encoding"]);
  const MIN_BOX = 64;

  const stage = $("stage");
  const img = $("photo-preview");
  const wallLayer = $("wall-layer");
  const maskLayer = $("mask-layer");
  const ui = $("ui-layer");
  const regionStatus = $("region-status");
  const submitButton = $("submit-button");
  const dz = $("dropzone");

  const state = {
    generation: 0, taskId: null, file: null, natural: null, upload: null, uploaded: false,
    wall: null, mode: "auto", box: null, drag: null, tool: "brush", painted: false,
    cursor: null, penDown: false, idem: null, objectUrl: null,
  };

  // ------------------------------------------------------------------ HTTP
  function csrfToken() {
    const m = document.cookie.match(/(?:^|;\s*)saekdam_csrf=([^;]+)/);
    if (m) return decodeURIComponent(m[1]);
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["x-csrftoken"] || ""; }
    catch (e) { return ""; }
  }

  function problem(status, data) {
    data = data || {};
    return { status, code: data.code || null, detail: data.detail || msg("Network"), errors: data.errors || [] };
  }

  async function api(method, path, body, headers) {
    const h = Object.assign({ accept: "application/json", "x-csrftoken": csrfToken() }, headers || {});
    if (body !== undefined) h["content-type"] = "application/json";
    let res;
    try {
      res = await fetch(path, { method, headers: h, credentials: "same-origin",
                                body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (e) { throw problem(0); }
    let data = null;
    try { data = await res.json(); } catch (e) { /* empty body */ }
    if (!res.ok) throw problem(res.status, data);
    return data;
  }

  function put(upload, blob, onProgress) {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open(upload.method || "PUT", upload.url);
      for (const [k, v] of Object.entries(upload.headers || {})) {
        if (!FORBIDDEN_HEADERS.has(k.toLowerCase())) xhr.setRequestHeader(k, v);
      }
      xhr.upload.onprogress = (e) => { if (e.lengthComputable && onProgress) onProgress(e.loaded / e.total); };
      xhr.onload = () => {
        if (xhr.status >= 200 && xhr.status < 300) return resolve();
        let data = null;
        try { data = JSON.parse(xhr.responseText); } catch (e) { /* not JSON */ }
        reject(problem(xhr.status, data || { detail: msg("UploadFailed") }));
      };
      xhr.onerror = () => reject(problem(0));
      xhr.send(blob);
    });
  }

  // ------------------------------------------------------------------ messages
  function fieldError(name, text) {
    const el = $("error-" + name);
    if (el) el.textContent = text || "";
    if (el && text && name === "photo") {  // next to the photo picker, announced (role=alert) and focused
      el.scrollIntoView({ block: "center", behavior: "instant" });
      el.focus({ preventScroll: true });
    }
    const input = { prompt: $("prompt"), steps: $("opt-steps"), seed: $("opt-seed"),
                    variations: $("opt-variations"), strength: $("opt-strength") }[name];
    if (input) {
      if (text) input.setAttribute("aria-invalid", "true"); else input.removeAttribute("aria-invalid");
      input.closest(".field") && input.closest(".field").classList.toggle("invalid", !!text);
    }
  }

  function formError(text) {
    const box = $("form-error");
    box.textContent = text || "";
    box.classList.toggle("hidden", !text);
  }

  function clearErrors() {
    for (const n of ["photo", "region", "theme", "prompt", "steps", "seed", "variations", "strength",
                     "wall-options", "render"]) fieldError(n, "");
    formError("");
  }

  const FIELD_OF = { region: "region", mask: "region", box: "region", theme: "theme", prompt: "prompt",
                     steps: "steps", seed: "seed", variations: "variations", strength: "strength",
                     content_type: "photo", size_bytes: "photo",
                     blend: "wall-options", protect: "wall-options", wall_size_m: "wall-options",  // #14
                     detail: "render", guide: "render" };

  const PHOTO_CODES = ["too_many_pixels", "image_too_large", "image_too_small", "unsupported_image", "photo_missing"];

  function showProblem(p) {
    if (PHOTO_CODES.includes(p.code)) { fieldError("photo", p.detail); return; }
    let general = p.detail;
    const unknown = [];
    for (const e of p.errors || []) {
      const name = FIELD_OF[String(e.field).split(".")[0]];
      if (name) {
        fieldError(name, e.message);
        if (["steps", "seed", "variations", "strength", "render"].includes(name)) $("advanced").open = true;
      } else unknown.push(e.field + ": " + e.message);
    }
    if (unknown.length) general += " (" + unknown.join(", ") + ")";
    formError(general);
    $("form-error").focus();
  }

  function setRegionStatus(text, kind) {
    regionStatus.textContent = text || "";
    regionStatus.dataset.kind = kind || "";
  }

  // ------------------------------------------------------------------ photo
  function setUploadProgress(fraction, text) {
    $("upload-state").classList.remove("hidden");
    const pct = Math.round(fraction * 100);
    const bar = $("upload-bar");
    bar.setAttribute("aria-valuenow", String(pct));
    bar.querySelector(".bar-fill").style.width = pct + "%";
    $("upload-text").textContent = text;
  }

  const MAX_BYTES = Number(form.dataset.maxBytes) || 25 * 1048576;
  const MAX_PIXELS = Number(form.dataset.maxPixels) || 40e6;

  // Phones shoot 48–200 MP: a photo over the server's limits (bytes or pixels) is redrawn upright
  // (EXIF orientation applied) at as much resolution as the server takes (90 % of its pixel limit) and sent as
  // JPEG. Returns the file itself when it fits, the smaller file, or null when it cannot be made to fit.
  async function fitToLimits(file, natural) {
    const pixels = natural.w * natural.h;
    if (pixels <= MAX_PIXELS && file.size <= MAX_BYTES) return file;
    if (!window.createImageBitmap) return null;
    let scale = Math.min(1, Math.sqrt(MAX_PIXELS * 0.9 / pixels), 16384 / Math.max(natural.w, natural.h));
    let bitmap;
    try { bitmap = await createImageBitmap(file, { imageOrientation: "from-image" }); } catch (e) { return null; }
    try {
      for (let attempt = 0; attempt < 6; attempt++, scale *= 0.85) {
        const w = Math.max(1, Math.round(bitmap.width * scale)), h = Math.max(1, Math.round(bitmap.height * scale));
        const canvas = document.createElement("canvas");
        canvas.width = w; canvas.height = h;
        const ctx = canvas.getContext("2d");
        ctx.imageSmoothingQuality = "high";
        ctx.drawImage(bitmap, 0, 0, w, h);
        const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.92));
        canvas.width = canvas.height = 0;  // frees the pixels at once (phones)
        if (blob && blob.size <= MAX_BYTES && w * h <= MAX_PIXELS) {
          const name = (file.name || "photo").replace(/\.[^.]*$/, "") + ".jpg";
          return new File([blob], name, { type: "image/jpeg" });
        }
      }
    } finally { bitmap.close(); }
    return null;
  }

  async function pickFile(file, draft) {
    clearErrors();
    if (!file) return;
    if (!TYPES.includes(file.type)) { fieldError("photo", msg("BadType")); return; }
    const gen = ++state.generation;
    const abandoned = !draft && state.taskId && !state.submitted ? state.taskId : null;
    Object.assign(state, { taskId: null, file, uploaded: false, wall: null, box: null, painted: false,
                           cursor: null, penDown: false, idem: null });
    // a re-picked photo replaces the unsubmitted task of the old one (no pile of drafts)
    if (abandoned) api("DELETE", `/api/tasks/${abandoned}`).catch(() => {});
    syncBoxFields();
    setRegionStatus("");
    if (state.objectUrl) URL.revokeObjectURL(state.objectUrl);
    state.objectUrl = URL.createObjectURL(file);
    img.src = state.objectUrl;
    try { await img.decode(); } catch (e) { fieldError("photo", msg("BadType")); return; }
    if (gen !== state.generation) return;
    // the browser shows photos EXIF-rotated: natural sizes are the upright photo's pixels, like the API's
    state.natural = { w: img.naturalWidth, h: img.naturalHeight };
    if (!draft) {
      const fitted = await fitToLimits(file, state.natural);
      if (gen !== state.generation) return;
      if (!fitted) { fieldError("photo", msg("TooBig")); return; }
      if (fitted !== file) {
        file = state.file = fitted;
        URL.revokeObjectURL(state.objectUrl);
        state.objectUrl = URL.createObjectURL(file);
        img.src = state.objectUrl;
        try { await img.decode(); } catch (e) { fieldError("photo", msg("BadType")); return; }
        if (gen !== state.generation) return;
        state.natural = { w: img.naturalWidth, h: img.naturalHeight };
        form.dataset.shrunk = `${state.natural.w}x${state.natural.h}`;
      }
    }
    img.hidden = false;
    dz.classList.add("has-photo");
    dz.querySelector(".dz-text").textContent = `${file.name} · ${(file.size / 1048576).toFixed(1)} MB`;
    stage.classList.remove("empty");
    $("stage-placeholder").hidden = true;
    maskLayer.width = state.natural.w;
    maskLayer.height = state.natural.h;
    clearCanvas(wallLayer);
    redrawUi();
    emit("photo", { natural: state.natural });
    if (draft) {  // resumed: the photo is already on the server
      Object.assign(state, { taskId: draft.id, uploaded: true });
      form.dataset.taskId = draft.id;
      state.upload = Promise.resolve();
      setUploadProgress(1, msg("Resumed"));
      if (state.mode === "auto" || state.mode === "quad") findWall();
      return;
    }
    state.upload = upload(file, gen);
    state.upload.catch(() => {});
  }

  // "이어서 만들기" from my murals: /create?draft=<id> brings back the photo of a task never submitted
  async function resumeDraft() {
    const url = form.dataset.draftPhoto;
    try {
      const res = await fetch(url, { credentials: "same-origin" });
      if (!res.ok) throw new Error(String(res.status));
      const blob = await res.blob();
      const type = form.dataset.draftType || blob.type;
      const ext = { "image/png": "png", "image/webp": "webp" }[type] || "jpg";
      await pickFile(new File([blob], `photo.${ext}`, { type }), { id: form.dataset.draftId });
    } catch (e) {
      fieldError("photo", msg("UploadFailed"));
    }
  }
  if (form.dataset.draftId) resumeDraft();

  async function upload(file, gen) {
    setUploadProgress(0, msg("Uploading", { pct: 0 }));
    try {
      const created = await api("POST", "/api/tasks", { content_type: file.type, size_bytes: file.size });
      if (gen !== state.generation) return;
      state.taskId = created.task.id;
      await put(created.upload, file, (f) => setUploadProgress(f, msg("Uploading", { pct: Math.round(f * 100) })));
      if (gen !== state.generation) return;
      state.uploaded = true;
      setUploadProgress(1, msg("Uploaded"));
      form.dataset.taskId = state.taskId;
      if (state.mode === "auto" || state.mode === "quad") findWall();
    } catch (p) {
      if (gen !== state.generation) return;
      setUploadProgress(0, "");
      $("upload-state").classList.add("hidden");
      fieldError("photo", p.detail || msg("UploadFailed"));
      throw p;
    }
  }

  for (const input of form.querySelectorAll("[data-photo-input]")) {
    input.addEventListener("change", () => { pickFile(input.files && input.files[0]); input.value = ""; });
  }
  for (const type of ["dragenter", "dragover"]) {
    dz.addEventListener(type, (e) => { e.preventDefault(); dz.classList.add("over"); });
  }
  for (const type of ["dragleave", "drop"]) {
    dz.addEventListener(type, (e) => { e.preventDefault(); dz.classList.remove("over"); });
  }
  dz.addEventListener("drop", (e) => pickFile(e.dataTransfer && e.dataTransfer.files[0]));

  // ------------------------------------------------------------------ geometry
  function clearCanvas(c) { c.getContext("2d").clearRect(0, 0, c.width, c.height); }

  function toPhoto(e) {
    const r = ui.getBoundingClientRect();
    const x = (e.clientX - r.left) / r.width * state.natural.w;
    const y = (e.clientY - r.top) / r.height * state.natural.h;
    return { x: Math.max(0, Math.min(state.natural.w, x)), y: Math.max(0, Math.min(state.natural.h, y)) };
  }

  function brushRadius() {
    return Math.max(1, Number($("brush-size").value) / 100 * Math.min(state.natural.w, state.natural.h) / 2);
  }

  function redrawUi() {
    if (!state.natural) return;
    const r = ui.getBoundingClientRect();
    const dpr = window.devicePixelRatio || 1;
    ui.width = Math.max(1, Math.round(r.width * dpr));
    ui.height = Math.max(1, Math.round(r.height * dpr));
    const ctx = ui.getContext("2d");
    ctx.clearRect(0, 0, ui.width, ui.height);
    const sx = ui.width / state.natural.w, sy = ui.height / state.natural.h;
    if (state.mode === "box" && state.box) {
      const [x, y, w, h] = state.box;
      ctx.fillStyle = "rgba(10, 20, 35, 0.45)";
      ctx.fillRect(0, 0, ui.width, ui.height);
      ctx.clearRect(x * sx, y * sy, w * sx, h * sy);
      ctx.lineWidth = 3 * dpr;
      ctx.strokeStyle = "#ffffff";
      ctx.setLineDash([8 * dpr, 6 * dpr]);
      ctx.strokeRect(x * sx, y * sy, w * sx, h * sy);
    }
    if (state.mode === "mask" && state.cursor && document.activeElement === ui) {
      ctx.lineWidth = 2 * dpr;
      ctx.strokeStyle = state.penDown ? "#ff2d75" : "#ffffff";
      ctx.beginPath();
      ctx.arc(state.cursor.x * sx, state.cursor.y * sy, brushRadius() * sx, 0, Math.PI * 2);
      ctx.stroke();
    }
  }
  if (window.ResizeObserver) new ResizeObserver(redrawUi).observe(stage);

  // ------------------------------------------------------------------ auto: the found wall
  async function findWall() {
    if (!state.uploaded || !state.taskId) return;
    const taskId = state.taskId;
    if (state.wall && state.wall.taskId === taskId) { showWall(); return; }
    setRegionStatus(msg("WallFinding"), "busy");
    stage.classList.add("busy");
    try {
      const found = await api("POST", `/api/tasks/${taskId}/wall`);
      if (taskId !== state.taskId) return;
      state.wall = { taskId, coverage: found.coverage, image: await loadImage(found.mask_url) };
      emit("wall", { quad: found.quad || null });
    } catch (p) {
      if (taskId !== state.taskId) return;
      state.wall = { taskId, problem: p };
    } finally {
      stage.classList.remove("busy");
    }
    if (state.mode === "auto" || state.mode === "quad") showWall();
  }

  function loadImage(url) {
    return new Promise((resolve, reject) => {
      const im = new Image();
      im.onload = () => resolve(im);
      im.onerror = () => reject(problem(0));
      im.src = url;
    });
  }

  function showWall() {
    const w = state.wall;
    clearCanvas(wallLayer);
    if (!w) return;
    if (w.problem) {
      // no wall: say so briefly and what to do instead (the API's detail says the same at more length)
      setRegionStatus(w.problem.code === "no_wall_found" ? msg("WallNone") + ". " + msg("NoWall") : w.problem.detail, "error");
      stage.dataset.wall = w.problem.code || "error";
      return;
    }
    // tint the wall: mask pixels (0/255) become a translucent overlay, drawn at ≤ 1024 px
    const scale = Math.min(1, 1024 / Math.max(state.natural.w, state.natural.h));
    wallLayer.width = Math.max(1, Math.round(state.natural.w * scale));
    wallLayer.height = Math.max(1, Math.round(state.natural.h * scale));
    const ctx = wallLayer.getContext("2d", { willReadFrequently: true });
    ctx.drawImage(w.image, 0, 0, wallLayer.width, wallLayer.height);
    const data = ctx.getImageData(0, 0, wallLayer.width, wallLayer.height);
    const px = data.data;
    for (let i = 0; i < px.length; i += 4) {
      const on = px[i] > 127;
      px[i] = 255; px[i + 1] = 45; px[i + 2] = 117; px[i + 3] = on ? 120 : 0;
    }
    ctx.putImageData(data, 0, 0);
    stage.dataset.wall = "found";
    setRegionStatus(msg("WallFound", { pct: Math.round(w.coverage * 100) }), "ok");
  }

  // ------------------------------------------------------------------ box
  function setBox(box) {
    if (!box) { state.box = null; syncBoxFields(); redrawUi(); return; }
    let [x, y, w, h] = box.map((v) => Math.round(v));
    x = Math.max(0, Math.min(state.natural.w - 1, x));
    y = Math.max(0, Math.min(state.natural.h - 1, y));
    w = Math.max(1, Math.min(state.natural.w - x, w));
    h = Math.max(1, Math.min(state.natural.h - y, h));
    state.box = [x, y, w, h];
    syncBoxFields();
    redrawUi();
    setRegionStatus(msg("Box", { x, y, w, h }), w >= MIN_BOX && h >= MIN_BOX ? "ok" : "error");
  }

  function syncBoxFields() {
    for (const input of form.querySelectorAll("[data-box]")) {
      input.value = state.box ? state.box[Number(input.dataset.box)] : "";
      if (state.natural) input.max = String(Number(input.dataset.box) % 2 === 0 ? state.natural.w : state.natural.h);
    }
  }

  for (const input of form.querySelectorAll("[data-box]")) {
    input.addEventListener("change", () => {
      if (!state.natural) return;
      const values = [...form.querySelectorAll("[data-box]")].map((el) => Number(el.value));
      if (values.some((v) => !Number.isFinite(v))) return;
      setBox(values);
    });
  }

  function defaultBox() {
    const { w, h } = state.natural;
    return [w * 0.25, h * 0.25, Math.max(MIN_BOX, w * 0.5), Math.max(MIN_BOX, h * 0.5)];
  }

  // ------------------------------------------------------------------ mask
  function stroke(from, to) {
    const ctx = maskLayer.getContext("2d");
    ctx.globalCompositeOperation = state.tool === "eraser" ? "destination-out" : "source-over";
    ctx.strokeStyle = ctx.fillStyle = "#ff2d75";
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    ctx.lineWidth = brushRadius() * 2;
    ctx.beginPath();
    ctx.moveTo(from.x, from.y);
    ctx.lineTo(to.x + 0.01, to.y);
    ctx.stroke();
    if (state.tool === "brush") state.painted = true;
  }

  function maskIsEmpty() {
    const probe = document.createElement("canvas");
    probe.width = Math.min(256, maskLayer.width);
    probe.height = Math.max(1, Math.round(maskLayer.height * probe.width / maskLayer.width));
    const ctx = probe.getContext("2d", { willReadFrequently: true });
    ctx.drawImage(maskLayer, 0, 0, probe.width, probe.height);
    const px = ctx.getImageData(0, 0, probe.width, probe.height).data;
    for (let i = 3; i < px.length; i += 4) if (px[i] > 0) return false;
    return true;
  }

  function exportMask() {
    // white (paint) on black (keep), exactly the photo's upright size
    const out = document.createElement("canvas");
    out.width = state.natural.w;
    out.height = state.natural.h;
    const ctx = out.getContext("2d");
    ctx.drawImage(maskLayer, 0, 0);
    ctx.globalCompositeOperation = "source-in";
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, out.width, out.height);
    ctx.globalCompositeOperation = "destination-over";
    ctx.fillStyle = "#000000";
    ctx.fillRect(0, 0, out.width, out.height);
    return new Promise((resolve) => out.toBlob(resolve, "image/png"));
  }

  function setTool(tool) {
    state.tool = tool;
    for (const b of form.querySelectorAll("[data-tool]")) b.setAttribute("aria-pressed", String(b.dataset.tool === tool));
  }
  for (const b of form.querySelectorAll("[data-tool]")) b.addEventListener("click", () => setTool(b.dataset.tool));
  for (const b of form.querySelectorAll("[data-mask-action]")) {
    b.addEventListener("click", () => {
      if (!state.natural) return;
      const ctx = maskLayer.getContext("2d");
      ctx.globalCompositeOperation = "source-over";
      if (b.dataset.maskAction === "clear") { ctx.clearRect(0, 0, maskLayer.width, maskLayer.height); state.painted = false; }
      else { ctx.fillStyle = "#ff2d75"; ctx.fillRect(0, 0, maskLayer.width, maskLayer.height); state.painted = true; }
    });
  }
  $("brush-size").addEventListener("input", (e) => { e.target.setAttribute("aria-valuetext", e.target.value); redrawUi(); });

  // ------------------------------------------------------------------ pointer and keyboard on the photo
  ui.addEventListener("pointerdown", (e) => {
    if (!state.natural || state.mode === "auto" || state.mode === "quad") return;
    e.preventDefault();
    ui.setPointerCapture(e.pointerId);
    const p = toPhoto(e);
    state.drag = p;
    if (state.mode === "mask") stroke(p, p);
  });
  ui.addEventListener("pointermove", (e) => {
    if (!state.drag) return;
    const p = toPhoto(e);
    if (state.mode === "box") {
      const a = state.drag;
      setBox([Math.min(a.x, p.x), Math.min(a.y, p.y), Math.abs(p.x - a.x), Math.abs(p.y - a.y)]);
    } else if (state.mode === "mask") {
      stroke(state.drag, p);
      state.drag = p;
    }
  });
  const endDrag = () => { state.drag = null; };
  ui.addEventListener("pointerup", endDrag);
  ui.addEventListener("pointercancel", endDrag);

  ui.addEventListener("focus", () => {
    if (state.mode === "mask" && state.natural && !state.cursor) state.cursor = { x: state.natural.w / 2, y: state.natural.h / 2 };
    redrawUi();
  });
  ui.addEventListener("blur", () => { state.penDown = false; redrawUi(); });
  ui.addEventListener("keydown", (e) => {
    if (!state.natural || state.mode === "auto" || state.mode === "quad") return;
    const unit = Math.max(1, Math.round(Math.min(state.natural.w, state.natural.h) * (e.shiftKey ? 0.1 : 0.02)));
    const d = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] }[e.key];
    if (state.mode === "box") {
      if (!d) return;
      e.preventDefault();
      const [x, y, w, h] = state.box || defaultBox();
      // arrows move the box; with Alt they resize it
      setBox(e.altKey ? [x, y, w + d[0] * unit, h + d[1] * unit] : [x + d[0] * unit, y + d[1] * unit, w, h]);
      return;
    }
    const c = state.cursor || { x: state.natural.w / 2, y: state.natural.h / 2 };
    if (d) {
      e.preventDefault();
      const next = { x: Math.max(0, Math.min(state.natural.w, c.x + d[0] * unit)),
                     y: Math.max(0, Math.min(state.natural.h, c.y + d[1] * unit)) };
      if (state.penDown) stroke(c, next);
      state.cursor = next;
    } else if (e.key === " ") {
      e.preventDefault();
      state.penDown = !state.penDown;
      if (state.penDown) stroke(c, c);
      setRegionStatus(state.penDown ? msg("PenDown") : msg("PenUp"), "");
    } else if (e.key === "Enter") {
      e.preventDefault();
      stroke(c, c);
    } else if (e.key === "b" || e.key === "B") setTool("brush");
    else if (e.key === "e" || e.key === "E") setTool("eraser");
    else if (e.key === "+" || e.key === "=" || e.key === "-") {
      const size = $("brush-size");
      size.value = String(Number(size.value) + (e.key === "-" ? -1 : 1));
      size.dispatchEvent(new Event("input"));
    } else return;
    redrawUi();
  });

  // ------------------------------------------------------------------ region mode
  function setMode(mode) {
    state.mode = mode;
    stage.dataset.mode = mode;
    const help = $("region-help");
    help.textContent = help.dataset[mode];
    $("box-fields").hidden = mode !== "box";
    $("mask-tools").hidden = mode !== "mask";
    ui.tabIndex = mode === "auto" || mode === "quad" ? -1 : 0;
    fieldError("region", "");
    setRegionStatus("");
    emit("mode", { mode });
    if (mode === "auto" || mode === "quad") { showWall(); findWall(); }
    if (mode === "box" && state.box) setBox(state.box);
    redrawUi();
  }
  for (const r of form.querySelectorAll("input[name=region]")) r.addEventListener("change", () => r.checked && setMode(r.value));

  // ------------------------------------------------------------------ wish, options
  const prompt = $("prompt");
  prompt.addEventListener("input", () => { $("prompt-count").textContent = String(prompt.value.length); });
  const strength = $("opt-strength");
  strength.addEventListener("input", () => { $("strength-out").textContent = Number(strength.value).toFixed(2); });
  for (const r of form.querySelectorAll("input[name=theme]")) {
    r.addEventListener("change", () => { fieldError("theme", ""); $("opt-steps").placeholder = r.dataset.steps; });
  }

  // ------------------------------------------------------------------ submit
  function validate() {
    const problems = [];
    if (!state.file) problems.push(["photo", msg("NoPhoto")]);
    if (state.mode === "box" && !(state.box && state.box[2] >= MIN_BOX && state.box[3] >= MIN_BOX)) problems.push(["region", msg("NoBox")]);
    // the mask may start from the found wall (mask-edit.js), so what counts is whether anything is painted
    if (state.mode === "mask" && state.natural && maskIsEmpty()) problems.push(["region", msg("NoMask")]);
    if (state.mode === "auto" && state.wall && state.wall.problem && state.wall.problem.code === "no_wall_found") {
      problems.push(["region", ""]);  // the region's status line already says what to do
    }
    if (!form.querySelector("input[name=theme]:checked")) problems.push(["theme", msg("NoTheme")]);
    if (!prompt.value.trim()) problems.push(["prompt", msg("NoPrompt")]);
    emit("validate", { mode: state.mode, problems });
    return problems;
  }

  function numberOrNull(id) {
    const v = $(id).value.trim();
    return v === "" ? null : Number(v);
  }

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearErrors();
    const problems = validate();
    if (problems.length) {
      for (const [name, text] of problems) fieldError(name, text);
      // one problem: name it next to the button; several: point at the marked fields
      formError(problems.length > 1 ? msg("Fix") : (problems[0][1] || msg("NoWall")));
      const first = $("error-" + problems[0][0]);
      first.closest("section").scrollIntoView({ behavior: "smooth", block: "start" });
      return;
    }
    submitButton.disabled = true;
    const label = submitButton.textContent;
    submitButton.textContent = msg("Submitting");
    try {
      await state.upload;
      const taskId = state.taskId;
      const body = {
        theme: form.querySelector("input[name=theme]:checked").value,
        prompt: prompt.value.trim(),
        region: { mode: state.mode },
        variations: Number($("opt-variations").value),
        strength: Number(strength.value),
        fast: $("opt-fast").checked,
      };
      if (state.mode === "box") body.region.box = state.box;
      emit("body", { body });
      const steps = numberOrNull("opt-steps"), seed = numberOrNull("opt-seed");
      if (steps !== null) body.steps = steps;
      if (seed !== null) body.seed = seed;
      if (state.mode === "mask") {
        const blob = await exportMask();
        const created = await api("POST", `/api/tasks/${taskId}/mask`, { content_type: "image/png", size_bytes: blob.size });
        await put(created.upload, blob);
      }
      state.idem = state.idem || (window.crypto && crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random());
      const task = await api("POST", `/api/tasks/${taskId}/submit`, body, { "Idempotency-Key": state.idem });
      state.submitted = true;
      window.location.assign(`/tasks/${task.id}`);
    } catch (p) {
      showProblem(p && p.detail ? p : problem(0));
      submitButton.disabled = false;
      submitButton.textContent = label;
    }
  });
})();
