import { describe, expect, it } from "vitest";
import { z } from "zod";
import { checkboxes, formValues, parseForm } from "~/lib/forms";
import { contentSecurityPolicy, isCrossOriginWrite, newNonce } from "~/lib/security.server";
import { accountFormSchema } from "~/modules/accounts/schema";

function directives(policy: string) {
  return new Map(
    policy.split(";").map((part) => {
      const [name, ...values] = part.trim().split(/\s+/);
      return [name!, values] as const;
    }),
  );
}

describe("contentSecurityPolicy", () => {
  const nonce = newNonce();
  const policy = directives(contentSecurityPolicy(nonce));

  it("lets scripts run only from the portal or with this response's nonce", () => {
    expect(policy.get("script-src")).toEqual(["'self'", `'nonce-${nonce}'`]);
    expect(contentSecurityPolicy(nonce)).not.toContain("unsafe-inline");
    expect(contentSecurityPolicy(nonce)).not.toContain("unsafe-eval");
  });

  it("shuts out plugins, base rewriting and framing", () => {
    expect(policy.get("object-src")).toEqual(["'none'"]);
    expect(policy.get("base-uri")).toEqual(["'none'"]);
    expect(policy.get("frame-ancestors")).toEqual(["'none'"]);
    expect(policy.get("form-action")).toEqual(["'self'"]);
    expect(policy.get("default-src")).toEqual(["'self'"]);
  });

  it("gets a new nonce for every response", () => {
    const nonces = new Set(Array.from({ length: 20 }, () => newNonce()));
    expect(nonces.size).toBe(20);
    expect(newNonce()).toMatch(/^[A-Za-z0-9+/]{22}==$/);
  });
});

describe("isCrossOriginWrite", () => {
  const base = {
    method: "POST",
    origin: "http://localhost:3000" as string | undefined,
    secFetchSite: "same-origin" as string | undefined,
    host: "localhost:3000" as string | undefined,
    protocol: "http",
    appUrl: "http://localhost:3000",
  };
  const refused = (overrides: Partial<typeof base>) => isCrossOriginWrite({ ...base, ...overrides });

  it("never refuses a read", () => {
    for (const method of ["GET", "get", "HEAD", "OPTIONS"]) {
      expect(refused({ method, origin: "https://evil.example", secFetchSite: "cross-site" })).toBe(false);
      expect(refused({ method, origin: undefined, secFetchSite: undefined })).toBe(false);
    }
  });

  it("allows a form posted from the portal itself", () => {
    expect(refused({})).toBe(false);
    expect(refused({ secFetchSite: undefined })).toBe(false);
    expect(refused({ origin: undefined })).toBe(false);
  });

  it("refuses a post from another site, by Origin or by Sec-Fetch-Site", () => {
    expect(refused({ origin: "https://evil.example", secFetchSite: undefined })).toBe(true);
    expect(refused({ origin: "https://evil.example" })).toBe(true);
    expect(refused({ origin: "http://localhost:3001", secFetchSite: undefined })).toBe(true);
    expect(refused({ origin: "null", secFetchSite: undefined })).toBe(true);
    expect(refused({ secFetchSite: "cross-site" })).toBe(true);
    // A sibling subdomain is "same-site" but still not the portal.
    expect(refused({ secFetchSite: "same-site" })).toBe(true);
    expect(refused({ method: "DELETE", origin: "https://evil.example" })).toBe(true);
  });

  it("refuses a post that carries neither header", () => {
    expect(refused({ origin: undefined, secFetchSite: undefined })).toBe(true);
  });

  it("allows the origin the request was addressed to, though APP_URL names another", () => {
    expect(
      refused({ origin: "http://127.0.0.1:3000", host: "127.0.0.1:3000", secFetchSite: undefined }),
    ).toBe(false);
    // ...but not when it is addressed to one host and claims to come from another.
    expect(
      refused({ origin: "http://127.0.0.1:3000", host: "localhost:3000", secFetchSite: undefined }),
    ).toBe(true);
    expect(
      refused({ origin: "https://127.0.0.1:3000", host: "127.0.0.1:3000", secFetchSite: undefined }),
    ).toBe(true);
  });
});

function form(entries: [string, string][]) {
  const data = new FormData();
  for (const [key, value] of entries) data.append(key, value);
  return data;
}

describe("parseForm", () => {
  it("keeps what was typed and puts each message at its field", () => {
    const result = parseForm(
      accountFormSchema,
      form([
        ["name", "Sofia Navarro"],
        ["email", "sofia.navarro@"],
        ["organisationId", ""],
        ["timeZone", "Europe/Madrid"],
        ["locale", "es-ES"],
      ]),
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.values).toEqual({
      name: "Sofia Navarro",
      email: "sofia.navarro@",
      organisationId: "",
      timeZone: "Europe/Madrid",
      locale: "es-ES",
    });
    expect(result.fieldErrors.email).toEqual(["Enter a valid email address, like name@example.org."]);
    expect(result.fieldErrors.roles).toEqual(["Give the person at least one role."]);
    expect(Object.keys(result.fieldErrors).sort()).toEqual(["email", "roles"]);
    expect(result.formError).toBeUndefined();
  });

  it("returns typed data for a valid form", () => {
    const result = parseForm(
      accountFormSchema,
      form([
        ["name", "  Sofia Navarro "],
        ["email", "sofia.navarro@taskforce.example"],
        ["organisationId", "4"],
        ["timeZone", "America/Bogota"],
        ["locale", "es-CO"],
        ["roles", "stakeholder"],
        ["roles", "analyst"],
      ]),
    );
    expect(result).toMatchObject({
      ok: true,
      data: { name: "Sofia Navarro", organisationId: 4, roles: ["stakeholder", "analyst"] },
    });
  });

  it("names an unknown time zone and locale at their fields", () => {
    const result = parseForm(
      accountFormSchema,
      form([
        ["name", "X"],
        ["email", "x@example.org"],
        ["timeZone", "Mars/Olympus_Mons"],
        ["locale", "xx-XX"],
        ["roles", "admin"],
      ]),
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.fieldErrors.timeZone?.[0]).toContain("time zone");
    expect(result.fieldErrors.locale?.[0]).toContain("language");
    expect(result.values.timeZone).toBe("Mars/Olympus_Mons");
  });

  it("keeps repeated names as a list", () => {
    expect(formValues(form([["roles", "admin"], ["roles", "analyst"], ["name", "A"]]))).toEqual({
      roles: ["admin", "analyst"],
      name: "A",
    });
  });
});

describe("checkboxes", () => {
  const schema = z.object({ roles: checkboxes(z.enum(["admin", "analyst", "coordinator"])) });
  const parse = (entries: [string, string][]) => parseForm(schema, form(entries));

  it("reads no tick as an empty list", () => {
    expect(parse([])).toMatchObject({ ok: true, data: { roles: [] } });
  });

  it("reads one tick as a list of one", () => {
    expect(parse([["roles", "analyst"]])).toMatchObject({ ok: true, data: { roles: ["analyst"] } });
  });

  it("reads several ticks in order", () => {
    expect(parse([["roles", "coordinator"], ["roles", "admin"], ["roles", "analyst"]])).toMatchObject({
      ok: true,
      data: { roles: ["coordinator", "admin", "analyst"] },
    });
  });

  it("refuses a value that is not one of the boxes", () => {
    const result = parse([["roles", "admin"], ["roles", "superuser"]]);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(Object.keys(result.fieldErrors)).toEqual(["roles.1"]);
  });
});
