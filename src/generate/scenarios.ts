import type { Prng } from "./prng.js";
import type { Actor } from "./population.js";
import type { Cluster, KubeCluster } from "./estate.js";
import { ephemeralPort } from "./addresses.js";
import { HOUR_MS, MINUTE_MS } from "./calendar.js";
import { fitTimes, spread } from "./timeline.js";
import {
  ACCESS_REASONS,
  DB_QUERIES,
  DB_USERS,
  KUBE_COMMANDS,
  KUBE_RESOURCES,
  PLUGINS,
  ROLES,
  SHELL_COMMANDS,
  WRAPPED_TYPES,
} from "./names.js";
import {
  accessRequestCreate,
  appSessionRequest,
  appSessionStart,
  certificateCreate,
  databaseSessionQuery,
  databaseSessionStart,
  desktopRecording,
  desktopSessionStart,
  exec,
  kubeRequest,
  type Meta,
  pluginSync,
  portForward,
  SESSION_UPLOAD_INDEX,
  sessionConnect,
  sessionEnd,
  sessionPrint,
  type SessionParams,
  sessionStart,
  type SessionTarget,
  sessionUpload,
  type TeleportEvent,
  unknownWrapper,
  userLogin,
} from "./teleport-events.js";

/**
 * Scenarios: what one user does in one sitting (an SSH session, a burst of kubectl calls, a login), as
 * a fixed number of Teleport events with their times. Each scenario produces exactly the number of
 * events it is asked for (at least its minimum), so a run has exactly the requested count.
 */

export interface TimedEvent {
  readonly time: number;
  readonly event: TeleportEvent;
}

export interface ScenarioContext {
  readonly prng: Prng;
  readonly actor: Actor;
  readonly cluster: Cluster;
  readonly start: number;
  /** No event may be later than this (the end of the generated range). */
  readonly limit: number;
  /** Exactly this many events. */
  readonly size: number;
  /** Sessions last at least this long (to cross midnight at a month's end). */
  readonly minDuration: number;
}

export type ScenarioName =
  | "ssh-session"
  | "kube-session"
  | "kube-requests"
  | "ssh-port"
  | "kube-port"
  | "db-session"
  | "app-session"
  | "desktop-session"
  | "login"
  | "access-request"
  | "plugin-sync"
  | "unknown-wrapper"
  | "bot-ssh"
  | "bot-kube-requests"
  | "bot-kube-session"
  | "bot-cert";

export interface Scenario {
  readonly name: ScenarioName;
  readonly actor: "human" | "bot";
  /** Relative frequency among the scenarios of its actor kind. */
  readonly weight: number;
  /** Fewest events it can be told to produce. */
  readonly min: number;
  /** The size it has when nothing limits it. */
  naturalSize(prng: Prng): number;
  build(context: ScenarioContext): TimedEvent[];
}

const meta = (context: ScenarioContext, time: number, ei = 0, withUid = true): Meta => ({
  ei,
  uid: withUid ? context.prng.uuid() : undefined,
  time,
  cluster: context.cluster.name,
});

function remote(context: ScenarioContext): string {
  return `${context.actor.ip}:${ephemeralPort(context.prng)}`;
}

function kubeTarget(prng: Prng, kube: KubeCluster): Extract<SessionTarget, { kind: "kube" }> {
  const workload = prng.pick(kube.workloads);
  return {
    kind: "kube",
    kube,
    workload,
    pod: `${workload.deployment}-${prng.hex(9)}-${prng.hex(5)}`,
    node: prng.pick(kube.nodes),
    container: workload.deployment,
  };
}

/**
 * A session on a node or in a pod: [session.connect] session.start, inner events (an exec, then output
 * chunks), session.end, [session.upload]. Smallest form: start and end.
 */
function session(context: ScenarioContext, target: SessionTarget, interactive: boolean): TimedEvent[] {
  const { prng, actor, size } = context;
  const withUpload = size >= 3;
  const withConnect = target.kind === "ssh" && target.server.openssh && size >= 4;
  const inner = size - 2 - (withUpload ? 1 : 0) - (withConnect ? 1 : 0);
  const withExec = !interactive || target.kind === "kube" ? inner >= 1 : false;
  const command = interactive
    ? target.kind === "ssh"
      ? ""
      : prng.pick(["/bin/sh", "/bin/bash"])
    : target.kind === "ssh"
      ? prng.pick(SHELL_COMMANDS)
      : prng.pick(KUBE_COMMANDS);
  const params: SessionParams = {
    actor,
    sid: prng.uuid(),
    target,
    remote: remote(context),
    command,
    interactive,
  };
  const natural = interactive
    ? prng.logUniform(2 * MINUTE_MS, 3 * HOUR_MS)
    : prng.logUniform(2_000, 5 * MINUTE_MS);
  const duration = Math.max(natural, context.minDuration);
  const lead = withConnect ? prng.between(150, 600) : 0;

  const offsets: number[] = [];
  if (withConnect) offsets.push(0);
  offsets.push(lead);
  offsets.push(...spread(() => prng.float(), inner, lead + 1, lead + duration));
  offsets.push(lead + duration);
  if (withUpload) offsets.push(lead + duration + prng.between(500, 3_000));
  const times = fitTimes(context.start, context.limit, offsets);
  const at = (i: number): number => times[i] as number;

  const out: TimedEvent[] = [];
  let i = 0;
  if (withConnect && target.kind === "ssh") {
    const proxy = `10.0.0.${prng.between(2, 250)}:${ephemeralPort(prng)}`;
    out.push({ time: at(i), event: sessionConnect(meta(context, at(i)), target.server, proxy) });
    i += 1;
  }
  const startedAt = at(i);
  out.push({ time: startedAt, event: sessionStart(meta(context, startedAt), params) });
  i += 1;
  let ei = 0;
  let chunk = 0;
  let bytesSoFar = 0;
  for (let k = 0; k < inner; k += 1, i += 1) {
    ei += prng.between(1, 4);
    if (k === 0 && withExec) {
      const exitCode = prng.chance(0.08) ? 1 : 0;
      out.push({ time: at(i), event: exec(meta(context, at(i), ei), params, exitCode) });
      continue;
    }
    const bytes = prng.between(16, 4096);
    const print = sessionPrint(meta(context, at(i), ei, false), {
      ci: chunk,
      bytes,
      ms: at(i) - startedAt,
      offset: bytesSoFar,
    });
    out.push({ time: at(i), event: print });
    chunk += 1;
    bytesSoFar += bytes;
  }
  ei += prng.between(1, 40);
  out.push({ time: at(i), event: sessionEnd(meta(context, at(i), ei), params, startedAt) });
  i += 1;
  if (withUpload) {
    const upload = sessionUpload(
      meta(context, at(i), SESSION_UPLOAD_INDEX),
      params.sid,
      context.cluster.recordingsBucket,
    );
    out.push({ time: at(i), event: upload });
  }
  return out;
}

function sshTarget(context: ScenarioContext): SessionTarget {
  return { kind: "ssh", server: context.prng.pick(context.cluster.servers), login: context.actor.login };
}

function kubeRequests(context: ScenarioContext): TimedEvent[] {
  const { prng, actor, cluster, size } = context;
  const kube = prng.pick(cluster.kube);
  const from = remote(context);
  const offsets = spread(() => prng.float(), size, 0, Math.min(size * 20_000, 10 * MINUTE_MS));
  offsets[0] = 0;
  const times = fitTimes(context.start, context.limit, offsets);
  return times.map((time) => {
    const resource = prng.pick(KUBE_RESOURCES);
    const namespace = prng.pick(kube.workloads).namespace;
    const verb = prng.chance(0.8) ? "GET" : prng.pick(["LIST", "WATCH", "PATCH", "DELETE", "POST"]);
    const event = kubeRequest(meta(context, time), {
      actor,
      kube,
      remote: from,
      path: resource.path.replace("{ns}", namespace),
      verb,
      apiGroup: resource.group,
      namespace,
      resourceKind: resource.kind,
      responseCode: prng.chance(0.95) ? 200 : prng.pick([403, 404]),
      sid: prng.uuid(),
    });
    return { time, event };
  });
}

function portScenario(context: ScenarioContext, kind: "ssh" | "kube"): TimedEvent[] {
  const { prng, actor } = context;
  const gap = prng.between(1_000, 60_000);
  const times = fitTimes(
    context.start,
    context.limit,
    Array.from({ length: context.size }, (_, i) => i * gap),
  );
  const target = kind === "ssh" ? sshTarget(context) : kubeTarget(prng, prng.pick(context.cluster.kube));
  const from = remote(context);
  return times.map((time) => {
    const failed = prng.chance(0.06);
    const error =
      kind === "ssh"
        ? "ssh: rejected: administratively prohibited (port forwarding is disabled)"
        : "error upgrading connection: unable to upgrade connection: pod not found";
    const addr =
      kind === "ssh"
        ? `10.3.0.${prng.between(2, 250)}:${prng.pick([5432, 6379, 8080, 9200])}`
        : String(prng.pick([8080, 3000, 9090]));
    return {
      time,
      event: portForward(meta(context, time), {
        actor,
        target,
        remote: from,
        addr,
        error: failed ? error : undefined,
      }),
    };
  });
}

/** db.session.start then queries; a denied start (TDB00W) is followed by a successful retry. */
function databaseSession(context: ScenarioContext): TimedEvent[] {
  const { prng, actor, size } = context;
  const db = prng.pick(context.cluster.databases);
  const failedFirst = prng.chance(0.08);
  const offsets = [0];
  if (failedFirst && size > 1) offsets.push(prng.between(5_000, 60_000));
  const queryFrom = (offsets[offsets.length - 1] as number) + 500;
  const queries = size - offsets.length;
  offsets.push(
    ...spread(() => prng.float(), queries, queryFrom, queryFrom + prng.logUniform(MINUTE_MS, HOUR_MS)),
  );
  const times = fitTimes(context.start, context.limit, offsets);
  const from = remote(context);
  const base = { actor, db, dbName: prng.pick(db.names), remote: from };
  const denied = `access to db denied. User does not have permissions. Confirm database user and name.`;
  const out: TimedEvent[] = [];
  let params = { ...base, sid: prng.uuid(), dbUser: prng.pick(DB_USERS) };
  let ei = 0;
  for (const [i, time] of times.entries()) {
    const startsHere = i === 0 || (failedFirst && i === 1);
    if (startsHere) {
      const failed = failedFirst && i === 0;
      if (i === 1) params = { ...base, sid: prng.uuid(), dbUser: "readonly" };
      ei = 0;
      const event = databaseSessionStart(meta(context, time), params, {
        error: failed ? denied : undefined,
        pid: prng.between(1_000, 99_999),
      });
      out.push({ time, event });
      continue;
    }
    ei += 1;
    const query = prng.pick(DB_QUERIES[db.protocol] ?? ["SELECT 1"]);
    out.push({ time, event: databaseSessionQuery(meta(context, time, ei), params, query) });
  }
  return out;
}

/** app.session.start then its HTTP requests (user-less); TCP apps have no requests, only reconnects. */
function appSession(context: ScenarioContext): TimedEvent[] {
  const { prng, actor, size } = context;
  const apps = context.cluster.apps;
  const http = apps.filter((a) => a.paths.length > 0);
  const app = size > 1 && http.length > 0 ? prng.pick(http) : prng.pick(apps);
  const offsets = [
    0,
    ...spread(() => prng.float(), size - 1, 200, prng.logUniform(MINUTE_MS, 30 * MINUTE_MS)),
  ];
  const times = fitTimes(context.start, context.limit, offsets);
  const from = remote(context);
  let ei = 0;
  return times.map((time, i) => {
    if (i === 0 || app.paths.length === 0) {
      ei = 0;
      return {
        time,
        event: appSessionStart(meta(context, time), { actor, sid: prng.uuid(), app, remote: from }),
      };
    }
    ei += prng.between(1, 3);
    const event = appSessionRequest(meta(context, time, ei), {
      app,
      path: prng.pick(app.paths),
      query: prng.chance(0.5) ? "orgId=1" : "",
      method: prng.chance(0.85) ? "GET" : "POST",
      status: prng.chance(0.95) ? 200 : prng.pick([302, 404, 500]),
    });
    return { time, event };
  });
}

/** windows.desktop.session.start then recording frames (user-less). */
function desktopSession(context: ScenarioContext): TimedEvent[] {
  const { prng, actor, size } = context;
  const desktop = prng.pick(context.cluster.desktops);
  const duration = Math.max(prng.logUniform(5 * MINUTE_MS, 2 * HOUR_MS), context.minDuration);
  const offsets = [0, ...spread(() => prng.float(), size - 1, 100, duration)];
  const times = fitTimes(context.start, context.limit, offsets);
  const sid = prng.uuid();
  const mfa = prng.chance(0.5) ? prng.uuid() : undefined;
  const start = desktopSessionStart(meta(context, times[0] as number), {
    actor,
    sid,
    desktop,
    remote: remote(context),
    mfa,
  });
  const out: TimedEvent[] = [{ time: times[0] as number, event: start }];
  for (let i = 1; i < times.length; i += 1) {
    const time = times[i] as number;
    const frame = prng.bytes(prng.between(8, 48));
    out.push({
      time,
      event: desktopRecording(meta(context, time, i + 1, false), frame, time - (times[0] as number)),
    });
  }
  return out;
}

const FAILED_LOGIN_ERRORS = {
  local: "invalid username, password or second factor",
  sso: "received response with incorrect or missing attribute statements",
};

/**
 * A login: sometimes a failed attempt first (T1000W / T1001W, success false), then the successful
 * login and the certificates it issues (cert.create, user-less).
 */
function login(context: ScenarioContext): TimedEvent[] {
  const { prng, actor, size } = context;
  const failedFirst = prng.chance(size >= 2 ? 0.2 : 0.12);
  const offsets = [0];
  for (let i = 1; i < size; i += 1) {
    // A person retrying a failed login takes a while; certificates follow a login at once.
    const gap = failedFirst && i === 1 ? prng.between(5_000, 30_000) : prng.between(300, 2_000);
    offsets.push((offsets[i - 1] as number) + gap);
  }
  const times = fitTimes(context.start, context.limit, offsets);
  const from = remote(context);
  const error = actor.connector === undefined ? FAILED_LOGIN_ERRORS.local : FAILED_LOGIN_ERRORS.sso;
  const loggedIn = failedFirst ? 1 : 0;
  return times.map((time, i) => {
    if (i <= loggedIn) {
      const failed = i < loggedIn;
      return {
        time,
        event: userLogin(meta(context, time), { actor, remote: from, error: failed ? error : undefined }),
      };
    }
    const kube =
      i > loggedIn + 1 && context.cluster.kube.length > 0 ? prng.pick(context.cluster.kube).name : undefined;
    const event = certificateCreate(meta(context, time), {
      actor,
      ip: actor.ip,
      expires: time + 12 * HOUR_MS,
      kubeCluster: kube,
    });
    return { time, event };
  });
}

/** Single-event scenarios repeated `size` times a few seconds apart. */
function repeated(context: ScenarioContext, make: (time: number) => TeleportEvent): TimedEvent[] {
  const offsets = Array.from({ length: context.size }, (_, i) => i * 5_000);
  return fitTimes(context.start, context.limit, offsets).map((time) => ({ time, event: make(time) }));
}

const HUMAN_SCENARIOS: readonly Scenario[] = [
  {
    name: "ssh-session",
    actor: "human",
    weight: 26,
    min: 2,
    naturalSize: (prng) => prng.between(3, 9),
    build: (context) => session(context, sshTarget(context), context.prng.chance(0.85)),
  },
  {
    name: "kube-session",
    actor: "human",
    weight: 9,
    min: 2,
    naturalSize: (prng) => prng.between(3, 8),
    build: (context) =>
      session(
        context,
        kubeTarget(context.prng, context.prng.pick(context.cluster.kube)),
        context.prng.chance(0.7),
      ),
  },
  {
    name: "kube-requests",
    actor: "human",
    weight: 15,
    min: 1,
    naturalSize: (prng) => prng.between(1, 8),
    build: kubeRequests,
  },
  {
    name: "ssh-port",
    actor: "human",
    weight: 3,
    min: 1,
    naturalSize: () => 1,
    build: (c) => portScenario(c, "ssh"),
  },
  {
    name: "kube-port",
    actor: "human",
    weight: 3,
    min: 1,
    naturalSize: () => 1,
    build: (c) => portScenario(c, "kube"),
  },
  {
    name: "db-session",
    actor: "human",
    weight: 9,
    min: 1,
    naturalSize: (prng) => prng.between(1, 8),
    build: databaseSession,
  },
  {
    name: "app-session",
    actor: "human",
    weight: 8,
    min: 1,
    naturalSize: (prng) => prng.between(1, 7),
    build: appSession,
  },
  {
    name: "desktop-session",
    actor: "human",
    weight: 4,
    min: 1,
    naturalSize: (prng) => prng.between(1, 6),
    build: desktopSession,
  },
  {
    name: "login",
    actor: "human",
    weight: 16,
    min: 1,
    naturalSize: (prng) => prng.between(1, 3),
    build: login,
  },
  {
    name: "access-request",
    actor: "human",
    weight: 1.5,
    min: 1,
    naturalSize: () => 1,
    build: (context) =>
      repeated(context, (time) =>
        accessRequestCreate(meta(context, time), {
          actor: context.actor,
          requestId: context.prng.uuid(),
          roles: [context.prng.pick(ROLES.filter((r) => r !== "access"))],
          reason: context.prng.pick(ACCESS_REASONS),
        }),
      ),
  },
  {
    name: "plugin-sync",
    actor: "human",
    weight: 0.8,
    min: 1,
    naturalSize: () => 1,
    build: (context) =>
      repeated(context, (time) =>
        pluginSync(meta(context, time), {
          plugin: context.prng.pick(PLUGINS),
          // Half are run by a person (a top-level user: counted), half by the plugin itself.
          actor: context.prng.chance(0.5) ? context.actor : undefined,
          synced: context.prng.between(0, 500),
        }),
      ),
  },
  {
    name: "unknown-wrapper",
    actor: "human",
    weight: 0.4,
    min: 1,
    naturalSize: () => 1,
    build: (context) =>
      repeated(context, (time) => {
        const wrapped = context.prng.pick(WRAPPED_TYPES);
        const inner = {
          event: wrapped.type,
          code: wrapped.code,
          user: context.actor.name,
          cluster_name: context.cluster.name,
        };
        return unknownWrapper(meta(context, time), { type: wrapped.type, code: wrapped.code, inner });
      }),
  },
];

const BOT_SCENARIOS: readonly Scenario[] = [
  {
    name: "bot-ssh",
    actor: "bot",
    weight: 40,
    min: 2,
    naturalSize: () => 4,
    build: (context) => session(context, sshTarget(context), false),
  },
  {
    name: "bot-kube-requests",
    actor: "bot",
    weight: 40,
    min: 1,
    naturalSize: (prng) => prng.between(2, 12),
    build: kubeRequests,
  },
  {
    name: "bot-kube-session",
    actor: "bot",
    weight: 8,
    min: 2,
    naturalSize: () => 4,
    build: (context) =>
      session(context, kubeTarget(context.prng, context.prng.pick(context.cluster.kube)), false),
  },
  {
    name: "bot-cert",
    actor: "bot",
    weight: 12,
    min: 1,
    naturalSize: () => 1,
    build: (context) =>
      repeated(context, (time) =>
        certificateCreate(meta(context, time), {
          actor: context.actor,
          ip: context.actor.ip,
          expires: time + HOUR_MS,
          kubeCluster: undefined,
        }),
      ),
  },
];

export const SCENARIOS: readonly Scenario[] = [...HUMAN_SCENARIOS, ...BOT_SCENARIOS];

/** Sessions that can be stretched across midnight on a month's last day. */
export const OVERNIGHT_SCENARIOS: readonly ScenarioName[] = ["ssh-session", "kube-session"];

export function scenarioNamed(name: ScenarioName): Scenario {
  const found = SCENARIOS.find((s) => s.name === name);
  if (found === undefined) throw new RangeError(`no scenario ${name}`);
  return found;
}
