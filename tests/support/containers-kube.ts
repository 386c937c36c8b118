import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { parseAllDocuments, stringify } from "yaml";

// deploy/kubernetes run by `podman kube play` (podman 4.3, Debian 12): what the test changes in the
// example overlay's rendering, and why. Everything not listed here is played as rendered (the
// pods' security contexts, read-only root file systems and /tmp emptyDir volumes, resources,
// envFrom of the ConfigMap, the images' commands).
//
// - Images: the locally built ones (the overlay names a registry of yours), imagePullPolicy Never.
// - Network: hostNetwork, so that the pods reach this machine's Postgres and Redis on 127.0.0.1 and
//   the test reaches the API on loopback. The ports are then the host's: the API gets a free port
//   (PORT), the workers a free metrics port (the first worker binds it; the others say so in their
//   log and run on, as Hookyard does when the port is taken). The containers' `ports` lists go:
//   podman would publish them, which host networking refuses.
// - Settings: REDIS_URL, the test's own HOOKYARD_QUEUE_PREFIX, HOOKYARD_PUBLIC_URL on loopback and
//   HOOKYARD_ALLOW_PRIVATE_TARGETS=true (the receiver is on loopback), in the ConfigMap.
// - The Secret becomes a ConfigMap of the same keys: podman 4.3 plays no Secret kind (a reference to
//   one would need a podman secret made beforehand, in podman's own store); the values are the test's.
// - The migrate Job becomes a Pod with its pod template (restartPolicy Never): podman 4.3 plays no
//   Jobs. It is played first, and the Deployments once it has exited 0, as README says to apply them.
// - Probes go: podman 4.3 turns httpGet probes into `curl` health checks, and the images have no
//   curl. The test asks the probes' URLs itself (/readyz and /healthz of the API, the worker's /healthz).
// - Names get the test's suffix: podman's pods, containers and volumes (each emptyDir becomes a
//   named volume) are global on the machine.
// - Left out, as podman 4.3 plays only Pods, Deployments, ConfigMaps and PersistentVolumeClaims:
//   the Namespace, the Service, the HorizontalPodAutoscaler and the PodDisruptionBudgets. So the API
//   runs one pod (its Deployment has no replicas; the HPA would make it 2).

const root = fileURLToPath(new URL("../..", import.meta.url));
export const EXAMPLE_OVERLAY = "deploy/kubernetes/overlays/example";

type Resource = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; [key: string]: unknown };
  [key: string]: any;
};

/** `kubectl kustomize` of the example overlay, as an operator would apply it. */
export function renderExampleOverlay(): Resource[] {
  const rendered = execFileSync("kubectl", ["kustomize", EXAMPLE_OVERLAY], { cwd: root, encoding: "utf8" });
  return parseAllDocuments(rendered).map((doc) => {
    if (doc.errors.length) throw new Error(`kubectl kustomize printed bad YAML: ${doc.errors[0]}`);
    return doc.toJS() as Resource;
  });
}

export interface KubePlayOptions {
  suffix: string;
  images: { api: string; worker: string; migrate: string };
  apiPort: number;
  workerMetricsPort: number;
  /** The Secret's values (DATABASE_URL, HOOKYARD_ADMIN_TOKEN, HOOKYARD_INGEST_TOKENS, HOOKYARD_ENCRYPTION_KEYS). */
  secrets: Record<string, string>;
  /** ConfigMap entries to set (REDIS_URL, HOOKYARD_QUEUE_PREFIX, ...). */
  config: Record<string, string>;
}

export interface KubePlayFiles {
  /** The migrate Job as a Pod, with the ConfigMaps it reads. */
  migrate: string;
  /** The API and worker Deployments, with the ConfigMaps they read. */
  deployments: string;
  /** Names of what podman creates: `<deployment>-pod-<n>` and the migrate pod. */
  names: { api: string; worker: string; migrate: string };
}

const PLAYED_KINDS = new Set(["ConfigMap", "Secret", "Deployment", "Job"]);

function only<T>(items: T[], what: string): T {
  if (items.length !== 1) throw new Error(`expected one ${what} in the rendered overlay, found ${items.length}`);
  return items[0] as T;
}

function containerOf(podSpec: any, name: string): any {
  return only(
    podSpec.containers.filter((c: any) => c.name === name),
    `container ${name}`,
  );
}

function setEnv(container: any, name: string, value: string): void {
  container.env = (container.env ?? []).filter((e: any) => e.name !== name);
  container.env.push({ name, value });
}

/** Secret references become ConfigMap references (same name, same keys). */
function secretRefsToConfigMap(podSpec: any): void {
  for (const container of podSpec.containers) {
    for (const from of container.envFrom ?? []) {
      if (from.secretRef) {
        from.configMapRef = from.secretRef;
        delete from.secretRef;
      }
    }
    for (const env of container.env ?? []) {
      if (env.valueFrom?.secretKeyRef) {
        env.valueFrom.configMapKeyRef = env.valueFrom.secretKeyRef;
        delete env.valueFrom.secretKeyRef;
      }
    }
  }
}

function forPodman(podSpec: any, image: (name: string) => string, suffix: string): void {
  podSpec.hostNetwork = true;
  for (const container of podSpec.containers) {
    container.image = image(container.image);
    container.imagePullPolicy = "Never";
    // podman publishes every containerPort, which host networking refuses ("PortMappings can only
    // be used with Bridge or slirp4netns networking"); on the host's network they are open anyway.
    delete container.ports;
    // podman 4.3 turns an httpGet probe into a `curl -f http://localhost:<port>/<path>` health
    // check: the images have no curl (and without systemd podman never runs it). The test asks the
    // probes' URLs itself.
    delete container.livenessProbe;
    delete container.readinessProbe;
    delete container.startupProbe;
    for (const mount of container.volumeMounts ?? []) mount.name = `${mount.name}-${suffix}`;
  }
  // podman 4.3 makes each emptyDir a named volume (named as in the pod spec), shared by every pod
  // that names it the same: each test's pods get their own.
  for (const volume of podSpec.volumes ?? []) volume.name = `${volume.name}-${suffix}`;
  secretRefsToConfigMap(podSpec);
}

/** The example overlay, rendered by kustomize, adapted as the header of this file says. */
export function kubePlayFiles(resources: Resource[], options: KubePlayOptions): KubePlayFiles {
  const skipped = resources.filter((r) => !PLAYED_KINDS.has(r.kind)).map((r) => r.kind);
  const unexpected = skipped.filter(
    (k) => !["Namespace", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget"].includes(k),
  );
  if (unexpected.length)
    throw new Error(`the overlay renders kinds this adaptation does not know: ${unexpected.join(", ")}`);

  const image = (name: string) => {
    for (const [app, local] of Object.entries(options.images)) {
      if (name.split("/").pop()?.startsWith(`hookyard-${app}:`)) return local;
    }
    throw new Error(`no local image for ${name}`);
  };

  const config = structuredClone(
    only(
      resources.filter((r) => r.kind === "ConfigMap"),
      "ConfigMap",
    ),
  );
  Object.assign(config.data, options.config, {
    PORT: String(options.apiPort),
    HOOKYARD_WORKER_METRICS_PORT: String(options.workerMetricsPort),
  });
  const secret = only(
    resources.filter((r) => r.kind === "Secret"),
    "Secret",
  );
  const missing = Object.keys(secret.stringData ?? {}).filter((key) => !(key in options.secrets));
  if (missing.length) throw new Error(`no test value for the Secret's ${missing.join(", ")}`);
  const secretAsConfigMap: Resource = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: secret.metadata.name },
    data: { ...options.secrets },
  };

  const job = structuredClone(
    only(
      resources.filter((r) => r.kind === "Job"),
      "Job",
    ),
  );
  const migrateName = `${job.metadata.name}-${options.suffix}`;
  const migratePod: Resource = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: migrateName, labels: job.spec.template.metadata?.labels ?? {} },
    spec: structuredClone(job.spec.template.spec),
  };
  forPodman(migratePod.spec, image, options.suffix);

  const deployments = resources
    .filter((r) => r.kind === "Deployment")
    .map((r) => {
      const deployment = structuredClone(r);
      deployment.metadata.name = `${deployment.metadata.name}-${options.suffix}`;
      forPodman(deployment.spec.template.spec, image, options.suffix);
      return deployment;
    });
  const api = only(
    deployments.filter((d) => d.metadata.name.startsWith("hookyard-api-")),
    "API Deployment",
  );
  const worker = only(
    deployments.filter((d) => d.metadata.name.startsWith("hookyard-worker-")),
    "worker Deployment",
  );
  // The Deployments set these two in their containers' env too (over the ConfigMap): keep them in step.
  setEnv(containerOf(api.spec.template.spec, "api"), "PORT", String(options.apiPort));
  setEnv(
    containerOf(worker.spec.template.spec, "worker"),
    "HOOKYARD_WORKER_METRICS_PORT",
    String(options.workerMetricsPort),
  );

  const yaml = (docs: Resource[]) => docs.map((doc) => stringify(doc)).join("---\n");
  return {
    migrate: yaml([config, secretAsConfigMap, migratePod]),
    deployments: yaml([config, secretAsConfigMap, ...deployments]),
    names: { api: api.metadata.name, worker: worker.metadata.name, migrate: migrateName },
  };
}
