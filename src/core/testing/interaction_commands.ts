/**
 * The commands of a golden trace, run against an `InteractionEnv` (see datadriven.ts for the file
 * format and src/core/testdata/ for scripts). Each returns the text it prints; expected failures
 * of the core (typed `RaftError`s) print as `error CODE: message`, while assertion failures and
 * script mistakes throw, failing the test.
 *
 *   add-nodes N [voters=(..)] [learners=(..)] [log=(terms)] [term=T] [vote=ID] [commit=I]
 *             [prevote=bool] [checkquorum=bool] [election=ticks] [heartbeat=ticks] [readmode=..]
 *   campaign ID                  tick ID until its election timeout fires
 *   tick ID [N]                  N ticks (default 1)
 *   process-ready [ID..]         handle each node's Ready (default: every node)
 *   deliver-msgs [ID..] [drop]   step (or drop) the messages waiting for each node
 *   stabilize [ID..]             process-ready and deliver-msgs until quiet
 *   propose ID DATA | propose-conf-change ID [v4 l5 r1 | leave]
 *   transfer-leader ID to=ID | read-index ID CONTEXT
 *   partition 1,2 3,4,5 | heal | restart ID | status [ID..] | log ID
 */
import type { ConfChange, ConfChangeItem } from "../conf_change.js";
import type { ConfState } from "../messages.js";
import type { RaftConfig } from "../config.js";
import { RaftError } from "../errors.js";
import type { ProposeResult } from "../raft_node.js";
import { nodeId, type NodeId } from "../types.js";
import {
  diffLines, formatGolden, parseGolden, type GoldenArg, type GoldenCase,
} from "./datadriven.js";
import { InteractionEnv, type NodeSetup } from "./interaction_env.js";
import type { SyncStorage } from "./testing_network.js";

const encoder = new TextEncoder();

/** What running a golden script found: the file as it should read, and every mismatch. */
export interface GoldenResult {
  /** The script with each case's output replaced by what it printed (for REWRITE=1). */
  readonly rewritten: string;
  /** One readable diff per case whose output differs from the file. */
  readonly failures: readonly string[];
}

/**
 * Runs a golden script in a fresh environment and compares every case with its expected output.
 * @throws GoldenFormatError when the script is malformed.
 */
export function runGolden(
  source: string,
  makeStorage: (confState: ConfState) => SyncStorage,
): GoldenResult {
  const script = parseGolden(source);
  const env = new InteractionEnv(makeStorage);
  const outputs: string[] = [];
  const failures: string[] = [];
  for (const c of script.cases) {
    const actual = runCommand(env, c);
    outputs.push(actual);
    const diff = diffLines(c.expected, actual);
    if (diff !== "") failures.push(`line ${String(c.line)}: ${c.text}\n${diff}`);
  }
  return { rewritten: formatGolden(script, outputs), failures };
}

/** Runs one command and returns its output (`ok` when it prints nothing). */
export function runCommand(env: InteractionEnv, c: GoldenCase): string {
  let lines: string[];
  try {
    lines = dispatch(env, c);
  } catch (error: unknown) {
    if (!(error instanceof RaftError)) throw error;
    lines = [`error ${error.code}: ${error.message}`];
  }
  return lines.length === 0 ? "ok" : lines.join("\n");
}

function dispatch(env: InteractionEnv, c: GoldenCase): string[] {
  const words = c.args.filter((a) => a.values.length === 0).map((a) => a.key);
  const ids = () => (words.length === 0 ? env.ids() : words.map(nodeId));
  switch (c.command) {
    case "add-nodes":
      return addNodes(env, c.args);
    case "campaign": {
      const id = firstId(c);
      const ticks = env.campaign(id);
      return [`${id} campaigns after ${String(ticks)} tick${ticks === 1 ? "" : "s"}`];
    }
    case "tick": {
      const times = Number(words[1] ?? "1");
      for (let i = 0; i < times; i++) env.node(firstId(c)).tick();
      return [];
    }
    case "process-ready":
      return ids().flatMap((id) => env.processReady(id));
    case "deliver-msgs": {
      const drop = words.includes("drop");
      const targets = words.filter((w) => w !== "drop");
      const to = targets.length === 0 ? env.ids() : targets.map(nodeId);
      return to.flatMap((id) => env.deliver(id, { drop }));
    }
    case "stabilize":
      return env.stabilize(ids());
    case "propose":
      return [formatPropose(env.node(firstId(c)).propose(encoder.encode(words[1] ?? "")))];
    case "propose-conf-change":
      return [formatPropose(env.node(firstId(c)).proposeConfChange(confChange(words.slice(1))))];
    case "transfer-leader":
      env.node(firstId(c)).transferLeader(nodeId(valueOf(c, "to")));
      return [];
    case "read-index":
      env.node(firstId(c)).readIndex(words[1] ?? "");
      return [];
    case "partition":
      env.partition(words.map((group) => group.split(",").map(nodeId)));
      return [];
    case "heal":
      env.heal();
      return [];
    case "restart":
      return [env.restart(firstId(c))];
    case "status":
      return ids().map((id) => `${id}: ${env.describe(id)}`);
    case "log":
      return env.log(firstId(c));
    default:
      throw new Error(`line ${String(c.line)}: unknown command ${c.command}`);
  }
}

function firstId(c: GoldenCase): NodeId {
  const first = c.args[0];
  if (first === undefined || first.values.length > 0) {
    throw new Error(`line ${String(c.line)}: ${c.command} needs a node id`);
  }
  return nodeId(first.key);
}

function valueOf(c: GoldenCase, key: string): string {
  const value = c.args.find((a) => a.key === key)?.values[0];
  if (value === undefined) throw new Error(`line ${String(c.line)}: ${c.command} needs ${key}=`);
  return value;
}

function formatPropose(result: ProposeResult): string {
  return result.kind === "appended"
    ? `appended ${String(result.term)}/${String(result.index)}`
    : `forwarded to ${result.to}`;
}

/** `v4` adds voter 4, `l5` learner 5, `r1` removes 1; `leave` (or nothing) leaves joint. */
function confChange(words: readonly string[]): ConfChange {
  return words.filter((w) => w !== "leave").map((w): ConfChangeItem => {
    const id = nodeId(w.slice(1));
    switch (w.charAt(0)) {
      case "v":
        return { type: "addVoter", nodeId: id };
      case "l":
        return { type: "addLearner", nodeId: id };
      case "r":
        return { type: "removeNode", nodeId: id };
      default:
        throw new Error(`conf change ${w}: expected v<id>, l<id> or r<id>`);
    }
  });
}

function addNodes(env: InteractionEnv, args: readonly GoldenArg[]): string[] {
  const get = (key: string) => args.find((a) => a.key === key)?.values;
  const count = Number(args[0]?.key);
  if (!Number.isSafeInteger(count) || count <= 0) throw new Error("add-nodes needs a count");
  const first = env.ids().length + 1;
  const added = Array.from({ length: count }, (_, i) => nodeId(String(first + i)));
  const voters = (get("voters") ?? added).map(nodeId);
  const learners = (get("learners") ?? []).map(nodeId);
  const setup: Omit<NodeSetup, "confState"> = {
    config: nodeConfig(get),
    logTerms: (get("log") ?? []).map(Number),
    ...optionalNumber("term", get("term")),
    ...optionalNumber("commit", get("commit")),
    ...(get("vote")?.[0] === undefined ? {} : { vote: get("vote")?.[0] ?? "" }),
  };
  return added.map((id) => {
    const member = voters.includes(id) || learners.includes(id);
    const confState = member
      ? { voters, learners, votersOutgoing: [] }
      : { voters: [], learners: [], votersOutgoing: [] };
    return env.addNode(id, { ...setup, confState });
  });
}

function optionalNumber(key: "term" | "commit", values: readonly string[] | undefined) {
  const v = values?.[0];
  return v === undefined ? {} : { [key]: Number(v) };
}

function nodeConfig(
  get: (key: string) => readonly string[] | undefined,
): Partial<Omit<RaftConfig, "id">> {
  const flag = (key: string) => {
    const v = get(key)?.[0];
    return v === undefined ? undefined : v === "true";
  };
  const num = (key: string) => {
    const v = get(key)?.[0];
    return v === undefined ? undefined : Number(v);
  };
  const election = num("election") ?? 10;
  const config: { -readonly [K in keyof RaftConfig]?: RaftConfig[K] } = {
    electionTimeoutTicksMin: election,
    electionTimeoutTicksMax: election * 2,
    heartbeatIntervalTicks: num("heartbeat") ?? 1,
  };
  const preVote = flag("prevote");
  if (preVote !== undefined) config.preVote = preVote;
  const checkQuorum = flag("checkquorum");
  if (checkQuorum !== undefined) config.checkQuorum = checkQuorum;
  const readMode = get("readmode")?.[0];
  if (readMode === "lease" || readMode === "index") config.readMode = readMode;
  return config;
}
