import { Server, ServerCredentials, status, type Metadata, type ServiceError } from "@grpc/grpc-js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  InvalidArgumentError,
  PermissionDeniedError,
  ResourceExhaustedError,
  UnavailableError,
} from "../../../src/errors/errors.js";
import {
  TenantsServiceService,
  UserKind,
  type Event,
  type SubmitEventsRequest,
  type SubmitUsageReportsRequest,
  type TenantsServiceServer,
} from "../../../src/gen/tenants/tenants.js";
import {
  createGrpcSubmitter,
  submitterChannelOptions,
  type GrpcSubmitter,
} from "../../../src/reporter/submitter/grpc-submitter.js";
import { newRegistry } from "../../../src/observability/metrics.js";

/** What the stub server does with the next call: answer, fail with a status, or never answer. */
type Behaviour = { kind: "ok" } | { kind: "fail"; code: status; details: string } | { kind: "hang" };

const event: Event = {
  id: "35d42e7f-a4f0-46e7-8ddc-dfa63a275129",
  time: { seconds: 1_788_249_492n, nanos: 481_000_000 },
  type: "user.login",
  user: "ar7mM4IXBXuvpiTWrz/R46WyZpJvHAvt4Sy/0AO/0/s=",
  userKind: UserKind.USER_KIND_HUMAN,
  protocol: "",
  cluster: "dMqWD+41xmUr6kp0dYp8/nAhbu3Vwu/QQKbgUhHMEAo=",
  sessionKind: "",
};

let server: Server;
let port: number;
let behaviour: Behaviour;
const received: { request: SubmitEventsRequest | SubmitUsageReportsRequest; metadata: Metadata }[] = [];
let cancelled = 0;

function respond<R>(
  call: { metadata: Metadata; on(e: "cancelled", l: () => void): unknown },
  callback: (e: Partial<ServiceError> | null, r?: R) => void,
  ok: R,
): void {
  if (behaviour.kind === "ok") callback(null, ok);
  else if (behaviour.kind === "fail") callback({ code: behaviour.code, details: behaviour.details });
  else call.on("cancelled", () => cancelled++);
}

beforeEach(async () => {
  behaviour = { kind: "ok" };
  received.length = 0;
  cancelled = 0;
  const impl: TenantsServiceServer = {
    submitEvents: (call, callback) => {
      received.push({ request: call.request, metadata: call.metadata });
      respond(call, callback, { accepted: call.request.events.length });
    },
    submitUsageReports: (call, callback) => {
      received.push({ request: call.request, metadata: call.metadata });
      respond(call, callback, { accepted: call.request.reports.length });
    },
  };
  server = new Server();
  server.addService(TenantsServiceService, impl);
  port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
});

let submitter: GrpcSubmitter | undefined;
afterEach(() => {
  submitter?.close();
  server.forceShutdown();
});

async function connect(options: { token?: string; callTimeout?: number } = {}): Promise<GrpcSubmitter> {
  submitter = await createGrpcSubmitter(`127.0.0.1:${port}`, options);
  return submitter;
}

describe("GrpcSubmitter over loopback", () => {
  it("submits events with the bearer token and resolves with the acknowledgement", async () => {
    const s = await connect({ token: "tenant-a-token" });
    await expect(s.submitEvents([event, { ...event, id: "2" }])).resolves.toEqual({ accepted: 2 });
    expect(received).toHaveLength(1);
    expect((received[0]?.request as SubmitEventsRequest).events).toEqual([event, { ...event, id: "2" }]);
    expect(received[0]?.metadata.get("authorization")).toEqual(["Bearer tenant-a-token"]);
  });

  it("submits usage reports", async () => {
    const s = await connect();
    const report = {
      time: { seconds: 1_788_249_492n, nanos: 0 },
      cluster: event.cluster,
      users: 12n,
      servers: 40n,
      databases: 3n,
      apps: 2n,
      kubeClusters: 1n,
      desktops: 5n,
      roles: 9n,
      authConnectors: 2n,
    };
    await expect(s.submitUsageReports([report])).resolves.toEqual({ accepted: 1 });
    expect((received[0]?.request as SubmitUsageReportsRequest).reports).toEqual([report]);
    expect(received[0]?.metadata.get("authorization")).toEqual([]);
  });

  it.each([
    [status.UNAVAILABLE, UnavailableError],
    [status.ABORTED, UnavailableError],
    [status.RESOURCE_EXHAUSTED, ResourceExhaustedError],
    [status.INVALID_ARGUMENT, InvalidArgumentError],
    [status.PERMISSION_DENIED, PermissionDeniedError],
  ])("turns status %i into a domain error keeping the server's message", async (code, type) => {
    behaviour = { kind: "fail", code, details: "the server says why" };
    const s = await connect();
    const submit = s.submitEvents([event]);
    await expect(submit).rejects.toBeInstanceOf(type);
    await expect(s.submitEvents([event])).rejects.toThrow("the server says why");
  });

  it("gives up at the call deadline as unavailable", async () => {
    behaviour = { kind: "hang" };
    const s = await connect({ callTimeout: 200 });
    await expect(s.submitEvents([event])).rejects.toBeInstanceOf(UnavailableError);
  });

  it("cancels the call when the signal aborts, rejecting with its reason", async () => {
    behaviour = { kind: "hang" };
    const s = await connect();
    const controller = new AbortController();
    const submit = s.submitEvents([event], { signal: controller.signal });
    while (received.length === 0) await new Promise((r) => setTimeout(r, 5));
    controller.abort(new Error("shutting down"));
    await expect(submit).rejects.toThrow("shutting down");
    while (cancelled === 0) await new Promise((r) => setTimeout(r, 5));
    expect(cancelled).toBe(1);
  });

  it("does not call when the signal has already aborted", async () => {
    const s = await connect();
    await expect(
      s.submitEvents([event], { signal: AbortSignal.abort(new Error("stopped")) }),
    ).rejects.toThrow("stopped");
    expect(received).toHaveLength(0);
  });
});

describe("the submitter's channel", () => {
  it("pings a quiet connection as the events client does, unless the caller says otherwise", () => {
    expect(submitterChannelOptions({})).toEqual({
      "grpc.keepalive_time_ms": 60_000,
      "grpc.keepalive_timeout_ms": 20_000,
    });
    const options = submitterChannelOptions({
      registry: newRegistry(),
      channelOptions: { "grpc.keepalive_time_ms": 5_000 },
    });
    expect(options["grpc.keepalive_time_ms"]).toBe(5_000);
    expect(options["grpc.keepalive_timeout_ms"]).toBe(20_000);
    expect(options.interceptors).toHaveLength(1);
  });
});
