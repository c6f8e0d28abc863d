import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

import type { V1Secret } from '@kubernetes/client-node';
import { stringify } from 'yaml';

import type { AzureContext } from '../../core/azure-context.js';
import { formatDuration, sleep } from '../../core/backoff.js';
import { PreconditionError } from '../../core/errors.js';
import type { KubernetesBindOptions } from '../../core/options.js';
import type { Change, Check, TargetPlan } from '../../core/plan.js';
import { findServicePrincipalObjectId } from '../../graph/service-principal.js';
import { readCertificateMetadata, type CertificateMetadata } from '../../keyvault/certificate.js';
import { checkCertificateUsable } from '../../keyvault/certificate-checks.js';
import { SecretAccessClient, planSecretRead } from '../../keyvault/secret-access.js';
import { VaultClient, isFirewallClosed } from '../../keyvault/vault.js';
import { IdentityClient } from '../application-gateway/identity-client.js';
import { ClusterClient } from './cluster-client.js';
import { planControllerWiring } from './controller-wiring.js';
import {
  objectNames,
  renderManifests,
  toDns1123Name,
  type KubernetesObject,
  type RenderedManifests,
} from './manifests.js';

const MANAGED_LABEL = 'secrets-store.csi.k8s.io/managed';
const POLL_MS = 1000;

/** The provider's names of the sovereign clouds (`cloudName`); the public cloud needs none. */
const PROVIDER_CLOUD_NAMES: Record<string, string | undefined> = {
  AzureUSGovernment: 'AzureUSGovernmentCloud',
  AzureChinaCloud: 'AzureChinaCloud',
};

/** PodIdentityPrincipal is the identity the CSI driver reads Key Vault as. */
interface PodIdentityPrincipal {
  readonly clientId: string;
  readonly principalId: string;
}

/**
 * isSubset tells whether every field of `desired` is in `live` with the same value: the live
 * object may hold more (defaults, status, other managers' fields) without being out of date.
 */
export function isSubset(desired: unknown, live: unknown): boolean {
  if (Array.isArray(desired)) {
    return (
      Array.isArray(live) &&
      desired.length === live.length &&
      desired.every((item, index) => isSubset(item, live[index]))
    );
  }
  if (typeof desired === 'object' && desired !== null) {
    if (typeof live !== 'object' || live === null) return false;
    return Object.entries(desired).every(([key, value]) =>
      isSubset(value, (live as Record<string, unknown>)[key]),
    );
  }
  return desired === live;
}

async function resolveIdentity(
  options: KubernetesBindOptions,
  context: AzureContext,
): Promise<PodIdentityPrincipal> {
  const given = options.kubernetes.identityClientId;
  if (given.startsWith('/')) {
    const identity = await new IdentityClient(context).find(given);
    if (!identity) {
      throw new PreconditionError(
        `Input 'identity-client-id' names ${given}, which does not exist or is not readable.`,
      );
    }
    context.host.info(`Identity ${identity.name}: client id ${identity.clientId}`);
    return { clientId: identity.clientId, principalId: identity.principalId };
  }
  const principalId = await findServicePrincipalObjectId(
    context,
    given,
    () =>
      "Give 'identity-client-id' as the identity's resource id instead, so that its principal " +
      'is read from Azure Resource Manager.',
  );
  return { clientId: given, principalId };
}

/** writeManifests writes the rendered manifests for GitOps and Helm users. */
async function writeManifests(
  directory: string,
  rendered: RenderedManifests,
  setDefault: boolean,
): Promise<string[]> {
  await mkdir(directory, { recursive: true });
  const written: string[] = [];
  for (const object of rendered.objects) {
    if (object.kind === 'TLSStore' && !setDefault) continue;
    const file = path.join(directory, `${object.kind.toLowerCase()}-${object.metadata.name}.yaml`);
    await writeFile(file, stringify(object));
    written.push(file);
  }
  if (rendered.nginxValues && setDefault) {
    const file = path.join(directory, 'ingress-nginx-values.yaml');
    await writeFile(file, rendered.nginxValues);
    written.push(file);
  }
  return written;
}

/** secretThumbprint reads a synced TLS Secret: its leaf's thumbprint, if the pair is sound. */
function secretThumbprint(secret: V1Secret | undefined): string | undefined {
  const crt = secret?.data?.['tls.crt'];
  const key = secret?.data?.['tls.key'];
  if (!crt || !key) return undefined;
  try {
    const leaf = new X509Certificate(Buffer.from(crt, 'base64'));
    if (!leaf.checkPrivateKey(createPrivateKey(Buffer.from(key, 'base64')))) return undefined;
    return leaf.fingerprint.replace(/:/g, '').toUpperCase();
  } catch {
    return undefined;
  }
}

function isManaged(secret: V1Secret | undefined): boolean {
  return secret?.metadata?.labels?.[MANAGED_LABEL] === 'true';
}

/**
 * waitForSecret polls until the CSI driver has synced the Secret with Key Vault's current
 * thumbprint; on timeout it says what the sync pod and its events show.
 */
async function waitForSecret(
  cluster: ClusterClient,
  reference: Pick<KubernetesObject, 'apiVersion' | 'kind' | 'metadata'>,
  certificate: CertificateMetadata,
  timeoutMs: number,
  context: AzureContext,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'missing';
  while (Date.now() < deadline) {
    const secret = await cluster.read<V1Secret>(reference);
    const thumbprint = secretThumbprint(secret);
    if (thumbprint === certificate.thumbprint) {
      context.host.info(`Secret ${reference.metadata.name} holds ${thumbprint}.`);
      return;
    }
    const now = !secret
      ? 'missing'
      : thumbprint
        ? `holding ${thumbprint}`
        : 'without a valid key pair';
    if (now !== last) context.host.info(`Secret ${reference.metadata.name}: ${now}; waiting.`);
    last = now;
    await sleep(POLL_MS);
  }

  const namespace = reference.metadata.namespace ?? '';
  const selector = `app.kubernetes.io/name=keyvault-cert-bind-sync,app.kubernetes.io/instance=${reference.metadata.name}`;
  const pods = await cluster.podsAndEvents(namespace, selector);
  const report = pods
    .map(({ pod, events }) => {
      const why = events
        .slice(-5)
        .map((event) => `${event.reason}: ${event.message}`)
        .join(' | ');
      return `pod ${pod.metadata?.name} is ${pod.status?.phase ?? 'unknown'}${why ? ` (${why})` : ''}.`;
    })
    .join('; ');
  throw new PreconditionError(
    `Failed to see Secret ${namespace}/${reference.metadata.name} hold thumbprint ` +
      `${certificate.thumbprint} within ${formatDuration(timeoutMs)} (it is ${last}). ` +
      `${report || 'No sync pod is running.'} ${
        last.startsWith('holding')
          ? 'The driver has not fetched the new version: turn on its secret rotation (AKS ' +
            'add-on: az aks addon update --addon azure-keyvault-secrets-provider ' +
            '--enable-secret-rotation), or restart the sync pod. '
          : ''
      }Check the pod identity's access to the vault and ` +
      'that the Secrets Store CSI driver syncs Secrets (the AKS add-on does; a self-managed ' +
      "driver needs syncSecret.enabled), or raise 'wait-timeout'.",
  );
}

/**
 * planKubernetesBinding renders the manifests that bring the Key Vault certificate to the
 * ingress controller through the Secrets Store CSI driver, grants the pod identity read on the
 * secret, and plans their server-side apply, the wait for the synced Secret, and the controller
 * wiring. Objects already as rendered are not applied again.
 */
export async function planKubernetesBinding(
  options: KubernetesBindOptions,
  context: AzureContext,
  now: Date,
): Promise<TargetPlan> {
  const { host, cloud } = context;
  const input = options.kubernetes;
  const access = new SecretAccessClient(context);

  const { vault, certificate, identity } = await host.group(
    'Read the vault, the certificate and the identity',
    async () => {
      const vault = await new VaultClient(context).resolveVault(
        options.keyVault,
        options.subscriptionId,
      );
      host.info(`Vault: ${vault.id} (${vault.rbac ? 'Azure RBAC' : 'access policies'})`);
      const certificate = await readCertificateMetadata(context, vault, options.certificate);
      host.info(
        `Certificate: ${certificate.name} version ${certificate.version}, thumbprint ` +
          `${certificate.thumbprint}, expires ${certificate.expiresOn.toISOString()}`,
      );
      return { vault, certificate, identity: await resolveIdentity(options, context) };
    },
  );

  return host.group('Check and plan', async () => {
    const checks: Check[] = checkCertificateUsable(
      certificate,
      vault,
      now,
      'the ingress controller',
    );
    if (isFirewallClosed(vault)) {
      checks.push({
        subject: 'Vault firewall',
        outcome: 'warning',
        detail:
          "closed: the cluster's nodes must reach the vault (node subnet rule or private " +
          'endpoint); this step cannot check that from here',
      });
    }
    if (options.certificateVersion) {
      host.warning(
        `'certificate' names version ${options.certificateVersion}: the SecretProviderClass pins ` +
          'it (objectVersion), so renewals will not reach the Secret until the step runs again.',
      );
    }

    const secretName = input.secretName ?? toDns1123Name(certificate.name);
    const rendered = renderManifests({
      namespace: input.namespace,
      secretName,
      vaultName: vault.name,
      tenantId: vault.tenantId,
      certificate: certificate.name,
      objectVersion: options.certificateVersion,
      identity: { kind: input.identityType, clientId: identity.clientId },
      cloudName: PROVIDER_CLOUD_NAMES[cloud.name],
      ingressController: input.ingressController,
    });
    if (input.outputDir) {
      const files = await writeManifests(input.outputDir, rendered, input.setDefault);
      checks.push({ subject: 'Manifests written', outcome: 'ok', detail: files.join(', ') });
    }
    if (input.identityType === 'workload') {
      checks.push({
        subject: 'Workload identity',
        outcome: 'ok',
        detail:
          `federate client ${identity.clientId} with subject system:serviceaccount:` +
          `${input.namespace}:${objectNames(secretName).serviceAccount}`,
      });
    }

    const changes: Change[] = [];
    const secretRead = await planSecretRead(access, {
      vault,
      secretName: certificate.name,
      principalId: identity.principalId,
      reader: `The pod identity (client ${identity.clientId})`,
      permissions: { secrets: ['get'], certificates: [] },
      grantAccess: options.grantAccess,
    });
    if (secretRead.check) checks.push(secretRead.check);
    if (secretRead.change) changes.push(secretRead.change);
    for (const check of checks) {
      if (check.outcome === 'warning') host.warning(`${check.subject}: ${check.detail}`);
    }

    const outputs = () => ({
      'secret-name': secretName,
      thumbprint: certificate.thumbprint,
      'expires-on': certificate.expiresOn.toISOString(),
    });
    const title = `Kubernetes ${input.namespace}/${secretName}`;
    if (!input.apply) return { title, checks, changes, outputs };

    const cluster = ClusterClient.fromEnvironment();
    const namespace = await cluster.read({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: input.namespace },
    });
    if (!namespace) {
      throw new PreconditionError(
        `Namespace '${input.namespace}' does not exist in the cluster. Set 'namespace' to the ` +
          "ingress controller's namespace: the Secret must live beside the controller.",
      );
    }
    const wiring = input.setDefault
      ? await planControllerWiring(
          cluster,
          input.namespace,
          input.ingressController,
          secretName,
          host,
        )
      : [];

    const secretReference = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: secretName, namespace: input.namespace },
    };
    const secret = await cluster.read<V1Secret>(secretReference);
    if (secret && !isManaged(secret)) {
      if (!input.adopt) {
        throw new PreconditionError(
          `Secret ${input.namespace}/${secretName} already exists and the CSI driver does not ` +
            `manage it (no label ${MANAGED_LABEL}=true), so the driver would never update it and ` +
            "rotation would fail. Set 'adopt: true' to delete it so that the driver recreates it, " +
            "or choose another 'secret-name'. This step never writes the Secret itself.",
        );
      }
      changes.push({
        action: `Delete unmanaged Secret ${input.namespace}/${secretName} (adopt), so the CSI driver recreates it`,
        resource: `${input.namespace}/${secretName}`,
        apply: () => cluster.delete(secretReference),
      });
    }

    const current = secretThumbprint(secret);
    const names = objectNames(secretName);
    let applied = 0;
    for (const object of rendered.objects) {
      if (object.kind === 'TLSStore') continue;
      if (isSubset(object, await cluster.read(object))) continue;
      applied++;
      changes.push({
        action: `Apply ${object.kind} ${input.namespace}/${object.metadata.name}`,
        resource: `${object.apiVersion}/${object.kind}`,
        apply: () => cluster.apply(object),
      });
    }

    if (applied > 0 || !isManaged(secret) || current !== certificate.thumbprint) {
      changes.push({
        action: `Wait for Secret ${input.namespace}/${secretName} to hold ${certificate.thumbprint}`,
        resource: `${input.namespace}/${secretName}`,
        write: false,
        apply: () =>
          waitForSecret(cluster, secretReference, certificate, input.waitTimeoutMs, context),
      });
    }

    // The controller is pointed at the Secret only once it exists (B27: a default certificate
    // that is missing at start makes the controller serve its fake one).
    changes.push(...wiring);
    checks.push({
      subject: 'Sync objects',
      outcome: 'ok',
      detail: `${names.deployment} mounts ${names.secretProviderClass} in ${input.namespace}`,
    });
    return { title, checks, changes, outputs };
  });
}
