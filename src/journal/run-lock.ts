/**
 * One process at a time per run: two `stepwise resume` of the same run would interleave their
 * steps on the same hosts and in the same journal. The lock is a file holding the owner's pid and
 * its start time; a lock whose owner is gone (a crash, `kill -9`) is taken over at once, which a
 * time-based lock such as proper-lockfile's would refuse for its stale period.
 */
import fs from 'node:fs';
import path from 'node:path';
import { EXIT, OperatorError } from '../errors.ts';

/** Who holds a lock. */
interface Owner {
  pid: number;
  /** Start time of the process in clock ticks since boot (/proc/PID/stat field 22), against pid reuse. */
  started: string | null;
}

function startTime(pid: number): string | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces; fields after it start past the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] === 'Z') return null; // a zombie holds nothing
    return fields[19] ?? null;
  } catch {
    return null;
  }
}

function alive(owner: Owner): boolean {
  const now = startTime(owner.pid);
  return now !== null && (owner.started === null || owner.started === now);
}

/** A held lock; `release` removes it. */
export interface RunLock {
  release(): void;
}

/** Takes the lock of the run whose directory holds `journalFile`, or says who holds it. */
export function lockRun(journalFile: string, runId: string, pid = process.pid): RunLock {
  const file = path.join(path.dirname(journalFile), 'lock');
  const me: Owner = { pid, started: startTime(pid) };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, JSON.stringify(me), { flag: 'wx', mode: 0o600 });
      return {
        release: () => {
          try {
            const held = JSON.parse(fs.readFileSync(file, 'utf8')) as Owner;
            if (held.pid === me.pid) fs.unlinkSync(file);
          } catch {
            // Already gone.
          }
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new OperatorError(
          `cannot lock run ${runId}: ${(error as Error).message}`,
          `check the permissions of ${path.dirname(file)}`,
          EXIT.failed,
          { cause: error },
        );
      }
      let owner: Owner | undefined;
      try {
        owner = JSON.parse(fs.readFileSync(file, 'utf8')) as Owner;
      } catch {
        owner = undefined; // half-written by a process that died: treat as stale
      }
      if (owner && alive(owner)) {
        throw new OperatorError(
          `run ${runId} is in progress in another stepwise (pid ${owner.pid})`,
          `wait for it to finish, or stop it (kill ${owner.pid}) and resume again`,
          EXIT.usage,
        );
      }
      fs.rmSync(file, { force: true });
    }
  }
  throw new OperatorError(
    `cannot lock run ${runId}: another stepwise keeps taking it`,
    'try again in a moment',
    EXIT.usage,
  );
}
