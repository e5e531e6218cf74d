/**
 * The envelope around every command this runtime proposes. Any node serves any client: a
 * follower forwards the proposal to the leader, so the entry carries who proposed it (node id,
 * process incarnation, per-incarnation sequence number) and the proposer recognises its own
 * entry when it applies it, resolving the caller's promise with the state machine's result.
 *
 * Layout (big-endian): u8 version=1, u8 idBytes, id (UTF-8), u32 incarnationHi, u32
 * incarnationLo, u32 seqHi, u32 seqLo, then the command bytes (the user's data, untouched).
 */
import { assert, isNodeId, type NodeId } from "../core/index.js";


const VERSION = 1;
const FIXED_BYTES = 2 + 16;
const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

/** Who proposed an entry: unique across nodes, restarts and proposals. */
export interface ProposalTag {
  readonly proposer: NodeId;
  /** Random per process start, so a restarted node never mistakes an old entry for its own. */
  readonly incarnation: number;
  readonly seq: number;
}

export interface DecodedEnvelope {
  readonly tag: ProposalTag;
  readonly command: Uint8Array;
}

/** The proposer's id in UTF-8; a node proposes under one id, so the last one is kept. */
let lastProposer = "";
let lastProposerBytes = new Uint8Array(0);
function proposerBytes(proposer: NodeId): Uint8Array {
  if (proposer !== lastProposer) {
    lastProposerBytes = encoder.encode(proposer);
    lastProposer = proposer;
  }
  return lastProposerBytes;
}

/** Bytes the envelope adds to a command proposed by `proposer`. */
export function envelopeOverheadBytes(proposer: NodeId): number {
  return FIXED_BYTES + proposerBytes(proposer).byteLength;
}

function writeU53(view: DataView, offset: number, value: number): void {
  view.setUint32(offset, Math.floor(value / 0x1_0000_0000));
  view.setUint32(offset + 4, value >>> 0);
}

function readU53(view: DataView, offset: number): number {
  return view.getUint32(offset) * 0x1_0000_0000 + view.getUint32(offset + 4);
}

export function encodeEnvelope(tag: ProposalTag, command: Uint8Array): Uint8Array {
  assert(Number.isSafeInteger(tag.seq) && tag.seq >= 0, `envelope seq ${tag.seq} out of range`);
  assert(Number.isSafeInteger(tag.incarnation) && tag.incarnation >= 0, "envelope incarnation out of range");
  const id = proposerBytes(tag.proposer);
  const out = new Uint8Array(FIXED_BYTES + id.byteLength + command.byteLength);
  const view = new DataView(out.buffer);
  out[0] = VERSION;
  out[1] = id.byteLength;
  out.set(id, 2);
  writeU53(view, 2 + id.byteLength, tag.incarnation);
  writeU53(view, 10 + id.byteLength, tag.seq);
  out.set(command, FIXED_BYTES + id.byteLength);
  return out;
}

/**
 * Decodes the data of a "normal" entry this runtime proposed itself (see `checkEnvelope` for
 * bytes that may be foreign).
 * @throws AssertionError if `data` is not an envelope.
 */
export function decodeEnvelope(data: Uint8Array): DecodedEnvelope {
  const decoded = checkEnvelope(data);
  if (typeof decoded === "string") {
    assert(false, `log entry is not a proposal envelope: ${decoded}`);
  }
  return decoded;
}

/**
 * Decodes `data` as an envelope without trusting it: the decoded envelope, or why the bytes are
 * not one (a forwarded proposal from a peer, or an entry a bug or a compromised member put in
 * the log). Never throws.
 */
export function checkEnvelope(data: Uint8Array): DecodedEnvelope | string {
  if (data.byteLength < FIXED_BYTES) return `${data.byteLength} bytes is shorter than an envelope`;
  if (data[0] !== VERSION) return `unknown envelope version ${String(data[0])}`;
  const idBytes = data[1] ?? 0;
  if (data.byteLength < FIXED_BYTES + idBytes) return "the envelope is truncated";
  let proposer: string;
  try {
    proposer = decoder.decode(data.subarray(2, 2 + idBytes));
  } catch {
    return "the proposer id is not UTF-8";
  }
  if (!isNodeId(proposer)) {
    return `the proposer id ${JSON.stringify(proposer)} is not a node id`;
  }
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const incarnation = readU53(view, 2 + idBytes);
  const tag = { proposer, incarnation, seq: readU53(view, 10 + idBytes) };
  if (!Number.isSafeInteger(tag.incarnation) || !Number.isSafeInteger(tag.seq)) {
    return "the envelope's incarnation or sequence number is out of range";
  }
  return { tag, command: data.subarray(FIXED_BYTES + idBytes) };
}

