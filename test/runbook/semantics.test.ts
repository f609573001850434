import { describe, expect, it } from 'vitest';
import { checkKinds } from '../../src/engine/checks/registry.ts';
import { problemLines } from './helpers.ts';

describe('semantic problems', () => {
  it('duplicate ids, unknown checks and unknown roles', async () => {
    expect(await problemLines('broken/references.yaml')).toEqual([
      '13:9: checks[1].id: duplicate check id "ready" (already used by checks[0])',
      '15:17: checks[1].on.role: unknown role "nodes" (declared roles: node)',
      '21:9: steps[0].on: unknown role "web" (declared roles: node; or "local")',
      '24:23: steps[0].requires[1]: unknown check "missing" (checks are: ready)',
      '25:9: steps[1].id: duplicate step id "stop" (already used by steps[0])',
      '31:14: steps[1].confirm: `confirm` is only for destructive steps (this one is "changes")',
      '34:21: steps[1].verify[0].on.role: unknown role "db" (declared roles: node)',
    ]);
  });

  it('templates naming variables that are unknown or not set yet', async () => {
    const unknown =
      'not a parameter, a builtin (host, host_address, run_id, run_started) or a value an earlier step captures or chooses';
    expect(await problemLines('broken/templates.yaml')).toEqual([
      // checks may use what any step provides ({{ snapshot }} in checks[0] is fine)
      `15:10: checks[1].run: unknown variable {{ dri }}: ${unknown}`,
      '19:14: steps[0].explain: {{ snapshot }} is not set yet here: it comes from step "pick" (steps[1]), which runs later',
      '20:10: steps[0].run: {{ snapshot }} is not set yet here: it comes from step "pick" (steps[1]), which runs later',
      "23:12: steps[1].title: {{ snapshot }} is not set yet here: this step's choice sets it, after its title and explanation are shown",
      "30:10: steps[1].run: {{ size }} is not set yet here: it is captured from this step's output, after the step runs",
      `38:10: steps[2].run: unknown variable {{ nothing }}: ${unknown}`,
    ]);
  });

  it('unknown check kinds and arguments their schema rejects', async () => {
    expect(await problemLines('broken/kinds.yaml')).toEqual([
      '9:11: checks[0].kind: unknown check kind "demo.nope" (known kinds: test.port-open)',
      '14:13: checks[1].with.port: expected a number, got "high"',
      '15:7: checks[1].with: unknown field "extra"',
      '16:5: checks[2].with: missing required field "port"',
      '22:5: checks[3].with: `with` is only for checks with `kind`',
    ]);
  });

  it('uses the real registry by default', async () => {
    const names = [...checkKinds.keys()].sort();
    const known =
      names.length > 0 ? `known kinds: ${names.join(', ')}` : 'no check kinds are registered';
    expect(await problemLines('broken/kinds.yaml', {})).toContain(
      `12:11: checks[1].kind: unknown check kind "test.port-open" (${known})`,
    );
  });

  it('regexes that do not compile', async () => {
    expect(await problemLines('broken/regexes.yaml')).toEqual([
      '11:15: checks[0].expect.stdout: not a valid regex: Invalid regular expression: /v(\\d+/: Unterminated group',
      '12:23: checks[0].expect.number.from: not a valid regex: Invalid regular expression: /[0-9/: Unterminated character class',
      '22:13: steps[0].choose.item: not a valid regex: Invalid regular expression: /(?<value>x/: Unterminated group',
      '30:16: steps[1].capture[0].regex: not a valid regex: Invalid regular expression: /*/: Nothing to repeat',
      '33:27: steps[1].verify[0].expect.stderr: not a valid regex: Invalid regular expression: /[/: Unterminated character class',
    ]);
  });

  it('parameters that cannot work as declared, and names that shadow them', async () => {
    expect(await problemLines('broken/parameters.yaml')).toEqual([
      '9:11: parameters.mode.type: an enum parameter needs `values`, the list of allowed values',
      '14:14: parameters.level.default: the default "medium" is not one of low, high',
      '18:14: parameters.port.default: the default "eighty" is not a whole number',
      '22:14: parameters.verbose.default: the default "maybe" is not true, false, yes or no',
      '25:13: parameters.name.values: `values` is only for enum parameters (this one is "string")',
      '26:3: parameters.host: "host" is a builtin variable; give the parameter another name',
      '39:15: steps[0].capture[0].name: "port" is already a parameter; pick another name',
      '41:15: steps[0].capture[1].name: "run_id" is a builtin variable; pick another name',
    ]);
  });
});
