/**
 * The package's version, for `raftkv --version`: read from the package.json that ships beside
 * the compiled code (dist/cli/ is two levels below it, in the repository and in the package).
 */
import { readFileSync } from "node:fs";

/**
 * The `version` field of raftkv's package.json.
 * @throws Error when the file cannot be read or has no version (a broken installation).
 */
export function packageVersion(): string {
  const path = new URL("../../package.json", import.meta.url);
  const manifest = JSON.parse(readFileSync(path, "utf8")) as { version?: unknown };
  if (typeof manifest.version !== "string") {
    throw new Error(`${path.pathname} has no version field`);
  }
  return manifest.version;
}
