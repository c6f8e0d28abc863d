import type { BuildOptions, Metafile } from 'esbuild';

/** Bundle is one entry point with its output file and licence file. */
export interface Bundle {
  readonly entry: string;
  readonly outfile: string;
  readonly licences: string;
}

/** bundles lists the bundles this repository ships. */
export declare const bundles: readonly Bundle[];

/** bundleOptions returns the esbuild options that build one bundle. */
export declare function bundleOptions(bundle: Bundle): BuildOptions & { metafile: true };

/** bundledPackages maps each node_modules directory in a bundle to its package name. */
export declare function bundledPackages(metafile: Metafile): Map<string, string>;
