// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

import { inflateSync } from "npm:fflate@0.8.3";

/** Deflate cannot expand data more than about 1032:1. */
const MAX_DEFLATE_RATIO = 1100;

let crcTable: Int32Array | null = null;

/** CRC-32 (IEEE, as zip stores it) of bytes. */
export function crc32(bytes: Uint8Array): number {
  let table = crcTable;
  if (!table) {
    table = crcTable = new Int32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c;
    }
  }
  let c = -1;
  for (let i = 0; i < bytes.length; i++) c = table[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

/**
 * Unzip every entry of a zip archive held in memory, reading the sizes from the central
 * directory (zip64 fields included, as Neware writes them for every entry) and checking them
 * before anything is inflated, so a damaged archive cannot make us allocate gigabytes or return
 * an entry of the wrong length; every entry's CRC-32 is checked, so damaged content (a flipped
 * bit that still inflates) is an error, never data. Only "stored" and "deflate" entries are
 * supported.
 *
 * @param bytes The archive.
 * @param wanted Which entries to unzip. @default {every entry}
 * @returns Entry name → bytes.
 * @throws {RangeError} Naming the entry or byte offset that is damaged (callers wrap it in a
 *   `ParseError` with the file name).
 */
export function unzip(
  bytes: Uint8Array,
  wanted: (name: string) => boolean = () => true,
): Record<string, Uint8Array> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u32 = (at: number): number => view.getUint32(at, true);
  const u16 = (at: number): number => view.getUint16(at, true);
  const u64 = (at: number): number => u32(at) + u32(at + 4) * 4294967296;
  let eocd = -1;
  for (let at = bytes.length - 22; at >= Math.max(0, bytes.length - 22 - 65535); at--) {
    if (u32(at) === 0x06054b50) {
      eocd = at;
      break;
    }
  }
  if (eocd < 0) throw new RangeError("no end-of-central-directory record (the zip is cut short)");
  let entries = u16(eocd + 10);
  let offset = u32(eocd + 16);
  if (eocd >= 20 && u32(eocd - 20) === 0x07064b50) {
    const z = u64(eocd - 12);
    if (z + 56 <= bytes.length && u32(z) === 0x06064b50) {
      entries = u64(z + 32);
      offset = u64(z + 48);
    }
  }
  const names = new TextDecoder();
  const out: Record<string, Uint8Array> = {};
  for (let k = 0, at = offset; k < entries; k++) {
    if (at + 46 > bytes.length || u32(at) !== 0x02014b50) {
      throw new RangeError(`central directory entry ${k + 1} at byte offset ${at} is damaged`);
    }
    const method = u16(at + 10);
    const crc = u32(at + 16);
    let size = u32(at + 20), original = u32(at + 24), local = u32(at + 42);
    const nameLength = u16(at + 28), extraLength = u16(at + 30), commentLength = u16(at + 32);
    const extraEnd = at + 46 + nameLength + extraLength;
    if (extraEnd > bytes.length) {
      throw new RangeError(`central directory entry ${k + 1} at byte offset ${at} is cut short`);
    }
    const name = names.decode(bytes.subarray(at + 46, at + 46 + nameLength));
    if (!wanted(name)) {
      at = extraEnd + commentLength;
      continue;
    }
    for (let e = at + 46 + nameLength; e + 4 <= extraEnd;) {
      const id = u16(e), length = u16(e + 2);
      if (id === 0x0001 && e + 4 + length <= extraEnd) {
        // zip64: the 64-bit values of the fields set to 0xffffffff, in this order.
        let f = e + 4;
        const take = (): number => {
          const v = f + 8 <= e + 4 + length ? u64(f) : NaN;
          f += 8;
          return v;
        };
        if (original === 0xffffffff) original = take();
        if (size === 0xffffffff) size = take();
        if (local === 0xffffffff) local = take();
      }
      e += 4 + length;
    }
    // A size still 0xffffffff lost its zip64 field: the entry cannot be trusted.
    const lostZip64 = original === 0xffffffff || size === 0xffffffff;
    const plausible = !lostZip64 &&
      (method === 0
        ? original === size
        : method === 8 && original <= Math.max(size, 64) * MAX_DEFLATE_RATIO);
    if (!plausible || !Number.isFinite(original) || !Number.isFinite(size)) {
      throw new RangeError(
        `entry "${name}" states ${original} bytes from ${size} compressed bytes (method ` +
          `${method}), which a valid archive cannot hold`,
      );
    }
    if (!(local + 30 <= bytes.length) || u32(local) !== 0x04034b50) {
      throw new RangeError(`entry "${name}": no local header at byte offset ${local}`);
    }
    const start = local + 30 + u16(local + 26) + u16(local + 28);
    if (start + size > bytes.length) {
      throw new RangeError(
        `entry "${name}": its ${size} bytes at byte offset ${start} run past the end of the file`,
      );
    }
    const data = bytes.subarray(start, start + size);
    let content: Uint8Array;
    if (method === 0) content = data.slice();
    else {
      try {
        content = inflateSync(data, { out: new Uint8Array(original) });
      } catch (error) {
        throw new RangeError(
          `entry "${name}" (compressed bytes ${start}–${start + size}) cannot be inflated ` +
            `(${(error as Error).message})`,
        );
      }
      if (content.length !== original) {
        throw new RangeError(
          `entry "${name}" inflates to ${content.length} bytes, expected ${original}`,
        );
      }
    }
    if (crc32(content) !== crc) {
      throw new RangeError(
        `entry "${name}" (compressed bytes ${start}–${start + size}) is damaged: its CRC-32 ` +
          "does not match the one the archive states",
      );
    }
    out[name] = content;
    at = extraEnd + commentLength;
  }
  return out;
}
