/**
 * Test support for chapter 6 (not a learner file): counts a node's writes to durable storage (every
 * `set` and every `delete`), the log writes that presumed abort saves. The node is wrapped, not
 * changed: its handlers get a context whose storage counts, and does the same as before.
 *
 * @module
 */
import type { DurableStorage, Message, Node, NodeContext, NodeFactory, NodeId } from '#harness';

/** The writes counted so far: one per `storage.set` or `storage.delete`, and the keys they touched. */
export class LogWrites {
  #count = 0;
  readonly #keys: string[] = [];

  /** How many writes so far. */
  get count(): number {
    return this.#count;
  }

  /** The keys written, in order (a key twice if written twice). */
  get keys(): readonly string[] {
    return this.#keys;
  }

  /** Notes one write of `key`. */
  note(key: string): void {
    this.#count++;
    this.#keys.push(key);
  }
}

/** `factory`'s node, with every write to its durable storage counted in `writes`. */
export function countingLogWrites(factory: NodeFactory, writes: LogWrites): NodeFactory {
  return (ctx) => {
    const node = factory(counted(ctx, writes));
    const wrapped: Node = {
      onMessage: (c: NodeContext, from: NodeId, message: Message) => node.onMessage(counted(c, writes), from, message),
    };
    if (node.onStart !== undefined) wrapped.onStart = (c) => node.onStart!(counted(c, writes));
    if (node.onTimer !== undefined) wrapped.onTimer = (c, timer) => node.onTimer!(counted(c, writes), timer);
    // The state the tests read (a participant's maps) stays visible on the wrapper.
    return Object.assign(Object.create(node) as object, wrapped) as Node;
  };
}

/** `ctx` with a storage that counts its writes; everything else is `ctx`'s own. */
function counted(ctx: NodeContext, writes: LogWrites): NodeContext {
  const inner = ctx.storage;
  const storage: DurableStorage = {
    get: <T>(key: string) => inner.get<T>(key),
    set: (key, value) => {
      writes.note(key);
      inner.set(key, value);
    },
    delete: (key) => {
      writes.note(key);
      inner.delete(key);
    },
    keys: () => inner.keys(),
  };
  return new Proxy(ctx, {
    get(target, property) {
      if (property === 'storage') return storage;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
