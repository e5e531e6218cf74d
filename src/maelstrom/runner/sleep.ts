/** Abortable sleeping for the runner's schedules: resolves early (never rejects) on abort. */
import { setTimeout as delay } from "node:timers/promises";

export async function sleepMs(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted || ms <= 0) return;
  try {
    await delay(ms, undefined, { signal });
  } catch {
    // Aborted: the caller checks the signal.
  }
}
