/**
 * `raftkv users hash` and `raftkv users token`: the strings the config file's `users:` and
 * `tokens:` take, so no password or token has to sit in it in plain.
 *
 *   raftkv users hash                      prints $scrypt$ln=14,r=8,p=1$<salt>$<hash>
 *   raftkv users token --user NAME         prints a new bearer token and its tokens: entry
 *
 * `hash` reads the password from standard input (one line), so it stays out of the shell's
 * history and the process list (on a terminal it prompts; pipe it in to avoid the echo).
 */
import type { Command } from "commander";
import { createInterface } from "node:readline";
import { newToken, tokenHashOf } from "../server/auth/client_auth.js";
import { hashPassword } from "../server/auth/password_hash.js";

/** Reads one line from stdin, prompting on a terminal. */
async function readPassword(): Promise<string> {
  const input = process.stdin;
  if (input.isTTY) process.stderr.write("Password: ");
  const lines = createInterface({ input, terminal: false });
  for await (const line of lines) {
    lines.close();
    return line;
  }
  return "";
}

export function registerUsersCommand(program: Command): void {
  const users = program.command("users")
    .description("Make password hashes and bearer tokens for the config file's users");
  users.command("hash")
    .description("Read a password from stdin and print its scrypt hash (for passwordHash:)")
    .action(async () => {
      const password = await readPassword();
      if (password === "") {
        process.stderr.write("No password given on standard input\n");
        process.exitCode = 1;
        return;
      }
      process.stdout.write(`${await hashPassword(password)}\n`);
    });
  users.command("token")
    .description("Print a new bearer token for a user and the tokens: entry to configure")
    .requiredOption("--user <name>", "the configured user the token acts as")
    .action((flags: { user: string }) => {
      const token = newToken();
      process.stdout.write(`token: ${token}\n` +
        `config: tokens: [{ user: ${flags.user}, tokenHash: "${tokenHashOf(token)}" }]\n`);
    });
}
