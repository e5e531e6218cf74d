/**
 * The server and connection commands on raftkv's RESP server over the in-memory service: INFO's
 * sections and their selection, keyspace and commandstats figures, CONFIG SET/GET/RESETSTAT,
 * COMMAND's table, CLIENT KILL/LIST/NO-EVICT/NO-TOUCH/SETINFO, RESET, BGSAVE. (Byte-for-byte
 * agreement with redis-server is checked in e2e/redis_server_commands.test.ts.)
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { RespServer } from "./server.js";
import { MemoryKvService } from "../testing/memory_kv_service.js";
import { FrameClient, type Frame } from "../testing/resp_frames.js";
import { globMatch } from "./glob.js";
import { bytesToHuman } from "./info.js";

let server: RespServer | null = null;
const service = new MemoryKvService();
before(async () => { server = await RespServer.start({ service }, { port: 0 }); });
after(async () => { await server?.close(); });

async function connect(): Promise<FrameClient> {
  assert.ok(server !== null);
  return FrameClient.connect(server.port);
}

const text = (frame: Frame): string => frame.text ?? "";

function sectionsOf(info: string): string[] {
  return [...info.matchAll(/^# (\w+)\r$/gm)].map((m) => m[1] ?? "");
}

test("INFO: default sections, all adds commandstats, names pick sections, unknown gives nothing",
  async () => {
  const c = await connect();
  try {
    const defaults = ["Server", "Clients", "Memory", "Persistence", "Stats", "Replication", "CPU",
      "Modules", "Cluster", "Keyspace", "Raft"];
    assert.deepEqual(sectionsOf(text(await c.call(["INFO"]))), defaults);
    assert.deepEqual(sectionsOf(text(await c.call(["INFO", "default"]))), defaults);
    assert.ok(sectionsOf(text(await c.call(["INFO", "all"]))).includes("Commandstats"));
    assert.ok(sectionsOf(text(await c.call(["INFO", "everything"]))).includes("Commandstats"));
    assert.deepEqual(sectionsOf(text(await c.call(["INFO", "MEMORY", "keyspace"]))),
      ["Memory", "Keyspace"]);
    assert.equal(text(await c.call(["INFO", "nosuch"])), "");
    const serverInfo = text(await c.call(["INFO", "server"]));
    assert.match(serverInfo, /\r\nredis_version:7\.2\.4\r\n/);
    assert.match(serverInfo, /\r\narch_bits:64\r\n/);
    assert.match(serverInfo, new RegExp(`\\r\\ntcp_port:${server?.port}\\r\\n`));
    assert.match(serverInfo, new RegExp(`\\r\\nprocess_id:${process.pid}\\r\\n`));
    assert.match(text(await c.call(["INFO", "memory"])),
      /\r\nmaxmemory:0\r\nmaxmemory_human:0B\r\nmaxmemory_policy:noeviction\r\n/);
    assert.match(text(await c.call(["INFO", "persistence"])), /^# Persistence\r\nloading:0\r\n/);
    assert.match(text(await c.call(["INFO", "replication"])), /^# Replication\r\nrole:master\r\n/);
  } finally {
    c.close();
  }
});

test("INFO keyspace counts keys and TTLs per database; memory grows with the data", async () => {
  const c = await connect();
  try {
    const usedBefore = Number(/used_memory:(\d+)/.exec(text(await c.call(["INFO", "memory"])))?.[1]);
    await service.command(0, [Buffer.from("SET"), Buffer.from("ks1"), Buffer.from("x".repeat(1000))]);
    await service.command(3, [Buffer.from("SET"), Buffer.from("ks2"), Buffer.from("v")]);
    const keyspace = text(await c.call(["INFO", "keyspace"]));
    assert.match(keyspace, /\r\ndb0:keys=\d+,expires=0,avg_ttl=0\r\n/);
    assert.match(keyspace, /\r\ndb3:keys=1,expires=0,avg_ttl=0\r\n/);
    assert.doesNotMatch(keyspace, /db1:/);
    const usedAfter = Number(/used_memory:(\d+)/.exec(text(await c.call(["INFO", "memory"])))?.[1]);
    assert.ok(usedAfter >= usedBefore + 1000, `${usedBefore} -> ${usedAfter}`);
  } finally {
    c.close();
  }
});

test("INFO commandstats counts calls and failures; CONFIG RESETSTAT clears them", async () => {
  const c = await connect();
  try {
    await c.call(["CONFIG", "RESETSTAT"]);
    await c.call(["PING"]);
    await c.call(["PING"]);
    await c.call(["SELECT", "99"]);
    await c.call(["ECHO"]);
    await c.call(["NOSUCHCOMMAND"]);
    const stats = text(await c.call(["INFO", "commandstats"]));
    assert.match(stats, /\r\ncmdstat_echo:calls=0,usec=0,usec_per_call=0\.00,rejected_calls=1,failed_calls=0\r\n/);
    assert.doesNotMatch(stats, /nosuchcommand/);
    assert.match(stats, /\r\ncmdstat_ping:calls=2,usec=\d+,usec_per_call=[\d.]+,rejected_calls=0,failed_calls=0\r\n/);
    assert.match(stats, /\r\ncmdstat_select:calls=1,.*,failed_calls=1\r\n/);
    await c.call(["CONFIG", "RESETSTAT"]);
    assert.doesNotMatch(text(await c.call(["INFO", "commandstats"])), /cmdstat_ping/);
  } finally {
    c.close();
  }
});

test("CONFIG SET keeps a harmless value, refuses others, and changes nothing on refusal", async () => {
  const c = await connect();
  try {
    assert.equal(text(await c.call(["CONFIG", "SET", "hz", "50", "slowlog-max-len", "7"])), "OK");
    const got = await c.call(["CONFIG", "GET", "hz", "slowlog-max-len"]);
    assert.deepEqual(got.items?.map(text), ["hz", "50", "slowlog-max-len", "7"]);
    assert.match(text(await c.call(["CONFIG", "SET", "hz", "60", "port", "1"])),
      /^ERR CONFIG SET failed \(possibly related to argument 'port'\)/);
    assert.deepEqual((await c.call(["CONFIG", "GET", "hz"])).items?.map(text), ["hz", "50"]);
    assert.match(text(await c.call(["CONFIG", "SET", "maxmemory-policy", "allkeys-lru"])),
      /raftkv supports only 'noeviction'/);
    const all = await c.call(["CONFIG", "GET", "*max-*entries*"]);
    assert.ok((all.items?.length ?? 0) >= 8);
  } finally {
    c.close();
  }
});

test("CONFIG SET/GET of the encoding thresholds: aliases, Redis 7.0's parsing, ranges and errors", async () => {
  const c = await connect();
  try {
    const get = async (name: string): Promise<string[]> => ((await c.call(["CONFIG", "GET", name])).items ?? []).map(text);
    assert.deepEqual(await get("hash-max-listpack-entries"), ["hash-max-listpack-entries", "512"]);
    assert.equal(text(await c.call(["CONFIG", "SET", "hash-max-ziplist-entries", "7", "zset-max-ziplist-value", "1kb",
      "list-max-ziplist-size", "-6", "set-max-intset-entries", "0"])), "OK");
    assert.deepEqual(await get("hash-max-listpack-entries"), ["hash-max-listpack-entries", "7"]);
    assert.deepEqual(await get("zset-max-listpack-value"), ["zset-max-listpack-value", "1024"]);
    assert.deepEqual(await get("list-max-*"), ["list-max-listpack-size", "-6", "list-max-ziplist-size", "-6"]);
    const failed = (name: string, why: string): string =>
      `ERR CONFIG SET failed (possibly related to argument '${name}') - ${why}`;
    const cases: [string, string, string][] = [
      ["HASH-MAX-ZIPLIST-ENTRIES", "abc", failed("hash-max-ziplist-entries", "argument couldn't be parsed into an integer")],
      ["set-max-intset-entries", "05", failed("set-max-intset-entries", "argument couldn't be parsed into an integer")],
      ["set-max-intset-entries", "-5", failed("set-max-intset-entries", "argument must be between 0 and 9223372036854775807 inclusive")],
      ["list-compress-depth", "-1", failed("list-compress-depth", "argument must be between 0 and 2147483647 inclusive")],
      ["list-max-ziplist-size", "3000000000", failed("list-max-ziplist-size", "argument must be between -2147483648 and 2147483647 inclusive")],
      ["hash-max-ziplist-value", "-1", failed("hash-max-ziplist-value", "argument must be a memory value")],
      ["zset-max-ziplist-value", "99999999999999999999", failed("zset-max-ziplist-value", "argument must be between 0 and 9223372036854775807 inclusive")],
    ];
    for (const [name, value, reply] of cases) assert.equal(text(await c.call(["CONFIG", "SET", name, value])), reply, `${name} ${value}`);
    assert.deepEqual(await get("set-max-intset-entries"), ["set-max-intset-entries", "0"]);
    assert.equal(text(await c.call(["CONFIG", "SET", "hash-max-ziplist-entries", "512", "zset-max-ziplist-value", "64",
      "list-max-ziplist-size", "-2", "set-max-intset-entries", "512"])), "OK");
  } finally {
    c.close();
  }
});

test("COMMAND describes the one table: INFO entries, DOCS with group, COUNT and LIST agree",
  async () => {
  const c = await connect();
  try {
    const count = Number((await c.call(["COMMAND", "COUNT"])).text);
    assert.equal((await c.call(["COMMAND", "LIST"])).items?.length, count);
    assert.equal((await c.call(["COMMAND"])).items?.length, count);
    const [get] = (await c.call(["COMMAND", "INFO", "get"])).items ?? [];
    assert.deepEqual(get?.items?.slice(0, 2).map((i) => i.raw.toString()), ["$3\r\nget\r\n", ":2\r\n"]);
    const docs = await c.call(["COMMAND", "DOCS", "time", "set"]);
    assert.match(docs.raw.toString(), /\$4\r\ntime\r\n\*6\r\n\$7\r\nsummary\r\n.*\$5\r\nsince\r\n\$5\r\n2\.6\.0\r\n\$5\r\ngroup\r\n\$6\r\nserver\r\n/s);
    assert.match(docs.raw.toString(), /\$3\r\nset\r\n\*6\r\n.*\$5\r\ngroup\r\n\$6\r\nstring\r\n/s);
    assert.deepEqual((await c.call(["COMMAND", "GETKEYS", "del", "a", "b"])).items?.map(text), ["a", "b"]);
  } finally {
    c.close();
  }
});

test("CLIENT KILL closes the matching connections and counts them; LIST filters by ID", async () => {
  const me = await connect();
  const other = await connect();
  try {
    const otherId = text(await other.call(["CLIENT", "ID"]));
    const myId = text(await me.call(["CLIENT", "ID"]));
    const listed = text(await me.call(["CLIENT", "LIST", "ID", otherId]));
    assert.match(listed, new RegExp(`^id=${otherId} `));
    assert.equal(listed.split("\n").length, 2);
    assert.equal(text(await me.call(["CLIENT", "KILL", "USER", "default"])).length > 0, true);
    await assert.rejects(other.call(["PING"]), /closed|ended/);
    assert.equal(text(await me.call(["CLIENT", "ID"])), myId, "SKIPME yes is the default");
    assert.equal((await me.call(["CLIENT", "KILL", "ID", otherId])).text, "0");
  } finally {
    me.close();
    other.close();
  }
});

test("CLIENT NO-EVICT/NO-TOUCH show as flags; SETINFO sets lib-name; RESET clears the state",
  async () => {
  const c = await connect();
  try {
    await c.call(["HELLO", "3"]);
    await c.call(["SELECT", "4"]);
    await c.call(["CLIENT", "SETNAME", "before"]);
    assert.equal(text(await c.call(["CLIENT", "NO-EVICT", "on"])), "OK");
    assert.equal(text(await c.call(["CLIENT", "NO-TOUCH", "ON"])), "OK");
    assert.equal(text(await c.call(["CLIENT", "SETINFO", "LIB-NAME", "mylib"])), "OK");
    assert.match(text(await c.call(["CLIENT", "SETINFO", "lib-ver", "1 2"])), /cannot contain spaces/);
    const info = text(await c.call(["CLIENT", "INFO"]));
    assert.match(info, /flags=eT db=4 .*cmd=client\|info .*resp=3 lib-name=mylib lib-ver=\n$/);
    assert.equal((await c.call(["RESET"])).raw.toString(), "+RESET\r\n");
    const after = (await c.call(["CLIENT", "INFO"])).raw.toString("latin1");
    assert.match(after, /^\$\d+\r\n/, "RESP2 again");
    assert.match(after, / name= .*flags=N db=0 .*resp=2 lib-name=mylib /);
  } finally {
    c.close();
  }
});

test("TIME is seconds and microseconds; BGSAVE without a Raft node is an error", async () => {
  const c = await connect();
  try {
    const [seconds, micros] = (await c.call(["TIME"])).items?.map((i) => Number(i.text)) ?? [];
    assert.ok(Math.abs((seconds ?? 0) - Date.now() / 1000) < 5);
    assert.ok((micros ?? -1) >= 0 && (micros ?? 1e6) < 1e6);
    assert.match(text(await c.call(["BGSAVE"])), /snapshots are not available/);
    assert.equal(Number(text(await c.call(["LASTSAVE"]))) > 0, true);
  } finally {
    c.close();
  }
});

test("glob patterns match as Redis's stringmatch", () => {
  assert.ok(globMatch("max*", "maxmemory"));
  assert.ok(globMatch("MAX*", "maxmemory", true));
  assert.ok(!globMatch("MAX*", "maxmemory"));
  assert.ok(globMatch("h?llo", "hello") && !globMatch("h?llo", "hllo"));
  assert.ok(globMatch("h[ae]llo", "hallo") && !globMatch("h[^ae]llo", "hallo"));
  assert.ok(globMatch("h[a-c]llo", "hbllo") && globMatch("a\\*b", "a*b") && !globMatch("a\\*b", "axb"));
  assert.ok(globMatch("*a*b*", "xxaxxbxx") && !globMatch("*a*b", "xxbxxa"));
});

test("bytesToHuman formats as Redis", () => {
  assert.equal(bytesToHuman(0), "0B");
  assert.equal(bytesToHuman(1023), "1023B");
  assert.equal(bytesToHuman(1536), "1.50K");
  assert.equal(bytesToHuman(5 * 1024 * 1024), "5.00M");
});
