/**
 * Exercise 1.2: Unique IDs. Every node hands out ids that no other request, on any node, ever gets,
 * even across crashes and partitions, without asking any other node.
 *
 * This is the one file you edit. The spec is in README.md, next to this file.
 */
import { type NodeFactory, todo } from '#harness';
// 💡 The messages, GenerateRequest and GenerateReply, are in protocol.ts next to this file: import them as you need them.

/**
 * Creates a unique-id node. The simulator calls this at boot and again after every restart: anything
 * you keep in variables here is lost in a crash. Only `ctx.storage` survives.
 */
export const createUniqueIdNode: NodeFactory = () => ({
  // 💡 `onStart(ctx)` is optional. It runs at boot and after every restart: a good place to read what
  //    you saved in `ctx.storage` before the crash.

  // 💡 The parameters start with `_` only so the compiler accepts them unused: drop the `_` as you use them.
  onMessage(_ctx, _from, _message) {
    // 👉 When `message.type` is 'generate', answer with
    //    ctx.reply(from, message, { type: 'generate_ok', id: ... }).
    // 👉 The id must differ from every id any node ever handed out. Build it from things that are
    //    unique: `ctx.id` is unique among nodes; a counter can be unique within one node.
    // 💡 A counter in a variable starts over after a crash. `ctx.storage.set(key, value)` survives it.
    //    Save before you reply: once the reply has left, the id is out in the world.
    // 💡 A crash can strike between two lines of this handler (after any send, reply or storage write),
    //    not only between messages. Whatever order you pick, a crash between the lines must be harmless.
    // 💡 Do not ask other nodes: during a partition they may be unreachable, and you must still answer.
    todo(
      "answer a 'generate' request with a 'generate_ok' reply carrying a globally unique id",
      'exercises/01-message-passing/02-unique-ids/README.md',
    );
  },
});
