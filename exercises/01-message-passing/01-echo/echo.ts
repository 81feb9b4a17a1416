/**
 * Exercise 1.1: Echo. A node that answers every `echo` request with an `echo_ok` carrying the same text.
 *
 * This is the one file you edit. The spec is in README.md, next to this file.
 */
import { todo, type NodeFactory } from '#harness';
// 💡 The messages, EchoRequest and EchoReply, are in protocol.ts next to this file: import them as you need them.

/**
 * Creates an echo node. The simulator calls this once when the node boots (and again after a restart),
 * then calls the handlers of the object it returns.
 */
export const createEchoNode: NodeFactory = () => ({
  // 💡 The parameters start with `_` only so the compiler accepts them unused: drop the `_` as you use them.
  onMessage(_ctx, _from, _message) {
    // 💡 `from` is whoever sent `message`: here, a client such as `c1`. `ctx.id` is this node's own id.
    // 💡 Clients send their requests with `ctx.rpc`, which tags each request with an id. `ctx.reply`
    //    copies that tag into your answer, so the client can match the answer to its request.
    // 👉 When `message.type` is 'echo', answer with ctx.reply(from, message, { type: 'echo_ok', text: ... }).
    // 👉 Ignore message types you do not know: send nothing back.
    todo(
      "answer an 'echo' request with an 'echo_ok' reply carrying the same text",
      'exercises/01-message-passing/01-echo/README.md',
    );
  },
});
