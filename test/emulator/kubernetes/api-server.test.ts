import {
  ApiException,
  ApisApi,
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startEmulator, type RunningEmulator } from '../index.js';
import type { Seed } from '../seed.js';

const seed: Seed = {
  tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
  subscriptions: [{ id: '00000000-0000-4000-8000-000000000001' }],
  kubernetes: {
    namespaces: ['app'],
    ingressControllers: [{ type: 'nginx', namespace: 'ingress-nginx' }],
    secrets: [{ namespace: 'app', name: 'legacy', stringData: { 'token.txt': 'x' } }],
  },
};

const MANAGER = 'keyvault-cert-bind';

function errorStatus(error: unknown): { code: number; body: Record<string, unknown> } {
  if (!(error instanceof ApiException)) throw error;
  const body: unknown = typeof error.body === 'string' ? JSON.parse(error.body) : error.body;
  return { code: error.code, body: body as Record<string, unknown> };
}

async function failure(
  promise: Promise<unknown>,
): Promise<{ code: number; body: Record<string, unknown> }> {
  try {
    await promise;
  } catch (error) {
    return errorStatus(error);
  }
  throw new Error('expected the request to fail');
}

function spc(name: string, parameters: Record<string, unknown>): KubernetesObject {
  return {
    apiVersion: 'secrets-store.csi.x-k8s.io/v1',
    kind: 'SecretProviderClass',
    metadata: { name, namespace: 'app' },
    spec: { provider: 'azure', parameters },
  } as KubernetesObject;
}

describe('emulated Kubernetes API server through @kubernetes/client-node', () => {
  let emulator: RunningEmulator;
  let objects: KubernetesObjectApi;
  let core: CoreV1Api;
  let apps: AppsV1Api;
  let kc: KubeConfig;

  beforeAll(async () => {
    emulator = await startEmulator({ seed });
    kc = new KubeConfig();
    kc.loadFromFile(emulator.info.kubeconfig ?? '');
    objects = KubernetesObjectApi.makeApiClient(kc);
    core = kc.makeApiClient(CoreV1Api);
    apps = kc.makeApiClient(AppsV1Api);
  });
  afterAll(async () => {
    await emulator.stop();
  });

  it('writes a kubeconfig whose context points at the API server', () => {
    expect(kc.getCurrentCluster()?.server).toBe(emulator.info.kubernetesApiUrl);
    expect(kc.getCurrentUser()?.token).toBeTruthy();
  });

  it('serves discovery, without Traefik when its CRDs are not installed', async () => {
    const groups = await kc.makeApiClient(ApisApi).getAPIVersions();
    const names = groups.groups.map((g) => g.name);
    expect(names).toEqual(expect.arrayContaining(['apps', 'secrets-store.csi.x-k8s.io']));
    expect(names).not.toContain('traefik.io');
    const store = {
      apiVersion: 'traefik.io/v1alpha1',
      kind: 'TLSStore',
      metadata: { name: 'default', namespace: 'app' },
    };
    expect((await failure(objects.read(store))).code).toBe(404);
  });

  it('refuses a token it did not issue', async () => {
    const other = new KubeConfig();
    other.loadFromFile(emulator.info.kubeconfig ?? '');
    const user = other.getCurrentUser();
    if (user) Object.assign(user, { token: 'forged' });
    const status = await failure(other.makeApiClient(CoreV1Api).listNamespace());
    expect(status.code).toBe(401);
  });

  it('creates, updates and leaves alone with server-side apply', async () => {
    const first = await objects.patch(
      spc('app-tls', { keyvaultName: 'kv1', tenantID: seed.tenantId, objects: 'array: []' }),
      undefined,
      undefined,
      MANAGER,
      undefined,
      PatchStrategy.ServerSideApply,
    );
    const rv = first.metadata?.resourceVersion;
    expect(first.metadata?.uid).toBeTruthy();
    expect((first.metadata as { generation?: number }).generation).toBe(1);
    const managed = first.metadata?.managedFields ?? [];
    expect(managed.map((m) => [m.manager, m.operation])).toEqual([[MANAGER, 'Apply']]);

    const same = await objects.patch(
      spc('app-tls', { keyvaultName: 'kv1', tenantID: seed.tenantId, objects: 'array: []' }),
      undefined,
      undefined,
      MANAGER,
      undefined,
      PatchStrategy.ServerSideApply,
    );
    expect(same.metadata?.resourceVersion).toBe(rv);

    const changed = await objects.patch(
      spc('app-tls', { keyvaultName: 'kv2', tenantID: seed.tenantId, objects: 'array: []' }),
      undefined,
      undefined,
      MANAGER,
      undefined,
      PatchStrategy.ServerSideApply,
    );
    expect(Number(changed.metadata?.resourceVersion)).toBeGreaterThan(Number(rv));
    expect((changed.metadata as { generation?: number }).generation).toBe(2);
  });

  it('answers 409 Conflict for a field another manager owns, and takes it with force', async () => {
    const other = spc('app-tls', { keyvaultName: 'kv3' });
    const status = await failure(
      objects.patch(
        other,
        undefined,
        undefined,
        'someone-else',
        undefined,
        PatchStrategy.ServerSideApply,
      ),
    );
    expect(status.code).toBe(409);
    expect(status.body['reason']).toBe('Conflict');
    expect(String(status.body['message'])).toContain(`conflict with "${MANAGER}"`);
    expect(JSON.stringify(status.body['details'])).toContain('.spec.parameters.keyvaultName');

    const forced = await objects.patch(
      other,
      undefined,
      undefined,
      'someone-else',
      true,
      PatchStrategy.ServerSideApply,
    );
    expect(
      (forced as { spec: { parameters: Record<string, string> } }).spec.parameters['keyvaultName'],
    ).toBe('kv3');
  });

  it('rejects objects that fail the upstream schemas with 422 Invalid', async () => {
    const typed = await failure(
      objects.patch(
        spc('bad', { usePodIdentity: false }),
        undefined,
        undefined,
        MANAGER,
        undefined,
        PatchStrategy.ServerSideApply,
      ),
    );
    expect(typed.code).toBe(422);
    expect(typed.body['reason']).toBe('Invalid');
    expect(JSON.stringify(typed.body['details'])).toContain('spec.parameters.usePodIdentity');

    const tls = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'half', namespace: 'app' },
      type: 'kubernetes.io/tls',
      stringData: { 'tls.crt': 'x' },
    };
    const missing = await failure(
      objects.patch(tls, undefined, undefined, MANAGER, undefined, PatchStrategy.ServerSideApply),
    );
    expect(missing.code).toBe(422);
    expect(String(missing.body['message'])).toContain('data[tls.key]: Required value');

    const badName = await failure(
      objects.patch(
        spc('bad_name', {}),
        undefined,
        undefined,
        MANAGER,
        undefined,
        PatchStrategy.ServerSideApply,
      ),
    );
    expect(badName.code).toBe(422);
  });

  it('answers 404 for a namespace that does not exist', async () => {
    const missing = { ...spc('x', {}), metadata: { name: 'x', namespace: 'nowhere' } };
    const status = await failure(
      objects.patch(
        missing,
        undefined,
        undefined,
        MANAGER,
        undefined,
        PatchStrategy.ServerSideApply,
      ),
    );
    expect(status.code).toBe(404);
    expect(status.body['message']).toBe('namespaces "nowhere" not found');
  });

  it('gets, lists with a label selector and deletes', async () => {
    const legacy = await core.readNamespacedSecret({ name: 'legacy', namespace: 'app' });
    expect(Buffer.from(legacy.data?.['token.txt'] ?? '', 'base64').toString()).toBe('x');
    const managed = await core.listNamespacedSecret({
      namespace: 'app',
      labelSelector: 'secrets-store.csi.k8s.io/managed=true',
    });
    expect(managed.items).toHaveLength(0);
    await core.deleteNamespacedSecret({ name: 'legacy', namespace: 'app' });
    const gone = await failure(core.readNamespacedSecret({ name: 'legacy', namespace: 'app' }));
    expect(gone.code).toBe(404);
    expect(gone.body['message']).toBe('secrets "legacy" not found');
  });

  it("patches the ingress-nginx controller's args with a JSON patch", async () => {
    const name = 'ingress-nginx-controller';
    const before = await apps.readNamespacedDeployment({ name, namespace: 'ingress-nginx' });
    const args = before.spec?.template.spec?.containers[0]?.args ?? [];
    expect(args[0]).toBe('/nginx-ingress-controller');
    const after = await apps.patchNamespacedDeployment(
      {
        name,
        namespace: 'ingress-nginx',
        fieldManager: MANAGER,
        body: [
          {
            op: 'add',
            path: '/spec/template/spec/containers/0/args/-',
            value: '--default-ssl-certificate=ingress-nginx/app-tls',
          },
        ],
      },
      { headers: { 'Content-Type': PatchStrategy.JsonPatch } } as never,
    );
    expect(after.spec?.template.spec?.containers[0]?.args).toContain(
      '--default-ssl-certificate=ingress-nginx/app-tls',
    );
    expect(after.metadata?.generation).toBe(2);
  });

  it('records Kubernetes requests, writes included, in the request log', async () => {
    const response = await fetch(`${emulator.info.controlUrl}/requests`);
    const records = (await response.json()) as {
      service: string;
      method: string;
      write: boolean;
    }[];
    const kube = records.filter((r) => r.service === 'kubernetes');
    expect(kube.some((r) => r.method === 'PATCH' && r.write)).toBe(true);
    expect(kube.some((r) => r.method === 'GET' && !r.write)).toBe(true);
  });
});
