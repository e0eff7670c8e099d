import { createHmac } from "node:crypto";
import { credentials as grpcCredentials, Metadata, status, type ServiceError } from "@grpc/grpc-js";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuthServiceClient } from "../../src/gen/auth/auth.js";
import { streamRequest } from "../support/stream-request.js";
import { TenantsServiceClient, UserKind, type Event } from "../../src/gen/tenants/tenants.js";
import { runCli } from "../support/cli.js";
import { byMode, figure, SEED } from "./support/mode.js";
import { activeEventIds, identifyingValues, leaks } from "./support/oracle.js";
import {
  reportArgs,
  serveArgs,
  Service,
  sinkRows,
  tenantsArgs,
  workDir,
  writeAuditLog,
  writeCredentials,
  type Credentials,
  type EventRow,
} from "./support/pipeline.js";
import { TcpProxy } from "./support/tcp-proxy.js";

const TLS_FIXTURES = join(import.meta.dirname, "../grpc/fixtures");

function bearer(token: string): Metadata {
  const metadata = new Metadata();
  metadata.set("authorization", `Bearer ${token}`);
  return metadata;
}

function submit(port: number, metadata: Metadata, events: Event[]): Promise<ServiceError | number> {
  const client = new TenantsServiceClient(`127.0.0.1:${port}`, grpcCredentials.createInsecure());
  return new Promise((resolve) =>
    client.submitEvents({ events }, metadata, (err, res) => {
      client.close();
      resolve(err ?? res?.accepted ?? -1);
    }),
  );
}

function stream(port: number, metadata: Metadata): Promise<ServiceError | number> {
  const client = new AuthServiceClient(`127.0.0.1:${port}`, grpcCredentials.createInsecure());
  return new Promise((resolve) => {
    let events = 0;
    const call = client.streamEvents(streamRequest({ cursor: "", untilCaughtUp: true }), metadata);
    call.on("data", () => events++);
    call.on("error", (err: ServiceError) => {
      client.close();
      resolve(err);
    });
    call.on("end", () => {
      client.close();
      resolve(events);
    });
  });
}

const anonymize = (key: string, name: string) => createHmac("sha256", key).update(name).digest("base64");

/**
 * Security across processes: the events server and the tenants service refuse callers without (or with
 * the wrong) credentials, a tenant's token writes only that tenant's rows, nothing identifying reaches
 * the central side (every stored row and every byte the reporter sent are scanned), neither server
 * listens beyond loopback without TLS and authentication, and no secret appears in any process's logs.
 */
describe("security", () => {
  const EVENTS = byMode(4_000, 20_000);
  let dir: string;
  let cleanup: () => Promise<void>;
  let creds: Credentials;
  let lines: string[];
  let serve: Service;
  let tenants: Service;
  let proxy: TcpProxy;
  const reporterStderr: string[] = [];

  beforeAll(async () => {
    ({ dir, cleanup } = await workDir("security"));
    creds = await writeCredentials(dir, ["acme", "globex"]);
    lines = await writeAuditLog(dir, { events: EVENTS, seed: SEED });
    serve = await Service.create(serveArgs(dir, creds), /events server ready/);
    tenants = await Service.create(tenantsArgs(dir, creds), /tenants service ready/);
    await Promise.all([serve.start(), tenants.start()]);
    proxy = await TcpProxy.start(tenants.port);
    for (const tenant of creds.tenants) {
      const result = await runCli(
        reportArgs(dir, creds, tenant, { server: serve.address, tenants: proxy.address }, [
          "--until-caught-up",
          "--log-format",
          "json",
        ]),
      );
      reporterStderr.push(result.stderr);
      expect(result.code, result.stderr).toBe(0);
    }
  }, 300_000);

  afterAll(async () => {
    await proxy?.close();
    await serve?.stop();
    await tenants?.stop();
    await cleanup?.();
  });

  it("the events server says UNAUTHENTICATED without a token and PERMISSION_DENIED to a wrong one", async () => {
    const cases: [Metadata, status][] = [
      [new Metadata(), status.UNAUTHENTICATED],
      [bearer("not-the-token"), status.PERMISSION_DENIED],
      [bearer(creds.tenants[0]?.token ?? ""), status.PERMISSION_DENIED],
    ];
    for (const [metadata, code] of cases) {
      expect(((await stream(serve.port, metadata)) as ServiceError).code).toBe(code);
    }
    expect(await stream(serve.port, bearer(creds.serverToken))).toBe(EVENTS);
  });

  it("the tenants service says UNAUTHENTICATED without a token and PERMISSION_DENIED to a wrong one", async () => {
    const event = sampleEvent("probe-1", "someone");
    const cases: [Metadata, status][] = [
      [new Metadata(), status.UNAUTHENTICATED],
      [bearer("not-a-tenant-token"), status.PERMISSION_DENIED],
      [bearer(creds.serverToken), status.PERMISSION_DENIED],
    ];
    for (const [metadata, code] of cases) {
      expect(((await submit(tenants.port, metadata, [event])) as ServiceError).code).toBe(code);
    }
  });

  it("a tenant's token writes only that tenant's rows, even with another tenant's event ids", async () => {
    const [acme, globex] = creds.tenants;
    if (acme === undefined || globex === undefined) throw new Error("two tenants expected");
    const globexIds = [...activeEventIds(lines)].slice(0, 50);
    const forged = globexIds.map((id) => sampleEvent(id, "forged-user"));
    expect(await submit(tenants.port, bearer(acme.token), forged)).toBe(forged.length);
    expect(await tenants.stop()).toBe(0);
    const rows = await sinkRows(dir);
    await tenants.start();
    const forgedUser = anonymize("other-key", "forged-user");
    const globexRows = rows.filter((r) => r.tenant === "globex");
    expect(globexRows.some((r) => r.user === forgedUser)).toBe(false);
    // Acme's rows of those ids were already stored by its reporter: idempotent, not overwritten.
    expect(rows.filter((r) => r.user === forgedUser)).toEqual([]);
    expect(new Set(globexRows.map((r) => r.id))).toEqual(activeEventIds(lines));
  });

  it("no stored row and no submitted byte holds a raw user name, login, cluster name or address", async () => {
    expect(await tenants.stop()).toBe(0);
    const rows = await sinkRows(dir);
    await tenants.start();
    const values = identifyingValues(lines);
    expect(values.size).toBeGreaterThan(20);
    const fields = new Set(rows.flatMap((r) => [r.user, r.cluster]));
    const stored = rows.map((r) => textFields(r).join("\u0000")).join("\n");
    expect(leaks(values, stored, fields)).toEqual([]);

    const wire = proxy.sent().toString("latin1");
    // The scan can fail: the anonymized form of a user the log names is on the wire.
    const active = activeEventIds(lines);
    const someUser = lines
      .map((l) => JSON.parse(l) as { uid?: string; user?: unknown })
      .find((e) => e.uid !== undefined && active.has(e.uid) && typeof e.user === "string")?.user as string;
    expect(wire).toContain(anonymize(creds.key, someUser));
    expect(leaks(values, wire, new Set(), 6)).toEqual([]);
    figure("security scan", {
      events: EVENTS,
      rows: rows.length,
      identifyingValues: values.size,
      bytesScanned: wire.length,
    });
  });

  it("neither server listens beyond loopback without TLS and authentication", async () => {
    const cert = [
      "--tls-cert",
      join(TLS_FIXTURES, "server.pem"),
      "--tls-key",
      join(TLS_FIXTURES, "server.key"),
    ];
    const refusals = [
      ["serve", "--audit-log", `file:${join(dir, "log")}`, "--listen", "0.0.0.0:0"],
      ["serve", "--audit-log", `file:${join(dir, "log")}`, "--listen", "0.0.0.0:0", ...cert],
      [
        "serve",
        "--audit-log",
        `file:${join(dir, "log")}`,
        "--listen",
        "0.0.0.0:0",
        "--token-file",
        creds.serverTokenFile,
      ],
      [
        "tenants",
        "--sink",
        `duckdb:${join(dir, "other.duckdb")}`,
        "--tenant-tokens",
        creds.tenantTokensFile,
        "--listen",
        "0.0.0.0:0",
      ],
    ];
    for (const args of refusals) {
      const result = await runCli(args);
      expect(result.code, args.join(" ")).toBe(2);
      expect(result.stderr).toMatch(/refusing to listen on 0\.0\.0\.0:0 without (TLS|authentication)/);
    }
  });

  it("no process logs a token or the anonymization key, even at debug level", () => {
    const logs = [serve.stderr(), tenants.stderr(), ...reporterStderr].join("\n");
    expect(logs).toMatch(/"level":20/);
    const secrets = [
      creds.serverToken,
      creds.key,
      ...creds.tenants.map((t) => t.token),
      "not-the-token",
      "not-a-tenant-token",
    ];
    for (const secret of secrets) expect(logs).not.toContain(secret);
    figure("security logs", { bytesScanned: logs.length, secrets: secrets.length });
  });
});

function sampleEvent(id: string, user: string): Event {
  return {
    id,
    time: { seconds: BigInt(Date.parse("2026-07-01T00:00:00Z") / 1000), nanos: 0 },
    type: "session.start",
    user: anonymize("other-key", user),
    userKind: UserKind.USER_KIND_HUMAN,
    protocol: "ssh",
    cluster: anonymize("other-key", "cluster"),
    sessionKind: "",
  };
}

function textFields(row: EventRow): string[] {
  return [row.tenant, row.id, row.type, row.user, row.protocol, row.cluster, row.session_kind];
}
