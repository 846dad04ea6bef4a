// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.
//
// Decoding of the `.ndc` parts inside a Neware `.ndax` archive. Byte 0 of a part is its file
// type (1 = main records, 5 = auxiliary channel, 7 = step table, 18 = runInfo), byte 2 its
// version (2, 5, 11, 14, 16, 17). From version 5 on, records live in 4096-byte pages after a
// 4096-byte header; each page starts with its type (file type + 1), at bytes 2–3 the number of
// records it holds, and from byte 4 a bitmask of the record slots in use (bit r of byte 4 + r/8,
// least significant bit first). A slot is a record exactly when its bit is set: a record may
// hold zeros (BTSDA keeps a V = 0 placeholder record), and an unused slot may hold stale bytes.
//
// Layouts learned from the BSD-3-Clause NewareNDA project (Solid-Energy-Systems/NewareNDA,
// © SES AI, Daniel Cogswell); independent TypeScript implementation.

import { findBytes, hexAt, i64, u64 } from "./_bytes.ts";
import { rangeScale } from "./_neware_common.ts";
import { ParseError } from "./parse_error.ts";

/** Where a part comes from, for error messages: `"x.ndax" (data.ndc)`. */
export interface NdcSource {
  file: string;
  part: string;
  /** Oddities noticed while reading (page counts that disagree with the records found). */
  warnings: string[];
}

/** Kind and version of an `.ndc` part. */
export interface NdcHeader {
  filetype: number;
  version: number;
}

/** Main records (file type 1); fields absent in split layouts are `null`. */
export interface NdcMain {
  n: number;
  index: Float64Array;
  voltage_V: Float64Array;
  current_mA: Float64Array;
  /** Full records (versions 2 and 5) also carry these. */
  full: null | {
    cycle: Int32Array;
    stepIndex: Int32Array;
    status: Int32Array;
    stepTime_s: Float64Array;
    chargeCapacity_mAh: Float64Array;
    dischargeCapacity_mAh: Float64Array;
    chargeEnergy_mWh: Float64Array;
    dischargeEnergy_mWh: Float64Array;
    /** Naive local wall-clock seconds since 1970. */
    localTime_s: Float64Array;
  };
}

/** runInfo records (file type 18). Times in s, capacity mAh, energy mWh, UTC seconds. */
export interface NdcRunInfo {
  n: number;
  index: Float64Array;
  stepTime_s: Float64Array;
  dt_s: Float64Array;
  chargeCapacity_mAh: Float64Array;
  dischargeCapacity_mAh: Float64Array;
  chargeEnergy_mWh: Float64Array;
  dischargeEnergy_mWh: Float64Array;
  unixTime_s: Float64Array;
  step: Float64Array;
}

/** Step table (file type 7): one entry per step, in order. */
export interface NdcSteps {
  n: number;
  cycle: Int32Array;
  stepIndex: Int32Array;
  status: Int32Array;
  /** Record index of the step's first record (versions 16 and 17), else `null`. */
  firstIndex: Float64Array | null;
}

/** One auxiliary quantity of an aux part: `kind` is NewareNDA's letter (`T`, `V`, `t`, `?`). */
export interface NdcAuxColumn {
  kind: string;
  channel: number | null;
  index: Float64Array;
  value: Float64Array;
}

const PAGE = 4096;

function fail(src: NdcSource, detail: string, offset: number): never {
  throw new ParseError(src.file, `${src.part}: ${detail}`, { offset });
}

/** File type and version of a part. */
export function ndcHeader(bytes: Uint8Array, src: NdcSource): NdcHeader {
  if (bytes.length < 3) {
    fail(src, `part is ${bytes.length} bytes, expected an .ndc header of at least 3 bytes`, 0);
  }
  return { filetype: bytes[0], version: bytes[2] };
}

/** Versions whose page headers were checked against real files (type byte, count, bitmask). */
const CHECKED = new Set([5, 14, 16, 17]);

/** One page of a paged part: where it starts, its slots, which are in use, and a count check. */
interface Page {
  base: number;
  slots: number;
  /** Whether slot `r` holds a record (the page's bitmask). */
  used: (r: number) => boolean;
  /** Compare the records kept with the page header's count (a warning when they differ). */
  done: (kept: number) => void;
}

/**
 * The pages of a paged part. The readers visit the slots whose bit is set in the page's
 * bitmask; `done(kept)` compares the records kept with the count in the page header (versions
 * 5, 14, 16 and 17), adding a warning when they differ.
 */
function* pages(
  bytes: Uint8Array,
  src: NdcSource,
  h: NdcHeader,
  layout: { start: number; trim: number; size: number },
): Generator<Page> {
  if (bytes.length < PAGE || (bytes.length - PAGE) % PAGE !== 0) {
    const whole = Math.max(PAGE, PAGE + Math.floor((bytes.length - PAGE) / PAGE) * PAGE);
    fail(
      src,
      `truncated: part is ${bytes.length} bytes, expected a 4096-byte header and whole ` +
        `4096-byte pages (the page at byte offset ${whole} is cut)`,
      Math.min(whole, bytes.length),
    );
  }
  const slots = Math.floor((PAGE - layout.start - layout.trim) / layout.size);
  const checked = CHECKED.has(h.version);
  let differ = 0;
  for (let base = PAGE; base < bytes.length; base += PAGE) {
    const count = bytes[base + 2] | (bytes[base + 3] << 8);
    if (checked) {
      if (bytes[base] !== h.filetype + 1) {
        fail(
          src,
          `page at byte offset ${base} starts with ${hexAt(bytes, base, 2)}, expected page ` +
            `type ${(h.filetype + 1).toString(16).padStart(2, "0")}`,
          base,
        );
      }
      if (count > slots) {
        fail(
          src,
          `page at byte offset ${base} claims ${count} records, expected at most ${slots}`,
          base + 2,
        );
      }
    }
    const mask = base + 4;
    yield {
      base,
      slots,
      used: (r) => (bytes[mask + (r >> 3)] & (1 << (r & 7))) !== 0,
      done: (kept) => {
        if (checked && kept !== count) differ++;
      },
    };
  }
  if (differ > 0) {
    src.warnings.push(
      `${src.part}: ${differ} page(s) hold a different number of records than their header says`,
    );
  }
}

function unsupported(src: NdcSource, h: NdcHeader): never {
  fail(
    src,
    `ndc version ${h.version} file type ${h.filetype} is not supported (supported: main, ` +
      "auxiliary, step and runInfo parts of versions 2, 5, 11, 14, 16 and 17)",
    0,
  );
}

function allocMain(cap: number, full: boolean): NdcMain {
  const f = () => new Float64Array(cap);
  return {
    n: 0,
    index: f(),
    voltage_V: f(),
    current_mA: f(),
    full: full
      ? {
        cycle: new Int32Array(cap),
        stepIndex: new Int32Array(cap),
        status: new Int32Array(cap),
        stepTime_s: f(),
        chargeCapacity_mAh: f(),
        dischargeCapacity_mAh: f(),
        chargeEnergy_mWh: f(),
        dischargeEnergy_mWh: f(),
        localTime_s: f(),
      }
      : null,
  };
}

/** Last day and current range seen by {@link fullRecord} (they rarely change). */
const dayCache = { key: -1, start: NaN, range: NaN, scale: NaN };

/** Decode one full integer record (versions 2 and 5) starting at `p`. */
function fullRecord(
  view: DataView,
  bytes: Uint8Array,
  p: number,
  out: NdcMain,
  src: NdcSource,
): void {
  const k = out.n;
  const f = out.full!;
  const range = view.getInt32(p + 82, true);
  const scale = range === dayCache.range ? dayCache.scale : rangeScale(range);
  if (scale === undefined) {
    fail(
      src,
      `record at byte offset ${p} has current range ${range}, which is not a known Neware range`,
      p + 82,
    );
  }
  dayCache.range = range;
  dayCache.scale = scale;
  out.index[k] = view.getUint32(p + 8, true);
  f.cycle[k] = view.getUint32(p + 12, true) + 1;
  f.stepIndex[k] = bytes[p + 16];
  f.status[k] = bytes[p + 17];
  f.stepTime_s[k] = u64(view, p + 23) / 1000;
  out.voltage_V[k] = view.getInt32(p + 31, true) / 10000;
  out.current_mA[k] = view.getInt32(p + 35, true) * scale;
  const q = scale / 3600;
  f.chargeCapacity_mAh[k] = i64(view, p + 43) * q;
  f.dischargeCapacity_mAh[k] = i64(view, p + 51) * q;
  f.chargeEnergy_mWh[k] = i64(view, p + 59) * q;
  f.dischargeEnergy_mWh[k] = i64(view, p + 67) * q;
  const day = view.getUint32(p + 75, true); // year, month, day
  if (day !== dayCache.key) {
    dayCache.key = day;
    dayCache.start = Date.UTC(view.getUint16(p + 75, true), bytes[p + 77] - 1, bytes[p + 78]) /
      1000;
  }
  f.localTime_s[k] = dayCache.start + bytes[p + 79] * 3600 + bytes[p + 80] * 60 + bytes[p + 81];
  out.n++;
}

/** Main records (file type 1). */
export function readNdcMain(bytes: Uint8Array, src: NdcSource): NdcMain {
  const h = ndcHeader(bytes, src);
  if (h.filetype !== 1) fail(src, `byte 0 is file type ${h.filetype}, expected 1 (main)`, 0);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (h.version === 2) {
    // Version 2: 94-byte records found by the 8 bytes at offset 517.
    if (bytes.length < 525) fail(src, `part is ${bytes.length} bytes, expected at least 525`, 0);
    const id = bytes.slice(517, 525);
    const out = allocMain(Math.floor(bytes.length / 94) + 1, true);
    let at = findBytes(bytes, id);
    while (at !== -1) {
      if (at + 94 > bytes.length) {
        fail(src, `truncated: record at byte offset ${at} is cut, expected 94 bytes`, at);
      }
      if (bytes[at] === 0x55) fullRecord(view, bytes, at, out, src);
      at = findBytes(bytes, id, at + 94);
    }
    return out;
  }
  if (h.version === 5) {
    // 87-byte records whose byte 7 is 55.
    const layout = { start: 125, trim: 56, size: 87 };
    const out = allocMain(slotsAll(bytes, layout), true);
    for (const { base, slots, done } of pages(bytes, src, h, layout)) {
      const before = out.n;
      for (let r = 0; r < slots; r++) {
        const p = base + layout.start + r * layout.size;
        // Slot in use (the page bitmask, inlined: this loop is hot) and a main record.
        if ((bytes[base + 4 + (r >> 3)] >> (r & 7)) & 1 && bytes[p + 7] === 0x55) {
          fullRecord(view, bytes, p, out, src);
        }
      }
      done(out.n - before);
    }
    return out;
  }
  if (h.version === 11 || h.version === 14 || h.version === 16 || h.version === 17) {
    // Pairs of float32 (voltage, current); the record index is the slot position.
    const layout = { start: 132, trim: 4, size: 8 };
    const volts = h.version === 14 || h.version === 17 ? 1 : 1e-4;
    const milli = h.version === 14 || h.version === 17 ? 1000 : 1;
    const out = allocMain(slotsAll(bytes, layout), false);
    let slot = 0;
    for (const { base, slots, done } of pages(bytes, src, h, layout)) {
      const before = out.n;
      for (let r = 0; r < slots; r++) {
        const p = base + layout.start + r * layout.size;
        slot++;
        if (!((bytes[base + 4 + (r >> 3)] >> (r & 7)) & 1)) continue; // page bitmask
        const k = out.n++;
        out.index[k] = slot;
        out.voltage_V[k] = view.getFloat32(p, true) * volts;
        out.current_mA[k] = view.getFloat32(p + 4, true) * milli;
      }
      done(out.n - before);
    }
    return out;
  }
  unsupported(src, h);
}

/** Number of record slots in all pages (an upper bound of the records). */
function slotsAll(
  bytes: Uint8Array,
  layout: { start: number; trim: number; size: number },
): number {
  const pagesCount = Math.max(0, Math.floor((bytes.length - PAGE) / PAGE));
  return pagesCount * Math.floor((PAGE - layout.start - layout.trim) / layout.size);
}

/** runInfo records (file type 18, versions 11, 14, 16, 17). */
export function readNdcRunInfo(bytes: Uint8Array, src: NdcSource): NdcRunInfo {
  const h = ndcHeader(bytes, src);
  if (h.filetype !== 18) fail(src, `byte 0 is file type ${h.filetype}, expected 18 (runInfo)`, 0);
  const layouts: Record<number, { start: number; trim: number; size: number; ah: boolean }> = {
    11: { start: 132, trim: 16, size: 47, ah: false },
    14: { start: 132, trim: 4, size: 55, ah: true },
    16: { start: 132, trim: 64, size: 100, ah: false },
    17: { start: 132, trim: 64, size: 100, ah: true },
  };
  const layout = layouts[h.version];
  if (!layout) unsupported(src, h);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const cap = slotsAll(bytes, layout);
  const f = () => new Float64Array(cap);
  const out: NdcRunInfo = {
    n: 0,
    index: f(),
    stepTime_s: f(),
    dt_s: f(),
    chargeCapacity_mAh: f(),
    dischargeCapacity_mAh: f(),
    chargeEnergy_mWh: f(),
    dischargeEnergy_mWh: f(),
    unixTime_s: f(),
    step: f(),
  };
  // Capacity and energy are in mA·s / mW·s (versions 11, 16) or Ah / Wh (14, 17).
  const q = layout.ah ? 1000 : 1 / 3600;
  for (const { base, slots, used, done } of pages(bytes, src, h, layout)) {
    const before = out.n;
    for (let r = 0; r < slots; r++) {
      if (!used(r)) continue;
      const p = base + layout.start + r * layout.size;
      const index = view.getInt32(p + 41, true);
      const k = out.n++;
      out.stepTime_s[k] = view.getInt32(p, true) / 1000;
      out.chargeCapacity_mAh[k] = view.getFloat32(p + 5, true) * q;
      out.dischargeCapacity_mAh[k] = view.getFloat32(p + 9, true) * q;
      out.chargeEnergy_mWh[k] = view.getFloat32(p + 13, true) * q;
      out.dischargeEnergy_mWh[k] = view.getFloat32(p + 17, true) * q;
      out.dt_s[k] = view.getInt32(p + 29, true) / 1000;
      out.unixTime_s[k] = view.getInt32(p + 33, true) + view.getInt16(p + 45, true) / 1000;
      out.step[k] = view.getInt32(p + 37, true);
      out.index[k] = index;
    }
    done(out.n - before);
  }
  return out;
}

/** Step table (file type 7, versions 11, 14, 16, 17). */
export function readNdcSteps(bytes: Uint8Array, src: NdcSource): NdcSteps {
  const h = ndcHeader(bytes, src);
  if (h.filetype !== 7) fail(src, `byte 0 is file type ${h.filetype}, expected 7 (steps)`, 0);
  const short = h.version === 11 || h.version === 14;
  if (!short && h.version !== 16 && h.version !== 17) unsupported(src, h);
  const layout = short ? { start: 132, trim: 5, size: 37 } : { start: 132, trim: 64, size: 100 };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const cap = slotsAll(bytes, layout);
  const out: NdcSteps = {
    n: 0,
    cycle: new Int32Array(cap),
    stepIndex: new Int32Array(cap),
    status: new Int32Array(cap),
    firstIndex: short ? null : new Float64Array(cap),
  };
  for (const { base, slots, used, done } of pages(bytes, src, h, layout)) {
    const before = out.n;
    for (let r = 0; r < slots; r++) {
      if (!used(r)) continue;
      const p = base + layout.start + r * layout.size;
      const k = out.n++;
      out.cycle[k] = view.getInt32(p, true) + 1;
      out.stepIndex[k] = view.getInt32(p + 4, true);
      out.status[k] = view.getInt8(p + 24);
      if (out.firstIndex) out.firstIndex[k] = view.getInt32(p + 33, true);
    }
    done(out.n - before);
  }
  return out;
}

/** Auxiliary part (file type 5): one or more quantities by record index. */
export function readNdcAux(bytes: Uint8Array, src: NdcSource): NdcAuxColumn[] {
  const h = ndcHeader(bytes, src);
  if (h.filetype !== 5) fail(src, `byte 0 is file type ${h.filetype}, expected 5 (auxiliary)`, 0);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const cols = new Map<string, { kind: string; ch: number | null; i: number[]; v: number[] }>();
  const put = (kind: string, ch: number | null, index: number, value: number) => {
    const key = `${kind}${ch ?? ""}`;
    let c = cols.get(key);
    if (!c) cols.set(key, c = { kind, ch, i: [], v: [] });
    c.i.push(index);
    c.v.push(value);
  };
  // Records 0x65 (voltage, temperature) and 0x74 (voltage, temperature, t) of versions 2 and 5.
  const record = (p: number, type: number) => {
    const ch = bytes[p + 3];
    const index = view.getUint32(p + 8, true);
    put("V", ch, index, view.getInt32(p + 31, true) / 10000);
    put("T", ch, index, view.getInt16(p + 41, true) / 10);
    if (type === 0x74) put("t", ch, index, view.getInt16(p + 43, true) / 10);
  };
  if (h.version === 2) {
    if (bytes.length < 525) fail(src, `part is ${bytes.length} bytes, expected at least 525`, 0);
    const id = bytes.slice(517, 525);
    let at = findBytes(bytes, id);
    while (at !== -1) {
      if (at + 94 > bytes.length) {
        fail(src, `truncated: record at byte offset ${at} is cut, expected 94 bytes`, at);
      }
      if (bytes[at] === 0x65 || bytes[at] === 0x74) record(at, bytes[at]);
      at = findBytes(bytes, id, at + 94);
    }
  } else if (h.version === 5) {
    const layout = { start: 125, trim: 56, size: 87 };
    for (const { base, slots, used, done } of pages(bytes, src, h, layout)) {
      let kept = 0;
      for (let r = 0; r < slots; r++) {
        const p = base + layout.start + r * layout.size;
        const type = bytes[p + 7];
        if (used(r) && (type === 0x65 || type === 0x74)) {
          record(p, type);
          kept++;
        }
      }
      done(kept);
    }
  } else if (h.version === 14 || h.version === 17) {
    // One float32 per slot, the slot position is the record index; its quantity is named by
    // the channel type in TestInfo.xml.
    const layout = { start: 132, trim: 4, size: 4 };
    let k = 0;
    for (const { base, slots, used, done } of pages(bytes, src, h, layout)) {
      let kept = 0;
      for (let r = 0; r < slots; r++) {
        k++;
        if (!used(r)) continue;
        put("?", null, k, view.getFloat32(base + layout.start + r * 4, true));
        kept++;
      }
      done(kept);
    }
  } else if (h.version === 16) {
    const layout = { start: 132, trim: 2, size: 7 };
    let k = 0;
    for (const { base, slots, used, done } of pages(bytes, src, h, layout)) {
      let kept = 0;
      for (let r = 0; r < slots; r++) {
        const p = base + layout.start + r * layout.size;
        k++;
        if (!used(r)) continue;
        kept++;
        put("V", null, k, view.getFloat32(p + 1, true) * 1e-4);
        put("T", null, k, view.getInt16(p + 5, true) / 10);
      }
      done(kept);
    }
  } else if (h.version === 11) {
    const first = bytes.length > PAGE + 132 ? bytes[PAGE + 132] : 0x65;
    if (first === 0x74) {
      const layout = { start: 132, trim: 4, size: 88 };
      for (const { base, slots } of pages(bytes, src, h, layout)) {
        for (let r = 0; r < slots; r++) {
          const p = base + layout.start + r * layout.size;
          if (bytes[p] !== 0x74) continue;
          put(
            "T",
            view.getInt8(p + 5),
            view.getInt32(p + 1, true),
            view.getInt16(p + 35, true) / 10,
          );
        }
      }
    } else {
      const layout = { start: 132, trim: 2, size: 7 };
      let k = 0;
      for (const { base, slots } of pages(bytes, src, h, layout)) {
        for (let r = 0; r < slots; r++) {
          const p = base + layout.start + r * layout.size;
          if (bytes[p] !== 0x65) continue;
          k++;
          put("V", null, k, view.getFloat32(p + 1, true) / 10000);
          put("T", null, k, view.getInt16(p + 5, true) / 10);
        }
      }
    }
  } else {
    unsupported(src, h);
  }
  return [...cols.values()].map((c) => ({
    kind: c.kind,
    channel: c.ch,
    index: Float64Array.from(c.i),
    value: Float64Array.from(c.v),
  }));
}
