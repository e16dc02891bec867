/**
 * ASL checks are remembered by the definition's text: a definition found valid once is not
 * validated again, and any change to it — one that breaks it included — is validated afresh.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { InvalidWorkflowDefinition, parseAslDefinition } from '../../lib/topology/asl-definition';

/** A definition no earlier run has seen (its comment is new), so the validator does run. */
function passWorkflow(next: string): string {
  return JSON.stringify({
    Comment: `asl-definition test ${randomUUID()}`,
    StartAt: 'First',
    TimeoutSeconds: 60,
    States: { First: { Type: 'Pass', Next: next }, Last: { Type: 'Succeed' } },
  });
}

describe('parseAslDefinition', () => {
  it('accepts a valid definition, again, and refuses the same one broken after it was accepted', () => {
    const valid = passWorkflow('Last');
    expect(parseAslDefinition(valid, 'valid.asl.json').StartAt).toBe('First');
    expect(parseAslDefinition(valid, 'valid.asl.json').StartAt).toBe('First');
    const broken = valid.replace('"Next":"Last"', '"Next":"Nowhere"');
    expect(() => parseAslDefinition(broken, 'broken.asl.json')).toThrow(InvalidWorkflowDefinition);
    expect(() => parseAslDefinition(broken, 'broken.asl.json')).toThrow(
      /broken\.asl\.json: invalid ASL: .*Nowhere/,
    );
  });
});
