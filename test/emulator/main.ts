import { parseArgs } from 'node:util';

import { startEmulator } from './index.js';

// The CLI: `npm run emulator -- --seed FILE [--port N] [--traffic-dir DIR]`. The first stdout line
// is the EmulatorInfo JSON, so scripts can read one line and go.
const { values } = parseArgs({
  options: {
    seed: { type: 'string' },
    port: { type: 'string' },
    'traffic-dir': { type: 'string' },
  },
  strict: true,
});

if (values.seed === undefined) {
  process.stderr.write('Usage: npm run emulator -- --seed FILE [--port N] [--traffic-dir DIR]\n');
  process.exit(2);
}
const port = values.port === undefined ? undefined : Number(values.port);
if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
  process.stderr.write(`Invalid --port '${values.port ?? ''}': expected an integer 0-65535\n`);
  process.exit(2);
}

const emulator = await startEmulator({
  seed: values.seed,
  ...(port !== undefined ? { port } : {}),
  ...(values['traffic-dir'] !== undefined ? { trafficDir: values['traffic-dir'] } : {}),
});
process.stdout.write(`${JSON.stringify(emulator.info)}\n`);
process.stdout.write(`Azure emulator listening on ${emulator.info.resourceManagerEndpoint}\n`);
process.stdout.write(
  `Control API on ${emulator.info.controlUrl}; CA certificate ${emulator.info.caCertificate}\n`,
);
for (const [name, uri] of Object.entries(emulator.info.vaults)) {
  process.stdout.write(`Vault ${name} at ${uri}\n`);
}

let stopping = false;
const stop = (signal: string): void => {
  if (stopping) return;
  stopping = true;
  process.stdout.write(`Received ${signal}, stopping\n`);
  void emulator.stop().then(() => process.exit(0));
};
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
