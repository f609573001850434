/**
 * Answers the engine's questions in a headless run (`--yes`, or no TTY) from flags alone. It never
 * waits for input: a question no flag answers fails with the flag or `--set` that would.
 */
import type { Answer, Decider, RequestOf } from '../engine/decisions.ts';
import type { DecisionKind } from '../engine/events.ts';
import { NeedsInputError } from '../errors.ts';

/** The flags that answer questions ahead of time. */
export interface HeadlessFlags {
  yes: boolean;
  allowDestructive: boolean;
  /** check id → reason, from `--override CHECK=REASON`. */
  overrides: Record<string, string>;
  /** From `--on-interrupted rerun|mark-done`. */
  onInterrupted?: 'rerun' | 'mark-done';
  /** Step ids from `--manual-done STEP`. */
  manualDone: string[];
}

export class HeadlessDecider implements Decider {
  readonly #flags: HeadlessFlags;

  constructor(flags: HeadlessFlags) {
    this.#flags = flags;
  }

  async decide<K extends DecisionKind>(request: RequestOf<K>): Promise<Answer<K>> {
    return this.#answer(request) as Answer<K>;
  }

  #answer(r: RequestOf<DecisionKind>): Answer<DecisionKind> {
    const f = this.#flags;
    switch (r.kind) {
      case 'confirm':
        if (f.yes) return { action: 'run', by: '--yes' };
        throw new NeedsInputError(
          `step ${r.step} (${r.title}) changes ${r.hosts.join(', ')} and needs a confirmation`,
          'pass --yes to confirm steps that change things',
        );
      case 'confirm-destructive':
        if (f.yes && f.allowDestructive) {
          return { action: 'run', typed: r.phrase, by: '--allow-destructive' };
        }
        throw new NeedsInputError(
          `step ${r.step} (${r.title}) is destructive on ${r.hosts.join(', ')}`,
          'pass --yes --allow-destructive to run destructive steps without typing their phrase',
        );
      case 'choose':
        throw new NeedsInputError(
          `step ${r.step} asks to choose ${r.var} from: ${r.items.map((i) => i.value).join(', ')}`,
          `pass --set ${r.var}=VALUE with one of the listed values`,
        );
      case 'override': {
        const reason = f.overrides[r.check];
        if (reason !== undefined) return { action: 'override', reason, by: '--override' };
        // A failed check is a failure (exit 1), not a missing answer; the run ends failed.
        return { action: 'abort', by: 'headless' };
      }
      case 'after-failure':
        return { action: 'abort', by: 'headless' };
      case 'interrupted':
        if (f.onInterrupted === 'rerun') return { action: 'rerun', by: '--on-interrupted' };
        if (f.onInterrupted === 'mark-done') {
          return {
            action: 'mark-done',
            reason: 'headless --on-interrupted mark-done',
            by: '--on-interrupted',
          };
        }
        throw new NeedsInputError(
          `step ${r.step} (${r.title}) was interrupted: it started and never ended (verification: ${r.verification})`,
          'pass --on-interrupted rerun to run it again, or --on-interrupted mark-done if it completed',
        );
      case 'manual':
        if (f.manualDone.includes(r.step)) return { action: 'done', by: '--manual-done' };
        throw new NeedsInputError(
          `step ${r.step} (${r.title}) is done by hand: ${r.instructions}`,
          `do it, then pass --manual-done ${r.step}`,
        );
      case 'secret':
        throw new NeedsInputError(
          `a value for ${r.name} is needed (${r.description})`,
          `pass --set ${r.name}=VALUE`,
        );
      case 'host-keys':
        // Never accepted silently: OpenSSH's BatchMode refuses unknown hosts too.
        throw new NeedsInputError(
          `unknown host key${r.hosts.length > 1 ? 's' : ''}: ${r.hosts
            .map((h) => `${h.host} (${h.address}) ${h.keyType} ${h.fingerprint}`)
            .join('; ')}`,
          `check the fingerprints with the hosts' owner, then add them to ${r.knownHostsFile} (ssh-keyscan), or run in a terminal to accept them`,
        );
      case 'passphrase':
        throw new NeedsInputError(
          `the key ${r.keyFile} for ${r.host} is encrypted`,
          'load it into ssh-agent (ssh-add) so a headless run can use it',
        );
      case 'sudo-password':
        throw new NeedsInputError(
          `sudo on ${r.host} needs a password for ${r.user}`,
          `allow the commands with NOPASSWD in sudoers on ${r.host}, or run in a terminal to type it`,
        );
    }
  }
}
