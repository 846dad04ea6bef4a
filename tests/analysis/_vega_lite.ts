// Copyright 2026 the battery-analysis authors. MIT license.
// Compile Vega-Lite specs in tests and collect what vega-lite warns about.
import { compile } from "vega-lite";

/** vega-lite's warnings while compiling a spec (it throws on invalid specs). */
export function compileWarnings(spec: unknown): string[] {
  const warnings: string[] = [];
  const logger = {
    level() {
      return logger;
    },
    warn(...args: unknown[]) {
      warnings.push(args.join(" "));
      return logger;
    },
    error(...args: unknown[]) {
      warnings.push(`error: ${args.join(" ")}`);
      return logger;
    },
    info() {
      return logger;
    },
    debug() {
      return logger;
    },
  };
  compile(spec as never, { logger: logger as never });
  return warnings;
}
