// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/** Columns that mark a Battery Archive per-cycle table. */
export const BATTERY_ARCHIVE_CYCLE_COLUMNS = [
  "Cycle_Index",
  "Test_Time (s)",
  "Charge_Capacity (Ah)",
  "Discharge_Capacity (Ah)",
];
