//! Cases (案例分析) and literature (文献研究).

use crate::{check_uploads, index, merge, ResearchError, Upload};
use domain::research::{CaseForm, Codebook, DocumentForm};
use domain::Date;
use store::{Scope, Store};

pub async fn create_case(store: &Store, scope: &Scope, form: &CaseForm, files: Vec<Upload>, user: Option<i64>) -> Result<i64, ResearchError> {
    let (input, files) = merge(form.validate(Codebook::builtin()), check_uploads(files))?;
    Ok(store.insert_case(scope, &input, &files, &index::case(&input), user).await?)
}

/// `rules_text`: the rules file in effect, whose entries requirements may point at.
pub async fn create_document(store: &Store, form: &DocumentForm, files: Vec<Upload>, rules_text: &str, user: Option<i64>, today: Date) -> Result<i64, ResearchError> {
    let keys: Vec<String> = domain::rules::entries(rules_text).into_iter().map(|e| e.key).collect();
    let (input, files) = merge(form.validate(today, &keys), check_uploads(files))?;
    Ok(store.insert_document(&input, &files, &index::document(&input), user).await?)
}
