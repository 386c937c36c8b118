import { Button, Group } from "@mantine/core";
import { useState } from "react";

/** Cursor paging: the cursors of the pages seen so far, so that "Previous page" can go back. */
export function useCursorPages() {
  const [cursors, setCursors] = useState<string[]>([]);
  return {
    cursor: cursors[cursors.length - 1],
    page: cursors.length + 1,
    next: (cursor: string) => setCursors((seen) => [...seen, cursor]),
    previous: () => setCursors((seen) => seen.slice(0, -1)),
    reset: () => setCursors([]),
  };
}

export function CursorPager({
  pages,
  nextCursor,
}: {
  pages: ReturnType<typeof useCursorPages>;
  nextCursor: string | null | undefined;
}) {
  if (pages.page === 1 && !nextCursor) return null;
  return (
    <Group justify="flex-end" mt="sm" component="nav" aria-label="Pages">
      <Button variant="default" onClick={pages.previous} disabled={pages.page === 1}>
        Previous page
      </Button>
      <Button variant="default" onClick={() => nextCursor && pages.next(nextCursor)} disabled={!nextCursor}>
        Next page
      </Button>
    </Group>
  );
}
