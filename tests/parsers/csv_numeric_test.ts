// Copyright 2026 the battery-analysis authors. MIT license.

import { deepEqual, equal, ok, throws } from "node:assert/strict";
import { readNumericCsv, splitFields } from "../../parsers/_csv_numeric.ts";
import { ParseError } from "../../parsers/parse_error.ts";

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

/** Deterministic PRNG so a failure can be reproduced. */
function lcg(seed: number): () => number {
  return () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
}

function randomNumberText(rand: () => number): string {
  const digits = (count: number): string => {
    let s = "";
    for (let i = 0; i < count; i++) s += Math.floor(rand() * 10);
    return s;
  };
  const sign = rand() < 0.3 ? "-" : rand() < 0.05 ? "+" : "";
  const r = rand();
  const int = digits(Math.floor(rand() * (r < 0.1 ? 22 : 8)) + (r < 0.9 ? 1 : 0));
  const frac = rand() < 0.8 ? "." + digits(Math.floor(rand() * (r < 0.2 ? 25 : 10))) : "";
  const body = int === "" && (frac === "" || frac === ".") ? "0" : int + frac;
  const exp = rand() < 0.3
    ? (rand() < 0.5 ? "e" : "E") + (rand() < 0.5 ? "-" : rand() < 0.5 ? "+" : "") +
      Math.floor(rand() * (rand() < 0.2 ? 400 : 30))
    : "";
  return sign + body + exp;
}

Deno.test("readNumericCsv() gives bit-for-bit the same numbers as parseFloat", () => {
  // The expected values are parseFloat's own results on the same texts.
  const rand = lcg(42);
  const texts: string[] = [
    "0",
    "-0",
    "-0.00000",
    "0.1",
    "9007199254740993",
    "123456789012345678",
    "1.7976931348623157e308",
    "5e-324",
    "1e23",
    "4.35",
    "-1.1444092e-05",
    "1494645243.4715",
    ".5",
    "5.",
    "1E+2",
  ];
  for (let i = 0; i < 20000; i++) texts.push(randomNumberText(rand));
  const rows = [];
  for (let i = 0; i < texts.length; i += 4) rows.push(texts.slice(i, i + 4).join(","));
  const last = rows[rows.length - 1].split(",").length;
  const padded = rows.map((
    r,
    i,
  ) => (i === rows.length - 1 && last < 4 ? r + ",0".repeat(4 - last) : r));
  const csv = readNumericCsv(enc("a,b,c,d\n" + padded.join("\n") + "\n"), { fileName: "r.csv" });
  equal(csv.length, rows.length);
  for (let i = 0; i < texts.length; i++) {
    const got = (csv.columns[i % 4] as Float64Array)[Math.floor(i / 4)];
    ok(
      Object.is(got, parseFloat(texts[i])),
      `"${texts[i]}": got ${got}, parseFloat ${parseFloat(texts[i])}`,
    );
  }
});

Deno.test("readNumericCsv() reads BOM, CRLF, quoted header fields, empty fields and int columns", () => {
  const text =
    '\uFEFF"Time, s",Step,"Voltage ""V"""\r\n1.5,2,3.25\r\n2.5,3,\r\n\r\n3.5,4,"4.5"\r\n';
  const csv = readNumericCsv(enc(text), {
    fileName: "q.csv",
    kinds: (h) => h.map((x) => (x === "Step" ? "int" : "float")),
  });
  deepEqual(csv.header, ["Time, s", "Step", 'Voltage "V"']);
  equal(csv.length, 3);
  deepEqual([...csv.columns[0]!], [1.5, 2.5, 3.5]);
  ok(csv.columns[1] instanceof Int32Array);
  deepEqual([...csv.columns[1]!], [2, 3, 4]);
  const v = csv.columns[2]!;
  equal(v[0], 3.25);
  ok(Number.isNaN(v[1]));
  equal(v[2], 4.5);
  deepEqual(csv.firstRow, ["1.5", "2", "3.25"]);
  equal(csv.firstRowLine, 2);
  equal(csv.truncated, null);
});

Deno.test("readNumericCsv() guesses tab and semicolon delimiters and keeps the preamble", () => {
  const tab = readNumericCsv(enc("t\tv\n1\t2\n"), { fileName: "t.txt" });
  equal(tab.delimiter, "\t");
  deepEqual([...tab.columns[1]!], [2]);
  const semi = readNumericCsv(
    enc("operator;me;;\nmass;0.5;;\ntime;volt\n1,5;2\n".replace("1,5", "1.5")),
    {
      fileName: "s.csv",
      isHeader: (f) => f.includes("volt"),
    },
  );
  equal(semi.delimiter, ";");
  equal(semi.headerLine, 3);
  deepEqual(semi.preamble, [["operator", "me", "", ""], ["mass", "0.5", "", ""]]);
  deepEqual([...semi.columns[0]!], [1.5]);
});

Deno.test("readNumericCsv() skips text columns and grows past its row estimate", () => {
  // First 64 KiB of long lines make the estimate small; the short lines after must still fit.
  const long = "x".repeat(200);
  let text = "name,value\n";
  for (let i = 0; i < 400; i++) text += `${long},${i}\n`;
  for (let i = 400; i < 5000; i++) text += `a,${i}\n`;
  const csv = readNumericCsv(enc(text), {
    fileName: "g.csv",
    kinds: () => ["skip", "int"],
  });
  equal(csv.columns[0], null);
  equal(csv.length, 5000);
  equal(csv.columns[1]![4999], 4999);
  equal(csv.columns[1]![123], 123);
});

Deno.test("readNumericCsv() names line and offset of a row with the wrong field count", () => {
  const text = "a,b,c\n1,2,3\n4,5\n";
  throws(() => readNumericCsv(enc(text), { fileName: "x.csv" }), (e: unknown) => {
    ok(e instanceof ParseError);
    equal(e.message, 'Cannot parse "x.csv": line 3 has 2 fields, expected 3');
    equal(e.line, 3);
    equal(e.offset, 12); // "a,b,c\n" (6) + "1,2,3\n" (6)
    return true;
  });
  throws(
    () => readNumericCsv(enc("a,b\n1,2\n3,4,5\n"), { fileName: "x.csv" }),
    { name: "ParseError", message: 'Cannot parse "x.csv": line 3 has 3 fields, expected 2' },
  );
});

Deno.test("readNumericCsv() names line, column and text of a value that is not a number", () => {
  throws(
    () => readNumericCsv(enc("a,b\n1,2\n3,4x\n"), { fileName: "x.csv" }),
    { message: 'Cannot parse "x.csv": line 3, column "b": "4x" is not a number' },
  );
  throws(
    () =>
      readNumericCsv(enc("a,b\n1,2\n3,4.5\n"), {
        fileName: "x.csv",
        kinds: () => ["float", "int"],
      }),
    { message: 'Cannot parse "x.csv": line 3, column "b": "4.5" is not an integer' },
  );
  throws(() => readNumericCsv(new Uint8Array(0), { fileName: "e.csv" }), {
    message: 'Cannot parse "e.csv": the file is empty',
  });
});

Deno.test("readNumericCsv() reports a truncated last line instead of reading it", () => {
  const csv = readNumericCsv(enc("a,b,c\n1,2,3\n4,5"), { fileName: "x.csv" });
  equal(csv.length, 1);
  deepEqual(csv.truncated, { line: 3, offset: 12, fields: 2 });
  // A complete last line without a line end is an ordinary row.
  const full = readNumericCsv(enc("a,b\n1,2\n3,4"), { fileName: "x.csv" });
  equal(full.length, 2);
  equal(full.columns[1]![1], 4);
  equal(full.truncated, null);
  // A short line in the middle is an error, not a truncation.
  throws(() => readNumericCsv(enc("a,b,c\n4,5\n1,2,3\n"), { fileName: "x.csv" }), ParseError);
});

Deno.test("readNumericCsv() stores inf and nan as NaN and reports them per column", () => {
  const csv = readNumericCsv(enc("a,b\n1,inf\n2,-inf\n3,NaN\n4,5\n"), { fileName: "x.csv" });
  equal(csv.length, 4);
  ok(Number.isNaN(csv.columns[1]![0]));
  equal(csv.columns[1]![3], 5);
  deepEqual(csv.nonFinite, [{ column: 1, count: 3, firstLine: 2, firstText: "inf" }]);
});

Deno.test("splitFields() trims, unquotes and keeps delimiters inside quotes", () => {
  deepEqual(splitFields(' a , "b,c" ,"d""e",', ","), ["a", "b,c", 'd"e', ""]);
  deepEqual(splitFields("1,\t09/20/2024 08:32:34.558", ","), ["1", "09/20/2024 08:32:34.558"]);
});
