import type { Prng } from "./prng.js";
import { internalAddress } from "./addresses.js";
import { APPS, CLUSTER_ROLES, DATABASES, DESKTOPS, KUBE_CLUSTERS, KUBE_NAMESPACES } from "./names.js";

/** The synthetic Teleport clusters of one tenant and the resources each one protects. */

export interface Server {
  readonly id: string;
  readonly hostname: string;
  /** "ip:port" */
  readonly addr: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Agentless OpenSSH node: sessions start with session.connect and are recorded at the proxy. */
  readonly openssh: boolean;
}

export interface Workload {
  readonly namespace: string;
  readonly deployment: string;
  readonly image: string;
}

export interface KubeCluster {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly agentId: string;
  readonly agentHostname: string;
  readonly nodes: readonly string[];
  readonly workloads: readonly Workload[];
}

export interface Database {
  readonly service: string;
  readonly protocol: string;
  readonly uri: string;
  readonly names: readonly string[];
  readonly type: string;
  readonly origin: string;
  readonly region: string | undefined;
  readonly labels: Readonly<Record<string, string>>;
  readonly agentId: string;
  readonly agentHostname: string;
}

export interface App {
  readonly name: string;
  readonly uri: string;
  readonly publicAddr: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly paths: readonly string[];
  readonly agentId: string;
  readonly agentHostname: string;
}

export interface Desktop {
  readonly name: string;
  readonly addr: string;
  readonly domain: string;
  readonly serviceId: string;
  readonly labels: Readonly<Record<string, string>>;
}

export interface Cluster {
  readonly name: string;
  readonly env: string;
  /** Bucket that receives session recordings. */
  readonly recordingsBucket: string;
  readonly weight: number;
  readonly servers: readonly Server[];
  readonly kube: readonly KubeCluster[];
  readonly databases: readonly Database[];
  readonly apps: readonly App[];
  readonly desktops: readonly Desktop[];
}

function subset<T>(prng: Prng, items: readonly T[], min: number, max: number): T[] {
  const pool = [...items];
  const count = Math.min(pool.length, prng.between(min, max));
  const out: T[] = [];
  for (let i = 0; i < count; i += 1) out.push(pool.splice(prng.int(pool.length), 1)[0] as T);
  return out;
}

function clusterRole(index: number): string {
  return index < CLUSTER_ROLES.length ? (CLUSTER_ROLES[index] as string) : `site${index + 1}`;
}

function buildCluster(prng: Prng, org: string, index: number): Cluster {
  const role = clusterRole(index);
  const env = ["prod", "staging", "dev"].includes(role) ? role : "prod";
  const slug = `${org}-${role}`;
  const name = `${slug}.teleport.sh`;

  const servers: Server[] = [];
  const serverCount = prng.between(6, 24);
  for (let i = 0; i < serverCount; i += 1) {
    const openssh = prng.chance(0.15);
    const ip = internalAddress(prng, index, prng.between(1, 9));
    const hostname = openssh ? `legacy-bastion-${i + 1}` : `ip-${ip.replaceAll(".", "-")}`;
    servers.push({
      id: prng.uuid(),
      hostname,
      addr: `${ip}:${openssh ? 22 : 3022}`,
      labels: { env, hostname },
      openssh,
    });
  }

  const kube = subset(prng, KUBE_CLUSTERS, 1, 3).map((k): KubeCluster => {
    const region = k.region;
    return {
      name: k.name,
      labels: { region, env },
      agentId: prng.uuid(),
      agentHostname: "teleport-kube-agent-0",
      nodes: Array.from(
        { length: 3 },
        () => `ip-${internalAddress(prng, index, 33).replaceAll(".", "-")}.${region}.compute.internal`,
      ),
      workloads: subset(prng, KUBE_NAMESPACES, 2, 4).map((namespace) => {
        const deployment = prng.pick(["api", "worker", "web", "scheduler"]);
        const version = `${prng.between(1, 4)}.${prng.between(0, 20)}.${prng.between(0, 9)}`;
        return {
          namespace,
          deployment,
          image: `123456789012.dkr.ecr.us-west-2.amazonaws.com/${namespace}-${deployment}:${version}`,
        };
      }),
    };
  });

  const databases = subset(prng, DATABASES, 1, 3).map((d, i): Database => ({
    service: d.service,
    protocol: d.protocol,
    uri:
      d.type === "self-hosted"
        ? `${internalAddress(prng, index, 20)}:${d.port}`
        : `${d.service}.cxyz1abc2def.us-east-1.${d.type === "redshift" ? "redshift" : "rds"}.amazonaws.com:${d.port}`,
    names: d.names,
    type: d.type,
    origin: d.origin,
    region: d.type === "self-hosted" ? undefined : "us-east-1",
    labels: { env, engine: d.protocol },
    agentId: prng.uuid(),
    agentHostname: `db-agent-${i + 1}`,
  }));

  const apps = subset(prng, APPS, 1, 4).map((a, i): App => ({
    name: a.name,
    uri: a.uri,
    publicAddr: `${a.name}.${name}`,
    labels: { team: prng.pick(["observability", "platform", "data", "ci"]) },
    paths: a.paths,
    agentId: prng.uuid(),
    agentHostname: `app-agent-${i + 1}`,
  }));

  const desktops = subset(prng, DESKTOPS, 1, 3).map((d): Desktop => ({
    name: d,
    addr: `${internalAddress(prng, index, 30)}:3389`,
    domain: `corp.${org}.com`,
    serviceId: prng.uuid(),
    labels: { env, "teleport.dev/ad": "true", "teleport.dev/origin": "dynamic" },
  }));

  return {
    name,
    env,
    recordingsBucket: `${slug}-teleport-sessions`,
    // The first cluster carries most of the traffic, the others less and less.
    weight: 1 / (index + 1),
    servers,
    kube,
    databases,
    apps,
    desktops,
  };
}

export function buildEstate(prng: Prng, org: string, clusters: number): Cluster[] {
  return Array.from({ length: clusters }, (_, i) => buildCluster(prng, org, i));
}
