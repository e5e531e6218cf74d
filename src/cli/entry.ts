/**
 * Runs the `raftkv` command from this build directory: what `raftkv cluster` and the
 * multi-process tests spawn, so children run the same compiled code as their parent.
 */
import { fileURLToPath } from "node:url";
import { main } from "./main.js";

/** The path of this file, to pass to `node` when spawning a child raftkv process. */
export const ENTRY_PATH = fileURLToPath(import.meta.url);

if (process.argv[1] === ENTRY_PATH) {
  main(process.argv).catch((error: unknown) => {
    console.error(error instanceof Error ? error.stack : error);
    process.exit(70);
  });
}
