// Copyright 2026 the battery-analysis authors. MIT license.
// The SQLite schema: forward migrations applied in order on open (`SqliteDb`); a database records
// the highest version applied.

/**
 * Schema migrations, applied in order; a database records the highest applied version. With
 * `reindex`, every `test_index` row is computed again from its test's document afterwards, in
 * the same transaction (`_sqlite_test_index.ts`).
 */
export const MIGRATIONS: { version: number; sql: string; reindex?: boolean }[] = [
  {
    version: 1,
    sql: `
CREATE TABLE samples (
  id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, chemistry TEXT, cell_code TEXT,
  parent_id TEXT, anode_id TEXT, cathode_id TEXT, separator_id TEXT, electrolyte_id TEXT,
  doc TEXT NOT NULL);
CREATE INDEX samples_cell_code ON samples(cell_code);
CREATE INDEX samples_chemistry ON samples(chemistry);
CREATE INDEX samples_parent ON samples(parent_id);
CREATE TABLE sample_contributions (
  sample_id TEXT NOT NULL, test_id TEXT NOT NULL, doc TEXT NOT NULL,
  PRIMARY KEY (sample_id, test_id));
CREATE TABLE tests (
  id TEXT PRIMARY KEY, sample_id TEXT NOT NULL, file_hash TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL, base_name TEXT NOT NULL, cell_code TEXT, tester TEXT NOT NULL,
  test_type TEXT NOT NULL, start_time TEXT, created_at TEXT NOT NULL,
  doc TEXT NOT NULL, cycles TEXT NOT NULL);
CREATE INDEX tests_sample ON tests(sample_id);
CREATE INDEX tests_cell_code ON tests(cell_code);
CREATE INDEX tests_base_name ON tests(base_name);
CREATE INDEX tests_name ON tests(name);
CREATE INDEX tests_start ON tests(start_time);
CREATE TABLE test_hashes (hash TEXT PRIMARY KEY, test_id TEXT NOT NULL);
CREATE INDEX test_hashes_test ON test_hashes(test_id);
CREATE TABLE data_chunks (
  test_id TEXT NOT NULL, version TEXT NOT NULL, kind TEXT NOT NULL, seq INTEGER NOT NULL,
  chunk INTEGER NOT NULL, col TEXT NOT NULL, row_start INTEGER NOT NULL,
  row_count INTEGER NOT NULL, bytes BLOB NOT NULL);
CREATE UNIQUE INDEX data_chunks_key ON data_chunks(test_id, version, kind, seq, chunk, col);
CREATE TABLE raw_files (
  id TEXT PRIMARY KEY, sha256 TEXT NOT NULL UNIQUE, test_id TEXT, sample_id TEXT,
  import_job_id TEXT, operator TEXT, uploaded_at TEXT NOT NULL, doc TEXT NOT NULL);
CREATE INDEX raw_files_test ON raw_files(test_id);
CREATE INDEX raw_files_sample ON raw_files(sample_id);
CREATE INDEX raw_files_job ON raw_files(import_job_id);
CREATE TABLE raw_chunks (file_id TEXT NOT NULL, n INTEGER NOT NULL, bytes BLOB NOT NULL,
  PRIMARY KEY (file_id, n));
CREATE TABLE jobs (id TEXT PRIMARY KEY, status TEXT NOT NULL, started_at TEXT NOT NULL,
  doc TEXT NOT NULL);
CREATE INDEX jobs_started ON jobs(started_at);
CREATE TABLE job_files (job_id TEXT NOT NULL, n INTEGER NOT NULL, doc TEXT NOT NULL,
  PRIMARY KEY (job_id, n));
CREATE TABLE datasets (id TEXT PRIMARY KEY, cell_code TEXT NOT NULL, version INTEGER NOT NULL,
  doc TEXT NOT NULL, UNIQUE (cell_code, version));
`,
  },
  {
    // The per-cycle table of a test's analysis, kept beside `cycles` so that listings
    // (`without_cycles`) read neither.
    version: 2,
    sql: `ALTER TABLE tests ADD COLUMN analysis_cycles TEXT;`,
  },
  {
    // A narrow table beside `tests` with what lists filter and sort on: the test's fields, the
    // stored analysis's protocol, flags and headline numbers, and the texts free-text search
    // looks in. Lists filter, sort and page there and read only their page's documents.
    version: 3,
    sql: `CREATE TABLE test_index (
  test_id TEXT PRIMARY KEY, sample_id TEXT NOT NULL, start_time TEXT, created_at TEXT NOT NULL,
  name TEXT NOT NULL, base_name TEXT NOT NULL, cell_code TEXT, tester TEXT NOT NULL,
  test_type TEXT NOT NULL, tags TEXT NOT NULL, name_lc TEXT NOT NULL, tester_lc TEXT NOT NULL,
  protocol TEXT, flag_codes TEXT, flag_count INTEGER, search_text TEXT NOT NULL,
  m_cycle_count REAL, m_counted_cycle_count REAL, m_reference_cycle REAL, m_initial_capacity_Ah REAL, m_final_capacity_Ah REAL, m_capacity_retention REAL, m_fade_per_100_cycles REAL, m_mean_coulombic_efficiency REAL, m_mean_energy_efficiency REAL, m_eol_cycle_observed REAL, m_eol_cycle_predicted REAL, m_knee_cycle REAL, m_median_internal_resistance_ohm REAL);
INSERT INTO test_index (test_id, sample_id, start_time, created_at, name, base_name, cell_code,
  tester, test_type, tags, name_lc, tester_lc, protocol, flag_codes, flag_count, search_text,
  m_cycle_count, m_counted_cycle_count, m_reference_cycle, m_initial_capacity_Ah, m_final_capacity_Ah, m_capacity_retention, m_fade_per_100_cycles, m_mean_coulombic_efficiency, m_mean_energy_efficiency, m_eol_cycle_observed, m_eol_cycle_predicted, m_knee_cycle, m_median_internal_resistance_ohm)
SELECT id, sample_id, start_time, created_at, name, base_name, cell_code, tester, test_type,
  char(10) || coalesce((SELECT group_concat(value, char(10)) || char(10) FROM json_each(doc, '$.tags')), ''),
  lower(name), lower(tester),
  json_extract(doc, '$.analysis.summary.protocol'),
  CASE WHEN json_type(doc, '$.analysis.summary.flag_codes') = 'array' THEN
    ',' || coalesce((SELECT group_concat(value, ',') FROM json_each(doc, '$.analysis.summary.flag_codes')), '') || ',' END,
  json_array_length(doc, '$.analysis.summary.flag_codes'),
  lower(name || char(10) || id || char(10) || coalesce(cell_code, '') || char(10) || tester ||
    coalesce((SELECT char(10) || group_concat(value, char(10)) FROM json_each(doc, '$.tags')), '') ||
    coalesce((SELECT char(10) || group_concat(json_extract(value, '$.file_name'), char(10)) FROM json_each(doc, '$.parts')), '') ||
    char(10) || coalesce(json_extract(doc, '$.source_path'), '')),
  json_extract(doc, '$.analysis.summary.cycle_count'),
  json_extract(doc, '$.analysis.summary.counted_cycle_count'),
  json_extract(doc, '$.analysis.summary.reference_cycle'),
  json_extract(doc, '$.analysis.summary.initial_capacity_Ah'),
  json_extract(doc, '$.analysis.summary.final_capacity_Ah'),
  json_extract(doc, '$.analysis.summary.capacity_retention'),
  json_extract(doc, '$.analysis.summary.fade_per_100_cycles'),
  json_extract(doc, '$.analysis.summary.mean_coulombic_efficiency'),
  json_extract(doc, '$.analysis.summary.mean_energy_efficiency'),
  json_extract(doc, '$.analysis.summary.eol_cycle_observed'),
  json_extract(doc, '$.analysis.summary.eol_cycle_predicted'),
  json_extract(doc, '$.analysis.summary.knee_cycle'),
  json_extract(doc, '$.analysis.summary.median_internal_resistance_ohm')
FROM tests;
CREATE INDEX test_index_start ON test_index(start_time, created_at);
CREATE INDEX test_index_sample ON test_index(sample_id);
CREATE INDEX test_index_fade ON test_index(m_fade_per_100_cycles);
CREATE INDEX test_index_retention ON test_index(m_capacity_retention);`,
  },
  {
    // The bulky parts of a test's analysis (retention curve, fade models and anomalies, dQ/dV,
    // pulses, current levels) beside `doc`, and the end time of the last cycle inside it
    // (`_end_time_s`), so that lists (`tests.list`) read only `doc`, the first of the large
    // columns of a row.
    version: 4,
    sql: `ALTER TABLE tests ADD COLUMN analysis_detail TEXT;
UPDATE tests SET
  analysis_detail = CASE WHEN json_type(doc, '$.analysis') = 'object' THEN json_object(
    'current_levels', json(coalesce(json_extract(doc, '$.analysis.current_levels'), '[]')),
    'retention', json(json_extract(doc, '$.analysis.retention')),
    'fade', json(json_extract(doc, '$.analysis.fade')),
    'dqdv', json(json_extract(doc, '$.analysis.dqdv')),
    'pulse', json(json_extract(doc, '$.analysis.pulse'))) END,
  doc = json_set(CASE WHEN json_type(doc, '$.analysis') = 'object' THEN json_remove(doc,
    '$.analysis.current_levels', '$.analysis.retention', '$.analysis.fade', '$.analysis.dqdv',
    '$.analysis.pulse') ELSE doc END, '$._end_time_s', json_extract(cycles, '$[#-1].end_time_s'));`,
  },
  {
    // When each test's data ends (the overview's running and finished tests), whether its
    // analysis has a fade analysis (the fade ranking), its place in the `random` order (a
    // reproducible sample) and its conditions (temperature, C-rates, cut-offs: what the fade
    // ranking correlates): computed from each document again by `indexRow`, as writes do.
    version: 5,
    sql: `ALTER TABLE test_index ADD COLUMN last_data_ms REAL;
ALTER TABLE test_index ADD COLUMN has_fade INTEGER;
ALTER TABLE test_index ADD COLUMN random_key REAL;
ALTER TABLE test_index ADD COLUMN t_temperature_C REAL;
ALTER TABLE test_index ADD COLUMN t_charge_rate_C REAL;
ALTER TABLE test_index ADD COLUMN t_discharge_rate_C REAL;
ALTER TABLE test_index ADD COLUMN t_upper_cutoff_voltage_V REAL;
ALTER TABLE test_index ADD COLUMN t_lower_cutoff_voltage_V REAL;
CREATE INDEX test_index_last_data ON test_index(last_data_ms);
CREATE INDEX test_index_random ON test_index(random_key);`,
    reindex: true,
  },
];
