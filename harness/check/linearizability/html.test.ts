import { describe, expect, it } from 'vitest';
import {
  checkLinearizability,
  kvModel,
  registerModel,
  type KvInput,
  type KvOutput,
  type RegisterInput,
  type RegisterOutput,
} from './index.ts';
import { escapeHtml, renderEvidenceHtml } from './html.ts';
import { completed, historyOf, timedOut } from './_test-support/story.ts';

const hostile = '<script>alert("x")</script>&\'';

describe('renderEvidenceHtml', () => {
  it('escapes every piece of user data: values, client ids, keys, title', () => {
    const history = historyOf<KvInput, KvOutput>(
      completed(`<b>client</b>`, [0, 10], { f: 'put', key: hostile, value: hostile }, {}),
      completed('c2', [20, 30], { f: 'get', key: hostile }, { value: '' }),
    );
    const result = checkLinearizability(kvModel, history);
    expect(result.verdict).toBe('illegal');
    const html = renderEvidenceHtml({ title: `${hostile}.edn`, model: kvModel, history, result });
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<b>client</b>');
    expect(html).toContain('&lt;script&gt;alert(\\&quot;x\\&quot;)&lt;/script&gt;&amp;&#39;');
    expect(html).toContain('&lt;b&gt;client&lt;/b&gt;');
  });

  it('is a standalone page: inline style, no script, nothing fetched', () => {
    const history = historyOf<RegisterInput, RegisterOutput>(completed('a', [0, 10], { f: 'write', value: 1 }, {}));
    const html = renderEvidenceHtml({
      title: 'h',
      model: registerModel,
      history,
      result: checkLinearizability(registerModel, history),
    });
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain('<style>');
    expect(html).not.toMatch(/<script|<link|src=|url\(|@import|https?:/);
  });

  it('marks the linearized prefix and the operations that could not be placed', () => {
    const history = historyOf<RegisterInput, RegisterOutput>(
      completed('a', [0, 10], { f: 'write', value: 1 }, {}),
      timedOut('b', 5, { f: 'write', value: 2 }),
      completed('c', [20, 30], { f: 'read' }, { value: null }),
    );
    const result = checkLinearizability(registerModel, history);
    const html = renderEvidenceHtml({ title: 'stale read', model: registerModel, history, result });
    expect(html).toContain('class="verdict illegal"');
    expect(html).toMatch(/class="bar linearized"[^>]*>1\. write\(1\)</);
    expect(html).toMatch(/class="bar unplaceable"[^>]*>read\(\) → \(never written\)</);
    expect(html).toMatch(/class="bar \w+ indeterminate"/);
  });

  it('shows an unknown verdict as no verdict', () => {
    const history = historyOf<RegisterInput, RegisterOutput>(
      completed('a', [0, 10], { f: 'write', value: 1 }, {}),
      completed('b', [0, 10], { f: 'read' }, { value: 1 }),
    );
    const result = checkLinearizability(registerModel, history, { maxSteps: 1 });
    const html = renderEvidenceHtml({ title: 'h', model: registerModel, history, result });
    expect(html).toContain('class="verdict unknown"');
    expect(html).toContain('Nothing was proven either way');
  });
});

describe('escapeHtml', () => {
  it('escapes the five characters that matter in content and attributes', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
  });
});
