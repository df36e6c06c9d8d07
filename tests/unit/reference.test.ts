import { describe, expect, it } from "vitest";
import { ATTACK_CATALOGUE, technique, techniqueLabel } from "~/modules/reference/attack";
import { entityKey, namesLike, referenceName, resolvedKey } from "~/modules/reference/names";
import { warningListNames, warningListsFor } from "~/modules/reference/warning-lists";

const lists = (type: Parameters<typeof warningListsFor>[0], value: string) => warningListsFor(type, value).map((match) => match.list);

describe("the MISP warning lists", () => {
  it("vendors all 26 lists and reads every one", () => {
    const names = warningListNames();
    expect(names).toHaveLength(26);
    expect(names.find((list) => list.list === "public-dns-v4")?.entries).toBe(62_745);
  });

  it("flags the documentation and private ranges the issue found exported, saying which range", () => {
    expect(warningListsFor("ipv4", "203.0.113.45")).toEqual([
      { list: "rfc5735", name: "List of RFC 5735 CIDR blocks", why: "203.0.113.45 is in 203.0.113.0/24." },
    ]);
    expect(lists("ipv6", "2001:db8::")).toEqual(["rfc3849"]);
    expect(lists("ipv4", "10.1.2.3")).toEqual(["rfc1918", "rfc5735"]);
    expect(lists("ipv4", "100.64.0.9")).toEqual(["rfc6598"]);
    expect(lists("ipv6", "fe80::1")).toEqual(["ipv6-linklocal"]);
    // An IPv4-mapped IPv6 address is the IPv4 address it maps.
    expect(lists("ipv6", "::ffff:192.168.1.20")).toEqual(["rfc1918", "rfc5735"]);
  });

  it("flags empty-file and test hashes, public resolvers and special-use domains by exact value", () => {
    expect(lists("sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")).toContain("empty-hashes");
    expect(lists("md5", "d41d8cd98f00b204e9800998ecf8427e")).toContain("empty-hashes");
    expect(lists("md5", "44d88612fea8a8f36de82e1278abb02f")).toEqual(["eicar.com"]);
    expect(lists("ipv4", "8.8.8.8")).toEqual(["public-dns-v4"]);
    expect(lists("domain", "example.com")).toContain("rfc6761");
    expect(lists("domain", "co.uk")).toEqual(["second-level-tlds"]);
  });

  it("matches a hostname list on the host and every domain above it, for domains and URLs", () => {
    expect(warningListsFor("url", "https://bit.ly/3xYz").find((match) => match.list === "url-shortener")?.why).toBe("Its host, bit.ly, is listed.");
    const under = (type: "domain" | "url", value: string) =>
      warningListsFor(type, value).find((match) => match.list === "security-provider-blogpost")?.why;
    expect(under("domain", "report.app.any.run")).toBe("report.app.any.run is under app.any.run, which is listed.");
    expect(under("url", "https://report.app.any.run/tasks/1")).toBe("Its host, report.app.any.run, is under app.any.run, which is listed.");
    expect(under("domain", "any.run")).toBeUndefined();
  });

  it("reads a list's PCRE as a regular expression", () => {
    expect(warningListsFor("email", "abuse@bank.example")[0]).toMatchObject({ list: "common-contact-emails" });
    expect(lists("email", "boss@bank.example")).toEqual([]);
  });

  it("applies a list only to the indicator types its matching attributes name", () => {
    // The empty-file hash is on hash lists; as a file name it is on none.
    expect(lists("file_name", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")).toEqual([]);
    expect(lists("ipv4", "185.220.101.47")).toEqual([]);
    expect(lists("domain", "secure-login.donau-pay.example")).toEqual([]);
    expect(lists("btc_wallet", "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2")).toEqual([]);
  });
});

describe("one name for one thing", () => {
  it("finds the reference name through case, punctuation, synonyms and descriptive words", () => {
    expect(referenceName("malware", "Grandoreiro banking trojan")).toBe("Grandoreiro");
    expect(referenceName("malware", "grandoreiro")).toBe("Grandoreiro");
    expect(referenceName("actor", "Wizard-Spider")).toBe("WIZARD SPIDER");
    expect(referenceName("actor", "FIN12")).toBe("WIZARD SPIDER");
    expect(resolvedKey("actor", "gold blackburn")).toBe(entityKey("Wizard Spider"));
  });

  it("keeps a name the lists do not know, and guesses nothing from a name two entries share", () => {
    expect(referenceName("actor", "Grandoreiro operators")).toBeUndefined();
    expect(resolvedKey("actor", "Grandoreiro operators")).toBe("grandoreirooperators");
    // Conti is two families in the list (ELF and Windows): neither is chosen.
    expect(referenceName("malware", "Conti")).toBeUndefined();
    // A descriptive word is dropped only from the end, and only when the rest is known.
    expect(referenceName("malware", "trojan")).toBeUndefined();
  });

  it("suggests known names that start like a typed one", () => {
    expect(namesLike("malware", "Grandor")).toContain("Grandoreiro");
    expect(namesLike("malware", "gr")).toEqual([]);
  });
});

describe("ATT&CK", () => {
  it("knows techniques and sub-techniques, their names, and which are deprecated", () => {
    expect(technique("t1566.001")?.name).toBe("Spearphishing Attachment");
    expect(ATTACK_CATALOGUE.known("T1566")).toBe(true);
    expect(ATTACK_CATALOGUE.known("T9999")).toBe(false);
    expect(ATTACK_CATALOGUE.deprecated("T1224")).toBe(true);
    expect(techniqueLabel("T1224")).toBe("T1224 Assess leadership areas of interest (deprecated)");
    expect(techniqueLabel("T9999")).toBe("T9999");
  });
});
