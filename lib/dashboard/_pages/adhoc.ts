// Copyright 2026 the battery-analysis authors. MIT license.

import { Params } from "../_params.ts";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Store } from "../../store/store.ts";
import { type Ctx, HttpError, type Page } from "../_context.ts";
import { markup, raw, type SafeHtml } from "../_html.ts";
import { plot } from "../_plot.ts";

/** File names of runnable scripts: letters, digits, `_`, `-`, `.`; `.ts`, `.js` or `.mjs`. */
const SCRIPT = /^[A-Za-z0-9][A-Za-z0-9_.-]*\.(ts|js|mjs)$/;

/** What an ad hoc script's function receives. */
export interface AdhocContext {
  /** The store the dashboard serves. */
  store: Store;
  /** Query parameters of the run (`param.<name>` fields of the form), as text. */
  params: Record<string, string>;
}

/** One listed script. */
export interface AdhocScript {
  /** File name. */
  name: string;
  /** First comment line of the file, read as text (the file is not run to list it). */
  description: string;
}

/** Scripts of the folder, by name (none when the folder does not exist). */
export async function listScripts(dir: string): Promise<AdhocScript[]> {
  const out: AdhocScript[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (!entry.isFile || !SCRIPT.test(entry.name) || entry.name.startsWith("_")) continue;
      if (/_test\.(ts|js|mjs)$/.test(entry.name)) continue;
      const text = await Deno.readTextFile(`${dir}/${entry.name}`);
      const line = text.split("\n").map((l) => l.trim()).find((l) =>
        /^(\/\/|\/\*\*?|\*)\s*\S/.test(l) && !/copyright|deno-lint/i.test(l)
      );
      out.push({
        name: entry.name,
        description: line?.replace(/^(\/\/|\/\*\*?|\*)\s*/, "").replace(/\*\/$/, "") ?? "",
      });
    }
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

function isSpec(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  return ["mark", "layer", "vconcat", "hconcat", "concat", "facet", "repeat"].some((k) => k in v) ||
    typeof v.$schema === "string";
}

function runForm(ctx: Ctx, name: string): SafeHtml {
  return markup`<form method="post" action="/adhoc/run" class="run-form"><input type="hidden" name="csrf" value="${ctx.csrf}">
<input type="hidden" name="script" value="${name}"><button type="submit">Run</button></form>`;
}

/** Ad hoc analysis: the scripts of the configured folder, each with a Run button. */
export async function adhocPage(ctx: Ctx, output?: SafeHtml): Promise<Page> {
  new Params(ctx.url, []);
  const dir = ctx.options.adhocDir;
  if (dir === null) {
    return {
      title: "Ad hoc analysis",
      nav: "adhoc",
      body: markup`<p class="muted">Ad hoc scripts are turned off.</p>`,
    };
  }
  const scripts = await listScripts(dir);
  const body = markup`<p>Scripts in <code>${resolve(dir)}</code>. Each exports a default function
that receives <code>{ store, params }</code> and returns HTML text or a Vega-Lite spec. Scripts
are local files: nothing uploads code here. See <code>docs/dashboard.md</code> to write one or
promote it into a page.</p>
${
    scripts.length === 0
      ? markup`<p class="muted" id="no-scripts">No scripts in this folder.</p>`
      : markup`<table id="adhoc-scripts"><thead><tr><th>Script</th><th>Description</th><th></th></tr></thead><tbody>${
        scripts.map((s) =>
          markup`<tr><td><code>${s.name}</code></td><td>${s.description}</td><td>${
            runForm(ctx, s.name)
          }</td></tr>`
        )
      }</tbody></table>`
  }
${output ?? ""}`;
  return { title: "Ad hoc analysis", nav: "adhoc", body };
}

/** Run one script (POST, CSRF-checked by the router) and show its output under the list. */
export async function runAdhoc(ctx: Ctx, form: FormData): Promise<Page> {
  const dir = ctx.options.adhocDir;
  if (dir === null) throw new HttpError(404, "Ad hoc scripts are turned off");
  const name = form.get("script");
  if (typeof name !== "string" || !SCRIPT.test(name)) throw new HttpError(400, "Bad script name");
  const scripts = await listScripts(dir);
  if (!scripts.some((s) => s.name === name)) {
    throw new HttpError(404, `No script "${name}" in the ad hoc folder`);
  }
  const params: Record<string, string> = {};
  for (const [k, v] of form) {
    if (k.startsWith("param.") && typeof v === "string") params[k.slice(6)] = v;
  }
  const path = resolve(dir, name);
  const stat = await Deno.stat(path);
  let output: SafeHtml;
  const started = performance.now();
  try {
    // The modification time in the URL reloads a script after it was edited.
    const mod = await import(`${pathToFileURL(path).href}?v=${stat.mtime?.getTime() ?? 0}`);
    const fn = mod.default ?? mod.run;
    if (typeof fn !== "function") {
      throw new TypeError(`${name} exports no default function (nor "run")`);
    }
    const result = await fn({ store: ctx.store, params } satisfies AdhocContext);
    const ms = (performance.now() - started).toFixed(0);
    let content: SafeHtml;
    if (typeof result === "string") content = raw(result);
    else if (
      result && typeof result === "object" &&
      typeof (result as { html?: unknown }).html === "string"
    ) {
      content = raw((result as { html: string }).html);
    } else if (isSpec(result)) content = plot("plot-adhoc", result);
    else {
      throw new TypeError(
        `${name} returned ${
          result === null ? "null" : typeof result
        }, neither HTML text nor a Vega-Lite spec`,
      );
    }
    output =
      markup`<h2>Output of <code>${name}</code> <span class="muted">(${ms} ms)</span></h2><div class="adhoc-output" id="adhoc-output">${content}</div>`;
  } catch (err) {
    const e = err as Error;
    output =
      markup`<h2>Output of <code>${name}</code></h2><div class="adhoc-output" id="adhoc-output"><p class="error">${
        e?.name ?? "Error"
      }: ${e?.message ?? String(err)}</p>${e?.stack ? markup`<pre>${e.stack}</pre>` : ""}</div>`;
  }
  return adhocPage(ctx, output);
}
