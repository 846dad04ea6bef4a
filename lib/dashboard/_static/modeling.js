// Copyright 2026 the battery-analysis authors. MIT license.
// The Modeling page (progressive enhancement; the form works without it): checks the experiment
// as it is typed (the server reads it with parseExperiment, the same reader as a run), shows the
// chosen parameter set's window and the file field when uploading, and follows a run's progress
// while app.js loads its results.
"use strict";

function debounce(fn, ms) {
  let timer = null;
  return () => {
    clearTimeout(timer);
    timer = setTimeout(fn, ms);
  };
}

/** Check the steps as they are typed: `GET /modeling/experiment?steps=…&cycles=…`. */
function experimentChecker(form) {
  const input = form.querySelector("#experiment-input");
  const cycles = form.querySelector("#cycles-input");
  const out = form.querySelector("#experiment-check");
  if (!input || !out) return;
  const help = out.innerHTML;
  let asked = 0;
  const check = async () => {
    const text = input.value;
    const id = ++asked;
    if (text.trim() === "") {
      out.innerHTML = help;
      out.className = "muted";
      input.removeAttribute("aria-invalid");
      return;
    }
    const q = new URLSearchParams({ steps: text, cycles: cycles?.value || "1" });
    let answer;
    try {
      const res = await fetch(`/modeling/experiment?${q}`, {
        headers: { accept: "application/json" },
      });
      answer = await res.json();
    } catch (err) {
      answer = { ok: false, error: "Could not check the steps: " + (err?.message ?? String(err)) };
    }
    if (id !== asked) return; // a newer check is on its way
    if (answer.ok) {
      out.textContent = `✓ ${answer.steps} step${
        answer.steps === 1 ? "" : "s"
      } in ${answer.cycles} cycle${answer.cycles === 1 ? "" : "s"}`;
      out.className = "check-ok";
      input.removeAttribute("aria-invalid");
    } else {
      out.textContent = answer.error;
      out.className = "error";
      input.setAttribute("aria-invalid", "true");
    }
    out.dataset.checked = answer.ok ? "ok" : "error";
  };
  const later = debounce(check, 250);
  input.addEventListener("input", later);
  cycles?.addEventListener("input", later);
  if (input.value.trim() !== "") check();
}

/** The parameter-set choice: its description, and the file field when uploading. */
function parameterChoice(form) {
  const select = form.querySelector("#parameters-select");
  const file = form.querySelector("#parameters-file");
  const fileLabel = form.querySelector("#parameters-file-label");
  if (!select) return;
  const show = () => {
    for (const p of form.querySelectorAll(".set-info")) p.hidden = p.dataset.set !== select.value;
    if (fileLabel) fileLabel.hidden = select.value !== "upload";
  };
  select.addEventListener("change", show);
  file?.addEventListener("change", () => {
    if (file.files?.length) {
      select.value = "upload";
      show();
    }
  });
  show();
}

/** While the results load, show the run's progress (`…/progress`). */
function followProgress(section) {
  const url = section.dataset.progress;
  const bar = section.querySelector("#run-progress");
  const label = section.querySelector("#run-progress-text");
  if (!url || !bar) return;
  const poll = async () => {
    if (section.dataset.loaded) return;
    try {
      const res = await fetch(url, { headers: { accept: "application/json" } });
      const { state, progress } = await res.json();
      if (section.dataset.loaded) return;
      if (progress?.phase === "fit") {
        bar.removeAttribute("value");
        label.textContent = `fitting: ${progress.simulations} simulations`;
      } else if (progress?.phase === "simulate") {
        bar.value = progress.fraction;
        label.textContent = `step ${progress.step} (cycle ${progress.cycle}): ${progress.text}`;
      } else if (state === "starting") label.textContent = "starting";
    } catch {
      // the results request reports failures; the progress is only a hint
    }
    if (!section.dataset.loaded) setTimeout(poll, 400);
  };
  setTimeout(poll, 200);
}

function main() {
  const form = document.getElementById("modeling-form");
  if (form) {
    experimentChecker(form);
    parameterChoice(form);
  }
  const results = document.querySelector("#modeling-results[data-progress]");
  if (results) followProgress(results);
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", main);
else main();
