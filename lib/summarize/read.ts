// Copyright 2026 the battery-analysis authors. MIT license.

import type { Recording } from "../model/file_meta.ts";
import { readRecording, type ReadRecordingOptions } from "./read_recording.ts";

/**
 * Read one instrument file from disk and parse it: the one-call form of {@link readRecording}
 * for scripts and notebooks. The format is detected from the content (then the extension)
 * unless `options.format` forces one; an Arbin `X_Metadata.csv` sidecar next to `X.csv` is read
 * too, and a sidecar that cannot be read becomes a warning in `meta.warnings`. Needs read
 * permission only.
 *
 * @param path Path of the file.
 * @param options Forced format id, file-name rule. @default {{}}
 * @returns The recording: `meta`, and `series` (cycling) and/or `spectra` (impedance).
 * @throws {FileReadError} When the file cannot be read, is not a supported format or is broken;
 *   the message names the file.
 * @throws {RangeError} When `options.format` is not a registered format id.
 *
 * @example Usage
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { join } from "node:path";
 * import { read } from "./read.ts";
 *
 * const dir = Deno.makeTempDirSync();
 * const path = join(dir, "cell.bdf.csv");
 * Deno.writeTextFileSync(path, "Test Time / s,Voltage / V,Current / A\n0,3.7,0\n60,3.7,1\n");
 * const recording = await read(path);
 * equal(recording.meta.format, "bdf_csv");
 * equal(recording.series?.length, 2);
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export async function read(
  path: string,
  options: Omit<ReadRecordingOptions, "explain"> = {},
): Promise<Recording> {
  const { recording, warnings } = await readRecording(path, { ...options, explain: false });
  if (warnings.length === 0) return recording;
  return {
    ...recording,
    meta: { ...recording.meta, warnings: [...recording.meta.warnings, ...warnings] },
  };
}
