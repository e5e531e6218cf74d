/**
 * The nodes under test, wired to the network (docs/maelstrom.md §7.1): every node id is
 * registered before any process starts, each process's stdout feeds the network, and deliveries
 * carry Maelstrom's journal `id`. `init` goes out from a client id and must be answered with
 * `init_ok` within 10 s before any client operation.
 */
import { join } from "node:path";
import type { Envelope } from "../protocol.js";
import { Client } from "./client.js";
import type { Network } from "./network.js";
import { NodeProcess } from "./node_process.js";
import type { TestOptions } from "./options.js";

export const initTimeoutMs = 10_000;

/** A node did not complete the init handshake. */
export class InitError extends Error {
  override readonly name = "InitError";
  readonly code = "MAELSTROM_INIT";
}

export interface ClusterDeps {
  readonly options: TestOptions;
  readonly bin: string;
  readonly nodes: readonly string[];
  readonly network: Network;
  readonly cwd: string;
  readonly logDir: string;
  readonly onFatal: (error: Error) => void;
  readonly newClientId: () => string;
}

export class Cluster {
  private readonly processes: NodeProcess[] = [];
  private journalId = 0;

  constructor(private readonly deps: ClusterDeps) {}

  start(): void {
    const { options, bin, nodes, network, cwd, logDir, onFatal } = this.deps;
    for (const id of nodes) {
      const node = new NodeProcess({
        id,
        bin,
        args: options.binArgs,
        cwd,
        logPath: join(logDir, `${id}.log`),
        env: { ...process.env, ...options.nodeEnv },
        isKnownId: (dest) => network.isKnown(dest),
        onMessage: (envelope) => {
          network.send(envelope);
        },
        onFatal,
        logStderr: options.logStderr,
      });
      network.register(id, (envelope: Envelope) => {
        node.deliver({ ...envelope, id: this.journalId++ });
      });
      this.processes.push(node);
    }
    for (const node of this.processes) node.start();
  }

  /**
   * Sends `init` to every node in parallel and waits for every `init_ok`.
   * @throws InitError naming the first node that did not answer properly in time.
   */
  async init(): Promise<void> {
    const { nodes, network, newClientId } = this.deps;
    await Promise.all(
      nodes.map(async (id) => {
        const client = new Client(newClientId(), network);
        const init = { type: "init", node_id: id, node_ids: [...nodes] };
        const result = await client.rpc(id, init, initTimeoutMs);
        client.close();
        if (result.kind === "timeout") {
          throw new InitError(`Node ${id} did not answer init within ${initTimeoutMs} ms`);
        }
        if (result.body.type !== "init_ok") {
          const got = JSON.stringify(result.body);
          throw new InitError(`Node ${id} answered init with ${got} instead of init_ok`);
        }
      }),
    );
  }

  async stop(): Promise<void> {
    await Promise.all(this.processes.map((node) => node.stop()));
  }
}
