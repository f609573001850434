/**
 * `elasticsearch.path-repo`: on every Elasticsearch node of the role, the LIVE settings (from
 * the node's own HTTP API) allow a snapshot repository at `expected`. Elasticsearch reads
 * elasticsearch.yml only when it starts, so a path.repo added to the file is not active until
 * the node restarts; that case gets its own message, read from the file as it is now.
 */
import { z } from 'zod';
import type { Host } from '../../inventory/types.ts';
import { shellQuote } from '../../runbook/template.ts';
import {
  type EsNodeFacts,
  judgePathRepo,
  parseElasticsearchYml,
  parseNodeSettings,
} from './elasticsearch-settings.ts';
import type { CheckContext, CheckKind } from './kind.ts';

/** `with:` of the check; every value is a text template rendered per host. */
export const esPathRepoArgs = z
  .strictObject({
    /** The node's HTTP address, e.g. `http://localhost:9200`. */
    url: z.string().min(1).default('{{ es_url }}'),
    /** The node's elasticsearch.yml, read for the "configured but not live" case. */
    config: z.string().min(1).default('{{ es_config }}'),
    /** The snapshot repository's location; path.repo must hold it or a folder above it. */
    expected: z.string().min(1).default('{{ path_repo }}'),
  })
  .prefault({});

export type EsPathRepoArgs = z.infer<typeof esPathRepoArgs>;

const TAIL = 200;

function tail(text: string): string {
  return text.trim().slice(-TAIL);
}

async function readNode(ctx: CheckContext, a: EsPathRepoArgs, host: Host): Promise<EsNodeFacts> {
  const url = `${ctx.text(a.url, host).replace(/\/+$/, '')}/_nodes/_local/settings`;
  const configPath = ctx.text(a.config, host);
  const q = shellQuote;
  const [settings, yml] = await Promise.all([
    ctx.exec(host, `curl -sS --max-time 10 ${shellQuote(url)}`),
    // Packages make /etc/elasticsearch readable by root and the elasticsearch group only.
    ctx.exec(host, `cat ${q(configPath)} 2>/dev/null || sudo -n cat ${q(configPath)}`),
  ]);
  return {
    host: host.name,
    url,
    configPath,
    live:
      settings.exitCode === 0
        ? parseNodeSettings(settings.stdout)
        : {
            kind: 'error',
            message: tail(settings.stderr) || `curl exited ${settings.exitCode}`,
          },
    configured:
      yml.exitCode === 0
        ? parseElasticsearchYml(yml.stdout)
        : { kind: 'error', message: tail(yml.stderr) || `cat exited ${yml.exitCode}` },
  };
}

export const elasticsearchPathRepo: CheckKind<EsPathRepoArgs> = {
  name: 'elasticsearch.path-repo',
  description:
    "Every node's live settings (GET /_nodes/_local/settings) have a path.repo that allows `expected`; path.repo only in elasticsearch.yml is reported as not active until ES restarts.",
  args: esPathRepoArgs,
  async run(ctx, a, check) {
    const facts = await Promise.all(ctx.hosts.map((host) => readNode(ctx, a, host)));
    return facts.map((node, i) => ({
      check: check.id,
      ...judgePathRepo(node, ctx.text(a.expected, ctx.hosts[i]!)),
    }));
  },
};
