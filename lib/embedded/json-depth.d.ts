/** Whether JSON text nests arrays and objects deeper than `limit` (see `json-depth.js`). */
export function exceedsJsonDepth(text: string, limit: number): boolean;
