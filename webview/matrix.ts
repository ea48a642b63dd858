// The matrix view: a namespace-by-namespace grid of what policy allows (from the engine's
// connectivity list, as `kube-netsim matrix` prints it), and on a click the workload-by-workload
// grid of that pair of namespaces. Each cell is data-kind="matrix-cell" with data-id SRC->DST and
// its connection set as its text; an empty cell allows nothing. All text through textContent.
import type { MatrixCell, MatrixView } from '../src/shared/protocol';
import { button, h } from './controls';

/** Rows and columns of a grid: every source and destination of its cells, sorted, namespaces before other peers. */
function axis(names: Iterable<string>): string[] {
  const peer = (n: string) => (n.startsWith('{') || n.includes('[External]') ? 1 : 0);
  return [...new Set(names)].sort((a, b) => peer(a) - peer(b) || (a < b ? -1 : a > b ? 1 : 0));
}

export class MatrixPanel {
  private data: MatrixView | null = null;
  private pair: { src: string; dst: string } | null = null;
  private waiting: Array<() => void> = [];

  constructor(
    private readonly host: HTMLElement,
    private readonly hooks: { exportCsv(): void; say(text: string): void },
  ) {
    this.render();
  }

  get loaded(): boolean {
    return this.data !== null;
  }

  /** Forgets the data (a re-analysis): the next show asks again. */
  invalidate(): void {
    this.data = null;
  }

  show(data: MatrixView): void {
    this.data = data;
    this.render();
    for (const resolve of this.waiting.splice(0)) resolve();
  }

  /** Resolves once the data is here; `ask` requests it when it is not. */
  whenLoaded(ask: () => void): Promise<void> {
    if (this.data) return Promise.resolve();
    ask();
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private grid(
    cells: MatrixCell[],
    rows: string[],
    cols: string[],
    caption: string,
    onCell?: (src: string, dst: string) => void,
  ): HTMLTableElement {
    const at = new Map(cells.map((c) => [`${c.src}->${c.dst}`, c.conn]));
    const table = h('table', { class: 'matrix-grid' });
    table.append(h('caption', {}, caption));
    const head = h('tr');
    head.append(h('th', { scope: 'col', class: 'corner' }, 'from ↓ to →'));
    for (const c of cols) head.append(h('th', { scope: 'col', title: c }, c));
    table.append(head);
    for (const r of rows) {
      const tr = h('tr');
      tr.append(h('th', { scope: 'row', title: r }, r));
      for (const c of cols) {
        const id = `${r}->${c}`;
        const conn = at.get(id);
        const td = h(
          'td',
          { 'data-kind': 'matrix-cell', 'data-id': id, class: conn === undefined ? 'none' : conn === 'All Connections' ? 'all' : 'some' },
          conn ?? '',
        );
        td.setAttribute('aria-label', `${r} to ${c}: ${conn ?? 'no connections'}`);
        td.title = `${r} → ${c}\n${conn ?? 'no connections allowed'}`;
        if (onCell && conn !== undefined) {
          td.tabIndex = 0;
          td.addEventListener('click', () => onCell(r, c));
          td.addEventListener('keydown', (e) => {
            if (e.key === 'Enter' || e.key === ' ') {
              e.preventDefault();
              onCell(r, c);
            }
          });
        }
        tr.append(td);
      }
      table.append(tr);
    }
    return table;
  }

  private render(): void {
    const tools = h('div', { class: 'matrix-tools' });
    tools.append(
      button('Export CSV', 'Export the connectivity matrix as CSV (as kube-netsim matrix --format csv prints it)', () =>
        this.hooks.exportCsv(),
      ),
    );
    if (!this.data) {
      this.host.replaceChildren(tools, h('p', { class: 'hint' }, 'Computing what the policies allow…'));
      return;
    }
    const d = this.data;
    if (this.pair) {
      const { src, dst } = this.pair;
      const inPair = d.cells.filter(
        (c) => (c.src === src || c.src.startsWith(`${src}/`)) && (c.dst === dst || c.dst.startsWith(`${dst}/`)),
      );
      tools.prepend(button('All namespaces', 'Back to the namespace-by-namespace grid', () => ((this.pair = null), this.render())));
      this.host.replaceChildren(
        tools,
        this.grid(
          inPair,
          axis(inPair.map((c) => c.src)),
          axis(inPair.map((c) => c.dst)),
          `Workloads of ${src} (rows) → workloads of ${dst} (columns): each cell what policy allows, empty when nothing is`,
        ),
      );
      this.hooks.say(`${inPair.length} allowed workload pair(s) from ${src} to ${dst}`);
      return;
    }
    const cells = d.namespaceCells;
    this.host.replaceChildren(
      tools,
      this.grid(
        cells,
        axis(cells.map((c) => c.src)),
        axis(cells.map((c) => c.dst)),
        'What policy allows, namespace (rows) to namespace (columns), empty when nothing is; click a cell for its workloads',
        (src, dst) => {
          this.pair = { src, dst };
          this.render();
        },
      ),
    );
    if (d.cells.length === 0) this.host.append(h('p', { class: 'hint' }, 'No connection is allowed between any two workloads.'));
  }
}
