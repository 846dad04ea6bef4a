// Copyright 2026 the battery-analysis authors. MIT license.
// readNumericCsv and parseArbinCsv read a ByteSource in chunks. The result (columns bit for bit,
// header, preamble, first row, warnings) and every error (message, line, offset) must be those
// of reading the same bytes whole. Sources that deliver a few bytes per call put a chunk
// boundary at every position: inside numbers, between CR and LF, inside a quoted field.
import { deepEqual, equal, ok } from "node:assert/strict";
import { join } from "node:path";
import { readNumericCsv } from "../../parsers/_csv_numeric.ts";
import { type ByteSource, byteSource } from "../../parsers/byte_source.ts";
import { parseArbinCsv } from "../../parsers/arbin_csv.ts";
import { arbinCsv } from "../../parsers/arbin_csv.ts";
import { openFileSource } from "../../lib/file_source.ts";
import { generateArbinCsv } from "../../bench/_gen_arbin_csv.ts";
import { fixturePath } from "../_util.ts";

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

/** A source that hands out at most `max` bytes per call (sizes vary with a seed). */
function trickle(bytes: Uint8Array, max: number, seed = 1): ByteSource {
  const inner = byteSource(bytes);
  return {
    size: bytes.length,
    readInto(into: Uint8Array, offset: number): number {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      const n = 1 + (seed % max);
      return inner.readInto(into.subarray(0, Math.min(n, into.length)), offset);
    },
  };
}

/** Typed arrays as plain arrays (-0 marked), recursively, so deepEqual compares bit for bit. */
function plain(x: unknown): unknown {
  if (ArrayBuffer.isView(x) && !(x instanceof DataView)) {
    return Array.from(x as Float64Array, (v) => (Object.is(v, -0) ? "-0" : v));
  }
  if (Array.isArray(x)) return x.map(plain);
  if (x && typeof x === "object") {
    return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, plain(v)]));
  }
  return x;
}

/** Everything a read gives, or the error it throws, in comparable form. */
function outcome(read: () => unknown): unknown {
  try {
    return plain(read());
  } catch (e) {
    const err = e as Error & { line?: unknown; offset?: unknown };
    return { error: err.name, message: err.message, line: err.line, offset: err.offset };
  }
}

const CASES: Record<string, string> = {
  crlf: "a,b,c\r\n1,2,3\r\n4.5,-6e3,7\r\n",
  crlf_bad: "a,b\r\n1,2\r\n3,4\r\n5,6\r\n7,x\r\n",
  crlf_truncated: "a,b,c\r\n1,2,3\r\n4,5,6\r\n7,8",
  lf_preamble: "title\nmore\nx;y\n1;2\n3;4\n",
  cr_only: "x,y\r1,2\r3,4\r5,6",
  bom_tab: "\uFEFFt\tv\n0\t1\n\n1\t2\n",
  truncated_last: "a,b,c\n1,2,3\n4,5",
  no_final_newline: "a,b\n1,2\n3,4",
  inf_nan: "a,b\n1,inf\nNaN,2\n-inf,3\n",
  quoted: 'a,"b, c",d\n1,"2",3\n"4", 5 ,6\n',
  blank_lines: "a,b\n1,2\n,\n \n3,4\n\n",
  bad_number: "a,b\n1,2\n3,x\n",
  too_many_fields: "a,b\n1,2\n3,4,5\n",
  too_few_fields: "a,b\n1,2\n3\n4,5\n",
  header_only: "a,b\n",
  empty: "",
  long_mantissa: "a\n123456789012345678901234567890\n0.1234567890123456789\n",
};

Deno.test("readNumericCsv: a source read in chunks gives what the whole bytes give", () => {
  for (const [name, text] of Object.entries(CASES)) {
    const bytes = enc(text);
    const whole = outcome(() => readNumericCsv(bytes, { fileName: "x.csv" }));
    for (const max of [1, 2, 3, 7, 64]) {
      deepEqual(
        outcome(() => readNumericCsv(trickle(bytes, max), { fileName: "x.csv" })),
        whole,
        `${name}, ≤ ${max} bytes per read`,
      );
    }
  }
});

Deno.test("readNumericCsv: a line longer than the 1 MiB chunk grows the buffer", () => {
  // A skipped text column of 1.5 MB on one row: the expected values are the numbers written.
  const long = "x".repeat(1_500_000);
  const text = `note,v\r\nshort,1\r\n${long},2\r\nend,3\r\n`;
  const csv = readNumericCsv(byteSource(enc(text)), {
    fileName: "long.csv",
    kinds: () => ["skip", "float"],
  });
  deepEqual(Array.from(csv.columns[1]!), [1, 2, 3]);
});

Deno.test("parseArbinCsv: streamed from a file equals parsed from bytes, on every Arbin CSV fixture and a generated 3 MB export", async () => {
  const dir = fixturePath("arbin");
  const files = [...Deno.readDirSync(dir)].filter((e) => /\.csv$/i.test(e.name)).map((e) =>
    join(dir, e.name)
  );
  const tmp = await Deno.makeTempDir();
  const generated = join(tmp, "gen_Channel_1_Wb_1.CSV");
  await Deno.writeFile(generated, generateArbinCsv(3e6).bytes);
  files.push(generated);
  let compared = 0;
  try {
    for (const path of files) {
      const bytes = Deno.readFileSync(path);
      if (arbinCsv.detect(bytes.subarray(0, 65536), path).confidence === 0) continue;
      const whole = outcome(() => parseArbinCsv(bytes, { fileName: path }));
      const source = openFileSource(path);
      try {
        deepEqual(outcome(() => parseArbinCsv(source, { fileName: path })), whole, path);
      } finally {
        source.close();
      }
      deepEqual(outcome(() => parseArbinCsv(trickle(bytes, 5000), { fileName: path })), whole);
      compared++;
    }
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
  ok(compared >= 8, `only ${compared} Arbin CSV files compared`);
});

Deno.test("readNumericCsv: a source whose header lies past the first 64 KiB", () => {
  // 3,000 preamble lines of 40 bytes (120 kB), then the header: the head is read again larger.
  const preamble = Array.from({ length: 3000 }, (_, k) => `# note ${String(k).padStart(30)}`);
  const text = preamble.join("\n") + "\nt,v\n1,2\n3,4\n";
  const csv = readNumericCsv(byteSource(enc(text)), {
    fileName: "p.csv",
    maxHeaderLine: 5000,
    isHeader: (f) => f[0] === "t",
  });
  equal(csv.headerLine, 3001);
  equal(csv.preamble.length, 3000);
  deepEqual(Array.from(csv.columns[1]!), [2, 4]);
});
