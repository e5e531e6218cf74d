/**
 * A Maelstrom client (maelstrom.client, docs/maelstrom.md §7.6): synchronous, one request
 * outstanding, a fresh `msg_id` per request, replies whose `in_reply_to` is not the outstanding
 * request ignored, and a timeout after which the request's fate is unknown.
 */
import type { Body, Envelope, OutgoingBody } from "../protocol.js";
import type { Network } from "./network.js";

export type RpcResult = { readonly kind: "reply"; readonly body: Body } | { readonly kind: "timeout" };

interface Outstanding {
  readonly msgId: number;
  readonly resolve: (result: RpcResult) => void;
  readonly timer: NodeJS.Timeout;
}

export class Client {
  private nextMsgId = 1;
  private outstanding: Outstanding | null = null;

  constructor(
    readonly id: string,
    private readonly network: Network,
  ) {
    network.register(id, (envelope) => {
      this.handle(envelope);
    });
  }

  /**
   * Sends `body` to `dest` and waits for the reply or `timeoutMs`.
   * @throws Error if a request is already outstanding (a client is synchronous).
   */
  rpc(dest: string, body: OutgoingBody, timeoutMs: number): Promise<RpcResult> {
    if (this.outstanding !== null) throw new Error(`Client ${this.id} already has a request outstanding`);
    const msgId = this.nextMsgId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.outstanding = null;
        resolve({ kind: "timeout" });
      }, timeoutMs);
      this.outstanding = { msgId, resolve, timer };
      this.network.send({ src: this.id, dest, body: { ...body, msg_id: msgId } });
    });
  }

  /** Closes the client; its id stays known so late replies to it remain legal. */
  close(): void {
    if (this.outstanding !== null) clearTimeout(this.outstanding.timer);
    this.outstanding = null;
    this.network.unregister(this.id);
  }

  private handle(envelope: Envelope): void {
    const outstanding = this.outstanding;
    if (outstanding === null || outstanding.msgId !== envelope.body.in_reply_to) return;
    clearTimeout(outstanding.timer);
    this.outstanding = null;
    outstanding.resolve({ kind: "reply", body: envelope.body });
  }
}
