// The MISP warning lists vendored in vendor/reference-data/misp-warninglists (SOURCE.md there), as
// imports so that the server build carries them and a plain clone needs nothing else.
import akamai from "../../../vendor/reference-data/misp-warninglists/akamai.json";
import apple from "../../../vendor/reference-data/misp-warninglists/apple.json";
import captive_portals from "../../../vendor/reference-data/misp-warninglists/captive-portals.json";
import cloudflare_top10k from "../../../vendor/reference-data/misp-warninglists/cloudflare-top10k.json";
import common_contact_emails from "../../../vendor/reference-data/misp-warninglists/common-contact-emails.json";
import common_ioc_false_positive from "../../../vendor/reference-data/misp-warninglists/common-ioc-false-positive.json";
import eicar_com from "../../../vendor/reference-data/misp-warninglists/eicar.com.json";
import empty_hashes from "../../../vendor/reference-data/misp-warninglists/empty-hashes.json";
import google from "../../../vendor/reference-data/misp-warninglists/google.json";
import ipv6_linklocal from "../../../vendor/reference-data/misp-warninglists/ipv6-linklocal.json";
import microsoft from "../../../vendor/reference-data/misp-warninglists/microsoft.json";
import multicast from "../../../vendor/reference-data/misp-warninglists/multicast.json";
import parking_domain from "../../../vendor/reference-data/misp-warninglists/parking-domain.json";
import public_dns_v4 from "../../../vendor/reference-data/misp-warninglists/public-dns-v4.json";
import public_dns_v6 from "../../../vendor/reference-data/misp-warninglists/public-dns-v6.json";
import rfc1918 from "../../../vendor/reference-data/misp-warninglists/rfc1918.json";
import rfc3849 from "../../../vendor/reference-data/misp-warninglists/rfc3849.json";
import rfc5735 from "../../../vendor/reference-data/misp-warninglists/rfc5735.json";
import rfc6598 from "../../../vendor/reference-data/misp-warninglists/rfc6598.json";
import rfc6761 from "../../../vendor/reference-data/misp-warninglists/rfc6761.json";
import second_level_tlds from "../../../vendor/reference-data/misp-warninglists/second-level-tlds.json";
import security_provider_blogpost from "../../../vendor/reference-data/misp-warninglists/security-provider-blogpost.json";
import sinkholes from "../../../vendor/reference-data/misp-warninglists/sinkholes.json";
import tlds from "../../../vendor/reference-data/misp-warninglists/tlds.json";
import url_shortener from "../../../vendor/reference-data/misp-warninglists/url-shortener.json";
import whats_my_ip from "../../../vendor/reference-data/misp-warninglists/whats-my-ip.json";

export type MispWarningList = { name: string; description: string; type: string; matching_attributes: string[]; list: string[]; version: number };

/** Each list by the name of its folder in MISP/misp-warninglists (lists/<slug>/list.json). */
export const VENDORED_WARNING_LISTS: Record<string, MispWarningList> = {
  "akamai": akamai,
  "apple": apple,
  "captive-portals": captive_portals,
  "cloudflare-top10k": cloudflare_top10k,
  "common-contact-emails": common_contact_emails,
  "common-ioc-false-positive": common_ioc_false_positive,
  "eicar.com": eicar_com,
  "empty-hashes": empty_hashes,
  "google": google,
  "ipv6-linklocal": ipv6_linklocal,
  "microsoft": microsoft,
  "multicast": multicast,
  "parking-domain": parking_domain,
  "public-dns-v4": public_dns_v4,
  "public-dns-v6": public_dns_v6,
  "rfc1918": rfc1918,
  "rfc3849": rfc3849,
  "rfc5735": rfc5735,
  "rfc6598": rfc6598,
  "rfc6761": rfc6761,
  "second-level-tlds": second_level_tlds,
  "security-provider-blogpost": security_provider_blogpost,
  "sinkholes": sinkholes,
  "tlds": tlds,
  "url-shortener": url_shortener,
  "whats-my-ip": whats_my_ip,
};
