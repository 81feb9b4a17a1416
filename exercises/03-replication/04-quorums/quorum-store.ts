/**
 * Exercise 3.4: quorums. A key-value store with a copy of every key on every node (N of them): any
 * node coordinates a client's get or put by asking all N replicas and waiting for R (a read) or W (a
 * write) of them. Values carry versions, so that the coordinator can tell the newest answer. Part two
 * adds the write-back that makes the store linearizable.
 *
 * This is the one file you edit. The spec is in README.md, next to this file.
 */
import { todo, type NodeFactory } from '#harness';
import type { QuorumConfig } from './protocol.ts';
// 💡 protocol.ts, next to this file, is given: the client messages (GetRequest, PutRequest, GetOk, PutOk,
//    ErrorReply), the replica messages (ReplicaRead, ReplicaReadOk, ReplicaWrite, ReplicaWriteOk),
//    Version, Versioned, NEVER_WRITTEN, QUORUM_TIMEOUT_MS and RequestFilter. Import them as you need them.

const README = 'exercises/03-replication/04-quorums/README.md';

/** Creates a node of a store with quorums `config`. The simulator calls the factory at boot and after every restart. */
export function createQuorumNode(config: QuorumConfig): NodeFactory {
  return (boot) => {
    // 👉 A replica's copy of each key is a Versioned (value + version) in boot.storage / ctx.storage: what
    //    a replica confirmed it holds must survive its crash. A key never written is NEVER_WRITTEN.
    // 💡 A client's request may arrive twice: `new RequestFilter(boot.storage)` and its take(from, message)
    //    tell a copy (false) from a new request (true).
    // 💡 Each put needs a version no other put has: counter + 1, with a writer string that is unique to
    //    this write (this node's id, its boot count kept in storage, and a number that grows).
    void boot;
    void config;
    return {
      // 💡 The parameters start with `_` only so the compiler accepts them unused: drop the `_` as you use them.
      onMessage(_ctx, _from, _message) {
        // 👉 'get' or 'put' from a client: send a ReplicaRead to every node (yourself included) and wait
        //    for config.r distinct replicas. Keep the answer with the newest version (counter, then writer).
        //    - put: send every node a ReplicaWrite of the value under a newer version; after config.w
        //      distinct ReplicaWriteOks, ctx.reply(from, message, { type: 'put_ok' }).
        //    - get (part one): ctx.reply(from, message, { type: 'get_ok', value }) with the newest value.
        //    - get with config.writeBack (part two): first write that newest value back, as a put writes,
        //      and answer once config.w replicas confirmed.
        // 👉 As a replica: answer a ReplicaRead with what you hold; keep a ReplicaWrite's value only if its
        //    version is newer than yours (in storage), then confirm with a ReplicaWriteOk.
        // 💡 Set a timer when an operation starts: after QUORUM_TIMEOUT_MS without its quorum, give it up.
        todo('coordinate gets and puts through R and W replicas, and answer as a replica', README);
      },
      onTimer(_ctx, _timer) {
        // 👉 An operation whose quorum did not answer in time: forget it, and answer an ErrorReply (code TIMEOUT).
        todo('give up an operation whose quorum did not answer in time', README);
      },
    };
  };
}
