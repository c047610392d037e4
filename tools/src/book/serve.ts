/**
 * A static file server for the built book on localhost (no dependencies: the book is plain files).
 * Only files under the book's folder are served; paths ending in / serve their index.html.
 */
import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
};

/** The file under `dir` a request path maps to, or undefined when it would leave `dir`. */
export function resolveRequest(dir: string, urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath.split(/[?#]/)[0]);
  } catch {
    return undefined;
  }
  const file = path.resolve(dir, `.${path.posix.normalize(`/${decoded}`)}`);
  if (file !== path.resolve(dir) && !file.startsWith(path.resolve(dir) + path.sep)) return undefined;
  return decoded.endsWith('/') ? path.join(file, 'index.html') : file;
}

export interface BookServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Serve `dir` on http://127.0.0.1:port/ (port 0, or `port` taken: any free port). */
export async function serveBook(dir: string, port = 0, host = '127.0.0.1'): Promise<BookServer> {
  try {
    return await listen(dir, port, host);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE' && port !== 0) return listen(dir, 0, host);
    throw e;
  }
}

function listen(dir: string, port: number, host: string): Promise<BookServer> {
  const server = http.createServer((req, res) => {
    const file = resolveRequest(dir, req.url ?? '/');
    if (!file || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(file ? 405 : 403).end();
      return;
    }
    // Open first, then size and read that same open file: the live book replaces pages and
    // status.json (by rename) while they are served, and a length taken from one version with the
    // bytes of another would leave the client waiting for bytes that never come.
    const notFound = (): void => {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
    };
    fs.open(file, 'r', (err, fd) => {
      if (err) return notFound();
      fs.fstat(fd, (statErr, stat) => {
        if (statErr || !stat.isFile()) {
          fs.close(fd, () => undefined);
          return notFound();
        }
        res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'content-length': stat.size, 'cache-control': 'no-cache' });
        if (req.method === 'HEAD' || stat.size === 0) {
          fs.close(fd, () => undefined);
          res.end();
        } else {
          fs.createReadStream('', { fd, start: 0, end: Math.max(0, stat.size - 1), autoClose: true }).pipe(res);
        }
      });
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const address = server.address();
      const actual = typeof address === 'object' && address ? address.port : port;
      resolve({
        url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${actual}/`,
        port: actual,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}
