/**
 * Variables every template may use without declaring them. `host` is the inventory name of the
 * host a command runs on, `host_address` where it connects, `run_id` the id of the current run.
 */
export const builtinVars: readonly string[] = ['host', 'host_address', 'run_id'];

/** The target that means the operator's own machine rather than an inventory role. */
export const LOCAL_TARGET = 'local';
