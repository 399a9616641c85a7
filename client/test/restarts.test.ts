import assert from "node:assert/strict";
import { test } from "node:test";
import { RestartQueue } from "../src/restarts";

/** A server whose (re)starts end only when the test says so, as a first start building its environment. */
class SlowServer {
  starts = 0;
  running = 0;
  mostAtOnce = 0;
  errors: unknown[] = [];
  private ends: Array<{ finish: () => void; fail: (error: Error) => void }> = [];
  readonly queue = new RestartQueue(
    () => this.restart(),
    (error) => this.errors.push(error),
  );

  private restart(): Promise<void> {
    this.starts += 1;
    this.running += 1;
    this.mostAtOnce = Math.max(this.mostAtOnce, this.running);
    return new Promise<void>((resolve, reject) => {
      this.ends.push({
        finish: () => {
          this.running -= 1;
          resolve();
        },
        fail: (error) => {
          this.running -= 1;
          reject(error);
        },
      });
    });
  }

  /** Ends the start in progress, then lets the queue move on. */
  async finish(): Promise<void> {
    this.ends.shift()?.finish();
    await settle();
  }

  async fail(message: string): Promise<void> {
    this.ends.shift()?.fail(new Error(message));
    await settle();
  }
}

function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

test("a request starts a run at once", async () => {
  const server = new SlowServer();
  void server.queue.request();
  await settle();
  assert.equal(server.starts, 1);
});

const burst = [1, 2, 5];
for (const requests of burst) {
  test(`${requests} request(s) during a start coalesce into one more run after it`, async () => {
    const server = new SlowServer();
    void server.queue.request();
    await settle();
    for (let i = 0; i < requests; i++) void server.queue.request();
    await settle();
    assert.equal(server.starts, 1, "the start in progress is not interrupted");
    await server.finish();
    assert.equal(server.starts, 2);
    await server.finish();
    assert.equal(server.starts, 2);
  });
}

test("runs never overlap, however the requests interleave", async () => {
  const server = new SlowServer();
  for (let round = 0; round < 3; round++) {
    void server.queue.request();
    await settle();
    void server.queue.request();
    await server.finish();
  }
  while (server.running > 0) await server.finish();
  assert.equal(server.mostAtOnce, 1);
  assert.equal(server.starts, 4);
});

test("a request made while the queued run is going gets a run of its own, which reads the newest settings", async () => {
  const server = new SlowServer();
  void server.queue.request();
  await settle();
  void server.queue.request();
  await server.finish();
  assert.equal(server.starts, 2);
  void server.queue.request();
  await server.finish();
  assert.equal(server.starts, 3);
});

test("a request resolves once the run it joined has ended", async () => {
  const server = new SlowServer();
  void server.queue.request();
  await settle();
  let joined = false;
  void server.queue.request().then(() => (joined = true));
  await server.finish();
  assert.equal(joined, false, "the first run ended, not the one this request joined");
  await server.finish();
  assert.equal(joined, true);
});

test("a failed start is reported and does not wedge the queue", async () => {
  const server = new SlowServer();
  const first = server.queue.request();
  await settle();
  await server.fail("python3 -m venv failed");
  await first;
  assert.deepEqual(
    server.errors.map((error) => (error as Error).message),
    ["python3 -m venv failed"],
  );
  void server.queue.request();
  await settle();
  assert.equal(server.starts, 2);
  await server.finish();
  assert.equal(server.running, 0);
});

test("a failing error report does not wedge the queue either", async () => {
  let starts = 0;
  const queue = new RestartQueue(
    async () => {
      starts += 1;
      throw new Error("no interpreter");
    },
    () => {
      throw new Error("the error dialog failed too");
    },
  );
  await queue.request();
  await queue.request();
  assert.equal(starts, 2);
});

test("close waits for the start in progress and drops the queued one", async () => {
  const server = new SlowServer();
  void server.queue.request();
  await settle();
  void server.queue.request();
  let closed = false;
  void server.queue.close().then(() => (closed = true));
  await settle();
  assert.equal(closed, false, "still starting");
  await server.finish();
  assert.equal(closed, true);
  assert.equal(server.starts, 1);
});

test("after close, a request starts nothing", async () => {
  const server = new SlowServer();
  await server.queue.close();
  await server.queue.request();
  assert.equal(server.starts, 0);
});
