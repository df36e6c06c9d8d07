// ISO 3166-1 alpha-2, the officially assigned codes.
const CODES =
  "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW";

export const COUNTRY_CODES = CODES.split(" ");
const known = new Set(COUNTRY_CODES);

/** The taskforce's member countries. */
export const MEMBER_COUNTRIES = ["AT", "CA", "CO", "DE", "FR", "IT", "NL", "ES", "GB", "US"];

export const isCountryCode = (code: string) => known.has(code);

const names = new Intl.DisplayNames(["en"], { type: "region" });
export const countryName = (code: string) => names.of(code) ?? code;

// Region names come from ICU, whose data differs between Node and the browsers (Chromium says
// "Hong Kong" where Node says "Hong Kong SAR China"), so a name computed while rendering does not
// hydrate. Pages take their names from the loader: computed once, on the server.

/** "Austria (AT)", as forms and pages show a country. */
export const countryLabel = (code: string) => `${countryName(code)} (${code})`;

/** The label of each of the given codes, for a loader to hand to its page. */
export const countryLabels = (codes: Iterable<string>): Record<string, string> =>
  Object.fromEntries([...new Set(codes)].map((code) => [code, countryLabel(code)]));

/** Every country as a choice, the member countries first. */
export const countryChoices = () =>
  [...MEMBER_COUNTRIES, ...COUNTRY_CODES.filter((code) => !MEMBER_COUNTRIES.includes(code))].map((code) => ({
    value: code,
    label: countryLabel(code),
  }));
