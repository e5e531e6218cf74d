/**
 * The data directory's identity: `raftkv.json` records the cluster id, the node id and the
 * data-format version on a node's first start, and every later start checks them, so a node
 * never silently opens another cluster's (or another node's) data, nor data written in a format
 * this version cannot read. A directory that already holds data but no identity file (written
 * before this check existed) is adopted: the file is written with what this start says.
 */
import { mkdir, open, readFile, readdir, rename } from "node:fs/promises";
import { join } from "node:path";

/** Bumped when the on-disk layout changes incompatibly. */
export const DATA_FORMAT_VERSION = 1;
export const IDENTITY_FILE = "raftkv.json";

export interface DataDirIdentity {
  readonly clusterId: string;
  readonly nodeId: string;
  readonly formatVersion: number;
  /** Set once the node applied a configuration without itself: it stays removed. */
  readonly removedAtIndex?: number;
}

/** The data directory belongs to something else; nothing was opened or changed. */
export class DataDirMismatchError extends Error {
  override readonly name = "DataDirMismatchError";
  readonly code = "DATA_DIR_MISMATCH";
  constructor(readonly dir: string, reason: string) {
    super(`Refusing to use data directory ${dir}: ${reason}`);
  }
}

function parseIdentity(dir: string, text: string): DataDirIdentity {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new DataDirMismatchError(dir, `${IDENTITY_FILE} is not JSON (${(error as Error).message})`);
  }
  const v = value as Partial<DataDirIdentity> | null;
  if (typeof v?.clusterId !== "string" || typeof v.nodeId !== "string"
    || typeof v.formatVersion !== "number") {
    throw new DataDirMismatchError(dir,
      `${IDENTITY_FILE} lacks clusterId, nodeId or formatVersion: ${text.slice(0, 200)}`);
  }
  return {
    clusterId: v.clusterId, nodeId: v.nodeId, formatVersion: v.formatVersion,
    ...(typeof v.removedAtIndex === "number" ? { removedAtIndex: v.removedAtIndex } : {}),
  };
}

/** The identity recorded in `dir`, or null when there is none (or it cannot be read). */
export async function readDataDirIdentity(dir: string): Promise<DataDirIdentity | null> {
  try {
    return parseIdentity(dir, await readFile(join(dir, IDENTITY_FILE), "utf8"));
  } catch {
    return null;
  }
}

/**
 * Records in `dir` that its node was removed from the cluster at `index`, so later starts
 * refuse to run it (a removed node stays removed) and `raftkv cluster` does not restart it.
 */
export async function markRemoved(dir: string, index: number): Promise<void> {
  const identity = await readDataDirIdentity(dir);
  if (identity === null) return;
  await writeIdentity(dir, { ...identity, removedAtIndex: index });
}

async function writeIdentity(dir: string, identity: DataDirIdentity): Promise<void> {
  const temporary = join(dir, `${IDENTITY_FILE}.tmp`);
  const file = await open(temporary, "w");
  try {
    await file.writeFile(`${JSON.stringify(identity, null, 2)}\n`);
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(temporary, join(dir, IDENTITY_FILE));
  const directory = await open(dir, "r");
  try {
    await directory.sync();
  } finally {
    await directory.close();
  }
}

/**
 * Checks `dir` belongs to `expected` (writing the identity on first use).
 * @returns "created" (new directory), "adopted" (data without an identity file) or "matched".
 * @throws DataDirMismatchError naming what differs and how to proceed.
 */
export async function checkDataDirIdentity(
  dir: string,
  expected: { readonly clusterId: string; readonly nodeId: string },
): Promise<"created" | "adopted" | "matched"> {
  await mkdir(dir, { recursive: true });
  let text: string | null = null;
  try {
    text = await readFile(join(dir, IDENTITY_FILE), "utf8");
  } catch (error) {
    if ((error as { code?: string }).code !== "ENOENT") throw error;
  }
  const identity = { ...expected, formatVersion: DATA_FORMAT_VERSION };
  if (text === null) {
    const existing = (await readdir(dir)).filter((name) => !name.startsWith(IDENTITY_FILE));
    await writeIdentity(dir, identity);
    return existing.length === 0 ? "created" : "adopted";
  }
  const found = parseIdentity(dir, text);
  if (found.clusterId !== expected.clusterId) {
    throw new DataDirMismatchError(dir, `it holds data of cluster "${found.clusterId}", not `
      + `"${expected.clusterId}"; point --data-dir elsewhere, or delete the directory to start afresh`);
  }
  if (found.nodeId !== expected.nodeId) {
    throw new DataDirMismatchError(dir, `it holds the data of node ${found.nodeId}, not `
      + `${expected.nodeId}; check --id and --data-dir ({id} in dataDir keeps nodes apart)`);
  }
  if (found.removedAtIndex !== undefined) {
    throw new DataDirMismatchError(dir, `node ${found.nodeId} was removed from cluster `
      + `"${found.clusterId}" (configuration at index ${found.removedAtIndex}); to add it again, `
      + "delete this directory and add it as a new member (raftkv member add)");
  }
  if (found.formatVersion > DATA_FORMAT_VERSION) {
    throw new DataDirMismatchError(dir, `its data format version ${found.formatVersion} is newer `
      + `than this raftkv reads (${DATA_FORMAT_VERSION}); run the newer raftkv`);
  }
  return "matched";
}
