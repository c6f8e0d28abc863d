import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { runAction } from '../support/github-runner.js';
import { expectNoSecretLeak, failureMessage, startHarness, type Harness } from './harness.js';
import { ids, scenarioSeed } from './scenario-seed.js';

// Every refusal must fail with a message that names the problem and the fix, and must send no
// write: the emulator's request list is the witness.
describe('App Service refusals: clear message, 0 writes', () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await startHarness(scenarioSeed());
  });
  afterAll(async () => {
    await harness?.emulator.stop();
  });

  const cases: [string, Record<string, string>, RegExp][] = [
    [
      'a PEM secret',
      { certificate: 'pem-cert' },
      /application\/x-pem-file.*only PKCS#12.*passwordless PFX/,
    ],
    [
      'a key that cannot be exported',
      { certificate: 'locked-key' },
      /not exportable.*exportable = true/,
    ],
    [
      'a disabled certificate',
      { certificate: 'disabled-cert' },
      /is disabled; enable it in Key Vault/,
    ],
    [
      'an expired certificate',
      { certificate: 'expired-cert' },
      /expired on .*renew it in Key Vault/,
    ],
    [
      'a hostname that is not on the app',
      { hostnames: 'shop.contoso.com' },
      /Input 'hostnames' contains 'shop\.contoso\.com', which is not a hostname of app 'app1'.*az webapp config hostname add/,
    ],
    [
      'a hostname the certificate does not cover',
      { hostnames: 'shop.fabrikam.com' },
      /Input 'hostnames' contains 'shop\.fabrikam\.com', which certificate 'www-contoso' does not cover/,
    ],
    [
      'a wildcard given as a hostname',
      { hostnames: '*.contoso.com' },
      /Input 'hostnames' contains '\*\.contoso\.com', which is not a hostname of app 'app1'.*never on the certificate's subject/,
    ],
    [
      'a certificate that covers none of the app hostnames',
      { 'app-name': 'app2', certificate: 'fabrikam' },
      /covers none of the hostnames of app 'app2'/,
    ],
    [
      'a vault firewall without the trusted-services bypass',
      { 'key-vault': 'kv-closed' },
      /does not let trusted Microsoft services bypass.*--bypass AzureServices/,
    ],
    [
      'grant-access false without the grant',
      { 'grant-access': 'false' },
      new RegExp(
        `'grant-access' is false.*az keyvault set-policy --name kv-policy --object-id ${ids.appServiceRpObject} --secret-permissions get`,
      ),
    ],
    ['an unknown target', { target: 'functions' }, /Input 'target' is 'functions'; use one of/],
    [
      'an unknown mode',
      { mode: 'verify-all' },
      /Input 'mode' is 'verify-all'; use one of: apply, plan/,
    ],
    [
      'a junk boolean',
      { 'grant-access': 'yes' },
      /Input 'grant-access' is 'yes'; use true or false/,
    ],
    [
      'a certificate name with dots',
      { certificate: 'www.contoso.com' },
      /Did you mean 'www-contoso-com'/,
    ],
    [
      'a certificate URL as key-vault',
      { 'key-vault': 'https://kv-policy.vault.azure.net/certificates/www-contoso' },
      /a URL inside the vault/,
    ],
    [
      'a missing app',
      { 'app-name': 'no-such-app' },
      /Failed to read app 'no-such-app'.*HTTP 404.*Check 'app-name'/,
    ],
    [
      'a missing certificate',
      { certificate: 'no-such-cert' },
      /HTTP 404.*has no certificate 'no-such-cert'/,
    ],
    [
      'a vault name that is not in the subscription',
      { 'key-vault': 'kv-shared' },
      /not found in subscription.*resource id or URI/,
    ],
  ];

  it.each(cases)('refuses %s', async (_, overrides, message) => {
    const mark = await harness.control.mark();
    const result = await harness.runWithOidc(harness.inputs(overrides));

    expect(result.exitCode).toBe(1);
    expect(failureMessage(result)).toMatch(/^keyvault-cert-bind: /);
    expect(failureMessage(result)).toMatch(message);
    expect(await harness.control.writesSince(mark)).toEqual([]);
    expectNoSecretLeak(result, harness.secrets);
  });

  it("shows App Service's own reason when it refuses the import", async () => {
    // An object id that is not the App Service resource provider's: the grant goes to the wrong
    // principal, and App Service then refuses to import (its error body is PascalCase).
    const result = await harness.runWithOidc(
      harness.inputs({
        'app-name': 'app3',
        'app-identity': 'none',
        'app-service-principal-object-id': '77777777-0000-4000-8000-000000000007',
      }),
    );
    expect(result.exitCode).toBe(1);
    expect(failureMessage(result)).toMatch(
      /Failed to import certificate .* \(HTTP 400 [A-Za-z]+.*\): The service does not have access to .*kv-policy' Key Vault/,
    );
    expect(failureMessage(result)).toMatch(/1 earlier change\(s\) of this run were applied/);
    expect(result.summary).toMatch(/\| Import Key Vault certificate .*\| failed: /);
  });

  it('names the vault firewall, not an access policy, when the firewall blocks this runner', async () => {
    await fetch(`${harness.emulator.info.controlUrl}/vaults/kv-trusted`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        networkAcls: { defaultAction: 'Deny', bypass: 'AzureServices', ipRules: [] },
      }),
    });
    const mark = await harness.control.mark();
    const result = await harness.runWithOidc(harness.inputs({ 'key-vault': 'kv-trusted' }));
    expect(failureMessage(result)).toMatch(
      /ForbiddenByFirewall.*firewall refused this machine \(the runner or agent\)/,
    );
    expect(await harness.control.writesSince(mark)).toEqual([]);
  });

  it('refuses bad input before sending any request at all', async () => {
    const mark = await harness.control.mark();
    const result = await harness.runWithOidc(harness.inputs({ 'subscription-id': 'prod' }));

    expect(failureMessage(result)).toMatch(
      /Input 'subscription-id' is 'prod'; it must be the subscription id/,
    );
    expect(await harness.control.requestsSince(mark)).toEqual([]);
  });

  it('names the input that replaces a denied Microsoft Graph look-up', async () => {
    const mark = await harness.control.mark();
    const result = await harness.runWithSecret(harness.inputs(), ids.graphDeniedClient);

    expect(result.exitCode).toBe(1);
    expect(failureMessage(result)).toMatch(
      /Microsoft Graph denied the look-up \(Authorization_RequestDenied\).*'app-service-principal-object-id'.*az ad sp show --id abfa0a7c-a6b6-4736-8310-5855508787cd/,
    );
    expect(await harness.control.writesSince(mark)).toEqual([]);
  });

  it('tells a workflow without id-token permission how to get an OIDC token', async () => {
    const result = await runAction(
      { ...harness.inputs(), 'client-id': ids.pipelineClient, 'tenant-id': ids.tenant },
      { NODE_EXTRA_CA_CERTS: harness.emulator.info.caCertificate },
    );
    expect(failureMessage(result)).toMatch(/permissions: id-token: write/);
  });

  it('warns, and goes on, when the certificate expires within 30 days', async () => {
    const result = await harness.runWithOidc(
      harness.inputs({ certificate: 'expiring-cert', mode: 'plan' }),
    );
    expect(result.exitCode, result.stdout).toBe(0);
    expect(result.stdout).toMatch(/::warning::Expiry: .*\((\d|[12]\d) days left\)/);
    expect(result.summary).toMatch(/Expiry \| ⚠️ warning/);
  });
});
