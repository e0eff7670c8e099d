import { parseYamlSubset, type YamlValue } from "./yaml-subset.js";

/** The parts of a compose service the test checks, with compose's "$$" escapes resolved. */
export interface ComposeService {
  name: string;
  image: string | undefined;
  entrypoint: string[] | undefined;
  command: string[];
  environment: Record<string, string>;
  secrets: string[];
  volumes: { source: string; target: string; readOnly: boolean }[];
  healthcheck: string[] | undefined;
  dependsOn: Record<string, string>;
  ports: string[];
  restart: string | undefined;
}

export interface ComposeFile {
  services: Map<string, ComposeService>;
  /** Top-level secrets: name → file, as written (relative to the compose file). */
  secrets: Map<string, string>;
  volumes: Set<string>;
}

/**
 * Reads docker-compose.yml into what the test needs. Strict about shape: a list where a list belongs,
 * environment as a mapping, depends_on with conditions. A "$" that compose would interpolate is refused,
 * since its value would depend on the user's environment.
 */
export function readComposeFile(source: string): ComposeFile {
  const root = asMap(parseYamlSubset(source), "the file");
  const services = new Map<string, ComposeService>();
  for (const [name, raw] of Object.entries(asMap(root["services"], "services"))) {
    services.set(name, readService(name, asMap(raw, `services.${name}`)));
  }
  const secrets = new Map<string, string>();
  for (const [name, raw] of Object.entries(asMap(root["secrets"] ?? {}, "secrets"))) {
    secrets.set(name, asString(asMap(raw, `secrets.${name}`)["file"], `secrets.${name}.file`));
  }
  const volumes = new Set(Object.keys(asMap(root["volumes"] ?? {}, "volumes")));
  return { services, secrets, volumes };
}

function readService(name: string, raw: { [key: string]: YamlValue }): ComposeService {
  const where = `services.${name}`;
  const environment: Record<string, string> = {};
  for (const [key, value] of Object.entries(asMap(raw["environment"] ?? {}, `${where}.environment`))) {
    environment[key] = asString(value, `${where}.environment.${key}`);
  }
  const dependsOn: Record<string, string> = {};
  for (const [key, value] of Object.entries(asMap(raw["depends_on"] ?? {}, `${where}.depends_on`))) {
    dependsOn[key] = asString(asMap(value, `${where}.depends_on.${key}`)["condition"], `${where}.depends_on`);
  }
  const healthcheck =
    raw["healthcheck"] === undefined
      ? undefined
      : asStrings(asMap(raw["healthcheck"], `${where}.healthcheck`)["test"], `${where}.healthcheck.test`);
  return {
    name,
    image: raw["image"] === undefined ? undefined : asString(raw["image"], `${where}.image`),
    entrypoint:
      raw["entrypoint"] === undefined ? undefined : asStrings(raw["entrypoint"], `${where}.entrypoint`),
    command: asStrings(raw["command"] ?? [], `${where}.command`),
    environment,
    secrets: asStrings(raw["secrets"] ?? [], `${where}.secrets`),
    volumes: asStrings(raw["volumes"] ?? [], `${where}.volumes`).map((v) => readVolume(v, where)),
    healthcheck,
    dependsOn,
    ports: asStrings(raw["ports"] ?? [], `${where}.ports`),
    restart: raw["restart"] === undefined ? undefined : asString(raw["restart"], `${where}.restart`),
  };
}

function readVolume(text: string, where: string): ComposeService["volumes"][number] {
  const parts = text.split(":");
  if (parts.length < 2 || parts.length > 3 || (parts[2] !== undefined && parts[2] !== "ro")) {
    throw new Error(`${where}.volumes: "${text}" is not SOURCE:TARGET[:ro]`);
  }
  return { source: parts[0]!, target: parts[1]!, readOnly: parts[2] === "ro" };
}

function asMap(value: YamlValue | undefined, where: string): { [key: string]: YamlValue } {
  if (value === null || value === undefined || typeof value === "string" || Array.isArray(value)) {
    throw new Error(`${where} is not a mapping`);
  }
  return value;
}

function asStrings(value: YamlValue | undefined, where: string): string[] {
  if (!Array.isArray(value)) throw new Error(`${where} is not a list`);
  return value.map((v, i) => asString(v, `${where}[${i}]`));
}

function asString(value: YamlValue | undefined, where: string): string {
  if (typeof value !== "string") throw new Error(`${where} is not a string`);
  return unescapeDollars(value, where);
}

function unescapeDollars(value: string, where: string): string {
  if (/\$(?!\$)/.test(value.replaceAll("$$", ""))) {
    throw new Error(`${where}: "${value}" would be interpolated by compose (write $$ for a literal $)`);
  }
  return value.replaceAll("$$", "$");
}
