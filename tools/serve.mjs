// A small static file server for `make serve`, the end-to-end tests and the
// benchmark. It answers ranged requests (as GitHub Pages, S3 and nginx do)
// and can leave out CORS headers or Range support, omit Content-Length, or
// serve under a sub-path, so the tests can stand in for real hosts. It
// counts the bytes it sends.
//
//   node tools/serve.mjs [--root dist] [--port 8080] [--host 127.0.0.1]
import { createServer } from 'node:http';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.webmanifest': 'application/manifest+json',
};

/**
 * Starts a server and resolves to { url, close, requests }.
 * options: root (folder), port (0 = any), cors (send Access-Control-Allow-Origin),
 * prefix (serve root under this path), chunked (no Content-Length),
 * routes ({ '/path': (req, res) => void } handled before files),
 * ranges (answer `Range: bytes=a-b` with 206; default true),
 * rangeDelayMs (wait this long before each ranged answer: a far server).
 */
export function serve({ root, port = 0, host = '127.0.0.1', cors = false, prefix = '/', chunked = false, routes = {}, ranges = true, rangeDelayMs = 0 }) {
  root = resolve(root);
  const requests = [];
  const statuses = [];
  const sent = { bytes: 0 };
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    requests.push(path);
    if (cors) {
      res.setHeader('Access-Control-Allow-Origin', '*');
      // What a page may read of a ranged answer, and send to ask for one.
      res.setHeader('Access-Control-Expose-Headers', 'Content-Range, Content-Length, ETag, Last-Modified, Accept-Ranges');
      if (req.method === 'OPTIONS') {
        res.setHeader('Access-Control-Allow-Headers', 'Range');
        res.statusCode = 204;
        return res.end();
      }
    }
    if (routes[path]) return routes[path](req, res);
    if (!path.startsWith(prefix)) return notFound(res);
    let file = normalize(join(root, path.slice(prefix.length)));
    if (!file.startsWith(root)) return notFound(res);
    try {
      let info = await stat(file);
      if (info.isDirectory()) {
        file = join(file, 'index.html');
        info = await stat(file);
      }
      res.setHeader('Content-Type', TYPES[extname(file)] ?? 'application/octet-stream');
      res.setHeader('Cache-Control', 'no-cache');
      // Validators, so browsers revalidate instead of downloading again.
      const etag = `"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`;
      res.setHeader('ETag', etag);
      res.setHeader('Last-Modified', info.mtime.toUTCString());
      if (req.headers['if-none-match'] === etag) {
        statuses.push(304);
        res.statusCode = 304;
        return res.end();
      }
      const range = ranges && /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
      if (ranges) res.setHeader('Accept-Ranges', 'bytes');
      if (range && Number(range[1]) < info.size) {
        const start = Number(range[1]);
        const end = Math.min(range[2] ? Number(range[2]) : info.size - 1, info.size - 1);
        statuses.push(206);
        res.statusCode = 206;
        res.setHeader('Content-Range', `bytes ${start}-${end}/${info.size}`);
        res.setHeader('Content-Length', end - start + 1);
        sent.bytes += end - start + 1;
        if (rangeDelayMs) await new Promise((r) => setTimeout(r, rangeDelayMs));
        return createReadStream(file, { start, end }).pipe(res);
      }
      statuses.push(200);
      if (!chunked) res.setHeader('Content-Length', info.size);
      if (req.method === 'HEAD') return res.end();
      const stream = createReadStream(file);
      stream.on('data', (chunk) => { sent.bytes += chunk.length; });
      stream.pipe(res);
    } catch {
      notFound(res);
    }
  });
  return new Promise((done) => {
    server.listen(port, host, () => {
      const { port } = server.address();
      done({
        url: `http://${host}:${port}`,
        requests,
        /** The status of each file response, in order (200, 206 or 304). */
        statuses,
        /** Body bytes sent so far (a cancelled download counts what went out). */
        get bytesSent() { return sent.bytes; },
        close: () => new Promise((r) => { server.closeAllConnections(); server.close(r); }),
      });
    });
  });
}

function notFound(res) {
  res.statusCode = 404;
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.end('<!doctype html><title>Not found</title><h1>404 Not found</h1>');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const arg = (name, fallback) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1] : fallback;
  };
  const server = await serve({
    root: arg('root', 'dist'),
    port: Number(arg('port', 8080)),
    host: arg('host', '127.0.0.1'),
    cors: process.argv.includes('--cors'),
  });
  console.log(`Serving ${arg('root', 'dist')} at ${server.url}/  (Ctrl+C to stop)`);
}
