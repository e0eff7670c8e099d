import { Server, ServerCredentials, status } from "@grpc/grpc-js";
import {
  SubmitEventsRequest,
  TenantsServiceService,
  type Event,
  type TenantsServiceServer,
  type UsageReport,
} from "../../../src/gen/tenants/tenants.js";

/**
 * A TenantsService stand-in on a real loopback socket, until the real service exists: checks the bearer
 * token, stores events by id (so re-sent events count once), and can be told to fail the next calls.
 */
export class StubTenantsService {
  readonly stored = new Map<string, Event>();
  readonly usageReports: UsageReport[] = [];
  /** Every SubmitEvents request as it arrived on the wire. */
  readonly requestBytes: Buffer[] = [];
  /** Status codes for the next SubmitEvents calls, in order. */
  readonly failNext: status[] = [];
  calls = 0;
  #server: Server | undefined;

  constructor(private readonly token: string) {}

  async start(): Promise<number> {
    const server = new Server();
    const impl: TenantsServiceServer = {
      submitEvents: (call, callback) => {
        this.calls++;
        if (call.metadata.get("authorization")[0] !== `Bearer ${this.token}`) {
          callback({
            code: status.PERMISSION_DENIED,
            details: "the bearer token is not valid",
          });
          return;
        }
        this.requestBytes.push(Buffer.from(SubmitEventsRequest.encode(call.request).finish()));
        const failure = this.failNext.shift();
        if (failure !== undefined) {
          callback({ code: failure, details: "injected failure" });
          return;
        }
        for (const event of call.request.events) this.stored.set(event.id, event);
        callback(null, { accepted: call.request.events.length });
      },
      submitUsageReports: (call, callback) => {
        this.usageReports.push(...call.request.reports);
        callback(null, { accepted: call.request.reports.length });
      },
    };
    server.addService(TenantsServiceService, impl);
    this.#server = server;
    return new Promise((resolve, reject) =>
      server.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (err, port) =>
        err ? reject(err) : resolve(port),
      ),
    );
  }

  stop(): void {
    this.#server?.forceShutdown();
  }
}
