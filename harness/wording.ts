/**
 * Wording for messages a learner reads: counts with the right plural, nouns with the right article.
 * Browser-safe and free of dependencies, so the simulator, the checkers and the tests all word things
 * alike ("1 problem", "an echo_ok").
 *
 * @module
 */

/** `1 read`, `3 reads`; `pluralForm` for nouns that do not take an `s` (`plural(2, 'copy', 'copies')`). */
export function plural(count: number, noun: string, pluralForm = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : pluralForm}`;
}

/**
 * `word` with `a` or `an` before it, by its first letter: `an echo_ok`, `a gossip`, `an ack`. Words
 * that start with a vowel letter but not a vowel sound (`unique`, `one`) take `a`.
 */
export function withArticle(word: string): string {
  const vowelSound = /^[aeiou]/i.test(word) && !/^(uni|use|one|once|eu)/i.test(word);
  return `${vowelSound ? 'an' : 'a'} ${word}`;
}
