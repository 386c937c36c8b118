import { Anchor } from "@mantine/core";
import { Link } from "react-router";
import { EmptyNote } from "./EmptyNote";
import { PageHeader } from "./PageHeader";

export function NotFound({ what, explanation }: { what: string; explanation?: string }) {
  return (
    <>
      <PageHeader title="Not found" />
      <EmptyNote title={`No ${what} here`}>
        {explanation ?? `It does not exist, or you may not manage it.`}{" "}
        <Anchor component={Link} to="/repositories">
          Back to your repositories
        </Anchor>
      </EmptyNote>
    </>
  );
}
