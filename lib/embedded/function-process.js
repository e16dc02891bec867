/**
 * One execution environment of a Baton function: a Node.js process of its own, with its own
 * heap (held to the function's memory size by `--max-old-space-size`) and `process.env`, running
 * one invocation at a time, as Lambda's Node.js runtime does. It imports the function's bundle
 * (the cold start), then answers each invocation with the handler's result or error. Like
 * Lambda's runtime, an uncaught exception or an unhandled rejection during an invocation fails
 * that invocation and ends the environment; `function-sandbox.ts` replaces it.
 *
 * Plain JavaScript: the bundle needs no loader, and none of the runtime's is passed on. Events and
 * results cross the IPC channel as JSON, as they cross Lambda's API.
 */
const [moduleUrl] = process.argv.slice(2);
const env = process.env;

/** Sends a message, then waits until it has left: a process about to exit must not lose it. */
const send = (message) => new Promise((resolve) => process.send(message, () => resolve()));

process.on('uncaughtException', (error) => end(describe(error), 129));
process.on('unhandledRejection', (reason) =>
  end({ errorType: 'Runtime.UnhandledPromiseRejection', errorMessage: String(reason) }, 128),
);
// The runtime ends its environments itself when it stops (Ctrl-C reaches the whole process group),
// and an environment whose runtime is gone ends with it.
process.on('SIGINT', () => {});
process.on('disconnect', () => process.exit(0));

/** As Lambda's runtime does: the error is reported for the invocation under way, then the runtime exits. */
async function end(failure, status) {
  await send({ type: 'crashed', ...failure });
  process.exit(status);
}

function describe(error) {
  if (error instanceof Error) return { errorType: error.name || 'Error', errorMessage: error.message };
  return { errorType: 'Error', errorMessage: String(error) };
}

let handler;
try {
  const module = await import(moduleUrl);
  if (typeof module.handler !== 'function') {
    const error = new Error(`${env.AWS_LAMBDA_FUNCTION_NAME}: the module exports no handler function`);
    error.name = 'Runtime.HandlerNotFound';
    throw error;
  }
  handler = module.handler;
  await send({ type: 'ready' });
} catch (error) {
  await send({ type: 'initFailed', ...describe(error) });
}

if (handler) process.on('message', invoke);

async function invoke({ requestId, event, deadline, invokedFunctionArn }) {
  const context = {
    callbackWaitsForEmptyEventLoop: false,
    functionName: env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn,
    memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: requestId,
    logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
  try {
    const result = await handler(event, context);
    // Serialized here, so that a result JSON cannot carry fails the invocation, not the process.
    await send({ type: 'succeeded', requestId, payload: JSON.stringify(result ?? null) });
  } catch (error) {
    await send({ type: 'failed', requestId, ...describe(error) });
  }
}
