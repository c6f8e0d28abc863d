import type { Seed, SeedCertificate, SeedVault } from '../emulator/seed.js';

/** Fixed ids of the end-to-end scenario, so tests can name them. */
export const ids = {
  tenant: '72f988bf-0000-4000-8000-000000000001',
  subscription: '11111111-0000-4000-8000-000000000001',
  sharedSubscription: '22222222-0000-4000-8000-000000000002',
  pipelineClient: '33333333-0000-4000-8000-000000000003',
  pipelineObject: '33333333-0000-4000-8000-0000000000a3',
  graphDeniedClient: '44444444-0000-4000-8000-000000000004',
  graphDeniedObject: '44444444-0000-4000-8000-0000000000a4',
  appServiceRp: 'abfa0a7c-a6b6-4736-8310-5855508787cd',
  appServiceRpObject: '55555555-0000-4000-8000-000000000005',
} as const;

/** The pipeline's client secret: tests assert it never reaches a log, output or summary. */
export const pipelineSecret = 'kvcb-e2e-Secret~value.0123456789abcdef';

/** The GitHub OIDC subject the pipeline's federated credential trusts. */
export const oidcSubject = 'repo:contoso/app:ref:refs/heads/main';

const planId = `/subscriptions/${ids.subscription}/resourceGroups/rg-plan/providers/Microsoft.Web/serverfarms/plan1`;

const wwwContoso: SeedCertificate = {
  name: 'www-contoso',
  dnsNames: ['www.contoso.com', '*.contoso.com'],
  validFromDaysAgo: 10,
  validDays: 365,
};

/** Both pipeline identities may read certificate metadata in every access-policy vault. */
function pipelineReadsCertificates(): SeedVault['accessPolicies'] {
  return [ids.pipelineObject, ids.graphDeniedObject].map((objectId) => ({
    objectId,
    permissions: { certificates: ['get', 'list'] },
  }));
}

/**
 * scenarioSeed is the world of the end-to-end tests: an app whose plan sits in another resource
 * group, a second app in the same webspace, a policy vault with a certificate per refusal case,
 * an RBAC vault, a vault in another subscription and a vault behind a firewall.
 */
export function scenarioSeed(): Seed {
  return {
    tenantId: ids.tenant,
    subscriptions: [
      { id: ids.subscription, displayName: 'app-subscription' },
      { id: ids.sharedSubscription, displayName: 'shared-services' },
    ],
    clients: [
      {
        clientId: ids.pipelineClient,
        clientSecret: pipelineSecret,
        objectId: ids.pipelineObject,
        displayName: 'pipeline',
        federatedCredentials: [
          {
            issuer: 'https://token.actions.githubusercontent.com',
            subject: oidcSubject,
            audiences: ['api://AzureADTokenExchange'],
          },
        ],
      },
      {
        clientId: ids.graphDeniedClient,
        clientSecret: pipelineSecret,
        objectId: ids.graphDeniedObject,
        displayName: 'pipeline-without-graph',
        graphDenied: true,
      },
    ],
    servicePrincipals: [
      {
        appId: ids.appServiceRp,
        objectId: ids.appServiceRpObject,
        displayName: 'Microsoft Azure App Service',
      },
    ],
    vaults: [
      {
        resourceGroup: 'rg-kv',
        name: 'kv-policy',
        location: 'westeurope',
        accessPolicies: pipelineReadsCertificates(),
        certificates: [
          wwwContoso,
          { name: 'api-only', dnsNames: ['api.contoso.com'], validDays: 365 },
          { ...wwwContoso, name: 'pem-cert', contentType: 'application/x-pem-file' },
          { ...wwwContoso, name: 'locked-key', exportable: false },
          { ...wwwContoso, name: 'disabled-cert', enabled: false },
          { ...wwwContoso, name: 'expired-cert', validFromDaysAgo: 400, validDays: 365 },
          { ...wwwContoso, name: 'expiring-cert', validFromDaysAgo: 340, validDays: 360 },
          { name: 'fabrikam', dnsNames: ['shop.fabrikam.com'], validDays: 365 },
        ],
      },
      {
        resourceGroup: 'rg-kv',
        name: 'kv-rbac',
        location: 'westeurope',
        enableRbacAuthorization: true,
        certificates: [wwwContoso],
      },
      {
        subscriptionId: ids.sharedSubscription,
        resourceGroup: 'rg-shared',
        name: 'kv-shared',
        location: 'northeurope',
        accessPolicies: pipelineReadsCertificates(),
        certificates: [wwwContoso],
      },
      {
        resourceGroup: 'rg-kv',
        name: 'kv-closed',
        location: 'westeurope',
        accessPolicies: pipelineReadsCertificates(),
        networkAcls: { defaultAction: 'Deny', bypass: 'None', ipRules: ['127.0.0.1'] },
        certificates: [wwwContoso],
      },
      {
        resourceGroup: 'rg-kv',
        name: 'kv-trusted',
        location: 'westeurope',
        accessPolicies: pipelineReadsCertificates(),
        networkAcls: { defaultAction: 'Deny', bypass: 'AzureServices', ipRules: ['127.0.0.1'] },
        certificates: [wwwContoso],
      },
    ],
    serverFarms: [{ resourceGroup: 'rg-plan', name: 'plan1', location: 'westeurope' }],
    sites: [
      {
        resourceGroup: 'rg-app',
        name: 'app1',
        location: 'westeurope',
        serverFarm: planId,
        hostNames: ['www.contoso.com', 'api.contoso.com', 'shop.fabrikam.com'],
        slots: [{ name: 'staging', hostNames: ['staging.contoso.com'] }],
      },
      {
        resourceGroup: 'rg-app',
        name: 'app2',
        location: 'westeurope',
        serverFarm: planId,
        hostNames: ['blog.contoso.com'],
      },
      {
        resourceGroup: 'rg-app',
        name: 'app3',
        location: 'westeurope',
        serverFarm: planId,
        hostNames: ['docs.contoso.com'],
      },
    ],
    roleAssignments: [
      {
        scope: `/subscriptions/${ids.subscription}/resourceGroups/rg-kv/providers/Microsoft.KeyVault/vaults/kv-rbac`,
        roleDefinitionId: 'db79e9a7-68ee-4b58-9aeb-b90e7c24fcba',
        principalId: ids.pipelineObject,
      },
    ],
  };
}
