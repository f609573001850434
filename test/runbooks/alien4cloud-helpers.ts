/**
 * Runs the built CLI headless (`--json`) against the simulated Alien4Cloud installation
 * (fixtures/alien4cloud) and reads its events.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  type Alien4CloudWorld,
  startAlien4CloudWorld,
  type WorldOptions,
} from '../../fixtures/alien4cloud/make-world.mjs';
import type { CheckResult, Phase, RunEvent } from '../../src/engine/events.ts';
import { CLI } from '../cli/helpers.ts';

/** How long a test that walks a runbook may take (a rolling restart of 3 nodes included). */
export const WALK_TIMEOUT = 180_000;

export interface Walk {
  code: number | null;
  events: RunEvent[];
  stderr: string;
}

/** A world in a fresh temporary directory, with its own state home for the CLI. */
export async function world(options: Omit<WorldOptions, 'dir'> = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-a4c-'));
  const w = await startAlien4CloudWorld({ dir: path.join(dir, 'world'), ...options });
  const home = path.join(dir, 'home');
  /** `stepwise run RUNBOOK -i inventory --json ...args`. */
  const run = (runbook: string, ...args: string[]): Promise<Walk> =>
    new Promise((resolve, reject) => {
      const child = spawn(
        process.execPath,
        [CLI, 'run', runbook, '-i', w.inventory, '--known-hosts', w.knownHosts, '--json', ...args],
        { env: { ...process.env, STEPWISE_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
      });
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
      });
      child.on('error', reject);
      child.on('close', (code) =>
        resolve({
          code,
          stderr,
          events: stdout
            .split('\n')
            .filter((l) => l.startsWith('{'))
            .map((l) => JSON.parse(l) as RunEvent),
        }),
      );
    });
  return {
    w,
    run,
    async stop() {
      await w.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The results of one check, last verdict per host. */
export function results(walk: Walk, check: string): Map<string, CheckResult> {
  const out = new Map<string, CheckResult>();
  for (const e of walk.events)
    if (e.type === 'check-result' && e.check === check) out.set(e.host, e);
  return out;
}

/** Step id → how it ended. */
export function steps(walk: Walk): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of walk.events) if (e.type === 'step-finished') out[e.step] = e.status;
  return out;
}

/** What hosts printed in one phase of a step (e.g. the preview's diff), by host. */
export function output(walk: Walk, step: string, phase: Phase): Record<string, string> {
  const out: Record<string, string> = {};
  const current = new Map<string, Phase>();
  for (const e of walk.events) {
    if (e.type === 'host-started' && e.step === step) current.set(e.host, e.phase);
    if (e.type === 'host-finished' && e.step === step) current.delete(e.host);
    if (e.type === 'output' && e.step === step && current.get(e.host) === phase)
      out[e.host] = (out[e.host] ?? '') + e.data;
  }
  return out;
}

export type { Alien4CloudWorld };
