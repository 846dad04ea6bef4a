// Copyright 2026 the battery-analysis authors. MIT license.

/**
 * The web dashboard: `createDashboardHandler(store, options)` returns a `(Request) => Promise<Response>`
 * that `cli/dashboard.ts` serves with `Deno.serve`.
 *
 * @module
 */
export * from "./create_dashboard_handler.ts";
