/** esbuild plugin: every `string-width` import but the shim's own gets the shim. */
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'esbuild';

const shim = fileURLToPath(new URL('./string-width-shim.ts', import.meta.url));

export const fastStringWidthPlugin: Plugin = {
  name: 'fast-string-width',
  setup(build) {
    build.onResolve({ filter: /^string-width$/ }, (args) =>
      args.importer === shim ? undefined : { path: shim },
    );
  },
};
