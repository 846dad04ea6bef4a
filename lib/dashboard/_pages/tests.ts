// Copyright 2026 the battery-analysis authors. MIT license.

import { searchTests, type TestMatch, type TestQuery } from "../../search_tests.ts";
import { TEST_TYPES, type TestType } from "../../store/documents.ts";
import { FLAG_CODES, PROTOCOL_KINDS, type ProtocolKind } from "../../../analysis/analyze_test.ts";
import {
  TEST_ROW_CSV_COLUMNS,
  testRowCsvCells,
  type TestSummaryRow,
  testSummaryRow,
} from "../../test_summary_row.ts";
import { type Ctx, HttpError, type Page } from "../_context.ts";
import { analysisNote } from "../_data.ts";
import { analysisBadges } from "../_flags.ts";
import { markup, num, pct, query, type SafeHtml, when } from "../_html.ts";
import { attachment, SECURITY_HEADERS } from "../_security.ts";
import { emptyStore } from "./overview.ts";

const FILTERS = [
  "sample",
  "chemistry",
  "from",
  "to",
  "tag",
  "tester",
  "type",
  "cell",
  "protocol",
  "flag",
] as const;

/** The search of a request's query string. */
export function testQuery(url: URL): TestQuery {
  const p = (k: string) => url.searchParams.get(k)?.trim() || undefined;
  const type = p("type");
  if (type !== undefined && !(TEST_TYPES as readonly string[]).includes(type)) {
    throw new HttpError(400, `Unknown test type "${type}"; use one of ${TEST_TYPES.join(", ")}`);
  }
  const flag = p("flag");
  if (flag !== undefined && !Object.hasOwn(FLAG_CODES, flag)) {
    throw new HttpError(400, `Unknown flag code "${flag}"`);
  }
  const protocol = p("protocol");
  if (protocol !== undefined && !(PROTOCOL_KINDS as readonly string[]).includes(protocol)) {
    throw new HttpError(400, `Unknown protocol "${protocol}"`);
  }
  return {
    protocol: protocol as ProtocolKind | undefined,
    flags: flag !== undefined ? [flag] : undefined,
    sample: p("sample"),
    chemistry: p("chemistry"),
    from: p("from"),
    to: p("to"),
    tag: p("tag"),
    tester: p("tester"),
    test_type: type as TestType | undefined,
    cell_code: p("cell"),
  };
}

async function search(ctx: Ctx): Promise<TestMatch[]> {
  try {
    return await searchTests(ctx.store, testQuery(ctx.url));
  } catch (err) {
    if (err instanceof RangeError) throw new HttpError(400, err.message);
    throw err;
  }
}

/** A match and its row of headline numbers (the stored analysis's summary). */
interface Row {
  m: TestMatch;
  r: TestSummaryRow;
}

const SORTS: Record<string, (r: Row) => string | number | null> = {
  name: (r) => r.m.test.name,
  sample: (r) => r.m.sample?.name ?? null,
  chemistry: (r) => r.m.sample?.chemistry ?? null,
  tester: (r) => r.m.test.tester,
  start: (r) => r.m.test.start_time,
  protocol: (r) => r.r.protocol,
  cycles: (r) => r.r.counted_cycle_count,
  initial: (r) => r.r.initial_capacity_Ah,
  retention: (r) => r.r.capacity_retention,
  fade: (r) => r.r.fade_per_100_cycles,
  ce: (r) => r.r.mean_coulombic_efficiency,
  flags: (r) => r.r.flag_codes?.length ?? null,
};

function rows(matches: TestMatch[]): Row[] {
  return matches.map((m) => ({ m, r: testSummaryRow(m.test, m.sample) }));
}

/** Sort rows by a column; missing values last in either direction. */
function sortRows(list: Row[], key: string, dir: "asc" | "desc"): Row[] {
  const get = SORTS[key] ?? SORTS.start;
  const sign = dir === "desc" ? -1 : 1;
  return [...list].sort((a, b) => {
    const x = get(a), y = get(b);
    if (x === null && y === null) return 0;
    if (x === null) return 1;
    if (y === null) return -1;
    return (x < y ? -1 : x > y ? 1 : 0) * sign;
  });
}

/** Tests: filter form, sortable table, compare / export of the selection. */
export async function testsPage(ctx: Ctx): Promise<Page> {
  const { store, url } = ctx;
  if ((await store.tests.count()) === 0) {
    return { title: "Tests", nav: "tests", body: emptyStore(ctx) };
  }
  const [matches, samples, allTests] = await Promise.all([
    search(ctx),
    store.samples.find(),
    store.tests.find({ without_cycles: true }),
  ]);
  const sort = url.searchParams.get("sort") ?? "start";
  const dir = url.searchParams.get("dir") === "desc" ? "desc" : "asc";
  const list = sortRows(rows(matches), sort, dir);
  const filters: Record<string, string> = {};
  for (const k of FILTERS) filters[k] = url.searchParams.get(k) ?? "";
  const distinct = (xs: (string | null)[]) =>
    [...new Set(xs.filter((x): x is string => !!x))].sort();
  const chemistries = distinct(samples.map((s) => s.chemistry));
  const testers = distinct(allTests.map((t) => t.tester));
  const tags = distinct(allTests.flatMap((t) => t.tags));
  const select = (name: string, label: string, options: string[]) =>
    markup`<label>${label}<select name="${name}"><option value="">any</option>${
      options.map((o) =>
        markup`<option${o === filters[name] ? markup` selected` : ""}>${o}</option>`
      )
    }</select></label>`;
  const header = (key: string, label: string, numeric = false) => {
    const next = sort === key && dir === "asc" ? "desc" : "asc";
    const arrow = sort === key ? (dir === "asc" ? " ▲" : " ▼") : "";
    return markup`<th class="${numeric ? "num" : ""}"><a href="/tests${
      query({ ...filters, sort: key, dir: next })
    }" data-sort="${key}">${label}${arrow}</a></th>`;
  };
  const body: SafeHtml =
    markup`<form class="filters" method="get" action="/tests" id="test-filters">
<label>Sample<input name="sample" list="sample-names" value="${filters.sample}"></label>
<datalist id="sample-names">${samples.map((s) => markup`<option value="${s.name}">`)}</datalist>
${select("chemistry", "Chemistry", chemistries)}
<label>From<input type="date" name="from" value="${filters.from}"></label>
<label>To<input type="date" name="to" value="${filters.to}"></label>
${select("tag", "Tag", tags)}${select("tester", "Tester", testers)}
${select("type", "Type", [...TEST_TYPES])}
<label>Cell code<input name="cell" value="${filters.cell}" size="8"></label>
${select("protocol", "Protocol", [...PROTOCOL_KINDS])}${
      select("flag", "Flag", Object.keys(FLAG_CODES))
    }
<input type="hidden" name="sort" value="${sort}"><input type="hidden" name="dir" value="${dir}">
<button type="submit">Filter</button> <a href="/tests">Clear</a></form>
<p id="match-count">${list.length} of ${allTests.length} tests match. <a href="/tests.csv${
      query(filters)
    }" id="export-all">Export these ${list.length} as CSV</a></p>
<form method="get" action="/compare" id="selection-form">
<div class="scroll"><table id="tests-table"><thead><tr><th><input type="checkbox" data-select-all aria-label="Select all"></th>
${header("name", "Test")}${header("sample", "Sample")}${header("chemistry", "Chemistry")}
${header("tester", "Tester")}<th>Type</th><th>Cell</th>${header("start", "Start")}
${header("protocol", "Protocol")}${header("cycles", "Counted / all cycles", true)}${
      header("initial", "Initial capacity (mAh)", true)
    }
${header("retention", "Final retention (%)", true)}${header("fade", "Fade / 100 cycles (%)", true)}
${header("ce", "Mean CE (%)", true)}${header("flags", "Flags")}<th>Tags</th></tr></thead><tbody>${
      list.map((r) =>
        markup`<tr data-test-id="${r.m.test.id}"><td><input type="checkbox" name="ids" value="${r.m.test.id}" aria-label="Select ${r.m.test.name}"></td>
<td><a href="/tests/${encodeURIComponent(r.m.test.id)}">${r.m.test.name}</a></td>
<td>${
          r.m.sample?.name ?? "—"
        }</td><td>${r.m.sample?.chemistry ?? "—"}</td><td>${r.m.test.tester}</td>
<td>${r.m.test.test_type}</td><td>${r.m.test.cell_code ?? ""}</td><td>${
          when(r.m.test.start_time)
        }</td>
<td>${
          r.r.protocol ?? "—"
        }</td><td class="num">${
          r.r.cycle_count === null ? "—" : `${r.r.counted_cycle_count} / ${r.r.cycle_count}`
        }</td><td class="num">${
          num(r.r.initial_capacity_Ah === null ? null : r.r.initial_capacity_Ah * 1000)
        }</td>
<td class="num">${pct(r.r.capacity_retention)}</td><td class="num">${
          pct(r.r.fade_per_100_cycles)
        }</td><td class="num">${pct(r.r.mean_coulombic_efficiency, 3)}</td>
<td class="flags">${analysisBadges(r.m.test.analysis, analysisNote(r.m.test))}</td>
<td>${r.m.test.tags.join(", ")}</td></tr>`
      )
    }</tbody></table></div>
<p><button type="submit">Compare selected</button>
<button type="submit" class="secondary" formaction="/tests.csv" id="export-selected">Export selected as CSV</button></p></form>`;
  return { title: "Tests", nav: "tests", body };
}

/** A CSV cell: quoted when needed; text that a spreadsheet would run as a formula is prefixed with `'`. */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "";
  let s = String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The matching (or, with `ids`, the selected) tests: one row each, as every surface has it. */
async function selectedRows(ctx: Ctx): Promise<TestSummaryRow[]> {
  const ids = ctx.url.searchParams.getAll("ids");
  let matches = await search(ctx);
  if (ids.length) matches = matches.filter((m) => ids.includes(m.test.id));
  return matches.map((m) => testSummaryRow(m.test, m.sample));
}

/**
 * The matching (or selected) tests as CSV: the columns of `search_tests --csv` (the stored
 * analysis's summary fields, its flags with their reasons).
 */
export async function testsCsv(ctx: Ctx): Promise<Response> {
  const lines = [TEST_ROW_CSV_COLUMNS.join(",")];
  for (const row of await selectedRows(ctx)) {
    lines.push(testRowCsvCells(row).map(csvCell).join(","));
  }
  return new Response(lines.join("\r\n") + "\r\n", {
    headers: {
      ...SECURITY_HEADERS,
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": attachment("tests.csv"),
      "cache-control": "no-store",
    },
  });
}

/** The matching (or selected) tests as JSON: `{ tests: TestSummaryRow[] }`, as `search_tests --json`. */
export async function testsJson(ctx: Ctx): Promise<Response> {
  return new Response(JSON.stringify({ tests: await selectedRows(ctx) }), {
    headers: {
      ...SECURITY_HEADERS,
      "content-type": "application/json; charset=utf-8",
      "cache-control": "no-store",
    },
  });
}
