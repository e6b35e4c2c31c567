// Upload page: posts each dropped or chosen PDF to the API, then polls its status until done.
"use strict";
(function () {
  const { el, errorSentence, NETWORK, sleep } = window.Fundlens;
  const input = document.getElementById("file-input");
  const drop = document.getElementById("drop-zone");
  const fundSelect = document.getElementById("fund-select");
  const list = document.getElementById("upload-list");
  const empty = document.getElementById("upload-empty");
  const POLL_MS = 1000;

  const STAGES = { parsing: "Reading pages", extracting: "Extracting tables and text", storing: "Saving results" };

  function handle(files) {
    for (const file of files) upload(file, fundSelect.value);
  }

  ["dragenter", "dragover"].forEach((t) =>
    drop.addEventListener(t, (e) => {
      e.preventDefault();
      drop.classList.add("is-over");
    })
  );
  ["dragleave", "dragend"].forEach((t) => drop.addEventListener(t, () => drop.classList.remove("is-over")));
  drop.addEventListener("drop", (e) => {
    e.preventDefault();
    drop.classList.remove("is-over");
    if (e.dataTransfer && e.dataTransfer.files.length) handle(e.dataTransfer.files);
  });
  input.addEventListener("change", () => {
    handle(Array.from(input.files));
    input.value = "";
  });

  /** One list entry per file; `set` swaps its status, detail and actions. */
  function item(file) {
    const badge = el("span", { class: "badge badge-queued", text: "uploading" });
    const detail = el("p", { class: "upload-detail small", text: "Sending the file…" });
    const bar = el("progress", { max: "100", "aria-label": "Progress of " + file.name });
    const actions = el("div", { class: "upload-actions" });
    const li = el("li", { class: "upload-item panel", "data-file": file.name },
      el("div", { class: "upload-head" },
        el("span", { class: "file-name", text: file.name }),
        el("span", { class: "muted small", text: Math.max(1, Math.round(file.size / 1024)) + " KB" }),
        badge),
      bar, detail, actions);
    list.prepend(li);
    empty.hidden = true;
    return {
      li,
      set(status, text, progress) {
        badge.className = "badge badge-" + status;
        badge.textContent = status;
        li.dataset.status = status;
        detail.textContent = text;
        if (progress === null) bar.removeAttribute("value");
        else if (progress !== undefined) bar.value = progress;
        bar.hidden = status === "completed" || status === "failed";
      },
      actions(...nodes) {
        actions.replaceChildren(...nodes);
      },
    };
  }

  async function upload(file, fundId) {
    const ui = item(file);
    ui.set("uploading", "Sending the file…", null);
    const form = new FormData();
    form.append("file", file, file.name);
    if (fundId) form.append("fund_id", fundId);
    let res;
    try {
      res = await fetch("/api/documents/upload", { method: "POST", body: form });
    } catch (_) {
      ui.set("failed", NETWORK);
      ui.actions(el("button", { type: "button", class: "button small-button", onclick: () => { ui.li.remove(); upload(file, fundId); } }, "Try again"));
      return;
    }
    if (!res.ok) {
      ui.set("failed", "Upload refused: " + (await errorSentence(res)));
      return;
    }
    const body = await res.json();
    ui.li.dataset.documentId = body.document_id;
    if (body.duplicate) {
      ui.set(body.status, body.message);
    }
    await follow(ui, body.document_id);
  }

  function summary(s) {
    const c = s.counts || {};
    const parts = [
      (s.page_count || c.pages || 0) + " pages",
      (c.capital_calls || 0) + " capital calls",
      (c.distributions || 0) + " distributions",
      (c.adjustments || 0) + " adjustments",
    ];
    return "Completed: " + parts.join(", ") + ".";
  }

  async function follow(ui, id) {
    let misses = 0;
    for (;;) {
      let res;
      try {
        res = await fetch("/api/documents/" + id + "/status", { cache: "no-store" });
      } catch (_) {
        res = null;
      }
      if (res && res.status === 404) {
        ui.set("failed", "This document was deleted.");
        return;
      }
      if (!res || !res.ok) {
        misses += 1;
        if (misses >= 3) ui.set("queued", "Lost contact with the server; still trying…", null);
        await sleep(POLL_MS * 2);
        continue;
      }
      misses = 0;
      const s = await res.json();
      const p = s.progress || {};
      if (s.status === "queued") {
        ui.set("queued", s.error ? "Waiting to retry: " + s.error : "Queued: waiting for a worker.", null);
      } else if (s.status === "processing") {
        const stage = STAGES[s.stage] || "Processing";
        const pages = p.pages_total ? " · page " + p.pages_done + " of " + p.pages_total : "";
        ui.set("processing", stage + pages + (s.attempts > 1 ? " (attempt " + s.attempts + ")" : ""),
          p.pages_total ? Math.round((100 * p.pages_done) / p.pages_total) : null);
      } else if (s.status === "completed") {
        ui.set("completed", summary(s), 100);
        const links = [el("a", { class: "button secondary small-button", href: "/documents#doc-" + id }, "View document")];
        if (s.fund_id) links.push(el("a", { class: "button small-button", href: "/funds/" + s.fund_id }, "Open fund"));
        const warnings = (s.warnings || []).map((w) => el("li", {}, w.message || String(w)));
        if (warnings.length) links.push(el("details", { class: "warnings" }, el("summary", {}, warnings.length + " warning(s)"), el("ul", { class: "small" }, warnings)));
        ui.actions(...links);
        return;
      } else if (s.status === "failed") {
        ui.set("failed", s.error || "Processing failed.");
        ui.actions(el("button", {
          type: "button", class: "button small-button",
          onclick: async (e) => {
            e.target.disabled = true;
            const r = await fetch("/api/documents/" + id + "/retry", { method: "POST" }).catch(() => null);
            if (!r || !r.ok) {
              ui.set("failed", "Retry refused: " + (r ? await errorSentence(r) : NETWORK));
              e.target.disabled = false;
              return;
            }
            ui.actions();
            follow(ui, id);
          },
        }, "Retry"));
        return;
      }
      await sleep(POLL_MS);
    }
  }
})();
