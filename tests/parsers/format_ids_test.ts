// Copyright 2026 the battery-analysis authors. MIT license.
// FORMAT_IDS (loaded by `summarize --help` without the readers) lists the registry's formats.

import { deepEqual } from "node:assert/strict";
import { FORMAT_IDS } from "../../parsers/format_ids.ts";
import { FORMATS } from "../../parsers/mod.ts";

Deno.test("FORMAT_IDS lists the ids of FORMATS, in order", () => {
  deepEqual([...FORMAT_IDS], FORMATS.map((f) => f.id));
});
