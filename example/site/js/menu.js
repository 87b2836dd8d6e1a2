import { items } from './menu-items.js';

export function initMenu(element) {
  if (!element) return;
  element.classList.add('ready');
  element.dataset.items = String(items.length);
}
