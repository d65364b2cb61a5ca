// A finished task's "save and share" (issue 20): the phone's share sheet with the picture file itself (Web Share
// API, where the browser can share files), and copying the picture's link as the fallback. The picked variation
// (app.js's [data-compare-pick]) is the one shared. Also runs on the fragment the live page swaps in.
"use strict";
(function () {
  const probe = () => {
    try {
      return !!(navigator.share && navigator.canShare &&
        navigator.canShare({ files: [new File([new Uint8Array(1)], "probe.jpg", { type: "image/jpeg" })] }));
    } catch (e) { return false; }
  };

  async function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    const area = document.createElement("textarea");
    area.value = text; area.setAttribute("readonly", ""); area.style.position = "fixed"; area.style.opacity = "0";
    document.body.appendChild(area); area.select(); document.execCommand("copy"); area.remove();
  }

  function init(root) {
    for (const box of root.querySelectorAll(".share-box")) {
      if (box.dataset.ready) continue;
      box.dataset.ready = "1";
      const section = box.closest("section.final") || document;
      const shareBtn = box.querySelector("[data-share]");
      const copyBtn = box.querySelector("[data-copy-link]");
      const status = box.querySelector("[data-share-status]");
      const urls = JSON.parse(shareBtn.dataset.shareFiles || "[]");
      const names = JSON.parse(shareBtn.dataset.shareNames || "[]");
      let picked = 0;
      const files = {};  // index → Promise<File>: fetched ahead, so the share sheet opens within the tap
      const fileOf = (i) => files[i] || (files[i] = fetch(urls[i], { credentials: "same-origin" })
        .then((r) => { if (!r.ok) throw new Error(String(r.status)); return r.blob(); })
        .then((b) => new File([b], names[i] || `saekdam-${i + 1}.jpg`, { type: b.type || "image/jpeg" })));
      const say = (text) => { status.textContent = text; };

      for (const pick of section.querySelectorAll("[data-pick-index]")) {
        pick.addEventListener("click", () => { picked = Number(pick.dataset.pickIndex) || 0; if (canFiles) fileOf(picked); });
      }
      const canFiles = urls.length > 0 && probe();
      if (canFiles) {
        shareBtn.hidden = false;
        box.querySelector("[data-share-hint]").hidden = false;
        fileOf(0).catch(() => {});
      }
      shareBtn.addEventListener("click", async () => {
        say("");
        try {
          const file = await fileOf(picked);
          const data = { files: [file], title: shareBtn.dataset.shareTitle, text: shareBtn.dataset.shareText };
          if (!navigator.canShare(data)) throw new Error("cannot share");
          await navigator.share(data);
        } catch (e) {
          if (e && e.name === "AbortError") return;  // the user closed the sheet
          say(shareBtn.dataset.msgFailed);
        }
      });
      copyBtn.addEventListener("click", async () => {
        const url = new URL(urls[picked], location.href).href;
        try { await copyText(url); say(copyBtn.dataset.msgCopied); }
        catch (e) { window.prompt("URL", url); }
      });
    }
  }

  if (window.htmx) window.htmx.onLoad(init);
  else document.addEventListener("DOMContentLoaded", () => init(document));
})();
