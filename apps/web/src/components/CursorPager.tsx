import { Button, Group, Text } from "@mantine/core";
import { useState } from "react";

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

/** Previous and next page of a list, shown once it has more than one page. `label` names the list's pages
 * (a page with two paged lists needs two names). */
export function CursorPager({
  pages,
  nextCursor,
  label = "Pages",
}: {
  pages: ReturnType<typeof useCursorPages>;
  nextCursor: string | null | undefined;
  label?: string;
}) {
  if (pages.page === 1 && !nextCursor) return null;
  return (
    <Group justify="flex-end" mt="sm" component="nav" aria-label={label}>
      <Text size="sm" c="dimmed">
        Page {pages.page}
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
