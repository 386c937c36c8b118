import GithubSlugger from "github-slugger";
import MarkdownIt, { type Token } from "markdown-it";

/**
 * Markdown read as GitHub renders it (CommonMark with GFM tables, by markdown-it), for
 * tests/docs.test.ts: the links a page holds, the anchors its headings make, its tables.
 */

export interface MarkdownPage {
  tokens: Token[];
  lines: string[];
}

const parser = new MarkdownIt({ html: true });

export function parseMarkdown(text: string): MarkdownPage {
  return { tokens: parser.parse(text, {}), lines: text.split("\n") };
}

export interface MarkdownLink {
  url: string;
  /** 1-based. */
  line: number;
}

// An attribute that links in raw HTML (`<img src>`, `<a href>`), which GitHub renders too.
const HTML_LINK = /\b(?:href|src)\s*=\s*(?:"([^"]*)"|'([^']*)')/gi;

/**
 * Where `url` is written in the block starting at `from` (0-based), at or after `cursor` (line,
 * column); markdown-it gives lines of blocks, not of links. A url markdown-it re-encoded is not
 * found as written: then the block's first line (or the cursor's) is the answer.
 */
function locate(page: MarkdownPage, url: string, cursor: { line: number; column: number }, to: number) {
  for (let line = cursor.line; line < to; line++) {
    const column = page.lines[line]?.indexOf(url, line === cursor.line ? cursor.column : 0) ?? -1;
    if (column >= 0) {
      cursor.line = line;
      cursor.column = column + url.length;
      return line + 1;
    }
  }
  return cursor.line + 1;
}

/** The attribute that holds the address, of each inline token that links. */
const LINKING: Record<string, string> = { link_open: "href", image: "src" };

/** Links, images and raw HTML href/src, each with the line it is on. */
export function linksOf(page: MarkdownPage): MarkdownLink[] {
  const links: MarkdownLink[] = [];
  // A table cell's inline token has no lines of its own: those of its row (the last block with some).
  let lines: [number, number] = [0, page.lines.length];
  for (const token of page.tokens) {
    if (token.map) lines = token.map;
    const [from, to] = lines;
    const cursor = { line: from, column: 0 };
    const html = (content: string) => {
      for (const match of content.matchAll(HTML_LINK)) {
        const url = match[1] ?? match[2] ?? "";
        links.push({ url, line: locate(page, url, cursor, to) });
      }
    };
    if (token.type === "html_block") html(token.content);
    for (const child of token.children ?? []) {
      const attribute = LINKING[child.type];
      const url = attribute ? child.attrGet(attribute) : null;
      if (url !== null) links.push({ url: String(url), line: locate(page, String(url), cursor, to) });
      if (child.type === "html_inline") html(child.content);
    }
  }
  return links;
}

/** The text of an inline token as GitHub takes it for an anchor: text and code, not HTML. */
export function textOf(inline: Token | undefined): string {
  return (inline?.children ?? [])
    .filter((child) => child.type === "text" || child.type === "code_inline")
    .map((child) => child.content)
    .join("");
}

/** The inline code spans of an inline token, as written. */
export function inlineCodeOf(inline: Token | undefined): string[] {
  return (inline?.children ?? []).filter((child) => child.type === "code_inline").map((child) => child.content);
}

// An anchor raw HTML sets by itself (`<a name="x">`, `id="x"`).
const HTML_ANCHOR = /\b(?:name|id)\s*=\s*(?:"([^"]*)"|'([^']*)')/gi;

/**
 * The fragments a `#anchor` may name in this page on GitHub: each heading's slug (github-slugger,
 * GitHub's own rule: lower case, punctuation dropped, spaces to hyphens, `-1`, `-2` for repeats,
 * in order) and the ids of raw HTML.
 */
export function anchorsOf(page: MarkdownPage): Set<string> {
  const slugger = new GithubSlugger();
  const anchors = new Set<string>();
  page.tokens.forEach((token, i) => {
    if (token.type === "heading_open") anchors.add(slugger.slug(textOf(page.tokens[i + 1])));
    const html = [token, ...(token.children ?? [])].filter((t) => t.type === "html_block" || t.type === "html_inline");
    for (const t of html) for (const match of t.content.matchAll(HTML_ANCHOR)) anchors.add(match[1] ?? match[2] ?? "");
  });
  return anchors;
}

export interface TableRow {
  /** 1-based. */
  line: number;
  /** Each cell's inline token. */
  cells: Token[];
}

/** Each table: its header row, and the rows below it. */
export function tablesOf(page: MarkdownPage): Array<{ header: TableRow; body: TableRow[] }> {
  const tables: Array<{ header: TableRow; body: TableRow[] }> = [];
  let rows: TableRow[] | null = null;
  for (const token of page.tokens) {
    if (token.type === "table_open") rows = [];
    else if (token.type === "tr_open") rows?.push({ line: (token.map?.[0] ?? 0) + 1, cells: [] });
    else if (token.type === "inline") rows?.at(-1)?.cells.push(token);
    else if (token.type === "table_close" && rows) {
      const [header, ...body] = rows;
      if (header) tables.push({ header, body });
      rows = null;
    }
  }
  return tables;
}
