import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { runTask, type AgentJob, type AgentResult } from '../support/azure-devops-agent.js';
import { readView } from '../support/emulator-state.js';
import {
  connectionIds,
  expectNoSecretLeakInAgentLog,
  secretConnection,
} from './azure-devops-harness.js';
import { startHarness, type Harness } from './harness.js';
import { pipelineSecret, scenarioSeed } from './scenario-seed.js';

const systemAccessToken = 'kvcb-e2e-System.AccessToken-0123456789abcdef';

describe('App Service, bundled Azure DevOps task, as the agent runs it', () => {
  let harness: Harness;
  let job: AgentJob;
  const secrets = [pipelineSecret, systemAccessToken];

  beforeAll(async () => {
    harness = await startHarness(scenarioSeed());
    const { info } = harness.emulator;
    job = {
      connections: [secretConnection(info)],
      systemAccessToken,
      env: { NODE_EXTRA_CA_CERTS: info.caCertificate },
    };
  });
  afterAll(async () => {
    await harness?.emulator.stop();
  });

  const inputs = (overrides: Record<string, string> = {}): Record<string, string> => ({
    azureSubscription: connectionIds.secret,
    resourceGroup: 'rg-app',
    appName: 'app1',
    keyVault: 'kv-policy',
    certificate: 'www-contoso',
    hostnames: 'www.contoso.com\napi.contoso.com',
    ...overrides,
  });

  function expectSucceeded(result: AgentResult): void {
    expect(result.result, result.stdout + result.stderr).toBe('Succeeded');
    expect(result.errors).toEqual([]);
    expect(result.exitCode).toBe(0);
  }

  it('signs in with a service principal secret, binds, and publishes output variables', async () => {
    const mark = await harness.control.mark();
    const result = await runTask(inputs(), job);

    expectSucceeded(result);
    const view = readView(await harness.control.state());
    const thumbprint = view.currentThumbprint('kv-policy', 'www-contoso');
    const imported = view.webCertificates().filter((c) => c.thumbprint === thumbprint);
    expect(imported).toHaveLength(1);
    expect(view.binding('app1', 'www.contoso.com')).toMatchObject({
      sslState: 'SniEnabled',
      thumbprint,
    });
    expect(result.outputs).toMatchObject({
      thumbprint,
      certificateId: imported[0]?.id,
      boundHostnames: 'www.contoso.com,api.contoso.com',
      changed: 'true',
    });
    expect(new Date(result.outputs['expiresOn'] ?? '').getTime()).toBeGreaterThan(Date.now());
    expect(result.summary).toContain(thumbprint);
    expect(result.summary).toMatch(/\| Import Key Vault certificate www-contoso .*\| applied \|/);
    expect(result.stdout).toMatch(/^##\[group\]Sign in$/m);
    expect(result.stdout).toMatch(/^##\[endgroup\]$/m);
    expect(result.stdout).toMatch(/with a secret/);
    expect(result.stdout).not.toMatch(/resource file/i);

    const writes = await harness.control.writesSince(mark);
    expect(writes.map((w) => w.method)).toEqual(['PATCH', 'PUT', 'PUT', 'PUT', 'PUT']);
    expectNoSecretLeakInAgentLog(result, secrets);
    // The secret was masked before the step signed in, and every access token as it came.
    const firstMask = result.stdout.indexOf(`##vso[task.setsecret]${pipelineSecret}`);
    expect(firstMask).toBeGreaterThanOrEqual(0);
    expect(firstMask).toBeLessThan(result.stdout.indexOf('Signing in'));
    expect(result.masked.some((value) => value.startsWith('eyJ'))).toBe(true);
  });

  it('a second run sends 0 writes and sets changed to false', async () => {
    const mark = await harness.control.mark();
    const result = await runTask(inputs(), job);

    expectSucceeded(result);
    expect(await harness.control.writesSince(mark)).toEqual([]);
    expect(result.outputs['changed']).toBe('false');
    expect(result.summary).toMatch(/No changes/);
    expectNoSecretLeakInAgentLog(result, secrets);
  });

  it('a bad input fails the task with the message in the task input names, before any request', async () => {
    const mark = await harness.control.mark();
    const result = await runTask(inputs({ appName: '-bad-', keyVault: 'kv--x' }), job);

    expect(result.result).toBe('Failed');
    expect(result.errors).toEqual([
      expect.stringMatching(/^keyvault-cert-bind: Input 'keyVault' is 'kv--x'/),
    ]);
    expect(result.errors[0]).not.toMatch(/key-vault/);
    expect(await harness.control.requestsSince(mark)).toEqual([]);
  });
});
