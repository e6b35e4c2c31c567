// Chat page: sends questions to /api/chat/query, renders answers with numbered citations and
// result tables, and lists earlier conversations. Data is inserted as text, never as markup.
"use strict";
(function () {
  const { el, errorSentence, NETWORK } = window.Fundlens;
  const form = document.getElementById("chat-form");
  const query = document.getElementById("chat-query");
  const fund = document.getElementById("chat-fund");
  const send = document.getElementById("chat-send");
  const log = document.getElementById("chat-log");
  const empty = document.getElementById("chat-empty");
  const list = document.getElementById("conversation-list");
  const historyStatus = document.getElementById("history-status");
  const NOT_READY = "Chat is not available on this server yet (the chat API answered 404). Ask the Fundlens operators to enable it; meanwhile the fund pages show every metric.";

  let conversationId = null;
  let answers = 0;

  function bubble(role, ...children) {
    empty.hidden = true;
    const node = el("div", { class: "message message-" + role }, ...children);
    log.append(node);
    node.scrollIntoView({ block: "nearest" });
    return node;
  }

  /** "[2]" in the answer becomes a link that opens source 2. */
  function answerText(text, prefix, count) {
    const p = el("p", { class: "answer-text" });
    const parts = String(text || "").split(/(\[\d+\])/);
    for (const part of parts) {
      const m = /^\[(\d+)\]$/.exec(part);
      const n = m ? Number(m[1]) : 0;
      if (n >= 1 && n <= count) {
        p.append(el("a", { href: "#" + prefix + "-" + n, class: "cite", "data-source": prefix + "-" + n }, "[" + n + "]"));
      } else {
        p.append(part);
      }
    }
    return p;
  }

  function sourcesList(sources, prefix) {
    if (!sources || !sources.length) return null;
    return el("ol", { class: "sources" }, sources.map((s, i) =>
      el("li", { id: prefix + "-" + (i + 1) },
        el("details", {},
          el("summary", {},
            el("span", { class: "cite-num" }, "[" + (i + 1) + "] "),
            (s.file_name || "Document " + s.document_id) + (s.page ? ", page " + s.page : ""),
            s.heading ? el("span", { class: "muted" }, " — " + s.heading) : null),
          el("blockquote", { class: "source-text" }, s.content || ""),
          s.document_id ? el("a", { href: "/documents#doc-" + s.document_id, class: "small" }, "Open document " + s.document_id) : null))));
  }

  function cell(v) {
    if (v === null || v === undefined) return "—";
    if (typeof v === "number") return v.toLocaleString("en-US", { maximumFractionDigits: 4 });
    if (typeof v === "object") return JSON.stringify(v);
    return String(v);
  }

  function rowsTable(rows) {
    if (!Array.isArray(rows) || !rows.length) return null;
    const cols = Object.keys(rows[0] || {});
    return el("div", { class: "table-wrap" },
      el("table", { class: "data" },
        el("thead", {}, el("tr", {}, cols.map((c) => el("th", { scope: "col" }, c.replace(/_/g, " "))))),
        el("tbody", {}, rows.map((r) => el("tr", {}, cols.map((c) =>
          el("td", { class: typeof r[c] === "number" ? "num" : null }, cell(r[c]))))))));
  }

  function metricsList(metrics) {
    if (!metrics || typeof metrics !== "object") return null;
    const keys = ["pic", "total_distributions", "nav", "dpi", "tvpi", "rvpi", "irr"].filter((k) => metrics[k] !== undefined && metrics[k] !== null);
    if (!keys.length) return null;
    return el("dl", { class: "metric-strip" }, keys.map((k) =>
      el("div", {}, el("dt", {}, k.replace(/_/g, " ").toUpperCase()), el("dd", {}, cell(metrics[k]) + (k === "irr" ? "%" : "")))));
  }

  function renderAnswer(body) {
    answers += 1;
    const prefix = "a" + answers + "-src";
    const sources = body.sources || [];
    bubble("assistant",
      answerText(body.answer, prefix, sources.length),
      metricsList(body.metrics),
      rowsTable(body.rows),
      sourcesList(sources, prefix),
      el("p", { class: "muted small" }, [body.intent ? "Intent: " + body.intent : null, body.processing_time_ms !== undefined ? body.processing_time_ms + " ms" : null].filter(Boolean).join(" · ")));
  }

  log.addEventListener("click", (e) => {
    const a = e.target.closest("a.cite");
    if (!a) return;
    const li = document.getElementById(a.dataset.source);
    if (li) {
      const d = li.querySelector("details");
      d.open = true;
      d.querySelector("summary").focus();
    }
  });

  query.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey) {
      e.preventDefault();
      form.requestSubmit();
    }
  });

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const text = query.value.trim();
    if (!text) {
      query.focus();
      return;
    }
    bubble("user", el("p", {}, text));
    query.value = "";
    send.disabled = true;
    const pending = bubble("assistant pending", el("p", { class: "muted" }, "Looking through the reports…"));
    const payload = { query: text };
    if (fund.value) payload.fund_id = Number(fund.value);
    if (conversationId) payload.conversation_id = conversationId;
    let res;
    try {
      res = await fetch("/api/chat/query", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(payload),
      });
    } catch (_) {
      res = null;
    }
    pending.remove();
    send.disabled = false;
    if (!res || !res.ok) {
      let msg = NETWORK;
      if (res) {
        // A missing route (chat not deployed) differs from a missing fund or conversation.
        const detail = await errorSentence(res);
        msg = res.status === 404 && detail === "No such route." ? NOT_READY : "The question could not be answered: " + detail;
      }
      bubble("error", el("p", { role: "alert" }, msg));
      query.value = text;
      query.focus();
      return;
    }
    const body = await res.json();
    if (body.conversation_id) conversationId = body.conversation_id;
    renderAnswer(body);
    loadConversations();
  });

  document.getElementById("new-conversation").addEventListener("click", () => {
    conversationId = null;
    log.querySelectorAll(".message").forEach((m) => m.remove());
    empty.hidden = false;
    markActive();
    query.focus();
  });

  fund.addEventListener("change", () => {
    conversationId = null;
    loadConversations();
  });

  function markActive() {
    list.querySelectorAll("button").forEach((b) => {
      if (String(b.dataset.id) === String(conversationId)) b.setAttribute("aria-current", "true");
      else b.removeAttribute("aria-current");
    });
  }

  async function openConversation(id) {
    const res = await fetch("/api/chat/conversations/" + id).catch(() => null);
    if (!res || !res.ok) {
      historyStatus.textContent = "Could not open that conversation: " + (res ? await errorSentence(res) : NETWORK);
      return;
    }
    const c = await res.json();
    conversationId = c.id || id;
    log.querySelectorAll(".message").forEach((m) => m.remove());
    for (const m of c.messages || []) {
      if (m.role === "user") bubble("user", el("p", {}, m.content));
      else renderAnswer(Object.assign({ answer: m.content, intent: m.intent }, m.payload || {}));
    }
    if (!(c.messages || []).length) empty.hidden = false;
    markActive();
  }

  async function loadConversations() {
    const q = fund.value ? "?fund_id=" + encodeURIComponent(fund.value) : "";
    let res;
    try {
      res = await fetch("/api/chat/conversations" + q, { cache: "no-store" });
    } catch (_) {
      historyStatus.textContent = NETWORK;
      return;
    }
    if (res.status === 404) {
      historyStatus.textContent = "Conversation history is not available on this server yet (chat is not enabled).";
      return;
    }
    if (!res.ok) {
      historyStatus.textContent = "Could not load conversations: " + (await errorSentence(res));
      return;
    }
    const body = await res.json();
    const items = Array.isArray(body) ? body : body.items || body.conversations || [];
    historyStatus.textContent = items.length ? "" : "No conversations yet. Your questions start one.";
    list.replaceChildren(...items.map((c) => el("li", {},
      el("button", { type: "button", class: "conversation", "data-id": c.id, onclick: () => openConversation(c.id) },
        el("span", { class: "conversation-title" }, c.title || "Conversation " + c.id),
        el("span", { class: "muted small" }, c.updated_at ? new Date(c.updated_at).toLocaleString() : "")))));
    markActive();
  }

  loadConversations();
})();
