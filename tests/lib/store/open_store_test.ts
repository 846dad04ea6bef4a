// Copyright 2026 the battery-analysis authors. MIT license.
// Store selection (README precedence), explicit reporting, fail-fast connection errors and
// credential redaction.

import {
  deepStrictEqual as deepEqual,
  equal,
  match,
  ok,
  rejects,
  throws,
} from "node:assert/strict";
import { openStore, resolveStore } from "../../../lib/store/open_store.ts";
import { MongoStore } from "../../../lib/store/mongo_store.ts";
import { StoreConnectionError } from "../../../lib/store/store_error.ts";
import { redactText, redactUri, uriSecrets } from "../../../lib/store/redact.ts";

const HOME = "/home/lab";

Deno.test("resolveStore() uses the embedded SQLite file when nothing is configured", () => {
  deepEqual(resolveStore({ env: {}, home: HOME }), {
    kind: "sqlite",
    path: "/home/lab/.battery_analysis/battery.db",
    source: "default",
  });
});

Deno.test("resolveStore() follows the README: MONGO_URI over MONGO_HOST/PORT, name from env", () => {
  const env = {
    MONGO_URI: "mongodb://db.lab:27017/fromuri",
    MONGO_HOST: "other",
    MONGO_PORT: "1234",
  };
  deepEqual(resolveStore({ env }), {
    kind: "mongodb",
    uri: "mongodb://db.lab:27017/fromuri",
    dbName: "fromuri", // the URI's path names the database when BATTERY_DB_NAME is unset
    source: "MONGO_URI",
  });
  deepEqual(resolveStore({ env: { ...env, BATTERY_DB_NAME: "cells" } }), {
    kind: "mongodb",
    uri: "mongodb://db.lab:27017/fromuri",
    dbName: "cells",
    source: "MONGO_URI",
  });
  deepEqual(resolveStore({ env: { MONGO_HOST: "other", MONGO_PORT: "1234" } }), {
    kind: "mongodb",
    uri: "mongodb://other:1234/",
    dbName: "battery_test_db", // README default
    source: "MONGO_HOST/MONGO_PORT",
  });
  deepEqual(resolveStore({ env: { MONGO_PORT: "27018" } }), {
    kind: "mongodb",
    uri: "mongodb://localhost:27018/",
    dbName: "battery_test_db",
    source: "MONGO_HOST/MONGO_PORT",
  });
  throws(() => resolveStore({ env: { MONGO_PORT: "http" } }), /MONGO_PORT must be a port/);
  throws(() => resolveStore({ env: { MONGO_URI: "localhost:27017" } }), /not a MongoDB connection/);
});

Deno.test("resolveStore(): USE_MONGO_MOCK=1 selects an in-memory store and says so", () => {
  const env = { USE_MONGO_MOCK: "1", MONGO_URI: "mongodb://db:27017/" };
  deepEqual(resolveStore({ env }), {
    kind: "memory",
    path: ":memory:",
    source: "USE_MONGO_MOCK=1",
  });
  equal(resolveStore({ env: { ...env, USE_MONGO_MOCK: "0" } }).kind, "mongodb");
  throws(() => resolveStore({ env: { USE_MONGO_MOCK: "maybe" } }), /USE_MONGO_MOCK must be 1 or 0/);
});

Deno.test("resolveStore(): explicit options beat env, env beats the config file", () => {
  const env = { MONGO_URI: "mongodb://db:27017/" };
  const config = { values: { db_path: "~/lab.db" }, path: "/home/lab/.battery_analysis.toml" };
  deepEqual(resolveStore({ env, config, path: "/tmp/x.db", optionSource: "--db flag" }), {
    kind: "sqlite",
    path: "/tmp/x.db",
    source: "--db flag",
  });
  equal(resolveStore({ env, config, memory: true }).kind, "memory");
  equal(resolveStore({ env, config }).source, "MONGO_URI");
  deepEqual(resolveStore({ env: {}, config, home: HOME }), {
    kind: "sqlite",
    path: "/home/lab/lab.db",
    source: "db_path in /home/lab/.battery_analysis.toml",
  });
  deepEqual(
    resolveStore({
      env: {},
      config: { values: { db_uri: "mongodb://h:1/", db_name: "x" }, path: "c.toml" },
    }),
    { kind: "mongodb", uri: "mongodb://h:1/", dbName: "x", source: "db_uri in c.toml" },
  );
  throws(
    () =>
      resolveStore({
        env: {},
        config: { values: { db_uri: "mongodb://h/", db_path: "a" }, path: "c.ini" },
      }),
    /either db_uri \(MongoDB\) or db_path/,
  );
  throws(() => resolveStore({ uri: "mongodb://h/", path: "x" }), /only one of/);
});

Deno.test("redactUri() and redactText() remove user names, passwords and secret parameters", () => {
  equal(
    redactUri("mongodb://ben:s3cr%40t@db.lab:27017/cells?authSource=admin&password=x"),
    "mongodb://***@db.lab:27017/cells?authSource=admin&password=***",
  );
  equal(redactUri("mongodb://db.lab:27017/"), "mongodb://db.lab:27017/");
  const uri = "mongodb://ben:s3cr%40t@db.lab:27017/";
  deepEqual(uriSecrets(uri), ["s3cr%40t", "s3cr@t", "ben", "ben"]);
  equal(
    redactText(
      "auth failed for ben with s3cr@t at mongodb://ben:s3cr%40t@db.lab/",
      uriSecrets(uri),
    ),
    "auth failed for *** with *** at mongodb://***@db.lab/",
  );
});

Deno.test("openStore() fails fast on an unreachable server, names it and hides credentials", async () => {
  // Port 1 on localhost refuses connections; nothing falls back to another store.
  const uri = "mongodb://alice:hunter2@127.0.0.1:1/cells";
  await rejects(
    openStore({ env: { MONGO_URI: uri }, serverSelectionTimeoutMS: 300 }),
    (error) => {
      ok(error instanceof StoreConnectionError);
      match(error.message, /Cannot connect to MongoDB at mongodb:\/\/\*\*\*@127\.0\.0\.1:1\/cells/);
      match(error.message, /database "cells", from MONGO_URI/);
      match(error.message, /ECONNREFUSED|connect/i);
      ok(!error.message.includes("hunter2"), error.message);
      ok(!error.message.includes("alice"), error.message);
      ok(!String(error.stack).includes("hunter2"));
      return true;
    },
  );
});

Deno.test("openStore() creates the default SQLite file on demand and reports it", async () => {
  const home = await Deno.makeTempDir();
  try {
    const store = await openStore({ env: {}, home });
    const d = store.describe();
    equal(d.kind, "sqlite");
    equal(d.source, "default");
    equal(d.text, `SQLite file ${home}/.battery_analysis/battery.db (default)`);
    await store.samples.create({ name: "persisted" });
    await store.close();
    const again = await openStore({ env: {}, home });
    equal((await again.samples.getByName("persisted"))?.name, "persisted");
    await again.close();
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("openStore() in-memory store says its data is lost", async () => {
  const store = await openStore({ env: { USE_MONGO_MOCK: "true" } });
  match(store.describe().text, /in-memory SQLite store \(USE_MONGO_MOCK=1; data is lost/);
  equal(store.describe().persistent, false);
  await store.close();
});

const MONGO_URI = Deno.env.get("MONGO_URI");
Deno.test({
  name: "openStore() connects to MongoDB from MONGO_URI and reports it redacted",
  ignore: !MONGO_URI,
  fn: async () => {
    const dbName = `bt_open_${Date.now().toString(36)}`;
    const store = await openStore({ env: { MONGO_URI, BATTERY_DB_NAME: dbName } });
    try {
      const d = store.describe();
      equal(d.kind, "mongodb");
      equal(d.database, dbName);
      equal(d.source, "MONGO_URI");
      equal(d.text, `MongoDB ${MONGO_URI} database "${dbName}" (MONGO_URI)`);
      await store.samples.create({ name: "x" });
      equal(await store.samples.count(), 1);
    } finally {
      await (store as MongoStore).dropDatabase();
      await store.close();
    }
  },
});

Deno.test("openStore() never creates a SQLite store it was not asked to create", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // A mistyped path: the file does not exist, its folder does.
    const typo = `${dir}/lab.bd`;
    await rejects(
      openStore({ path: typo, env: {} }),
      (e: Error) => {
        equal(e.name, "StoreError");
        equal(
          e.message,
          `Cannot open the SQLite store "${typo}" (from option): no such file; to start a new ` +
            `store there, ask for it (create: true)`,
        );
        return true;
      },
    );
    // A folder that does not exist.
    const nested = `${dir}/no/such/folder/battery.db`;
    await rejects(
      openStore({ path: nested, env: {}, optionSource: "--db flag", createHint: "--create" }),
      /\(from --db flag\): its folder ".*\/no\/such\/folder" does not exist; .*\(--create\)$/,
    );
    // The configuration's db_path is explicit too.
    const config = { values: { db_path: typo }, path: "/h/.battery_analysis.toml" };
    await rejects(
      openStore({ config, env: {} }),
      /\(from db_path in \/h\/.battery_analysis.toml\)/,
    );
    // Nothing was created by the refusals.
    deepEqual([...Deno.readDirSync(dir)], []);
    // Asked for: created with its folder, and opened again without asking.
    const store = await openStore({ path: nested, env: {}, create: true });
    await store.close();
    const again = await openStore({ path: nested, env: {} });
    equal(again.describe().location, nested);
    await again.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** Run `code` (a module importing openStore) in a subprocess with exactly `permissions`. */
async function runWith(permissions: string[], code: string, env: Record<string, string> = {}) {
  const dir = await Deno.makeTempDir();
  try {
    const url = new URL("../../../lib/store/open_store.ts", import.meta.url).href;
    await Deno.writeTextFile(`${dir}/x.ts`, `import { openStore } from "${url}";\n${code}`);
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--quiet", "--no-prompt", ...permissions, `${dir}/x.ts`],
      clearEnv: true, // only `env`: not this process's MONGO_URI
      env: { NO_COLOR: "1", ...env },
      stdout: "piped",
      stderr: "piped",
    }).output();
    return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("openStore(): a denied environment or home-directory permission is an error naming it", async () => {
  const open = "await openStore();";
  // No env permission at all, and env permission narrower than the variables read (MONGO_URI is
  // set: the store must not silently become the default SQLite file).
  for (const permissions of [["--allow-read"], ["--allow-read", "--allow-env=MONGO_URI"]]) {
    const r = await runWith(permissions, open, { MONGO_URI: "mongodb://127.0.0.1:1/" });
    equal(r.code, 1, r.stderr);
    match(
      r.stderr,
      /StoreError: Cannot choose the store: no permission to read the environment variable (USE_MONGO_MOCK|MONGO_URI); grant --allow-env=USE_MONGO_MOCK,MONGO_URI,MONGO_HOST,MONGO_PORT,BATTERY_DB_NAME/,
    );
  }
  // The variables granted, nothing set: the default location needs the home directory.
  const env = "--allow-env=USE_MONGO_MOCK,MONGO_URI,MONGO_HOST,MONGO_PORT,BATTERY_DB_NAME";
  const home = await runWith(["--allow-read", env], open);
  equal(home.code, 1, home.stderr);
  match(home.stderr, /no permission to read the home directory; grant --allow-sys=homedir/);
  // An explicit in-memory store needs no permission.
  const memory = await runWith([], "await (await openStore({ memory: true })).close();");
  equal(memory.code, 0, memory.stderr);
});
