/**
 * TEST-ONLY: drives a `StoreMachine` as the log would (one entry per write, increasing indexes,
 * a controllable replicated clock and seed) and runs reads locally, so command tests need no
 * cluster. `run("SET", "k", "v")` applies a write or runs a read by the command table's kind.
 */
import { findStoreCommand } from "../command_table.js";
import type { Reply } from "../reply.js";
import { encodeStoreCommand } from "../../binary_store/store_commands.js";
import { StoreMachine } from "../../binary_store/store_machine.js";

export class EngineHarness {
  readonly machine = new StoreMachine();
  /** The clock the next write is stamped with and reads run at (ms since the epoch). */
  nowMs = 1_767_225_600_000;
  seed = 1;
  db = 0;
  index = 0;
  private seq = 0;

  /** Runs one command: a write through `apply`, a read locally. Arguments as text or bytes. */
  run(...args: (string | Uint8Array)[]): Reply {
    const argv = args.map((a) => (typeof a === "string" ? Buffer.from(a) : a));
    const spec = findStoreCommand(Buffer.from(argv[0] ?? "").toString("latin1"));
    if (spec?.kind === "read") {
      return this.machine.engine.read(this.db, argv, { wallMs: this.nowMs, index: this.index, seed: this.seed });
    }
    const bytes = encodeStoreCommand({
      op: "redis", clientId: "harness", seq: ++this.seq, db: this.db, stampMs: this.nowMs,
      seed: this.seed, argv,
    });
    const result = this.machine.apply(bytes, ++this.index);
    if (result.kind !== "reply") throw new Error(`unexpected store result ${result.kind}`);
    return result.reply;
  }

  /** A fresh harness restored from this one's snapshot (what a restarted replica holds). */
  restarted(): EngineHarness {
    const copy = new EngineHarness();
    copy.machine.restore(this.machine.snapshot());
    // The client sequence too: a restarted replica still knows which writes it has seen.
    copy.seq = this.seq;
    Object.assign(copy, { nowMs: this.nowMs, seed: this.seed, db: this.db, index: this.index });
    return copy;
  }
}
