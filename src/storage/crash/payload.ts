/**
 * Self-verifying entry payloads for the crash test: `[u32 index][u32 crc32 of the rest][bytes]`,
 * so a reader can tell an intact entry from a torn or misplaced one without knowing its content.
 */
import { crc32 } from "node:zlib";
import type { Rng } from "../../core/rng.js";
import type { Storage } from "../../core/storage.js";
import { logIndex } from "../../core/types.js";

export const PAYLOAD_HEADER_BYTES = 8;

export function makePayload(index: number, rng: Rng, extraBytesMax: number): Uint8Array {
  const out = new Uint8Array(PAYLOAD_HEADER_BYTES + rng.nextInt(extraBytesMax + 1));
  for (let i = PAYLOAD_HEADER_BYTES; i < out.byteLength; i++) out[i] = rng.nextInt(256);
  const view = new DataView(out.buffer);
  view.setUint32(0, index, true);
  view.setUint32(4, crc32(out.subarray(PAYLOAD_HEADER_BYTES)), true);
  return out;
}

/** Null when `payload` is intact and belongs at `index`; otherwise what is wrong. */
export function checkPayload(index: number, payload: Uint8Array): string | null {
  if (payload.byteLength < PAYLOAD_HEADER_BYTES) return `entry ${index}: payload of ${payload.byteLength} bytes`;
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  if (view.getUint32(0, true) !== index) return `entry ${index}: payload says index ${view.getUint32(0, true)}`;
  if (view.getUint32(4, true) !== crc32(payload.subarray(PAYLOAD_HEADER_BYTES))) {
    return `entry ${index}: payload checksum mismatch`;
  }
  return null;
}

/** Null when the snapshot and every entry in `storage` verify; otherwise the first problem. */
export function checkStorage(storage: Storage): string | null {
  const snap = storage.snapshot();
  if (snap.metadata.index > 0) {
    const problem = checkPayload(snap.metadata.index, snap.data);
    if (problem !== null) return `snapshot: ${problem}`;
  }
  const last = storage.lastIndex();
  for (let lo: number = storage.firstIndex(); lo <= last; ) {
    const batch = storage.entries(logIndex(lo), logIndex(last + 1), { bytesMax: 1 << 20 });
    for (const e of batch) {
      const problem = checkPayload(e.index, e.data);
      if (problem !== null) return problem;
    }
    lo += batch.length;
  }
  return null;
}
