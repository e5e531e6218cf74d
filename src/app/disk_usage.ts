/**
 * The bytes a data directory holds (files, recursively), for `raftkv snapshot`'s before/after
 * report. Files that vanish while it counts (a compaction deleting them) count as zero.
 */
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";

export async function diskUsageBytes(dir: string): Promise<number> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as { code?: string }).code === "ENOENT") return 0;
    throw error;
  }
  let total = 0;
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      total += await diskUsageBytes(path);
    } else if (entry.isFile()) {
      total += await stat(path).then((s) => s.size, () => 0);
    }
  }
  return total;
}
