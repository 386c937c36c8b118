import { describe, expect, it } from "vitest";
import { newId } from "./ids.js";
import { countedPage, type IdWindow, LIST_COUNT_CAP, readAllPages, readPage, readPageById } from "./paging.js";

/** A list in memory, read as a findMany would read it: the window's order, after its id, `take` rows. */
function table(ids: string[]) {
  const rows = ids.map((id) => ({ id }));
  return {
    rows,
    read: async ({ idAfter, orderBy, take }: IdWindow) => {
      const ordered = [...rows].sort((a, b) => (orderBy.id === "asc" ? 1 : -1) * a.id.localeCompare(b.id));
      const after = ordered.filter((row) =>
        idAfter === undefined ? true : "lt" in idAfter ? row.id < idAfter.lt : row.id > idAfter.gt,
      );
      return after.slice(0, take);
    },
  };
}

describe("readPage", () => {
  it("gives a cursor only when more rows follow: a list of exactly one page has none", async () => {
    const exact = await readPage(
      { limit: 3 },
      async (take) => ["a", "b", "c"].slice(0, take),
      (row) => row,
    );
    expect(exact).toEqual({ items: ["a", "b", "c"], nextCursor: null });
    const more = await readPage(
      { limit: 2 },
      async (take) => ["a", "b", "c"].slice(0, take),
      (row) => row,
    );
    expect(more).toEqual({ items: ["a", "b"], nextCursor: "b" });
  });
});

describe("readPageById", () => {
  it("walks a list newest first, page by page, each row once", async () => {
    const ids = Array.from({ length: 7 }, () => newId("webhook"));
    const { read } = table(ids);
    const all = await readAllPages((query) => readPageById(query, "desc", read), 3);
    expect(all.map((row) => row.id)).toEqual([...ids].reverse());
  });

  it("neither skips nor repeats a row when rows are added or removed between two pages", async () => {
    const ids = Array.from({ length: 6 }, () => newId("delivery"));
    const list = table(ids);
    const first = await readPageById({ limit: 3 }, "asc", list.read);
    expect(first.items.map((row) => row.id)).toEqual(ids.slice(0, 3));
    // Meanwhile: the first row goes, and a new one comes (newer than all: it sorts last).
    list.rows.splice(0, 1);
    const added = newId("delivery");
    list.rows.push({ id: added });
    const rest = await readAllPages(
      (query) => readPageById({ ...query, cursor: query.cursor ?? (first.nextCursor as string) }, "asc", list.read),
      3,
    );
    expect(rest.map((row) => row.id)).toEqual([...ids.slice(3), added]);
  });
});

describe("countedPage", () => {
  it("says how long the list is, and stops counting one row past the cap", async () => {
    const page = Promise.resolve({ items: [{ id: "a" }], nextCursor: "a" });
    const asked: number[] = [];
    const count = (n: number) => async (take: number) => {
      asked.push(take);
      return Math.min(n, take);
    };
    expect(await countedPage(page, count(3))).toEqual({
      items: [{ id: "a" }],
      nextCursor: "a",
      total: 3,
      totalCapped: false,
    });
    expect(await countedPage(page, count(LIST_COUNT_CAP))).toMatchObject({ total: LIST_COUNT_CAP, totalCapped: false });
    expect(await countedPage(page, count(5 * LIST_COUNT_CAP))).toMatchObject({
      total: LIST_COUNT_CAP,
      totalCapped: true,
    });
    expect(asked).toEqual([LIST_COUNT_CAP + 1, LIST_COUNT_CAP + 1, LIST_COUNT_CAP + 1]);
  });
});
