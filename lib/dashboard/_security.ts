// Copyright 2026 the battery-analysis authors. MIT license.

/** Access token, host and CSRF checks, response headers and safe download names. */

import { safeFileName } from "../safe_file_name.ts";

/** Name of the cookie that carries the access token after the first visit. */
export const TOKEN_COOKIE = "battery_dashboard_token";

/** Host names accepted without a token (DNS-rebinding protection on loopback). */
const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);

/** Compare two strings in time independent of where they differ. */
export function safeEqual(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a), y = new TextEncoder().encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}

function cookie(req: Request, name: string): string | null {
  const header = req.headers.get("cookie");
  if (!header) return null;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return null;
      }
    }
  }
  return null;
}

/** Outcome of {@link checkAccess}: allowed, or the response to send instead. */
export type Access = { ok: true } | { ok: false; response: Response };

/**
 * Check the Host header (loopback names only, unless a token protects the server) and the
 * token (`Authorization: Bearer`, the cookie, or `?token=` which sets the cookie and redirects
 * to the same URL without it).
 */
export function checkAccess(req: Request, url: URL, token: string | null): Access {
  if (token === null) {
    if (!LOOPBACK.has(url.hostname)) {
      return {
        ok: false,
        response: text(
          421,
          `Host "${url.hostname}" refused: without --token the dashboard answers only on loopback names`,
        ),
      };
    }
    return { ok: true };
  }
  const auth = req.headers.get("authorization");
  if (auth?.startsWith("Bearer ") && safeEqual(auth.slice(7).trim(), token)) return { ok: true };
  if (safeEqual(cookie(req, TOKEN_COOKIE) ?? "", token)) return { ok: true };
  const given = url.searchParams.get("token");
  if (given !== null && safeEqual(given, token) && req.method === "GET") {
    const clean = new URL(url);
    clean.searchParams.delete("token");
    return {
      ok: false,
      response: new Response(null, {
        status: 303,
        headers: {
          location: clean.pathname + clean.search,
          "set-cookie": `${TOKEN_COOKIE}=${
            encodeURIComponent(token)
          }; Path=/; HttpOnly; SameSite=Strict`,
          "cache-control": "no-store",
        },
      }),
    };
  }
  return {
    ok: false,
    response: text(
      401,
      "This dashboard needs its access token: open it with ?token=... once, or send Authorization: Bearer ...",
      { "www-authenticate": 'Bearer realm="battery dashboard"' },
    ),
  };
}

/**
 * Check a state-changing request: the form's `csrf` field must equal the server's secret, and
 * the browser's `Origin` / `Sec-Fetch-Site` headers, when sent, must say same origin.
 */
export function checkCsrf(req: Request, url: URL, form: FormData, secret: string): string | null {
  const origin = req.headers.get("origin");
  if (origin !== null && origin !== url.origin) return `cross-origin request from ${origin}`;
  const site = req.headers.get("sec-fetch-site");
  if (site !== null && site !== "same-origin" && site !== "none") {
    return `cross-site request (Sec-Fetch-Site: ${site})`;
  }
  const given = form.get("csrf");
  if (typeof given !== "string" || !safeEqual(given, secret)) return "missing or wrong CSRF token";
  return null;
}

/** Headers sent with every page. */
export const SECURITY_HEADERS: Record<string, string> = {
  // vega compiles its expressions with Function(): 'unsafe-eval'; vega-embed injects a <style>.
  "content-security-policy": "default-src 'none'; script-src 'self' 'unsafe-eval'; " +
    "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; " +
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "same-origin",
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-resource-policy": "same-origin",
};

/** A plain-text response. */
export function text(status: number, body: string, headers: Record<string, string> = {}): Response {
  return new Response(body + "\n", {
    status,
    headers: { ...SECURITY_HEADERS, "content-type": "text/plain; charset=utf-8", ...headers },
  });
}

/**
 * `Content-Disposition: attachment` with an ASCII fallback and the UTF-8 name (RFC 6266), the
 * name made safe by the one `safeFileName` (as `raw_file` writes files).
 */
export function attachment(name: string): string {
  const safe = safeFileName(name);
  const ascii = safe.replace(/[^\x20-\x7e]/g, "_");
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(safe)}`;
}
