/**
 * The embedded store's thread: dynalite (and LevelDB) run here, beside the runtime's event loop
 * rather than on it, so the store's work uses the machine's second core and a conditional write
 * on a busy item holds its lock for the store's own turns, not the runtime's.
 *
 * Plain JavaScript: a worker does not inherit the TypeScript loader the runtime may be run with.
 * `ledger-store.ts` posts each DynamoDB request as it came (method, url, headers, body) and gets
 * dynalite's answer back as it was written (status, headers, body), so what a client receives is
 * what dynalite answers, byte for byte.
 */
import { EventEmitter } from 'node:events';
import { parentPort, workerData } from 'node:worker_threads';
import dynalite from 'dynalite';

const { path } = workerData;
const server = dynalite({ path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
const [listener] = server.listeners('request');

if (!listener) {
  parentPort.postMessage({ type: 'failed', message: 'dynalite exposes no request listener' });
} else {
  // Nothing is served on this port: listening is what lets dynalite's close() also close LevelDB.
  server.removeAllListeners('request');
  server.on('request', (_request, response) => {
    response.writeHead(403).end();
  });
  server.once('error', (error) => parentPort.postMessage({ type: 'failed', message: error.message }));
  server.listen(0, '127.0.0.1', () => parentPort.postMessage({ type: 'ready' }));
}

parentPort.on('message', (message) => {
  if (message.type === 'request') {
    serve(message);
  } else if (message.type === 'close') {
    server.close((error) => parentPort.postMessage({ type: 'closed', message: error?.message }));
  }
});

/** Hands one request to dynalite as an HTTP request of its own, and posts back its answer. */
function serve({ id, method, url, headers, body }) {
  const request = Object.assign(new EventEmitter(), { method, url, headers });
  const answer = { statusCode: 200, headers: {} };
  const response = {
    get statusCode() {
      return answer.statusCode;
    },
    set statusCode(code) {
      answer.statusCode = code;
    },
    setHeader: (name, value) => {
      answer.headers[name] = String(value);
    },
    end: (text) => {
      parentPort.postMessage({
        type: 'response',
        id,
        status: answer.statusCode,
        headers: answer.headers,
        body: text === undefined ? '' : String(text),
      });
    },
  };
  listener(request, response);
  if (body.byteLength > 0) request.emit('data', Buffer.from(body.buffer, body.byteOffset, body.byteLength));
  request.emit('end');
}
