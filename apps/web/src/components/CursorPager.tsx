import { Button, Group, Text } from "@mantine/core";
import { useState } from "react";
import { PAGE_SIZE } from "../api/client";

/**
 * Cursor paging: the cursors of the pages seen so far, so that "Previous page" can go back. A new
 * `resetOn` (a search, a filter) starts again at the first page.
 */
export function useCursorPages(resetOn: unknown = null) {
  const [seen, setSeen] = useState<{ for: unknown; cursors: string[] }>({ for: resetOn, cursors: [] });
  const cursors = Object.is(seen.for, resetOn) ? seen.cursors : [];
  return {
    cursor: cursors[cursors.length - 1],
    page: cursors.length + 1,
    next: (cursor: string) => setSeen({ for: resetOn, cursors: [...cursors, cursor] }),
    previous: () => setSeen({ for: resetOn, cursors: cursors.slice(0, -1) }),
    reset: () => setSeen({ for: resetOn, cursors: [] }),
  };
}

const count = new Intl.NumberFormat("en-US");

/** "1–20 of 1,234" (or "of 10,000+" when the list's count stopped at its cap). */
export function pageRange(page: number, shown: number, total: number, capped = false, pageSize = PAGE_SIZE): string {
  const first = shown === 0 ? 0 : (page - 1) * pageSize + 1;
  const last = shown === 0 ? 0 : first + shown - 1;
  return `${count.format(first)}–${count.format(last)} of ${count.format(total)}${capped ? "+" : ""}`;
}

/**
 * Previous and next page of a list, shown once it has more than one page, and where the page is in
 * the list ("1–20 of 1,234") when the list says how long it is. `label` names the list's pages (a
 * page with two paged lists needs two names).
 */
export function CursorPager({
  pages,
  nextCursor,
  label = "Pages",
  shown,
  total,
  totalCapped = false,
}: {
  pages: ReturnType<typeof useCursorPages>;
  nextCursor: string | null | undefined;
  label?: string;
  /** Rows on this page. */
  shown?: number;
  /** Rows of the whole list, when the API counts them. */
  total?: number | undefined;
  totalCapped?: boolean | undefined;
}) {
  const range =
    total !== undefined && shown !== undefined
      ? pageRange(pages.page, shown, total, totalCapped)
      : `Page ${pages.page}`;
  if (pages.page === 1 && !nextCursor) {
    return total === undefined || total === 0 ? null : (
      <Text size="sm" c="dimmed" ta="right" mt="sm">
        {range}
      </Text>
    );
  }
  return (
    <Group justify="flex-end" mt="sm" component="nav" aria-label={label}>
      <Text size="sm" c="dimmed">
        {range}
      </Text>
      <Button variant="default" onClick={pages.previous} disabled={pages.page === 1}>
        Previous page
      </Button>
      <Button variant="default" onClick={() => nextCursor && pages.next(nextCursor)} disabled={!nextCursor}>
        Next page
      </Button>
    </Group>
  );
}
