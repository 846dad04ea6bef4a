// Copyright 2026 the battery-analysis authors. MIT license.

/**
 * Static assets: the page script and style from `_static/`, and the browser builds of vega,
 * vega-lite and vega-embed from the project's npm dependencies (`node_modules`), so the
 * dashboard works offline and loads nothing from a CDN.
 */

import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/** One asset: its bytes and content type. */
export interface Asset {
  /** Bytes. */
  body: Uint8Array;
  /** Content-Type. */
  type: string;
  /** Strong validator (SHA-256 of the bytes, hex, truncated). */
  etag: string;
}

const JS = "text/javascript; charset=utf-8";

/** Where each served asset comes from: a package's build folder or `_static/`. */
const SOURCES: Record<string, { pkg?: string; file: string; type: string }> = {
  "vega.min.js": { pkg: "vega", file: "vega.min.js", type: JS },
  "vega-lite.min.js": { pkg: "vega-lite", file: "vega-lite.min.js", type: JS },
  "vega-embed.min.js": { pkg: "vega-embed", file: "vega-embed.min.js", type: JS },
  "app.js": { file: "app.js", type: JS },
  "modeling.js": { file: "modeling.js", type: JS },
  "app.css": { file: "app.css", type: "text/css; charset=utf-8" },
};

/** Names of the served assets (`/assets/<name>`). */
export const ASSET_NAMES: readonly string[] = Object.keys(SOURCES);

const cache = new Map<string, Promise<Asset>>();

async function sha(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest).slice(0, 12), (b) => b.toString(16).padStart(2, "0"))
    .join("");
}

/**
 * The path of a package's browser build file. Each package's entry point (`build/...js`) is
 * resolved the Node way from this module, and the minified UMD build sits next to it.
 */
function packageFile(pkg: string, file: string): string {
  const require = createRequire(import.meta.url);
  let entry: string;
  try {
    entry = require.resolve(pkg);
  } catch (err) {
    throw new Error(
      `Cannot serve ${file}: npm package "${pkg}" is not installed (run \`deno install\`): ${
        (err as Error).message
      }`,
    );
  }
  return join(dirname(entry), file);
}

/**
 * Where an asset may be read from, in order: the source tree (`_static/`, or the npm package's
 * build folder), then an `assets/` folder next to the running module — the layout `deno task
 * bundle` writes (`dist/dashboard.js` + `dist/assets/`).
 */
function candidates(source: { pkg?: string; file: string }): (string | URL)[] {
  const beside = new URL(`./assets/${source.file}`, import.meta.url);
  if (!source.pkg) return [new URL(`./_static/${source.file}`, import.meta.url), beside];
  const out: (string | URL)[] = [];
  try {
    out.push(packageFile(source.pkg, source.file));
  } catch {
    // not installed here (a bundle run outside the project): the bundle's assets/ folder
  }
  out.push(beside);
  return out;
}

async function readFirst(paths: (string | URL)[], name: string): Promise<Uint8Array> {
  for (const path of paths) {
    try {
      return await Deno.readFile(path);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  }
  throw new Error(
    `Cannot serve ${name}: not found in ${paths.map(String).join(", ")} ` +
      "(run `deno install` in the project, or keep the assets/ folder next to a bundle)",
  );
}

/** Load an asset by name (cached), or `null` for an unknown name. */
export function loadAsset(name: string): Promise<Asset> | null {
  const source = Object.hasOwn(SOURCES, name) ? SOURCES[name] : undefined;
  if (!source) return null;
  let pending = cache.get(name);
  if (!pending) {
    pending = (async () => {
      const body = await readFirst(candidates(source), name);
      return { body, type: source.type, etag: `"${await sha(body)}"` };
    })();
    pending.catch(() => cache.delete(name));
    cache.set(name, pending);
  }
  return pending;
}

/**
 * The URL of an asset, versioned by its content (`/assets/app.css?v=<etag>`): the server sends
 * a versioned URL with a year-long `immutable` cache lifetime, since its bytes never change.
 */
export async function assetUrl(name: string): Promise<string> {
  const asset = await loadAsset(name);
  if (!asset) throw new Error(`No asset "${name}"`);
  return `/assets/${name}?v=${asset.etag.replace(/"/g, "")}`;
}

/**
 * Write every asset into `dir` (the `assets/` folder a bundled or compiled dashboard reads).
 *
 * @param dir Target folder (created).
 * @returns The names written.
 */
export async function writeAssets(dir: string | URL): Promise<string[]> {
  await Deno.mkdir(dir, { recursive: true });
  const base = typeof dir === "string" ? dir.replace(/\/?$/, "/") : dir;
  for (const name of ASSET_NAMES) {
    const asset = await loadAsset(name)!;
    await Deno.writeFile(
      typeof base === "string" ? `${base}${name}` : new URL(name, base),
      asset.body,
    );
  }
  return [...ASSET_NAMES];
}
