/**
 * Config through the real CLI (dist/tools/cli/index.js in a child process):
 * `gatehouse check` on good and bad files (exit codes, summary line, every error with
 * its path, golden error lists from test/fixtures/configs), `gatehouse start` refusing a
 * bad config, and one gateway started from a JSON file that uses nested routes,
 * top-level routes with `service: name`, the `url` shorthand and an upstream with
 * targets, proving each of them routes traffic.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { runCli, startGateway, type Gateway } from '../../helpers/gateway.js';
import { startUpstream, type TestUpstream } from '../../helpers/upstream.js';

const FIXTURES = new URL('../../fixtures/configs/', import.meta.url).pathname;
let dir = '';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'gatehouse-cli-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function golden(name: string): string[] {
  return JSON.parse(readFileSync(join(FIXTURES, `${name}.errors.json`), 'utf8')) as string[];
}

describe('gatehouse check', () => {
  it('exits 0 with a one-line summary on a good YAML file', async () => {
    const file = write(
      'good.yaml',
      [
        '_format_version: "3.0"',
        'services:',
        '  - name: api',
        '    url: http://api.internal:8080/v1',
        '    retries: 2',
        '    routes:',
        '      - name: nested',
        "        paths: [/api, '~/items/\\d+$']",
        '        hosts: ["*.example.test"]',
        '  - name: other',
        '    host: pool.internal',
        'routes:',
        '  - name: top',
        '    service: other',
        '    methods: [GET]',
        'upstreams:',
        '  - name: pool.internal',
        '    targets:',
        '      - target: 127.0.0.1:9001',
        '      - target: 127.0.0.1:9002',
        '        weight: 50',
        '',
      ].join('\n'),
    );
    const res = await runCli(['check', file]);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const lines = res.stdout.trim().split('\n');
    expect(lines).toEqual([`${file}: OK (2 services, 2 routes, 1 upstream, 2 targets, 0 consumers, 0 plugins)`]);
  });

  it('accepts JSON as well as YAML', async () => {
    const file = write(
      'good.json',
      JSON.stringify({ _format_version: '3.0', services: [{ name: 'a', url: 'http://127.0.0.1:1/x', routes: [{ paths: ['/a'] }] }] }),
    );
    const res = await runCli(['check', file]);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('good.json: OK (1 service, 1 route, 0 upstreams, 0 targets, 0 consumers, 0 plugins)');
  });

  for (const name of ['bad-types', 'unknown-fields', 'references', 'routes', 'upstreams']) {
    it(`exits 1 listing every error with its path: ${name}.yaml`, async () => {
      const res = await runCli(['check', join(FIXTURES, `${name}.yaml`)]);
      expect(res.code).toBe(1);
      expect(res.stdout).toBe('');
      const lines = res.stderr.trim().split('\n');
      expect([...lines].sort()).toEqual([...golden(name)].sort());
    });
  }

  it('names the path of a bad field, an unknown field and an unknown service reference', async () => {
    const file = write(
      'bad.yaml',
      [
        '_format_version: "3.0"',
        'services:',
        '  - name: api',
        '    url: http://127.0.0.1:9000',
        '    retries: lots',
        '    colour: blue',
        'routes:',
        '  - name: r',
        '    service: nowhere',
        '    paths: [/r]',
        '',
      ].join('\n'),
    );
    const res = await runCli(['check', file]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('services[0].retries: must be integer');
    expect(res.stderr).toContain('services[0].colour: unknown field');
    expect(res.stderr).toContain('routes[0].service: references unknown service "nowhere"');
  });

  it('reports a YAML syntax error with its line', async () => {
    const file = write('syntax.yaml', '_format_version: "3.0"\nservices:\n  - name: [unclosed\n');
    const res = await runCli(['check', file]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/syntax\.yaml:\d+:\d+: /);
  });

  it('exits non-zero for a missing file', async () => {
    const res = await runCli(['check', join(dir, 'missing.yaml')]);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain('missing.yaml');
  });
});

describe('gatehouse start with a bad config', () => {
  it('exits non-zero and lists every error', async () => {
    const res = await runCli(
      ['start', '--config', join(FIXTURES, 'bad-types.yaml'), '--workers', '1', '--proxy-listen', '127.0.0.1:0', '--admin-listen', '127.0.0.1:0'],
      { GATEHOUSE_ACCESS_LOG: 'off' },
    );
    expect(res.code).not.toBe(0);
    expect(res.code).not.toBeNull();
    for (const line of golden('bad-types')) expect(res.stderr).toContain(line);
    expect(res.stdout).not.toContain('gatehouse ready');
  });

  it('exits non-zero for a bad setting', async () => {
    const res = await runCli(['start', '--config', join(FIXTURES, 'minimal.yaml'), '--workers', 'many', '--proxy-listen', '127.0.0.1:0']);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain('--workers');
  });
});

describe('gatehouse start with a JSON config using every way of declaring routes and services', () => {
  let upstreamA: TestUpstream;
  let upstreamB: TestUpstream;
  let gw: Gateway;

  beforeAll(async () => {
    upstreamA = await startUpstream();
    upstreamB = await startUpstream();
    const config = {
      _format_version: '3.0',
      upstreams: [
        {
          name: 'balanced.internal',
          targets: [{ target: `127.0.0.1:${upstreamA.port}` }, { target: `127.0.0.1:${upstreamB.port}`, weight: 100 }],
        },
      ],
      services: [
        // url shorthand, nested route
        { name: 'shorthand', url: `${upstreamA.url}/short/base`, routes: [{ name: 'nested', paths: ['/nested'] }] },
        // protocol/host/port/path fields, referenced by a top-level route
        { name: 'fields', protocol: 'http', host: '127.0.0.1', port: upstreamB.port, path: '/by-fields' },
        // host names an upstream: traffic goes to its targets
        { name: 'balanced', host: 'balanced.internal', path: '/lb' },
      ],
      routes: [
        { name: 'top-level', service: 'fields', paths: ['/top'] },
        { name: 'to-upstream', service: { name: 'balanced' }, paths: ['/lb'] },
      ],
    };
    gw = await startGateway(JSON.stringify(config, null, 2), { configFileName: 'gatehouse.json' });
  });

  afterAll(async () => {
    expect(await gw?.stop()).toBe(0);
    await upstreamA?.close();
    await upstreamB?.close();
  });

  it('routes a nested route to a service given by url', async () => {
    const res = await request(`${gw.url}/nested/x`);
    expect(res.statusCode).toBe(200);
    expect(((await res.body.json()) as { url: string }).url).toBe('/short/base/x');
  });

  it('routes a top-level route to a service given by protocol/host/port/path', async () => {
    const res = await request(`${gw.url}/top/y`);
    expect(res.statusCode).toBe(200);
    expect(((await res.body.json()) as { url: string }).url).toBe('/by-fields/y');
    expect(upstreamB.received.at(-1)?.url).toBe('/by-fields/y');
  });

  it('balances an upstream with targets over every target', async () => {
    const a = upstreamA.received.length;
    const b = upstreamB.received.length;
    for (let i = 0; i < 10; i++) {
      const res = await request(`${gw.url}/lb/${i}`);
      expect(res.statusCode).toBe(200);
      await res.body.dump();
    }
    const toA = upstreamA.received.length - a;
    const toB = upstreamB.received.length - b;
    expect(toA + toB).toBe(10);
    // equal weights, round robin: an even split
    expect(toA).toBe(5);
    expect(toB).toBe(5);
    expect(upstreamA.received.at(-1)?.url).toMatch(/^\/lb\/\d$/);
  });

  it('answers the admin /status with the loaded config version', async () => {
    const res = await request(`${gw.adminUrl}/status`);
    expect(res.statusCode).toBe(200);
    const status = (await res.body.json()) as { config_version: number; configuration_hash: string };
    expect(status.config_version).toBe(1);
    expect(status.configuration_hash).toMatch(/^[0-9a-f]{16,}$/);
  });
});
