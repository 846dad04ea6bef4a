// Copyright 2026 the battery-analysis authors. MIT license.

import type { Ctx } from "../_context.ts";
import { Params } from "../_params.ts";
import { SECURITY_HEADERS } from "../_security.ts";

/**
 * What the store looks like, cheaply: when it changes, pages that follow it reload. A page that
 * follows it embeds the state it was drawn from (`data-live-state`, taken before it reads
 * anything), so a change between the page and its event stream is not missed.
 */
export async function liveState(ctx: Pick<Ctx, "store">): Promise<string> {
  const [tests, samples, jobs] = await Promise.all([
    ctx.store.tests.count(),
    ctx.store.samples.count(),
    ctx.store.jobs.list({ limit: 5 }),
  ]);
  return JSON.stringify({
    tests,
    samples,
    jobs: jobs.map((j) => [j.id, j.status, j.counts.processed, j.updated_at]),
  });
}

/**
 * Server-sent events (`/events`): a `change` event whenever the store's test or sample count or
 * one of its recent import jobs changes (checked every `liveIntervalMs`), so the overview and
 * job pages follow an import or the watcher live. A comment line every 15 s keeps proxies from
 * closing the stream. It ends when the browser leaves or the server stops.
 */
export function eventStream(ctx: Ctx): Response {
  new Params(ctx.url, []);
  const encoder = new TextEncoder();
  let timer: ReturnType<typeof setInterval> | null = null;
  let last: string | null = null;
  let beat = 0;
  let busy = false;
  const stop = () => {
    if (timer !== null) clearInterval(timer);
    timer = null;
  };
  const body = new ReadableStream<Uint8Array>({
    start: async (controller) => {
      const close = () => {
        stop();
        try {
          controller.close();
        } catch {
          // already closed
        }
      };
      ctx.req.signal.addEventListener("abort", close, { once: true });
      ctx.closed.addEventListener("abort", close, { once: true });
      if (ctx.req.signal.aborted || ctx.closed.aborted) return close();
      last = await liveState(ctx);
      controller.enqueue(encoder.encode(`retry: 5000\nevent: ready\ndata: ${last}\n\n`));
      const interval = ctx.options.liveIntervalMs;
      timer = setInterval(async () => {
        if (busy || timer === null) return;
        busy = true;
        try {
          const now = await liveState(ctx);
          if (timer === null) return;
          if (now !== last) {
            last = now;
            controller.enqueue(encoder.encode(`event: change\ndata: ${now}\n\n`));
          } else if ((beat += interval) >= 15_000) {
            beat = 0;
            controller.enqueue(encoder.encode(`: still here\n\n`));
          }
        } catch {
          close();
        } finally {
          busy = false;
        }
      }, interval);
    },
    cancel: stop,
  });
  return new Response(body, {
    headers: {
      ...SECURITY_HEADERS,
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
    },
  });
}
