// Free ports, asked of the OS (inside the run's own network namespace every port is free, but asking avoids
// clashes between the children all the same).
import net from 'node:net';
import dgram from 'node:dgram';

export function freeTcpPort(host = '127.0.0.1') {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, host, () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function tcpFree(port, host) {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, host, () => s.close(() => resolve(true)));
  });
}

export function freeUdpPort(host = '127.0.0.1') {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket('udp4');
    s.once('error', reject);
    s.bind(0, host, () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** A port free for both UDP and TCP (SIP uses one number for both). */
export async function freeUdpAndTcpPort(host = '127.0.0.1') {
  for (let i = 0; i < 50; i++) {
    const p = await freeUdpPort(host);
    if (await tcpFree(p, host)) return p;
  }
  throw new Error('no port free for both UDP and TCP');
}

/** Several distinct free ports (each asked of the OS while the others are still held). */
export async function freeTcpPorts(n, host = '127.0.0.1') {
  const servers = [];
  try {
    for (let i = 0; i < n; i++) {
      const s = net.createServer();
      await new Promise((resolve, reject) => {
        s.once('error', reject);
        s.listen(0, host, resolve);
      });
      servers.push(s);
    }
    return servers.map((s) => s.address().port);
  } finally {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  }
}

function udpTaken(port, host) {
  return new Promise((resolve) => {
    const s = dgram.createSocket('udp4');
    s.once('error', () => resolve(true));
    s.bind(port, host, () => s.close(() => resolve(false)));
  });
}

/**
 * Waits until something listens on udp host:port (a bind there fails), e.g. sipp, which prints nothing until it
 * ends when it has no terminal; false after timeoutMs.
 */
export async function waitUdpListening(port, timeoutMs, host = '127.0.0.1') {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await udpTaken(port, host)) return true;
    if (Date.now() >= end) return false;
    await new Promise((r) => setTimeout(r, 50)); // pacing between probes
  }
}
