export const items = ['Espresso', 'Pour-over', 'Cold brew'];
