/**
 * Exercise 5.4 under Maelstrom's `lin-kv` workload. This file is given.
 *
 * Maelstrom's clients send `read {key}`, `write {key, value}` and `cas {key, from, to}` and expect
 * `read_ok {value}`, `write_ok`, `cas_ok` or an error. The translation turns a read into a get and a
 * write into a put (keys and values as JSON text, so `3` and `"3"` stay apart), names the operation by
 * the client and its `msg_id`, and answers:
 * - a cas with error 10 (not supported): this store has get, put and append, not compare-and-set;
 * - a get of a key never written with error 20 (key does not exist);
 * - `not_leader` with error 13, which Maelstrom takes as "may or may not have happened": a leader
 *   deposed after it put the operation in its log answers `not_leader` too, and the new leader may
 *   still commit that entry. (Error 11 would tell Maelstrom's checker it did not happen.)
 */
import type { KvReply, KvRequest } from '../_given/kv-protocol.ts';
import type { MaelstromBinding } from '#harness/maelstrom';

/** Maelstrom's error codes that this translation uses. */
const NOT_SUPPORTED = 10;
const INDEFINITE = 13;
const KEY_DOES_NOT_EXIST = 20;

/** How `npm run kata -- maelstrom kv-store` runs your node. */
export const maelstrom: MaelstromBinding = {
  workload: 'lin-kv',
  file: 'raft.ts',
  factory: 'createRaftNode',
  testOptions: '--time-limit 20 --node-count 3 --concurrency 2n --rate 20',
  translation: {
    toNode: (body, from) => {
      const key = JSON.stringify(body.key ?? null);
      const base = { type: 'KvRequest', clientId: from, seq: body.msg_id ?? 0 } as const;
      switch (body.type) {
        case 'read':
          return { ...base, op: { f: 'get', key } } satisfies KvRequest;
        case 'write':
          return { ...base, op: { f: 'put', key, value: JSON.stringify(body.value ?? null) } } satisfies KvRequest;
        case 'cas':
          return { type: 'error', code: NOT_SUPPORTED, text: 'this store has get, put and append, not cas' };
        default:
          return body;
      }
    },
    toClient: (message, request) => {
      if (message.type !== 'KvReply' || request === undefined) return message;
      const reply = message as KvReply;
      if (!reply.ok) {
        const hint = reply.leaderHint ? `; the leader may be ${reply.leaderHint}` : '';
        return {
          type: 'error',
          code: INDEFINITE,
          text: `not the leader${hint}; if it had reached the log, it may still take effect`,
        };
      }
      if (request.type === 'write') return { type: 'write_ok' };
      const value = reply.output?.value ?? '';
      if (value === '') return { type: 'error', code: KEY_DOES_NOT_EXIST, text: 'key does not exist' };
      return { type: 'read_ok', value: JSON.parse(value) as unknown };
    },
  },
};
