import http from "node:http";

/**
 * HTTP as a fuzzer speaks it, through node:http rather than fetch (which refuses TRACE, sets its
 * own headers and cannot stop half-way through a body): any method, any headers, and a body
 * sent whole, held back until the server has had its chance to answer, or streamed in chunks.
 * Writing stops as soon as an answer comes, as a browser's does: a server that answers before
 * it has read the body may close the connection, and a write into a closed connection would
 * lose the answer. The connection asks to be kept alive, so that it is the server that decides.
 */
export type RawBody =
  | { kind: "none" }
  | { kind: "whole"; bytes: Uint8Array }
  /** Headers first; the body only if no answer has come within `patienceMs`. */
  | { kind: "held-back"; bytes: Uint8Array; patienceMs: number }
  /**
   * Transfer-Encoding: chunked, of "a"s, until `total` or until the server answers; past
   * `pauseAt` bytes, it waits `patienceMs` for an answer before it sends on.
   */
  | { kind: "chunked"; total: number; pauseAt?: number; patienceMs?: number };

export type RawRequest = { method: string; path: string; headers?: Record<string, string>; body?: RawBody };

export type RawAnswer = {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** Body bytes written before the answer came. */
  sentBeforeAnswer: number;
  /** Whether the whole body had been written when the answer came. */
  bodyComplete: boolean;
};

export function rawRequest(baseUrl: string, request: RawRequest, timeoutMs = 60_000): Promise<RawAnswer> {
  const url = new URL(baseUrl);
  const body = request.body ?? { kind: "none" };
  const headers: Record<string, string> = { Connection: "keep-alive", ...request.headers };
  if (body.kind === "whole" || body.kind === "held-back") headers["Content-Length"] = String(body.bytes.byteLength);
  if (body.kind === "chunked") headers["Transfer-Encoding"] = "chunked";

  return new Promise((resolve, reject) => {
    let sent = 0;
    let complete = body.kind === "none";
    let answered = false;
    let onAnswer = () => undefined as void;
    /** Resolves when the answer comes, or after `ms`. */
    const answerOrAfter = (ms: number) =>
      new Promise<void>((done) => {
        const timer = setTimeout(done, ms);
        onAnswer = () => {
          clearTimeout(timer);
          done();
        };
      });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`${request.method} ${request.path}: no answer within ${timeoutMs} ms`));
    }, timeoutMs);

    const req = http.request({ host: url.hostname, port: url.port, method: request.method, path: request.path, headers, agent: false, setHost: !("Host" in headers) });
    req.on("response", (res) => {
      answered = true;
      onAnswer();
      const sentBeforeAnswer = sent;
      const bodyComplete = complete;
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => {
        clearTimeout(timer);
        req.destroy();
        resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString("utf8"), sentBeforeAnswer, bodyComplete });
      });
      res.on("error", () => undefined);
    });
    req.on("error", (error) => {
      // A server that has answered may close the connection on a body it will not read.
      if (answered) return;
      clearTimeout(timer);
      reject(error);
    });

    const write = (bytes: Uint8Array) =>
      new Promise<void>((drained) => {
        sent += bytes.byteLength;
        if (req.write(bytes)) drained();
        else req.once("drain", () => drained());
      });
    const PIECE = 65_536;
    /** Writes `size` bytes from `at`, a piece at a time, looking for an answer between pieces. */
    const writeUntilAnswered = async (at: (offset: number, size: number) => Uint8Array, size: number) => {
      for (let offset = 0; offset < size && !answered; offset += PIECE) {
        await write(at(offset, Math.min(PIECE, size - offset)));
        await new Promise((next) => setImmediate(next));
      }
    };
    const finish = () => {
      if (answered) return;
      complete = true;
      req.end();
    };

    const send = async () => {
      switch (body.kind) {
        case "none":
          req.end();
          return;
        case "whole":
          await writeUntilAnswered((offset, size) => body.bytes.subarray(offset, offset + size), body.bytes.byteLength);
          return finish();
        case "held-back":
          req.flushHeaders();
          await answerOrAfter(body.patienceMs);
          if (answered) return;
          await writeUntilAnswered((offset, size) => body.bytes.subarray(offset, offset + size), body.bytes.byteLength);
          return finish();
        case "chunked": {
          const filler = new Uint8Array(PIECE).fill(0x61);
          const chunk = (_: number, size: number) => filler.subarray(0, size);
          const pauseAt = Math.min(body.pauseAt ?? body.total, body.total);
          await writeUntilAnswered(chunk, pauseAt);
          if (pauseAt < body.total && !answered) {
            await answerOrAfter(body.patienceMs ?? 0);
            await writeUntilAnswered(chunk, body.total - pauseAt);
          }
          return finish();
        }
      }
    };
    send().catch(() => undefined);
  });
}

/** Closes a test's server, and the connections its clients keep alive, if it was started. */
export function closeServer(server: http.Server | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (!server) return resolve();
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
