// The create page's example wishes (issue 20): the chosen theme's examples show under the wish field, and a tap
// on one puts it into the field. Kept apart from create.js (uploader and editors).
"use strict";
(function () {
  const form = document.getElementById("create-form");
  const box = document.getElementById("wish-examples");
  const prompt = document.getElementById("prompt");
  if (!form || !box || !prompt) return;

  function show(slug) {
    let any = false;
    for (const list of box.querySelectorAll("[data-wish-theme]")) {
      list.hidden = list.dataset.wishTheme !== slug;
      any = any || !list.hidden;
    }
    document.getElementById("wish-examples-none").hidden = any;
  }

  for (const r of form.querySelectorAll("input[name=theme]")) {
    r.addEventListener("change", () => { if (r.checked) show(r.value); });
  }
  box.addEventListener("click", (e) => {
    const chip = e.target.closest("[data-wish]");
    if (!chip) return;
    prompt.value = chip.dataset.wish;
    prompt.dispatchEvent(new Event("input", { bubbles: true }));  // the counter and any error update
  });
  const checked = form.querySelector("input[name=theme]:checked");
  if (checked) show(checked.value);
})();
