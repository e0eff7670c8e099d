/**
 * MAU per month, user kind and protocol, computed straight from Teleport event JSON by the product
 * design's rule ("Who is active"), deliberately without the product's codec, rule code or sinks: an
 * independent oracle for end-to-end tests of what the pipeline reports.
 */

/** The same shape as the usage queries' MauRow, without the tenant. `protocol` null: all protocols. */
export interface ExpectedMauRow {
  /** "YYYY-MM", UTC. */
  readonly month: string;
  readonly user_kind: "human" | "bot";
  readonly protocol: string | null;
  readonly mau: number;
}

const USERLESS_TYPES = new Set([
  "app.session.request",
  "cert.create",
  "desktop.recording",
  "print",
  "session.upload",
  "session.connect",
  "unknown",
]);

const PROTOCOL_ORDER = ["ssh", "kube", "db", "app", "desktop"];

type JsonObject = Record<string, unknown>;

function protocolOf(event: JsonObject): string | null {
  switch (event["event"]) {
    case "session.start": {
      const cluster = event["kubernetes_cluster"];
      return typeof cluster === "string" && cluster !== "" ? "kube" : "ssh";
    }
    case "port":
      return event["proto"] === "kube" ? "kube" : "ssh";
    case "kube.request":
      return "kube";
    case "sftp":
      return "ssh";
    case "db.session.start":
      return "db";
    case "app.session.start":
      return "app";
    case "windows.desktop.session.start":
      return "desktop";
    default:
      return null;
  }
}

/** "YYYY-MM" (UTC) of an RFC 3339 time, or undefined when it is not one. */
function monthOfTime(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  const match = /^(\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2})(?:\.(\d+))?([Zz]|[+-]\d{2}:\d{2})$/.exec(value);
  if (match === null) return undefined;
  const fraction = (match[2] ?? "").slice(0, 3);
  const ms = Date.parse(`${match[1]}${fraction === "" ? "" : `.${fraction}`}${match[3]}`);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString().slice(0, 7);
}

/** Accumulates events one at a time (for streams too large to hold); `rows()` gives the counts. */
export class MauCounter {
  /** month → kind → protocol ("" for all) → users */
  private readonly users = new Map<string, Map<"human" | "bot", Map<string, Set<string>>>>();

  /** Adds one event: a JSON text or an already parsed object. */
  add(event: string | JsonObject): void {
    const object = typeof event === "string" ? (JSON.parse(event) as JsonObject) : event;
    const type = object["event"];
    const user = object["user"];
    if (typeof user !== "string" || user === "" || (typeof type === "string" && USERLESS_TYPES.has(type)))
      return;
    if (object["success"] === false) return;
    const code = typeof object["code"] === "string" ? object["code"] : "";
    if (code.endsWith("W") || code.endsWith("E")) return;
    const month = monthOfTime(object["time"]);
    if (month === undefined) return;
    const kind = object["user_kind"] === 2 || user.startsWith("bot-") ? "bot" : "human";
    let kinds = this.users.get(month);
    if (kinds === undefined)
      this.users.set(month, (kinds = new Map<"human" | "bot", Map<string, Set<string>>>()));
    let protocols = kinds.get(kind);
    if (protocols === undefined) kinds.set(kind, (protocols = new Map<string, Set<string>>()));
    for (const protocol of ["", protocolOf(object) ?? ""]) {
      let set = protocols.get(protocol);
      if (set === undefined) protocols.set(protocol, (set = new Set<string>()));
      set.add(user);
    }
  }

  /**
   * Groups with at least one active user, ordered by month, kind (human first), then protocol (all
   * first, then ssh, kube, db, app, desktop).
   */
  rows(): ExpectedMauRow[] {
    const out: ExpectedMauRow[] = [];
    for (const month of [...this.users.keys()].sort()) {
      const kinds = this.users.get(month) as Map<"human" | "bot", Map<string, Set<string>>>;
      for (const kind of ["human", "bot"] as const) {
        const protocols = kinds.get(kind);
        if (protocols === undefined) continue;
        for (const protocol of ["", ...PROTOCOL_ORDER]) {
          const set = protocols.get(protocol);
          if (set !== undefined) {
            out.push({ month, user_kind: kind, protocol: protocol === "" ? null : protocol, mau: set.size });
          }
        }
      }
    }
    return out;
  }
}

/** MAU rows for a set of Teleport events (JSON texts or parsed objects). */
export function expectedMau(events: Iterable<string | JsonObject>): ExpectedMauRow[] {
  const counter = new MauCounter();
  for (const event of events) counter.add(event);
  return counter.rows();
}
