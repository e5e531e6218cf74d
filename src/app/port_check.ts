/**
 * Which of a set of ports cannot be listened on, checked before any node starts, so `raftkv
 * cluster` names every taken port once instead of starting nodes that fail one by one.
 */
import { createServer } from "node:net";

export interface PortProblem {
  readonly port: number;
  /** What is wrong, e.g. "in use (EADDRINUSE)". */
  readonly reason: string;
}

function tryListen(host: string, port: number): Promise<string | null> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", (error: NodeJS.ErrnoException) => {
      resolve(error.code === "EADDRINUSE" ? "in use (EADDRINUSE)"
        : error.code === "EACCES" ? "not permitted (EACCES)" : error.message);
    });
    server.listen({ host, port, exclusive: true }, () => {
      server.close(() => { resolve(null); });
    });
  });
}

/** The ports of `ports` that cannot be listened on at `host`, with why. */
export async function unavailablePorts(host: string, ports: readonly number[]): Promise<PortProblem[]> {
  const problems: PortProblem[] = [];
  for (const port of ports) {
    const reason = await tryListen(host, port);
    if (reason !== null) problems.push({ port, reason });
  }
  return problems;
}
