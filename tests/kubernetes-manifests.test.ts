import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { loadConfig } from "@hookyard/config";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler";
import { Job } from "kubernetes-models/batch/v1/Job";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import { ConfigMap } from "kubernetes-models/v1/ConfigMap";
import { Namespace } from "kubernetes-models/v1/Namespace";
import { Secret } from "kubernetes-models/v1/Secret";
import { Service } from "kubernetes-models/v1/Service";
import { beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";

// deploy/kubernetes: the example overlay rendered by kustomize (kubectl's, offline; no cluster), every
// resource checked against the Kubernetes OpenAPI schemas (kubernetes-models), then what an operator
// would check by reading them.

const root = fileURLToPath(new URL("..", import.meta.url));
const overlay = "deploy/kubernetes/overlays/example";

/** The kinds the overlay renders, each with the model that validates it. */
const models = {
  "v1/Namespace": Namespace,
  "v1/ConfigMap": ConfigMap,
  "v1/Secret": Secret,
  "v1/Service": Service,
  "apps/v1/Deployment": Deployment,
  "batch/v1/Job": Job,
  "autoscaling/v2/HorizontalPodAutoscaler": HorizontalPodAutoscaler,
  "policy/v1/PodDisruptionBudget": PodDisruptionBudget,
} as const;

interface Resource {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [key: string]: any;
}

let resources: Resource[] = [];

function one(kind: string, name: string): Resource {
  const found = resources.filter((r) => r.kind === kind && r.metadata.name === name);
  expect(found, `${kind}/${name}`).toHaveLength(1);
  return found[0]!;
}

const deployments = () => resources.filter((r) => r.kind === "Deployment");
/** The pod specs of every workload (Deployments and the Job), by "Kind/name". */
const podSpecs = () =>
  resources
    .filter((r) => r.kind === "Deployment" || r.kind === "Job")
    .map((r) => [`${r.kind}/${r.metadata.name}`, r.spec.template.spec] as const);

/** A probe's or targetPort's port as a number: named ports resolve through the container's ports. */
function portNumber(container: any, port: number | string): number {
  if (typeof port === "number") return port;
  const named = (container.ports ?? []).find((p: any) => p.name === port);
  expect(named, `port ${port} of container ${container.name}`).toBeDefined();
  return named.containerPort;
}

/** Whether a matchLabels selector selects pods with these labels. */
const selects = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.keys(selector).length > 0 && Object.entries(selector).every(([key, value]) => labels[key] === value);

/** "30s", "1m", "2h" in seconds (the duration syntax of Hookyard's settings). */
function seconds(duration: string): number {
  const match = /^(\d+)(ms|s|m|h|d)$/.exec(duration);
  expect(match, `duration ${duration}`).not.toBeNull();
  const unit = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86_400 }[match![2] as "ms" | "s" | "m" | "h" | "d"];
  return Number(match![1]) * unit;
}

/** The variables of README.md's "Configuration" table. */
function readmeVariables(): string[] {
  const readme = readFileSync(`${root}README.md`, "utf8");
  const section = readme.slice(
    readme.indexOf("## Configuration"),
    readme.indexOf("\n## ", readme.indexOf("## Configuration") + 1),
  );
  return [...section.matchAll(/^\| `([A-Z0-9_]+)` /gm)].map((m) => m[1]!);
}

const SECRET_KEYS = ["DATABASE_URL", "HOOKYARD_ADMIN_TOKEN", "HOOKYARD_INGEST_TOKENS", "HOOKYARD_ENCRYPTION_KEYS"];

beforeAll(() => {
  // kubectl is on the machine image (kustomize built in); this test installs nothing.
  const rendered = execFileSync("kubectl", ["kustomize", overlay], { cwd: root, encoding: "utf8" });
  resources = parseAllDocuments(rendered).map((doc) => {
    expect(doc.errors).toEqual([]);
    return doc.toJS() as Resource;
  });
});

describe("deploy/kubernetes, the example overlay", () => {
  it("renders the expected resources, each valid against the Kubernetes schemas", () => {
    const names = resources.map((r) => `${r.kind}/${r.metadata.name}`).sort();
    expect(names).toEqual(
      [
        "ConfigMap/hookyard-config",
        "Deployment/hookyard-api",
        "Deployment/hookyard-worker",
        "HorizontalPodAutoscaler/hookyard-api",
        "Job/hookyard-migrate",
        "Namespace/hookyard",
        "PodDisruptionBudget/hookyard-api",
        "PodDisruptionBudget/hookyard-worker",
        "Secret/hookyard-secrets",
        "Service/hookyard-api",
      ].sort(),
    );
    for (const resource of resources) {
      const key = `${resource.apiVersion}/${resource.kind}` as keyof typeof models;
      const Model = models[key];
      expect(Model, `a model for ${key}`).toBeDefined();
      // Throws with the path of the first field that breaks the schema (type, required, enum).
      expect(() => new Model(resource as any).validate(), `${key} ${resource.metadata.name}`).not.toThrow();
      if (resource.kind !== "Namespace") expect(resource.metadata.namespace).toBe("hookyard");
    }
  });

  it("runs the three images, each workload as the image's non-root user with a read-only root", () => {
    const images = podSpecs().flatMap(([, spec]) => spec.containers.map((c: any) => c.image));
    expect(images.sort()).toEqual([
      "registry.example.com/hookyard/hookyard-api:0.1.0",
      "registry.example.com/hookyard/hookyard-migrate:0.1.0",
      "registry.example.com/hookyard/hookyard-worker:0.1.0",
    ]);
    for (const [name, spec] of podSpecs()) {
      // docker/Dockerfile: USER node, uid 1000. runAsNonRoot alone cannot check a named user.
      expect(spec.securityContext, name).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000 });
      expect(spec.securityContext.seccompProfile?.type, name).toBe("RuntimeDefault");
      // Kubernetes would otherwise add HOOKYARD_API_* variables for the Service hookyard-api.
      expect(spec.enableServiceLinks, name).toBe(false);
      for (const container of spec.containers) {
        expect(container.securityContext, name).toMatchObject({
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ["ALL"] },
        });
        expect(container.securityContext.runAsUser ?? 1000, name).not.toBe(0);
      }
    }
  });

  it("gives every container resource requests and limits, requests within limits", () => {
    const bytes = (q: string) => {
      const match = /^(\d+)(Mi|Gi)$/.exec(q);
      expect(match, `memory ${q}`).not.toBeNull();
      return Number(match![1]) * (match![2] === "Gi" ? 1024 : 1);
    };
    const cores = (q: string) => (q.endsWith("m") ? Number(q.slice(0, -1)) / 1000 : Number(q));
    for (const [name, spec] of podSpecs()) {
      for (const container of spec.containers) {
        const { requests, limits } = container.resources ?? {};
        expect(requests?.cpu && requests?.memory && limits?.cpu && limits?.memory, name).toBeTruthy();
        expect(bytes(requests.memory), name).toBeLessThanOrEqual(bytes(limits.memory));
        expect(cores(requests.cpu), name).toBeLessThanOrEqual(cores(limits.cpu));
      }
    }
    // docs/performance.md, "Delivery": worker RSS up to 296 MB under load; the request covers it.
    const worker = one("Deployment", "hookyard-worker").spec.template.spec.containers[0];
    expect(bytes(worker.resources.requests.memory) * 1024 * 1024).toBeGreaterThanOrEqual(296e6);
  });

  it("probes every Deployment: the API on /readyz and /healthz, the worker on :9465/healthz", () => {
    for (const deployment of deployments()) {
      for (const container of deployment.spec.template.spec.containers) {
        expect(container.livenessProbe?.httpGet?.path, deployment.metadata.name).toBe("/healthz");
      }
    }
    const api = one("Deployment", "hookyard-api").spec.template.spec.containers[0];
    expect(portNumber(api, api.ports[0].name)).toBe(3000);
    expect(api.readinessProbe.httpGet.path).toBe("/readyz");
    expect(portNumber(api, api.readinessProbe.httpGet.port)).toBe(3000);
    expect(portNumber(api, api.livenessProbe.httpGet.port)).toBe(3000);

    const worker = one("Deployment", "hookyard-worker").spec.template.spec.containers[0];
    expect(portNumber(worker, worker.livenessProbe.httpGet.port)).toBe(9465);
    // The port the probe asks is the one the worker listens on.
    const configured =
      worker.env?.find((e: any) => e.name === "HOOKYARD_WORKER_METRICS_PORT")?.value ??
      one("ConfigMap", "hookyard-config").data.HOOKYARD_WORKER_METRICS_PORT;
    expect(Number(configured)).toBe(9465);
  });

  it("lets a stopped worker finish its jobs: grace period longer than the job lock", () => {
    const worker = one("Deployment", "hookyard-worker");
    const lock = seconds(one("ConfigMap", "hookyard-config").data.HOOKYARD_JOB_LOCK);
    expect(lock).toBe(30);
    expect(worker.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThan(30);
    expect(worker.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThan(lock);
    // The API stops within 30 s too.
    expect(one("Deployment", "hookyard-api").spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThan(30);
  });

  it("annotates both for Prometheus, with /metrics open to it in this overlay", () => {
    const expected = { "hookyard-api": "3000", "hookyard-worker": "9465" } as Record<string, string>;
    for (const deployment of deployments()) {
      const template = deployment.spec.template;
      expect(template.metadata.annotations).toMatchObject({
        "prometheus.io/scrape": "true",
        "prometheus.io/port": expected[deployment.metadata.name],
        "prometheus.io/path": "/metrics",
      });
      const ports = template.spec.containers.flatMap((c: any) => c.ports.map((p: any) => p.containerPort));
      expect(ports).toContain(Number(expected[deployment.metadata.name]));
    }
    // Annotation-based scraping sends no token: without this /metrics answers 401.
    expect(one("ConfigMap", "hookyard-config").data.HOOKYARD_METRICS_PUBLIC).toBe("true");
  });

  it("covers README's configuration table: the secrets in the Secret, everything else in the ConfigMap", () => {
    const variables = readmeVariables();
    expect(variables.length).toBeGreaterThan(20);
    const config = one("ConfigMap", "hookyard-config").data as Record<string, string>;
    const secret = one("Secret", "hookyard-secrets");
    expect(Object.keys(secret.stringData).sort()).toEqual([...SECRET_KEYS].sort());
    expect(Object.keys(config).sort()).toEqual(variables.filter((v) => !SECRET_KEYS.includes(v)).sort());
    for (const key of SECRET_KEYS) expect(config).not.toHaveProperty(key);
  });

  it("holds only marked placeholders in the Secret, never a real secret", () => {
    const secret = one("Secret", "hookyard-secrets");
    // stringData only: base64 `data` would hide what it holds from a reader.
    expect(secret.data).toBeUndefined();
    for (const [key, value] of Object.entries(secret.stringData as Record<string, string>)) {
      expect(value, key).toContain("CHANGE-ME-placeholder");
    }
    // Long enough that Hookyard's refusal names the placeholder, not the length (16+ characters):
    // packages/config/src/placeholders.test.ts checks that every value here stops a process.
    expect(secret.stringData.HOOKYARD_ADMIN_TOKEN.length).toBeGreaterThanOrEqual(16);
    // Not the encryption key's: a key everyone can read must not encrypt anything, so the processes
    // refuse it at start, naming HOOKYARD_ENCRYPTION_KEYS.
    expect(() => loadConfig({ HOOKYARD_ENCRYPTION_KEYS: secret.stringData.HOOKYARD_ENCRYPTION_KEYS })).toThrow(
      /^HOOKYARD_ENCRYPTION_KEYS: /,
    );
    // Every workload reads the Secret and the ConfigMap that exist.
    for (const [name, spec] of podSpecs()) {
      for (const container of spec.containers) {
        for (const from of container.envFrom ?? []) {
          if (from.configMapRef) one("ConfigMap", from.configMapRef.name);
          if (from.secretRef) one("Secret", from.secretRef.name);
        }
        for (const env of container.env ?? []) {
          const ref = env.valueFrom?.secretKeyRef;
          if (ref) expect(one("Secret", ref.name).stringData, name).toHaveProperty(ref.key);
        }
      }
    }
  });

  it("scales the API Deployment on CPU with the HPA, and the workers on their own", () => {
    const hpa = one("HorizontalPodAutoscaler", "hookyard-api");
    expect(hpa.apiVersion).toBe("autoscaling/v2");
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: "apps/v1", kind: "Deployment", name: "hookyard-api" });
    one("Deployment", "hookyard-api");
    expect(hpa.spec.metrics).toEqual([
      expect.objectContaining({ type: "Resource", resource: expect.objectContaining({ name: "cpu" }) }),
    ]);
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
    expect(hpa.spec.maxReplicas).toBeGreaterThan(hpa.spec.minReplicas);
    // The HPA owns the API's replica count; a fixed one would fight it on every apply.
    expect(one("Deployment", "hookyard-api").spec.replicas).toBeUndefined();
    // The overlay scales the workers independently.
    expect(one("Deployment", "hookyard-worker").spec.replicas).toBe(3);
    expect(resources.filter((r) => r.kind === "HorizontalPodAutoscaler")).toHaveLength(1);
  });

  it("selects existing pods with each PodDisruptionBudget and the API pods alone with the Service", () => {
    const podLabels = (name: string) => one("Deployment", name).spec.template.metadata.labels as Record<string, string>;
    for (const [pdb, deployment, replicas] of [
      ["hookyard-api", "hookyard-api", one("HorizontalPodAutoscaler", "hookyard-api").spec.minReplicas],
      ["hookyard-worker", "hookyard-worker", one("Deployment", "hookyard-worker").spec.replicas],
    ] as const) {
      const spec = one("PodDisruptionBudget", pdb).spec;
      const matching = deployments().filter((d) => selects(spec.selector.matchLabels, d.spec.template.metadata.labels));
      expect(
        matching.map((d) => d.metadata.name),
        pdb,
      ).toEqual([deployment]);
      // A Deployment's own selector must match its pods too, or it is refused.
      expect(selects(one("Deployment", deployment).spec.selector.matchLabels, podLabels(deployment))).toBe(true);
      // The budget must allow one disruption, or it blocks every node drain.
      if (spec.minAvailable !== undefined) expect(spec.minAvailable).toBeLessThan(replicas);
      if (spec.maxUnavailable !== undefined) expect(spec.maxUnavailable).toBeGreaterThanOrEqual(1);
    }

    const service = one("Service", "hookyard-api");
    const selected = deployments().filter((d) => selects(service.spec.selector, d.spec.template.metadata.labels));
    expect(selected.map((d) => d.metadata.name)).toEqual(["hookyard-api"]);
    const api = one("Deployment", "hookyard-api").spec.template.spec.containers[0];
    expect(service.spec.ports).toHaveLength(1);
    expect(service.spec.ports[0].port).toBe(3000);
    expect(portNumber(api, service.spec.ports[0].targetPort)).toBe(3000);
  });

  it("lets the README's first apply step select the namespace, configuration and migrate Job alone", () => {
    // deploy/kubernetes/README.md: kubectl apply -k ... -l 'app.kubernetes.io/component in (namespace,config,migrate)'
    const first = resources.filter((r) =>
      ["namespace", "config", "migrate"].includes(r.metadata.labels?.["app.kubernetes.io/component"] ?? ""),
    );
    expect(first.map((r) => `${r.kind}/${r.metadata.name}`).sort()).toEqual([
      "ConfigMap/hookyard-config",
      "Job/hookyard-migrate",
      "Namespace/hookyard",
      "Secret/hookyard-secrets",
    ]);
  });

  it("runs the migrate Job once, with the database URL only", () => {
    const job = one("Job", "hookyard-migrate");
    const spec = job.spec.template.spec;
    expect(spec.restartPolicy).toBe("Never");
    expect(job.spec.backoffLimit).toBeGreaterThanOrEqual(1);
    const container = spec.containers[0];
    expect(container.envFrom).toBeUndefined();
    expect(container.env.map((e: any) => e.name)).toEqual(["DATABASE_URL"]);
  });
});
