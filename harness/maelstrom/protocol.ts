/**
 * Maelstrom's wire format: one JSON message per line, `{ "src", "dest", "body" }`, and its error codes.
 *
 * @module
 */

/** A message body: a `type`, an optional `msg_id` (a request), an optional `in_reply_to` (a reply). */
export interface MaelstromBody {
  readonly type: string;
  readonly msg_id?: number;
  readonly in_reply_to?: number;
  readonly [field: string]: unknown;
}

/** One line on stdin or stdout. */
export interface MaelstromEnvelope {
  readonly src: string;
  readonly dest: string;
  readonly body: MaelstromBody;
}

/**
 * Maelstrom's error codes (its protocol documentation). Definite errors mean the operation did not
 * happen; `crash` and `timeout` are indefinite: it may have.
 */
export const ERROR_CODES = {
  timeout: 0,
  nodeNotFound: 1,
  notSupported: 10,
  temporarilyUnavailable: 11,
  malformedRequest: 12,
  crash: 13,
  abort: 14,
  keyDoesNotExist: 20,
  keyAlreadyExists: 21,
  preconditionFailed: 22,
  txnConflict: 30,
} as const;

/** An error body: `{ "type": "error", "code": 11, "text": "..." }`. */
export interface MaelstromError {
  readonly type: 'error';
  readonly code: number;
  readonly text: string;
}

/** An error body with Maelstrom's `code` and a sentence for a person. */
export function errorBody(code: number, text: string): MaelstromError {
  return { type: 'error', code, text };
}

/**
 * Reads one line of stdin as an envelope, or says in a sentence why it is not one.
 */
export function parseEnvelope(
  line: string,
): { ok: true; envelope: MaelstromEnvelope } | { ok: false; problem: string } {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    return { ok: false, problem: `not JSON (${error instanceof Error ? error.message : String(error)})` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { ok: false, problem: 'not a JSON object' };
  const { src, dest, body } = value as Record<string, unknown>;
  if (typeof src !== 'string' || typeof dest !== 'string')
    return { ok: false, problem: 'a message needs "src" and "dest" strings' };
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return { ok: false, problem: 'a message needs a "body" object' };
  const { type, msg_id: msgId, in_reply_to: inReplyTo } = body as Record<string, unknown>;
  if (typeof type !== 'string') return { ok: false, problem: 'the body needs a "type" string' };
  if (msgId !== undefined && !Number.isInteger(msgId)) return { ok: false, problem: '"msg_id" must be an integer' };
  if (inReplyTo !== undefined && !Number.isInteger(inReplyTo))
    return { ok: false, problem: '"in_reply_to" must be an integer' };
  return { ok: true, envelope: { src, dest, body: body as MaelstromBody } };
}
