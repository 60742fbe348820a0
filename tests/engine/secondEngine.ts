/**
 * A second Docker engine on this machine, standing in for another render host: its own
 * socket, data root, exec root, daemon config and bridge, and no iptables rules. Its
 * containers use host networking (or none). Started and stopped by the tests.
 *
 * It gets a bridge device of its own, unused and on TEST-NET-1 (192.0.2.0/24, never routed):
 * `--bridge none` would make this daemon delete the machine engine's docker0, and sharing
 * docker0 would mix the two engines' containers.
 */
import { ChildProcess, execFile, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import Docker from "dockerode";
import { DOCKER_CLI, dockerCli } from "./support";

const DOCKERD_CANDIDATES = ["/usr/sbin/dockerd", "/usr/bin/dockerd"];

export interface SecondEngine {
  /** Holds socket, data root, exec root, config, pid file and log. */
  directory: string;
  /** The Docker endpoint, as a stack's dockerHost: `unix://<directory>/docker.sock`. */
  host: string;
  docker: Docker;
  /** The docker CLI against this engine. */
  cli(args: string[]): Promise<string>;
  /** Copies an image of the machine's main engine into this one (`docker save | docker load`). */
  loadImage(image: string): Promise<void>;
  /** Stops the daemon (and with it its containers), unmounts what it left, removes its directory. */
  stop(): Promise<void>;
}

function run(file: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(file, args, (error, _stdout, stderr) =>
      error ? reject(new Error(`${file} ${args.join(" ")} failed: ${stderr || error.message}`)) : resolve(),
    );
  });
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once("exit", () => resolve());
  });
}

function mountsUnder(directory: string): string[] {
  return fs
    .readFileSync("/proc/mounts", "utf8")
    .split("\n")
    .map((line) => line.split(" ")[1])
    .filter((mountPoint): mountPoint is string => mountPoint !== undefined && mountPoint.startsWith(`${directory}/`))
    .sort((a, b) => b.length - a.length);
}

function logTail(logFile: string): string {
  return fs.existsSync(logFile) ? fs.readFileSync(logFile, "utf8").split("\n").slice(-30).join("\n") : "(no log)";
}

export async function startSecondEngine(timeoutSeconds = 60): Promise<SecondEngine> {
  const dockerd = DOCKERD_CANDIDATES.find((candidate) => fs.existsSync(candidate));
  if (!dockerd) throw new Error('dockerd is missing; run "npm run engine:setup" first.');
  // Short: the socket paths of dockerd and its containerd must stay under 108 characters.
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), "fl-e2-"));
  const socket = path.join(directory, "docker.sock");
  const host = `unix://${socket}`;
  const logFile = path.join(directory, "dockerd.log");
  const configFile = path.join(directory, "daemon.json");
  fs.writeFileSync(configFile, "{}\n");
  const bridge = `fle2${process.pid % 100000}`;
  await run("ip", ["link", "delete", bridge]).catch(() => undefined);
  await run("ip", ["link", "add", "name", bridge, "type", "bridge"]);
  await run("ip", ["addr", "add", "192.0.2.1/24", "dev", bridge]);
  await run("ip", ["link", "set", bridge, "up"]);
  const log = fs.openSync(logFile, "a");
  const child = spawn(
    dockerd,
    [
      "--host",
      host,
      "--data-root",
      path.join(directory, "data"),
      "--exec-root",
      path.join(directory, "exec"),
      "--pidfile",
      path.join(directory, "docker.pid"),
      "--config-file",
      configFile,
      "--bridge",
      bridge,
      "--iptables=false",
    ],
    { stdio: ["ignore", log, log] },
  );
  fs.closeSync(log);
  const docker = new Docker({ socketPath: socket });

  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 30000);
      await exited(child);
      clearTimeout(timer);
    }
    for (const mountPoint of mountsUnder(directory)) {
      await new Promise<void>((resolve) => execFile("umount", [mountPoint], () => resolve()));
    }
    fs.rmSync(directory, { recursive: true, force: true });
    await run("ip", ["link", "delete", bridge]).catch(() => undefined);
  };

  const deadline = Date.now() + timeoutSeconds * 1000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      const tail = logTail(logFile);
      await stop();
      throw new Error(`the second Docker engine exited before answering; its log:\n${tail}`);
    }
    try {
      await docker.ping();
      break;
    } catch {
      if (Date.now() > deadline) {
        const tail = logTail(logFile);
        await stop();
        throw new Error(`the second Docker engine did not answer within ${timeoutSeconds}s; its log:\n${tail}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  return {
    directory,
    host,
    docker,
    cli: (args) => dockerCli(["--host", host, ...args]),
    loadImage: async (image) => {
      const save = spawn(DOCKER_CLI, ["save", image], { stdio: ["ignore", "pipe", "pipe"] });
      const load = spawn(DOCKER_CLI, ["--host", host, "load", "--quiet"], { stdio: ["pipe", "pipe", "pipe"] });
      let errors = "";
      save.stderr.on("data", (chunk: Buffer) => (errors += chunk.toString()));
      load.stderr.on("data", (chunk: Buffer) => (errors += chunk.toString()));
      save.stdout.pipe(load.stdin);
      const closed = (child: ChildProcess) => new Promise<number | null>((resolve) => child.on("close", resolve));
      const [saved, loaded] = await Promise.all([closed(save), closed(load)]);
      if (saved !== 0 || loaded !== 0)
        throw new Error(`copying ${image} to the second engine failed: ${errors.trim()}`);
    },
    stop,
  };
}
