/**
 * What the STS's and SMDB's WSDL documents share: namespaces, WS-SecurityPolicy fragments, the
 * endpoint identity (the service's certificate, as WCF publishes it) and the schema of the
 * harness's fault detail (`h:HarnessFault`).
 */
import type { Certificate } from "../pki/index.js";
import { escapeAttr, escapeText, NS } from "./ns.js";

export const WSDL_NS = {
  wsdl: "http://schemas.xmlsoap.org/wsdl/",
  soap11: "http://schemas.xmlsoap.org/wsdl/soap/",
  soap12: "http://schemas.xmlsoap.org/wsdl/soap12/",
  /** WS-Policy 1.5, for policies attached to the WSDL (not the 2002/12 namespace of wsp:AppliesTo). */
  wsp: "http://www.w3.org/ns/ws-policy",
  sp: "http://docs.oasis-open.org/ws-sx/ws-securitypolicy/200702",
  wsam: "http://www.w3.org/2007/05/addressing/metadata",
  wsaIdentity: "http://schemas.xmlsoap.org/ws/2006/02/addressingidentity",
  httpTransport: "http://schemas.xmlsoap.org/soap/http",
} as const;

const INCLUDE_TOKEN = "http://docs.oasis-open.org/ws-sx/ws-securitypolicy/200702/IncludeToken";

/** `xmlns:` declarations for the prefixes the WSDL fragments below use. */
export const WSDL_NAMESPACE_DECLARATIONS =
  `xmlns:wsdl="${WSDL_NS.wsdl}" xmlns:xs="${NS.xs}" xmlns:wsp="${WSDL_NS.wsp}" xmlns:sp="${WSDL_NS.sp}" ` +
  `xmlns:wsam="${WSDL_NS.wsam}" xmlns:wsu="${NS.wsu}" xmlns:wsa="${NS.wsa}" xmlns:h="${NS.harness}"`;

/** The WS-Addressing headers a signature must cover when present (both services check every one). */
const WSA_HEADERS = ["To", "From", "ReplyTo", "FaultTo", "MessageID", "RelatesTo", "Action"] as const;

/** A policy that the Body and the given (or every) WS-Addressing header are signed. */
export function signedPartsPolicy(id: string, headers: readonly string[] = WSA_HEADERS): string {
  return (
    `  <wsp:Policy wsu:Id="${id}">\n    <wsp:ExactlyOne>\n      <wsp:All>\n        <sp:SignedParts>\n          <sp:Body/>\n` +
    headers.map((name) => `          <sp:Header Name="${name}" Namespace="${NS.wsa}"/>\n`).join("") +
    `        </sp:SignedParts>\n      </wsp:All>\n    </wsp:ExactlyOne>\n  </wsp:Policy>\n`
  );
}

export function x509TokenPolicy(include: "Never" | "AlwaysToRecipient" | "AlwaysToInitiator"): string {
  return `<sp:X509Token sp:IncludeToken="${INCLUDE_TOKEN}/${include}"><wsp:Policy><sp:WssX509V3Token10/></wsp:Policy></sp:X509Token>`;
}

export function includeToken(include: "Never" | "AlwaysToRecipient" | "AlwaysToInitiator"): string {
  return `${INCLUDE_TOKEN}/${include}`;
}

/** The common tail of both asymmetric bindings: algorithms, layout, timestamp, what is signed. */
export const ASYMMETRIC_BINDING_TAIL =
  `<sp:AlgorithmSuite><wsp:Policy><sp:Basic256Sha256/></wsp:Policy></sp:AlgorithmSuite>` +
  `<sp:Layout><wsp:Policy><sp:Lax/></wsp:Policy></sp:Layout>` +
  `<sp:IncludeTimestamp/><sp:ProtectTokens/><sp:OnlySignEntireHeadersAndBody/>`;

/**
 * A `wsa:EndpointReference` with the service's certificate as its identity (what WCF puts in a
 * WSDL port, and what `dotnet-svcutil` copies into the generated configuration).
 */
export function endpointReferenceXml(address: string, certificate: Certificate | undefined): string {
  const identity = certificate
    ? `<Identity xmlns="${WSDL_NS.wsaIdentity}"><KeyInfo xmlns="${NS.ds}"><X509Data><X509Certificate>${certificate.base64}</X509Certificate></X509Data></KeyInfo></Identity>`
    : "";
  return `<wsa:EndpointReference><wsa:Address>${escapeText(address)}</wsa:Address>${identity}</wsa:EndpointReference>`;
}

export function documentationXml(text: string, indent = "  "): string {
  return `${indent}<wsdl:documentation>${escapeText(text)}</wsdl:documentation>\n`;
}

/**
 * The `wsdl:types` section: one schema that imports each served schema by absolute URL, as WCF
 * publishes its `?xsd=xsdN` documents.
 */
export function typesImportingXml(imports: ReadonlyArray<{ namespace: string; location: string }>): string {
  return (
    `  <wsdl:types>\n    <xs:schema targetNamespace="urn:smdb-harness:wsdl-imports">\n` +
    imports
      .map(
        (i) =>
          `      <xs:import namespace="${escapeAttr(i.namespace)}" schemaLocation="${escapeAttr(i.location)}"/>\n`,
      )
      .join("") +
    `    </xs:schema>\n  </wsdl:types>\n`
  );
}

/** The `wsdl:types` section with the schemas themselves (WCF's `?singleWsdl`, for tools that do not follow imports). */
export function typesInlineXml(schemas: readonly string[]): string {
  const body = schemas
    .map((xsd) =>
      xsd
        .replace(/^<\?xml[^>]*\?>\s*/, "")
        .replace(/^/gm, "    ")
        .trimEnd(),
    )
    .join("\n");
  return `  <wsdl:types>\n${body}\n  </wsdl:types>\n`;
}

/**
 * The schema of the fault detail both services put in a verbose fault (src/xml/soap.ts,
 * src/xml/soap12.ts): the reason code, the sentence, and for VALIDATION_ERROR every bad field.
 */
export function harnessFaultXsd(): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="${NS.xs}" xmlns:h="${NS.harness}" targetNamespace="${NS.harness}" elementFormDefault="qualified">
  <xs:annotation><xs:documentation>The detail of a fault from smdb-harness in its verbose fault mode (the default; "up --fault-mode realistic" sends the generic WS-Security texts only). A reason is a code of the harness's list (docs/sts.md, docs/smdb.md); new codes may be added, so it is a string, not an enumeration.</xs:documentation></xs:annotation>
  <xs:element name="HarnessFault">
    <xs:complexType>
      <xs:sequence>
        <xs:element name="Reason" type="xs:string">
          <xs:annotation><xs:documentation>The reason code, e.g. CERT_NOT_YET_ACTIVE or VALIDATION_ERROR.</xs:documentation></xs:annotation>
        </xs:element>
        <xs:element name="Message" type="xs:string">
          <xs:annotation><xs:documentation>Why, in a sentence naming the certificate, the token or the field concerned.</xs:documentation></xs:annotation>
        </xs:element>
        <xs:element name="Field" minOccurs="0" maxOccurs="unbounded">
          <xs:annotation><xs:documentation>VALIDATION_ERROR: one bad field, its name in the attribute and the problem as text.</xs:documentation></xs:annotation>
          <xs:complexType>
            <xs:simpleContent>
              <xs:extension base="xs:string">
                <xs:attribute name="name" type="xs:string" use="required"/>
              </xs:extension>
            </xs:simpleContent>
          </xs:complexType>
        </xs:element>
      </xs:sequence>
    </xs:complexType>
  </xs:element>
</xs:schema>
`;
}
