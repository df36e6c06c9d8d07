import { execFile } from "node:child_process";
import http from "node:http";
import net, { type AddressInfo } from "node:net";
import express from "express";
import { afterEach, describe, expect, it } from "vitest";
import { pageQueue } from "../../server/edge";
import { closeServer } from "../support/raw-http";

// Pages are let in a few at a time, in arrival order (server/edge.ts): each test holds the pages it
// admits open until it lets them go, and watches which the handler has begun.

let server: http.Server | undefined;
afterEach(() => closeServer(server));

function portal(options: { concurrent: number; waiting: number }) {
  const begun: string[] = [];
  const held = new Map<string, () => void>();
  const app = express();
  app.use(pageQueue(options));
  // A write reads its whole body first, then asks for its place, as the form reader does.
  const arrived: string[] = [];
  app.all("/:page", async (req, res) => {
    if (req.method === "POST") {
      await new Promise((resolve) => req.resume().once("end", resolve));
      arrived.push(req.params.page!);
      await (res.locals.takePlace as () => Promise<void>)();
    }
    begun.push(`${req.method} ${req.params.page}`);
    held.set(req.params.page!, () => res.send(req.params.page));
  });
  server = app.listen(0);
  const url = `http://localhost:${(server.address() as AddressInfo).port}`;
  const until = async (condition: () => boolean) => {
    for (let i = 0; i < 200 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(condition()).toBe(true);
  };
  const release = (page: string) => {
    held.get(page)!();
    held.delete(page);
  };
  return { url, begun, arrived, release, until };
}

const post = (url: string) => fetch(url, { method: "POST", body: "x=1", headers: { "Content-Type": "application/x-www-form-urlencoded" } });

describe("the page queue", () => {
  it("lets in as many pages as it may at once, and the others in the order they came", async () => {
    const { url, begun, release, until } = portal({ concurrent: 2, waiting: 10 });
    // Sent a little apart, so that they arrive in this order.
    const answers: Promise<string>[] = [];
    for (const page of ["a", "b", "c", "d"]) {
      answers.push(fetch(`${url}/${page}`).then((response) => response.text()));
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await until(() => begun.length === 2);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(begun).toEqual(["GET a", "GET b"]);
    release("b");
    await until(() => begun.length === 3);
    expect(begun[2]).toBe("GET c");
    release("a");
    await until(() => begun.length === 4);
    release("c");
    release("d");
    expect(await Promise.all(answers)).toEqual(["a", "b", "c", "d"]);
  });

  it("queues a write once its body has arrived, holding no place while the body comes", async () => {
    const { url, begun, arrived, release, until } = portal({ concurrent: 1, waiting: 10 });
    // An upload that sends its headers and part of its body, then nothing for now.
    const { port } = new URL(url);
    const upload = net.connect(Number(port), "127.0.0.1");
    await new Promise((resolve) => upload.once("connect", resolve));
    upload.write("POST /slow HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nx=1");
    await new Promise((resolve) => setTimeout(resolve, 50));
    // The page goes ahead of it: the upload holds no place.
    const page = fetch(`${url}/a`);
    await until(() => begun.length === 1);
    expect(begun).toEqual(["GET a"]);
    // A write whose body is in waits for the place the page holds, and has it once the page is out.
    const write = post(`${url}/b`);
    await until(() => arrived.includes("b"));
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(begun).toEqual(["GET a"]);
    release("a");
    await until(() => begun.length === 2);
    expect(begun).toEqual(["GET a", "POST b"]);
    release("b");
    expect(await (await write).text()).toBe("b");
    await page;
    upload.destroy();
  });

  it("starts one request a turn of the event loop, however many arrive together and however many places are free", async () => {
    const app = express();
    app.use(pageQueue({ concurrent: 4, waiting: 10 }));
    // Turns of the event loop, counted by a callback that runs once a turn.
    let turn = 0;
    let counting = true;
    const count = () => {
      turn += 1;
      if (counting) setImmediate(count);
    };
    count();
    const startedIn: number[] = [];
    // Each answer is computed on the thread for a while (as a page's loaders or a write's action
    // are), so that the requests that come meanwhile are all there for the next turn.
    const compute = (res: express.Response) => {
      startedIn.push(turn);
      const until = performance.now() + 20;
      while (performance.now() < until);
      res.send("done");
    };
    app.post("/:write", async (req, res) => {
      await new Promise((resolve) => req.resume().once("end", resolve));
      await (res.locals.takePlace as () => Promise<void>)();
      compute(res);
    });
    app.get("/:page", (_req, res) => compute(res));
    server = app.listen(0);
    const { port } = server.address() as AddressInfo;
    // Eight requests written at once by another process (this one is the server), so that they
    // come while the first is computed and are all there together in the next turn.
    const requests = Array.from({ length: 8 }, (_, i) =>
      i % 2 === 0
        ? `POST /w${i} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 3\r\nConnection: close\r\n\r\nx=1`
        : `GET /p${i} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`,
    );
    const client = `const net = require("node:net"); const requests = ${JSON.stringify(requests)};
      let open = 0; let answered = 0;
      const sockets = requests.map(() => net.connect(${port}, "127.0.0.1", () => { if (++open === requests.length) sockets.forEach((s, i) => s.write(requests[i])); }));
      sockets.forEach((s) => { s.resume(); s.once("end", () => { if (++answered === requests.length) process.exit(0); }); });`;
    await new Promise<void>((resolve, reject) =>
      execFile(process.execPath, ["-e", client], { timeout: 20_000 }, (error) => (error ? reject(error) : resolve())),
    );
    counting = false;
    expect(startedIn).toHaveLength(8);
    const perTurn = new Map<number, number>();
    for (const started of startedIn) perTurn.set(started, (perTurn.get(started) ?? 0) + 1);
    expect(Math.max(...perTurn.values())).toBe(1);
  });

  it("still computes a write whose client left while it waited, and drops such a page", async () => {
    const { url, begun, arrived, release, until } = portal({ concurrent: 1, waiting: 10 });
    const page = fetch(`${url}/a`);
    await until(() => begun.length === 1);
    const leaving = new AbortController();
    const write = fetch(`${url}/b`, { method: "POST", body: "x=1", headers: { "Content-Type": "application/x-www-form-urlencoded" }, signal: leaving.signal }).catch((error: Error) => error.name);
    const gone = new AbortController();
    const left = fetch(`${url}/c`, { signal: gone.signal }).catch((error: Error) => error.name);
    await until(() => arrived.includes("b"));
    await new Promise((resolve) => setTimeout(resolve, 30));
    leaving.abort();
    gone.abort();
    expect(await write).toBe("AbortError");
    expect(await left).toBe("AbortError");
    await new Promise((resolve) => setTimeout(resolve, 30));
    release("a");
    // The form had arrived: what was typed is saved even though nobody waits for the answer.
    await until(() => begun.length === 2);
    expect(begun).toEqual(["GET a", "POST b"]);
    release("b");
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(begun).toEqual(["GET a", "POST b"]);
    await page;
  });

  it("lets a write wait past the waiting limit, where a page is turned away", async () => {
    const { url, begun, release, until } = portal({ concurrent: 1, waiting: 0 });
    const page = fetch(`${url}/a`);
    await until(() => begun.length === 1);
    const write = post(`${url}/b`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await fetch(`${url}/c`)).status).toBe(503);
    release("a");
    await until(() => begun.length === 2);
    release("b");
    expect((await write).status).toBe(200);
    expect(begun).toEqual(["GET a", "POST b"]);
    await page;
  });

  it("answers 503 with Retry-After at once when too many pages wait", async () => {
    const { url, begun, release, until } = portal({ concurrent: 1, waiting: 1 });
    const first = fetch(`${url}/a`);
    await until(() => begun.length === 1);
    const second = fetch(`${url}/b`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const third = await fetch(`${url}/c`);
    expect(third.status).toBe(503);
    expect(third.headers.get("Retry-After")).toBe("5");
    expect(await third.text()).toMatch(/busy/);
    release("a");
    await until(() => begun.length === 2);
    release("b");
    expect((await first).status).toBe(200);
    expect((await second).status).toBe(200);
    expect(begun).toEqual(["GET a", "GET b"]);
  });

  it("drops a waiting page whose client left, and counts it no more among those waiting", async () => {
    const { url, begun, release, until } = portal({ concurrent: 1, waiting: 1 });
    const first = fetch(`${url}/a`);
    await until(() => begun.length === 1);
    const leaving = new AbortController();
    const left = fetch(`${url}/b`, { signal: leaving.signal }).catch((error: Error) => error.name);
    await new Promise((resolve) => setTimeout(resolve, 30));
    leaving.abort();
    expect(await left).toBe("AbortError");
    await new Promise((resolve) => setTimeout(resolve, 30));
    // The one place to wait is free again: the next page waits rather than being turned away.
    const third = fetch(`${url}/c`);
    await new Promise((resolve) => setTimeout(resolve, 30));
    release("a");
    await until(() => begun.length === 2);
    expect(begun).toEqual(["GET a", "GET c"]);
    release("c");
    expect((await third).status).toBe(200);
    await first;
  });

  it("frees a place once a page is written out, not once a client that stopped reading has it", async () => {
    const app = express();
    app.use(pageQueue({ concurrent: 1, waiting: 10 }));
    // A calendar feed's size: far more than the socket buffers hold.
    const large = "BEGIN:VEVENT\r\n".repeat(400_000);
    app.get("/large", (_req, res) => void res.type("text/calendar").send(large));
    app.get("/small", (_req, res) => void res.send("small"));
    server = app.listen(0);
    const { port } = server.address() as AddressInfo;
    // A client that asks for the large page and never reads the answer, nor leaves.
    const stalled = net.connect(port, "127.0.0.1");
    await new Promise((resolve) => stalled.once("connect", resolve));
    stalled.pause();
    stalled.write(`GET /large HTTP/1.1\r\nHost: localhost\r\n\r\n`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const next = await fetch(`http://localhost:${port}/small`, { signal: AbortSignal.timeout(5_000) });
    expect(await next.text()).toBe("small");
    stalled.destroy();
  });
});

