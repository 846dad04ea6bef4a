// Copyright 2026 the battery-analysis authors. MIT license.
// Columnar chunk encoding shared by the store adapters: each column of a time series or spectrum
// is cut into chunks of `chunk_rows` rows, each chunk stored as little-endian bytes (SQLite BLOB,
// MongoDB BinData) — compressed with zstd when that saves at least a tenth (a chunk shorter than
// its rows × element size is a zstd frame; chunks stored before compression read as they were).
// Reading a row range touches only the chunks that overlap it.

import { CYCLING_COLUMNS, type CyclingSeries } from "../model/cycling_series.ts";
import type { Spectrum } from "../model/spectrum.ts";
import type { ColumnLayout, SeriesInfo, SpectrumInfo } from "./documents.ts";
import { compressPiece, decodePiece } from "./raw_codec.ts";

/** Default rows per chunk. */
export const DEFAULT_CHUNK_ROWS = 100_000;

/** One stored piece: rows `[row_start, row_start + row_count)` of one column. */
export interface Chunk {
  /** `series` or `spectrum`. */
  kind: "series" | "spectrum";
  /** 0 for the series; the spectrum's index in the test's list. */
  seq: number;
  /** Chunk number within the column. */
  chunk: number;
  /** Column name. */
  column: string;
  /** First row. */
  row_start: number;
  /** Number of rows. */
  row_count: number;
  /** Little-endian element bytes, or their zstd frame when shorter than row_count × size. */
  bytes: Uint8Array;
}

/** A chunk's bytes as stored: compressed when that saves at least a tenth. */
function packChunk(bytes: Uint8Array): Uint8Array {
  if (bytes.length < 1024) return bytes;
  const small = compressPiece(bytes);
  return small.length <= 0.9 * bytes.length ? small : bytes;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const SPECTRUM_COLUMNS = ["frequency_Hz", "z_real_ohm", "z_imag_ohm"] as const;

type Column = Float64Array | Int32Array;

/** Bytes of `array[start, start + count)`, little-endian (a view when the platform is LE). */
function toBytes(array: Column, start: number, count: number): Uint8Array {
  const size = array.BYTES_PER_ELEMENT;
  const view = new Uint8Array(array.buffer, array.byteOffset + start * size, count * size);
  if (LITTLE_ENDIAN) return view;
  const copy = view.slice();
  swapInPlace(copy, size);
  return copy;
}

function swapInPlace(bytes: Uint8Array, size: number): void {
  for (let i = 0; i < bytes.length; i += size) bytes.subarray(i, i + size).reverse();
}

/** Copy `count` elements of little-endian `bytes` starting at element `from` into `out[at...]`. */
function fromBytes(bytes: Uint8Array, from: number, count: number, out: Column, at: number): void {
  const size = out.BYTES_PER_ELEMENT;
  const target = new Uint8Array(out.buffer, out.byteOffset + at * size, count * size);
  target.set(bytes.subarray(from * size, (from + count) * size));
  if (!LITTLE_ENDIAN) swapInPlace(target, size);
}

function checkLength(what: string, name: string, array: Column | undefined, length: number): void {
  if (!(array instanceof Float64Array || array instanceof Int32Array)) {
    throw new TypeError(`Cannot store ${what}: column "${name}" is not a typed array`);
  }
  if (array.length !== length) {
    throw new RangeError(
      `Cannot store ${what}: column "${name}" has ${array.length} rows, expected ${length}`,
    );
  }
}

function chunkColumns(
  kind: Chunk["kind"],
  seq: number,
  columns: [string, Column][],
  length: number,
  chunkRows: number,
): Chunk[] {
  const chunks: Chunk[] = [];
  for (let c = 0, start = 0; start < length; c++, start += chunkRows) {
    const count = Math.min(chunkRows, length - start);
    for (const [name, array] of columns) {
      chunks.push({
        kind,
        seq,
        chunk: c,
        column: name,
        row_start: start,
        row_count: count,
        bytes: packChunk(toBytes(array, start, count)),
      });
    }
  }
  return chunks;
}

/** The layout and chunks of a cycling series. */
export function encodeSeries(
  series: CyclingSeries,
  options: { chunkRows: number; version: string },
): { info: SeriesInfo; chunks: Chunk[] } {
  const n = series.length;
  if (!Number.isInteger(n) || n < 0) {
    throw new RangeError(`Cannot store series: length ${n} is not a non-negative integer`);
  }
  const columns: [string, Column][] = [];
  const layout: ColumnLayout[] = [];
  const add = (name: string, array: Column | undefined): void => {
    checkLength("series", name, array, n);
    columns.push([name, array!]);
    layout.push({ name, dtype: array instanceof Int32Array ? "i32" : "f64" });
  };
  for (const name of CYCLING_COLUMNS) add(name, series[name]);
  add("step_index", series.step_index);
  add("cycle_index", series.cycle_index);
  if (!(series.step_index instanceof Int32Array) || !(series.cycle_index instanceof Int32Array)) {
    throw new TypeError("Cannot store series: step_index and cycle_index must be Int32Array");
  }
  if (series.temperature_C !== undefined) add("temperature_C", series.temperature_C);
  const extras = Object.keys(series.extras ?? {});
  for (const name of extras) {
    if (layout.some((l) => l.name === name)) {
      throw new RangeError(`Cannot store series: extra column "${name}" repeats a column name`);
    }
    add(name, series.extras[name]);
  }
  return {
    info: {
      version: options.version,
      length: n,
      chunk_rows: options.chunkRows,
      start_time: series.start_time ?? null,
      layout,
      extras,
      columns: structuredClone(series.columns ?? {}),
    },
    chunks: chunkColumns("series", 0, columns, n, options.chunkRows),
  };
}

/** The layouts and chunks of a list of spectra. */
export function encodeSpectra(
  spectra: Spectrum[],
  options: { chunkRows: number; version: string },
): { infos: SpectrumInfo[]; chunks: Chunk[] } {
  const infos: SpectrumInfo[] = [];
  const chunks: Chunk[] = [];
  spectra.forEach((spectrum, seq) => {
    const n = spectrum.length;
    const what = `spectrum ${seq}`;
    if (!Number.isInteger(n) || n < 0) {
      throw new RangeError(`Cannot store ${what}: length ${n} is not a non-negative integer`);
    }
    const columns: [string, Column][] = [];
    for (const name of SPECTRUM_COLUMNS) {
      checkLength(what, name, spectrum[name], n);
      columns.push([name, spectrum[name]]);
    }
    const extras = Object.keys(spectrum.extras ?? {});
    for (const name of extras) {
      if ((SPECTRUM_COLUMNS as readonly string[]).includes(name)) {
        throw new RangeError(`Cannot store ${what}: extra column "${name}" repeats a column name`);
      }
      checkLength(what, name, spectrum.extras[name], n);
      columns.push([name, spectrum.extras[name]]);
    }
    infos.push({
      version: options.version,
      length: n,
      sequence: spectrum.sequence,
      cycle: spectrum.cycle ?? null,
      extras,
      columns: structuredClone(spectrum.columns ?? {}),
    });
    chunks.push(...chunkColumns("spectrum", seq, columns, n, options.chunkRows));
  });
  return { infos, chunks };
}

/** Chunk numbers `[first, last]` that hold rows `[start, end)` (empty when `start >= end`). */
export function chunkSpan(start: number, end: number, chunkRows: number): [number, number] {
  if (end <= start) return [0, -1];
  return [Math.floor(start / chunkRows), Math.floor((end - 1) / chunkRows)];
}

/** Clamp and check a requested row range against a series length. */
export function checkRows(rows: [number, number], length: number, testId: string): void {
  const [start, end] = rows;
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end < start) {
    throw new RangeError(
      `Cannot read series of test "${testId}": bad row range [${start}, ${end})`,
    );
  }
  if (end > length) {
    throw new RangeError(
      `Cannot read series of test "${testId}": rows [${start}, ${end}) exceed its ${length} rows`,
    );
  }
}

type ChunkLike = Pick<Chunk, "column" | "row_start" | "row_count" | "bytes">;

/**
 * Rows `[start, end)` of each column of a layout, from the chunks overlapping them. Throws a
 * `MissingChunkError` when a needed chunk is absent (the caller retries: the data was replaced).
 */
function decodeColumns(
  layout: ColumnLayout[],
  chunks: Iterable<ChunkLike>,
  rows: [number, number],
): Record<string, Column> {
  const [start, end] = rows;
  const n = end - start;
  const out: Record<string, Column> = {};
  const filled: Record<string, number> = {};
  for (const { name, dtype } of layout) {
    out[name] = dtype === "f64" ? new Float64Array(n) : new Int32Array(n);
    filled[name] = 0;
  }
  for (const c of chunks) {
    const target = out[c.column];
    if (!target) continue;
    const from = Math.max(start, c.row_start);
    const to = Math.min(end, c.row_start + c.row_count);
    if (to <= from) continue;
    const size = target.BYTES_PER_ELEMENT;
    let bytes = c.bytes;
    if (bytes.length < c.row_count * size) {
      try {
        bytes = decodePiece(bytes, "zstd");
      } catch (error) {
        throw new RangeError(
          `Stored chunk of column "${c.column}" at row ${c.row_start} cannot be decompressed: ${
            (error as Error).message
          }`,
        );
      }
    }
    if (bytes.length !== c.row_count * size) {
      throw new RangeError(
        `Stored chunk of column "${c.column}" at row ${c.row_start} has ${bytes.length} bytes, ` +
          `expected ${c.row_count * size}`,
      );
    }
    fromBytes(bytes, from - c.row_start, to - from, target, from - start);
    filled[c.column] += to - from;
  }
  for (const { name } of layout) {
    if (filled[name] !== n) {
      throw new MissingChunkError(`column "${name}" has ${filled[name]} of ${n} rows stored`);
    }
  }
  return out;
}

/** Rebuild rows `[start, end)` of a series from its layout and the chunks overlapping them. */
export function decodeSeries(
  info: SeriesInfo,
  chunks: Iterable<ChunkLike>,
  rows: [number, number] = [0, info.length],
): CyclingSeries {
  const out = decodeColumns(info.layout, chunks, rows);
  const extras: Record<string, Float64Array> = {};
  for (const name of info.extras) extras[name] = out[name] as Float64Array;
  const series: CyclingSeries = {
    length: rows[1] - rows[0],
    time_s: out.time_s as Float64Array,
    voltage_V: out.voltage_V as Float64Array,
    current_A: out.current_A as Float64Array,
    charge_capacity_Ah: out.charge_capacity_Ah as Float64Array,
    discharge_capacity_Ah: out.discharge_capacity_Ah as Float64Array,
    charge_energy_Wh: out.charge_energy_Wh as Float64Array,
    discharge_energy_Wh: out.discharge_energy_Wh as Float64Array,
    step_index: out.step_index as Int32Array,
    cycle_index: out.cycle_index as Int32Array,
    extras,
    start_time: info.start_time,
    columns: structuredClone(info.columns),
  };
  if (out.temperature_C) series.temperature_C = out.temperature_C as Float64Array;
  return series;
}

/** Rebuild one spectrum from its layout and all of its chunks. */
export function decodeSpectrum(info: SpectrumInfo, chunks: Iterable<ChunkLike>): Spectrum {
  const layout: ColumnLayout[] = [...SPECTRUM_COLUMNS, ...info.extras].map((name) => ({
    name,
    dtype: "f64",
  }));
  const out = decodeColumns(layout, chunks, [0, info.length]) as Record<string, Float64Array>;
  const extras: Record<string, Float64Array> = {};
  for (const name of info.extras) extras[name] = out[name];
  const spectrum: Spectrum = {
    length: info.length,
    frequency_Hz: out.frequency_Hz,
    z_real_ohm: out.z_real_ohm,
    z_imag_ohm: out.z_imag_ohm,
    sequence: info.sequence,
    extras,
    columns: structuredClone(info.columns),
  };
  if (info.cycle !== null) spectrum.cycle = info.cycle;
  return spectrum;
}

/** A chunk that the stored layout promises is not there (replaced by a concurrent writer). */
export class MissingChunkError extends Error {
  /** @param detail What is missing. */
  constructor(detail: string) {
    super(`Stored data is incomplete: ${detail}`);
    this.name = "MissingChunkError";
  }
}
