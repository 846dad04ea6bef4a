// Copyright 2026 the battery-analysis authors. MIT license.

/** The page shell: navigation, store line, scripts (all served by the dashboard itself). */

import type { Store } from "../store/store.ts";
import type { Page } from "./_context.ts";
import { markup, type SafeHtml } from "./_html.ts";
import { SECURITY_HEADERS } from "./_security.ts";
import { assetUrl } from "./_assets.ts";

/** Scripts that draw plots, loaded only by pages that have some. */
const PLOT_SCRIPTS = ["vega.min.js", "vega-lite.min.js", "vega-embed.min.js"];

/**
 * Whether a page needs the plotting scripts: it says so, or its body holds a plot (or a
 * section that will be loaded later and may hold plots).
 */
export function needsPlots(page: Page): boolean {
  return page.plots ?? /<figure class="plot"|data-fragment=/.test(page.body.value);
}

/** Navigation entries: key, path, label. */
export const NAV: readonly [string, string, string][] = [
  ["overview", "/", "Overview"],
  ["tests", "/tests", "Tests"],
  ["fade", "/fade", "Fade ranking"],
  ["compare", "/compare", "Compare"],
  ["eis", "/eis", "EIS"],
  ["advanced", "/advanced", "Advanced analysis"],
  ["modeling", "/modeling", "Modeling"],
  ["upload", "/upload", "Upload"],
  ["jobs", "/jobs", "Import jobs"],
  ["files", "/files", "Raw files"],
  ["adhoc", "/adhoc", "Ad hoc analysis"],
];

/**
 * The full HTML document of a page. Assets are linked by content-versioned URLs (cached by the
 * browser for good); the plotting scripts only on pages with plots.
 */
export async function layout(page: Page, store: Store): Promise<Response> {
  const scripts: SafeHtml[] = [];
  for (const name of [...(needsPlots(page) ? PLOT_SCRIPTS : []), "app.js"]) {
    scripts.push(markup`<script src="${await assetUrl(name)}" defer></script>`);
  }
  const doc = markup`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${page.title} · Battery dashboard</title>
<link rel="stylesheet" href="${await assetUrl("app.css")}">
${scripts}
</head><body>
<nav class="side" aria-label="Pages"><a class="brand" href="/">Battery dashboard</a>
${
    NAV.map(([key, path, label]) =>
      markup`<a class="nav${key === page.nav ? " active" : ""}" href="${path}"${
        key === page.nav ? markup` aria-current="page"` : ""
      }>${label}</a>`
    )
  }
<div class="store" title="Store">${store.describe().text}</div></nav>
<main id="content"><h1>${page.title}</h1>
${page.body}
</main></body></html>`;
  return new Response(doc.value, {
    status: page.status ?? 200,
    headers: {
      ...SECURITY_HEADERS,
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-store",
    },
  });
}
