import type { V1Deployment } from '@kubernetes/client-node';

import { PreconditionError } from '../../core/errors.js';
import type { Host } from '../../core/host.js';
import type { Change } from '../../core/plan.js';
import type { ClusterClient } from './cluster-client.js';
import { nginxDefaultCertificateArg, type KubernetesObject } from './manifests.js';

const FLAG = '--default-ssl-certificate';

function takeoverRefusal(controller: string, current: string, wanted: string): PreconditionError {
  return new PreconditionError(
    `${controller} already uses ${current} as its default certificate; this step would replace ` +
      `it with ${wanted}, and another step or tool set it. Set 'set-default: false' to only sync ` +
      'the Secret (and name it in your Ingress tls), or change the default by hand first.',
  );
}

async function findController(
  cluster: ClusterClient,
  namespace: string,
  isController: (deployment: V1Deployment) => boolean,
): Promise<V1Deployment | undefined> {
  const deployments = await cluster.list<V1Deployment>('apps/v1', 'Deployment', namespace);
  return deployments.find(isController);
}

function containers(deployment: V1Deployment) {
  return deployment.spec?.template.spec?.containers ?? [];
}

/** defaultCertificateArg reads `--default-ssl-certificate` in its one- or two-token form. */
function defaultCertificateArg(args: readonly string[]): string | undefined {
  const index = args.findIndex((arg) => arg === FLAG || arg.startsWith(`${FLAG}=`));
  if (index < 0) return undefined;
  const arg = args[index] ?? '';
  return arg === FLAG ? args[index + 1] : arg.slice(FLAG.length + 1);
}

function withoutDefaultCertificate(args: readonly string[]): string[] {
  const result: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === FLAG) i++;
    else if (!arg.startsWith(`${FLAG}=`)) result.push(arg);
  }
  return result;
}

async function planTraefik(
  cluster: ClusterClient,
  namespace: string,
  secretName: string,
): Promise<Change[]> {
  const traefik = await findController(cluster, namespace, (d) =>
    containers(d).some((c) => /(^|\/)traefik(:|@|$)/.test(c.image ?? '')),
  );
  if (!traefik) {
    throw new PreconditionError(
      `No Traefik Deployment runs in namespace '${namespace}'. Traefik reads its default TLSStore ` +
        "only in its own namespace: set 'namespace' to Traefik's, or 'ingress-controller' to nginx.",
    );
  }
  let stores: KubernetesObject[];
  try {
    stores = await cluster.list<KubernetesObject & { kind: string }>(
      'traefik.io/v1alpha1',
      'TLSStore',
      namespace,
    );
  } catch (error) {
    throw new PreconditionError(
      "Traefik's CRDs (traefik.io/v1alpha1 TLSStore) are not installed in this cluster, so the " +
        "step cannot set Traefik's default certificate. Install Traefik v3's CRDs, or set " +
        "'set-default: false'.",
      { cause: error },
    );
  }
  const store = stores.find((s) => s.metadata.name === 'default') as
    (KubernetesObject & { spec?: { defaultCertificate?: { secretName?: string } } }) | undefined;
  const current = store?.spec?.defaultCertificate?.secretName;
  if (current === secretName) return [];
  if (current) {
    throw takeoverRefusal(
      `Traefik's TLSStore ${namespace}/default`,
      `Secret ${current}`,
      secretName,
    );
  }
  const object: KubernetesObject = {
    apiVersion: 'traefik.io/v1alpha1',
    kind: 'TLSStore',
    metadata: {
      name: 'default',
      namespace,
      labels: { 'app.kubernetes.io/managed-by': 'keyvault-cert-bind' },
    },
    spec: { defaultCertificate: { secretName } },
  };
  return [
    {
      action: `Apply TLSStore ${namespace}/default (Traefik's default certificate: ${secretName})`,
      resource: 'traefik.io/v1alpha1/TLSStore',
      apply: () => cluster.apply(object),
    },
  ];
}

async function planNginx(
  cluster: ClusterClient,
  namespace: string,
  secretName: string,
  host: Host,
): Promise<Change[]> {
  const controller = await findController(cluster, namespace, (d) =>
    containers(d).some((c) =>
      (c.args ?? []).some((arg) => arg.endsWith('/nginx-ingress-controller')),
    ),
  );
  const container = controller
    ? containers(controller).find((c) =>
        (c.args ?? []).some((arg) => arg.endsWith('/nginx-ingress-controller')),
      )
    : undefined;
  if (!controller || !container) {
    throw new PreconditionError(
      `No ingress-nginx controller Deployment runs in namespace '${namespace}'. Set 'namespace' ` +
        "to the controller's namespace, or set controller.extraArgs.default-ssl-certificate in " +
        "its Helm values (written to 'output-dir' as ingress-nginx-values.yaml).",
    );
  }
  const args = container.args ?? [];
  const wanted = `${namespace}/${secretName}`;
  const current = defaultCertificateArg(args);
  if (current === wanted) return [];
  const name = controller.metadata?.name ?? '';
  if (current)
    throw takeoverRefusal(`ingress-nginx controller ${namespace}/${name}`, current, wanted);
  if (controller.metadata?.labels?.['app.kubernetes.io/managed-by'] === 'Helm') {
    host.warning(
      `The ingress-nginx controller ${namespace}/${name} is managed by Helm: the next helm ` +
        'upgrade will drop the flag this step adds. Put controller.extraArgs.default-ssl-certificate ' +
        `= ${wanted} in its values as well ('output-dir' writes that fragment).`,
    );
  }
  const patched = [
    ...withoutDefaultCertificate(args),
    nginxDefaultCertificateArg(namespace, secretName),
  ];
  return [
    {
      action: `Set ${FLAG}=${wanted} on ingress-nginx controller ${namespace}/${name}`,
      resource: `apps/v1/Deployment ${namespace}/${name}`,
      apply: () =>
        cluster.patchStrategic({
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: {
            name,
            namespace,
            // The server refuses the patch if the controller changed since it was read.
            resourceVersion: controller.metadata?.resourceVersion,
          } as KubernetesObject['metadata'],
          spec: { template: { spec: { containers: [{ name: container.name, args: patched }] } } },
        }),
    },
  ];
}

/**
 * planControllerWiring plans what makes the Secret the ingress controller's default certificate,
 * checking before any write that the controller runs in the namespace (and, for Traefik, that its
 * CRDs exist) and refusing to replace a default that another step or tool set.
 */
export async function planControllerWiring(
  cluster: ClusterClient,
  namespace: string,
  controller: 'traefik' | 'nginx',
  secretName: string,
  host: Host,
): Promise<Change[]> {
  return controller === 'traefik'
    ? planTraefik(cluster, namespace, secretName)
    : planNginx(cluster, namespace, secretName, host);
}
