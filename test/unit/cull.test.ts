// Viewport culling of the topology view (webview/cull.ts): what is near the view stays displayed,
// what is far is hidden, and small pans cost no recomputation.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Culler, visibleArea } from '../../webview/cull';

function fakeElement(): Element & { hidden: boolean; toggles: number } {
  const el = {
    hidden: false,
    toggles: 0,
    classList: {
      toggle(name: string, on: boolean) {
        assert.equal(name, 'culled');
        el.hidden = on;
        el.toggles++;
      },
      remove(name: string) {
        assert.equal(name, 'culled');
        el.hidden = false;
      },
    },
  };
  return el as unknown as Element & { hidden: boolean; toggles: number };
}

/** A 100 × 100 grid of 10-unit objects, 100 units apart: 10,000 wide and high. */
function grid() {
  const items = [];
  for (let i = 0; i < 100; i++)
    for (let j = 0; j < 100; j++) items.push({ el: fakeElement(), box: { x: i * 100, y: j * 100, w: 10, h: 10 } });
  return items;
}

describe('viewport culling', () => {
  it('shows what is within one view of the visible area and hides the rest', () => {
    const items = grid();
    const c = new Culler();
    c.setItems(items, true);
    // 1000 × 1000 visible at (5000, 5000): kept is 4000..7000 on each axis, 31 × 31 objects.
    const culled = c.update({ x: 5000, y: 5000, w: 1000, h: 1000 });
    assert.equal(culled, 10_000 - 31 * 31);
    const at = (x: number, y: number) => items.find((i) => i.box.x === x && i.box.y === y)?.el as ReturnType<typeof fakeElement>;
    assert.equal(at(5500, 5500).hidden, false);
    assert.equal(at(4000, 4000).hidden, false);
    assert.equal(at(3900, 5500).hidden, true);
    assert.equal(at(0, 0).hidden, true);
  });

  it('does not recompute for a pan that stays within the kept area, and does when it leaves it', () => {
    const items = grid();
    const c = new Culler();
    c.setItems(items, true);
    c.update({ x: 5000, y: 5000, w: 1000, h: 1000 });
    const toggles = () => items.reduce((n, i) => n + i.el.toggles, 0);
    const before = toggles();
    c.update({ x: 5400, y: 4700, w: 1000, h: 1000 });
    assert.equal(toggles(), before);
    c.update({ x: 6500, y: 5000, w: 1000, h: 1000 });
    assert.ok(toggles() > before);
    assert.equal((items.find((i) => i.box.x === 8400 && i.box.y === 5000)?.el as ReturnType<typeof fakeElement>).hidden, false);
  });

  it('recomputes after zooming far in, so the kept area shrinks with the view', () => {
    const items = grid();
    const c = new Culler();
    c.setItems(items, true);
    assert.equal(c.update({ x: 0, y: 0, w: 10_000, h: 10_000 }), 0);
    assert.ok(c.update({ x: 5000, y: 5000, w: 500, h: 500 }) > 9000);
  });

  it('shows everything for a small cluster and after a reset (export)', () => {
    const items = grid();
    const c = new Culler();
    c.setItems(items, false);
    assert.equal(c.update({ x: 5000, y: 5000, w: 100, h: 100 }), 0);
    c.setItems(items, true);
    assert.ok(c.update({ x: 5000, y: 5000, w: 100, h: 100 }) > 0);
    c.reset();
    assert.ok(items.every((i) => !i.el.hidden));
  });

  it('maps a zoom transform to the content area in view', () => {
    assert.deepEqual(visibleArea({ x: -200, y: -100, k: 2 }, { w: 800, h: 600 }), { x: 100, y: 50, w: 400, h: 300 });
  });
});
