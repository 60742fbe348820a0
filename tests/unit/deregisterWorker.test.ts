import * as childProcess from "child_process";
import * as http from "http";
import * as net from "net";
import * as path from "path";
import { DEREGISTER_WORKER_COMMAND } from "../../components/render/deregister";
import { deregisterWorker, main } from "../../scripts/deregister-worker";
import { capturedStreams } from "./support/streams";

const PROJECT_ROOT = path.resolve(__dirname, "..", "..");

interface Manager {
  url: string;
  requests: string[];
  close(): Promise<void>;
}

/** A manager on 127.0.0.1 that answers the worker management API with `answer`. */
async function startManager(
  answer: (method: string, url: string) => { status: number; body?: unknown },
): Promise<Manager> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const { status, body } = answer(String(req.method), String(req.url));
    res.writeHead(status, { "content-type": "application/json" });
    res.end(body === undefined ? "" : JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A port on 127.0.0.1 nothing listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Runs the deregister command as Pulumi's delete step does (async: the test's server must keep answering). */
function deregister(
  managerUrl: string,
  workerName = "farm-render-01-3",
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    childProcess.execFile(
      "/bin/sh",
      ["-c", DEREGISTER_WORKER_COMMAND],
      {
        cwd: PROJECT_ROOT,
        env: { PATH: process.env.PATH ?? "", FLAMENCO_MANAGER_URL: managerUrl, FLAMENCO_WORKER_NAME: workerName },
      },
      (error, stdout, stderr) =>
        resolve({ status: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

const WORKERS = {
  workers: [
    { id: "0b8e-1", name: "farm-render-01-2", status: "awake" },
    { id: "0b8e-2", name: "farm-render-01-3", status: "offline" },
  ],
};

let manager: Manager | undefined;
afterEach(async () => {
  await manager?.close();
  manager = undefined;
});

describe("deregisterWorker", () => {
  test("finds the worker by name and deletes exactly it by id", async () => {
    manager = await startManager((method) => (method === "GET" ? { status: 200, body: WORKERS } : { status: 204 }));
    const result = await deregisterWorker({ managerUrl: manager.url, workerName: "farm-render-01-3" });
    expect(manager.requests).toEqual(["GET /api/v3/worker-mgt/workers", "DELETE /api/v3/worker-mgt/workers/0b8e-2"]);
    expect(result).toEqual({ worker: "farm-render-01-3", deregistered: ["0b8e-2"] });
  });

  test("takes the manager URL with or without a trailing slash", async () => {
    manager = await startManager((method) => (method === "GET" ? { status: 200, body: WORKERS } : { status: 204 }));
    await deregisterWorker({ managerUrl: `${manager.url}/`, workerName: "farm-render-01-2" });
    expect(manager.requests).toEqual(["GET /api/v3/worker-mgt/workers", "DELETE /api/v3/worker-mgt/workers/0b8e-1"]);
  });

  test("deletes every worker of that name, its id escaped for the path", async () => {
    const twice = {
      workers: [
        { id: "a/1", name: "farm-render-01-3" },
        { id: "b 2", name: "farm-render-01-3" },
      ],
    };
    manager = await startManager((method) => (method === "GET" ? { status: 200, body: twice } : { status: 204 }));
    const result = await deregisterWorker({ managerUrl: manager.url, workerName: "farm-render-01-3" });
    expect(manager.requests.slice(1)).toEqual([
      "DELETE /api/v3/worker-mgt/workers/a%2F1",
      "DELETE /api/v3/worker-mgt/workers/b%202",
    ]);
    expect(result.deregistered).toEqual(["a/1", "b 2"]);
  });

  test("a worker the manager does not list, or one already deleted (404), is fine", async () => {
    manager = await startManager((method) => (method === "GET" ? { status: 200, body: WORKERS } : { status: 404 }));
    expect(await deregisterWorker({ managerUrl: manager.url, workerName: "farm-render-01-9" })).toEqual({
      worker: "farm-render-01-9",
      deregistered: [],
    });
    expect(manager.requests).toEqual(["GET /api/v3/worker-mgt/workers"]);
    expect(await deregisterWorker({ managerUrl: manager.url, workerName: "farm-render-01-3" })).toEqual({
      worker: "farm-render-01-3",
      deregistered: ["0b8e-2"],
    });
  });

  test("a manager that lists no workers at all: nothing to deregister", async () => {
    manager = await startManager(() => ({ status: 200, body: {} }));
    expect(await deregisterWorker({ managerUrl: manager.url, workerName: "farm-render-01-3" })).toEqual({
      worker: "farm-render-01-3",
      deregistered: [],
    });
  });

  test("a manager that is gone: a warning naming the request, nothing deregistered", async () => {
    const port = await closedPort();
    const result = await deregisterWorker({ managerUrl: `http://127.0.0.1:${port}`, workerName: "farm-render-01-3" });
    expect(result.deregistered).toEqual([]);
    // The reason itself (ECONNREFUSED) is checked through the command below: under jest, Node's
    // fetch error comes from another realm than the script's `Error`.
    expect(result.warning).toMatch(
      new RegExp(
        `^the manager is unreachable \\(GET http://127\\.0\\.0\\.1:${port}/api/v3/worker-mgt/workers: .+\\); farm-render-01-3 was not deregistered$`,
      ),
    );
  });

  test("a manager that answers 404 to the list: a warning, nothing deleted", async () => {
    manager = await startManager(() => ({ status: 404 }));
    const result = await deregisterWorker({ managerUrl: manager.url, workerName: "farm-render-01-3" });
    expect(result.deregistered).toEqual([]);
    expect(result.warning).toContain(`GET ${manager.url}/api/v3/worker-mgt/workers answered 404`);
    expect(manager.requests).toEqual(["GET /api/v3/worker-mgt/workers"]);
  });

  test("an HTTP error other than 404 from a reachable manager fails, naming the request and the answer", async () => {
    manager = await startManager((method) =>
      method === "GET" ? { status: 200, body: WORKERS } : { status: 500, body: { message: "database is locked" } },
    );
    await expect(deregisterWorker({ managerUrl: manager.url, workerName: "farm-render-01-3" })).rejects.toThrow(
      `DELETE ${manager.url}/api/v3/worker-mgt/workers/0b8e-2 answered HTTP 500: {"message":"database is locked"}`,
    );
  });

  test("a failing list fails too, without a body when the manager sends none", async () => {
    manager = await startManager(() => ({ status: 503 }));
    await expect(deregisterWorker({ managerUrl: manager.url, workerName: "farm-render-01-3" })).rejects.toThrow(
      new RegExp(`^GET ${manager.url}/api/v3/worker-mgt/workers answered HTTP 503$`),
    );
  });
});

describe("the deregister command, as Pulumi's delete step runs it", () => {
  test("prints the result as one JSON line and exits 0", async () => {
    manager = await startManager((method) => (method === "GET" ? { status: 200, body: WORKERS } : { status: 204 }));
    const result = await deregister(manager.url);
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ worker: "farm-render-01-3", deregistered: ["0b8e-2"] });
  });

  test("a manager that is gone: the warning on stderr, exit 0, so the destroy goes on", async () => {
    const result = await deregister(`http://127.0.0.1:${await closedPort()}`);
    expect(result.status).toBe(0);
    expect(result.stderr).toMatch(
      /^warning: the manager is unreachable \(GET http:\/\/127\.0\.0\.1:\d+\/api\/v3\/worker-mgt\/workers: .*ECONNREFUSED.*\); farm-render-01-3 was not deregistered/,
    );
  });

  test("a failure: exit 1, the reason on stderr after the script's name", async () => {
    manager = await startManager(() => ({ status: 503 }));
    const result = await deregister(manager.url);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(`deregister-worker: GET ${manager.url}/api/v3/worker-mgt/workers answered HTTP 503\n`);
  });
});

describe("the command's main, in this process", () => {
  async function command(env: Record<string, string>) {
    const captured = capturedStreams();
    await main({
      env,
      ...captured.streams,
    });
    return { stdout: captured.stdout.join(""), stderr: captured.stderr.join("") };
  }

  test("prints the result line, and a warning only when there is one", async () => {
    manager = await startManager((method) => (method === "GET" ? { status: 200, body: WORKERS } : { status: 204 }));
    const done = await command({ FLAMENCO_MANAGER_URL: manager.url, FLAMENCO_WORKER_NAME: "farm-render-01-3" });
    expect(done).toEqual({ stdout: '{"worker":"farm-render-01-3","deregistered":["0b8e-2"]}\n', stderr: "" });

    const gone = await command({
      FLAMENCO_MANAGER_URL: `http://127.0.0.1:${await closedPort()}`,
      FLAMENCO_WORKER_NAME: "farm-render-01-3",
    });
    expect(gone.stderr).toMatch(/^warning: the manager is unreachable .*; farm-render-01-3 was not deregistered\n$/);
    expect(JSON.parse(gone.stdout)).toMatchObject({ worker: "farm-render-01-3", deregistered: [] });
  });

  test("names a missing variable", async () => {
    await expect(command({ FLAMENCO_WORKER_NAME: "w" })).rejects.toThrow("FLAMENCO_MANAGER_URL is not set");
    await expect(command({ FLAMENCO_MANAGER_URL: "http://127.0.0.1:1" })).rejects.toThrow(
      "FLAMENCO_WORKER_NAME is not set",
    );
  });
});
