/** The address book: validation of untrusted addresses, persistence, precedence, bad files. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, nodeId } from "../core/index.js";
import { silentLogger } from "../transport/index.js";
import { AddressBook, parsePeerAddress, toMemberAddresses } from "./address_book.js";

const n1 = nodeId("n1");
const n2 = nodeId("n2");

test("addresses are validated: host:port, bracketed IPv6, named fields", () => {
  assert.deepEqual(parsePeerAddress("10.0.0.1:7001"), { host: "10.0.0.1", port: 7001 });
  assert.deepEqual(parsePeerAddress("[::1]:7001"), { host: "::1", port: 7001 });
  assert.throws(() => parsePeerAddress("nowhere"), ConfigError);
  assert.throws(() => parsePeerAddress("h:70000"), ConfigError);
  assert.deepEqual(toMemberAddresses({ peer: "h:1", http: "h:2" }), { peer: "h:1", http: "h:2" });
  assert.throws(() => toMemberAddresses({ redis: "h:1" }), (e: unknown) =>
    e instanceof ConfigError && e.field === "addresses.peer");
  assert.throws(() => toMemberAddresses("h:1"), ConfigError);
});

test("the book persists atomically; the options' seed overrides the file on open", async () => {
  const dir = await mkdtemp(join(tmpdir(), "raftkv-book-"));
  try {
    const path = join(dir, "members.json");
    const book = await AddressBook.open(path, new Map([[n1, { peer: "a:1" }]]), silentLogger);
    assert.equal(book.set(n2, { peer: "b:2" }), true);
    assert.equal(book.set(n2, { peer: "b:2" }), false, "unchanged: not written again");
    await book.flush();
    const onDisk = JSON.parse(await readFile(path, "utf8")) as unknown;
    assert.deepEqual(onDisk, { v: 1, members: { n1: { peer: "a:1" }, n2: { peer: "b:2" } } });
    const reopened = await AddressBook.open(path, new Map([[n1, { peer: "a:9" }]]), silentLogger);
    assert.equal(reopened.get(n2)?.peer, "b:2");
    assert.equal(reopened.get(n1)?.peer, "a:9");
    reopened.retain(new Set([n1]));
    await reopened.flush();
    assert.equal((await AddressBook.open(path, new Map(), silentLogger)).get(n2), null);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("a damaged members.json is refused with a ConfigError naming the file", async () => {
  const dir = await mkdtemp(join(tmpdir(), "raftkv-book-"));
  try {
    const path = join(dir, "members.json");
    await writeFile(path, "{ not json");
    await assert.rejects(AddressBook.open(path, new Map(), silentLogger),
      (e: unknown) => e instanceof ConfigError && e.message.includes(path));
    await writeFile(path, JSON.stringify({ v: 2, members: {} }));
    await assert.rejects(AddressBook.open(path, new Map(), silentLogger), /version 1/);
    await writeFile(path, JSON.stringify({ v: 1, members: { n1: { peer: "bad" } } }));
    await assert.rejects(AddressBook.open(path, new Map(), silentLogger), ConfigError);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
