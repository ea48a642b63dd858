// Keyboard navigation of the drawing: the SVG is one tab stop; arrow keys move a roving focus
// through the drawn objects in reading order (entry points, Ingresses, Services, nodes, pods),
// Enter reveals the focused object's manifest line, Space selects it, Escape clears, +/- zoom, 0 fits.
import type { Box } from './layout';
import type { Kind } from './scene';

/** What the keyboard walks: the drawn objects in reading order, and where each is. */
export interface Navigable {
  focusables(): SVGGElement[];
  boxOfElement(el: SVGGElement): Box | undefined;
}

export interface KeyHooks {
  activate(kind: Kind, id: string): void;
  select(kind: Kind, id: string): void;
  clear(): void;
  fit(): void;
  zoom(factor: number): void;
  show(b: Box): void;
}

export function bindKeyboard(svg: SVGSVGElement, scene: Navigable, hooks: KeyHooks): void {
  let current: SVGGElement | null = null;
  const moveTo = (el: SVGGElement | undefined) => {
    if (!el) return;
    if (current) current.setAttribute('tabindex', '-1');
    current = el;
    el.setAttribute('tabindex', '0');
    const box = scene.boxOfElement(el);
    if (box) hooks.show(box);
    el.focus({ preventScroll: true });
  };
  svg.addEventListener('keydown', (e) => {
    const list = scene.focusables();
    const at = current ? list.indexOf(current) : -1;
    const focusedObject = (e.target as Element).closest<SVGGElement>('g.obj');
    switch (e.key) {
      case 'ArrowRight':
      case 'ArrowDown':
        moveTo(list[Math.min(list.length - 1, at + 1)]);
        break;
      case 'ArrowLeft':
      case 'ArrowUp':
        moveTo(list[Math.max(0, at - 1)]);
        break;
      case 'Home':
        moveTo(list[0]);
        break;
      case 'End':
        moveTo(list[list.length - 1]);
        break;
      case 'Enter':
        if (focusedObject) hooks.activate(focusedObject.dataset['kind'] as Kind, focusedObject.dataset['id'] ?? '');
        break;
      case ' ':
        if (focusedObject) hooks.select(focusedObject.dataset['kind'] as Kind, focusedObject.dataset['id'] ?? '');
        break;
      case 'Escape':
        hooks.clear();
        break;
      case '+':
      case '=':
        hooks.zoom(1.4);
        break;
      case '-':
        hooks.zoom(1 / 1.4);
        break;
      case '0':
        hooks.fit();
        break;
      default:
        return;
    }
    e.preventDefault();
  });
}
