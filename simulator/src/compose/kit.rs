//! A well-behaved connecting system's documents: valid clienthood, case and
//! client documents of every kind for a test person under one controller.
//! The harness's reference client, the load tool, the sample writer and the
//! tests all build from here, then break what they mean to break.

use time::OffsetDateTime;

use super::cda::DocumentSpec;
use super::{content, Part};
use crate::document::{DocumentKind, DocumentModel};
use crate::persons::TestPerson;

/// A fresh globally unique OID (2.25 arc: a UUID as an integer, ITU-T X.667).
pub fn new_oid() -> String {
    format!("2.25.{}", uuid::Uuid::new_v4().as_u128())
}

/// The organisation a kit writes for.
#[derive(Debug, Clone)]
pub struct Organisation {
    /// Controller (rekisterinpitäjä) OID.
    pub controller: String,
    /// Operating unit (toimintayksikkö) OID.
    pub operating_unit: String,
    /// Service unit (palveluyksikkö) OID.
    pub service_unit: String,
}

impl Organisation {
    /// Testilän kaupunki (liittyvä, tallentava, katseleva and arkistoiva systems).
    pub fn testila() -> Self {
        Organisation {
            controller: "1.2.246.10.99990001.10.0".into(),
            operating_unit: "1.2.246.10.99990001.10.1".into(),
            service_unit: "1.2.246.10.99990001.10.11".into(),
        }
    }
    /// Testikylän kunta (joint joining).
    pub fn testikyla() -> Self {
        Organisation {
            controller: "1.2.246.10.99990002.10.0".into(),
            operating_unit: "1.2.246.10.99990002.10.1".into(),
            service_unit: "1.2.246.10.99990002.10.11".into(),
        }
    }
    /// Testimaan hyvinvointialue (organiser, joining-obligation profile).
    pub fn hyvinvointialue() -> Self {
        Organisation {
            controller: "1.2.246.10.99990010.10.0".into(),
            operating_unit: "1.2.246.10.99990010.10.1".into(),
            service_unit: "1.2.246.10.99990010.10.11".into(),
        }
    }
    /// Another wellbeing services county (disclosure queries).
    pub fn toinen_hyvinvointialue() -> Self {
        Organisation {
            controller: "1.2.246.10.99990011.10.0".into(),
            operating_unit: "1.2.246.10.99990011.10.1".into(),
            service_unit: "1.2.246.10.99990011.10.11".into(),
        }
    }
    /// Hoivapalvelu Testi Oy (private provider with its own system).
    pub fn hoivapalvelu() -> Self {
        Organisation {
            controller: "1.2.246.10.99990020.10.0".into(),
            operating_unit: "1.2.246.10.99990020.10.1".into(),
            service_unit: "1.2.246.10.99990020.10.11".into(),
        }
    }
    /// Pienpalvelu Testi Oy (joined under Palvelukeskus, joint joining).
    pub fn pienpalvelu() -> Self {
        Organisation {
            controller: "1.2.246.10.99990021.10.0".into(),
            operating_unit: "1.2.246.10.99990021.10.1".into(),
            service_unit: "1.2.246.10.99990021.10.11".into(),
        }
    }
    /// Palvelukeskus Testi Oy (main joiner).
    pub fn palvelukeskus() -> Self {
        Organisation {
            controller: "1.2.246.10.99990022.10.0".into(),
            operating_unit: "1.2.246.10.99990022.10.1".into(),
            service_unit: "1.2.246.10.99990022.10.11".into(),
        }
    }
    /// Turvakoti Testi ry (shelter; stores into THL's register with the wide register access right).
    pub fn turvakoti() -> Self {
        Organisation {
            controller: "1.2.246.10.99990031.10.0".into(),
            operating_unit: "1.2.246.10.99990031.10.1".into(),
            service_unit: "1.2.246.10.99990031.10.11".into(),
        }
    }
    /// THL's shelter services client register (a test organisation standing for THL; it keeps
    /// the register and has no units of its own that store here).
    pub fn thl_turvakotirekisteri() -> Self {
        Organisation {
            controller: "1.2.246.10.99990030.10.0".into(),
            operating_unit: "1.2.246.10.99990030.10.0".into(),
            service_unit: "1.2.246.10.99990030.10.0".into(),
        }
    }
    /// Testimaan kunta (joint joining).
    pub fn testimaa() -> Self {
        Organisation {
            controller: "1.2.246.10.99990003.10.0".into(),
            operating_unit: "1.2.246.10.99990003.10.1".into(),
            service_unit: "1.2.246.10.99990003.10.11".into(),
        }
    }
}

/// Builds valid documents for one organisation at one moment.
#[derive(Debug, Clone)]
pub struct Kit {
    /// The organisation.
    pub org: Organisation,
    /// Document creation time.
    pub now: OffsetDateTime,
    /// Service task code used (10 Lastensuojelu by default).
    pub service_task: String,
    /// Keys the documents are signed with (none: unsigned).
    pub keys: Option<std::sync::Arc<crate::client::SigningKeys>>,
    /// Values drawn from the tables instead of the fixed defaults (see [`Kit::varied`]).
    pub variety: Option<Variety>,
}

/// What a varied kit writes instead of its defaults (author 999000123, social service 46, a
/// structured decision 11002): drawn from the tables by a seed, so a run is reproducible and a
/// scenario does not pass only for the one combination the fixed defaults send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variety {
    /// The author: registration number and name (a professional of persons.toml).
    pub author: (String, String),
    /// A social service code (1222) valid on the kit's date.
    pub social_service: String,
    /// The specific type of a structured client document: a type with a Sosmeta structure in
    /// force on the kit's date that belongs in the organisation's own register.
    pub structured_type: String,
}

impl Variety {
    /// Draws the values for `seed` on `day` from the tables (splitmix64, no dependency).
    pub fn draw(seed: u64, day: time::Date) -> Variety {
        let mut state = seed;
        let mut next = move || {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        };
        let pick = |n: usize, r: u64| if n == 0 { 0 } else { (r % n as u64) as usize };
        let persons = crate::persons::TestPersons::builtin();
        let author = persons
            .professionals
            .get(pick(persons.professionals.len(), next()))
            .map(|p| (p.registration_number.clone(), p.name()))
            .unwrap_or_else(|| ("999000123".into(), "Sanna Sosiaalityöntekijä".into()));
        let codes = crate::codes::CodeSets::builtin();
        let services: Vec<String> = codes
            .system(crate::codes::oids::SOCIAL_SERVICE)
            .map(|s| {
                s.codes
                    .iter()
                    .filter(|c| {
                        let code = crate::codes::Code {
                            code: c.code.clone(),
                            system: crate::codes::oids::SOCIAL_SERVICE.into(),
                            display: None,
                        };
                        codes.check(crate::codes::oids::SOCIAL_SERVICE, &code, day) == crate::codes::CodeCheck::Valid
                    })
                    .map(|c| c.code.clone())
                    .collect()
            })
            .unwrap_or_default();
        let social_service = services.get(pick(services.len(), next())).cloned().unwrap_or_else(|| "46".into());
        let wide = crate::archive::access::wide_rights();
        let mut types: Vec<String> = crate::sosmeta::Structures::builtin()
            .all()
            .filter(|s| s.base_oid().starts_with("1.2.246.537.6.1506."))
            .filter(|s| {
                time::Date::parse(&s.version, &time::macros::format_description!("[year]-[month]-[day]"))
                    .is_ok_and(|v| v <= day)
            })
            .filter_map(|s| s.type_code())
            .filter(|t| !wide.iter().any(|w| w.covers(t)))
            .collect();
        types.sort();
        types.dedup();
        let structured_type = types.get(pick(types.len(), next())).cloned().unwrap_or_else(|| "11002".into());
        Variety { author, social_service, structured_type }
    }
}

impl Kit {
    /// A kit for `org` writing documents dated `now`.
    pub fn new(org: Organisation, now: OffsetDateTime) -> Self {
        Kit { org, now, service_task: "10".into(), keys: None, variety: None }
    }

    /// The same kit writing values drawn from the tables by `seed` (see [`Variety`]).
    pub fn varied(mut self, seed: u64) -> Self {
        self.variety = Some(Variety::draw(seed, self.now.date()));
        self
    }

    /// The same kit, signing its documents as a system does: phase I and old documents with
    /// the system's key, phase II and structured ones with the author's.
    pub fn with_keys(mut self, keys: std::sync::Arc<crate::client::SigningKeys>) -> Self {
        self.keys = Some(keys);
        self
    }

    fn base(&self, kind: DocumentKind, p: &TestPerson) -> DocumentSpec {
        let mut s = DocumentSpec::new(&new_oid(), kind);
        s.effective_time = Some(self.now);
        s.client_id = Some(p.hetu.clone());
        s.family_name = p.family_name.clone();
        s.given_names = p.given_names.clone();
        s.controller = Some(self.org.controller.clone());
        s.organiser = Some(self.org.controller.clone());
        s.author = Some(match &self.variety {
            Some(v) => ("1.2.246.537.26".into(), v.author.0.clone(), v.author.1.clone()),
            None => ("1.2.246.537.26".into(), "999000123".into(), "Sanna Sosiaalityöntekijä".into()),
        });
        s.keys = self.keys.clone();
        s
    }

    fn date(&self) -> String {
        let d = self.now.date();
        format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
    }

    fn person<'a>(p: &'a TestPerson) -> content::Person<'a> {
        content::Person {
            id: &p.hetu,
            is_hetu: true,
            family: &p.family_name,
            given: &p.given_names,
            turvakielto: p.turvakielto,
        }
    }

    /// A clienthood document (asiakkuusasiakirja), as real ones are: no author, no
    /// general type and no case (all nullFlavor NA), the service unit, the clienthood id,
    /// a display form and the structured form.
    pub fn clienthood(&self, p: &TestPerson) -> DocumentSpec {
        let mut s = self.base(DocumentKind::Asiakkuus, p);
        s.author = None;
        s.service_unit = Some(self.org.service_unit.clone());
        s.structure = self.structure_in_force("1.2.246.537.6.1505.1.2023.6.1");
        // One clienthood per client per organiser: its identifier follows from the two.
        let hood_id = Self::clienthood_id(&self.org.controller, &p.hetu);
        s.clienthood_id = Some(hood_id.clone());
        let json = content::clienthood_json(
            &Self::person(p),
            &hood_id,
            &self.org.operating_unit,
            &self.service_task,
            &self.date(),
        );
        s.parts.push(Part::new(format!("{}.json", s.id), "application/json", json));
        let display = content::xhtml("Asiakkuusasiakirja", &format!("Asiakkuuden yksilöintitunnus: {hood_id}"));
        s.parts.push(Part::new(format!("{}.xhtml", s.id), "application/xhtml+xml", display));
        s
    }

    /// The Sosmeta structure a document dated by this kit names: `oid` when its version is in
    /// force on the kit's date; none for earlier documents, whose content the structures the
    /// simulator holds do not describe (their JSON is stored as it is).
    fn structure_in_force(&self, oid: &str) -> Option<String> {
        let s = crate::sosmeta::Structures::builtin().get(oid)?;
        let from = time::Date::parse(&s.version, &time::macros::format_description!("[year]-[month]-[day]")).ok()?;
        (self.now.date() >= from).then(|| oid.to_string())
    }

    /// The clienthood identifier a kit gives a client under a controller (an OID under the controller's arc).
    pub fn clienthood_id(controller: &str, hetu: &str) -> String {
        let digits: String = hetu.chars().filter(|c| c.is_ascii_digit()).collect();
        format!("{controller}.97.{}", digits.trim_start_matches('0'))
    }

    /// A case document (asia-asiakirja) for `case_id`.
    pub fn case(&self, p: &TestPerson, case_id: &str) -> DocumentSpec {
        let mut s = self.base(DocumentKind::Asia, p);
        s.service_task = Some(self.service_task.clone());
        s.case_id = Some(case_id.to_string());
        s.service_unit = Some(self.org.service_unit.clone());
        s.structure = self.structure_in_force("1.2.246.537.6.1505.2.2022.6.28");
        s.period = Some((self.now, None));
        let json =
            content::case_json(&Self::person(p), case_id, &self.org.operating_unit, &self.service_task, &self.date());
        s.parts.push(Part::new(format!("{}.json", s.id), "application/json", json));
        let display = content::xhtml("Asia-asiakirja", "Asia on vireillä.");
        s.parts.push(Part::new(format!("{}.xhtml", s.id), "application/xhtml+xml", display));
        s
    }

    /// A client document of `model` in `case_id`: a decision (Päätös) as PDF/A
    /// for phase I and old documents, a client record entry as XHTML for phase
    /// II, and a display XHTML plus structured JSON for the joining-obligation model.
    pub fn client_document(&self, p: &TestPerson, case_id: &str, model: DocumentModel) -> DocumentSpec {
        let varied = self.variety.as_ref().map(|v| v.structured_type.as_str());
        let doc_type = match (model, varied) {
            (DocumentModel::Vaihe2, _) => "19003",
            (DocumentModel::Liittymisvelvoite, Some(t)) => t,
            _ => "11002",
        };
        self.client_document_of_type(p, case_id, model, doc_type)
    }

    /// [`Kit::client_document`] of a given specific document type (asiakirjatyyppi code), its
    /// title from the code set; for the joining-obligation model the structured form is a
    /// minimal valid instance of that type's newest Sosmeta structure.
    pub fn client_document_of_type(
        &self,
        p: &TestPerson,
        case_id: &str,
        model: DocumentModel,
        doc_type: &str,
    ) -> DocumentSpec {
        let title = crate::codes::CodeSets::builtin()
            .name(crate::codes::oids::DOCUMENT_TYPE, doc_type)
            .unwrap_or("Asiakasasiakirja")
            .to_string();
        let title = title.as_str();
        let mut s = self.base(DocumentKind::Client(model), p);
        s.general_type = super::cda::general_code_of(doc_type);
        if model != DocumentModel::Vanha {
            s.document_type = Some(doc_type.into());
            s.service_task = Some(self.service_task.clone());
            s.process_phase = Some("5".into());
            s.case_id = Some(case_id.to_string());
            s.producer = Some(self.org.controller.clone());
            s.social_services = vec![self.variety.as_ref().map_or("46", |v| v.social_service.as_str()).to_string()];
        } else {
            s.organiser = None;
        }
        match model {
            DocumentModel::Vaihe1 => {
                s.signed = true;
                // THL's phase I model: provider, operating unit and service unit.
                s.provider = Some(self.org.controller.clone());
                s.operating_unit = Some(self.org.operating_unit.clone());
                s.service_unit = Some(self.org.service_unit.clone());
                s.parts.push(Part::new(format!("{}.pdf", s.id), "application/pdf", content::pdf(title)));
            }
            DocumentModel::Vaihe2 => {
                s.professional_signature = true;
                s.provider = Some(self.org.controller.clone());
                s.operating_unit = Some(self.org.operating_unit.clone());
                s.service_unit = Some(self.org.service_unit.clone());
                s.parts.push(Part::new(
                    format!("{}.xhtml", s.id),
                    "application/xhtml+xml",
                    content::xhtml(title, "Tapaaminen asiakkaan kanssa."),
                ));
            }
            DocumentModel::Liittymisvelvoite => {
                s.professional_signature = true;
                s.service_unit = Some(self.org.service_unit.clone());
                // Structured documents name their social services in the form, not the header.
                s.social_services.clear();
                // The structured form: a minimal valid instance of the type's Sosmeta structure.
                let base = format!("1.2.246.537.6.1506.{doc_type}");
                let structure = crate::sosmeta::Structures::builtin().all().filter(|x| x.base_oid() == base).last();
                s.structure = structure.map(|x| x.oid.clone());
                s.parts.push(Part::new(
                    format!("{}.xhtml", s.id),
                    "application/xhtml+xml",
                    content::xhtml(title, "Päätös."),
                ));
                let json = structure
                    .map(|x| crate::sosmeta::example(x, false, crate::codes::CodeSets::builtin(), &p.hetu))
                    .unwrap_or_else(|| serde_json::json!({}));
                s.parts.push(Part::new(
                    format!("{}.json", s.id),
                    "application/json",
                    serde_json::to_vec(&json).unwrap_or_default(),
                ));
            }
            DocumentModel::Vanha => {
                s.signed = true;
                s.operating_unit = Some(self.org.operating_unit.clone());
                s.parts.push(Part::new(format!("{}.pdf", s.id), "application/pdf", content::pdf(title)));
            }
        }
        s
    }

    /// A clienthood (joining-obligation model) whose service task lists a provider's
    /// service unit from `start` (and until `end`) — the data that gives the provider
    /// the register access right (SPEC §8.5).
    pub fn clienthood_with_provider(
        &self,
        p: &TestPerson,
        provider_unit: &str,
        start: &str,
        end: Option<&str>,
    ) -> DocumentSpec {
        let mut s = self.clienthood(p);
        let json_at = s.parts.iter().position(|x| x.media_type == "application/json").unwrap_or(0);
        let mut v: serde_json::Value = serde_json::from_slice(&s.parts[json_at].bytes).unwrap_or_default();
        let mut producer = serde_json::json!({
            "palveluyksikon_nimi": {"system": "urn:oid:1.2.246.537.6.202", "code": provider_unit, "display": ""},
            "asiakkuuden_alkamispvm": start
        });
        if let Some(e) = end {
            producer["asiakkuuden_paattymispvm"] = serde_json::Value::String(e.to_string());
        }
        if let Some(task) = v.pointer_mut("/asiakkuusasiakirja/sosiaalihuollon_palvelutehtava/0") {
            task["palveluntuottaja"] = serde_json::json!([producer]);
        }
        s.parts[json_at].bytes = serde_json::to_vec_pretty(&v).unwrap_or_default();
        s
    }

    /// Ends the clienthood of a clienthood document's JSON on `end` (for a new version).
    pub fn end_clienthood(spec: &mut DocumentSpec, end: &str) {
        if let Some(part) = spec.parts.iter_mut().find(|p| p.media_type == "application/json") {
            let mut v: serde_json::Value = serde_json::from_slice(&part.bytes).unwrap_or_default();
            if let Some(a) = v.pointer_mut("/asiakkuusasiakirja/sosiaalihuollon_asiakkuus") {
                a["asiakkuuden_paattymispvm"] = serde_json::Value::String(end.to_string());
            }
            part.bytes = serde_json::to_vec_pretty(&v).unwrap_or_default();
        }
    }

    fn declaration(&self, p: &TestPerson, kind: DocumentKind, title: &str, json: serde_json::Value) -> DocumentSpec {
        let mut s = self.base(kind, p);
        s.organiser = None;
        s.structure = Some(
            match kind {
                DocumentKind::Consent => "1.2.246.537.6.1505.8.2023.6.1",
                DocumentKind::Prohibition => "1.2.246.537.6.1505.9.2023.6.5",
                _ => "",
            }
            .into(),
        )
        .filter(|x: &String| !x.is_empty());
        s.parts.push(Part::new(
            format!("{}.json", s.id),
            "application/json",
            serde_json::to_vec_pretty(&json).unwrap_or_default(),
        ));
        s.parts.push(Part::new(format!("{}.xhtml", s.id), "application/xhtml+xml", content::xhtml(title, title)));
        s
    }

    /// The fixed information text (infoteksti) a declaration structure accepts.
    fn info_text(structure: &str) -> String {
        crate::sosmeta::Structures::builtin()
            .get(structure)
            .and_then(|s| s.root.fields.iter().find(|f| f.key == "infoteksti"))
            .and_then(|f| f.accepted.first().cloned())
            .unwrap_or_else(|| "Infoteksti".into())
    }

    fn client_json(p: &TestPerson) -> serde_json::Value {
        serde_json::json!({"sukunimi": p.family_name, "etunimet": p.given_names, "henkilotunnus": {"system": "urn:oid:1.2.246.21", "value": p.hetu}})
    }

    /// A record that Kanta information was given (structure not public: our choice, docs/joining-obligation.md).
    pub fn informing(&self, p: &TestPerson) -> DocumentSpec {
        let json = serde_json::json!({"kanta_informointi": {"asiakas": Self::client_json(p), "informoinnin_ajankohta": self.date()}});
        self.declaration(p, DocumentKind::Informing, "Kanta-informointi", json)
    }

    /// A disclosure consent (luovutuslupa, Sosmeta 1505.8) saying yes or no.
    pub fn consent(&self, p: &TestPerson, yes: bool) -> DocumentSpec {
        let json = serde_json::json!({"luovutuslupa_asiakirja": {
            "asiakas": Self::client_json(p),
            "infoteksti": Self::info_text("1.2.246.537.6.1505.8.2023.6.1"),
            "voimassa_oleva_luovutuslupa": {"luovutuslupa": yes, "luovutusluvan_antamisen_ajankohta": self.date()}
        }});
        self.declaration(p, DocumentKind::Consent, "Luovutuslupa", json)
    }

    /// A disclosure prohibition (kieltoasiakirja, Sosmeta 1505.9) by controllers, service tasks and documents.
    pub fn prohibition(
        &self,
        p: &TestPerson,
        controllers: &[&str],
        service_tasks: &[&str],
        documents: &[&str],
    ) -> DocumentSpec {
        let coded = |sys: &str, codes: &[&str]| {
            codes.iter().map(|c| serde_json::json!({"system": sys, "code": c, "display": ""})).collect::<Vec<_>>()
        };
        let date = self.date();
        let mut k = serde_json::json!({"asiakas": Self::client_json(p), "infoteksti": Self::info_text("1.2.246.537.6.1505.9.2023.6.5")});
        if !controllers.is_empty() {
            k["rekisterinpitajaa_koskevat_luovutuskiellot"] = serde_json::json!({"rekisterinpitajaa_koskeva_luovutuskielto": [{
                "rekisterinpitaja_jonka_tietojen_luovutus_kielletaan": coded("urn:oid:1.2.246.537.6.202", controllers), "kiellon_asettamisen_ajankohta": date}]});
        }
        if !service_tasks.is_empty() {
            k["palvelutehtavaa_koskevat_luovutuskiellot"] = serde_json::json!({"palvelutehtavaa_koskeva_luovutuskielto": [{
                "palvelutehtava_jonka_tietojen_luovutus_kielletaan": coded("urn:oid:1.2.246.537.6.1221", service_tasks), "kiellon_asettamisen_ajankohta": date}]});
        }
        if !documents.is_empty() {
            let docs: Vec<serde_json::Value> = documents
                .iter()
                .map(|d| serde_json::json!({"oid_tunnus": {"system": "urn:ietf:rfc:3986", "value": d}}))
                .collect();
            k["asiakirjoja_koskevat_luovutuskiellot"] = serde_json::json!({"asiakirjaa_koskeva_luovutuskielto": [{
                "asiakirja_jonka_luovutus_kielletaan": docs, "kiellon_asettamisen_ajankohta": date}]});
        }
        self.declaration(p, DocumentKind::Prohibition, "Luovutuskielto", serde_json::json!({"kieltoasiakirja": k}))
    }

    /// A new version of `parent` (same set, version + 1, new id).
    pub fn new_version(&self, parent: &DocumentSpec) -> DocumentSpec {
        let mut s = parent.clone();
        s.id = new_oid();
        s.version = parent.version + 1;
        s.replaces = Some((parent.id.clone(), parent.set_id.clone(), parent.version));
        s.effective_time = Some(self.now);
        // Attachments are renamed after the new id so the package stays self-describing.
        for p in s.parts.iter_mut() {
            if let Some((_, ext)) = p.content_id.rsplit_once('.') {
                p.content_id = format!("{}.{ext}", s.id);
            }
        }
        s
    }

    /// A new version of `parent` whose content is `content`'s (a clienthood changes by new
    /// versions: one clienthood per client per organiser).
    pub fn revise(&self, parent: &DocumentSpec, content: &DocumentSpec) -> DocumentSpec {
        let mut s = self.new_version(parent);
        s.parts = content.parts.clone();
        for p in s.parts.iter_mut() {
            if let Some((_, ext)) = p.content_id.rsplit_once('.') {
                p.content_id = format!("{}.{ext}", s.id);
            }
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn a_seed_draws_reproducible_valid_values_and_seeds_differ() {
        let day = date!(2026 - 11 - 20);
        assert_eq!(Variety::draw(7, day), Variety::draw(7, day), "the same seed, the same values");
        let drawn: Vec<Variety> = (0..40).map(|s| Variety::draw(s, day)).collect();
        let types: std::collections::BTreeSet<_> = drawn.iter().map(|v| v.structured_type.clone()).collect();
        let services: std::collections::BTreeSet<_> = drawn.iter().map(|v| v.social_service.clone()).collect();
        let authors: std::collections::BTreeSet<_> = drawn.iter().map(|v| v.author.0.clone()).collect();
        assert!(types.len() >= 10 && services.len() >= 3 && authors.len() >= 2, "{types:?} {services:?} {authors:?}");
        let codes = crate::codes::CodeSets::builtin();
        for v in &drawn {
            // A type with a structure in force, kept in the organisation's own register.
            assert!(crate::sosmeta::Structures::builtin()
                .all()
                .any(|s| s.base_oid() == format!("1.2.246.537.6.1506.{}", v.structured_type)));
            assert!(!crate::archive::access::wide_rights().iter().any(|w| w.covers(&v.structured_type)));
            let code = crate::codes::Code {
                code: v.social_service.clone(),
                system: crate::codes::oids::SOCIAL_SERVICE.into(),
                display: None,
            };
            assert_eq!(codes.check(crate::codes::oids::SOCIAL_SERVICE, &code, day), crate::codes::CodeCheck::Valid);
        }
        // A varied kit writes them; a plain one its fixed defaults.
        let p = crate::persons::TestPersons::builtin().get("aikuinen").expect("person");
        let plain = Kit::new(Organisation::testila(), datetime!(2026-11-20 10:00 UTC));
        let varied = plain.clone().varied(7);
        let v = varied.variety.clone().expect("variety");
        let d = varied.client_document(p, "2.25.1", DocumentModel::Liittymisvelvoite);
        assert_eq!(d.document_type.as_deref(), Some(v.structured_type.as_str()));
        assert_eq!(d.author.as_ref().map(|a| a.1.as_str()), Some(v.author.0.as_str()));
        let d1 = varied.client_document(p, "2.25.1", DocumentModel::Vaihe1);
        assert_eq!(d1.social_services, vec![v.social_service.clone()]);
        assert_eq!(
            plain.client_document(p, "2.25.1", DocumentModel::Liittymisvelvoite).document_type.as_deref(),
            Some("11002")
        );
    }
}
