// Copyright 2026 the battery-analysis authors. MIT license.
// How archived raw files are kept: cut into pieces of 1 MiB, each piece compressed alone with
// zstd (level 1) when the file compresses (text exports shrink to a fifth; zip-based formats
// such as .ndax do not and are kept as they are). Reading decompresses and checks the size and
// the SHA-256 against the file's description, so a damaged archive is an error, never wrong
// bytes. Files stored before compression (no `encoding`) read as they were.

import * as zlib from "node:zlib";
import { sha256Stream } from "./_sha256.ts";
import { StoreError } from "./store_error.ts";
import type { PackedRawFile } from "./store.ts";

/** Bytes of the file per stored piece. */
export const RAW_PIECE_BYTES = 1 << 20;

/** How the pieces of a raw file are stored: `"zstd"`, or `null` for as they are. */
export type RawEncoding = PackedRawFile["encoding"];

// deno-lint-ignore no-explicit-any
const z = zlib as any;
const LEVEL: Record<number, number> = { [z.constants?.ZSTD_c_compressionLevel ?? 100]: 1 };
/** A file whose first piece compresses to more than this fraction is kept as it is. */
const WORTH = 0.9;

/** zstd frame of one piece. */
export function compressPiece(piece: Uint8Array): Uint8Array {
  return own(z.zstdCompressSync(piece, { params: LEVEL }));
}

/** The bytes in an ArrayBuffer of their own (a Buffer may share a pool; pieces are transferred). */
function own(bytes: Uint8Array): Uint8Array {
  if (bytes.byteOffset === 0 && bytes.buffer.byteLength === bytes.length) {
    return new Uint8Array(bytes.buffer, 0, bytes.length);
  }
  return Uint8Array.prototype.slice.call(bytes);
}

/** The bytes of one stored piece. */
export function decodePiece(piece: Uint8Array, encoding: RawEncoding): Uint8Array {
  if (encoding === null) return piece;
  return own(z.zstdDecompressSync(piece));
}

/**
 * Hash, cut and (when it pays) compress a file handed over piece by piece (any sizes). The
 * first full piece decides the encoding for the whole file.
 */
export class RawPacker {
  #hash = sha256Stream();
  #buffer = new Uint8Array(RAW_PIECE_BYTES);
  #filled = 0;
  #size = 0;
  #encoding: RawEncoding | undefined;
  #pieces: Uint8Array[] = [];

  /** Add the next bytes of the file. */
  push(bytes: Uint8Array): void {
    this.#hash.update(bytes);
    this.#size += bytes.length;
    let offset = 0;
    while (offset < bytes.length) {
      const n = Math.min(RAW_PIECE_BYTES - this.#filled, bytes.length - offset);
      this.#buffer.set(bytes.subarray(offset, offset + n), this.#filled);
      this.#filled += n;
      offset += n;
      if (this.#filled === RAW_PIECE_BYTES) this.#flush();
    }
  }

  #flush(): void {
    const raw = this.#buffer.subarray(0, this.#filled);
    if (this.#encoding === undefined) {
      const packed = compressPiece(raw);
      this.#encoding = packed.length <= WORTH * raw.length ? "zstd" : null;
      this.#pieces.push(this.#encoding ? packed : raw.slice());
    } else this.#pieces.push(this.#encoding ? compressPiece(raw) : raw.slice());
    this.#filled = 0;
  }

  /** The packed file (the packer is spent). */
  finish(): PackedRawFile {
    if (this.#filled > 0 || this.#pieces.length === 0) this.#flush();
    return {
      kind: "packed",
      encoding: this.#encoding ?? null,
      size: this.#size,
      sha256: this.#hash.digest("hex"),
      pieces: this.#pieces,
    };
  }
}

/** Pack bytes in memory (see {@link RawPacker}). */
export function packRaw(bytes: Uint8Array): PackedRawFile {
  const packer = new RawPacker();
  packer.push(bytes);
  return packer.finish();
}

/** Whether `value` is a {@link PackedRawFile} (checked enough to store it). */
export function isPackedRaw(value: unknown): value is PackedRawFile {
  const p = value as PackedRawFile;
  return p !== null && typeof p === "object" && p.kind === "packed" &&
    (p.encoding === "zstd" || p.encoding === null) && Number.isSafeInteger(p.size) &&
    p.size >= 0 && typeof p.sha256 === "string" && /^[0-9a-f]{64}$/.test(p.sha256) &&
    Array.isArray(p.pieces) && p.pieces.every((x) => x instanceof Uint8Array) &&
    p.pieces.length === Math.max(1, Math.ceil(p.size / RAW_PIECE_BYTES));
}

/** Checks the decoded bytes of a stored file against its size and SHA-256. */
export class RawVerifier {
  #hash = sha256Stream();
  #size = 0;
  readonly #expected: { id: string; size_bytes: number; sha256: string };

  /** @param expected The file's description. */
  constructor(expected: { id: string; size_bytes: number; sha256: string }) {
    this.#expected = expected;
  }

  /** Add the next decoded bytes. */
  update(bytes: Uint8Array): void {
    this.#hash.update(bytes);
    this.#size += bytes.length;
    if (this.#size > this.#expected.size_bytes) {
      this.#fail(`more than ${this.#expected.size_bytes} bytes`);
    }
  }

  /** Throw unless the bytes seen are the file. */
  finish(): void {
    const { size_bytes, sha256 } = this.#expected;
    if (this.#size !== size_bytes) this.#fail(`${this.#size} bytes instead of ${size_bytes}`);
    const got = this.#hash.digest("hex");
    if (got !== sha256) this.#fail(`SHA-256 ${got} instead of ${sha256}`);
  }

  #fail(what: string): never {
    throw new StoreError(
      `raw file ${this.#expected.id} is damaged in the store: its archived bytes give ${what}`,
    );
  }
}

/** Length prefix (u32 little-endian) and piece, for a byte stream of pieces (GridFS). */
export function framePiece(piece: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + piece.length);
  new DataView(out.buffer).setUint32(0, piece.length, true);
  out.set(piece, 4);
  return out;
}

/** The pieces of a byte stream of {@link framePiece} frames (any cuts). */
export async function* unframePieces(
  stream: AsyncIterable<Uint8Array>,
  fileId: string,
): AsyncGenerator<Uint8Array> {
  let pending = new Uint8Array(0);
  for await (const part of stream) {
    const joined = new Uint8Array(pending.length + part.length);
    joined.set(pending);
    joined.set(part, pending.length);
    let at = 0;
    while (joined.length - at >= 4) {
      const n = new DataView(joined.buffer, joined.byteOffset + at).getUint32(0, true);
      if (joined.length - at - 4 < n) break;
      yield joined.subarray(at + 4, at + 4 + n);
      at += 4 + n;
    }
    pending = joined.subarray(at);
  }
  if (pending.length > 0) {
    throw new StoreError(`raw file ${fileId} is damaged in the store: its last piece is cut short`);
  }
}
