/**
 * Test support for browser tests: finds Debian's `chromium` (or `CHROMIUM_PATH`) for
 * playwright-core, which downloads no browser of its own. In CI (`CI=true`) a missing browser is
 * a failure with instructions; elsewhere the caller skips with the same message.
 */
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

export const CHROMIUM_MISSING = "No Chromium found for the browser test: install Debian's " +
  "chromium (apt-get install -y chromium; .ci/run does) or set CHROMIUM_PATH to a Chromium binary";

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The Chromium binary to drive, or null when there is none. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | null {
  const explicit = env["CHROMIUM_PATH"];
  if (explicit !== undefined && explicit !== "") return executable(explicit) ? explicit : null;
  const dirs = (env["PATH"] ?? "").split(delimiter).filter((dir) => dir !== "");
  for (const name of ["chromium", "chromium-browser"]) {
    for (const dir of [...dirs, "/usr/bin"]) {
      const path = join(dir, name);
      if (executable(path)) return path;
    }
  }
  return null;
}

/** Whether a missing browser must fail the test run rather than skip it. */
export function browserRequired(env: NodeJS.ProcessEnv = process.env): boolean {
  return env["CI"] === "true" || env["CI"] === "1" || env["RAFTKV_REQUIRE_BROWSER"] === "1";
}
