import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { IssuedCertificate } from '../emulator/x509.js';
import {
  runTask,
  type AgentJob,
  type AgentResult,
  type ServiceConnection,
} from '../support/azure-devops-agent.js';
import { readView } from '../support/emulator-state.js';
import { node24 } from '../support/github-runner.js';
import {
  agentJobFor,
  azureDevOpsSeed,
  connectionIds,
  expectNoSecretLeakInAgentLog,
  issueClientCertificate,
  secretConnection,
  workloadIdentityConnection,
} from './azure-devops-harness.js';
import { startHarness, type Harness } from './harness.js';
import { pipelineSecret } from './scenario-seed.js';

function expectSucceeded(result: AgentResult): void {
  expect(result.result, result.stdout + result.stderr).toBe('Succeeded');
  expect(result.errors).toEqual([]);
  expect(result.exitCode).toBe(0);
}

// One emulator; each sign-in scheme binds its own app of the same webspace, so that each first
// run has something to change and each second run must change nothing.
describe('App Service, bundled Azure DevOps task, as the agent runs it', () => {
  let harness: Harness;
  let certificate: IssuedCertificate;
  let job: AgentJob;
  let secrets: string[];

  beforeAll(async () => {
    certificate = issueClientCertificate();
    harness = await startHarness(azureDevOpsSeed(certificate));
    ({ job, secrets } = agentJobFor(harness.emulator.info, certificate));
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

  it('a second run with the secret sends 0 writes and sets changed to false', async () => {
    const mark = await harness.control.mark();
    const result = await runTask(inputs(), job);

    expectSucceeded(result);
    expect(await harness.control.writesSince(mark)).toEqual([]);
    expect(result.outputs['changed']).toBe('false');
    expect(result.summary).toMatch(/No changes/);
    expectNoSecretLeakInAgentLog(result, secrets);
  });

  it('runs on Node 24 as the Node24 handler does (Node20_1 is this process), and changes nothing', async (context) => {
    // CI installs Node 24 (npm run setup:node24); elsewhere the test is skipped, never faked.
    if (!node24 && process.env['CI'])
      throw new Error('Node 24 is missing: run npm run setup:node24');
    if (!node24) context.skip();
    const mark = await harness.control.mark();
    const result = await runTask(inputs(), { ...job, handler: 'Node24', node: node24 });

    expectSucceeded(result);
    expect(await harness.control.writesSince(mark)).toEqual([]);
    expect(result.outputs['changed']).toBe('false');
  });

  const schemes = [
    {
      scheme: 'a certificate',
      connection: connectionIds.certificate,
      app: 'app2',
      host: 'blog.contoso.com',
      signIn: /with a certificate/,
    },
    {
      scheme: 'workload identity federation',
      connection: connectionIds.workloadIdentity,
      app: 'app3',
      host: 'docs.contoso.com',
      signIn: /with an OIDC token for service connection/,
    },
  ];
  for (const { scheme, connection, app, host, signIn } of schemes) {
    it(`signs in with ${scheme}, binds ${app}, and a second run changes nothing`, async () => {
      const runInputs = inputs({ azureSubscription: connection, appName: app, hostnames: host });
      const first = await runTask(runInputs, job);

      expectSucceeded(first);
      expect(first.stdout).toMatch(signIn);
      const view = readView(await harness.control.state());
      const thumbprint = view.currentThumbprint('kv-policy', 'www-contoso');
      expect(view.binding(app, host)).toMatchObject({ sslState: 'SniEnabled', thumbprint });
      expect(first.outputs).toMatchObject({ thumbprint, boundHostnames: host, changed: 'true' });
      expectNoSecretLeakInAgentLog(first, secrets);

      const mark = await harness.control.mark();
      const second = await runTask(runInputs, job);
      expectSucceeded(second);
      expect(await harness.control.writesSince(mark)).toEqual([]);
      expect(second.outputs['changed']).toBe('false');
      expectNoSecretLeakInAgentLog(second, secrets);
    });
  }

  it('with workload identity it asks the pipeline for a new OIDC token for each access token', async () => {
    const mark = await harness.control.mark();
    const result = await runTask(
      inputs({
        azureSubscription: connectionIds.workloadIdentity,
        appName: 'app3',
        hostnames: 'docs.contoso.com',
      }),
      job,
    );

    expectSucceeded(result);
    const requests = await harness.control.requestsSince(mark);
    const oidc = requests.filter((r) => r.path.includes('/oidctoken?'));
    expect(oidc.length).toBeGreaterThan(0);
    expect(oidc[0]?.method).toBe('POST');
    expect(oidc[0]?.path).toContain(`serviceConnectionId=${connectionIds.workloadIdentity}`);
    // Every token request (one per scope: ARM, Key Vault, Graph) follows a fresh OIDC request.
    let previous = -1;
    const tokenIndexes = requests.flatMap((r, i) =>
      /\/oauth2\/v2\.0\/token(\?|$)/.test(r.path) ? [i] : [],
    );
    expect(tokenIndexes.length).toBeGreaterThan(1);
    for (const index of tokenIndexes) {
      const between = requests.slice(previous + 1, index);
      expect(between.some((r) => r.path.includes('/oidctoken?'))).toBe(true);
      previous = index;
    }
    // The OIDC token and System.AccessToken were masked before use.
    expect(result.masked).toContain(harness.emulator.info.systemAccessToken);
  });

  it('a bad input fails the task in the task input names, before any request', async () => {
    const mark = await harness.control.mark();
    const result = await runTask(inputs({ appName: '-bad-', keyVault: 'kv--x' }), job);

    expect(result.result).toBe('Failed');
    expect(result.errors).toEqual([
      expect.stringMatching(/^keyvault-cert-bind: Input 'keyVault' is 'kv--x'/),
    ]);
    expect(result.errors[0]).not.toMatch(/key-vault/);
    expect(await harness.control.requestsSince(mark)).toEqual([]);
  });

  const broken: {
    readonly name: string;
    readonly change: (connection: ServiceConnection) => ServiceConnection;
    readonly variables?: Record<string, string>;
    readonly message: RegExp;
  }[] = [
    {
      name: 'an empty service principal key',
      change: (c) => ({ ...c, parameters: { ...c.parameters, serviceprincipalkey: '' } }),
      message: /Service principal key is empty/,
    },
    {
      name: 'no tenant id',
      change: (c) => ({ ...c, parameters: { ...c.parameters, tenantid: '' } }),
      message: /Tenant ID is missing/,
    },
    {
      name: 'a certificate without its private key',
      change: (c) => ({
        ...c,
        parameters: {
          ...c.parameters,
          authenticationType: 'spnCertificate',
          servicePrincipalCertificate:
            '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----',
        },
      }),
      message: /Certificate is empty or has no private key/,
    },
    {
      name: 'an unknown environment',
      change: (c) => ({ ...c, data: { ...c.data, environment: 'AzureGermanCloud' } }),
      message: /Environment is 'AzureGermanCloud'/,
    },
    {
      name: 'an Azure Stack environment without an authority',
      change: (c) => ({ ...c, data: { ...c.data, environmentAuthorityUrl: '' } }),
      message: /authority URL \(environmentAuthorityUrl\) is missing/,
    },
    {
      name: 'a management group scope and no subscriptionId input',
      change: (c) => ({
        ...c,
        data: { ...c.data, scopeLevel: 'ManagementGroup', subscriptionId: '' },
      }),
      message: /no subscription.*subscriptionId/,
    },
    {
      name: 'a publish profile',
      change: (c) => ({ ...c, scheme: 'PublishProfile' }),
      message: /authentication scheme is 'PublishProfile'/,
    },
  ];
  for (const { name, change, message } of broken) {
    it(`a service connection with ${name} fails with the setting to fix, before any request`, async () => {
      const mark = await harness.control.mark();
      const connection = change(secretConnection(harness.emulator.info));
      const result = await runTask(inputs(), { ...job, connections: [connection] });

      expect(result.result).toBe('Failed');
      expect(result.errors).toHaveLength(1);
      expect(result.errors[0]).toMatch(
        new RegExp(
          `^keyvault-cert-bind: Failed to read the Azure Resource Manager service connection '${connectionIds.secret}'`,
        ),
      );
      expect(result.errors[0]).toMatch(message);
      expect(await harness.control.requestsSince(mark)).toEqual([]);
      expectNoSecretLeakInAgentLog(result, secrets);
    });
  }

  it('a workload identity connection without an OIDC endpoint fails before any request', async () => {
    const mark = await harness.control.mark();
    const result = await runTask(inputs({ azureSubscription: connectionIds.workloadIdentity }), {
      ...job,
      variables: {},
    });

    expect(result.result).toBe('Failed');
    expect(result.errors[0]).toMatch(/System\.OidcRequestUri/);
    expect(await harness.control.requestsSince(mark)).toEqual([]);
  });

  it('a workload identity connection the pipeline may not use fails with no write', async () => {
    const other = { ...workloadIdentityConnection(harness.emulator.info) };
    const id = '6f1c2a00-0000-4000-8000-00000000c0ff';
    const mark = await harness.control.mark();
    const result = await runTask(inputs({ azureSubscription: id }), {
      ...job,
      connections: [{ ...other, id }],
    });

    expect(result.result).toBe('Failed');
    expect(result.errors[0]).toMatch(
      /Failed to request an OIDC token for service connection .*HTTP 400.*allowed to use it/,
    );
    expect(await harness.control.writesSince(mark)).toEqual([]);
    expectNoSecretLeakInAgentLog(result, secrets);
  });
});
