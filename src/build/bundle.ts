/**
 * Bundles the CLI: dist/cli.js plus dist/chunks/ (what dynamic imports reach), and the command
 * dist/stepwise.js. A bundle starts about twice as fast as tsc output (Ink alone pulls in ~550
 * modules), which matters for the first frame of the TUI.
 */
import { chmodSync, rmSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';
import { fastStringWidthPlugin } from './string-width-plugin.ts';
import { yogaNoFetch } from './yoga-no-fetch.ts';

const banner = [
  '#!/usr/bin/env node',
  // Some dependencies still call require(); give the ESM bundle one.
  "import { createRequire as __stepwiseCreateRequire } from 'node:module';",
  'const require = __stepwiseCreateRequire(import.meta.url);',
].join('\n');

// Chunks of earlier builds have other hashes; none may linger.
rmSync('dist/chunks', { recursive: true, force: true });

await build({
  entryPoints: { cli: 'src/cli/entry.ts' },
  outdir: 'dist',
  // What a dynamic import() reaches (each command, the TUI, its backend) is its own chunk, read
  // and compiled only when needed: the TUI's first frame compiles Ink and React but not the
  // engine, zod or yaml, which matters most on a first start (empty compile cache).
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  banner: { js: banner.replace('#!/usr/bin/env node\n', '') },
  // ssh2 loads optional native addons by path at run time; keep it outside the bundle. The AWS
  // SDK (1.4 MB) is imported only by S3 steps and `stepwise s3`, so keeping it out spares every
  // other start from parsing it (~20 ms measured for `stepwise list`).
  external: ['ssh2', 'cpu-features', '@aws-sdk/*'],
  // Ink imports react-devtools-core only when DEV is set; it is not a dependency.
  alias: {
    'react-devtools-core': './src/build/no-devtools.ts',
    // ssh2 is loaded on first use instead of when the bundle starts (see lazy-ssh2.ts).
    ssh2: './src/build/lazy-ssh2.ts',
  },
  plugins: [yogaNoFetch, fastStringWidthPlugin],
  jsx: 'automatic',
  legalComments: 'none',
  // React's production build, and a smaller file to load: both shorten the TUI's first frame.
  // Names are kept (no identifier minifying), so stack traces stay readable.
  define: { 'process.env.NODE_ENV': '"production"' },
  minifySyntax: true,
  minifyWhitespace: true,
  logLevel: 'warning',
});
// The command itself is a stub that turns on Node's compile cache before loading the bundle:
// compiling the 4 MB bundle is ~100 ms of every start, and the TUI's first frame must be quick.
writeFileSync(
  'dist/stepwise.js',
  [
    '#!/usr/bin/env node',
    "import module from 'node:module';",
    '// Cached bytecode for the bundle (in the OS temp dir); harmless if unavailable.',
    'try { module.enableCompileCache?.(); } catch {}',
    "await import('./cli.js');",
    '',
  ].join('\n'),
);
chmodSync('dist/stepwise.js', 0o755);
