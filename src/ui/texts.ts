/**
 * Every word the board shows, in Danish (the default) and English (`?lang=en`): labels in
 * NemLog-in's own terms, what each reason code means and what to do about it, and how each
 * scenario step is explained. The page gets these as JSON and looks every label up here, so a
 * label missing in one language is a test failure (test/ui/texts.test.ts), not an English word on
 * a Danish screen. `{name}` marks a value filled in by the page.
 */

export type Lang = "da" | "en";
export const LANGS: readonly Lang[] = ["da", "en"];

type Pair = readonly [da: string, en: string];

export const LABELS = {
  pageTitle: [
    "NemLog-in administration (simuleret) · smdb-harness",
    "NemLog-in administration (simulated) · smdb-harness",
  ],
  brand: ["NemLog-in", "NemLog-in"],
  brandSub: ["administration, simuleret af smdb-harness", "administration, simulated by smdb-harness"],
  clock: ["Tid", "Time"],
  clockVirtual: ["virtuelt ur", "virtual clock"],
  clockReal: [
    "rigtigt ur: kan ikke flyttes (start med up --virtual-clock)",
    "real clock: cannot be moved (start with up --virtual-clock)",
  ],
  back1d: ["−1 d", "−1 d"],
  adv1h: ["+1 t", "+1 h"],
  adv1d: ["+1 d", "+1 d"],
  adv10d: ["+10 d", "+10 d"],
  adv30d: ["+30 d", "+30 d"],
  jumpExpiry: ["Spring til udløb", "Jump to expiry"],
  jumpExpiryAt: ["Spring til udløb ({at})", "Jump to expiry ({at})"],
  jumpExpiryTitle: [
    "Flyt tiden til lige efter, at {cert} udløber: dér skifter STS'en til det næste certifikat",
    "Move time to just after {cert} expires: there the STS switches to the next certificate",
  ],
  setTimePlaceholder: ["tid: 2026-03-01 eller +10d", "time: 2026-03-01 or +10d"],
  setTimeLabel: ["Ny tid", "New time"],
  setTime: ["Sæt tid", "Set time"],
  reset: ["Nulstil", "Reset"],
  resetTitle: [
    "Tilbage til starttiden {at}; tidslinjen begynder forfra",
    "Back to the start time {at}; the timeline starts over",
  ],
  clockMoved: ["Tiden er nu {at}", "Time is now {at}"],
  policy: ["Skifteregel", "Rollover policy"],
  "policy.at-expiry": ["Ved udløb", "At expiry"],
  "policy.overlap": ["Overlap", "Overlap"],
  "policy.immediate": ["Straks", "Immediate"],
  "policyHelp.at-expiry": [
    "STS'en accepterer det nuværende certifikat, til det udløber, og derefter det næste",
    "the STS accepts the current certificate until it expires, then the next one",
  ],
  "policyHelp.overlap": [
    "STS'en accepterer begge provisionerede certifikater, mens hvert er gyldigt",
    "the STS accepts both provisioned certificates while each is valid",
  ],
  "policyHelp.immediate": [
    "et provisioneret næste certifikat erstatter det nuværende med det samme (eller på aktiveringstidspunktet)",
    "a provisioned next certificate replaces the current one at once (or at the activation time)",
  ],
  policyChanged: ["Skifteregel: {policy}", "Rollover policy: {policy}"],
  playScenario: ["Afspil scenarie", "Play scenario"],
  chooseScenario: ["Vælg et scenarie …", "Choose a scenario …"],
  language: ["Sprog", "Language"],
  connectionLost: [
    "Forbindelsen til harness er afbrudt: prøver igen",
    "Lost the connection to the harness: retrying",
  ],

  crumbProvider: ["IT-systemudbyder", "IT system provider"],
  crumbUsers: ["Systembrugere", "System users"],
  crumbTechnical: ["Tekniske oplysninger", "Technical details"],
  createUser: ["Opret systembruger", "Create system user"],
  userName: ["Navn", "Name"],
  userCvr: ["CVR-nummer", "CVR number"],
  userEntityId: ["Entity ID", "Entity ID"],
  create: ["Opret", "Create"],
  userCreated: [
    "Systembrugeren {id} er oprettet: upload dens certifikat",
    "System user {id} created: upload its certificate",
  ],
  usersEmpty: ["Ingen systembrugere endnu: opret en.", "No system users yet: create one."],
  usersCount: ["Systembrugere ({n})", "System users ({n})"],
  "env.production": ["Produktion", "Production"],
  "env.integration": ["Integrationstest", "Integration test"],
  "slot.current": ["Nuværende", "Current"],
  "slot.next": ["Næste", "Next"],
  colDraft: ["Kladde", "Draft"],
  colSaved: ["Gemt", "Saved"],
  colProvisioned: ["Provisioneret: det STS'en bruger", "Provisioned: what the STS uses"],
  save: ["Gem tekniske oplysninger", "Save technical details"],
  "provision.integration": ["Provisioner til integrationstest", "Provision to integration test"],
  "provision.production": ["Provisioner til produktion", "Provision to production"],
  provisionNote: ["Provisionering virker med det samme.", "Provisioning acts at once."],
  provisionNoteTitle: [
    "STS'en bruger det gemte fra næste tokenanmodning; der spørges ikke først.",
    "The STS uses the saved set from the next token request; there is no confirmation.",
  ],
  activateAtPlaceholder: ["aktivering (valgfri): +10d", "activation (optional): +10d"],
  activateAtLabel: ["Aktiveringstidspunkt for næste certifikat", "Activation time of the next certificate"],
  chooseFile: ["Vælg .cer", "Choose .cer"],
  chooseFileLabel: ["Certifikatfil (.cer) til {slot} i {env}", "Certificate file (.cer) for {slot} in {env}"],
  fromClient: ["fra klienten …", "from the client …"],
  fromClientLabel: [
    "Certifikat fra klientens lager til {slot} i {env}",
    "Certificate from the client's store for {slot} in {env}",
  ],
  remove: ["Fjern", "Remove"],
  revoke: ["Spær", "Revoke"],
  revoked: ["Spærret", "Revoked"],
  notValidNow: ["Ugyldigt nu", "Not valid now"],
  accepted: ["Accepteres af STS", "Accepted by STS"],
  warnUnsaved: [
    "Kladden er ikke gemt: intet ændrer sig, før du klikker »Gem tekniske oplysninger«.",
    "The draft is not saved: nothing changes until “Save technical details”.",
  ],
  warnNotProvisioned: [
    "Gemt, men ikke provisioneret til {env}: STS'en bruger stadig det provisionerede. Klik »{button}«.",
    "Saved but not provisioned to {env}: the STS still uses the provisioned set. Click “{button}”.",
  ],
  provisionedAt: ["provisioneret {at}", "provisioned {at}"],
  activatesAt: ["næste aktiveres {at}", "next activates {at}"],
  activatesIgnored: [
    "(bruges kun under skiftereglen Straks; nu {policy})",
    "(used only under policy Immediate; now {policy})",
  ],
  changesAt: ["STS'ens svar skifter {at}", "the STS's answer changes {at}"],
  neverProvisioned: ["aldrig provisioneret til {env}", "never provisioned to {env}"],
  uploaded: ["{file} er lagt i kladden ({sha})", "{file} is in the draft ({sha})"],
  savedDone: [
    "Gemt: kladden er nu det gemte; intet er provisioneret endnu",
    "Saved: the draft is now the saved set; nothing is provisioned yet",
  ],
  provisionedDone: [
    "Provisioneret til {env}: STS'en bruger det gemte nu",
    "Provisioned to {env}: the STS uses the saved set now",
  ],
  removedDone: ["Fjernet fra kladden", "Removed from the draft"],
  revokedDone: ["{cn} er spærret", "{cn} is revoked"],
  chooseFileFirst: ["Vælg en .cer-fil først", "Choose a .cer file first"],
  chooseP12First: ["Vælg en .p12-fil først", "Choose a .p12 file first"],
  serverSaid: ["Serverens besked (på engelsk)", "The server's message"],

  clientTitle: ["Klient", "Client"],
  clientSub: ["leverandørens system", "the vendor's system"],
  clientEnv: ["Miljø", "Environment"],
  clientCrossed: ["STS i {sts}, SMDB i {wsp}", "STS in {sts}, SMDB in {wsp}"],
  inUse: ["Certifikat i brug", "Certificate in use"],
  fallback: ["Reserve", "Fallback"],
  lookup: ["Opslag i certifikatlageret: {type} »{value}«", "Certificate store lookup: {type} “{value}”"],
  startError: ["Klienten kan ikke starte", "The client cannot start"],
  noneShort: ["—", "—"],
  deploy: ["Udrul", "Deploy"],
  asFallback: ["Som reserve", "As fallback"],
  noFallback: ["Uden reserve", "No fallback"],
  rollback: ["Rul tilbage", "Roll back"],
  issue: ["Bestil nyt certifikat", "Order a new certificate"],
  issueTitle: [
    "Udsteder et nyt OCES3-systemcertifikat til systembrugerens CVR (som MitID Erhverv gør) og lægger det i klientens lager",
    "Issues a new OCES3 system certificate for the system user's CVR (as MitID Erhverv does) into the client's store",
  ],
  issuedDone: ["Nyt certifikat i klientens lager: {cn}", "New certificate in the client's store: {cn}"],
  deployedDone: ["Klienten er genstartet med {cn}", "The client restarted with {cn}"],
  rolledBackDone: ["Klienten er rullet tilbage til {cn}", "The client rolled back to {cn}"],
  downloadCer: ["Hent .cer", "Download .cer"],
  store: ["Klientens certifikatlager", "The client's certificate store"],
  chooseP12: ["Vælg .p12", "Choose .p12"],
  p12Password: ["adgangskode til .p12", ".p12 password"],
  addP12: ["Læg i lageret", "Add to the store"],
  addedP12: ["{cn} er lagt i klientens lager", "{cn} is in the client's store"],
  storeEmpty: ["Lageret er tomt.", "The store is empty."],
  "source.registered": ["registreret", "registered"],
  "source.issued": ["bestilt", "ordered"],
  "source.uploaded": ["uploadet", "uploaded"],
  "source.scenario": ["scenarie", "scenario"],
  validTo: ["gyldigt til {at}", "valid until {at}"],
  callMode: ["Kald", "Calls"],
  "mode.on-change": ["ved hver ændring", "on every change"],
  "mode.interval": ["hvert {n}. sekund og ved ændringer", "every {n} seconds and on changes"],
  "mode.manual": ["kun manuelt", "manual only"],
  callNow: ["Kald nu", "Call now"],
  noCalls: ["Ingen kald endnu.", "No calls yet."],
  notDeployed: [
    "Klienten har intet certifikat udrullet: udrul et fra lageret.",
    "The client has no certificate deployed: deploy one from the store.",
  ],
  "step.0": ["Før afsendelse", "Before sending"],
  "step.1": ["Trin 1 (STS)", "Step 1 (STS)"],
  "step.2": ["Trin 2 (SMDB)", "Step 2 (SMDB)"],
  callOk: ["Token og indberetning lykkedes", "Token and report succeeded"],
  callOkCached: ["Indberetning lykkedes (token fra cache)", "Report succeeded (cached token)"],
  trustSts: ["Stol på STS'ens nye certifikat", "Trust the STS's new certificate"],
  trustStsDone: [
    "Klienten stoler nu også på STS'ens nuværende certifikat",
    "The client now also trusts the STS's current certificate",
  ],
  inspectHint: ["Klik på et rødt kald for at se beskederne", "Click a red call to see its messages"],

  timeline: ["Tidslinje", "Timeline"],
  downtime: ["Nedetid indtil nu", "Downtime so far"],
  hours: ["{n} timer", "{n} hours"],
  "lane.production.draft": ["Produktion: kladde", "Production: draft"],
  "lane.production.saved": ["Produktion: gemt", "Production: saved"],
  "lane.production.provisioned": ["Produktion: provisioneret", "Production: provisioned"],
  "lane.integration.draft": ["Integrationstest: kladde", "Integration: draft"],
  "lane.integration.saved": ["Integrationstest: gemt", "Integration: saved"],
  "lane.integration.provisioned": ["Integrationstest: provisioneret", "Integration: provisioned"],
  "lane.client": ["Klientens certifikat", "Client's certificate"],
  "lane.verdict": ["STS'ens vurdering", "The STS's verdict"],
  "lane.calls": ["Kald", "Calls"],
  laneEmpty: ["intet", "nothing"],
  laneSet: ["nuv. {current} · næste {next}", "current {current} · next {next}"],
  laneSetCurrent: ["nuv. {current}", "current {current}"],
  laneSetNext: ["næste {next}", "next {next}"],
  laneClient: ["{cert}", "{cert}"],
  laneClientFallback: ["{cert} (reserve {fallback})", "{cert} (fallback {fallback})"],
  clockBack: ["tiden sat tilbage", "clock set back"],

  inspector: ["Inspektør", "Inspector"],
  inspectorEvent: ["Hændelse {seq} · {at}", "Event {seq} · {at}"],
  what: ["Hvad betyder det?", "What does it mean?"],
  todo: ["Hvad gør man?", "What to do?"],
  failingElement: ["Det fejlende element er markeret: {element}", "The failing element is marked: {element}"],
  request: ["Anmodning", "Request"],
  response: ["Svar", "Response"],
  truncated: ["(afkortet)", "(truncated)"],
  close: ["Luk", "Close"],
  "noMessages.NOT_FROM_BOARD_CLIENT": [
    "Anmodningen kom ikke fra tavlens klient, så beskederne er ikke gemt.",
    "The request did not come from the board's client, so its messages are not kept.",
  ],
  "noMessages.NO_LONGER_KEPT": [
    "Beskederne gemmes kun for de seneste kald.",
    "Messages are kept for the latest calls only.",
  ],
  "noMessages.NOT_SENT": [
    "Intet blev sendt: klienten nåede ikke at lave en anmodning.",
    "Nothing was sent: the client made no request.",
  ],
  "noMessages.NOT_A_CALL": ["Hændelsen er ikke et kald.", "The event is not a call."],

  log: ["Hændelseslog", "Event log"],
  onlyRejected: ["kun afvisninger", "rejections only"],
  logEmpty: ["Ingen hændelser endnu.", "No events yet."],
  logSeq: ["#", "#"],
  logAt: ["Tid", "Time"],
  logEnv: ["Miljø", "Env."],
  logWho: ["Hvem", "Who"],
  logReason: ["Årsag", "Reason"],
  logUser: ["Systembruger", "System user"],
  logThumb: ["Fingeraftryk", "Thumbprint"],
  logText: ["Betydning", "Meaning"],
  "who.sts": ["STS", "STS"],
  "who.wsp": ["SMDB", "SMDB"],
  "who.client": ["Klient", "Client"],
  "who.admin": ["Administration", "Administration"],
  "who.clock": ["Ur", "Clock"],

  environments: ["Miljøer og STS-certifikater", "Environments and STS certificates"],
  envSts: ["STS", "STS"],
  envSigning: ["STS'ens signeringscertifikat", "STS signing certificate"],
  envSmdb: ["SMDB", "SMDB"],
  rotateSts: ["Skift STS'ens signeringscertifikat", "Rotate the STS signing certificate"],
  rotatedTimes: ["skiftet {n} gang(e)", "rotated {n}×"],
  rotatedDone: ["Nyt signeringscertifikat {sha}", "New signing certificate {sha}"],
  "wspTrust.current": [
    "SMDB stoler på STS'ens nuværende certifikat",
    "SMDB trusts the STS's current certificate",
  ],
  "wspTrust.pin-thumbprint": ["SMDB har fastlåst fingeraftryk {list}", "SMDB pins thumbprints {list}"],
  "wspTrust.subject-and-chain": ["SMDB stoler på emnet {list}", "SMDB trusts subject {list}"],

  scenario: ["Scenarie", "Scenario"],
  nextStep: ["Næste trin", "Next step"],
  toEnd: ["Kør til slut", "Run to the end"],
  stop: ["Stop", "Stop"],
  scenarioDone: ["Scenariet er slut.", "The scenario has ended."],
  expectedDowntime: ["Forventet nedetid: {d}", "Expected downtime: {d}"],
  measuredDowntime: ["Målt nedetid: {d}", "Measured downtime: {d}"],
  stepRefused: ["Afvist: {text}", "Refused: {text}"],
  stepCall: ["Kald bagefter: {text}", "Call afterwards: {text}"],
  scenarioChanges: [
    "Afspilning sætter tiden, skiftereglen og systembrugeren »scenarie«.",
    "Playing sets the time, the rollover policy and the system user “scenarie”.",
  ],
} as const satisfies Record<string, Pair>;

export type LabelKey = keyof typeof LABELS;

/** What a reason code means, and what to do about it. */
export const REASONS: Record<string, { da: readonly [string, string]; en: readonly [string, string] }> = {
  OK: {
    da: ["Accepteret", "Intet: alt virker."],
    en: ["Accepted", "Nothing: everything works."],
  },
  CERT_NOT_YET_ACTIVE: {
    da: [
      "Certifikatet er endnu ikke aktivt",
      "Klienten bruger det nye certifikat, før STS'en gør: det er provisioneret som næste og bliver først aktivt, når det nuværende udløber (skiftereglen Ved udløb). Rul klienten tilbage til det gamle certifikat, eller giv den det gamle som reserve, til det gamle udløber.",
    ],
    en: [
      "The certificate is not active yet",
      "The client uses the new certificate before the STS does: it is provisioned as next and becomes active only when the current one expires (policy At expiry). Roll the client back to the old certificate, or give it the old one as fallback, until the old one expires.",
    ],
  },
  CERT_NOT_PROVISIONED: {
    da: [
      "Certifikatet er ikke provisioneret i dette miljø",
      "Certifikatet er kun gemt, eller kun provisioneret til det andet miljø. Klik »Provisioner til …« for det miljø, klienten bruger.",
    ],
    en: [
      "The certificate is not provisioned in this environment",
      "The certificate is only saved, or provisioned to the other environment only. Click “Provision to …” for the environment the client uses.",
    ],
  },
  CERT_NOT_REGISTERED: {
    da: [
      "Certifikatet er ikke registreret hos nogen systembruger",
      "Upload certifikatets .cer under systembrugerens tekniske oplysninger, gem og provisioner.",
    ],
    en: [
      "The certificate is not registered with any system user",
      "Upload the certificate's .cer in the system user's technical details, save and provision.",
    ],
  },
  CERT_SUPERSEDED: {
    da: [
      "Certifikatet er afløst af det næste",
      "STS'en er skiftet til det næste certifikat. Udrul det nye certifikat i klienten.",
    ],
    en: [
      "The certificate is superseded by the next one",
      "The STS has switched to the next certificate. Deploy the new certificate in the client.",
    ],
  },
  CERT_EXPIRED: {
    da: [
      "Certifikatet er udløbet",
      "Udrul det fornyede certifikat i klienten, og sørg for, at det er provisioneret i NemLog-in.",
    ],
    en: [
      "The certificate has expired",
      "Deploy the renewed certificate in the client, and make sure NemLog-in has it provisioned.",
    ],
  },
  CERT_NOT_YET_VALID: {
    da: [
      "Certifikatet er endnu ikke gyldigt",
      "Vent til certifikatets gyldighed begynder, eller brug et gyldigt certifikat.",
    ],
    en: [
      "The certificate is not valid yet",
      "Wait until the certificate's validity begins, or use a valid certificate.",
    ],
  },
  CERT_REVOKED: {
    da: [
      "Certifikatet er spærret",
      "Bestil et nyt certifikat, upload det som nuværende, gem, provisioner og udrul det i klienten.",
    ],
    en: [
      "The certificate is revoked",
      "Order a new certificate, upload it as current, save, provision and deploy it in the client.",
    ],
  },
  CERT_UNTRUSTED_ISSUER: {
    da: [
      "Certifikatet er ikke udstedt af en CA, STS'en stoler på",
      "Brug et certifikat fra en godkendt udsteder (OCES3), eller tilføj udstederen som tillidsanker i testmiljøet.",
    ],
    en: [
      "The certificate is not issued by a CA the STS trusts",
      "Use a certificate from an accepted issuer (OCES3), or add its issuer as a trust anchor in the test environment.",
    ],
  },
  CLIENT_CERT_NOT_FOUND: {
    da: [
      "Klienten finder ikke sit certifikat",
      "Opslaget i certifikatlageret (findValue) passer ikke på det nye certifikat, fx fordi emnet er ændret. Ret opslaget og genstart klienten.",
    ],
    en: [
      "The client cannot find its certificate",
      "The certificate store lookup (findValue) does not match the new certificate, e.g. because its subject changed. Fix the lookup and restart the client.",
    ],
  },
  CLIENT_CERT_UNREADABLE: {
    da: ["Klienten kan ikke læse sit certifikat", "Kontrollér filen og adgangskoden til .p12-filen."],
    en: ["The client cannot read its certificate", "Check the file and the .p12 password."],
  },
  CONFIG_INVALID: {
    da: ["Klientens opsætning er ugyldig", "Ret klientens konfiguration."],
    en: ["The client's configuration is invalid", "Fix the client's configuration."],
  },
  STS_RESPONSE_UNTRUSTED: {
    da: [
      "Klienten stoler ikke på STS'ens svar",
      "STS'en signerer med et nyt certifikat. Installér STS'ens nye certifikat i klienten (»Stol på STS'ens nye certifikat«).",
    ],
    en: [
      "The client does not trust the STS's answer",
      "The STS signs with a new certificate. Install the STS's new certificate in the client (“Trust the STS's new certificate”).",
    ],
  },
  STS_UNREACHABLE: {
    da: ["STS'en svarer ikke", "Kontrollér STS-adressen og netværket."],
    en: ["The STS does not answer", "Check the STS address and the network."],
  },
  STS_FAULT: {
    da: ["STS'en afviste uden årsag", "Se årsagen i hændelsesloggen."],
    en: ["The STS refused without a reason", "See the reason in the event log."],
  },
  STS_RESPONSE_MALFORMED: {
    da: ["STS'ens svar kan ikke læses", "Kontrollér, at klienten taler med en STS."],
    en: ["The STS's answer cannot be read", "Check that the client talks to an STS."],
  },
  UNKNOWN_SERVICE: {
    da: [
      "STS'en kender ikke den tjeneste, der bedes om token til",
      "Klienten beder om token til en tjeneste, STS'en ikke kender: ofte en klient, der bruger ét miljøs STS og et andet miljøs SMDB. Ret klientens opsætning.",
    ],
    en: [
      "The STS does not know the service the token is for",
      "The client asks for a token for a service the STS does not know: often one environment's STS with the other's SMDB. Fix the client's configuration.",
    ],
  },
  HEADER_NOT_UNDERSTOOD: {
    da: [
      "Beskeden har en obligatorisk header (mustUnderstand), som tjenesten ikke forstår",
      "Fjern headeren, eller send den uden mustUnderstand.",
    ],
    en: [
      "The message carries a mandatory header (mustUnderstand) the service does not understand",
      "Remove the header, or send it without mustUnderstand.",
    ],
  },
  WRONG_ENDPOINT: {
    da: ["Beskeden er sendt til den forkerte adresse", "Ret adressen (wsa:To) i klientens opsætning."],
    en: ["The message went to the wrong address", "Fix the address (wsa:To) in the client's configuration."],
  },
  TIMESTAMP_EXPIRED: {
    da: ["Beskedens tidsstempel er for gammelt", "Klientens ur går forkert: synkronisér det."],
    en: ["The message's timestamp is too old", "The client's clock is off: synchronise it."],
  },
  TIMESTAMP_NOT_YET_VALID: {
    da: ["Beskedens tidsstempel ligger i fremtiden", "Klientens ur går forkert: synkronisér det."],
    en: ["The message's timestamp is in the future", "The client's clock is off: synchronise it."],
  },
  SIGNATURE_INVALID: {
    da: ["Signaturen er ugyldig", "Beskeden er ændret efter signering, eller signeret med en anden nøgle."],
    en: ["The signature is invalid", "The message was changed after signing, or signed with another key."],
  },
  UNSIGNED_PART: {
    da: ["En del af beskeden er ikke signeret", "Klienten skal signere alle headere og Body."],
    en: ["A part of the message is not signed", "The client must sign every header and the Body."],
  },
  UNSUPPORTED_ALGORITHM: {
    da: ["Algoritmen er ikke tilladt", "Brug rsa-sha256 og exc-c14n."],
    en: ["The algorithm is not allowed", "Use rsa-sha256 and exc-c14n."],
  },
  MALFORMED_REQUEST: {
    da: ["Anmodningen er ikke som forventet", "Se serverens besked for detaljen."],
    en: ["The request is not as expected", "See the server's message for the detail."],
  },
  TOKEN_EXPIRED: {
    da: ["Token er udløbet", "Klienten skal hente et nyt token hos STS'en."],
    en: ["The token has expired", "The client must fetch a new token from the STS."],
  },
  TOKEN_NOT_YET_VALID: {
    da: ["Token er endnu ikke gyldigt", "Urene er uenige: synkronisér klientens ur."],
    en: ["The token is not valid yet", "The clocks disagree: synchronise the client's clock."],
  },
  TOKEN_ISSUER_UNTRUSTED: {
    da: [
      "SMDB stoler ikke på den STS, der udstedte token",
      "STS'en signerer med et nyt certifikat, som SMDB ikke kender endnu. SMDB skal stole på STS'ens nye certifikat.",
    ],
    en: [
      "SMDB does not trust the STS that issued the token",
      "The STS signs with a new certificate SMDB does not know yet. SMDB must trust the STS's new certificate.",
    ],
  },
  TOKEN_SIGNATURE_INVALID: {
    da: ["Token-signaturen er ugyldig", "Token skal sendes præcis, som STS'en udstedte det."],
    en: ["The token's signature is invalid", "The token must be sent exactly as the STS issued it."],
  },
  TOKEN_DECRYPT_FAILED: {
    da: ["Token kan ikke dekrypteres", "Token er udstedt til en anden tjeneste."],
    en: ["The token cannot be decrypted", "The token was issued for another service."],
  },
  AUDIENCE_MISMATCH: {
    da: ["Token er til en anden tjeneste", "Bed STS'en om token til netop denne SMDB."],
    en: ["The token is for another service", "Ask the STS for a token for exactly this SMDB."],
  },
  HOK_PROOF_INVALID: {
    da: [
      "Klienten beviser ikke, at den ejer token",
      "Signér beskeden med samme nøgle, som token blev udstedt til.",
    ],
    en: [
      "The client does not prove it holds the token",
      "Sign the message with the key the token was issued for.",
    ],
  },
  REPLAY: {
    da: ["Beskeden er sendt før", "Hver besked skal have et nyt MessageID."],
    en: ["The message was sent before", "Every message needs a new MessageID."],
  },
  PRIVILEGE_MISSING: {
    da: [
      "Systembrugeren mangler rettigheden",
      "Giv systembrugeren rettigheden til operationen (fx indberet) i NemLog-in, og hent et nyt token.",
    ],
    en: [
      "The system user lacks the privilege",
      "Give the system user the operation's privilege (e.g. indberet) in NemLog-in, and fetch a new token.",
    ],
  },
  VALIDATION_ERROR: {
    da: ["Indberetningen er ugyldig", "Ret felterne i forløbet."],
    en: ["The report is invalid", "Fix the fields of the course."],
  },
  WSP_RESPONSE_UNTRUSTED: {
    da: ["Klienten stoler ikke på SMDB's svar", "Installér SMDB's nye certifikat i klienten."],
    en: ["The client does not trust SMDB's answer", "Install SMDB's new certificate in the client."],
  },
  WSP_UNREACHABLE: {
    da: ["SMDB svarer ikke", "Kontrollér SMDB-adressen og netværket."],
    en: ["SMDB does not answer", "Check the SMDB address and the network."],
  },
  WSP_FAULT: {
    da: ["SMDB afviste uden årsag", "Se årsagen i hændelsesloggen."],
    en: ["SMDB refused without a reason", "See the reason in the event log."],
  },
  ACT_AS_NOT_ALLOWED: {
    da: ["En systembruger må ikke bede om token på andres vegne", "Fjern ActAs fra anmodningen."],
    en: ["A system user may not ask for a token on another's behalf", "Remove ActAs from the request."],
  },
  INVALID_LIFETIME: {
    da: ["Den ønskede levetid for token er ugyldig", "Bed om en levetid i fremtiden, eller ingen."],
    en: ["The requested token lifetime is invalid", "Ask for a lifetime in the future, or none."],
  },
  STS_INTERNAL_ERROR: {
    da: ["STS'en fejlede internt", "Prøv igen; se hændelsesloggen."],
    en: ["The STS failed internally", "Try again; see the event log."],
  },
  TOKEN_MISSING: {
    da: ["Anmodningen til SMDB har intet token", "Klienten skal sende det token, STS'en udstedte."],
    en: ["The request to SMDB carries no token", "The client must send the token the STS issued."],
  },
  TOKEN_LIFETIME_INVALID: {
    da: ["Tokenets gyldighed er ugyldig", "Hent et nyt token hos STS'en."],
    en: ["The token's validity is invalid", "Fetch a new token from the STS."],
  },
  REPLAY_CLIENT_QUOTA: {
    da: [
      "Klienten har sendt flere beskeder, end SMDB kan huske for én klient ad gangen",
      "Send færre kald; andre klienter betjenes fortsat.",
    ],
    en: [
      "The client sent more messages than SMDB remembers for one client at a time",
      "Send fewer calls; other clients are still served.",
    ],
  },
  REPLAY_CACHE_FULL: {
    da: ["SMDB kan ikke tjekke for gentagelse lige nu", "Vent lidt, og prøv igen."],
    en: ["SMDB cannot check for replay right now", "Wait a little and try again."],
  },
  INTERNAL_ERROR: {
    da: ["SMDB fejlede internt", "Prøv igen; se hændelsesloggen."],
    en: ["SMDB failed internally", "Try again; see the event log."],
  },
  WSP_RESPONSE_MALFORMED: {
    da: ["SMDB's svar kan ikke bruges", "Kontrollér, at klienten taler med SMDB."],
    en: ["SMDB's answer cannot be used", "Check that the client talks to SMDB."],
  },
  UNKNOWN_OPERATION: {
    da: ["Klienten kender ikke operationen", "Brug Ping, IndberetForloeb eller HentForloeb."],
    en: ["The client does not know the operation", "Use Ping, IndberetForloeb or HentForloeb."],
  },
  // Refusals of the administration (the API's codes).
  PKCS12_NOT_ALLOWED: {
    da: [
      "NemLog-in tager kun imod den offentlige del: upload .cer-filen, aldrig .p12/.pfx med den private nøgle.",
      "Eksportér den offentlige del som .cer og upload den.",
    ],
    en: [
      "NemLog-in takes the public part only: upload the .cer, never a .p12/.pfx with the private key.",
      "Export the public part as .cer and upload that.",
    ],
  },
  PRIVATE_KEY_NOT_ALLOWED: {
    da: ["Filen indeholder en privat nøgle: upload kun den offentlige del (.cer).", "Upload .cer-filen."],
    en: ["The file holds a private key: upload the public part (.cer) only.", "Upload the .cer file."],
  },
  NOT_A_CERTIFICATE: {
    da: ["Filen er ikke et certifikat.", "Vælg certifikatets .cer-fil."],
    en: ["The file is not a certificate.", "Choose the certificate's .cer file."],
  },
  EMPTY_FILE: {
    da: ["Filen er tom.", "Vælg certifikatets .cer-fil."],
    en: ["The file is empty.", "Choose the certificate's .cer file."],
  },
  MULTIPLE_CERTIFICATES: {
    da: ["Filen indeholder flere certifikater: upload ét.", "Vælg systemcertifikatets egen .cer-fil."],
    en: [
      "The file holds several certificates: upload one.",
      "Choose the system certificate's own .cer file.",
    ],
  },
  CA_CERTIFICATE_NOT_ALLOWED: {
    da: ["Det er et CA-certifikat, ikke et systemcertifikat.", "Upload systemcertifikatet."],
    en: ["That is a CA certificate, not a system certificate.", "Upload the system certificate."],
  },
  CERT_CVR_MISMATCH: {
    da: ["Certifikatet tilhører et andet CVR-nummer.", "Upload organisationens eget certifikat."],
    en: ["The certificate belongs to another CVR number.", "Upload the organisation's own certificate."],
  },
  CERT_EXPIRED_AT_UPLOAD: {
    da: ["Certifikatet er allerede udløbet.", "Upload et gyldigt certifikat."],
    en: ["The certificate has already expired.", "Upload a valid certificate."],
  },
  CERT_IN_USE: {
    da: [
      "Certifikatet bruges allerede af en anden systembruger.",
      "Brug et certifikat, der kun hører til denne systembruger.",
    ],
    en: ["Another system user already uses the certificate.", "Use a certificate of this system user only."],
  },
  CERT_IN_OTHER_SLOT: {
    da: ["Certifikatet ligger allerede i den anden plads.", "Fjern det fra den anden plads først."],
    en: ["The certificate is already in the other slot.", "Remove it from the other slot first."],
  },
  NOTHING_SAVED: {
    da: ["Der er intet gemt at provisionere.", "Upload et certifikat og gem først."],
    en: ["There is nothing saved to provision.", "Upload a certificate and save first."],
  },
  NOTHING_TO_ROLL_BACK: {
    da: ["Klienten har ingen tidligere udrulning.", "Udrul et certifikat fra lageret."],
    en: ["The client has no earlier deployment.", "Deploy a certificate from the store."],
  },
  NO_CLIENT_DEPLOYED: {
    da: ["Klienten har intet certifikat udrullet.", "Udrul et certifikat fra lageret."],
    en: ["The client has no certificate deployed.", "Deploy a certificate from the store."],
  },
  NO_EXPIRY_AHEAD: {
    da: ["Intet provisioneret certifikat udløber forude.", "Flyt tiden på anden vis."],
    en: ["No provisioned certificate expires ahead.", "Move time another way."],
  },
  CLOCK_NOT_VIRTUAL: {
    da: ["Harness kører på det rigtige ur, som ikke kan flyttes.", "Start med up --virtual-clock."],
    en: ["The harness runs on the real clock, which cannot be moved.", "Start with up --virtual-clock."],
  },
  BAD_TIME: {
    da: ["Tiden kan ikke læses: skriv fx 2026-03-01T00:00:00Z eller +10d.", "Ret tiden."],
    en: ["The time cannot be read: write e.g. 2026-03-01T00:00:00Z or +10d.", "Fix the time."],
  },
  INVALID_CVR: {
    da: ["CVR-nummeret skal være 8 cifre.", "Ret CVR-nummeret."],
    en: ["The CVR number must be 8 digits.", "Fix the CVR number."],
  },
  CANNOT_ISSUE: {
    da: ["Denne harness kan ikke udstede certifikater.", "Tilføj et certifikat til klienten på anden vis."],
    en: ["This harness cannot issue certificates.", "Add a certificate to the client another way."],
  },
  BAD_REQUEST: {
    da: ["Anmodningen blev afvist: se serverens besked.", "Ret indtastningen."],
    en: ["The request was refused: see the server's message.", "Fix the input."],
  },
  PKCS12_WRONG_PASSWORD: {
    da: ["Adgangskoden til .p12-filen er forkert.", "Skriv den rigtige adgangskode."],
    en: ["The .p12 password is wrong.", "Type the right password."],
  },
  PKCS12_PASSWORD_REQUIRED: {
    da: [".p12-filen kræver en adgangskode.", "Skriv adgangskoden."],
    en: ["The .p12 needs a password.", "Type the password."],
  },
  PKCS12_UNREADABLE: {
    da: [".p12-filen kan ikke læses.", "Vælg en gyldig .p12/.pfx-fil."],
    en: ["The .p12 cannot be read.", "Choose a valid .p12/.pfx file."],
  },
  PRIVATE_KEY_MISSING: {
    da: [
      "Filen har ingen privat nøgle: klienten skal have certifikatet med nøgle (.p12).",
      "Vælg .p12-filen med nøglen.",
    ],
    en: [
      "The file holds no private key: the client needs the certificate with its key (.p12).",
      "Choose the .p12 with the key.",
    ],
  },
  HARNESS_UNREACHABLE: {
    da: ["Harness svarer ikke.", "Kontrollér, at harness kører."],
    en: ["The harness does not answer.", "Check that the harness runs."],
  },
};

/** Admin and clock events: what happened, in words. */
export const EVENT_TEXTS: Record<string, Pair> = {
  SYSTEM_USER_CREATED: ["Systembruger oprettet", "System user created"],
  SYSTEM_USER_UPDATED: ["Systembruger ændret", "System user changed"],
  SYSTEM_USER_DELETED: ["Systembruger slettet", "System user deleted"],
  CERTIFICATE_UPLOADED: ["Certifikat lagt i kladden", "Certificate put in the draft"],
  CERTIFICATE_REMOVED: ["Certifikat fjernet fra kladden", "Certificate removed from the draft"],
  SAVED: ["Tekniske oplysninger gemt", "Technical details saved"],
  PROVISIONED: ["Provisioneret", "Provisioned"],
  CERTIFICATE_REVOKED: ["Certifikat spærret", "Certificate revoked"],
  TRUST_ANCHOR_ADDED: ["Tillidsanker tilføjet", "Trust anchor added"],
  WSP_REGISTERED: ["Tjeneste registreret", "Service registered"],
  POLICY_CHANGED: ["Skifteregel ændret", "Rollover policy changed"],
  STS_SIGNING_CERTIFICATE_ROTATED: [
    "STS'ens signeringscertifikat skiftet",
    "STS signing certificate rotated",
  ],
  WSP_TRUST_CHANGED: ["SMDB's tillid til STS ændret", "SMDB's trust in the STS changed"],
  CLOCK_SET: ["Tiden sat", "Clock set"],
  CLOCK_ADVANCED: ["Tiden flyttet", "Clock moved"],
  CLIENT_DEPLOYED: ["Klienten genstartet med nyt certifikat", "Client restarted with a certificate"],
  CLIENT_ROLLED_BACK: ["Klienten rullet tilbage", "Client rolled back"],
  CLIENT_CERTIFICATE_ADDED: ["Certifikat lagt i klientens lager", "Certificate added to the client's store"],
  CLIENT_TRUSTS_STS_CERTIFICATE: [
    "Klienten stoler på STS'ens nye certifikat",
    "Client trusts the STS's new certificate",
  ],
};

/** How each scenario step is explained ({cert}, {env}, {slot}, {at} … filled in by the page). */
export const STEP_TEXTS: Record<string, Pair> = {
  "nemlogin.upload": [
    "NemLog-in-administratoren lægger {cert} som {slot} i kladden for {envLower}.",
    "The NemLog-in administrator puts {cert} as {slot} into the draft for {env}.",
  ],
  "nemlogin.upload.p12": [
    "NemLog-in-administratoren forsøger at uploade {cert} som .p12-fil (med den private nøgle) som {slot} for {envLower}.",
    "The NemLog-in administrator tries to upload {cert} as a .p12 file (with the private key) as {slot} for {env}.",
  ],
  "nemlogin.save": [
    "Administratoren klikker »Gem tekniske oplysninger«: kladden gemmes, men STS'en er uændret.",
    "The administrator clicks “Save technical details”: the draft is saved, the STS is unchanged.",
  ],
  "nemlogin.provision": [
    "Administratoren klikker »Provisioner til {envLower}«: STS'en bruger det gemte med det samme.",
    "The administrator clicks “Provision to {envLower}”: the STS uses the saved set at once.",
  ],
  "nemlogin.provision.at": [
    "Administratoren provisionerer til {envLower} med næste certifikat aktivt fra {at}.",
    "The administrator provisions to {envLower} with the next certificate active from {at}.",
  ],
  "nemlogin.revoke": [
    "Certifikatet {cert} spærres (nøglen er kompromitteret).",
    "Certificate {cert} is revoked (its key was exposed).",
  ],
  "nemlogin.setPrivileges": [
    "Systembrugerens rettigheder sættes til: {privileges}.",
    "The system user's privileges are set to: {privileges}.",
  ],
  "sts.rotateSigningCertificate": [
    "STS'en i {envLower} skifter signeringscertifikat (samme navn, ny nøgle).",
    "The STS in {env} rotates its signing certificate (same name, new key).",
  ],
  "client.deploy": [
    "Leverandøren udruller {cert} i klienten og genstarter den (tokencachen tømmes).",
    "The vendor deploys {cert} in the client and restarts it (its token cache empties).",
  ],
  "client.deploy.fallback": [
    "Leverandøren udruller {cert} med {fallback} som reserve og genstarter klienten.",
    "The vendor deploys {cert} with {fallback} as fallback and restarts the client.",
  ],
  "client.deploy.findValue": [
    "Leverandøren retter opslaget i certifikatlageret til »{findValue}« og genstarter klienten med {cert}.",
    "The vendor corrects the store lookup to “{findValue}” and restarts the client with {cert}.",
  ],
  "client.trustStsCertificate": [
    "Leverandøren installerer STS'ens nye certifikat ({env}) i klienten.",
    "The vendor installs the STS's new certificate ({env}) in the client.",
  ],
  "wsp.trustStsCertificate": [
    "SMDB ({env}) begynder at stole på STS'ens nye certifikat.",
    "SMDB ({env}) starts trusting the STS's new certificate.",
  ],
  "clock.skew": ["Klientens ur går nu {skew} forkert.", "The client's clock is now off by {skew}."],
  "clock.skew.zero": ["Klientens ur går nu rigtigt.", "The client's clock is now right."],
  end: ["Tiden løber til scenariets slut ({at}).", "Time runs to the scenario's end ({at})."],
};

/** The built-in scenarios, in words (others show their own name and description). */
export const SCENARIO_TEXTS: Record<string, { da: Pair; en: Pair }> = {
  "client-switched-before-sts": {
    da: [
      "Klienten skifter før STS'en",
      "Leverandøren udruller det nye certifikat, så snart NemLog-in har det, men under reglen Ved udløb accepterer STS'en først det nye, når det gamle udløber.",
    ],
    en: [
      "Client switched before the STS",
      "The vendor deploys the new certificate as soon as NemLog-in has it, but under At expiry the STS accepts it only when the old one expires.",
    ],
  },
  "correct-rotation-at-expiry": {
    da: [
      "Korrekt skift ved udløb",
      "Upload, gem og provisioner i god tid; klienten har det gamle som reserve og skifter, når det gamle udløber.",
    ],
    en: [
      "Correct rotation at expiry",
      "Upload, save and provision in time; the client keeps the old one as fallback and switches when it expires.",
    ],
  },
  "correct-rotation-immediate": {
    da: [
      "Korrekt skift med reglen Straks",
      "Det nye certifikat provisioneres med aktiveringstidspunkt, og klienten skifter på samme tidspunkt.",
    ],
    en: [
      "Correct rotation, policy Immediate",
      "The new certificate is provisioned with an activation time, and the client switches at that time.",
    ],
  },
  "correct-rotation-overlap": {
    da: [
      "Korrekt skift med overlap",
      "STS'en accepterer begge certifikater, så klienten kan skifte når som helst.",
    ],
    en: [
      "Correct rotation with overlap",
      "The STS accepts both certificates, so the client can switch at any time.",
    ],
  },
  "expired-before-client-switched": {
    da: [
      "Udløbet før klienten skiftede",
      "NemLog-in er klar i tide, men leverandøren udruller det nye certifikat en halv dag efter, at det gamle er udløbet.",
    ],
    en: [
      "Expired before the client switched",
      "NemLog-in is ready in time, but the vendor deploys the new certificate half a day after the old one expired.",
    ],
  },
  "fallback-rides-through-at-expiry": {
    da: [
      "Reserven bærer igennem udløbet",
      "Klienten bruger det nye certifikat med det gamle som reserve: den afviste anmodning prøves igen med reserven.",
    ],
    en: [
      "The fallback rides through expiry",
      "The client uses the new certificate with the old one as fallback: a refused request is retried with the fallback.",
    ],
  },
  "new-subject-not-found": {
    da: [
      "Nyt emne findes ikke",
      "Klienten finder sit certifikat på emnenavn; det nye certifikat har et andet navn, så klienten finder intet.",
    ],
    en: [
      "New subject not found",
      "The client finds its certificate by subject name; the new certificate has another name, so it finds none.",
    ],
  },
  "p12-uploaded-instead-of-cer": {
    da: [
      "En .p12 i stedet for .cer",
      "Administratoren forsøger at uploade .p12-filen med den private nøgle; NemLog-in afviser den.",
    ],
    en: [
      "A .p12 instead of the .cer",
      "The administrator tries to upload the .p12 with the private key; NemLog-in refuses it.",
    ],
  },
  "privileges-missing-after-renewal": {
    da: [
      "Rettigheder mangler efter fornyelse",
      "Efter fornyelsen mangler systembrugeren rettigheden til at indberette.",
    ],
    en: [
      "Privileges missing after renewal",
      "After the renewal the system user lacks the privilege to report.",
    ],
  },
  "provisioned-integration-only": {
    da: [
      "Kun provisioneret til integrationstest",
      "Det nye certifikat provisioneres kun til integrationstest; produktionen afviser det.",
    ],
    en: [
      "Provisioned to integration test only",
      "The new certificate is provisioned to integration test only; production refuses it.",
    ],
  },
  "revoked-certificate": {
    da: [
      "Spærret certifikat",
      "Certifikatet spærres; klientens token virker, til det udløber, derefter afviser STS'en.",
    ],
    en: [
      "Revoked certificate",
      "The certificate is revoked; the client's token works until it expires, then the STS refuses.",
    ],
  },
  "saved-not-provisioned": {
    da: [
      "Gemt, men ikke provisioneret",
      "Administratoren gemmer, men provisionerer aldrig: STS'en kender ikke det nye certifikat.",
    ],
    en: [
      "Saved, never provisioned",
      "The administrator saves but never provisions: the STS does not know the new certificate.",
    ],
  },
  "sts-signing-rotated-pinned": {
    da: [
      "STS-certifikat skiftet, fastlåst",
      "STS'en skifter signeringscertifikat; klient og SMDB, der har låst det gamle fast, fejler.",
    ],
    en: [
      "STS certificate rotated, pinned",
      "The STS rotates its signing certificate; a client and SMDB that pinned the old one fail.",
    ],
  },
  "client-environments-crossed": {
    da: ["Miljøer byttet om", "Klienten bruger integrationstestens STS og produktionens SMDB."],
    en: ["Environments crossed", "The client uses the integration test STS with the production SMDB."],
  },
  "clock-skew": {
    da: ["Forkert ur", "Klientens ur går forkert, og beskedernes tidsstempler afvises."],
    en: ["Clock skew", "The client's clock is off, and its messages' timestamps are refused."],
  },
};

/** Names the built-in scenarios give their certificates, in words. */
export const CERTIFICATE_NAMES: Record<string, Pair> = {
  old: ["gammelt", "old"],
  new: ["nyt", "new"],
  renewed: ["fornyet", "renewed"],
  replacement: ["erstatning", "replacement"],
  system: ["system", "system"],
  demo: ["demo", "demo"],
};

/** The texts of one language, as the page gets them. */
export function textsFor(lang: Lang): {
  labels: Record<string, string>;
  reasons: Record<string, readonly [string, string]>;
  events: Record<string, string>;
  steps: Record<string, string>;
  scenarios: Record<string, readonly [string, string]>;
  certificateNames: Record<string, string>;
} {
  const i = lang === "da" ? 0 : 1;
  return {
    labels: Object.fromEntries(Object.entries(LABELS).map(([k, v]) => [k, v[i]])),
    reasons: Object.fromEntries(Object.entries(REASONS).map(([k, v]) => [k, v[lang]])),
    events: Object.fromEntries(Object.entries(EVENT_TEXTS).map(([k, v]) => [k, v[i]])),
    steps: Object.fromEntries(Object.entries(STEP_TEXTS).map(([k, v]) => [k, v[i]])),
    scenarios: Object.fromEntries(Object.entries(SCENARIO_TEXTS).map(([k, v]) => [k, v[lang]])),
    certificateNames: Object.fromEntries(Object.entries(CERTIFICATE_NAMES).map(([k, v]) => [k, v[i]])),
  };
}
