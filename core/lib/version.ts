/** The gateway's version (admin /status, the opentelemetry resource's service.version). */
export const GATEHOUSE_VERSION = '0.1.0';
