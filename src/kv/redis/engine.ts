/**
 * The Redis store as a deterministic machine: a `Keyspace`, the replicated clock, and the
 * command table. `applyCommand` runs a write (or any command inside an entry) at a log index
 * with the entry's stamped time and seed; `read` runs a read command locally.
 *
 * Time never goes backwards: the engine's clock is the largest stamp applied so far, and an
 * entry stamped earlier (its proposer's clock lagged, or leadership moved to a node whose clock
 * is behind) runs at that clock instead. Local reads run at max(clock, the reader's wall time),
 * so a key is absent to every read from the moment it expires.
 */
import { CommandError, commandName, type ExecContext } from "./command.js";
import { arityFits, findStoreCommand } from "./command_table.js";
import { Keyspace, type Bytes } from "./keyspace.js";
import { CommandRandom } from "./random.js";
import { error, type Reply } from "./reply.js";

/** What a log entry carries besides the command: database, replicated time, random seed. */
export interface EntryStamp {
  readonly db: number;
  readonly stampMs: number;
  readonly seed: number;
}

export class RedisEngine {
  keyspace = new Keyspace();
  /** The replicated clock: the largest entry stamp applied (ms since the epoch). */
  clockMs = 0;

  /** Advances the replicated clock to `stampMs` (never back) and returns it. */
  advanceClock(stampMs: number): number {
    if (stampMs > this.clockMs) this.clockMs = stampMs;
    return this.clockMs;
  }

  /** The context for applying an entry at `index` (callers run one or more commands in it). */
  writeContext(stamp: EntryStamp, index: number): ExecContext {
    return {
      keyspace: this.keyspace,
      db: this.keyspace.db(stamp.db),
      nowMs: this.advanceClock(stamp.stampMs),
      index,
      random: new CommandRandom(stamp.seed),
      write: true,
    };
  }

  /** Applies one command at `index` (deterministic; never throws for bad input). */
  applyCommand(stamp: EntryStamp, argv: readonly Bytes[], index: number): Reply {
    if (stamp.db < 0 || stamp.db >= this.keyspace.dbs.length) return error("ERR DB index is out of range");
    return this.run(this.writeContext(stamp, index), argv);
  }

  /**
   * Runs a read command locally (after a read barrier) at max(clock, `wallMs`); it changes
   * nothing. A write command given here is refused.
   */
  read(db: number, argv: readonly Bytes[], options: { wallMs: number; index: number; seed: number }): Reply {
    if (db < 0 || db >= this.keyspace.dbs.length) return error("ERR DB index is out of range");
    const ctx: ExecContext = {
      keyspace: this.keyspace,
      db: this.keyspace.db(db),
      nowMs: Math.max(this.clockMs, options.wallMs),
      index: options.index,
      random: new CommandRandom(options.seed),
      write: false,
    };
    return this.run(ctx, argv);
  }

  /** Runs `argv` in `ctx`: the table's command, its arity, its errors as replies. */
  run(ctx: ExecContext, argv: readonly Bytes[]): Reply {
    const name = commandName(argv);
    const command = findStoreCommand(name);
    if (command === undefined) return error(`ERR unknown command '${name.slice(0, 128)}'`);
    if (!arityFits(command, argv.length)) {
      return error(`ERR wrong number of arguments for '${command.name}' command`);
    }
    if (!ctx.write && command.kind === "write") return error(`ERR '${command.name}' is a write command`);
    try {
      return command.exec(ctx, argv);
    } catch (thrown) {
      if (thrown instanceof CommandError) return thrown.reply;
      throw thrown;
    }
  }
}
