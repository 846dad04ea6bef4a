// Copyright 2026 the battery-analysis authors. MIT license.

import { searchTests, type TestMatch, type TestQuery } from "../../search_tests.ts";
import { TEST_TYPES, type TestType } from "../../store/documents.ts";
import { type Ctx, HttpError, type Page } from "../_context.ts";
import { featuresOf } from "../_data.ts";
import { markup, num, pct, query, type SafeHtml, when } from "../_html.ts";
import { attachment, SECURITY_HEADERS } from "../_security.ts";
import { emptyStore } from "./overview.ts";

const FILTERS = ["sample", "chemistry", "from", "to", "tag", "tester", "type", "cell"] as const;

/** The search of a request's query string. */
export function testQuery(url: URL): TestQuery {
  const p = (k: string) => url.searchParams.get(k)?.trim() || undefined;
  const type = p("type");
  if (type !== undefined && !(TEST_TYPES as readonly string[]).includes(type)) {
    throw new HttpError(400, `Unknown test type "${type}"; use one of ${TEST_TYPES.join(", ")}`);
  }
  return {
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

interface Row {
  m: TestMatch;
  initial_mAh: number | null;
  retention: number | null;
  fade: number | null;
  ce: number | null;
}

const SORTS: Record<string, (r: Row) => string | number | null> = {
  name: (r) => r.m.test.name,
  sample: (r) => r.m.sample?.name ?? null,
  chemistry: (r) => r.m.sample?.chemistry ?? null,
  tester: (r) => r.m.test.tester,
  start: (r) => r.m.test.start_time,
  cycles: (r) => r.m.test.cycle_count,
  initial: (r) => r.initial_mAh,
  retention: (r) => r.retention,
  fade: (r) => r.fade,
  ce: (r) => r.ce,
};

function rows(matches: TestMatch[]): Row[] {
  return matches.map((m) => {
    const f = featuresOf(m.test).features;
    return {
      m,
      initial_mAh: f ? f.initial_value * 1000 : null,
      retention: f?.final_retention ?? null,
      fade: f?.fade_per_100_cycles ?? null,
      ce: f?.ce_mean ?? null,
    };
  });
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
<input type="hidden" name="sort" value="${sort}"><input type="hidden" name="dir" value="${dir}">
<button type="submit">Filter</button> <a href="/tests">Clear</a></form>
<p id="match-count">${list.length} of ${allTests.length} tests match. <a href="/tests.csv${
      query(filters)
    }" id="export-all">Export these ${list.length} as CSV</a></p>
<form method="get" action="/compare" id="selection-form">
<div class="scroll"><table id="tests-table"><thead><tr><th><input type="checkbox" data-select-all aria-label="Select all"></th>
${header("name", "Test")}${header("sample", "Sample")}${header("chemistry", "Chemistry")}
${header("tester", "Tester")}<th>Type</th><th>Cell</th>${header("start", "Start")}
${header("cycles", "Cycles", true)}${header("initial", "Initial capacity (mAh)", true)}
${header("retention", "Final retention (%)", true)}${header("fade", "Fade / 100 cycles (%)", true)}
${header("ce", "Mean CE (%)", true)}<th>Tags</th></tr></thead><tbody>${
      list.map((r) =>
        markup`<tr data-test-id="${r.m.test.id}"><td><input type="checkbox" name="ids" value="${r.m.test.id}" aria-label="Select ${r.m.test.name}"></td>
<td><a href="/tests/${encodeURIComponent(r.m.test.id)}">${r.m.test.name}</a></td>
<td>${
          r.m.sample?.name ?? "—"
        }</td><td>${r.m.sample?.chemistry ?? "—"}</td><td>${r.m.test.tester}</td>
<td>${r.m.test.test_type}</td><td>${r.m.test.cell_code ?? ""}</td><td>${
          when(r.m.test.start_time)
        }</td>
<td class="num">${r.m.test.cycle_count}</td><td class="num">${num(r.initial_mAh)}</td>
<td class="num">${pct(r.retention)}</td><td class="num">${pct(r.fade)}</td><td class="num">${
          pct(r.ce, 3)
        }</td>
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

const CSV_COLUMNS = [
  "id",
  "name",
  "sample",
  "chemistry",
  "tester",
  "test_type",
  "cell_code",
  "start_time",
  "cycle_count",
  "initial_capacity_Ah",
  "final_capacity_Ah",
  "capacity_retention",
  "fade_per_100_cycles",
  "mean_coulombic_efficiency",
  "mean_energy_efficiency",
  "median_internal_resistance_ohm",
  "tags",
];

/** The matching (or, with `ids`, the selected) tests as CSV. */
export async function testsCsv(ctx: Ctx): Promise<Response> {
  const ids = ctx.url.searchParams.getAll("ids");
  let matches = await search(ctx);
  if (ids.length) matches = matches.filter((m) => ids.includes(m.test.id));
  const lines = [CSV_COLUMNS.join(",")];
  for (const m of matches) {
    const t = m.test;
    const f = featuresOf(t).features;
    lines.push(
      [
        t.id,
        t.name,
        m.sample?.name,
        m.sample?.chemistry,
        t.tester,
        t.test_type,
        t.cell_code,
        t.start_time,
        t.cycle_count,
        t.initial_capacity_Ah,
        t.final_capacity_Ah,
        t.capacity_retention,
        f?.fade_per_100_cycles ?? null,
        t.mean_coulombic_efficiency,
        t.mean_energy_efficiency,
        t.median_internal_resistance_ohm,
        t.tags.join(";"),
      ].map(csvCell).join(","),
    );
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
