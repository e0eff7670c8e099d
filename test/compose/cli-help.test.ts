import { describe, expect, it } from "vitest";
import { parseCommandLine, parseHelpOptions } from "./cli-help.js";

// Shaped like commander's output, wrapping included.
const HELP = `Usage: tenant-events serve [options]

events server

Options:
  --listen <host:port>          address to listen on (default:
                                "127.0.0.1:50051", env: TENANT_EVENTS_LISTEN)
  --token-file <file>           bearer token clients must present (or
                                TENANT_EVENTS_TOKEN) (env:
                                TENANT_EVENTS_TOKEN_FILE)
  --follow                      keep streaming (default: false, env:
                                TENANT_EVENTS_FOLLOW)
  -h, --help                    display help for command
`;

describe("parseHelpOptions", () => {
  const options = parseHelpOptions("serve", HELP);

  it("reads each option's value, variable and secret variable across wrapped lines", () => {
    expect([...options.values()]).toEqual([
      { flag: "--listen", takesValue: true, env: "TENANT_EVENTS_LISTEN", secretEnv: undefined },
      {
        flag: "--token-file",
        takesValue: true,
        env: "TENANT_EVENTS_TOKEN_FILE",
        secretEnv: "TENANT_EVENTS_TOKEN",
      },
      { flag: "--follow", takesValue: false, env: "TENANT_EVENTS_FOLLOW", secretEnv: undefined },
      { flag: "--help", takesValue: false, env: undefined, secretEnv: undefined },
    ]);
  });

  it("refuses the program's help printed for an unknown command", () => {
    expect(() => parseHelpOptions("demo", "Usage: tenant-events [options] [command]\n")).toThrow(
      /"demo" is not a tenant-events command/,
    );
  });

  it.each([
    [
      ["--listen", "0.0.0.0:1", "--follow"],
      [
        { flag: "--listen", value: "0.0.0.0:1" },
        { flag: "--follow", value: undefined },
      ],
    ],
    [["--listen=0.0.0.0:1"], [{ flag: "--listen", value: "0.0.0.0:1" }]],
  ])("splits %j into flags", (args, flags) => {
    expect(parseCommandLine(args, options)).toEqual(flags);
  });

  it.each([
    [["--listn", "x"], /unknown option --listn/],
    [["--listen"], /--listen needs a value/],
    [["--listen", "--follow"], /--listen needs a value/],
    [["--follow=true"], /--follow is a switch/],
    [["serve"], /positional argument "serve"/],
  ])("refuses %j", (args, message) => {
    expect(() => parseCommandLine(args, options)).toThrow(message);
  });
});
