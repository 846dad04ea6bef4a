// Copyright 2026 the battery-analysis authors. MIT license.
// Who is writing, and whether a writer is still there: the identity every writer records with
// its claims, pending writes and import jobs, and the rule that decides that an owner is gone.
//
// The rule, in order:
// 1. the owner said it was done (closed) or left no record → gone;
// 2. the owner runs on this machine (same host name, boot and process namespace) → it is alive
//    exactly when a process with its pid and its start time exists (checked in /proc, at once,
//    whatever its heartbeat says: a writer blocked on a lock is not dead);
// 3. otherwise (another machine, or no /proc) → gone when its heartbeat is older than its lease.

import { hostname } from "node:os";
import { randomBytes } from "node:crypto";

import type { JobOwner } from "./documents.ts";

/**
 * The identity of one writer (one open store of one process): unique id `host:pid:random`, host
 * name, pid, Linux boot id (a reboot makes every earlier process gone), pid namespace and the
 * start time of the process (`/proc/PID/stat` field 22), the last three `null` where unknown.
 */
export type WriterIdentity = JobOwner;

function readText(path: string): string | null {
  try {
    return Deno.readTextFileSync(path).trim();
  } catch {
    return null;
  }
}

/** Field 22 (start time) of `/proc/PID/stat`, or `null` when the process does not exist. */
function processStart(pid: number): string | null {
  const stat = readText(`/proc/${pid}/stat`);
  if (stat === null) return null;
  // The command name (field 2) is in parentheses and may contain spaces.
  const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return rest[19] ?? null; // fields 3.. → index 0 is field 3, so field 22 is index 19
}

let local: Omit<WriterIdentity, "id"> | null = null;

function localProcess(): Omit<WriterIdentity, "id"> {
  if (local) return local;
  let pidNs: string | null = null;
  try {
    pidNs = Deno.readLinkSync("/proc/self/ns/pid");
  } catch {
    pidNs = null;
  }
  let host = "unknown";
  try {
    host = hostname();
  } catch {
    // no permission to read the host name: keep "unknown" (never the same-host path then)
  }
  local = {
    host,
    pid: Deno.pid,
    boot_id: readText("/proc/sys/kernel/random/boot_id"),
    pid_ns: pidNs,
    proc_start: processStart(Deno.pid),
  };
  return local;
}

/** A new writer identity for this process. */
export function newWriter(): WriterIdentity {
  const p = localProcess();
  return { id: `${p.host}:${p.pid}:${randomBytes(4).toString("hex")}`, ...p };
}

/** `host pid N`: how messages name a writer. */
export function writerLabel(
  owner: Pick<WriterIdentity, "host" | "pid"> | null | undefined,
): string {
  return owner ? `${owner.host} pid ${owner.pid}` : "another writer";
}

/**
 * Whether the process of `owner` is known to be gone (`true`), known to be running (`false`),
 * or cannot be checked from here (`null`: another machine, namespace, or no /proc).
 */
export function processGone(owner: Partial<WriterIdentity>): boolean | null {
  const me = localProcess();
  if (
    me.host === "unknown" || owner.host !== me.host || !me.boot_id || !me.pid_ns ||
    owner.boot_id === undefined || owner.pid === undefined
  ) return null;
  if (owner.boot_id !== me.boot_id) return owner.boot_id !== null ? true : null;
  if (owner.pid_ns !== me.pid_ns) return null;
  const start = processStart(owner.pid);
  if (start === null) return true;
  return owner.proc_start !== null && owner.proc_start !== undefined &&
    start !== owner.proc_start;
}

/** What is known of an owner. */
export interface OwnerEvidence {
  /** The owner's identity as recorded, or `null` when there is no record of it. */
  owner: Partial<WriterIdentity> | null;
  /** The owner closed its store (finished cleanly). @default {false} */
  closed?: boolean;
  /** Milliseconds since its last heartbeat, when known. */
  heartbeatAgeMs?: number | null;
  /** Its lease, ms. */
  leaseMs: number;
}

/**
 * Whether an owner is gone (see the rule at the top of this file).
 *
 * @example Usage
 * ```ts ignore
 * ownerGone({ owner: null, leaseMs: 15000 }); // true: no record
 * ```
 */
export function ownerGone(evidence: OwnerEvidence): boolean {
  const { owner, closed, heartbeatAgeMs, leaseMs } = evidence;
  if (!owner || closed) return true;
  const local = processGone(owner);
  if (local !== null) return local;
  return heartbeatAgeMs !== null && heartbeatAgeMs !== undefined && heartbeatAgeMs > leaseMs;
}
