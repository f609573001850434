/**
 * Questions a transport asks (a key's passphrase, a sudo password) go to the same decider as the
 * engine's, and are recorded in the run like the engine's: who was asked what and who answered.
 * The answer itself is a secret and is never recorded.
 */
import type { Answer, Decider, RequestOf } from '../engine/decisions.ts';
import type { DecisionKind, RunEvent } from '../engine/events.ts';

/** What a recorded question is emitted through. */
export interface RecordTo {
  runId: string;
  clock: () => Date;
  emit: (event: RunEvent) => void;
}

export function recordedDecider(decider: Decider, to: RecordTo): Decider {
  return {
    async decide<K extends DecisionKind>(request: RequestOf<K>): Promise<Answer<K>> {
      const base = () => ({ runId: to.runId, at: to.clock().toISOString() });
      to.emit({ ...base(), type: 'decision-requested', kind: request.kind });
      const answer = await decider.decide(request);
      const a = answer as { action: string; by: string };
      // `value` answers carry the secret: only that one was given is kept.
      const said = a.action === 'value' ? `${request.kind} given` : a.action;
      const target = 'host' in request ? ` for ${String(request.host)}` : '';
      to.emit({
        ...base(),
        type: 'decision',
        kind: request.kind,
        answer: `${said}${target}`,
        by: a.by,
      });
      return answer;
    },
  };
}
