// Builds the Azure DevOps extension (.vsix) from vss-extension.json and task/ with tfx-cli, offline.
// It fails when the extension and task versions differ, and on any warning tfx prints, so that a
// manifest problem cannot slip into a release.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const outDir = process.argv[2] ?? path.join(root, '.tmp');

const extension = JSON.parse(readFileSync(path.join(root, 'vss-extension.json'), 'utf8'));
const task = JSON.parse(readFileSync(path.join(root, 'task/task.json'), 'utf8'));
const taskVersion = `${task.version.Major}.${task.version.Minor}.${task.version.Patch}`;
if (extension.version !== taskVersion) {
  console.error(
    `vss-extension.json version ${extension.version} differs from task/task.json version ` +
      `${taskVersion}: move them together.`,
  );
  process.exit(1);
}

mkdirSync(outDir, { recursive: true });
const tfx = path.join(root, 'node_modules/tfx-cli/_build/tfx-cli.js');
const result = spawnSync(
  process.execPath,
  [
    tfx,
    'extension',
    'create',
    '--root',
    root,
    '--manifest-globs',
    'vss-extension.json',
    '--output-path',
    outDir,
    '--no-prompt',
    '--no-color',
  ],
  { cwd: root, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } },
);
// eslint-disable-next-line no-control-regex
const output = `${result.stdout}${result.stderr}`.replace(/\u001b\[[0-9;]*m/g, '');
process.stdout.write(output);
if (result.status !== 0) {
  console.error(`tfx extension create failed (exit ${result.status ?? result.signal}).`);
  process.exit(1);
}
if (/warn/i.test(output)) {
  console.error('tfx printed a warning: fix the manifest (warnings fail the build).');
  process.exit(1);
}
