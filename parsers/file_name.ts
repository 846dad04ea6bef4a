// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/** What a file name says about the measurement. */
export interface FileNameInfo {
  /** File name without directories. */
  file_name: string;
  /** Sample name. */
  sample: string;
  /** Cell code such as `CN123`, or `null`. */
  cell_code: string | null;
  /** Instrument channel, or `null`. */
  channel: number | null;
  /** Part number of a multi-file test (`_Wb_2`, `.002`), or `null`. */
  part: number | null;
  /** Name shared by all parts of one test: the name without directories, extension and part. */
  base_name: string;
  /** Technique named in an EC-Lab multi-technique file name (`_01_PEIS_C05` → `"PEIS"`), or `null`. */
  technique: string | null;
  /** Sequence number of that technique (`_01_PEIS_C05` → 1), or `null`. */
  sequence: number | null;
  /**
   * Every named group of the pattern that matched, as text (`{ sample: "X", channel: "3" }`);
   * a configured rule may add sample properties (`nominal_capacity_mAh`, `area_cm2`, ...).
   */
  groups: Record<string, string>;
}

/**
 * A naming rule: regular expressions tried in order on the file stem (the name without
 * directories and extension, after a `_Wb_<n>` part suffix is removed). The first that matches
 * decides; its named groups `sample`, `channel`, `technique` and `sequence` are used, and all its
 * named groups are returned in `groups` (a configured rule can name sample properties such as
 * `nominal_capacity_mAh`). When none matches, the whole stem is the sample. `cellCode` is
 * searched anywhere in the stem.
 */
export interface FileNameRule {
  /** Patterns tried in order. */
  patterns: RegExp[];
  /** Pattern of a cell code; its first match (group `code` when present) is the cell code. */
  cellCode: RegExp;
}

/**
 * The default rule:
 * - Arbin: `<sample>_Channel_<n>` (`BL_Zn_SymCell_072023_04_1mAh_Channel_54_Wb_1.CSV` gives
 *   sample `BL_Zn_SymCell_072023_04_1mAh`, channel 54, part 1);
 * - Arbin/BEEP: `<sample>_CH<n>` (`FastCharge_000025_CH8.csv` gives sample `FastCharge_000025`,
 *   channel 8);
 * - EC-Lab multi-technique: `<sample>_<seq>_<TECH>_C<nn>` (`X_01_PEIS_C05` gives sample `X`,
 *   technique `PEIS`, sequence 1, channel 5);
 * - EC-Lab: `<sample>_C<nn>` (`X_C03` gives sample `X`, channel 3);
 * - Neware: `<sample>_<unit>_<channel>` is not assumed (too ambiguous); the stem is the sample.
 * - Cell code: `CN` followed by digits anywhere.
 */
export const DEFAULT_FILE_NAME_RULE: FileNameRule = {
  patterns: [
    /^(?<sample>.+?)_Channel_?(?<channel>\d+)$/i,
    /^(?<sample>.+?)_CH(?<channel>\d+)$/,
    /^(?<sample>.+?)_(?<sequence>\d{1,3})_(?<technique>[A-Z][A-Za-z0-9]*)_C(?<channel>\d{1,3})$/,
    /^(?<sample>.+?)_C(?<channel>\d{1,3})$/,
  ],
  cellCode: /(?<code>CN\d+)/,
};

/** Options of {@link parseFileName}. */
export interface ParseFileNameOptions {
  /** The naming rule. @default {DEFAULT_FILE_NAME_RULE} */
  rule?: FileNameRule;
}

/**
 * Derive sample name, channel, cell code and multi-file part from a file name with one rule.
 *
 * @param path File name or path (`/` or `\` separators).
 * @param options The rule to use.
 * @returns What the name says.
 *
 * @example Usage
 * ```ts
 * import { parseFileName } from "./file_name.ts";
 * import { equal } from "node:assert/strict";
 *
 * const info = parseFileName("data/BL_Zn_SymCell_072023_04_1mAh_Channel_54_Wb_1.CSV");
 * equal(info.sample, "BL_Zn_SymCell_072023_04_1mAh");
 * equal(info.channel, 54);
 * equal(info.part, 1);
 * equal(info.base_name, "BL_Zn_SymCell_072023_04_1mAh_Channel_54");
 * equal(parseFileName("CN123_cycling_C01.mpt").cell_code, "CN123");
 * ```
 */
export function parseFileName(path: string, options: ParseFileNameOptions = {}): FileNameInfo {
  const rule = options.rule ?? DEFAULT_FILE_NAME_RULE;
  const fileName = path.split(/[\\/]/).pop() ?? path;
  let stem = fileName;
  let part: number | null = null;
  const numbered = /^(.*)\.(\d{3})$/.exec(stem);
  if (numbered) {
    // Maccor-style numbered parts: test.001, test.002.
    stem = numbered[1];
    part = Number(numbered[2]);
  } else {
    const dot = stem.lastIndexOf(".");
    if (dot > 0) stem = stem.slice(0, dot);
  }
  const wb = /^(.*)_Wb_(\d+)$/i.exec(stem);
  if (wb) {
    stem = wb[1];
    part = Number(wb[2]);
  }
  let sample = stem;
  let channel: number | null = null;
  let technique: string | null = null;
  let sequence: number | null = null;
  let matched: Record<string, string> = {};
  for (const pattern of rule.patterns) {
    const groups = pattern.exec(stem)?.groups;
    if (!groups) continue;
    matched = Object.fromEntries(
      Object.entries(groups).filter((e): e is [string, string] => e[1] !== undefined),
    );
    if (groups.sample) sample = groups.sample;
    if (groups.channel) channel = Number(groups.channel);
    if (groups.technique) technique = groups.technique;
    if (groups.sequence) sequence = Number(groups.sequence);
    break;
  }
  const code = rule.cellCode.exec(stem);
  const cellCode = code ? (code.groups?.code ?? code[0]) : null;
  return {
    file_name: fileName,
    sample,
    cell_code: cellCode,
    channel,
    part,
    base_name: stem,
    technique,
    sequence,
    groups: matched,
  };
}
