export function initMenu(element) {
  if (element) element.classList.add('ready');
}
