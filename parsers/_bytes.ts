// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/** Position of `needle` in `hay[from, to)`, or -1. */
export function findBytes(
  hay: Uint8Array,
  needle: ArrayLike<number>,
  from = 0,
  to = hay.length,
): number {
  const m = needle.length;
  if (m === 0) return from;
  const first = needle[0];
  const last = to - m;
  let i = from;
  while (i <= last) {
    i = hay.indexOf(first, i);
    if (i === -1 || i > last) return -1;
    let j = 1;
    while (j < m && hay[i + j] === needle[j]) j++;
    if (j === m) return i;
    i++;
  }
  return -1;
}

/** Position of the last `needle` in `hay[from, end)`, or -1. */
export function findBytesLast(hay: Uint8Array, needle: ArrayLike<number>, from = 0): number {
  const m = needle.length;
  for (let i = hay.length - m; i >= from; i--) {
    let j = 0;
    while (j < m && hay[i + j] === needle[j]) j++;
    if (j === m) return i;
  }
  return -1;
}

/** ASCII/Latin-1 text of `bytes[start, end)` up to the first NUL, trimmed. */
export function cString(bytes: Uint8Array, start: number, end: number): string {
  let stop = Math.min(end, bytes.length);
  const nul = bytes.subarray(start, stop).indexOf(0);
  if (nul >= 0) stop = start + nul;
  let text = "";
  for (let i = start; i < stop; i++) text += String.fromCharCode(bytes[i]);
  return text.trim();
}

/** Latin-1 text of `bytes[start, end)` with NUL bytes removed, trimmed. */
export function latin1NoNul(bytes: Uint8Array, start: number, end: number): string {
  let text = "";
  for (let i = start; i < Math.min(end, bytes.length); i++) {
    if (bytes[i] !== 0) text += String.fromCharCode(bytes[i]);
  }
  return text.trim();
}

/** Little-endian unsigned 64-bit integer as a number (exact below 2^53). */
export function u64(view: DataView, offset: number): number {
  return view.getUint32(offset, true) + view.getUint32(offset + 4, true) * 4294967296;
}

/** Little-endian signed 64-bit integer as a number (exact within ±2^53). */
export function i64(view: DataView, offset: number): number {
  return view.getUint32(offset, true) + view.getInt32(offset + 4, true) * 4294967296;
}

/** Hex dump of up to `count` bytes at `offset`, for error messages. */
export function hexAt(bytes: Uint8Array, offset: number, count = 8): string {
  return [...bytes.subarray(offset, offset + count)].map((b) => b.toString(16).padStart(2, "0"))
    .join(" ");
}
