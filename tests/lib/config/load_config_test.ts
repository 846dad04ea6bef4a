// Copyright 2026 the battery-analysis authors. MIT license.
// The configuration file: search order, TOML/INI forms, precedence, clear errors.

import { deepStrictEqual as deepEqual, equal, match, throws } from "node:assert/strict";
import { ConfigError, loadConfig, parseConfig } from "../../../lib/config/load_config.ts";
import { mergeSettings } from "../../../lib/config/merge_settings.ts";

async function withHome(files: Record<string, string>, fn: (home: string) => void): Promise<void> {
  const home = await Deno.makeTempDir();
  try {
    for (const [name, text] of Object.entries(files)) {
      await Deno.writeTextFile(`${home}/${name}`, text);
    }
    fn(home);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
}

Deno.test("loadConfig() reads the README example TOML into plain objects", async () => {
  // The example from the original README's "User configuration" section.
  const text = `db_uri = "mongodb://localhost:27017/battery_test_db"
workers = 4
include = ["*.csv"]
exclude = ["*/archive/*"]
debounce = 1.0
depth = 2
`;
  await withHome({ ".battery_analysis.toml": text }, (home) => {
    const config = loadConfig({ home });
    equal(config.path, `${home}/.battery_analysis.toml`);
    // deepStrictEqual checks prototypes: smol-toml's null-prototype objects would fail here.
    deepEqual(config.values, {
      db_uri: "mongodb://localhost:27017/battery_test_db",
      workers: 4,
      include: ["*.csv"],
      exclude: ["*/archive/*"],
      debounce: 1,
      depth: 2,
    });
    deepEqual(config.warnings, []);
  });
});

Deno.test("loadConfig(): TOML wins over INI; [battery_analysis] wins over top-level keys", async () => {
  await withHome({
    ".battery_analysis.toml": 'workers = 2\n[battery_analysis]\nworkers = 6\ndb_path = "~/x.db"\n',
    ".battery_analysis.ini": "workers = 9\n",
  }, (home) => {
    const config = loadConfig({ home });
    equal(config.path, `${home}/.battery_analysis.toml`);
    deepEqual(config.values, { workers: 6, db_path: "~/x.db" });
  });
  await withHome({ ".battery_analysis.ini": "workers = 9\n" }, (home) => {
    deepEqual(loadConfig({ home }).values, { workers: 9 });
  });
  await withHome(
    {},
    (home) => deepEqual(loadConfig({ home }), { path: null, values: {}, warnings: [] }),
  );
});

Deno.test("parseConfig() reads INI sections, DEFAULT, comments, lists and numbers", () => {
  const text = `; comment
# another
[DEFAULT]
retries = 2
[battery_analysis]
include = *.csv, *.mpt
email_recipients = ["a@lab", "b@lab"]
debounce: 0.5
db_name = "cells"
[scheduler]
jobs = x
`;
  const config = parseConfig(text, { path: "/h/.battery_analysis.ini", format: "ini" });
  deepEqual(config.values, {
    retries: 2,
    include: ["*.csv", "*.mpt"],
    email_recipients: ["a@lab", "b@lab"],
    debounce: 0.5,
    db_name: "cells",
  });
  deepEqual(config.warnings, [
    "/h/.battery_analysis.ini line 10: section [scheduler] is not used by battery-analysis; ignored",
  ]);
});

Deno.test("parseConfig() errors name the file and the line", () => {
  throws(
    () =>
      parseConfig('workers = 4\ninclude = ["a"\ndepth = 1\n', {
        path: "/h/c.toml",
        format: "toml",
      }),
    (e) => {
      equal(e instanceof ConfigError, true);
      match((e as Error).message, /^\/h\/c\.toml line [23]: /);
      return true;
    },
  );
  throws(
    () => parseConfig('debounce = 1\n\nworkers = "four"\n', { path: "/h/c.toml", format: "toml" }),
    { message: '/h/c.toml line 3: workers must be a number, got "four"' },
  );
  throws(
    () => parseConfig("[battery_analysis]\nworkers = 0\n", { path: "/h/c.toml", format: "toml" }),
    { message: "/h/c.toml line 2: workers must be an integer ≥ 1, got 0" },
  );
  throws(
    () => parseConfig("[battery_analysis]\nthis is not ini\n", { path: "/h/c.ini", format: "ini" }),
    { message: '/h/c.ini line 2: expected "key = value" or "[section]", got "this is not ini"' },
  );
  throws(() => loadConfig({ path: "/nonexistent/c.toml" }), /\/nonexistent\/c\.toml: cannot read/);
});

Deno.test("parseConfig() reports unknown keys instead of using them", () => {
  const config = parseConfig("wokers = 4\n", { path: "c.toml", format: "toml" });
  deepEqual(config.values, {});
  deepEqual(config.warnings, ['c.toml line 1: unknown setting "wokers" ignored']);
});

Deno.test("mergeSettings(): flags override the config file, which overrides defaults", () => {
  const config = parseConfig('workers = 4\ninclude = ["*.csv"]\n', {
    path: "c.toml",
    format: "toml",
  });
  deepEqual(
    mergeSettings({ workers: 2, include: undefined, depth: undefined }, {
      config: config.values,
      defaults: { workers: 1, include: [] as string[], depth: null as number | null },
    }),
    { workers: 2, include: ["*.csv"], depth: null },
  );
});

Deno.test("parseConfig() checks file_name_patterns: valid expressions, known groups, units", () => {
  const ok = parseConfig(
    // TOML literal strings ('…') keep backslashes as written.
    "file_name_patterns = ['/^(?<sample>.+)_(?<area_cm2>[\\d.]+)cm2$/i']\ncell_code_pattern = 'C-(?<code>\\d+)'\nsample_sheet = 'samples.xlsx'\n",
    { path: "c.toml", format: "toml" },
  );
  deepEqual(ok.values, {
    file_name_patterns: ["/^(?<sample>.+)_(?<area_cm2>[\\d.]+)cm2$/i"],
    cell_code_pattern: "C-(?<code>\\d+)",
    sample_sheet: "samples.xlsx",
  });
  // INI: a JSON array, or one pattern.
  deepEqual(
    parseConfig('file_name_patterns = ["^(?<sample>x)$"]', { path: "c.ini", format: "ini" }).values,
    { file_name_patterns: ["^(?<sample>x)$"] },
  );
  throws(
    () => parseConfig("file_name_patterns = ['(?<sample>x']", { path: "c.toml", format: "toml" }),
    /c.toml line 1: file_name_patterns: "\(\?<sample>x" is not a valid regular expression/,
  );
  throws(
    () =>
      parseConfig("\nfile_name_patterns = ['(?<sampel>x)']", { path: "c.toml", format: "toml" }),
    /c.toml line 2: file_name_patterns: group "sampel" is neither sample, channel/,
  );
  throws(
    () =>
      parseConfig("file_name_patterns = ['(?<nominal_capacity>\\\\d+)']", {
        path: "c.toml",
        format: "toml",
      }),
    /group "nominal_capacity" needs a unit in its name \(nominal_capacity_mAh\)/,
  );
});
