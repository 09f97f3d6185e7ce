/** The Kong-format declarative config the gateway target runs: one service, one catch-all route. */
export function gatehouseConfig(upstreamPort: number): string {
  return [
    '_format_version: "3.0"',
    'services:',
    '  - name: echo',
    `    url: http://127.0.0.1:${upstreamPort}`,
    '    routes:',
    '      - name: all',
    '        paths: ["/"]',
    '        strip_path: false',
    '',
  ].join('\n');
}
