// Runs every benchmark in this folder, one after another, so their ratios come from one session.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
let failed = 0;
for (const file of readdirSync(here)
  .filter((f) => f.endsWith('.mjs') && f !== 'run-all.mjs')
  .sort()) {
  const r = spawnSync(process.execPath, [here + file], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
  console.log('');
}
process.exit(failed ? 1 : 0);
