// Copyright 2026 the battery-analysis authors. MIT license.
// Raw files in MongoDB: descriptions in `raw_data_files` (unique by SHA-256), the bytes in the
// GridFS bucket `raw_bytes` — compressed pieces each with its length in front, or the bytes as they
// are. Intent, bytes, then the description (the commit point); a duplicate removes the bytes.

import { type Filter, ObjectId } from "npm:mongodb@6.22.0";
import type { RawDataFile, RawFileInput, RawFilePatch } from "./documents.ts";
import type { PackedRawFile, RawFileApi, RawFileFilter, Upserted } from "./store.ts";
import { isConnectionFailure, NotFoundError } from "./store_error.ts";
import { newId, nowIso } from "./_ids.ts";
import {
  checkGivenSha256,
  checkPage,
  checkRawBytes,
  checkRawFilePatch,
  completeRawFileInput,
} from "./_normalize.ts";
import { rechunk, sha256Stream } from "./_sha256.ts";
import {
  compressPiece,
  decodePiece,
  framePiece,
  isPackedRaw,
  packRaw,
  RAW_PIECE_BYTES,
  RawVerifier,
  unframePieces,
} from "./raw_codec.ts";
import { encodeDocument } from "./_mongo_encoding.ts";
import { type Doc, fromDoc, isDuplicateKey, toDoc } from "./_mongo_documents.ts";
import type { MongoDb } from "./_mongo_db.ts";

/** The raw files of a MongoDB store. */
export class MongoRawFiles {
  readonly #db: MongoDb;

  /** Raw files of this database. */
  constructor(db: MongoDb) {
    this.#db = db;
  }

  /** The `rawFiles` API of the store. */
  api(): RawFileApi {
    const c = this.#db.c;
    /** Upload bytes to GridFS; hashes them unless `sha256` (of exactly these bytes) is given. */
    const upload = async (
      id: string,
      bytes: {
        fileName: string;
        pieces: AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
        sha256: string | null;
      },
    ): Promise<{ sha256: string; size: number }> => {
      const { fileName, pieces } = bytes;
      const hash = bytes.sha256 === null ? sha256Stream() : null;
      let size = 0;
      const stream = this.#db.bucket.openUploadStreamWithId(
        ObjectId.createFromHexString(id),
        fileName,
      );
      const finished = new Promise<void>((resolve, reject) => {
        stream.once("finish", () => resolve());
        stream.once("error", reject);
      });
      // Observed here too: when writing fails first, nobody awaits `finished` (an unobserved
      // rejection would end the process).
      finished.catch(() => {});
      stream.on("error", () => {});
      try {
        for await (const piece of pieces) {
          hash?.update(piece);
          size += piece.length;
          if (!stream.write(piece)) {
            await new Promise<void>((resolve, reject) => {
              const onDrain = () => {
                stream.off("error", onError);
                resolve();
              };
              const onError = (error: unknown) => {
                stream.off("drain", onDrain);
                reject(error);
              };
              stream.once("drain", onDrain);
              stream.once("error", onError);
            });
          }
        }
        stream.end();
        await finished;
      } catch (error) {
        await stream.abort().catch(() => {});
        throw error;
      }
      return { sha256: hash?.digest("hex") ?? bytes.sha256!, size };
    };
    const removeBytes = async (id: string): Promise<void> => {
      try {
        await this.#db.bucket.delete(ObjectId.createFromHexString(id));
      } catch (error) {
        if (!/not found/i.test((error as Error).message)) throw error;
      }
    };
    const put = async (
      input: Uint8Array | ReadableStream<Uint8Array> | PackedRawFile,
      raw: RawFileInput,
    ): Promise<Upserted<RawDataFile>> => {
      const { fields, sha256: given } = completeRawFileInput(raw);
      checkRawBytes(input);
      if (input instanceof Uint8Array && given !== null) {
        // Known bytes are not compressed again.
        const existing = await c.raw.findOne({ sha256: given });
        if (existing) return { doc: fromDoc<RawDataFile>(existing)!, created: false };
      }
      // Bytes in memory are packed here (hashed, compressed in pieces of 1 MiB when they
      // compress); a stream is packed as it is read, below.
      const packed = input instanceof Uint8Array
        ? packRaw(input)
        : isPackedRaw(input)
        ? input
        : null;
      let known: string | null = null;
      if (packed) {
        known = packed.sha256;
        const existing = await c.raw.findOne({ sha256: known });
        if (existing) return { doc: fromDoc<RawDataFile>(existing)!, created: false };
      }
      const bytes = input as ReadableStream<Uint8Array>;
      let streamEncoding: "zstd" | null = null;
      const id = newId();
      // Intent, bytes, then the description (the commit point); a duplicate removes the bytes.
      // A writer that dies midway leaves the intent, and recovery removes the pieces.
      const intent = `raw:${id}`;
      await this.#db.intend(intent, { kind: "raw", raw_id: id });
      try {
        // GridFS holds compressed pieces each with its length in front (see raw_codec.ts),
        // or the bytes as they are (files that do not compress, and older files).
        let sha256: string, size: number, encoding: "zstd" | null;
        if (packed) {
          await upload(id, {
            fileName: fields.file_name,
            pieces: packed.encoding ? packed.pieces.map(framePiece) : packed.pieces,
            sha256: known,
          });
          ({ sha256, size, encoding } = packed);
        } else {
          const verify = sha256Stream();
          let total = 0;
          const hashed = async function* (): AsyncGenerator<Uint8Array> {
            for await (const piece of rechunk(bytes, RAW_PIECE_BYTES)) {
              verify.update(piece);
              total += piece.length;
              yield piece;
            }
          };
          const source = hashed();
          const framed = async function* (): AsyncGenerator<Uint8Array> {
            let first = true;
            for await (const piece of source) {
              if (first) {
                const small = compressPiece(piece);
                streamEncoding = small.length <= 0.9 * piece.length ? "zstd" : null;
                first = false;
                yield streamEncoding ? framePiece(small) : piece;
              } else yield streamEncoding ? framePiece(compressPiece(piece)) : piece;
            }
          };
          await upload(id, { fileName: fields.file_name, pieces: framed(), sha256: "" });
          sha256 = verify.digest("hex");
          size = total;
          encoding = streamEncoding;
        }
        // A mismatch is undone below like any failure: the bytes are removed.
        checkGivenSha256(fields.file_name, { given, actual: sha256 });
        const file: RawDataFile = {
          id,
          ...fields,
          sha256,
          size_bytes: size,
          uploaded_at: nowIso(),
        };
        if (encoding) file.encoding = encoding;
        try {
          await c.raw.insertOne(toDoc(file));
        } catch (error) {
          await removeBytes(id);
          if (!isDuplicateKey(error)) throw error;
          await this.#db.done(intent);
          const existing = await c.raw.findOne({ sha256 });
          return { doc: fromDoc<RawDataFile>(existing)!, created: false };
        }
        return { doc: file, created: true }; // the caller forgets the intent
      } catch (error) {
        if (isConnectionFailure(error)) throw error; // the intent stays for recovery
        await removeBytes(id).catch(() => {});
        await this.#db.done(intent);
        throw error;
      }
    };
    const putDone = async (
      bytes: Uint8Array | ReadableStream<Uint8Array> | PackedRawFile,
      raw: RawFileInput,
    ): Promise<Upserted<RawDataFile>> => {
      const result = await put(bytes, raw);
      if (result.created) await this.#db.done(`raw:${result.doc.id}`);
      return result;
    };
    const open = async (id: string): Promise<ReadableStream<Uint8Array>> => {
      const file = await c.raw.findOne({ _id: id });
      if (!file) throw new NotFoundError("raw file", id);
      const stored = fromDoc<RawDataFile>(file)!;
      const download = this.#db.bucket.openDownloadStream(ObjectId.createFromHexString(id));
      const translate = (error: unknown) => this.#db.translate(error);
      async function* downloaded(): AsyncGenerator<Uint8Array> {
        try {
          for await (const piece of download) {
            yield new Uint8Array(piece.buffer, piece.byteOffset, piece.byteLength);
          }
        } catch (error) {
          throw translate(error);
        }
      }
      // Decompressed (when stored compressed) and checked against size and SHA-256: a damaged
      // archive errors the stream instead of ending it.
      async function* pieces(): AsyncGenerator<Uint8Array> {
        const verify = new RawVerifier(stored);
        const encoding = stored.encoding ?? null;
        const source = encoding ? unframePieces(downloaded(), id) : downloaded();
        for await (const piece of source) {
          const bytes = decodePiece(piece, encoding);
          verify.update(bytes);
          if (bytes.length > 0) yield bytes;
        }
        verify.finish();
      }
      return ReadableStream.from(pieces());
    };
    return {
      put: (bytes, input) => this.#db.op(() => putDone(bytes, input)),
      get: (id) => this.#db.op(async () => fromDoc<RawDataFile>(await c.raw.findOne({ _id: id }))),
      getByHash: (sha256) =>
        this.#db.op(async () =>
          fromDoc<RawDataFile>(await c.raw.findOne({ sha256: String(sha256).toLowerCase() }))
        ),
      find: (filter: RawFileFilter = {}) =>
        this.#db.op(async () => {
          const { limit, skip } = checkPage(filter);
          if (limit === 0) return [];
          const q: Filter<Doc> = {};
          for (const f of ["test_id", "sample_id", "import_job_id", "operator"] as const) {
            if (filter[f] !== undefined) q[f] = filter[f];
          }
          if (filter.tags?.length) q.$and = filter.tags.map((t) => ({ tags: t }));
          const cursor = c.raw.find(q).sort({ uploaded_at: -1, _id: -1 }).skip(skip);
          if (limit !== null) cursor.limit(limit);
          return (await cursor.toArray()).map((d) => fromDoc<RawDataFile>(d)!);
        }),
      open: (id) => this.#db.op(() => open(id)),
      read: (id) =>
        this.#db.op(async () => {
          const stream = await open(id);
          const pieces: Uint8Array[] = [];
          let size = 0;
          for await (const piece of stream) {
            pieces.push(piece);
            size += piece.length;
          }
          const out = new Uint8Array(size);
          let at = 0;
          for (const piece of pieces) {
            out.set(piece, at);
            at += piece.length;
          }
          return out;
        }),
      update: (id, patch: RawFilePatch) =>
        this.#db.op(async () => {
          const fields = checkRawFilePatch(patch ?? {}, `Raw file "${id}"`);
          const r = await c.raw.findOneAndUpdate({ _id: id }, { $set: encodeDocument(fields) }, {
            returnDocument: "after",
          });
          if (!r) throw new NotFoundError("raw file", id);
          return fromDoc<RawDataFile>(r)!;
        }),
      delete: (id) =>
        this.#db.op(async () => {
          const intent = `raw:${id}:delete:${newId()}`;
          await this.#db.intend(intent, { kind: "raw", raw_id: id, op: "delete" });
          const r = await c.raw.deleteOne({ _id: id });
          if (r.deletedCount === 0) {
            await this.#db.done(intent);
            throw new NotFoundError("raw file", id);
          }
          await removeBytes(id);
          await this.#db.done(intent);
        }),
    };
  }
}
