// Copyright 2026 the battery-analysis authors. MIT license.

/** What every page handler receives, and what it returns. */

import type { Store } from "../store/store.ts";
import type { ImportDirectoryOptions, ImportSummary } from "../import/import_directory.ts";
import type { DashboardCompute } from "./_compute.ts";
import type { SafeHtml } from "./_html.ts";

/** Options of `createDashboardHandler`. */
export interface DashboardOptions {
  /**
   * Access token every request must carry (`Authorization: Bearer`, or `?token=` once, which
   * sets a cookie). Without one, only requests addressed to a loopback host name are answered.
   * @default {null}
   */
  token?: string | null;
  /** Folder of ad hoc analysis scripts; `null` turns the page off. @default {"./adhoc"} */
  adhocDir?: string | null;
  /**
   * Resumes an interrupted import job (the CLI wires `importDirectory(store, [], {resumeJobId})`);
   * absent, the resume button is not offered.
   */
  resumeJob?: (jobId: string) => Promise<unknown>;
  /** Command shown on an empty store. @default {"deno run -A cli/import_directory.ts DIR"} */
  importCommand?: string;
  /** Tests whose last data point is newer than this are "running". @default {24} */
  runningWindowHours?: number;
  /** The current time (tests). @default {() => new Date()} */
  now?: () => Date;
  /**
   * Worker threads for fits, DRT and large series (started on first use); heavy fits use at
   * most all but one of them, so a page section always finds one. @default {2}
   */
  computeWorkers?: number;
  /** Time limit of one such computation, in milliseconds. @default {120000} */
  computeTimeoutMs?: number;
  /** How often live pages (overview, jobs) look for changes, in milliseconds. @default {2000} */
  liveIntervalMs?: number;
  /**
   * Module the compute workers load: `lib/dashboard/_worker.ts`, or the bundle's
   * `dashboard_worker.js` beside it. @default {found beside the dashboard's code}
   */
  workerUrl?: string | URL;
  /**
   * Imports uploaded files into the store as a job (the CLI wires `importDirectory` on the same
   * store); absent, the Upload page says uploads are off (a read-only server).
   */
  importFiles?: (roots: string[], options: ImportDirectoryOptions) => Promise<ImportSummary>;
  /**
   * Folder where uploads are kept (one subfolder per upload; their paths are the tests' source
   * paths). @default {a temporary folder per upload, removed after its import}
   */
  uploadDir?: string | null;
  /** Largest upload (all files of one form), in bytes. @default {1 GiB} */
  maxUploadBytes?: number;
}

/** The options with defaults applied. */
export interface ResolvedOptions {
  token: string | null;
  adhocDir: string | null;
  resumeJob: ((jobId: string) => Promise<unknown>) | null;
  importCommand: string;
  runningWindowHours: number;
  now: () => Date;
  liveIntervalMs: number;
  importFiles:
    | ((roots: string[], options: ImportDirectoryOptions) => Promise<ImportSummary>)
    | null;
  uploadDir: string | null;
  maxUploadBytes: number;
}

/** One request being served. */
export interface Ctx {
  /** The request. */
  req: Request;
  /** Its URL. */
  url: URL;
  /** The store. */
  store: Store;
  /** Options. */
  options: ResolvedOptions;
  /** CSRF secret of this server (embedded in forms of POST actions). */
  csrf: string;
  /** Background actions started by this server (resumed jobs), by key. */
  running: Map<string, Promise<unknown>>;
  /** Errors of finished background actions, by key. */
  actionErrors: Map<string, string>;
  /** Sections computed in worker threads, cached. */
  compute: DashboardCompute;
  /** Aborted when the handler is closed (ends live streams). */
  closed: AbortSignal;
}

/** A rendered page. */
export interface Page {
  /** Title (also the `<h1>`). */
  title: string;
  /** Which navigation entry is active. */
  nav: string;
  /** Content. */
  body: SafeHtml;
  /** HTTP status. @default {200} */
  status?: number;
  /** Load the plotting scripts. @default {whether the body holds a plot} */
  plots?: boolean;
}

/** A request error shown to the user as a page with this status. */
export class HttpError extends Error {
  /** @param status HTTP status. @param message What went wrong, for the user. */
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = "HttpError";
  }
}
