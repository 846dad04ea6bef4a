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

/** Load an asset by name (cached), or `null` for an unknown name. */
export function loadAsset(name: string): Promise<Asset> | null {
  const source = Object.hasOwn(SOURCES, name) ? SOURCES[name] : undefined;
  if (!source) return null;
  let pending = cache.get(name);
  if (!pending) {
    pending = (async () => {
      const path = source.pkg
        ? packageFile(source.pkg, source.file)
        : new URL(`./_static/${source.file}`, import.meta.url);
      const body = await Deno.readFile(path);
      return { body, type: source.type, etag: `"${await sha(body)}"` };
    })();
    pending.catch(() => cache.delete(name));
    cache.set(name, pending);
  }
  return pending;
}
