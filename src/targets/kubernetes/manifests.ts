import { stringify } from 'yaml';

/** KubernetesObject is a rendered manifest: plain data, ready for server-side apply or a file. */
export interface KubernetesObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: Readonly<Record<string, string>>;
  };
  readonly [field: string]: unknown;
}

/** PodIdentity says who the CSI driver fetches the secret as. */
export type PodIdentity =
  /** The kubelet (node) managed identity: `useVMManagedIdentity` + `userAssignedIdentityID`. */
  | { readonly kind: 'kubelet'; readonly clientId: string }
  /** A workload identity federated with the sync pod's ServiceAccount: `clientID`. */
  | { readonly kind: 'workload'; readonly clientId: string };

/** ManifestInput is what the manifests are rendered from. */
export interface ManifestInput {
  readonly namespace: string;
  readonly secretName: string;
  readonly vaultName: string;
  readonly tenantId: string;
  readonly certificate: string;
  /** objectVersion pins a version; undefined (the default) follows every renewal. */
  readonly objectVersion: string | undefined;
  readonly identity: PodIdentity;
  /** cloudName is the provider's name for a sovereign cloud; undefined in the public cloud. */
  readonly cloudName: string | undefined;
  readonly ingressController: 'traefik' | 'nginx';
}

/** RenderedManifests are the objects the step applies, and the NGINX wiring as Helm values. */
export interface RenderedManifests {
  readonly objects: readonly KubernetesObject[];
  /** nginxValues is the Helm values fragment that sets the default certificate (NGINX only). */
  readonly nginxValues: string | undefined;
}

const MANAGED_BY = 'keyvault-cert-bind';
const SYNC_IMAGE = 'registry.k8s.io/pause:3.10';

/**
 * toDns1123Name derives a Kubernetes object name from a free-form name (a Key Vault certificate
 * name, a wildcard host): lower case, letters, digits and single hyphens, at most 63 characters.
 */
export function toDns1123Name(value: string): string {
  const name = value
    .toLowerCase()
    .replace(/^\*\./, 'wildcard-')
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .slice(0, 63)
    .replace(/^-+|-+$/g, '');
  return name || 'certificate';
}

function labels(input: ManifestInput): Record<string, string> {
  return {
    'app.kubernetes.io/name': 'keyvault-cert-bind-sync',
    'app.kubernetes.io/instance': input.secretName,
    'app.kubernetes.io/managed-by': MANAGED_BY,
  };
}

/** objectNames gives the names of the rendered objects, derived from the Secret's name. */
export function objectNames(secretName: string): {
  secretProviderClass: string;
  serviceAccount: string;
  deployment: string;
} {
  const base = secretName.slice(0, 57).replace(/-+$/, '');
  return {
    secretProviderClass: `${base}-kv`,
    serviceAccount: `${base}-sync`,
    deployment: `${base}-sync`,
  };
}

function secretProviderClass(input: ManifestInput): KubernetesObject {
  const object = [
    `objectName: ${input.certificate}`,
    // `secret` returns the private key and the chain; `cert` would return the public part only.
    'objectType: secret',
    ...(input.objectVersion ? [`objectVersion: ${input.objectVersion}`] : []),
  ];
  const identity: Record<string, string> =
    input.identity.kind === 'kubelet'
      ? { useVMManagedIdentity: 'true', userAssignedIdentityID: input.identity.clientId }
      : { clientID: input.identity.clientId };
  return {
    apiVersion: 'secrets-store.csi.x-k8s.io/v1',
    kind: 'SecretProviderClass',
    metadata: {
      name: objectNames(input.secretName).secretProviderClass,
      namespace: input.namespace,
      labels: labels(input),
    },
    spec: {
      provider: 'azure',
      // Every parameter value must be a string (the CRD says so); `objects` is YAML in a string.
      parameters: {
        keyvaultName: input.vaultName,
        tenantID: input.tenantId,
        ...identity,
        ...(input.cloudName ? { cloudName: input.cloudName } : {}),
        objects: stringify({ array: [object.join('\n') + '\n'] }),
      },
      secretObjects: [
        {
          secretName: input.secretName,
          type: 'kubernetes.io/tls',
          labels: labels(input),
          data: [
            { objectName: input.certificate, key: 'tls.key' },
            { objectName: input.certificate, key: 'tls.crt' },
          ],
        },
      ],
    },
  };
}

function serviceAccount(input: ManifestInput): KubernetesObject {
  const workload = input.identity.kind === 'workload';
  return {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: {
      name: objectNames(input.secretName).serviceAccount,
      namespace: input.namespace,
      labels: labels(input),
      ...(workload
        ? { annotations: { 'azure.workload.identity/client-id': input.identity.clientId } }
        : {}),
    },
    // The sync pod talks to nothing in the cluster; only workload identity needs a token.
    automountServiceAccountToken: workload,
  };
}

function deployment(input: ManifestInput): KubernetesObject {
  const names = objectNames(input.secretName);
  const podLabels = {
    ...labels(input),
    ...(input.identity.kind === 'workload' ? { 'azure.workload.identity/use': 'true' } : {}),
  };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: names.deployment, namespace: input.namespace, labels: labels(input) },
    spec: {
      replicas: 1,
      selector: { matchLabels: labels(input) },
      template: {
        metadata: { labels: podLabels },
        spec: {
          serviceAccountName: names.serviceAccount,
          // A pod that only holds the CSI mount, so that the Secret exists and follows rotation
          // without making the ingress controller's pods depend on Key Vault.
          containers: [
            {
              name: 'sync',
              image: SYNC_IMAGE,
              resources: {
                requests: { cpu: '1m', memory: '8Mi' },
                limits: { memory: '16Mi' },
              },
              securityContext: {
                runAsNonRoot: true,
                runAsUser: 65535,
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ['ALL'] },
              },
              volumeMounts: [
                { name: 'secrets-store', mountPath: '/mnt/secrets-store', readOnly: true },
              ],
            },
          ],
          volumes: [
            {
              name: 'secrets-store',
              csi: {
                driver: 'secrets-store.csi.k8s.io',
                readOnly: true,
                volumeAttributes: { secretProviderClass: names.secretProviderClass },
              },
            },
          ],
        },
      },
    },
  };
}

function tlsStore(input: ManifestInput): KubernetesObject {
  return {
    apiVersion: 'traefik.io/v1alpha1',
    kind: 'TLSStore',
    // Traefik reads only the store named `default`, in its own namespace.
    metadata: { name: 'default', namespace: input.namespace, labels: labels(input) },
    spec: { defaultCertificate: { secretName: input.secretName } },
  };
}

/** nginxDefaultCertificateArg is the controller flag that makes the Secret NGINX's default. */
export function nginxDefaultCertificateArg(namespace: string, secretName: string): string {
  return `--default-ssl-certificate=${namespace}/${secretName}`;
}

/**
 * renderManifests renders what makes the ingress controller serve the Key Vault certificate: a
 * SecretProviderClass for the Azure provider that syncs a `kubernetes.io/tls` Secret, the sync
 * pod's ServiceAccount and Deployment, and the controller wiring (Traefik's default TLSStore, or
 * NGINX's default-certificate flag as a Helm values fragment).
 */
export function renderManifests(input: ManifestInput): RenderedManifests {
  const objects = [secretProviderClass(input), serviceAccount(input), deployment(input)];
  if (input.ingressController === 'traefik') objects.push(tlsStore(input));
  const nginxValues =
    input.ingressController === 'nginx'
      ? stringify({
          controller: {
            extraArgs: { 'default-ssl-certificate': `${input.namespace}/${input.secretName}` },
          },
        })
      : undefined;
  return { objects, nginxValues };
}
