// Copyright 2026 the battery-analysis authors. MIT license.
// deno-lint-ignore-file no-console

/**
 * Get archived instrument files back out of the store, or list them.
 *
 * ```sh
 * deno run -A cli/raw_file.ts download FILE_ID [--out PATH] [--force]
 * deno run -A cli/raw_file.ts by-test TEST_ID [--out PATH] [--force]
 * deno run -A cli/raw_file.ts list [--test ID] [--sample NAME]
 * ```
 *
 * @module
 */

import type { CliSpec } from "../lib/cli/cli_spec.ts";
import { storeJson } from "../lib/cli/store_json.ts";
import { runCli } from "../lib/cli/run_cli.ts";
import { UsageError } from "../lib/cli/usage_error.ts";
import { formatTable } from "../lib/cli/format_table.ts";
import type { RawDataFile } from "../lib/store/documents.ts";
import type { Store } from "../lib/store/store.ts";

const SPEC = {
  name: "raw_file",
  summary: [
    "Get archived instrument files back out of the battery-analysis store, or list them.",
    "",
    "  download FILE_ID   one raw file by its id",
    "  by-test TEST_ID    the raw file(s) of a test",
    "  list               archived files (newest first), optionally of one test or sample",
    "",
    "Without --out the bytes go to standard output (refused when it is a terminal). With",
    "--out PATH the file is written there; when PATH is an existing directory the file keeps",
    "its stored name inside it. A test imported from several files (_Wb_1, _Wb_2, .001, .002)",
    "has several raw files: by-test then needs --out DIR and writes each under its stored name.",
    "",
    "Every file is checked against its stored SHA-256 and size before it is placed: a mismatch",
    "is an error and leaves no file. Files are written under a temporary name and renamed, so",
    "there is never a partial file; an existing file is kept unless --force. Stored names are",
    'sanitized (directories, "..", characters Windows forbids), so nothing is written outside',
    "the chosen path. Exit code 0 on success, 1 when nothing is found or bytes fail",
    "verification, 2 on usage errors.",
  ].join("\n"),
  usage: "download FILE_ID [--out PATH] [--force]\n  raw_file by-test TEST_ID [--out PATH] " +
    "[--force]\n  raw_file list [--test ID] [--sample NAME]",
  store: true,
  options: {
    out: {
      type: "string",
      short: "o",
      value: "PATH",
      description: "file or directory to write to (default: standard output)",
    },
    force: { type: "boolean", description: "replace existing files" },
    test: { type: "string", value: "ID", description: "list: only files of this test" },
    sample: { type: "string", value: "NAME", description: "list: only files of this sample" },
    limit: {
      type: "integer",
      value: "N",
      default: 100,
      min: 0,
      description: "list: at most N files (0 = all)",
    },
  },
  examples: [
    "raw_file list --sample BL_Zn_SymCell_072023_04_1mAh",
    "raw_file download 6b06d8f17fc9cdc5dddec213 --out cell.csv",
    "raw_file by-test 6b06d8f17fc9cdc5dddec214 --out parts/",
    "raw_file download 6b06d8f17fc9cdc5dddec213 | head",
  ],
} as const satisfies CliSpec;

/** Run the tool. @param args Command-line arguments. @returns Exit code. */
export function main(args: string[]): Promise<number> {
  return runCli(SPEC, args, async (cli) => {
    const v = cli.values;
    const [command, id, ...rest] = cli.positionals;
    if (!command) throw new UsageError("give a command: download, by-test or list");
    if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"`);
    const out = v.out;
    if (command === "list") {
      if (id !== undefined) throw new UsageError(`list takes no argument, got "${id}"`);
      if (out !== undefined) throw new UsageError("--out is for download and by-test");
    } else if (command === "download" || command === "by-test") {
      if (!id) {
        throw new UsageError(`${command} needs ${command === "download" ? "FILE_ID" : "TEST_ID"}`);
      }
      if (v.test !== undefined || v.sample !== undefined) {
        throw new UsageError("--test and --sample are for list");
      }
      if (out === undefined && Deno.stdout.isTerminal()) {
        throw new UsageError(
          "standard output is a terminal; give --out PATH or redirect the output to a file",
        );
      }
    } else {
      throw new UsageError(`unknown command "${command}" (download, by-test or list)`);
    }
    const { exportRawFiles, IntegrityError, writeRawFile } = await import(
      "../lib/export_raw_files.ts"
    );
    const { openCliStore } = await import("../lib/cli/open_cli_store.ts");
    const store = await openCliStore(cli, { readOnly: true });
    try {
      if (command === "list") {
        return await list(store, {
          json: cli.json,
          test: v.test,
          sample: v.sample,
          limit: v.limit,
        });
      }
      let docs: RawDataFile[];
      if (command === "download") {
        const doc = await store.rawFiles.get(id);
        if (!doc) throw new RangeError(`no raw file with id "${id}"`);
        docs = [doc];
      } else {
        const test = await store.tests.get(id);
        if (!test) throw new RangeError(`no test with id "${id}"`);
        docs = await rawFilesOfTest(store, test.id, test.parts.map((p) => p.file_hash));
        if (docs.length === 0) {
          throw new RangeError(
            `no raw file archived for test ${id} ("${test.name}"); was it imported with ` +
              `--no-archive?`,
          );
        }
        if (docs.length > 1 && out === undefined) {
          throw new UsageError(
            `test ${id} has ${docs.length} raw files (${
              docs.map((d) => d.file_name).join(", ")
            }); give --out DIR to write them into a directory`,
          );
        }
      }
      try {
        if (out === undefined) {
          await writeRawFile(store, docs[0], { write: (c) => writeAll(c) });
          return 0;
        }
        const written = await exportRawFiles(store, docs, {
          out,
          force: v.force,
          directory: command === "by-test" && docs.length > 1 ? true : undefined,
        });
        if (cli.json) console.log(storeJson(store, { written }));
        else {
          for (const f of written) {
            console.log(`Wrote ${f.path} (${f.size_bytes} bytes, SHA-256 ${f.sha256} verified)`);
          }
        }
        return 0;
      } catch (error) {
        if (error instanceof IntegrityError) {
          throw new IntegrityError(`${error.message}; nothing was written`);
        }
        throw error;
      }
    } finally {
      await store.close();
    }
  });
}

async function writeAll(chunk: Uint8Array): Promise<void> {
  for (let off = 0; off < chunk.length;) off += await Deno.stdout.write(chunk.subarray(off));
}

/** A test's raw files: its parts in order, then any other file linked to it. */
async function rawFilesOfTest(
  store: Store,
  testId: string,
  partHashes: string[],
): Promise<RawDataFile[]> {
  const linked = await store.rawFiles.find({ test_id: testId });
  const byHash = new Map(linked.map((d) => [d.sha256, d]));
  const docs: RawDataFile[] = [];
  for (const hash of partHashes) {
    const doc = byHash.get(hash) ?? (await store.rawFiles.getByHash(hash));
    if (doc && !docs.includes(doc)) docs.push(doc);
    byHash.delete(hash);
  }
  return [...docs, ...byHash.values()];
}

async function list(
  store: Store,
  v: { json: boolean; test?: string; sample?: string; limit: number },
): Promise<number> {
  const limit = v.limit;
  let sampleId: string | undefined;
  if (v.sample !== undefined) {
    const sample = await store.samples.getByName(v.sample);
    if (!sample) throw new RangeError(`no sample named "${v.sample}"`);
    sampleId = sample.id;
  }
  const docs = await store.rawFiles.find({
    ...(v.test !== undefined ? { test_id: v.test } : {}),
    ...(sampleId !== undefined ? { sample_id: sampleId } : {}),
    ...(limit > 0 ? { limit } : {}),
  });
  if (v.json) {
    console.log(storeJson(store, { raw_files: docs }));
    return 0;
  }
  if (docs.length === 0) {
    console.log("No raw files found.");
    return 0;
  }
  const rows = docs.map((d) => [
    d.id,
    d.file_name,
    d.size_bytes,
    d.sha256.slice(0, 12),
    d.test_id ?? "",
    d.uploaded_at.slice(0, 19).replace("T", " "),
  ]);
  for (const line of formatTable(["ID", "File", "Bytes", "SHA-256", "Test", "Uploaded"], rows)) {
    console.log(line);
  }
  if (limit > 0 && docs.length === limit) {
    console.log(`(first ${limit}; use --limit 0 for all)`);
  }
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
