/**
 * bot-detection's verdicts without a gateway: Kong's bundled rules on real User-Agents,
 * allow before deny before the bundled list, the trimmed value, one User-Agent only, and
 * the bounded verdict cache.
 */
import { describe, expect, it } from 'vitest';
import { handler } from '../../../../core/plugins/bot-detection/handler.js';
import { BOT_RULES } from '../../../../core/plugins/bot-detection/rules.js';
import type { PluginEnv } from '../../../../core/plugins/contract.js';
import { FakeRequest } from '../../../helpers/fake-request.js';

const CHROME = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_11_5) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/50.0.2661.102 Safari/537.36';
const env = {} as PluginEnv;

function verdict(allow: string[], deny: string[], headers: string[]): number | null {
  const req = new FakeRequest({ headers });
  handler.create({ allow, deny }, env, undefined).access?.(req.req, 0);
  return req.exitedWith?.status ?? null;
}

describe('bundled bot rules', () => {
  const isBot = (ua: string): boolean => BOT_RULES.some((r) => new RegExp(r).test(ua));

  it.each([
    'Googlebot/2.1 (+http://www.google.com/bot.html)',
    'facebookexternalhit/1.1',
    'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)',
    'Twitterbot/1.0',
    'Python-urllib/3.11',
    'Apache-HttpClient/4.5.13 (Java/17.0.1)',
    'Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)',
    'Scrapy/2.11.0 (+https://scrapy.org)',
    'Pingdom.com_bot_version_1.4_(http://www.pingdom.com/)',
  ])('catches %s', (ua) => {
    expect(isBot(ua)).toBe(true);
  });

  it.each([CHROME, 'curl/7.43.0', 'HelloWorld', 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1'])('lets %s through', (ua) => {
    expect(isBot(ua)).toBe(false);
  });
});

describe('bot-detection handler', () => {
  it('passes a request without User-Agent and refuses two of them with 400', () => {
    expect(verdict([], [], [])).toBeNull();
    const req = new FakeRequest({ headers: ['user-agent', 'a', 'user-agent', 'b'] });
    handler.create({ allow: [], deny: [] }, env, undefined).access?.(req.req, 0);
    expect(req.exitedWith).toEqual({ status: 400, body: '{"message":"Only one User-Agent header allowed"}', headers: ['content-type', 'application/json; charset=utf-8'] });
  });

  it('answers 403 "Forbidden" to bots and denied agents; allow comes first', () => {
    expect(verdict([], [], ['user-agent', 'facebookexternalhit/1.1'])).toBe(403);
    expect(verdict(['facebookexternalhit'], [], ['user-agent', 'facebookexternalhit/1.1'])).toBeNull();
    expect(verdict(['Hello'], ['Hello'], ['user-agent', 'HelloWorld'])).toBeNull();
    expect(verdict([], ['^HelloWorld$'], ['user-agent', '  HelloWorld \t'])).toBe(403);
    expect(verdict([], ['HelloWorld'], ['user-agent', CHROME])).toBeNull();
    const req = new FakeRequest({ headers: ['user-agent', 'Googlebot/2.1'] });
    handler.create({ allow: [], deny: [] }, env, undefined).access?.(req.req, 0);
    expect(req.exitedWith?.body).toBe('{"message":"Forbidden"}');
  });

  it('remembers verdicts per instance, at most 10 000 of them', () => {
    const h = handler.create({ allow: [], deny: ['^bad-'] }, env, undefined);
    const cached = (): number => (h as unknown as { cached: number }).cached;
    for (let i = 0; i < 10_050; i++) {
      const req = new FakeRequest({ headers: ['user-agent', `${i % 2 === 0 ? 'bad' : 'good'}-${i}`] });
      h.access?.(req.req, 0);
      expect(req.exited).toBe(i % 2 === 0);
    }
    expect(cached()).toBe(10_000);
    // A cached verdict answers the same as a fresh one.
    const again = new FakeRequest({ headers: ['user-agent', 'bad-10048'] });
    h.access?.(again.req, 0);
    expect(again.exitedWith?.status).toBe(403);
  });
});
