/**
 * HTTP dates as nginx reads them (ngx_parse_http_time, behind OpenResty's
 * ngx.parse_http_time): the three forms of RFC 9110 section 5.6.7, the weekday not
 * checked, nothing after the time or year required.
 *
 *   IMF-fixdate  Sun, 06 Nov 1994 08:49:37 GMT
 *   RFC 850      Sunday, 06-Nov-94 08:49:37 GMT     (years < 70 are 20xx)
 *   asctime      Sun Nov  6 08:49:37 1994
 */

const MONTHS: Readonly<Record<string, number>> = {
  Jan: 0, Feb: 1, Mar: 2, Apr: 3, May: 4, Jun: 5, Jul: 6, Aug: 7, Sep: 8, Oct: 9, Nov: 10, Dec: 11,
};

const IMF = /^[^, ]*, (\d\d) ([A-Z][a-z]{2}) (\d{4}) (\d\d):(\d\d):(\d\d)/;
const RFC850 = /^[^, ]*, (\d\d)-([A-Z][a-z]{2})-(\d\d) (\d\d):(\d\d):(\d\d)/;
const ASCTIME = /^[^, ]* ([A-Z][a-z]{2}) ([ \d]\d) (\d\d):(\d\d):(\d\d) (\d{4})/;

function seconds(year: number, month: number | undefined, day: number, h: number, m: number, s: number): number | null {
  if (month === undefined || h > 23 || m > 59 || s > 59 || day < 1) return null;
  const ms = Date.UTC(year, month, day, h, m, s);
  // Date.UTC rolls 31 Feb over into March; nginx refuses a day past the month's end.
  if (new Date(ms).getUTCDate() !== day) return null;
  return ms / 1000;
}

/** Seconds since the epoch, or null when the text is not an HTTP date. */
export function parseHttpDate(text: string): number | null {
  let m = IMF.exec(text);
  if (m !== null) return seconds(Number(m[3]), MONTHS[m[2] as string], Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6]));
  m = RFC850.exec(text);
  if (m !== null) {
    const year = Number(m[3]);
    return seconds(year + (year < 70 ? 2000 : 1900), MONTHS[m[2] as string], Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6]));
  }
  m = ASCTIME.exec(text);
  if (m !== null) {
    return seconds(Number(m[6]), MONTHS[m[1] as string], Number((m[2] as string).trim()), Number(m[3]), Number(m[4]), Number(m[5]));
  }
  return null;
}
