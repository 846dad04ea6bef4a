// Copyright 2026 the battery-analysis authors. MIT license.
// Cell datasets in SQLite.

import type { CellDataset, CellDatasetInput } from "./documents.ts";
import type { DatasetApi } from "./store.ts";
import { checkDatasetInput } from "./_normalize.ts";
import { checkExpectedPrevious, newDataset } from "./_shared.ts";
import type { SqliteDb } from "./_sqlite_db.ts";

/**
 * The `datasets` API of a SQLite store: versions in `datasets`, unique by cell code and version.
 *
 * @param db The database.
 * @returns The API.
 */
export function sqliteDatasets(db: SqliteDb): DatasetApi {
  const latest = (code: string): CellDataset | null => {
    const row = db.get(
      "SELECT doc FROM datasets WHERE cell_code = ? ORDER BY version DESC LIMIT 1",
      [code],
    );
    return row ? JSON.parse(row.doc as string) : null;
  };
  return {
    put: (input: CellDatasetInput, options = {}) =>
      db.async(() => {
        const content = checkDatasetInput(input);
        return db.tx(() => {
          const previous = latest(content.cell_code);
          checkExpectedPrevious(content.cell_code, previous, options.expected_previous_id);
          const dataset = newDataset(content, previous);
          db.run("INSERT INTO datasets (id, cell_code, version, doc) VALUES (?,?,?,?)", [
            dataset.id,
            dataset.cell_code,
            dataset.version,
            JSON.stringify(dataset),
          ]);
          return dataset;
        });
      }),
    latest: (code) => db.async(() => latest(code)),
    get: (id) =>
      db.async(() => {
        const row = db.get("SELECT doc FROM datasets WHERE id = ?", [id]);
        return row ? JSON.parse(row.doc as string) : null;
      }),
    versions: (code) =>
      db.async(() =>
        db.all("SELECT doc FROM datasets WHERE cell_code = ? ORDER BY version DESC", [code])
          .map((r) => JSON.parse(r.doc as string))
      ),
    count: () =>
      db.async(() => db.get("SELECT count(DISTINCT cell_code) AS n FROM datasets")!.n as number),
  };
}
