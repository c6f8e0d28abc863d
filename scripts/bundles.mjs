// The bundles this repository ships, and the esbuild options that build each, shared by the build
// script and the tests that inspect what went into a bundle.

/**
 * bundles lists each entry point with its output file and the licence file for the third-party
 * packages inside it: the GitHub Action (dist/) and the Azure DevOps task (task/, packaged into
 * the extension as it is).
 */
export const bundles = [
  {
    entry: 'src/adapters/github/index.ts',
    outfile: 'dist/index.cjs',
    licences: 'dist/licenses.txt',
  },
  {
    entry: 'src/adapters/azure-devops/index.ts',
    outfile: 'task/index.cjs',
    licences: 'task/licenses.txt',
  },
];

/** bundleOptions returns the esbuild options that build one bundle. */
export function bundleOptions(bundle) {
  return {
    entryPoints: [bundle.entry],
    outfile: bundle.outfile,
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
  };
}

/** bundledPackages maps each node_modules directory that went into a bundle to its package name. */
export function bundledPackages(metafile) {
  const packages = new Map();
  for (const input of Object.keys(metafile.inputs)) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (!match) continue;
    const dir = input.slice(0, match.index) + `node_modules/${match[1]}`;
    if (!packages.has(dir)) packages.set(dir, match[1]);
  }
  return packages;
}
