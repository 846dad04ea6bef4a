// Copyright 2026 the battery-analysis authors. MIT license.
// Collecting a stream before it is stored: in memory up to a limit, beyond it in a temporary
// file, hashing as it arrives. A store then writes the bytes and their description in one
// transaction, so a stream that fails (or a process that dies) midway leaves nothing behind.

import { createHash } from "node:crypto";
import { readSync } from "node:fs";
import { type FileHandle, mkdtemp, open, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { rechunk } from "./_sha256.ts";

/** A stream's bytes, collected. */
export interface Spool {
  /** SHA-256 of the bytes, hex. */
  readonly sha256: string;
  /** Number of bytes. */
  readonly size: number;
  /** The bytes in pieces of `pieceBytes` (the last shorter), read synchronously. */
  pieces(): Generator<Uint8Array>;
  /** Remove the temporary file, if any. */
  dispose(): Promise<void>;
}

/** Options of {@link spoolStream}. */
export interface SpoolOptions {
  /** Size of the pieces `pieces()` yields. */
  pieceBytes: number;
  /** Bytes kept in memory before the rest goes to a temporary file. */
  memoryBytes: number;
}

async function writeAll(handle: FileHandle, bytes: Uint8Array): Promise<void> {
  for (let at = 0; at < bytes.length;) {
    at += (await handle.write(bytes, at, bytes.length - at)).bytesWritten;
  }
}

/**
 * Read a stream to its end. On an error of the stream the temporary file is removed and the
 * error thrown.
 */
export async function spoolStream(
  stream: ReadableStream<Uint8Array>,
  options: SpoolOptions,
): Promise<Spool> {
  const { pieceBytes, memoryBytes } = options;
  const hash = createHash("sha256");
  const memory: Uint8Array[] = [];
  let size = 0;
  let file: { dir: string; handle: FileHandle } | null = null;
  const dispose = async (): Promise<void> => {
    const f = file;
    file = null;
    if (!f) return;
    await f.handle.close().catch(() => {});
    await rm(f.dir, { recursive: true, force: true });
  };
  try {
    for await (const piece of rechunk(stream, pieceBytes)) {
      hash.update(piece);
      size += piece.length;
      if (!file && size > memoryBytes) {
        const dir = await mkdtemp(join(tmpdir(), "battery_raw_"));
        file = { dir, handle: await open(join(dir, "upload.part"), "w+") };
        for (const kept of memory.splice(0)) await writeAll(file.handle, kept);
      }
      if (file) await writeAll(file.handle, piece);
      else memory.push(piece);
    }
  } catch (error) {
    await dispose();
    throw error;
  }
  const total = size;
  const onDisk = file as { dir: string; handle: FileHandle } | null;
  function* pieces(): Generator<Uint8Array> {
    if (!onDisk) {
      yield* memory;
      return;
    }
    for (let at = 0; at < total; at += pieceBytes) {
      const piece = new Uint8Array(Math.min(pieceBytes, total - at));
      for (let got = 0; got < piece.length;) {
        const n = readSync(onDisk.handle.fd, piece, got, piece.length - got, at + got);
        if (n === 0) throw new Error(`Temporary file ${onDisk.dir} ended early`);
        got += n;
      }
      yield piece;
    }
  }
  return { sha256: hash.digest("hex"), size: total, pieces, dispose };
}
