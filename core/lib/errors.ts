/**
 * One table of every error the gateway answers with: code -> status and Kong's wording.
 * Responses are JSON `{"message": "..."}`; bodies are serialised once, at module load,
 * so the hot path only looks a code up (as fastify's lib/errors.js keeps one table).
 */

export const ErrorCode = {
  BAD_REQUEST: 'BAD_REQUEST',
  NOT_IMPLEMENTED: 'NOT_IMPLEMENTED',
  VERSION_NOT_SUPPORTED: 'VERSION_NOT_SUPPORTED',
  NO_ROUTE: 'NO_ROUTE',
  NO_SERVICE: 'NO_SERVICE',
  HTTPS_REQUIRED: 'HTTPS_REQUIRED',
  URI_TOO_LONG: 'URI_TOO_LONG',
  HEADERS_TOO_LARGE: 'HEADERS_TOO_LARGE',
  BODY_TOO_LARGE: 'BODY_TOO_LARGE',
  BAD_GATEWAY: 'BAD_GATEWAY',
  NO_HEALTHY_TARGET: 'NO_HEALTHY_TARGET',
  GATEWAY_TIMEOUT: 'GATEWAY_TIMEOUT',
  UNAVAILABLE: 'UNAVAILABLE',
  INTERNAL: 'INTERNAL',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

interface ErrorEntry {
  status: number;
  /** Status line for uWS writeStatus, e.g. `404 Not Found`. */
  statusLine: string;
  message: string;
  /** Pre-serialised `{"message":"..."}` body. */
  body: string;
}

function entry(status: number, reason: string, message: string): ErrorEntry {
  return { status, statusLine: `${status} ${reason}`, message, body: JSON.stringify({ message }) };
}

export const ERRORS: Readonly<Record<ErrorCode, ErrorEntry>> = {
  BAD_REQUEST: entry(400, 'Bad Request', 'Bad request'),
  // nginx's answers to a Transfer-Encoding other than chunked and to an HTTP major
  // version other than 1 (Kong answers with nginx's status; the wording is ours).
  NOT_IMPLEMENTED: entry(501, 'Not Implemented', 'Not implemented'),
  VERSION_NOT_SUPPORTED: entry(505, 'HTTP Version Not Supported', 'HTTP version not supported'),
  NO_ROUTE: entry(404, 'Not Found', 'no Route matched with those values'),
  NO_SERVICE: entry(503, 'Service Unavailable', 'no Service found with those values'),
  HTTPS_REQUIRED: entry(426, 'Upgrade Required', 'Please use HTTPS protocol'),
  URI_TOO_LONG: entry(414, 'URI Too Long', 'Request-URI too long'),
  HEADERS_TOO_LARGE: entry(431, 'Request Header Fields Too Large', 'Request header fields too large'),
  BODY_TOO_LARGE: entry(413, 'Payload Too Large', 'Request size limit exceeded'),
  BAD_GATEWAY: entry(502, 'Bad Gateway', 'An invalid response was received from the upstream server'),
  NO_HEALTHY_TARGET: entry(503, 'Service Unavailable', 'failure to get a peer from the ring-balancer'),
  GATEWAY_TIMEOUT: entry(504, 'Gateway Timeout', 'The upstream server is timing out'),
  UNAVAILABLE: entry(503, 'Service Unavailable', 'Service unavailable'),
  INTERNAL: entry(500, 'Internal Server Error', 'An unexpected error occurred'),
};

/** An error that carries one of the table's codes across async boundaries. */
export class GatehouseError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, detail?: string) {
    super(detail ?? ERRORS[code].message);
    this.name = 'GatehouseError';
    this.code = code;
  }
}
