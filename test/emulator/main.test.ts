import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import type { EmulatorInfo } from './index.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

describe('npm run emulator', () => {
  it('prints EmulatorInfo as its first stdout line and stops on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'test/emulator/main.ts', '--seed', 'test/emulator/seeds/demo.json'],
      { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const lines = createInterface({ input: child.stdout });
    const first = await new Promise<string>((resolve) => lines.once('line', resolve));
    const info = JSON.parse(first) as EmulatorInfo;
    expect(info.resourceManagerEndpoint).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(info.oidcRequestUrl).toContain('?');
    expect(Object.keys(info.vaults)).toEqual(['kv-demo']);
    const state = (await (await fetch(`${info.controlUrl}/state`)).json()) as { vaults: unknown[] };
    expect(state.vaults).toHaveLength(1);

    const exit = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
  }, 30_000);
});
