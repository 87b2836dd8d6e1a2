/** The part of `http-link-header` (no published types) the fuzz test uses. */
declare module 'http-link-header' {
  interface Reference {
    uri: string;
    rel: string;
    [param: string]: string;
  }
  const LinkHeader: { parse(value: string): { refs: Reference[] } };
  export default LinkHeader;
}
