/**
 * The memory of a process that hosts the embedded runtime and nothing else (`baton dev`, the
 * footprint bench). The runtime never sets this itself: it may run inside a user's test process,
 * whose V8 is not Baton's to tune.
 *
 * What held the old space after 10 000 executions was not live data (≈ 55 MiB survive a full GC:
 * the retained executions, their histories sealed as JSON) but garbage between full GCs: every
 * retained execution dies in the old generation once a thousand later ones push it out, and under
 * load V8 lets the old generation grow to about four times what survived the last full GC before
 * it collects again (53 MiB live, 237 MiB committed at the next mark-compact). Linux keeps the
 * peak resident after V8 gives the pages back. In its memory-saving mode V8 grows the old
 * generation by a small factor and keeps a small young generation: RSS after 10 000 executions
 * ≈ 175 MiB instead of 400–530 (`npm run bench -- runtime-footprint`), for more collections: those
 * 10 000 executions took ≈ 30 % longer side by side on a loaded machine. (`--heap-growing-percent=50`
 * alone cost nothing measurable but left ≈ 265 MiB.)
 */
import { setFlagsFromString } from 'node:v8';

/** Puts this process's V8 in its memory-saving mode (`--optimize-for-size`, not allowed in NODE_OPTIONS). */
export function hostRuntimeInLittleMemory(): void {
  setFlagsFromString('--optimize-for-size');
}
