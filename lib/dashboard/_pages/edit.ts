// Copyright 2026 the battery-analysis authors. MIT license.

/**
 * The editing forms (POST with the server's CSRF token, checked by the router) and their
 * actions: a test's tags, sample and analysis options (`editTest`, which analyses it again), a
 * sample's properties and notes (`editSample`). Every change lands in the history of the test or
 * sample, shown under the forms.
 */

import { SAMPLE_PROPERTIES } from "../../../parsers/sample_property.ts";
import { parseSampleProperty } from "../../../parsers/sample_property.ts";
import { editSample } from "../../edit/edit_sample.ts";
import { editTest } from "../../edit/edit_test.ts";
import { type HistoryEntry, historyOf } from "../../edit/history.ts";
import type { SampleInfo } from "../../model/sample_info.ts";
import type { Sample, TestResult } from "../../store/documents.ts";
import { type Ctx, HttpError } from "../_context.ts";
import { markup, query, type SafeHtml, when } from "../_html.ts";

/** Who the dashboard records as the author of an edit. */
const BY = "dashboard";

function csrfField(ctx: Ctx): SafeHtml {
  return markup`<input type="hidden" name="csrf" value="${ctx.csrf}">`;
}

function shown(value: unknown): string {
  if (value === null || value === undefined) return "—";
  if (Array.isArray(value)) return value.length ? value.join(", ") : "(none)";
  return String(value);
}

/** A history as a table, newest first. */
export function historyTable(entries: readonly HistoryEntry[], id = "history"): SafeHtml {
  if (entries.length === 0) {
    return markup`<p class="muted" id="${id}">No edits yet.</p>`;
  }
  return markup`<table id="${id}"><thead><tr><th>When (UTC)</th><th>By</th><th>What</th><th>From</th><th>To</th></tr></thead><tbody>${
    [...entries].reverse().map((e) =>
      markup`<tr><td class="nowrap">${
        when(e.at)
      }</td><td>${e.by}</td><td>${e.field}</td><td class="wrap">${
        shown(e.from)
      }</td><td class="wrap">${shown(e.to)}</td></tr>`
    )
  }</tbody></table>`;
}

/** The edit forms of a test's detail page, and its history. */
export function testEditSection(
  ctx: Ctx,
  test: TestResult,
  sample: Sample | null,
  samples: readonly Sample[],
): SafeHtml {
  const action = `/tests/${encodeURIComponent(test.id)}/edit`;
  const opts = test.analysis_options;
  const threshold = opts.threshold !== undefined ? Number((opts.threshold * 100).toFixed(4)) : "";
  return markup`<details class="edit" id="edit-test"${
    ctx.url.searchParams.has("saved") ? markup` open` : ""
  }><summary>Edit this test</summary>
<div class="row"><form method="post" action="${action}" class="filters" id="edit-test-form">${
    csrfField(ctx)
  }
<input type="hidden" name="part" value="labels">
<label class="grow">Tags (comma-separated)<input name="tags" value="${
    test.tags.join(", ")
  }" id="edit-tags"></label>
<label>Sample (existing name, or a new one to create)<input name="sample" list="edit-sample-names" value="${
    sample?.name ?? ""
  }" id="edit-sample" required></label>
<datalist id="edit-sample-names">${
    samples.map((s) => markup`<option value="${s.name}">`)
  }</datalist>
<button type="submit">Save</button></form>
<form method="post" action="${action}" class="filters" id="edit-analysis-form">${csrfField(ctx)}
<input type="hidden" name="part" value="analysis">
<label>Reference cycle (empty: first complete cycle)<input type="number" name="reference_cycle" min="1" step="1" value="${
    opts.referenceCycle ?? ""
  }" id="edit-reference"></label>
<label>End of life at (% retention; empty: 80)<input type="number" name="eol" min="1" max="99" step="any" value="${threshold}" id="edit-eol"></label>
<button type="submit">Save and analyse again</button></form></div>
<h3>History</h3>${historyTable(historyOf(test), "test-history")}</details>`;
}

function formText(form: FormData, name: string): string | undefined {
  const v = form.get(name);
  if (v === null) return undefined;
  if (typeof v !== "string") throw new HttpError(400, `Field "${name}" must be text`);
  return v.trim();
}

/** POST `/tests/:id/edit`: tags and sample, or the analysis options, then back to the test. */
export async function editTestAction(ctx: Ctx, id: string, form: FormData): Promise<Response> {
  const part = formText(form, "part");
  try {
    if (part === "labels") {
      const tags = formText(form, "tags");
      const sample = formText(form, "sample");
      if (tags === undefined || sample === undefined) {
        throw new HttpError(400, "The form needs the fields tags and sample");
      }
      await editTest(ctx.store, { test: id, tags: tags.split(","), sample, by: BY });
    } else if (part === "analysis") {
      const ref = formText(form, "reference_cycle");
      const eol = formText(form, "eol");
      if (ref === undefined || eol === undefined) {
        throw new HttpError(400, "The form needs the fields reference_cycle and eol");
      }
      const refValue = ref === "" ? null : Number(ref);
      if (refValue !== null && !(Number.isInteger(refValue) && refValue >= 1)) {
        throw new HttpError(400, `The reference cycle must be a whole number ≥ 1, got "${ref}"`);
      }
      const eolValue = eol === "" ? null : Number(eol);
      if (eolValue !== null && !(eolValue >= 1 && eolValue <= 99)) {
        throw new HttpError(400, `The end of life must be a number from 1 to 99 %, got "${eol}"`);
      }
      await editTest(ctx.store, {
        test: id,
        referenceCycle: refValue,
        threshold: eolValue === null ? null : eolValue / 100,
        by: BY,
      });
    } else {
      throw new HttpError(400, `Unknown form part "${part ?? ""}" (labels or analysis)`);
    }
  } catch (err) {
    if (err instanceof RangeError) {
      throw new HttpError(/no such test/.test(err.message) ? 404 : 400, err.message);
    }
    throw err;
  }
  return new Response(null, {
    status: 303,
    headers: { location: `/tests/${encodeURIComponent(id)}${query({ saved: part })}#edit-test` },
  });
}

/** The stored value of a property as the form shows it: with its unit. */
function propertyText(sample: Sample, field: keyof SampleInfo, unit: string | null): string {
  const v = (sample as unknown as Record<string, unknown>)[field];
  if (v === null || v === undefined) return "";
  return unit ? `${v} ${unit}` : String(v);
}

/** The property form of a sample, its notes and its history. */
export function sampleEditSection(ctx: Ctx, sample: Sample): SafeHtml {
  return markup`<details class="edit" id="edit-sample"${
    ctx.url.searchParams.has("saved") ? markup` open` : ""
  }><summary>Edit sample properties</summary>
<form method="post" action="/samples/${
    encodeURIComponent(sample.id)
  }/edit" class="filters" id="edit-sample-form">${csrfField(ctx)}
${
    SAMPLE_PROPERTIES.map((p) =>
      markup`<label>${p.description}<input name="${p.field}" value="${
        propertyText(sample, p.field, p.unit)
      }"${
        p.unit
          ? markup` placeholder="e.g. 1.5 ${
            p.kind === "capacity"
              ? "mAh"
              : p.kind === "mass"
              ? "mg"
              : p.kind === "area"
              ? "cm2"
              : "um"
          }"`
          : ""
      } data-field="${p.field}"></label>`
    )
  }
<label class="grow">Add a note<textarea name="note" rows="2" id="sample-note"></textarea></label>
<button type="submit">Save</button>
<p class="muted">Quantities take their unit (mAh, mg, cm², µm, …); an empty field clears the
property. Tests of the sample are analysed again when a property the analysis reads changes.</p></form>
${
    sample.notes.length
      ? markup`<h3>Notes</h3><ul id="sample-notes">${
        sample.notes.map((n) =>
          markup`<li>${n.text} <span class="muted">${n.author ?? ""} ${
            when(n.timestamp)
          }</span></li>`
        )
      }</ul>`
      : ""
  }
<h3>History</h3>${historyTable(historyOf(sample), "sample-history")}</details>`;
}

/** POST `/samples/:id/edit`: the sample's properties and a note, then back to its page. */
export async function editSampleAction(ctx: Ctx, id: string, form: FormData): Promise<Response> {
  const sample = await ctx.store.samples.get(id);
  if (!sample) throw new HttpError(404, `No sample with id "${id}"`);
  const info: SampleInfo = {};
  for (const p of SAMPLE_PROPERTIES) {
    const text = formText(form, p.field);
    if (text === undefined) continue;
    try {
      const parsed = parseSampleProperty(p.aliases[0], text);
      (info as Record<string, unknown>)[parsed.field] = parsed.value;
    } catch (err) {
      if (err instanceof RangeError) throw new HttpError(400, err.message);
      throw err;
    }
  }
  try {
    await editSample(ctx.store, { sample: id, info, note: formText(form, "note"), by: BY });
  } catch (err) {
    if (err instanceof RangeError || err instanceof TypeError) {
      throw new HttpError(400, err.message);
    }
    throw err;
  }
  return new Response(null, {
    status: 303,
    headers: { location: `/advanced${query({ sample: id, saved: "1" })}#edit-sample` },
  });
}
