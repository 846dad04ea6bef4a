// Copyright 2026 the battery-analysis authors. MIT license.
// Raw-file export: verified bytes, temporary file then rename, no overwrite, safe names.

import { deepStrictEqual, equal, rejects } from "node:assert/strict";
import { join } from "node:path";
import { exportRawFiles, IntegrityError, writeRawFile } from "../../lib/export_raw_files.ts";
import { safeFileName } from "../../lib/safe_file_name.ts";
import { SqliteStore } from "../../lib/store/sqlite_store.ts";
import type { Store } from "../../lib/store/store.ts";
import { readFixture } from "../_util.ts";

/** The same store, but `rawFiles.open` of `corruptId` flips one byte of the stream. */
function corrupting(store: Store, corruptId: string): Store {
  const rawFiles = Object.create(store.rawFiles);
  rawFiles.open = async (id: string) => {
    const stream = await store.rawFiles.open(id);
    if (id !== corruptId) return stream;
    let first = true;
    return stream.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          const copy = chunk.slice();
          if (first && copy.length > 0) copy[0] ^= 0xff;
          first = false;
          controller.enqueue(copy);
        },
      }),
    );
  };
  return { ...store, rawFiles, describe: () => store.describe(), close: () => store.close() };
}

async function setup() {
  const store = await SqliteStore.open({ path: ":memory:" });
  const a = readFixture("maccor/maccor_example.001");
  const b = readFixture("maccor/maccor_example.002");
  const docA = (await store.rawFiles.put(a, { file_name: "maccor_example.001" })).doc;
  const docB = (await store.rawFiles.put(b, { file_name: "../../maccor_example.002" })).doc;
  const dir = await Deno.makeTempDir({ prefix: "battery_export_" });
  return { store, a, b, docA, docB, dir };
}

Deno.test("exportRawFiles() writes verified copies and keeps stored names inside the directory", async () => {
  const { store, a, b, docA, docB, dir } = await setup();
  try {
    const out = join(dir, "parts");
    const written = await exportRawFiles(store, [docA, docB], { out });
    // "../../maccor_example.002" is written as maccor_example.002 inside `out`.
    deepStrictEqual(written.map((w) => w.path), [
      join(out, "maccor_example.001"),
      join(out, "maccor_example.002"),
    ]);
    deepStrictEqual(await Deno.readFile(written[0].path), a);
    deepStrictEqual(await Deno.readFile(written[1].path), b);
    deepStrictEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["parts"]);
    // No overwrite without force; with force the file is replaced.
    await Deno.writeTextFile(written[0].path, "edited");
    await rejects(exportRawFiles(store, [docA], { out: written[0].path }), /use --force/);
    equal(await Deno.readTextFile(written[0].path), "edited");
    await exportRawFiles(store, [docA], { out: written[0].path, force: true });
    deepStrictEqual(await Deno.readFile(written[0].path), a);
  } finally {
    await store.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("exportRawFiles() leaves no file when the stored bytes do not match their SHA-256", async () => {
  const { store, docA, docB, dir } = await setup();
  try {
    const bad = corrupting(store, docB.id);
    // The second file is corrupt: neither file is placed (all or nothing), no temporary remains.
    await rejects(
      exportRawFiles(bad, [docA, docB], { out: dir }),
      (e: Error) => e instanceof IntegrityError && /expected .* SHA-256 /.test(e.message),
    );
    deepStrictEqual([...Deno.readDirSync(dir)], []);
    // Standard output: a small file is verified before the first byte is written.
    const chunks: Uint8Array[] = [];
    await rejects(writeRawFile(bad, docB, { write: (c) => chunks.push(c) }), IntegrityError);
    equal(chunks.length, 0);
  } finally {
    await store.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("safeFileName() never yields a path", () => {
  // Each stored name must become one plain name that `join(dir, name)` keeps inside `dir`.
  const cases: [string, string][] = [
    ["cell.csv", "cell.csv"],
    ["../../etc/passwd", "passwd"],
    ["/abs/path/x.mpt", "x.mpt"],
    ["C:\\Users\\lab\\run_Wb_1.CSV", "run_Wb_1.CSV"],
    ["..", "_.."],
    ["dir/", "_"],
    ["", "_"],
    ["a\u0000b\nc.csv", "a_b_c.csv"],
    ["con", "_con"],
    ["LPT1.txt", "_LPT1.txt"],
  ];
  for (const [input, expected] of cases) equal(safeFileName(input), expected, input);
  const long = safeFileName("x".repeat(300) + ".csv");
  equal(new TextEncoder().encode(long).length, 200);
  equal(long.endsWith(".csv"), true);
});
