/** ai-prompt-guard runs inside the route's AI exchange (ai-proxy/handler.ts reads its config). */
import { companionHandler } from '../ai-proxy/companions.js';

export const handler = companionHandler('ai-prompt-guard');
