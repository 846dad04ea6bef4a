// Copyright 2026 the battery-analysis authors. MIT license.

/**
 * A one-line terminal progress bar on stderr. It is silent unless stdout is a terminal, so
 * piped and `--json` output stays clean.
 *
 * @module
 */

/** Options of {@link ProgressBar}. */
export interface ProgressOptions {
  /** Expected total, or `null` when unknown (then only the count is shown). */
  total: number | null;
  /** Text before the bar. @default {""} */
  label?: string;
  /** Draw at all. @default {Deno.stdout.isTerminal()} */
  enabled?: boolean;
  /** Where to draw. @default {writes to stderr} */
  write?: (text: string) => void;
  /** Clock in ms (for tests). @default {Date.now} */
  now?: () => number;
  /** Minimum time between redraws, ms. @default {100} */
  intervalMs?: number;
}

const encoder = new TextEncoder();

/**
 * Progress of a long task: `label [#########-----------] 45/100 45% detail`.
 *
 * @example Usage
 * ```ts
 * import { ProgressBar } from "./progress_bar.ts";
 * import { equal } from "node:assert/strict";
 *
 * const out: string[] = [];
 * const bar = new ProgressBar({ total: 4, label: "import", enabled: true, write: (t) => out.push(t) });
 * bar.tick(2);
 * bar.done();
 * equal(out.at(-1), "\r\x1b[2K");
 * equal(out[0], "\r\x1b[2Kimport [##########----------] 2/4 50%");
 * ```
 */
export class ProgressBar {
  /** Whether anything is drawn. */
  readonly enabled: boolean;
  readonly #total: number | null;
  readonly #label: string;
  readonly #write: (text: string) => void;
  readonly #now: () => number;
  readonly #interval: number;
  #count = 0;
  #last = -Infinity;

  /** @param options Total, label and output. */
  constructor(options: ProgressOptions) {
    this.enabled = options.enabled ?? isTerminal();
    this.#total = options.total;
    this.#label = options.label ?? "";
    this.#write = options.write ?? ((text) => Deno.stderr.writeSync(encoder.encode(text)));
    this.#now = options.now ?? Date.now;
    this.#interval = options.intervalMs ?? 100;
  }

  /** Items done so far. */
  get count(): number {
    return this.#count;
  }

  /** Count `n` more items done and redraw (at most every `intervalMs`, always at the end). */
  tick(n = 1, detail = ""): void {
    this.#count += n;
    if (!this.enabled) return;
    const now = this.#now();
    const finished = this.#total !== null && this.#count >= this.#total;
    if (!finished && now - this.#last < this.#interval) return;
    this.#last = now;
    this.#write(`\r\x1b[2K${this.render(detail)}`);
  }

  /** The bar as text. */
  render(detail = ""): string {
    const parts = this.#label ? [this.#label] : [];
    if (this.#total !== null && this.#total > 0) {
      const fraction = Math.min(1, this.#count / this.#total);
      const filled = Math.round(fraction * 20);
      parts.push(`[${"#".repeat(filled)}${"-".repeat(20 - filled)}]`);
      parts.push(`${this.#count}/${this.#total}`, `${Math.floor(fraction * 100)}%`);
    } else parts.push(`${this.#count}`);
    if (detail) parts.push(detail);
    return parts.join(" ");
  }

  /** Clear the line. */
  done(): void {
    if (this.enabled) this.#write("\r\x1b[2K");
  }
}

function isTerminal(): boolean {
  try {
    return Deno.stdout.isTerminal();
  } catch {
    return false;
  }
}
