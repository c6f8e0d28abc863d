// Bundles each entry point into one CommonJS file (the action in dist/, the Azure DevOps task in
// task/), and writes beside each the licences of every third-party package that went into it.
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { build } from 'esbuild';

import { bundledPackages, bundleOptions, bundles } from './bundles.mjs';

function licenceText(packages) {
  const sections = [];
  for (const [dir, name] of [...packages].sort(
    (a, b) => a[1].localeCompare(b[1]) || a[0].localeCompare(b[0]),
  )) {
    const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
    const licenceFile = readdirSync(dir).find((file) =>
      /^(licen[cs]e|copying)(\..*)?$/i.test(file),
    );
    const text = licenceFile ? readFileSync(path.join(dir, licenceFile), 'utf8').trim() : '';
    sections.push(
      `${name}@${manifest.version}\nLicense: ${manifest.license ?? 'unknown'}\n\n${text || '(no licence file shipped)'}\n`,
    );
  }
  return sections.join('\n-----\n\n');
}

for (const bundle of bundles) {
  const result = await build(bundleOptions(bundle));
  const packages = bundledPackages(result.metafile);
  writeFileSync(bundle.licences, licenceText(packages));
  if (!existsSync(bundle.outfile)) throw new Error(`${bundle.outfile} was not written`);
  console.log(`Built ${bundle.outfile}; ${packages.size} third-party packages.`);
}
