/**
 * The embedded store's thread: dynalite (and LevelDB) run here, beside the runtime's event loop
 * rather than on it, so the store's work uses the machine's second core and a conditional write
 * on a busy item holds its lock for the store's own turns, not the runtime's.
 *
 * Plain JavaScript: a worker does not inherit the TypeScript loader the runtime may be run with.
 * `ledger-store.ts` posts each DynamoDB request as it came (method, url, headers, body) and gets
 * dynalite's answer back as it was written (status, headers, body), so what a client receives is
 * what dynalite answers, byte for byte.
 *
 * Baton's own functions call the store on this thread's own loopback port instead (their
 * `AWS_ENDPOINT_URL_DYNAMODB`): a ledger call then costs the runtime's event loop nothing, which
 * is most of what an allocation asks of it. That door answers only requests signed with the
 * functions' access key id, which no one else has (a web page cannot send one either).
 */
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { parentPort, workerData } from 'node:worker_threads';
import { crc32 } from 'node:zlib';
import dynalite from 'dynalite';
import { signingAccessKeyId } from './signing-key.js';
import { refusal } from './store-request-guard.js';

const { path, port, functionsAccessKeyId } = workerData;
/** Requests served, by operation (`PutItem`…), through either door: what the benchmarks count. */
const served = new Map();
const server = dynalite({ path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
const [listener] = server.listeners('request');

if (!listener) {
  parentPort.postMessage({ type: 'failed', message: 'dynalite exposes no request listener' });
} else {
  // Listening also lets dynalite's close() close LevelDB. A thread started again takes the port
  // its predecessor had, which the functions already know; if another process took it meanwhile,
  // a new one, and the runtime moves its functions there.
  server.removeAllListeners('request');
  server.on('request', serveFunction);
  const ready = () => parentPort.postMessage({ type: 'ready', port: server.address().port });
  server.once('error', (error) => {
    if (error.code !== 'EADDRINUSE' || !port) {
      parentPort.postMessage({ type: 'failed', message: error.message });
      return;
    }
    server.once('error', (again) => parentPort.postMessage({ type: 'failed', message: again.message }));
    server.listen(0, '127.0.0.1', ready);
  });
  server.listen(port ?? 0, '127.0.0.1', ready);
}

parentPort.on('message', (message) => {
  if (message.type === 'request') {
    serveGuarded(message, (answer) =>
      parentPort.postMessage({ type: 'response', id: message.id, ...answer }),
    );
  } else if (message.type === 'countServed') {
    parentPort.postMessage({ type: 'served', id: message.id, counts: Object.fromEntries(served) });
  } else if (message.type === 'close') {
    server.close((error) => parentPort.postMessage({ type: 'closed', message: error?.message }));
  }
});

/** A request of one of Baton's functions, on this thread's own port. */
function serveFunction(request, response) {
  const reply = (answer) => response.writeHead(answer.status, answer.headers).end(answer.body);
  if (signingAccessKeyId(request.headers.authorization) !== functionsAccessKeyId) {
    request.resume();
    reply(
      errorAnswer(403, request.headers, {
        __type: 'com.amazon.coral.service#AccessDeniedException',
        message: "this port serves Baton's own functions only; use the runtime's endpoint",
      }),
    );
    return;
  }
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('error', () => response.destroy());
  request.on('end', () => {
    const { method, url, headers } = request;
    serveGuarded({ method, url, headers, body: Buffer.concat(chunks) }, reply);
  });
}

/**
 * Refuses what DynamoDB refuses before dynalite sees it, and answers a request dynalite throws
 * on with DynamoDB's InternalServerError instead of letting it end the thread.
 */
function serveGuarded(request, reply) {
  const { method, headers, body } = request;
  const operation = String(headers['x-amz-target'] ?? '').split('.')[1] ?? '(none)';
  served.set(operation, (served.get(operation) ?? 0) + 1);
  const refused =
    method === 'POST'
      ? refusal(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'))
      : undefined;
  if (refused) {
    reply(errorAnswer(400, headers, refused));
    return;
  }
  try {
    serve(request, reply);
  } catch (error) {
    console.error('[baton] the store failed a request', error);
    reply(
      errorAnswer(500, headers, {
        __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError',
        message: 'Internal server error',
      }),
    );
  }
}

/** An error answer in dynalite's own form: its content type, checksum and request id. */
function errorAnswer(status, requestHeaders, error) {
  const text = JSON.stringify(error);
  const contentType = String(requestHeaders['content-type'] ?? '')
    .split(';')[0]
    .trim();
  return {
    status,
    headers: {
      'x-amzn-RequestId': randomBytes(39).toString('base64').toUpperCase().replace(/\+|\//g, '0'),
      'x-amz-crc32': String(crc32(text)),
      'Content-Type': contentType === 'application/json' ? contentType : 'application/x-amz-json-1.0',
      'Content-Length': String(Buffer.byteLength(text)),
    },
    body: text,
  };
}

/** Hands one request to dynalite as an HTTP request of its own, and replies with its answer as written. */
function serve({ method, url, headers, body }, reply) {
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
      reply({
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
