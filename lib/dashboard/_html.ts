// Copyright 2026 the battery-analysis authors. MIT license.

/**
 * Auto-escaping HTML templates: every interpolated value is escaped unless it is already
 * {@link SafeHtml} (built by `markup` or `raw`). Arrays are joined; `null`, `undefined` and `false`
 * render nothing.
 */

import { escapeHtml } from "../../analysis/display.ts";

/** HTML that is already safe to emit. */
export class SafeHtml {
  /** @param value The markup. */
  constructor(readonly value: string) {}
  /** The markup. */
  toString(): string {
    return this.value;
  }
}

/** Something that can be interpolated into {@link html}. */
export type HtmlValue =
  | SafeHtml
  | string
  | number
  | boolean
  | null
  | undefined
  | readonly HtmlValue[];

function render(value: HtmlValue): string {
  if (value === null || value === undefined || value === false) return "";
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join("");
  return escapeHtml(String(value));
}

/** Tagged template (`markup`) producing {@link SafeHtml}, escaping every interpolation. */
export function markup(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0];
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1];
  return new SafeHtml(out);
}

/** Mark trusted markup as safe (only for markup built in this module tree). */
export function raw(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

/** Format a number for display: significant digits, `—` for null or non-finite values. */
export function num(value: number | null | undefined, digits = 4): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  if (Number.isInteger(value) && Math.abs(value) < 1e9) return String(value);
  const abs = Math.abs(value);
  if (abs !== 0 && (abs < 1e-3 || abs >= 1e6)) return value.toExponential(digits - 1);
  return Number(value.toPrecision(digits)).toString();
}

/** A fraction as percent with `digits` decimals, or `—`. */
export function pct(value: number | null | undefined, digits = 2): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  return (value * 100).toFixed(digits);
}

/** An ISO timestamp as `YYYY-MM-DD HH:MM` (UTC), or `—`. */
export function when(iso: string | null | undefined): string {
  if (!iso) return "—";
  return iso.replace("T", " ").slice(0, 16);
}

/**
 * JSON embedded in a `<script type="application/json">` element: `<`, `>`, `&` and the line
 * separators are written as `\u` escapes so no text can close the element.
 */
export function jsonScript(id: string, value: unknown): SafeHtml {
  const text = JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
  return markup`<script type="application/json" id="${id}">${raw(text)}</script>`;
}

/** Build a query string from defined, non-empty values (repeated keys for arrays). */
export function query(
  params: Record<string, string | number | readonly string[] | null | undefined>,
): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === null || v === undefined || v === "") continue;
    if (Array.isArray(v)) { for (const item of v) q.append(k, item); }
    else q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : "";
}

/**
 * A message that may be very long (a parser's explanation of every format it tried): its first
 * `chars` characters, and the rest folded away in a `<details>`.
 */
export function longText(text: string | null | undefined, chars = 160): SafeHtml {
  if (!text) return markup``;
  if (text.length <= chars) return markup`${text}`;
  const cut = text.lastIndexOf(" ", chars);
  const head = text.slice(0, cut > chars / 2 ? cut : chars);
  return markup`<details class="long"><summary>${head} …</summary>${
    text.slice(head.length)
  }</details>`;
}
