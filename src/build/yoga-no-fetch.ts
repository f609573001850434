/**
 * esbuild plugin: yoga-layout (Ink's layout engine) ships its WebAssembly as a base64 `data:` URL
 * and, under Node, reads it with `fetch()`. The first `fetch()` of a process loads undici, which
 * cost ~40 ms of the TUI's first frame (measured: importing yoga 59 ms with fetch, 15 ms without).
 * Yoga's own fallback decodes the same base64 synchronously; this plugin makes it take that path.
 */
import { readFile } from 'node:fs/promises';
import type { Plugin } from 'esbuild';

const FETCH_TEST = '"function"!=typeof fetch';

export const yogaNoFetch: Plugin = {
  name: 'yoga-no-fetch',
  setup(build) {
    build.onLoad(
      { filter: /yoga-layout[\\/]dist[\\/]binaries[\\/]yoga-wasm-base64-esm\.js$/ },
      async (args) => {
        const source = await readFile(args.path, 'utf8');
        const uses = source.split(FETCH_TEST).length - 1;
        // A yoga-layout upgrade that changed its loader must not silently lose (or break) this.
        if (uses !== 2)
          throw new Error(
            `yoga-no-fetch: expected 2 \`${FETCH_TEST}\` in ${args.path}, found ${uses}; re-check the plugin`,
          );
        return { contents: source.replaceAll(FETCH_TEST, 'true'), loader: 'js' };
      },
    );
  },
};
