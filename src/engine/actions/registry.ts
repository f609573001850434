/**
 * Every step action, by the step field that selects it, and every source a `choose` list can
 * come from besides a command. Adding an action (say `sftp:`) is one entry here plus its field
 * in src/runbook/schema.ts.
 */
import type { ChooseSpec, StepSpec } from '../../runbook/schema.ts';
import type { StepAction } from './action.ts';
import { copyAction } from './copy.ts';
import { loomAction } from './loom-action.ts';
import { s3Action, s3ChoiceSource } from './s3.ts';

// biome-ignore lint/suspicious/noExplicitAny: each action validates its own args with zod.
const actions: StepAction<any>[] = [s3Action, copyAction, loomAction];
// biome-ignore lint/suspicious/noExplicitAny: as above.
const choiceSources: StepAction<any>[] = [s3ChoiceSource];

export const stepActions: ReadonlyMap<string, StepAction<unknown>> = new Map(
  actions.map((a) => [a.name, a]),
);
export const chooseSources: ReadonlyMap<string, StepAction<unknown>> = new Map(
  choiceSources.map((a) => [a.name, a]),
);

/** An action with the step's raw (unrendered) block. */
export interface ActionUse {
  action: StepAction<unknown>;
  raw: unknown;
}

function find(spec: object, from: ReadonlyMap<string, StepAction<unknown>>): ActionUse | undefined {
  for (const [name, action] of from) {
    const raw = (spec as Record<string, unknown>)[name];
    if (raw !== undefined) return { action, raw };
  }
  return undefined;
}

/** The action a step runs instead of a command, if any. */
export const actionOf = (step: StepSpec) => find(step, stepActions);

/** The source of a choose list that is not a command, if any. */
export const chooseSourceOf = (choose: ChooseSpec) => find(choose, chooseSources);
