// gitterra dashboard: the live parts. Pages work without this file; it only follows build
// logs as they grow (server-sent events) and refreshes the figures of regions marked
// data-refresh="<seconds>". Log text is only ever put in textContent, never parsed as HTML.
"use strict";

(function () {
  // Fetch this page again and swap in the new content of the given elements (by id).
  async function refresh(ids) {
    let response;
    try {
      response = await fetch(location.href, { credentials: "same-origin", cache: "no-store" });
    } catch (e) {
      return false; // the server is restarting: try again at the next tick
    }
    if (!response.ok || new URL(response.url).pathname === "/login") return false;
    const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
    for (const id of ids) {
      const now = document.getElementById(id);
      const next = fresh.getElementById(id);
      if (now && next) now.replaceChildren(...Array.from(next.childNodes).map((n) => document.importNode(n, true)));
    }
    return true;
  }

  function periodic() {
    for (const region of document.querySelectorAll("[data-refresh][id]")) {
      const seconds = Math.max(2, Number(region.dataset.refresh) || 5);
      setInterval(() => {
        if (!document.hidden) refresh([region.id]);
      }, seconds * 1000);
    }
  }

  function appendLine(log, segments) {
    const div = document.createElement("div");
    div.className = "line";
    for (const [cls, text] of segments) {
      if (cls) {
        const span = document.createElement("span");
        span.className = cls;
        span.textContent = text;
        div.appendChild(span);
      } else {
        div.appendChild(document.createTextNode(text));
      }
    }
    log.appendChild(div);
  }

  function regions() {
    return Array.from(document.querySelectorAll("[data-region][id]")).map((e) => e.id);
  }

  function follow(log) {
    const state = document.getElementById("log-state");
    const url = log.dataset.stream + "?offset=" + encodeURIComponent(log.dataset.offset || "0");
    const source = new EventSource(url);
    let stick = true; // follow the end like tail -f, unless the reader scrolled up
    log.addEventListener("scroll", () => {
      stick = log.scrollTop + log.clientHeight >= log.scrollHeight - 24;
    });
    log.scrollTop = log.scrollHeight;
    source.addEventListener("lines", (ev) => {
      const data = JSON.parse(ev.data);
      for (const segments of data.lines) appendLine(log, segments);
      if (data.next !== null) log.dataset.offset = String(data.next);
      if (stick) log.scrollTop = log.scrollHeight;
    });
    let phase = null;
    source.addEventListener("status", (ev) => {
      const data = JSON.parse(ev.data);
      const badge = document.getElementById("build-status");
      if (badge) {
        badge.textContent = data.status;
        badge.className = "badge " + data.tone;
      }
      if (state) state.textContent = "following… " + data.phase;
      if (phase !== null && phase !== data.phase) refresh(regions()); // the phase bars
      phase = data.phase;
    });
    source.addEventListener("end", (ev) => {
      source.close();
      const data = JSON.parse(ev.data);
      if (state) state.textContent = "ended: " + data.status;
      refresh(regions());
    });
    source.onerror = () => {
      if (source.readyState === EventSource.CLOSED && state) state.textContent = "disconnected (reload to follow again)";
    };
  }

  document.addEventListener("DOMContentLoaded", () => {
    periodic();
    const log = document.getElementById("log");
    if (log && log.dataset.stream) follow(log);
  });
})();
