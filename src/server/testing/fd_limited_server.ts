/**
 * TEST-ONLY: a RESP server process for the descriptor-exhaustion test, meant to be started under
 * a low `ulimit -n`. It prints `PORT <n>` once listening and every error log line as
 * `ERROR <json fields> <message>`, watches descriptors every 100 ms, and exits when stdin ends.
 */
import { createClientResources } from "../client_resources.js";
import type { Logger } from "../../core/logger.js";
import { RespServer } from "../resp/server.js";
import { MemoryKvService } from "./memory_kv_service.js";

const none = (): void => undefined;
const logger: Logger = {
  debug: none, info: none, warn: none,
  error: (fields, message = "") => {
    process.stdout.write(`ERROR ${JSON.stringify(fields)} ${message}\n`);
  },
};
const resources = createClientResources({}, { logger });
resources.fdWatch.start(100);
const server = await RespServer.start({ service: new MemoryKvService(), logger, resources },
  { port: 0 });
process.stdout.write(`PORT ${server.port}\n`);
process.stdin.resume();
process.stdin.on("end", () => { process.exit(0); });
