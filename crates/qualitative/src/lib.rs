//! Qualitative research (实地访谈、案例分析、文献研究): interviews whose passages are
//! coded with the code book's categories (suggested by a lexicon, accepted or rejected by
//! a researcher), keywords by TF-IDF and TextRank, cases, literature whose requirements
//! point at rules-file entries, and Chinese full-text search over all of it.

pub mod index;
pub mod interviews;
pub mod agreement;
pub mod lexicon;
pub mod library;
pub mod refi;
pub mod search;

use domain::ValidationError;
use store::StoreError;

/// Labelled passages the lexicon was tuned on (see `lexicon::evaluate`).
pub const TUNING_SET: &str = include_str!("../labelled.tsv");
/// Labelled passages written after tuning and never used for it: the honest measure.
pub const HELD_OUT_SET: &str = include_str!("../heldout.tsv");

#[derive(Debug, thiserror::Error)]
pub enum ResearchError {
    /// Refused input; nothing was written.
    #[error("{0}")]
    Invalid(#[from] ValidationError),
    #[error("{0}")]
    Store(StoreError),
    #[error("{0}")]
    Io(String),
}

impl From<StoreError> for ResearchError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Invalid(v) => ResearchError::Invalid(v),
            e => ResearchError::Store(e),
        }
    }
}

/// A file as uploaded: its name and bytes.
pub struct Upload {
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// Checks uploads by content and size; every refused file is named.
pub fn check_uploads(files: Vec<Upload>) -> Result<Vec<store::NewAttachment>, Vec<domain::FieldError>> {
    let mut ok = Vec::new();
    let mut errors = Vec::new();
    for f in files {
        if f.file_name.trim().is_empty() && f.bytes.is_empty() {
            continue;
        }
        match domain::research::sniff_attachment(&f.file_name, &f.bytes) {
            Ok(media_type) => ok.push(store::NewAttachment { file_name: f.file_name, media_type: media_type.to_string(), bytes: f.bytes }),
            Err(e) => errors.push(domain::FieldError::new("attachments", e)),
        }
    }
    if errors.is_empty() { Ok(ok) } else { Err(errors) }
}

/// Merges form errors and attachment errors so the user sees all of them at once.
pub(crate) fn merge<T>(form: Result<T, ValidationError>, files: Result<Vec<store::NewAttachment>, Vec<domain::FieldError>>) -> Result<(T, Vec<store::NewAttachment>), ValidationError> {
    match (form, files) {
        (Ok(t), Ok(f)) => Ok((t, f)),
        (Err(mut e), Err(f)) => {
            e.errors.extend(f);
            Err(e)
        }
        (Err(e), Ok(_)) => Err(e),
        (Ok(_), Err(f)) => Err(ValidationError { errors: f }),
    }
}
