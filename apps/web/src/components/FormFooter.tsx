import { Alert, Button, Group } from "@mantine/core";

/** The end of a create/edit form: the API's error that names no field, then Cancel and Save. */
export function FormFooter(props: {
  /** "webhook", "chain": what the alert says was not saved. */
  what: string;
  error: string | null;
  editing: boolean;
  pending: boolean;
  onCancel: () => void;
}) {
  return (
    <>
      {props.error && (
        <Alert color="red" role="alert" variant="light" title={`The ${props.what} was not saved`}>
          {props.error}
        </Alert>
      )}
      <Group justify="flex-end">
        <Button variant="default" onClick={props.onCancel}>
          Cancel
        </Button>
        <Button type="submit" loading={props.pending}>
          {props.editing ? `Save ${props.what}` : `Create ${props.what}`}
        </Button>
      </Group>
    </>
  );
}
