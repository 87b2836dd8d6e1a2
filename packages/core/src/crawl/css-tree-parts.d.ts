/**
 * Types of the css-tree parts the CSS extractor loads: `@types/css-tree` describes only the
 * package root, whose import also builds the lexer (its whole property grammar), which the
 * extractor never uses. Each part exports the root's function of the same name as its default.
 */
declare module 'css-tree/parser' {
  import type { parse } from 'css-tree';
  const parser: typeof parse;
  export default parser;
}

declare module 'css-tree/walker' {
  import type { walk } from 'css-tree';
  const walker: typeof walk;
  export default walker;
}

declare module 'css-tree/generator' {
  import type { generate } from 'css-tree';
  const generator: typeof generate;
  export default generator;
}
