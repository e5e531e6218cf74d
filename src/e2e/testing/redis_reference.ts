/**
 * Test support: Debian's redis-server as the reference, started by the test itself on a free
 * port (never as a service), with persistence off, and stopped by `stop()`.
 */
import { spawn, execFileSync } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";

export interface ReferenceRedis {
  readonly port: number;
  stop(): Promise<void>;
}

export function redisServerInstalled(): boolean {
  try {
    execFileSync("redis-server", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

async function freePort(): Promise<number> {
  const server = createServer().listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  await new Promise((done) => server.close(done));
  return typeof address === "object" && address !== null ? address.port : 0;
}

/** Starts redis-server and resolves once it accepts connections. */
export async function startReferenceRedis(extraArgs: readonly string[] = []): Promise<ReferenceRedis> {
  const port = await freePort();
  const child = spawn("redis-server", [
    "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
    "--daemonize", "no", ...extraArgs,
  ], { stdio: ["ignore", "pipe", "inherit"] });
  const exited = once(child, "exit");
  let output = "";
  for await (const chunk of child.stdout) {
    output += String(chunk);
    if (output.includes("Ready to accept connections")) break;
  }
  if (!output.includes("Ready to accept connections")) {
    throw new Error(`redis-server did not start:\n${output.slice(-2000)}`);
  }
  child.stdout.resume();
  return {
    port,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}
