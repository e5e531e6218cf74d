/**
 * The node's one writer of stdout: it stamps each body with the next `msg_id` (and `in_reply_to`
 * for a reply) and writes one JSON envelope per line (maelstrom.md §1). Lines produced during one
 * turn of the event loop leave together on the next turn in one write, so a send only enqueues
 * (the Transport contract) and a burst of replies costs one system call.
 */
import type { Body, Envelope, OutgoingBody } from "../protocol.js";

export interface OutputOptions {
  /** This node's id: the `src` of every envelope. */
  readonly selfId: string;
  /** Writes text to stdout. */
  readonly write: (text: string) => void;
  /** Runs `flush` on the next turn of the event loop (`setImmediate`). */
  readonly defer: (flush: () => void) => void;
}

export class MaelstromOutput {
  private nextMsgId = 1;
  private lines: string[] = [];

  constructor(private readonly options: OutputOptions) {}

  /** Queues `body` for `dest`; a reply names the request's `msg_id` in `inReplyTo`. */
  send(dest: string, body: OutgoingBody, inReplyTo?: number): void {
    const reply = inReplyTo === undefined ? {} : { in_reply_to: inReplyTo };
    const stamped: Body = { ...body, msg_id: this.nextMsgId++, ...reply };
    const envelope: Envelope = { src: this.options.selfId, dest, body: stamped };
    if (this.lines.length === 0) {
      this.options.defer(() => {
        this.flush();
      });
    }
    this.lines.push(JSON.stringify(envelope));
  }

  /** Writes every queued line now. */
  flush(): void {
    if (this.lines.length === 0) return;
    const text = `${this.lines.join("\n")}\n`;
    this.lines = [];
    this.options.write(text);
  }
}
