/**
 * A kernel's connection file: five TCP ports on the loopback interface and the HMAC key that signs
 * every message (Jupyter client docs, "Connection files").
 *
 * The ports are chosen the way jupyter_client does it: ask the OS for free ports (listen on port 0),
 * note them, release them, and let the kernel bind them. Ports handed out by this process are never
 * handed out twice, so kernels started side by side do not collide with each other.
 */
import { randomUUID } from 'crypto';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

export interface ConnectionInfo {
  transport: 'tcp';
  ip: string;
  shell_port: number;
  iopub_port: number;
  stdin_port: number;
  control_port: number;
  hb_port: number;
  key: string;
  signature_scheme: 'hmac-sha256';
  kernel_name: string;
}

export type Channel = 'shell' | 'iopub' | 'stdin' | 'control' | 'hb';

const handedOut = new Set<number>();

/** One free TCP port on `ip`, held open until the caller closes the returned server. */
function holdFreePort(ip: string): Promise<{ port: number; server: net.Server }> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ port: 0, host: ip, exclusive: true }, () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error(`could not read the port of a listening socket on ${ip}`));
        return;
      }
      resolve({ port: address.port, server });
    });
  });
}

/** `count` distinct free ports on `ip` that this process has not handed out before. */
export async function freePorts(count: number, ip = '127.0.0.1'): Promise<number[]> {
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`count must be a positive integer; got ${count}`);
  const held: net.Server[] = [];
  const ports: number[] = [];
  try {
    // All ports are held open together, so the OS cannot return the same one twice in this call.
    for (let attempts = 0; ports.length < count; attempts++) {
      if (attempts > 100 + count) throw new Error(`could not find ${count} free ports on ${ip}`);
      const { port, server } = await holdFreePort(ip);
      held.push(server);
      if (handedOut.has(port)) continue;
      ports.push(port);
    }
  } finally {
    await Promise.all(held.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }
  for (const port of ports) handedOut.add(port);
  return ports;
}

/** A fresh connection description for `kernelName` with new ports and a random key. */
export async function newConnectionInfo(kernelName: string, ip = '127.0.0.1'): Promise<ConnectionInfo> {
  const [shell, iopub, stdin, control, hb] = await freePorts(5, ip);
  return {
    transport: 'tcp',
    ip,
    shell_port: shell,
    iopub_port: iopub,
    stdin_port: stdin,
    control_port: control,
    hb_port: hb,
    key: randomUUID(),
    signature_scheme: 'hmac-sha256',
    kernel_name: kernelName,
  };
}

/** The ZeroMQ address of one channel, e.g. `tcp://127.0.0.1:53211`. */
export function channelAddress(info: ConnectionInfo, channel: Channel): string {
  const port = info[`${channel}_port`];
  return `${info.transport}://${info.ip}:${port}`;
}

/**
 * Write the connection file (readable by the owner only, like jupyter_client) into a new private
 * temporary folder; returns its path. Remove it with {@link removeConnectionFile}.
 */
export function writeConnectionFile(info: ConnectionInfo): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'genbook-kernel-'));
  const file = path.join(dir, `kernel-${info.key.slice(0, 8)}.json`);
  fs.writeFileSync(file, JSON.stringify(info, null, 1) + '\n', { mode: 0o600 });
  return file;
}

export function removeConnectionFile(file: string): void {
  fs.rmSync(path.dirname(file), { recursive: true, force: true });
}
