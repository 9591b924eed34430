/**
 * The WSDL 1.1 of the simulated SMDB (SOAP 1.2, document/literal), with the OIO IDWS SOAP binding
 * stated as WS-SecurityPolicy where it helps a generator or a policy-driven WS-Security stack
 * (CXF, WCF): a SAML 2.0 holder-of-key token issued by the NemLog-in STS, the message signed with
 * the token's key over Timestamp, Body, token and every WS-Addressing header, the answer signed
 * by SMDB's certificate. The Body types are in the served XSD (xsd.ts); faults carry
 * `h:HarnessFault` (src/xml/wsdl-parts.ts).
 */
import type { Certificate } from "../pki/index.js";
import { escapeAttr, escapeText, NS, WSS, WST } from "../xml/ns.js";
import {
  ASYMMETRIC_BINDING_TAIL,
  documentationXml,
  endpointReferenceXml,
  harnessFaultXsd,
  includeToken,
  signedPartsPolicy,
  typesImportingXml,
  typesInlineXml,
  WSDL_NAMESPACE_DECLARATIONS,
  WSDL_NS,
  x509TokenPolicy,
} from "../xml/wsdl-parts.js";
import { OPERATIONS, requestAction, responseAction } from "./operations.js";
import { SMDB_NS } from "./schema.js";
import { smdbXsd } from "./xsd.js";

/** The schemas the WSDL imports, by their `?xsd=N` number. */
export const SMDB_SCHEMAS = {
  "1": { namespace: SMDB_NS, document: smdbXsd },
  "2": { namespace: NS.harness, document: harnessFaultXsd },
} as const satisfies Record<string, { namespace: string; document: () => string }>;

export interface SmdbWsdlOptions {
  /** Where the service is, e.g. `https://127.0.0.1:8080/production/smdb` (the schemas are at `?xsd=N`). */
  endpointUrl: string;
  /** The STS a client gets its token from (`…/SecurityTokenService.svc`), named as the token's issuer. */
  stsUrl: string;
  /** SMDB's certificate (signs answers; tokens are encrypted to it), published as the endpoint's identity. */
  certificate?: Certificate;
  /** For the documentation: e.g. "production". */
  environment: string;
  /** The schemas in the WSDL itself instead of imported from `?xsd=N` (`?singleWsdl`). */
  inlineSchemas?: boolean;
}

function bindingPolicy(stsUrl: string): string {
  return `  <wsp:Policy wsu:Id="SmdbBindingPolicy">
    <wsp:ExactlyOne>
      <wsp:All>
        <wsam:Addressing><wsp:Policy/></wsam:Addressing>
        <sp:AsymmetricBinding>
          <wsp:Policy>
            <sp:InitiatorToken><wsp:Policy><sp:SamlToken sp:IncludeToken="${includeToken("Never")}"><wsp:Policy><sp:WssSamlV20Token11/></wsp:Policy></sp:SamlToken></wsp:Policy></sp:InitiatorToken>
            <sp:RecipientToken><wsp:Policy>${x509TokenPolicy("AlwaysToInitiator")}</wsp:Policy></sp:RecipientToken>
            ${ASYMMETRIC_BINDING_TAIL}
          </wsp:Policy>
        </sp:AsymmetricBinding>
        <sp:SignedSupportingTokens>
          <wsp:Policy>
            <sp:IssuedToken sp:IncludeToken="${includeToken("AlwaysToRecipient")}">
              <sp:Issuer><wsa:Address>${escapeText(stsUrl)}</wsa:Address></sp:Issuer>
              <sp:RequestSecurityTokenTemplate>
                <wst:TokenType xmlns:wst="${NS.wst}">${WSS.samlV20}</wst:TokenType>
                <wst:KeyType xmlns:wst="${NS.wst}">${WST.keyTypePublicKey}</wst:KeyType>
              </sp:RequestSecurityTokenTemplate>
              <wsp:Policy><sp:RequireInternalReference/></wsp:Policy>
            </sp:IssuedToken>
          </wsp:Policy>
        </sp:SignedSupportingTokens>
        <sp:Wss11><wsp:Policy><sp:MustSupportRefKeyIdentifier/><sp:MustSupportRefThumbprint/></wsp:Policy></sp:Wss11>
        <sp:Trust13><wsp:Policy><sp:MustSupportIssuedTokens/></wsp:Policy></sp:Trust13>
      </wsp:All>
    </wsp:ExactlyOne>
  </wsp:Policy>
`;
}

/** The WSDL of SMDB at `options.endpointUrl`. */
export function smdbWsdl(options: SmdbWsdlOptions): string {
  const { endpointUrl } = options;
  const messages = OPERATIONS.map(
    (op) =>
      `  <wsdl:message name="${op}Request"><wsdl:part name="parameters" element="smdb:${op}"/></wsdl:message>\n` +
      `  <wsdl:message name="${op}Response"><wsdl:part name="parameters" element="smdb:${op}Response"/></wsdl:message>\n`,
  ).join("");
  const portOperations = OPERATIONS.map(
    (op) =>
      `    <wsdl:operation name="${op}">\n` +
      `      <wsdl:input wsam:Action="${requestAction(op)}" message="tns:${op}Request"/>\n` +
      `      <wsdl:output wsam:Action="${responseAction(op)}" message="tns:${op}Response"/>\n` +
      `      <wsdl:fault name="HarnessFault" message="tns:HarnessFault"/>\n` +
      `    </wsdl:operation>\n`,
  ).join("");
  const bindingOperations = OPERATIONS.map(
    (op) =>
      `    <wsdl:operation name="${op}">\n` +
      `      <soap12:operation soapAction="${requestAction(op)}" style="document"/>\n` +
      `      <wsdl:input><wsp:PolicyReference URI="#SmdbInputPolicy"/><soap12:body use="literal"/></wsdl:input>\n` +
      `      <wsdl:output><wsp:PolicyReference URI="#SmdbOutputPolicy"/><soap12:body use="literal"/></wsdl:output>\n` +
      `      <wsdl:fault name="HarnessFault"><soap12:fault name="HarnessFault" use="literal"/></wsdl:fault>\n` +
      `    </wsdl:operation>\n`,
  ).join("");
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<wsdl:definitions name="SMDB" targetNamespace="${SMDB_NS}" xmlns:tns="${SMDB_NS}" xmlns:smdb="${SMDB_NS}" xmlns:soap12="${WSDL_NS.soap12}" ${WSDL_NAMESPACE_DECLARATIONS}>\n` +
    documentationXml(
      `Stofmisbrugsdatabasen (SMDB), ${options.environment}, as simulated by smdb-harness: OIO IDWS SOAP binding over SOAP 1.2. Every request carries, in wsse:Security, a SAML 2.0 holder-of-key token from the NemLog-in STS (${options.stsUrl}) exactly as issued, and is signed with the key of the certificate the token was issued for; a generated client gets that header from its WS-Security stack, not from this WSDL. The real SMDB WSDL is not public; the names are the harness's own (docs/smdb.md).`,
    ) +
    (options.inlineSchemas
      ? typesInlineXml(Object.values(SMDB_SCHEMAS).map((s) => s.document()))
      : typesImportingXml(
          Object.entries(SMDB_SCHEMAS).map(([n, s]) => ({
            namespace: s.namespace,
            location: `${endpointUrl}?xsd=${n}`,
          })),
        )) +
    messages +
    `  <wsdl:message name="HarnessFault"><wsdl:part name="detail" element="h:HarnessFault"/></wsdl:message>\n` +
    `  <wsdl:portType name="SmdbPortType">\n${portOperations}  </wsdl:portType>\n` +
    `  <wsdl:binding name="SmdbSoap12Binding" type="tns:SmdbPortType">\n` +
    `    <wsp:PolicyReference URI="#SmdbBindingPolicy"/>\n` +
    `    <soap12:binding style="document" transport="${WSDL_NS.httpTransport}"/>\n${bindingOperations}  </wsdl:binding>\n` +
    `  <wsdl:service name="SMDB">\n    <wsdl:port name="SmdbPort" binding="tns:SmdbSoap12Binding">\n` +
    `      <soap12:address location="${escapeAttr(endpointUrl)}"/>\n` +
    `      ${endpointReferenceXml(endpointUrl, options.certificate)}\n` +
    `    </wsdl:port>\n  </wsdl:service>\n` +
    bindingPolicy(options.stsUrl) +
    signedPartsPolicy("SmdbInputPolicy") +
    signedPartsPolicy("SmdbOutputPolicy", ["To", "MessageID", "RelatesTo", "Action"]) +
    `</wsdl:definitions>\n`
  );
}
