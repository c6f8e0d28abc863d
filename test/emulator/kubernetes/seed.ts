import { randomBytes } from 'node:crypto';

import { deterministicGuid } from '../guid.js';
import type { EmulatorState } from '../state.js';
import { isRecord, type KubeObject, type KubernetesCluster } from './cluster.js';
import { writeAsController } from './object-store.js';

/** SeedKubernetesSecret is a Secret that exists before the run (created by hand or by Helm). */
export interface SeedKubernetesSecret {
  readonly namespace: string;
  readonly name: string;
  /** Default `Opaque`. */
  readonly type?: string;
  /** When true, it carries `secrets-store.csi.k8s.io/managed: "true"` (the driver made it). */
  readonly managed?: boolean;
  /** base64 values. */
  readonly data?: Readonly<Record<string, string>>;
  /** Plain-text values (folded into `data`, as the API server does). */
  readonly stringData?: Readonly<Record<string, string>>;
}

/** SeedIngressController is an ingress controller Deployment installed with Helm. */
export interface SeedIngressController {
  readonly type: 'nginx' | 'traefik';
  readonly namespace: string;
  /** Default `ingress-nginx-controller` or `traefik`. */
  readonly name?: string;
  /** The controller container's args; defaults are the charts'. */
  readonly args?: readonly string[];
}

/** SeedNodeIdentity is a user-assigned identity on the node pool (the kubelet identity and others). */
export interface SeedNodeIdentity {
  readonly clientId: string;
  /** Default: the seeded client's or user-assigned identity's with that client id, else derived. */
  readonly principalId?: string;
}

/** SeedWorkloadIdentity is an identity federated with one ServiceAccount of the cluster. */
export interface SeedWorkloadIdentity {
  readonly clientId: string;
  readonly principalId?: string;
  readonly namespace: string;
  readonly serviceAccount: string;
}

/** SeedDriverSettings are the Secrets Store CSI driver's settings. */
export interface SeedDriverSettings {
  /** Default true. */
  readonly rotationEnabled?: boolean;
  /** Default 500. */
  readonly rotationPollIntervalMs?: number;
}

/** SeedKubernetes is the optional `kubernetes` section of the seed: one emulated cluster. */
export interface SeedKubernetes {
  /** Namespaces besides `default`, `kube-system`, `kube-public`, `kube-node-lease`. */
  readonly namespaces?: readonly string[];
  readonly secrets?: readonly SeedKubernetesSecret[];
  /** Whether Traefik's CRDs (traefik.io/v1alpha1 TLSStore) are installed; default false. */
  readonly traefikCrdsInstalled?: boolean;
  readonly ingressControllers?: readonly SeedIngressController[];
  readonly nodeIdentities?: readonly SeedNodeIdentity[];
  readonly workloadIdentities?: readonly SeedWorkloadIdentity[];
  /** Default `https://oidc.emulator.local/cluster/`. */
  readonly oidcIssuer?: string;
  readonly driver?: SeedDriverSettings;
}

const BUILT_IN_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

/** validateKubernetesSeed checks the `kubernetes` section; `fail` throws a SeedError. */
export function validateKubernetesSeed(value: unknown, fail: (message: string) => never): void {
  if (value === undefined) return;
  if (!isRecord(value)) fail('kubernetes: expected an object');
  const list = (key: string): unknown[] => {
    const items = value[key];
    if (items === undefined) return [];
    if (!Array.isArray(items)) fail(`kubernetes.${key}: expected an array`);
    return items;
  };
  const text = (item: unknown, where: string): string => {
    if (typeof item !== 'string' || item === '') fail(`${where}: expected a non-empty string`);
    return item;
  };
  list('namespaces').forEach((n, i) => text(n, `kubernetes.namespaces[${i}]`));
  list('secrets').forEach((s, i) => {
    const where = `kubernetes.secrets[${i}]`;
    if (!isRecord(s)) fail(`${where}: expected an object`);
    text(s['namespace'], `${where}.namespace`);
    text(s['name'], `${where}.name`);
  });
  list('ingressControllers').forEach((c, i) => {
    const where = `kubernetes.ingressControllers[${i}]`;
    if (!isRecord(c)) fail(`${where}: expected an object`);
    if (c['type'] !== 'nginx' && c['type'] !== 'traefik') fail(`${where}.type: nginx or traefik`);
    text(c['namespace'], `${where}.namespace`);
  });
  list('nodeIdentities').forEach((n, i) => {
    if (!isRecord(n)) fail(`kubernetes.nodeIdentities[${i}]: expected an object`);
    text(n['clientId'], `kubernetes.nodeIdentities[${i}].clientId`);
  });
  list('workloadIdentities').forEach((w, i) => {
    const where = `kubernetes.workloadIdentities[${i}]`;
    if (!isRecord(w)) fail(`${where}: expected an object`);
    text(w['clientId'], `${where}.clientId`);
    text(w['namespace'], `${where}.namespace`);
    text(w['serviceAccount'], `${where}.serviceAccount`);
  });
  if (value['driver'] !== undefined && !isRecord(value['driver'])) {
    fail('kubernetes.driver: expected an object');
  }
}

/**
 * buildCluster creates the cluster a seed describes (namespaces, Secrets, controllers) and
 * registers its identities as directory principals, so that grants to them can be made.
 */
export function buildCluster(seed: SeedKubernetes, state: EmulatorState): KubernetesCluster {
  const principalOf = (clientId: string, given: string | undefined): string => {
    const principalId =
      given ??
      state.clients.find((c) => c.clientId.toLowerCase() === clientId.toLowerCase())?.objectId ??
      [...state.userAssignedIdentities.values()].find(
        (u) => u.clientId.toLowerCase() === clientId.toLowerCase(),
      )?.principalId ??
      deterministicGuid(`kubernetes-identity:${clientId.toLowerCase()}`);
    if (!state.principals.has(principalId.toLowerCase())) {
      state.principals.set(principalId.toLowerCase(), {
        objectId: principalId,
        appId: clientId,
        displayName: `cluster-identity-${clientId.slice(0, 8)}`,
        principalType: 'ServicePrincipal',
      });
    }
    return principalId;
  };
  const cluster: KubernetesCluster = {
    token: randomBytes(24).toString('base64url'),
    objects: new Map(),
    resourceVersion: 1000,
    nodeIdentities: (seed.nodeIdentities ?? []).map((n) => ({
      clientId: n.clientId,
      principalId: principalOf(n.clientId, n.principalId),
    })),
    workloadIdentities: (seed.workloadIdentities ?? []).map((w) => ({
      clientId: w.clientId,
      principalId: principalOf(w.clientId, w.principalId),
      namespace: w.namespace,
      serviceAccount: w.serviceAccount,
    })),
    oidcIssuer: seed.oidcIssuer ?? 'https://oidc.emulator.local/cluster/',
    traefikCrdsInstalled: seed.traefikCrdsInstalled === true,
    driver: {
      rotationEnabled: seed.driver?.rotationEnabled ?? true,
      rotationPollIntervalMs: seed.driver?.rotationPollIntervalMs ?? 500,
    },
    onChange: () => undefined,
  };
  const namespaces = new Set([
    ...BUILT_IN_NAMESPACES,
    ...(seed.namespaces ?? []),
    ...(seed.ingressControllers ?? []).map((c) => c.namespace),
  ]);
  for (const name of namespaces) {
    writeAsController(
      cluster,
      {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name, labels: { 'kubernetes.io/metadata.name': name } },
        spec: { finalizers: ['kubernetes'] },
        status: { phase: 'Active' },
      },
      'kube-apiserver',
    );
  }
  for (const secret of seed.secrets ?? []) {
    writeAsController(cluster, seedSecret(secret), 'kubectl-create');
  }
  for (const controller of seed.ingressControllers ?? []) {
    writeAsController(cluster, controllerDeployment(controller), 'helm');
  }
  return cluster;
}

function seedSecret(secret: SeedKubernetesSecret): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: secret.name,
      namespace: secret.namespace,
      ...(secret.managed === true
        ? { labels: { 'secrets-store.csi.k8s.io/managed': 'true' } }
        : {}),
    },
    type: secret.type ?? 'Opaque',
    ...(secret.data ? { data: { ...secret.data } } : {}),
    ...(secret.stringData ? { stringData: { ...secret.stringData } } : {}),
  };
}

const NGINX_ARGS = [
  '/nginx-ingress-controller',
  '--publish-service=$(POD_NAMESPACE)/ingress-nginx-controller',
  '--election-id=ingress-nginx-leader',
  '--controller-class=k8s.io/ingress-nginx',
  '--ingress-class=nginx',
  '--configmap=$(POD_NAMESPACE)/ingress-nginx-controller',
];

const TRAEFIK_ARGS = [
  '--entryPoints.web.address=:8000/tcp',
  '--entryPoints.websecure.address=:8443/tcp',
  '--api.dashboard=true',
  '--ping=true',
  '--providers.kubernetescrd',
  '--providers.kubernetesingress',
];

/** controllerDeployment renders an ingress controller's Deployment as its Helm chart would. */
export function controllerDeployment(controller: SeedIngressController): KubeObject {
  const nginx = controller.type === 'nginx';
  const name = controller.name ?? (nginx ? 'ingress-nginx-controller' : 'traefik');
  const labels: Record<string, string> = nginx
    ? {
        'app.kubernetes.io/name': 'ingress-nginx',
        'app.kubernetes.io/instance': 'ingress-nginx',
        'app.kubernetes.io/component': 'controller',
      }
    : {
        'app.kubernetes.io/name': 'traefik',
        'app.kubernetes.io/instance': `traefik-${controller.namespace}`,
      };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name,
      namespace: controller.namespace,
      labels: { ...labels, 'app.kubernetes.io/managed-by': 'Helm' },
    },
    spec: {
      replicas: 1,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          serviceAccountName: nginx ? 'ingress-nginx' : 'traefik',
          containers: [
            {
              name: nginx ? 'controller' : 'traefik',
              image: nginx
                ? 'registry.k8s.io/ingress-nginx/controller:v1.15.1'
                : 'docker.io/traefik:v3.7.11',
              args: [...(controller.args ?? (nginx ? NGINX_ARGS : TRAEFIK_ARGS))],
            },
          ],
        },
      },
    },
  };
}
