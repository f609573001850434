/**
 * `loom.redis-reachable`: reading the Redis addresses out of loom.yml, and a real PING over
 * bash's /dev/tcp from the node (here this machine) to a small server that answers as Redis
 * does, to one that answers otherwise, and to a port nobody listens on.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  loomRedisReachable,
  pingVerdict,
  redisAddresses,
} from '../../src/engine/checks/loom-redis-reachable.ts';
import type { CheckSpec } from '../../src/runbook/schema.ts';
import { realContext } from '../fixtures/loom-harness.ts';

describe('redisAddresses', () => {
  it('finds EventDispatcherURI and the nested URI, skipping comments', () => {
    const yml = [
      'ChainID: "default"',
      'EventDispatcherURI: "redis://10.0.0.7:6380"',
      '# EventDispatcherURI: "redis://10.9.9.9:1"',
      'EventDispatcher:',
      '  Dispatcher: redis',
      '  Redis:',
      '    URI: redis://:secret@cache.internal',
    ].join('\n');
    expect(redisAddresses(yml)).toEqual([
      { url: 'redis://10.0.0.7:6380', host: '10.0.0.7', port: 6380, line: 2 },
      { url: 'redis://:secret@cache.internal', host: 'cache.internal', port: 6379, line: 7 },
    ]);
    expect(redisAddresses('EventDispatcherURI: ""\n')).toEqual([]);
  });

  it('reads a PING reply as Redis, something else, or nothing', () => {
    expect(pingVerdict(0, '+PONG\r\n')).toBe('redis');
    expect(pingVerdict(0, '-NOAUTH Authentication required.\r\n')).toBe('redis');
    expect(pingVerdict(0, 'HTTP/1.1 400 Bad Request\r\n')).toBe('not-redis');
    expect(pingVerdict(7, '')).toBe('down');
    expect(pingVerdict(0, '')).toBe('down');
  });
});

describe('loom.redis-reachable on this machine', () => {
  let dir: string;
  const servers: net.Server[] = [];
  const ports: Record<'redis' | 'http' | 'closed', number> = { redis: 0, http: 0, closed: 0 };

  const listen = (reply: string) =>
    new Promise<number>((resolve) => {
      const s = net.createServer((c) => {
        // bash closes its end at once after reading the reply.
        c.on('error', () => {});
        c.once('data', () => c.write(reply));
      });
      servers.push(s);
      s.listen(0, '127.0.0.1', () => resolve((s.address() as net.AddressInfo).port));
    });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'stepwise-redis-'));
    ports.redis = await listen('+PONG\r\n');
    ports.http = await listen('HTTP/1.1 400 Bad Request\r\n\r\n');
    // A port that was just free: nothing listens there once its server is closed.
    const s = net.createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
    ports.closed = (s.address() as net.AddressInfo).port;
    await new Promise((r) => s.close(r));
  });

  afterAll(async () => {
    for (const s of servers) s.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function run(uri: string) {
    await writeFile(join(dir, 'loom.yml'), `ChainID: default\nEventDispatcherURI: "${uri}"\n`);
    const host = {
      name: 'node1',
      address: '127.0.0.1',
      connection: 'local' as const,
      env: {},
      vars: {},
      groups: [],
    };
    const check = { id: 'redis', with: { workdir: dir } } as unknown as CheckSpec;
    const args = loomRedisReachable.args.parse(check.with);
    return (await loomRedisReachable.run(realContext([host]), args, check))[0]!;
  }

  it('passes when the server answers PING', async () => {
    const r = await run(`redis://127.0.0.1:${ports.redis}`);
    expect(r.status).toBe('pass');
    expect(r.message).toContain(`127.0.0.1:${ports.redis}`);
    expect(r.message).toContain('+PONG');
  });

  it('fails when nothing listens, naming the file line, the host and the address', async () => {
    const r = await run(`redis://127.0.0.1:${ports.closed}`);
    expect(r.status).toBe('fail');
    expect(r.message).toBe(
      `node1 cannot reach the Redis at 127.0.0.1:${ports.closed} (${dir}/loom.yml:2)`,
    );
    expect(r.evidence).toMatchObject({
      host: 'node1',
      file: `${dir}/loom.yml:2`,
      expected: `a Redis reply to PING from 127.0.0.1:${ports.closed}`,
    });
  });

  it('warns when something else answers', async () => {
    const r = await run(`redis://127.0.0.1:${ports.http}`);
    expect(r.status).toBe('warn');
    expect(r.evidence.found).toContain('HTTP/1.1 400');
  });
});
