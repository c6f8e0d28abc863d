import { armAudiences, type EmulatorContext } from './context.js';
import { jsonReply, type Reply } from './exchange.js';

/** CLOUD_NAME is the name the emulator's cloud metadata gives its cloud. */
export const CLOUD_NAME = 'AzureEmulator';

/**
 * cloudMetadata answers `GET /metadata/endpoints?api-version=2022-09-01` with ARM's array shape,
 * as the Azure CLI and SDKs read it to configure a custom cloud.
 */
export function cloudMetadata(context: EmulatorContext): Reply {
  const { origin, keyVaultAudience, graphAudience } = context.endpoints;
  return jsonReply(200, [
    {
      portal: origin,
      authentication: {
        loginEndpoint: origin,
        audiences: armAudiences(context.endpoints),
        tenant: 'common',
        identityProvider: 'AAD',
      },
      media: origin,
      graphAudience,
      graph: `${origin}/graph/`,
      name: CLOUD_NAME,
      suffixes: {
        azureDataLakeStoreFileSystem: 'azuredatalakestore.emulator.local',
        acrLoginServer: 'azurecr.emulator.local',
        sqlServerHostname: 'database.emulator.local',
        azureDataLakeAnalyticsCatalogAndJob: 'azuredatalakeanalytics.emulator.local',
        keyVaultDns: 'vault.emulator.local',
        storage: 'core.emulator.local',
        azureFrontDoorEndpointSuffix: 'azurefd.emulator.local',
        storageSyncEndpointSuffix: 'afs.emulator.local',
        mhsmDns: 'managedhsm.emulator.local',
        mysqlServerEndpoint: 'mysql.database.emulator.local',
        postgresqlServerEndpoint: 'postgres.database.emulator.local',
        mariadbServerEndpoint: 'mariadb.database.emulator.local',
        synapseAnalytics: 'dev.azuresynapse.emulator.local',
        attestationEndpoint: 'attest.emulator.local',
      },
      batch: origin,
      resourceManager: `${origin}/`,
      vmImageAliasDoc: '',
      activeDirectoryDataLake: origin,
      sqlManagement: origin,
      microsoftGraphResourceId: `${graphAudience}/`,
      appInsightsResourceId: origin,
      appInsightsTelemetryChannelResourceId: origin,
      attestationResourceId: origin,
      synapseAnalyticsResourceId: origin,
      logAnalyticsResourceId: origin,
      ossrDbmsResourceId: origin,
      keyVaultResourceId: keyVaultAudience,
    },
  ]);
}
