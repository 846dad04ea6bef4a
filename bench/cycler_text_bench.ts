// Copyright 2026 the battery-analysis authors. MIT license.
// Throughput of the text cycler readers and the BDF exporter on a ~9 MB Maccor export made by
// repeating the data rows of a real fixture (BEEP's PredictionDiagnostics_000151_test.052).

import { maccorText } from "../parsers/maccor_text.ts";
import { bdfCsv } from "../parsers/bdf_csv.ts";
import { toBdfCsv } from "../parsers/to_bdf.ts";

const raw = new TextDecoder().decode(
  Deno.readFileSync(
    new URL("../tests/fixtures/maccor/PredictionDiagnostics_000151_test.052", import.meta.url),
  ),
);
const lines = raw.split("\r\n");
const body = lines.slice(2).filter((l) => l.trim() !== "");
const big = new TextEncoder().encode(
  [lines[0], lines[1], ...Array.from({ length: 100 }, () => body).flat()].join("\r\n") + "\r\n",
);
const series = maccorText.parse(big, { fileName: "big.052" }).series!;
const bdf = new TextEncoder().encode(toBdfCsv(series));

Deno.bench(`maccorText.parse ${(big.length / 1e6).toFixed(1)} MB (${series.length} rows)`, () => {
  maccorText.parse(big, { fileName: "big.052" });
});
Deno.bench(`toBdfCsv ${series.length} rows`, () => {
  toBdfCsv(series);
});
Deno.bench(`bdfCsv.parse ${(bdf.length / 1e6).toFixed(1)} MB`, () => {
  bdfCsv.parse(bdf, { fileName: "big.bdf.csv" });
});
