import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startEmulator, type RunningEmulator } from './index.js';
import { createEmulatorClients, type EmulatorClients } from './sdk-clients.js';

const seedPath = new URL('./seeds/demo.json', import.meta.url).pathname;

describe('emulator with the demo seed', () => {
  let emulator: RunningEmulator;
  let clients: EmulatorClients;

  beforeAll(async () => {
    emulator = await startEmulator({ seed: seedPath });
    clients = createEmulatorClients(emulator.info);
  });
  afterAll(async () => {
    await emulator.stop();
  });

  it('serves a site through the real Web SDK', async () => {
    const site = await clients.web.webApps.get('rg-app', 'app-demo');
    expect(site.hostNames).toContain('www.contoso.com');
    expect(site.serverFarmId).toContain('plan-demo');
  });

  it('serves a certificate through the real Key Vault SDK', async () => {
    const certificate = await clients.certificates('kv-demo').getCertificate('www-contoso');
    expect(certificate.policy?.subjectAlternativeNames?.dnsNames).toContain('*.contoso.com');
  });
});
