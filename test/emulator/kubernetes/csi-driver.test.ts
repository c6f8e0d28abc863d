import { X509Certificate } from 'node:crypto';

import {
  CoreV1Api,
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startEmulator, type RunningEmulator } from '../index.js';
import type { Seed } from '../seed.js';

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const KUBELET = '11111111-1111-4111-8111-111111111111';
const OTHER = '22222222-2222-4222-8222-222222222222';
const KUBELET_OBJECT = '33333333-3333-4333-8333-333333333333';
const NAMESPACES = ['one', 'rotate', 'idle', 'legacy', 'ambiguous', 'misspelt'];

const seed: Seed = {
  tenantId: TENANT,
  subscriptions: [{ id: '00000000-0000-4000-8000-000000000001' }],
  vaults: [
    {
      resourceGroup: 'rg-kv',
      name: 'kv1',
      location: 'westeurope',
      accessPolicies: [{ objectId: KUBELET_OBJECT, permissions: { secrets: ['get'] } }],
      certificates: [{ name: 'cert1', dnsNames: ['app1.contoso.com'] }],
    },
  ],
  kubernetes: {
    namespaces: NAMESPACES,
    nodeIdentities: [{ clientId: KUBELET, principalId: KUBELET_OBJECT }, { clientId: OTHER }],
    secrets: [
      { namespace: 'legacy', name: 'tls-app1', type: 'Opaque', stringData: { note: 'by hand' } },
    ],
    driver: { rotationPollIntervalMs: 100 },
  },
};

function providerClass(namespace: string, identity: Record<string, string>): KubernetesObject {
  const objects = 'array:\n  - |\n    objectName: cert1\n    objectType: secret\n';
  return {
    apiVersion: 'secrets-store.csi.x-k8s.io/v1',
    kind: 'SecretProviderClass',
    metadata: { name: 'app-tls', namespace },
    spec: {
      provider: 'azure',
      parameters: { keyvaultName: 'kv1', tenantID: TENANT, objects, ...identity },
      secretObjects: [
        {
          secretName: 'tls-app1',
          type: 'kubernetes.io/tls',
          data: [
            { objectName: 'cert1', key: 'tls.key' },
            { objectName: 'cert1', key: 'tls.crt' },
          ],
        },
      ],
    },
  } as KubernetesObject;
}

function syncDeployment(namespace: string): KubernetesObject {
  const labels = { app: 'tls-sync' };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'tls-sync', namespace },
    spec: {
      replicas: 1,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          containers: [
            {
              name: 'sync',
              image: 'registry.k8s.io/pause:3.10',
              volumeMounts: [{ name: 'secrets-store', mountPath: '/mnt/secrets', readOnly: true }],
            },
          ],
          volumes: [
            {
              name: 'secrets-store',
              csi: {
                driver: 'secrets-store.csi.k8s.io',
                readOnly: true,
                volumeAttributes: { secretProviderClass: 'app-tls' },
              },
            },
          ],
        },
      },
    },
  } as KubernetesObject;
}

async function waitFor<T>(probe: () => Promise<T | undefined>, what: string): Promise<T> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('simulated Secrets Store CSI driver with the Azure provider', () => {
  let emulator: RunningEmulator;
  let objects: KubernetesObjectApi;
  let core: CoreV1Api;

  const apply = (object: KubernetesObject): Promise<KubernetesObject> =>
    objects.patch(object, undefined, undefined, 'test', true, PatchStrategy.ServerSideApply);

  const thumbprintOf = async (namespace: string): Promise<string | undefined> => {
    try {
      const secret = await core.readNamespacedSecret({ name: 'tls-app1', namespace });
      const crt = Buffer.from(secret.data?.['tls.crt'] ?? '', 'base64').toString();
      return new X509Certificate(crt).fingerprint.replace(/:/g, '');
    } catch {
      return undefined;
    }
  };

  const podEvents = async (namespace: string, reason: string): Promise<string | undefined> => {
    const pods = await core.listNamespacedPod({ namespace });
    const pod = pods.items[0];
    if (!pod?.metadata?.name) return undefined;
    const events = await core.listNamespacedEvent({
      namespace,
      fieldSelector: `involvedObject.name=${pod.metadata.name}`,
    });
    return events.items.find((e) => e.reason === reason)?.message;
  };

  const currentThumbprint = (): string =>
    emulator.state.vaults.get('kv1')?.certificates.get('cert1')?.versions.at(-1)?.thumbprint ?? '';

  beforeAll(async () => {
    emulator = await startEmulator({ seed });
    const kc = new KubeConfig();
    kc.loadFromFile(emulator.info.kubeconfig ?? '');
    objects = KubernetesObjectApi.makeApiClient(kc);
    core = kc.makeApiClient(CoreV1Api);
  });
  afterAll(async () => {
    await emulator.stop();
  });

  it('runs the pod and syncs a kubernetes.io/tls Secret with the vault thumbprint', async () => {
    await apply(
      providerClass('one', { useVMManagedIdentity: 'true', userAssignedIdentityID: KUBELET }),
    );
    await apply(syncDeployment('one'));
    const thumbprint = await waitFor(() => thumbprintOf('one'), 'the synced Secret');
    expect(thumbprint).toBe(currentThumbprint());
    const secret = await core.readNamespacedSecret({ name: 'tls-app1', namespace: 'one' });
    expect(secret.type).toBe('kubernetes.io/tls');
    expect(secret.metadata?.labels?.['secrets-store.csi.k8s.io/managed']).toBe('true');
    expect(Buffer.from(secret.data?.['tls.key'] ?? '', 'base64').toString()).toContain(
      'PRIVATE KEY',
    );
    const pods = await core.listNamespacedPod({ namespace: 'one', labelSelector: 'app=tls-sync' });
    expect(pods.items.map((p) => p.status?.phase)).toEqual(['Running']);
  });

  it('rotates the Secret after a renewal in Key Vault while a pod mounts the class', async () => {
    await apply(
      providerClass('rotate', { useVMManagedIdentity: 'true', userAssignedIdentityID: KUBELET }),
    );
    await apply(syncDeployment('rotate'));
    const before = await waitFor(() => thumbprintOf('rotate'), 'the first sync');
    const renewed = await fetch(`${emulator.info.controlUrl}/vaults/kv1/certificates/cert1/renew`, {
      method: 'POST',
      body: '{}',
    });
    const { thumbprint } = (await renewed.json()) as { thumbprint: string };
    expect(thumbprint).not.toBe(before);
    await waitFor(
      async () => ((await thumbprintOf('rotate')) === thumbprint ? true : undefined),
      'the rotation',
    );
  });

  it('syncs nothing while no pod mounts the class', async () => {
    await apply(
      providerClass('idle', { useVMManagedIdentity: 'true', userAssignedIdentityID: KUBELET }),
    );
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(await thumbprintOf('idle')).toBeUndefined();
  });

  it('never touches a same-name Secret without the managed label, and says so in an event', async () => {
    await apply(
      providerClass('legacy', { useVMManagedIdentity: 'true', userAssignedIdentityID: KUBELET }),
    );
    await apply(syncDeployment('legacy'));
    const message = await waitFor(() => podEvents('legacy', 'SecretRotationFailed'), 'the event');
    expect(message).toContain('failed to patch secret tls-app1 with new data');
    const secret = await core.readNamespacedSecret({ name: 'tls-app1', namespace: 'legacy' });
    expect(secret.type).toBe('Opaque');
    expect(Object.keys(secret.data ?? {})).toEqual(['note']);
  });

  it('fails the mount when several node identities exist and no client id is given', async () => {
    await apply(providerClass('ambiguous', { useVMManagedIdentity: 'true' }));
    await apply(syncDeployment('ambiguous'));
    const message = await waitFor(() => podEvents('ambiguous', 'FailedMount'), 'FailedMount');
    expect(message).toContain('Multiple user assigned identities exist');
    const pods = await core.listNamespacedPod({ namespace: 'ambiguous' });
    const waiting = pods.items[0]?.status?.containerStatuses?.[0]?.state?.waiting?.reason;
    expect(waiting).toBe('ContainerCreating');
  });

  it('ignores userAssignedIdentityId (wrong case), as the provider does', async () => {
    await apply(
      providerClass('misspelt', { useVMManagedIdentity: 'true', userAssignedIdentityId: KUBELET }),
    );
    await apply(syncDeployment('misspelt'));
    const message = await waitFor(() => podEvents('misspelt', 'FailedMount'), 'FailedMount');
    expect(message).toContain('Multiple user assigned identities exist');
    expect(await thumbprintOf('misspelt')).toBeUndefined();
  });
});
