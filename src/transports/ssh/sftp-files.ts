/**
 * {@link HostFiles} over SFTP on the host's existing connection (one SFTP session, opened on first
 * use). Reads and writes keep many requests in flight, as OpenSSH's sftp and scp do: one request
 * at a time would be bound by round trips, not bandwidth.
 */
import { posix } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { SFTPWrapper } from 'ssh2';
import type { FileInfo, HostFiles, ListedFile } from '../transport.ts';
import type { Connection } from './connect.ts';

/** Bytes per request: just under OpenSSH's 256 KiB limit, which ssh2 would split otherwise. */
const CHUNK = 255 * 1024;
/** Read requests in flight per transfer (about 4 MiB). */
const DEPTH = 16;
/** Bytes of writes in flight per transfer (sources hand over 64 KiB chunks). */
const WRITE_WINDOW = 8 * 1024 * 1024;
const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;

const call = <T>(fn: (cb: (error: Error | null | undefined, value: T) => void) => void) =>
  new Promise<T>((resolve, reject) =>
    fn((error, value) => (error ? reject(error) : resolve(value))),
  );

const isMissing = (error: unknown) => (error as { code?: number }).code === 2;

/**
 * SFTP sessions whose channel has ended. ssh2 queues a request on an ended session as if it
 * were sent and never calls back, so a write to a host that died would hang forever on the
 * close of its handle or the unlink of its temporary file.
 */
const ended = new WeakSet<SFTPWrapper>();
/** Who waits on an answer from each session: all are failed when it ends (one listener each). */
const waiters = new WeakMap<SFTPWrapper, Set<() => void>>();

function track(s: SFTPWrapper, client: NodeJS.EventEmitter): SFTPWrapper {
  const set = new Set<() => void>();
  waiters.set(s, set);
  const end = () => {
    if (ended.has(s)) return;
    ended.add(s);
    client.off('close', end);
    for (const fail of [...set]) fail();
    set.clear();
  };
  s.once('end', end);
  s.once('close', end);
  // A connection that drops (the host was killed) does not always close its SFTP channel first.
  client.once('close', end);
  return s;
}

/** Calls `fail` if the session ends before the returned function is called. */
function whileOpen(s: SFTPWrapper, fail: () => void): () => void {
  const set = waiters.get(s);
  set?.add(fail);
  return () => set?.delete(fail);
}

const endedError = () => new Error('the SFTP session ended (connection lost)');

/** `call` on a session: fails at once on an ended session, or when it ends while waiting. */
function on<T>(
  s: SFTPWrapper,
  fn: (cb: (error: Error | null | undefined, value: T) => void) => void,
) {
  if (ended.has(s)) return Promise.reject(endedError());
  return new Promise<T>((resolve, reject) => {
    const answered = whileOpen(s, () => reject(endedError()));
    fn((error, value) => {
      answered();
      if (error) reject(error);
      else resolve(value);
    });
  });
}

/** Closes a handle unless the session is gone; calls back either way. */
function closeOn(s: SFTPWrapper, handle: Buffer, cb: (error?: Error | null) => void) {
  on<void>(s, (done) => s.close(handle, (e) => done(e, undefined))).then(() => cb(), cb);
}

/** Opens SFTP on the connection the transport gives, once per connection. */
export function sftpFiles(connection: () => Promise<Connection>): HostFiles {
  const sessions = new WeakMap<Connection, Promise<SFTPWrapper>>();
  const sftp = async (): Promise<SFTPWrapper> => {
    const conn = await connection();
    let s = sessions.get(conn);
    if (!s) {
      s = call<SFTPWrapper>((cb) => conn.client.sftp(cb)).then((w) => track(w, conn.client));
      sessions.set(conn, s);
      s.catch(() => sessions.delete(conn));
    }
    return s;
  };

  const mkdirs = async (s: SFTPWrapper, dir: string) => {
    const missing: string[] = [];
    for (let d = dir; d !== '/' && d !== '.'; d = posix.dirname(d)) {
      try {
        const st = await on<{ mode: number }>(s, (cb) => s.stat(d, cb));
        if ((st.mode & S_IFMT) === S_IFDIR) break;
      } catch (error) {
        if (!isMissing(error)) throw error;
      }
      missing.unshift(d);
    }
    for (const d of missing) await on<void>(s, (cb) => s.mkdir(d, (e) => cb(e, undefined)));
  };

  return {
    async stat(path): Promise<FileInfo | null> {
      const s = await sftp();
      try {
        const st = await on<{ size: number; mtime: number; mode: number }>(s, (cb) =>
          s.stat(path, cb),
        );
        return {
          size: st.size,
          mtimeMs: st.mtime * 1000,
          isDirectory: (st.mode & S_IFMT) === S_IFDIR,
        };
      } catch (error) {
        if (isMissing(error)) return null;
        throw error;
      }
    },

    async list(dir): Promise<ListedFile[]> {
      const s = await sftp();
      const out: ListedFile[] = [];
      const walk = async (rel: string) => {
        const entries = await on<
          { filename: string; attrs: { mode: number; size: number; mtime: number } }[]
        >(s, (cb) => s.readdir(rel === '' ? dir : posix.join(dir, rel), cb));
        for (const e of entries) {
          if (e.filename === '.' || e.filename === '..') continue;
          const path = rel === '' ? e.filename : `${rel}/${e.filename}`;
          const type = e.attrs.mode & S_IFMT;
          if (type === S_IFDIR) await walk(path);
          else if (type === S_IFREG)
            out.push({ path, size: e.attrs.size, mtimeMs: e.attrs.mtime * 1000 });
        }
      };
      await walk('');
      return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    },

    async read(path, signal) {
      const s = await sftp();
      const handle = await on<Buffer>(s, (cb) => s.open(path, 'r', cb));
      return readStream(s, handle, signal);
    },

    async write(path, source, signal) {
      const temporary = `${path}.stepwise-partial`;
      let handle: Buffer;
      let s: SFTPWrapper;
      try {
        s = await sftp();
        await mkdirs(s, posix.dirname(path));
        handle = await on<Buffer>(s, (cb) => s.open(temporary, 'w', cb));
      } catch (error) {
        // Nothing will read the source now: release whoever writes into it.
        (source as NodeJS.ReadableStream & { destroy?: (e?: Error) => void }).destroy?.(
          error as Error,
        );
        throw error;
      }
      const sink = writeStream(s, handle);
      try {
        await pipeline(source, sink, signal ? { signal } : {});
        // posix-rename replaces an existing file, as rename(2) does; plain SFTP rename refuses.
        await on<void>(s, (cb) => s.ext_openssh_rename(temporary, path, (e) => cb(e, undefined)));
        return sink.bytes;
      } catch (error) {
        await on<void>(s, (cb) => s.unlink(temporary, (e) => cb(e, undefined))).catch(() => {});
        throw error;
      }
    },

    async remove(path) {
      const s = await sftp();
      try {
        await on<void>(s, (cb) => s.unlink(path, (e) => cb(e, undefined)));
      } catch (error) {
        if (!isMissing(error)) throw error;
      }
    },
  };
}

/** Reads a file with up to DEPTH requests in flight, delivering bytes in order. */
function readStream(s: SFTPWrapper, handle: Buffer, signal?: AbortSignal): Readable {
  type Pending = { position: number; length: number; result: Promise<Buffer> };
  const queue: Pending[] = [];
  let next = 0;
  let eof = false;
  let pumping = false;
  const request = (position: number, length: number): Pending => {
    const result = new Promise<Buffer>((resolve, reject) => {
      if (ended.has(s)) return reject(endedError());
      // A request sent just before the session died may never be answered: fail it then.
      const answered = whileOpen(s, () => reject(endedError()));
      s.read(handle, Buffer.allocUnsafe(length), 0, length, position, (error, n, buf) => {
        answered();
        if (error) reject(error);
        else resolve(buf.subarray(0, n));
      });
    });
    // Requests dropped at the end of the file or on destroy may still fail; nobody awaits them.
    result.catch(() => {});
    return { position, length, result };
  };
  let closed = false;
  const closeHandle = () => {
    if (closed) return;
    closed = true;
    closeOn(s, handle, () => {});
  };

  const stream = new Readable({
    highWaterMark: CHUNK * 4,
    read() {
      if (pumping) return;
      pumping = true;
      void (async () => {
        try {
          for (;;) {
            while (!eof && queue.length < DEPTH) {
              queue.push(request(next, CHUNK));
              next += CHUNK;
            }
            const head = queue.shift();
            if (!head) {
              closeHandle();
              stream.push(null);
              return;
            }
            const data = await head.result;
            if (data.length === 0) {
              // End of file: requests beyond it answer empty too.
              eof = true;
              queue.length = 0;
              continue;
            }
            if (data.length < head.length) {
              queue.unshift(request(head.position + data.length, head.length - data.length));
            }
            if (!stream.push(data)) return;
          }
        } catch (error) {
          closeHandle();
          stream.destroy(error as Error);
        } finally {
          pumping = false;
        }
      })();
    },
    destroy(error, cb) {
      eof = true;
      queue.length = 0;
      closeHandle();
      cb(error);
    },
  });
  signal?.addEventListener('abort', () => stream.destroy(signal.reason as Error), { once: true });
  return stream;
}

/** A Writable that keeps up to WRITE_WINDOW bytes of writes in flight; `bytes` counts what was written. */
function writeStream(s: SFTPWrapper, handle: Buffer): Writable & { bytes: number } {
  let position = 0;
  let inflight = 0;
  let inflightBytes = 0;
  let failure: Error | undefined;
  let waiting: (() => void) | undefined;
  const settled = () => {
    const w = waiting;
    waiting = undefined;
    w?.();
  };
  // Small source chunks are gathered into CHUNK-sized requests: per-request costs dominate.
  let gathered: Buffer[] = [];
  let gatheredBytes = 0;
  const send = (piece: Buffer) => {
    if (ended.has(s)) {
      failure ??= endedError();
      return;
    }
    inflight++;
    inflightBytes += piece.length;
    s.write(handle, piece, 0, piece.length, position, (error) => {
      inflight--;
      inflightBytes -= piece.length;
      if (error) failure ??= error;
      settled();
    });
    position += piece.length;
    stream.bytes += piece.length;
  };
  const put = (chunk: Buffer, flush: boolean) => {
    if (chunk.length > 0) {
      gathered.push(chunk);
      gatheredBytes += chunk.length;
    }
    if (gatheredBytes < CHUNK && !(flush && gatheredBytes > 0)) return;
    const all = gathered.length === 1 ? gathered[0]! : Buffer.concat(gathered, gatheredBytes);
    gathered = [];
    gatheredBytes = 0;
    let off = 0;
    for (; off + CHUNK <= all.length; off += CHUNK) send(all.subarray(off, off + CHUNK));
    if (off < all.length) {
      if (flush) send(all.subarray(off));
      else {
        gathered = [all.subarray(off)];
        gatheredBytes = all.length - off;
      }
    }
  };
  const drainTo = (limitBytes: number, cb: (error?: Error | null) => void) => {
    const check = () => {
      if (failure) return cb(failure);
      if (inflightBytes <= limitBytes && (limitBytes > 0 || inflight === 0)) return cb();
      waiting = check;
    };
    check();
  };
  // Writes in flight when the session dies may never be answered: fail whoever waits on them.
  const done = whileOpen(s, () => {
    failure ??= endedError();
    settled();
  });
  const stream = Object.assign(
    new Writable({
      highWaterMark: CHUNK * 4,
      write(chunk: Buffer, _enc, cb) {
        if (failure) return cb(failure);
        put(chunk, false);
        drainTo(WRITE_WINDOW, cb);
      },
      final(cb) {
        put(Buffer.alloc(0), true);
        drainTo(0, (error) => {
          if (error) {
            closeOn(s, handle, () => cb(error));
            return;
          }
          closeOn(s, handle, (e) => {
            done();
            cb(e ?? null);
          });
        });
      },
      destroy(error, cb) {
        done();
        if (error) closeOn(s, handle, () => cb(error));
        else cb(null);
      },
    }),
    { bytes: 0 },
  );
  return stream;
}
