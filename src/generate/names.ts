/** Word pools the synthetic population and resources are drawn from. */

export const ORGANIZATIONS = [
  "acme",
  "globex",
  "initech",
  "umbrella",
  "hooli",
  "stark",
  "wayne",
  "wonka",
  "tyrell",
  "cyberdyne",
  "soylent",
  "massive",
] as const;

/** Cluster name suffixes, in the order clusters are created; more clusters are numbered. */
export const CLUSTER_ROLES = ["prod", "staging", "dev", "eu", "ci", "sandbox"] as const;

export const FIRST_NAMES = [
  "alice",
  "bob",
  "carol",
  "dave",
  "erin",
  "frank",
  "grace",
  "heidi",
  "ivan",
  "judy",
  "mallory",
  "niaj",
  "olivia",
  "peggy",
  "rupert",
  "sybil",
  "trent",
  "victor",
  "walter",
  "wendy",
  "yusuf",
  "zoe",
  "amara",
  "bruno",
  "chen",
  "dmitri",
  "elena",
  "farah",
  "goran",
  "hana",
  "ines",
  "jonas",
  "kenji",
  "leila",
  "marco",
  "nadia",
  "oscar",
  "priya",
  "quinn",
  "rosa",
  "sven",
  "tariq",
  "uma",
  "vera",
  "wei",
  "ximena",
  "yara",
  "zain",
] as const;

export const LAST_NAMES = [
  "smith",
  "jones",
  "garcia",
  "mueller",
  "rossi",
  "kim",
  "nguyen",
  "okafor",
  "patel",
  "silva",
  "tanaka",
  "novak",
  "dubois",
  "hansen",
  "kowalski",
  "ivanova",
  "haddad",
  "cohen",
  "santos",
  "olsen",
  "yilmaz",
  "mensah",
  "fischer",
  "moreau",
] as const;

export const BOT_NAMES = [
  "ci-deployer",
  "argocd-sync",
  "terraform",
  "backup-runner",
  "github-actions",
  "jenkins",
  "ansible",
  "monitoring",
  "db-migrator",
  "log-shipper",
] as const;

export const SSO_CONNECTORS = [
  { id: "okta", method: "saml" },
  { id: "github", method: "github" },
  { id: "google", method: "oidc" },
] as const;

export const USER_AGENTS = [
  "tsh/18.2.1 (darwin/arm64)",
  "tsh/18.2.1 (linux/amd64)",
  "tsh/17.7.4 (windows/amd64)",
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Safari/605.1.15",
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/128.0.0.0 Safari/537.36",
  "Teleport Connect/18.2.1 (darwin/arm64)",
] as const;

export const BOT_USER_AGENT = "tbot/18.2.1 (linux/amd64)";

export const ROLES = ["access", "editor", "auditor", "kube-admin", "db-reader", "requester"] as const;

export const SSH_LOGINS = ["ubuntu", "ec2-user", "root", "admin"] as const;

export const SHELL_COMMANDS = [
  "systemctl status nginx",
  "journalctl -u payments-api --since -1h",
  "df -h",
  "sudo systemctl restart payments-api",
  "tail -n 200 /var/log/syslog",
  "uptime",
  "docker ps",
] as const;

export const KUBE_COMMANDS = ["/bin/sh", "/bin/bash", "env", "cat /etc/resolv.conf", "ls /app"] as const;

export const KUBE_NAMESPACES = ["payments", "api", "web", "monitoring", "data", "auth"] as const;

export const KUBE_RESOURCES = [
  { group: "", kind: "pods", path: "/api/v1/namespaces/{ns}/pods" },
  { group: "", kind: "services", path: "/api/v1/namespaces/{ns}/services" },
  { group: "", kind: "configmaps", path: "/api/v1/namespaces/{ns}/configmaps" },
  { group: "apps/v1", kind: "deployments", path: "/apis/apps/v1/namespaces/{ns}/deployments" },
  { group: "apps/v1", kind: "replicasets", path: "/apis/apps/v1/namespaces/{ns}/replicasets" },
  { group: "batch/v1", kind: "jobs", path: "/apis/batch/v1/namespaces/{ns}/jobs" },
] as const;

export const KUBE_CLUSTERS = [
  { name: "eks-prod-us-west-2", region: "us-west-2" },
  { name: "gke-prod-europe-west1", region: "europe-west1" },
  { name: "eks-staging-us-east-1", region: "us-east-1" },
  { name: "aks-dev-eastus", region: "eastus" },
  { name: "k3s-edge-lab", region: "on-prem" },
] as const;

export const DATABASES = [
  {
    service: "orders-prod",
    protocol: "postgres",
    type: "rds",
    origin: "cloud",
    port: 5432,
    names: ["orders"],
  },
  {
    service: "billing",
    protocol: "postgres",
    type: "self-hosted",
    origin: "config",
    port: 5432,
    names: ["billing", "ledger"],
  },
  { service: "users-mysql", protocol: "mysql", type: "rds", origin: "cloud", port: 3306, names: ["users"] },
  {
    service: "events-mongo",
    protocol: "mongodb",
    type: "self-hosted",
    origin: "dynamic",
    port: 27017,
    names: ["events"],
  },
  {
    service: "analytics-redshift",
    protocol: "postgres",
    type: "redshift",
    origin: "cloud",
    port: 5439,
    names: ["warehouse"],
  },
] as const;

export const DB_USERS = ["readonly", "app", "admin", "analyst"] as const;

export const DB_QUERIES: Readonly<Record<string, readonly string[]>> = {
  postgres: [
    "SELECT id, status FROM orders WHERE created_at > now() - interval '1 day';",
    "SELECT count(*) FROM invoices WHERE paid = false;",
    "EXPLAIN ANALYZE SELECT * FROM accounts WHERE email = $1;",
    "UPDATE jobs SET state = 'retry' WHERE id = $1;",
  ],
  mysql: ["SELECT * FROM users WHERE id = ?", "SHOW PROCESSLIST", "SELECT COUNT(*) FROM sessions"],
  mongodb: [
    'OP_MSG: {"find":"events","filter":{"type":"signup"},"limit":20,"$db":"events"}',
    'OP_MSG: {"aggregate":"events","pipeline":[{"$group":{"_id":"$type","n":{"$sum":1}}}],"$db":"events"}',
  ],
};

export const APPS = [
  {
    name: "grafana",
    uri: "http://grafana.internal:3000",
    paths: ["/api/dashboards/uid/k8s-overview", "/api/search", "/d/payments/latency"],
  },
  {
    name: "jenkins",
    uri: "http://jenkins.internal:8080",
    paths: ["/job/deploy/lastBuild/api/json", "/queue/api/json"],
  },
  {
    name: "argocd",
    uri: "https://argocd-server.argocd.svc:443",
    paths: ["/api/v1/applications", "/api/v1/session/userinfo"],
  },
  { name: "pgadmin", uri: "tcp://10.3.0.12:5432", paths: [] },
  { name: "kibana", uri: "http://kibana.internal:5601", paths: ["/api/status", "/app/discover"] },
] as const;

export const DESKTOPS = [
  "ws-finance-01",
  "ws-finance-02",
  "jump-win-01",
  "build-win-03",
  "dc-admin-01",
] as const;

export const PLUGINS = ["okta", "jira", "slack", "pagerduty", "servicenow"] as const;

/** Types an older auth server wrapped as "unknown" (TCC00E). */
export const WRAPPED_TYPES = [
  { type: "okta.assignment.process", code: "TOK005I" },
  { type: "discovery.config.create", code: "DC001I" },
  { type: "spiffe.svid.issued", code: "TSPIFFE000I" },
] as const;

export const ACCESS_REASONS = [
  "investigating incident",
  "deploy hotfix",
  "quarterly access review",
  "debug failing job",
] as const;
