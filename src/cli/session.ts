/**
 * Wires one run together: journal (critical subscriber), renderer (display subscriber), the
 * decider, transports and Ctrl-C, then hands over to the engine and maps its outcome to an
 * exit code.
 */
import { dirname } from 'node:path';
import type { Decider } from '../engine/decisions.ts';
import { type ResumeInput, type RunOutcome, runEngine } from '../engine/engine.ts';
import { EventBus, type Subscriber } from '../engine/event-bus.ts';
import type { RunEvent } from '../engine/events.ts';
import { EXIT, type ExitCode } from '../errors.ts';
import type { Host } from '../inventory/types.ts';
import type { JournalWriter } from '../journal/writer.ts';
import { jsonRenderer } from '../render/json-renderer.ts';
import { plainRenderer } from '../render/plain-renderer.ts';
import type { Store } from '../store/store.ts';
import { localTransportFor } from '../transports/local.ts';
import { inventorySecrets } from '../transports/ssh/become.ts';
import { connectHosts } from '../transports/ssh/connect-hosts.ts';
import { sshTransports } from '../transports/ssh/ssh-transport.ts';
import type { Transport } from '../transports/transport.ts';
import type { CliIO } from './io.ts';
import type { Prepared } from './prepare.ts';
import { recordedDecider } from './recorded-decider.ts';

/** How progress is shown. */
export type OutputMode = 'plain' | 'json';

export interface SessionOptions {
  io: CliIO;
  prepared: Prepared;
  runId: string;
  /** Closed when the session ends (a terminal prompt releases stdin). */
  decider: Decider & { close?: () => void };
  output: OutputMode;
  mode: 'run' | 'dry-run' | 'check';
  journal?: JournalWriter;
  store?: Store;
  resume?: ResumeInput;
  forks?: number;
  /** When the run first started, for the index; a resumed run keeps its original start. */
  startedAt?: string;
  ssh?: SshFlags;
  /** Shows the run instead of the plain or JSON renderer (the TUI). */
  display?: Subscriber;
  /** Cancels the run like Ctrl-C does (the TUI reads Ctrl-C as a key and asks first). */
  cancel?: AbortSignal;
}

/** How SSH hosts are reached (`--known-hosts`, `--accept-new-host-keys`). */
export interface SshFlags {
  knownHostsFile?: string;
  acceptNew?: boolean;
}

/**
 * Picks the transport for a host from its `ansible_connection`. The engine keeps one per host for
 * the whole run (one SSH connection, reused) and closes them at the end.
 */
export function transportFactory(
  io: CliIO,
  decider: Decider,
  ssh: SshFlags = {},
): (host: Host) => Transport {
  const sshTransport = sshTransports({
    env: io.env,
    decider,
    ...(ssh.knownHostsFile ? { knownHostsFile: ssh.knownHostsFile } : {}),
    ...(ssh.acceptNew ? { acceptNew: true } : {}),
  });
  return (host) =>
    host.connection === 'local' ? localTransportFor(host, io.env) : sshTransport(host);
}

export async function runSession(o: SessionOptions): Promise<ExitCode> {
  const { io, prepared } = o;
  const bus = new EventBus();
  if (o.journal) {
    const journal = o.journal;
    // Output is stored raw by the journal: asking for its JSON line would serialize it for nothing
    // when no `--json` display wants it either.
    bus.critical((e, jsonLine) => journal.append(e, e.type === 'output' ? undefined : jsonLine()));
  }
  const stepOrder = prepared.runbook.spec.steps.map((s) => s.id);
  if (o.display) bus.display(o.display);
  else
    bus.display(
      o.output === 'json' ? jsonRenderer(io.stdout) : plainRenderer(stepOrder, io.stdout),
    );

  let current: string | null = stepOrder[0] ?? null;
  let status: RunOutcome | 'running' = 'running';
  let startedAt = o.startedAt ?? io.clock().toISOString();
  bus.display((e: RunEvent) => {
    if (e.type === 'step-started') current = e.step;
    if (e.type === 'run-started') startedAt = e.at;
  });
  const record = () => {
    if (!o.store || o.mode !== 'run') return;
    o.store.recordRun({
      runId: o.runId,
      runbook: prepared.runbook.id,
      title: prepared.runbook.spec.title,
      startedAt,
      status,
      journal: o.journal?.path ?? '',
      ...(prepared.inventory?.path ? { inventoryPath: prepared.inventory.path } : {}),
      currentStep: current,
    });
  };

  const controller = new AbortController();
  let firstInterrupt: number | undefined;
  const off = io.onInterrupt(() => {
    // conf's exit hook re-sends the same SIGINT to the process; one Ctrl-C must count once.
    const now = Date.now();
    if (firstInterrupt !== undefined && now - firstInterrupt > 300) {
      io.stderr('\nInterrupted again: stopping now.\n');
    }
    firstInterrupt ??= now;
    controller.abort();
  });
  o.cancel?.addEventListener('abort', () => controller.abort(), { once: true });
  try {
    const outcome = await runEngine({
      runId: o.runId,
      runbook: {
        id: prepared.runbook.id,
        title: prepared.runbook.spec.title,
        path: prepared.runbook.path,
        hash: prepared.runbook.hash,
        spec: prepared.runbook.spec,
      },
      ...(prepared.inventory ? { inventory: prepared.inventory } : {}),
      params: prepared.params,
      displayParams: prepared.displayParams,
      // The inventory's sudo passwords are secrets too, wherever a command might echo one.
      secrets: [...prepared.secretValues, ...inventorySecrets(prepared.inventory)],
      transports: transportFactory(
        io,
        recordedDecider(o.decider, { runId: o.runId, clock: io.clock, emit: (e) => bus.emit(e) }),
        o.ssh,
      ),
      connectHosts,
      decider: o.decider,
      bus,
      clock: io.clock,
      dryRun: o.mode === 'dry-run',
      checkOnly: o.mode === 'check',
      signal: controller.signal,
      presetChoices: prepared.presetChoices,
      ...(o.resume ? { resume: o.resume } : {}),
      ...(o.forks ? { forks: o.forks } : {}),
      ...(o.journal?.path ? { runDir: dirname(o.journal.path) } : {}),
    });
    status = outcome;
    if (outcome === 'succeeded' || outcome === 'paused') return EXIT.ok;
    if (outcome === 'aborted' && controller.signal.aborted) return EXIT.interrupted;
    return EXIT.failed;
  } catch (error) {
    status = 'failed';
    throw error;
  } finally {
    o.decider.close?.();
    off();
    record();
    o.journal?.close();
  }
}
