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

/** The kinds of help or service as big chips, one of them picked. */
export function KindChips({
  kinds,
  kind,
  set,
}: {
  kinds: Record<string, string>;
  kind: string;
  set: (k: string) => void;
}) {
  return (
    <div class="chips">
      {Object.entries(kinds).map(([k, label]) => (
        <button key={k} class={kind === k ? "chip on" : "chip"} onClick={() => set(k)} data-kind={k}>
          {label}
        </button>
      ))}
    </div>
  );
}
