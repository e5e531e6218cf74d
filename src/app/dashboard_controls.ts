/**
 * The dashboard's controls on a local cluster (`raftkv cluster --dashboard-controls`): stopping,
 * restarting and partitioning nodes, which only the parent process that spawned them can do.
 * A node started with `--dashboard-controls` asks its parent over the IPC channel Node opens for
 * a child spawned with one (no network port, so nothing outside the machine's process tree can
 * use it), and the parent answers or tells the target node to cut or restore its peer traffic.
 * Without that channel (a node not started by `raftkv cluster`) the flag is refused.
 *
 * A partition drops every Raft message this node sends or receives (the TCP connections stay
 * up, as with a firewall that drops packets), so the node falls behind or campaigns alone.
 */
import type { Message } from "../core/index.js";
import type { Transport } from "../transport/index.js";
import type { DashboardControls } from "../server/dashboard/routes.js";

export type ControlAction = "stop" | "restart" | "partition";

/** Child to parent. */
export interface ControlRequest {
  readonly raftkv: "control";
  readonly id: number;
  readonly action: ControlAction;
  readonly node: string;
  readonly isolated?: boolean;
}

/** Parent to child: the answer to a request, or an order to cut or restore peer traffic. */
export type ControlMessage =
  | { readonly raftkv: "control-result"; readonly id: number; readonly error: string | null }
  | { readonly raftkv: "partition"; readonly isolated: boolean };

const CONTROL_TIMEOUT_MS = 10_000;

export interface PartitionableTransport {
  readonly transport: Transport;
  isolated(): boolean;
  setIsolated(isolated: boolean): void;
}

/** `inner`, with a switch that drops every message in both directions. */
export function partitionable(inner: Transport): PartitionableTransport {
  let isolated = false;
  const transport: Transport = {
    nodeId: inner.nodeId,
    send: (message: Message) => isolated || inner.send(message),
    onMessage: (handler) => {
      inner.onMessage((message) => {
        if (!isolated) handler(message);
      });
    },
    onPeerState: (listener) => inner.onPeerState(listener),
    start: () => inner.start(),
    close: () => inner.close(),
    stats: () => inner.stats(),
    ...(inner.setPeer === undefined ? {} : {
      setPeer: inner.setPeer.bind(inner),
    }),
    ...(inner.removePeer === undefined ? {} : {
      removePeer: inner.removePeer.bind(inner),
    }),
  };
  return {
    transport,
    isolated: () => isolated,
    setIsolated: (value) => { isolated = value; },
  };
}

/** What the child needs of `process` (a parameter, so tests can fake it). */
export interface ParentChannel {
  send?: (message: unknown) => boolean;
  on(event: "message", listener: (message: unknown) => void): unknown;
}

function isControlMessage(message: unknown): message is ControlMessage {
  return typeof message === "object" && message !== null &&
    "raftkv" in message && (message.raftkv === "control-result" || message.raftkv === "partition");
}

/**
 * The child's side: controls that ask the parent, and a listener that applies the parent's
 * partition orders through `onPartition`.
 * @throws Error when `channel` has no IPC channel (the node was not started by raftkv cluster).
 */
export function parentControls(
  channel: ParentChannel,
  onPartition: (isolated: boolean) => void,
): DashboardControls {
  const send = channel.send?.bind(channel);
  if (send === undefined) {
    throw new Error("needs a node started by `raftkv cluster --dashboard-controls` (there is " +
      "no parent process to ask)");
  }
  const waiting = new Map<number, (error: string | null) => void>();
  let nextId = 1;
  channel.on("message", (message) => {
    if (!isControlMessage(message)) return;
    if (message.raftkv === "partition") onPartition(message.isolated);
    else waiting.get(message.id)?.(message.error);
  });
  const ask = (action: ControlAction, node: string, isolated?: boolean): Promise<void> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => {
        waiting.delete(id);
        reject(new Error(`the local cluster did not answer ${action} ${node}`));
      }, CONTROL_TIMEOUT_MS);
      waiting.set(id, (error) => {
        clearTimeout(timer);
        waiting.delete(id);
        if (error === null) resolve();
        else reject(new Error(error));
      });
      const request: ControlRequest = {
        raftkv: "control", id, action, node, ...(isolated === undefined ? {} : { isolated }),
      };
      send(request);
    });
  return {
    stop: (node) => ask("stop", node),
    restart: (node) => ask("restart", node),
    partition: (node, isolated) => ask("partition", node, isolated),
  };
}

/** Whether an IPC message from a child is a control request (the parent's check). */
export function isControlRequest(message: unknown): message is ControlRequest {
  if (typeof message !== "object" || message === null) return false;
  const m = message as Partial<ControlRequest>;
  return m.raftkv === "control" && typeof m.id === "number" && typeof m.node === "string" &&
    (m.action === "stop" || m.action === "restart" || m.action === "partition");
}
