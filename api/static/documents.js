// Documents page: delete (after a confirmation dialog), retry failed ones, refresh in-flight rows.
"use strict";
(function () {
  const { errorSentence, NETWORK, sleep } = window.Fundlens;
  const dialog = document.getElementById("confirm-delete");
  const alertBox = document.getElementById("doc-alert");

  function say(text, kind) {
    alertBox.hidden = false;
    alertBox.className = "alert alert-" + kind;
    alertBox.textContent = text;
  }

  function askDelete(name) {
    return new Promise((resolve) => {
      document.getElementById("confirm-name").textContent = name;
      dialog.returnValue = "";
      dialog.addEventListener("close", () => resolve(dialog.returnValue === "delete"), { once: true });
      dialog.showModal();
    });
  }

  document.addEventListener("click", async (e) => {
    const btn = e.target.closest("button[data-action]");
    if (!btn) return;
    const id = btn.dataset.docId;
    const row = document.getElementById("doc-" + id);
    if (btn.dataset.action === "delete") {
      if (!(await askDelete(btn.dataset.name))) {
        btn.focus();
        return;
      }
      btn.disabled = true;
      const res = await fetch("/api/documents/" + id, { method: "DELETE" }).catch(() => null);
      if (res && (res.ok || res.status === 404)) {
        row.remove();
        say("Deleted " + btn.dataset.name + ".", "success");
        if (!document.querySelector("tr[data-doc-id]")) location.reload();
      } else {
        btn.disabled = false;
        say("Could not delete: " + (res ? await errorSentence(res) : NETWORK), "error");
      }
    } else if (btn.dataset.action === "retry") {
      btn.disabled = true;
      const res = await fetch("/api/documents/" + id + "/retry", { method: "POST" }).catch(() => null);
      if (res && res.ok) {
        btn.remove();
        setStatus(row, { status: "queued" });
        say("Document " + id + " is queued again.", "success");
        watch(row);
      } else {
        btn.disabled = false;
        say("Could not retry: " + (res ? await errorSentence(res) : NETWORK), "error");
      }
    }
  });

  // Links a document whose fund could not be identified to the fund the analyst chose.
  document.addEventListener("submit", async (e) => {
    const form = e.target.closest("form.link-fund");
    if (!form) return;
    e.preventDefault();
    const fundId = Number(form.elements.fund_id.value);
    if (!fundId) return;
    const id = form.dataset.docId;
    const res = await fetch("/api/documents/" + id + "/fund", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ fund_id: fundId }),
    }).catch(() => null);
    if (res && res.ok) location.reload();
    else say("Could not link the document: " + (res ? await errorSentence(res) : NETWORK), "error");
  });

  function setStatus(row, s) {
    const cell = row.querySelector(".status-cell");
    const badge = cell.querySelector(".badge");
    badge.className = "badge badge-" + s.status;
    badge.textContent = s.status;
    row.dataset.status = s.status;
    const p = s.progress || {};
    const text = s.status === "processing" && s.stage
      ? s.stage + (p.pages_total ? " · page " + p.pages_done + " of " + p.pages_total : "")
      : "";
    cell.querySelector(".progress-text").textContent = text;
  }

  /** Follows a queued or processing row; reloads once it finishes so counts and warnings show. */
  async function watch(row) {
    const id = row.dataset.docId;
    for (;;) {
      await sleep(2000);
      const res = await fetch("/api/documents/" + id + "/status", { cache: "no-store" }).catch(() => null);
      if (!res || !res.ok) {
        if (res && res.status === 404) return;
        continue;
      }
      const s = await res.json();
      setStatus(row, s);
      if (s.status === "completed" || s.status === "failed") {
        // Reload only when the user is not in the middle of something on the page.
        if (!dialog.open && document.activeElement === document.body) location.reload();
        else say("Document " + id + " is " + s.status + ". Reload the page to see what was extracted.", "info");
        return;
      }
    }
  }

  document.querySelectorAll('tr[data-status="queued"], tr[data-status="processing"]').forEach(watch);
})();
