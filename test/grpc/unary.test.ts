import { credentials, status as Status, type ServiceError } from "@grpc/grpc-js";
import { afterEach, describe, expect, it } from "vitest";
import { ResourceExhaustedError } from "../../src/errors/errors.js";
import {
  TenantsServiceClient,
  TenantsServiceService,
  type SubmitEventsRequest,
  type SubmitEventsResponse,
} from "../../src/gen/tenants/tenants.js";
import { GrpcServer } from "../../src/grpc/grpc-server.js";
import { unaryHandler } from "../../src/grpc/unary.js";
import { silentLogger } from "../../src/observability/logger.js";

import { eventually } from "../support/eventually.js";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A TenantsService whose SubmitEvents runs `submit`; the generic server parts are what is under test. */
async function serve(submit: (request: SubmitEventsRequest) => Promise<SubmitEventsResponse>) {
  const server = new GrpcServer({
    listen: "127.0.0.1:0",
    authenticated: false,
  });
  server.addService(TenantsServiceService, {
    submitEvents: unaryHandler<SubmitEventsRequest, SubmitEventsResponse>(
      (call) => submit(call.request),
      silentLogger,
    ),
    submitUsageReports: unaryHandler(() => Promise.resolve({}), silentLogger),
  });
  const port = await server.start();
  cleanups.push(() => server.shutdown(1000));
  const client = new TenantsServiceClient(`127.0.0.1:${port}`, credentials.createInsecure());
  cleanups.push(() => client.close());
  const call = () =>
    new Promise<SubmitEventsResponse | ServiceError>((resolve) =>
      client.submitEvents({ events: [] }, (err, res) => resolve(err ?? res)),
    );
  return { server, call };
}

function gate(): { opened: Promise<void>; open: () => void } {
  let open = () => {};
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

describe("unary handlers on GrpcServer", () => {
  it("answers with the handler's result", async () => {
    const { call } = await serve(() => Promise.resolve({ accepted: 3 }));
    expect(await call()).toEqual({ accepted: 3 });
  });

  it("maps a domain error to its status and anything else to a generic INTERNAL", async () => {
    let failure: Error = new ResourceExhaustedError("batch of 20000 events is over the 10000 limit");
    const { call } = await serve(() => Promise.reject(failure));

    const exhausted = (await call()) as ServiceError;
    failure = new Error("disk full at /var/lib/sink");
    const internal = (await call()) as ServiceError;

    expect(exhausted.code).toBe(Status.RESOURCE_EXHAUSTED);
    expect(exhausted.details).toBe("batch of 20000 events is over the 10000 limit");
    expect(internal.code).toBe(Status.INTERNAL);
    expect(internal.details).not.toContain("disk");
  });

  it("lets an in-flight call finish during a graceful shutdown, and refuses new ones", async () => {
    const held = gate();
    let started = 0;
    const { server, call } = await serve(async () => {
      started += 1;
      await held.opened;
      return { accepted: 1 };
    });
    const inFlight = call();
    await eventually(() => started === 1, "the call to reach the handler");

    const stopping = server.shutdown(10_000);
    const late = await call();
    held.open();

    expect(await inFlight).toEqual({ accepted: 1 });
    expect((late as ServiceError).code).toBe(Status.UNAVAILABLE);
    await stopping;
    expect(started).toBe(1);
  });

  it("forces calls still running when the grace period is over", async () => {
    const held = gate();
    let started = 0;
    const { server, call } = await serve(async () => {
      started += 1;
      await held.opened;
      return { accepted: 1 };
    });
    const inFlight = call();
    await eventually(() => started === 1, "the call to reach the handler");

    await server.shutdown(50);

    const outcome = (await inFlight) as ServiceError;
    expect([Status.UNAVAILABLE, Status.CANCELLED]).toContain(outcome.code);
    held.open();
  });
});
