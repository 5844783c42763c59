//! The research report (调研报告): built from the data in the seed's structure
//! (`build`), held as a document model (`model`), written as Markdown, HTML (printable
//! to the same look) and Word in the GB/T 9704 layout (`markdown`, `html`, `docx`).

pub mod build;
pub mod choices;
pub mod docx;
pub mod html;
pub mod markdown;
pub mod model;
mod raster;

pub use build::{build, Request};
pub use choices::Choices;
pub use model::{Block, Report};

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error(transparent)]
    Store(#[from] store::StoreError),
    #[error(transparent)]
    Indicators(#[from] indicators::IndicatorError),
    #[error("{0}")]
    Catalogue(String),
    /// A researcher's choice that cannot be used (unknown campaign, period reversed…).
    #[error("{0}")]
    Choice(String),
    #[error("无法写出报告：{0}")]
    Write(String),
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Docx,
    Html,
    Markdown,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        match s.trim().to_ascii_lowercase().as_str() {
            "docx" | "word" => Some(Format::Docx),
            "html" | "htm" => Some(Format::Html),
            "md" | "markdown" => Some(Format::Markdown),
            _ => None,
        }
    }
}

/// The report in `format`, as bytes.
pub fn render(r: &Report, format: Format, fonts: &docx::Fonts) -> Result<Vec<u8>, ReportError> {
    Ok(match format {
        Format::Markdown => markdown::render(r).into_bytes(),
        Format::Html => html::render(r, fonts).into_bytes(),
        Format::Docx => docx::render(r, fonts)?,
    })
}
