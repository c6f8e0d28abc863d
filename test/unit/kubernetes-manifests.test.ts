import { readFile } from 'node:fs/promises';
import path from 'node:path';

import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

import {
  renderManifests,
  toDns1123Name,
  type KubernetesObject,
  type ManifestInput,
} from '../../src/targets/kubernetes/manifests.js';
import { repoRoot } from '../support/github-runner.js';

const schemaRoot = path.resolve(repoRoot, '../shared/k8s-schemas');

interface CustomResourceDefinition {
  spec: {
    group: string;
    names: { kind: string };
    versions: { name: string; schema: { openAPIV3Schema: object } }[];
  };
}

/** schemaFor finds the upstream schema of an object: its CRD's version, or the core schema. */
async function schemaFor(object: KubernetesObject): Promise<object> {
  const [group, version] = object.apiVersion.includes('/')
    ? object.apiVersion.split('/')
    : ['', object.apiVersion];
  if (group === '' || group === 'apps') {
    const file = `${object.kind.toLowerCase()}-${group ? `${group}-` : ''}${version}.json`;
    return JSON.parse(
      await readFile(path.join(schemaRoot, 'core/v1.30.10-standalone-strict', file), 'utf8'),
    ) as object;
  }
  const kind = object.kind.toLowerCase();
  const plural = kind.endsWith('s') ? `${kind}es` : `${kind}s`;
  const crd = parse(
    await readFile(path.join(schemaRoot, 'crds', `${group}_${plural}.yaml`), 'utf8'),
  ) as CustomResourceDefinition;
  const served = crd.spec.versions.find((v) => v.name === version);
  if (!served) throw new Error(`${object.apiVersion} ${object.kind}: no such version in the CRD`);
  return served.schema.openAPIV3Schema;
}

const base: ManifestInput = {
  namespace: 'ingress',
  secretName: 'www-contoso',
  vaultName: 'kv1',
  tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
  certificate: 'www-contoso',
  objectVersion: undefined,
  identity: { kind: 'kubelet', clientId: '11111111-2222-3333-4444-555555555555' },
  cloudName: undefined,
  ingressController: 'traefik',
};

describe('renderManifests', () => {
  it.each([
    ['Traefik, kubelet identity', base],
    [
      'NGINX, workload identity, Azure Government',
      {
        ...base,
        ingressController: 'nginx' as const,
        identity: { kind: 'workload' as const, clientId: base.identity.clientId },
        cloudName: 'AzureUSGovernmentCloud',
      },
    ],
  ])('renders objects that the upstream schemas accept (%s)', async (_, input) => {
    const ajv = new Ajv({ strict: false, allErrors: true });
    for (const object of renderManifests(input).objects) {
      const validate = ajv.compile(await schemaFor(object));
      validate(object);
      expect(validate.errors ?? [], `${object.kind} ${object.metadata.name}`).toEqual([]);
    }
  });

  it('the schema check rejects what the API server would (a boolean parameter)', async () => {
    const [spc] = renderManifests(base).objects;
    if (!spc) throw new Error('no SecretProviderClass rendered');
    const broken = structuredClone(spc) as KubernetesObject & {
      spec: { parameters: Record<string, unknown> };
    };
    broken.spec.parameters['useVMManagedIdentity'] = true;
    const validate = new Ajv({ strict: false }).compile(await schemaFor(broken));
    expect(validate(broken)).toBe(false);
  });

  it('syncs tls.crt and tls.key from the same secret object, unpinned, with the exact identity keys', () => {
    const [spc] = renderManifests(base).objects;
    const spec = spc?.['spec'] as {
      parameters: Record<string, string>;
      secretObjects: { type: string; data: { objectName: string; key: string }[] }[];
    };
    expect(spec.parameters).toMatchObject({
      keyvaultName: 'kv1',
      tenantID: base.tenantId,
      useVMManagedIdentity: 'true',
      userAssignedIdentityID: base.identity.clientId,
    });
    const objects = parse(spec.parameters['objects'] ?? '') as { array: string[] };
    expect(objects.array.map((entry) => parse(entry) as unknown)).toEqual([
      { objectName: 'www-contoso', objectType: 'secret' },
    ]);
    expect(spec.secretObjects).toEqual([
      expect.objectContaining({
        type: 'kubernetes.io/tls',
        data: [
          { objectName: 'www-contoso', key: 'tls.key' },
          { objectName: 'www-contoso', key: 'tls.crt' },
        ],
      }),
    ]);
  });

  it('wires Traefik through the TLSStore named default, NGINX through its Helm values', () => {
    const traefik = renderManifests(base);
    expect(traefik.objects.find((o) => o.kind === 'TLSStore')).toMatchObject({
      metadata: { name: 'default', namespace: 'ingress' },
      spec: { defaultCertificate: { secretName: 'www-contoso' } },
    });
    const nginx = renderManifests({ ...base, ingressController: 'nginx' });
    expect(nginx.objects.some((o) => o.kind === 'TLSStore')).toBe(false);
    expect(parse(nginx.nginxValues ?? '')).toEqual({
      controller: { extraArgs: { 'default-ssl-certificate': 'ingress/www-contoso' } },
    });
  });

  it.each([
    ['www-contoso', 'www-contoso'],
    ['*.contoso.com', 'wildcard-contoso-com'],
    ['App1_TLS', 'app1-tls'],
    ['x'.repeat(80), 'x'.repeat(63)],
  ])('derives a DNS-1123 name from %s', (value, expected) => {
    expect(toDns1123Name(value)).toBe(expected);
  });
});
