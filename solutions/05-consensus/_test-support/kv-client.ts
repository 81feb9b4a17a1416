/**
 * Mirror of the chapter's test support, for the `solutions` test project: that project redirects every
 * `.ts` file under `exercises/` to its mirror under `solutions/`, and the test support is the same in
 * both projects, so this mirror re-exports the one file.
 */
export * from '../../../exercises/05-consensus/_test-support/kv-client.ts';
