// Copyright 2026 the battery-analysis authors. MIT license.

/** The page shell: navigation, store line, scripts (all served by the dashboard itself). */

import type { Store } from "../store/store.ts";
import type { Page } from "./_context.ts";
import { markup } from "./_html.ts";
import { SECURITY_HEADERS } from "./_security.ts";

/** Navigation entries: key, path, label. */
export const NAV: readonly [string, string, string][] = [
  ["overview", "/", "Overview"],
  ["tests", "/tests", "Tests"],
  ["fade", "/fade", "Fade ranking"],
  ["compare", "/compare", "Compare"],
  ["eis", "/eis", "EIS"],
  ["advanced", "/advanced", "Advanced analysis"],
  ["jobs", "/jobs", "Import jobs"],
  ["files", "/files", "Raw files"],
  ["adhoc", "/adhoc", "Ad hoc analysis"],
];

/** The full HTML document of a page. */
export function layout(page: Page, store: Store): Response {
  const doc = markup`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${page.title} · Battery dashboard</title>
<link rel="stylesheet" href="/assets/app.css">
<script src="/assets/vega.min.js" defer></script>
<script src="/assets/vega-lite.min.js" defer></script>
<script src="/assets/vega-embed.min.js" defer></script>
<script src="/assets/app.js" defer></script>
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
