/**
 * Kong's pagination over a real admin listener: 250 routes created one by one through
 * the API, then walked page by page through `next` — every route once, none twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type Gateway } from '../../helpers/gateway.js';
import { adminClient, type AdminClient } from './admin-client.js';

let gw: Gateway;
let admin: AdminClient;
const COUNT = 250;

beforeAll(async () => {
  gw = await startGateway(['_format_version: "3.0"', 'services:', '  - name: s', '    url: http://127.0.0.1:9'].join('\n'));
  admin = adminClient(gw.adminUrl);
  for (let i = 0; i < COUNT; i++) {
    const r = await admin.post('/services/s/routes', { name: `r${i}`, paths: [`/r${i}`], tags: i % 2 === 0 ? ['even'] : ['odd'] });
    if (r.status !== 201) throw new Error(`route ${i}: ${r.status} ${JSON.stringify(r.body)}`);
  }
});

afterAll(async () => {
  await gw?.stop();
});

async function walk(first: string): Promise<{ names: string[]; pages: number[] }> {
  const names: string[] = [];
  const pages: number[] = [];
  let next: string | null = first;
  while (next !== null) {
    const r = await admin.get(next);
    expect(r.status).toBe(200);
    pages.push(r.body.data.length);
    names.push(...(r.body.data as { name: string }[]).map((x) => x.name));
    if (r.body.next !== null) expect(r.body.offset).toEqual(expect.any(String));
    else expect(r.body.offset).toBeUndefined();
    next = r.body.next as string | null;
  }
  return { names, pages };
}

describe('pagination', () => {
  it('pages 100 at a time by default and visits every route once', async () => {
    const { names, pages } = await walk('/routes');
    expect(pages).toEqual([100, 100, 50]);
    expect(new Set(names).size).toBe(COUNT);
    expect(names.length).toBe(COUNT);
  });

  it('keeps size (and tags) in next', async () => {
    const first = await admin.get('/routes?size=40');
    expect(first.body.next).toMatch(/^\/routes\?offset=[^&]+&size=40$/);
    const { pages, names } = await walk('/routes?size=40');
    expect(pages).toEqual([40, 40, 40, 40, 40, 40, 10]);
    expect(new Set(names).size).toBe(COUNT);
    const even = await walk('/routes?size=100&tags=even');
    expect(even.pages).toEqual([100, 25]);
    expect(even.names.every((n) => Number(n.slice(1)) % 2 === 0)).toBe(true);
  });

  it('pages nested lists too, and a page of 1000 holds everything', async () => {
    const nested = await walk('/services/s/routes?size=200');
    expect(nested.pages).toEqual([200, 50]);
    const all = await admin.get('/routes?size=1000');
    expect(all.body.data).toHaveLength(COUNT);
    expect(all.body.next).toBeNull();
  });

  it('does not skip or repeat when an entity is deleted between pages', async () => {
    const first = await admin.get('/routes?size=100');
    const seen = (first.body.data as { name: string }[]).map((x) => x.name);
    // Delete one route already seen and one not yet seen.
    const unseen = (await admin.get('/routes?size=1000')).body.data.map((x: { name: string }) => x.name).find((n: string) => !seen.includes(n)) as string;
    expect((await admin.del(`/routes/${seen[0] as string}`)).status).toBe(204);
    expect((await admin.del(`/routes/${unseen}`)).status).toBe(204);
    const rest = await walk(first.body.next as string);
    const all = [...seen, ...rest.names];
    expect(new Set(all).size).toBe(all.length);
    expect(all.length).toBe(COUNT - 1);
  });
});
