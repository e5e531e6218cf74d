/**
 * TEST-ONLY: Debian's redis-server as the reference the differential tests compare against,
 * started by the test itself on a free port (never as a service) with persistence off and
 * stopped by `stop()`; and the raw RESP that those tests send and read back: a request encoder
 * and a reply framer (where one whole reply ends), with no dependency on the server layer.
 * kv is the lowest layer whose tests need it; server and e2e tests import it from here.
 */
import { spawn, execFileSync } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";

export interface ReferenceRedis {
  readonly port: number;
  stop(): Promise<void>;
}

/** Whether `redis-server` can be run (tests skip themselves when it cannot). */
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

/**
 * Starts redis-server on 127.0.0.1 and a free port with `extraArgs` appended (for example
 * `--requirepass`), and resolves once it accepts connections.
 * @throws Error with the server's output when it exits before it is ready.
 */
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

/** One command as a client sends it: a RESP array of bulk strings. */
export function respRequest(args: readonly string[]): string {
  return `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join("")}`;
}

/**
 * The end of the one RESP2 or RESP3 reply starting at `at` in `text` (latin1), or -1 when it is
 * not complete yet. A negative length (`$-1`, `*-1`) is a whole null.
 */
export function respReplyEnd(text: string, at: number): number {
  const eol = text.indexOf("\r\n", at);
  if (eol < 0) return -1;
  const head = text.charAt(at);
  const n = Number(text.slice(at + 1, eol));
  if (head === "$" || head === "=" || head === "!") {
    if (n < 0) return eol + 2;
    return text.length >= eol + 2 + n + 2 ? eol + 2 + n + 2 : -1;
  }
  if (head === "*" || head === "~" || head === ">" || head === "%") {
    let end = eol + 2;
    const items = n < 0 ? 0 : head === "%" ? n * 2 : n;
    for (let i = 0; i < items; i++) {
      end = respReplyEnd(text, end);
      if (end < 0) return -1;
    }
    return end;
  }
  return eol + 2;
}

/** The whole replies at the start of `text`, in order; a cut-short last reply is left out. */
export function splitRespReplies(text: string): string[] {
  const replies: string[] = [];
  for (let at = 0; at < text.length;) {
    const end = respReplyEnd(text, at);
    if (end < 0) break;
    replies.push(text.slice(at, end));
    at = end;
  }
  return replies;
}
