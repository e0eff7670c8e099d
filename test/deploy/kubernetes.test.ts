import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { commandOptions, parseCommandLine, type HelpOption, type UsedFlag } from "../compose/cli-help.js";
import { REPO_ROOT } from "../support/cli.js";

/**
 * deploy/kubernetes/ checked without a cluster: every object against the Kubernetes 1.27 OpenAPI schemas
 * (kubernetes-models' validators, made strict about unknown fields here), every container of the
 * product against the real CLI (commands, flags, variables), and every file, secret and probe against
 * the objects and the README's kubectl commands.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Obj = { [key: string]: Json };

/** A scalar field as text; anything else is a mistake in the manifest. */
function str(value: Json | undefined): string {
  if (typeof value === "string" || typeof value === "number") return String(value);
  throw new Error(`expected a string, got ${JSON.stringify(value)}`);
}

interface Manifest {
  file: string;
  apiVersion: string;
  kind: string;
  name: string;
  body: Obj;
}

const DIR = join(REPO_ROOT, "deploy/kubernetes");
const FILES = ["tenant-side.yaml", "central-side.yaml"];
const IMAGE = /^tenant-events:/;
const HEALTH = "deploy/grpc-health.mjs";

function readManifests(file: string): Manifest[] {
  return parseAllDocuments(readFileSync(join(DIR, file), "utf8")).map((doc) => {
    if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0]!.message}`);
    const body = doc.toJS() as Obj;
    const metadata = body["metadata"] as Obj;
    return {
      file,
      apiVersion: str(body["apiVersion"]),
      kind: str(body["kind"]),
      name: str(metadata["name"]),
      body,
    };
  });
}

const manifests = FILES.flatMap(readManifests);

/** kubernetes-models' schema module for an object: "apps/v1" Deployment → IoK8sApiAppsV1Deployment. */
function schemaName(apiVersion: string, kind: string): string {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["core", apiVersion];
  const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
  return `IoK8sApi${cap(group!)}${cap(version!)}${kind}`;
}

type Validator = ((data: unknown) => boolean) & {
  errors?: { instancePath: string; keyword: string; params: Record<string, unknown> }[];
};

async function validator(m: Manifest): Promise<Validator> {
  const module = (await import(`kubernetes-models/_schemas/${schemaName(m.apiVersion, m.kind)}`)) as {
    validate: Validator;
  };
  return module.validate;
}

/**
 * The schemas accept unknown fields, so a misspelt one ("readinesProbe") would pass. The validator reads
 * every field its schema knows, so a field it never read is one Kubernetes does not know either.
 */
function watched(value: Json, read: Map<object, Set<string>>): Json {
  if (value === null || typeof value !== "object") return value;
  const keys = read.get(value) ?? new Set<string>();
  read.set(value, keys);
  return new Proxy(value, {
    get(target, key, receiver) {
      if (typeof key === "string") keys.add(key);
      return watched(Reflect.get(target, key, receiver) as Json, read);
    },
  });
}

function unreadFields(value: Json, read: Map<object, Set<string>>, path = ""): string[] {
  if (value === null || typeof value !== "object") return [];
  const keys = read.get(value);
  return Object.entries(value).flatMap(([key, child]) => [
    ...(Array.isArray(value) || keys?.has(key) === true ? [] : [`${path}/${key}`]),
    ...unreadFields(child, read, `${path}/${key}`),
  ]);
}

/** Schema errors and unknown fields of one object; empty when it is valid. */
async function problems(m: Manifest): Promise<string[]> {
  const validate = await validator(m);
  const copy = structuredClone(m.body);
  const read = new Map<object, Set<string>>();
  const valid = validate(watched(copy, read));
  const errors = valid
    ? []
    : (validate.errors ?? []).map((e) => `${e.instancePath}: ${e.keyword} ${JSON.stringify(e.params)}`);
  return [...errors, ...unreadFields(copy, read).map((p) => `${p}: unknown field`)];
}

interface Container {
  manifest: Manifest;
  pod: Obj;
  spec: Obj;
  name: string;
  args: string[];
}

function podSpec(m: Manifest): Obj | undefined {
  const template = ((m.body["spec"] as Obj | undefined)?.["template"] as Obj | undefined) ?? undefined;
  return template?.["spec"] as Obj | undefined;
}

const containers: Container[] = manifests.flatMap((m) => {
  const pod = podSpec(m);
  if (pod === undefined) return [];
  return (pod["containers"] as Obj[]).map((spec) => ({
    manifest: m,
    pod,
    spec,
    name: str(spec["name"]),
    args: (spec["args"] as string[] | undefined) ?? [],
  }));
});
const product = containers.filter((c) => IMAGE.test(str(c.spec["image"])));

const helps = new Map<string, Map<string, HelpOption>>();
function flagsOf(c: Container): UsedFlag[] {
  const [command, ...args] = c.args;
  const options = helps.get(command ?? "");
  if (options === undefined) throw new Error(`${c.name}: no help for command "${command}"`);
  return parseCommandLine(args, options);
}
function flag(c: Container, name: string): string | undefined {
  return flagsOf(c).find((f) => f.flag === name)?.value;
}

/** Where each mounted path of a container comes from: a secret or config map and the keys it projects. */
function mounts(c: Container): { path: string; source: { kind: string; name: string; keys: string[] } }[] {
  const volumes = new Map((c.pod["volumes"] as Obj[]).map((v) => [str(v["name"]), v]));
  return ((c.spec["volumeMounts"] as Obj[] | undefined) ?? []).map((mount) => {
    const volume = volumes.get(str(mount["name"]));
    if (volume === undefined) throw new Error(`${c.name}: mounts unknown volume ${str(mount["name"])}`);
    const secret = volume["secret"] as Obj | undefined;
    const configMap = volume["configMap"] as Obj | undefined;
    const claim = volume["persistentVolumeClaim"] as Obj | undefined;
    const from = secret ?? configMap;
    const items = ((from?.["items"] as Obj[] | undefined) ?? []).map((i) => str(i["key"]));
    const source =
      secret !== undefined
        ? { kind: "secret", name: str(secret["secretName"]), keys: items }
        : configMap !== undefined
          ? { kind: "configmap", name: str(configMap["name"]), keys: items }
          : { kind: "claim", name: str(claim?.["claimName"]), keys: [] };
    return { path: str(mount["mountPath"]), source };
  });
}

/** `kubectl create secret generic NAME --from-…=KEY…` and `create configmap` lines of the README. */
function documentedSources(): Map<string, Set<string>> {
  const readme = readFileSync(join(DIR, "README.md"), "utf8").replace(/\\\n\s*/g, " ");
  const found = new Map<string, Set<string>>();
  for (const m of readme.matchAll(
    /create (secret generic|configmap) ([a-z0-9-]+)((?:\s+--from-[a-z]+=\S+)+)/g,
  )) {
    const kind = m[1] === "configmap" ? "configmap" : "secret";
    const keys = [...m[3]!.matchAll(/--from-[a-z]+=([^\s=]+)/g)].map((k) => k[1]!);
    found.set(`${kind}/${m[2]}`, new Set(keys));
  }
  return found;
}

beforeAll(async () => {
  const commands = new Set(product.map((c) => c.args[0] ?? "(none)"));
  await Promise.all([...commands].map(async (c) => helps.set(c, await commandOptions(c))));
}, 60_000);

describe("deploy/kubernetes against the Kubernetes schemas", () => {
  it("holds the objects each side needs", () => {
    const kinds = manifests.map((m) => `${m.file}:${m.kind}/${m.name}`);
    expect(kinds).toEqual(
      expect.arrayContaining([
        "tenant-side.yaml:Deployment/tenant-events-reporter",
        "tenant-side.yaml:PersistentVolumeClaim/tenant-events-state",
        "central-side.yaml:Deployment/tenant-events-tenants",
        "central-side.yaml:Service/tenant-events-tenants",
        "central-side.yaml:HorizontalPodAutoscaler/tenant-events-tenants",
        "central-side.yaml:PodDisruptionBudget/tenant-events-tenants",
      ]),
    );
  });

  it.each(manifests.map((m) => [`${m.file} ${m.kind}/${m.name}`, m] as const))(
    "%s is valid, with no field Kubernetes does not know",
    async (_name, m) => {
      expect(await problems(m)).toEqual([]);
    },
  );

  it("notices an invalid value and a misspelt field (the check can fail)", async () => {
    const deployment = manifests.find((m) => m.kind === "Deployment")!;
    const badValue = structuredClone(deployment);
    (badValue.body["spec"] as Obj)["replicas"] = "two";
    expect(await problems(badValue)).toEqual(['/spec/replicas: type {"type":"integer"}']);
    const misspelt = structuredClone(deployment);
    const container = (podSpec(misspelt)!["containers"] as Obj[])[0]!;
    container["readinesProbe"] = container["readinessProbe"]!;
    expect(await problems(misspelt)).toEqual([
      "/spec/template/spec/containers/0/readinesProbe: unknown field",
    ]);
  });
});

describe("deploy/kubernetes against the CLI", () => {
  it("runs serve and report on the tenant side, tenants on the central side", () => {
    expect(product.map((c) => `${c.manifest.file}:${c.args[0]}`).sort()).toEqual([
      "central-side.yaml:tenants",
      "tenant-side.yaml:report",
      "tenant-side.yaml:serve",
    ]);
  });

  it("uses only flags the commands have, with a value exactly where one is taken", () => {
    for (const c of product) expect(() => flagsOf(c), c.name).not.toThrow();
  });

  it("sets only TENANT_EVENTS_* variables an option of the container's command reads", () => {
    for (const c of product) {
      const known = new Set([...helps.get(c.args[0]!)!.values()].flatMap((o) => [o.env, o.secretEnv]));
      for (const env of (c.spec["env"] as Obj[] | undefined) ?? []) {
        const name = str(env["name"]);
        if (name.startsWith("TENANT_EVENTS_")) expect(known, `${c.name}: ${name}`).toContain(name);
      }
    }
  });

  it("reads every file a flag names from a volume the container mounts, with the key projected there", () => {
    for (const c of product) {
      const mounted = mounts(c);
      for (const { flag: name, value } of flagsOf(c)) {
        if (value === undefined || !value.startsWith("/")) continue;
        const mount = mounted.find((m) => value.startsWith(`${m.path}/`));
        expect(mount, `${c.name} ${name} ${value}`).toBeDefined();
        if (mount!.source.kind !== "claim") {
          expect(mount!.source.keys, `${c.name} ${name}`).toContain(value.slice(mount!.path.length + 1));
        }
      }
    }
  });

  it("uses only secrets and config maps the README creates, with the keys it creates", () => {
    const documented = documentedSources();
    const used = product.flatMap((c) => [
      ...mounts(c)
        .filter((m) => m.source.kind !== "claim")
        .map((m) => m.source),
      ...((c.spec["env"] as Obj[] | undefined) ?? [])
        .map((e) => ((e["valueFrom"] as Obj | undefined)?.["secretKeyRef"] as Obj | undefined) ?? undefined)
        .filter((ref): ref is Obj => ref !== undefined)
        .map((ref) => ({ kind: "secret", name: str(ref["name"]), keys: [str(ref["key"])] })),
    ]);
    expect(used.length).toBeGreaterThanOrEqual(4);
    for (const source of used) {
      const keys = documented.get(`${source.kind}/${source.name}`);
      expect(keys, `${source.kind} ${source.name}`).toBeDefined();
      for (const key of source.keys) expect(keys, `${source.kind} ${source.name}`).toContain(key);
    }
  });

  it("keeps the reporter's cursor on the persistent volume, one reporter at a time", () => {
    const report = product.find((c) => c.args[0] === "report")!;
    const cursor = flag(report, "--cursor-file")!;
    const mount = mounts(report).find((m) => cursor.startsWith(`${m.path}/`))!;
    expect(mount.source).toEqual({ kind: "claim", name: "tenant-events-state", keys: [] });
    const deployment = report.manifest.body["spec"] as Obj;
    expect(deployment["replicas"]).toBe(1);
    expect((deployment["strategy"] as Obj)["type"]).toBe("Recreate");
  });

  it("has the reporter reach the events server on the pod's loopback and the central side with TLS", () => {
    const serve = product.find((c) => c.args[0] === "serve")!;
    const report = product.find((c) => c.args[0] === "report")!;
    expect(serve.manifest).toBe(report.manifest);
    expect(flag(serve, "--listen")).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(flag(report, "--server")).toBe(flag(serve, "--listen"));
    expect(flag(report, "--tenants-tls-ca")).toBeDefined();
    expect(flag(report, "--tenant-token-file")).toBeDefined();
  });

  it("serves the central side beyond loopback only with TLS, behind a Service on its gRPC port", () => {
    const tenants = product.find((c) => c.args[0] === "tenants")!;
    expect(flag(tenants, "--listen")).toMatch(/^0\.0\.0\.0:\d+$/);
    expect(flag(tenants, "--tls-cert")).toBeDefined();
    expect(flag(tenants, "--tls-key")).toBeDefined();
    const port = Number(flag(tenants, "--listen")!.split(":")[1]);
    const grpc = (tenants.spec["ports"] as Obj[]).find((p) => p["name"] === "grpc")!;
    expect(grpc["containerPort"]).toBe(port);
    const service = manifests.find((m) => m.kind === "Service" && m.name === "tenant-events-tenants")!;
    const targets = ((service.body["spec"] as Obj)["ports"] as Obj[]).map((p) => p["targetPort"]);
    expect(targets).toContain("grpc");
  });

  it("probes each server's gRPC health through its own port, with the CA where it has TLS", () => {
    for (const c of product.filter((p) => p.args[0] === "serve" || p.args[0] === "tenants")) {
      const port = flag(c, "--listen")!.split(":")[1];
      for (const probe of ["readinessProbe", "livenessProbe"]) {
        const command = ((c.spec[probe] as Obj)["exec"] as Obj)["command"] as string[];
        expect(command.slice(0, 2), `${c.name} ${probe}`).toEqual(["node", HEALTH]);
        expect(command[2]).toMatch(new RegExp(`^(127\\.0\\.0\\.1|localhost):${port}$`));
        if (flag(c, "--tls-cert") !== undefined) {
          const ca = command[3]!;
          const mount = mounts(c).find((m) => ca.startsWith(`${m.path}/`));
          expect(mount?.source.keys, `${c.name} ${probe} CA`).toContain(ca.slice(mount!.path.length + 1));
        } else expect(command).toHaveLength(3);
      }
    }
  });

  it("exposes each --metrics-listen port as a named container port that a Service scrapes", () => {
    const services = manifests.filter((m) => m.kind === "Service");
    const targets = new Set(
      services.flatMap((s) => ((s.body["spec"] as Obj)["ports"] as Obj[]).map((p) => str(p["targetPort"]))),
    );
    for (const c of product) {
      const listen = flag(c, "--metrics-listen");
      expect(listen, c.name).toBeDefined();
      const port = Number(listen!.split(":")[1]);
      const named = (c.spec["ports"] as Obj[]).find((p) => p["containerPort"] === port);
      expect(named, `${c.name} metrics port`).toBeDefined();
      expect(targets, `${c.name} metrics port`).toContain(str(named!["name"]));
    }
  });

  it("runs every product container as non-root with a read-only root file system", () => {
    for (const c of product) {
      expect(c.pod["securityContext"]).toMatchObject({ runAsNonRoot: true });
      expect(c.spec["securityContext"]).toMatchObject({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ["ALL"] },
      });
    }
  });
});
