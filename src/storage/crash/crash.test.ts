/**
 * Crash test: a real child process appends and syncs through the WAL and is killed with SIGKILL
 * at random moments. The next child is the restart: it reopens the directory, checks every
 * entry's self-verifying payload (no torn record accepted) and reports its last index and
 * commit, which must cover every entry reported durable so far. The test reopens the directory
 * itself at the end and checks again. 200 kills by default; RAFTKV_CRASH_KILLS for more and
 * RAFTKV_CRASH_SEED to replay a run.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { test } from "node:test";
import { SeededRng } from "../../core/rng.js";
import { DiskStorage } from "../disk_storage.js";
import { CRASH_CONF, CRASH_SEGMENT_BYTES_MAX } from "./crash_child.js";
import { checkStorage } from "./payload.js";

const KILLS = Number(process.env.RAFTKV_CRASH_KILLS ?? 200);
const SEED = Number(process.env.RAFTKV_CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));
/** Most kills land this long after the child is ready (appending); */
const KILL_AFTER_READY_MS_MAX = 80;
/** one in `EARLY_KILL_ONE_IN` lands this long after `go`, often during recovery. */
const KILL_AFTER_GO_MS_MAX = 30;
const EARLY_KILL_ONE_IN = 8;
/** Children started ahead, loading Node while earlier ones run (start-up dominates otherwise). */
const CHILDREN_AHEAD = 1;
const CHILD = fileURLToPath(new URL("./crash_child.js", import.meta.url));

interface Run {
  readonly durable: number;
  /** The last index and commit the child found on opening; null if killed before. */
  readonly ready: { readonly last: number; readonly commit: number } | null;
  readonly wrote: number;
}

interface Kill {
  readonly from: "go" | "ready";
  readonly delayMs: number;
}

/** A started child, loaded and waiting for `go` before it touches the directory. */
interface Child {
  go(kill: Kill): Promise<Run>;
  /** Kills it before it was told to go. */
  abort(): void;
}

function spawnChild(dir: string, seed: number): Child {
  const child = spawn(process.execPath, [CHILD, dir, String(seed)], { stdio: ["pipe", "pipe", "pipe"] });
  let durable = 0;
  let ready: Run["ready"] = null;
  let corrupt = "";
  let wrote = 0;
  let stderr = "";
  let kill: Kill | null = null;
  const killLater = (delayMs: number): void => {
    setTimeout(() => child.kill("SIGKILL"), delayMs);
  };
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.on("error", () => undefined); // the child may be dead before we write
  createInterface({ input: child.stdout }).on("line", (line) => {
    const [word, value, commit] = line.split(" ");
    if (word === "corrupt") corrupt = line;
    if (word === "ready") {
      ready = { last: Number(value), commit: Number(commit) };
      if (kill?.from === "ready") killLater(kill.delayMs);
    }
    if (word === "durable") {
      durable = Math.max(durable, Number(value));
      wrote++;
    }
  });
  const closed = new Promise<Run>((resolve, reject) => {
    child.on("close", (code, signal) => {
      if (signal !== "SIGKILL") reject(new Error(`child exited with ${code}: ${corrupt} ${stderr}`));
      else resolve({ durable, ready, wrote });
    });
  });
  return {
    go(k: Kill): Promise<Run> {
      kill = k;
      child.stdin.write("go\n");
      if (k.from === "go") killLater(k.delayMs);
      return closed;
    },
    abort(): void {
      closed.catch(() => undefined);
      child.kill("SIGKILL");
    },
  };
}

/** Reopens the directory in this process and checks everything reported durable. */
async function verify(dir: string, durable: number): Promise<void> {
  const storage = await DiskStorage.open(dir, { confState: CRASH_CONF, segmentBytesMax: CRASH_SEGMENT_BYTES_MAX });
  try {
    assert.ok(storage.lastIndex() >= durable, `entry ${durable} reported durable; the log ends at ${storage.lastIndex()}`);
    assert.ok(storage.initialState().hardState.commit >= durable, "hard state older than a durable save");
    assert.equal(checkStorage(storage), null);
  } finally {
    await storage.close();
  }
}

test(`WAL survives ${KILLS} SIGKILLs with every durable entry intact (seed ${SEED})`, async (t) => {
  t.diagnostic(`crash test seed ${SEED} (replay with RAFTKV_CRASH_SEED=${SEED})`);
  const rng = new SeededRng(SEED);
  const dir = await mkdtemp(join(tmpdir(), "raftkv-crash-"));
  let durable = 0;
  let durableReports = 0;
  let killsDuringAppends = 0;
  const ahead: Child[] = [];
  for (let i = 0; i < CHILDREN_AHEAD; i++) ahead.push(spawnChild(dir, SEED + i));
  try {
    for (let kill = 0; kill < KILLS; kill++) {
      const early = rng.nextInt(EARLY_KILL_ONE_IN) === 0;
      const current = ahead.shift()!;
      ahead.push(spawnChild(dir, SEED + kill + CHILDREN_AHEAD));
      const run = await current.go(early
        ? { from: "go", delayMs: rng.nextInt(KILL_AFTER_GO_MS_MAX) }
        : { from: "ready", delayMs: rng.nextInt(KILL_AFTER_READY_MS_MAX) });
      if (run.ready !== null) {
        const { last, commit } = run.ready;
        assert.ok(last >= durable && commit >= durable, `restart ${kill}: log ends at ${last}, commit ` +
          `${commit}, but entry ${durable} was reported durable`);
      }
      if (run.wrote > 0) killsDuringAppends++;
      durable = Math.max(durable, run.durable);
      durableReports += run.wrote;
    }
    await verify(dir, durable);
    t.diagnostic(`${KILLS} kills (${killsDuringAppends} while appending), ${durableReports} durable ` +
      `saves reported, last durable index ${durable}`);
    assert.ok(killsDuringAppends > KILLS / 4, "too few kills landed while the child was appending");
  } finally {
    for (const child of ahead) child.abort();
    await rm(dir, { recursive: true, force: true });
  }
});
