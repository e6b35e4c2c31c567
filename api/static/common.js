// Helpers shared by the console's scripts: DOM building without innerHTML, and API error sentences.
"use strict";
window.Fundlens = (function () {
  /** Builds an element; strings become text nodes, so data never turns into markup. */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") node.className = v;
      else if (k === "text") node.textContent = v;
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? "" : String(v));
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined || c === false) continue;
      node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return node;
  }

  /** The API answers errors as {"detail": "a sentence"}; fall back to something useful. */
  async function errorSentence(res) {
    try {
      const body = await res.json();
      if (body && typeof body.detail === "string") return body.detail;
    } catch (_) { /* not JSON */ }
    if (res.status === 503) return "The server is busy; try again in a few seconds.";
    if (res.status === 404) return "Not found (HTTP 404).";
    return "The server answered HTTP " + res.status + ".";
  }

  const NETWORK = "Could not reach the Fundlens server. Check your connection, then try again.";

  function sleep(ms) {
    return new Promise((r) => setTimeout(r, ms));
  }

  return { el, errorSentence, NETWORK, sleep };
})();
