/**
 * The WSDL 1.1 of the simulated NemLog-in STS: WS-Trust 1.3 Issue over SOAP 1.1 with the OIO
 * WS-Trust profile stated as WS-SecurityPolicy (an X.509 certificate signs Timestamp, Body,
 * certificate and every WS-Addressing header; the STS signs its answer with a certificate the
 * client must already hold). The names are those of the OIO IDWS Java reference's `sts.wsdl`
 * (service SecurityTokenService, port STS_Port), so a CXF `STSClient` configured for it works
 * unchanged; the types are the part of the OASIS ws-trust-1.3.xsd the profile uses.
 */
import type { Environment } from "../core/events.js";
import type { Certificate } from "../pki/index.js";
import { escapeAttr, NS, WSS, WST } from "../xml/ns.js";
import {
  ASYMMETRIC_BINDING_TAIL,
  documentationXml,
  endpointReferenceXml,
  harnessFaultXsd,
  signedPartsPolicy,
  typesImportingXml,
  typesInlineXml,
  WSDL_NAMESPACE_DECLARATIONS,
  WSDL_NS,
  x509TokenPolicy,
} from "../xml/wsdl-parts.js";

/** The path of an environment's STS endpoint. */
export function stsEndpointPath(env: Environment): string {
  return `/${env}/SecurityTokenService.svc`;
}

/** The WSDL's own namespace: the one the Java reference's sts.wsdl uses (note the final slash). */
const STS_WSDL_NS = `${NS.wst}/`;

/** The part of the WS-Trust 1.3 schema (OASIS ws-trust-1.3.xsd) that OIO WS-Trust uses. */
export function wsTrustXsd(): string {
  const open = `<xs:complexType><xs:sequence><xs:any namespace="##any" processContents="lax" minOccurs="0" maxOccurs="unbounded"/></xs:sequence><xs:anyAttribute namespace="##other" processContents="lax"/></xs:complexType>`;
  const uri = (name: string, documentation: string) =>
    `  <xs:element name="${name}" type="xs:anyURI"><xs:annotation><xs:documentation>${documentation}</xs:documentation></xs:annotation></xs:element>\n`;
  const openElement = (name: string, documentation: string) =>
    `  <xs:element name="${name}"><xs:annotation><xs:documentation>${documentation}</xs:documentation></xs:annotation>${open}</xs:element>\n`;
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<xs:schema xmlns:xs="${NS.xs}" xmlns:wst="${NS.wst}" targetNamespace="${NS.wst}" elementFormDefault="qualified">\n` +
    `  <xs:annotation><xs:documentation>WS-Trust 1.3 as the NemLog-in STS profiles it (OIO WS-Trust), the elements and types of the OASIS ws-trust-1.3.xsd that a token request and its answer use. As in the OASIS schema, a request and a response have open content: what goes in them is the profile's (docs/sts.md).</xs:documentation></xs:annotation>\n` +
    `  <xs:complexType name="RequestSecurityTokenType">\n` +
    `    <xs:annotation><xs:documentation>OIO WS-Trust: @Context, wst:RequestType (…/Issue), wsp:AppliesTo/wsa:EndpointReference/wsa:Address (the WSP's entity ID), optionally wst:TokenType (${WSS.samlV20}) and wst:Lifetime; wst:KeyType and wst:UseKey are ignored; ActAs is not allowed for a systembruger.</xs:documentation></xs:annotation>\n` +
    `    <xs:sequence><xs:any namespace="##any" processContents="lax" minOccurs="0" maxOccurs="unbounded"/></xs:sequence>\n` +
    `    <xs:attribute name="Context" type="xs:anyURI" use="optional"/>\n` +
    `    <xs:anyAttribute namespace="##other" processContents="lax"/>\n` +
    `  </xs:complexType>\n` +
    `  <xs:element name="RequestSecurityToken" type="wst:RequestSecurityTokenType"/>\n` +
    `  <xs:complexType name="RequestSecurityTokenResponseType">\n` +
    `    <xs:annotation><xs:documentation>The answer: @Context echoed, wst:TokenType, wsp:AppliesTo, wst:RequestedSecurityToken/saml2:EncryptedAssertion (encrypted to the WSP, to be copied unchanged into the WSP call), wst:RequestedAttachedReference, wst:RequestedUnattachedReference, wst:Lifetime.</xs:documentation></xs:annotation>\n` +
    `    <xs:sequence><xs:any namespace="##any" processContents="lax" minOccurs="0" maxOccurs="unbounded"/></xs:sequence>\n` +
    `    <xs:attribute name="Context" type="xs:anyURI" use="optional"/>\n` +
    `    <xs:anyAttribute namespace="##other" processContents="lax"/>\n` +
    `  </xs:complexType>\n` +
    `  <xs:element name="RequestSecurityTokenResponse" type="wst:RequestSecurityTokenResponseType"/>\n` +
    `  <xs:complexType name="RequestSecurityTokenResponseCollectionType">\n` +
    `    <xs:sequence><xs:element ref="wst:RequestSecurityTokenResponse" minOccurs="1" maxOccurs="unbounded"/></xs:sequence>\n` +
    `    <xs:anyAttribute namespace="##other" processContents="lax"/>\n` +
    `  </xs:complexType>\n` +
    `  <xs:element name="RequestSecurityTokenResponseCollection" type="wst:RequestSecurityTokenResponseCollectionType"/>\n` +
    uri("TokenType", `The token type: ${WSS.samlV20}.`) +
    uri("RequestType", `Always ${WST.requestTypeIssue}.`) +
    uri("KeyType", `Sent by some clients (e.g. ${WST.keyTypePublicKey}); ignored.`) +
    openElement(
      "Lifetime",
      "wsu:Created and wsu:Expires: the lifetime asked for (honoured within the STS's limits) or granted.",
    ) +
    openElement("RequestedSecurityToken", "The issued token: a saml2:EncryptedAssertion.") +
    openElement("RequestedAttachedReference", "A wsse:SecurityTokenReference to the token.") +
    openElement("RequestedUnattachedReference", "A wsse:SecurityTokenReference to the token.") +
    openElement("UseKey", "Sent by some clients; ignored (the key is the signing certificate's).") +
    `</xs:schema>\n`
  );
}

/** The schemas the WSDL imports, by their `?xsd=N` number. */
export const STS_SCHEMAS = {
  "1": { namespace: NS.wst, document: wsTrustXsd },
  "2": { namespace: NS.harness, document: harnessFaultXsd },
} as const satisfies Record<string, { namespace: string; document: () => string }>;

export interface StsWsdlOptions {
  /** Where the STS is, e.g. `https://127.0.0.1:8080/production/SecurityTokenService.svc`. */
  endpointUrl: string;
  /** The wsa:To the STS expects (NemLog-in's, e.g. `https://signature.sts.nemlog-in.dk/`), for the documentation. */
  endpointReference: string;
  /** The certificate the STS signs answers and tokens with now, published as the endpoint's identity. */
  certificate?: Certificate;
  environment: string;
  inlineSchemas?: boolean;
}

const BINDING_POLICY = `  <wsp:Policy wsu:Id="X509_policy">
    <wsp:ExactlyOne>
      <wsp:All>
        <wsam:Addressing><wsp:Policy/></wsam:Addressing>
        <sp:AsymmetricBinding>
          <wsp:Policy>
            <sp:InitiatorToken><wsp:Policy>${x509TokenPolicy("AlwaysToRecipient")}</wsp:Policy></sp:InitiatorToken>
            <sp:RecipientToken><wsp:Policy>${x509TokenPolicy("Never")}</wsp:Policy></sp:RecipientToken>
            ${ASYMMETRIC_BINDING_TAIL}
          </wsp:Policy>
        </sp:AsymmetricBinding>
        <sp:Wss10><wsp:Policy><sp:MustSupportRefKeyIdentifier/></wsp:Policy></sp:Wss10>
        <sp:Trust13><wsp:Policy/></sp:Trust13>
      </wsp:All>
    </wsp:ExactlyOne>
  </wsp:Policy>
`;

/** The WSDL of the STS at `options.endpointUrl`. */
export function stsWsdl(options: StsWsdlOptions): string {
  const { endpointUrl } = options;
  const types = options.inlineSchemas
    ? typesInlineXml(Object.values(STS_SCHEMAS).map((s) => s.document()))
    : typesImportingXml(
        Object.entries(STS_SCHEMAS).map(([n, s]) => ({
          namespace: s.namespace,
          location: `${endpointUrl}?xsd=${n}`,
        })),
      );
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<wsdl:definitions name="SecurityTokenService" targetNamespace="${STS_WSDL_NS}" xmlns:tns="${STS_WSDL_NS}" xmlns:wst="${NS.wst}" xmlns:soap="${WSDL_NS.soap11}" ${WSDL_NAMESPACE_DECLARATIONS}>\n` +
    documentationXml(
      `The NemLog-in Security Token Service, ${options.environment}, as simulated by smdb-harness: WS-Trust 1.3 Issue over SOAP 1.1, OIO WS-Trust profile. A systembruger signs the request with its function certificate (wsse:BinarySecurityToken) over wsu:Timestamp, Body and every wsa header; wsa:To is ${options.endpointReference}. The answer carries a SAML 2.0 holder-of-key token encrypted to the WSP and is signed by the STS without KeyInfo: the client must already trust the STS certificate. A generated client gets the security header from its WS-Security stack (or an OIO IDWS library), not from this WSDL (docs/sts.md).`,
    ) +
    types +
    `  <wsdl:message name="RequestSecurityTokenMsg"><wsdl:part name="request" element="wst:RequestSecurityToken"/></wsdl:message>\n` +
    `  <wsdl:message name="RequestSecurityTokenResponseCollectionMsg"><wsdl:part name="responseCollection" element="wst:RequestSecurityTokenResponseCollection"/></wsdl:message>\n` +
    `  <wsdl:message name="HarnessFault"><wsdl:part name="detail" element="h:HarnessFault"/></wsdl:message>\n` +
    `  <wsdl:portType name="STS">\n    <wsdl:operation name="Issue">\n` +
    // The NemLog-in STS answers with the request's action (src/xml/ns.ts WST.issueResponseAction).
    `      <wsdl:input wsam:Action="${WST.issueAction}" message="tns:RequestSecurityTokenMsg"/>\n` +
    `      <wsdl:output wsam:Action="${WST.issueResponseAction}" message="tns:RequestSecurityTokenResponseCollectionMsg"/>\n` +
    `      <wsdl:fault name="HarnessFault" message="tns:HarnessFault"/>\n` +
    `    </wsdl:operation>\n  </wsdl:portType>\n` +
    `  <wsdl:binding name="X509_Binding" type="tns:STS">\n    <wsp:PolicyReference URI="#X509_policy"/>\n` +
    `    <soap:binding style="document" transport="${WSDL_NS.httpTransport}"/>\n` +
    `    <wsdl:operation name="Issue">\n      <soap:operation soapAction="${WST.issueAction}" style="document"/>\n` +
    `      <wsdl:input><wsp:PolicyReference URI="#Input_policy"/><soap:body use="literal"/></wsdl:input>\n` +
    `      <wsdl:output><wsp:PolicyReference URI="#Output_policy"/><soap:body use="literal"/></wsdl:output>\n` +
    `      <wsdl:fault name="HarnessFault"><soap:fault name="HarnessFault" use="literal"/></wsdl:fault>\n` +
    `    </wsdl:operation>\n  </wsdl:binding>\n` +
    `  <wsdl:service name="SecurityTokenService">\n    <wsdl:port name="STS_Port" binding="tns:X509_Binding">\n` +
    `      <soap:address location="${escapeAttr(endpointUrl)}"/>\n` +
    `      ${endpointReferenceXml(endpointUrl, options.certificate)}\n` +
    `    </wsdl:port>\n  </wsdl:service>\n` +
    BINDING_POLICY +
    signedPartsPolicy("Input_policy") +
    signedPartsPolicy("Output_policy", ["MessageID", "RelatesTo", "Action"]) +
    `</wsdl:definitions>\n`
  );
}
