import { initMenu } from './menu.js';

initMenu(document.querySelector('.menu'));
