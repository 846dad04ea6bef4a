// Copyright 2026 the battery-analysis authors. MIT license.
// Reversible encoding of documents for MongoDB and FerretDB. FerretDB 1.24 rejects two things
// real MongoDB accepts, and stored documents may hold both:
//
// - keys containing "." or starting with "$" (`invalid key: "a.b" (key must not contain '.'
//   sign)`): instrument headers and metadata have such keys, so "%", "." and a leading "$" of a
//   key are percent-encoded ("%" → "%25", "." → "%2E", leading "$" → "%24");
// - arrays directly inside arrays (`nested arrays are not supported`): a stored analysis holds
//   the fade models' covariance matrices (`analysis.fade.models.fits[].covariance`, number[][]).
//   An array that is an element of an array is stored as the object `{ "%[]": [...] }`. No
//   encoded key can be "%[]" (encoding turns every "%" of a key into "%25"), so every such
//   object read back is an encoded array.
//
// The same encoding is written to real MongoDB, so a database moves between servers unchanged.
// Documents written before nested arrays were encoded (real MongoDB only) read back as they were.
// Values themselves need nothing: the store keeps JSON values only (metadata, cycles and analyses
// go through JSON, so there are no NaN or infinite numbers, which FerretDB also rejects).

/** The key of the object an array inside an array is stored as. */
export const NESTED_ARRAY_KEY = "%[]";

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object") return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

const encodeKey = (k: string): string =>
  /[%.]|^\$/.test(k) ? k.replace(/%/g, "%25").replace(/\./g, "%2E").replace(/^\$/, "%24") : k;
const DECODE: Record<string, string> = { "%25": "%", "%2E": ".", "%24": "$" };
const decodeKey = (k: string): string =>
  k.includes("%") ? k.replace(/%(25|2E|24)/g, (m) => DECODE[m]) : k;

function encode(value: unknown, inArray: boolean): unknown {
  if (Array.isArray(value)) {
    const items = value.map((v) => encode(v, true));
    return inArray ? { [NESTED_ARRAY_KEY]: items } : items;
  }
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[encodeKey(k)] = encode(v, false);
  return out;
}

function decode(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decode);
  if (!isPlainObject(value)) return value;
  const keys = Object.keys(value);
  if (keys.length === 1 && keys[0] === NESTED_ARRAY_KEY && Array.isArray(value[NESTED_ARRAY_KEY])) {
    return decode(value[NESTED_ARRAY_KEY]);
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[decodeKey(k)] = decode(v);
  return out;
}

/**
 * A deep copy of plain objects and arrays as stored in MongoDB: every key escaped, every array
 * inside an array wrapped. Other values (strings, numbers, dates, binary data) are kept as they
 * are.
 */
export function encodeDocument<T>(value: T): T {
  return encode(value, false) as T;
}

/** The inverse of {@link encodeDocument}. */
export function decodeDocument<T>(value: T): T {
  return decode(value) as T;
}
