// Bundles each entry point into one CommonJS file in dist/, and writes the licences of every
// third-party package that went into the bundles to dist/licenses.txt.
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { build } from 'esbuild';

const entryPoints = { index: 'src/adapters/github/index.ts' };

const result = await build({
  entryPoints,
  outdir: 'dist',
  outExtension: { '.js': '.cjs' },
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  // @actions/core 3 and some Azure packages are ESM-only; bundling to CommonJS lets esbuild
  // resolve their `require` of Node built-ins, which a plain ESM bundle cannot.
  mainFields: ['module', 'main'],
  legalComments: 'none',
  sourcemap: false,
  minify: false,
  metafile: true,
  logLevel: 'warning',
});

const packages = new Map();
for (const input of Object.keys(result.metafile.inputs)) {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
  if (!match) continue;
  const dir = input.slice(0, match.index) + `node_modules/${match[1]}`;
  if (!packages.has(dir)) packages.set(dir, match[1]);
}

const sections = [];
for (const [dir, name] of [...packages].sort(
  (a, b) => a[1].localeCompare(b[1]) || a[0].localeCompare(b[0]),
)) {
  const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
  const licenceFile = readdirSync(dir).find((file) => /^(licen[cs]e|copying)(\..*)?$/i.test(file));
  const text = licenceFile ? readFileSync(path.join(dir, licenceFile), 'utf8').trim() : '';
  sections.push(
    `${name}@${manifest.version}\nLicense: ${manifest.license ?? 'unknown'}\n\n${text || '(no licence file shipped)'}\n`,
  );
}
writeFileSync('dist/licenses.txt', `${sections.join('\n-----\n\n')}`);

if (!existsSync('dist/index.cjs')) throw new Error('dist/index.cjs was not written');
console.log(
  `Built dist/ from ${Object.keys(entryPoints).length} entry point(s); ${packages.size} third-party packages.`,
);
