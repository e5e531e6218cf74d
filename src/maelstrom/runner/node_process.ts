/**
 * One node binary under test (docs/maelstrom.md §7.1-§7.2): spawned with pipes in its own
 * working directory, stdin fed one JSON line per delivered message, stdout parsed and validated
 * line by line, stderr saved to `node-logs/<id>.log`. Any protocol mistake or an exit while the
 * test is running is fatal to the run and reported with the offending line.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { createWriteStream, type WriteStream } from "node:fs";
import { createInterface } from "node:readline";
import { parseNodeLine, type Envelope } from "../protocol.js";

export interface NodeProcessOptions {
  readonly id: string;
  /** Absolute path of the executable. */
  readonly bin: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly logPath: string;
  readonly env: NodeJS.ProcessEnv;
  readonly isKnownId: (id: string) => boolean;
  readonly onMessage: (envelope: Envelope) => void;
  /** Called once, with a ProtocolError or a NodeExitError, when the node misbehaves. */
  readonly onFatal: (error: Error) => void;
  /** Also copy the node's stderr to the runner's stderr (Maelstrom's --log-stderr). */
  readonly logStderr: boolean;
}

/** The node process exited (or could not start) while the test was still running. */
export class NodeExitError extends Error {
  override readonly name = "NodeExitError";
  readonly code = "MAELSTROM_NODE_EXIT";
  constructor(
    readonly nodeId: string,
    readonly detail: string,
  ) {
    super(`Node ${nodeId} ${detail} while the test was running; see its node-logs/${nodeId}.log`);
  }
}

export class NodeProcess {
  private child: ChildProcessWithoutNullStreams | null = null;
  private log: WriteStream | null = null;
  private stopping = false;
  private exited: Promise<void> = Promise.resolve();

  constructor(private readonly options: NodeProcessOptions) {}

  get id(): string {
    return this.options.id;
  }

  start(): void {
    const { id, bin, args, cwd, env } = this.options;
    const log = createWriteStream(this.options.logPath);
    this.log = log;
    const child = spawn(bin, [...args], { cwd, env, stdio: ["pipe", "pipe", "pipe"] });
    this.child = child;
    this.exited = new Promise((resolve) => {
      child.once("close", () => {
        resolve();
      });
    });
    child.once("error", (error) => {
      this.fatal(new NodeExitError(id, `could not be started (${error.message})`));
    });
    child.once("exit", (code, signal) => {
      this.fatal(new NodeExitError(id, `exited with ${signal === null ? `code ${code}` : `signal ${signal}`}`));
    });
    child.stdin.on("error", () => {
      // EPIPE after the node died; the exit handler reports the cause.
    });
    child.stderr.on("data", (chunk: Buffer) => {
      log.write(chunk);
      if (this.options.logStderr) process.stderr.write(`[${id}] ${chunk.toString("utf8")}`);
    });
    const lines = createInterface({ input: child.stdout, crlfDelay: Infinity });
    lines.on("line", (line) => {
      this.handleLine(line);
    });
  }

  /** Writes one message to the node's stdin. */
  deliver(envelope: Envelope): void {
    if (this.stopping || this.child === null) return;
    this.child.stdin.write(`${JSON.stringify(envelope)}\n`);
  }

  /** Kills the node (SIGTERM, then SIGKILL after a grace period) and waits for it to exit. */
  async stop(): Promise<void> {
    this.stopping = true;
    const child = this.child;
    if (child !== null && child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const graceMs = 2000;
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      await this.exited;
      clearTimeout(timer);
    }
    const log = this.log;
    if (log !== null) await new Promise<void>((resolve) => log.end(resolve));
  }

  private handleLine(line: string): void {
    if (this.stopping) return;
    try {
      this.options.onMessage(parseNodeLine(this.options.id, line, this.options.isKnownId));
    } catch (error: unknown) {
      this.fatal(error instanceof Error ? error : new Error(String(error)));
    }
  }

  private fatal(error: Error): void {
    if (this.stopping) return;
    this.stopping = true;
    this.options.onFatal(error);
  }
}
