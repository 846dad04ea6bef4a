// Copyright 2026 the battery-analysis authors. MIT license.

/** Options of {@link formatProgress}. */
export interface ProgressState {
  /** Items done. */
  done: number;
  /** Items in all. */
  total: number;
  /** Bytes done. */
  bytes: number;
  /** Bytes in all. */
  bytesTotal: number;
  /** Seconds since the start. */
  elapsed_s: number;
  /** Width of the bar in characters. @default {24} */
  width?: number;
}

/**
 * One line of a terminal progress bar: files, MB, rate and ETA.
 *
 * @example Usage
 * ```ts
 * import { formatProgress } from "./progress_bar.ts";
 * import { equal } from "node:assert/strict";
 *
 * const line = formatProgress({ done: 5, total: 10, bytes: 50e6, bytesTotal: 100e6, elapsed_s: 2, width: 10 });
 * equal(line, "[#####.....] 5/10 files  50.0/100.0 MB  25.0 MB/s  ETA 2s");
 * ```
 */
export function formatProgress(state: ProgressState): string {
  const width = state.width ?? 24;
  const fraction = state.bytesTotal > 0
    ? state.bytes / state.bytesTotal
    : state.total > 0
    ? state.done / state.total
    : 1;
  const filled = Math.round(Math.min(1, fraction) * width);
  const rate = state.elapsed_s > 0 ? state.bytes / 1e6 / state.elapsed_s : 0;
  const remaining = rate > 0 ? (state.bytesTotal - state.bytes) / 1e6 / rate : NaN;
  const eta = Number.isFinite(remaining) ? formatDuration(remaining) : "?";
  return `[${"#".repeat(filled)}${
    ".".repeat(width - filled)
  }] ${state.done}/${state.total} files  ${(state.bytes / 1e6).toFixed(1)}/${
    (state.bytesTotal / 1e6).toFixed(1)
  } MB  ${rate.toFixed(1)} MB/s  ETA ${eta}`;
}

function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}
