/**
 * The fail-stop latch every disk operation goes through. The first failure of a write, sync,
 * create, rename or delete is recorded as a `DiskFailedError`; from then on every operation
 * rejects with that same error. Storage never retries an fsync and carries on: after a failed
 * fsync the kernel may already have dropped the dirty pages, so a retry that "succeeds" proves
 * nothing (fsyncgate, PostgreSQL 2018).
 */
import { DiskFailedError } from "./errors.js";

export class FailStop {
  private failure: DiskFailedError | null = null;

  /** The recorded failure, if any. */
  get error(): DiskFailedError | null {
    return this.failure;
  }

  /** @throws DiskFailedError once any operation has failed. */
  throwIfFailed(): void {
    if (this.failure !== null) throw this.failure;
  }

  /**
   * Runs one disk operation.
   * @throws DiskFailedError naming `operation` and `file` if it (or any earlier one) failed.
   */
  async run<T>(operation: string, file: string, fn: () => Promise<T>): Promise<T> {
    this.throwIfFailed();
    try {
      return await fn();
    } catch (cause) {
      this.failure ??= new DiskFailedError(operation, file, cause);
      throw this.failure;
    }
  }

  /** Records a failure that happened outside `run` (e.g. while closing). */
  fail(operation: string, file: string, cause: unknown): DiskFailedError {
    this.failure ??= new DiskFailedError(operation, file, cause);
    return this.failure;
  }
}
