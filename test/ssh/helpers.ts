/**
 * A cluster of real sshd hosts per test file (fixtures/ssh-cluster), and transports to them with
 * a scripted decider that records what it was asked.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Cluster, startCluster } from '../../fixtures/ssh-cluster/launch.mjs';
import type { Answer, Decider, RequestOf } from '../../src/engine/decisions.ts';
import type { DecisionKind } from '../../src/engine/events.ts';
import type { Host } from '../../src/inventory/types.ts';
import { type SshOptions, sshTransports } from '../../src/transports/ssh/ssh-transport.ts';

export type { Cluster };

/** Starts `count` hosts in a fresh temporary directory. */
export async function cluster(count: number, names?: string[]): Promise<Cluster> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-ssh-'));
  return startCluster({ dir, count, ...(names ? { names } : {}) });
}

/** Stops the cluster and removes its directory. */
export async function teardown(c: Cluster | undefined): Promise<void> {
  if (!c) return;
  await c.stop();
  fs.rmSync(c.dir, { recursive: true, force: true });
}

/** A Host as the inventory would give it, for a cluster host. */
export function hostOf(c: Cluster, name: string, extra: Partial<Host> = {}): Host {
  const h = c.hosts.find((x) => x.name === name)!;
  return {
    name,
    address: h.address,
    port: h.port,
    user: 'root',
    privateKeyFile: c.keyFile,
    connection: 'ssh',
    env: {},
    vars: {},
    groups: ['cluster'],
    ...extra,
  };
}

/** Answers from a script and records every request. */
export class ScriptedDecider implements Decider {
  readonly asked: RequestOf<DecisionKind>[] = [];
  readonly #answer: (r: RequestOf<DecisionKind>) => unknown;
  constructor(answer: (r: RequestOf<DecisionKind>) => unknown) {
    this.#answer = answer;
  }
  async decide<K extends DecisionKind>(request: RequestOf<K>): Promise<Answer<K>> {
    this.asked.push(request as RequestOf<DecisionKind>);
    return {
      by: 'test',
      ...(this.#answer(request as RequestOf<DecisionKind>) as object),
    } as Answer<K>;
  }
}

/** A home directory with no keys, so only what a test gives is used. */
export function emptyHome(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-home-'));
}

/** Transports with `--known-hosts` pointing at the cluster's file by default. */
export function transports(c: Cluster, o: Partial<SshOptions> = {}) {
  return sshTransports({
    env: { HOME: emptyHome(), PATH: process.env.PATH ?? '' },
    knownHostsFile: c.knownHosts,
    decider: new ScriptedDecider(() => ({ action: 'abort' })),
    ...o,
  });
}

/** Runs a command and collects its output. */
export async function run(
  t: { exec: import('../../src/transports/transport.ts').Transport['exec'] },
  command: string,
  extra: { timeoutMs?: number; signal?: AbortSignal; sudo?: boolean } = {},
) {
  let stdout = '';
  let stderr = '';
  const result = await t.exec(
    {
      command,
      ...(extra.timeoutMs ? { timeoutMs: extra.timeoutMs } : {}),
      ...(extra.sudo ? { sudo: true } : {}),
    },
    (stream, chunk) => {
      if (stream === 'stdout') stdout += chunk.toString();
      else stderr += chunk.toString();
    },
    extra.signal,
  );
  return { ...result, stdout, stderr };
}

/** Runs a program on this machine. */
export function sh(file: string, args: string[], env: NodeJS.ProcessEnv = process.env) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(file, args, { env }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}
