// One labelled input, large enough for a thumb, used by every form.

export function Field({
  label,
  value,
  set,
  name,
  numeric,
  multiline,
}: {
  label: string;
  value: string;
  set: (v: string) => void;
  name: string;
  numeric?: boolean;
  multiline?: boolean;
}) {
  const onInput = (e: Event) => set((e.target as HTMLInputElement).value);
  return (
    <label class="field">
      <span>{label}</span>
      {multiline ? (
        <textarea class="note" rows={3} value={value} onInput={onInput} name={name} />
      ) : (
        <input
          class="search"
          value={value}
          onInput={onInput}
          name={name}
          inputMode={numeric ? "numeric" : undefined}
        />
      )}
    </label>
  );
}

/** Tags as typed: split on Chinese or Latin commas and spaces. */
export function splitTags(text: string): string[] {
  return text
    .split(/[,，、\s]+/)
    .map((x) => x.trim())
    .filter((x) => x.length > 0);
}
