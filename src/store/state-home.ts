/**
 * The directory that holds everything stepwise keeps between runs: the store file and one
 * directory per run with its journal.
 */
import envPaths from 'env-paths';

/**
 * `STEPWISE_HOME` when set (tests, or a shared location for a team), else the platform's data
 * directory, e.g. `~/.local/share/stepwise` on Linux. Data rather than config: journals are
 * records of what was done to production systems, not preferences.
 */
export function stateHome(env: NodeJS.ProcessEnv): string {
  const override = env.STEPWISE_HOME;
  if (override !== undefined && override !== '') return override;
  // env-paths reads XDG_DATA_HOME and the home directory from the process itself.
  return envPaths('stepwise', { suffix: '' }).data;
}
