/**
 * raftkv, the library: Raft consensus for your own state machine. `import { ClusterNode } from
 * "raftkv"` gives the runtime (ClusterNode), the StateMachine contract, the storages, the
 * transports, the typed errors and the types they speak. The replicated key-value store is
 * `raftkv/kv`, its Redis and HTTP front ends `raftkv/server`, and the linearizability checker
 * with its history format `raftkv/check` (README.md, "Library API").
 */
export * from "./node/index.js";
export type { PeerMap } from "./node/peer_map.js";

// Durable state: on disk (write-ahead log + snapshots) or in memory (tests, ephemeral nodes).
export {
  DiskStorage, MemoryStorage, DiskFailedError, SnapshotCorruptError, StorageError, WalCorruptError,
  DEFAULT_DISK_STORAGE_OPTIONS, type DiskStorageOptions, type RecoveryReport, type SaveBatch,
  type StableStorage,
} from "./storage/index.js";

// Peer transports: TCP (what a peer map builds) and an in-process network.
export {
  TcpTransport, MemoryNetwork, MemoryTransport, silentLogger, TransportError, ListenError,
  HandshakeError, type TcpTransportOptions, type MemoryNetworkOptions, type PeerAddress,
  type Transport, type TransportLimits, type TransportStats,
  type MessageHandler, type PeerConnectionState, type PeerStats,
} from "./transport/index.js";

// The core's vocabulary: ids, indexes, terms, entries and the errors every layer reuses.
export {
  nodeId, logIndex, term, RaftError, AssertionError, CompactedError, LogUnavailableError,
  type NodeId, type LogIndex, type Term, type Entry, type EntryKind, type ConfState,
  type HardState, type Message, type Snapshot, type SnapshotMetadata, type RoleName,
  type Status, type ReadMode, type Logger,
} from "./core/index.js";
