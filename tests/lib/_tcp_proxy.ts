// Copyright 2026 the battery-analysis authors. MIT license.
// A TCP relay in front of a server, to make the server "go away" and come back during a test
// without stopping it for the other tests: `cut()` closes the listener and every relayed
// connection (clients then get refused connections), `restore()` listens again on the same port.

/** A running relay. */
export interface TcpProxy {
  /** Local port the relay listens on. */
  readonly port: number;
  /** Stop relaying: close the listener and all open connections. */
  cut(): Promise<void>;
  /** Listen again on the same port. */
  restore(): void;
  /** Stop for good. */
  close(): Promise<void>;
}

/**
 * Relay `127.0.0.1:<port>` to `target`.
 * @param target Host and port of the real server.
 */
export function startTcpProxy(target: { hostname: string; port: number }): TcpProxy {
  let listener: Deno.Listener | null = null;
  let loop: Promise<void> = Promise.resolve();
  const open = new Set<Deno.Conn>();
  const closeConn = (c: Deno.Conn): void => {
    open.delete(c);
    try {
      c.close();
    } catch {
      // already closed
    }
  };
  const relay = async (client: Deno.Conn): Promise<void> => {
    open.add(client);
    let server: Deno.Conn;
    try {
      server = await Deno.connect(target);
    } catch {
      closeConn(client);
      return;
    }
    open.add(server);
    await Promise.allSettled([
      client.readable.pipeTo(server.writable),
      server.readable.pipeTo(client.writable),
    ]);
    closeConn(client);
    closeConn(server);
  };
  const listen = (port: number): number => {
    const l = Deno.listen({ hostname: "127.0.0.1", port });
    listener = l;
    loop = (async () => {
      try {
        for await (const conn of l) relay(conn);
      } catch {
        // listener closed
      }
    })();
    return (l.addr as Deno.NetAddr).port;
  };
  const port = listen(0);
  const cut = async (): Promise<void> => {
    listener?.close();
    listener = null;
    await loop;
    for (const c of [...open]) closeConn(c);
  };
  return {
    port,
    cut,
    restore: () => {
      if (!listener) listen(port);
    },
    close: cut,
  };
}
