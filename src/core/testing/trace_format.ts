/**
 * How golden traces print the core's output: one line per message and entry with the fields a
 * reader of the Raft paper looks for (terms, log positions written `term/index` as etcd does,
 * commit indexes, votes granted or rejected), so a changed behaviour shows as a small diff.
 */
import { decodeConfEntry } from "../conf_change.js";
import type { ConfState, Entry, HardState, Message } from "../messages.js";
import type { Ready, SoftState } from "../ready.js";
import { assertNever } from "../types.js";

const decoder = new TextDecoder();

export function formatConfState(cs: ConfState): string {
  const parts = [`voters=(${cs.voters.join(",")})`];
  if (cs.votersOutgoing.length > 0) parts.push(`outgoing=(${cs.votersOutgoing.join(",")})`);
  if (cs.learners.length > 0) parts.push(`learners=(${cs.learners.join(",")})`);
  return parts.join(" ");
}

/** `2/11 normal "x"`, `2/12 noop`, `2/13 config v4 r1 -> voters=(...)`. */
export function formatEntry(e: Entry): string {
  const at = `${String(e.term)}/${String(e.index)}`;
  switch (e.kind) {
    case "normal":
      return e.data.length === 0 ? `${at} normal` : `${at} normal ${JSON.stringify(decoder.decode(e.data))}`;
    case "noop":
      return `${at} noop`;
    case "config": {
      const { changes, confState } = decodeConfEntry(e.data);
      const items = changes.map((c) => `${changeLetter(c.type)}${c.nodeId}`);
      const what = items.length === 0 ? "leave-joint" : items.join(" ");
      return `${at} config ${what} -> ${formatConfState(confState)}`;
    }
    default:
      return assertNever(e.kind, "entry kind");
  }
}

function changeLetter(type: "addVoter" | "addLearner" | "removeNode"): string {
  switch (type) {
    case "addVoter":
      return "v";
    case "addLearner":
      return "l";
    case "removeNode":
      return "r";
    default:
      return assertNever(type, "change type");
  }
}

export function formatHardState(hs: HardState): string {
  return `term=${String(hs.term)} vote=${hs.vote ?? "none"} commit=${String(hs.commit)}`;
}

export function formatSoftState(ss: SoftState): string {
  return `role=${ss.role} leader=${ss.leaderId ?? "none"}`;
}

/** One line per message: `1->2 RequestVote term=2 log=1/10`. */
export function formatMessage(m: Message): string {
  const head = `${m.from}->${m.to} ${m.type} term=${String(m.term)}`;
  return `${head}${messageFields(m)}`;
}

function messageFields(m: Message): string {
  switch (m.type) {
    case "PreVote":
    case "RequestVote": {
      const transfer = m.type === "RequestVote" && m.transfer ? " transfer" : "";
      return ` log=${String(m.lastLogTerm)}/${String(m.lastLogIndex)}${transfer}`;
    }
    case "PreVoteResponse":
    case "RequestVoteResponse":
      return m.reject ? " rejected" : " granted";
    case "AppendEntries": {
      const entries = m.entries.map(formatEntry).join(", ");
      return ` prev=${String(m.prevLogTerm)}/${String(m.prevLogIndex)} commit=${String(m.commit)}`
        + (entries === "" ? "" : ` entries=[${entries}]`);
    }
    case "AppendEntriesResponse":
      return m.reject
        ? ` rejected index=${String(m.index)} hint=${String(m.hintTerm)}/${String(m.hintIndex)}`
        : ` index=${String(m.index)}`;
    case "Heartbeat":
      return ` commit=${String(m.commit)}${m.context === null ? "" : ` context=${m.context}`}`;
    case "HeartbeatResponse":
      return m.context === null ? "" : ` context=${m.context}`;
    case "InstallSnapshot": {
      const md = m.snapshot.metadata;
      return ` snapshot=${String(md.term)}/${String(md.index)} ${formatConfState(md.confState)}`;
    }
    case "Propose":
      return ` data=${JSON.stringify(decoder.decode(m.data))}`;
    case "ReadIndexRequest":
      return ` context=${m.context}`;
    case "ReadIndexResponse":
      return ` context=${m.context} index=${String(m.index)}`;
    case "TimeoutNow":
      return "";
    default:
      return assertNever(m, "message");
  }
}

/** A Ready as an indented block; only the parts that are present are printed. */
export function formatReady(rd: Ready): string[] {
  const out: string[] = [rd.mustSync ? "Ready mustSync:" : "Ready:"];
  if (rd.softState !== null) out.push(`  ${formatSoftState(rd.softState)}`);
  if (rd.hardState !== null) out.push(`  HardState ${formatHardState(rd.hardState)}`);
  if (rd.confState !== null) out.push(`  ConfState ${formatConfState(rd.confState)}`);
  if (rd.snapshot !== null) {
    const md = rd.snapshot.metadata;
    out.push(`  Snapshot ${String(md.term)}/${String(md.index)} ${formatConfState(md.confState)}`);
  }
  const list = (title: string, lines: readonly string[]) => {
    if (lines.length === 0) return;
    out.push(`  ${title}:`, ...lines.map((l) => `    ${l}`));
  };
  list("Entries", rd.entries.map(formatEntry));
  list("Messages", rd.messages.map(formatMessage));
  list("CommittedEntries", rd.committedEntries.map(formatEntry));
  list("ReadStates", rd.readStates.map((s) => `index=${String(s.index)} context=${s.context}`));
  return out;
}
