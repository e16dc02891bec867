/** Whether an event's leaves satisfy a sub-rule, never taking two fields from different elements of one array. */
import {
  type ArrayPosition,
  type EventIndex,
  type Leaf,
  type Membership,
  NO_LEAVES,
  NO_MEMBERSHIP,
} from './event-index';
import type { FieldCondition, SubRule } from './pattern-forms';

/**
 * True when every field of the sub-rule is satisfied by leaves that are array-consistent with one another: a rule
 * never combines fields from different elements of the same event array. Fields are taken in sorted order and
 * exists:false holds when no leaf of the field is consistent with the elements chosen so far.
 */
export function matchesSubRule(subRule: SubRule, index: EventIndex): boolean {
  const candidates: (readonly Leaf[])[] = [];
  for (const condition of subRule) {
    const matching = acceptedLeaves(condition, index.get(condition.path) ?? NO_LEAVES);
    if (matching.length === 0 && !condition.matchesAbsence) {
      return false;
    }
    candidates.push(matching);
  }
  return searchConsistent({ subRule, candidates, index }, 0, NO_MEMBERSHIP);
}

function acceptedLeaves(condition: FieldCondition, leaves: readonly Leaf[]): Leaf[] {
  const accepted: Leaf[] = [];
  for (const leaf of leaves) {
    for (const matcher of condition.matchers) {
      if (matcher(leaf.value)) {
        accepted.push(leaf);
        break;
      }
    }
  }
  return accepted;
}

interface Search {
  readonly subRule: SubRule;
  /** For each condition, the leaves whose value it accepts. */
  readonly candidates: readonly (readonly Leaf[])[];
  readonly index: EventIndex;
}

function searchConsistent(search: Search, position: number, membership: Membership): boolean {
  const condition = search.subRule[position];
  if (condition === undefined) {
    return true;
  }
  for (const leaf of search.candidates[position] ?? NO_LEAVES) {
    const merged = mergeMembership(membership, leaf.membership);
    if (merged !== undefined && searchConsistent(search, position + 1, merged)) {
      return true;
    }
  }
  return (
    condition.matchesAbsence &&
    isAbsent(search.index.get(condition.path) ?? NO_LEAVES, membership) &&
    searchConsistent(search, position + 1, membership)
  );
}

function isAbsent(leaves: readonly Leaf[], membership: Membership): boolean {
  return leaves.every((leaf) => mergeMembership(membership, leaf.membership) === undefined);
}

/** The union of two memberships, or undefined when they place the match in different elements of one array. */
function mergeMembership(soFar: Membership, field: Membership): Membership | undefined {
  if (field.length === 0) {
    return soFar;
  }
  if (soFar.length === 0) {
    return field;
  }
  let merged: ArrayPosition[] | undefined;
  for (const position of field) {
    const [arrayId, index] = position;
    const known = soFar.find(([knownArrayId]) => knownArrayId === arrayId);
    if (known === undefined) {
      merged ??= [...soFar];
      merged.push(position);
    } else if (known[1] !== index) {
      return undefined;
    }
  }
  return merged ?? soFar;
}
