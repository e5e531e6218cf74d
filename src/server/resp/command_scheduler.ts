/**
 * Decides when a pipelined command may start, so that a client's pipeline keeps the meaning it
 * would have had one command at a time (Redis runs a connection's commands in order):
 *
 * - a write starts at once behind earlier writes (the `KvService` applies writes in call order,
 *   so a pipeline of writes needs no round trip each), but waits for earlier reads, which must
 *   not see it;
 * - a read waits until every earlier write has settled, so it sees them (read-your-writes);
 * - a read may run alongside earlier reads.
 *
 * Commands that do not touch the store ("local") never wait. Waiting commands start in FIFO
 * order, so no command overtakes an earlier one of a conflicting kind.
 */
import type { CommandKind } from "./command_context.js";

type StoreKind = Exclude<CommandKind, "local">;

interface Waiting {
  readonly kind: StoreKind;
  readonly start: () => void;
}

export class CommandScheduler {
  #reads = 0;
  #writes = 0;
  readonly #waiting: Waiting[] = [];

  /** Starts `start` now or once the commands it must follow have settled. */
  submit(kind: StoreKind, start: () => void): void {
    if (this.#waiting.length === 0 && this.#canStart(kind)) this.#start(kind, start);
    else this.#waiting.push({ kind, start });
  }

  /** Called once for each started command when it settles. */
  settled(kind: StoreKind): void {
    if (kind === "read") this.#reads -= 1;
    else this.#writes -= 1;
    for (;;) {
      const head = this.#waiting[0];
      if (head === undefined || !this.#canStart(head.kind)) return;
      this.#waiting.shift();
      this.#start(head.kind, head.start);
    }
  }

  #canStart(kind: StoreKind): boolean {
    return kind === "read" ? this.#writes === 0 : this.#reads === 0;
  }

  #start(kind: StoreKind, start: () => void): void {
    if (kind === "read") this.#reads += 1;
    else this.#writes += 1;
    start();
  }
}
