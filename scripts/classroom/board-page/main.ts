/**
 * The class board's page script: the summary, the report files left out, where the class is stuck,
 * the charts (uPlot, through `harness/charts/browser/`), and a table with one row per learner. All
 * text goes on the page through `textContent`.
 *
 * @module
 */
import { element, markDrawn, readPageData } from '../../../harness/charts/browser/data.ts';
import { drawChart } from '../../../harness/charts/browser/draw.ts';
import { STATUS_WORDS, type BoardCell, type BoardData, type BoardExercise, type BoardLearner } from '../board-data.ts';

const SYMBOLS = { done: '✓', started: '◐', 'not-started': '○', unknown: '?' } as const;

function byId(id: string): HTMLElement {
  const found = document.getElementById(id);
  if (found === null) throw new Error(`The board page has no #${id} element.`);
  return found;
}

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

function summary(data: BoardData): string {
  const parts = [`${plural(data.learners.length, 'learner')}, ${plural(data.exercises.length, 'exercise')}`];
  const times = data.reportTimes;
  if (times !== null)
    parts.push(
      times.oldest === times.newest
        ? `report made ${shortTime(times.oldest)}`
        : `reports made from ${shortTime(times.oldest)} to ${shortTime(times.newest)}`,
    );
  if (data.skipped.length > 0) parts.push(`${plural(data.skipped.length, 'file')} left out (see below)`);
  return parts.join('; ') + '.';
}

function shortTime(iso: string): string {
  return `${iso.slice(0, 16).replace('T', ' ')} UTC`;
}

function showProblems(data: BoardData): void {
  if (data.skipped.length === 0 && data.duplicates.length === 0) return;
  const section = byId('problems');
  section.hidden = false;
  if (data.skipped.length > 0) {
    section.append(element('h2', `${plural(data.skipped.length, 'report file')} left out`));
    const list = element('ul');
    list.id = 'skipped';
    for (const skipped of data.skipped) {
      const item = element('li');
      item.append(element('span', skipped.file, 'file'), `: ${skipped.reason}`);
      list.append(item);
    }
    section.append(list);
  }
  if (data.duplicates.length > 0) {
    section.append(element('h2', 'Learners with several reports'));
    const list = element('ul');
    list.id = 'duplicates';
    for (const duplicate of data.duplicates) list.append(element('li', duplicate.text));
    section.append(list);
  }
}

function showStuck(data: BoardData): void {
  const list = byId('stuck');
  if (data.stuck.length === 0) {
    list.replaceWith(element('p', 'Nobody is in the middle of an exercise.', 'muted'));
    return;
  }
  for (const stuck of data.stuck) {
    const item = element('li');
    item.append(element('strong', stuck.exercise.title), `: ${plural(stuck.learners.length, 'learner')} in progress. `);
    if (stuck.commonFailure === null) {
      item.append(element('span', 'No first failing test recorded.', 'muted'));
    } else {
      item.append(
        'Most common first failing test: ',
        element('span', stuck.commonFailure.test, 'test'),
        ` (${stuck.commonFailure.learners} of ${stuck.failuresKnown} who report one).`,
      );
    }
    item.append(element('br'), element('span', stuck.learners.join(', '), 'who'));
    item.dataset['exercise'] = stuck.exercise.id;
    list.append(item);
  }
}

function cellText(cell: BoardCell): { main: string; extra: string } {
  const tests =
    cell.testsLoad === false
      ? ' does not load'
      : cell.status === 'started' && cell.testsTotal !== null
        ? ` ${cell.testsPassed ?? 0}/${cell.testsTotal}`
        : '';
  const extra = [
    cell.hintsSeen > 0 ? plural(cell.hintsSeen, 'hint') : '',
    cell.bugKatasSolved > 0 ? `${cell.bugKatasSolved} bug${cell.bugKatasSolved === 1 ? '' : 's'}` : '',
  ].filter((part) => part !== '');
  return { main: SYMBOLS[cell.status] + tests, extra: extra.join(' · ') };
}

function cellTitle(exercise: BoardExercise, cell: BoardCell): string {
  const parts = [`${exercise.title}: ${STATUS_WORDS[cell.status]}`];
  if (cell.testsTotal !== null) parts.push(`${cell.testsPassed ?? 0} of ${cell.testsTotal} tests pass`);
  if (cell.testsLoad === false) parts.push('the tests do not load');
  parts.push(`${cell.hintsSeen}${cell.hintsTotal === null ? '' : ` of ${cell.hintsTotal}`} hints read`);
  if (cell.bugKatasTotal > 0) parts.push(`${cell.bugKatasSolved} of ${cell.bugKatasTotal} bug katas solved`);
  if (cell.firstFailingTest !== null) parts.push(`first failing test: ${cell.firstFailingTest}`);
  return parts.join('; ');
}

function learnerRow(data: BoardData, learner: BoardLearner): HTMLTableRowElement {
  const row = element('tr');
  const name = element('td', learner.name, 'name');
  name.title = `${learner.file}, made ${shortTime(learner.generatedAt)}`;
  row.append(name, element('td', `${learner.done}`));
  data.exercises.forEach((exercise, column) => {
    const cell = learner.cells[column] ?? null;
    if (cell === null) {
      const missing = element('td', '–', 'cell missing');
      missing.title = `${exercise.title}: not in this learner's report`;
      row.append(missing);
      return;
    }
    const { main, extra } = cellText(cell);
    const td = element('td', main, `cell ${cell.status}`);
    if (extra !== '') td.append(element('span', extra, 'extra'));
    td.title = cellTitle(exercise, cell);
    row.append(td);
  });
  row.append(element('td', `${learner.hintsSeen}`), element('td', `${learner.bugKatasSolved}`));
  return row;
}

function showTable(data: BoardData): void {
  const table = byId('learners') as HTMLTableElement;
  const head = element('tr');
  head.append(element('th', 'learner', 'name'), element('th', 'done'));
  for (const exercise of data.exercises) {
    const th = element('th', exercise.label);
    th.title = exercise.title;
    head.append(th);
  }
  head.append(element('th', 'hints read'), element('th', 'bugs found'));
  table.createTHead().append(head);
  const body = table.createTBody();
  for (const learner of data.learners) body.append(learnerRow(data, learner));
  const legend = byId('legend');
  for (const status of ['done', 'started', 'not-started', 'unknown'] as const)
    legend.append(element('span', `${SYMBOLS[status]} ${STATUS_WORDS[status]}`));
  legend.append(
    element('span', '3/7: tests passing · hints: hints read · bugs: bug katas solved · hover a cell for more'),
  );
}

const data = readPageData<BoardData>();
byId('summary').textContent = summary(data);
showProblems(data);
showStuck(data);
const charts = byId('charts');
for (const chart of data.charts) drawChart(charts, chart, { height: 240 });
showTable(data);
markDrawn(data.charts.length);
