// Copyright 2026 the battery-analysis authors. MIT license.
// The series and spectra APIs of every store, over what each adapter provides: its tests and the
// columnar chunks stored under them (`_columnar.ts`). Writes go through `tests.update` (a test and
// its data are written atomically); reads go through the test document, which names the version
// of the chunks to read, and start again when a concurrent update removed that version meanwhile.

import type { CyclingSeries } from "../model/cycling_series.ts";
import type { Spectrum } from "../model/spectrum.ts";
import type { TestResult } from "./documents.ts";
import type { SeriesApi, SeriesReadOptions, SpectraApi, TestApi } from "./store.ts";
import { NotFoundError } from "./store_error.ts";
import {
  type Chunk,
  chunkSpan,
  decodeSeries,
  decodeSpectrum,
  MissingChunkError,
} from "./_columnar.ts";
import { seriesRows } from "./_shared.ts";

/** Which stored chunks to read: one kind of a test's data, of these versions. */
export interface ChunkQuery {
  /** Series or spectrum chunks. */
  kind: "series" | "spectrum";
  /** Data versions (from the test document's `data`). */
  versions: string[];
  /** Only this sequence number (0 for the series, the spectrum's index). */
  seq?: number;
  /** Only chunks numbered from the first to the last (inclusive). */
  range?: [number, number];
}

/** What an adapter gives the series and spectra APIs (each call a store operation). */
export interface ChunkReader {
  /** The test, with its cycle tables when asked, or `null`. */
  test(id: string, withCycles: boolean): Promise<TestResult | null>;
  /** The stored chunks a query selects (each with its `seq`, column, rows and bytes). */
  chunks(testId: string, query: ChunkQuery): Promise<Chunk[]>;
  /** The store's `tests.update` (writes replace the data with the test, atomically). */
  update: TestApi["update"];
}

/** How often a read starts again after a concurrent update removed what it was reading. */
const READ_ATTEMPTS = 4;

/** Run a read, starting again when a concurrent update removed its chunks. */
async function retried<T>(read: () => Promise<T>): Promise<T> {
  for (let attempt = 1;; attempt++) {
    try {
      return await read();
    } catch (error) {
      if (!(error instanceof MissingChunkError) || attempt >= READ_ATTEMPTS) throw error;
    }
  }
}

/**
 * The `series` API over a store's tests and chunks: a read loads only the chunks the rows (or
 * the cycle) need.
 *
 * @param reader The adapter's tests and chunks.
 * @returns The API.
 */
export function seriesApi(reader: ChunkReader): SeriesApi {
  return {
    write: async (testId: string, series: CyclingSeries) => {
      await reader.update(testId, {}, { series });
    },
    read: (testId: string, options: SeriesReadOptions = {}) =>
      retried(async () => {
        const test = await reader.test(testId, options.cycle !== undefined);
        if (!test) throw new NotFoundError("test", testId);
        const info = test.data.series;
        if (!info) return null;
        const rows = seriesRows(test, info, options);
        const chunks = await reader.chunks(testId, {
          kind: "series",
          versions: [info.version],
          seq: 0,
          range: chunkSpan(rows[0], rows[1], info.chunk_rows),
        });
        return decodeSeries(info, chunks, rows);
      }),
  };
}

/**
 * The `spectra` API over a store's tests and chunks (one query for all spectra of a test).
 *
 * @param reader The adapter's tests and chunks.
 * @returns The API.
 */
export function spectraApi(reader: ChunkReader): SpectraApi {
  return {
    write: async (testId: string, spectra: Spectrum[]) => {
      await reader.update(testId, {}, { spectra });
    },
    read: (testId: string) =>
      retried(async () => {
        const test = await reader.test(testId, false);
        if (!test) throw new NotFoundError("test", testId);
        const infos = test.data.spectra;
        if (infos.length === 0) return [];
        const chunks = await reader.chunks(testId, {
          kind: "spectrum",
          versions: [...new Set(infos.map((i) => i.version))],
        });
        return infos.map((info, seq) => decodeSpectrum(info, chunks.filter((c) => c.seq === seq)));
      }),
  };
}
