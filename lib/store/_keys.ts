// Copyright 2026 the battery-analysis authors. MIT license.
// Reversible escaping of document keys for MongoDB/FerretDB, which reject keys containing "." or
// starting with "$" (FerretDB: `invalid key: "a.b" (key must not contain '.' sign)`). Instrument
// headers and metadata may have such keys, so "%", "." and a leading "$" are percent-encoded.

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object") return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function mapKeys(value: unknown, key: (k: string) => string): unknown {
  if (Array.isArray(value)) return value.map((v) => mapKeys(v, key));
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[key(k)] = mapKeys(v, key);
  return out;
}

const encodeKey = (k: string): string =>
  /[%.]|^\$/.test(k) ? k.replace(/%/g, "%25").replace(/\./g, "%2E").replace(/^\$/, "%24") : k;
const DECODE: Record<string, string> = { "%25": "%", "%2E": ".", "%24": "$" };
const decodeKey = (k: string): string =>
  k.includes("%") ? k.replace(/%(25|2E|24)/g, (m) => DECODE[m]) : k;

/** A deep copy of plain objects and arrays with every key escaped for MongoDB. */
export function encodeKeys<T>(value: T): T {
  return mapKeys(value, encodeKey) as T;
}

/** The inverse of {@link encodeKeys}. */
export function decodeKeys<T>(value: T): T {
  return mapKeys(value, decodeKey) as T;
}
