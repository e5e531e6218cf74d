/**
 * The node's configuration file (YAML, validated with zod) and its overrides. Precedence, as in
 * etcd: command-line flags over `RAFTKV_*` environment variables over the file over defaults.
 * Every rejection names the field ("Invalid config raftkv.yaml: members[1].peer: expected
 * host:port"), so an operator can fix the file without reading code.
 */
import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { ConfigError, NODE_ID_PATTERN, nodeId } from "../core/index.js";
import {
  parseHostPort, resolveNodeLimits, type HostPort, type NodeLimits,
} from "../node/index.js";
import { resolveClientLimits, type ClientLimits } from "../server/index.js";
import {
  ClientSecurityConfigError, clientSecurityShape, resolveClientSecurity,
  type ClientSecurityConfig,
} from "./client_security_config.js";
import {
  applyPeerTlsOverrides, type PeerTlsOverrides, peerTlsOverridesFromEnv, peerTlsSchema,
  type PeerTlsSetting, resolvePeerTls,
} from "./peer_tls_config.js";

export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** A TCP address, "host:port" (node/host_port.ts parses it). */
export type { HostPort };

const hostPort = z.string().transform((text, ctx): HostPort => {
  const address = parseHostPort(text);
  if (address === null) {
    ctx.addIssue({ code: "custom", message: `expected host:port, got ${JSON.stringify(text)}` });
    return z.NEVER;
  }
  return address;
});

const memberId = z.string().regex(NODE_ID_PATTERN,
  "expected a node id of 1-64 letters, digits, '_', '.', ':' or '-'");

const memberSchema = z.strictObject({
  id: memberId,
  peer: hostPort,
  redis: hostPort,
  http: hostPort,
});

const positiveInt = z.number().int().positive();

const fileSchema = z.strictObject({
  nodeId: memberId.optional(),
  clusterId: z.string().min(1).max(128),
  members: z.array(memberSchema).min(1).max(64),
  /** `{id}` is replaced by the node id, so one file serves every member. */
  dataDir: z.string().min(1).default("./data/{id}"),
  tickMs: positiveInt.optional(),
  electionTimeoutMs: z.strictObject({ min: positiveInt, max: positiveInt }).optional(),
  heartbeatIntervalMs: positiveInt.optional(),
  /** "lease": leader reads without a quorum round while its lease holds (README). */
  readMode: z.enum(["index", "lease"]).optional(),
  leaseClockDriftMs: z.number().int().nonnegative().optional(),
  /** Gray-failure watches (src/node/stall_watch.ts, README "Operating a cluster"); 0: off. */
  stall: z.strictObject({
    diskMs: z.number().int().nonnegative().optional(),
    diskHealthyMs: positiveInt.optional(),
    replicationMs: z.number().int().nonnegative().optional(),
  }).default({}),
  snapshot: z.strictObject({
    entriesMin: positiveInt.optional(),
    bytesMin: positiveInt.optional(),
    catchUpEntries: z.number().int().nonnegative().optional(),
  }).default({}),
  limits: z.strictObject({
    proposalTimeoutMs: positiveInt.optional(),
    readTimeoutMs: positiveInt.optional(),
    pendingProposalsMax: positiveInt.optional(),
    /** The largest proposal (command plus envelope) a node lets into the log. */
    proposalBytesMax: positiveInt.optional(),
    keyBytesMax: positiveInt.optional(),
    valueBytesMax: positiveInt.optional(),
    /** The store's memory limit (INFO memory's estimate); 0 or absent: none (noeviction). */
    maxmemoryBytes: z.number().int().min(0).optional(),
    redisClientsMax: positiveInt.optional(),
    httpBodyBytesMax: positiveInt.optional(),
    /** See ClientLimits (src/server/client_resources.ts) and README "Resource limits". */
    clientMemoryMaxBytes: positiveInt.optional(),
    clientOutputBytesMax: positiveInt.optional(),
    connectionsPerAddressMax: positiveInt.optional(),
  }).default({}),
  logLevel: z.enum(LOG_LEVELS).default("info"),
  /**
   * Join the running cluster of `members` instead of founding one: a new data directory starts
   * with no configuration; the leader adds this node (`raftkv member add`).
   */
  join: z.boolean().default(false),
  /** Users, tokens, protected mode and TLS of the client ports (client_security_config.ts). */
  ...clientSecurityShape,
  /** Peer authentication (peer_tls_config.ts): TLS files, or false for plaintext on loopback. */
  peerTls: peerTlsSchema,
});

export type ConfigFile = z.infer<typeof fileSchema>;
export type Member = z.infer<typeof memberSchema>;

/** What `raftkv node` runs with: the file, overridden, validated and resolved. */
export interface NodeConfig {
  readonly nodeId: string;
  readonly clusterId: string;
  readonly self: Member;
  readonly members: readonly Member[];
  readonly dataDir: string;
  readonly nodeLimits: NodeLimits;
  readonly store: {
    readonly keyBytesMax?: number; readonly valueBytesMax?: number; readonly maxmemoryBytes?: number;
  };
  readonly redisClientsMax: number | undefined;
  readonly httpBodyBytesMax: number | undefined;
  /** Resolved and checked (clientOutputBytesMax <= clientMemoryMaxBytes). */
  readonly clientLimits: ClientLimits;
  readonly logLevel: LogLevel;
  readonly join: boolean;
  readonly clientSecurity: ClientSecurityConfig;
  readonly peerTls: PeerTlsSetting;
}

/** Values that override the file: from flags, else from the environment. */
export interface ConfigOverrides {
  readonly nodeId?: string | undefined;
  readonly clusterId?: string | undefined;
  readonly dataDir?: string | undefined;
  readonly logLevel?: string | undefined;
  readonly join?: boolean | undefined;
  /** The default user's password (RAFTKV_REQUIREPASS), so it need not sit in the file. */
  readonly requirepass?: string | undefined;
  /** `--insecure-peers` (the paths come from the environment only). */
  readonly insecurePeers?: boolean | undefined;
  readonly peerTls?: PeerTlsOverrides | undefined;
}

/** A config file that cannot be used; the message names the file and the field. */
export class InvalidConfigError extends Error {
  override readonly name = "InvalidConfigError";
  readonly code = "INVALID_CONFIG";
  constructor(readonly source: string, readonly field: string, readonly reason: string) {
    super(`Invalid config ${source}: ${field === "" ? "" : `${field}: `}${reason}`);
  }
}

/** "members[1].peer" from zod's path. */
function fieldOf(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out === "" ? String(part) : `.${String(part)}`;
  }
  return out;
}

/** The overrides from `RAFTKV_*` variables (and `LOG_LEVEL`), flags taking precedence. */
export function overridesFromEnv(
  flags: ConfigOverrides,
  env: NodeJS.ProcessEnv = process.env,
): ConfigOverrides {
  return {
    nodeId: flags.nodeId ?? env.RAFTKV_NODE_ID,
    clusterId: flags.clusterId ?? env.RAFTKV_CLUSTER_ID,
    dataDir: flags.dataDir ?? env.RAFTKV_DATA_DIR,
    logLevel: flags.logLevel ?? env.RAFTKV_LOG_LEVEL ?? env.LOG_LEVEL,
    join: flags.join ?? envFlag("RAFTKV_JOIN", env.RAFTKV_JOIN),
    requirepass: flags.requirepass ?? env.RAFTKV_REQUIREPASS,
    peerTls: peerTlsOverridesFromEnv(flags.insecurePeers, env),
  };
}

/** @throws InvalidConfigError unless the variable reads as a boolean. */
function envFlag(name: string, value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  if (/^(1|true|yes)$/i.test(value)) return true;
  if (/^(0|false|no|)$/i.test(value)) return false;
  throw new InvalidConfigError(name, "", `expected true or false, got ${JSON.stringify(value)}`);
}

/**
 * Reads and resolves a config file.
 * @throws InvalidConfigError when the file is missing, is not YAML, or fails validation.
 */
export function loadConfigFile(path: string, overrides: ConfigOverrides = {}): NodeConfig {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new InvalidConfigError(path, "", `cannot read the file (${(error as Error).message})`);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new InvalidConfigError(path, "", `not valid YAML (${(error as Error).message})`);
  }
  return resolveConfig(raw, path, overrides);
}

/**
 * Validates a parsed config object and applies overrides.
 * @throws InvalidConfigError naming the first invalid field.
 */
export function resolveConfig(
  raw: unknown,
  source: string,
  overrides: ConfigOverrides = {},
): NodeConfig {
  const withOverrides = applyOverrides(raw, overrides);
  const parsed = fileSchema.safeParse(withOverrides);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InvalidConfigError(source, fieldOf(issue?.path ?? []), issue?.message ?? "invalid");
  }
  return toNodeConfig(parsed.data, source);
}

function applyOverrides(raw: unknown, overrides: ConfigOverrides): unknown {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) return raw;
  const out: Record<string, unknown> = { ...(raw as Record<string, unknown>) };
  if (overrides.nodeId !== undefined) out.nodeId = overrides.nodeId;
  if (overrides.clusterId !== undefined) out.clusterId = overrides.clusterId;
  if (overrides.dataDir !== undefined) out.dataDir = overrides.dataDir;
  if (overrides.logLevel !== undefined) out.logLevel = overrides.logLevel;
  if (overrides.join !== undefined) out.join = overrides.join;
  if (overrides.requirepass !== undefined) out.requirepass = overrides.requirepass;
  if (overrides.peerTls !== undefined) {
    out.peerTls = applyPeerTlsOverrides(out.peerTls, overrides.peerTls);
  }
  return out;
}

function toNodeConfig(file: ConfigFile, source: string): NodeConfig {
  const invalid = (field: string, reason: string) => new InvalidConfigError(source, field, reason);
  if (file.nodeId === undefined) {
    throw invalid("nodeId", "is required (in the file, --id or RAFTKV_NODE_ID)");
  }
  const ids = new Set<string>();
  file.members.forEach((member, i) => {
    if (ids.has(member.id)) throw invalid(`members[${i}].id`, `duplicate member ${member.id}`);
    ids.add(member.id);
    nodeId(member.id);
  });
  const self = file.members.find((member) => member.id === file.nodeId);
  if (self === undefined) {
    throw invalid("nodeId", `${file.nodeId} is not one of members (${[...ids].join(", ")})`);
  }
  const peerTls = resolvePeerTls(file.peerTls, { nodeId: file.nodeId, peerHost: self.peer.host });
  if ("refused" in peerTls) throw invalid("peerTls", peerTls.refused);
  let nodeLimits: NodeLimits;
  let clientLimits: ClientLimits;
  try {
    nodeLimits = resolveNodeLimits(nodeLimitsInput(file));
    clientLimits = resolveClientLimits(defined({
      clientMemoryMaxBytes: file.limits.clientMemoryMaxBytes,
      clientOutputBytesMax: file.limits.clientOutputBytesMax,
      connectionsPerAddressMax: file.limits.connectionsPerAddressMax,
    }));
  } catch (error) {
    if (error instanceof ConfigError) {
      const reason = error.message.replace(`Invalid configuration: ${error.field} `, "");
      throw invalid(error.field, reason);
    }
    throw error;
  }
  return {
    nodeId: file.nodeId,
    clusterId: file.clusterId,
    self,
    members: file.members,
    dataDir: file.dataDir.replaceAll("{id}", file.nodeId),
    nodeLimits,
    store: defined({
      keyBytesMax: file.limits.keyBytesMax, valueBytesMax: file.limits.valueBytesMax,
      maxmemoryBytes: file.limits.maxmemoryBytes,
    }),
    redisClientsMax: file.limits.redisClientsMax,
    httpBodyBytesMax: file.limits.httpBodyBytesMax,
    clientLimits,
    logLevel: file.logLevel,
    join: file.join,
    clientSecurity: clientSecurityOf(file, self, invalid),
    peerTls,
  };
}

function clientSecurityOf(
  file: ConfigFile,
  self: Member,
  invalid: (field: string, reason: string) => InvalidConfigError,
): ClientSecurityConfig {
  try {
    return resolveClientSecurity(file, { redisHost: self.redis.host, httpHost: self.http.host });
  } catch (error) {
    if (error instanceof ClientSecurityConfigError) throw invalid(error.field, error.message);
    throw error;
  }
}

function nodeLimitsInput(file: ConfigFile): Parameters<typeof resolveNodeLimits>[0] {
  return defined({
    tickMs: file.tickMs,
    electionTimeoutMs: file.electionTimeoutMs,
    heartbeatIntervalMs: file.heartbeatIntervalMs,
    readMode: file.readMode,
    leaseClockDriftMs: file.leaseClockDriftMs,
    diskStallMs: file.stall.diskMs,
    diskHealthyMs: file.stall.diskHealthyMs,
    replicationStallMs: file.stall.replicationMs,
    proposalTimeoutMs: file.limits.proposalTimeoutMs,
    readTimeoutMs: file.limits.readTimeoutMs,
    pendingProposalsMax: file.limits.pendingProposalsMax,
    proposalBytesMax: file.limits.proposalBytesMax,
    snapshotEntriesMin: file.snapshot.entriesMin,
    snapshotBytesMin: file.snapshot.bytesMin,
    snapshotCatchUpEntries: file.snapshot.catchUpEntries,
  });
}

/** Drops undefined fields (exactOptionalPropertyTypes). */
type Defined<T> = { [K in keyof T]?: Exclude<T[K], undefined> };

function defined<T extends Record<string, unknown>>(object: T): Defined<T> {
  const entries = Object.entries(object).filter(([, v]) => v !== undefined);
  return Object.fromEntries(entries) as Defined<T>;
}
