// Copyright 2026 the battery-analysis authors. MIT license.

/**
 * Get archived instrument files back out of the store, safely: bytes are checked against the
 * stored SHA-256 and size on the way out, files are written to a temporary file next to the
 * target and renamed into place (never a partial file), existing files are kept unless
 * `force`, and stored names are sanitized with {@link safeFileName} before they are used.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { dirname, join, resolve } from "node:path";
import type { RawDataFile } from "./store/documents.ts";
import type { Store } from "./store/store.ts";
import { safeFileName } from "./safe_file_name.ts";
import { exists, existsError, placeFile as place } from "./_place_file.ts";

/** A file written by {@link exportRawFiles}. */
export interface ExportedFile {
  /** Raw file id. */
  id: string;
  /** Where it was written. */
  path: string;
  /** Bytes written. */
  size_bytes: number;
  /** Verified SHA-256. */
  sha256: string;
}

/** Options of {@link exportRawFiles}. */
export interface ExportRawFilesOptions {
  /**
   * Target: a file path, or a directory (created when missing) that receives each file under
   * its sanitized stored name. With several files it must be a directory.
   */
  out: string;
  /** Treat `out` as a directory even for one file (default: when it is an existing directory). */
  directory?: boolean;
  /** Replace existing files. @default {false} */
  force?: boolean;
}

/** The stored bytes do not match the stored SHA-256 or size. */
export class IntegrityError extends Error {
  /** @param message What differs. */
  constructor(message: string) {
    super(message);
    this.name = "IntegrityError";
  }
}

function checkDigest(doc: RawDataFile, sha256: string, size: number): void {
  if (size !== doc.size_bytes || sha256 !== doc.sha256) {
    throw new IntegrityError(
      `Raw file ${doc.id} ("${doc.file_name}") is corrupt in the store: read ${size} bytes with ` +
        `SHA-256 ${sha256}, expected ${doc.size_bytes} bytes with SHA-256 ${doc.sha256}`,
    );
  }
}

/** Stream a raw file into `write`, hashing on the way; returns the SHA-256 and size. */
async function pump(
  store: Store,
  doc: RawDataFile,
  write: (chunk: Uint8Array) => Promise<void>,
): Promise<{ sha256: string; size: number }> {
  const hash = createHash("sha256");
  let size = 0;
  const reader = (await store.rawFiles.open(doc.id)).getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      hash.update(value);
      size += value.length;
      await write(value);
    }
  } finally {
    reader.releaseLock();
  }
  return { sha256: hash.digest("hex"), size };
}

/** Write one raw file to a temporary file in `dir`, verified; returns the temporary path. */
async function toTemp(store: Store, doc: RawDataFile, dir: string): Promise<string> {
  const tmp = join(dir, `.${safeFileName(doc.file_name)}.${crypto.randomUUID().slice(0, 8)}.part`);
  const file = await Deno.open(tmp, { write: true, createNew: true });
  try {
    const { sha256, size } = await pump(store, doc, async (chunk) => {
      for (let off = 0; off < chunk.length;) off += await file.write(chunk.subarray(off));
    });
    await file.sync();
    file.close();
    checkDigest(doc, sha256, size);
    return tmp;
  } catch (error) {
    try {
      file.close();
    } catch {
      // already closed
    }
    await Deno.remove(tmp).catch(() => {});
    throw error;
  }
}

/**
 * Write raw files from the store to disk, each verified against its stored SHA-256 and size.
 * All files are first written to temporary files next to their targets and verified; only then
 * are they renamed into place, so a failure leaves no partial or unverified file behind.
 *
 * @param store The store.
 * @param docs The raw files (from `rawFiles.get` / `rawFiles.find`).
 * @param options Target path or directory, and whether to replace existing files.
 * @returns The files written.
 *
 * @example Usage
 * ```ts
 * import { exportRawFiles } from "./export_raw_files.ts";
 * import { SqliteStore } from "./store/sqlite_store.ts";
 * import { equal } from "node:assert/strict";
 *
 * const store = await SqliteStore.open({ path: ":memory:" });
 * const bytes = new TextEncoder().encode("Cycle,Voltage\n1,3.7\n");
 * const { doc } = await store.rawFiles.put(bytes, { file_name: "../cell.csv" });
 * const dir = await Deno.makeTempDir();
 * const [written] = await exportRawFiles(store, [doc], { out: dir });
 * equal(written.path, `${dir}/cell.csv`); // the stored "../" is dropped
 * equal(await Deno.readTextFile(written.path), "Cycle,Voltage\n1,3.7\n");
 * await Deno.remove(dir, { recursive: true });
 * await store.close();
 * ```
 */
export async function exportRawFiles(
  store: Store,
  docs: RawDataFile[],
  options: ExportRawFilesOptions,
): Promise<ExportedFile[]> {
  if (docs.length === 0) throw new RangeError("exportRawFiles: no raw files given");
  const out = resolve(options.out);
  const outInfo = await Deno.stat(out).catch(() => null);
  const directory = options.directory ?? (outInfo?.isDirectory ?? false);
  if (docs.length > 1 && !directory && outInfo !== null) {
    throw new TypeError(`"${options.out}" is a file; several raw files need a directory`);
  }
  const asDirectory = directory || docs.length > 1;
  if (asDirectory) await Deno.mkdir(out, { recursive: true });
  else if (outInfo?.isDirectory) throw new TypeError(`"${options.out}" is a directory`);
  const targets = docs.map((d) => (asDirectory ? join(out, safeFileName(d.file_name)) : out));
  const seen = new Map<string, string>();
  for (let i = 0; i < docs.length; i++) {
    const other = seen.get(targets[i]);
    if (other !== undefined) {
      throw new RangeError(
        `Raw files ${other} and ${docs[i].id} would both be written to "${targets[i]}"`,
      );
    }
    seen.set(targets[i], docs[i].id);
    if (!options.force && (await exists(targets[i]))) {
      throw existsError(targets[i]);
    }
  }
  const temps: string[] = [];
  const placed: string[] = [];
  try {
    for (let i = 0; i < docs.length; i++) {
      temps.push(await toTemp(store, docs[i], dirname(targets[i])));
    }
    for (let i = 0; i < docs.length; i++) {
      await place(temps[i], targets[i], options.force ?? false);
      placed.push(targets[i]);
    }
  } catch (error) {
    for (const t of temps) await Deno.remove(t).catch(() => {});
    // Several files: all or nothing (files this call created are removed again).
    if (!options.force) { for (const p of placed) await Deno.remove(p).catch(() => {}); }
    throw error;
  }
  return docs.map((d, i) => ({
    id: d.id,
    path: targets[i],
    size_bytes: d.size_bytes,
    sha256: d.sha256,
  }));
}

/**
 * Stream one raw file into a writer (standard output), verified against its stored SHA-256 and
 * size. Files up to `bufferLimit` bytes are read and verified completely before the first byte
 * is written, so corrupt bytes never reach the writer; larger files are streamed and checked at
 * the end (an {@link IntegrityError} then follows the bytes).
 *
 * @param store The store.
 * @param doc The raw file.
 * @param options The writer and the buffering limit.
 * @returns The verified SHA-256 and size.
 *
 * @example Usage
 * ```ts
 * import { writeRawFile } from "./export_raw_files.ts";
 * import { SqliteStore } from "./store/sqlite_store.ts";
 * import { equal } from "node:assert/strict";
 *
 * const store = await SqliteStore.open({ path: ":memory:" });
 * const { doc } = await store.rawFiles.put(new Uint8Array([1, 2, 3]), { file_name: "x.bin" });
 * const chunks: Uint8Array[] = [];
 * await writeRawFile(store, doc, { write: (c) => chunks.push(c) });
 * equal(chunks.reduce((n, c) => n + c.length, 0), 3);
 * await store.close();
 * ```
 */
export async function writeRawFile(
  store: Store,
  doc: RawDataFile,
  options: { write(chunk: Uint8Array): unknown; bufferLimit?: number },
): Promise<{ sha256: string; size_bytes: number }> {
  const limit = options.bufferLimit ?? 1 << 30;
  if (doc.size_bytes <= limit) {
    const chunks: Uint8Array[] = [];
    const { sha256, size } = await pump(store, doc, (c) => {
      chunks.push(c);
      return Promise.resolve();
    });
    checkDigest(doc, sha256, size);
    for (const c of chunks) await options.write(c);
    return { sha256, size_bytes: size };
  }
  const { sha256, size } = await pump(store, doc, async (c) => {
    await options.write(c);
  });
  checkDigest(doc, sha256, size);
  return { sha256, size_bytes: size };
}
