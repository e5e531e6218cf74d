/**
 * Every document the source cites is in the repository (ARCHITECTURE.md, "Files a user touches"):
 * a cited `<name>.md` with a folder resolves from the repository root, a bare one from the root or
 * `docs/`. And no source file names a path on some build machine.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../", import.meta.url));
/** This file holds known-bad citations and paths on purpose, as the checks' test inputs. */
const self = join("src", "doc_citations.test.ts");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith(".ts") && !path.endsWith(self) ? [path] : [];
  });
}

/** The citations in `text` that name no file of the repository at `repoRoot`. */
export function missingCitations(text: string, repoRoot: string): string[] {
  const cited = new Set(text.match(/[A-Za-z0-9_./-]*[A-Za-z0-9_-]\.md\b/g) ?? []);
  return [...cited].filter((name) => {
    const candidates = name.includes("/") ? [name] : [name, join("docs", name)];
    return !candidates.some((candidate) => existsSync(join(repoRoot, candidate)));
  });
}

/** Absolute paths of a particular machine (home directories, build and work trees). */
export function machinePaths(text: string): string[] {
  return text.match(/(?<![\w.])\/(?:home|root|work|Users|srv)\/[\w./-]+/g) ?? [];
}

test("every .md file cited in src/ exists in the repository", () => {
  const missing = sourceFiles(join(root, "src")).flatMap((file) =>
    missingCitations(readFileSync(file, "utf8"), root).map((name) => `${file}: ${name}`));
  assert.deepEqual(missing, []);
});

test("no source file holds an absolute path of a build machine", () => {
  const found = sourceFiles(join(root, "src")).flatMap((file) =>
    machinePaths(readFileSync(file, "utf8")).map((path) => `${file}: ${path}`));
  assert.deepEqual(found, []);
});

test("the checks catch a missing document and a machine path", () => {
  assert.deepEqual(missingCitations("see STYLE.md and reference/maelstrom.md §2", root),
    ["reference/maelstrom.md"]);
  assert.deepEqual(missingCitations("see docs/maelstrom.md and README.md", root), []);
  assert.deepEqual(machinePaths("exactly as /work/shared/reference/history-format.md says"),
    ["/work/shared/reference/history-format.md"]);
  assert.deepEqual(machinePaths("a relative docs/history-format.md and node:fs"), []);
});
