import { expect } from 'vitest';

import type { EmulatorInfo } from '../emulator/index.js';
import type { AgentResult, ServiceConnection } from '../support/azure-devops-agent.js';
import { ids, pipelineSecret } from './scenario-seed.js';

/** connectionIds are the ids of the end-to-end service connections, one per scheme. */
export const connectionIds = {
  secret: '6f1c2a00-0000-4000-8000-00000000c001',
  certificate: '6f1c2a00-0000-4000-8000-00000000c002',
  workloadIdentity: '6f1c2a00-0000-4000-8000-00000000c003',
} as const;

/**
 * emulatorConnectionData is the data of an AzureRM service connection to an Azure Stack Hub
 * environment that is the emulator: the keys the agent passes as `ENDPOINT_DATA_<id>_*`.
 */
export function emulatorConnectionData(info: EmulatorInfo): Record<string, string> {
  return {
    environment: 'AzureStack',
    scopeLevel: 'Subscription',
    subscriptionId: ids.subscription,
    subscriptionName: 'app-subscription',
    environmentAuthorityUrl: `${info.authorityHost}/`,
    activeDirectoryServiceEndpointResourceId: info.armAudience,
    graphUrl: `${info.graphEndpoint}/`,
  };
}

/** secretConnection is a ServicePrincipal connection with a client secret (spnKey). */
export function secretConnection(info: EmulatorInfo): ServiceConnection {
  return {
    id: connectionIds.secret,
    url: `${info.resourceManagerEndpoint}/`,
    scheme: 'ServicePrincipal',
    parameters: {
      authenticationType: 'spnKey',
      serviceprincipalid: ids.pipelineClient,
      serviceprincipalkey: pipelineSecret,
      tenantid: ids.tenant,
    },
    data: emulatorConnectionData(info),
  };
}

const JWT = /eyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]+/;
const SET_SECRET = '##vso[task.setsecret]';

/**
 * expectNoSecretLeakInAgentLog asserts that no credential and no token appears in what the agent
 * records of the task: every stdout line except the `task.setsecret` commands the agent consumes
 * (debug lines included), stderr, the output variables and the summary.
 */
export function expectNoSecretLeakInAgentLog(
  result: AgentResult,
  secrets: readonly string[],
): void {
  const shown = result.stdout
    .split('\n')
    .filter((line) => !line.startsWith(SET_SECRET))
    .join('\n');
  const surfaces = {
    log: shown,
    stderr: result.stderr,
    outputs: JSON.stringify(result.outputs),
    summary: result.summary,
  };
  for (const [surface, text] of Object.entries(surfaces)) {
    for (const secret of secrets) {
      for (const line of secret.split('\n').filter((l) => l.length >= 16)) {
        expect(text.includes(line), `a credential appears in ${surface}`).toBe(false);
      }
    }
    expect(JWT.test(text), `a token appears in ${surface}`).toBe(false);
  }
}
