import type {
  EmulatorState,
  HostNameBinding,
  ServerFarm,
  WebApp,
  WebCertificate,
} from './state.js';

/** siteResource renders a site or slot in the Web 2025-05-01 `Site` shape. */
export function siteResource(state: EmulatorState, app: WebApp): Record<string, unknown> {
  const name = app.slotName === undefined ? app.siteName : `${app.siteName}/${app.slotName}`;
  const scmHost = app.defaultHostName.replace('.azurewebsites.net', '.scm.azurewebsites.net');
  const sslStates = [
    ...app.hostNames.map((host) => {
      const binding = app.bindings.get(host);
      return {
        name: host,
        sslState: binding?.sslState ?? 'Disabled',
        ...(binding?.thumbprint !== undefined ? { thumbprint: binding.thumbprint } : {}),
        hostType: 'Standard',
      };
    }),
    { name: scmHost, sslState: 'Disabled', hostType: 'Repository' },
  ];
  const farm = state.serverFarms.get(app.serverFarmId.toLowerCase());
  const resource: Record<string, unknown> = {
    id: app.id,
    name,
    type: app.slotName === undefined ? 'Microsoft.Web/sites' : 'Microsoft.Web/sites/slots',
    kind: 'app',
    location: app.location,
    tags: {},
    properties: {
      state: 'Running',
      hostNames: [...app.hostNames],
      repositorySiteName: app.siteName,
      usageState: 'Normal',
      enabled: true,
      enabledHostNames: [...app.hostNames, scmHost],
      availabilityState: 'Normal',
      hostNameSslStates: sslStates,
      serverFarmId: app.serverFarmId,
      reserved: false,
      isXenon: false,
      hyperV: false,
      lastModifiedTimeUtc: app.lastModified.toISOString(),
      scmSiteAlsoStopped: false,
      clientAffinityEnabled: true,
      clientCertEnabled: false,
      clientCertMode: 'Required',
      hostNamesDisabled: false,
      customDomainVerificationId:
        'C0FFEE0000000000000000000000000000000000000000000000000000000000',
      outboundIpAddresses: '127.0.0.1',
      possibleOutboundIpAddresses: '127.0.0.1',
      containerSize: 0,
      dailyMemoryTimeQuota: 0,
      resourceGroup: app.resourceGroup,
      defaultHostName: app.defaultHostName,
      httpsOnly: false,
      redundancyMode: 'None',
      publicNetworkAccess: 'Enabled',
      storageAccountRequired: false,
      keyVaultReferenceIdentity: 'SystemAssigned',
      sku: farm ? skuTier(farm.sku) : 'PremiumV3',
      ...app.extraProperties,
    },
  };
  const identity = identityResource(app);
  if (identity) resource['identity'] = identity;
  return resource;
}

function identityResource(app: WebApp): Record<string, unknown> | undefined {
  const system = app.identity.systemAssigned;
  const user = app.identity.userAssigned;
  if (!system && user.size === 0) return undefined;
  const type =
    system && user.size > 0
      ? 'SystemAssigned, UserAssigned'
      : system
        ? 'SystemAssigned'
        : 'UserAssigned';
  return {
    type,
    ...(system ? { tenantId: system.tenantId, principalId: system.principalId } : {}),
    ...(user.size > 0 ? { userAssignedIdentities: Object.fromEntries(user) } : {}),
  };
}

/** serverFarmResource renders a plan in the Web 2025-05-01 `AppServicePlan` shape. */
export function serverFarmResource(
  state: EmulatorState,
  farm: ServerFarm,
): Record<string, unknown> {
  const numberOfSites = [...state.sites.values()].filter(
    (s) => s.serverFarmId.toLowerCase() === farm.id.toLowerCase(),
  ).length;
  return {
    id: farm.id,
    name: farm.name,
    type: 'Microsoft.Web/serverfarms',
    kind: 'app',
    location: farm.location,
    tags: {},
    properties: {
      status: 'Ready',
      subscription: farm.subscriptionId,
      maximumNumberOfWorkers: 30,
      geoRegion: farm.location,
      numberOfSites,
      perSiteScaling: false,
      elasticScaleEnabled: false,
      maximumElasticWorkerCount: 1,
      isSpot: false,
      resourceGroup: farm.resourceGroup,
      reserved: false,
      isXenon: false,
      hyperV: false,
      targetWorkerCount: 0,
      targetWorkerSizeId: 0,
      provisioningState: 'Succeeded',
      zoneRedundant: false,
    },
    sku: {
      name: farm.sku,
      tier: skuTier(farm.sku),
      size: farm.sku,
      family: farm.sku.replace(/\d.*$/, ''),
      capacity: 1,
    },
  };
}

function skuTier(sku: string): string {
  if (/v3$/i.test(sku)) return 'PremiumV3';
  if (/v2$/i.test(sku)) return 'PremiumV2';
  if (/^S/i.test(sku)) return 'Standard';
  if (/^B/i.test(sku)) return 'Basic';
  if (/^F/i.test(sku)) return 'Free';
  return 'Premium';
}

/** certificateResource renders a certificate in the Web 2025-05-01 `Certificate` shape. */
export function certificateResource(
  certificate: WebCertificate,
  now = new Date(),
): Record<string, unknown> {
  return {
    id: certificate.id,
    name: certificate.name,
    type: 'Microsoft.Web/certificates',
    location: certificate.location,
    tags: certificate.tags,
    properties: {
      friendlyName: '',
      subjectName: certificate.subjectName,
      hostNames: certificate.hostNames,
      issuer: certificate.issuer,
      issueDate: certificate.issueDate.toISOString(),
      expirationDate: certificate.expirationDate.toISOString(),
      thumbprint: certificate.thumbprint,
      valid: certificate.issueDate <= now && now < certificate.expirationDate,
      cerBlob: certificate.cerBlob,
      publicKeyHash: certificate.publicKeyHash,
      keyVaultId: certificate.keyVaultId,
      keyVaultSecretName: certificate.keyVaultSecretName,
      keyVaultSecretStatus: 'Succeeded',
      serverFarmId: certificate.serverFarmId,
      canonicalName: certificate.subjectName,
    },
  };
}

/** hostNameBindingResource renders a binding in the Web 2025-05-01 `HostNameBinding` shape. */
export function hostNameBindingResource(
  app: WebApp,
  binding: HostNameBinding,
): Record<string, unknown> {
  const prefix = app.slotName === undefined ? app.siteName : `${app.siteName}/${app.slotName}`;
  return {
    id: `${app.id}/hostNameBindings/${binding.hostName}`,
    name: `${prefix}/${binding.hostName}`,
    type:
      app.slotName === undefined
        ? 'Microsoft.Web/sites/hostNameBindings'
        : 'Microsoft.Web/sites/slots/hostNameBindings',
    properties: {
      siteName: app.siteName,
      azureResourceName: app.siteName,
      azureResourceType: 'Website',
      customHostNameDnsRecordType: 'CName',
      hostNameType: binding.hostName === app.defaultHostName ? 'Managed' : 'Verified',
      sslState: binding.sslState,
      ...(binding.thumbprint !== undefined ? { thumbprint: binding.thumbprint } : {}),
    },
  };
}
