import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { X509Certificate } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { AppsV1Api, CoreV1Api, KubeConfig, type V1Secret } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Seed } from '../emulator/seed.js';
import { readView } from '../support/emulator-state.js';
import {
  expectConformantTraffic,
  expectNoSecretLeak,
  failureMessage,
  startHarness,
  type Harness,
} from './harness.js';
import { ids, scenarioSeed } from './scenario-seed.js';

const kubelet = {
  name: 'aks-agentpool',
  clientId: '88888888-0000-4000-8000-000000000008',
  principalId: '88888888-0000-4000-8000-0000000000a8',
};
const kubeletId = `/subscriptions/${ids.subscription}/resourceGroups/rg-aks-nodes/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${kubelet.name}`;

function kubernetesSeed(): Seed {
  const base = scenarioSeed();
  return {
    ...base,
    userAssignedIdentities: [
      { resourceGroup: 'rg-aks-nodes', name: 'not-on-nodes', location: 'westeurope' },
      {
        resourceGroup: 'rg-aks-nodes',
        name: kubelet.name,
        location: 'westeurope',
        clientId: kubelet.clientId,
        principalId: kubelet.principalId,
      },
    ],
    kubernetes: {
      namespaces: ['traefik', 'ingress-nginx'],
      traefikCrdsInstalled: true,
      ingressControllers: [
        { type: 'traefik', namespace: 'traefik' },
        { type: 'nginx', namespace: 'ingress-nginx' },
      ],
      nodeIdentities: [{ clientId: kubelet.clientId, principalId: kubelet.principalId }],
      secrets: [
        {
          namespace: 'ingress-nginx',
          name: 'hand-made-tls',
          type: 'kubernetes.io/tls',
          stringData: { 'tls.crt': 'x', 'tls.key': 'y' },
        },
      ],
      driver: { rotationPollIntervalMs: 300 },
    },
  };
}

/** cluster reads the emulated cluster with the real client, trusting it through the kubeconfig. */
function cluster(harness: Harness): { core: CoreV1Api; apps: AppsV1Api } {
  const config = new KubeConfig();
  config.loadFromFile(harness.emulator.info.kubeconfig ?? '');
  return { core: config.makeApiClient(CoreV1Api), apps: config.makeApiClient(AppsV1Api) };
}

async function readSecret(
  harness: Harness,
  namespace: string,
  name: string,
): Promise<V1Secret | undefined> {
  try {
    return await cluster(harness).core.readNamespacedSecret({ namespace, name });
  } catch {
    return undefined;
  }
}

function thumbprintOf(secret: V1Secret | undefined): string | undefined {
  const crt = secret?.data?.['tls.crt'];
  return crt
    ? new X509Certificate(Buffer.from(crt, 'base64')).fingerprint.replace(/:/g, '')
    : undefined;
}

describe('Kubernetes, bundled action', () => {
  let harness: Harness;
  let outputDir: string;

  const inputs = (overrides: Record<string, string>) =>
    harness.inputs({
      target: 'kubernetes',
      'app-name': '',
      'resource-group': '',
      'key-vault': 'kv-policy',
      certificate: 'www-contoso',
      'identity-client-id': kubeletId,
      ...overrides,
    });

  beforeAll(async () => {
    harness = await startHarness(kubernetesSeed());
    outputDir = await mkdtemp(path.join(tmpdir(), 'kvcb-manifests-'));
  });
  afterAll(async () => {
    await harness?.emulator.stop();
  });

  it('Traefik: grants the kubelet identity, applies the sync objects, waits for the Secret, sets the default TLSStore', async () => {
    const result = await harness.runWithOidc(
      inputs({ namespace: 'traefik', 'ingress-controller': 'traefik', 'output-dir': outputDir }),
    );
    expect(result.exitCode, result.stdout).toBe(0);

    const view = readView(await harness.control.state());
    const thumbprint = view.currentThumbprint('kv-policy', 'www-contoso');
    expect(view.accessPolicy('kv-policy', kubelet.principalId)?.secrets).toContain('get');
    const secret = await readSecret(harness, 'traefik', 'www-contoso');
    expect(secret?.metadata?.labels?.['secrets-store.csi.k8s.io/managed']).toBe('true');
    expect(thumbprintOf(secret)).toBe(thumbprint);
    expect(result.outputs).toMatchObject({
      'secret-name': 'www-contoso',
      thumbprint,
      changed: 'true',
    });
    expect(existsSync(path.join(outputDir, 'tlsstore-default.yaml'))).toBe(true);
    // The identity was given as a resource id: the class names its client id.
    const spc = await readFile(
      path.join(outputDir, 'secretproviderclass-www-contoso-kv.yaml'),
      'utf8',
    );
    expect(spc).toContain(`userAssignedIdentityID: ${kubelet.clientId}`);
    expect(spc).not.toContain('objectVersion');
    expectNoSecretLeak(result, harness.secrets);
  });

  it('a rerun sends no write', async () => {
    const mark = await harness.control.mark();
    const result = await harness.runWithOidc(
      inputs({ namespace: 'traefik', 'ingress-controller': 'traefik' }),
    );
    expect(result.exitCode, result.stdout).toBe(0);
    expect(await harness.control.writesSince(mark)).toEqual([]);
    expect(result.outputs['changed']).toBe('false');
  });

  it('after a renewal in Key Vault the Secret follows, and a rerun changes nothing', async () => {
    const renewed = await harness.control.renew('kv-policy', 'www-contoso');
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      if (
        thumbprintOf(await readSecret(harness, 'traefik', 'www-contoso')) === renewed.thumbprint
      ) {
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(thumbprintOf(await readSecret(harness, 'traefik', 'www-contoso'))).toBe(
      renewed.thumbprint,
    );
    const mark = await harness.control.mark();
    const result = await harness.runWithOidc(
      inputs({ namespace: 'traefik', 'ingress-controller': 'traefik' }),
    );
    expect(result.exitCode, result.stdout).toBe(0);
    expect(result.outputs['thumbprint']).toBe(renewed.thumbprint);
    expect(await harness.control.writesSince(mark)).toEqual([]);
  });

  it('with rotation off in the driver, a rerun after a renewal says so instead of waiting in silence', async () => {
    await fetch(`${harness.emulator.info.controlUrl}/kubernetes/driver`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ rotationEnabled: false }),
    });
    try {
      await harness.control.renew('kv-policy', 'www-contoso');
      const result = await harness.runWithOidc(
        inputs({ namespace: 'traefik', 'ingress-controller': 'traefik', 'wait-timeout': '3s' }),
      );
      expect(result.exitCode).toBe(1);
      expect(failureMessage(result)).toMatch(
        /\(it is holding \w+\)\. pod www-contoso-sync-\S+ is Running\. The driver has not fetched the new version: turn on its secret rotation/,
      );
    } finally {
      await fetch(`${harness.emulator.info.controlUrl}/kubernetes/driver`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ rotationEnabled: true }),
      });
    }
  });

  it('never replaces a default certificate another step set; set-default: false only syncs', async () => {
    const mark = await harness.control.mark();
    const refused = await harness.runWithOidc(
      inputs({ namespace: 'traefik', 'ingress-controller': 'traefik', certificate: 'api-only' }),
    );
    expect(refused.exitCode).toBe(1);
    expect(failureMessage(refused)).toMatch(
      /Traefik's TLSStore traefik\/default already uses Secret www-contoso as its default certificate.*'set-default: false'/,
    );
    expect(await harness.control.writesSince(mark)).toEqual([]);

    const synced = await harness.runWithOidc(
      inputs({
        namespace: 'traefik',
        'ingress-controller': 'traefik',
        certificate: 'api-only',
        'set-default': 'false',
      }),
    );
    expect(synced.exitCode, synced.stdout).toBe(0);
    expect(thumbprintOf(await readSecret(harness, 'traefik', 'api-only'))).toBe(
      readView(await harness.control.state()).currentThumbprint('kv-policy', 'api-only'),
    );
  });

  it('NGINX: the controller gets --default-ssl-certificate once the Secret exists', async () => {
    const result = await harness.runWithOidc(
      inputs({ namespace: 'ingress-nginx', 'ingress-controller': 'nginx' }),
    );
    expect(result.exitCode, result.stdout).toBe(0);
    const deployment = await cluster(harness).apps.readNamespacedDeployment({
      namespace: 'ingress-nginx',
      name: 'ingress-nginx-controller',
    });
    expect(deployment.spec?.template.spec?.containers[0]?.args).toContain(
      '--default-ssl-certificate=ingress-nginx/www-contoso',
    );
  });

  it('refuses a same-name Secret the CSI driver does not manage, with 0 writes; adopts it when asked', async () => {
    const mark = await harness.control.mark();
    const refused = await harness.runWithOidc(
      inputs({
        namespace: 'ingress-nginx',
        'ingress-controller': 'nginx',
        'secret-name': 'hand-made-tls',
        'set-default': 'false',
      }),
    );
    expect(refused.exitCode).toBe(1);
    expect(failureMessage(refused)).toMatch(
      /Secret ingress-nginx\/hand-made-tls already exists and the CSI driver does not manage it.*'adopt: true'/,
    );
    expect(await harness.control.writesSince(mark)).toEqual([]);

    const adopted = await harness.runWithOidc(
      inputs({
        namespace: 'ingress-nginx',
        'ingress-controller': 'nginx',
        'secret-name': 'hand-made-tls',
        'set-default': 'false',
        adopt: 'true',
      }),
    );
    expect(adopted.exitCode, adopted.stdout).toBe(0);
    const secret = await readSecret(harness, 'ingress-nginx', 'hand-made-tls');
    expect(secret?.metadata?.labels?.['secrets-store.csi.k8s.io/managed']).toBe('true');
  });

  it('on timeout, shows the sync pod status and events (an identity the nodes do not have)', async () => {
    const result = await harness.runWithOidc(
      inputs({
        namespace: 'traefik',
        'ingress-controller': 'traefik',
        'secret-name': 'wrong-identity',
        'set-default': 'false',
        'identity-client-id': kubeletId.replace(kubelet.name, 'not-on-nodes'),
        'wait-timeout': '4s',
      }),
    );
    expect(result.exitCode).toBe(1);
    expect(failureMessage(result)).toMatch(
      /Failed to see Secret traefik\/wrong-identity hold thumbprint \w+ within 4s \(it is missing\)\. pod wrong-identity-sync-\S+ is Pending \(FailedMount: .*Identity not found/,
    );
  });

  it('recorded Azure traffic validates against the Azure REST specs', async () => {
    await expectConformantTraffic(harness.trafficDir, [
      'UserAssignedIdentities_Get',
      'Vaults_UpdateAccessPolicy',
      'GetCertificate',
    ]);
  });

  it('refuses a namespace that does not exist, and a client id that is not a GUID', async () => {
    const missing = await harness.runWithOidc(
      inputs({ namespace: 'nope', 'ingress-controller': 'traefik' }),
    );
    expect(failureMessage(missing)).toMatch(/Namespace 'nope' does not exist/);
    const bad = await harness.runWithOidc(
      inputs({
        namespace: 'traefik',
        'ingress-controller': 'traefik',
        'identity-client-id': 'kubelet',
      }),
    );
    expect(failureMessage(bad)).toMatch(/Input 'identity-client-id' is 'kubelet'/);
  });
});
