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
}

impl Kit {
    /// A kit for `org` writing documents dated `now`.
    pub fn new(org: Organisation, now: OffsetDateTime) -> Self {
        Kit { org, now, service_task: "10".into() }
    }

    fn base(&self, kind: DocumentKind, model: DocumentModel, p: &TestPerson, title: &str) -> DocumentSpec {
        let mut s = DocumentSpec::new(&new_oid(), kind, model);
        s.title = Some(title.to_string());
        s.effective_time = Some(self.now);
        s.client_id = Some(p.hetu.clone());
        s.family_name = p.family_name.clone();
        s.given_names = p.given_names.clone();
        s.controller = Some(self.org.controller.clone());
        s.author = Some(("1.2.246.537.26".into(), "999000123".into(), "Sanna Sosiaalityöntekijä".into()));
        s
    }

    fn date(&self) -> String {
        let d = self.now.date();
        format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
    }

    fn person<'a>(p: &'a TestPerson) -> content::Person<'a> {
        content::Person { id: &p.hetu, is_hetu: true, family: &p.family_name, given: &p.given_names, turvakielto: p.turvakielto }
    }

    /// A clienthood document (asiakkuusasiakirja) in the given model.
    pub fn clienthood(&self, p: &TestPerson, model: DocumentModel) -> DocumentSpec {
        let mut s = self.base(DocumentKind::Asiakkuus, model, p, "Asiakkuusasiakirja");
        s.service_task = Some(self.service_task.clone());
        s.operating_unit = Some(self.org.operating_unit.clone());
        s.structure = Some("1.2.246.537.6.1505.1.2023.6.1".into());
        // One clienthood per client per organiser: its identifier follows from the two.
        let hood_id = format!("{}-{}", self.org.controller, p.hetu);
        let json = content::clienthood_json(&Self::person(p), &hood_id, &self.org.operating_unit, &self.service_task, &self.date());
        s.parts.push(Part::new(format!("{}.json", s.id), "application/json", json));
        s
    }

    /// A case document (asia-asiakirja) for `case_id`.
    pub fn case(&self, p: &TestPerson, case_id: &str, model: DocumentModel) -> DocumentSpec {
        let mut s = self.base(DocumentKind::Asia, model, p, "Asia-asiakirja");
        s.service_task = Some(self.service_task.clone());
        s.case_id = Some(case_id.to_string());
        s.operating_unit = Some(self.org.operating_unit.clone());
        s.structure = Some("1.2.246.537.6.1505.2.2022.6.28".into());
        s.period = Some((self.now, None));
        let json = content::case_json(&Self::person(p), case_id, &self.org.operating_unit, &self.service_task, &self.date());
        s.parts.push(Part::new(format!("{}.json", s.id), "application/json", json));
        s
    }

    /// A client document of `model` in `case_id`: a decision (Päätös) as PDF/A
    /// for phase I and old documents, a client record entry as XHTML for phase
    /// II, and a display XHTML plus structured JSON for the joining-obligation model.
    pub fn client_document(&self, p: &TestPerson, case_id: &str, model: DocumentModel) -> DocumentSpec {
        let (title, doc_type, general) = match model {
            DocumentModel::Vaihe2 => ("Merkintä ohjauksesta ja neuvonnasta", "19003", "Asiakaskertomusmerkintä"),
            _ => ("Lastensuojelun palvelu- tai tukitoimipäätös", "11002", "Päätös"),
        };
        let mut s = self.base(DocumentKind::Client(model), model, p, title);
        let general = crate::codes::CodeSets::builtin()
            .entry(crate::codes::oids::DOCUMENT_TYPE, doc_type)
            .and_then(|e| e.general_type.clone())
            .unwrap_or_else(|| general.to_string());
        s.general_type = Some(general);
        s.confidentiality = Some("3".into());
        if model != DocumentModel::Vanha {
            s.document_type = Some(doc_type.into());
            s.service_task = Some(self.service_task.clone());
            s.process_phase = Some("5".into());
            s.case_id = Some(case_id.to_string());
            s.organiser = Some(self.org.controller.clone());
            s.producer = Some(self.org.controller.clone());
            s.social_services = vec!["46".into()];
        }
        match model {
            DocumentModel::Vaihe1 => {
                s.signed = true;
                s.parts.push(Part::new(format!("{}.pdf", s.id), "application/pdf", content::pdf(title)));
            }
            DocumentModel::Vaihe2 => {
                s.service_unit = Some(self.org.service_unit.clone());
                s.parts.push(Part::new(format!("{}.xhtml", s.id), "application/xhtml+xml", content::xhtml(title, "Tapaaminen asiakkaan kanssa.")));
            }
            DocumentModel::Liittymisvelvoite => {
                s.service_unit = Some(self.org.service_unit.clone());
                s.structure = Some(format!("1.2.246.537.6.1506.{doc_type}"));
                s.parts.push(Part::new(format!("{}.xhtml", s.id), "application/xhtml+xml", content::xhtml(title, "Päätös.")));
                let json = serde_json::json!({"paatos": {"paatoksen_tiedot": {"paatospaiva": self.date()}}});
                s.parts.push(Part::new(format!("{}.json", s.id), "application/json", serde_json::to_vec(&json).unwrap_or_default()));
            }
            DocumentModel::Vanha => {
                s.signed = true;
                s.operating_unit = Some(self.org.operating_unit.clone());
                s.parts.push(Part::new(format!("{}.pdf", s.id), "application/pdf", content::pdf(title)));
            }
        }
        s
    }

    /// A new version of `parent` (same set, version + 1, new id).
    pub fn new_version(&self, parent: &DocumentSpec) -> DocumentSpec {
        let mut s = parent.clone();
        s.id = new_oid();
        s.version = parent.version + 1;
        s.replaces = Some((parent.id.clone(), parent.set_id.clone(), parent.version));
        s.effective_time = Some(self.now);
        s.title = parent.title.as_ref().map(|t| format!("{t} (korjattu)"));
        // Attachments are renamed after the new id so the package stays self-describing.
        for p in s.parts.iter_mut() {
            if let Some((_, ext)) = p.content_id.rsplit_once('.') {
                p.content_id = format!("{}.{ext}", s.id);
            }
        }
        s
    }
}
