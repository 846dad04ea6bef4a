// Copyright 2026 the battery-analysis authors. MIT license.

/**
 * Removing credentials from connection strings and from any text that may contain them (error
 * messages, log lines): what every store error and every CLI message goes through.
 *
 * @module
 */

const USERINFO = /([a-z][a-z0-9+.-]*:\/\/)([^/?#@\s]*)@/gi;
const SECRET_PARAMS =
  /([?&](?:password|pass|pwd|secret|token|authMechanismProperties|tlsCertificateKeyFilePassword|sslPassword|AWS_SESSION_TOKEN)=)[^&\s#]*/gi;

/**
 * A connection string with its user name and password replaced by `***`, and secret query
 * parameters masked: `mongodb://u:p@h:1/db?authSource=admin` → `mongodb://***@h:1/db?authSource=admin`.
 *
 * @example
 * ```ts
 * import { redactUri } from "./redact.ts";
 * import { equal } from "node:assert/strict";
 *
 * equal(
 *   redactUri("mongodb://u:p@h:1/db?authSource=admin&password=x"),
 *   "mongodb://***@h:1/db?authSource=admin&password=***",
 * );
 * ```
 */
export function redactUri(uri: string): string {
  return uri.replace(USERINFO, "$1***@").replace(SECRET_PARAMS, "$1***");
}

/**
 * Any text (an error message, a log line) with credentials removed: every `scheme://user:pass@`
 * is redacted, and each given secret string (and its URL-encoded and decoded forms) is masked.
 *
 * @example
 * ```ts
 * import { redactText } from "./redact.ts";
 * import { equal } from "node:assert/strict";
 *
 * equal(redactText("auth failed for s3cr%40t", ["s3cr@t"]), "auth failed for ***");
 * ```
 */
export function redactText(text: string, secrets: readonly string[] = []): string {
  let out = redactUri(text);
  for (const secret of secrets) {
    if (!secret) continue;
    const forms = new Set([secret, encodeURIComponent(secret), safeDecode(secret)]);
    for (const form of forms) if (form.length >= 1) out = out.split(form).join("***");
  }
  return out;
}

/**
 * The user name and password written in a connection string (decoded and raw), for masking.
 *
 * @example
 * ```ts
 * import { uriSecrets } from "./redact.ts";
 * import { deepEqual } from "node:assert/strict";
 *
 * deepEqual(uriSecrets("mongodb://alice:s3cr%40t@h/"), ["s3cr%40t", "s3cr@t", "alice", "alice"]);
 * ```
 */
export function uriSecrets(uri: string): string[] {
  const match = /^[a-z][a-z0-9+.-]*:\/\/([^/?#@\s]*)@/i.exec(uri);
  if (!match) return [];
  const [user, ...rest] = match[1].split(":");
  const password = rest.join(":");
  return [password, user].filter((s) => s.length > 0).flatMap((s) => [s, safeDecode(s)]);
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
