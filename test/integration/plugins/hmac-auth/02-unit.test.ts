/**
 * hmac-auth: the signature header read as Kong's greedy pattern reads it (checked against
 * that very pattern), and HTTP dates as nginx parses them.
 */
import { describe, expect, it } from 'vitest';
import { parseHttpDate } from '../../../../core/lib/http-date.js';
import { parseHmacParams } from '../../../../core/plugins/hmac-auth/params.js';

/** Kong's pattern (access.lua retrieve_hmac_fields); JS and PCRE agree on it. */
const KONG = /\s*[Hh]mac\s*username="(.+)",\s*algorithm="(.+)",\s*headers="(.+)",\s*signature="(.+)"/;

function kong(value: string): { username: string; algorithm: string; headers: string[]; signature: string } | null {
  const m = KONG.exec(value);
  if (m === null) return null;
  return { username: m[1] as string, algorithm: m[2] as string, headers: (m[3] as string).split(' '), signature: m[4] as string };
}

const CASES = [
  'hmac username="alice", algorithm="hmac-sha256", headers="date request-line", signature="c2lnbmF0dXJl"',
  'Hmac username="alice",algorithm="hmac-sha1",headers="date",signature="abc="',
  'hmacusername="a",algorithm="b",headers="c",signature="d"',
  'Signature keyId, hmac username="x", algorithm="y", headers="z", signature="w" trailing',
  'hmac username="a", algorithm="b", headers="c", signature="d", signature="e"',
  'hmac username="a", algorithm="x", algorithm="b", headers="c", signature="d"',
  'hmac username="quo"ted", algorithm="b", headers="a  b", signature="d"',
  'hmac username="a", algorithm="b", headers="c", signature=""',
  'hmac username="", algorithm="b", headers="c", signature="d"',
  'hmac username="a", algorithm="b", signature="d"',
  'hmac username="a", algorithm="b", headers="c", signature="d',
  'Basic YWxpY2U6cw==',
  '',
];

describe('parseHmacParams', () => {
  it.each(CASES)('reads %j as Kong\'s pattern does', (value) => {
    expect(parseHmacParams(value)).toEqual(kong(value));
  });

  it('splits the header list on single spaces, as Kong does', () => {
    expect(parseHmacParams('hmac username="a", algorithm="b", headers="date  x-date", signature="d"')?.headers).toEqual(['date', '', 'x-date']);
  });

  it('reads a hostile header (thousands of markers, no signature) in one pass', () => {
    const hostile = `hmac username="${'x", algorithm="y", headers="z", '.repeat(3000)}"`;
    expect(parseHmacParams(hostile)).toBeNull();
    const valid = `${hostile.slice(0, -1)}signature="s"`;
    expect(parseHmacParams(valid)?.signature).toBe('s');
  });
});

describe('parseHttpDate (nginx forms)', () => {
  const t = Date.UTC(1994, 10, 6, 8, 49, 37) / 1000;
  it.each([
    ['Sun, 06 Nov 1994 08:49:37 GMT', t],
    ['Sunday, 06-Nov-94 08:49:37 GMT', t],
    ['Sun Nov  6 08:49:37 1994', t],
    ['Xyz, 06 Nov 1994 08:49:37 GMT', t],
    ['Thu, 01-Jan-30 00:00:00 GMT', Date.UTC(2030, 0, 1) / 1000],
  ])('%s', (text, expected) => {
    expect(parseHttpDate(text)).toBe(expected);
  });

  it.each(['', 'yesterday', '1994-11-06T08:49:37Z', 'Sun, 31 Feb 1994 08:49:37 GMT', 'Sun, 06 Nov 1994 24:00:00 GMT', 'Sun, 6 Nov 1994 08:49:37 GMT'])(
    'refuses %j',
    (text) => {
      expect(parseHttpDate(text)).toBeNull();
    },
  );
});
