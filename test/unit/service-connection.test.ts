import { describe, expect, it } from 'vitest';

import { toTaskWording } from '../../src/adapters/azure-devops/inputs.js';
import {
  readServiceConnection,
  type AgentEndpoints,
} from '../../src/adapters/azure-devops/service-connection.js';

const ID = '6f1c2a00-0000-4000-8000-00000000c0aa';
const CLIENT = '33333333-0000-4000-8000-000000000003';
const TENANT = '72f988bf-0000-4000-8000-000000000001';

function endpoints(
  scheme: string,
  parameters: Record<string, string>,
  data: Record<string, string>,
  url = 'https://management.azure.com/',
): AgentEndpoints {
  return {
    url: () => url,
    data: (_, key) => data[key.toLowerCase()],
    authorization: (id) => (id === ID ? { scheme, parameters } : undefined),
    variable: () => undefined,
  };
}

describe('readServiceConnection', () => {
  const cases: {
    name: string;
    scheme: string;
    parameters: Record<string, string>;
    data: Record<string, string>;
    expected: object;
  }[] = [
    {
      name: 'a managed identity connection with a user-assigned client id',
      scheme: 'ManagedServiceIdentity',
      parameters: { tenantid: TENANT },
      data: { environment: 'AzureUSGovernment', msiclientid: CLIENT.toUpperCase() },
      expected: {
        cloud: { environment: 'AzureUSGovernment' },
        auth: { kind: 'managed-identity', clientId: CLIENT },
        subscriptionId: undefined,
      },
    },
    {
      name: 'a system-assigned managed identity connection',
      scheme: 'ManagedServiceIdentity',
      parameters: { tenantid: TENANT },
      data: { environment: 'AzureCloud', subscriptionid: '11111111-0000-4000-8000-000000000001' },
      expected: {
        cloud: { environment: 'AzureCloud' },
        auth: { kind: 'managed-identity', clientId: undefined },
        subscriptionId: '11111111-0000-4000-8000-000000000001',
      },
    },
    {
      name: 'an Azure Stack Hub connection (the core custom cloud)',
      scheme: 'ServicePrincipal',
      parameters: { serviceprincipalid: CLIENT, tenantid: TENANT, serviceprincipalkey: 's3cret' },
      data: { environment: 'AzureStack', environmentauthorityurl: 'https://login.local/' },
      expected: {
        cloud: {
          environment: 'custom',
          resourceManagerEndpoint: 'https://management.azure.com',
          authorityHost: 'https://login.local',
        },
        auth: { kind: 'client-secret', clientId: CLIENT, tenantId: TENANT, clientSecret: 's3cret' },
      },
    },
  ];
  for (const { name, scheme, parameters, data, expected } of cases) {
    it(`reads ${name}`, () => {
      const masked: string[] = [];
      const connection = readServiceConnection(ID, endpoints(scheme, parameters, data), (v) =>
        masked.push(v),
      );
      expect(connection).toMatchObject(expected);
      expect(masked).toEqual(
        parameters['serviceprincipalkey'] ? [parameters['serviceprincipalkey']] : [],
      );
    });
  }

  it('names the connection and the setting when the service principal id is not a GUID', () => {
    const read = (): unknown =>
      readServiceConnection(
        ID,
        endpoints(
          'ServicePrincipal',
          { serviceprincipalid: 'app-name', tenantid: TENANT, serviceprincipalkey: 'x' },
          { environment: 'AzureCloud' },
        ),
        () => undefined,
      );
    expect(read).toThrow(
      `Failed to read the Azure Resource Manager service connection '${ID}' (input ` +
        "'azureSubscription'): its Service Principal Id is 'app-name', which is not a GUID.",
    );
  });
});

describe('toTaskWording', () => {
  it("rewrites the core's option names to the task's input names, and only them", () => {
    expect(
      toTaskWording(
        "Input 'app-service-principal-object-id' is 'x'; set grant-access: true or key-vault.",
        ['app-service-principal-object-id', 'grant-access', 'target'],
      ),
    ).toBe("Input 'appServicePrincipalObjectId' is 'x'; set grantAccess: true or key-vault.");
  });
});
