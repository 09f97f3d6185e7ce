/** basic-auth: reading `Basic <base64>` as Kong does (nginx's strict base64, `([^:]+):(.*)`). */
import { describe, expect, it } from 'vitest';
import { parseBasic } from '../../../../core/plugins/basic-auth/handler.js';
import { basicAuthHash } from '../../../../core/plugins/basic-auth/password-hash.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64');

function parsed(value: string | undefined): { username: string; password: string } | null {
  const r = parseBasic(value);
  return r === null ? null : { username: r.username, password: r.password.toString('utf8') };
}

describe('parseBasic', () => {
  it('splits at the first colon: the password may hold colons', () => {
    expect(parsed(`Basic ${b64('alice:open:sesame')}`)).toEqual({ username: 'alice', password: 'open:sesame' });
    expect(parsed(`basic ${b64('bob:')}`)).toEqual({ username: 'bob', password: '' });
  });

  it('finds the scheme anywhere, with or without spaces, like Kong\'s unanchored match', () => {
    expect(parsed(`  Basic   ${b64('a:b')}`)).toEqual({ username: 'a', password: 'b' });
    expect(parsed(`Basic${b64('a:b')}`)).toEqual({ username: 'a', password: 'b' });
  });

  it('skips leading colons and ends the password at a line feed, as the pattern does', () => {
    expect(parsed(`Basic ${b64('::a:b')}`)).toEqual({ username: 'a', password: 'b' });
    expect(parsed(`Basic ${b64('a:b\nc')}`)).toEqual({ username: 'a', password: 'b' });
  });

  it('refuses what does not decode or has no colon', () => {
    expect(parsed(undefined)).toBeNull();
    expect(parsed('Bearer abc')).toBeNull();
    expect(parsed('Basic !!!!')).toBeNull();
    expect(parsed(`Basic ${b64('nocolon')}`)).toBeNull();
    expect(parsed(`Basic ${b64(':::')}`)).toBeNull();
    // nginx refuses a length of 4n+1 and any character outside the alphabet.
    expect(parsed('Basic YWJjZ')).toBeNull();
    expect(parsed(`Basic ${b64('a:b')} `)).toBeNull();
  });

  it('stops at the first "=" as nginx does: what follows the padding is ignored', () => {
    expect(parsed(`Basic ${b64('ab:c')}=junk`)).toEqual({ username: 'ab', password: 'c' });
  });
});

describe('basicAuthHash', () => {
  it('is the hex sha1 of the password followed by the consumer id', () => {
    // echo -n 'passwordconsumer-id' | sha1sum
    expect(basicAuthHash('consumer-id', 'password')).toBe('217ca531cccd136088e02c523691816f54178976');
  });
});
