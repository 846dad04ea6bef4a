// Copyright 2026 the battery-analysis authors. MIT license.
// Ids and timestamps shared by the store adapters.

import { randomBytes } from "node:crypto";

let counter = Math.floor(Math.random() * 0xffffff);

/**
 * A new id: 24 lowercase hex digits like a MongoDB ObjectId (4 bytes of seconds since the epoch,
 * a 3-byte counter, 5 random bytes), so ids made by one process sort by creation order.
 */
export function newId(): string {
  const seconds = Math.floor(Date.now() / 1000);
  counter = (counter + 1) & 0xffffff;
  return seconds.toString(16).padStart(8, "0") + counter.toString(16).padStart(6, "0") +
    randomBytes(5).toString("hex");
}

/** Now as ISO 8601 UTC with milliseconds. */
export function nowIso(): string {
  return new Date().toISOString();
}

/**
 * A timestamp for `updated_at` that is strictly later than `previous` (a save within the same
 * millisecond still moves the clock forward by 1 ms).
 */
export function laterIso(previous: string | null | undefined): string {
  const now = Date.now();
  const before = previous ? Date.parse(previous) : NaN;
  return new Date(Number.isFinite(before) && before >= now ? before + 1 : now).toISOString();
}
