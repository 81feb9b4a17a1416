/**
 * The network as the simulator runs it: a send is checked and copied, then dropped, delayed or
 * duplicated by the network's settings (drawn from the network's own random stream); a delivery reaches
 * a node that is up and not cut off from the sender.
 *
 * @module
 */
import { shouldDrop, shouldDuplicate, travelTimeMs } from './network.ts';
import type { Message, NodeId, OutgoingMessage } from '../node.ts';
import { copyPayload, PayloadProblem } from './payload.ts';
import type { DropReason } from '../trace/node.ts';
import { describeType, describeValue } from './describe.ts';
import { callHandler, countEffect } from './node-runtime.ts';
import type { Envelope, Runtime, SimState } from './state.ts';
import { withArticle } from '../wording.ts';

/**
 * Sends `message` from `runtime` to `to`; `replyTo` is the rpc it answers, for a `ctx.reply`. Stops the
 * run for an unknown receiver or a message that cannot cross a network.
 */
export function send(
  state: SimState,
  runtime: Runtime,
  to: NodeId,
  message: OutgoingMessage,
  replyTo: number | null = null,
): void {
  const receiver = state.runtimes.get(to);
  if (receiver === undefined) {
    state.stopWith(
      'bad-request',
      runtime.id,
      `${runtime.id} sent a ${describeType(message)} message to ${JSON.stringify(to)}, which is not a node or client of this simulation. ` +
        `Known: ${[...state.runtimes.keys()].join(', ')}. Use an id from ctx.nodeIds or the sender of a message you received.`,
    );
  }
  if (message === null || typeof message !== 'object' || typeof message.type !== 'string') {
    state.stopWith(
      'bad-request',
      runtime.id,
      `${runtime.id} sent ${describeValue(message)} to ${to}: a message must be an object with a string \`type\`, e.g. { type: 'echo', text: 'hi' }.`,
    );
  }
  let copied: { copy: Message; bytes: number };
  try {
    copied = copyPayload(message);
  } catch (error) {
    if (!(error instanceof PayloadProblem)) throw error;
    state.stopWith(
      'bad-request',
      runtime.id,
      `${runtime.id} sent ${withArticle(message.type)} message to ${to} that cannot cross a network: ${error.message}`,
    );
  }
  countEffect(state, runtime, 'messages');
  const recorder = state.recorder;
  const envelope: Envelope = {
    kind: 'deliver',
    id: state.nextMessageId++,
    from: runtime.id,
    to,
    type: message.type,
    message: copied.copy,
    sentAtMs: state.nowMs,
    replyTo,
    // A listener (or the trace, for a large message) keeps the object: then the receiver gets its own copy.
    shared: recorder.listened,
  };
  state.counters.sent(runtime.id, message.type, copied.bytes);
  if (recorder.wanted && recorder.send(envelope, copied.bytes, copied.copy)) envelope.shared = true;
  transmit(state, envelope);
}

function transmit(state: SimState, envelope: Envelope): void {
  if (state.links.isCut(envelope.from, envelope.to)) return drop(state, envelope, 'partition');
  const rng = state.networkRng;
  if (shouldDrop(state.network, rng)) return drop(state, envelope, 'network');
  state.queue.push(state.nowMs + travelTimeMs(state.network, rng), envelope);
  if (shouldDuplicate(state.network, rng)) {
    envelope.shared = true;
    state.counters.duplicated();
    if (state.recorder.wanted) state.recorder.duplicate(state.nowMs, envelope);
    state.queue.push(state.nowMs + travelTimeMs(state.network, rng), envelope);
  }
}

/** Drops `envelope` for `reason`, counting it and writing it to the trace. */
export function drop(state: SimState, envelope: Envelope, reason: DropReason): void {
  state.counters.dropped(reason);
  if (state.recorder.wanted) state.recorder.drop(state.nowMs, envelope, reason);
}

/**
 * Hands a message that has arrived to its receiver, or drops it (receiver down, link cut). A reply to
 * one of the receiver's rpcs goes to `takeReply`, which returns true when it took the message; anything
 * else goes to the receiver's `onMessage`. With `arrived`, the message already reached the receiver
 * while it was paused, so a link cut since does not drop it.
 */
export function deliver(
  state: SimState,
  envelope: Envelope,
  takeReply: (runtime: Runtime, rpcId: number, reply: Message) => boolean,
  { arrived }: { readonly arrived: boolean } = { arrived: false },
): void {
  const runtime = state.runtimes.get(envelope.to)!;
  if (!runtime.up) return drop(state, envelope, 'node-down');
  if (!arrived && state.links.isCut(envelope.from, envelope.to)) return drop(state, envelope, 'partition');
  state.counters.delivered();
  if (state.recorder.wanted) state.recorder.deliver(state.nowMs, envelope);
  // A receiver that changes a message must not change the trace or a duplicate of it.
  const message = (envelope.shared ? copyPayload(envelope.message).copy : envelope.message) as Message & {
    inReplyTo?: unknown;
  };
  // Only a reply sent with ctx.reply is matched to an rpc; a field of the message itself never is.
  if (envelope.replyTo !== null && takeReply(runtime, envelope.replyTo, message)) return;
  if (envelope.replyTo === null && typeof message.inReplyTo === 'number' && runtime.rpcs.has(message.inReplyTo)) {
    state.record({
      t: state.nowMs,
      kind: 'log',
      node: runtime.id,
      text:
        `(simulator) ${envelope.from}'s ${envelope.type} has inReplyTo: ${message.inReplyTo} but was sent with ctx.send, ` +
        `so it is not the reply to ${runtime.id}'s rpc ${message.inReplyTo}: only ctx.reply answers an rpc`,
    });
  }
  const instance = runtime.instance!;
  const context = runtime.context!;
  const during = `handling message #${envelope.id} (${envelope.type}) from ${envelope.from}`;
  callHandler(state, runtime, during, 'message', envelope.type, () =>
    instance.onMessage(context, envelope.from, message),
  );
}
