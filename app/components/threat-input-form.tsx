import { useEffect, useMemo, useState } from "react";
import {
  ATTRIBUTIONS,
  TARGETED_SECTORS,
  TLP_MARKS,
  TRENDS,
  type CrimeArea,
} from "~/modules/threat-input/vocabulary";
import { CheckboxGroup, RadioGroup, SelectField, TextAreaField, TextField, type FormState } from "~/components/form-fields";
import { ItemAdviceNotes, KnownNameFields } from "~/components/item-advice";
import type { ItemAdvice } from "~/modules/intel/advice.server";
import { CRIME_AREA_LABELS } from "~/lib/labels";
import { parseIndicatorLines, type IndicatorType } from "~/modules/threat-input/indicators";
import { INDICATOR_TYPE_LABELS } from "~/lib/labels";
import { importFieldName, itemFieldName, setAsideFieldName, type ItemField } from "~/modules/threat-input/fields";
import {
  ATTRIBUTION_LABELS,
  IMPACT_SCALE,
  INFORMATION_CREDIBILITY_LABELS,
  LIKELIHOOD_SCALE,
  SOURCE_RELIABILITY_LABELS,
  TARGETED_SECTOR_LABELS,
  TREND_LABELS,
} from "~/modules/threat-input/scales";

const TLP_HINTS: Record<(typeof TLP_MARKS)[number], string> = {
  "TLP:CLEAR": "no limit on disclosure",
  "TLP:GREEN": "the taskforce's community, not public channels",
  "TLP:AMBER": "the taskforce and those who need to know to act on it",
  "TLP:AMBER+STRICT": "the taskforce only",
  "TLP:RED": "only the analysts you name below; never by email or calendar",
};

/** What a pasted list of indicators holds, read with the same rules the server applies. */
export function IndicatorReport({ text, id }: { text: string; id: string }) {
  const report = useMemo(() => parseIndicatorLines(text), [text]);
  if (!text.trim()) return null;
  const byType = new Map<IndicatorType, number>();
  for (const indicator of report.indicators) byType.set(indicator.type, (byType.get(indicator.type) ?? 0) + 1);
  return (
    <div className="indicator-report" id={id} aria-live="polite">
      <p className="small">
        <strong>{report.indicators.length.toLocaleString("en")}</strong>{" "}
        {report.indicators.length === 1 ? "indicator" : "indicators"} recognised
        {byType.size ? ` (${[...byType].map(([type, n]) => `${INDICATOR_TYPE_LABELS[type]}: ${n}`).join(", ")})` : ""}
        {report.duplicates ? `; ${report.duplicates} duplicate ${report.duplicates === 1 ? "line" : "lines"} will be dropped` : ""}.
      </p>
      {report.rejected.length ? (
        <>
          <p className="small field__error">
            {report.rejected.length === 1 ? "One line is" : `${report.rejected.length} lines are`} not a valid indicator:
          </p>
          <ul className="rejected-lines small">
            {report.rejected.slice(0, 50).map((line) => (
              <li key={line.line}>
                Line {line.line}: <code>{line.input.length > 60 ? `${line.input.slice(0, 57)}...` : line.input}</code> — {line.reason}
              </li>
            ))}
            {report.rejected.length > 50 ? <li>and {report.rejected.length - 50} more.</li> : null}
          </ul>
        </>
      ) : null}
    </div>
  );
}

/** The indicators box: live feedback with JavaScript, the server's report without. */
function IndicatorsField({ index, state, disabled }: { index: number; state: FormState; disabled: boolean }) {
  const name = itemFieldName(index, "indicators");
  const initial = String(state?.values?.[name] ?? "");
  const [text, setText] = useState(initial);
  const [shown, setShown] = useState(initial);
  useEffect(() => {
    const timer = setTimeout(() => setShown(text), 400);
    return () => clearTimeout(timer);
  }, [text]);
  const errors = state?.fieldErrors?.[name];
  const fileName = importFieldName(index);
  const fileErrors = state?.fieldErrors?.[fileName];
  return (
    <div className={`field${errors?.length ? " field--invalid" : ""}`}>
      <label htmlFor={name}>Indicators</label>
      <p className="field__hint" id={`${name}-hint`}>
        One a line: IP addresses, domains, URLs, email addresses, hashes (MD5, SHA-1, SHA-256), bitcoin or monero
        wallets, file names. Defanged forms such as <code>hxxp://evil[.]example</code> are fine; duplicates are dropped.
        To set a type yourself, start the line with it: <code>file_name: invoice.pdf.exe</code>. A comment follows{" "}
        <code>#</code>.
      </p>
      <textarea
        id={name}
        name={name}
        rows={8}
        className="mono"
        spellCheck={false}
        defaultValue={initial}
        readOnly={disabled}
        onChange={(event) => setText(event.target.value)}
        aria-invalid={errors?.length ? true : undefined}
        aria-describedby={[`${name}-hint`, `${name}-report`, errors?.length ? `${name}-error` : ""].filter(Boolean).join(" ")}
      />
      {errors?.length ? (
        <p className="field__error" id={`${name}-error`}>
          {errors.join(" ")}
        </p>
      ) : null}
      <IndicatorReport text={shown} id={`${name}-report`} />
      {disabled ? null : (
        <div className={`import-row${fileErrors?.length ? " field--invalid" : ""}`}>
          <label htmlFor={fileName}>Import from a file</label>
          <p className="field__hint" id={`${fileName}-hint`}>
            A CSV file with the columns type, value and an optional comment, or a STIX 2.1 bundle (.json); up to 1 MB.
          </p>
          <div className="inline-fields">
            <input
              id={fileName}
              name={fileName}
              type="file"
              accept=".csv,.json,.stix,.txt,text/csv,application/json"
              aria-describedby={[`${fileName}-hint`, fileErrors?.length ? `${fileName}-error` : ""].filter(Boolean).join(" ")}
              aria-invalid={fileErrors?.length ? true : undefined}
            />
            <button className="button button--secondary" type="submit" name="intent" value={`import:${index}`} formNoValidate>
              Import indicators
            </button>
          </div>
          {fileErrors?.length ? (
            <p className="field__error" id={`${fileName}-error`}>
              {fileErrors.join(" ")}
            </p>
          ) : null}
        </div>
      )}
    </div>
  );
}

/** A scale's steps as "B · Usually reliable", with what each means below. */
const scaleOptions = (scale: Record<string, { word: string; meaning: string }>) =>
  Object.entries(scale).map(([value, { word, meaning }]) => ({ value, label: `${value} · ${word}`, hint: meaning }));

/** The sections of an item, in the order a reporter thinks of them, and the fields of each. */
export const ITEM_SECTIONS: readonly { key: string; title: string; fields: readonly (ItemField | "indicatorsSetAside")[] }[] = [
  { key: "what", title: "What", fields: ["crimeArea", "title"] },
  { key: "when", title: "When and how bad", fields: ["observedFrom", "observedTo", "trend", "impact", "likelihood"] },
  { key: "where", title: "Who and where", fields: ["sectors", "countries", "actors", "malware", "techniques"] },
  { key: "indicators", title: "Indicators", fields: ["indicators", "indicatorsSetAside"] },
  { key: "evaluation", title: "Evaluation", fields: ["sourceReliability", "informationCredibility"] },
  { key: "handling", title: "Handling and attribution", fields: ["tlp", "redRecipients", "shareOnward", "attribution"] },
  { key: "narrative", title: "Narrative", fields: ["narrative", "recommendedActions"] },
];

/** Each field's label, for the error summary: "Item 2 · Impact". */
export const ITEM_FIELD_LABELS: Record<ItemField | "indicatorsSetAside" | "file", string> = {
  crimeArea: "Crime area",
  title: "Title",
  observedFrom: "Observed from",
  observedTo: "Observed until",
  trend: "Trend",
  impact: "Impact",
  likelihood: "Likelihood",
  sectors: "Targeted sectors",
  countries: "Affected countries",
  actors: "Threat actors and networks",
  malware: "Malware families",
  techniques: "Techniques",
  indicators: "Indicators",
  indicatorsSetAside: "Lines set aside",
  file: "Import from a file",
  sourceReliability: "Source reliability",
  informationCredibility: "Information credibility",
  tlp: "Handling (TLP 2.0)",
  shareOnward: "Sharing onward",
  redRecipients: "Analysts who may read a TLP:RED item",
  attribution: "Attribution",
  narrative: "Narrative",
  recommendedActions: "Recommended actions",
};

/** "items.1.impact" -> "Item 2 · Impact"; other names have no label here. */
export function itemFieldLabel(name: string): string | undefined {
  const match = /^items\.(\d{1,3})\.([A-Za-z]+)$/.exec(name);
  const label = match && ITEM_FIELD_LABELS[match[2] as keyof typeof ITEM_FIELD_LABELS];
  return label ? `Item ${Number(match![1]) + 1} · ${label}` : undefined;
}

const filled = (value: string | string[] | undefined) => (Array.isArray(value) ? value.length > 0 : !!value?.trim());

/** A section's heading, with what of it is filled and what needs correcting, linked to the fields. */
function ItemSection({
  index,
  section,
  state,
  children,
}: {
  index: number;
  section: (typeof ITEM_SECTIONS)[number];
  state: FormState;
  children: React.ReactNode;
}) {
  const id = `item-${index + 1}-${section.key}`;
  const names = section.fields.map((field) => `items.${index}.${field}`);
  const shown = section.fields.filter((field) => field !== "indicatorsSetAside");
  const done = shown.filter((field) => filled(state?.values?.[`items.${index}.${field}`])).length;
  const wrong = names.filter((name) => state?.fieldErrors?.[name]?.length);
  return (
    // No accessible name of its own: a section named "Indicators" would be a second "Indicators" to find.
    <section className={`item-section${wrong.length ? " item-section--invalid" : ""}`}>
      <h2 className="item-section__title" id={`${id}-title`}>
        {section.title}
      </h2>
      <p className="item-section__status small" id={`${id}-status`}>
        {done} of {shown.length} filled
        {wrong.length ? (
          <>
            {" · "}
            <span className="field__error">
              {wrong.length} to correct:{" "}
              {wrong.map((name, position) => (
                <span key={name}>
                  {position ? ", " : ""}
                  <a href={`#${name}`}>{ITEM_FIELD_LABELS[name.split(".")[2] as keyof typeof ITEM_FIELD_LABELS].toLowerCase()}</a>
                </span>
              ))}
            </span>
          </>
        ) : null}
      </p>
      {children}
    </section>
  );
}

export function ThreatItemFieldset({
  index,
  count,
  state,
  crimeAreas,
  analysts,
  disabled,
  advice,
}: {
  index: number;
  count: number;
  state: FormState;
  crimeAreas: readonly CrimeArea[];
  analysts: { id: number; name: string }[];
  disabled: boolean;
  /** What the reference data says of the item (warning lists, technique and known names). */
  advice?: ItemAdvice;
}) {
  const field = (name: ItemField) => itemFieldName(index, name);
  const tlp = state?.values?.[field("tlp")];
  const setAside = setAsideFieldName(index);
  const section = (key: string) => ITEM_SECTIONS.find((entry) => entry.key === key)!;
  return (
    <fieldset className="item card" id={`item-${index + 1}`} disabled={disabled}>
      <legend className="item__legend">
        Item {index + 1} of {count}
      </legend>
      <ItemSection index={index} section={section("what")} state={state}>
        <div className="pair">
          <SelectField
            name={field("crimeArea")}
            label="Crime area"
            state={state}
            placeholder="Choose…"
            options={crimeAreas.map((area) => ({ value: area, label: CRIME_AREA_LABELS[area] }))}
          />
          <TextField name={field("title")} label="Title" state={state} hint="A line that says what this item is about." />
        </div>
      </ItemSection>
      <ItemSection index={index} section={section("when")} state={state}>
        <div className="pair">
          <TextField name={field("observedFrom")} label="Observed from" type="date" state={state} />
          <TextField name={field("observedTo")} label="Observed until" type="date" state={state} hint="Leave empty if it is still going on." />
        </div>
        <RadioGroup
          name={field("trend")}
          legend="Trend"
          state={state}
          compact
          options={TRENDS.map((trend) => ({ value: trend, label: TREND_LABELS[trend] }))}
        />
        <div className="pair">
          <RadioGroup name={field("impact")} legend="Impact" state={state} options={scaleOptions(IMPACT_SCALE)} />
          <RadioGroup name={field("likelihood")} legend="Likelihood" state={state} options={scaleOptions(LIKELIHOOD_SCALE)} />
        </div>
      </ItemSection>
      <ItemSection index={index} section={section("where")} state={state}>
        <CheckboxGroup
          name={field("sectors")}
          legend="Targeted sectors"
          state={state}
          options={TARGETED_SECTORS.map((sector) => ({ value: sector, label: TARGETED_SECTOR_LABELS[sector] }))}
        />
        <TextField
          name={field("countries")}
          label="Affected countries"
          state={state}
          hint="ISO 3166-1 codes separated by commas, such as AT, CO, US."
        />
        <div className="pair">
          <TextAreaField
            name={field("actors")}
            label="Threat actors and networks"
            rows={3}
            state={state}
            hint="One a line, aliases in brackets: Wizard Spider (Grim Spider, UNC1878)."
          />
          <TextAreaField name={field("malware")} label="Malware families" rows={3} state={state} hint="One a line or separated by commas." />
        </div>
        <TextField
          name={field("techniques")}
          label="Techniques (MITRE ATT&CK)"
          state={state}
          hint="Technique IDs separated by commas, such as T1566, T1566.001."
        />
        {disabled ? null : <KnownNameFields index={index} />}
      </ItemSection>
      <ItemSection index={index} section={section("indicators")} state={state}>
        <IndicatorsField index={index} state={state} disabled={disabled} />
        <ItemAdviceNotes advice={advice} />
        {state?.values?.[setAside] || state?.fieldErrors?.[setAside]?.length ? (
          <TextAreaField
            name={setAside}
            label="Lines set aside (not sent)"
            rows={3}
            state={state}
            hint="These lines are not indicators. Correct them and move them back into the list above, or leave them here: they are kept with the draft and never submitted."
          />
        ) : null}
      </ItemSection>
      <ItemSection index={index} section={section("evaluation")} state={state}>
        <div className="pair">
          <RadioGroup
            name={field("sourceReliability")}
            legend="Source reliability"
            hint="How reliable is the source of this information?"
            state={state}
            options={scaleOptions(SOURCE_RELIABILITY_LABELS)}
          />
          <RadioGroup
            name={field("informationCredibility")}
            legend="Information credibility"
            hint="How credible is the information itself?"
            state={state}
            options={scaleOptions(INFORMATION_CREDIBILITY_LABELS)}
          />
        </div>
      </ItemSection>
      <ItemSection index={index} section={section("handling")} state={state}>
        <RadioGroup
          name={field("tlp")}
          legend="Handling (TLP 2.0)"
          state={state}
          options={TLP_MARKS.map((mark) => ({ value: mark, label: mark, hint: TLP_HINTS[mark] }))}
        />
        <CheckboxGroup
          name={field("redRecipients")}
          legend="Analysts who may read a TLP:RED item"
          state={state}
          options={analysts.map((analyst) => ({ value: String(analyst.id), label: analyst.name }))}
        />
        {tlp !== "TLP:RED" ? <p className="field__hint item__red-hint">Only needed when the item is TLP:RED.</p> : null}
        <label className="check share">
          <input type="checkbox" name={field("shareOnward")} defaultChecked={state?.values?.[field("shareOnward")] === "on"} />
          The taskforce may share this item onward with its member agencies
        </label>
        <RadioGroup
          name={field("attribution")}
          legend="Attribution"
          state={state}
          options={ATTRIBUTIONS.map((attribution) => ({
            value: attribution,
            label: ATTRIBUTION_LABELS[attribution].word,
            hint: ATTRIBUTION_LABELS[attribution].meaning,
          }))}
        />
      </ItemSection>
      <ItemSection index={index} section={section("narrative")} state={state}>
        <TextAreaField name={field("narrative")} label="Narrative" rows={6} state={state} hint="What you have seen, how, and what it means." />
        <TextAreaField name={field("recommendedActions")} label="Recommended actions" rows={3} state={state} />
      </ItemSection>
      {count > 1 && !disabled ? (
        <button className="button button--quiet" type="submit" name="intent" value={`remove-item:${index}`} formNoValidate>
          Remove item {index + 1}
        </button>
      ) : null}
    </fieldset>
  );
}
