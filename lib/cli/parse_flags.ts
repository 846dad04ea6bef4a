// Copyright 2026 the battery-analysis authors. MIT license.

import { parseArgs } from "node:util";
import { type CliOption, type CliSpec, type FlagValues, specOptions } from "./cli_spec.ts";
import { UsageError } from "./usage_error.ts";

/** A command line parsed by {@link parseFlags}. */
export interface ParsedFlags<S extends CliSpec> {
  /** Every flag's value: the one given, else its default (booleans: `false`). */
  values: FlagValues<S>;
  /** Positional arguments. */
  positionals: string[];
  /** The flags given on the command line. */
  given: ReadonlySet<string>;
}

/** "a, b or c". */
function alternatives(values: readonly string[]): string {
  return values.length < 2
    ? values.join("")
    : `${values.slice(0, -1).join(", ")} or ${values.at(-1)}`;
}

/** Edit distance of two short strings (for "did you mean"). */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(
        previous[j] + 1,
        row[j - 1] + 1,
        previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = row;
  }
  return previous[b.length];
}

/**
 * The message of a `parseArgs` error in the tools' style, naming the flag and what is wrong:
 * `unknown flag --wokers (did you mean --workers?)`, `--out needs a value`, `--json takes no
 * value`. Other errors keep their message.
 */
function parseArgsMessage(error: unknown, names: readonly string[]): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  const flag = message.match(/'(?:-\w, )?(--?[^' ]+)/)?.[1];
  if (flag === undefined) return message;
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
    const name = flag.replace(/^--?/, "");
    const near = names
      .map((n) => ({ n, d: distance(name, n) }))
      .filter(({ d }) => d <= Math.max(1, Math.floor(name.length / 3)))
      .sort((a, b) => a.d - b.d)[0];
    return `unknown flag ${flag}${near ? ` (did you mean --${near.n}?)` : ""}`;
  }
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
    if (/does not take an argument/.test(message)) return `${flag} takes no value`;
    if (/argument missing|ambiguous/.test(message)) {
      return `${flag} needs a value` +
        (/ambiguous/.test(message) ? ` (write ${flag}=VALUE for a value starting with "-")` : "");
    }
  }
  return message;
}

/** The value of one flag, converted to its type and checked. */
function checked(name: string, o: CliOption, text: string): string | number {
  if (o.type === "string") {
    if (o.choices && !o.choices.includes(text)) {
      throw new UsageError(`--${name} must be ${alternatives(o.choices)}, got "${text}"`);
    }
    return text;
  }
  const value = Number(text);
  if (
    text.trim() === "" || !Number.isFinite(value) ||
    (o.type === "integer" && !Number.isInteger(value))
  ) {
    throw new UsageError(
      `--${name} must be ${o.type === "integer" ? "an integer" : "a number"}, got "${text}"`,
    );
  }
  const range = o.min !== undefined && o.max !== undefined
    ? (value < o.min || value > o.max) && `from ${o.min} to ${o.max}`
    : o.min !== undefined && value < o.min
    ? `${o.min} or more`
    : o.max !== undefined && value > o.max
    ? `${o.max} or less`
    : o.positive && !(value > 0) && "more than 0";
  if (range) throw new UsageError(`--${name} must be ${range}, got ${text}`);
  return value;
}

/**
 * Parse a command line against a tool's spec with `node:util` `parseArgs` (strict: an unknown
 * flag is an error): numbers converted and checked (`integer`, `min`, `max`, `positive`), string
 * values checked against `choices`, defaults applied. The values are typed from the spec (see
 * {@link FlagValues}); the configuration file is not read (`parseCli` does that).
 *
 * @param args The arguments (`Deno.args`).
 * @param spec The tool's spec (declare it `as const satisfies CliSpec` for precise types).
 * @returns Values, positionals and the flags given.
 * @throws {UsageError} For an unknown flag, a missing value or a value out of its type or range.
 *
 * @example Usage
 * ```ts
 * import { parseFlags } from "./parse_flags.ts";
 * import { equal, throws } from "node:assert/strict";
 *
 * const SPEC = { name: "t", summary: "", usage: "FILE", configFile: false, options: {
 *   workers: { type: "integer", min: 1, default: 2, description: "threads" },
 *   method: { type: "string", choices: ["a", "b"], description: "how" },
 * } } as const;
 * const { values, positionals } = parseFlags(["--workers", "3", "x.csv"], SPEC);
 * const workers: number = values.workers; // typed from the spec
 * equal(workers, 3);
 * equal(values.method, undefined);
 * equal(values.json, false);
 * equal(positionals[0], "x.csv");
 * throws(() => parseFlags(["--workers", "0"], SPEC), /--workers must be 1 or more, got 0/);
 * throws(() => parseFlags(["--method", "c"], SPEC), /--method must be a or b, got "c"/);
 * throws(() => parseFlags(["--wokers", "3"], SPEC), /unknown flag --wokers \(did you mean --workers\?\)/);
 * throws(() => parseFlags(["--method"], SPEC), /--method needs a value/);
 * throws(() => parseFlags(["--json=yes"], SPEC), /--json takes no value/);
 * ```
 */
export function parseFlags<S extends CliSpec>(args: string[], spec: S): ParsedFlags<S> {
  const options = specOptions(spec);
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: Object.fromEntries(
        Object.entries(options).map(([name, o]) => [name, {
          type: o.type === "boolean" ? "boolean" as const : "string" as const,
          ...(o.short ? { short: o.short } : {}),
          ...(o.multiple ? { multiple: true } : {}),
        }]),
      ),
    });
  } catch (error) {
    throw new UsageError(parseArgsMessage(error, Object.keys(options)));
  }
  const raw: Record<string, string | boolean | (string | boolean)[] | undefined> = parsed.values;
  const values: Record<string, unknown> = {};
  for (const [name, o] of Object.entries(options)) {
    const given = raw[name];
    if (given === undefined) {
      const fallback = o.default ?? (o.type === "boolean" ? false : undefined);
      values[name] = Array.isArray(fallback) ? [...fallback] : fallback;
    } else if (o.type === "boolean") values[name] = given;
    else {
      values[name] = Array.isArray(given)
        ? given.map((v) => checked(name, o, String(v)))
        : checked(name, o, String(given));
    }
  }
  return {
    values: values as FlagValues<S>,
    positionals: parsed.positionals,
    given: new Set(Object.keys(raw).filter((k) => raw[k] !== undefined)),
  };
}
