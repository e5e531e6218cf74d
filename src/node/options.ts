/**
 * How a node is started: identity and membership, where its durable state lives, its peer
 * transport, the user's state machine, and its limits (config.ts). `openNodeStorage` turns the
 * storage choice into a StableStorage.
 */
import { join } from "node:path";
import {
  ConfigError, EMPTY_CONF_STATE, nodeId, type ConfState, type NodeId,
} from "../core/index.js";
import { DiskStorage, type DiskStorageOptions, type StableStorage } from "../storage/index.js";
import type { Logger } from "../core/logger.js";
import type { Transport } from "../transport/index.js";
import type { MemberAddresses } from "./admin.js";
import { toMemberAddresses } from "./address_book.js";
import type { NodeLimitsInput } from "./config.js";
import type { RuntimeHost } from "./host.js";
import type { NodeObserver } from "./observer.js";
import type { PeerMap } from "./peer_map.js";
import type { NodeTestingBugs } from "./runtime_bugs.js";
import type { NodeTestingHooks } from "./proposal_validation.js";
import type { StateMachine } from "./state_machine.js";

export interface ClusterNodeOptions<R> {
  /** This node's id, e.g. "n1". */
  readonly id: string;
  /**
   * The cluster's voting members, each named once: either a map from id to peer address
   * ("host:port", this node's own included), from which the node builds its TCP transport
   * (peer_map.ts), or a list of ids (this node's own optional) when you give `transport`. With
   * `join`, the existing members this node will hear from (not made voters).
   */
  readonly peers: PeerMap | readonly string[];
  /**
   * With a peer map: the cluster's name, which every member shares (peers with another are
   * refused at the handshake). Default "raftkv".
   */
  readonly clusterId?: string;
  /**
   * With a peer map: where to accept peer connections ("host:port"), when it differs from this
   * node's address in the map (say "0.0.0.0:7001" behind NAT). Default: the map's address.
   */
  readonly listen?: string;
  /**
   * Join an existing cluster instead of founding one: a new data directory starts with no
   * configuration, so the node never campaigns and waits for the leader to add it
   * (`addVoter`/`addLearner` on the leader). Ignored once the data directory exists.
   */
  readonly join?: boolean;
  /**
   * Known members' addresses (this node's own may be included): the address book's seed. Config
   * entries carry the addresses of members added later; the book persists in `membersFile`.
   */
  readonly addresses?: Readonly<Record<string, MemberAddresses>>;
  /** Where the address book persists; default `<dataDir>/members.json`, none with `storage`. */
  readonly membersFile?: string;
  /** Durable state: give exactly one of `storage` (any StableStorage) and `dataDir`. */
  readonly storage?: StableStorage;
  /** A directory for a DiskStorage (created if missing). */
  readonly dataDir?: string;
  /**
   * Options for the DiskStorage opened at `dataDir`. Membership comes from `peers`; the
   * snapshot policy from `limits` (snapshotEntriesMin, snapshotBytesMin).
   */
  readonly diskStorage?: Omit<DiskStorageOptions, "confState" | "snapshotEntriesMin" | "snapshotBytesMin">;
  /**
   * Not yet started: the node registers its handler and starts it (and closes it on stop).
   * Required with a list of peer ids; with a peer map, the node builds a TcpTransport.
   */
  readonly transport?: Transport;
  readonly stateMachine: StateMachine<R>;
  readonly limits?: NodeLimitsInput;
  readonly logger?: Logger;
  readonly observer?: NodeObserver;
  /** Seeds election timeouts; random by default. */
  readonly seed?: number;
  /** Clock, timers, deferral and randomness (host.ts); `realHost` by default. */
  readonly host?: RuntimeHost;
  /** Deliberate bugs for the simulator's own tests (runtime_bugs.ts). Never set in production. */
  readonly testingBugs?: NodeTestingBugs;
  /** Test-only switches; never set outside tests (proposal_validation.ts). */
  readonly testing?: NodeTestingHooks;
}

/** The cluster's voters: `id` and `peers`, deduplicated, in a stable order. */
export function votersOf(id: NodeId, peers: PeerMap | readonly string[]): NodeId[] {
  const voters = new Set<NodeId>([id]);
  for (const peer of isPeerList(peers) ? peers : Object.keys(peers)) {
    try {
      voters.add(nodeId(peer));
    } catch {
      throw new ConfigError("peers", `holds an invalid node id ${JSON.stringify(peer)}`);
    }
  }
  return [...voters].sort();
}

/** Whether `peers` is the list form (ids only) rather than the id -> address map. */
export function isPeerList(peers: PeerMap | readonly string[]): peers is readonly string[] {
  return Array.isArray(peers);
}

/** The configuration a new data directory starts with: `peers` as voters, or none to join. */
export function initialConfState<R>(id: NodeId, options: ClusterNodeOptions<R>): ConfState {
  if (options.join === true) return EMPTY_CONF_STATE;
  return { voters: votersOf(id, options.peers), learners: [], votersOutgoing: [] };
}

/**
 * The address book's seed from `addresses`.
 * @throws ConfigError for an invalid id or address.
 */
export function seedAddresses<R>(options: ClusterNodeOptions<R>): Map<NodeId, MemberAddresses> {
  const seed = new Map<NodeId, MemberAddresses>();
  for (const [id, addresses] of Object.entries(options.addresses ?? {})) {
    let member: NodeId;
    try {
      member = nodeId(id);
    } catch {
      throw new ConfigError("addresses", `holds an invalid node id ${JSON.stringify(id)}`);
    }
    seed.set(member, toMemberAddresses(addresses, `addresses.${id}`));
  }
  return seed;
}

export function membersFileOf<R>(options: ClusterNodeOptions<R>): string | null {
  if (options.membersFile !== undefined) return options.membersFile;
  return options.dataDir === undefined ? null : join(options.dataDir, "members.json");
}

/**
 * The storage the node will use, and whether the node opened it (and so must close it on a
 * failed start).
 * @throws ConfigError unless exactly one of `storage` and `dataDir` is given.
 * @throws WalCorruptError, SnapshotCorruptError, DiskFailedError from DiskStorage.open.
 */
export async function openNodeStorage<R>(
  options: ClusterNodeOptions<R>,
  confState: ConfState,
): Promise<{ readonly storage: StableStorage; readonly opened: boolean }> {
  if (options.storage !== undefined && options.dataDir !== undefined) {
    throw new ConfigError("storage", "and dataDir are mutually exclusive: give one");
  }
  if (options.storage !== undefined) return { storage: options.storage, opened: false };
  if (options.dataDir === undefined || options.dataDir === "") {
    throw new ConfigError("dataDir", "is required when no storage is given");
  }
  const storage = await DiskStorage.open(options.dataDir, { ...options.diskStorage, confState });
  return { storage, opened: true };
}
