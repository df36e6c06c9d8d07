import { describe, expect, it } from "vitest";
import { nameMatcher, REDACTED_NAME, sourceWords, strictestDisclosure } from "~/modules/access/sources";

describe("finding an organisation's names in free text", () => {
  const matcher = nameMatcher(["Banco Cordillera S.A.", "Andes Sentinel Desk", "BCO", "Vigilanza Digitale S.p.A."]);

  it("finds the name with or without its legal form, in any case and accent, before a possessive", () => {
    expect(matcher.find("Tip from Banco Cordillera's fraud desk")).toEqual(["Banco Cordillera"]);
    // The passage ends with the last word: a full stop after it is the sentence's.
    expect(matcher.find("BANCO CORDILLERA S.A. confirmed")).toEqual(["BANCO CORDILLERA S.A"]);
    expect(matcher.find("bánco córdillera saw it")).toEqual(["bánco córdillera"]);
    expect(matcher.find("Banco\nCordillera, again")).toEqual(["Banco\nCordillera"]);
    expect(matcher.find("vigilanza digitale spa and Vigilanza Digitale")).toEqual(["vigilanza digitale spa", "Vigilanza Digitale"]);
  });

  it("finds aliases and short names as whole words only", () => {
    expect(matcher.find("The andes sentinel desk tracks them")).toEqual(["andes sentinel desk"]);
    expect(matcher.find("BCO insiders")).toEqual(["BCO"]);
    // Inside another word, or a part of a name alone, is not the name.
    expect(matcher.find("TOBACCO routes; the Cordillera range; Banco Central")).toEqual([]);
  });

  it("replaces each passage and keeps the rest of the text as written", () => {
    expect(matcher.redact("Banco Cordillera's desk and BCO agree.")).toBe(`${REDACTED_NAME}'s desk and ${REDACTED_NAME} agree.`);
    expect(matcher.redact("Nothing to hide here.")).toBe("Nothing to hide here.");
    expect(nameMatcher([]).redact("Banco Cordillera")).toBe("Banco Cordillera");
  });

  it("ignores names too short to tell anything apart", () => {
    expect(nameMatcher(["AB", "A.G."]).find("AB testing at a.g. level")).toEqual([]);
  });
});

describe("how a source is shown", () => {
  const bank = { name: "Banco Cordillera S.A.", sector: "bank" as const, country: "CO" };
  it("says no more than the disclosure allows", () => {
    expect(sourceWords("named", bank)).toBe("Banco Cordillera S.A.");
    expect(sourceWords("sector_country", bank)).toBe("Bank in Colombia");
    expect(sourceWords("anonymous", bank)).toBe("An organisation that asked to stay anonymous");
  });
  it("takes the strictest of several", () => {
    expect(strictestDisclosure(["named", "sector_country", "named"])).toBe("sector_country");
    expect(strictestDisclosure(["named", "anonymous", "sector_country"])).toBe("anonymous");
    expect(strictestDisclosure([])).toBe("named");
  });
});
