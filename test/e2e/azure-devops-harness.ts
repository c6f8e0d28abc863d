import type { EmulatorInfo } from '../emulator/index.js';
import type { Seed } from '../emulator/seed.js';
import { issueCertificate, type IssuedCertificate } from '../emulator/x509.js';
import type { AgentJob, AgentResult, ServiceConnection } from '../support/azure-devops-agent.js';
import { expectNoSecretLeak } from '../support/secret-leaks.js';
import { ids, pipelineSecret, scenarioSeed } from './scenario-seed.js';

/** connectionIds are the ids of the end-to-end service connections, one per scheme. */
export const connectionIds = {
  secret: '6f1c2a00-0000-4000-8000-00000000c001',
  certificate: '6f1c2a00-0000-4000-8000-00000000c002',
  workloadIdentity: '6f1c2a00-0000-4000-8000-00000000c003',
} as const;

/** The Azure DevOps organization id whose token service issues the pipeline's OIDC tokens. */
export const organizationId = '0a0e1e5b-0000-4000-8000-0000000000de';

/** The name of the workload identity service connection, in its federated credential's subject. */
export const workloadIdentityConnectionName = 'azure-emulator-wif';

/** issueClientCertificate makes the pipeline application's certificate (self-signed, one year). */
export function issueClientCertificate(): IssuedCertificate {
  const now = Date.now();
  return issueCertificate({
    subject: 'CN=pipeline',
    dnsNames: [],
    notBefore: new Date(now - 3_600_000),
    notAfter: new Date(now + 365 * 86_400_000),
  });
}

/**
 * azureDevOpsSeed is the end-to-end world plus what the Azure DevOps schemes need: the pipeline
 * application trusts the workload identity connection's subject and has a certificate, and the
 * emulated Azure DevOps project has that connection.
 */
export function azureDevOpsSeed(certificate: IssuedCertificate): Seed {
  const base = scenarioSeed();
  const [pipeline, ...others] = base.clients ?? [];
  if (!pipeline) throw new Error('the scenario seed has no pipeline client');
  return {
    ...base,
    clients: [
      {
        ...pipeline,
        certificates: [certificate.certificatePem],
        federatedCredentials: [
          ...(pipeline.federatedCredentials ?? []),
          {
            issuer: `https://vstoken.dev.azure.com/${organizationId}`,
            subject: `sc://contoso/app/${workloadIdentityConnectionName}`,
            audiences: ['api://AzureADTokenExchange'],
          },
        ],
      },
      ...others,
    ],
    azureDevOps: {
      organization: 'contoso',
      organizationId,
      project: 'app',
      serviceConnections: [
        { id: connectionIds.workloadIdentity, name: workloadIdentityConnectionName },
      ],
    },
  };
}

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

/** certificateConnection is a ServicePrincipal connection with a certificate (spnCertificate). */
export function certificateConnection(
  info: EmulatorInfo,
  certificate: IssuedCertificate,
): ServiceConnection {
  return {
    id: connectionIds.certificate,
    url: `${info.resourceManagerEndpoint}/`,
    scheme: 'ServicePrincipal',
    parameters: {
      authenticationType: 'spnCertificate',
      serviceprincipalid: ids.pipelineClient,
      servicePrincipalCertificate: `${certificate.certificatePem}${certificate.privateKeyPem}`,
      tenantid: ids.tenant,
    },
    data: emulatorConnectionData(info),
  };
}

/** workloadIdentityConnection is a WorkloadIdentityFederation connection. */
export function workloadIdentityConnection(info: EmulatorInfo): ServiceConnection {
  return {
    id: connectionIds.workloadIdentity,
    url: `${info.resourceManagerEndpoint}/`,
    scheme: 'WorkloadIdentityFederation',
    parameters: {
      serviceprincipalid: ids.pipelineClient,
      tenantid: ids.tenant,
      workloadIdentityFederationIssuer: info.azureDevOpsIssuer,
      workloadIdentityFederationSubject: `sc://contoso/app/${workloadIdentityConnectionName}`,
    },
    data: emulatorConnectionData(info),
  };
}

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
  expectNoSecretLeak(result, secrets, SET_SECRET);
}

/**
 * agentJobFor is the pipeline job every Azure DevOps end-to-end test runs the task in: the three
 * service connections (secret, certificate, workload identity) and the pipeline's OIDC endpoint,
 * with every credential the runs were given, for leak checks.
 */
export function agentJobFor(
  info: EmulatorInfo,
  certificate: IssuedCertificate,
): { job: AgentJob; secrets: string[] } {
  return {
    job: {
      connections: [
        secretConnection(info),
        certificateConnection(info, certificate),
        workloadIdentityConnection(info),
      ],
      systemAccessToken: info.systemAccessToken,
      variables: { 'System.OidcRequestUri': info.azureDevOpsOidcRequestUri },
      env: { NODE_EXTRA_CA_CERTS: info.caCertificate },
    },
    secrets: [pipelineSecret, info.systemAccessToken, certificate.privateKeyPem],
  };
}
