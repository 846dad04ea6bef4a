// Copyright 2026 the battery-analysis authors. MIT license.
// Raw files in SQLite: descriptions in `raw_files`, the bytes in 1 MiB pieces (`raw_chunks`),
// compressed when they compress; pieces and description are written in one transaction.

import type { RawDataFile, RawFileInput, RawFilePatch } from "./documents.ts";
import type { PackedRawFile, RawFileApi, RawFileFilter, Upserted } from "./store.ts";
import { NotFoundError } from "./store_error.ts";
import { newId, nowIso } from "./_ids.ts";
import {
  checkGivenSha256,
  checkPage,
  checkRawBytes,
  checkRawFilePatch,
  completeRawFileInput,
  type RawFileFields,
} from "./_normalize.ts";
import { spoolStream } from "./_spool.ts";
import {
  decodePiece,
  isPackedRaw,
  packRaw,
  RAW_PIECE_BYTES,
  RawPacker,
  RawVerifier,
} from "./raw_codec.ts";
import { type Row, type SqliteDb, where } from "./_sqlite_db.ts";

/** Bytes of a streamed raw file kept in memory before the rest is spooled to a temporary file. */
const SPOOL_MEMORY_BYTES = 32 << 20;

/** The raw files of a SQLite store. */
export class SqliteRawFiles {
  readonly #db: SqliteDb;

  /** Raw files of this database. */
  constructor(db: SqliteDb) {
    this.#db = db;
  }

  #byId(id: string): RawDataFile | null {
    const row = this.#db.get("SELECT doc FROM raw_files WHERE id = ?", [id]);
    return row ? JSON.parse(row.doc as string) : null;
  }

  #byHash(sha256: string): RawDataFile | null {
    const row = this.#db.get("SELECT doc FROM raw_files WHERE sha256 = ?", [sha256]);
    return row ? JSON.parse(row.doc as string) : null;
  }

  #write(file: RawDataFile, insert: boolean): void {
    const params = [
      file.sha256,
      file.test_id,
      file.sample_id,
      file.import_job_id,
      file.operator,
      file.uploaded_at,
      JSON.stringify(file),
      file.id,
    ];
    this.#db.run(
      insert
        ? "INSERT INTO raw_files (sha256, test_id, sample_id, import_job_id, operator, uploaded_at, doc, id) VALUES (?,?,?,?,?,?,?,?)"
        : "UPDATE raw_files SET sha256=?, test_id=?, sample_id=?, import_job_id=?, operator=?, uploaded_at=?, doc=? WHERE id=?",
      params,
    );
  }

  /** The `rawFiles` API of the store. */
  api(): RawFileApi {
    const INSERT_PIECE = "INSERT INTO raw_chunks (file_id, n, bytes) VALUES (?,?,?)";
    /** Pieces and description in one transaction; bytes already stored write nothing. */
    const save = (packed: PackedRawFile, fields: RawFileFields): Upserted<RawDataFile> =>
      this.#db.tx(() => {
        const existing = this.#byHash(packed.sha256);
        if (existing) return { doc: existing, created: false };
        const id = newId();
        let n = 0;
        for (const piece of packed.pieces) this.#db.run(INSERT_PIECE, [id, n++, piece]);
        if (n === 0) this.#db.run(INSERT_PIECE, [id, 0, new Uint8Array(0)]);
        const file: RawDataFile = {
          id,
          ...fields,
          sha256: packed.sha256,
          size_bytes: packed.size,
          uploaded_at: nowIso(),
        };
        if (packed.encoding) file.encoding = packed.encoding;
        this.#write(file, true);
        return { doc: file, created: true };
      });
    const put = async (
      bytes: Uint8Array | ReadableStream<Uint8Array> | PackedRawFile,
      raw: RawFileInput,
    ): Promise<Upserted<RawDataFile>> => {
      const { fields, sha256: given } = completeRawFileInput(raw);
      checkRawBytes(bytes);
      if (bytes instanceof Uint8Array || isPackedRaw(bytes)) {
        if (bytes instanceof Uint8Array) {
          // Known bytes are not compressed again.
          const existing = given === null ? null : this.#byHash(given);
          if (existing) return { doc: existing, created: false };
        }
        const packed = bytes instanceof Uint8Array ? packRaw(bytes) : bytes;
        checkGivenSha256(fields.file_name, { given, actual: packed.sha256 });
        return save(packed, fields);
      }
      // The stream is collected first (in memory, beyond SPOOL_MEMORY_BYTES in a temporary
      // file) and then written with its description in one transaction: a stream that fails,
      // a store closed meanwhile or a process that dies midway leaves no piece behind.
      const spool = await spoolStream(bytes, {
        pieceBytes: RAW_PIECE_BYTES,
        memoryBytes: SPOOL_MEMORY_BYTES,
      });
      try {
        checkGivenSha256(fields.file_name, { given, actual: spool.sha256 });
        const packer = new RawPacker();
        for (const piece of spool.pieces()) packer.push(piece);
        return save(packer.finish(), fields);
      } finally {
        await spool.dispose();
      }
    };
    const open = (id: string): ReadableStream<Uint8Array> => {
      const file = this.#byId(id);
      if (!file) throw new NotFoundError("raw file", id);
      const encoding = file.encoding ?? null;
      const verify = new RawVerifier(file);
      let n = 0;
      return new ReadableStream<Uint8Array>({
        pull: (controller) => {
          let row: Row | undefined;
          try {
            row = this.#db.get("SELECT bytes FROM raw_chunks WHERE file_id = ? AND n = ?", [
              id,
              n++,
            ]);
          } catch (error) {
            throw this.#db.unavailable(error);
          }
          const piece = row ? decodePiece(row.bytes as Uint8Array, encoding) : null;
          if (piece && piece.length > 0) {
            verify.update(piece);
            controller.enqueue(piece);
          } else {
            verify.finish(); // a damaged archive errors the stream instead of ending it
            controller.close();
          }
        },
      });
    };
    return {
      put: (bytes, input) =>
        put(bytes, input).catch((error) => Promise.reject(this.#db.unavailable(error))),
      get: (id) => this.#db.async(() => this.#byId(id)),
      getByHash: (sha256) => this.#db.async(() => this.#byHash(String(sha256).toLowerCase())),
      find: (filter: RawFileFilter = {}) =>
        this.#db.async(() => {
          const { limit, skip } = checkPage(filter);
          const w = where(filter, ["test_id", "sample_id", "import_job_id", "operator"]);
          return this.#db.all(
            `SELECT doc FROM raw_files ${w.where} ORDER BY uploaded_at DESC, id DESC LIMIT ? OFFSET ?`,
            [...w.params, limit ?? -1, skip],
          ).map((r) => JSON.parse(r.doc as string));
        }),
      open: (id) => this.#db.async(() => open(id)),
      read: (id) =>
        this.#db.async(() => {
          const file = this.#byId(id);
          if (!file) throw new NotFoundError("raw file", id);
          const out = new Uint8Array(file.size_bytes);
          const verify = new RawVerifier(file);
          let at = 0;
          for (
            const row of this.#db.all("SELECT bytes FROM raw_chunks WHERE file_id = ? ORDER BY n", [
              id,
            ])
          ) {
            const piece = decodePiece(row.bytes as Uint8Array, file.encoding ?? null);
            verify.update(piece);
            out.set(piece, at);
            at += piece.length;
          }
          verify.finish();
          return out;
        }),
      update: (id, patch: RawFilePatch) =>
        this.#db.async(() => {
          const fields = checkRawFilePatch(patch ?? {}, `Raw file "${id}"`);
          return this.#db.tx(() => {
            const file = this.#byId(id);
            if (!file) throw new NotFoundError("raw file", id);
            const next = { ...file, ...fields };
            this.#write(next, false);
            return next;
          });
        }),
      delete: (id) =>
        this.#db.async(() =>
          this.#db.tx(() => {
            if (!this.#byId(id)) throw new NotFoundError("raw file", id);
            this.#db.run("DELETE FROM raw_chunks WHERE file_id = ?", [id]);
            this.#db.run("DELETE FROM raw_files WHERE id = ?", [id]);
          })
        ),
    };
  }
}
