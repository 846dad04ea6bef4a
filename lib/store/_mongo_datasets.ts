// Copyright 2026 the battery-analysis authors. MIT license.
// Cell datasets in MongoDB.

import type { CellDataset, CellDatasetInput } from "./documents.ts";
import type { DatasetApi } from "./store.ts";
import { ConflictError } from "./store_error.ts";
import { checkDatasetInput } from "./_normalize.ts";
import { checkExpectedPrevious, newDataset } from "./_shared.ts";
import { fromDoc, isDuplicateKey, toDoc } from "./_mongo_documents.ts";
import type { MongoDb } from "./_mongo_db.ts";

/**
 * The `datasets` API of a MongoDB store: versions in `cell_datasets`, unique by cell code and
 * version (a concurrent writer's version is a `ConflictError`).
 *
 * @param db The database.
 * @returns The API.
 */
export function mongoDatasets(db: MongoDb): DatasetApi {
  const c = db.c;
  const latest = async (code: string): Promise<CellDataset | null> =>
    fromDoc<CellDataset>(
      await c.datasets.findOne({ cell_code: code }, { sort: { version: -1 } }),
    );
  return {
    put: (input: CellDatasetInput, options = {}) =>
      db.op(async () => {
        const content = checkDatasetInput(input);
        const previous = await latest(content.cell_code);
        checkExpectedPrevious(content.cell_code, previous, options.expected_previous_id);
        const dataset = newDataset(content, previous);
        try {
          await c.datasets.insertOne(toDoc(dataset));
        } catch (error) {
          if (!isDuplicateKey(error)) throw error;
          throw new ConflictError(
            `Cell dataset "${content.cell_code}" version ${dataset.version} was written by another writer`,
          );
        }
        return dataset;
      }),
    latest: (code) => db.op(() => latest(code)),
    get: (id) => db.op(async () => fromDoc<CellDataset>(await c.datasets.findOne({ _id: id }))),
    versions: (code) =>
      db.op(async () =>
        (await c.datasets.find({ cell_code: code }).sort({ version: -1 }).toArray())
          .map((d) => fromDoc<CellDataset>(d)!)
      ),
    count: () => db.op(async () => (await c.datasets.distinct("cell_code")).length),
  };
}
