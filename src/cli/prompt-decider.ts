/**
 * Asks the operator on the terminal, line by line, for `--plain` runs in a TTY. It only asks:
 * what each answer does is the engine's business.
 */
import { createInterface, type Interface } from 'node:readline/promises';
import type { Answer, Decider, Preview, RequestOf } from '../engine/decisions.ts';
import type { DecisionKind } from '../engine/events.ts';
import { NeedsInputError } from '../errors.ts';
import { groupPreviews } from '../render/previews.ts';

const indent = (text: string) =>
  `${text
    .replace(/\n$/, '')
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n')}\n`;

/** Where questions are read from and written to. */
export interface PromptIO {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  /** Recorded as who answered. */
  user: string;
}

export class PromptDecider implements Decider {
  readonly #io: PromptIO;
  #rl: Interface | undefined;

  constructor(io: PromptIO) {
    this.#io = io;
  }

  close(): void {
    this.#rl?.close();
  }

  async #ask(question: string): Promise<string> {
    this.#rl ??= createInterface({
      input: this.#io.input,
      output: this.#io.output,
      terminal: true,
    });
    return (await this.#rl.question(question)).trim();
  }

  async #reason(what: string): Promise<string> {
    for (;;) {
      const r = await this.#ask(`  Reason to ${what} (recorded): `);
      if (r !== '') return r;
    }
  }

  /** Asks until one of `keys` is typed; returns it. */
  async #pick<T extends string>(question: string, keys: readonly T[]): Promise<T> {
    for (;;) {
      const a = (await this.#ask(`${question} [${keys.join('/')}] `)).toLowerCase();
      const hit = keys.find((k) => k === a || k[0] === a);
      if (hit) return hit;
    }
  }

  /** The exact command for each host, right above the question that runs it. */
  #showCommands(commands: readonly { host: string; command: string }[]): void {
    for (const c of commands) this.#io.output.write(`  $ ${c.host}: ${c.command}\n`);
  }

  /** What each host's preview printed (a diff, usually), hosts with the same text together. */
  #showPreviews(previews: readonly Preview[] | undefined): void {
    for (const g of groupPreviews(previews ?? [])) {
      const body = g.text.trim() === '' ? ' nothing to change\n' : `\n${indent(g.text)}`;
      this.#io.output.write(`  preview on ${g.hosts.join(', ')}:${body}`);
    }
  }

  async decide<K extends DecisionKind>(request: RequestOf<K>): Promise<Answer<K>> {
    return (await this.#answer(request)) as Answer<K>;
  }

  async #answer(r: RequestOf<DecisionKind>): Promise<Answer<DecisionKind>> {
    const by = this.#io.user;
    const write = (t: string) => this.#io.output.write(t);
    switch (r.kind) {
      case 'confirm': {
        this.#showCommands(r.commands);
        this.#showPreviews(r.previews);
        const a = await this.#pick(`Run "${r.title}" on ${r.hosts.join(', ')}?`, [
          'yes',
          'skip',
          'abort',
          'quit',
        ]);
        if (a === 'yes') return { action: 'run', by };
        if (a === 'skip') return { action: 'skip', reason: await this.#reason('skip'), by };
        return { action: a, by };
      }
      case 'confirm-destructive': {
        this.#showCommands(r.commands);
        this.#showPreviews(r.previews);
        write(`  "${r.title}" is destructive on ${r.hosts.join(', ')}.\n`);
        const typed = await this.#ask(`  Type "${r.phrase}" to run it, or skip / abort / quit: `);
        if (typed === 'skip') return { action: 'skip', reason: await this.#reason('skip'), by };
        if (typed === 'abort' || typed === 'quit') return { action: typed, by };
        return { action: 'run', typed, by: `${by} (typed)` };
      }
      case 'choose': {
        write(`  ${r.prompt}\n`);
        r.items.forEach((item, i) => {
          write(`    ${i + 1}. ${item.label}\n`);
        });
        for (;;) {
          const a = await this.#ask(`  Number (1-${r.items.length}), or abort / quit: `);
          if (a === 'abort' || a === 'quit') return { action: a, by };
          const item = r.items[Number(a) - 1];
          if (item) return { action: 'pick', value: item.value, by };
        }
      }
      case 'override': {
        const a = await this.#pick(`Check "${r.title}" failed. Re-check it, or override it?`, [
          'recheck',
          'override',
          'abort',
          'quit',
        ]);
        if (a === 'override')
          return { action: 'override', reason: await this.#reason('override'), by };
        return { action: a, by };
      }
      case 'after-failure': {
        const a = await this.#pick(`"${r.title}" failed. What now?`, [
          'retry',
          'skip',
          'abort',
          'quit',
        ]);
        if (a === 'skip') return { action: 'skip', reason: await this.#reason('skip'), by };
        return { action: a, by };
      }
      case 'interrupted': {
        write(`  "${r.title}" was interrupted before it ended. Verification: ${r.verification}.\n`);
        const a = await this.#pick('  Re-run it, mark it done, or abort?', [
          'rerun',
          'mark-done',
          'abort',
          'quit',
        ]);
        if (a === 'mark-done')
          return { action: 'mark-done', reason: await this.#reason('mark it done'), by };
        return { action: a, by };
      }
      case 'manual': {
        write(`  Do this by hand:\n    ${r.instructions.trim().replaceAll('\n', '\n    ')}\n`);
        const a = await this.#pick('  Done?', ['done', 'skip', 'abort', 'quit']);
        if (a === 'skip') return { action: 'skip', reason: await this.#reason('skip'), by };
        return { action: a, by };
      }
      case 'secret':
        // Typed secrets need a masked field; the line prompt would echo them.
        throw new NeedsInputError(
          `a value for ${r.name} is needed (${r.description})`,
          `pass --set ${r.name}=VALUE`,
        );
      case 'host-keys': {
        write(`  Unknown host keys (they will be added to ${r.knownHostsFile}):\n`);
        for (const h of r.hosts)
          write(`    ${h.host} ${h.address} ${h.keyType} ${h.fingerprint}\n`);
        const a = await this.#pick('  Accept all of them?', ['yes', 'abort']);
        if (a === 'yes') return { action: 'accept', accepted: r.hosts.map((h) => h.host), by };
        return { action: 'abort', by };
      }
      case 'passphrase':
      case 'sudo-password':
        throw new NeedsInputError(
          r.kind === 'passphrase'
            ? `the key ${r.keyFile} for ${r.host} is encrypted`
            : `sudo on ${r.host} needs a password for ${r.user}`,
          'run without --plain to type it in a masked field, or use ssh-agent / NOPASSWD sudo',
        );
    }
  }
}
