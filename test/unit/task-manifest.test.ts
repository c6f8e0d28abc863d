import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

import ajvDraft04 from 'ajv-draft-04';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

import { bundledPackages, bundleOptions, bundles } from '../../scripts/bundles.mjs';
import { createTaskInputReader, taskInputName } from '../../src/adapters/azure-devops/inputs.js';
import type { ServiceConnection } from '../../src/adapters/azure-devops/service-connection.js';
import { parseBindOptions } from '../../src/core/parse-options.js';
import { readTaskManifest } from '../support/azure-devops-agent.js';
import { repoRoot } from '../support/github-runner.js';

interface TaskJson {
  readonly inputs: readonly {
    readonly name: string;
    readonly type: string;
    readonly defaultValue?: string;
    readonly visibleRule?: string;
    readonly groupName?: string;
  }[];
  readonly groups: readonly { readonly name: string; readonly visibleRule?: string }[];
  readonly [key: string]: unknown;
}

async function readJson<T>(file: string): Promise<T> {
  return JSON.parse(await readFile(path.join(repoRoot, file), 'utf8')) as T;
}

const connection: ServiceConnection = {
  id: '00000000-0000-0000-0000-0000000000c1',
  cloud: { environment: 'AzureCloud' },
  subscriptionId: '00000000-0000-0000-0000-000000000001',
  auth: { kind: 'managed-identity', clientId: undefined },
};

describe('task/task.json', () => {
  it('is valid against the official tasks.schema.json (draft-04) and declares it', async () => {
    const schema = JSON.parse(
      await readFile(
        path.resolve(repoRoot, '../shared/manifest-schemas/tasks.schema.json'),
        'utf8',
      ),
    ) as object;
    const task = await readJson<TaskJson>('task/task.json');
    // A CommonJS module whose exports are the class, with `default` pointing at it as well.
    // The schema's patterns (`^connectedService\:.+$`) are plain JavaScript regexes, not valid
    // with the `u` flag ajv adds by default.
    const validate = new ajvDraft04.default({ allErrors: true, unicodeRegExp: false }).compile(
      schema,
    );
    const valid = validate(task);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    expect(task['$schema']).toMatch(/tasks\.schema\.json$/);
  });

  it('runs the committed bundle on Node20_1 and Node24, on an agent that has both', async () => {
    const task = await readJson<TaskJson>('task/task.json');
    expect(task['execution']).toEqual({
      Node20_1: { target: 'index.cjs', argumentFormat: '' },
      Node24: { target: 'index.cjs', argumentFormat: '' },
    });
    // Agent 4.265.1 is the first with the Node24 handler (azure-pipelines-tasks docs/migrateNode24.md).
    expect(task['minimumAgentVersion']).toBe('4.265.1');
    expect(task['category']).toBe('Deploy');
  });

  it("declares exactly the inputs each target reads, by the core's names in camelCase", async () => {
    const task = await readJson<TaskJson>('task/task.json');
    const declared = new Map(task.inputs.map((input) => [input.name, input]));
    const values: Record<string, string> = {
      azureSubscription: connection.id,
      resourceGroup: 'rg',
      appName: 'app1',
      gatewayName: 'agw1',
      namespace: 'ingress',
      identityClientId: '00000000-0000-0000-0000-0000000000c2',
      keyVault: 'kv1',
      certificate: 'cert1',
    };
    const read = new Set<string>();
    for (const target of ['app-service', 'application-gateway', 'kubernetes']) {
      const reader = createTaskInputReader(
        (name) => {
          read.add(name);
          if (name === 'target') return target;
          return values[name] ?? declared.get(name)?.defaultValue ?? '';
        },
        connection,
        task.inputs,
      );
      // Every default in task.json parses.
      expect(parseBindOptions(reader).target).toBe(target);
    }
    expect(['azureSubscription', ...read].sort()).toEqual([...declared.keys()].sort());
  });

  it("groups each target's inputs under a visibleRule on the target pick list", async () => {
    const task = await readJson<TaskJson>('task/task.json');
    const target = task.inputs.find((input) => input.name === 'target');
    expect(target?.type).toBe('pickList');
    expect(task.inputs.find((i) => i.name === 'azureSubscription')?.type).toBe(
      'connectedService:AzureRM',
    );
    for (const [group, value] of [
      ['appService', 'app-service'],
      ['applicationGateway', 'application-gateway'],
      ['kubernetes', 'kubernetes'],
    ]) {
      expect(task.groups.find((g) => g.name === group)?.visibleRule).toBe(`target = ${value}`);
      const members = task.inputs.filter((input) => input.groupName === group);
      expect(members.length).toBeGreaterThan(0);
      for (const input of members) expect(input.visibleRule).toBe(`target = ${value}`);
    }
  });

  it("declares the action's outputs as output variables, in camelCase", async () => {
    const task = await readTaskManifest();
    const action = parse(await readFile(path.join(repoRoot, 'action.yml'), 'utf8')) as {
      outputs: Record<string, unknown>;
    };
    expect(task.outputVariables.map((o) => o.name).sort()).toEqual(
      Object.keys(action.outputs).map(taskInputName).sort(),
    );
  });

  it('moves its version together with the extension', async () => {
    const task = await readTaskManifest();
    const extension = await readJson<{ version: string }>('vss-extension.json');
    const { Major, Minor, Patch } = task.version;
    expect(extension.version).toBe(`${Major}.${Minor}.${Patch}`);
  });
  it('the reusable template passes only inputs task.json declares', async () => {
    const task = await readJson<TaskJson>('task/task.json');
    const template = parse(
      await readFile(path.join(repoRoot, 'templates/bind-certificate.yml'), 'utf8'),
    ) as { steps: { task?: string; inputs?: Record<string, unknown> }[] };
    const step = template.steps.find((s) => s.task === 'KeyVaultCertBind@0');
    const names = Object.entries(step?.inputs ?? {}).flatMap(([key, value]) =>
      key.startsWith('${{') ? Object.keys(value as object) : [key],
    );
    expect(names.length).toBeGreaterThan(5);
    const declared = task.inputs.map((input) => input.name);
    for (const name of names) expect(declared).toContain(name);
  });
});

describe('task bundle', () => {
  it('holds exactly one copy of azure-pipelines-task-lib', async () => {
    const bundle = bundles.find((b) => b.outfile === 'task/index.cjs');
    if (!bundle) throw new Error('no task bundle in scripts/bundles.mjs');
    const result = await build({ ...bundleOptions(bundle), write: false, logLevel: 'silent' });
    const copies = [...bundledPackages(result.metafile)].filter(
      ([, name]) => name === 'azure-pipelines-task-lib',
    );
    expect(copies).toHaveLength(1);
  });

  it('packages into a .vsix with tfx, offline and without a warning', async () => {
    const out = path.join(repoRoot, '.tmp/vsix-test');
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [path.join(repoRoot, 'scripts/package-extension.mjs'), out],
      // A dead proxy: packaging must not need the network.
      {
        env: {
          ...process.env,
          HTTPS_PROXY: 'http://127.0.0.1:9',
          HTTP_PROXY: 'http://127.0.0.1:9',
        },
      },
    );
    expect(stdout).toMatch(/VSIX: .*contoso\.keyvault-cert-bind-\d+\.\d+\.\d+\.vsix/);
    expect(stdout).not.toMatch(/warn/i);
  });
});
