import { Command } from "commander";
import { demoCommand } from "./commands/demo.js";
import { generateCommand } from "./commands/generate.js";
import { hashTokenCommand } from "./commands/hash-token.js";
import { ingestCommand } from "./commands/ingest.js";
import { mauCommand } from "./commands/mau.js";
import { reportCommand } from "./commands/report.js";
import { serveCommand } from "./commands/serve.js";
import { streamCommand } from "./commands/stream.js";
import { tenantsCommand } from "./commands/tenants.js";
import { VERSION } from "./version.js";

/**
 * The program: its commands in the order help lists them. Each command declares its own flags beside
 * its run function (src/cli/commands/), with the shared ones from shared-flags.ts.
 */
export function buildProgram(): Command {
  const program = new Command("tenant-events")
    .description(
      "Monthly active users per protocol from Teleport audit events, anonymized before they leave the tenant.",
    )
    .version(VERSION)
    .exitOverride()
    .showHelpAfterError("(run with --help for usage)")
    .configureHelp({ showGlobalOptions: true });
  for (const command of [
    serveCommand(),
    streamCommand(),
    ingestCommand(),
    reportCommand(),
    tenantsCommand(),
    hashTokenCommand(),
    mauCommand(),
    generateCommand(),
    demoCommand(),
  ])
    program.addCommand(command);
  return program;
}
