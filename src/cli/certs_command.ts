/**
 * `raftkv certs`: the cluster's certificates, made in-process (no openssl needed).
 *
 *   raftkv certs init --cluster-id prod --out ./certs         # ca.crt, ca.key (0600)
 *   raftkv certs issue --id n1 --host 10.0.0.1 --dir ./certs  # n1.crt, n1.key: peer + server
 *   raftkv certs client --user alice --dir ./certs            # client-alice.crt, .key
 *
 * Issuing again replaces a node's files; a running node picks them up without a restart.
 * Errors are one line on stderr, exit code 2 for bad flags, 78 for certificate problems.
 */
import { Command } from "commander";
import {
  CA_DAYS_DEFAULT, CERT_DAYS_DEFAULT, CertificateError, initCa, issueClient, issueNode,
} from "../app/certs/index.js";

const EXIT_USAGE = 2;
const EXIT_CONFIG = 78;
const NAME = /^[A-Za-z0-9_.-]{1,64}$/;

interface InitFlags { readonly clusterId: string; readonly out: string; readonly days?: string;
  readonly force?: boolean }
interface IssueFlags { readonly id: string; readonly host: string[]; readonly dir: string;
  readonly clusterId?: string; readonly days?: string }
interface ClientFlags { readonly user: string; readonly dir: string; readonly clusterId?: string;
  readonly days?: string }

/** A bad flag value: reported as one line, exit code 2. */
class UsageError extends Error {}

export function registerCertsCommand(program: Command): void {
  const certs = program.command("certs")
    .description("Create the cluster CA and node and client certificates (peer mTLS, client TLS)");
  certs.command("init")
    .description("Create a cluster CA: DIR/ca.crt and DIR/ca.key (keep the key private)")
    .requiredOption("--cluster-id <id>", "the cluster id the CA is for")
    .option("--out <dir>", "directory to write to", "./certs")
    .option("--days <n>", `validity in days (default ${CA_DAYS_DEFAULT})`)
    .option("--force", "replace an existing CA (every certificate must then be reissued)")
    .action(run(async (flags: InitFlags) => {
      const files = await initCa(flags.out, checkedId(flags.clusterId, "--cluster-id", 128),
        { ...days(flags.days), force: flags.force === true });
      say(`Created the CA of cluster ${flags.clusterId}: ${files.cert} (key ${files.key}, 0600)`);
    }));
  certs.command("issue")
    .description("Issue a node certificate DIR/<id>.crt naming the node (peer and server use)")
    .requiredOption("--id <id>", "the node id")
    .option("--host <host>", "a DNS name or IP address clients reach the node at (repeatable)",
      (value: string, all: string[]) => [...all, value], [])
    .option("--dir <dir>", "the CA's directory; the certificate is written there", "./certs")
    .option("--cluster-id <id>", "default: the cluster the CA names")
    .option("--days <n>", `validity in days (default ${CERT_DAYS_DEFAULT})`)
    .action(run(async (flags: IssueFlags) => {
      for (const host of flags.host) checkedHost(host);
      const files = await issueNode(flags.dir, {
        nodeId: checkedId(flags.id, "--id", 64), hosts: flags.host,
        ...(flags.clusterId === undefined ? {} : { clusterId: flags.clusterId }),
      }, days(flags.days));
      say(`Issued ${files.cert} (key ${files.key}, 0600) for node ${flags.id}`);
    }));
  certs.command("client")
    .description("Issue a client certificate DIR/client-<user>.crt naming the user")
    .requiredOption("--user <name>", "the user name (certificate CN)")
    .option("--dir <dir>", "the CA's directory; the certificate is written there", "./certs")
    .option("--cluster-id <id>", "default: the cluster the CA names")
    .option("--days <n>", `validity in days (default ${CERT_DAYS_DEFAULT})`)
    .action(run(async (flags: ClientFlags) => {
      const files = await issueClient(flags.dir, {
        user: checkedId(flags.user, "--user", 64),
        ...(flags.clusterId === undefined ? {} : { clusterId: flags.clusterId }),
      }, days(flags.days));
      say(`Issued ${files.cert} (key ${files.key}, 0600) for user ${flags.user}`);
    }));
}

function run<F>(body: (flags: F) => Promise<void>): (flags: F) => Promise<void> {
  return async (flags) => {
    try {
      await body(flags);
    } catch (error) {
      if (error instanceof UsageError || error instanceof RangeError) {
        fail(error.message, EXIT_USAGE);
      } else if (error instanceof CertificateError) {
        fail(error.message, EXIT_CONFIG);
      } else {
        throw error;
      }
    }
  };
}

function checkedId(value: string, flag: string, lengthMax: number): string {
  const pattern = lengthMax === 64 ? NAME : /^[A-Za-z0-9_.-]{1,128}$/;
  if (!pattern.test(value)) {
    throw new UsageError(`${flag} must be 1-${lengthMax} letters, digits, '_', '.' or '-', ` +
      `got ${JSON.stringify(value)}`);
  }
  return value;
}

function checkedHost(host: string): void {
  if (!/^[A-Za-z0-9.:-]{1,253}$/.test(host)) {
    throw new UsageError(`--host must be a DNS name or an IP address, got ${JSON.stringify(host)}`);
  }
}

function days(text: string | undefined): { days?: number } {
  if (text === undefined) return {};
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < 1 || value > 36_500) {
    throw new UsageError(`--days must be an integer from 1 to 36500, got ${JSON.stringify(text)}`);
  }
  return { days: value };
}

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

function fail(message: string, code: number): void {
  process.stderr.write(`raftkv certs: ${message}\n`);
  process.exitCode = code;
}
