/**
 * GET responses whose body is read straight off the socket. Node's HTTP client copies every body
 * chunk out of the socket's buffer into a new Buffer (its parser's on_body), and those 64 KiB
 * buffers die at once: a 1 GiB download through the SDK spent ~1.7 s CPU in the parser and the
 * garbage collector alone, more than the MD5. Here the SDK still builds, signs, retries and
 * deserialises the request; only the response of a GET that asked for it ({@link RAW_BODY}) is
 * read on a socket of our own, into one reused buffer (`net` `onread`), and handed to the
 * consumer chunk by chunk without a copy ({@link RawBody.drain}).
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

/** Socket reads land here; 1 MiB lets one read take all a loopback socket holds. */
const READ_BUFFER = 1024 * 1024;
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
 * {@link RAW_BODY} go to the client's handler unchanged.
 */
export function withRawBodies(client: S3Client): S3Client {
  const config = client.config as unknown as { requestHandler: SdkHandler };
  const inner = config.requestHandler;
  // Inherits the rest of the handler's interface (destroy, its config) from the handler itself.
  const outer = Object.create(inner) as SdkHandler;
  outer.handle = (request, options) =>
    options?.[RAW_BODY] && request.method === 'GET' && request.protocol === 'http:'
      ? rawGet(request, options, inner)
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
): Promise<{ response: SdkResponse }> {
  const signal = options.abortSignal;
  if (signal?.aborted) return Promise.reject(abortError(signal));
  return new Promise((resolve, reject) => {
    let head: Buffer[] = [];
    let headBytes = 0;
    let body: RawBody | undefined;
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
        buffer: Buffer.allocUnsafe(READ_BUFFER),
        callback: (n: number, buffer: Uint8Array) => {
          const bytes = Buffer.from(buffer.buffer, buffer.byteOffset, n);
          if (body) return body.received(bytes);
          return small ? onSmall(bytes) : onHead(bytes);
        },
      },
    });
    socket.setNoDelay(true);
    socket.on('error', (error) => (body ? body.failed(error) : fail(error)));
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
 * A response body still on its socket. Either {@link drain} it (chunks handed over without a
 * copy, each valid only during the call) or read it as a normal stream (each chunk copied).
 * It fails if the connection ends before Content-Length bytes arrived.
 */
export class RawBody extends Readable {
  /** Bytes still to come. */
  #left: number;
  readonly #socket: Socket;
  readonly #signal: AbortSignal | undefined;
  #sink: ((chunk: Buffer) => void) | undefined;
  #drained: { resolve: () => void; reject: (error: Error) => void } | undefined;
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

  /** The body's bytes not yet received. */
  get left(): number {
    return this.#left;
  }

  /**
   * Hands every chunk to `sink` as it arrives, synchronously and without copying: the chunk's
   * memory is reused once `sink` returns. A throw from `sink` fails the drain.
   */
  drain(sink: (chunk: Buffer) => void): Promise<void> {
    if (this.#sink || this.readableFlowing !== null) throw new Error('the body is already read');
    return new Promise((resolve, reject) => {
      this.#sink = sink;
      this.#drained = { resolve, reject };
      const pending = this.#pending;
      this.#pending = undefined;
      if (pending && !this.#deliver(pending)) return;
      if (this.#left === 0) this.#finish();
      else this.#socket.resume();
    });
  }

  /** The socket's data: a view of the reused read buffer. Returns false to pause the socket. */
  received(bytes: Buffer): boolean {
    if (this.#done) return false;
    const chunk = bytes.length > this.#left ? bytes.subarray(0, this.#left) : bytes;
    this.#left -= chunk.length;
    if (this.#sink) {
      if (!this.#deliver(chunk)) return false;
      if (this.#left === 0) this.#finish();
      return !this.#done;
    }
    const more = this.push(Buffer.from(chunk));
    if (this.#left === 0) this.#finish();
    return more && !this.#done;
  }

  /** Passes a chunk to the drain's sink; false (and the drain failed) if the sink threw. */
  #deliver(chunk: Buffer): boolean {
    try {
      (this.#sink as (chunk: Buffer) => void)(chunk);
      return true;
    } catch (error) {
      this.failed(error as Error);
      return false;
    }
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
    if (this.#drained) this.#drained.reject(error);
    else this.destroy(error);
  }

  #finish(): void {
    if (this.#done) return;
    this.#done = true;
    this.#release();
    if (this.#drained) this.#drained.resolve();
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
