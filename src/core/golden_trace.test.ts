/**
 * Golden traces of the core (STYLE.md rule 17, after etcd-io/raft's `testdata/`): every script in
 * src/core/testdata/ runs against fresh RaftNodes and each command's output must match the text
 * under it. After a deliberate behaviour change, `REWRITE=1 node --test
 * dist/core/golden_trace.test.js` writes the new output into the files; review the diff.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { MemoryStorage } from "../storage/memory_storage.js";
import { diffLines, formatGolden, GoldenFormatError, parseGolden } from "./testing/datadriven.js";
import { runGolden } from "./testing/interaction_commands.js";

const testdata = resolve(dirname(fileURLToPath(import.meta.url)), "../../src/core/testdata");
const rewrite = process.env.REWRITE === "1";
const storage = (cs: ConstructorParameters<typeof MemoryStorage>[0]) => new MemoryStorage(cs);

for (const name of readdirSync(testdata).filter((n) => n.endsWith(".txt")).sort()) {
  test(`golden trace ${name}`, () => {
    const path = join(testdata, name);
    const source = readFileSync(path, "utf8");
    const result = runGolden(source, storage);
    if (rewrite) {
      writeFileSync(path, result.rewritten);
      return;
    }
    assert.deepEqual(result.failures, [], `${name} differs:\n${result.failures.join("\n\n")}`);
    assert.equal(result.rewritten, source, `${name} is not in canonical form: run with REWRITE=1`);
  });
}

test("a wrong expectation fails, with a diff naming the line and the difference", () => {
  const script = [
    "add-nodes 1",
    "----",
    "1: role=follower term=0 vote=none leader=none commit=0 applied=0 last=0/0 voters=(1)",
    "",
    "campaign 1",
    "----",
    "1 campaigns after 99 ticks",
    "",
  ].join("\n");
  const result = runGolden(script, storage);
  assert.equal(result.failures.length, 1);
  const [failure] = result.failures;
  assert.match(failure ?? "", /^line 5: campaign 1\n- 1 campaigns after 99 ticks\n\+ 1 campaigns after \d+ ticks?$/);
  assert.notEqual(result.rewritten, script);
  assert.deepEqual(runGolden(result.rewritten, storage).failures, []);
});

test("diffLines marks lines only expected with -, only printed with +, shared with two spaces", () => {
  assert.equal(diffLines("a\nb\nc", "a\nb\nc"), "");
  assert.equal(diffLines("a\nb\nc", "a\nx\nc"), "  a\n- b\n+ x\n  c");
  assert.equal(diffLines("a", "a\nb"), "  a\n+ b");
  assert.equal(diffLines("a\nb", "b"), "- a\n  b");
});

test("the golden format keeps comments and rejects a command without its separator", () => {
  const source = "# why\ncmd 1 k=(a,b) x=y\n----\nout\n\n# end\n";
  const script = parseGolden(source);
  const [first] = script.cases;
  assert.ok(first);
  assert.equal(first.command, "cmd");
  assert.deepEqual(first.args, [
    { key: "1", values: [] }, { key: "k", values: ["a", "b"] }, { key: "x", values: ["y"] },
  ]);
  assert.equal(formatGolden(script, script.cases.map((c) => c.expected)), source);
  assert.throws(() => parseGolden("cmd\nout\n"), GoldenFormatError);
});
