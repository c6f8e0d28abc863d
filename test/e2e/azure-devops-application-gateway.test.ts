import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Seed } from '../emulator/seed.js';
import { runTask, type AgentJob, type AgentResult } from '../support/azure-devops-agent.js';
import {
  agentJobFor,
  azureDevOpsSeed,
  connectionIds,
  expectNoSecretLeakInAgentLog,
  issueClientCertificate,
} from './azure-devops-harness.js';
import { startHarness, type Harness } from './harness.js';
import { ids } from './scenario-seed.js';

const identityPrincipal = '66666666-0000-4000-8000-0000000000a6';
const identityId = `/subscriptions/${ids.subscription}/resourceGroups/rg-id/providers/Microsoft.ManagedIdentity/userAssignedIdentities/agw-kv`;
const subnet = `/subscriptions/${ids.subscription}/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet/subnets/agw`;

/** gatewaySeed adds, per sign-in scheme, a gateway whose identity may read kv-policy's secrets. */
function gatewaySeed(base: Seed): Seed {
  const [policyVault, ...vaults] = base.vaults ?? [];
  if (!policyVault) throw new Error('the scenario seed has no vault');
  return {
    ...base,
    vaults: [
      {
        ...policyVault,
        accessPolicies: [
          ...(policyVault.accessPolicies ?? []),
          { objectId: identityPrincipal, permissions: { secrets: ['get'] } },
        ],
      },
      ...vaults,
    ],
    userAssignedIdentities: [
      {
        resourceGroup: 'rg-id',
        name: 'agw-kv',
        location: 'westeurope',
        principalId: identityPrincipal,
      },
    ],
    applicationGateways: ['agw-secret', 'agw-certificate', 'agw-wif'].map((name) => ({
      resourceGroup: 'rg-agw',
      name,
      location: 'westeurope',
      subnet,
      identity: identityId,
      sslCertificates: [{ name: 'old', vault: 'kv-policy', secret: 'api-only' }],
      httpsListeners: [
        { name: 'listener-www', hostName: 'www.contoso.com', sslCertificate: 'old' },
      ],
    })),
    settings: { ...base.settings, gatewayProvisioningMs: 50 },
  };
}

function expectSucceeded(result: AgentResult): void {
  expect(result.result, result.stdout + result.stderr).toBe('Succeeded');
  expect(result.errors).toEqual([]);
}

describe('Application Gateway, bundled Azure DevOps task, as the agent runs it', () => {
  let harness: Harness;
  let job: AgentJob;
  let secrets: string[];

  beforeAll(async () => {
    const certificate = issueClientCertificate();
    harness = await startHarness(gatewaySeed(azureDevOpsSeed(certificate)));
    ({ job, secrets } = agentJobFor(harness.emulator.info, certificate));
  });
  afterAll(async () => {
    await harness?.emulator.stop();
  });

  const schemes = [
    { scheme: 'a client secret', connection: connectionIds.secret, gateway: 'agw-secret' },
    { scheme: 'a certificate', connection: connectionIds.certificate, gateway: 'agw-certificate' },
    {
      scheme: 'workload identity federation',
      connection: connectionIds.workloadIdentity,
      gateway: 'agw-wif',
    },
  ];
  for (const { scheme, connection, gateway } of schemes) {
    it(`signs in with ${scheme}, binds ${gateway}'s listener, and a second run changes nothing`, async () => {
      const inputs = {
        azureSubscription: connection,
        target: 'application-gateway',
        resourceGroup: 'rg-agw',
        gatewayName: gateway,
        keyVault: 'kv-policy',
        certificate: 'www-contoso',
        listeners: 'listener-www',
        // A value left in a field the editor hides for this target is ignored, as in the UI.
        appName: 'app1',
      };
      const mark = await harness.control.mark();
      const first = await runTask(inputs, job);

      expectSucceeded(first);
      expect(first.outputs['changed']).toBe('true');
      expect(first.outputs['sslCertificateId']).toMatch(
        new RegExp(`/applicationGateways/${gateway}/sslCertificates/www-contoso$`),
      );
      expect(first.outputs['keyVaultSecretId']).toMatch(/\/secrets\/www-contoso$/);
      expect(first.summary).toContain('www-contoso');
      const writes = await harness.control.writesSince(mark);
      expect(writes.some((w) => w.method === 'PUT' && w.path.includes(`/${gateway}?`))).toBe(true);
      expectNoSecretLeakInAgentLog(first, secrets);

      const again = await harness.control.mark();
      const second = await runTask(inputs, job);
      expectSucceeded(second);
      expect(await harness.control.writesSince(again)).toEqual([]);
      expect(second.outputs['changed']).toBe('false');
      expectNoSecretLeakInAgentLog(second, secrets);
    });
  }
});
