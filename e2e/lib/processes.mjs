// Child processes of one E2E run: each started with its output in a log file and kept in memory, each stopped by
// its own PID at the end (SIGTERM, then SIGKILL after a grace period). Nothing is ever killed by name.
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

const started = [];

export class Child {
  constructor(name, cmd, args, { logFile, env, cwd } = {}) {
    this.name = name;
    this.cmd = cmd;
    this.args = args;
    this.lines = [];
    this.waiters = [];
    this.exit = null;
    this.log = logFile ? createWriteStream(logFile) : null;
    this.proc = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: env || process.env, cwd });
    this.pid = this.proc.pid;
    this.spawnError = null;
    this.proc.on('error', (e) => {
      this.spawnError = e;
      this.exit = { code: null, signal: null, error: String(e) };
      this.wake();
    });
    for (const stream of [this.proc.stdout, this.proc.stderr]) {
      let buf = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk) => {
        if (this.log) this.log.write(chunk);
        buf += chunk;
        let nl;
        while ((nl = buf.indexOf('\n')) >= 0) {
          this.lines.push(buf.slice(0, nl));
          buf = buf.slice(nl + 1);
        }
        this.wake();
      });
    }
    this.exited = new Promise((resolve) => {
      this.proc.on('exit', (code, signal) => {
        this.exit = { code, signal };
        this.wake();
        resolve(this.exit);
      });
    });
    started.push(this);
  }

  get alive() {
    return this.exit === null;
  }

  wake() {
    for (const w of this.waiters.splice(0)) w();
  }

  /** The first output line matching re, or null when the process ends or the timeout passes first. */
  async waitForLine(re, timeoutMs) {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.lines.find((l) => re.test(l));
      if (hit) return hit;
      if (!this.alive || Date.now() >= end) return null;
      await new Promise((resolve) => {
        const t = setTimeout(resolve, end - Date.now());
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Waits for the process to end on its own; null on timeout. */
  async waitForExit(timeoutMs) {
    if (!this.alive) return this.exit;
    let t;
    const timeout = new Promise((resolve) => { t = setTimeout(() => resolve(null), timeoutMs); });
    const r = await Promise.race([this.exited, timeout]);
    clearTimeout(t);
    return r;
  }

  tail(n = 40) {
    return this.lines.slice(-n).join('\n');
  }

  /** SIGTERM to this PID; SIGKILL to the same PID when it has not ended after graceMs. */
  async stop(graceMs = 5000) {
    if (this.alive && this.pid) {
      try { process.kill(this.pid, 'SIGTERM'); } catch { /* already gone */ }
      if ((await this.waitForExit(graceMs)) === null && this.alive) {
        try { process.kill(this.pid, 'SIGKILL'); } catch { /* already gone */ }
        await this.waitForExit(2000);
      }
    }
    if (this.log) {
      const done = once(this.log, 'close');
      this.log.end();
      await done;
      this.log = null;
    }
    return this.exit;
  }
}

/** Stops every child still running, newest first. */
export async function stopAll() {
  for (const c of started.slice().reverse()) {
    await c.stop();
  }
}
