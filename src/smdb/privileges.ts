/**
 * The SMDB privileges (Basic Privilege Profile URIs, scoped to the systembruger's CVR in the
 * token): what the STS puts in a token and what the WSP asks of it, per operation.
 */
export const PRIVILEGE_INDBERET = "urn:dk:dst:smdb:privilege:indberet";
export const PRIVILEGE_HENT = "urn:dk:dst:smdb:privilege:hent";
/** What a systembruger created without `privileges` gets: both. */
export const DEFAULT_PRIVILEGES: readonly string[] = [PRIVILEGE_INDBERET, PRIVILEGE_HENT];
