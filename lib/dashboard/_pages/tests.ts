// Copyright 2026 the battery-analysis authors. MIT license.

import {
  parseSummaryCondition,
  searchTestsPage,
  SORT_KEYS,
  type SortKey,
  type SummaryCondition,
  type SummaryNumberField,
  type TestListingMatch,
  type TestQuery,
  type TestSearchPage,
} from "../../search_tests.ts";
import { TEST_TYPES } from "../../store/documents.ts";
import type { Store } from "../../store/store.ts";
import { FLAG_CODES, PROTOCOL_KINDS } from "../../../analysis/analyze_test.ts";
import {
  TEST_ROW_CSV_COLUMNS,
  testRowCsvCells,
  type TestSummaryRow,
  testSummaryRow,
} from "../../test_summary_row.ts";
import { type Ctx, HttpError, type Page } from "../_context.ts";
import { analysisNote } from "../_data.ts";
import { analysisBadges } from "../_flags.ts";
import { markup, num, pct, type SafeHtml, when } from "../_html.ts";
import { Params } from "../_params.ts";
import { attachment, SECURITY_HEADERS } from "../_security.ts";
import { emptyStore } from "./overview.ts";

/** Parameters of the tests page, its CSV and JSON exports. */
export const TEST_PARAMS = [
  "q",
  "sample",
  "chemistry",
  "from",
  "to",
  "tag",
  "any_tag",
  "not_tag",
  "tester",
  "type",
  "cell",
  "protocol",
  "flag",
  "where",
  "cycles_min",
  "cycles_max",
  "capacity_min",
  "capacity_max",
  "retention_min",
  "retention_max",
  "ce_min",
  "ce_max",
  "fade_min",
  "fade_max",
  "sort",
  "dir",
  "page",
  "per_page",
  "ids",
] as const;

/** Page sizes offered. */
export const PAGE_SIZES = [25, 50, 100, 200] as const;

/**
 * Range filters of the form: parameter stem, summary field, label, unit shown, and the factor
 * from the shown unit to the stored one (percent → fraction, mAh → Ah).
 */
const RANGES: [string, SummaryNumberField, string, string, number][] = [
  ["cycles", "counted_cycle_count", "Counted cycles", "", 1],
  ["capacity", "initial_capacity_Ah", "Initial capacity", "mAh", 1e-3],
  ["retention", "capacity_retention", "Retention", "%", 1e-2],
  ["ce", "mean_coulombic_efficiency", "Mean CE", "%", 1e-2],
  ["fade", "fade_per_100_cycles", "Fade / 100 cycles", "%", 1e-2],
];

/** The search of a request's query string (every parameter checked: a bad one is a 400). */
export function testQuery(url: URL): TestQuery {
  const p = new Params(url, TEST_PARAMS);
  const flags = p.list("flag");
  for (const f of flags) {
    if (!Object.hasOwn(FLAG_CODES, f)) {
      throw new HttpError(
        400,
        `Unknown flag code "${f}" (use ${Object.keys(FLAG_CODES).join(", ")})`,
      );
    }
  }
  const where: SummaryCondition[] = [];
  for (const text of p.list("where")) {
    try {
      where.push(parseSummaryCondition(text));
    } catch (err) {
      if (err instanceof RangeError) throw new HttpError(400, err.message);
      throw err;
    }
  }
  for (const [stem, field, , unit, factor] of RANGES) {
    const min = p.number(`${stem}_min`, { unit });
    const max = p.number(`${stem}_max`, { unit });
    if (min !== undefined && max !== undefined && max < min) {
      throw new HttpError(400, `${stem}_max (${max}) is below ${stem}_min (${min})`);
    }
    if (min !== undefined) where.push({ field, op: ">=", value: min * factor });
    if (max !== undefined) where.push({ field, op: "<=", value: max * factor });
  }
  const sort = p.oneOf("sort", SORT_KEYS);
  const dir = p.oneOf("dir", ["asc", "desc"] as const);
  return {
    text: p.string("q"),
    sample: p.string("sample"),
    chemistry: p.string("chemistry"),
    from: p.day("from"),
    to: p.day("to"),
    tags: p.list("tag"),
    any_tags: p.list("any_tag"),
    exclude_tags: p.list("not_tag"),
    tester: p.string("tester"),
    test_type: p.oneOf("type", TEST_TYPES),
    cell_code: p.string("cell"),
    protocol: p.oneOf("protocol", PROTOCOL_KINDS),
    flags,
    where,
    sort: sort ?? "start_time",
    order: dir ?? (sort && sort !== "start_time" && sort !== "name" ? "desc" : "asc"),
  };
}

/** The page and page size of the request. */
function paging(url: URL): { page: number; perPage: number } {
  const p = new Params(url, TEST_PARAMS);
  const perPage = p.int("per_page") ?? 50;
  if (!(PAGE_SIZES as readonly number[]).includes(perPage)) {
    throw new HttpError(
      400,
      `Parameter "per_page" must be one of ${PAGE_SIZES.join(", ")}; got "${perPage}"`,
    );
  }
  return { page: p.int("page", { min: 1 }) ?? 1, perPage };
}

async function search(ctx: Ctx, extra: Partial<TestQuery> = {}): Promise<TestSearchPage> {
  try {
    return await searchTestsPage(ctx.store, {
      ...testQuery(ctx.url),
      without_cycles: true,
      ...extra,
    });
  } catch (err) {
    if (err instanceof RangeError) throw new HttpError(400, err.message);
    throw err;
  }
}

/** The request's query string without some parameters (links that change them). */
function keep(url: URL, drop: readonly string[]): URLSearchParams {
  const out = new URLSearchParams();
  for (const [k, v] of url.searchParams) {
    if (!drop.includes(k) && v.trim() !== "" && k !== "token") out.append(k, v);
  }
  return out;
}

function withParams(url: URL, drop: readonly string[], set: Record<string, string>): string {
  const q = keep(url, drop);
  for (const [k, v] of Object.entries(set)) q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : "";
}

/** A column of the tests table. */
interface Column {
  key: string;
  label: string;
  /** Header tooltip (the unit and what the number is). */
  title: string;
  sort?: SortKey;
  numeric?: boolean;
  /** Hidden until chosen in the column chooser. */
  optional?: boolean;
  cell(m: TestListingMatch, r: TestSummaryRow): SafeHtml;
}

const mAh = (ah: number | null) => num(ah === null ? null : ah * 1000);

const COLUMNS: Column[] = [
  {
    key: "sample",
    label: "Sample",
    title: "Sample name",
    sort: "sample",
    cell: (m) =>
      markup`<td class="name sample" title="${m.sample?.name ?? ""}">${m.sample?.name ?? "—"}</td>`,
  },
  {
    key: "chemistry",
    label: "Chemistry",
    title: "Chemistry of the sample",
    sort: "chemistry",
    optional: true,
    cell: (m) => markup`<td>${m.sample?.chemistry ?? "—"}</td>`,
  },
  {
    key: "tester",
    label: "Tester",
    title: "Instrument maker",
    sort: "tester",
    optional: true,
    cell: (m) => markup`<td>${m.test.tester}</td>`,
  },
  {
    key: "type",
    label: "Type",
    title: "Kind of test",
    sort: "test_type",
    optional: true,
    cell: (m) => markup`<td>${m.test.test_type}</td>`,
  },
  {
    key: "cell",
    label: "Cell",
    title: "Cell code",
    sort: "cell_code",
    optional: true,
    cell: (m) => markup`<td>${m.test.cell_code ?? ""}</td>`,
  },
  {
    key: "start",
    label: "Start",
    title: "Start of the test (UTC)",
    sort: "start_time",
    cell: (m) => markup`<td class="nowrap">${day(m.test.start_time)}</td>`,
  },
  {
    key: "protocol",
    label: "Protocol",
    title: "Protocol the analysis detected",
    sort: "protocol",
    optional: true,
    cell: (_m, r) => markup`<td>${r.protocol ?? "—"}</td>`,
  },
  {
    key: "cycles",
    label: "Cycles",
    title: "Counted / all cycles",
    sort: "counted_cycle_count",
    numeric: true,
    cell: (_m, r) =>
      markup`<td class="num">${
        r.cycle_count === null ? "—" : `${r.counted_cycle_count} / ${r.cycle_count}`
      }</td>`,
  },
  {
    key: "initial",
    label: "Initial mAh",
    title: "Capacity of the reference cycle (mAh)",
    sort: "initial_capacity_Ah",
    numeric: true,
    cell: (_m, r) => markup`<td class="num">${mAh(r.initial_capacity_Ah)}</td>`,
  },
  {
    key: "retention",
    label: "Retention %",
    title: "Final retention (% of the reference cycle)",
    sort: "capacity_retention",
    numeric: true,
    cell: (_m, r) => markup`<td class="num">${pct(r.capacity_retention)}</td>`,
  },
  {
    key: "fade",
    label: "Fade %/100",
    title: "Capacity fade per 100 cycles (%)",
    sort: "fade_per_100_cycles",
    numeric: true,
    cell: (_m, r) => markup`<td class="num">${pct(r.fade_per_100_cycles)}</td>`,
  },
  {
    key: "ce",
    label: "CE %",
    title: "Mean coulombic efficiency (%)",
    sort: "mean_coulombic_efficiency",
    numeric: true,
    cell: (_m, r) => markup`<td class="num">${pct(r.mean_coulombic_efficiency, 3)}</td>`,
  },
  {
    key: "ee",
    label: "EE %",
    title: "Mean energy efficiency (%)",
    sort: "mean_energy_efficiency",
    numeric: true,
    optional: true,
    cell: (_m, r) => markup`<td class="num">${pct(r.mean_energy_efficiency)}</td>`,
  },
  {
    key: "ir",
    label: "IR Ω",
    title: "Median internal resistance (Ω)",
    sort: "median_internal_resistance_ohm",
    numeric: true,
    optional: true,
    cell: (_m, r) => markup`<td class="num">${num(r.median_internal_resistance_ohm)}</td>`,
  },
  {
    key: "eol",
    label: "EOL cycle",
    title: "Predicted cycle at the end-of-life threshold",
    sort: "eol_cycle_predicted",
    numeric: true,
    optional: true,
    cell: (_m, r) => markup`<td class="num">${num(r.eol_cycle_predicted, 4)}</td>`,
  },
  {
    key: "flags",
    label: "Flags",
    title: "Data-quality flags of the analysis (hover for the reason)",
    sort: "flag_count",
    cell: (m) =>
      markup`<td class="flags" title="${
        (m.test.analysis?.flags ?? []).map((f) => `${f.code}: ${f.message}`).join("\n")
      }">${analysisBadges(m.test.analysis, analysisNote(m.test))}</td>`,
  },
  {
    key: "tags",
    label: "Tags",
    title: "Tags of the test",
    optional: true,
    cell: (m) => markup`<td>${m.test.tags.join(", ")}</td>`,
  },
];

/**
 * The testers and tags to offer in the filters: counted by the store over its index
 * (`tests.stats`), never by reading the tests.
 */
async function facets(store: Store): Promise<{ testers: string[]; tags: string[] }> {
  const { groups } = await store.tests.stats({}, { by: ["tester", "tag"] });
  const values = (list: { value: string | null }[] = []) =>
    list.map((g) => g.value).filter((v): v is string => v !== null).sort();
  return { testers: values(groups.tester), tags: values(groups.tag) };
}

/** Tests: search and filters, a sorted page of the matches, compare / export of a selection. */
export async function testsPage(ctx: Ctx): Promise<Page> {
  const { store, url } = ctx;
  const q = testQuery(url);
  const { page, perPage } = paging(url);
  const all = await store.tests.count();
  if (all === 0) return { title: "Tests", nav: "tests", body: emptyStore(ctx) };
  const [found, samples, { testers, tags }] = await Promise.all([
    search(ctx, { offset: (page - 1) * perPage, limit: perPage }),
    store.samples.find(),
    facets(store),
  ]);
  const pages = Math.max(1, Math.ceil(found.total / perPage));
  const text = (name: string) => url.searchParams.get(name)?.trim() ?? "";
  const chosen = (name: string) =>
    new Set(url.searchParams.getAll(name).flatMap((v) => v.split(",")));
  const distinct = (xs: (string | null)[]) =>
    [...new Set(xs.filter((x): x is string => !!x))].sort();
  const chemistries = distinct(samples.map((s) => s.chemistry));
  const select = (name: string, label: string, options: readonly string[]) =>
    markup`<label>${label}<select name="${name}"><option value="">any</option>${
      options.map((o) => markup`<option${o === text(name) ? markup` selected` : ""}>${o}</option>`)
    }</select></label>`;
  const multi = (name: string, label: string, options: readonly string[]) =>
    markup`<label>${label}<select name="${name}" multiple size="4">${
      options.map((o) =>
        markup`<option${chosen(name).has(o) ? markup` selected` : ""}>${o}</option>`
      )
    }</select></label>`;
  const advancedUsed = [
    "flag",
    "sample",
    "chemistry",
    "from",
    "to",
    "type",
    "cell",
    "tag",
    "any_tag",
    "not_tag",
    "where",
    ...RANGES.flatMap(([stem]) => [`${stem}_min`, `${stem}_max`]),
  ].some((k) => text(k) !== "");
  const header = (c: Column) => {
    const active = c.sort !== undefined && q.sort === c.sort;
    const next = active && q.order === "desc"
      ? "asc"
      : active
      ? "desc"
      : c.numeric
      ? "desc"
      : "asc";
    const arrow = active ? (q.order === "asc" ? " ▲" : " ▼") : "";
    return markup`<th class="${
      c.numeric ? "num" : ""
    }" data-col="${c.key}" data-label="${c.label}"${
      c.optional ? markup` data-optional` : ""
    } title="${c.title}">${
      c.sort
        ? markup`<a href="/tests${
          withParams(url, ["sort", "dir", "page"], { sort: c.sort, dir: next })
        }" data-sort="${c.key}">${c.label}${arrow}</a>`
        : c.label
    }</th>`;
  };
  const nameActive = q.sort === "name";
  const first = (page - 1) * perPage;
  const exportQuery = keep(url, ["page", "per_page", "sort", "dir", "ids"]).toString();
  const body: SafeHtml =
    markup`<form class="filters" method="get" action="/tests" id="test-filters" data-saveable>
<label class="grow">Search (name, sample, cell code, tag, file)<input type="search" name="q" value="${
      text("q")
    }" placeholder="e.g. Zn sym" id="search-text"></label>
${select("tester", "Tester", testers)}${select("protocol", "Protocol", PROTOCOL_KINDS)}
<details class="more-filters"${
      advancedUsed ? markup` open` : ""
    }><summary>More filters</summary><div class="filter-grid">
${multi("flag", "Data-quality flags (all of)", Object.keys(FLAG_CODES))}
<label>Sample (exact name)<input name="sample" list="sample-names" value="${
      text("sample")
    }"></label>
<datalist id="sample-names">${samples.map((s) => markup`<option value="${s.name}">`)}</datalist>
${select("chemistry", "Chemistry", chemistries)}
<label>From<input type="date" name="from" value="${text("from")}"></label>
<label>To<input type="date" name="to" value="${text("to")}"></label>
${select("type", "Type", TEST_TYPES)}
<label>Cell code<input name="cell" value="${text("cell")}" size="8"></label>
${multi("tag", "Tags: all of", tags)}${multi("any_tag", "Tags: any of", tags)}${
      multi("not_tag", "Tags: none of", tags)
    }
${
      RANGES.map(([stem, , label, unit]) =>
        markup`<fieldset class="range"><legend>${label}${unit ? ` (${unit})` : ""}</legend>
<input name="${stem}_min" inputmode="decimal" size="6" placeholder="min" value="${
          text(`${stem}_min`)
        }" aria-label="${label} minimum"> – <input name="${stem}_max" inputmode="decimal" size="6" placeholder="max" value="${
          text(`${stem}_max`)
        }" aria-label="${label} maximum"></fieldset>`
      )
    }
<label>Condition (field op value)<input name="where" value="${
      url.searchParams.getAll("where").join(",")
    }" placeholder="eol_cycle_predicted<500" size="22"></label>
</div></details>
<input type="hidden" name="sort" value="${q.sort}"><input type="hidden" name="dir" value="${q.order}">
<input type="hidden" name="per_page" value="${perPage}">
<button type="submit">Search</button> <a href="/tests">Clear</a></form>
<div class="pager" id="match-count"><span><strong>${found.total}</strong> of ${all} tests match${
      found.total ? markup`; ${first + 1}–${Math.min(first + perPage, found.total)} shown` : ""
    }.</span>
<a href="/tests.csv${
      exportQuery ? `?${exportQuery}` : ""
    }" id="export-all">Export all ${found.total} as CSV</a>
${pager(url, page, pages)}</div>
<form method="get" action="/compare" id="selection-form">
<table id="tests-table" class="sticky" data-columns><thead><tr><th data-label="Test" title="Test name"><input type="checkbox" data-select-all aria-label="Select all on this page"> <a href="/tests${
      withParams(url, ["sort", "dir", "page"], {
        sort: "name",
        dir: nameActive && q.order === "asc" ? "desc" : "asc",
      })
    }" data-sort="name">Test${nameActive ? (q.order === "asc" ? " ▲" : " ▼") : ""}</a></th>${
      COLUMNS.map(header)
    }</tr></thead><tbody>${
      found.matches.map((m) => {
        const r = testSummaryRow(m.test, m.sample);
        return markup`<tr data-test-id="${m.test.id}"><td class="name" title="${m.test.name}"><input type="checkbox" name="ids" value="${m.test.id}" aria-label="Select ${m.test.name}"> <a href="/tests/${
          encodeURIComponent(m.test.id)
        }">${m.test.name}</a></td>${COLUMNS.map((c) => c.cell(m, r))}</tr>`;
      })
    }</tbody></table>${
      found.matches.length === 0
        ? markup`<p class="muted" id="no-matches">${
          found.total === 0
            ? "No test matches these filters."
            : `No tests on page ${page}: the ${found.total} matches fill ${pages} page${
              pages > 1 ? "s" : ""
            }.`
        }</p>`
        : ""
    }
<div class="pager"><button type="submit">Compare selected</button>
<button type="submit" class="secondary" formaction="/tests.csv" id="export-selected">Export selected as CSV</button>
${pager(url, page, pages)}</div></form>
<div id="saved-searches" class="saved-searches" hidden><h2>Saved searches</h2><ul></ul></div>`;
  return { title: "Tests", nav: "tests", body };
}

/** First / previous / next / last links of a paginated list. */
export function pager(url: URL, page: number, pages: number, path = url.pathname): SafeHtml {
  const link = (p: number, label: string, rel: string) =>
    p === page || p < 1 || p > pages
      ? markup`<span class="muted">${label}</span>`
      : markup`<a href="${path}${
        withParams(url, ["page"], { page: String(p) })
      }" data-page="${rel}">${label}</a>`;
  return markup`<nav class="pages" aria-label="Pages">${link(1, "« First", "first")} ${
    link(page - 1, "‹ Previous", "prev")
  } <span>page ${page} of ${pages}</span> ${link(page + 1, "Next ›", "next")} ${
    link(pages, "Last »", "last")
  }</nav>`;
}

/** A timestamp's day (UTC) with the full time on hover, or `—`. */
export function day(iso: string | null | undefined): SafeHtml {
  if (!iso) return markup`—`;
  return markup`<time datetime="${iso}" title="${when(iso)} UTC">${iso.slice(0, 10)}</time>`;
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
  const p = new Params(ctx.url, TEST_PARAMS);
  const ids = p.list("ids");
  // All matches, or one page of them when a page is asked for.
  const { page, perPage } = paging(ctx.url);
  const paged = p.string("page") !== undefined || p.string("per_page") !== undefined;
  let matches = (await search(ctx, paged ? { offset: (page - 1) * perPage, limit: perPage } : {}))
    .matches;
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
