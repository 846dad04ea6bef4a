// Copyright 2026 the battery-analysis authors. MIT license.
// Progressive enhancement of the server-rendered pages: renders the Vega-Lite plots with
// vega-embed (served from this server) and records how many data points each plot drew.
"use strict";

/** Distinct data tuples drawn by the marks of a scenegraph (axes, legends, titles excluded). */
function drawnPoints(root) {
  const seen = new Set();
  const visit = (mark) => {
    if (!mark || !Array.isArray(mark.items)) return;
    for (const item of mark.items) {
      if (mark.marktype === "group") {
        for (const child of item.items || []) visit(child);
      } else if (mark.role === "mark" && item.datum) {
        seen.add(item.datum);
      }
    }
  };
  visit(root);
  return seen.size;
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
