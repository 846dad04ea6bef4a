// Copyright 2026 the battery-analysis authors. MIT license.

/** Data-quality flags of a test's analysis as badges (code, reason on hover) and as a list. */

import type { QualityFlag } from "../../analysis/analyze_test.ts";
import type { TestAnalysisData } from "../../analysis/analyze_test.ts";
import { markup, type SafeHtml } from "./_html.ts";

/** One badge per flag: its code, the reason as the tooltip. */
export function flagBadges(flags: readonly QualityFlag[]): SafeHtml {
  return markup`${
    flags.map((f) =>
      markup`<span class="flag flag-${f.severity}" data-flag="${f.code}" title="${f.code}: ${f.message}">${f.code}</span>`
    )
  }`;
}

/** The badges of a stored analysis, or why there is none. */
export function analysisBadges(
  analysis: Pick<TestAnalysisData, "flags"> | null,
  note: string | null,
): SafeHtml {
  if (!analysis) return markup`<span class="muted" title="${note ?? ""}">not analysed</span>`;
  return flagBadges(analysis.flags);
}

/** Every flag with its severity, code and reason (the detail page). */
export function flagList(flags: readonly QualityFlag[]): SafeHtml {
  if (flags.length === 0) return markup`<p class="muted" id="flags">No data-quality flags.</p>`;
  return markup`<ul id="flags">${
    flags.map((f) =>
      markup`<li data-flag="${f.code}"><span class="flag flag-${f.severity}">${f.code}</span> ${f.message}</li>`
    )
  }</ul>`;
}
