// Copyright 2026 the battery-analysis authors. MIT license.
// Progressive enhancement of the server-rendered pages: renders the Vega-Lite plots with
// vega-embed (served from this server) and records how many data points each plot drew; adds
// PNG/SVG/CSV export to each plot, a column chooser to wide tables, and loads the sections that
// the server computes in the background (with progress and a cancel button).
"use strict";

/**
 * Data points drawn by a scenegraph: in each panel (the root, or a concatenated view named
 * `..._group`), the distinct data tuples of its marks, including those inside the grouping
 * scopes Vega makes for coloured lines (a line and its point overlay share tuples); axes,
 * legends and titles are not data.
 */
function drawnPoints(root) {
  let total = 0;
  const visit = (groupItem, seen) => {
    for (const mark of groupItem.items || []) {
      if (!Array.isArray(mark.items)) continue;
      if (mark.marktype === "group") {
        if (mark.role === "axis" || mark.role === "legend" || mark.role === "title") continue;
        const panel = /_group$/.test(mark.name || "");
        for (const child of mark.items) {
          if (panel) {
            const own = new Set();
            visit(child, own);
            total += own.size;
          } else visit(child, seen);
        }
      } else if (mark.role === "mark") {
        for (const item of mark.items) if (item.datum) seen.add(item.datum);
      }
    }
  };
  const rootSeen = new Set();
  for (const item of root.items || []) visit(item, rootSeen);
  return total + rootSeen.size;
}

const dark = () => globalThis.matchMedia?.("(prefers-color-scheme: dark)").matches === true;

/** Every inline data row of a spec, with the layer or panel it belongs to. */
function specRows(spec, path = "") {
  const out = [];
  if (spec && typeof spec === "object") {
    if (spec.data && Array.isArray(spec.data.values)) {
      for (const row of spec.data.values) out.push({ part: path || "data", row });
    }
    for (const key of ["layer", "vconcat", "hconcat", "concat"]) {
      if (Array.isArray(spec[key])) {
        spec[key].forEach((p, i) =>
          out.push(...specRows(p, `${path}${path ? "/" : ""}${key}${i}`))
        );
      }
    }
    if (spec.spec) out.push(...specRows(spec.spec, path));
  }
  return out;
}

function csvCell(v) {
  if (v === null || v === undefined) return "";
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The plot's data as CSV: one column per field, plus which layer a row belongs to. */
function specCsv(spec) {
  const rows = specRows(spec);
  const fields = [];
  for (const { row } of rows) {
    for (const k of Object.keys(row)) if (!fields.includes(k)) fields.push(k);
  }
  const lines = [["layer", ...fields].join(",")];
  for (const { part, row } of rows) {
    lines.push([part, ...fields.map((f) => row[f])].map(csvCell).join(","));
  }
  return lines.join("\r\n") + "\r\n";
}

function download(url, name) {
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
}

function exportButtons(figure, view, spec) {
  const bar = document.createElement("div");
  bar.className = "plot-actions";
  const add = (label, title, run) => {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "secondary small";
    b.textContent = label;
    b.title = title;
    b.dataset.export = label.toLowerCase();
    b.addEventListener("click", run);
    bar.appendChild(b);
  };
  add(
    "PNG",
    "Save the plot as a PNG image",
    async () => download(await view.toImageURL("png", 2), `${figure.id}.png`),
  );
  add(
    "SVG",
    "Save the plot as an SVG drawing",
    async () => download(await view.toImageURL("svg"), `${figure.id}.svg`),
  );
  add("CSV", "Save the plotted data as CSV", () => {
    const url = URL.createObjectURL(new Blob([specCsv(spec)], { type: "text/csv" }));
    download(url, `${figure.id}.csv`);
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  });
  figure.appendChild(bar);
}

async function renderPlot(figure) {
  if (figure.dataset.embedded) return;
  figure.dataset.embedded = "true";
  const target = figure.querySelector(".plot-target");
  const source = document.getElementById(figure.id + "-spec");
  if (!target || !source) return;
  try {
    const spec = JSON.parse(source.textContent);
    const result = await vegaEmbed(target, spec, {
      renderer: "canvas",
      actions: false,
      ...(dark() ? { theme: "dark" } : {}),
    });
    figure.dataset.renderedPoints = String(drawnPoints(result.view.scenegraph().root));
    figure.classList.add("rendered");
    exportButtons(figure, result.view, spec);
  } catch (err) {
    figure.classList.add("failed");
    const p = document.createElement("p");
    p.className = "error";
    p.textContent = "Plot failed: " + (err && err.message ? err.message : String(err));
    figure.appendChild(p);
  }
}

/** Render every plot not yet embedded under `root`. */
function renderPlots(root) {
  return Promise.all(Array.from(root.querySelectorAll("figure.plot"), renderPlot));
}

/**
 * Column chooser of a table with `data-columns`: a checkbox per header cell that has
 * `data-col`; columns with `data-optional` start hidden. The choice is kept per table in
 * localStorage.
 */
function columnChooser(table) {
  const heads = Array.from(table.tHead?.rows[0]?.cells ?? []);
  const keyed = heads.map((th, i) => ({ th, i, key: th.dataset.col })).filter((h) => h.key);
  if (!keyed.length) return;
  const storageKey = `columns:${table.id}`;
  let saved = {};
  try {
    saved = JSON.parse(localStorage.getItem(storageKey) ?? "{}") ?? {};
  } catch {
    saved = {};
  }
  const visible = (h) => saved[h.key] ?? !("optional" in h.th.dataset);
  const apply = () => {
    for (const h of keyed) {
      const show = visible(h);
      for (const row of table.rows) {
        const cell = row.cells[h.i];
        if (cell) cell.hidden = !show;
      }
    }
  };
  const details = document.createElement("details");
  details.className = "column-chooser";
  details.dataset.for = table.id;
  const summary = document.createElement("summary");
  summary.textContent = "Columns";
  details.appendChild(summary);
  const box = document.createElement("div");
  for (const h of keyed) {
    const label = document.createElement("label");
    const input = document.createElement("input");
    input.type = "checkbox";
    input.value = h.key;
    input.checked = visible(h);
    input.addEventListener("change", () => {
      saved[h.key] = input.checked;
      try {
        localStorage.setItem(storageKey, JSON.stringify(saved));
      } catch {
        // private mode: the choice lasts for this page only
      }
      apply();
    });
    label.append(input, " ", h.th.dataset.label ?? h.th.textContent.replace(/[▲▼]/g, "").trim());
    box.appendChild(label);
  }
  details.appendChild(box);
  const anchor = table.closest(".scroll") ?? table;
  anchor.parentNode.insertBefore(details, anchor);
  apply();
}

/**
 * A section the server computes in its worker pool: fetch it, show the time spent meanwhile,
 * offer to cancel (which aborts the request; the server then stops the computation).
 */
async function loadFragment(section) {
  const url = section.dataset.fragment;
  const controller = new AbortController();
  const status = section.querySelector(".fragment-status") ?? section;
  const started = Date.now();
  const tick = setInterval(() => {
    const s = Math.round((Date.now() - started) / 1000);
    const label = section.querySelector(".fragment-elapsed");
    if (label) label.textContent = `${s} s`;
  }, 500);
  const cancel = section.querySelector("button[data-cancel]");
  cancel?.addEventListener("click", () => controller.abort());
  try {
    const res = await fetch(url, { signal: controller.signal, headers: { accept: "text/html" } });
    const html = await res.text();
    section.innerHTML = html;
    section.dataset.loaded = String(res.status);
    await renderPlots(section);
    for (const t of section.querySelectorAll("table[data-columns]")) columnChooser(t);
  } catch (err) {
    section.dataset.loaded = "cancelled";
    status.textContent = controller.signal.aborted
      ? "Cancelled. Reload the page to compute it again."
      : "Could not load this section: " + (err && err.message ? err.message : String(err));
  } finally {
    clearInterval(tick);
  }
}

/** Saved searches: the form's URL under a name, kept in localStorage, listed on the page. */
function savedSearches(form) {
  const KEY = "saved-searches:" + location.pathname;
  const box = document.getElementById("saved-searches");
  const read = () => {
    try {
      return JSON.parse(localStorage.getItem(KEY) ?? "[]") ?? [];
    } catch {
      return [];
    }
  };
  const write = (list) => {
    try {
      localStorage.setItem(KEY, JSON.stringify(list));
    } catch {
      // private mode: nothing is kept
    }
  };
  const show = () => {
    if (!box) return;
    const list = read();
    const ul = box.querySelector("ul");
    ul.textContent = "";
    for (const [i, s] of list.entries()) {
      const li = document.createElement("li");
      const a = document.createElement("a");
      a.href = s.url;
      a.textContent = s.name;
      const del = document.createElement("button");
      del.type = "button";
      del.className = "secondary small";
      del.textContent = "Forget";
      del.addEventListener("click", () => {
        const next = read();
        next.splice(i, 1);
        write(next);
        show();
      });
      li.append(a, " ", del);
      ul.appendChild(li);
    }
    box.hidden = list.length === 0;
  };
  const bar = document.createElement("span");
  bar.className = "search-actions";
  const save = document.createElement("button");
  save.type = "button";
  save.className = "secondary";
  save.id = "save-search";
  save.textContent = "Save search";
  save.title = "Keep this search (its URL) under a name in this browser";
  save.addEventListener("click", () => {
    const name = prompt("Name of this search", form.querySelector("[name=q]")?.value || "search");
    if (!name) return;
    write([...read().filter((s) => s.name !== name), {
      name,
      url: location.pathname + location.search,
    }]);
    show();
  });
  const copy = document.createElement("button");
  copy.type = "button";
  copy.className = "secondary";
  copy.id = "copy-search-link";
  copy.textContent = "Copy link";
  copy.title = "Copy the URL of this search to share it";
  copy.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(location.href);
      copy.textContent = "Copied";
    } catch {
      prompt("Copy this link", location.href);
    }
  });
  bar.append(save, copy);
  form.appendChild(bar);
  show();
}

/**
 * A part of the page that follows the store live: on each `change` server-sent event, the page
 * is fetched again and this part replaced by its new version.
 */
function follow(part) {
  if (typeof EventSource !== "function") return;
  const source = new EventSource(part.dataset.live);
  let updates = 0;
  const refresh = async () => {
    try {
      const res = await fetch(location.href, { headers: { accept: "text/html" } });
      if (!res.ok) return;
      const doc = new DOMParser().parseFromString(await res.text(), "text/html");
      const fresh = doc.getElementById(part.id);
      if (!fresh) return;
      part.innerHTML = fresh.innerHTML;
      if (fresh.dataset.liveState) part.dataset.liveState = fresh.dataset.liveState;
      for (const t of part.querySelectorAll("table[data-columns]")) columnChooser(t);
      if (typeof vegaEmbed === "function") await renderPlots(part);
      part.dataset.updates = String(++updates);
    } catch {
      // the next change tries again
    }
  };
  source.addEventListener("change", refresh);
  // The stream starts from the store as it is now: when that is not what the page was drawn
  // from (an import ended in between), draw it again at once.
  source.addEventListener("ready", (event) => {
    if (part.dataset.liveState && event.data !== part.dataset.liveState) refresh();
  });
  addEventListener("pagehide", () => source.close());
}

/**
 * The upload form: files dropped on the zone join the picked ones; the form is sent with a
 * progress bar, then the browser follows the server to the import job's page.
 */
function uploadForm(form) {
  const input = form.querySelector("input[type=file]");
  const zone = form.querySelector(".dropzone");
  const list = form.querySelector("#upload-list");
  const bar = form.querySelector("#upload-progress");
  const status = form.querySelector("#upload-status");
  const show = () => {
    list.textContent = "";
    for (const f of input.files) {
      const li = document.createElement("li");
      li.textContent = `${f.name} (${(f.size / 1024).toFixed(1)} KiB)`;
      list.appendChild(li);
    }
  };
  input.addEventListener("change", show);
  for (const type of ["dragenter", "dragover"]) {
    zone.addEventListener(type, (e) => {
      e.preventDefault();
      zone.classList.add("over");
    });
  }
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (e) => {
    e.preventDefault();
    zone.classList.remove("over");
    const all = new DataTransfer();
    for (const f of input.files) all.items.add(f);
    for (const f of e.dataTransfer.files) all.items.add(f);
    input.files = all.files;
    show();
  });
  form.addEventListener("submit", (e) => {
    if (typeof XMLHttpRequest !== "function") return;
    e.preventDefault();
    const xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    bar.hidden = false;
    xhr.upload.addEventListener("progress", (p) => {
      if (p.lengthComputable) {
        bar.value = p.loaded / p.total;
        status.textContent = `Uploading… ${Math.round((100 * p.loaded) / p.total)} %`;
      }
    });
    xhr.upload.addEventListener("load", () => (status.textContent = "Importing…"));
    xhr.addEventListener("load", () => {
      if (xhr.status >= 200 && xhr.status < 300 && xhr.responseURL) {
        location.assign(xhr.responseURL);
      } else {
        status.textContent = "Upload failed: " +
          xhr.responseText.replace(/<[^>]*>/g, " ").trim().slice(0, 300);
        status.className = "error";
      }
    });
    xhr.addEventListener(
      "error",
      () => (status.textContent = "Upload failed: the connection broke"),
    );
    xhr.send(new FormData(form));
  });
}

async function main() {
  for (const form of document.querySelectorAll("form[data-upload]")) uploadForm(form);
  for (const part of document.querySelectorAll("[data-live][id]")) follow(part);
  for (const table of document.querySelectorAll("table[data-columns]")) columnChooser(table);
  for (const form of document.querySelectorAll("form[data-saveable]")) savedSearches(form);
  // Selects whose options are URLs (page size): go there.
  for (const select of document.querySelectorAll("select[data-navigate]")) {
    select.addEventListener("change", () => location.assign(select.value));
  }
  // "Select all" checkbox of selectable tables.
  for (const box of document.querySelectorAll("input[data-select-all]")) {
    box.addEventListener("change", () => {
      const table = box.closest("table");
      for (const row of table.querySelectorAll("input[name=ids]")) row.checked = box.checked;
    });
  }
  // Buttons that need a confirmation.
  for (const form of document.querySelectorAll("form[data-confirm]")) {
    form.addEventListener("submit", (e) => {
      if (!confirm(form.dataset.confirm)) e.preventDefault();
    });
  }
  const plots = typeof vegaEmbed === "function" ? renderPlots(document) : Promise.resolve();
  const fragments = Array.from(document.querySelectorAll("[data-fragment]"), loadFragment);
  await Promise.all([plots, ...fragments]);
  document.body.dataset.plotsReady = "true";
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", main);
else main();
