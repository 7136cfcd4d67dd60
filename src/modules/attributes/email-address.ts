import { domainToASCII, domainToUnicode } from 'node:url';

/**
 * Email addresses in their normal form (docs/security.md, "One sign-in namespace"). Mail
 * clients and servers read `dave@ｅxample.com`, `dave@ＥＸＡＭＰＬＥ.ＣＯＭ` and `dave@example。com`
 * as `dave@example.com`, so Cognate must too, or one mailbox could confirm several accounts.
 */

/** The domain after IDNA's mapping (UTS #46: NFKC, case folding, full-width and ideographic dots), in ASCII. */
function asciiDomain(domain: string): string | undefined {
  return domainToASCII(domain) || undefined;
}

const splitAddress = (address: string): [string, string] => {
  const at = address.lastIndexOf('@');
  return at < 0 ? [address, ''] : [address.slice(0, at), address.slice(at + 1)];
};

/**
 * The key an address is compared by: the local part in NFKC and lower case, the domain as IDNA
 * maps it, written in Unicode (so migration 0005's SQL, which has NFKC but no IDNA, makes the
 * same key for every domain that is ASCII once mapped). A domain IDNA refuses keeps NFKC and
 * lower case with ideographic dots as '.'.
 */
export function emailKey(address: string): string {
  const [local, domain] = splitAddress(address);
  const ascii = asciiDomain(domain);
  const mapped = ascii ? domainToUnicode(ascii) : domain.normalize('NFKC').toLowerCase().replaceAll('。', '.');
  return `${local.normalize('NFKC').toLowerCase()}@${mapped}`;
}

/** The address mail is sent to: the domain in IDNA's ASCII form, the local part as the user wrote it. */
export function deliveryAddress(address: string): string {
  const [local, domain] = splitAddress(address);
  const ascii = asciiDomain(domain);
  return ascii ? `${local}@${ascii}` : address;
}
