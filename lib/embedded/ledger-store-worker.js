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
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { parentPort, workerData } from 'node:worker_threads';
import { crc32 } from 'node:zlib';
import dynalite from 'dynalite';
import { refusal } from './store-request-guard.js';

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
    serveGuarded(message);
  } else if (message.type === 'close') {
    server.close((error) => parentPort.postMessage({ type: 'closed', message: error?.message }));
  }
});

/**
 * Refuses what DynamoDB refuses before dynalite sees it, and answers a request dynalite throws
 * on with DynamoDB's InternalServerError instead of letting it end the thread.
 */
function serveGuarded(request) {
  const { id, method, headers, body } = request;
  const refused =
    method === 'POST'
      ? refusal(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'))
      : undefined;
  if (refused) {
    answer(id, 400, headers, refused);
    return;
  }
  try {
    serve(request);
  } catch (error) {
    console.error('[baton] the store failed a request', error);
    answer(id, 500, headers, {
      __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError',
      message: 'Internal server error',
    });
  }
}

/** An answer in dynalite's own form: its content type, checksum and request id. */
function answer(id, status, requestHeaders, error) {
  const text = JSON.stringify(error);
  const contentType = String(requestHeaders['content-type'] ?? '')
    .split(';')[0]
    .trim();
  parentPort.postMessage({
    type: 'response',
    id,
    status,
    headers: {
      'x-amzn-RequestId': randomBytes(39).toString('base64').toUpperCase().replace(/\+|\//g, '0'),
      'x-amz-crc32': String(crc32(text)),
      'Content-Type': contentType === 'application/json' ? contentType : 'application/x-amz-json-1.0',
      'Content-Length': String(Buffer.byteLength(text)),
    },
    body: text,
  });
}

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
