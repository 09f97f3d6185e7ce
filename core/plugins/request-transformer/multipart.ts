/**
 * multipart/form-data bodies as request-transformer edits them (Kong uses lua-multipart):
 * the parts in order, each with its header lines and its value, found by the `name` of
 * its Content-Disposition. Bytes stay bytes: the body is handled as a latin1 string (one
 * character per byte), and names and new values are brought to that form (UTF-8 bytes).
 *
 *   --B\r\n  Content-Disposition: form-data; name="a"\r\n  \r\n  value\r\n  --B--\r\n
 */

interface Part {
  headers: string[];
  /** The Content-Disposition name (latin1 form), or null. */
  name: string | null;
  value: string;
}

const DISPOSITION_NAME = /;\s*name=(?:"([^"]*)"|([^;\s]+))/i;

/** UTF-8 bytes of a JS string, one character per byte. */
export function asBytes(text: string): string {
  return Buffer.from(text, 'utf8').toString('latin1');
}

/** The boundary parameter of a multipart Content-Type, or null. */
export function boundaryOf(contentType: string): string | null {
  const m = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return m === null ? null : (m[1] ?? m[2] ?? null);
}

function nameOf(headers: readonly string[]): string | null {
  for (const line of headers) {
    if (!line.toLowerCase().startsWith('content-disposition:')) continue;
    const m = DISPOSITION_NAME.exec(line);
    return m === null ? null : (m[1] ?? m[2] ?? null);
  }
  return null;
}

export class MultipartBody {
  readonly #boundary: string;
  readonly #parts: Part[];

  private constructor(boundary: string, parts: Part[]) {
    this.#boundary = boundary;
    this.#parts = parts;
  }

  /** The parts of `body` (empty: no parts), or null when it is not well formed. */
  static parse(body: Buffer, boundary: string): MultipartBody | null {
    const parts: Part[] = [];
    if (body.byteLength === 0) return new MultipartBody(boundary, parts);
    const s = body.toString('latin1');
    const delimiter = `--${boundary}`;
    // A preamble before the first delimiter is allowed (and dropped).
    let at = 0;
    if (!s.startsWith(delimiter)) {
      const first = s.indexOf(`\r\n${delimiter}`);
      if (first < 0) return null;
      at = first + 2;
    }
    for (;;) {
      let pos = at + delimiter.length;
      if (s.startsWith('--', pos)) return new MultipartBody(boundary, parts);
      if (!s.startsWith('\r\n', pos)) return null;
      pos += 2;
      let headers: string[] = [];
      if (s.startsWith('\r\n', pos)) pos += 2;
      else {
        const end = s.indexOf('\r\n\r\n', pos);
        if (end < 0) return null;
        headers = s.slice(pos, end).split('\r\n');
        pos = end + 4;
      }
      const next = s.indexOf(`\r\n${delimiter}`, pos);
      if (next < 0) return null;
      parts.push({ headers, name: nameOf(headers), value: s.slice(pos, next) });
      at = next + 2;
    }
  }

  /** The first part called `name` (latin1 form), or undefined. */
  value(name: string): string | undefined {
    for (const p of this.#parts) if (p.name === name) return p.value;
    return undefined;
  }

  delete(name: string): void {
    let w = 0;
    for (const p of this.#parts) if (p.name !== name) this.#parts[w++] = p;
    this.#parts.length = w;
  }

  /** lua-multipart's set_simple: the first part called `name` becomes a plain field, or one is added. */
  setSimple(name: string, value: string): void {
    const part: Part = { headers: [`Content-Disposition: form-data; name="${name}"`], name, value };
    const i = this.#parts.findIndex((p) => p.name === name);
    if (i < 0) this.#parts.push(part);
    else this.#parts[i] = part;
  }

  toBuffer(): Buffer {
    const b = this.#boundary;
    let out = '';
    for (const p of this.#parts) out += `--${b}\r\n${p.headers.join('\r\n')}\r\n\r\n${p.value}\r\n`;
    return Buffer.from(`${out}--${b}--\r\n`, 'latin1');
  }
}
