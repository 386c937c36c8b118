/**
 * `text` without the slashes it ends with ("https://hooks.example.com//" -> "https://hooks.example.com").
 * A loop, not `/\/+$/`: that RegExp retries from every slash of a run that does not end the text, so
 * its cost grows with the square of the run.
 */
export function withoutTrailingSlashes(text: string): string {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 0x2f) end--;
  return text.slice(0, end);
}
