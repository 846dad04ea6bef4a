// Copyright 2026 the battery-analysis authors. MIT license.
// The MongoDB adapter's document encoding (lib/store/_mongo_encoding.ts): what FerretDB refuses
// (keys with "." or a leading "$", arrays inside arrays) is encoded reversibly; no server needed.

import { deepStrictEqual as deepEqual, equal, ok } from "node:assert/strict";
import {
  decodeDocument,
  encodeDocument,
  NESTED_ARRAY_KEY,
} from "../../../lib/store/_mongo_encoding.ts";

/** True when no array holds an array and no key has "." or starts with "$" (FerretDB's rules). */
function ferretSafe(value: unknown): boolean {
  if (Array.isArray(value)) return value.every((v) => !Array.isArray(v) && ferretSafe(v));
  if (value === null || typeof value !== "object") return true;
  return Object.entries(value).every(([k, v]) =>
    !k.includes(".") && !k.startsWith("$") && ferretSafe(v)
  );
}

Deno.test("encodeDocument() wraps arrays inside arrays and escapes keys, reversibly", () => {
  const covariance = [[4.4e-4, -4.2e-5], [-4.2e-5, 6.1e-6]];
  const doc = {
    fade: { best: { covariance }, fits: [{ covariance }, { covariance: null }] },
    deep: [[[1]], [], [[]], [1, [2, [3]]]],
    "a.b": { $c: 1, "%": "%2E", "%[]": [[0]] },
    [NESTED_ARRAY_KEY]: [1],
    text: "[[1]]",
    when: new Date(0),
  };
  const encoded = encodeDocument(doc);
  ok(ferretSafe(encoded), JSON.stringify(encoded));
  // The matrix as stored: each row an object holding the row.
  deepEqual((encoded.fade.best.covariance as unknown[])[0], { [NESTED_ARRAY_KEY]: covariance[0] });
  // Keys escaped; a user key equal to the marker is escaped like any key with "%", so it is never
  // taken for an encoded array.
  const stored = encoded as unknown as Record<string, Record<string, unknown>>;
  deepEqual(Object.keys(stored), ["fade", "deep", "a%2Eb", "%25[]", "text", "when"]);
  deepEqual(Object.keys(stored["a%2Eb"]), ["%24c", "%25", "%25[]"]);
  deepEqual(decodeDocument(encoded), doc);
  equal(decodeDocument(encoded).when instanceof Date, true);
  // The input is not changed.
  deepEqual(doc.fade.best.covariance, covariance);
});

Deno.test("decodeDocument() reads documents stored before nested arrays were encoded", () => {
  // Real MongoDB accepted nested arrays, so such documents exist there: they read as they are.
  const old = { covariance: [[1, 2], [2, 5]], "a%2Eb": 1 };
  deepEqual(decodeDocument(old), { covariance: [[1, 2], [2, 5]], "a.b": 1 });
});
