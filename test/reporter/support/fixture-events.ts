import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseEvent } from "../../../src/events/codec.js";
import type { OneOf } from "../../../src/gen/events/events.js";

const path = join(dirname(fileURLToPath(import.meta.url)), "../../fixtures/teleport-events.jsonl");

/** The sample Teleport events, as JSON text and as decoded events. */
export const fixtureLines: string[] = readFileSync(path, "utf8")
  .split("\n")
  .filter((line) => line.trim() !== "");

export function fixtureEvents(): OneOf[] {
  return fixtureLines.map(parseEvent);
}

/**
 * Every identifying string in the fixtures that must never reach the central side: user names,
 * logins, cluster names, addresses, host and resource names.
 */
export function identifyingStrings(): string[] {
  const keys =
    /^(user|login|cluster_name|user_name|bot_name|addr\.local|addr\.remote|server_hostname|server_addr|kubernetes_cluster|kubernetes_users|kubernetes_pod_name|db_service|db_name|db_user|db_uri|app_name|app_uri|app_public_addr|public_addr|desktop_addr|desktop_name|windows_domain|windows_user|participants)$/;
  const found = new Set<string>();
  for (const line of fixtureLines) {
    for (const [key, value] of Object.entries(JSON.parse(line) as Record<string, unknown>)) {
      if (!keys.test(key)) continue;
      for (const v of Array.isArray(value) ? value : [value])
        if (typeof v === "string" && v !== "") found.add(v);
    }
  }
  return [...found];
}
