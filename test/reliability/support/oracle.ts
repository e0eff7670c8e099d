/**
 * What the pipeline should produce from generated events, computed from their JSON by the design's rule
 * ("Who is active"), without the product's codec or rules: the ids of active events and the strings that
 * must never reach the central side.
 */

const USERLESS_TYPES = new Set([
  "app.session.request",
  "cert.create",
  "desktop.recording",
  "print",
  "session.upload",
  "session.connect",
  "unknown",
]);

type JsonObject = Record<string, unknown>;

/** The `uid`s of the events that make a user active (every generated active event has one). */
export function activeEventIds(lines: readonly string[]): Set<string> {
  const ids = new Set<string>();
  for (const line of lines) {
    const event = JSON.parse(line) as JsonObject;
    const user = event["user"];
    const type = event["event"];
    if (typeof user !== "string" || user === "") continue;
    if (typeof type === "string" && USERLESS_TYPES.has(type)) continue;
    if (event["success"] === false) continue;
    const code = typeof event["code"] === "string" ? event["code"] : "";
    if (code.endsWith("W") || code.endsWith("E")) continue;
    const uid = event["uid"];
    if (typeof uid !== "string" || uid === "") throw new Error(`active event without uid: ${line}`);
    ids.add(uid);
  }
  return ids;
}

/** Keys whose values name a person, a login, a cluster, a host or an address. */
const IDENTIFYING_KEYS =
  /^(user|login|logins|cluster_name|user_name|bot_name|addr\.local|addr\.remote|server_hostname|server_addr|hostname|kubernetes_cluster|kubernetes_users|kubernetes_pod_name|kubernetes_node_name|db_service|db_name|db_user|db_uri|app_name|app_uri|app_public_addr|public_addr|desktop_addr|desktop_name|windows_domain|windows_user|participants|email|client_ip|route_to_cluster|teleport_cluster)$/;

/** Every identifying string value in the events (nested objects and arrays included). */
export function identifyingValues(lines: readonly string[]): Set<string> {
  const found = new Set<string>();
  const visit = (key: string, value: unknown) => {
    if (typeof value === "string") {
      if (IDENTIFYING_KEYS.test(key) && value !== "") found.add(value);
    } else if (Array.isArray(value)) {
      for (const item of value) visit(key, item);
    } else if (typeof value === "object" && value !== null) {
      for (const [k, v] of Object.entries(value)) visit(k, v);
    }
  };
  for (const line of lines) visit("", JSON.parse(line));
  return found;
}

/**
 * Which of `values` occur in `haystack`. Values shorter than `minContained` characters (a login such as
 * "root") could occur by chance inside base64 hashes, so they only count as whole `fields`.
 */
export function leaks(
  values: Iterable<string>,
  haystack: string,
  fields: ReadonlySet<string>,
  minContained = 8,
): string[] {
  const found: string[] = [];
  for (const value of values) {
    if (value.length >= minContained ? haystack.includes(value) : fields.has(value)) found.push(value);
  }
  return found;
}
