// Copyright 2026 the battery-analysis authors. MIT license.

/**
 * An AbortSignal that fires on Ctrl-C (SIGINT) or SIGTERM (where the platform has it), for
 * long-running tools that stop cleanly. Call `dispose()` to remove the listeners.
 *
 * @returns The signal and a function removing the listeners.
 *
 * @example Usage
 * ```ts
 * import { stopSignal } from "./stop_signal.ts";
 * import { equal } from "node:assert/strict";
 *
 * const stop = stopSignal();
 * equal(stop.signal.aborted, false);
 * stop.dispose();
 * ```
 */
export function stopSignal(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onSignal = (): void => controller.abort();
  const added: Deno.Signal[] = [];
  for (const s of ["SIGINT", "SIGTERM"] as const) {
    try {
      Deno.addSignalListener(s, onSignal);
      added.push(s);
    } catch {
      // SIGTERM cannot be listened to on Windows.
    }
  }
  return {
    signal: controller.signal,
    dispose: () => {
      for (const s of added) Deno.removeSignalListener(s, onSignal);
    },
  };
}
