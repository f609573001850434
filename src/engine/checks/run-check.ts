/**
 * Runs one check on its hosts and returns a verdict per host. A check whose templates need a
 * value that does not exist yet (a later choice or capture) is `waiting`, not failed.
 */
import type { Host } from '../../inventory/types.ts';
import type { CheckSpec } from '../../runbook/schema.ts';
import { MissingVariableError, renderCommand, renderText } from '../../runbook/template.ts';
import { durationMs } from '../duration.ts';
import type { CheckResult } from '../events.ts';
import type { execOnHost } from '../exec-on-host.ts';
import { judge } from '../expect.ts';
import { fanOut } from '../fan-out.ts';
import type { Variables } from '../variables.ts';
import type { CheckContext } from './kind.ts';
import { checkKinds } from './registry.ts';

/** What running a check needs from the engine. */
export interface CheckRunner {
  variables: Variables;
  forks: number;
  /** The engine's clock, for checks that judge ages (backup freshness). */
  now: () => Date;
  exec(
    host: Host,
    command: string,
    check: string,
    timeoutMs?: number,
  ): ReturnType<typeof execOnHost>;
}

/** Default time a probe may take: checks are meant to be quick. */
const CHECK_TIMEOUT_MS = 60_000;

function waiting(
  check: CheckSpec,
  hosts: readonly Host[],
  error: MissingVariableError,
): CheckResult[] {
  return hosts.map((h) => ({
    check: check.id,
    host: h.name,
    status: 'waiting',
    message: `waits for {{ ${error.variable} }}, which a later step provides`,
    evidence: {},
  }));
}

export async function runCheck(
  check: CheckSpec,
  hosts: readonly Host[],
  runner: CheckRunner,
): Promise<CheckResult[]> {
  const timeout = durationMs(check.timeout) ?? CHECK_TIMEOUT_MS;
  const failVerdict = check.severity;
  try {
    if (check.kind !== undefined) {
      const kind = checkKinds.get(check.kind);
      if (!kind) throw new Error(`unknown check kind ${check.kind}`);
      const ctx: CheckContext = {
        hosts,
        now: runner.now,
        exec: async (host, command) => {
          const r = await runner.exec(host, command, check.id, timeout);
          return { exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr };
        },
        command: (t, host) => renderCommand(t, runner.variables.lookupFor(host)),
        text: (t, host) => renderText(t, runner.variables.lookupFor(host)),
      };
      const args = kind.args.parse(check.with ?? {});
      const results = await kind.run(ctx, args, check);
      // A kind reports mismatches as `fail`; the runbook may soften them to warnings.
      return results.map((r) => (r.status === 'fail' ? { ...r, status: failVerdict } : r));
    }
    const commands = hosts.map((h) => renderCommand(check.run!, runner.variables.lookupFor(h)));
    return await fanOut(
      hosts.map((h, i) => [h, commands[i]!] as const),
      runner.forks,
      async ([host, command]) => {
        const r = await runner.exec(host, command, check.id, timeout);
        if (r.status === 'lost' || r.status === 'timed-out') {
          return {
            check: check.id,
            host: host.name,
            status: 'fail',
            message: r.error ?? r.status,
            evidence: { expected: 'the probe to finish', found: r.status },
          } satisfies CheckResult;
        }
        const verdict = judge(r, check.expect, (t) =>
          renderText(t, runner.variables.lookupFor(host)),
        );
        return {
          check: check.id,
          host: host.name,
          status: verdict.ok ? 'pass' : failVerdict,
          message: verdict.ok
            ? `${check.title}: ok`
            : `${check.title}: expected ${verdict.expected}, found ${verdict.found}`,
          evidence: verdict.ok
            ? { found: verdict.found }
            : { expected: verdict.expected, found: verdict.found },
        } satisfies CheckResult;
      },
    );
  } catch (error) {
    if (error instanceof MissingVariableError) return waiting(check, hosts, error);
    return hosts.map((h) => ({
      check: check.id,
      host: h.name,
      status: 'fail',
      message: `the check could not run: ${(error as Error).message}`,
      evidence: {},
    }));
  }
}
