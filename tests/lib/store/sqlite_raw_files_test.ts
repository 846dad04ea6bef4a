// Copyright 2026 the battery-analysis authors. MIT license.
// SQLite raw files leave no orphan pieces: a stream that fails midway, a process killed midway
// and pieces left by an older writer (pieces first, description later) are all checked by
// counting the rows of `raw_chunks` directly in the database file.

import { deepStrictEqual as deepEqual, equal, ok, rejects } from "node:assert/strict";
import { createHash } from "node:crypto";
import { DatabaseSync } from "node:sqlite";
import { SqliteStore } from "../../../lib/store/sqlite_store.ts";
import { spoolStream } from "../../../lib/store/_spool.ts";
import { makeBytes } from "./_fixtures.ts";

const MiB = 1 << 20;

function rows(path: string, table: string): number {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    return (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  } finally {
    db.close();
  }
}

/** A stream of `pieces` MiB pieces, then an error (or never an end, with `hang`). */
function failingStream(pieces: number): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream<Uint8Array>({
    pull(c) {
      if (sent++ < pieces) c.enqueue(makeBytes(MiB, sent));
      else c.error(new Error("the upload was cut"));
    },
  });
}

Deno.test("SqliteStore rawFiles.put(): a stream failing midway stores no piece", async () => {
  const dir = await Deno.makeTempDir({ prefix: "battery_raw_" });
  const path = `${dir}/b.db`;
  const store = await SqliteStore.open({ path });
  try {
    await store.rawFiles.put(makeBytes(10, 1), { file_name: "kept" });
    await rejects(store.rawFiles.put(failingStream(3), { file_name: "cut" }), /upload was cut/);
    equal(rows(path, "raw_files"), 1);
    equal(rows(path, "raw_chunks"), 1); // the kept file's one piece only
  } finally {
    await store.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("SqliteStore rawFiles.put(): a process killed mid-stream leaves no piece", async () => {
  const dir = await Deno.makeTempDir({ prefix: "battery_raw_" });
  const path = `${dir}/b.db`;
  const script = `${dir}/writer.ts`;
  const storeUrl = new URL("../../../lib/store/sqlite_store.ts", import.meta.url).href;
  // The child streams 3 MiB, says so, and then waits forever for more: it is killed there.
  await Deno.writeTextFile(
    script,
    `import { SqliteStore } from ${JSON.stringify(storeUrl)};
const store = await SqliteStore.open({ path: ${JSON.stringify(path)} });
let sent = 0;
const stream = new ReadableStream({
  pull(c) {
    if (sent < 3) { c.enqueue(new Uint8Array(${MiB}).fill(++sent)); return; }
    console.log("streaming");
    return new Promise(() => {});
  },
});
await store.rawFiles.put(stream, { file_name: "never.bin" });
`,
  );
  try {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "--quiet", "-A", script],
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let said = "";
    while (!said.includes("streaming")) {
      const { value, done } = await reader.read();
      if (done) break;
      said += value;
    }
    ok(said.includes("streaming"), said);
    child.kill("SIGKILL");
    await child.status;
    await reader.cancel();
    equal(rows(path, "raw_chunks"), 0);
    equal(rows(path, "raw_files"), 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("SqliteStore.open() removes pieces without a description, keeps stored files", async () => {
  const dir = await Deno.makeTempDir({ prefix: "battery_raw_" });
  const path = `${dir}/b.db`;
  try {
    const first = await SqliteStore.open({ path });
    const bytes = makeBytes(2 * MiB + 5, 3);
    const { doc } = await first.rawFiles.put(bytes, { file_name: "kept.csv" });
    await first.close();
    // What an older writer that died mid-upload left behind: pieces of an undescribed file.
    const db = new DatabaseSync(path);
    const insert = db.prepare("INSERT INTO raw_chunks (file_id, n, bytes) VALUES (?,?,?)");
    for (let n = 0; n < 3; n++) insert.run("0123456789abcdef01234567", n, makeBytes(1000, n));
    db.close();
    equal(rows(path, "raw_chunks"), 6);
    const again = await SqliteStore.open({ path });
    try {
      equal(rows(path, "raw_chunks"), 3); // the kept file: 2 MiB + 5 bytes in 1 MiB pieces
      deepEqual(await again.rawFiles.read(doc.id), bytes);
    } finally {
      await again.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("spoolStream() keeps small streams in memory and larger ones in a temporary file", async () => {
  for (const memoryBytes of [10 * MiB, 100_000]) {
    const parts = [makeBytes(700_000, 1), makeBytes(5, 2), makeBytes(1_300_001, 3)];
    const whole = new Uint8Array(await new Blob(parts as BlobPart[]).arrayBuffer());
    const spool = await spoolStream(
      new ReadableStream({
        start(c) {
          for (const p of parts) c.enqueue(p);
          c.close();
        },
      }),
      { pieceBytes: MiB, memoryBytes },
    );
    try {
      equal(spool.size, whole.length);
      // Expected hash: node:crypto over the concatenated input.
      equal(spool.sha256, createHash("sha256").update(whole).digest("hex"));
      const pieces = [...spool.pieces()];
      deepEqual(pieces.map((p) => p.length), [MiB, whole.length - MiB]);
      deepEqual(new Uint8Array(await new Blob(pieces as BlobPart[]).arrayBuffer()), whole);
    } finally {
      await spool.dispose();
    }
  }
  await rejects(
    spoolStream(failingStream(2), { pieceBytes: MiB, memoryBytes: 1000 }),
    /upload was cut/,
  );
});

Deno.test("SqliteStore rawFiles: compressed pieces are checked on every read", async () => {
  const dir = await Deno.makeTempDir({ prefix: "battery_raw_" });
  const path = `${dir}/b.db`;
  const text = new TextEncoder().encode("12.5,3.701,0.1\n".repeat(200_000)); // 3 MB of text
  let store = await SqliteStore.open({ path });
  let id: string;
  try {
    const put = await store.rawFiles.put(text, { file_name: "t.csv" });
    equal(put.doc.encoding, "zstd");
    id = put.doc.id;
  } finally {
    await store.close();
  }
  // The archive takes a small fraction of the file (3 MB of repeated lines).
  const db = new DatabaseSync(path);
  const stored = db.prepare("SELECT sum(length(bytes)) AS n FROM raw_chunks").get() as {
    n: number;
  };
  ok(stored.n < text.length / 20, `${stored.n} bytes stored for ${text.length}`);
  // Replace the second piece by the compression of other bytes of the same length: it
  // decompresses fine, but the file's SHA-256 no longer matches.
  const { compressPiece } = await import("../../../lib/store/raw_codec.ts");
  const forged = compressPiece(
    new TextEncoder().encode("99.9,9.999,9.9\n".repeat(69_906)).slice(0, MiB),
  );
  db.prepare("UPDATE raw_chunks SET bytes = ? WHERE file_id = ? AND n = 1").run(forged, id);
  db.close();
  store = await SqliteStore.open({ path });
  try {
    await rejects(store.rawFiles.read(id), /raw file .* is damaged in the store: .*SHA-256/);
    const stream = await store.rawFiles.open(id);
    await rejects(
      (async () => {
        for await (const _ of stream) { /* read to the end */ }
      })(),
      /damaged in the store/,
    );
  } finally {
    await store.close();
    await Deno.remove(dir, { recursive: true });
  }
});
