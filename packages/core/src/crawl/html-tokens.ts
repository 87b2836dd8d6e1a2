/**
 * HTML → refs without building a tree: parse5's tokenizer drives the same per-element logic as the
 * tree-based extractor (`html.ts`), which gives the same `FileExtract` at a fraction of the cost.
 *
 * Why: on a large site, parse5's tree construction with source locations is most of the crawl's
 * time (it allocates a node and a location object per element and text run). The refs only need
 * each element's name, namespace, attributes, position, parent and the text of `<style>`/`<script>`,
 * all of which the token stream has, given a light stack of open elements that mirrors the tree
 * builder where it matters: foreign content (SVG/MathML, and leaving it), raw-text elements,
 * `<template>` content, `<image>` read as `<img>`.
 *
 * Where the tree builder would reshape the document in a way the stack does not model (tables
 * with misplaced content, which the tree "foster-parents"; misnested tags the adoption agency
 * clones; `<select>` dropping elements; framesets; late `<html>`/`<body>` attributes), this
 * extractor gives up and the caller uses the tree. A differential test holds the two equal.
 */
import { foreignContent, html, Tokenizer, TokenizerMode, type DefaultTreeAdapterTypes, type ParserError, type Token, type TokenHandler } from 'parse5';
import { extractHtml, htmlExtract, inPageChrome, newHtmlState, noteFontElement, noteText, STYLE_ATTR_TO_READ, visitElement } from './html.js';
import type { ExtractWarning, FileExtract } from './types.js';

type Element = DefaultTreeAdapterTypes.Element;
type NS = html.NS;
const NS_HTML = html.NS.HTML;
const NS_SVG = html.NS.SVG;
const NS_MATHML = html.NS.MATHML;
const $ = html.TAG_ID;

/** The same filter as the tree-based extractor: only the errors that mean the file was cut off. */
const TRUNCATION_ERRORS = /^eof-in-/;

/** Elements whose content the tree builder reads as text, and the tokenizer state for it (scripting on, as parse5's default). */
const TEXT_STATES = new Map<string, (typeof TokenizerMode)[keyof typeof TokenizerMode]>([
  ['style', TokenizerMode.RAWTEXT],
  ['xmp', TokenizerMode.RAWTEXT],
  ['iframe', TokenizerMode.RAWTEXT],
  ['noembed', TokenizerMode.RAWTEXT],
  ['noframes', TokenizerMode.RAWTEXT],
  ['noscript', TokenizerMode.RAWTEXT],
  ['title', TokenizerMode.RCDATA],
  ['textarea', TokenizerMode.RCDATA],
  ['script', TokenizerMode.SCRIPT_DATA],
  ['plaintext', TokenizerMode.PLAINTEXT],
]);

/** HTML elements html.ts looks at (besides any element's style=""). */
const VISITED_HTML = new Set(['base', 'script', 'link', 'style', 'img', 'source', 'video', 'audio', 'track', 'iframe', 'embed', 'object', 'input', 'astro-island']);
const VOID = new Set(['area', 'base', 'basefont', 'bgsound', 'br', 'col', 'embed', 'hr', 'img', 'input', 'keygen', 'link', 'meta', 'param', 'source', 'track', 'wbr']);
/** Elements an end tag of an ancestor may close without reshaping anything (implied end tags, table parts). */
const IMPLIED_CLOSE = new Set(['p', 'li', 'dd', 'dt', 'option', 'optgroup', 'rb', 'rp', 'rt', 'rtc', 'td', 'th', 'tr', 'tbody', 'thead', 'tfoot', 'caption', 'colgroup']);
/** Formatting elements: the tree builder re-opens (clones) them when they are closed out of order. */
const FORMATTING = new Set(['a', 'b', 'big', 'code', 'em', 'font', 'i', 'nobr', 's', 'small', 'strike', 'strong', 'tt', 'u']);
/** Contexts where anything but table structure is moved out of the table ("foster-parented"). */
const TABLE_CONTEXT = new Set(['table', 'tbody', 'thead', 'tfoot', 'tr']);
const TABLE_CONTENT = new Set(['caption', 'colgroup', 'col', 'tbody', 'thead', 'tfoot', 'tr', 'td', 'th', 'script', 'style', 'template', 'form', 'table']);
const TABLE_PARTS = new Set(['caption', 'colgroup', 'col', 'tbody', 'thead', 'tfoot', 'tr', 'td', 'th']);
/** What may appear in <head> without implying <body>. */
const HEAD_ELEMENTS = new Set(['base', 'basefont', 'bgsound', 'link', 'meta', 'noframes', 'script', 'style', 'template', 'title', 'noscript']);
const SELECT_CONTEXT = new Set(['select', 'option', 'optgroup']);
const SELECT_CONTENT = new Set(['option', 'optgroup', 'hr']);

/**
 * The sets above as bits per name, so that a tag costs one map lookup rather than a set lookup
 * per question (tag names are fresh strings, compared by content every time).
 */
const F_HEAD = 1 << 0;
const F_TABLE_PART = 1 << 1;
const F_TABLE_CONTEXT = 1 << 2;
const F_TABLE_CONTENT = 1 << 3;
const F_SELECT_CONTEXT = 1 << 4;
const F_SELECT_CONTENT = 1 << 5;
const F_FORMATTING = 1 << 6;
const F_VOID = 1 << 7;
const F_VISITED = 1 << 8;
const F_IMPLIED_CLOSE = 1 << 9;
const F_TEXT = 1 << 10;
const NAME_FLAGS = new Map<string, number>();
for (const [names, bit] of [
  [HEAD_ELEMENTS, F_HEAD],
  [TABLE_PARTS, F_TABLE_PART],
  [TABLE_CONTEXT, F_TABLE_CONTEXT],
  [TABLE_CONTENT, F_TABLE_CONTENT],
  [SELECT_CONTEXT, F_SELECT_CONTEXT],
  [SELECT_CONTENT, F_SELECT_CONTENT],
  [FORMATTING, F_FORMATTING],
  [VOID, F_VOID],
  [VISITED_HTML, F_VISITED],
  [IMPLIED_CLOSE, F_IMPLIED_CLOSE],
  [new Set(TEXT_STATES.keys()), F_TEXT],
] as const) {
  for (const name of names) NAME_FLAGS.set(name, (NAME_FLAGS.get(name) ?? 0) | bit);
}
const flagsOf = (name: string): number => NAME_FLAGS.get(name) ?? 0;

/** The tokenizer path cannot be sure to match the tree here: use the tree. */
class NeedsTree extends Error {}

/**
 * parse5's tokenizer, minus the text tokens this extractor throws away. Outside `<style>`,
 * `<script>` and the other text elements, all it needs of the text is whether any of it is not
 * whitespace (text implies `<body>`); building a character token for every run of text and every
 * run of whitespace between words (with a slice of the input and a location each) was about a fifth
 * of the tokenizer's time. `_emitCodePoint` is how the tokenizer emits each code point of text read
 * as is; text it emits otherwise (`_emitChars`: a `<` that opens no tag, a U+FFFD) still arrives
 * as character tokens, which the handler reads the same way.
 */
class RefTokenizer extends Tokenizer {
  /** Whether the handler wants text tokens: set while inside a text element (`raw`). */
  wantText = false;
  /** Whether text that is not whitespace was skipped since the handler last cleared this. */
  skippedText = false;

  /** The text's code points from U+0080 up (what html.ts's `noteText` collects from the tree's text). */
  codePoints: Set<number> | undefined;
  /** Where the next non-ASCII code unit at or after the last text run searched is (see {@link skipText}). */
  nextNonAscii = 0;

  protected override _emitCodePoint(cp: number): void {
    // A lone surrogate: the tree joins text across tags it drops, so two halves can make one code point.
    if (cp >= 0xd800 && cp <= 0xdfff && this.codePoints !== undefined) throw new NeedsTree();
    if (this.wantText) {
      super._emitCodePoint(cp);
      return;
    }
    if (!isSpace(cp)) this.skippedText = true;
    if (cp >= 0x80) this.codePoints?.add(cp);
  }

  /** Whether the preprocessor has the line fields {@link skipText} sets (parse5 8.1's private ones). */
  lineFields = hasLineFields(this.preprocessor);

  /**
   * The data state (text between tags). Outside text elements every code point but `<`, `&`, NUL
   * and EOF only goes to {@link _emitCodePoint}, which only notes non-whitespace; so a run of them
   * is skipped here in one loop instead of one trip per code point through the tokenizer's loop,
   * its state switch and the preprocessor. Text is about half of a typical page's bytes.
   */
  protected override _stateData(cp: number): void {
    if (this.wantText || cp === 0x3c || cp === 0x26 || cp === 0 || cp === EOF) {
      super._stateData(cp);
      return;
    }
    if (cp >= 0xd800 && cp <= 0xdfff && this.codePoints !== undefined) throw new NeedsTree();
    if (!isSpace(cp)) this.skippedText = true;
    if (cp >= 0x80) this.codePoints?.add(cp);
    // advance() reads CR LF as one LF, consuming the code unit after the LF with it: a run never
    // starts on a CR (the tokenizer's loop reads the LF) and stops before one.
    if (this.preprocessor.html.charCodeAt(this.preprocessor.pos) !== 0x0d) this.skipText();
  }

  /**
   * Consume the text after the current code point up to the next code unit the data state treats
   * otherwise (`<`, `&`, NUL), or that the preprocessor does more with than count lines (CR,
   * surrogates, the control and non-characters it reports as parse errors): those go through the
   * tokenizer's own loop. Leaves the preprocessor as that many `advance()` calls would.
   */
  private skipText(): void {
    const p = this.preprocessor as unknown as PreprocessorLines;
    const { html } = p;
    const start = p.pos;
    let i = start + 1;
    let seen = this.skippedText;
    if (this.lineFields) {
      TEXT_STOP.lastIndex = start + 1;
      const stop = TEXT_STOP.test(html) ? TEXT_STOP.lastIndex - 1 : html.length;
      const last = stop - 1;
      if (last > start) {
        if (!seen) {
          NOT_SPACE.lastIndex = start + 1;
          seen = NOT_SPACE.test(html) && NOT_SPACE.lastIndex <= stop;
        }
        // As advance(): the line after an LF starts with the code point after it, once that is read.
        let { line, lineStartPos } = p;
        if (p.isEol) {
          line++;
          lineStartPos = start + 1;
        }
        for (let lf = html.indexOf('\n', start + 1); lf !== -1 && lf < last; lf = html.indexOf('\n', lf + 1)) {
          line++;
          lineStartPos = lf + 1;
        }
        if (this.codePoints !== undefined) {
          // The run holds no surrogates (TEXT_STOP stops at them): one code unit, one code point.
          // The next non-ASCII unit found is kept for the runs after, so an ASCII page is scanned once in all.
          let at = this.nextNonAscii;
          if (at < start + 1) at = nextNonAscii(html, start + 1);
          while (at < stop) {
            this.codePoints.add(html.charCodeAt(at));
            at = nextNonAscii(html, at + 1);
          }
          this.nextNonAscii = at;
        }
        p.pos = last;
        p.line = line;
        p.lineStartPos = lineStartPos;
        p.isEol = html.charCodeAt(last) === 0x0a;
        i = stop;
      }
    } else {
      // Another parse5: the same run, one public advance() at a time.
      for (;;) {
        const next = html.charCodeAt(i);
        if (next === 0x3c || next === 0x26 || next === 0 || next === 0x0d || next !== next) break;
        const cp = p.advance();
        if (cp >= 0xd800 && cp <= 0xdfff && this.codePoints !== undefined) throw new NeedsTree();
        if (!isSpace(cp)) seen = true;
        if (cp >= 0x80) this.codePoints?.add(cp);
        i = p.pos + 1;
      }
    }
    this.consumedAfterSnapshot += i - 1 - start;
    this.skippedText = seen;
  }
}

/** The preprocessor's line bookkeeping: private in parse5's types, plain fields at run time. */
interface PreprocessorLines {
  html: string;
  pos: number;
  line: number;
  lineStartPos: number;
  isEol: boolean;
  advance(): number;
}

function hasLineFields(preprocessor: object): boolean {
  const p = preprocessor as Partial<Record<keyof PreprocessorLines, unknown>>;
  return typeof p.lineStartPos === 'number' && typeof p.isEol === 'boolean' && typeof p.line === 'number' && typeof p.pos === 'number';
}

/**
 * What ends a run of text {@link RefTokenizer.skipText} skips: what the data state treats otherwise
 * (`<`, `&`, NUL), CR (read with the LF after it), surrogates, and the C0/C1 controls and
 * non-characters advance() reports as parse errors. Tab, LF and form feed are text.
 */
const TEXT_STOP = /[<&\0-\x08\x0b\x0d-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\uffff]/g;
const NOT_SPACE = /[^ \n\t\f]/g;
const NON_ASCII_UNIT = /[^\0-\x7f]/g;

/** The index of the first code unit from U+0080 up at or after `from`, or the length. */
function nextNonAscii(html: string, from: number): number {
  NON_ASCII_UNIT.lastIndex = from;
  return NON_ASCII_UNIT.test(html) ? NON_ASCII_UNIT.lastIndex - 1 : html.length;
}

/** EOF as the tokenizer reads it. */
const EOF = -1;

/**
 * parse5's whitespace (CR, which the preprocessor reads as LF, included). NUL is not: before <html>
 * or <body> the tree builder takes it for content, which implies them (in the body it drops it).
 */
const isSpace = (cp: number) => cp === 0x20 || cp === 0x0a || cp === 0x09 || cp === 0x0c || cp === 0x0d;

/** An open element: what `visitElement` reads of a parse5 element, plus what the stack needs. */
interface Open {
  tagName: string;
  tagID: html.TAG_ID;
  /** `flagsOf(tagName)`. */
  flags: number;
  ns: NS;
  attrs: Token.Attribute[];
  location: Token.LocationWithAttributes | null;
  /** Made when needed: as an element that refers to something, or as the parent of one. */
  node: PseudoElement | undefined;
}

/**
 * The fields of a parse5 element that `visitElement` reads. Built from a start tag; `childNodes`
 * holds the one text node of a `<style>`/`<script>` once its end tag (or EOF) is reached.
 */
interface PseudoElement {
  nodeName: string;
  tagName: string;
  namespaceURI: NS;
  attrs: Token.Attribute[];
  sourceCodeLocation: Token.LocationWithAttributes | null | undefined;
  parentNode: PseudoElement | null;
  childNodes: { nodeName: '#text'; value: string; sourceCodeLocation: Token.Location | null | undefined }[];
}

/** A style="" worth reading (a URL or a font family; same test as html.ts): the only attribute of these elements the extractor reads. */
const hasStyleToRead = (attrs: readonly Token.Attribute[]) => attrs.some((a) => a.name === 'style' && !a.prefix && STYLE_ATTR_TO_READ.test(a.value));

/**
 * Extract every reference from an HTML document with the tokenizer. Returns undefined when the
 * document needs the tree builder's restructuring to be read right (see the module comment).
 */
export function extractHtmlTokens(text: string, options: { portableTextSkip?: boolean } = {}): FileExtract | undefined {
  // The stack knows an element's ancestors; html.ts asks only for images.
  const state = newHtmlState(text, () => inPageChrome(stack.filter((o) => o.ns === NS_HTML).map((o) => o.tagName)));
  const parseWarnings: ExtractWarning[] = [];
  const stack: Open[] = [];
  let templates = 0;
  let sawBody = false;
  let sawAnything = false;
  /** A head exists (explicit, or implied by an element or text). */
  let sawHead = false;
  let raw: { node: PseudoElement; chunks: string[]; location: Token.Location | null | undefined } | null = null;

  const top = (): Open | undefined => stack[stack.length - 1];
  const integration = (o: Open, foreignNS?: NS) => foreignContent.isIntegrationPoint(o.tagID, o.ns, o.attrs, foreignNS);

  const visit = (node: PseudoElement) => {
    // html.ts reads only the fields PseudoElement has (name, namespace, attributes, location,
    // parent, text children); the differential test checks the two paths agree.
    visitElement(node as unknown as Element, state);
  };

  const pseudo = (tagName: string, ns: NS, attrs: Token.Attribute[], location: Token.LocationWithAttributes | null, parentNode: PseudoElement | null): PseudoElement => ({
    nodeName: tagName,
    tagName,
    namespaceURI: ns,
    attrs,
    sourceCodeLocation: location,
    parentNode,
    childNodes: [],
  });

  /** The current node as a parent. html.ts reads a parent's name and identity, never its own parent. */
  const parentNode = (): PseudoElement | null => {
    const open = top();
    if (open === undefined) return null;
    open.node ??= pseudo(open.tagName, open.ns, open.attrs, open.location, null);
    return open.node;
  };

  const make = (token: Token.TagToken, ns: NS): PseudoElement => pseudo(token.tagName, ns, token.attrs, token.location, parentNode());

  /** Whether html.ts's visitElement can find anything in this element; most elements are skipped without allocating. */
  const refersToSomething = (token: Token.TagToken, ns: NS, flags: number): boolean =>
    (ns === NS_HTML ? (flags & F_VISITED) !== 0 : ns === NS_SVG && (token.tagName === 'image' || token.tagName === 'use')) || hasStyleToRead(token.attrs);

  /** Visit the element if it can refer to something, and open it unless it is void. */
  const open = (token: Token.TagToken, ns: NS, isVoid: boolean, flags: number) => {
    const node = refersToSomething(token, ns, flags) ? make(token, ns) : undefined;
    if (node !== undefined) visit(node);
    if (!isVoid) stack.push({ tagName: token.tagName, tagID: token.tagID, flags, ns, attrs: token.attrs, location: token.location, node });
  };

  /** Text the tokenizer skipped counts as text seen, as the character token it replaces would have. */
  const sawSkippedText = () => {
    if (tokenizer.skippedText) {
      tokenizer.skippedText = false;
      sawAnything = true;
      sawHead = true;
      sawBody = true;
    }
  };

  const setContext = () => {
    const current = top();
    tokenizer.inForeignNode = current !== undefined && current.ns !== NS_HTML && !integration(current);
  };

  /** Pop down to and including stack[index]; closing anything but implied-end elements reshapes the tree. */
  const popTo = (index: number, lenient: boolean) => {
    for (let i = stack.length - 1; i > index; i--) {
      const open = stack[i]!;
      if (lenient || open.ns !== NS_HTML) continue;
      if ((open.flags & F_IMPLIED_CLOSE) !== 0) continue;
      // A formatting element closed out of order is cloned by the tree builder; harmless unless the clone carries a style="".
      if ((open.flags & F_FORMATTING) !== 0 && !hasStyleToRead(open.attrs)) continue;
      throw new NeedsTree();
    }
    // Popping beats setting `length`, a runtime call, for the one or two elements usually closed.
    while (stack.length > index) stack.pop();
  };

  /** The index of the innermost open HTML element of this name, or -1. */
  const lastOpenHtml = (name: string): number => {
    for (let i = stack.length - 1; i >= 0; i--) {
      const open = stack[i]!;
      if (open.tagName === name && open.ns === NS_HTML) return i;
    }
    return -1;
  };

  const popUntilHtmlOrIntegrationPoint = () => {
    while (stack.length > 0) {
      const current = top()!;
      if (current.ns === NS_HTML || integration(current)) break;
      stack.pop();
    }
  };

  const finishRaw = () => {
    if (raw === null) return;
    const { node, chunks, location } = raw;
    raw = null;
    tokenizer.wantText = false;
    if (chunks.length > 0) node.childNodes.push({ nodeName: '#text', value: chunks.join(''), sourceCodeLocation: location });
    visit(node);
  };

  const startForeign = (token: Token.TagToken) => {
    const ns = top()!.ns;
    if (ns === NS_MATHML) foreignContent.adjustTokenMathMLAttrs(token);
    else if (ns === NS_SVG) {
      foreignContent.adjustTokenSVGTagName(token);
      foreignContent.adjustTokenSVGAttrs(token);
    }
    foreignContent.adjustTokenXMLAttrs(token);
    open(token, ns, token.selfClosing, flagsOf(token.tagName));
  };

  const startHtml = (token: Token.TagToken) => {
    let name = token.tagName;
    if (name === 'image') {
      // The tree builder reads <image> as <img>.
      token.tagName = name = 'img';
      token.tagID = $.IMG;
    }
    if (name === 'html' || name === 'body') {
      // A late or repeated <html>/<body> merges its attributes into the element the tree already
      // has (implied by what came before): its style="" would land elsewhere.
      const late = name === 'html' ? sawAnything : sawBody || stack.length > 0;
      if (name === 'body') sawBody = sawHead = true;
      sawAnything = true;
      if (late && hasStyleToRead(token.attrs)) throw new NeedsTree();
      if (!late && refersToSomething(token, NS_HTML, flagsOf(name))) visit(make(token, NS_HTML));
      return;
    }
    sawAnything = true;
    if (name === 'head') {
      // Only a <head> before anything else opens the head; a later one is ignored.
      if (!sawHead && refersToSomething(token, NS_HTML, flagsOf(name))) visit(make(token, NS_HTML));
      sawHead = true;
      return;
    }
    sawHead = true;
    if (name === 'frameset' || name === 'frame') throw new NeedsTree();
    noteFontElement(state, name);
    const flags = flagsOf(name);
    if ((flags & F_HEAD) === 0) sawBody = true;
    const current = top();
    // Table parts outside a table are dropped, and in <template> depend on what came first.
    if ((flags & F_TABLE_PART) !== 0 && (templates > 0 || !stack.some((o) => o.tagName === 'table' && o.ns === NS_HTML))) throw new NeedsTree();
    if (current && current.ns === NS_HTML && (current.flags & F_TABLE_CONTEXT) !== 0 && (flags & F_TABLE_CONTENT) === 0) {
      const hidden = name === 'input' && token.attrs.some((a) => a.name === 'type' && a.value.toLowerCase() === 'hidden');
      if (!hidden) throw new NeedsTree();
    }
    if (current && current.ns === NS_HTML && (current.flags & F_SELECT_CONTEXT) !== 0 && (flags & F_SELECT_CONTENT) === 0) throw new NeedsTree();

    if (name === 'svg' || name === 'math') {
      const ns = name === 'svg' ? NS_SVG : NS_MATHML;
      if (ns === NS_SVG) foreignContent.adjustTokenSVGAttrs(token);
      else foreignContent.adjustTokenMathMLAttrs(token);
      foreignContent.adjustTokenXMLAttrs(token);
      open(token, ns, token.selfClosing, flags);
      return;
    }
    // The tree builder clones formatting elements closed out of order (and <a> inside <a>): a clone
    // would repeat the references of its style="".
    if ((flags & F_FORMATTING) !== 0 && hasStyleToRead(token.attrs)) throw new NeedsTree();
    const textState = (flags & F_TEXT) !== 0 ? TEXT_STATES.get(name) : undefined;
    if (textState !== undefined) {
      // Visited at its end tag, once its text is known; nothing else can come in between.
      tokenizer.state = textState;
      raw = { node: make(token, NS_HTML), chunks: [], location: undefined };
      tokenizer.wantText = true;
      return;
    }
    open(token, NS_HTML, (flags & F_VOID) !== 0, flags);
    if (name === 'template') {
      templates++;
      state.inTemplate = true;
    }
  };

  const endHtml = (token: Token.TagToken) => {
    const name = token.tagName;
    if (name === 'html' || name === 'head' || name === 'body' || name === 'br') {
      // Early in the document these imply the elements before them (</br> is read as <br>).
      sawAnything = sawHead = true;
      if (name !== 'head') sawBody = true;
      return;
    }
    if (name === 'template') {
      const index = lastOpenHtml('template');
      if (index < 0) return;
      // Template content is its own world: whatever is left open in it is closed with it.
      popTo(index, true);
      templates--;
      state.inTemplate = templates > 0;
      return;
    }
    const index = lastOpenHtml(name);
    if (index < 0) return; // a stray end tag: the tree builder ignores it too
    popTo(index, false);
  };

  const handler: TokenHandler = {
    onParseError(error: ParserError) {
      if (TRUNCATION_ERRORS.test(error.code)) {
        parseWarnings.push({ line: error.startLine, column: error.startCol, code: 'HTML_TRUNCATED', message: `HTML ends early (${error.code}); crawled what was before it` });
      }
    },
    onStartTag(token) {
      sawSkippedText();
      const current = top();
      let foreign = false;
      if (current !== undefined && current.ns !== NS_HTML) {
        const annotationSvg = token.tagID === $.SVG && current.tagName === 'annotation-xml' && current.ns === NS_MATHML;
        foreign = !annotationSvg && (tokenizer.inForeignNode || ((current.tagID === $.MGLYPH || current.tagID === $.MALIGNMARK) && !integration(current, NS_HTML)));
      }
      if (foreign) {
        if (foreignContent.causesExit(token)) {
          popUntilHtmlOrIntegrationPoint();
          startHtml(token);
        } else {
          startForeign(token);
        }
      } else {
        startHtml(token);
      }
      setContext();
    },
    onEndTag(token) {
      sawSkippedText();
      if (raw !== null) {
        // In a text state the tokenizer only ends at this element's own end tag.
        finishRaw();
        return;
      }
      const current = top();
      if (current !== undefined && current.ns !== NS_HTML) {
        if (token.tagID === $.P || token.tagID === $.BR) {
          popUntilHtmlOrIntegrationPoint();
          endHtml(token);
        } else {
          for (let i = stack.length - 1; i >= 0; i--) {
            const open = stack[i]!;
            if (open.ns === NS_HTML) {
              endHtml(token);
              break;
            }
            if (open.tagName.toLowerCase() === token.tagName) {
              while (stack.length > i) stack.pop();
              break;
            }
          }
        }
      } else {
        endHtml(token);
      }
      setContext();
    },
    onCharacter(token) {
      if (raw !== null) {
        raw.location ??= token.location;
        raw.chunks.push(token.chars);
      } else {
        noteText(state, token.chars);
        // Text implies <html> and, outside the head, <body>.
        sawAnything = true;
        sawHead = true;
        sawBody = true;
      }
    },
    onWhitespaceCharacter(token) {
      if (raw !== null) {
        raw.location ??= token.location;
        raw.chunks.push(token.chars);
      }
    },
    onNullCharacter(token) {
      if (raw !== null) {
        raw.location ??= token.location;
        raw.chunks.push(token.chars);
      }
    },
    onComment() {},
    onDoctype() {},
    onEof(token) {
      if (raw !== null && raw.node.tagName !== 'plaintext') {
        // The tree builder's own error for a text element cut off by the end of the file
        // (<plaintext> runs to the end by definition).
        parseWarnings.push({
          line: token.location?.startLine ?? 1,
          column: token.location?.startCol ?? 1,
          code: 'HTML_TRUNCATED',
          message: 'HTML ends early (eof-in-element-that-can-contain-only-text); crawled what was before it',
        });
      }
      finishRaw();
    },
  };
  const tokenizer = new RefTokenizer({ sourceCodeLocationInfo: true }, handler);
  tokenizer.codePoints = state.codePoints;
  // For tests: skip text the way it is skipped with a parse5 whose preprocessor lacks those fields.
  if (options.portableTextSkip) tokenizer.lineFields = false;

  try {
    tokenizer.write(text, true);
  } catch (error) {
    if (error instanceof NeedsTree) return undefined;
    throw error;
  }
  return htmlExtract(state, [...parseWarnings, ...state.warnings]);
}

/** Extract every reference from an HTML document: the tokenizer where it is sure to match the tree, else the tree. */
export function extractHtmlFast(text: string): FileExtract {
  return extractHtmlTokens(text) ?? extractHtml(text);
}
