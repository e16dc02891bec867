/**
 * Limits on the JSON that flows through the embedded runtime, shared by the doors it enters by.
 *
 * Size: Step Functions takes at most 256 KiB of UTF-8 for an execution's input or a task's output
 * (its service quotas and API reference); each API checks its own members.
 *
 * Nesting: AWS documents no limit for Step Functions or EventBridge. The local engine
 * (aws-local-stepfunctions), the execution history and the handlers walk JSON recursively, and a
 * document some thousands of levels deep overflows their stack — a crash, or an execution that
 * never ends. So the runtime refuses JSON nested deeper than {@link MAX_JSON_DEPTH} wherever it
 * enters — an execution's input, a task's output, an event's detail — checked by `json-depth.js`
 * (a difference from AWS the README states).
 */
export const MAX_PAYLOAD_BYTES = 262_144;
export const MAX_JSON_DEPTH = 1_000;
