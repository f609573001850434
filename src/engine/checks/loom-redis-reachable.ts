/**
 * `loom.redis-reachable`: every Redis server a node's loom.yml names (`EventDispatcherURI:
 * redis://…`, or `URI:` under `EventDispatcher: Redis:`) answers a PING from that node. The
 * procedure's caveat: a restored loom.yml names the Redis of the cluster it was backed up from,
 * so after a restore onto other hosts it may point at a server that is gone.
 */
import { z } from 'zod';
import type { Host } from '../../inventory/types.ts';
import { shellQuote } from '../../runbook/template.ts';
import type { CheckResult } from '../events.ts';
import type { CheckKind } from './kind.ts';

const args = z
  .strictObject({
    /** The directory holding loom.yml. */
    workdir: z.string().min(1).default('{{ loom_dir }}'),
    /** Seconds to wait for the connection and the reply. */
    timeout: z.number().int().positive().default(5),
  })
  .prefault({});

type Args = z.infer<typeof args>;

/** A Redis server named in loom.yml. */
export interface RedisAddress {
  url: string;
  host: string;
  port: number;
  /** 1-based line in loom.yml. */
  line: number;
}

/** Every `redis://` URL on a line of loom.yml that is not a comment. */
export function redisAddresses(loomYml: string): RedisAddress[] {
  const out: RedisAddress[] = [];
  loomYml.split('\n').forEach((text, i) => {
    const code = text.replace(/(^|\s)#.*$/, '');
    for (const m of code.matchAll(
      /rediss?:\/\/(?:[^@\s"'/]*@)?(\[[^\]]+\]|[^:/\s"']+)(?::(\d+))?/g,
    )) {
      out.push({
        url: m[0],
        host: m[1]!.replace(/^\[|\]$/g, ''),
        port: m[2] ? Number(m[2]) : 6379,
        line: i + 1,
      });
    }
  });
  return out;
}

/** What a PING over bash's /dev/tcp answered, read as Redis would answer it. */
export function pingVerdict(
  exitCode: number | null,
  stdout: string,
): 'redis' | 'not-redis' | 'down' {
  const reply = stdout.trim();
  if (/^[+-]/.test(reply)) return 'redis';
  return exitCode === 0 && reply !== '' ? 'not-redis' : 'down';
}

/**
 * Runs on the node itself (the point is whether the NODE can reach it): bash's /dev/tcp, so
 * nothing needs installing; `timeout` bounds an address that never answers.
 */
function pingCommand(a: RedisAddress, seconds: number): string {
  const script = `exec 3<>"/dev/tcp/$0/$1" || exit 7; printf 'PING\\r\\n' >&3; IFS= read -r -t ${seconds} line <&3; printf '%s\\n' "$line"`;
  return `timeout ${seconds * 2} bash -c ${shellQuote(script)} ${shellQuote(a.host)} ${shellQuote(String(a.port))}`;
}

async function checkHost(
  ctx: Parameters<CheckKind<Args>['run']>[0],
  a: Args,
  host: Host,
  id: string,
): Promise<CheckResult> {
  const file = `${ctx.text(a.workdir, host).replace(/\/$/, '')}/loom.yml`;
  const read = await ctx.exec(host, `cat -- ${shellQuote(file)}`);
  if (read.exitCode !== 0) {
    return {
      check: id,
      host: host.name,
      status: 'fail',
      message: `could not read ${file} on ${host.name}: ${read.stderr.trim() || `exit ${read.exitCode}`}`,
      evidence: { host: host.name, file },
    };
  }
  const addresses = redisAddresses(read.stdout);
  if (addresses.length === 0) {
    return {
      check: id,
      host: host.name,
      status: 'pass',
      message: `${file} on ${host.name} names no Redis server; nothing to reach`,
      evidence: { host: host.name, file, found: 'no redis:// address' },
    };
  }
  const problems: string[] = [];
  const reached: string[] = [];
  let worst: 'pass' | 'warn' | 'fail' = 'pass';
  let evidence: Record<string, string> = { host: host.name, file };
  for (const a of addresses) {
    const r = await ctx.exec(host, pingCommand(a, 5));
    const verdict = pingVerdict(r.exitCode, r.stdout);
    const where = `${a.host}:${a.port} (${file}:${a.line})`;
    if (verdict === 'redis') {
      reached.push(`${where} answered ${r.stdout.trim()}`);
      continue;
    }
    const status = verdict === 'down' ? 'fail' : 'warn';
    if (status === 'fail' || worst === 'pass') {
      evidence = {
        host: host.name,
        file: `${file}:${a.line}`,
        expected: `a Redis reply to PING from ${a.host}:${a.port}`,
        found:
          verdict === 'down'
            ? r.stderr.trim().split('\n').at(-1) || `no connection (exit ${r.exitCode})`
            : JSON.stringify(r.stdout.trim()),
      };
    }
    if (status === 'fail') worst = 'fail';
    else if (worst === 'pass') worst = 'warn';
    problems.push(
      verdict === 'down'
        ? `${host.name} cannot reach the Redis at ${where}`
        : `${where} answers ${host.name}, but not as Redis does`,
    );
  }
  if (worst === 'pass') {
    return {
      check: id,
      host: host.name,
      status: 'pass',
      message: `${host.name} reaches ${reached.join('; ')}`,
      evidence: { host: host.name, file, found: addresses.map((a) => a.url).join(',') },
    };
  }
  return { check: id, host: host.name, status: worst, message: problems.join('; '), evidence };
}

export const loomRedisReachable: CheckKind<Args> = {
  name: 'loom.redis-reachable',
  description: 'Every Redis server named in loom.yml answers a PING from the node.',
  args,
  run: (ctx, a, check) => Promise.all(ctx.hosts.map((h) => checkHost(ctx, a, h, check.id))),
};
