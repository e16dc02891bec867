/**
 * The local bus: PutEvents with EventBridge's rules and limits, every event appended to the
 * event log, then delivered to each route whose pattern matches — the same routes and patterns
 * the CDK stack turns into rules. Delivery is asynchronous, retried, and dead-lettered to
 * `.baton/dead-letters.ndjson` when it keeps failing, as a rule target with a DLQ would be.
 */
import { randomUUID } from 'node:crypto';
import { BATON_SOURCE } from '../../lambdas/core/events/define-event';
import {
  entrySize,
  MAX_ENTRIES_PER_PUT,
  MAX_PUT_EVENTS_BYTES,
} from '../../lambdas/core/events/put-events-limits';
import { batonName } from '../topology/resource-names';
import { type Route, type RouteTarget, routePattern } from '../topology/routes';
import { AwsError, validationError } from './aws-error';
import { compileEventPattern, type EventPattern } from './event-pattern/event-pattern';
import type { CallerOrigin } from './function-credentials';
import { exceedsJsonDepth } from './json-depth';
import { LOCAL_ACCOUNT, LOCAL_REGION, LOCAL_STAGE } from './local-aws';
import type { NdjsonLog } from './ndjson-log';
import { MAX_JSON_DEPTH } from './payload-limits';

/** An event as EventBridge delivers it to targets. */
export interface BusEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: unknown;
}

/** A PutEvents request entry, as the API takes it. */
export interface PutEventsEntry {
  Source?: unknown;
  DetailType?: unknown;
  Detail?: unknown;
  EventBusName?: unknown;
  Resources?: unknown;
  Time?: unknown;
}

export type PutEventsResultEntry = { EventId: string } | { ErrorCode: string; ErrorMessage: string };

/** A route with its pattern resolved: product routes come from the catalog, tests may add their own. */
export interface BoundRoute {
  readonly id: string;
  readonly pattern: EventPattern;
  readonly target: RouteTarget;
}

export interface RouteDelivery {
  deliver(target: RouteTarget, event: BusEvent): Promise<unknown>;
}

/**
 * A fault a test injects into PutEvents, decided per entry: `call` fails the whole call (a 500,
 * which the SDK retries), `entry` fails that entry alone (`FailedEntryCount`), as EventBridge
 * sometimes does. Nothing of a failed call, and nothing of a failed entry, is accepted.
 */
export type PutEventsFault = (entry: PutEventsEntry) => 'call' | 'entry' | undefined;

export const BATON_BUS_NAME = batonName(LOCAL_STAGE);
/** PutEventsRequestEntry's DetailType: "a maximum of 128 characters" (API reference). */
const MAX_DETAIL_TYPE_LENGTH = 128;
const DELIVERY_ATTEMPTS = 3;
const FIRST_RETRY_DELAY_MS = 50;

/** The routes of the local stage, with their patterns. */
export function bindRoutes(routes: readonly Route[]): BoundRoute[] {
  return routes.map((route) => ({
    id: route.id,
    pattern: routePattern(route, LOCAL_STAGE),
    target: route.target,
  }));
}

export class LocalEventBus {
  private readonly compiled: { route: BoundRoute; matches: (event: unknown) => boolean }[];
  private readonly listeners = new Set<(event: BusEvent) => void>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly connected = Promise.withResolvers<RouteDelivery>();
  private readonly faults = new Set<PutEventsFault>();
  private stopped = false;

  constructor(
    routes: readonly BoundRoute[],
    private readonly eventLog: NdjsonLog,
    private readonly deadLetters: NdjsonLog,
  ) {
    this.compiled = routes.map((route) => ({ route, matches: compileEventPattern(route.pattern) }));
  }

  /** Set once the targets (functions, workflows) exist; deliveries of earlier events wait for it. */
  connect(delivery: RouteDelivery): void {
    this.connected.resolve(delivery);
  }

  /** Shutdown: events are still logged, but no longer delivered (they go to the dead letters). */
  stopDelivering(): void {
    this.stopped = true;
  }

  /** Observes every accepted event (the CLI's `events --follow`, tests, the simulated agents). */
  subscribe(listener: (event: BusEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Injects a fault into every later PutEvents (tests); the returned function removes it. */
  injectFault(fault: PutEventsFault): () => void {
    this.faults.add(fault);
    return () => this.faults.delete(fault);
  }

  /**
   * EventBridge's PutEvents. Only Baton (its functions, workflows and the runtime) may put events
   * under Baton's own source, as the stack's bus policy allows only Baton's roles to.
   */
  putEvents(
    entries: unknown,
    origin: CallerOrigin,
  ): { FailedEntryCount: number; Entries: PutEventsResultEntry[] } {
    if (!Array.isArray(entries) || entries.length === 0) {
      throw validationError(
        "1 validation error detected: Value null at 'entries' failed to satisfy constraint: Member must not be null",
      );
    }
    if (entries.length > MAX_ENTRIES_PER_PUT) {
      throw validationError(
        `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length less than or equal to ${MAX_ENTRIES_PER_PUT}`,
      );
    }
    if (entries.reduce((total: number, entry) => total + entrySize(entry), 0) > MAX_PUT_EVENTS_BYTES) {
      throw validationError('Total size of the entries in the request is over the limit.');
    }
    const faults = entries.map((entry) => this.faultOf(entry as PutEventsEntry));
    if (faults.includes('call')) throw new AwsError('InternalException', 'injected PutEvents failure', 500);
    // Every entry is judged before any is acted on, so that no failure can follow a partial effect.
    const judged = entries.map((entry, index) =>
      faults[index] === 'entry' ? INJECTED_ENTRY_FAILURE : judgeEntry(entry as PutEventsEntry, origin),
    );
    const results = judged.map((judgement) =>
      'event' in judgement ? this.accept(judgement.event) : judgement,
    );
    return { FailedEntryCount: results.filter((result) => 'ErrorCode' in result).length, Entries: results };
  }

  /** Resolves when every delivery started so far has finished (tests, shutdown). */
  async settle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private faultOf(entry: PutEventsEntry): 'call' | 'entry' | undefined {
    for (const fault of this.faults) {
      const failure = fault(entry);
      if (failure) return failure;
    }
    return undefined;
  }

  private accept(event: BusEvent): PutEventsResultEntry {
    this.eventLog.append(event);
    for (const listener of this.listeners) listener(event);
    for (const { route, matches } of this.compiled) {
      if (matches(event)) this.track(this.deliverWithRetries(route, event));
    }
    return { EventId: event.id };
  }

  private track(delivery: Promise<unknown>): void {
    this.inFlight.add(delivery);
    void delivery.finally(() => this.inFlight.delete(delivery));
  }

  private async deliverWithRetries(route: BoundRoute, event: BusEvent): Promise<void> {
    const delivery = await this.connected.promise;
    let lastError: unknown = Object.assign(new Error('the runtime was stopping'), {
      name: 'RuntimeStopping',
    });
    for (let attempt = 1; attempt <= DELIVERY_ATTEMPTS && !this.stopped; attempt++) {
      try {
        await delivery.deliver(route.target, event);
        return;
      } catch (error) {
        lastError = error;
        if (attempt < DELIVERY_ATTEMPTS) await delay(FIRST_RETRY_DELAY_MS * 2 ** (attempt - 1));
      }
    }
    const failure = lastError instanceof Error ? lastError : new Error(String(lastError));
    this.deadLetters.append({
      route: route.id,
      attempts: DELIVERY_ATTEMPTS,
      errorName: failure.name,
      errorMessage: failure.message,
      event,
    });
  }
}

const INJECTED_ENTRY_FAILURE: PutEventsResultEntry = {
  ErrorCode: 'InternalFailure',
  ErrorMessage: 'injected entry failure',
};

/** The event an entry makes, or why EventBridge would fail that entry. */
function judgeEntry(entry: PutEventsEntry, origin: CallerOrigin): { event: BusEvent } | PutEventsResultEntry {
  if (typeof entry !== 'object' || entry === null)
    return invalidArgument('Entry', 'Entry must be an object.');
  if (typeof entry.Source !== 'string' || entry.Source.length === 0) {
    return invalidArgument('Source', 'Source is a required argument.');
  }
  if (entry.Source === BATON_SOURCE && origin !== 'baton') {
    return {
      ErrorCode: 'NotAuthorizedForSourceException',
      ErrorMessage: `Not authorized for the source ${BATON_SOURCE}: only Baton's own functions publish under it.`,
    };
  }
  if (typeof entry.DetailType !== 'string' || entry.DetailType.length === 0) {
    return invalidArgument('DetailType', 'DetailType is a required argument.');
  }
  if (entry.DetailType.length > MAX_DETAIL_TYPE_LENGTH) {
    return invalidArgument('DetailType', `DetailType is longer than ${MAX_DETAIL_TYPE_LENGTH} characters.`);
  }
  if (typeof entry.Detail !== 'string' || entry.Detail.length === 0) {
    return invalidArgument('Detail', 'Detail is a required argument.');
  }
  if (exceedsJsonDepth(entry.Detail, MAX_JSON_DEPTH)) {
    return {
      ErrorCode: 'MalformedDetail',
      ErrorMessage: `Detail is nested more than ${MAX_JSON_DEPTH} levels deep, more than the embedded runtime takes.`,
    };
  }
  const detail = parseJsonObject(entry.Detail);
  if (detail === undefined) return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
  if (!isBatonBus(entry.EventBusName)) {
    return {
      ErrorCode: 'ResourceNotFoundException',
      ErrorMessage: `Event bus ${String(entry.EventBusName)} does not exist.`,
    };
  }
  if (entry.Resources !== undefined && entry.Resources !== null && !isStringArray(entry.Resources)) {
    return invalidArgument('Resources', 'Resources must be a list of ARNs.');
  }
  return {
    event: {
      version: '0',
      id: randomUUID(),
      'detail-type': entry.DetailType,
      source: entry.Source,
      account: LOCAL_ACCOUNT,
      time: eventTime(entry.Time),
      region: LOCAL_REGION,
      resources: entry.Resources ?? [],
      detail,
    },
  };
}

function invalidArgument(parameter: string, reason: string): PutEventsResultEntry {
  return {
    ErrorCode: 'InvalidArgument',
    ErrorMessage: `Parameter ${parameter} is not valid. Reason: ${reason}`,
  };
}

function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

/** The local runtime has one bus: `default` and Baton's bus name (or their ARNs) both reach it. */
function isBatonBus(name: unknown): boolean {
  if (name === undefined || name === null || name === '') return true;
  if (typeof name !== 'string') return false;
  const busName = name.startsWith('arn:') ? name.slice(name.lastIndexOf('/') + 1) : name;
  return busName === 'default' || busName === BATON_BUS_NAME;
}

function eventTime(time: unknown): string {
  const date = typeof time === 'number' ? new Date(time * 1000) : new Date();
  return (Number.isNaN(date.getTime()) ? new Date() : date).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
