/**
 * GET responses whose body is read straight off the socket. Node's HTTP client copies every body
 * chunk out of the socket's buffer into a new Buffer (its parser's on_body), and those 64 KiB
 * buffers die at once: a 1 GiB download through the SDK spent ~1.7 s CPU in the parser and the
 * garbage collector alone, more than the MD5. Here the SDK still builds, signs, retries and
 * deserialises the request; only the response of a GET that asked for it ({@link RAW_BODY}) is
 * read on a socket of our own, straight into the consumer's reused buffers (`net` `onread`), and
 * handed over without a copy ({@link RawBody.drain}).
 *
 * Only what a plain S3 object GET answers is handled here: plain HTTP, HTTP/1.x, a 2xx with a
 * Content-Length. Anything else (TLS, chunked, a response this code does not expect) goes back
 * to the SDK's own handler, so an error still arrives as the SDK's parsed S3 error.
 */
import { connect, type Socket } from 'node:net';
import { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';

/** Passed as `client.send` options: this GET's body should be a {@link RawBody}. */
export const RAW_BODY = 'stepwiseRawBody';

/** `client.send` options asking for a {@link RawBody} (the SDK hands them to the handler). */
export function rawBodyOptions(signal?: AbortSignal): { abortSignal?: AbortSignal } {
  return { ...(signal ? { abortSignal: signal } : {}), [RAW_BODY]: true } as {
    abortSignal?: AbortSignal;
  };
}

/** Reads before a drain gives its own buffers (the head, an error body) land here. */
const SCRATCH = 64 * 1024;
/** A response head longer than this is not an S3 answer. */
const MAX_HEAD = 64 * 1024;
/** An error body (XML) read whole before the SDK parses it. */
const MAX_SMALL_BODY = 1024 * 1024;

/** The smithy request as the SDK hands it to its HTTP handler (the fields used here). */
interface SdkRequest {
  method: string;
  protocol: string;
  hostname: string;
  port?: number;
  path: string;
  query?: Record<string, string | string[] | null>;
  headers: Record<string, string>;
}

interface SdkResponse {
  statusCode: number;
  reason?: string;
  headers: Record<string, string>;
  body: Readable;
}

interface HandlerOptions {
  abortSignal?: AbortSignal;
  [RAW_BODY]?: boolean;
}

interface SdkHandler {
  handle(request: SdkRequest, options?: HandlerOptions): Promise<{ response: SdkResponse }>;
  destroy?(): void;
}

/**
 * Puts the raw-body handler in front of a client's own HTTP handler. Requests without
 * {@link RAW_BODY} go to the client's handler unchanged. `readTimeoutMs` (0: none) gives up on
 * a connection silent that long, as the SDK's own socket timeout does.
 */
export function withRawBodies(client: S3Client, readTimeoutMs = 0): S3Client {
  const config = client.config as unknown as { requestHandler: SdkHandler };
  const inner = config.requestHandler;
  // Inherits the rest of the handler's interface (destroy, its config) from the handler itself.
  const outer = Object.create(inner) as SdkHandler;
  outer.handle = (request, options) =>
    options?.[RAW_BODY] && request.method === 'GET' && request.protocol === 'http:'
      ? rawGet(request, options, inner, readTimeoutMs)
      : inner.handle(request, options);
  config.requestHandler = outer;
  return client;
}

/** Builds the request line and headers as the SDK signed them. */
function requestHead(r: SdkRequest): string {
  const query = Object.entries(r.query ?? {})
    .flatMap(([k, v]) =>
      v === null
        ? [uriEscape(k)]
        : (Array.isArray(v) ? v : [v]).map((x) => `${uriEscape(k)}=${uriEscape(x)}`),
    )
    .join('&');
  let head = `${r.method} ${r.path}${query ? `?${query}` : ''} HTTP/1.1\r\n`;
  for (const [name, value] of Object.entries(r.headers)) head += `${name}: ${value}\r\n`;
  if (!Object.keys(r.headers).some((h) => h.toLowerCase() === 'connection')) {
    head += 'connection: close\r\n';
  }
  return `${head}\r\n`;
}

/** RFC 3986 encoding, as the SDK encodes query values. */
const uriEscape = (s: string) =>
  encodeURIComponent(s).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );

/** A parsed status line and headers (names lower-cased, repeats joined by `, `). */
interface Head {
  status: number;
  reason: string;
  headers: Record<string, string>;
}

/** Parses a response head (without its blank line); undefined if it is not HTTP/1.x. */
export function parseHead(text: string): Head | undefined {
  const lines = text.split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})(?: (.*))?$/.exec(lines[0] ?? '');
  if (!m) return undefined;
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) return undefined;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
  }
  return { status: Number(m[1]), reason: m[2] ?? '', headers };
}

/** The body's length, or undefined when it is not given plainly by Content-Length. */
function plainLength(head: Head): number | undefined {
  if (head.headers['transfer-encoding'] !== undefined) return undefined;
  const text = head.headers['content-length'];
  return text !== undefined && /^\d+$/.test(text) ? Number(text) : undefined;
}

function rawGet(
  request: SdkRequest,
  options: HandlerOptions,
  inner: SdkHandler,
  readTimeoutMs: number,
): Promise<{ response: SdkResponse }> {
  const signal = options.abortSignal;
  if (signal?.aborted) return Promise.reject(abortError(signal));
  return new Promise((resolve, reject) => {
    let head: Buffer[] = [];
    let headBytes = 0;
    let body: RawBody | undefined;
    const scratch = Buffer.allocUnsafe(SCRATCH);
    let small: { head: Head; chunks: Buffer[]; left: number } | undefined;
    let settled = false;
    const settle = (f: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      f();
    };
    const fail = (error: Error) => {
      socket.destroy();
      settle(() => reject(error));
    };
    /** Not a response this code reads: the SDK's handler sends the request again. */
    const fallBack = () => {
      socket.destroy();
      settle(() => inner.handle(request, options).then(resolve, reject));
    };
    const onAbort = () => fail(abortError(signal as AbortSignal));
    signal?.addEventListener('abort', onAbort, { once: true });

    const onHead = (bytes: Buffer): boolean => {
      head.push(Buffer.from(bytes));
      headBytes += bytes.length;
      const all = head.length === 1 ? (head[0] as Buffer) : Buffer.concat(head);
      head = [all];
      const end = all.indexOf('\r\n\r\n');
      if (end < 0) {
        if (headBytes > MAX_HEAD) fallBack();
        return true;
      }
      head = [];
      const parsed = parseHead(all.subarray(0, end).toString('latin1'));
      const length = parsed && plainLength(parsed);
      const rest = all.subarray(end + 4);
      if (!parsed || length === undefined || parsed.status < 200) {
        fallBack();
        return false;
      }
      if (parsed.status < 300) {
        body = new RawBody(socket, length, rest, signal);
        settle(() =>
          resolve({
            response: {
              statusCode: parsed.status,
              reason: parsed.reason,
              headers: parsed.headers,
              body: body as RawBody,
            },
          }),
        );
        // Nothing reads on until the caller drains or reads the body.
        return false;
      }
      if (length > MAX_SMALL_BODY) {
        fallBack();
        return false;
      }
      small = { head: parsed, chunks: [], left: length };
      return onSmall(rest);
    };
    /** An error answer: read whole, then handed to the SDK, which parses its XML. */
    const onSmall = (bytes: Buffer): boolean => {
      const s = small as NonNullable<typeof small>;
      const take = bytes.subarray(0, s.left);
      s.chunks.push(Buffer.from(take));
      s.left -= take.length;
      if (s.left > 0) return true;
      socket.destroy();
      settle(() =>
        resolve({
          response: {
            statusCode: s.head.status,
            reason: s.head.reason,
            headers: s.head.headers,
            body: Readable.from([Buffer.concat(s.chunks)]),
          },
        }),
      );
      return false;
    };

    const socket: Socket = connect({
      host: request.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: request.port ?? 80,
      onread: {
        // Asked after every read: the drain's buffer once there is one.
        buffer: () => body?.space() ?? scratch,
        callback: (n: number, buffer: Uint8Array) => {
          const bytes = Buffer.from(buffer.buffer, buffer.byteOffset, n);
          if (body) return body.received(bytes);
          return small ? onSmall(bytes) : onHead(bytes);
        },
      },
    });
    socket.setNoDelay(true);
    socket.on('error', (error) => (body ? body.failed(error) : fail(error)));
    if (readTimeoutMs > 0) {
      socket.setTimeout(readTimeoutMs, () => {
        const error = Object.assign(
          new Error(`the connection was silent for ${readTimeoutMs / 1000} s (read timeout)`),
          { name: 'TimeoutError', code: 'ETIMEDOUT' },
        );
        if (body) body.failed(error);
        else fail(error);
        socket.destroy();
      });
    }
    socket.on('end', () => {
      if (body) body.ended();
      else fail(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    });
    socket.on('close', () => {
      if (body) body.ended();
      else if (!settled) fail(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    });
    socket.write(requestHead(request), 'latin1');
  });
}

function abortError(signal: AbortSignal): Error {
  const error = new Error('The operation was aborted', { cause: signal.reason });
  error.name = 'AbortError';
  return error;
}

/**
 * A response body still on its socket. Either {@link drain} it (the socket reads straight into
 * the drain's buffers, handed over full and reused once released) or read it as a normal stream
 * (each chunk copied). It fails if the connection ends before Content-Length bytes arrived.
 */
export class RawBody extends Readable {
  /** Bytes still to come. */
  #left: number;
  readonly #socket: Socket;
  readonly #signal: AbortSignal | undefined;
  #drain: Drain | undefined;
  #pending: Buffer | undefined;
  #done = false;

  constructor(socket: Socket, length: number, first: Buffer, signal: AbortSignal | undefined) {
    super();
    this.#socket = socket;
    this.#left = length;
    this.#signal = signal;
    // The bytes that came with the head, kept until someone asks.
    const take = first.subarray(0, length);
    this.#pending = take.length > 0 ? Buffer.from(take) : undefined;
    this.#left -= take.length;
    signal?.addEventListener('abort', this.#onAbort, { once: true });
  }

  /**
   * Reads the body into `buffers` buffers of `size` bytes: each is handed to `sink` once full
   * (the last one once the body ended), in order, and reused once `sink` calls its `release`.
   * The socket pauses while every buffer is out. A throw from `sink` fails the drain.
   */
  drain(
    sink: (chunk: Buffer, release: () => void) => void,
    { buffers = 8, size = 1024 * 1024 }: { buffers?: number; size?: number } = {},
  ): Promise<void> {
    if (this.#drain || this.readableFlowing !== null) throw new Error('the body is already read');
    return new Promise((resolve, reject) => {
      const free = Array.from({ length: Math.max(2, buffers) }, () => Buffer.allocUnsafe(size));
      const current = free.pop() as Buffer;
      this.#drain = { sink, free, current, filled: 0, paused: true, resolve, reject };
      const pending = this.#pending;
      this.#pending = undefined;
      if (pending && !this.#copy(pending)) return;
      if (this.#left === 0) this.#finish();
      else this.#resume();
    });
  }

  /** Where the socket's next read goes: the free end of the drain's current buffer. */
  space(): Buffer | undefined {
    const d = this.#drain;
    return d ? d.current.subarray(d.filled) : undefined;
  }

  /** The socket's data (a view of {@link space}, or of a scratch buffer). False pauses it. */
  received(bytes: Buffer): boolean {
    if (this.#done) return false;
    const chunk = bytes.length > this.#left ? bytes.subarray(0, this.#left) : bytes;
    this.#left -= chunk.length;
    const d = this.#drain;
    if (d) {
      const inPlace =
        chunk.buffer === d.current.buffer && chunk.byteOffset === d.current.byteOffset + d.filled;
      if (inPlace) {
        d.filled += chunk.length;
        if (d.filled === d.current.length && !this.#handOver()) return false;
      } else if (!this.#copy(chunk)) {
        return false;
      }
      if (this.#left === 0) this.#finish();
      if (this.#done) return false;
      d.paused = d.free.length === 0;
      return !d.paused;
    }
    const more = this.push(Buffer.from(chunk));
    if (this.#left === 0) this.#finish();
    return more && !this.#done;
  }

  /** Copies bytes that did not land in the current buffer (the head's, a scratch read). */
  #copy(bytes: Buffer): boolean {
    const d = this.#drain as Drain;
    for (let offset = 0; offset < bytes.length; ) {
      const n = bytes.copy(d.current, d.filled, offset);
      d.filled += n;
      offset += n;
      if (d.filled === d.current.length && !this.#handOver()) return false;
    }
    return true;
  }

  /** Hands the current buffer to the sink and takes the next free one. */
  #handOver(): boolean {
    const d = this.#drain as Drain;
    const full = d.current;
    const chunk = full.subarray(0, d.filled);
    // Never short of a buffer: the socket pauses while none is free; one read that was already
    // under way (or a copy) can still need one, which is then made.
    d.current = d.free.pop() ?? Buffer.allocUnsafe(full.length);
    d.filled = 0;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      d.free.push(full);
      if (d.paused && !this.#done) this.#resume();
    };
    try {
      d.sink(chunk, release);
      return true;
    } catch (error) {
      this.failed(error as Error);
      return false;
    }
  }

  #resume(): void {
    const d = this.#drain as Drain;
    d.paused = false;
    this.#socket.resume();
  }

  /** The connection ended or closed: short unless every byte came. */
  ended(): void {
    if (this.#done) return;
    this.failed(
      Object.assign(new Error(`the connection ended with ${this.#left} bytes still to come`), {
        code: 'ECONNRESET',
      }),
    );
  }

  failed(error: Error): void {
    if (this.#done) return;
    this.#done = true;
    this.#release();
    if (this.#drain) this.#drain.reject(error);
    else this.destroy(error);
  }

  #finish(): void {
    if (this.#done) return;
    const d = this.#drain;
    if (d && d.filled > 0 && !this.#handOver()) return;
    this.#done = true;
    this.#release();
    if (d) d.resolve();
    else this.push(null);
  }

  #release(): void {
    this.#signal?.removeEventListener('abort', this.#onAbort);
    this.#socket.destroy();
  }

  readonly #onAbort = () => this.failed(abortError(this.#signal as AbortSignal));

  override _read(): void {
    const pending = this.#pending;
    this.#pending = undefined;
    if (pending && !this.push(pending)) return;
    if (this.#left === 0) this.#finish();
    else if (!this.#done) this.#socket.resume();
  }

  override _destroy(error: Error | null, done: (error?: Error | null) => void): void {
    if (!this.#done) {
      this.#done = true;
      this.#release();
    }
    done(error);
  }
}

/** A drain in progress: the buffer being filled, the free ones, and whom to tell. */
interface Drain {
  sink: (chunk: Buffer, release: () => void) => void;
  free: Buffer[];
  current: Buffer;
  filled: number;
  paused: boolean;
  resolve: () => void;
  reject: (error: Error) => void;
}
