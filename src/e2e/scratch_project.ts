/**
 * Test support for the package tests: packs raftkv with `npm pack` (which runs the package build,
 * tsconfig.build.json), installs the tarball into a scratch project in a temporary directory,
 * and compiles and runs TypeScript programs there, as a user would.
 *
 * Installing works offline: the tarball is unpacked into `node_modules/raftkv` (what npm does
 * with it) and each of the package's declared `dependencies` is linked from this checkout's
 * node_modules, so no registry is needed. Only declared dependencies are linked: a package
 * that imported a devDependency or an undeclared module would fail to load here.
 */
import { execFile } from "node:child_process";
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);

/** The checkout's root (this file is compiled to dist/e2e/). */
export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** What `npm pack --json` reports. */
export interface PackResult {
  readonly tarball: string;
  readonly files: readonly string[];
}

/** Packs the checkout into `destination`. */
export async function packPackage(destination: string): Promise<PackResult> {
  const { stdout } = await run("npm", ["pack", "--json", "--pack-destination", destination], {
    cwd: REPO_ROOT, maxBuffer: 64 * 1024 * 1024,
  });
  // npm prints the prepare script's output before the JSON on some versions: take the array.
  const json = stdout.slice(stdout.indexOf("["));
  const [report] = JSON.parse(json) as [{ filename: string; files: { path: string }[] }];
  return { tarball: join(destination, report.filename), files: report.files.map((file) => file.path) };
}

/**
 * Why a packed file must not ship: a test, test support, an end-to-end test; null if it may.
 */
export function forbiddenReason(path: string): string | null {
  if (/\.test\.[cm]?[jt]s$|\.test\.d\.ts$/.test(path)) return "a test";
  if (/(^|\/)testing\//.test(path)) return "a testing/ folder";
  if (/(^|\/)testing_[^/]*$|_testing\.[^/]*$/.test(path)) return "a testing_ module";
  if (/test_support/.test(path)) return "test support";
  if (/_compliance\.[^/]*$/.test(path)) return "a compliance suite (needs node:test)";
  if (/(^|\/)e2e\//.test(path)) return "an end-to-end test";
  return null;
}

/** A scratch project with the tarball installed; returns its directory. */
export async function installTarball(tarball: string, project: string): Promise<string> {
  const target = join(project, "node_modules", "raftkv");
  mkdirSync(target, { recursive: true });
  await run("tar", ["-xzf", tarball, "-C", target, "--strip-components=1"]);
  const manifest = JSON.parse(readFileSync(join(target, "package.json"), "utf8")) as {
    dependencies?: Record<string, string>;
  };
  for (const name of Object.keys(manifest.dependencies ?? {})) {
    const link = join(project, "node_modules", name);
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(join(REPO_ROOT, "node_modules", name), link, "dir");
  }
  writeFileSync(join(project, "package.json"), `${JSON.stringify({ private: true, type: "module" })}\n`);
  writeFileSync(join(project, "tsconfig.json"), `${JSON.stringify({
    compilerOptions: {
      target: "ES2022", module: "nodenext", moduleResolution: "nodenext", strict: true,
      noUncheckedIndexedAccess: true, exactOptionalPropertyTypes: true, skipLibCheck: true,
      types: ["node"], typeRoots: [join(REPO_ROOT, "node_modules", "@types")],
    },
    include: ["*.ts"],
  }, null, 2)}\n`);
  return project;
}

/** Compiles every .ts file of `project` with the checkout's TypeScript. */
export async function compile(project: string): Promise<void> {
  const tsc = join(REPO_ROOT, "node_modules", "typescript", "bin", "tsc");
  try {
    await run(process.execPath, [tsc, "-p", project]);
  } catch (error) {
    const { stdout } = error as { stdout?: string };
    throw new Error(`tsc failed in ${project}:\n${stdout ?? String(error)}`, { cause: error });
  }
}

/** Runs `file` (a .js file of `project`) with node; resolves with its stdout. */
export async function runProgram(
  project: string,
  file: string,
  env: Readonly<Record<string, string>> = {},
): Promise<string> {
  try {
    const { stdout } = await run(process.execPath, [join(project, file)], {
      cwd: project, env: { ...process.env, ...env }, timeout: 120_000,
    });
    return stdout;
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`${file} failed:\n${stdout ?? ""}\n${stderr ?? String(error)}`, { cause: error });
  }
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => { resolve(false); });
    server.listen(port, "127.0.0.1", () => {
      server.close(() => { resolve(true); });
    });
  });
}

/** A port p such that p .. p + count - 1 are free on 127.0.0.1 right now. */
export async function freePortRange(count: number): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 40_000);
    let free = true;
    for (let port = base; port < base + count && free; port++) free = await canListen(port);
    if (free) return base;
  }
  throw new Error(`no ${count} consecutive free ports found`);
}

/** The first fenced ```ts block after the heading `heading` in the markdown `text`. */
export function codeBlockAfter(text: string, heading: string): string {
  const at = text.indexOf(`\n${heading}\n`);
  if (at < 0) throw new Error(`no heading ${JSON.stringify(heading)}`);
  const match = /```ts\n([\s\S]*?)```/.exec(text.slice(at));
  if (match?.[1] === undefined) throw new Error(`no ts code block after ${heading}`);
  return match[1];
}
