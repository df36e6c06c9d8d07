import { useEffect, useState } from "react";
import type { IndicatorType } from "~/modules/threat-input/indicators";
import { INDICATOR_TYPE_LABELS } from "~/lib/labels";
import { itemFieldName } from "~/modules/threat-input/fields";
import type { ItemAdvice } from "~/modules/intel/advice.server";

// What the reference data says of an item as the form stands (app/modules/intel/advice.server.ts),
// and the fields that pick known names. The suggestion lists are the page's, once for all items.

export const KNOWN_LIST_IDS = { actor: "known-actors", malware: "known-malware", technique: "known-techniques" } as const;

/** Warning-listed indicators, technique names, and the known names the item's names stand for. */
export function ItemAdviceNotes({ advice }: { advice: ItemAdvice | undefined }) {
  if (!advice) return null;
  const renamed = advice.names.filter((name) => name.known && name.known.toLowerCase() !== name.typed.toLowerCase());
  const unknown = advice.names.filter((name) => !name.known);
  const deprecated = advice.techniques.filter((technique) => technique.deprecated);
  if (!advice.warnings.length && !advice.techniques.length && !renamed.length && !unknown.length) return null;
  return (
    <div className="item-advice small" role="status">
      {advice.warnings.length ? (
        <div className="notice notice--warning">
          <p>
            {advice.warnings.length === 1 ? "One indicator is" : `${advice.warnings.length} indicators are`} on a warning list of
            values that are not indicators of anything by themselves. They are kept, marked, and left out of what the taskforce
            shares onward unless an analyst clears them. If one is a real indicator, say why after it, like{" "}
            <code>8.8.8.8 # keep: the loader checks its connection against it</code>, or remove it.
          </p>
          <ul className="rejected-lines">
            {advice.warnings.slice(0, 50).map((warning) => (
              <li key={`${warning.type}:${warning.value}`}>
                Line {warning.line}: <code>{warning.value}</code> ({INDICATOR_TYPE_LABELS[warning.type as IndicatorType] ?? warning.type}) —{" "}
                {warning.matches.map((match) => `${match.name}: ${match.why}`).join(" ")}
                {warning.kept ? " Kept with your note." : ""}
              </li>
            ))}
            {advice.warnings.length > 50 ? <li>and {advice.warnings.length - 50} more.</li> : null}
          </ul>
        </div>
      ) : null}
      {advice.techniques.length ? (
        <p>
          Techniques:{" "}
          {advice.techniques
            .map((technique) => `${technique.id} ${technique.name ?? "(not an ATT&CK technique)"}${technique.deprecated ? " (deprecated)" : ""}`)
            .join("; ")}
          .{deprecated.length ? ` ATT&CK no longer uses ${deprecated.map((technique) => technique.id).join(", ")}: choose a current technique if one fits.` : ""}
        </p>
      ) : null}
      {renamed.length ? (
        <p>
          Known as: {renamed.map((name) => `${name.typed} → ${name.known}`).join("; ")}. The taskforce counts them as one with reports
          under either name.
        </p>
      ) : null}
      {unknown.length ? (
        <p className="muted">
          Not in the reference lists, kept as given: {unknown.map((name) => name.typed).join(", ")}.
        </p>
      ) : null}
    </div>
  );
}

const ADD_FIELDS = [
  { field: "addActor", target: "actors", list: KNOWN_LIST_IDS.actor, label: "Add a known actor" },
  { field: "addMalware", target: "malware", list: KNOWN_LIST_IDS.malware, label: "Add a known malware family" },
  { field: "addTechnique", target: "techniques", list: KNOWN_LIST_IDS.technique, label: "Add an ATT&CK technique" },
] as const;

/**
 * Inputs that suggest known names as the stakeholder types (a datalist: no JavaScript needed).
 * What is picked joins its list when the form is next saved; with JavaScript, at once.
 */
export function KnownNameFields({ index }: { index: number }) {
  const pick = (target: string, event: React.ChangeEvent<HTMLInputElement>) => {
    const input = event.currentTarget;
    const list = document.getElementById(input.getAttribute("list") ?? "");
    const known = [...(list?.querySelectorAll("option") ?? [])].some((option) => option.value === input.value);
    const field = document.getElementById(itemFieldName(index, target as "actors")) as HTMLTextAreaElement | HTMLInputElement | null;
    if (!known || !field) return;
    const current = field.value.replace(/\s+$/, "");
    field.value = target === "techniques" ? (current ? `${current}, ${input.value}` : input.value) : current ? `${current}\n${input.value}` : input.value;
    field.dispatchEvent(new Event("input", { bubbles: true }));
    input.value = "";
  };
  return (
    <div className="inline-fields known-names">
      {ADD_FIELDS.map(({ field, target, list, label }) => {
        const name = `items.${index}.${field}`;
        return (
          <div className="field" key={field}>
            <label htmlFor={name}>{label}</label>
            <input id={name} name={name} type="text" list={list} autoComplete="off" onChange={(event) => pick(target, event)} />
          </div>
        );
      })}
    </div>
  );
}

type Suggestions = { actor: string[]; malware: string[]; technique?: { id: string; name: string }[] };

/**
 * The page's suggestion lists. Without JavaScript they hold the names the server found near what
 * was typed; with it, every known name, fetched once from /reference/names (cached).
 */
export function KnownNameLists({ suggestions }: { suggestions: Suggestions }) {
  const [all, setAll] = useState<Required<Suggestions> | null>(null);
  useEffect(() => {
    let done = false;
    const load = (event: FocusEvent) => {
      const target = event.target as HTMLElement | null;
      if (done || !target?.closest(".known-names")) return;
      done = true;
      fetch("/reference/names", { credentials: "same-origin" })
        .then((response) => (response.ok ? (response.json() as Promise<Required<Suggestions>>) : null))
        .then((names) => names && setAll(names))
        .catch(() => undefined);
    };
    document.addEventListener("focusin", load);
    return () => document.removeEventListener("focusin", load);
  }, []);
  const shown = all ?? { ...suggestions, technique: suggestions.technique ?? [] };
  return (
    <>
      <datalist id={KNOWN_LIST_IDS.actor}>
        {shown.actor.map((name) => (
          <option key={name} value={name} />
        ))}
      </datalist>
      <datalist id={KNOWN_LIST_IDS.malware}>
        {shown.malware.map((name) => (
          <option key={name} value={name} />
        ))}
      </datalist>
      <datalist id={KNOWN_LIST_IDS.technique}>
        {shown.technique.map((technique) => (
          <option key={technique.id} value={technique.id}>
            {technique.name}
          </option>
        ))}
      </datalist>
    </>
  );
}
