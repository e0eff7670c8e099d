import { Metadata, status as Status, type ServiceError } from "@grpc/grpc-js";
import { afterEach, describe, expect, it } from "vitest";
import { AuthServiceService, type StreamEvent } from "../../src/gen/auth/auth.js";
import { TenantsServiceService } from "../../src/gen/tenants/tenants.js";
import { GrpcServer } from "../../src/grpc/grpc-server.js";
import { UNSENDABLE_STATUS_DETAILS } from "../../src/grpc/status-interceptor.js";
import { rawClient, rawServerStream, rawUnary } from "./raw-calls.js";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const LONE = "bad \ud800 and \udfff";

/** Metadata grpc-js cannot copy, so sending a status that carries it throws. */
class UncopyableMetadata extends Metadata {
  override clone(): Metadata {
    throw new Error("cannot copy this metadata");
  }
}

interface Behaviour {
  /** What the streaming handler does with its call. */
  stream: (call: { write(m: StreamEvent): boolean; emit(event: "error", s: unknown): boolean }) => void;
  /** What the unary handler answers. */
  unary: (callback: (status: Partial<ServiceError>) => void) => void;
}

/** A GrpcServer whose handlers send statuses chosen by the test, bypassing the product's mapping. */
async function serverWith(behaviour: Behaviour): Promise<{ server: GrpcServer; port: number }> {
  const server = new GrpcServer({
    listen: "127.0.0.1:0",
    authenticated: false,
  });
  server.addService(AuthServiceService, { streamEvents: behaviour.stream as never });
  server.addService(TenantsServiceService, {
    submitEvents: ((_call: unknown, callback: (s: Partial<ServiceError>) => void) =>
      behaviour.unary(callback)) as never,
    submitUsageReports: (() => undefined) as never,
  });
  const port = await server.start();
  cleanups.push(() => server.shutdown(500));
  return { server, port };
}

function client(port: number) {
  const c = rawClient(port);
  cleanups.push(() => c.close());
  return c;
}

const STREAM = "/auth.AuthService/StreamEvents";
const UNARY = "/tenants.TenantsService/SubmitEvents";
const event: StreamEvent = { event: undefined, cursor: "c" };

describe("every status a handler sends reaches the client", () => {
  it.each([
    ["a unary answer", "unary"],
    ["a stream ended before any message", "stream-first"],
    ["a stream ended after a message (trailers)", "stream-after"],
  ])("%s with lone surrogates arrives with U+FFFD in their place", async (_name, path) => {
    const { port } = await serverWith({
      stream: (call) => {
        if (path === "stream-after") call.write(event);
        call.emit("error", { code: Status.INVALID_ARGUMENT, details: LONE });
      },
      unary: (callback) => callback({ code: Status.INVALID_ARGUMENT, details: LONE }),
    });
    const c = client(port);
    const outcome =
      path === "unary"
        ? await rawUnary(c, UNARY, Buffer.alloc(0), { deadlineMs: 5000 })
        : await rawServerStream(c, STREAM, Buffer.alloc(0), { deadlineMs: 5000 });

    expect(outcome.code).toBe(Status.INVALID_ARGUMENT);
    expect(outcome.details).toBe("bad \ufffd and \ufffd");
    expect(outcome.messages).toHaveLength(path === "stream-after" ? 1 : 0);
  });

  it("cuts very long details to a size clients accept", async () => {
    const { port } = await serverWith({
      stream: () => undefined,
      unary: (callback) => callback({ code: Status.FAILED_PRECONDITION, details: "ü".repeat(100_000) }),
    });
    const outcome = await rawUnary(client(port), UNARY, Buffer.alloc(0), { deadlineMs: 5000 });

    expect(outcome.code).toBe(Status.FAILED_PRECONDITION);
    expect(outcome.details).toMatch(/^ü+…$/);
    expect(outcome.details.length).toBeLessThan(1000);
  });

  it("ends the call with its code and a plain message when the status cannot be sent as chosen", async () => {
    const { port } = await serverWith({
      stream: (call) =>
        call.emit("error", { code: Status.DATA_LOSS, details: "x", metadata: new UncopyableMetadata() }),
      unary: (callback) =>
        callback({ code: Status.UNAVAILABLE, details: "x", metadata: new UncopyableMetadata() }),
    });
    const c = client(port);

    const unary = await rawUnary(c, UNARY, Buffer.alloc(0), { deadlineMs: 5000 });
    const stream = await rawServerStream(c, STREAM, Buffer.alloc(0), { deadlineMs: 5000 });

    expect(unary).toMatchObject({ code: Status.UNAVAILABLE, details: UNSENDABLE_STATUS_DETAILS });
    expect(stream).toMatchObject({ code: Status.DATA_LOSS, details: UNSENDABLE_STATUS_DETAILS });
  });
});
