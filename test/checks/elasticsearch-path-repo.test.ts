import { describe, expect, it } from 'vitest';
import { elasticsearchPathRepo } from '../../src/engine/checks/elasticsearch-path-repo.ts';
import {
  allows,
  type EsNodeFacts,
  judgePathRepo,
  parseElasticsearchYml,
  parseNodeSettings,
} from '../../src/engine/checks/elasticsearch-settings.ts';
import type { CheckContext, ProbeResult } from '../../src/engine/checks/kind.ts';
import { checkKinds } from '../../src/engine/checks/registry.ts';
import type { Host } from '../../src/inventory/types.ts';
import { checkSchema } from '../../src/runbook/schema.ts';
import { renderText } from '../../src/runbook/template.ts';

const REPO = '/home/elasticsearch/backups';

/** A `GET /_nodes/_local/settings` body as ES 5.x gives it, with these settings. */
function nodesBody(settings: Record<string, unknown>, name = 'es1'): string {
  return JSON.stringify({
    _nodes: { total: 1, successful: 1, failed: 0 },
    cluster_name: 'alien4cloud',
    nodes: { Xk3: { name, version: '5.6.16', settings: { cluster: { name: 'a' }, ...settings } } },
  });
}

describe('parseNodeSettings', () => {
  it('reads path.repo given as a string, as an array, flat, or flat and numbered', () => {
    expect(parseNodeSettings(nodesBody({ path: { repo: REPO } }))).toEqual({
      kind: 'set',
      paths: [REPO],
    });
    expect(parseNodeSettings(nodesBody({ path: { repo: ['/a', '/b'] } }))).toEqual({
      kind: 'set',
      paths: ['/a', '/b'],
    });
    expect(parseNodeSettings(nodesBody({ 'path.repo': ['/a'] }))).toEqual({
      kind: 'set',
      paths: ['/a'],
    });
    expect(parseNodeSettings(nodesBody({ 'path.repo.1': '/b', 'path.repo.0': '/a' }))).toEqual({
      kind: 'set',
      paths: ['/a', '/b'],
    });
  });

  it('splits a comma-separated string as ES does for list settings', () => {
    expect(parseNodeSettings(nodesBody({ path: { repo: '/a, /b' } }))).toEqual({
      kind: 'set',
      paths: ['/a', '/b'],
    });
  });

  it('says unset when the node has no path.repo', () => {
    expect(parseNodeSettings(nodesBody({ path: { home: '/usr/share/es' } }))).toEqual({
      kind: 'unset',
    });
  });

  it('picks the named node from GET /_nodes/settings', () => {
    const body = JSON.stringify({
      nodes: {
        a: { name: 'es1', settings: { path: { repo: '/one' } } },
        b: { name: 'es2', settings: {} },
      },
    });
    expect(parseNodeSettings(body, 'es2')).toEqual({ kind: 'unset' });
    expect(parseNodeSettings(body, 'es1')).toEqual({ kind: 'set', paths: ['/one'] });
    expect(parseNodeSettings(body, 'es9')).toMatchObject({ kind: 'error' });
  });

  it('turns an ES error body, an empty answer or HTML into an error', () => {
    const err = JSON.stringify({
      error: { root_cause: [], type: 'master_not_discovered_exception', reason: 'waited 30s' },
      status: 503,
    });
    expect(parseNodeSettings(err)).toEqual({
      kind: 'error',
      message: 'master_not_discovered_exception: waited 30s',
    });
    expect(parseNodeSettings('')).toEqual({ kind: 'error', message: 'empty answer' });
    expect(parseNodeSettings('<html>502</html>')).toMatchObject({ kind: 'error' });
  });
});

describe('parseElasticsearchYml', () => {
  it('reads the dotted and the nested forms, and lists', () => {
    expect(parseElasticsearchYml(`cluster.name: a\npath.repo: ${REPO}\n`)).toEqual({
      kind: 'set',
      paths: [REPO],
    });
    expect(parseElasticsearchYml('path:\n  data: /d\n  repo:\n    - /a\n    - /b\n')).toEqual({
      kind: 'set',
      paths: ['/a', '/b'],
    });
    expect(parseElasticsearchYml('path.repo: ["/a", "/b"]\n')).toEqual({
      kind: 'set',
      paths: ['/a', '/b'],
    });
  });

  it('says unset for a commented-out line or an empty file', () => {
    expect(parseElasticsearchYml(`cluster.name: a\n#path.repo: ${REPO}\n`)).toEqual({
      kind: 'unset',
    });
    expect(parseElasticsearchYml('')).toEqual({ kind: 'unset' });
  });

  it('reports YAML it cannot read', () => {
    expect(parseElasticsearchYml('path.repo: [unclosed\n')).toMatchObject({ kind: 'error' });
  });
});

describe('allows', () => {
  it('accepts the folder itself or one below it, as ES does for an fs repository', () => {
    const s = { kind: 'set' as const, paths: ['/mnt/backups/'] };
    expect(allows(s, '/mnt/backups')).toBe(true);
    expect(allows(s, '/mnt/backups/a4c')).toBe(true);
    expect(allows(s, '/mnt/backups-old')).toBe(false);
    expect(allows(s, '/mnt')).toBe(false);
    expect(allows({ kind: 'unset' }, '/mnt/backups')).toBe(false);
  });
});

function facts(live: EsNodeFacts['live'], configured: EsNodeFacts['configured']): EsNodeFacts {
  return {
    host: 'es2',
    url: 'http://10.0.0.2:9200/_nodes/_local/settings',
    configPath: '/etc/elasticsearch/elasticsearch.yml',
    live,
    configured,
  };
}
const set = (...paths: string[]) => ({ kind: 'set' as const, paths });
const unset = { kind: 'unset' as const };

describe('judgePathRepo', () => {
  it('passes when the live settings allow the repository, with host, expected and found', () => {
    const v = judgePathRepo(facts(set(REPO), set(REPO)), REPO);
    expect(v.status).toBe('pass');
    expect(v.evidence).toMatchObject({ host: 'es2', expected: REPO, found: REPO });
  });

  it('has its own message when elasticsearch.yml has path.repo but the node does not yet', () => {
    const v = judgePathRepo(facts(unset, set(REPO)), REPO);
    expect(v.status).toBe('fail');
    expect(v.message).toBe(
      'path.repo on es2 is configured in elasticsearch.yml but not active until ES restarts (live: not set)',
    );
    expect(v.evidence).toMatchObject({ expected: REPO, found: '(not set)', configured: REPO });
  });

  it('fails when neither the node nor the file has it', () => {
    const v = judgePathRepo(facts(unset, unset), REPO);
    expect(v.status).toBe('fail');
    expect(v.message).toContain('does not include /home/elasticsearch/backups');
    expect(v.message).toContain('/etc/elasticsearch/elasticsearch.yml: (not set)');
    expect(v.message).not.toContain('restart');
  });

  it('fails when the node has another folder, naming what it has', () => {
    const v = judgePathRepo(facts(set('/var/backups'), set('/var/backups')), REPO);
    expect(v.status).toBe('fail');
    expect(v.evidence.found).toBe('/var/backups');
    expect(v.message).toContain('live: /var/backups');
  });

  it('warns when it is live but gone from the file: the next restart drops it', () => {
    const v = judgePathRepo(facts(set(REPO), unset), REPO);
    expect(v.status).toBe('warn');
    expect(v.message).toContain('next restart');
  });

  it('still passes on the live value when the file cannot be read', () => {
    const v = judgePathRepo(
      facts(set(REPO), { kind: 'error', message: 'Permission denied' }),
      REPO,
    );
    expect(v.status).toBe('pass');
  });

  it('fails naming the URL when the node does not answer', () => {
    const v = judgePathRepo(
      facts({ kind: 'error', message: 'curl: (7) Failed to connect' }, set(REPO)),
      REPO,
    );
    expect(v.status).toBe('fail');
    expect(v.message).toContain('http://10.0.0.2:9200/_nodes/_local/settings');
    expect(v.message).toContain('Failed to connect');
  });
});

describe('elasticsearch.path-repo', () => {
  const host = (name: string, url: string): Host => ({
    name,
    address: name,
    connection: 'local',
    env: {},
    vars: { es_url: url, es_config: '/etc/es/elasticsearch.yml', path_repo: REPO },
    groups: ['elasticsearch'],
  });
  const hosts = [host('es1', 'http://10.0.0.1:9200/'), host('es2', 'http://10.0.0.2:9200')];
  const ok = (stdout: string): ProbeResult => ({ exitCode: 0, stdout, stderr: '' });

  function context(outputs: Record<string, ProbeResult>): CheckContext & { ran: string[] } {
    const ran: string[] = [];
    return {
      hosts,
      ran,
      async exec(h, command) {
        ran.push(`${h.name}: ${command}`);
        return outputs[`${h.name}: ${command}`] ?? { exitCode: 1, stdout: '', stderr: 'no' };
      },
      command: () => {
        throw new Error('not used');
      },
      now: () => new Date('2026-11-21T03:00:00Z'),
      text: (template, h) =>
        renderText(template, (n) => (h.vars[n] === undefined ? undefined : String(h.vars[n]))),
    };
  }

  const spec = checkSchema.parse({
    id: 'path-repo-live',
    title: 't',
    on: 'elasticsearch',
    kind: 'elasticsearch.path-repo',
  });

  it('is registered and defaults to the es_url, es_config and path_repo variables', () => {
    expect(checkKinds.get('elasticsearch.path-repo')).toBe(elasticsearchPathRepo);
    expect(elasticsearchPathRepo.args.parse(undefined)).toEqual({
      url: '{{ es_url }}',
      config: '{{ es_config }}',
      expected: '{{ path_repo }}',
    });
  });

  it('asks each node its own settings and reads its own file, one verdict per node', async () => {
    const ctx = context({
      'es1: curl -sS --max-time 10 http://10.0.0.1:9200/_nodes/_local/settings': ok(
        nodesBody({ path: { repo: [REPO] } }),
      ),
      'es1: cat /etc/es/elasticsearch.yml 2>/dev/null || sudo -n cat /etc/es/elasticsearch.yml': ok(
        `path.repo: ${REPO}\n`,
      ),
      'es2: curl -sS --max-time 10 http://10.0.0.2:9200/_nodes/_local/settings': ok(
        nodesBody({}, 'es2'),
      ),
      'es2: cat /etc/es/elasticsearch.yml 2>/dev/null || sudo -n cat /etc/es/elasticsearch.yml': ok(
        `path.repo: ${REPO}\n`,
      ),
    });
    const results = await elasticsearchPathRepo.run(
      ctx,
      elasticsearchPathRepo.args.parse(undefined),
      spec,
    );
    expect(results.map((r) => [r.host, r.status])).toEqual([
      ['es1', 'pass'],
      ['es2', 'fail'],
    ]);
    expect(results[1]?.message).toContain('not active until ES restarts');
    expect(results[1]?.check).toBe('path-repo-live');
  });

  it('reports curl failing with its stderr', async () => {
    const ctx = context({
      'es1: curl -sS --max-time 10 http://10.0.0.1:9200/_nodes/_local/settings': {
        exitCode: 7,
        stdout: '',
        stderr: 'curl: (7) Failed to connect to 10.0.0.1 port 9200: Connection refused\n',
      },
    });
    const [r] = await elasticsearchPathRepo.run(
      ctx,
      elasticsearchPathRepo.args.parse(undefined),
      spec,
    );
    expect(r?.status).toBe('fail');
    expect(r?.message).toContain('Connection refused');
  });
});
