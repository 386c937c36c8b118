import { Alert, Checkbox, Textarea } from "@mantine/core";

/** How deliveries trust the receiver's certificate: an extra CA, or (warned against) no check at all. */
export function TlsFields({
  tlsCert,
  onTlsCert,
  skip,
  onSkip,
  errors,
}: {
  tlsCert: string;
  onTlsCert: (pem: string) => void;
  skip: boolean;
  onSkip: (skip: boolean) => void;
  errors: Record<string, string | undefined>;
}) {
  return (
    <>
      <Textarea
        label="CA certificate (PEM)"
        description="Optional. For an https receiver whose certificate a private CA signed: trusted besides the system's CAs."
        placeholder="-----BEGIN CERTIFICATE-----"
        value={tlsCert}
        onChange={(e) => onTlsCert(e.currentTarget.value)}
        error={errors.tlsCert}
        autosize
        minRows={2}
        maxRows={8}
        styles={{ input: { fontFamily: "var(--mantine-font-family-monospace)", fontSize: 12 } }}
        spellCheck={false}
      />
      <Checkbox
        label="Skip TLS verification"
        description="Deliveries to https URLs accept any certificate."
        checked={skip}
        onChange={(e) => onSkip(e.currentTarget.checked)}
        error={errors.skipTLSVerification}
      />
      {skip && (
        <Alert color="yellow" variant="light" title="Deliveries are not protected">
          With verification skipped, anyone between Hookyard and the receiver can pose as the receiver and read or
          change deliveries. Prefer giving the receiver's CA certificate above.
        </Alert>
      )}
    </>
  );
}
