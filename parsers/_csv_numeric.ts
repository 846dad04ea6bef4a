// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/**
 * Fast reader for large numeric delimited text (comma, tab or semicolon) straight from bytes.
 *
 * Used by the CSV-based parsers (Arbin, generic cycler CSV, ...). It finds the header line,
 * splits it (quoted header fields allowed), then reads every data row byte by byte into typed
 * arrays without building strings: numbers take an exact fast path (integer mantissa below 2^53
 * times or divided by an exact power of ten, Clinger's method), which gives bit-for-bit the
 * same result as `parseFloat`; anything else (long mantissas, large exponents, quotes, spaces,
 * `inf`/`nan`) goes through a strict slow path. Empty fields are `NaN`. Every bad row gives a
 * {@link ParseError} with the line number and byte offset.
 *
 * @module
 */

import { ParseError } from "./parse_error.ts";
import { decodeText } from "./_text.ts";
import { type ByteSource, readRange } from "./byte_source.ts";
import { NUMBER, splitFields as splitRawFields } from "./_delimited.ts";

/** Field delimiters understood by {@link readNumericCsv}. */
export type CsvDelimiter = "," | "\t" | ";";

/** How one column is read: as a float, as an integer counter, or skipped (text). */
export type CsvColumnKind = "float" | "int" | "skip";

/** Options of {@link readNumericCsv}. */
export interface NumericCsvOptions {
  /** File name for messages. */
  fileName: string;
  /**
   * Decides which line is the header, given its fields (trimmed, unquoted) and 1-based line
   * number; lines before it are the preamble. @default {the first non-empty line}
   */
  isHeader?: (fields: string[], line: number) => boolean;
  /** How many lines to search for the header. @default {500} */
  maxHeaderLine?: number;
  /** Delimiter; by default the most frequent of `,`, tab and `;` in the header line. */
  delimiter?: CsvDelimiter;
  /**
   * Kind of each header column, given the header and the fields of the first data row (empty
   * when there is none). @default {every column "float"}
   */
  kinds?: (header: string[], firstRow: string[]) => CsvColumnKind[];
}

/** A value that was not a finite number (`inf`, `-inf`, `nan`) in a numeric column. */
export interface NonFiniteReport {
  /** Column index in the header. */
  column: number;
  /** How many such values the column had (all stored as `NaN`). */
  count: number;
  /** 1-based line of the first one. */
  firstLine: number;
  /** Its text. */
  firstText: string;
}

/** A last line cut short (fewer fields and no line end): the file was truncated. */
export interface TruncatedLine {
  /** 1-based line number. */
  line: number;
  /** Byte offset of its start. */
  offset: number;
  /** Number of fields it has. */
  fields: number;
}

/** What {@link readNumericCsv} read. */
export interface NumericCsv {
  /** Header fields, trimmed and unquoted. */
  header: string[];
  /** 1-based line number of the header. */
  headerLine: number;
  /** The delimiter used. */
  delimiter: CsvDelimiter;
  /** Lines before the header, split on the delimiter (trimmed, unquoted). */
  preamble: string[][];
  /** Number of data rows. */
  length: number;
  /** Per header column: `Float64Array` ("float"), `Int32Array` ("int") or `null` ("skip"). */
  columns: (Float64Array | Int32Array | null)[];
  /** Fields of the first data row as text (for dates), or `null` without rows. */
  firstRow: string[] | null;
  /** 1-based line of the first data row, or `null`. */
  firstRowLine: number | null;
  /** Values such as `inf` or `nan` stored as `NaN`, per column that had any. */
  nonFinite: NonFiniteReport[];
  /** A truncated last line that was left out, or `null`. */
  truncated: TruncatedLine | null;
}

const LF = 10, CR = 13, QUOTE = 34, PLUS = 43, MINUS = 45, DOT = 46, SPACE = 32, TAB = 9;
const MAX_EXACT = 9007199254740991; // 2^53 - 1
const POW10 = new Float64Array(23);
POW10[0] = 1;
for (let i = 1; i < 23; i++) POW10[i] = POW10[i - 1] * 10; // exact up to 1e22

const NON_FINITE = /^[+-]?(?:inf|infinity|nan)$/i;

/** Bytes read from a {@link ByteSource} at a time (complete lines are parsed in place). */
const CHUNK_BYTES = 1 << 20;
/** First look at a source for the header and the first data row (grown while needed). */
const HEAD_BYTES = 1 << 16;

/** Where the header scan of {@link scanHead} got to. */
interface HeadScan {
  headerText: string;
  headerLine: number;
  delimiter: CsvDelimiter;
  rawPreamble: string[];
  /** Position of the first byte after the header line. */
  dataStart: number;
  /** Fields of the first data row (empty without one). */
  firstRow: string[];
}

/**
 * Find the header (and the first data row) in `bytes`. With `complete` false the bytes are only
 * the head of the file: `null` when a line or the first data row may run past them (read more).
 */
function scanHead(
  bytes: Uint8Array,
  p: number,
  complete: boolean,
  options: NumericCsvOptions,
): HeadScan | null {
  const n = bytes.length;
  const isHeader = options.isHeader ?? ((fields: string[]) => fields.some((f) => f !== ""));
  const maxHeaderLine = options.maxHeaderLine ?? 500;
  const rawPreamble: string[] = [];
  let line = 0;
  while (p < n && line < maxHeaderLine) {
    const start = p;
    while (p < n && bytes[p] !== LF && bytes[p] !== CR) p++;
    if (p >= n - 1 && !complete) return null; // the line (or its CR LF) may go on
    const text = decodeLine(bytes.subarray(start, p));
    if (p < n && bytes[p] === CR) p++;
    if (p < n && bytes[p] === LF) p++;
    line++;
    const d = options.delimiter ?? guessDelimiter(text);
    const fields = splitFields(text, d);
    if (text.trim() !== "" && isHeader(fields, line)) {
      const firstRow = peekRow(bytes, p, d, complete);
      if (firstRow === null) return null;
      return {
        headerText: text,
        headerLine: line,
        delimiter: d,
        rawPreamble,
        dataStart: p,
        firstRow,
      };
    }
    rawPreamble.push(text);
  }
  if (!complete && line < maxHeaderLine) return null;
  throw new ParseError(
    options.fileName,
    n === 0 ? "the file is empty" : `no header line found in the first ${line} lines`,
    { line: n === 0 ? null : 1, offset: 0 },
  );
}

/**
 * Read a numeric delimited text file into typed-array columns.
 *
 * @param input The whole file (UTF-8, optionally with BOM, or Windows-1252; UTF-16 with BOM is
 *   transcoded first), or a {@link ByteSource} read in chunks of 1 MiB (the file is never held
 *   whole in memory; a UTF-16 file is).
 * @param options File name, header choice, delimiter and column kinds.
 * @returns Header, preamble, columns and what had to be left out.
 * @throws {ParseError} For a missing header, a row with the wrong number of fields (except a
 *   truncated last line, reported in `truncated`), or a value that is not a number.
 */
export function readNumericCsv(
  input: Uint8Array | ByteSource,
  options: NumericCsvOptions,
): NumericCsv {
  const file = options.fileName;
  let source: ByteSource | null = input instanceof Uint8Array ? null : input;
  let bytes = source ? readRange(source, 0, HEAD_BYTES) : input as Uint8Array;
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    if (source) bytes = readRange(source, 0, source.size);
    source = null;
    bytes = new TextEncoder().encode(decodeText(bytes)); // UTF-16: transcode, rare
  }
  const total = source ? source.size : bytes.length;
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;

  // --- header (from the head of a source, grown until the header and a data row are in it) --
  let head = scanHead(bytes, bom, bytes.length >= total, options);
  while (head === null) {
    bytes = readRange(source!, 0, Math.min(total, bytes.length * 4));
    head = scanHead(bytes, bom, bytes.length >= total, options);
  }
  const { headerText, headerLine, delimiter, dataStart } = head;
  const header = splitFields(headerText, delimiter);
  const preamble = head.rawPreamble.map((t) => splitFields(t, delimiter));
  const nc = header.length;
  const kindNames = options.kinds
    ? options.kinds(header, head.firstRow)
    : header.map(() => "float" as const);
  if (kindNames.length !== nc) {
    throw new RangeError(
      `Cannot read "${file}": kinds() gave ${kindNames.length} kinds for ${nc} header columns`,
    );
  }
  const kinds = new Uint8Array(nc); // 0 skip, 1 float, 2 int
  for (let j = 0; j < nc; j++) {
    kinds[j] = kindNames[j] === "skip" ? 0 : kindNames[j] === "int" ? 2 : 1;
  }

  // --- pre-size columns from the bytes per line of the first rows ----------------------------
  const state: RowState = {
    file,
    header,
    kinds,
    delimiter: delimiter.charCodeAt(0),
    floats: new Array(nc).fill(null),
    ints: new Array(nc).fill(null),
    capacity: 0,
    row: 0,
    line: headerLine,
    offsetBase: 0,
    isTail: false,
    total,
    firstRowStart: -1,
    firstRowLine: null,
    nonFinite: new Map(),
    truncated: null,
  };
  grow(state, estimateRows(bytes, dataStart, total));

  // --- data rows: complete lines in place, a last line without line end from a padded copy ---
  let firstRow: string[] | null = null;
  const captureFirstRow = (buffer: Uint8Array, base: number) => {
    if (firstRow !== null || state.firstRowStart < 0) return;
    let end = state.firstRowStart - base;
    const start = end;
    while (end < buffer.length && buffer[end] !== LF && buffer[end] !== CR) end++;
    firstRow = splitFields(decodeLine(buffer.subarray(start, end)), delimiter);
  };
  let rest: Uint8Array; // the bytes after the last line end
  if (!source) {
    let limit = total;
    while (limit > dataStart && bytes[limit - 1] !== LF && bytes[limit - 1] !== CR) limit--;
    readRows(bytes, dataStart, limit, state);
    captureFirstRow(bytes, 0);
    rest = bytes.subarray(Math.max(limit, dataStart));
    state.offsetBase = Math.max(limit, dataStart);
  } else {
    // Chunks: the unparsed end of one chunk (a line cut by the chunk) moves to the front of the
    // buffer, the next read fills the rest; a line longer than the buffer doubles it.
    let buffer = new Uint8Array(Math.max(CHUNK_BYTES, 2 * HEAD_BYTES));
    let kept = 0; // bytes at the front of the buffer not parsed yet
    let at = dataStart; // file offset of buffer[kept]
    for (;;) {
      if (kept === buffer.length) {
        const bigger = new Uint8Array(buffer.length * 2);
        bigger.set(buffer);
        buffer = bigger;
      }
      const got = source.readInto(buffer.subarray(kept), at);
      at += got;
      const filled = kept + got;
      const base = at - filled; // file offset of buffer[0]
      const end = at >= total || got === 0;
      let limit = filled;
      // A CR as the last byte may be the first half of a CR LF: leave it for the next chunk.
      if (!end && buffer[limit - 1] === CR) limit--;
      while (limit > 0 && buffer[limit - 1] !== LF && buffer[limit - 1] !== CR) limit--;
      if (limit > 0) {
        state.offsetBase = base;
        readRows(buffer.subarray(0, filled), 0, limit, state);
        captureFirstRow(buffer.subarray(0, filled), base);
      }
      if (end) {
        rest = buffer.subarray(limit, filled);
        state.offsetBase = base + limit;
        break;
      }
      buffer.copyWithin(0, limit, filled);
      kept = filled - limit;
    }
  }
  if (rest.length > 0) {
    const tail = new Uint8Array(rest.length + 1);
    tail.set(rest);
    tail[tail.length - 1] = LF;
    state.isTail = true;
    readRows(tail, 0, tail.length, state);
    captureFirstRow(tail, state.offsetBase);
  }
  const { row, floats, ints } = state;

  const columns: (Float64Array | Int32Array | null)[] = [];
  for (let j = 0; j < nc; j++) {
    // Views, not copies: the unused tail of a pre-sized array was never touched.
    columns.push(floats[j]?.subarray(0, row) ?? ints[j]?.subarray(0, row) ?? null);
  }
  return {
    header,
    headerLine,
    delimiter,
    preamble,
    length: row,
    columns,
    firstRow: row > 0 ? firstRow : null,
    firstRowLine: row > 0 ? state.firstRowLine : null,
    nonFinite: [...state.nonFinite.values()],
    truncated: state.truncated,
  };
}

/** Mutable state of {@link readRows}, shared by the in-place pass and the padded tail. */
interface RowState {
  file: string;
  header: string[];
  /** Per column: 0 skip, 1 float, 2 int. */
  kinds: Uint8Array;
  delimiter: number;
  floats: (Float64Array | null)[];
  ints: (Int32Array | null)[];
  capacity: number;
  row: number;
  /** 1-based number of the last line read. */
  line: number;
  /** Added to positions to give offsets in the original file. */
  offsetBase: number;
  /** Reading the padded copy of a last line without line end (it may be cut short). */
  isTail: boolean;
  /** Size of the file, bytes (to size the columns when they must grow). */
  total: number;
  firstRowStart: number;
  firstRowLine: number | null;
  nonFinite: Map<number, NonFiniteReport>;
  truncated: TruncatedLine | null;
}

/** Re-allocate every column with room for `capacity` rows, keeping the rows read. */
function grow(state: RowState, capacity: number): void {
  const { kinds, floats, ints, row } = state;
  for (let j = 0; j < kinds.length; j++) {
    if (kinds[j] === 1) {
      const a = new Float64Array(capacity);
      const old = floats[j];
      if (old) a.set(old.subarray(0, row));
      floats[j] = a;
    } else if (kinds[j] === 2) {
      const a = new Int32Array(capacity);
      const old = ints[j];
      if (old) a.set(old.subarray(0, row));
      ints[j] = a;
    }
  }
  state.capacity = capacity;
}

/**
 * The hot loop: read rows from `bytes[p, limit)`, where the byte before `limit` ends a line (so
 * no scan needs a bounds check). A line cut short right before `limit` is the file's truncated
 * end only in the padded tail (`state.isTail`); elsewhere it is an error.
 */
function readRows(bytes: Uint8Array, p: number, limit: number, state: RowState): void {
  const { kinds, floats, ints, file, header, offsetBase } = state;
  const D = state.delimiter;
  const nc = kinds.length;
  const last = nc - 1;
  const isTail = state.isTail;
  let row = state.row;
  let line = state.line;
  let capacity = state.capacity;
  rows: while (p < limit) {
    let c = bytes[p];
    line++;
    if (c === LF) {
      p++;
      continue;
    }
    if (c === CR) {
      p += bytes[p + 1] === LF ? 2 : 1;
      continue;
    }
    if (c === D || c === SPACE || c === TAB) {
      const end = blankLineEnd(bytes, p, D);
      if (end >= 0) {
        p = end;
        continue;
      }
    }
    if (row === capacity) {
      // Lines longer than the first ones: room for the rest of the file at the bytes per row
      // read so far (+5 %), not 1.5 × the columns (each growth copies every column).
      state.row = row;
      const done = offsetBase + p;
      const rest = Math.ceil(Math.max(0, state.total - done) / Math.max(1, done / row) * 1.05);
      grow(state, Math.max(capacity + 1024, row + rest + 1024));
      capacity = state.capacity;
    }
    const rowStart = p;
    if (state.firstRowStart < 0) {
      state.firstRowStart = offsetBase + p;
      state.firstRowLine = line;
    }
    for (let j = 0; j < nc; j++) {
      const kind = kinds[j];
      const fieldStart = p;
      c = bytes[p];
      if (kind === 0) {
        if (c === QUOTE) {
          p = quotedEnd(bytes, p, state, line);
          c = bytes[p];
        }
        while (c !== D && c !== LF && c !== CR) c = bytes[++p];
      } else {
        let v = NaN;
        if (c !== D && c !== LF && c !== CR) {
          let neg = false;
          if (c === MINUS) {
            neg = true;
            c = bytes[++p];
          } else if (c === PLUS) {
            c = bytes[++p];
          }
          // Integer and fraction digits in int32 (wraps harmlessly past 9 digits: then the
          // digit counts send the field to the exact float path below).
          let a = 0;
          const intStart = p;
          while (c >= 48 && c <= 57) {
            a = (a * 10 + (c - 48)) | 0;
            c = bytes[++p];
          }
          const intDigits = p - intStart;
          let f = 0, fracDigits = 0;
          if (c === DOT) {
            c = bytes[++p];
            const fracStart = p;
            while (c >= 48 && c <= 57) {
              f = (f * 10 + (c - 48)) | 0;
              c = bytes[++p];
            }
            fracDigits = p - fracStart;
          }
          let exp = 0, ok = intDigits + fracDigits > 0;
          if (ok && (c === 101 || c === 69)) {
            c = bytes[++p];
            let eneg = false;
            if (c === MINUS) {
              eneg = true;
              c = bytes[++p];
            } else if (c === PLUS) {
              c = bytes[++p];
            }
            const expStart = p;
            while (c >= 48 && c <= 57 && exp < 100000) {
              exp = exp * 10 + (c - 48);
              c = bytes[++p];
            }
            if (p === expStart) ok = false; // "1e" is not a number
            if (eneg) exp = -exp;
          }
          if (ok && (c === D || c === LF || c === CR)) {
            let m: number;
            if (intDigits <= 9 && fracDigits <= 9 && intDigits + fracDigits <= 15) {
              m = a * POW10[fracDigits] + f; // exact: below 10^15
            } else {
              m = 0; // long mantissa: accumulate in float; exact while below 2^53
              for (let i = intStart; i < intStart + intDigits; i++) m = m * 10 + (bytes[i] - 48);
              const fracStart = intStart + intDigits + 1;
              for (let i = fracStart; i < fracStart + fracDigits; i++) {
                m = m * 10 + (bytes[i] - 48);
              }
            }
            const e = exp - fracDigits;
            if (m <= MAX_EXACT && e >= -22 && e <= 22) {
              // Clinger's fast path: both operands exact, so the one rounding is parseFloat's.
              v = e < 0 ? m / POW10[-e] : m * POW10[e];
              if (neg) v = -v;
            } else {
              v = Number(latin1(bytes, fieldStart, p));
            }
          } else {
            const end = fieldEnd(bytes, fieldStart, D, state, line);
            const text = latin1(bytes, fieldStart, end).trim();
            const unquoted = text.length >= 2 && text.startsWith('"') && text.endsWith('"')
              ? text.slice(1, -1).trim()
              : text;
            if (unquoted === "") v = NaN;
            else if (NUMBER.test(unquoted)) v = Number(unquoted);
            else if (NON_FINITE.test(unquoted)) {
              v = NaN;
              const seen = state.nonFinite.get(j);
              if (seen) seen.count++;
              else {
                state.nonFinite.set(j, {
                  column: j,
                  count: 1,
                  firstLine: line,
                  firstText: unquoted,
                });
              }
            } else {
              if (isTail && end === limit - 1) {
                state.truncated = { line, offset: offsetBase + rowStart, fields: j + 1 };
                break rows;
              }
              throw new ParseError(
                file,
                `line ${line}, column "${header[j]}": "${clip(text)}" is not a number`,
                { line, offset: offsetBase + fieldStart },
              );
            }
            p = end;
            c = bytes[p];
          }
        }
        if (kind === 1) {
          floats[j]![row] = v;
        } else {
          if ((v | 0) !== v) {
            const end = fieldEnd(bytes, fieldStart, D, state, line);
            throw new ParseError(
              file,
              `line ${line}, column "${header[j]}": "${
                clip(latin1(bytes, fieldStart, end).trim())
              }" is not an integer`,
              { line, offset: offsetBase + fieldStart },
            );
          }
          ints[j]![row] = v;
        }
      }
      if (j < last) {
        if (c !== D) {
          if (isTail && p === limit - 1) {
            state.truncated = { line, offset: offsetBase + rowStart, fields: j + 1 };
            break rows;
          }
          throw new ParseError(file, `line ${line} has ${j + 1} fields, expected ${nc}`, {
            line,
            offset: offsetBase + rowStart,
          });
        }
        p++;
      }
    }
    if (c === D) {
      const fields = countFields(bytes, rowStart, D);
      throw new ParseError(file, `line ${line} has ${fields} fields, expected ${nc}`, {
        line,
        offset: offsetBase + rowStart,
      });
    }
    p += c === CR && bytes[p + 1] === LF ? 2 : 1;
    row++;
  }
  state.row = row;
  state.line = line;
}

/**
 * Split one line of delimited text into trimmed fields; double-quoted fields may hold the
 * delimiter and `""` for a quote (the rule of `splitFields` in `_delimited.ts`).
 */
export function splitFields(text: string, delimiter: CsvDelimiter): string[] {
  return splitRawFields(text, delimiter).map((f) => f.trim());
}

/** One warning per column that had `inf`/`nan` values, stored as `NaN`. */
export function nonFiniteWarnings(csv: NumericCsv): string[] {
  return csv.nonFinite.map((report) =>
    `column "${csv.header[report.column]}": ${report.count} value(s) like "${report.firstText}" ` +
    `(first on line ${report.firstLine}) are not finite: stored as NaN`
  );
}

/** The warning for a truncated last line of a table of `fields` columns. */
export function truncatedWarning(line: TruncatedLine, fields: number): string {
  return `line ${line.line} (byte ${line.offset}) is cut short (${line.fields} of ${fields} ` +
    "fields, no line end): the file looks truncated; the line was left out";
}

/** The most frequent of comma, tab and semicolon outside quotes (comma when none). */
export function guessDelimiter(text: string): CsvDelimiter {
  let comma = 0, tab = 0, semi = 0, quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') quoted = !quoted;
    else if (quoted) continue;
    else if (ch === ",") comma++;
    else if (ch === "\t") tab++;
    else if (ch === ";") semi++;
  }
  if (semi > comma && semi >= tab) return ";";
  if (tab > comma && tab > semi) return "\t";
  return ",";
}

function decodeLine(bytes: Uint8Array): string {
  const text = new TextDecoder("utf-8").decode(bytes);
  return text.includes("\uFFFD") ? new TextDecoder("windows-1252").decode(bytes) : text;
}

/**
 * Fields of the first non-blank line at or after `p` (empty array when none). With `complete`
 * false (`bytes` is the head of the file), `null` when that line may go on past the bytes.
 */
function peekRow(
  bytes: Uint8Array,
  p: number,
  delimiter: CsvDelimiter,
  complete: boolean,
): string[] | null {
  const n = bytes.length;
  while (p < n) {
    const start = p;
    while (p < n && bytes[p] !== LF && bytes[p] !== CR) p++;
    if (p >= n && !complete) return null;
    const text = decodeLine(bytes.subarray(start, p));
    while (p < n && (bytes[p] === LF || bytes[p] === CR)) p++;
    const fields = splitFields(text, delimiter);
    if (fields.some((f) => f !== "")) return fields;
  }
  return complete ? [] : null;
}

/**
 * Rows to allocate for a file of `total` bytes whose data start at `start`, from the bytes per
 * line of the first 64 KiB of data (`bytes` holds at least those, or the whole file).
 */
function estimateRows(bytes: Uint8Array, start: number, total: number): number {
  const sampleEnd = Math.min(bytes.length, start + 65536);
  let lines = 0;
  for (let i = start; i < sampleEnd; i++) if (bytes[i] === LF) lines++;
  if (sampleEnd === total) return lines + 2;
  if (lines === 0) {
    for (let i = start; i < sampleEnd; i++) if (bytes[i] === CR) lines++;
  }
  const perLine = lines > 0 ? (sampleEnd - start) / lines : 64;
  return Math.ceil(((total - start) / perLine) * 1.05) + 64;
}

/** End of a line made only of delimiters and spaces (its line end consumed), or -1. */
function blankLineEnd(bytes: Uint8Array, p: number, d: number): number {
  const n = bytes.length;
  while (p < n && (bytes[p] === d || bytes[p] === SPACE || bytes[p] === TAB)) p++;
  if (p >= n) return n;
  if (bytes[p] === LF) return p + 1;
  if (bytes[p] === CR) return bytes[p + 1] === LF ? p + 2 : p + 1;
  return -1;
}

/** Position just after the closing quote of a quoted field starting at `p`. */
function quotedEnd(bytes: Uint8Array, p: number, state: RowState, line: number): number {
  const n = bytes.length;
  const start = p;
  p++;
  for (;;) {
    while (p < n && bytes[p] !== QUOTE && bytes[p] !== LF && bytes[p] !== CR) p++;
    if (p >= n || bytes[p] !== QUOTE) {
      throw new ParseError(state.file, `line ${line}: unterminated quoted field`, {
        line,
        offset: state.offsetBase + start,
      });
    }
    if (bytes[p + 1] === QUOTE) p += 2;
    else return p + 1;
  }
}

/** End (exclusive) of the field that starts at `p`: the next delimiter or line end. */
function fieldEnd(
  bytes: Uint8Array,
  p: number,
  d: number,
  state: RowState,
  line: number,
): number {
  const n = bytes.length;
  while (p < n && (bytes[p] === SPACE || (bytes[p] === TAB && d !== TAB))) p++;
  if (bytes[p] === QUOTE) p = quotedEnd(bytes, p, state, line);
  while (p < n && bytes[p] !== d && bytes[p] !== LF && bytes[p] !== CR) p++;
  return p;
}

function countFields(bytes: Uint8Array, p: number, d: number): number {
  let fields = 1, quoted = false;
  for (; p < bytes.length && bytes[p] !== LF && bytes[p] !== CR; p++) {
    if (bytes[p] === QUOTE) quoted = !quoted;
    else if (bytes[p] === d && !quoted) fields++;
  }
  return fields;
}

function latin1(bytes: Uint8Array, start: number, end: number): string {
  let s = "";
  for (let i = start; i < end && i < start + 200; i++) s += String.fromCharCode(bytes[i]);
  return s;
}

function clip(text: string): string {
  return text.length > 40 ? text.slice(0, 40) + "…" : text;
}
