// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/** Text encodings met in instrument exports. */
export type TextEncoding = "utf-8" | "utf-16le" | "utf-16be" | "windows-1252";

/**
 * Guess the encoding of instrument text: BOMs first, then valid UTF-8, else Windows-1252. Text
 * that is UTF-8 but for a few damaged bytes (a flipped bit) stays UTF-8, so that one bad byte
 * does not change how every other line reads (the bad bytes decode to U+FFFD, which no number
 * or column title matches).
 */
export function sniffEncoding(bytes: Uint8Array): { encoding: TextEncoding; bomLength: number } {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return { encoding: "utf-8", bomLength: 3 };
  }
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { encoding: "utf-16le", bomLength: 2 };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { encoding: "utf-16be", bomLength: 2 };
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    return { encoding: "utf-8", bomLength: 0 };
  } catch {
    const { valid, invalid } = utf8Sequences(bytes);
    const damagedUtf8 = valid > 0 && invalid <= Math.max(4, valid / 20);
    return { encoding: damagedUtf8 ? "utf-8" : "windows-1252", bomLength: 0 };
  }
}

/** Valid multi-byte UTF-8 sequences and bytes that are not part of one (ASCII aside). */
function utf8Sequences(bytes: Uint8Array): { valid: number; invalid: number } {
  let valid = 0, invalid = 0;
  const n = bytes.length;
  for (let i = 0; i < n; i++) {
    const b = bytes[i];
    if (b < 0x80) continue;
    const need = b >= 0xc2 && b <= 0xdf
      ? 1
      : b >= 0xe0 && b <= 0xef
      ? 2
      : b >= 0xf0 && b <= 0xf4
      ? 3
      : -1;
    let ok = need > 0 && i + need < n;
    for (let k = 1; ok && k <= need; k++) ok = (bytes[i + k] & 0xc0) === 0x80;
    if (ok) {
      valid++;
      i += need;
    } else invalid++;
  }
  return { valid, invalid };
}

/** Decode instrument text (BOM-aware; Latin-1/Windows-1252 when not valid UTF-8). */
export function decodeText(bytes: Uint8Array): string {
  const { encoding, bomLength } = sniffEncoding(bytes);
  return new TextDecoder(encoding).decode(bytes.subarray(bomLength));
}

/** The last head decoded (detection asks every text parser to decode the same head). */
let lastHead: { head: Uint8Array; text: string } | null = null;

/** Decode the first bytes of a file for detection; tolerant of a cut multi-byte character. */
export function decodeHead(head: Uint8Array): string {
  if (lastHead?.head === head) return lastHead.text;
  const { encoding, bomLength } = sniffEncoding(head.subarray(0, Math.min(head.length, 4096)));
  const text = new TextDecoder(encoding === "utf-8" ? "windows-1252" : encoding).decode(
    head.subarray(bomLength),
  );
  lastHead = { head, text };
  return text;
}

/** The lines of the last head split (every text detector looks at the same head's lines). */
let lastLines: { head: Uint8Array; lines: readonly string[] } | null = null;

/**
 * The lines of a file head as {@link decodeHead} decodes it, split at `\n`, `\r\n` or `\r`
 * (the last one possibly cut), computed once per head object: detection asks every text parser
 * about the same head, and splitting 64 KiB again for each was most of its cost. Do not modify
 * the array (it is shared); `slice` it.
 */
export function headLines(head: Uint8Array): readonly string[] {
  if (lastLines?.head === head) return lastLines.lines;
  const lines = decodeHead(head).split(/\r\n|\n|\r/);
  lastLines = { head, lines };
  return lines;
}

/** Split text into lines (`\n`, `\r\n` or `\r`), without the line ends. */
export function splitLines(text: string): string[] {
  const lines = text.split(/\r\n|\n|\r/);
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/** Lower-case extension with the dot (`"x/Y.CSV"` → `".csv"`), or `""`. */
export function extensionOf(fileName: string): string {
  const base = fileName.split(/[\\/]/).pop() ?? fileName;
  const dot = base.lastIndexOf(".");
  return dot > 0 ? base.slice(dot).toLowerCase() : "";
}
