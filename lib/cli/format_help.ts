// Copyright 2026 the battery-analysis authors. MIT license.

import { type CliOption, type CliSpec, specOptions } from "./cli_spec.ts";

const WIDTH = 100;

/** `text` wrapped at word boundaries to lines of at most `width` characters. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...lines, line];
}

/** What the help says after an option's description: repeatable, config key, default. */
function notes(o: CliOption): string {
  const extra = [
    o.multiple ? "repeatable" : "",
    o.config ? `config: ${o.config}` : "",
    o.default !== undefined ? `default: ${JSON.stringify(o.default)}` : "",
  ].filter(Boolean).join("; ");
  return extra ? ` (${extra})` : "";
}

/**
 * The help text of a tool, from its spec: usage, summary, every option (its own, the store's,
 * the standard ones) with its placeholder, description, configuration key and default, and the
 * examples. Descriptions are wrapped to 100 columns; the summary is printed as written.
 *
 * @param spec The tool's spec.
 * @returns The help text.
 *
 * @example Usage
 * ```ts
 * import { formatHelp } from "./format_help.ts";
 * import { match } from "node:assert/strict";
 *
 * const help = formatHelp({ name: "tool", summary: "Do things.", usage: "[--n N]",
 *   options: { n: { type: "integer", value: "N", description: "how many" } } });
 * match(help, /^Usage: tool \[--n N\]/);
 * match(help, /--n N\s+how many/);
 * ```
 */
export function formatHelp(spec: CliSpec): string {
  const rows = Object.entries(specOptions(spec)).map(([name, o]) => [
    `${o.short ? `-${o.short}, ` : "    "}--${name}${o.value ? ` ${o.value}` : ""}`,
    o.description + notes(o),
  ]);
  const width = Math.max(...rows.map(([f]) => f.length)) + 2;
  const lines = [
    `Usage: ${spec.name} ${spec.usage}`,
    "",
    spec.summary,
    "",
    "Options:",
    ...rows.flatMap(([flag, description]) => {
      const [first, ...rest] = wrap(description, Math.max(WIDTH - 2 - width, 40));
      return [
        `  ${flag.padEnd(width)}${first}`,
        ...rest.map((l) => `  ${" ".repeat(width)}${l}`),
      ];
    }),
  ];
  if (spec.examples?.length) {
    lines.push("", "Examples:", ...spec.examples.map((e) => `  ${e}`));
  }
  return lines.join("\n");
}
