import {
  AccessRequestCreate,
  AppMetadata,
  AppSessionRequest,
  AppSessionStart,
  CertificateCreate,
  ClientMetadata,
  CommandMetadata,
  ConnectionMetadata,
  DatabaseMetadata,
  DatabaseSessionQuery,
  DatabaseSessionStart,
  DesktopRecording,
  Exec,
  KubeRequest,
  KubernetesClusterMetadata,
  KubernetesPodMetadata,
  Metadata,
  PortForward,
  ServerMetadata,
  SessionConnect,
  SessionEnd,
  SessionMetadata,
  SessionPrint,
  SessionStart,
  SessionUpload,
  SFTP,
  Status,
  Unknown,
  UserLogin,
  UserMetadata,
  WindowsDesktopSessionStart,
} from "../gen/events/events.js";
import {
  eventSpec,
  table,
  type Entry,
  type EventSpec,
  type TypedCase,
  type TypedMessage,
} from "./field-table.js";

/**
 * The mapping tables: for every typed event, each Teleport JSON key and the field that holds it,
 * listed in the order Teleport writes them (its Go struct order), which is the order keys are written
 * back. The field comments in proto/events/events.proto name the same keys.
 */

const metadata = table<Metadata>((b) => [
  b.field("ei", "int64", "index"),
  b.field("event", "string", "type"),
  b.field("uid", "string", "id"),
  b.field("code", "string", "code"),
  b.field("time", "timestamp", "time"),
  b.field("cluster_name", "string", "clusterName"),
]);

const user = table<UserMetadata>((b) => [
  b.field("user", "string", "user"),
  b.field("login", "string", "login"),
  b.field("impersonator", "string", "impersonator"),
  b.field("aws_role_arn", "string", "awsRoleArn"),
  b.field("access_requests", "stringList", "accessRequests"),
  b.field("required_private_key_policy", "string", "requiredPrivateKeyPolicy"),
  b.field("user_kind", "int32", "userKind"),
  b.field("bot_name", "string", "botName"),
  b.field("bot_instance_id", "string", "botInstanceId"),
  b.field("user_cluster_name", "string", "userClusterName"),
  b.field("user_origin", "int32", "userOrigin"),
]);

const session = table<SessionMetadata>((b) => [
  b.field("sid", "string", "sessionId"),
  b.field("with_mfa", "string", "withMfa"),
  b.field("private_key_policy", "string", "privateKeyPolicy"),
]);

const server = table<ServerMetadata>((b) => [
  b.field("namespace", "string", "namespace"),
  b.field("server_id", "string", "serverId"),
  b.field("server_hostname", "string", "serverHostname"),
  b.field("server_addr", "string", "serverAddr"),
  b.field("server_labels", "stringMap", "serverLabels"),
  b.field("forwarded_by", "string", "forwardedBy"),
  b.field("server_sub_kind", "string", "serverSubKind"),
  b.field("server_version", "string", "serverVersion"),
]);

const connection = table<ConnectionMetadata>((b) => [
  b.field("addr.local", "string", "localAddr"),
  b.field("addr.remote", "string", "remoteAddr"),
  b.field("proto", "string", "protocol"),
]);

const client = table<ClientMetadata>((b) => [b.field("user_agent", "string", "userAgent")]);

const status = table<Status>((b) => [
  b.field("success", "bool", "success"),
  b.field("error", "string", "error"),
  b.field("message", "string", "userMessage"),
]);

const kubernetesCluster = table<KubernetesClusterMetadata>((b) => [
  b.field("kubernetes_cluster", "string", "kubernetesCluster"),
  b.field("kubernetes_users", "stringList", "kubernetesUsers"),
  b.field("kubernetes_groups", "stringList", "kubernetesGroups"),
  b.field("kubernetes_labels", "stringMap", "kubernetesLabels"),
]);

const kubernetesPod = table<KubernetesPodMetadata>((b) => [
  b.field("kubernetes_pod_name", "string", "kubernetesPodName"),
  b.field("kubernetes_pod_namespace", "string", "kubernetesPodNamespace"),
  b.field("kubernetes_container_name", "string", "kubernetesContainerName"),
  b.field("kubernetes_container_image", "string", "kubernetesContainerImage"),
  b.field("kubernetes_node_name", "string", "kubernetesNodeName"),
]);

const database = table<DatabaseMetadata>((b) => [
  b.field("db_service", "string", "databaseService"),
  b.field("db_protocol", "string", "databaseProtocol"),
  b.field("db_uri", "string", "databaseUri"),
  b.field("db_name", "string", "databaseName"),
  b.field("db_user", "string", "databaseUser"),
  b.field("db_labels", "stringMap", "databaseLabels"),
  b.field("db_aws_region", "string", "databaseAwsRegion"),
  b.field("db_roles", "stringList", "databaseRoles"),
  b.field("db_type", "string", "databaseType"),
  b.field("db_origin", "string", "databaseOrigin"),
]);

const app = table<AppMetadata>((b) => [
  b.field("app_uri", "string", "appUri"),
  b.field("app_public_addr", "string", "appPublicAddr"),
  b.field("app_labels", "stringMap", "appLabels"),
  b.field("app_name", "string", "appName"),
]);

const command = table<CommandMetadata>((b) => [
  b.field("command", "string", "command"),
  b.field("exitCode", "string", "exitCode"),
  b.field("exitError", "string", "error"),
]);

const create = {
  metadata: () => Metadata.create(),
  user: () => UserMetadata.create(),
  session: () => SessionMetadata.create(),
  server: () => ServerMetadata.create(),
  connection: () => ConnectionMetadata.create(),
  client: () => ClientMetadata.create(),
  status: () => Status.create(),
  kubernetesCluster: () => KubernetesClusterMetadata.create(),
  kubernetesPod: () => KubernetesPodMetadata.create(),
  database: () => DatabaseMetadata.create(),
  app: () => AppMetadata.create(),
  command: () => CommandMetadata.create(),
};

/** Every typed event, by its OneOf case; the compiler checks that none is missing. */
export const EVENT_SPECS: { readonly [C in TypedCase]: EventSpec<C> } = {
  userLogin: eventSpec(
    "user.login",
    "userLogin",
    () => UserLogin.create(),
    (b) => [
      b.embed("metadata", create.metadata, metadata),
      b.embed("user", create.user, user),
      b.embed("status", create.status, status),
      b.field("method", "string", "method"),
      b.field("attributes", "struct", "identityAttributes"),
      b.embed("client", create.client, client),
      b.embed("connection", create.connection, connection),
      b.field("connector_id", "string", "connectorId"),
    ],
  ),
  sessionStart: eventSpec(
    "session.start",
    "sessionStart",
    () => SessionStart.create(),
    (b) => [
      b.embed("metadata", create.metadata, metadata),
      b.embed("user", create.user, user),
      b.embed("session", create.session, session),
      b.embed("server", create.server, server),
      b.embed("connection", create.connection, connection),
      b.field("size", "string", "terminalSize"),
      b.embed("kubernetesCluster", create.kubernetesCluster, kubernetesCluster),
      b.embed("kubernetesPod", create.kubernetesPod, kubernetesPod),
      b.field("initial_command", "stringList", "initialCommand"),
      b.field("session_recording", "string", "sessionRecording"),
    ],
  ),
  sessionEnd: eventSpec(
    "session.end",
    "sessionEnd",
    () => SessionEnd.create(),
    (b) => [
      b.embed("metadata", create.metadata, metadata),
      b.embed("user", create.user, user),
      b.embed("session", create.session, session),
      b.embed("connection", create.connection, connection),
      b.embed("server", create.server, server),
      b.field("enhanced_recording", "bool", "enhancedRecording"),
      b.field("interactive", "bool", "interactive"),
      b.field("participants", "stringList", "participants"),
      b.field("session_start", "timestamp", "startTime"),
      b.field("session_stop", "timestamp", "endTime"),
      b.embed("kubernetesCluster", create.kubernetesCluster, kubernetesCluster),
      b.embed("kubernetesPod", create.kubernetesPod, kubernetesPod),
      b.field("initial_command", "stringList", "initialCommand"),
      b.field("session_recording", "string", "sessionRecording"),
    ],
  ),
  portForward: eventSpec(
    "port",
    "portForward",
    () => PortForward.create(),
    (b) => [
      b.embed("metadata", create.metadata, metadata),
      b.embed("user", create.user, user),
      b.embed("connection", create.connection, connection),
      b.embed("status", create.status, status),
      b.field("addr", "string", "addr"),
      b.embed("kubernetesCluster", create.kubernetesCluster, kubernetesCluster),
      b.embed("kubernetesPod", create.kubernetesPod, kubernetesPod),
    ],
  ),
  exec: eventSpec(
    "exec",
    "exec",
    () => Exec.create(),
    (b) => [
      b.embed("metadata", create.metadata, metadata),
      b.embed("user", create.user, user),
      b.embed("connection", create.connection, connection),
      b.embed("session", create.session, session),
      b.embed("server", create.server, server),
      b.embed("command", create.command, command),
      b.embed("kubernetesCluster", create.kubernetesCluster, kubernetesCluster),
      b.embed("kubernetesPod", create.kubernetesPod, kubernetesPod),
    ],
  ),
  kubeRequest: eventSpec(
    "kube.request",
    "kubeRequest",
    () => KubeRequest.create(),
    (b) => [
      b.embed("metadata", create.metadata, metadata),
      b.embed("user", create.user, user),
      b.embed("connection", create.connection, connection),
      b.embed("server", create.server, server),
      b.field("request_path", "string", "requestPath"),
      b.field("verb", "string", "verb"),
      b.field("resource_api_group", "string", "resourceApiGroup"),
      b.field("resource_namespace", "string", "resourceNamespace"),
      b.field("resource_kind", "string", "resourceKind"),
      b.field("resource_name", "string", "resourceName"),
      b.field("response_code", "int32", "responseCode"),
      b.embed("kubernetesCluster", create.kubernetesCluster, kubernetesCluster),
      b.embed("session", create.session, session),
    ],
  ),
  sftp: eventSpec(
    "sftp",
    "sftp",
    () => SFTP.create(),
    (b) => [
      b.embed("metadata", create.metadata, metadata),
      b.embed("user", create.user, user),
      b.embed("connection", create.connection, connection),
      b.embed("session", create.session, session),
      b.embed("server", create.server, server),
      b.field("wd", "string", "workingDirectory"),
      b.field("path", "string", "path"),
      b.field("target_path", "string", "targetPath"),
      b.field("flags", "uint32", "flags"),
      b.field("attributes", "struct", "attributes"),
      b.field("action", "int32", "action"),
      b.field("error", "string", "error"),
    ],
  ),
  databaseSessionStart: eventSpec(
    "db.session.start",
    "databaseSessionStart",
    () => DatabaseSessionStart.create(),
    (b) => [
      b.embed("metadata", create.metadata, metadata),
      b.embed("user", create.user, user),
      b.embed("session", create.session, session),
      b.embed("server", create.server, server),
      b.embed("connection", create.connection, connection),
      b.embed("status", create.status, status),
      b.embed("database", create.database, database),
      b.field("postgres_pid", "uint32", "postgresPid"),
      b.embed("client", create.client, client),
    ],
  ),
  databaseSessionQuery: eventSpec(
    "db.session.query",
    "databaseSessionQuery",
    () => DatabaseSessionQuery.create(),
    (b) => [
      b.embed("metadata", create.metadata, metadata),
      b.embed("user", create.user, user),
      b.embed("session", create.session, session),
      b.embed("database", create.database, database),
      b.field("db_query", "string", "databaseQuery"),
      b.field("db_query_parameters", "stringList", "databaseQueryParameters"),
      b.embed("status", create.status, status),
    ],
  ),
  appSessionStart: eventSpec(
    "app.session.start",
    "appSessionStart",
    () => AppSessionStart.create(),
    (b) => [
      b.embed("metadata", create.metadata, metadata),
      b.embed("user", create.user, user),
      b.embed("session", create.session, session),
      b.embed("server", create.server, server),
      b.embed("connection", create.connection, connection),
      b.field("public_addr", "string", "publicAddr"),
      b.embed("app", create.app, app),
    ],
  ),
  windowsDesktopSessionStart: eventSpec(
    "windows.desktop.session.start",
    "windowsDesktopSessionStart",
    () => WindowsDesktopSessionStart.create(),
    (b) => [
      b.embed("metadata", create.metadata, metadata),
      b.embed("user", create.user, user),
      b.embed("session", create.session, session),
      b.embed("connection", create.connection, connection),
      b.embed("status", create.status, status),
      b.field("windows_desktop_service", "string", "windowsDesktopService"),
      b.field("desktop_addr", "string", "desktopAddr"),
      b.field("windows_domain", "string", "domain"),
      b.field("windows_user", "string", "windowsUser"),
      b.field("desktop_labels", "stringMap", "desktopLabels"),
      b.field("desktop_name", "string", "desktopName"),
      b.field("allow_user_creation", "bool", "allowUserCreation"),
      b.field("nla", "bool", "nla"),
    ],
  ),
  accessRequestCreate: eventSpec(
    "access_request.create",
    "accessRequestCreate",
    () => AccessRequestCreate.create(),
    (b) => [
      b.embed("metadata", create.metadata, metadata),
      b.embed("user", create.user, user),
      b.field("roles", "stringList", "roles"),
      b.field("id", "string", "requestId"),
      b.field("state", "string", "requestState"),
      b.field("delegator", "string", "delegator"),
      b.field("reason", "string", "reason"),
      b.field("annotations", "struct", "annotations"),
      b.field("reviewer", "string", "reviewer"),
      b.field("proposed_state", "string", "proposedState"),
    ],
  ),
  appSessionRequest: eventSpec(
    "app.session.request",
    "appSessionRequest",
    () => AppSessionRequest.create(),
    (b) => [
      b.embed("metadata", create.metadata, metadata),
      b.field("status_code", "uint32", "statusCode"),
      b.field("path", "string", "path"),
      b.field("raw_query", "string", "rawQuery"),
      b.field("method", "string", "method"),
      b.embed("app", create.app, app),
    ],
  ),
  certificateCreate: eventSpec(
    "cert.create",
    "certificateCreate",
    () => CertificateCreate.create(),
    (b) => [
      b.embed("metadata", create.metadata, metadata),
      b.field("cert_type", "string", "certType"),
      b.field("identity", "struct", "identity"),
      b.embed("client", create.client, client),
      b.field("certificate_authority", "struct", "certificateAuthority"),
    ],
  ),
  desktopRecording: eventSpec(
    "desktop.recording",
    "desktopRecording",
    () => DesktopRecording.create(),
    (b) => [
      b.embed("metadata", create.metadata, metadata),
      b.field("message", "bytes", "message"),
      b.field("ms", "int64", "delayMilliseconds"),
    ],
  ),
  sessionPrint: eventSpec(
    "print",
    "sessionPrint",
    () => SessionPrint.create(),
    (b) => [
      b.embed("metadata", create.metadata, metadata),
      b.field("ci", "int64", "chunkIndex"),
      b.field("bytes", "int64", "bytes"),
      b.field("ms", "int64", "delayMilliseconds"),
      b.field("offset", "int64", "offset"),
    ],
  ),
  sessionUpload: eventSpec(
    "session.upload",
    "sessionUpload",
    () => SessionUpload.create(),
    (b) => [
      b.embed("metadata", create.metadata, metadata),
      b.embed("session", create.session, session),
      b.field("url", "string", "sessionUrl"),
    ],
  ),
  sessionConnect: eventSpec(
    "session.connect",
    "sessionConnect",
    () => SessionConnect.create(),
    (b) => [
      b.embed("metadata", create.metadata, metadata),
      b.embed("server", create.server, server),
      b.embed("connection", create.connection, connection),
    ],
  ),
  unknown: eventSpec(
    "unknown",
    "unknown",
    () => Unknown.create(),
    (b) => [
      b.embed("metadata", create.metadata, metadata),
      b.field("unknown_event", "string", "unknownType"),
      b.field("unknown_code", "string", "unknownCode"),
      b.field("data", "string", "data"),
    ],
  ),
};

/** A spec with its message type erased, for the generic walker. */
export interface AnyEventSpec {
  readonly type: string;
  readonly $case: TypedCase;
  create(): TypedMessage;
  readonly entries: readonly Entry<TypedMessage>[];
  readonly byKey: ReadonlyMap<string, Entry<TypedMessage>>;
}

const ALL_SPECS = Object.values(EVENT_SPECS) as readonly AnyEventSpec[];
const SPECS_BY_TYPE = new Map(ALL_SPECS.map((spec) => [spec.type, spec]));
const SPECS_BY_CASE = new Map(ALL_SPECS.map((spec) => [spec.$case, spec]));

/** The event types that have a typed message (all others travel as Unstructured). */
export const TYPED_EVENT_TYPES: readonly string[] = ALL_SPECS.map((spec) => spec.type);

export function specOfType(type: string): AnyEventSpec | undefined {
  return SPECS_BY_TYPE.get(type);
}

export function specOfCase($case: TypedCase): AnyEventSpec {
  return SPECS_BY_CASE.get($case) as AnyEventSpec;
}
