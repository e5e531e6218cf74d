/**
 * The `raftkv` command. Each capability is a subcommand in its own file; this file only wires
 * them together.
 */
import { Command } from "commander";
import { registerBenchCommand } from "./bench_command.js";
import { registerCertsCommand } from "./certs_command.js";
import { registerCheckCommand } from "./check_command.js";
import { registerClusterCommand } from "./cluster_command.js";
import { registerKvCommands } from "./kv_commands.js";
import { registerMaelstromCommand } from "./maelstrom_command.js";
import { registerMemberCommand } from "./member_command.js";
import { registerNodeCommand } from "./node_command.js";
import { registerSimCommand } from "./sim_command.js";
import { registerSnapshotCommand } from "./snapshot_command.js";
import { registerStatusCommand } from "./status_command.js";
import { registerTransferCommand } from "./transfer_command.js";
import { registerUsersCommand } from "./users_command.js";
import { packageVersion } from "./version.js";

export async function main(argv: readonly string[]): Promise<void> {
  const program = new Command("raftkv")
    .description("Raft consensus for Node.js, and a strongly consistent replicated key-value store")
    .version(packageVersion(), "-V, --version", "print the raftkv version")
    .showHelpAfterError();
  // Subcommands register here, one line each.
  registerBenchCommand(program);
  registerCertsCommand(program);
  registerCheckCommand(program);
  registerClusterCommand(program);
  registerKvCommands(program);
  registerMaelstromCommand(program);
  registerMemberCommand(program);
  registerNodeCommand(program);
  registerSimCommand(program);
  registerSnapshotCommand(program);
  registerStatusCommand(program);
  registerTransferCommand(program);
  registerUsersCommand(program);
  await program.parseAsync(argv);
}
