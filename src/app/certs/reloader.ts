/**
 * Reloading certificates without a restart: on demand (SIGHUP) and when the files change. The
 * directories holding the files are watched (not the files: `raftkv certs` and most tools replace
 * a file by renaming a new one over it), changes are debounced so a certificate and its key
 * written one after the other load as a pair, and the new material is checked in full before it
 * replaces the old. A bad change is logged and the credentials in force stay in force.
 */
import { type FSWatcher, watch } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import type { Logger } from "../../core/logger.js";
import { CertificateError } from "./errors.js";


export interface ReloaderOptions<M> {
  /** What is being reloaded, for log lines ("peer TLS"). */
  readonly what: string;
  /** The files whose change triggers a reload. */
  readonly files: readonly string[];
  /** Reads and checks the files. @throws CertificateError if they cannot be used. */
  readonly load: () => M;
  /** Puts checked material in force. @throws Error if it is refused (the old stays). */
  readonly apply: (material: M) => void;
  /** Whether two loads hold the same material (nothing to do). */
  readonly same: (a: M, b: M) => boolean;
  readonly logger: Logger;
  readonly debounceMs?: number;
}

export class CertificateReloader<M> {
  private readonly watchers: FSWatcher[] = [];
  private timer: NodeJS.Timeout | null = null;
  private reloads = 0;

  constructor(private current: M, private readonly options: ReloaderOptions<M>) {}

  /** Successful reloads so far (tests and metrics). */
  get reloadCount(): number {
    return this.reloads;
  }

  /** Starts watching the files' directories. */
  watchFiles(): void {
    const byDir = new Map<string, Set<string>>();
    for (const file of this.options.files) {
      const dir = dirname(resolve(file));
      const names = byDir.get(dir) ?? new Set<string>();
      names.add(basename(file));
      byDir.set(dir, names);
    }
    for (const [dir, names] of byDir) {
      const watcher = watch(dir, { persistent: false }, (_event, name) => {
        if (name === null || names.has(name)) this.schedule("file change");
      });
      watcher.on("error", (error) => {
        this.options.logger.error({ err: error, dir },
          `Stopped watching ${dir} for ${this.options.what} certificate changes`);
      });
      this.watchers.push(watcher);
    }
  }

  /**
   * Loads, checks and applies the files now; `why` is logged. An explicit reload (SIGHUP) also
   * says when nothing changed; one after a file event does not (editors touch files often).
   * @returns whether new material was put in force.
   */
  reload(why: string, options: { readonly quietIfUnchanged?: boolean } = {}): boolean {
    const { what, logger } = this.options;
    let material: M;
    try {
      material = this.options.load();
      if (this.options.same(material, this.current)) {
        if (options.quietIfUnchanged !== true) {
          logger.info({ why }, `The ${what} certificates are unchanged (${why}): nothing to reload`);
        }
        return false;
      }
      this.options.apply(material);
    } catch (error) {
      const code = error instanceof CertificateError ? error.code : "CERT_INVALID";
      logger.error({ code, err: error, why },
        `Kept the ${what} certificates in force: reload (${why}) failed: ` +
        (error as Error).message);
      return false;
    }
    this.current = material;
    this.reloads += 1;
    logger.info({ why }, `Reloaded the ${what} certificates (${why}): new connections use them`);
    return true;
  }

  close(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    for (const watcher of this.watchers) watcher.close();
    this.watchers.length = 0;
  }

  private schedule(why: string): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.reload(why, { quietIfUnchanged: true });
    }, this.options.debounceMs ?? 250);
  }
}
