// Copyright 2026 the battery-analysis authors. MIT license.

/**
 * Query parameters read strictly: a page names the parameters it takes, and anything else — an
 * unknown name, a number that is not one, a value out of range, a choice not offered — is a 400
 * that says what was wrong and what is accepted, never a silent fallback to a default.
 */

import { HttpError } from "./_context.ts";

/** Accepted on every page: the access token of the first visit (handled before the page). */
const ALWAYS = ["token"];

/** Strict reader of a request's query parameters. */
export class Params {
  readonly #p: URLSearchParams;

  /**
   * @param url The request URL (its query), or the text fields of a posted form.
   * @param accepted The parameter names this page takes.
   * @throws {HttpError} 400 for a parameter the page does not take.
   */
  constructor(url: URL | URLSearchParams, readonly accepted: readonly string[]) {
    this.#p = url instanceof URL ? url.searchParams : url;
    for (const name of new Set(this.#p.keys())) {
      if (!accepted.includes(name) && !ALWAYS.includes(name)) {
        throw new HttpError(
          400,
          `Unknown parameter "${name}"${
            accepted.length
              ? ` (this page takes ${accepted.join(", ")})`
              : " (this page takes none)"
          }`,
        );
      }
    }
  }

  /** The raw values of a parameter (repeated, or comma-separated), trimmed, empty ones dropped. */
  list(name: string): string[] {
    return this.#p.getAll(name).flatMap((v) => v.split(",")).map((v) => v.trim()).filter((v) =>
      v !== ""
    );
  }

  /** A text value (trimmed), or `undefined` when absent or empty. */
  string(name: string): string | undefined {
    const values = this.#p.getAll(name).map((v) => v.trim()).filter((v) => v !== "");
    if (values.length > 1) {
      throw new HttpError(400, `Parameter "${name}" is given ${values.length} times; give it once`);
    }
    return values[0];
  }

  /** A number within `[min, max]`, or `undefined` when absent. */
  number(
    name: string,
    range: { min?: number; max?: number; unit?: string } = {},
  ): number | undefined {
    const text = this.string(name);
    if (text === undefined) return undefined;
    return checkNumber(name, text, range, false);
  }

  /** An integer within `[min, max]`, or `undefined` when absent. */
  int(name: string, range: { min?: number; max?: number } = {}): number | undefined {
    const text = this.string(name);
    if (text === undefined) return undefined;
    return checkNumber(name, text, range, true);
  }

  /** Integers within `[min, max]` (repeated or comma-separated), sorted, unique. */
  ints(name: string, range: { min?: number; max?: number } = {}): number[] {
    const out = new Set(this.list(name).map((v) => checkNumber(name, v, range, true)));
    return [...out].sort((a, b) => a - b);
  }

  /** One of the offered values, or `undefined` when absent. */
  oneOf<T extends string>(name: string, values: readonly T[]): T | undefined {
    const text = this.string(name);
    if (text === undefined) return undefined;
    if (!(values as readonly string[]).includes(text)) {
      throw new HttpError(
        400,
        `Parameter "${name}" must be one of ${values.join(", ")}; got "${text}"`,
      );
    }
    return text as T;
  }

  /** A checkbox: `1`, `on` or `true` is on; absent is off; anything else a 400. */
  flag(name: string): boolean {
    const text = this.string(name);
    if (text === undefined) return false;
    if (["1", "on", "true"].includes(text)) return true;
    if (["0", "off", "false"].includes(text)) return false;
    throw new HttpError(400, `Parameter "${name}" must be 1 or 0; got "${text}"`);
  }

  /** A day `YYYY-MM-DD`, or `undefined` when absent. */
  day(name: string): string | undefined {
    const text = this.string(name);
    if (text === undefined) return undefined;
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
    const d = m ? new Date(Date.UTC(+m[1], +m[2] - 1, +m[3])) : null;
    if (!d || d.toISOString().slice(0, 10) !== text) {
      throw new HttpError(400, `Parameter "${name}" must be a date YYYY-MM-DD; got "${text}"`);
    }
    return text;
  }
}

function checkNumber(
  name: string,
  text: string,
  range: { min?: number; max?: number; unit?: string },
  integer: boolean,
): number {
  const value = Number(text);
  const what = integer ? "a whole number" : "a number";
  const bounds = range.min !== undefined && range.max !== undefined
    ? ` from ${range.min} to ${range.max}`
    : range.min !== undefined
    ? ` of at least ${range.min}`
    : range.max !== undefined
    ? ` of at most ${range.max}`
    : "";
  const unit = range.unit ? ` ${range.unit}` : "";
  if (
    !Number.isFinite(value) || (integer && !Number.isInteger(value)) ||
    (range.min !== undefined && value < range.min) ||
    (range.max !== undefined && value > range.max)
  ) {
    throw new HttpError(
      400,
      `Parameter "${name}" must be ${what}${bounds}${unit}; got "${text}"`,
    );
  }
  return value;
}
