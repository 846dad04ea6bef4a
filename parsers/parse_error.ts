// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/** Where in a file a {@link ParseError} happened. */
export interface ParseErrorOptions {
  /** 1-based line number, when the input is text. */
  line?: number | null;
  /** 0-based byte offset, when known. */
  offset?: number | null;
  /** The error that caused this one. */
  cause?: unknown;
}

/**
 * Input that cannot be parsed. The message names the file and, when known, the line or byte
 * offset: `Cannot parse "x.csv": line 12 has 9 fields, expected 14`.
 *
 * @example Usage
 * ```ts
 * import { ParseError } from "./parse_error.ts";
 * import { equal } from "node:assert/strict";
 *
 * const error = new ParseError("x.csv", "line 12 has 9 fields, expected 14", { line: 12 });
 * equal(error.message, 'Cannot parse "x.csv": line 12 has 9 fields, expected 14');
 * equal(error instanceof SyntaxError, true);
 * ```
 */
export class ParseError extends SyntaxError {
  /** Name of the file that could not be parsed. */
  readonly file: string;
  /** 1-based line number, or `null`. */
  readonly line: number | null;
  /** 0-based byte offset, or `null`. */
  readonly offset: number | null;

  /**
   * An error in `file`; the message is `Cannot parse "<file>": <detail>`.
   *
   * @param file File name (base name or path) as the user knows it.
   * @param detail What is wrong, without the file name.
   * @param options Line, offset and cause.
   */
  constructor(file: string, detail: string, options: ParseErrorOptions = {}) {
    super(`Cannot parse "${file}": ${detail}`, { cause: options.cause });
    this.name = "ParseError";
    this.file = file;
    this.line = options.line ?? null;
    this.offset = options.offset ?? null;
  }
}

/**
 * A file that no registered parser recognizes.
 *
 * @example Usage
 * ```ts
 * import { UnsupportedFormatError } from "./parse_error.ts";
 * import { match } from "node:assert/strict";
 *
 * const error = new UnsupportedFormatError("notes.docx", ["Arbin CSV (.csv)"]);
 * match(error.message, /not a supported format/);
 * ```
 */
export class UnsupportedFormatError extends ParseError {
  /** Human-readable names of the supported formats. */
  readonly supported: string[];

  /**
   * A file no parser recognizes.
   *
   * @param file File name.
   * @param supported Names of the supported formats, listed in the message.
   * @param detail What was seen, for example the first bytes.
   */
  constructor(file: string, supported: string[], detail = "") {
    super(
      file,
      `not a supported format${detail ? ` (${detail})` : ""}; supported formats: ${
        supported.join(", ")
      }`,
      { offset: 0 },
    );
    this.name = "UnsupportedFormatError";
    this.supported = supported;
  }
}
