// Copyright 2026 the battery-analysis authors. MIT license.
// Progressive enhancement of the server-rendered pages: renders the Vega-Lite plots with
// vega-embed (served from this server) and records how many data points each plot drew.
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

async function renderPlot(figure) {
  const target = figure.querySelector(".plot-target");
  const source = document.getElementById(figure.id + "-spec");
  if (!target || !source) return;
  try {
    const spec = JSON.parse(source.textContent);
    const result = await vegaEmbed(target, spec, {
      renderer: "canvas",
      actions: { export: true, source: false, compiled: false, editor: false },
    });
    figure.dataset.renderedPoints = String(drawnPoints(result.view.scenegraph().root));
    figure.classList.add("rendered");
  } catch (err) {
    figure.classList.add("failed");
    const p = document.createElement("p");
    p.className = "error";
    p.textContent = "Plot failed: " + (err && err.message ? err.message : String(err));
    figure.appendChild(p);
  }
}

async function main() {
  const figures = Array.from(document.querySelectorAll("figure.plot"));
  await Promise.all(figures.map(renderPlot));
  document.body.dataset.plotsReady = "true";

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
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", main);
else main();
