// Plugin configuration: the bytes the gateway hands over (filter `config`), and a small
// JSON reader for the common case of a JSON object.
import { getBuffer } from "./body";
import { BufferType } from "./types";

export function pluginConfig(): ArrayBuffer { return getBuffer(BufferType.PluginConfiguration); }
export function pluginConfigText(): string { return String.UTF8.decode(pluginConfig()); }
export function vmConfigText(): string { return String.UTF8.decode(getBuffer(BufferType.VmConfiguration)); }

export enum JsonKind { Null, Bool, Number, String, Array, Object }

/** A parsed JSON value. Lookups on the wrong kind return the supplied default. */
export class JsonValue {
  kind: JsonKind = JsonKind.Null;
  bool: bool = false;
  num: f64 = 0;
  str: string = "";
  items: JsonValue[] = [];
  keys: string[] = [];

  get(key: string): JsonValue | null {
    if (this.kind != JsonKind.Object) return null;
    for (let i = this.keys.length - 1; i >= 0; i--) if (this.keys[i] == key) return this.items[i];
    return null;
  }
  getString(key: string, dflt: string = ""): string {
    const v = this.get(key);
    return v !== null && v.kind == JsonKind.String ? v.str : dflt;
  }
  getNumber(key: string, dflt: f64 = 0): f64 {
    const v = this.get(key);
    return v !== null && v.kind == JsonKind.Number ? v.num : dflt;
  }
  getBool(key: string, dflt: bool = false): bool {
    const v = this.get(key);
    return v !== null && v.kind == JsonKind.Bool ? v.bool : dflt;
  }
  /** String items of an array field (non-strings skipped). */
  getStrings(key: string): string[] {
    const out = new Array<string>();
    const v = this.get(key);
    if (v === null || v.kind != JsonKind.Array) return out;
    for (let i = 0; i < v.items.length; i++) if (v.items[i].kind == JsonKind.String) out.push(v.items[i].str);
    return out;
  }
}

class Parser {
  pos: i32 = 0;
  ok: bool = true;
  constructor(public s: string) {}

  ws(): void {
    while (this.pos < this.s.length) {
      const c = this.s.charCodeAt(this.pos);
      if (c != 32 && c != 9 && c != 10 && c != 13) break;
      this.pos++;
    }
  }

  value(depth: i32): JsonValue {
    const v = new JsonValue();
    this.ws();
    if (depth > 64 || this.pos >= this.s.length) { this.ok = false; return v; }
    const c = this.s.charCodeAt(this.pos);
    if (c == 123) { // {
      v.kind = JsonKind.Object;
      this.pos++;
      this.ws();
      if (this.s.charCodeAt(this.pos) == 125) { this.pos++; return v; }
      while (this.ok) {
        this.ws();
        if (this.s.charCodeAt(this.pos) != 34) { this.ok = false; break; }
        v.keys.push(this.string());
        this.ws();
        if (this.s.charCodeAt(this.pos) != 58) { this.ok = false; break; }
        this.pos++;
        v.items.push(this.value(depth + 1));
        this.ws();
        const d = this.s.charCodeAt(this.pos++);
        if (d == 125) break;
        if (d != 44) this.ok = false;
      }
    } else if (c == 91) { // [
      v.kind = JsonKind.Array;
      this.pos++;
      this.ws();
      if (this.s.charCodeAt(this.pos) == 93) { this.pos++; return v; }
      while (this.ok) {
        v.items.push(this.value(depth + 1));
        this.ws();
        const d = this.s.charCodeAt(this.pos++);
        if (d == 93) break;
        if (d != 44) this.ok = false;
      }
    } else if (c == 34) {
      v.kind = JsonKind.String;
      v.str = this.string();
    } else if (this.s.startsWith("true", this.pos)) {
      v.kind = JsonKind.Bool; v.bool = true; this.pos += 4;
    } else if (this.s.startsWith("false", this.pos)) {
      v.kind = JsonKind.Bool; this.pos += 5;
    } else if (this.s.startsWith("null", this.pos)) {
      this.pos += 4;
    } else {
      const start = this.pos;
      while (this.pos < this.s.length) {
        const d = this.s.charCodeAt(this.pos);
        if (!((d >= 48 && d <= 57) || d == 45 || d == 43 || d == 46 || d == 101 || d == 69)) break;
        this.pos++;
      }
      if (start == this.pos) { this.ok = false; return v; }
      v.kind = JsonKind.Number;
      v.num = parseFloat(this.s.substring(start, this.pos));
    }
    return v;
  }

  string(): string {
    this.pos++; // opening quote
    let out = "";
    let start = this.pos;
    while (this.pos < this.s.length) {
      const c = this.s.charCodeAt(this.pos);
      if (c == 34) {
        out += this.s.substring(start, this.pos);
        this.pos++;
        return out;
      }
      if (c == 92) {
        out += this.s.substring(start, this.pos);
        const e = this.s.charCodeAt(this.pos + 1);
        if (e == 110) out += "\n";
        else if (e == 116) out += "\t";
        else if (e == 114) out += "\r";
        else if (e == 98) out += "\b";
        else if (e == 102) out += "\f";
        else if (e == 117) {
          out += String.fromCharCode(<i32>parseInt(this.s.substring(this.pos + 2, this.pos + 6), 16));
          this.pos += 4;
        } else out += String.fromCharCode(e);
        this.pos += 2;
        start = this.pos;
        continue;
      }
      this.pos++;
    }
    this.ok = false;
    return out;
  }
}

/** Parse JSON text; null when it is not valid JSON. */
export function parseJson(text: string): JsonValue | null {
  const p = new Parser(text);
  const v = p.value(0);
  p.ws();
  if (!p.ok || p.pos != text.length) return null;
  return v;
}

/** The plugin configuration parsed as JSON; null when empty or invalid. */
export function pluginConfigJson(): JsonValue | null {
  const text = pluginConfigText();
  return text.length == 0 ? null : parseJson(text);
}
