import { readFile } from 'node:fs/promises';
import path from 'node:path';

import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

import { parseBindOptions } from '../../src/core/parse-options.js';
import { repoRoot } from '../support/github-runner.js';

interface Manifest {
  inputs: Record<string, { default?: string; required?: boolean }>;
  outputs: Record<string, unknown>;
  runs: { using: string; main: string };
}

async function loadManifest(): Promise<Manifest> {
  return parse(await readFile(path.join(repoRoot, 'action.yml'), 'utf8')) as Manifest;
}

describe('action.yml', () => {
  it('is valid against the official action metadata schema', async () => {
    const schemaPath = path.resolve(
      repoRoot,
      '../shared/manifest-schemas/github-action.schema.json',
    );
    const schema = JSON.parse(await readFile(schemaPath, 'utf8')) as object;
    const ajv = new Ajv({ strict: false, allErrors: true });
    const validate = ajv.compile(schema);
    const valid = validate(await loadManifest());
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('runs the committed bundle on node24', async () => {
    const manifest = await loadManifest();
    expect(manifest.runs).toEqual({ using: 'node24', main: 'dist/index.cjs' });
  });

  it('declares exactly the inputs the step reads, and its defaults parse', async () => {
    const manifest = await loadManifest();
    const read = new Set<string>();
    const values: Record<string, Record<string, string>> = {
      'app-service': { 'app-name': 'app1' },
      'application-gateway': { 'gateway-name': 'agw1' },
      kubernetes: {
        namespace: 'ingress',
        'ingress-controller': 'traefik',
        'identity-client-id': '00000000-0000-0000-0000-0000000000c2',
      },
    };
    for (const [target, own] of Object.entries(values)) {
      const inputs: Record<string, string> = {
        target,
        'subscription-id': '00000000-0000-0000-0000-000000000001',
        'resource-group': 'rg',
        'key-vault': 'kv1',
        certificate: 'cert1',
        ...own,
      };
      parseBindOptions((name) => {
        read.add(name);
        return inputs[name] ?? manifest.inputs[name]?.default ?? '';
      });
    }
    const authInputs = ['client-id', 'tenant-id'];
    expect([...read, ...authInputs].sort()).toEqual(Object.keys(manifest.inputs).sort());
  });

  it('documents every input and output in the README', async () => {
    const manifest = await loadManifest();
    const readme = await readFile(path.join(repoRoot, 'README.md'), 'utf8');
    for (const name of [...Object.keys(manifest.inputs), ...Object.keys(manifest.outputs)]) {
      expect(readme, name).toContain(`\`${name}\``);
    }
  });
});
