/**
 * The kong.yml corpus (test/fixtures/configs/kong-compat/): files in the shapes `deck
 * gateway dump`, `kong config db_export` and Kong's docs produce, with the plugins real
 * configs use. Every file passes stage 1 (loadConfig: parse + validate + normalize) with
 * no error and the entity counts in expected.json. Serving each one is a later step; most
 * of these plugins are being written on the new plugin contract.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../../core/config/load.js';
import type { NormalizedConfig } from '../../../core/config/types.js';

const dir = new URL('../../fixtures/configs/kong-compat/', import.meta.url);
const files = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();
const expected = JSON.parse(readFileSync(new URL('expected.json', dir), 'utf8')) as Record<string, Record<string, number>>;

/** The plugin kinds real kong.yml files use; the corpus must exercise each one. */
const PLUGINS_IN_USE = [
  'key-auth', 'basic-auth', 'jwt', 'acl', 'cors', 'rate-limiting', 'request-transformer', 'response-transformer',
  'correlation-id', 'prometheus', 'http-log', 'file-log', 'proxy-cache', 'ip-restriction', 'request-size-limiting',
  'request-termination', 'bot-detection', 'hmac-auth', 'redirect', 'opentelemetry', 'syslog', 'tcp-log', 'udp-log',
];

function counts(c: NormalizedConfig): Record<string, number> {
  const credentials = c.consumers.reduce(
    (n, k) => n + [k.keyauth_credentials, k.basicauth_credentials, k.hmacauth_credentials, k.jwt_secrets, k.acls].reduce((m, l) => m + (l?.length ?? 0), 0),
    0,
  );
  return {
    services: c.services.length,
    routes: c.routes.length,
    upstreams: c.upstreams.length,
    targets: c.upstreams.reduce((n, u) => n + u.targets.length, 0),
    consumers: c.consumers.length,
    credentials,
    plugins: c.plugins.length,
    certificates: c.certificates?.length ?? 0,
  };
}

const loaded = new Map<string, NormalizedConfig>();

async function load(file: string): Promise<NormalizedConfig> {
  const cached = loaded.get(file);
  if (cached !== undefined) return cached;
  const r = await loadConfig(fileURLToPath(new URL(file, dir)));
  if (!r.ok) throw new Error(`${file}:\n${r.errors.map((e) => `  ${e.path}: ${e.message}`).join('\n')}`);
  loaded.set(file, r.config);
  return r.config;
}

describe('kong.yml corpus', () => {
  it('has at least 30 files, each with expected counts, in deck-dump and docs styles', () => {
    expect(files.length).toBeGreaterThanOrEqual(30);
    expect(Object.keys(expected).sort()).toEqual(files);
    const texts = files.map((f) => readFileSync(new URL(f, dir), 'utf8'));
    const withIds = texts.filter((t) => /^\s*-? *id: [0-9a-f-]{36}$/m.test(t)).length;
    expect(withIds).toBeGreaterThanOrEqual(12);
    expect(texts.length - withIds).toBeGreaterThanOrEqual(12);
  });

  for (const file of files) {
    it(`${file} passes stage 1 with the expected entity counts`, async () => {
      expect(counts(await load(file))).toEqual(expected[file]);
    });
  }

  it('exercises every plugin kind real configs use', async () => {
    const names = new Set<string>();
    for (const file of files) for (const p of (await load(file)).plugins) names.add(p.name);
    expect(PLUGINS_IN_USE.filter((n) => !names.has(n))).toEqual([]);
  });

  it('reads each compatibility shape the way Kong does', async () => {
    const byName = <T extends { name: string | null }>(list: T[], name: string): T | undefined => list.find((e) => e.name === name);
    // Top-level credentials next to nested ones, by username and by id.
    const flat = await load('34-docs-flat-credentials.yaml');
    expect(flat.consumers[0]?.keyauth_credentials?.map((k) => k.key)).toEqual(['finance-nested-key', 'finance-second-key']);
    expect(flat.consumers[1]?.hmacauth_credentials?.map((h) => h.username)).toEqual(['audit-signer']);
    const exported = await load('18-export-flat-credentials.yaml');
    expect(exported.consumers.map((c) => c.acls?.map((a) => a.group))).toEqual([['partners', 'partners-gold'], ['partners']]);
    // Plugins listing unserved protocols keep them.
    const protocols = await load('27-plugin-protocols.yaml');
    expect(protocols.plugins.map((p) => p.protocols)).toEqual([
      ['grpc', 'grpcs', 'http', 'https'], ['grpcs'], ['http', 'https', 'grpc', 'grpcs', 'ws', 'wss'], ['tcp', 'tls', 'udp'],
    ]);
    // The url wins over the fields beside it.
    const urls = await load('26-url-with-fields.yaml');
    expect(byName(urls.services, 'geo')).toMatchObject({ protocol: 'https', host: 'geo.internal', port: 8443, path: '/v2' });
    expect(byName(urls.services, 'weather')).toMatchObject({ protocol: 'http', host: 'weather.internal', port: 80, path: null });
    // The last repeated key wins.
    const repeated = await load('25-repeated-keys.yaml');
    expect(repeated.services[0]).toMatchObject({ host: 'media.internal', port: 8080 });
    expect(repeated.routes[0]?.strip_path).toBe(false);
    expect(repeated.plugins[0]?.config).toMatchObject({ cache_ttl: 600 });
    // null takes the default.
    const nulls = await load('24-nulls-for-defaults.yaml');
    expect(nulls.services[0]).toMatchObject({ port: 80, protocol: 'http', retries: 5, read_timeout: 60000, enabled: true, tags: [] });
    expect(nulls.routes[0]).toMatchObject({ protocols: ['http', 'https'], strip_path: true, https_redirect_status_code: 426 });
    // deck's _info.defaults fill what entities leave out.
    const defaults = await load('16-deck-info-defaults.yaml');
    expect(defaults.services.map((s) => [s.name, s.retries, s.read_timeout])).toEqual([['inventory', 2, 15000], ['pricing', 2, 2000]]);
    expect(defaults.routes.map((r) => [r.name, r.strip_path, r.protocols])).toEqual([
      ['inventory', false, ['https']], ['inventory-legacy', true, ['https']], ['pricing', false, ['https']],
    ]);
    expect(defaults.upstreams[0]?.targets.map((t) => t.weight)).toEqual([50, 100]);
    // A YAML merge key pulled from an _ignore'd anchor.
    expect((await load('23-docs-comments.yaml')).services[0]).toMatchObject({ connect_timeout: 3000, read_timeout: 10000 });
  });
});
