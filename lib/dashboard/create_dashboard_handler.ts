// Copyright 2026 the battery-analysis authors. MIT license.

/**
 * The web dashboard as a plain request handler: server-rendered pages over a {@link Store},
 * with plots drawn in the browser by vega-embed from the same Vega-Lite specs the notebook
 * shows. `cli/dashboard.ts` serves it with `Deno.serve`; tests call it directly.
 *
 * @module
 */

import type { Store } from "../store/store.ts";
import {
  type Ctx,
  type DashboardOptions,
  HttpError,
  type Page,
  type ResolvedOptions,
} from "./_context.ts";
import { markup } from "./_html.ts";
import { layout } from "./_layout.ts";
import { loadAsset } from "./_assets.ts";
import { checkAccess, checkCsrf, SECURITY_HEADERS, text } from "./_security.ts";
import { overviewPage } from "./_pages/overview.ts";
import { eventStream } from "./_pages/events.ts";
import { testsCsv, testsJson, testsPage } from "./_pages/tests.ts";
import {
  curvesFragment,
  fadeFragment,
  testAnalysisJson,
  testDetailPage,
  traceFragment,
} from "./_pages/test_detail.ts";
import { fadePage } from "./_pages/fade.ts";
import { compareCsv, compareDvdqFragment, comparePage } from "./_pages/compare.ts";
import { advancedPage } from "./_pages/advanced.ts";
import { jobPage, jobsPage, resumeJob } from "./_pages/jobs.ts";
import { downloadFile, filesPage } from "./_pages/files.ts";
import { adhocPage, runAdhoc } from "./_pages/adhoc.ts";
import { eisListPage, eisPage, eisSectionsFragment } from "./_pages/eis.ts";
import { DashboardCompute, fragmentResponse } from "./_compute.ts";
import { editSampleAction, editTestAction } from "./_pages/edit.ts";
import { uploadAction, uploadPage } from "./_pages/upload.ts";
import { MAX_PARAMETER_FILE_BYTES, MODELING_ROUTES } from "./_pages/modeling.ts";
import { EXPORT_ROUTE, testExport } from "./_pages/export.ts";

export type { DashboardOptions } from "./_context.ts";

/** A request handler; `close()` stops its compute workers. */
export type DashboardHandler = ((req: Request) => Promise<Response>) & {
  /** Stop the worker threads (computations in progress are abandoned). */
  close(): void;
};

type Route = {
  method: "GET" | "POST";
  pattern: RegExp;
  run: (ctx: Ctx, params: string[], form: FormData | null) => Promise<Page | Response>;
  /** Answers an HTML fragment (errors too), not a whole page. */
  fragment?: boolean;
  /** Takes files: its body may be as large as `maxUploadBytes` (other forms: 1 MiB). */
  upload?: boolean;
  /** Largest body of this form, bytes. @default {1 MiB, or `maxUploadBytes` with `upload`} */
  maxBytes?: number;
};

/** Largest body of a form that is not an upload. */
const MAX_FORM_BYTES = 1024 ** 2;

/**
 * The form of a POST, read only up to `limit` bytes (the declared length is checked first, and
 * a body without one is cut off when it grows past the limit).
 */
async function readForm(req: Request, limit: number): Promise<FormData | Response> {
  const tooLarge = () =>
    text(
      413,
      `The request is larger than the ${Math.round(limit / 1024 ** 2)} MiB this form takes`,
    );
  const declared = Number(req.headers.get("content-length") ?? "NaN");
  if (Number.isFinite(declared) && declared > limit) return tooLarge();
  if (!req.body) return await req.formData();
  let seen = 0;
  const counted = req.body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        seen += chunk.byteLength;
        if (seen > limit) controller.error(new RangeError("body too large"));
        else controller.enqueue(chunk);
      },
    }),
  );
  try {
    return await new Request(req.url, {
      method: "POST",
      headers: req.headers,
      body: counted,
    }).formData();
  } catch (err) {
    if (seen > limit) return tooLarge();
    return text(400, `Cannot read the form: ${(err as Error).message}`);
  }
}

const ID = "([^/]+)";

const ROUTES: Route[] = [
  { method: "GET", pattern: /^\/$/, run: (ctx) => overviewPage(ctx) },
  { method: "GET", pattern: /^\/events$/, run: (ctx) => Promise.resolve(eventStream(ctx)) },
  { method: "GET", pattern: /^\/tests$/, run: (ctx) => testsPage(ctx) },
  { method: "GET", pattern: /^\/tests\.csv$/, run: (ctx) => testsCsv(ctx) },
  { method: "GET", pattern: /^\/tests\.json$/, run: (ctx) => testsJson(ctx) },
  {
    method: "GET",
    pattern: new RegExp(`^/tests/${ID}/analysis\\.json$`),
    run: (ctx, [id]) => testAnalysisJson(ctx, id),
  },
  {
    method: "GET",
    pattern: EXPORT_ROUTE,
    run: (ctx, [id, table, format]) =>
      testExport(ctx, id, table as Parameters<typeof testExport>[2], format as "csv"),
  },
  {
    method: "GET",
    pattern: new RegExp(`^/tests/${ID}/curves$`),
    run: (ctx, [id]) => curvesFragment(ctx, id),
    fragment: true,
  },
  {
    method: "GET",
    pattern: new RegExp(`^/tests/${ID}/fade$`),
    run: (ctx, [id]) => fadeFragment(ctx, id),
    fragment: true,
  },
  {
    method: "GET",
    pattern: new RegExp(`^/tests/${ID}/trace$`),
    run: (ctx, [id]) => traceFragment(ctx, id),
    fragment: true,
  },
  {
    method: "POST",
    pattern: new RegExp(`^/tests/${ID}/edit$`),
    run: (ctx, [id], form) => editTestAction(ctx, id, form!),
  },
  {
    method: "POST",
    pattern: new RegExp(`^/samples/${ID}/edit$`),
    run: (ctx, [id], form) => editSampleAction(ctx, id, form!),
  },
  {
    method: "GET",
    pattern: new RegExp(`^/tests/${ID}$`),
    run: (ctx, [id]) => testDetailPage(ctx, id),
  },
  { method: "GET", pattern: /^\/fade$/, run: (ctx) => fadePage(ctx) },
  { method: "GET", pattern: /^\/compare$/, run: (ctx) => comparePage(ctx) },
  { method: "GET", pattern: /^\/compare\.csv$/, run: (ctx) => compareCsv(ctx) },
  {
    method: "GET",
    pattern: /^\/compare\/dvdq$/,
    run: (ctx) => compareDvdqFragment(ctx),
    fragment: true,
  },
  {
    method: "GET",
    pattern: /^\/compare\/dvdq$/,
    run: (ctx) => compareDvdqFragment(ctx),
    fragment: true,
  },
  { method: "GET", pattern: /^\/eis$/, run: (ctx) => eisListPage(ctx) },
  { method: "GET", pattern: new RegExp(`^/eis/${ID}$`), run: (ctx, [id]) => eisPage(ctx, id) },
  {
    method: "GET",
    pattern: new RegExp(`^/eis/${ID}/sections$`),
    run: (ctx, [id]) => eisSectionsFragment(ctx, id),
    fragment: true,
  },
  { method: "GET", pattern: /^\/advanced$/, run: (ctx) => advancedPage(ctx) },
  // A model run's form may carry a parameter file (up to MAX_PARAMETER_FILE_BYTES).
  ...MODELING_ROUTES.map((r) =>
    r.method === "POST" ? { ...r, maxBytes: MAX_PARAMETER_FILE_BYTES + MAX_FORM_BYTES } : r
  ),
  { method: "GET", pattern: /^\/jobs$/, run: (ctx) => jobsPage(ctx) },
  { method: "GET", pattern: new RegExp(`^/jobs/${ID}$`), run: (ctx, [id]) => jobPage(ctx, id) },
  {
    method: "POST",
    pattern: new RegExp(`^/jobs/${ID}/resume$`),
    run: (ctx, [id]) => resumeJob(ctx, id),
  },
  { method: "GET", pattern: /^\/upload$/, run: (ctx) => uploadPage(ctx) },
  {
    method: "POST",
    pattern: /^\/upload$/,
    run: (ctx, _p, form) => uploadAction(ctx, form!),
    upload: true,
  },
  { method: "GET", pattern: /^\/files$/, run: (ctx) => filesPage(ctx) },
  {
    method: "GET",
    pattern: new RegExp(`^/files/${ID}/download$`),
    run: (ctx, [id]) => downloadFile(ctx, id),
  },
  { method: "GET", pattern: /^\/adhoc$/, run: (ctx) => adhocPage(ctx) },
  { method: "POST", pattern: /^\/adhoc\/run$/, run: (ctx, _p, form) => runAdhoc(ctx, form!) },
];

function errorPage(status: number, message: string): Page {
  const title = status === 404 ? "Not found" : status >= 500 ? "Server error" : "Request error";
  return {
    title,
    nav: "",
    status,
    body:
      markup`<p class="error" id="error-message">${message}</p><p><a href="/">Back to the overview</a></p>`,
  };
}

/**
 * An asset. Under its versioned URL (`?v=` its current ETag, as pages link it) it may be cached
 * for a year without asking again; under any other URL the browser revalidates it each time.
 */
async function asset(req: Request, url: URL, name: string): Promise<Response> {
  const pending = loadAsset(name);
  if (!pending) return text(404, `No asset "${name}"`);
  const a = await pending;
  const versioned = url.searchParams.get("v") === a.etag.replace(/"/g, "");
  const cache = versioned ? "public, max-age=31536000, immutable" : "no-cache";
  if (req.headers.get("if-none-match") === a.etag) {
    return new Response(null, { status: 304, headers: { etag: a.etag, "cache-control": cache } });
  }
  return new Response(a.body as Uint8Array<ArrayBuffer>, {
    headers: {
      ...SECURITY_HEADERS,
      "content-type": a.type,
      etag: a.etag,
      "cache-control": cache,
    },
  });
}

/**
 * Create the dashboard's request handler over a store.
 *
 * Pages: `/` overview, `/tests` search (and `/tests.csv`, `/tests.json`: the rows of
 * `search_tests --csv` / `--json`), `/tests/:id` detail (and `/tests/:id/analysis.json`, the
 * stored analysis; `/tests/:id/export/TABLE.FORMAT`, its tables as CSV, XLSX, Parquet or
 * Arrow), `/fade`
 * ranking, `/compare`, `/eis`, `/advanced`, `/jobs`, `/files`, `/adhoc`; assets under
 * `/assets/`. Only two actions change anything, both POST with a CSRF token: resuming an
 * import job and running an ad hoc script.
 *
 * @param store The store to show (not closed by the handler).
 * @param options Token, ad hoc folder, job resumption and display settings.
 * @returns The handler.
 *
 * @example
 * ```ts
 * import { SqliteStore } from "../store/sqlite_store.ts";
 * import { createDashboardHandler } from "./create_dashboard_handler.ts";
 * import { equal, match } from "node:assert/strict";
 *
 * const store = await SqliteStore.open({ path: ":memory:" });
 * const handle = createDashboardHandler(store, { adhocDir: null });
 * const res = await handle(new Request("http://127.0.0.1:8050/"));
 * equal(res.status, 200);
 * match(await res.text(), /The store is empty/);
 * await store.close();
 * ```
 */
export function createDashboardHandler(
  store: Store,
  options: DashboardOptions = {},
): DashboardHandler {
  if (options.token !== undefined && options.token !== null && options.token.length < 8) {
    throw new RangeError("createDashboardHandler: token must have at least 8 characters");
  }
  const resolved: ResolvedOptions = {
    token: options.token ?? null,
    adhocDir: options.adhocDir === undefined ? "./adhoc" : options.adhocDir,
    resumeJob: options.resumeJob ?? null,
    importCommand: options.importCommand ?? "deno run -A cli/import_directory.ts DIR",
    runningWindowHours: options.runningWindowHours ?? 24,
    now: options.now ?? (() => new Date()),
    liveIntervalMs: options.liveIntervalMs ?? 2000,
    importFiles: options.importFiles ?? null,
    uploadDir: options.uploadDir ?? null,
    maxUploadBytes: options.maxUploadBytes ?? 1024 ** 3,
  };
  if (!(resolved.liveIntervalMs >= 50)) {
    throw new RangeError(
      `createDashboardHandler: liveIntervalMs must be at least 50, got ${resolved.liveIntervalMs}`,
    );
  }
  const closing = new AbortController();
  const csrf = Array.from(
    crypto.getRandomValues(new Uint8Array(24)),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
  const running = new Map<string, Promise<unknown>>();
  const actionErrors = new Map<string, string>();
  const compute = new DashboardCompute({
    workers: options.computeWorkers ?? 2,
    timeoutMs: options.computeTimeoutMs ?? 120_000,
    workerUrl: options.workerUrl,
  });

  const handle = async (req: Request): Promise<Response> => {
    let url: URL;
    try {
      url = new URL(req.url);
    } catch {
      return text(400, "Bad request URL");
    }
    const access = checkAccess(req, url, resolved.token);
    if (!access.ok) return access.response;
    let path: string;
    try {
      path = decodeURIComponent(url.pathname);
    } catch {
      return text(400, "Bad percent-encoding in the path");
    }
    if (path.startsWith("/assets/")) {
      if (req.method !== "GET" && req.method !== "HEAD") {
        return text(405, "Method not allowed", { allow: "GET, HEAD" });
      }
      return asset(req, url, path.slice("/assets/".length));
    }
    if (path === "/favicon.ico") return new Response(null, { status: 204 });
    const method = req.method === "HEAD" ? "GET" : req.method;
    const candidates = ROUTES.filter((r) => r.pattern.test(path));
    const route = candidates.find((r) => r.method === method);
    const ctx: Ctx = {
      req,
      url,
      store,
      options: resolved,
      csrf,
      running,
      actionErrors,
      compute,
      closed: closing.signal,
    };
    if (!route) {
      if (candidates.length) {
        return text(405, "Method not allowed", {
          allow: candidates.map((r) => r.method).join(", "),
        });
      }
      return layout(errorPage(404, `No page at ${path}`), store);
    }
    try {
      let form: FormData | null = null;
      if (method === "POST") {
        const type = req.headers.get("content-type") ?? "";
        if (!/^(application\/x-www-form-urlencoded|multipart\/form-data)/.test(type)) {
          return text(415, "POST needs a form body");
        }
        const read = await readForm(
          req,
          route.maxBytes ?? (route.upload ? resolved.maxUploadBytes : MAX_FORM_BYTES),
        );
        if (read instanceof Response) return read;
        form = read;
        const problem = checkCsrf(req, url, form, csrf);
        if (problem) return text(403, `Refused: ${problem}`);
      }
      const params = route.pattern.exec(path)!.slice(1);
      const result = await route.run(ctx, params, form);
      return result instanceof Response ? result : layout(result, store);
    } catch (err) {
      if (route.fragment) {
        const status = err instanceof HttpError ? err.status : 500;
        if (status === 500) {
          // deno-lint-ignore no-console
          console.error(err);
        }
        return fragmentResponse(
          markup`<p class="error" id="error-message">${
            err instanceof HttpError
              ? err.message
              : `${(err as Error)?.name}: ${(err as Error)?.message}`
          }</p>`.value,
          status,
        );
      }
      if (err instanceof HttpError) return layout(errorPage(err.status, err.message), store);
      // deno-lint-ignore no-console
      console.error(err);
      return layout(
        errorPage(
          500,
          `${(err as Error)?.name ?? "Error"}: ${(err as Error)?.message ?? String(err)}`,
        ),
        store,
      );
    }
  };
  return Object.assign(handle, {
    close: () => {
      closing.abort();
      compute.close();
    },
  });
}
