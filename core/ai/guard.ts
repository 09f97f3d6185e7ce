/**
 * ai-prompt-guard: allow/deny regular expressions over the prompt, compiled once per
 * config. As in Kong: deny patterns are checked first; when allow patterns exist, at
 * least one must match; only `user` messages are checked unless `match_all_roles`; with
 * `allow_all_conversation_history` only the latest user message is checked. The checked
 * messages are joined with newlines and each pattern is matched against that text.
 */
import type { ChatRequest, Parsed } from './types.js';

export interface PromptGuardConfig {
  allow_patterns?: readonly string[];
  deny_patterns?: readonly string[];
  allow_all_conversation_history?: boolean;
  match_all_roles?: boolean;
}

export interface PromptGuard {
  /** The request unchanged, or the 400 message. */
  check(req: ChatRequest): Parsed<ChatRequest>;
}

export const GUARD_MESSAGES = {
  denied: 'prompt pattern is blocked',
  notAllowed: "prompt doesn't match any allowed pattern",
  empty: 'no prompt to check',
} as const;

/** Compiles the patterns; throws on an invalid one (config validation calls this). */
export function compilePromptGuard(config: PromptGuardConfig): PromptGuard {
  const allow = (config.allow_patterns ?? []).map((p) => new RegExp(p));
  const deny = (config.deny_patterns ?? []).map((p) => new RegExp(p));
  const lastOnly = config.allow_all_conversation_history === true;
  const allRoles = config.match_all_roles === true;
  return {
    check(req) {
      const texts: string[] = [];
      for (let i = req.messages.length - 1; i >= 0; i--) {
        const m = req.messages[i]!;
        if (!allRoles && m.role !== 'user') continue;
        texts.push(m.content.map((p) => (p.type === 'text' ? p.text : '')).join(''));
        if (lastOnly) break;
      }
      if (texts.length === 0) {
        // Nothing to match: an allow-list cannot be satisfied.
        return allow.length > 0 ? { ok: false, message: GUARD_MESSAGES.notAllowed } : { ok: true, value: req };
      }
      const text = texts.reverse().join('\n');
      for (const re of deny) if (re.test(text)) return { ok: false, message: GUARD_MESSAGES.denied };
      if (allow.length > 0 && !allow.some((re) => re.test(text))) return { ok: false, message: GUARD_MESSAGES.notAllowed };
      return { ok: true, value: req };
    },
  };
}

/** Validates patterns for config-time errors: the index and message of each bad one. */
export function invalidPatterns(patterns: readonly string[]): { index: number; message: string }[] {
  const out: { index: number; message: string }[] = [];
  patterns.forEach((p, index) => {
    try {
      new RegExp(p);
    } catch (err) {
      out.push({ index, message: (err as Error).message });
    }
  });
  return out;
}
