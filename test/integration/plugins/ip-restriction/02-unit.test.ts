/**
 * The integer IP matcher (core/lib/ip-ranges.ts) ip-restriction runs on: address and CIDR
 * parsing for both families, mapped IPv4, merged ranges, and the handler's deny-then-allow
 * order with Kong's messages.
 */
import { describe, expect, it } from 'vitest';
import { formatIp, IpFamily, IpMatch, IpRangeSet, parseCidr, parseIp } from '../../../../core/lib/ip-ranges.js';
import { handler } from '../../../../core/plugins/ip-restriction/handler.js';
import type { CompiledIpRestriction } from '../../../../core/plugins/ip-restriction/definition.js';
import type { PluginEnv } from '../../../../core/plugins/contract.js';
import { FakeRequest } from '../../../helpers/fake-request.js';

function words(text: string): number[] | null {
  const out = new Uint32Array(4);
  const family = parseIp(text, out);
  if (family === IpFamily.NONE) return null;
  return family === IpFamily.V4 ? [out[0] as number] : [...out];
}

describe('parseIp', () => {
  it.each([
    ['127.0.0.1', [0x7f000001]],
    ['255.255.255.255', [0xffffffff]],
    ['0.0.0.0', [0]],
    ['010.001.0.1', [0x0a010001]],
    ['::1', [0, 0, 0, 1]],
    ['::', [0, 0, 0, 0]],
    ['0:0:0:0:0:0:0:1', [0, 0, 0, 1]],
    ['2001:db8::', [0x20010db8, 0, 0, 0]],
    ['2001:DB8:0:0:8:800:200C:417A', [0x20010db8, 0, 0x00080800, 0x200c417a]],
    ['fe80::1:2', [0xfe800000, 0, 0, 0x00010002]],
    ['1::8', [0x00010000, 0, 0, 8]],
    ['::ffff:10.1.2.3', [0x0a010203]],
    ['0:0:0:0:0:ffff:a01:203', [0x0a010203]],
    ['64:ff9b::192.0.2.33', [0x0064ff9b, 0, 0, 0xc0000221]],
  ])('%s', (text, expected) => {
    expect(words(text)).toEqual(expected);
  });

  it.each(['', '1.2.3', '1.2.3.4.5', '256.1.1.1', '1.2.3.', '1..2.3', '1234.1.1.1', 'a.b.c.d', ':', ':::', '1:::2', '1::2::3', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7', '12345::', '1:', ':1', 'g::1', '::ffff:1.2.3', '1:2:3:4:5:6:7:1.2.3.4', 'example.com', '::1%lo'])('refuses %j', (text) => {
    expect(words(text)).toBeNull();
  });
});

describe('parseCidr', () => {
  it('masks host bits and keeps both bounds', () => {
    expect(parseCidr('10.1.2.3/8')).toEqual({ family: 4, lo: [0x0a000000], hi: [0x0affffff] });
    expect(parseCidr('192.168.1.7')).toEqual({ family: 4, lo: [0xc0a80107], hi: [0xc0a80107] });
    expect(parseCidr('0.0.0.0/0')).toEqual({ family: 4, lo: [0], hi: [0xffffffff] });
    expect(parseCidr('2001:db8::/32')).toEqual({ family: 6, lo: [0x20010db8, 0, 0, 0], hi: [0x20010db8, 0xffffffff, 0xffffffff, 0xffffffff] });
    expect(parseCidr('2001:db8:abcd::/36')).toEqual({ family: 6, lo: [0x20010db8, 0xa0000000, 0, 0], hi: [0x20010db8, 0xafffffff, 0xffffffff, 0xffffffff] });
    expect(parseCidr('::/0')).toEqual({ family: 6, lo: [0, 0, 0, 0], hi: [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff] });
  });

  it('folds a mapped range of /96 or more into the IPv4 range', () => {
    expect(parseCidr('::ffff:10.0.0.0/104')).toEqual({ family: 4, lo: [0x0a000000], hi: [0x0affffff] });
    expect(parseCidr('::ffff:0:0/96')).toEqual({ family: 4, lo: [0], hi: [0xffffffff] });
  });

  it.each(['10.0.0.0/33', '10.0.0.0/', '10.0.0.0/a', '10.0.0.0/8/8', '::/129', '10.0.0.0/0008', 'x/8'])('refuses %j', (text) => {
    expect(parseCidr(text)).toBeNull();
  });
});

describe('IpRangeSet', () => {
  const set = IpRangeSet.from(['10.0.0.0/8', '10.1.0.0/16', '192.168.1.0/24', '192.168.2.0/24', '203.0.113.9', '2001:db8::/32', '2001:db8:1::/48', '::1']);

  it('merges overlapping and adjacent ranges', () => {
    // 10/8 swallows 10.1/16; 192.168.1/24 and .2/24 touch; 2001:db8:1::/48 is inside /32.
    expect(set.size).toBe(5);
  });

  it.each([
    ['10.0.0.0', IpMatch.IN],
    ['10.255.255.255', IpMatch.IN],
    ['11.0.0.0', IpMatch.OUT],
    ['9.255.255.255', IpMatch.OUT],
    ['192.168.2.255', IpMatch.IN],
    ['192.168.3.0', IpMatch.OUT],
    ['203.0.113.9', IpMatch.IN],
    ['203.0.113.10', IpMatch.OUT],
    ['::ffff:10.9.9.9', IpMatch.IN],
    ['0:0:0:0:0:ffff:cb00:7109', IpMatch.IN],
    ['2001:db8:ffff::1', IpMatch.IN],
    ['2001:db9::', IpMatch.OUT],
    ['2001:db7:ffff:ffff:ffff:ffff:ffff:ffff', IpMatch.OUT],
    ['0:0:0:0:0:0:0:1', IpMatch.IN],
    ['::2', IpMatch.OUT],
    ['not-an-ip', IpMatch.NOT_AN_ADDRESS],
  ])('%s', (ip, expected) => {
    expect(set.lookup(ip)).toBe(expected);
  });

  it('an IPv4 set never matches an IPv6 client and the other way round', () => {
    expect(IpRangeSet.from(['0.0.0.0/0']).lookup('2001:db8::1')).toBe(IpMatch.OUT);
    expect(IpRangeSet.from(['::/0']).lookup('10.0.0.1')).toBe(IpMatch.OUT);
  });
});

describe('ip-restriction handler', () => {
  const env = {} as PluginEnv;
  const run = (c: Partial<CompiledIpRestriction>, remoteAddress: string): FakeRequest => {
    const req = new FakeRequest({ remoteAddress });
    handler.create({ allow: [], deny: [], status: 403, body: null, ...c }, env, undefined).access?.(req.req, 0);
    return req;
  };

  it('deny wins over allow; the default message names the client', () => {
    expect(run({ allow: ['10.0.0.0/8'], deny: ['10.0.0.5'] }, '10.0.0.5').exitedWith).toEqual({
      status: 403,
      body: JSON.stringify({ message: 'IP address not allowed: 10.0.0.5' }),
      headers: ['content-type', 'application/json; charset=utf-8'],
    });
    expect(run({ allow: ['10.0.0.0/8'], deny: ['10.0.0.5'] }, '10.0.0.6').exitedWith).toBeNull();
    expect(run({ allow: ['10.0.0.0/8'] }, '11.0.0.1').exitedWith?.status).toBe(403);
    expect(run({ deny: ['10.0.0.0/8'] }, '11.0.0.1').exitedWith).toBeNull();
  });

  it('names an IPv6 client as nginx would', () => {
    expect(run({ deny: ['::1'] }, '0000:0000:0000:0000:0000:0000:0000:0001').exitedWith?.body).toBe(JSON.stringify({ message: 'IP address not allowed: ::1' }));
  });

  it('sends the configured status and body', () => {
    expect(run({ deny: ['::1'], status: 451, body: '{"message":"Go away"}' }, '0:0:0:0:0:0:0:1').exitedWith?.body).toBe('{"message":"Go away"}');
    expect(run({ deny: ['::1'], status: 451, body: '{"message":"Go away"}' }, '0:0:0:0:0:0:0:1').exitedWith?.status).toBe(451);
  });

  it('refuses a client whose address cannot be read, with Kong\'s message', () => {
    expect(run({ allow: ['0.0.0.0/0'] }, '').exitedWith?.body).toBe(JSON.stringify({ message: 'Cannot identify the client IP address, unix domain sockets are not supported.' }));
  });
});

describe('formatIp', () => {
  it.each([
    ['127.0.0.1', '127.0.0.1'],
    ['0000:0000:0000:0000:0000:0000:0000:0001', '::1'],
    ['0:0:0:0:0:0:0:0', '::'],
    ['2001:0DB8:0000:0000:0001:0000:0000:0001', '2001:db8::1:0:0:1'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['fe80:0:0:0:0:0:0:0', 'fe80::'],
    ['0000:0000:0000:0000:0000:ffff:7f00:0001', '::ffff:127.0.0.1'],
    ['garbage:', 'garbage:'],
  ])('%s -> %s', (text, expected) => {
    expect(formatIp(text)).toBe(expected);
  });
});
