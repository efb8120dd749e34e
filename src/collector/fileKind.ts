/**
 * What a file that is not ours looks like, in words for a message ("it looks like NDJSON"), from
 * its first bytes. `cut` says the bytes stop before the end of the file, so the last line may be
 * incomplete and is not judged.
 */
export function looksLike(head: Buffer, cut: boolean): string {
  if (head.length === 0) return 'an empty file';
  if (head.includes(0)) return 'binary data';
  const text = new TextDecoder('utf-8', { fatal: false }).decode(head);
  if (text.includes('\uFFFD')) return 'binary data';
  const lines = text.split('\n');
  if (cut || lines[lines.length - 1] === '') lines.pop();
  const filled = lines.map((l) => l.trim()).filter((l) => l !== '');
  if (filled.length === 0) return 'blank text';
  if (!cut && parsesAsJson(text)) return 'JSON';
  if (filled.every((l) => l.startsWith('{') && parsesAsJson(l))) return 'NDJSON';
  if (/^\s*</.test(text)) return 'XML or HTML';
  return 'text';
}

function parsesAsJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
