/**
 * Status lines (`200 OK`) for uWS writeStatus, built once for every code 100..599 so
 * the response path never concatenates a status line per request.
 */
import { STATUS_CODES } from 'node:http';

const LINES: string[] = [];
for (let code = 100; code < 600; code++) {
  LINES[code] = `${code} ${STATUS_CODES[code] ?? 'Unknown'}`;
}

export function statusLine(code: number): string {
  return LINES[code] ?? `${code} Unknown`;
}
