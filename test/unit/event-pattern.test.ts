import { describe, expect, it } from 'vitest';
import {
  compileEventPattern,
  type EventPattern,
  InvalidEventPatternError,
  matchesEventPattern,
  parseEventPattern,
  validateEventPattern,
} from '../../lib/embedded/event-pattern/event-pattern';

/**
 * Rows come from the EventBridge user guide ("EB: <page> / <section>") and the aws/event-ruler README
 * ("Ruler: <section>"). Rows marked "Ruler semantics" pin down behaviour the docs leave implicit, taken from
 * event-ruler's compiler and matcher.
 */
interface MatchRow {
  readonly name: string;
  readonly pattern: EventPattern;
  readonly event: unknown;
  readonly expected: boolean;
}

interface InvalidRow {
  readonly name: string;
  readonly pattern: unknown;
  /** Expected reason, compared to InvalidEventPatternError.reason. */
  readonly reason: string;
}

/** The sample event of the event-ruler README ("Ruler by Example"). */
const rulerEvent = {
  version: '0',
  id: 'ddddd4-aaaa-7777-4444-345dd43cc333',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '012345679012',
  time: '2017-10-02T16:24:49Z',
  region: 'us-east-1',
  resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000'],
  detail: {
    'c-count': 5,
    'd-count': 3,
    'x-limit': 301.8,
    'source-ip': '10.0.0.33',
    'instance-id': 'i-000000aaaaaa00000',
    state: 'running',
  },
};

/** The README sample event with some `detail` fields replaced (undefined removes a field). */
function rulerEventWithDetail(detail: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...rulerEvent.detail, ...detail };
  for (const [key, value] of Object.entries(merged)) {
    if (value === undefined) {
      delete merged[key];
    }
  }
  return { ...rulerEvent, detail: merged };
}

/** The Auto Scaling event of the EventBridge guide's "Matching null values and empty strings" page. */
const nullValuesEvent = {
  version: '0',
  id: '3e3c153a-8339-4e30-8c35-687ebef853fe',
  'detail-type': 'EC2 Instance Launch Successful',
  source: 'aws.autoscaling',
  account: '123456789012',
  time: '2015-11-11T21:31:47Z',
  region: 'us-east-1',
  resources: [],
  detail: { eventVersion: '', responseElements: null },
};

const employees = {
  employees: [
    { firstName: 'John', lastName: 'Doe' },
    { firstName: 'Anna', lastName: 'Smith' },
    { firstName: 'Peter', lastName: 'Jones' },
  ],
};

const cloudWatchOr = {
  source: ['aws.cloudwatch'],
  $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { namespace: ['AWS/EC2', 'AWS/ES'] }],
};

const nestedOr = {
  source: ['aws.cloudwatch'],
  $or: [
    { metricName: ['CPUUtilization', 'ReadLatency'] },
    {
      metricType: ['MetricType'],
      namespace: ['AWS/EC2', 'AWS/ES'],
      $or: [{ metricId: [1234] }, { spaceId: [1000] }],
    },
    { scope: ['Service'] },
  ],
};

const rulerNumeric = {
  detail: {
    'c-count': [{ numeric: ['>', 0, '<=', 5] }],
    'd-count': [{ numeric: ['<', 10] }],
    'x-limit': [{ numeric: ['=', 3.018e2] }],
  },
};

const rulerComplex = {
  time: [{ prefix: '2017-10-02' }],
  detail: {
    state: [{ 'anything-but': 'initializing' }],
    'c-count': [{ numeric: ['>', 0, '<=', 5] }],
    'd-count': [{ numeric: ['<', 10] }],
    'x-limit': [{ 'anything-but': [100, 200, 300] }],
    'source-ip': [{ cidr: '10.0.0.0/8' }],
  },
};

const matchRows: readonly MatchRow[] = [
  // ----- exact values ------------------------------------------------------------------------------------------
  {
    name: 'Ruler: Simple matching - sample rule matches the sample event',
    pattern: {
      'detail-type': ['EC2 Instance State-change Notification'],
      resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000'],
      detail: { state: ['initializing', 'running'] },
    },
    event: rulerEvent,
    expected: true,
  },
  {
    name: 'Ruler: Simple matching - would also match detail.state "initializing"',
    pattern: { detail: { state: ['initializing', 'running'] } },
    event: rulerEventWithDetail({ state: 'initializing' }),
    expected: true,
  },
  {
    name: 'Ruler: Simple matching - a value outside the list does not match',
    pattern: { detail: { state: ['initializing', 'running'] } },
    event: rulerEventWithDetail({ state: 'stopped' }),
    expected: false,
  },
  {
    name: 'EB: Creating event patterns - matches the EC2 instance-termination event',
    pattern: {
      source: ['aws.ec2'],
      'detail-type': ['EC2 Instance State-change Notification'],
      detail: { state: ['terminated'] },
    },
    event: { ...rulerEvent, detail: { 'instance-id': 'i-1234567890abcdef0', state: 'terminated' } },
    expected: true,
  },
  {
    name: 'EB: Creating event patterns - every field of the pattern must be present',
    pattern: { source: ['aws.ec2'], detail: { state: ['terminated'] } },
    event: { source: 'aws.ec2' },
    expected: false,
  },
  {
    name: 'EB: Creating event patterns - strings match exactly, without case folding',
    pattern: { source: ['aws.ec2'] },
    event: { source: 'AWS.EC2' },
    expected: false,
  },
  {
    name: 'EB: Match values - ["aws.ec2", "aws.fargate"] matches aws.fargate',
    pattern: { source: ['aws.ec2', 'aws.fargate'] },
    event: { source: 'aws.fargate' },
    expected: true,
  },
  {
    name: 'EB: Value matching - risk-score [80] and trigger.risk [8] match the Macie alert',
    pattern: {
      source: ['aws.macie'],
      'detail-type': ['Macie Alert'],
      detail: { 'risk-score': [80], trigger: { risk: [8] } },
    },
    event: {
      source: 'aws.macie',
      'detail-type': 'Macie Alert',
      detail: { 'risk-score': 80, trigger: { 'alert-type': 'basic', risk: 8 } },
    },
    expected: true,
  },
  {
    name: 'Ruler semantics: a pattern number matches the same number written differently (300 vs 3.0e2)',
    pattern: parseEventPattern('{ "price": [ 300 ] }'),
    event: JSON.parse('{ "price": 3.0e2 }'),
    expected: true,
  },
  {
    name: 'Ruler: JSON text matching - a pattern number does not match a string',
    pattern: { price: [300] },
    event: { price: '300' },
    expected: false,
  },
  {
    name: 'Ruler: JSON text matching - a pattern string does not match a number',
    pattern: { price: ['300'] },
    event: { price: 300 },
    expected: false,
  },
  {
    name: 'Ruler: JSON text matching - true matches the JSON literal only, not "true"',
    pattern: { enabled: [true] },
    event: { enabled: 'true' },
    expected: false,
  },
  {
    name: 'Ruler: JSON text matching - false matches false',
    pattern: { enabled: [false] },
    event: { enabled: false },
    expected: true,
  },
  {
    name: 'Ruler semantics: account-id-sized numbers compare exactly',
    pattern: { account: [123456789012] },
    event: { account: 123456789012 },
    expected: true,
  },

  // ----- null and empty values ---------------------------------------------------------------------------------
  {
    name: 'EB: Null values and empty strings - [""] matches an empty eventVersion',
    pattern: { detail: { eventVersion: [''] } },
    event: nullValuesEvent,
    expected: true,
  },
  {
    name: 'EB: Null values and empty strings - [null] matches a null responseElements',
    pattern: { detail: { responseElements: [null] } },
    event: nullValuesEvent,
    expected: true,
  },
  {
    name: 'EB: Null values and empty strings - [""] does not match null',
    pattern: { detail: { responseElements: [''] } },
    event: nullValuesEvent,
    expected: false,
  },
  {
    name: 'EB: Null values and empty strings - [null] does not match ""',
    pattern: { detail: { eventVersion: [null] } },
    event: nullValuesEvent,
    expected: false,
  },
  {
    name: 'EB: Field matching - source, detail-type and responseElements [null]',
    pattern: {
      source: ['aws.autoscaling'],
      'detail-type': ['EC2 Instance Launch Successful'],
      detail: { responseElements: [null] },
    },
    event: nullValuesEvent,
    expected: true,
  },
  {
    name: 'Ruler semantics: [null] does not match a missing field',
    pattern: { detail: { missing: [null] } },
    event: nullValuesEvent,
    expected: false,
  },

  // ----- arrays ------------------------------------------------------------------------------------------------
  {
    name: 'EB: Arrays - matches when the pattern and event arrays intersect',
    pattern: {
      resources: [
        'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
        'arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f',
        'arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f',
      ],
    },
    event: {
      resources: [
        'arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b-bbf0-401d-b893-d5978ed4a025:autoScalingGroupName/ASGTerminate',
        'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
      ],
    },
    expected: true,
  },
  {
    name: 'EB: Arrays - no match when the intersection is empty',
    pattern: { resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f'] },
    event: { resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-other'] },
    expected: false,
  },
  {
    name: 'EB: Arrays - an empty event array has nothing to intersect',
    pattern: { resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f'] },
    event: nullValuesEvent,
    expected: false,
  },
  {
    name: 'Ruler: JSON Array Matching - objects in an array are crushed into the parent field',
    pattern: { employees: { firstName: ['Anna'] } },
    event: employees,
    expected: true,
  },
  {
    name: 'Ruler: JSON Array Matching - multi-level arrays are crushed too',
    pattern: { employees: { firstName: ['Anna'] } },
    event: {
      employees: [
        [
          { firstName: 'John', lastName: 'Doe' },
          { firstName: 'Anna', lastName: 'Smith' },
        ],
        [{ firstName: 'Peter', lastName: 'Jones' }],
      ],
    },
    expected: true,
  },
  {
    name: 'Ruler: JSON Array Matching - fields from different array elements never combine (Anna/Jones)',
    pattern: { employees: { firstName: ['Anna'], lastName: ['Jones'] } },
    event: employees,
    expected: false,
  },
  {
    name: 'Ruler: JSON Array Matching - fields from the same array element combine (Anna/Smith)',
    pattern: { employees: { firstName: ['Anna'], lastName: ['Smith'] } },
    event: employees,
    expected: true,
  },
  {
    name: 'Ruler: JSON Array Matching - multi-level arrays keep consistency (Anna/Jones)',
    pattern: { employees: { firstName: ['Anna'], lastName: ['Jones'] } },
    event: {
      employees: [
        [
          { firstName: 'John', lastName: 'Doe' },
          { firstName: 'Anna', lastName: 'Smith' },
        ],
        [{ firstName: 'Peter', lastName: 'Jones' }],
      ],
    },
    expected: false,
  },
  {
    name: 'Ruler semantics: a field outside the array combines with any element',
    pattern: { team: ['core'], employees: { lastName: ['Jones'] } },
    event: { team: 'core', ...employees },
    expected: true,
  },

  // ----- prefix / suffix ---------------------------------------------------------------------------------------
  {
    name: 'EB: Prefix matching - time starting with 2017-10-02',
    pattern: { time: [{ prefix: '2017-10-02' }] },
    event: { time: '2017-10-02T18:43:48Z' },
    expected: true,
  },
  {
    name: 'EB: Prefix matching - a different date does not match',
    pattern: { time: [{ prefix: '2017-10-02' }] },
    event: { time: '2017-10-03T18:43:48Z' },
    expected: false,
  },
  {
    name: 'EB: Prefix matching example - Auto Scaling events from European regions',
    pattern: { source: ['aws.autoscaling'], region: [{ prefix: 'eu-' }] },
    event: { source: 'aws.autoscaling', region: 'eu-west-1' },
    expected: true,
  },
  {
    name: 'Ruler: Prefix matching - only works on string-valued fields',
    pattern: { detail: { 'c-count': [{ prefix: '5' }] } },
    event: rulerEvent,
    expected: false,
  },
  {
    name: 'EB: Prefix matching while ignoring case - "EventB" matches "EVENTBRIDGE"',
    pattern: { detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } },
    event: { detail: { service: 'EVENTBRIDGE' } },
    expected: true,
  },
  {
    name: 'EB: Prefix matching while ignoring case - "EventB" does not match "Bridge"',
    pattern: { detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } },
    event: { detail: { service: 'Bridge' } },
    expected: false,
  },
  {
    name: 'Ruler: Suffix matching - source ending with "ec2"',
    pattern: { source: [{ suffix: 'ec2' }] },
    event: rulerEvent,
    expected: true,
  },
  {
    name: 'EB: Suffix matching - FileName ending with .png, not .pngx',
    pattern: { FileName: [{ suffix: '.png' }] },
    event: { FileName: 'image.pngx' },
    expected: false,
  },
  {
    name: 'Ruler: Suffix equals-ignore-case matching - "EC2" matches "aws.ec2"',
    pattern: { source: [{ suffix: { 'equals-ignore-case': 'EC2' } }] },
    event: rulerEvent,
    expected: true,
  },
  {
    name: 'EB: Suffix matching while ignoring case - ".png" matches "photo.PNG"',
    pattern: { detail: { FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] } },
    event: { detail: { FileName: 'photo.PNG' } },
    expected: true,
  },

  // ----- equals-ignore-case ------------------------------------------------------------------------------------
  {
    name: 'EB: Equals-ignore-case matching - detail-type regardless of case',
    pattern: { 'detail-type': [{ 'equals-ignore-case': 'ec2 instance state-change notification' }] },
    event: rulerEvent,
    expected: true,
  },
  {
    name: 'Ruler: Equals-ignore-case matching - "EC2" is not equal to "aws.ec2"',
    pattern: { source: [{ 'equals-ignore-case': 'EC2' }] },
    event: rulerEvent,
    expected: false,
  },
  {
    name: 'Ruler: Equals-ignore-case matching - only works on string-valued fields',
    pattern: { detail: { 'c-count': [{ 'equals-ignore-case': '5' }] } },
    event: rulerEvent,
    expected: false,
  },
  {
    name: 'Ruler semantics: equals-ignore-case maps each character to its lower or upper form ("ß" ~ "SS")',
    pattern: { street: [{ 'equals-ignore-case': 'straße' }] },
    event: { street: 'STRASSE' },
    expected: true,
  },

  // ----- wildcard ----------------------------------------------------------------------------------------------
  {
    name: 'Ruler: Wildcard matching - "Simple*Service"',
    pattern: { source: [{ wildcard: 'Simple*Service' }] },
    event: { source: 'SimpleNotificationService' },
    expected: true,
  },
  {
    name: 'Ruler: Wildcard matching - "*" may match zero characters',
    pattern: { source: [{ wildcard: 'Simple*Service' }] },
    event: { source: 'SimpleService' },
    expected: true,
  },
  {
    name: 'Ruler: Wildcard matching - literal text must still match around the wildcard',
    pattern: { source: [{ wildcard: 'Simple*Service' }] },
    event: { source: 'SimpleNotificationServices' },
    expected: false,
  },
  {
    name: 'EB: Wildcard matching - event bus ARNs in us-east-1',
    pattern: { EventBusArn: [{ wildcard: 'arn:aws:events:us-east-1:*:event-bus/*' }] },
    event: { EventBusArn: 'arn:aws:events:us-east-1:123456789012:event-bus/myEventBus' },
    expected: true,
  },
  {
    name: 'EB: Wildcard matching - event bus ARNs in another region do not match',
    pattern: { EventBusArn: [{ wildcard: 'arn:aws:events:us-east-1:*:event-bus/*' }] },
    event: { EventBusArn: 'arn:aws:events:us-west-2:123456789012:event-bus/myEventBus' },
    expected: false,
  },
  {
    name: 'EB: Comparison operators / Wildcard - .png files located within the folder "dir"',
    pattern: { FileName: [{ wildcard: 'dir/*.png' }] },
    event: { FileName: 'dir/holiday/beach.png' },
    expected: true,
  },
  {
    name: 'Ruler: Wildcard matching - "\\*" matches a literal asterisk',
    pattern: { name: [{ wildcard: 'a\\*b' }] },
    event: { name: 'a*b' },
    expected: true,
  },
  {
    name: 'Ruler: Wildcard matching - an escaped asterisk is not a wildcard',
    pattern: { name: [{ wildcard: 'a\\*b' }] },
    event: { name: 'axb' },
    expected: false,
  },
  {
    name: 'Ruler: Wildcard matching - "\\\\" matches a literal backslash',
    pattern: { path: [{ wildcard: 'C:\\\\*' }] },
    event: { path: 'C:\\Windows' },
    expected: true,
  },
  {
    name: 'Ruler: Wildcard matching - only works on string-valued fields',
    pattern: { detail: { 'c-count': [{ wildcard: '*' }] } },
    event: rulerEvent,
    expected: false,
  },

  // ----- anything-but ------------------------------------------------------------------------------------------
  {
    name: 'EB: Anything-but matching - single string, other value matches',
    pattern: { detail: { state: [{ 'anything-but': 'initializing' }] } },
    event: rulerEvent,
    expected: true,
  },
  {
    name: 'EB: Anything-but matching - single string, the excluded value does not match',
    pattern: { detail: { state: [{ 'anything-but': 'initializing' }] } },
    event: rulerEventWithDetail({ state: 'initializing' }),
    expected: false,
  },
  {
    name: 'EB: Anything-but matching - single number 123, 301.8 matches',
    pattern: { detail: { 'x-limit': [{ 'anything-but': 123 }] } },
    event: rulerEvent,
    expected: true,
  },
  {
    name: 'EB: Anything-but matching - single number 123, 123.0 is excluded numerically',
    pattern: parseEventPattern('{ "detail": { "x-limit": [ { "anything-but": 123 } ] } }'),
    event: JSON.parse('{ "detail": { "x-limit": 123.0 } }'),
    expected: false,
  },
  {
    name: 'EB: Anything-but matching - list of strings, "stopped" is excluded',
    pattern: { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } },
    event: rulerEventWithDetail({ state: 'stopped' }),
    expected: false,
  },
  {
    name: 'EB: Anything-but matching - list of numbers, 301.8 matches',
    pattern: { detail: { 'x-limit': [{ 'anything-but': [100, 200, 300] }] } },
    event: rulerEvent,
    expected: true,
  },
  {
    name: 'EB: Anything-but matching - list of numbers, 300 is excluded',
    pattern: { detail: { 'x-limit': [{ 'anything-but': [100, 200, 300] }] } },
    event: rulerEventWithDetail({ 'x-limit': 300 }),
    expected: false,
  },
  {
    name: 'EB: Anything-but matching - prefix "init" excludes "initializing"',
    pattern: { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } },
    event: rulerEventWithDetail({ state: 'initializing' }),
    expected: false,
  },
  {
    name: 'EB: Anything-but matching example - events that are not from AWS services',
    pattern: { source: [{ 'anything-but': { prefix: 'aws.' } }] },
    event: { source: 'com.mycompany.orders' },
    expected: true,
  },
  {
    name: 'Ruler: Anything-but prefix list - "error" prefix is excluded',
    pattern: { detail: { state: [{ 'anything-but': { prefix: ['init', 'error'] } }] } },
    event: rulerEventWithDetail({ state: 'error-disk' }),
    expected: false,
  },
  {
    name: 'Ruler: Anything-but suffix - instance id not ending in 1234',
    pattern: { detail: { 'instance-id': [{ 'anything-but': { suffix: '1234' } }] } },
    event: rulerEvent,
    expected: true,
  },
  {
    name: 'Ruler: Anything-but suffix list - "6789" suffix is excluded',
    pattern: { detail: { 'instance-id': [{ 'anything-but': { suffix: ['1234', '6789'] } }] } },
    event: rulerEventWithDetail({ 'instance-id': 'i-000000006789' }),
    expected: false,
  },
  {
    name: 'Ruler: Anything-but-ignore-case - "Stopped" excludes "STOPPED"',
    pattern: { detail: { state: [{ 'anything-but': { 'equals-ignore-case': 'Stopped' } }] } },
    event: rulerEventWithDetail({ state: 'STOPPED' }),
    expected: false,
  },
  {
    name: 'Ruler: Anything-but-ignore-case list - "running" is not excluded',
    pattern: { detail: { state: [{ 'anything-but': { 'equals-ignore-case': ['Stopped', 'OverLoaded'] } }] } },
    event: rulerEvent,
    expected: true,
  },
  {
    name: 'Ruler: Anything-but wildcard - "*/bin/*.jar" excludes /usr/bin/app.jar',
    pattern: { detail: { state: [{ 'anything-but': { wildcard: '*/bin/*.jar' } }] } },
    event: rulerEventWithDetail({ state: '/usr/bin/app.jar' }),
    expected: false,
  },
  {
    name: 'Ruler: Anything-but wildcard list - /usr/lib/app.jar is not excluded',
    pattern: { detail: { state: [{ 'anything-but': { wildcard: ['*/bin/*.jar', '*/bin/*.class'] } }] } },
    event: rulerEventWithDetail({ state: '/usr/lib/app.jar' }),
    expected: true,
  },
  {
    name: 'EB: Comparison operators / Anything-but using a wildcard - FilePath not under /lib/',
    pattern: { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] },
    event: { FilePath: '/usr/lib/libc.so' },
    expected: false,
  },
  {
    name: 'Ruler semantics: anything-but never matches a missing field',
    pattern: { detail: { state: [{ 'anything-but': 'initializing' }] } },
    event: rulerEventWithDetail({ state: undefined }),
    expected: false,
  },
  {
    name: 'EB: Arrays - anything-but matches when some element of the event array is not excluded',
    pattern: { tags: [{ 'anything-but': 'Insider' }] },
    event: { tags: ['Custom_Alert', 'Insider'] },
    expected: true,
  },
  {
    name: 'Ruler semantics: anything-but a number list matches a string value (RulerTest "444")',
    pattern: { b: [{ 'anything-but': [111, 222, 333] }] },
    event: { b: '444' },
    expected: true,
  },
  {
    name: 'Ruler semantics: anything-but a string matches a value of another type',
    pattern: { state: [{ 'anything-but': 'stopped' }] },
    event: { state: 42 },
    expected: true,
  },

  // ----- numeric -----------------------------------------------------------------------------------------------
  {
    name: 'Ruler: Numeric matching - c-count, d-count and x-limit (3.018e2) on the sample event',
    pattern: rulerNumeric,
    event: rulerEvent,
    expected: true,
  },
  {
    name: 'Ruler: Numeric matching - c-count 0 is not > 0',
    pattern: rulerNumeric,
    event: rulerEventWithDetail({ 'c-count': 0 }),
    expected: false,
  },
  {
    name: 'Ruler: Numeric matching - d-count 10 is not < 10',
    pattern: rulerNumeric,
    event: rulerEventWithDetail({ 'd-count': 10 }),
    expected: false,
  },
  {
    name: 'Ruler: Numeric matching - x-limit 301.81 is not = 3.018e2',
    pattern: rulerNumeric,
    event: rulerEventWithDetail({ 'x-limit': 301.81 }),
    expected: false,
  },
  {
    name: 'EB: Numeric matching - works only with values that are JSON numbers',
    pattern: { detail: { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] } },
    event: rulerEventWithDetail({ 'c-count': '5' }),
    expected: false,
  },
  {
    name: 'Ruler: Rules and rule names - ">=" lower bound is inclusive',
    pattern: { price: [{ numeric: ['>=', 10, '<', 20] }] },
    event: { price: 10 },
    expected: true,
  },
  {
    name: 'EB: Comparison operators / Numeric (range) - price more than 10 and at most 20',
    pattern: { Price: [{ numeric: ['>', 10, '<=', 20] }] },
    event: { Price: 20 },
    expected: true,
  },
  {
    name: 'Ruler semantics: numeric matches negative and fractional numbers',
    pattern: { delta: [{ numeric: ['<=', -0.5] }] },
    event: { delta: -2.25 },
    expected: true,
  },
  {
    name: 'EB: Arrays - numeric matches when any element of the event array is in range',
    pattern: { scores: [{ numeric: ['>', 90] }] },
    event: { scores: [12, 95, 40] },
    expected: true,
  },

  // ----- IP addresses ------------------------------------------------------------------------------------------
  {
    name: 'EB: IP address matching - 10.0.0.0/24 contains 10.0.0.33',
    pattern: { detail: { 'source-ip': [{ cidr: '10.0.0.0/24' }] } },
    event: rulerEvent,
    expected: true,
  },
  {
    name: 'EB: IP address matching - 10.0.0.0/24 does not contain 10.0.1.1',
    pattern: { detail: { 'source-ip': [{ cidr: '10.0.0.0/24' }] } },
    event: rulerEventWithDetail({ 'source-ip': '10.0.1.1' }),
    expected: false,
  },
  {
    name: 'EB: IP address matching - IPv6 2001:db8::/32 contains 2001:db8:85a3::8a2e:370:7334',
    pattern: { detail: { sourceIPAddress: [{ cidr: '2001:db8::/32' }] } },
    event: { detail: { sourceIPAddress: '2001:db8:85a3::8a2e:370:7334' } },
    expected: true,
  },
  {
    name: 'EB: IP address matching - IPv6 2001:db8::/32 does not contain 2001:db9::1',
    pattern: { detail: { sourceIPAddress: [{ cidr: '2001:db8::/32' }] } },
    event: { detail: { sourceIPAddress: '2001:db9::1' } },
    expected: false,
  },
  {
    name: 'Ruler semantics: an IPv4 block never contains an IPv6 address',
    pattern: { ip: [{ cidr: '0.0.0.0/0' }] },
    event: { ip: '::1' },
    expected: false,
  },
  {
    name: 'Ruler semantics: a literal IP in a pattern matches any spelling of the address',
    pattern: { ip: ['2001:db8::1'] },
    event: { ip: '2001:DB8:0:0:0:0:0:1' },
    expected: true,
  },
  {
    name: 'Ruler semantics: cidr does not match a value that is not an address',
    pattern: { ip: [{ cidr: '10.0.0.0/8' }] },
    event: { ip: 'localhost' },
    expected: false,
  },

  // ----- exists ------------------------------------------------------------------------------------------------
  {
    name: 'Ruler: Exists matching - exists true matches when detail.c-count is present',
    pattern: { detail: { 'c-count': [{ exists: true }] } },
    event: rulerEvent,
    expected: true,
  },
  {
    name: 'Ruler: Exists matching - exists false does not match when detail.c-count is present',
    pattern: { detail: { 'c-count': [{ exists: false }] } },
    event: rulerEvent,
    expected: false,
  },
  {
    name: 'EB: Exists matching - exists false matches an event without detail.c-count',
    pattern: { detail: { 'c-count': [{ exists: false }] } },
    event: {
      'detail-type': ['EC2 Instance State-change Notification'],
      resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-02ebd4584a2ebd341'],
      detail: { state: ['initializing', 'running'] },
    },
    expected: true,
  },
  {
    name: 'EB: Exists matching - exists false also matches when c-count is not a leaf node',
    pattern: { detail: { 'c-count': [{ exists: false }] } },
    event: {
      'detail-type': ['EC2 Instance State-change Notification'],
      detail: { state: ['initializing', 'running'], 'c-count': { c1: 100 } },
    },
    expected: true,
  },
  {
    name: 'EB: Exists matching - exists true matches an event with detail.state',
    pattern: { detail: { state: [{ exists: true }] } },
    event: {
      source: 'aws.ec2',
      detail: { 'instance-id': 'i-abcd1111', state: 'pending' },
    },
    expected: true,
  },
  {
    name: 'EB: Exists matching - exists true does not match an event without detail.state',
    pattern: { detail: { state: [{ exists: true }] } },
    event: {
      'detail-type': ['EC2 Instance State-change Notification'],
      detail: { 'c-count': { c1: 100 } },
    },
    expected: false,
  },
  {
    name: 'EB: Existence matching example - events that have a description',
    pattern: { detail: { description: [{ exists: true }] } },
    event: { detail: { description: 'full text' } },
    expected: true,
  },
  {
    name: 'Ruler semantics: exists true matches a null leaf',
    pattern: { detail: { responseElements: [{ exists: true }] } },
    event: nullValuesEvent,
    expected: true,
  },
  {
    name: 'Ruler semantics: an empty array has no leaf, so exists false matches it',
    pattern: { resources: [{ exists: false }] },
    event: nullValuesEvent,
    expected: true,
  },
  {
    name: 'Ruler semantics: an empty array has no leaf, so exists true does not match it',
    pattern: { resources: [{ exists: true }] },
    event: nullValuesEvent,
    expected: false,
  },
  {
    name: 'Ruler semantics: exists false in a list with a value matches absence or that value',
    pattern: { detail: { state: [{ exists: false }, 'running'] } },
    event: rulerEvent,
    expected: true,
  },
  {
    name: 'Ruler semantics: exists false is judged within the same array element',
    pattern: { items: { a: [1], b: [{ exists: false }] } },
    event: { items: [{ a: 1, b: 2 }, { a: 1 }] },
    expected: true,
  },
  {
    name: 'Ruler semantics: exists false fails when every consistent element has the field',
    pattern: { items: { a: [1], b: [{ exists: false }] } },
    event: { items: [{ a: 1, b: 2 }, { a: 3 }] },
    expected: false,
  },

  // ----- $or ---------------------------------------------------------------------------------------------------
  {
    name: 'Ruler: "$or" Normal "Or" - source and metricName',
    pattern: cloudWatchOr,
    event: { source: 'aws.cloudwatch', metricName: 'CPUUtilization' },
    expected: true,
  },
  {
    name: 'Ruler: "$or" Normal "Or" - source and namespace',
    pattern: cloudWatchOr,
    event: { source: 'aws.cloudwatch', namespace: 'AWS/ES' },
    expected: true,
  },
  {
    name: 'Ruler: "$or" Normal "Or" - neither branch matches',
    pattern: cloudWatchOr,
    event: { source: 'aws.cloudwatch', metricName: 'NetworkIn', namespace: 'AWS/RDS' },
    expected: false,
  },
  {
    name: 'Ruler: "$or" Normal "Or" - source is still required',
    pattern: cloudWatchOr,
    event: { source: 'aws.ec2', metricName: 'CPUUtilization' },
    expected: false,
  },
  {
    name: 'Ruler: "$or" Parallel "Or" - one branch of each "$or"',
    pattern: {
      $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { namespace: ['AWS/EC2', 'AWS/ES'] }],
      detail: {
        $or: [{ source: ['aws.cloudwatch'] }, { 'detail-type': ['CloudWatch Alarm State Change'] }],
      },
    },
    event: { namespace: 'AWS/EC2', detail: { 'detail-type': 'CloudWatch Alarm State Change' } },
    expected: true,
  },
  {
    name: 'Ruler: "$or" Parallel "Or" - the nested "$or" must match too',
    pattern: {
      $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { namespace: ['AWS/EC2', 'AWS/ES'] }],
      detail: {
        $or: [{ source: ['aws.cloudwatch'] }, { 'detail-type': ['CloudWatch Alarm State Change'] }],
      },
    },
    event: { namespace: 'AWS/EC2', detail: { source: 'aws.ec2' } },
    expected: false,
  },
  {
    name: 'Ruler: "$or" "Or" has an "And" inside - metricType and namespace together',
    pattern: {
      source: ['aws.cloudwatch'],
      $or: [
        { metricName: ['CPUUtilization', 'ReadLatency'] },
        { metricType: ['MetricType'], namespace: ['AWS/EC2', 'AWS/ES'] },
        { scope: ['Service'] },
      ],
    },
    event: { source: 'aws.cloudwatch', metricType: 'MetricType', namespace: 'AWS/ES' },
    expected: true,
  },
  {
    name: 'Ruler: "$or" "Or" has an "And" inside - metricType alone is not enough',
    pattern: {
      source: ['aws.cloudwatch'],
      $or: [
        { metricName: ['CPUUtilization', 'ReadLatency'] },
        { metricType: ['MetricType'], namespace: ['AWS/EC2', 'AWS/ES'] },
        { scope: ['Service'] },
      ],
    },
    event: { source: 'aws.cloudwatch', metricType: 'MetricType' },
    expected: false,
  },
  {
    name: 'Ruler: "$or" Nested "Or" and "And" - metricType, namespace and spaceId',
    pattern: nestedOr,
    event: { source: 'aws.cloudwatch', metricType: 'MetricType', namespace: 'AWS/EC2', spaceId: 1000 },
    expected: true,
  },
  {
    name: 'Ruler: "$or" Nested "Or" and "And" - inner "$or" unmet',
    pattern: nestedOr,
    event: { source: 'aws.cloudwatch', metricType: 'MetricType', namespace: 'AWS/EC2', spaceId: 1001 },
    expected: false,
  },
  {
    name: 'Ruler: "$or" Nested "Or" and "And" - scope branch',
    pattern: nestedOr,
    event: { source: 'aws.cloudwatch', scope: 'Service' },
    expected: true,
  },
  {
    name: 'EB: Comparison operators / Or (multiple fields) - location or day',
    pattern: { $or: [{ Location: ['New York'] }, { Day: ['Monday'] }] },
    event: { Location: 'Boston', Day: 'Monday' },
    expected: true,
  },
  {
    name: 'EB: Or matching - numeric conditions inside detail, d-count branch',
    pattern: {
      detail: {
        $or: [
          { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] },
          { 'd-count': [{ numeric: ['<', 10] }] },
          { 'x-limit': [{ numeric: ['=', 3.018e2] }] },
        ],
      },
    },
    event: { detail: { 'c-count': 50, 'd-count': 3 } },
    expected: true,
  },
  {
    name: 'Ruler: backward compatibility of "$or" - an object value is an ordinary field',
    pattern: {
      source: ['aws.cloudwatch'],
      $or: { metricType: ['MetricType'], namespace: ['AWS/EC2', 'AWS/ES'] },
    },
    event: { source: 'aws.cloudwatch', $or: { metricType: 'MetricType', namespace: 'AWS/EC2' } },
    expected: true,
  },
  {
    name: 'Ruler: "$or" Primitive - reserved keywords inside "$or" make it an ordinary field',
    pattern: { $or: [{ prefix: 'abc' }, { numeric: ['=', 5] }] },
    event: { $or: 'abcdef' },
    expected: true,
  },

  // ----- combinations and structure ----------------------------------------------------------------------------
  {
    name: 'Ruler: Complex example - matches the sample event',
    pattern: rulerComplex,
    event: rulerEvent,
    expected: true,
  },
  {
    name: 'Ruler: Complex example - fails when the source IP leaves 10.0.0.0/8',
    pattern: rulerComplex,
    event: rulerEventWithDetail({ 'source-ip': '192.168.0.1' }),
    expected: false,
  },
  {
    name: 'EB: Complex example with multiple matching - prefix, anything-but and numeric',
    pattern: {
      time: [{ prefix: '2017-10-02' }],
      detail: {
        state: [{ 'anything-but': 'initializing' }],
        'c-count': [{ numeric: ['>', 0, '<=', 5] }],
        'd-count': [{ numeric: ['<', 10] }],
        'x-limit': [{ 'anything-but': [100, 200, 300] }],
      },
    },
    event: rulerEventWithDetail({ 'x-limit': 200 }),
    expected: false,
  },
  {
    name: 'Ruler: Compiled rules and JSON keys with dots - dotted pattern key, nested event',
    pattern: { detail: { 'state.status': ['running'] } },
    event: { detail: { state: { status: 'running' } } },
    expected: true,
  },
  {
    name: 'Ruler: Compiled rules and JSON keys with dots - nested pattern, dotted event key',
    pattern: { detail: { state: { status: ['running'] } } },
    event: { detail: { 'state.status': 'running' } },
    expected: true,
  },
  {
    name: 'EB: Creating event patterns - nesting must agree (value is an object, not a leaf)',
    pattern: { detail: ['running'] },
    event: { detail: { state: 'running' } },
    expected: false,
  },
  {
    name: 'Ruler semantics: events must be JSON objects',
    pattern: { source: [{ exists: false }] },
    event: ['not', 'an', 'object'],
    expected: false,
  },
];

const invalidRows: readonly InvalidRow[] = [
  // structure
  { name: 'pattern is an array', pattern: [], reason: 'Filter is not an object' },
  { name: 'pattern is a string', pattern: 'aws.ec2', reason: 'Filter is not an object' },
  { name: 'pattern is null', pattern: null, reason: 'Filter is not an object' },
  { name: 'empty pattern', pattern: {}, reason: 'Empty objects are not allowed' },
  { name: 'empty nested object', pattern: { detail: {} }, reason: 'Empty objects are not allowed' },
  {
    name: 'leaf is a bare string',
    pattern: { source: 'aws.ec2' },
    reason: '"source" must be an object or an array',
  },
  {
    name: 'leaf is a bare number',
    pattern: { detail: { count: 5 } },
    reason: '"count" must be an object or an array',
  },
  { name: 'empty value array', pattern: { source: [] }, reason: 'Empty arrays are not allowed' },
  {
    name: 'nested array as a value',
    pattern: { source: [['aws.ec2']] },
    reason: 'Match value must be String, number, true, false, or null',
  },
  { name: 'empty match expression', pattern: { source: [{}] }, reason: 'Match expression name not found' },
  {
    name: 'unknown operator',
    pattern: { source: [{ contains: 'ec2' }] },
    reason: 'Unrecognized match type contains',
  },
  {
    name: 'two operators in one expression',
    pattern: { source: [{ prefix: 'aws.', suffix: 'ec2' }] },
    reason: 'Only one key allowed in match expression',
  },
  // prefix / suffix / equals-ignore-case / exactly / wildcard
  {
    name: 'prefix is a number',
    pattern: { source: [{ prefix: 5 }] },
    reason: 'prefix match pattern must be a string',
  },
  {
    name: 'prefix with an unsupported nested operator',
    pattern: { source: [{ prefix: { suffix: 'x' } }] },
    reason: 'Unsupported prefix pattern: suffix',
  },
  {
    name: 'suffix equals-ignore-case is not a string',
    pattern: { source: [{ suffix: { 'equals-ignore-case': 1 } }] },
    reason: 'equals-ignore-case match pattern must be a string',
  },
  {
    name: 'suffix is null',
    pattern: { source: [{ suffix: null }] },
    reason: 'suffix match pattern must be a string',
  },
  {
    name: 'equals-ignore-case is a list',
    pattern: { source: [{ 'equals-ignore-case': ['a'] }] },
    reason: 'equals-ignore-case match pattern must be a string',
  },
  {
    name: 'exactly is a number',
    pattern: { source: [{ exactly: 5 }] },
    reason: 'exact match pattern must be a string',
  },
  {
    name: 'wildcard with consecutive asterisks',
    pattern: { source: [{ wildcard: 'a**b' }] },
    reason: 'Consecutive wildcard characters at pos 2',
  },
  {
    name: 'wildcard with an invalid escape',
    pattern: { source: [{ wildcard: 'a\\b' }] },
    reason: 'Invalid escape character at pos 2',
  },
  {
    name: 'wildcard is a number',
    pattern: { source: [{ wildcard: 5 }] },
    reason: 'wildcard match pattern must be a string',
  },
  // numeric
  {
    name: 'numeric is not an array',
    pattern: { n: [{ numeric: '>' }] },
    reason: 'Value of numeric must be an array.',
  },
  {
    name: 'numeric is empty',
    pattern: { n: [{ numeric: [] }] },
    reason: 'Invalid member in numeric match: ]',
  },
  {
    name: 'numeric with an unknown operator',
    pattern: { n: [{ numeric: ['!=', 5] }] },
    reason: 'Unrecognized numeric range operator: !=',
  },
  {
    name: 'numeric value is a string',
    pattern: { n: [{ numeric: ['>', '5'] }] },
    reason: 'Value of > must be numeric',
  },
  {
    name: 'numeric "=" value missing',
    pattern: { n: [{ numeric: ['='] }] },
    reason: 'Value of equals must be numeric',
  },
  {
    name: 'numeric "=" with extra terms',
    pattern: { n: [{ numeric: ['=', 1, '<', 2] }] },
    reason: 'Too many elements in numeric expression',
  },
  {
    name: 'numeric upper bound first',
    pattern: { n: [{ numeric: ['<', 10, '>', 0] }] },
    reason: 'Too many elements in numeric expression',
  },
  {
    name: 'numeric with two lower bounds',
    pattern: { n: [{ numeric: ['>', 0, '>=', 5] }] },
    reason: 'Bad numeric range operator: >=',
  },
  {
    name: 'numeric empty range',
    pattern: { n: [{ numeric: ['>', 10, '<', 5] }] },
    reason: 'Bottom must be less than top',
  },
  {
    name: 'numeric range with equal bounds',
    pattern: { n: [{ numeric: ['>=', 5, '<=', 5] }] },
    reason: 'Bottom must be less than top',
  },
  {
    name: 'numeric range with a trailing term',
    pattern: { n: [{ numeric: ['>', 0, '<', 5, 6] }] },
    reason: 'Too many terms in numeric range expression',
  },
  // cidr
  {
    name: 'cidr without a slash',
    pattern: { ip: [{ cidr: '10.0.0.0' }] },
    reason: "Malformed CIDR, one '/' required",
  },
  {
    name: 'cidr mask is not an integer',
    pattern: { ip: [{ cidr: '10.0.0.0/abc' }] },
    reason: 'Malformed CIDR, mask bits must be an integer',
  },
  {
    name: 'cidr IPv4 mask too large',
    pattern: { ip: [{ cidr: '10.0.0.0/33' }] },
    reason: 'IPv4 mask bits must be < 32',
  },
  {
    name: 'cidr IPv6 mask too large',
    pattern: { ip: [{ cidr: '2001:db8::/128' }] },
    reason: 'IPv6 mask bits must be < 128',
  },
  {
    name: 'cidr address out of range',
    pattern: { ip: [{ cidr: '300.0.0.0/8' }] },
    reason: 'Invalid IP address: 300.0.0.0',
  },
  {
    name: 'cidr address is a host name',
    pattern: { ip: [{ cidr: 'example.com/8' }] },
    reason: 'Nonstandard IP address: example.com',
  },
  {
    name: 'cidr is a number',
    pattern: { ip: [{ cidr: 10 }] },
    reason: 'prefix match pattern must be a string',
  },
  // exists
  {
    name: 'exists is a string',
    pattern: { state: [{ exists: 'true' }] },
    reason: 'exists match pattern must be either true or false.',
  },
  // anything-but
  {
    name: 'anything-but list mixes strings and numbers',
    pattern: { state: [{ 'anything-but': ['stopped', 1] }] },
    reason: 'Inside anything but list, either all values are number or string, mixed type is not supported',
  },
  {
    name: 'anything-but empty list',
    pattern: { state: [{ 'anything-but': [] }] },
    reason: 'Inside anything but list, either all values are number or string, mixed type is not supported',
  },
  {
    name: 'anything-but list with a boolean',
    pattern: { state: [{ 'anything-but': [true] }] },
    reason: 'Inside anything but list, start|null|boolean is not supported.',
  },
  {
    name: 'anything-but null',
    pattern: { state: [{ 'anything-but': null }] },
    reason: 'Value of anything-but must be an array or single string/number value.',
  },
  {
    name: 'anything-but with an unsupported operator',
    pattern: { state: [{ 'anything-but': { numeric: ['>', 1] } }] },
    reason: 'Unsupported anything-but pattern: numeric',
  },
  {
    name: 'anything-but prefix is a number',
    pattern: { state: [{ 'anything-but': { prefix: 5 } }] },
    reason: 'prefix/suffix match pattern must be a string',
  },
  {
    name: 'anything-but empty suffix',
    pattern: { state: [{ 'anything-but': { suffix: '' } }] },
    reason: 'Null prefix/suffix not allowed',
  },
  {
    name: 'anything-but equals-ignore-case list with a number',
    pattern: { state: [{ 'anything-but': { 'equals-ignore-case': ['a', 1] } }] },
    reason: 'Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.',
  },
  {
    name: 'anything-but wildcard with consecutive asterisks',
    pattern: { state: [{ 'anything-but': { wildcard: 'a**' } }] },
    reason: 'Consecutive wildcard characters at pos 2',
  },
  {
    name: 'anything-but with a second key',
    pattern: { state: [{ 'anything-but': 'a', prefix: 'b' }] },
    reason: 'Too many elements in numeric expression',
  },
  // $or
  {
    name: '$or with a single object',
    pattern: { $or: [{ metricName: ['CPUUtilization'] }] },
    reason: 'There must have at least 2 Objects in $or relationship.',
  },
  {
    name: '$or with a non-object element',
    pattern: {
      detail: { $or: [{ source: ['aws.cloudwatch'] }, { 'detail-type': ['x'] }, [{ foo: ['wrong'] }]] },
    },
    reason: 'Only JSON object is allowed in array of $or relationship.',
  },
  { name: '$or is a string', pattern: { $or: 'a' }, reason: 'It must be an Array followed with $or.' },
  {
    name: 'reserved keyword as a field inside $or',
    pattern: { $or: [{ numeric: 123 }, { prefix: 'abc' }] },
    reason: 'numeric is Ruler reserved fieldName which cannot be used inside $or.',
  },
];

describe('matchesEventPattern (EventBridge docs and event-ruler README)', () => {
  it.each(matchRows)('$name', ({ pattern, event, expected }) => {
    expect(matchesEventPattern(pattern, event)).toBe(expected);
  });
});

describe('validateEventPattern rejects invalid patterns', () => {
  it.each(invalidRows)('$name', ({ pattern, reason }) => {
    let caught: unknown;
    try {
      validateEventPattern(pattern);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidEventPatternError);
    expect((caught as InvalidEventPatternError).reason).toBe(reason);
  });
});

describe('event pattern API', () => {
  it('accepts every pattern used in the match table', () => {
    for (const { pattern } of matchRows) {
      expect(validateEventPattern(pattern)).toBe(pattern);
    }
  });

  it('reports errors the way the EventBridge API names them', () => {
    const error = new InvalidEventPatternError('Empty objects are not allowed');
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('InvalidEventPatternException');
    expect(error.message).toBe('Event pattern is not valid. Reason: Empty objects are not allowed');
  });

  it('parses JSON patterns and rejects text that is not JSON', () => {
    expect(parseEventPattern('{ "source": [ "aws.ec2" ] }')).toEqual({ source: ['aws.ec2'] });
    expect(() => parseEventPattern('{ "source": [ "aws.ec2" ')).toThrow(InvalidEventPatternError);
    expect(() => parseEventPattern('{}')).toThrow(
      'Event pattern is not valid. Reason: Empty objects are not allowed',
    );
  });

  it('EB: Complex example note - when a key repeats, the last one is used', () => {
    const pattern = parseEventPattern(
      '{ "detail": { "location": [ { "prefix": "us-" } ], "location": [ { "anything-but": "us-east" } ] } }',
    );
    expect(matchesEventPattern(pattern, { detail: { location: 'eu-west' } })).toBe(true);
    expect(matchesEventPattern(pattern, { detail: { location: 'us-east' } })).toBe(false);
  });

  it('compiles once and matches many events', () => {
    const matches = compileEventPattern(rulerComplex);
    expect(matches(rulerEvent)).toBe(true);
    expect(matches(rulerEventWithDetail({ state: 'initializing' }))).toBe(false);
    expect(matches(rulerEvent)).toBe(true);
  });

  it('refuses an invalid pattern at compile time', () => {
    expect(() => compileEventPattern({ source: [{ numeric: ['>', 5, '<', 1] }] })).toThrow(
      InvalidEventPatternError,
    );
  });
});

describe('bounded work for any pattern', () => {
  /** `{"f0": {"$or": [{"a": [1]}, {"b": [2]}]}, "f1": …}`: each pair doubles the sub-rules. */
  const orPairs = (pairs: number): EventPattern => ({
    detail: Object.fromEntries(
      Array.from({ length: pairs }, (_, index) => [`f${index}`, { $or: [{ a: [1] }, { b: [2] }] }]),
    ),
  });

  it('matches through a key of 2 000 dot-separated segments, as through nested objects', () => {
    const segments = Array.from({ length: 2_000 }, (_, index) => `s${index}`);
    const pattern = { detail: { [segments.join('.')]: ['x'] } };
    const nested = segments.reduceRight<unknown>((inner, segment) => ({ [segment]: inner }), 'x');
    const matches = compileEventPattern(pattern);
    expect(matches({ detail: nested })).toBe(true);
    expect(
      matches({
        detail: { [segments.slice(0, 1_000).join('.')]: { [segments.slice(1_000).join('.')]: 'x' } },
      }),
    ).toBe(true);
    expect(matches({ detail: { [segments.join('.')]: 'y' } })).toBe(false);
  });

  it('accepts $or that expands to 1 024 sub-rules and refuses one that expands further', () => {
    expect(matchesEventPattern(orPairs(10), { detail: { f0: { b: 2 } } })).toBe(false);
    let caught: unknown;
    try {
      validateEventPattern(orPairs(11));
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidEventPatternError);
    expect((caught as InvalidEventPatternError).reason).toBe(
      'The $or combinations expand to more than 1024 sub-rules, more than the local matcher evaluates',
    );
  });

  it('refuses $or nested in $or once the expansion passes the bound', () => {
    const nested = {
      detail: { $or: [orPairs(10).detail as EventPattern, orPairs(1).detail as EventPattern] },
    };
    expect(() => validateEventPattern(nested)).toThrow(InvalidEventPatternError);
  });
});
