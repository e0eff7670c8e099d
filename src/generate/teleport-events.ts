import type { Actor } from "./population.js";
import type { App, Database, Desktop, KubeCluster, Server, Workload } from "./estate.js";
import { formatTeleportTime } from "./calendar.js";

/**
 * Builders for Teleport audit events as JSON objects. Keys are added in the order Teleport writes them
 * (its Go struct order), so a generated line is exactly what the event codec writes back.
 */

export type TeleportEvent = Record<string, unknown>;

/** Teleport's index for session.upload (math.MaxInt32). */
export const SESSION_UPLOAD_INDEX = 2_147_483_647;

export interface Meta {
  readonly ei: number;
  /** Absent for the events Teleport writes without one (print, desktop.recording). */
  readonly uid: string | undefined;
  readonly time: number;
  readonly cluster: string;
}

function metadata(type: string, code: string | undefined, meta: Meta): TeleportEvent {
  const out: TeleportEvent = { ei: meta.ei, event: type };
  if (meta.uid !== undefined) out["uid"] = meta.uid;
  if (code !== undefined) out["code"] = code;
  out["time"] = formatTeleportTime(meta.time);
  out["cluster_name"] = meta.cluster;
  return out;
}

interface UserOptions {
  login?: string | undefined;
  keyPolicy?: boolean;
  origin?: boolean;
}

function addUser(out: TeleportEvent, actor: Actor, options: UserOptions = {}): void {
  out["user"] = actor.name;
  if (options.login !== undefined) out["login"] = options.login;
  if (options.keyPolicy === true) out["required_private_key_policy"] = "none";
  out["user_kind"] = actor.userKind;
  if (actor.botName !== undefined) {
    out["bot_name"] = actor.botName;
    out["bot_instance_id"] = actor.botInstanceId;
  }
  if (options.origin === true && actor.kind === "human") out["user_origin"] = actor.origin;
}

function addServer(out: TeleportEvent, server: Server, full: boolean): void {
  out["namespace"] = "default";
  out["server_id"] = server.id;
  out["server_hostname"] = server.hostname;
  out["server_addr"] = server.addr;
  if (full) out["server_labels"] = server.labels;
  if (server.openssh) out["server_sub_kind"] = "openssh";
}

function addKubeAgent(out: TeleportEvent, kube: KubeCluster): void {
  out["namespace"] = "default";
  out["server_id"] = kube.agentId;
  out["server_hostname"] = kube.agentHostname;
}

/** Where a session runs: an SSH node, or a pod in a Kubernetes cluster. */
export type SessionTarget =
  | { readonly kind: "ssh"; readonly server: Server; readonly login: string }
  | {
      readonly kind: "kube";
      readonly kube: KubeCluster;
      readonly workload: Workload;
      readonly pod: string;
      readonly node: string;
      readonly container: string;
    };

function addKubeCluster(out: TeleportEvent, kube: KubeCluster, actor: Actor): void {
  out["kubernetes_cluster"] = kube.name;
  out["kubernetes_users"] = [actor.kind === "bot" ? actor.name : actor.email];
  out["kubernetes_groups"] = [actor.kind === "bot" ? "deployers" : "system:masters"];
  out["kubernetes_labels"] = kube.labels;
}

function addPod(out: TeleportEvent, target: Extract<SessionTarget, { kind: "kube" }>, full: boolean): void {
  out["kubernetes_pod_name"] = target.pod;
  out["kubernetes_pod_namespace"] = target.workload.namespace;
  if (!full) return;
  out["kubernetes_container_name"] = target.container;
  out["kubernetes_container_image"] = target.workload.image;
  out["kubernetes_node_name"] = target.node;
}

function addConnection(out: TeleportEvent, target: SessionTarget, remote: string): void {
  if (target.kind === "ssh") out["addr.local"] = target.server.addr;
  out["addr.remote"] = remote;
  out["proto"] = target.kind;
}

export interface SessionParams {
  readonly actor: Actor;
  readonly sid: string;
  readonly target: SessionTarget;
  /** "ip:port" the client connects from. */
  readonly remote: string;
  readonly command: string;
  readonly interactive: boolean;
}

function sessionLogin(params: SessionParams): string | undefined {
  return params.target.kind === "ssh" ? params.target.login : undefined;
}

function recording(target: SessionTarget): string {
  return target.kind === "ssh" && target.server.openssh ? "proxy" : "node";
}

export function sessionStart(meta: Meta, params: SessionParams): TeleportEvent {
  const { actor, target } = params;
  const out = metadata("session.start", "T2000I", meta);
  addUser(out, actor, { login: sessionLogin(params) });
  out["sid"] = params.sid;
  out["private_key_policy"] = "none";
  if (target.kind === "ssh") addServer(out, target.server, true);
  else addKubeAgent(out, target.kube);
  addConnection(out, target, params.remote);
  if (params.interactive) out["size"] = target.kind === "ssh" ? "120:40" : "80:24";
  if (target.kind === "kube") {
    addKubeCluster(out, target.kube, actor);
    addPod(out, target, true);
  }
  out["initial_command"] = [params.command];
  out["session_recording"] = recording(target);
  return out;
}

export function sessionEnd(meta: Meta, params: SessionParams, startedAt: number): TeleportEvent {
  const { actor, target } = params;
  const out = metadata("session.end", "T2004I", meta);
  addUser(out, actor, { login: sessionLogin(params) });
  out["sid"] = params.sid;
  out["private_key_policy"] = "none";
  addConnection(out, target, params.remote);
  if (target.kind === "ssh") addServer(out, target.server, true);
  else addKubeAgent(out, target.kube);
  out["enhanced_recording"] = false;
  out["interactive"] = params.interactive;
  out["participants"] = [actor.name];
  out["session_start"] = formatTeleportTime(startedAt);
  out["session_stop"] = formatTeleportTime(meta.time);
  if (target.kind === "kube") {
    addKubeCluster(out, target.kube, actor);
    addPod(out, target, true);
  }
  out["initial_command"] = [params.command];
  out["session_recording"] = recording(target);
  return out;
}

/** A chunk of session output (no uid, no code, no user). */
export function sessionPrint(
  meta: Meta,
  chunk: { ci: number; bytes: number; ms: number; offset: number },
): TeleportEvent {
  const out = metadata("print", undefined, meta);
  out["ci"] = chunk.ci;
  out["bytes"] = chunk.bytes;
  out["ms"] = chunk.ms;
  out["offset"] = chunk.offset;
  return out;
}

export function sessionUpload(meta: Meta, sid: string, bucket: string): TeleportEvent {
  const out = metadata("session.upload", "T2005I", meta);
  out["sid"] = sid;
  out["url"] = `s3://${bucket}/records/${sid}.tar`;
  return out;
}

/** The proxy's connection to an agentless (OpenSSH) node; no user. */
export function sessionConnect(meta: Meta, server: Server, proxyAddr: string): TeleportEvent {
  const out = metadata("session.connect", "T2010I", meta);
  out["server_id"] = server.id;
  out["server_addr"] = server.addr;
  out["addr.local"] = proxyAddr;
  out["addr.remote"] = server.addr;
  return out;
}

export function exec(meta: Meta, params: SessionParams, exitCode: number): TeleportEvent {
  const { actor, target } = params;
  const out = metadata("exec", exitCode === 0 ? "T3002I" : "T3002E", meta);
  addUser(out, actor, { login: sessionLogin(params) });
  addConnection(out, target, params.remote);
  out["sid"] = params.sid;
  if (target.kind === "ssh") addServer(out, target.server, false);
  else addKubeAgent(out, target.kube);
  out["command"] = params.command;
  out["exitCode"] = String(exitCode);
  if (exitCode !== 0) out["exitError"] = `Process exited with status ${exitCode}`;
  if (target.kind === "kube") {
    addKubeCluster(out, target.kube, actor);
    addPod(out, target, true);
  }
  return out;
}

export interface KubeRequestParams {
  readonly actor: Actor;
  readonly kube: KubeCluster;
  readonly remote: string;
  readonly path: string;
  readonly verb: string;
  readonly apiGroup: string;
  readonly namespace: string;
  readonly resourceKind: string;
  readonly responseCode: number;
  readonly sid: string;
}

export function kubeRequest(meta: Meta, params: KubeRequestParams): TeleportEvent {
  const out = metadata("kube.request", "T3009I", meta);
  addUser(out, params.actor);
  out["addr.remote"] = params.remote;
  out["proto"] = "kube";
  out["server_id"] = params.kube.agentId;
  out["server_hostname"] = params.kube.agentHostname;
  out["request_path"] = params.path;
  out["verb"] = params.verb;
  if (params.apiGroup !== "") out["resource_api_group"] = params.apiGroup;
  out["resource_namespace"] = params.namespace;
  out["resource_kind"] = params.resourceKind;
  out["response_code"] = params.responseCode;
  addKubeCluster(out, params.kube, params.actor);
  out["sid"] = params.sid;
  return out;
}

/** A port forward over SSH (`addr` is the destination) or Kubernetes (`addr` is the pod port). */
export function portForward(
  meta: Meta,
  params: { actor: Actor; target: SessionTarget; remote: string; addr: string; error: string | undefined },
): TeleportEvent {
  const { actor, target } = params;
  const out = metadata("port", params.error === undefined ? "T3003I" : "T3003E", meta);
  addUser(out, actor, { login: target.kind === "ssh" ? target.login : undefined });
  addConnection(out, target, params.remote);
  out["success"] = params.error === undefined;
  if (params.error !== undefined) out["error"] = params.error;
  out["addr"] = params.addr;
  if (target.kind === "kube") {
    addKubeCluster(out, target.kube, actor);
    addPod(out, target, false);
  }
  return out;
}

export interface DatabaseParams {
  readonly actor: Actor;
  readonly sid: string;
  readonly db: Database;
  readonly dbName: string;
  readonly dbUser: string;
  readonly remote: string;
}

function addDatabase(out: TeleportEvent, params: DatabaseParams, full: boolean): void {
  const { db } = params;
  out["db_service"] = db.service;
  out["db_protocol"] = db.protocol;
  out["db_uri"] = db.uri;
  out["db_name"] = params.dbName;
  out["db_user"] = params.dbUser;
  if (full) out["db_labels"] = db.labels;
  if (full && db.region !== undefined) out["db_aws_region"] = db.region;
  out["db_type"] = db.type;
  out["db_origin"] = db.origin;
}

export function databaseSessionStart(
  meta: Meta,
  params: DatabaseParams,
  outcome: { error: string | undefined; pid: number },
): TeleportEvent {
  const failed = outcome.error !== undefined;
  const out = metadata("db.session.start", failed ? "TDB00W" : "TDB00I", meta);
  addUser(out, params.actor);
  out["sid"] = params.sid;
  out["private_key_policy"] = "none";
  out["namespace"] = "default";
  out["server_id"] = params.db.agentId;
  out["server_hostname"] = params.db.agentHostname;
  out["server_version"] = "18.2.1";
  out["addr.remote"] = params.remote;
  out["success"] = !failed;
  if (failed) out["error"] = outcome.error;
  addDatabase(out, params, true);
  if (params.db.protocol === "postgres" && !failed) out["postgres_pid"] = outcome.pid;
  out["user_agent"] = params.db.protocol === "postgres" ? "psql" : params.db.protocol;
  return out;
}

export function databaseSessionQuery(meta: Meta, params: DatabaseParams, query: string): TeleportEvent {
  const out = metadata("db.session.query", "TDB02I", meta);
  addUser(out, params.actor);
  out["sid"] = params.sid;
  out["private_key_policy"] = "none";
  addDatabase(out, params, false);
  out["db_query"] = query;
  out["success"] = true;
  return out;
}

export function appSessionStart(
  meta: Meta,
  params: { actor: Actor; sid: string; app: App; remote: string },
): TeleportEvent {
  const { app } = params;
  const out = metadata("app.session.start", "T2007I", meta);
  addUser(out, params.actor, { origin: true });
  out["sid"] = params.sid;
  out["private_key_policy"] = "none";
  out["namespace"] = "default";
  out["server_id"] = app.agentId;
  out["server_hostname"] = app.agentHostname;
  out["addr.remote"] = params.remote;
  out["public_addr"] = app.publicAddr;
  out["app_uri"] = app.uri;
  out["app_public_addr"] = app.publicAddr;
  out["app_labels"] = app.labels;
  out["app_name"] = app.name;
  return out;
}

/** One HTTP request through an app session; no user. */
export function appSessionRequest(
  meta: Meta,
  params: { app: App; path: string; query: string; method: string; status: number },
): TeleportEvent {
  const { app } = params;
  const out = metadata("app.session.request", "T2009I", meta);
  out["status_code"] = params.status;
  out["path"] = params.path;
  out["raw_query"] = params.query;
  out["method"] = params.method;
  out["app_uri"] = app.uri;
  out["app_public_addr"] = app.publicAddr;
  out["app_labels"] = app.labels;
  out["app_name"] = app.name;
  return out;
}

export function desktopSessionStart(
  meta: Meta,
  params: { actor: Actor; sid: string; desktop: Desktop; remote: string; mfa: string | undefined },
): TeleportEvent {
  const { actor, desktop } = params;
  const out = metadata("windows.desktop.session.start", "TDP00I", meta);
  addUser(out, actor, { login: actor.login });
  out["sid"] = params.sid;
  if (params.mfa !== undefined) out["with_mfa"] = params.mfa;
  out["private_key_policy"] = "none";
  out["addr.local"] = desktop.addr;
  out["addr.remote"] = params.remote;
  out["proto"] = "tdp";
  out["success"] = true;
  out["windows_desktop_service"] = desktop.serviceId;
  out["desktop_addr"] = desktop.addr;
  out["windows_domain"] = desktop.domain;
  out["windows_user"] = actor.login;
  out["desktop_labels"] = desktop.labels;
  out["desktop_name"] = desktop.name;
  out["allow_user_creation"] = false;
  out["nla"] = true;
  return out;
}

/** A frame of a desktop recording (no uid, no code, no user). */
export function desktopRecording(meta: Meta, message: Buffer, ms: number): TeleportEvent {
  const out = metadata("desktop.recording", undefined, meta);
  out["message"] = message.toString("base64");
  out["ms"] = ms;
  // Newer agents add the TDPB form; it is null for classic TDP frames.
  out["tdpb_message"] = null;
  return out;
}

/** A successful or failed login: local (T1000*) or SSO (T1001*). */
export function userLogin(
  meta: Meta,
  params: { actor: Actor; remote: string; error: string | undefined },
): TeleportEvent {
  const { actor } = params;
  const sso = actor.connector !== undefined;
  const failed = params.error !== undefined;
  const code = `${sso ? "T1001" : "T1000"}${failed ? "W" : "I"}`;
  const out = metadata("user.login", code, meta);
  addUser(out, actor, { keyPolicy: true, origin: true });
  out["success"] = !failed;
  if (failed) out["error"] = params.error;
  out["method"] = actor.connector?.method ?? "local";
  if (actor.connector !== undefined && !failed) {
    out["attributes"] = {
      email: [actor.email],
      groups: actor.roles.includes("kube-admin") ? ["eng", "sre"] : ["eng"],
    };
  }
  out["user_agent"] = actor.userAgent;
  out["addr.remote"] = params.remote;
  if (actor.connector !== undefined) out["connector_id"] = actor.connector.id;
  return out;
}

/** A user or bot certificate issued; the user is inside `identity`, not top-level. */
export function certificateCreate(
  meta: Meta,
  params: { actor: Actor; ip: string; expires: number; kubeCluster: string | undefined },
): TeleportEvent {
  const { actor } = params;
  const out = metadata("cert.create", "TC000I", meta);
  out["cert_type"] = "user";
  const identity: Record<string, unknown> = {
    user: actor.name,
    roles: actor.roles,
    logins: [actor.login, "-teleport-internal-join"],
    expires: formatTeleportTime(params.expires),
    route_to_cluster: meta.cluster,
  };
  if (params.kubeCluster !== undefined) identity["kubernetes_cluster"] = params.kubeCluster;
  identity["teleport_cluster"] = meta.cluster;
  identity["client_ip"] = params.ip;
  identity["private_key_policy"] = "none";
  if (actor.botName !== undefined) {
    identity["bot_name"] = actor.botName;
    identity["bot_instance_id"] = actor.botInstanceId;
  }
  identity["bot_internal"] = false;
  out["identity"] = identity;
  out["user_agent"] = actor.userAgent;
  out["certificate_authority"] = { type: "user", domain: meta.cluster };
  return out;
}

export function accessRequestCreate(
  meta: Meta,
  params: { actor: Actor; requestId: string; roles: readonly string[]; reason: string },
): TeleportEvent {
  const out = metadata("access_request.create", "T5000I", meta);
  addUser(out, params.actor);
  out["roles"] = params.roles;
  out["id"] = params.requestId;
  out["state"] = "PENDING";
  out["reason"] = params.reason;
  return out;
}

/** A type this product does not know (a plugin's own event), with or without a top-level user. */
export function pluginSync(
  meta: Meta,
  params: { plugin: string; actor: Actor | undefined; synced: number },
): TeleportEvent {
  const out = metadata("plugin.sync", "TPL001I", meta);
  out["plugin"] = params.plugin;
  if (params.actor !== undefined) out["user"] = params.actor.name;
  out["synced"] = params.synced;
  out["success"] = true;
  return out;
}

/** An older auth server's wrapper for a type it did not know (TCC00E); no top-level user. */
export function unknownWrapper(
  meta: Meta,
  params: { type: string; code: string; inner: TeleportEvent },
): TeleportEvent {
  const out = metadata("unknown", "TCC00E", meta);
  out["unknown_event"] = params.type;
  out["unknown_code"] = params.code;
  out["data"] = JSON.stringify(params.inner);
  return out;
}
