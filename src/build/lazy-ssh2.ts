/**
 * Stands in for `ssh2` in the bundle. ssh2 stays outside the bundle (it loads optional native
 * addons by path), and an external static import is evaluated when the bundle starts, however
 * lazily the importing module is used: ~100 ms of every start, also of the TUI's first frame and
 * of `stepwise list`, which never open a connection. This default export loads ssh2 (CommonJS) on
 * the first property read, e.g. `ssh2.utils` or `new ssh2.Client()`, so only a run that connects
 * pays for it. Named value imports from 'ssh2' are not supported (the code uses the default
 * import, which is also what ssh2's ESM interop requires).
 */
import { createRequire } from 'node:module';

// Not named `require`: esbuild would try to bundle a call to that.
const load = createRequire(import.meta.url);
let ssh2: Record<PropertyKey, unknown> | undefined;
const real = () => {
  ssh2 ??= load('ssh2') as Record<PropertyKey, unknown>;
  return ssh2;
};

export default new Proxy(
  {},
  {
    get: (_target, key) => real()[key],
    has: (_target, key) => key in real(),
    ownKeys: () => Reflect.ownKeys(real()),
    getOwnPropertyDescriptor: (_target, key) => {
      const d = Reflect.getOwnPropertyDescriptor(real(), key);
      return d ? { ...d, configurable: true } : undefined;
    },
  },
);
