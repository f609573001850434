/**
 * Bundles the CLI into one file, dist/stepwise.js. A single ESM file starts about twice as fast
 * as tsc output (Ink alone pulls in ~550 modules), which matters for the first frame of the TUI.
 */
import { chmodSync } from 'node:fs';
import { build } from 'esbuild';

const banner = [
  '#!/usr/bin/env node',
  // Some dependencies still call require(); give the ESM bundle one.
  "import { createRequire as __stepwiseCreateRequire } from 'node:module';",
  'const require = __stepwiseCreateRequire(import.meta.url);',
].join('\n');

await build({
  entryPoints: ['src/cli/entry.ts'],
  outfile: 'dist/stepwise.js',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  banner: { js: banner },
  // ssh2 loads optional native addons by path at run time; keep it outside the bundle. The AWS
  // SDK (1.4 MB) is imported only by S3 steps and `stepwise s3`, so keeping it out spares every
  // other start from parsing it (~20 ms measured for `stepwise list`).
  external: ['ssh2', 'cpu-features', '@aws-sdk/*'],
  // Ink imports react-devtools-core only when DEV is set; it is not a dependency.
  alias: { 'react-devtools-core': './src/build/no-devtools.ts' },
  jsx: 'automatic',
  legalComments: 'none',
  logLevel: 'warning',
});
chmodSync('dist/stepwise.js', 0o755);
