// Copyright 2026 the battery-analysis authors. MIT license.
// User-defined column mappings (issue 13 item 9). Expected values: the same file read by the
// reader that knows its format, or synthetic text with the answer written next to it.
import { deepEqual, equal, match, throws } from "node:assert/strict";
import { checkColumnMapping } from "../../parsers/column_mapping.ts";
import { parseMappedCsv } from "../../parsers/mapped_csv.ts";
import { parseGenericCsv } from "../../parsers/generic_csv.ts";
import { ParseError } from "../../parsers/parse_error.ts";
import { loadColumnMapping } from "../../lib/summarize/load_column_mapping.ts";
import { fixturePath, readFixture } from "../_util.ts";

const enc = (s: string) => new TextEncoder().encode(s);

Deno.test("parseMappedCsv() reads cellpy's custom test file as the generic reader does", async () => {
  const mapping = await loadColumnMapping(fixturePath("mappings/cellpy_custom_small.json"));
  const name = "bad/custom_good_small.csv";
  const mapped = parseMappedCsv(readFixture(name), { fileName: name, mapping }).series!;
  const generic = parseGenericCsv(readFixture(name), { fileName: name }).series!;
  equal(mapped.length, 60);
  for (const key of ["time_s", "voltage_V", "current_A", "charge_capacity_Ah"] as const) {
    deepEqual([...mapped[key]], [...generic[key]]);
  }
  deepEqual([...mapped.cycle_index], [...generic.cycle_index]);
});

Deno.test("parseMappedCsv() reads date-time time, decimal commas and a current positive on discharge", () => {
  // Three rows an hour apart at 2 A of discharge (written +2000 mA): time 0, 3600, 7200 s;
  // current −2 A; the single capacity counter 0, 2, 4 Ah goes to the discharge counter.
  const text = "Export v1\nDate;Spannung;Strom;Kapazitaet\n" +
    "21.07.2023 10:00:00;3,700;2000;0\n21.07.2023 11:00:00;3,600;2000;2000\n" +
    "21.07.2023 12:00:00;3,500;2000;4000\n";
  const { series, meta } = parseMappedCsv(enc(text), {
    fileName: "lab.csv",
    mapping: checkColumnMapping({
      name: "lab",
      delimiter: ";",
      decimal: ",",
      time_format: "datetime",
      date_order: "dmy",
      current_sign: "positive_discharge",
      columns: {
        time: "Date",
        voltage: "Spannung",
        current: { name: "Strom", unit: "mA" },
        capacity: { name: "Kapazitaet", unit: "mAh" },
      },
    }),
  });
  deepEqual([...series!.time_s], [0, 3600, 7200]);
  deepEqual([...series!.voltage_V], [3.7, 3.6, 3.5]);
  deepEqual([...series!.current_A], [-2, -2, -2]);
  deepEqual([...series!.discharge_capacity_Ah], [0, 2, 4]);
  deepEqual([...series!.charge_capacity_Ah], [0, 0, 0]);
  equal(series!.start_time, "2023-07-21T10:00:00");
  equal(meta.instrument, "lab");
  match(series!.columns.current_A.note!, /negated/);
});

Deno.test("column mappings: bad keys and missing titles are named", () => {
  throws(
    () => checkColumnMapping({ columns: { time: "t", voltage: "U", current: "I", volts: "x" } }),
    /columns\.volts/,
  );
  throws(() => checkColumnMapping({ time_format: "hours", columns: {} }), /time_format/);
  throws(
    () =>
      parseMappedCsv(enc("a,b\n1,2\n"), {
        fileName: "x.csv",
        mapping: checkColumnMapping({ columns: { time: "t", voltage: "U", current: "I" } }),
      }),
    (e: unknown) =>
      e instanceof ParseError &&
      /no line in the first 200 lines holds every mapped column \("t", "U", "I"\)/.test(e.message),
  );
});

Deno.test("parseFile() (the import tools' reader) uses a column mapping before the instrument readers", async () => {
  const { parseFile } = await import("../../lib/import/parse_file.ts");
  const mapping = await loadColumnMapping(fixturePath("mappings/arbin_as_custom.toml"));
  const path = fixturePath("arbin/BL_Zn_SymCell_072023_04_1mAh_Channel_54_Wb_1.CSV");
  const withMapping = await parseFile(path, { mapping, cycleMethod: "step" });
  const without = await parseFile(path, { cycleMethod: "step" });
  equal(withMapping.recording!.meta.format, "mapped_csv");
  equal(without.recording!.meta.format, "arbin_csv");
  // Same counters, so the same cycle table (36 cycles; see tests/cli/summarize_test.ts).
  deepEqual(
    withMapping.cycles.map((c) => [c.charge_capacity_Ah, c.discharge_capacity_Ah]),
    without.cycles.map((c) => [c.charge_capacity_Ah, c.discharge_capacity_Ah]),
  );
  equal(withMapping.cycles.length, 36);
});
