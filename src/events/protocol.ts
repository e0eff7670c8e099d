import type { OneOf } from "../gen/events/events.js";
import { stringField } from "./event-field.js";
import { eventType } from "./metadata.js";

/** The protocols MAU is broken down by, in report order: the one list every layer reads. */
export const PROTOCOLS = ["ssh", "kube", "db", "app", "desktop"] as const;

/** A protocol of PROTOCOLS, or "" for an event that counts towards none. */
export type Protocol = (typeof PROTOCOLS)[number] | "";

/** Which protocol an event counts toward (the product design's table; nothing else maps). */
export function protocolOf(event: OneOf): Protocol {
  switch (eventType(event)) {
    case "session.start":
      return (stringField(event, "kubernetes_cluster") ?? "") !== "" ? "kube" : "ssh";
    case "port":
      return stringField(event, "proto") === "kube" ? "kube" : "ssh";
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
      return "";
  }
}

export type SessionKind = "k8s_port" | "ssh_port" | "app_tcp" | "";

/**
 * A finer kind than the protocol, kept as an extra attribute: port forwards over Kubernetes or SSH,
 * and TCP applications (`app_uri` starting `tcp://`); "" for everything else.
 */
export function sessionKind(event: OneOf): SessionKind {
  switch (eventType(event)) {
    case "port":
      return stringField(event, "proto") === "kube" ? "k8s_port" : "ssh_port";
    case "app.session.start":
      return (stringField(event, "app_uri") ?? "").startsWith("tcp://") ? "app_tcp" : "";
    default:
      return "";
  }
}
